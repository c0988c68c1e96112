"""AppTest: the "Spatial patterns" and "Dynamics" pages render on the demo data and react to controls."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def _open(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"pages/{page}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_spatial_page_shows_moran_against_table3_and_dagum():
    at = _open("spatial.py")
    assert at.title[0].value == "Spatial patterns"
    assert any("Synthetic demo data" in w.value for w in at.warning)
    headers = [h.value for h in at.header]
    assert "Global Moran's I by year" in headers and any("Dagum" in h for h in headers)
    gm = at.dataframe[0].value
    assert {"Moran's I", "p (normal)", "p (permutation)", "Moran's I (paper, Table 3)",
            "p (paper, Table 3)"} <= set(gm.columns)
    assert len(gm) == 11 and gm["Moran's I (paper, Table 3)"].iloc[0] == 0.287
    # Dagum shares table: recomputed next to the paper's 26.615 / 59.986 / 13.399
    shares = next(d.value for d in at.dataframe if "Paper: mean share of G (%)" in d.value.columns)
    assert sorted(shares["Paper: mean share of G (%)"].round(3)) == [13.399, 26.615, 59.986]
    assert abs(shares["This data: mean share of G (%)"].sum() - 100) < 1e-6
    # fewer permutations and another year re-render cleanly
    at.select_slider(key="spatial_permutations").set_value(99).run()
    at.select_slider(key="spatial_year").set_value(2012).run()
    assert not at.exception, [e.value for e in at.exception]


def test_dynamics_page_markov_switches_and_the_qb_comparison():
    at = _open("dynamics.py")
    assert at.title[0].value == "Dynamics"
    warn = " ".join(w.value for w in at.warning)
    assert "157.893" in warn and "10.61" in warn
    assert any("fixed cut-offs" in i.value for i in at.info)
    at.radio(key="dynamics_class_scheme").set_value(
        "Pooled quartiles (what the paper's Table 4 counts imply)").run()
    assert any("pooled quartiles" in i.value for i in at.info)
    at.radio(key="dynamics_proximity").set_value("k nearest capitals").run()
    assert any("4-nearest-capital" in i.value for i in at.info)
    at.slider(key="warning_window").set_value(2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.label == "Flagged province-years" for m in at.metric)


def test_unbalanced_panel_is_refused_with_the_missing_province_years():
    import pandas as pd

    from ui.state import Dataset

    panel = pd.read_csv(ROOT / "data" / "demo" / "provinces.csv")
    gap = panel[~((panel["province"] == "Gansu") & (panel["year"] == 2016))].reset_index(drop=True)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    at.session_state["dataset"] = Dataset(frames={"provinces": gap}, sources={"provinces": "test"},
                                          synthetic={"provinces": False})
    for page in ("spatial.py", "dynamics.py"):
        at.switch_page(f"pages/{page}")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("Gansu 2016" in e.value and "balanced panel" in e.value for e in at.error), page


@pytest.mark.slow
def test_spatial_page_on_the_papers_mlp_d_shows_the_collapse_warning():
    at = _open("spatial.py")
    sb = at.selectbox(key="spatial_d_measure_spatial")
    sb.set_value("D_mlp: Paper's dual-tower MLP (as published)").run()  # trains 5 seeds (~10 s)
    assert not at.exception, [e.value for e in at.exception]
    assert any("D_mlp on this page" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 11
