"""With units other than the 30 study provinces loaded (own cities), the Simulator says "units" where it
would say "provinces", in English and in Chinese (地区); the study provinces keep "provinces" (省份)."""
from __future__ import annotations

import pytest

from sim import data
from tests.fixtures.own_panels import own_panel, own_system
from tests.fixtures.sessions import session_with
from ui.nav import UNEXPECTED

TIMEOUT = 300


@pytest.fixture(scope="module")
def own_cities():
    return data.read_province_panel(own_panel(40), indicators=own_system())


def _simulator(frame, lang: str):
    at = session_with(frame, TIMEOUT)
    at.session_state["lang"] = lang
    at.switch_page("pages/simulator.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert UNEXPECTED not in " ".join(str(e.value) for e in at.error)
    return at


@pytest.mark.parametrize("lang, units, provinces", [("en", "Units (Study A)", "Provinces (Study A)"),
                                                    ("zh", "地区（研究 A）", "省份（研究 A）")])
def test_simulator_says_units_for_own_cities(own_cities, lang, units, provinces):
    at = _simulator(own_cities, lang)
    heads = [h.value for h in at.subheader]
    assert units in heads and provinces not in heads
    view = at.segmented_control(key="sim_view")
    shown = view.options  # as drawn (formatted)
    assert ("Units" if lang == "en" else "地区") in [str(s) for s in shown]
    at.segmented_control(key="sim_view").set_value("Provinces").run()
    assert not at.exception
    pick = at.multiselect(key="sim_prov_pick")
    assert pick.label == ("Units" if lang == "en" else "地区")
    goal_q = at.selectbox(key="goal_q")
    labels = [str(o) for o in goal_q.options]
    assert any(("a unit" if lang == "en" else "某地区") in o for o in labels), labels
    assert not any(("a province" if lang == "en" else "某省") in o for o in labels), labels


def test_simulator_keeps_provinces_for_the_study_provinces():
    at = _simulator(data.read_demo(("provinces",))["provinces"], "zh")
    assert "省份（研究 A）" in [h.value for h in at.subheader]
    at.segmented_control(key="sim_view").set_value("Provinces").run()
    assert at.multiselect(key="sim_prov_pick").label == "省份"
