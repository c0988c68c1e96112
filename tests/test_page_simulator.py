"""AppTest drives the Simulator page: a preset, a share link, a bad link, a lever."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from sim import schema
from sim.scenario import IndicatorChange, Scenario
from ui.nav import UNEXPECTED
from ui.simulator import PRESETS

ROOT = Path(__file__).resolve().parent.parent


def open_simulator(query=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=240)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/simulator.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if UNEXPECTED in e.value]
    return at


def summary(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_preset_applies_and_reports_what_changed():
    at = open_simulator()
    assert "No changes: the scenario equals the baseline." in summary(at)
    at.selectbox(key="sim_preset").select("Western digital infrastructure push").run()
    assert not at.exception
    text = summary(at)
    west = [n for n, r in schema.province_regions().items() if r == "West"]
    assert any(f"{p}: coupling coordination D in" in text for p in west) and "Beijing: coupling" not in text
    # the URL now carries the scenario, and it decodes to the preset's changes
    assert Scenario.from_query_params({"s": at.query_params["s"]}).indicator_changes == \
        PRESETS["Western digital infrastructure push"].indicator_changes


def test_share_link_restores_the_scenario():
    sc = Scenario(name="link test", horizon=3,
                  indicator_changes=(IndicatorChange("dim:Capital innovation resource", ("Sichuan",), 2023,
                                                     "pct", 40.0),))
    at = open_simulator(sc.to_query_params())
    text = summary(at)
    assert "Sichuan: coupling coordination D in 2025" in text
    assert at.slider(key="op_h_1").value == 3
    assert at.slider(key="lv_p_1").value == 40


def test_damaged_link_shows_the_problem_and_loads_the_default():
    at = open_simulator({"s": "not-a-scenario"})
    errors = " ".join(e.value for e in at.error)
    assert "could not be used" in errors and "damaged" in errors
    assert "No changes: the scenario equals the baseline." in summary(at)


def test_moving_the_lever_changes_the_results():
    at = open_simulator()
    at.multiselect(key="lv_w_1").set_value(["Gansu"])
    at.slider(key="lv_p_1").set_value(50).run()
    assert not at.exception
    assert "Gansu: coupling coordination D in" in summary(at)


def test_every_results_tab_renders_for_a_scenario_touching_both_studies():
    from sim.scenario import LinkEdit, PolicyChange

    sc = Scenario(name="both", horizon=3, parameter_source="paper",
                  indicator_changes=(IndicatorChange("system:inno", ("West",), 2023, "pct", 30.0),),
                  policy_changes=(PolicyChange(("Chengdu",), 2021, 5.0),),
                  link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 100.0),))
    at = open_simulator(sc.to_query_params())
    text = summary(at)
    assert "AI patent applications in" in text and "coupling coordination D in" in text
    for view in ("Provinces", "Map of the change", "Class shares", "AI clusters", "Share and download"):
        at.segmented_control(key="sim_view").set_value(view).run()
        assert not at.exception, view
        assert not [e.value for e in at.error if UNEXPECTED in e.value], view
        if view == "Provinces":
            assert "Chance of high or extreme coordination in 2025" in " ".join(m.value for m in at.markdown)
    at.segmented_control(key="sim_view").set_value("AI clusters").run()
    assert "Long-run multiplier of policy" in " ".join(m.value for m in at.markdown)
