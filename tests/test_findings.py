"""The "What this shows" block of each study page: it exists, opens the page, and carries numbers
recomputed here independently from ``sim/`` on the demo data; no visible text names an internal
document; every control has help; the AI clusters page fits no regression model until a section is
opened."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240
STUDY_PAGES = ("coupling.py", "spatial.py", "dynamics.py", "clusters.py")


def _open(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"pages/{page}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _findings(at: AppTest) -> str:
    assert any(s.value == "What this shows" for s in at.subheader), "no 'What this shows' block"
    bullets = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert bullets, "the findings block has no bullet list"
    text = bullets[0]
    assert 3 <= text.count("\n- ") + 1 <= 7, text
    return text


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _visible_text(at: AppTest) -> str:
    """Every rendered element's protobuf as text: labels, help, captions, markdown, table cells."""
    return "\n".join(str(getattr(n, "proto", "")) for n in _nodes(at._tree))


def _provinces_D() -> pd.DataFrame:
    from sim import schema
    from sim.coupling import EntropyFrame

    panel = pd.read_csv(ROOT / "data" / "demo" / "provinces.csv")
    t = EntropyFrame.fit(panel).transform(panel)
    names = [p for p in schema.province_names() if p in set(t["province"])]
    return panel, t.pivot(index="province", columns="year", values="D").loc[names]


def test_coupling_findings_count_high_provinces_and_say_what_D_means():
    _, D = _provinces_D()
    first, last = int(D.columns[0]), int(D.columns[-1])
    hi_last, hi_first = int((D[last] > 0.5).sum()), int((D[first] > 0.5).sum())
    at = _open("coupling.py")
    text = _findings(at)
    assert f"In {last}, **{hi_last} of {len(D)} provinces** are at high or extreme coordination" in text
    assert f"from {hi_first} in {first}" in text
    assert f"to **{D[last].mean():.2f}** in {last}" in text
    top = D[last].idxmax()
    assert f"{top} ({D[last].max():.2f})" in text
    captions = " ".join(c.value for c in at.caption)
    assert "D = 0.40 is *medium* coordination" in captions and "synthetic demo data" in captions


def test_coupling_opens_on_traditional_D_then_crosspred_and_warns_once_for_the_paper():
    at = _open("coupling.py")
    assert "coupling_method" not in [r.key for r in at.radio]  # nothing trained on the first visit
    at.toggle(key="coupling_compare_mlp").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="coupling_method").value == "crosspred"
    assert not [w for w in at.warning if "collapsed" in w.value]
    assert "cross-prediction MLP ranks provinces" in _findings(at)
    at.radio(key="coupling_method").set_value("paper").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len([w for w in at.warning if "collapsed" in w.value]) == 1
    assert "training collapsed" in _findings(at)


def test_spatial_findings_carry_morans_I_and_the_between_region_share():
    from sim import inequality, moran, schema, weights

    panel, D = _provinces_D()
    names = list(D.index)
    provs = {p.name: p for p in schema.provinces()}
    W = weights.econ_geo_weights([provs[n].capital_lat for n in names], [provs[n].capital_lon for n in names],
                                 weights.long_run_mean_pgdp(panel, names))
    gm = moran.global_moran_by_year(D, W, 99, seed=1)
    last = int(D.columns[-1])
    I_last = float(gm.loc[gm["year"] == last, "I"].iloc[0])
    dg = inequality.dagum_by_year(D, schema.province_regions(), order=schema.REGIONS)
    share = float(dg[(dg["measure"] == "share") & (dg["year"] == last) & (dg["label"] == "net_between")]["value"].iloc[0])
    text = _findings(_open("spatial.py"))
    assert f"Moran's I {I_last:.2f} in {last}" in text
    assert "spatially clustered" in text and "p < 0.01" in text
    assert f"explain **{100 * share:.0f} %**" in text


def test_dynamics_findings_carry_the_median_and_the_share_that_stays():
    from sim import markov

    _, D = _provinces_D()
    last = int(D.columns[-1])
    chain = markov.markov_chain(D)
    stay = np.trace(chain.counts) / chain.counts.sum()
    text = _findings(_open("dynamics.py"))
    assert f"**{D[last].median():.2f}** in {last}" in text
    assert f"**{100 * stay:.0f} % of provinces stay in their class**" in text
    assert "Coupling-fault warnings" in text


def test_clusters_findings_count_the_clusters():
    from sim import clusters as cl

    cities = pd.read_csv(ROOT / "data" / "demo" / "cities.csv")
    links = pd.read_csv(ROOT / "data" / "demo" / "city_links.csv")
    ident = cl.identify_clusters(cities, links, 80)
    tot = cl.cooperation_totals(cities, links, list(ident.clusters))
    n_inter = int((tot["interregional"] > tot["intraregional"]).sum())
    text = _findings(_open("clusters.py"))
    assert f"**{len(ident.clusters)} of {len(ident.table)} cities are AI clusters**" in text
    assert f"main form for **{n_inter} of {len(tot)}** clusters" in text


@pytest.mark.parametrize("page", STUDY_PAGES)
def test_no_internal_document_in_visible_text_and_every_control_has_help(page):
    at = _open(page)
    assert "SPEC" not in _visible_text(at)
    widgets = [*at.radio, *at.selectbox, *at.select_slider, *at.slider, *at.number_input, *at.toggle,
               *at.multiselect, *at.button_group]
    assert widgets
    missing = [w.label for w in widgets if not w.proto.help]
    assert not missing, missing


def test_clusters_fits_no_model_until_a_section_is_opened(monkeypatch):
    import ui.clusters as uc

    calls = []
    for name in ("gmm_models", "instrument_options", "negative_binomial", "mediation", "sensitivity",
                 "descriptives", "moderation"):
        original = getattr(uc, name)

        def counted(*args, _f=original, _n=name, **kwargs):
            calls.append(_n)
            return _f(*args, **kwargs)

        monkeypatch.setattr(uc, name, counted)
    at = _open("clusters.py")
    assert calls == []
    assert not at.table  # no regression table
    assert not [d for d in at.dataframe if "sargan_p" in d.value.columns]
    at.button_group(key="clusters_section").set_value("Policy effect: system GMM (Table 4)").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "gmm_models" in calls and "negative_binomial" not in calls
    assert any("Model 3 | paper" in t.value.columns for t in at.table)
    at.button_group(key="clusters_section").set_value("Negative binomial (Table 6)").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "negative_binomial" in calls
