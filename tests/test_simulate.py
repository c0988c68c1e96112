"""The what-if engine: exact baseline reproduction, changes move exactly what they touch, determinism."""
import numpy as np
import pandas as pd
import pytest

from sim import schema
from sim.data import read_province_panel
from sim.scenario import IndicatorChange, LinkEdit, Scenario
from sim.simulate import Options, apply_indicator_changes, edit_links, extend_panel, prepare, simulate


@pytest.fixture(scope="module")
def baseline():
    panel = read_province_panel(schema.DATA_DIR / "demo" / "provinces.csv")
    return prepare({"provinces": panel}, Options())


def test_zero_change_scenario_reproduces_the_baseline_exactly(baseline):
    res = simulate(baseline, Scenario(horizon=4, n_paths=2000), seed=3)
    d = res.d_table()
    assert (d["change"] == 0).all()
    b, s = res.baseline_provinces, res.scenario_provinces
    np.testing.assert_array_equal(b.paths.D, s.paths.D)
    np.testing.assert_array_equal(b.class_probabilities, s.class_probabilities)
    assert b.moran.I == s.moran.I
    assert len(res.touched) == 0 and len(res.out_of_range) == 0
    # a scenario whose changes are all zero is computed, not short-cut, and still equals the baseline
    zero = simulate(baseline, Scenario(horizon=4, n_paths=2000, indicator_changes=(
        IndicatorChange("system:inno", ("all",), 2023, "pct", 0.0),)), seed=3)
    np.testing.assert_array_equal(zero.scenario_provinces.paths.D, b.paths.D)


def test_history_part_equals_the_frozen_frame_on_the_loaded_panel(baseline):
    from sim.coupling import EntropyFrame

    pb = baseline.provinces
    direct = EntropyFrame.fit(pb.panel).transform(pb.panel)
    res = simulate(baseline, Scenario(horizon=1, n_paths=500))
    hist = res.baseline_provinces.measures.iloc[: len(pb.panel)]
    np.testing.assert_allclose(hist["D"].to_numpy(), direct["D"].to_numpy(), rtol=0, atol=1e-15)


def test_raising_innovation_inputs_raises_D_for_exactly_the_provinces_touched(baseline):
    change = IndicatorChange("system:inno", ("Gansu", "Qinghai"), 2023, "pct", 30.0)
    res = simulate(baseline, Scenario(indicator_changes=(change,), horizon=3, n_paths=1000))
    d = res.d_table()
    touched = d[schema.PROVINCE].isin(["Gansu", "Qinghai"]) & (d[schema.YEAR] >= 2023)
    assert (d.loc[touched, "change"] > 0).all()
    # through the frozen frame only the touched provinces move ...
    sD, bD = res.scenario_provinces.static_D, res.baseline_provinces.static_D
    assert ((sD - bD).drop(index=["Gansu", "Qinghai"]) == 0).all().all()
    # ... and on the paths the others are identical in the first projected year (their lag is that of
    # 2022); later their neighbours' higher D may move them (the spatial Markov chain's spillover)
    assert (d.loc[~touched & (d[schema.YEAR] <= 2023), "change"] == 0).all()
    # identity of the traditional model: D = (h_nqpf * h_inno) ** (1/4), so D rises with h_inno
    m = res.scenario_provinces.measures
    np.testing.assert_allclose(m["D"], (m["h_nqpf"] * m["h_inno"]) ** 0.25, rtol=1e-12)
    assert set(res.touched[schema.PROVINCE]) == {"Gansu", "Qinghai"}
    last = baseline.provinces.panel.query("province in ['Gansu', 'Qinghai'] and year == 2022")
    nonzero = {i for i in schema.indicator_ids("inno") if (last[i] != 0).any()}
    assert set(res.touched["indicator"]) == nonzero  # +30 % of zero is zero: not a change


