"""Scenario as data: JSON and URL round trips, and a precise report for every invalid scenario."""
import base64
import json
import zlib

import pytest

from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario, ScenarioError

FULL = Scenario(
    name="西部 digital push", horizon=8, parameter_source="paper", class_scheme="quartile",
    indicator_changes=(IndicatorChange("rd_exp", ("Gansu",), 2023, "pct", 20.0),
                       IndicatorChange("dim:New labor materials", ("West",), 2023, "abs", 1.5, 3.0),
                       IndicatorChange("system:inno", ("all",), 2024, "set", 10.0)),
    policy_changes=(PolicyChange(("Chengdu", "Wuhan"), 2021, 5.0),),
    link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 50.0), LinkEdit("Beijing", "Tianjin", "scale", 0.5)))


def test_json_round_trip_is_exact():
    assert Scenario.from_json(FULL.to_json()) == FULL
    assert Scenario.from_json(FULL.to_json().encode("utf-8")) == FULL


def test_url_round_trip_is_exact_and_short():
    params = FULL.to_query_params()
    assert set(params) == {"s"} and len(params["s"]) < 1000
    assert Scenario.from_query_params(params) == FULL
    assert Scenario.from_query_params({"s": [params["s"]]}) == FULL  # multi-valued mapping


def test_default_scenario_is_empty_and_round_trips():
    assert Scenario().is_empty and Scenario.from_json(Scenario().to_json()) == Scenario()


def _url(obj) -> dict:
    raw = zlib.compress(json.dumps(obj).encode())
    return {"s": base64.urlsafe_b64encode(raw).decode().rstrip("=")}


@pytest.mark.parametrize("params, fragment", [
    ({}, "no 's' parameter"),
    ({"s": ""}, "no 's' parameter"),
    ({"s": "%%%not-base64%%%"}, "damaged"),
    ({"s": base64.urlsafe_b64encode(b"plain text, not zlib").decode()}, "damaged"),
    ({"s": "A" * 9000}, "too long"),
    (_url([1, 2, 3]), "JSON object"),
    (_url({"horizon": 0}), "horizon"),
    (_url({"horizon": "five"}), "horizon"),
    (_url({"version": 99}), "version"),
    (_url({"colour": "red"}), "Unknown scenario field 'colour'"),
    (_url({"indicator_changes": [{"target": "rd_exp", "provinces": ["Atlantis"], "value": 10}]}),
     "unknown province 'Atlantis'"),
    (_url({"indicator_changes": [{"target": "nope", "value": 1}]}), "unknown indicator"),
    (_url({"indicator_changes": [{"target": "rd_exp", "mode": "pct", "value": 5000}]}), "outside"),
    (_url({"indicator_changes": [{"target": "rd_exp", "mode": "pct", "value": float("nan")}]}), "number"),
    (_url({"indicator_changes": [{"target": "rd_exp", "mode": "double", "value": 1}]}), "mode"),
    (_url({"indicator_changes": [{"target": "rd_exp", "from_year": 1850, "value": 1}]}), "1850"),
    (_url({"indicator_changes": "rd_exp"}), "expected a list"),
    (_url({"indicator_changes": [{"target": "rd_exp"}] * 101}), "at most 100"),
    (_url({"link_edits": [{"city_a": "Guilin", "city_b": "Guilin", "mode": "add", "value": 1}]}), "itself"),
    (_url({"link_edits": [{"city_a": "Guilin", "city_b": "Shenzhen", "mode": "scale", "value": -2}]}),
     "outside"),
    (_url({"parameter_source": "oracle"}), "parameter_source"),
    (_url({"n_paths": 10}), "n_paths"),
    (_url({"name": "x" * 500}), "name"),
])
def test_bad_links_are_refused_with_a_precise_reason(params, fragment):
    with pytest.raises(ScenarioError) as err:
        Scenario.from_query_params(params)
    assert any(fragment in p for p in err.value.problems), err.value.problems


def test_zip_bomb_in_link_is_refused():
    bomb = zlib.compress(b'{"name": "' + b"a" * 5_000_000 + b'"}', 9)
    value = base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(value) < 8000
    with pytest.raises(ScenarioError, match="too much data"):
        Scenario.from_query_params({"s": value})


def test_city_names_checked_against_loaded_data():
    with pytest.raises(ScenarioError, match="unknown cluster 'Atlantis'"):
        Scenario.from_dict({"policy_changes": [{"clusters": ["Atlantis"], "extra_per_year": 2}]},
                           clusters={"Chengdu"})
    s = Scenario.from_dict({"policy_changes": [{"clusters": ["Chengdu"], "extra_per_year": 2}]},
                           clusters={"Chengdu"})
    assert s.policy_changes[0].clusters == ("Chengdu",)


def test_coupling_methods_match_the_mlp_module():
    from sim import mlp
    from sim.scenario import COUPLING_METHODS

    assert set(COUPLING_METHODS) == {"traditional", *mlp.METHODS}
    with pytest.raises(ScenarioError, match="coupling_method"):
        Scenario.from_dict({"coupling_method": "oracle"})


def test_a_link_cut_short_or_with_foreign_characters_is_reported_as_damaged():
    value = FULL.to_query_params()["s"]
    for broken in (value[: len(value) // 2], value[:-1], "!!!$$$***", value[:10] + "*" + value[10:]):
        with pytest.raises(ScenarioError, match="damaged"):
            Scenario.from_query_params({"s": broken})
