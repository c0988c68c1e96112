"""With units other than the 30 study provinces loaded (290 own cities), the Study A pages (Coupling, Spatial
patterns, Dynamics) say "units" where they would say "provinces", in English and in Chinese (地区): headings,
help texts, findings, captions, chart titles and axes, table headers. Texts about the paper itself keep its
30 provinces. The study provinces keep "provinces" (省份)."""
from __future__ import annotations

import json

import pytest

from sim import data
from tests.fixtures.own_panels import own_panel, own_system
from tests.fixtures.sessions import session_with
from ui.nav import UNEXPECTED

TIMEOUT = 300
PAGES = ("coupling.py", "spatial.py", "dynamics.py")
# what the page says about the paper (its Table 3 describes the 30 provinces): allowed to name provinces
ABOUT_THE_PAPER = ("The paper's Table 3 (30 provinces)", "论文表 3（30 个省份）")
WORD = {"en": "province", "zh": "省份"}
TEXTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "expander")
WIDGETS = ("selectbox", "multiselect", "radio", "slider", "select_slider", "number_input", "text_input", "button",
           "toggle", "checkbox", "segmented_control", "download_button")


def _titles(spec, out: list) -> None:
    """Every title of a Vega-Lite spec (chart, axes, legends, tooltips)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title":
                if isinstance(value, str):
                    out.append(value)
                elif isinstance(value, dict) and isinstance(value.get("text"), str):
                    out.append(value["text"])
                elif isinstance(value, list):
                    out += [str(v) for v in value]
            _titles(value, out)
    elif isinstance(spec, list):
        for value in spec:
            _titles(value, out)


def visible_texts(at) -> list[str]:
    """The texts of the page (the main area; the sidebar is the app's, not the page's): elements, widget
    labels, help texts and options, metric labels, chart titles and axes, table headers."""
    root = at.main
    out = []
    for kind in TEXTS:
        out += [getattr(e, "label", None) if kind == "expander" else e.value for e in getattr(root, kind)]
    for kind in WIDGETS:
        for w in getattr(root, kind, []):
            out += [getattr(w, "label", "") or "", getattr(w, "help", "") or ""]
            out += [str(o) for o in getattr(w, "options", []) or []]
    for m in root.get("metric"):
        out += [m.label, getattr(m, "help", "") or ""]
    for chart in root.get("vega_lite_chart"):
        _titles(json.loads(chart.proto.spec), out)
    for df in root.get("dataframe"):
        out += [str(c) for c in df.value.columns]
    return [str(t) for t in out if t]


def _run(frame, page: str, lang: str):
    at = session_with(frame, TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"pages/{page}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert UNEXPECTED not in " ".join(str(e.value) for e in at.error)
    return at


def _provinces_said(at, lang: str) -> list[str]:
    out = []
    for text in visible_texts(at):
        for about_the_paper in ABOUT_THE_PAPER:
            text = text.replace(about_the_paper, "")
        if WORD[lang] in text.lower():
            out.append(text)
    return out


@pytest.fixture(scope="module")
def own_cities():
    return data.read_province_panel(own_panel(290), indicators=own_system())


@pytest.fixture(scope="module")
def own_cities_with_pgdp():
    return data.read_province_panel(own_panel(290, pgdp=True), indicators=own_system())


@pytest.fixture(scope="module")
def demo_provinces():
    return data.read_demo(("provinces",))["provinces"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_study_a_pages_say_units_for_own_cities(own_cities, page, lang):
    at = _run(own_cities, page, lang)
    assert not _provinces_said(at, lang)
    texts = " ".join(visible_texts(at))
    assert ("unit" if lang == "en" else "地区") in texts
    if page == "dynamics.py":  # k nearest neighbours: the matrix named after units, not capitals
        at.radio(key="dynamics_proximity").set_value("k nearest capitals").run()
        assert not at.exception
        assert not _provinces_said(at, lang)
        assert ("4-nearest-unit" if lang == "en" else "4 个最近地区") in " ".join(e.value for e in at.main.info)
        assert ("k nearest units" if lang == "en" else "k 个最近地区") in at.radio(key="dynamics_proximity").options


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_spatial_weights_with_gdp_per_capita_say_units(own_cities_with_pgdp, lang):
    at = _run(own_cities_with_pgdp, "spatial.py", lang)
    assert not _provinces_said(at, lang)
    texts = " ".join(visible_texts(at))
    assert ("the units' coordinates" if lang == "en" else "各地区坐标之间") in texts
    assert "provincial capitals" not in texts and "省会之间" not in texts


@pytest.mark.parametrize("page, lang, text", [
    ("coupling.py", "en", "How well each province's new quality productive forces"),
    ("spatial.py", "en", "All provinces (Moran scatter)"),
    ("dynamics.py", "en", "Flagged province-years"),
    ("coupling.py", "zh", "各省份新质生产力与创新资源配置协同发展的程度"),
    ("spatial.py", "zh", "全部省份（莫兰散点图）"),
    ("dynamics.py", "zh", "被标记的省份-年份"),
])
def test_study_a_pages_keep_provinces_for_the_study_provinces(demo_provinces, page, lang, text):
    at = _run(demo_provinces, page, lang)
    assert any(text in t for t in visible_texts(at)), text


def test_mlp_texts_have_unit_twins():
    """The MLP comparison's texts (shown only after training, not run here): each twin about units says no
    'province' in English and no 省份 in Chinese, with the same placeholders."""
    import re

    import pandas as pd

    from ui import coupling as cp
    from ui import findings as fd
    from ui.i18n import translations

    zh = translations("zh").gettext
    twins = [cp.COLLAPSE_MESSAGE_UNITS, cp.NOT_COLLAPSED_UNITS, *cp.METHOD_NOTES_UNITS.values()]
    table = pd.DataFrame({"D_trad": [0.2, 0.4, 0.6], "D_mlp": [0.3, 0.5, 0.65]})
    twins += [fd.mlp_finding(table, collapsed, "MLP", 0.01, units=True) for collapsed in (True, False)]
    for text in twins:
        assert "province" not in text.lower(), text
    for msgid in twins[:-2]:
        if msgid == cp.METHOD_NOTES["paper"]:
            continue
        assert "省份" not in zh(msgid) and zh(msgid) != msgid, msgid
        assert sorted(re.findall(r"\{[^}]*\}", zh(msgid))) == sorted(re.findall(r"\{[^}]*\}", msgid))
    # the study provinces keep their sentences
    assert "provinces" in fd.mlp_finding(table, False, "MLP", 0.01)
    assert cp.method_note("crosspred") == cp.METHOD_NOTES["crosspred"]
    assert "held-out units" in cp.method_note("crosspred", units=True)
    assert cp.result_labels(True)["province"] == "Unit" and cp.result_labels()["province"] == "Province"