def test_cutting_a_whole_region_lowers_its_D_and_the_projection_moves_down(baseline):
    change = IndicatorChange("system:nqpf", ("East",), 2023, "pct", -60.0)
    base = simulate(baseline, Scenario(horizon=5, n_paths=3000), seed=1)
    res = simulate(baseline, Scenario(indicator_changes=(change,), horizon=5, n_paths=3000), seed=1,
                   reference=base)
    east = [n for n, r in schema.province_regions().items() if r == "East"]
    d = res.d_table()
    assert (d[d[schema.PROVINCE].isin(east) & d["future"]]["change"] < 0).all()
    assert res.high_share("scenario") < res.high_share("baseline")
    assert res.baseline_provinces is base.baseline_provinces  # reused, not recomputed


def test_same_inputs_and_seed_give_identical_outputs(baseline):
    sc = Scenario(indicator_changes=(IndicatorChange("rd_exp", ("Sichuan",), 2023, "pct", 25.0),),
                  horizon=3, n_paths=1500)
    a, b = simulate(baseline, sc, seed=7), simulate(baseline, sc, seed=7)
    pd.testing.assert_frame_equal(a.d_table(), b.d_table())
    np.testing.assert_array_equal(a.scenario_provinces.class_probabilities,
                                  b.scenario_provinces.class_probabilities)
    assert a.summary == b.summary


def test_beyond_range_values_count_are_damped_and_reported(baseline):
    pb = baseline.provinces
    top = pb.panel.loc[pb.panel["rd_exp"].idxmax(), schema.PROVINCE]
    res = simulate(baseline, Scenario(indicator_changes=(IndicatorChange("rd_exp", (top,), 2023, "pct", 50.0),),
                                      horizon=2, n_paths=500))
    assert len(res.out_of_range) == 2 and set(res.out_of_range["indicator"]) == {"rd_exp"}
    m = res.scenario_provinces.static_D
    assert (m.loc[top, [2023, 2024]] > res.baseline_provinces.static_D.loc[top, [2023, 2024]]).all()
    assert any("beyond the range the model was fitted on" in s for s in res.summary)


def test_indicator_change_arithmetic_by_hand():
    panel = pd.DataFrame({schema.PROVINCE: ["Gansu"] * 3 + ["Hebei"] * 3, schema.YEAR: [2020, 2021, 2022] * 2,
                          **{i: 10.0 for i in schema.indicator_ids()}})
    out, touched, notes = apply_indicator_changes(panel, [
        IndicatorChange("rd_exp", ("Gansu",), 2021, "pct", 10.0, growth_pct=100.0),
        IndicatorChange("rd_fte", ("West",), 2022, "abs", -4.0),
        IndicatorChange("edu_years", ("all",), 2022, "set", 12.0),
        IndicatorChange("ai_firms", ("Hebei",), 2020, "abs", -50.0)])
    g = out[out[schema.PROVINCE] == "Gansu"].set_index(schema.YEAR)
    assert g["rd_exp"].tolist() == [10.0, 11.0, 22.0]  # 10*1.1, then *2 for one year of 100 % growth
    assert g["rd_fte"].tolist() == [10.0, 10.0, 6.0]  # Gansu is West
    assert out.loc[out[schema.YEAR] == 2022, "edu_years"].tolist() == [12.0, 12.0]
    assert out.loc[out[schema.PROVINCE] == "Hebei", "ai_firms"].tolist() == [0.0, 0.0, 0.0]
    assert any("below zero" in n for n in notes)
    assert len(touched) == 2 + 1 + 2 + 3


def test_extend_panel_holds_last_values():
    panel = pd.DataFrame({schema.PROVINCE: ["A", "A"], schema.YEAR: [2021, 2022], "x": [1.0, 2.0]})
    ext = extend_panel(panel, 2)
    assert ext[schema.YEAR].tolist() == [2021, 2022, 2023, 2024] and ext["x"].tolist() == [1, 2, 2, 2]


def test_link_edits_by_hand():
    links = pd.DataFrame({"city_a": ["B", "A", "A"], "city_b": ["A", "C", "B"], "year": [2020, 2020, 2019],
                          "ai_coop": [4, 6, 9]})
    out = edit_links(links, [LinkEdit("A", "B", "scale", 0.5), LinkEdit("C", "A", "remove"),
                             LinkEdit("B", "D", "add", 3)], 2020)
    got = {(r.city_a, r.city_b): r.ai_coop for r in out.itertuples()}
    assert got == {("A", "B"): 2.0, ("B", "D"): 3.0}


