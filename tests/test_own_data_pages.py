"""AppTest: a user's own data on the Data page and on every page (issue 12).

* an indicator sheet (12 + 9 indicators, Chinese names, one negative) and a panel with Chinese
  yearbook headers load through the Data page; a panel of unknown columns gets a proposed mapping
  that the user confirms;
* malformed sheets and mappings get messages naming row, column and value, fully readable, and the
  last good data stay active;
* every page (Study A pages and the Simulator) runs on the own system for the 30 provinces and on
  290 cities with coordinates and no boundaries.
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim import data
from tests.fixtures.own_panels import own_panel, own_system, units_sheet
from tests.fixtures.sessions import session_with
from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds: the analysis pages on 290 units, on 2 shared cores


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")


def _healthy(at):
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(str(e.value) for k in ("markdown", "error", "warning", "info") for e in getattr(at, k))
    assert UNEXPECTED not in texts


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    _healthy(at)
    return at


def _markdown(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def _unescape(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")


def test_own_indicator_sheet_and_chinese_headers_load_on_the_data_page():
    at = _data_page()
    at.file_uploader(key="upload_indicators_sheet").set_value(
        ("my_indicators.csv", _csv(own_system()), "text/csv")).run()
    _healthy(at)
    assert any("12 + 9 indicators" in _unescape(s.value) for s in at.success)
    at.file_uploader(key="upload_provinces").set_value(
        ("provinces_zh.csv", _csv(own_panel(None, pgdp=True, group=False)), "text/csv")).run()
    _healthy(at)
    frame = at.session_state["dataset"].get("provinces")
    assert frame.shape == (300, 24) and frame.attrs["indicator_system"].ids("inno")[0] == "rd_exp"
    assert any("Loaded provinces_zh.csv" in _unescape(s.value) for s in at.success)
    assert "Column mapping" in [h.value for h in at.subheader]  # the mapping used is shown


def test_unknown_columns_get_a_proposed_mapping_the_user_confirms():
    at = _data_page()
    good = at.session_state["dataset"]
    panel = own_panel(30, years=range(2015, 2021))
    at.file_uploader(key="upload_provinces").set_value(("cities.csv", _csv(panel), "text/csv")).run()
    _healthy(at)
    assert at.session_state["dataset"] is good  # not loaded: unknown columns, no sheet
    lines = _unescape(_markdown(at))
    assert "Unknown column '每万人发明专利拥有量(件)'" in lines  # the whole message, not cut
    assert "indicator sheet" in lines
    proposal = at.session_state["column_mapping"]
    m = proposal["mapping"]
    assert not proposal["applied"] and set(m.loc[m["use_as"] == "indicator", "matched_by"]) >= {"proposed"}
    # the user chooses a system for every proposed indicator and one negative direction
    ind = m.index[m["use_as"] == "indicator"]
    m.loc[ind, "system"] = ["nqpf"] * 12 + ["inno"] * 9
    m.loc[m["header"] == "单位GDP能耗(吨标准煤/万元)", "direction"] = "-"
    at.session_state["column_mapping"] = {**proposal, "mapping": m}
    at.run()
    at.button(key="apply_mapping").click().run()
    _healthy(at)
    frame = at.session_state["dataset"].get("provinces")
    assert frame is not None and frame["province"].nunique() == 30 and frame.shape[1] == 23
    system = frame.attrs["indicator_system"]
    assert [i.direction for i in system.indicators].count(-1) == 1
    assert len(frame.attrs["units"].names) == 30 and not frame.attrs["units"].provinces


def test_a_mapping_with_one_indicator_in_a_system_is_refused_and_the_data_stay():
    at = _data_page()
    good = at.session_state["dataset"]
    panel = own_panel(10, years=range(2015, 2020))
    at.file_uploader(key="upload_provinces").set_value(("cities.csv", _csv(panel), "text/csv")).run()
    proposal = at.session_state["column_mapping"]
    m = proposal["mapping"]
    ind = m.index[m["use_as"] == "indicator"]
    m.loc[ind, "system"] = ["nqpf"] * 20 + ["inno"]
    at.session_state["column_mapping"] = {**proposal, "mapping": m}
    at.run()
    at.button(key="apply_mapping").click().run()
    _healthy(at)
    assert at.session_state["dataset"] is good
    problems = at.session_state["upload_problems"]["provinces"]
    assert any(p["column"] == "system" and p["value"] == "inno" and p["row"] == str(ind[-1] + 2)
               and "at least 2" in p["problem"] for p in problems)
    assert "at least 2 are needed" in _unescape(_markdown(at))


def test_malformed_indicator_and_units_sheets_are_reported_and_the_last_good_data_stay():
    at = _data_page()
    good = at.session_state["dataset"]
    bad = own_system()
    bad.loc[0, "system"] = "economy"
    bad.loc[3, "id"] = bad.loc[2, "id"]
    at.file_uploader(key="upload_indicators_sheet").set_value(("bad.csv", _csv(bad), "text/csv")).run()
    _healthy(at)
    text = _unescape(_markdown(at))
    assert "Row 2 · column 'system' · value 'economy'" in text and "Unknown system 'economy'" in text
    assert f"Row 5 · column 'id' · value '{bad.loc[2, 'id']}'" in text and "Duplicate id" in text
    assert "indicators" not in at.session_state["own_sheets"]
    u = units_sheet(own_panel(12)).iloc[:-1].copy()
    u.loc[u.index[1], "lat"] = None
    at.file_uploader(key="upload_units_sheet").set_value(("units.csv", _csv(u), "text/csv")).run()
    text = _unescape(_markdown(at))
    assert "Row 3 · column 'lat'" in text and "no latitude" in text
    # a good units sheet that lacks a city of the panel: the panel is refused, naming row and value
    at.file_uploader(key="upload_units_sheet").set_value(
        ("units.csv", _csv(units_sheet(own_panel(12)).iloc[:-1]), "text/csv")).run()
    at.file_uploader(key="upload_indicators_sheet").set_value(("ok.csv", _csv(own_system()), "text/csv")).run()
    panel = own_panel(12).drop(columns=["纬度", "经度", "分组"])
    at.file_uploader(key="upload_provinces").set_value(("cities.csv", _csv(panel), "text/csv")).run()
    _healthy(at)
    assert at.session_state["dataset"] is good
    text = _unescape(_markdown(at))
    assert "Row 112 · column '城市' · value '示例市011'" in text and "not in the units sheet" in text


# --- every page on the own data -----------------------------------------------------------------------
def _session_with(frame) -> AppTest:
    return session_with(frame, TIMEOUT)


PAGES = ("home.py", "data.py", "coupling.py", "spatial.py", "dynamics.py", "clusters.py", "simulator.py")


@pytest.fixture(scope="module")
def own_provinces():
    return data.read_province_panel(own_panel(None, pgdp=True, group=False), indicators=own_system())


@pytest.fixture(scope="module")
def own_cities():
    return data.read_province_panel(own_panel(290), indicators=own_system())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_own_indicator_system(own_provinces, page):
    at = _session_with(own_provinces)
    at.switch_page(f"pages/{page}")
    at.run()
    _healthy(at)
    if page == "simulator.py":
        rev = at.session_state["sim_rev"]
        options = at.selectbox(key=f"lv_t_{rev}").options
        assert any("all 9 indicators" in str(o) for o in options)
        assert any("单位GDP能耗" in str(o) for o in options)
    if page == "coupling.py":
        tables = [d.value for d in at.dataframe]
        w = next(t for t in tables if "Indicator id" in t.columns)
        assert len(w) == 21 and "energy_intensity" in set(w["Indicator id"])
        assert set(w.loc[w["Indicator id"] == "energy_intensity", "Direction"]) == {-1.0}


@pytest.mark.parametrize("page", PAGES)
def test_every_study_a_page_runs_on_290_cities_without_boundaries(own_cities, page):
    at = _session_with(own_cities)
    at.switch_page(f"pages/{page}")
    at.run()
    _healthy(at)
    texts = " ".join(str(e.value) for e in at.info)
    if page in ("coupling.py", "spatial.py", "dynamics.py"):  # point maps: no boundaries for these units
        import json

        charts = [el.proto for el in at.get("vega_lite_chart")]
        points = [c for c in charts if any(layer.get("mark", {}).get("type") == "circle"
                                           for layer in json.loads(c.spec).get("layer", []))]
        assert points, "no point map"
    if page == "coupling.py":
        assert "of 290 units" in _unescape(_markdown(at))  # the findings name the units, not provinces
    if page == "spatial.py":
        assert "inverse-distance-squared" in texts
    if page == "dynamics.py":
        assert "nearest units" in texts


def test_simulator_lever_on_a_group_of_cities(own_cities):
    at = _session_with(own_cities)
    at.switch_page("pages/simulator.py")
    at.run()
    _healthy(at)
    rev = at.session_state["sim_rev"]
    at.selectbox(key=f"lv_t_{rev}").set_value("energy_intensity")
    at.multiselect(key=f"lv_w_{rev}").set_value(["沿海"])
    at.slider(key=f"lv_p_{rev}").set_value(-30).run()
    _healthy(at)
    sc = at.session_state["sim_scenario"]
    assert sc.indicator_changes and sc.indicator_changes[0].target == "energy_intensity"
    assert sc.indicator_changes[0].provinces == ("沿海",)


def test_template_downloads_carry_chinese_and_english_headers_units_and_sources():
    from sim import templates

    raw = templates.province_template("xlsx")
    book = pd.read_excel(io.BytesIO(raw), sheet_name=None)
    assert "R&D经费内部支出(亿元)" in book["data_zh"].columns and "rd_exp" in book["data"].columns
    ind = book["indicators"]
    assert {"name", "name_zh", "unit", "unit_zh", "source", "system", "direction"} <= set(ind.columns)
    # the Chinese-header sheet, filled with the demo's numbers, loads like the ids
    demo = data.read_demo(("provinces",))["provinces"]
    zh = demo.copy()
    zh.columns = book["data_zh"].columns
    assert data.read_province_panel(zh).equals(demo)


def test_the_mlp_comparison_trains_on_an_own_indicator_system(own_provinces):
    from ui.coupling import CP_MLP

    at = _session_with(own_provinces)
    at.switch_page("pages/coupling.py")
    at.run()
    at.toggle(key=CP_MLP).set_value(True).run()
    _healthy(at)
    results = next(d.value for d in at.dataframe if "Coordination D, MLP (0-1)" in d.value.columns)
    assert len(results) == 300 and results["Coordination D, MLP (0-1)"].between(0, 1).all()


def test_boundaries_of_own_units_uploaded_on_the_data_page_draw_polygons_and_give_contiguity():
    import json

    from tests.fixtures.own_panels import grid_panel, grid_units

    units, gj = grid_units()
    at = _data_page()
    at.file_uploader(key="upload_indicators_sheet").set_value(("ind.csv", _csv(own_system()), "text/csv")).run()
    at.file_uploader(key="upload_units_sheet").set_value(("units.csv", _csv(units), "text/csv")).run()
    at.file_uploader(key="upload_provinces").set_value(("counties.csv", _csv(grid_panel(units)), "text/csv")).run()
    _healthy(at)
    assert at.session_state["dataset"].get("provinces")["province"].nunique() == 30
    at.file_uploader(key="upload_boundaries").set_value(
        ("counties.geojson", json.dumps(gj).encode(), "application/geo+json")).run()
    _healthy(at)
    assert any("30 matched" in _unescape(s.value) for s in at.success)
    at.switch_page("pages/spatial.py")
    at.run()
    _healthy(at)
    marks = [layer.get("mark", {}).get("type") for el in at.get("vega_lite_chart")
             for layer in json.loads(el.proto.spec).get("layer", []) if "projection" in layer]  # maps only
    assert "geoshape" in marks and "circle" not in marks  # polygons of the counties, not points
    at.switch_page("pages/dynamics.py")
    at.run()
    _healthy(at)
    assert any("share a border" in str(i.value) for i in at.info)
    at.switch_page("pages/simulator.py")
    at.run()
    _healthy(at)


def test_chinese_header_csv_template_of_an_own_system_reads_back():
    from sim import templates
    from sim.indicators import read_indicator_sheet

    system = read_indicator_sheet(own_system())
    header = pd.read_csv(io.BytesIO(templates.province_template("csv_zh", system)), encoding="utf-8-sig").columns
    assert list(header[:3]) == ["地区", "年份", "平均受教育年限(年)"] and "单位GDP能耗(吨标准煤/万元)" in header
    assert list(pd.read_csv(io.BytesIO(templates.indicator_sheet(system)), encoding="utf-8-sig")["id"]) == system.ids()


def test_review_the_mapping_before_loading():
    at = _data_page()
    good = at.session_state["dataset"]
    at.checkbox(key="review_mapping").check().run()
    at.file_uploader(key="upload_indicators_sheet").set_value(("ind.csv", _csv(own_system()), "text/csv")).run()
    at.file_uploader(key="upload_provinces").set_value(
        ("provinces_zh.csv", _csv(own_panel(None, pgdp=True, group=False)), "text/csv")).run()
    _healthy(at)
    assert at.session_state["dataset"] is good  # nothing loaded before the user confirms
    m = at.session_state["column_mapping"]["mapping"]
    assert (m.loc[m["header"] == "单位GDP能耗(吨标准煤/万元)", ["id", "system", "direction"]].values.tolist()
            == [["energy_intensity", "nqpf", "-"]])
    assert m.loc[m["header"] == "人均GDP(元)", "use_as"].item() == "gdp_per_capita"
    # the user corrects one direction, then loads
    m.loc[m["header"] == "森林覆盖率(%)", "direction"] = "-"
    at.session_state["column_mapping"] = {**at.session_state["column_mapping"], "mapping": m}
    at.run()
    at.button(key="apply_mapping").click().run()
    _healthy(at)
    frame = at.session_state["dataset"].get("provinces")
    system = frame.attrs["indicator_system"]
    assert frame.shape == (300, 24) and system.by_id()["forest"].direction == -1
    assert system.by_id()["energy_intensity"].direction == -1
    assert system.by_id()["energy_intensity"].name_zh == "单位GDP能耗" and system.by_id()["rd_exp"].unit_zh == "亿元"
