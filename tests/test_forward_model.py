"""SPEC 4.1-4.3 on the demo: one set of paths, every change counts, the matrices stay the engine.

Each property of the revised SPEC section 4.1 is checked through ``sim.simulate.simulate``, the
function the Simulator page calls.
"""
import re

import numpy as np
import pytest

from sim import projection, report
from sim import simulate as S
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario

N = 10_000


@pytest.fixture(scope="module")
def base(demo_base):  # the demo baseline of tests/conftest.py
    return demo_base


@pytest.fixture(scope="module")
def ref(base):
    return S.simulate(base, Scenario(horizon=5, n_paths=N))


def run(base, ref, *changes, **kw):
    return S.simulate(base, Scenario(horizon=5, n_paths=N, indicator_changes=tuple(changes), **kw), reference=ref)


def test_zero_change_reproduces_the_baseline_exactly(base, ref):
    res = run(base, ref, IndicatorChange("system:inno", ("all",), 2023, "pct", 0.0, 0.0))
    assert res.scenario_provinces.paths is ref.baseline_provinces.paths or np.array_equal(
        res.scenario_provinces.paths.D, ref.baseline_provinces.paths.D)
    assert (res.d_table()["change"] == 0).all()
    assert res.high_share("scenario") == res.high_share("baseline")


def test_growth_from_the_launch_year_raises_the_end_year_high_share(base, ref):
    """The issue's first example: +30 % a year on every innovation indicator, every province."""
    res = run(base, ref, IndicatorChange("system:inno", ("all",), 2023, "pct", 0.0, 30.0))
    assert res.high_share("scenario") > res.high_share("baseline") + 0.10
    t = res.shares_table()
    end = t[(t["year"] == 2027) & t["class"].isin(["High", "Extreme"])].groupby("side")["share"].sum()
    assert end["scenario"] > end["baseline"]  # the chart moves too


def test_a_change_starting_later_leaves_earlier_years_identical_and_moves_later_ones(base, ref):
    res = run(base, ref, IndicatorChange("system:inno", ("West",), 2025, "pct", 40.0))
    b, s = res.baseline_provinces.paths, res.scenario_provinces.paths
    years = list(b.years)
    early = years.index(2024)
    np.testing.assert_array_equal(s.D[: early + 1], b.D[: early + 1])
    assert (s.D[years.index(2025)] >= b.D[years.index(2025)]).all()
    assert not np.array_equal(s.D[years.index(2025)], b.D[years.index(2025)])
    assert res.high_share("scenario", 2027) > res.high_share("baseline", 2027)
    assert res.high_share("scenario", 2024) == res.high_share("baseline", 2024)


@pytest.mark.parametrize("target, where", [("system:inno", ("West",)), ("system:nqpf", ("all",)),
                                           ("dim:Capital innovation resource", ("Gansu",))])
def test_a_larger_favourable_change_never_lowers_the_projected_high_share(base, ref, target, where):
    prev = None
    for pct in (0.0, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0):
        hs = run(base, ref, IndicatorChange(target, where, 2023, "pct", pct)).scenario_provinces.high_shares[0]
        if prev is not None:
            assert (hs >= prev - 1e-12).all(), (target, pct)
        prev = hs
    assert prev[-1] >= ref.baseline_provinces.high_shares[0][-1]


def test_baseline_paths_reproduce_the_estimated_spatial_markov_matrices(base, ref):
    """Class transitions counted on the simulated baseline paths vs the matrices (Monte Carlo error)."""
    pb = base.provinces
    counts = projection.transition_frequencies(ref.baseline_provinces.paths, pb.W_proximity, pb.cutoffs)
    P = pb.forward.P
    n = counts.sum(axis=-1, keepdims=True)
    freq = counts / np.maximum(n, 1)
    se = np.sqrt(P * (1 - P) / np.maximum(n, 1))
    well = n[..., 0] >= 500  # rows visited often enough for a meaningful comparison
    assert well.sum() >= 6
    assert np.all(np.abs(freq - P)[well] <= 4 * se[well] + 2.5e-4)  # + the 12-bit probability grid
    # and the matrices are the estimated ones (not something fitted to the paths)
    from sim.markov import spatial_markov

    sm = spatial_markov(pb.D_hist, pb.W_proximity, cutoffs=pb.cutoffs)
    est = np.nan_to_num(sm.P)
    observed = sm.counts.sum(axis=-1) > 0
    np.testing.assert_allclose(P[observed], est[observed], atol=1e-12)