@pytest.fixture(scope="module")
def city_baseline():
    from sim import data

    d = schema.DATA_DIR / "demo"
    frames = {"cities": data.read_city_panel(d / "cities.csv"), "links": data.read_city_links(d / "city_links.csv")}
    return prepare(frames, Options(parameter_source="paper"))


def test_cluster_forecast_zero_change_and_no_op_link_edit_reproduce_the_baseline(city_baseline):
    from sim.scenario import LinkEdit

    for sc in (Scenario(horizon=3, parameter_source="paper"), Scenario(horizon=3, parameter_source="paper", link_edits=(LinkEdit("Beijing", "Shanghai", "scale", 1.0),))):
        t = simulate(city_baseline, sc).ti_table()
        b, s = t[t.side == "baseline"].reset_index(drop=True), t[t.side == "scenario"].reset_index(drop=True)
        np.testing.assert_allclose(b["ti"], s["ti"], rtol=0, atol=1e-12)


def test_extra_policies_move_only_the_chosen_clusters_by_the_equation(city_baseline):
    from sim.scenario import PolicyChange

    res = simulate(city_baseline, Scenario(horizon=2, parameter_source="paper", policy_changes=(PolicyChange(("Chengdu",), 2021, 4.0),)))
    t = res.ti_table()
    b = t[t.side == "baseline"].set_index(["cluster", "year"])["ti"]
    s = t[t.side == "scenario"].set_index(["cluster", "year"])["ti"]
    diff = (s - b)
    assert (diff.drop("Chengdu", level="cluster").abs() < 1e-12).all()
    # first forecast year: change = (a2 + a4 (NC - mean NC)) * (IP_new - IP_old), by hand
    c = city_baseline.clusters.coefficients
    ex_b = res.baseline_clusters.exog.set_index(["cluster", "year"]).loc[("Chengdu", 2021)]
    ex_s = res.scenario_clusters.exog.set_index(["cluster", "year"]).loc[("Chengdu", 2021)]
    slope = c.params["IP"] + c.params["IP*NC"] * (ex_b["NC"] - c.nc_mean)
    assert diff[("Chengdu", 2021)] == pytest.approx(slope * (ex_s["IP"] - ex_b["IP"]), abs=1e-12)
    # second year adds the persistence of the first: a1 * first-year change + the same direct effect
    assert diff[("Chengdu", 2022)] == pytest.approx(c.params["L.TI"] * diff[("Chengdu", 2021)]
                                                   + slope * (ex_s["IP"] - ex_b["IP"]), abs=1e-12)


def test_coupling_fault_flags_appear_when_inputs_rise_but_coordination_falls(baseline):
    sc = Scenario(horizon=2, n_paths=500, indicator_changes=(
        IndicatorChange("system:inno", ("Jiangsu",), 2023, "pct", 10.0),
        IndicatorChange("system:nqpf", ("Jiangsu",), 2023, "pct", -70.0)))
    res = simulate(baseline, sc)
    f = res.scenario_provinces.faults
    hit = f[(f["province"] == "Jiangsu") & (f["year"] == 2023)].iloc[0]
    assert hit["flagged"] and hit["status"] == "fell" and hit["delta_h_inno"] > 0 and hit["delta_D"] < 0
    nb, ns = int(res.baseline_provinces.faults["flagged"].sum()), int(f["flagged"].sum())
    assert ns > nb


def test_simulating_never_mutates_the_shared_baseline_or_reference(baseline):
    """ui/simulator.py shares baselines and results read-only across sessions (st.cache_resource)."""
    import pickle

    ref = simulate(baseline, Scenario(horizon=3, n_paths=500)).materialise()
    before_b, before_r = pickle.dumps(baseline), pickle.dumps(ref)
    for sc in (Scenario(horizon=3, n_paths=500, indicator_changes=(
            IndicatorChange("system:inno", ("West",), 2023, "pct", 50.0),)), Scenario(horizon=3, n_paths=500)):
        simulate(baseline, sc, reference=ref)
    assert pickle.dumps(baseline) == before_b and pickle.dumps(ref) == before_r
