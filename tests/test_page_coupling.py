"""AppTest: the Coupling page renders on the demo data on the traditional D (nothing trained), and for
every MLP method once the comparison is switched on, with the collapse warning (once) for the paper's
method."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def _page(method: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/coupling.py")
    at.run()
    if method is not None:
        at.toggle(key="coupling_compare_mlp").set_value(True)
        at.run()
        at.radio(key="coupling_method").set_value(method)
        at.run()
    return at


def test_paper_method_renders_with_collapse_warning_once():
    at = _page("paper")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Coupling"
    warnings = [w.value for w in at.warning if "collapsed" in w.value]
    assert len(warnings) == 1  # once, where the MLP results begin (was repeated four times)
    assert any("z (MLP D vs traditional D)" == m.label for m in at.metric)


@pytest.mark.slow
def test_crosspred_renders_without_collapse_and_map_difference():
    at = _page("crosspred")
    assert not at.exception, [e.value for e in at.exception]
    assert not any("collapsed" in w.value for w in at.warning)
    at.radio(key="coupling_map_measure").set_value("Difference (MLP - traditional)")
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_recovery_figures_come_from_the_benchmark_output():
    """The page shows what bench/coupling_recovery.py wrote (both processes), not fixed text."""
    import pandas as pd

    bench = pd.read_csv(ROOT / "bench" / "results" / "coupling_recovery.csv")
    assert bench["process"].nunique() == 2
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    shown = [d.value for d in at.dataframe if "Spearman with truth" in d.value.columns]
    assert len(shown) == 1
    df = shown[0]
    assert df["Spearman with truth"].tolist() == pytest.approx(bench["spearman_truth"].tolist(), abs=1e-12)
    assert df["process"].tolist() == bench["process"].tolist()
    text = " ".join(m.value for m in at.markdown)
    assert "~0.78" not in text and "independently of every method" in text