def test_D_C_T_stay_in_0_1_under_an_extreme_change(base, ref):
    res = run(base, ref, IndicatorChange("system:inno", ("all",), 2023, "pct", 500.0, 100.0),
              IndicatorChange("system:nqpf", ("all",), 2023, "pct", 500.0, 100.0))
    m = res.scenario_provinces.measures
    for col in ("h_nqpf", "h_inno", "C", "T", "D"):
        assert m[col].between(0, 1).all(), col
    D = res.scenario_provinces.paths.D
    assert D.min() >= 0 and D.max() <= 1
    d = res.d_table()
    assert d.filter(like="D_").stack().between(0, 1).all()
    assert len(res.out_of_range) > 0


def test_the_summary_quotes_the_number_the_chart_draws(base, ref):
    res = run(base, ref, IndicatorChange("system:inno", ("West",), 2023, "pct", 30.0, 5.0))
    t = res.shares_table()
    for side in ("baseline", "scenario"):
        chart = t[(t["side"] == side) & (t["year"] == res.end_year) & t["class"].isin(["High", "Extreme"])]["share"].sum()
        assert chart == pytest.approx(res.high_share(side), abs=1e-12)
    line = next(s for s in res.summary if s.startswith("Share of provinces at high or extreme"))
    got = re.findall(r"(\d+\.\d)% in the baseline, (\d+\.\d)% with the scenario", line)[0]
    assert got == (f"{100 * res.high_share('baseline'):.1f}", f"{100 * res.high_share('scenario'):.1f}")


def test_one_calendar_for_provinces_and_clusters(base, ref):
    res = S.simulate(base, Scenario(horizon=5, n_paths=1000, policy_changes=(PolicyChange(("Chengdu",), 2021, 5.0),)))
    d, ti = res.d_table(), res.ti_table()
    assert res.end_year == 2027
    assert d[d["future"]]["year"].max() == ti["year"].max() == 2027
    assert d[d["future"]]["year"].min() == 2023 and ti["year"].min() == 2021


def test_default_cluster_coefficients_are_well_identified_and_named(base):
    src = base.clusters.coefficients.source
    m = re.search(r"(\d+) instruments for (\d+) clusters", src)
    assert m and int(m.group(1)) <= int(m.group(2))
    assert any("collapsed instruments" in n for n in base.clusters.gmm_notes)


def test_no_detectable_effect_is_said_when_the_band_includes_zero(base, ref):
    res = S.simulate(base, Scenario(horizon=5, n_paths=N, policy_changes=(PolicyChange(("Chengdu",), 2021, 5.0),)),
                     reference=ref)
    diff = res.ti_difference(2027).set_index("cluster").loc["Chengdu"]
    assert diff["ti_change_p05"] <= 0 <= diff["ti_change_p95"]
    assert not diff["detected"]
    assert any(s.startswith("No detectable effect by 2027 for Chengdu") for s in res.summary)
    assert not any(s.startswith("Chengdu: AI patent applications") for s in res.summary)


