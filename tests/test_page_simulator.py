"""AppTest drives the Simulator page: a preset, a share link, a bad link, a lever."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

import pytest

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
    for view in ("Provinces", "Map", "Class shares", "AI clusters", "Compare", "Share"):
        at.segmented_control(key="sim_view").set_value(view).run()
        assert not at.exception, view
        assert not [e.value for e in at.error if UNEXPECTED in e.value], view
        if view == "Provinces":
            assert "Chance of high or extreme coordination in 2025" in " ".join(m.value for m in at.markdown)
    at.segmented_control(key="sim_view").set_value("AI clusters").run()
    assert "Long-run multiplier of policy" in " ".join(m.value for m in at.markdown)


def test_a_target_is_solved_loaded_and_met_on_the_page():
    """Set a target (national share of high/extreme >= 72 % in 2027 by raising western innovation
    indicators), read the answer, load it, and see the simulator's own summary meet the threshold."""
    import re

    at = open_simulator()
    at.selectbox(key="goal_q").select("national_high_share").run()
    at.number_input(key="goal_thr_p").set_value(72.0).run()
    at.number_input(key="goal_year").set_value(2027).run()
    at.selectbox(key="goal_target").select("system:inno").run()
    at.multiselect(key="goal_where").set_value(["West"]).run()
    at.number_input(key="goal_high").set_value(300.0).run()
    at.button(key="goal_solve").click().run()
    assert not at.exception, [e.value for e in at.exception]
    answer = " ".join(s.value for s in at.success).replace("\\", "")  # Markdown escapes
    assert "72% of provinces at high or extreme coordination in 2027: reached if" in answer
    assert "t" in at.query_params
    at.button(key="goal_load").click().run()
    assert not at.exception
    # the page runs exactly the solver's answer (no slider rounding of, e.g., 28.125 %)
    from sim import goal
    from sim.target import Target

    loaded = Scenario.from_query_params({"s": at.query_params["s"]})
    target = Target.from_query_params({"t": at.query_params["t"]})
    assert loaded.indicator_changes[-1].value == pytest.approx(
        goal.solve(_demo_base(), target, seed=0, n_paths=2000).value, abs=0)
    line = next(m for m in summary(at).split("- ") if m.startswith("Share of provinces at high or extreme"))
    got = float(re.search(r"(\d+\.\d)% with the scenario", line).group(1))
    assert got >= 72.0


def test_a_bad_target_link_is_reported_and_the_page_still_runs():
    at = open_simulator({"t": "not-a-target"})
    assert any("target in the link could not be used" in e.value for e in at.error)
    assert "No changes: the scenario equals the baseline." in summary(at)


def _demo_base():
    from sim import data
    from sim import simulate as S

    return S.prepare(data.read_demo(("provinces", "cities", "links")), S.Options())


def test_undo_reset_save_and_compare():
    at = open_simulator()
    at.multiselect(key="lv_w_1").set_value(["Gansu"])
    at.slider(key="lv_p_1").set_value(50).run()
    assert "Gansu: coupling coordination D in" in summary(at)
    at.button(key="sim_undo").click().run()  # back to the scenario before the last change
    assert not at.exception
    assert "No changes: the scenario equals the baseline." in summary(at)
    rev = at.session_state["sim_rev"]
    at.multiselect(key=f"lv_w_{rev}").set_value(["West"])
    at.slider(key=f"lv_p_{rev}").set_value(100).run()
    at.segmented_control(key="sim_view").set_value("Compare").run()
    at.text_input(key="sim_save_name").input("West +100 %").run()
    at.button(key="sim_save").click().run()
    assert "West +100 %" in at.session_state["sim_saved"]
    at.button(key="sim_reset").click().run()
    assert "No changes: the scenario equals the baseline." in summary(at)
    at.segmented_control(key="sim_view").set_value("Compare").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "scenario" in d.value.columns)
    assert list(table["scenario"]) == ["Current", "West +100 %"]
    west = table.set_index("scenario").loc["West +100 %"]
    assert west["share high/extreme, scenario"] > west["share high/extreme, baseline"]
    cur = table.set_index("scenario").loc["Current"]
    assert cur["share high/extreme, scenario"] == cur["share high/extreme, baseline"]
