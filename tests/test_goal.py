"""What would it take? sim.goal.solve on the demo, checked through sim.simulate itself."""
from dataclasses import replace

import pytest

from sim import goal
from sim import simulate as S
from sim.scenario import Scenario
from sim.target import Lever, Target, TargetError

TARGETS = {
    "class probability": Target("province_class_probability", 2030, 0.8, Lever(
        "indicator_growth", "dim:Capital innovation resource", ("Gansu",), from_year=2025, low=0, high=60),
        subject="Gansu"),
    "national share": Target("national_high_share", 2027, 0.72, Lever(
        "indicator_pct", "system:inno", ("West",), low=0, high=300)),
    "median D": Target("province_median_D", 2027, 0.55, Lever(
        "indicator_pct", "system:inno", ("Gansu",), low=0, high=200), subject="Gansu"),
    "cluster patents": Target("cluster_patents_vs_baseline", 2027, 20.0, Lever(
        "policies", clusters=("Guilin",), from_year=2021, low=0, high=50), subject="Guilin"),
}


@pytest.fixture(scope="module")
def base(demo_base):  # the demo baseline of tests/conftest.py
    return demo_base


def _value(base, target, sc):
    return goal.quantity(S.simulate(base, sc, seed=0), target)


@pytest.mark.parametrize("name", list(TARGETS))
def test_the_answer_meets_the_target_and_5_percent_less_does_not(base, name):
    t = TARGETS[name]
    sol = goal.solve(base, t)
    assert sol.status == "met", sol.sentence
    assert t.lever.low < sol.value <= t.lever.high
    v, effect = _value(base, t, sol.scenario)  # the returned scenario, run as the Simulator runs it
    assert v >= t.threshold and effect
    assert v == pytest.approx(sol.achieved, abs=1e-12)
    smaller = goal.scenario_for(t, 0.95 * sol.value, Scenario(), sol.scenario.horizon, sol.scenario.n_paths)
    v2, effect2 = _value(base, t, smaller)
    assert not (v2 >= t.threshold and effect2)
    # the stated tolerance: 1 % of the answer, or 0.1 % of the bound range if that is larger
    assert sol.tolerance <= max(0.01 * sol.value, 1e-3 * (t.lever.high - t.lever.low)) + 1e-9
    assert sol.tolerance < 0.05 * sol.value
    assert "reached if" in sol.sentence
    xs = [x for x, _ in sol.curve]
    assert xs == sorted(xs) and xs[0] == t.lever.low and xs[-1] == t.lever.high


def test_the_answer_is_the_same_scenario_the_simulator_runs():
    t = TARGETS["national share"]
    sc = goal.scenario_for(t, 12.5, Scenario(name="x"), 5, 2000)
    assert sc.indicator_changes[0].value == 12.5 and sc.horizon == 5 and sc.n_paths == 2000
    assert Scenario.from_json(sc.to_json()) == sc


def test_out_of_reach_and_no_detectable_effect_are_said(base):
    far = replace(TARGETS["national share"], threshold=0.99)
    sol = goal.solve(base, far)
    assert sol.status == "unreachable" and sol.value is None and sol.scenario is None
    assert "out of reach within the bounds" in sol.sentence
    weak = Target("cluster_patents_vs_baseline", 2027, 5.0, Lever("policies", clusters=("Chengdu",), from_year=2021,
                                                                   low=0, high=5), subject="Chengdu")
    sol = goal.solve(base, weak)
    assert sol.status == "no_effect" and "detects no effect" in sol.sentence
    worse = Target("cluster_patents_vs_baseline", 2027, 10.0, Lever("link", city_a="Guilin", city_b="Shenzhen",
                                                                     low=0, high=500), subject="Guilin")
    sol = goal.solve(base, worse)
    assert sol.status == "unreachable" and "falls as this lever grows" in sol.sentence


def test_a_target_already_met_returns_the_lower_bound(base):
    easy = replace(TARGETS["national share"], threshold=0.5)
    sol = goal.solve(base, easy)
    assert sol.status == "met_at_low" and sol.value == 0.0


@pytest.mark.parametrize("raw, message", [
    ({"quantity": "province_median_D", "year": 2027, "threshold": 0.5, "subject": "Atlantis",
      "lever": {"kind": "indicator_pct"}}, "unknown province 'Atlantis'"),
    ({"quantity": "province_class_probability", "year": 2027, "threshold": 1.5, "subject": "Gansu",
      "lever": {"kind": "indicator_pct"}}, "outside [0, 1]"),
    ({"quantity": "national_high_share", "year": 2027, "threshold": 0.5,
      "lever": {"kind": "indicator_pct", "low": 50, "high": 10}}, "must be below the upper bound"),
    ({"quantity": "national_high_share", "year": 2027, "threshold": 0.5,
      "lever": {"kind": "policies", "clusters": ["Chengdu"]}}, "do not move coupling coordination"),
    ({"quantity": "cluster_patents_vs_baseline", "year": 2027, "threshold": 10, "subject": "Nowhere",
      "lever": {"kind": "policies"}}, "not an identified AI cluster"),
    ({"quantity": "national_high_share", "year": 2040, "threshold": 0.5, "lever": {"kind": "indicator_pct"}},
     "outside the projected years"),
    ({"quantity": "sunshine", "year": 2027, "threshold": 0.5, "lever": {"kind": "indicator_pct"}}, "quantity"),
])
def test_bad_targets_get_clear_messages(raw, message):
    with pytest.raises(TargetError) as err:
        Target.from_dict(raw, clusters={"Chengdu", "Guilin"}, years=(2023, 2037))
    assert any(message in p for p in err.value.problems), err.value.problems


def test_target_round_trips_and_damaged_links_are_refused():
    t = TARGETS["class probability"]
    assert Target.from_dict(t.to_dict()) == t
    assert Target.from_query_params(t.to_query_params()) == t
    cut = {"t": t.to_query_params()["t"][:-6]}
    with pytest.raises(TargetError, match="damaged"):
        Target.from_query_params(cut)