def test_explosive_coefficient_draws_are_rejected():
    import pandas as pd

    from sim.forecast import Coefficients, forecast_ti, hold_last

    c = Coefficients.from_dict({"L.TI": 0.95, "IP": 0.1}, se={"L.TI": 0.1})
    hist = pd.DataFrame({"cluster": ["A"] * 3, "year": [2018, 2019, 2020], "TI": [2.0, 2.1, 2.2],
                         "IP": 0.0, "NC": 0.0, "ED": 0.0, "IC": 0.0, "IE": 0.0})
    fc = forecast_ti(hist, hold_last(hist, 3), c, 3, n_draws=2000, seed=1, keep_draws=True)
    # P(N(0.95, 0.1) >= 1) = 0.31: about 620 of the first 2000 draws, more in the top-up batch
    assert 0.27 * 2000 < fc.rejected_draws < 0.35 * 4000
    assert fc.draws.shape == (1, 3, 2000)
    # the kept draws have a1 < 1: with TI rising by 0.1 a year and eta absorbing the level, no path explodes
    assert np.isfinite(fc.draws).all() and fc.bands[0, -1, 2] < 3.0


PRESET_NAMES = None


def _presets():
    import ast
    import pathlib

    src = pathlib.Path("ui/simulator.py").read_text("utf-8")
    start = src.index("PRESETS = {")
    end = src.index("\n}\n", start) + 3
    ns = {"Scenario": Scenario, "IndicatorChange": IndicatorChange, "PolicyChange": PolicyChange,
          "LinkEdit": LinkEdit, "N_": lambda message: message}  # N_: the catalogue's no-op marker
    exec(compile(ast.parse(src[start:end]), "ui/simulator.py", "exec"), ns)
    return ns["PRESETS"]


@pytest.mark.parametrize("name", list(_presets()))
def test_every_preset_states_the_direction_it_simulates(base, ref, name):
    sc = _presets()[name]
    res = S.simulate(base, Scenario(**{**sc.__dict__, "n_paths": N}), reference=ref)
    ex = report.explain(res)
    text = " ".join(ex.text)
    if sc.indicator_changes:
        d = res.high_share("scenario") - res.high_share("baseline")
        assert ex.provinces == (int(np.sign(d)) if abs(d) >= 0.0005 else 0)
        word = {1: "more provinces", -1: "fewer provinces", 0: "the same share"}[ex.provinces]
        assert word in text
    if sc.policy_changes or sc.link_edits:
        diff = res.ti_difference(res.end_year)
        moved = diff[diff["ti_change"].abs() > 1e-12]
        det = moved[moved["detected"]]
        want = 0 if det.empty else int(np.sign(moved["ti_change"].mean()))
        assert ex.clusters == want
        if want == 0:
            assert "no effect" in text or "no change" in text
        else:
            assert ("higher AI patenting" if want > 0 else "lower AI patenting") in text
        p = res.baseline_clusters.forecast.coefficients.params
        if sc.link_edits and (p["NC"] < 0 or p["IP*NC"] < 0):
            assert "recommendation is not supported" in text


def test_with_the_papers_matrices_the_paths_follow_tables_4_and_5(demo_frames):
    """parameter_source="paper": the engine runs on Liu et al.'s published matrices instead."""
    from sim import markov

    base = S.prepare(demo_frames, S.Options(parameter_source="paper"))
    res = S.simulate(base, Scenario(horizon=5, n_paths=N, parameter_source="paper"))
    pb = base.provinces
    pm = markov.paper_transition_matrices()
    filled, _ = markov.fill_empty_rows(np.nan_to_num(pm.P_spatial), np.nan_to_num(pm.P_traditional))
    np.testing.assert_allclose(pb.forward.P, filled, atol=1e-12)
    counts = projection.transition_frequencies(res.baseline_provinces.paths, pb.W_proximity, pb.cutoffs)
    n = counts.sum(axis=-1, keepdims=True)
    freq, P = counts / np.maximum(n, 1), pb.forward.P
    well = n[..., 0] >= 500
    assert well.sum() >= 4
    assert np.all(np.abs(freq - P)[well] <= 4 * np.sqrt(P * (1 - P) / np.maximum(n, 1))[well] + 2.5e-4)
    assert any("Table 4, Model 3" in s for s in base.clusters.gmm_notes)
