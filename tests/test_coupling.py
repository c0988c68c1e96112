"""Entropy coupling (sim.coupling) and comparison (sim.compare): hand-computed cases and identities."""
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, wilcoxon

from sim import schema
from sim.compare import TYPE_LABELS, coordination_type, type_shares, wilcoxon_test
from sim.coupling import EntropyFrame, entropy_weights, minmax_normalise, traditional_ccd

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo" / "provinces.csv"


# --- entropy weights ------------------------------------------------------------------------
def test_entropy_weights_hand_case_without_shift():
    X = np.array([[0.0, 1.0], [0.5, 1.0], [1.0, 0.5]])
    # column 1: sum 1.5, p = (0, 1/3, 2/3); 0 ln 0 = 0
    e1 = -(1 / math.log(3)) * (1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3))
    # column 2: sum 2.5, p = (0.4, 0.4, 0.2)
    e2 = -(1 / math.log(3)) * (2 * 0.4 * math.log(0.4) + 0.2 * math.log(0.2))
    assert e1 == pytest.approx(0.579380, abs=1e-6)
    assert e2 == pytest.approx(0.960229, abs=1e-6)
    w1 = (1 - e1) / ((1 - e1) + (1 - e2))  # = 0.420620 / 0.460391
    w = entropy_weights(X, shift=0.0)
    assert w == pytest.approx([w1, 1 - w1], abs=1e-12)
    assert w[0] == pytest.approx(0.913616, abs=1e-6)


def test_entropy_weights_with_shift_matches_formula():
    X = np.array([[0.0, 1.0], [0.5, 1.0], [1.0, 0.5]])
    Y = X + 1e-4
    P = Y / Y.sum(axis=0)
    e = -(P * np.log(P)).sum(axis=0) / np.log(3)
    expected = (1 - e) / (1 - e).sum()
    assert entropy_weights(X) == pytest.approx(expected, abs=1e-14)


def test_constant_column_gets_zero_weight_and_all_constant_raises():
    X = np.array([[0.2, 0.0], [0.2, 1.0], [0.2, 0.5]])
    w = entropy_weights(X)
    assert w[0] == 0.0 and w[1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="every indicator is constant"):
        entropy_weights(np.ones((4, 2)))


@pytest.mark.parametrize("bad, match", [(np.array([[0.1, np.nan], [0.2, 0.3]]), "NaN"),
                                        (np.array([[-1.0, 0.1], [0.2, 0.3]]), "non-negative"),
                                        (np.array([[0.1, 0.2]]), "at least 2 rows")])
def test_entropy_weights_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        entropy_weights(bad)


# --- C, T, D --------------------------------------------------------------------------------
def test_traditional_ccd_hand_cases():
    # h = (0.16, 0.04): sqrt(0.0064) = 0.08, C = 2*0.08/0.20 = 0.8, T = 0.1, D = sqrt(0.08)
    # h = (0.5, 0.5): C = 2*0.5/1 = 1, T = 0.5, D = sqrt(0.5)
    # h = (0.3, 0): C = 0, T = 0.15, D = 0;  h = (0, 0): C := 0 (0/0), T = 0, D = 0
    C, T, D = traditional_ccd([0.16, 0.5, 0.3, 0.0], [0.04, 0.5, 0.0, 0.0])
    assert C == pytest.approx([0.8, 1.0, 0.0, 0.0], abs=1e-15)
    assert T == pytest.approx([0.1, 0.5, 0.15, 0.0], abs=1e-15)
    assert D == pytest.approx([math.sqrt(0.08), math.sqrt(0.5), 0.0, 0.0], abs=1e-15)


def test_traditional_ccd_rejects_negative_and_mismatch():
    with pytest.raises(ValueError, match="non-negative"):
        traditional_ccd([-0.1], [0.2])
    with pytest.raises(ValueError, match="same shape"):
        traditional_ccd([0.1, 0.2], [0.2])


def test_minmax_normalise_directions():
    Z = minmax_normalise([[2.0, 2.0], [4.0, 4.0], [3.0, 3.0]], [2.0, 2.0], [4.0, 4.0], [1, -1])
    assert Z.tolist() == [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    with pytest.raises(ValueError, match="directions"):
        minmax_normalise([[1.0]], [0.0], [2.0], [0])


# --- the frame ------------------------------------------------------------------------------
def _toy_panel():
    return pd.DataFrame({"province": ["A", "A", "B", "B", "C", "C"], "year": [1, 2, 1, 2, 1, 2],
                         "a1": [0.0, 1.0, 2.0, 4.0, 3.0, 4.0], "a2": [1.0, 1.0, 3.0, 5.0, 2.0, 9.0],
                         "b1": [5.0, 4.0, 3.0, 1.0, 2.0, 2.0], "b2": [10.0, 30.0, 20.0, 20.0, 40.0, 10.0]})


SYSTEMS = {"nqpf": ["a1", "a2"], "inno": ["b1", "b2"]}


def test_frame_matches_step_by_step_computation():
    panel = _toy_panel()
    f = EntropyFrame.fit(panel, systems=SYSTEMS, directions={"b2": -1})
    out = f.transform(panel)
    X = panel[["a1", "a2"]].to_numpy()
    Zn = (X - X.min(0)) / (X.max(0) - X.min(0))
    b = panel[["b1", "b2"]].to_numpy()
    Zi = np.column_stack([(b[:, 0] - 1) / 4, (40 - b[:, 1]) / 30])  # b2 negative: (max - x)/(max - min)
    h1 = Zn @ entropy_weights(Zn)
    h2 = Zi @ entropy_weights(Zi)
    C, T, D = traditional_ccd(h1, h2)
    assert out["h_nqpf"].to_numpy() == pytest.approx(h1, abs=1e-15)
    assert out["h_inno"].to_numpy() == pytest.approx(h2, abs=1e-15)
    assert out["D"].to_numpy() == pytest.approx(D, abs=1e-15)
    assert list(out["province"]) == list(panel["province"])
    assert f.weights_frame()["weight"].groupby(f.weights_frame()["system"]).sum().tolist() == \
        pytest.approx([1.0, 1.0])


def test_frame_is_frozen_on_new_data():
    panel = _toy_panel()
    f = EntropyFrame.fit(panel, systems=SYSTEMS)
    full = f.transform(panel)
    sub = panel.iloc[[1, 3]]
    # applying the frame to a subset reproduces the full-panel rows (baseline min/max/weights) ...
    assert f.transform(sub)[["h_nqpf", "h_inno", "D"]].to_numpy() == \
        pytest.approx(full.iloc[[1, 3]][["h_nqpf", "h_inno", "D"]].to_numpy(), abs=1e-15)
    # ... whereas refitting on the subset would not
    refit = EntropyFrame.fit(sub, systems=SYSTEMS).transform(sub)
    assert not np.allclose(refit["h_nqpf"], full.iloc[[1, 3]]["h_nqpf"])
    with pytest.raises(Exception):
        f.nqpf.weights[0] = 0.5  # read-only arrays
    with pytest.raises(Exception):
        f.shift = 0.0  # frozen dataclass


def test_beyond_range_clip_extrapolate_and_report():
    panel = _toy_panel()
    f = EntropyFrame.fit(panel, systems=SYSTEMS)
    assert f.out_of_range(panel).empty
    new = panel.copy()
    new.loc[5, "a1"] = 6.0  # baseline max 4 -> normalised (6 - 0)/4 = 1.5
    clipped = f.transform(new)
    extra = f.transform(new, beyond_range="extrapolate")
    w1 = f.nqpf.weights[0]
    base_h = f.transform(panel)["h_nqpf"].iloc[5]
    assert clipped["h_nqpf"].iloc[5] == pytest.approx(base_h)  # already at the max: no gain counted
    assert extra["h_nqpf"].iloc[5] == pytest.approx(base_h + 0.5 * w1)
    oor = f.out_of_range(new)
    assert len(oor) == 1
    row = oor.iloc[0]
    assert (row["province"], row["year"], row["indicator"], row["normalised"]) == ("C", 2, "a1", 1.5)
    with pytest.raises(ValueError, match="beyond_range"):
        f.transform(new, beyond_range="wrap")


def test_frame_rejects_missing_values_and_columns():
    panel = _toy_panel()
    bad = panel.copy()
    bad.loc[0, "a2"] = np.nan
    with pytest.raises(ValueError, match=r"missing values in indicator columns \['a2'\]"):
        EntropyFrame.fit(bad, systems=SYSTEMS)
    with pytest.raises(ValueError, match="lacks indicator columns"):
        EntropyFrame.fit(panel.drop(columns="b1"), systems=SYSTEMS)


def test_demo_panel_indices_in_unit_interval_and_registry_systems():
    panel = pd.read_csv(DEMO)
    f = EntropyFrame.fit(panel)
    assert f.nqpf.indicator_ids == tuple(schema.indicator_ids("nqpf"))
    out = f.transform(panel)
    assert len(out) == 330
    for c in ("h_nqpf", "h_inno", "C", "T", "D"):
        assert out[c].between(0, 1).all()
    # identity: D^2 = C T
    assert (out["D"] ** 2).to_numpy() == pytest.approx((out["C"] * out["T"]).to_numpy(), abs=1e-14)


# --- Wilcoxon and types ---------------------------------------------------------------------
def test_wilcoxon_hand_case():
    x = np.zeros(5)
    y = np.array([1.0, -2.0, 3.0, 4.0, 5.0])
    # ranks of |d| = 1..5; W+ = 1+3+4+5 = 13, W- = 2; statistic = min = 2
    # E = n(n+1)/4 = 7.5; Var = n(n+1)(2n+1)/24 = 13.75; z = (2 - 7.5)/sqrt(13.75) = -1.48324
    r = wilcoxon_test(x, y)
    assert r.statistic == 2.0
    assert r.z == pytest.approx((2 - 7.5) / math.sqrt(13.75), abs=1e-12)
    assert r.p_value == pytest.approx(2 * norm.cdf(-1.4832396974191326), abs=1e-12)
    assert (r.mean_difference, r.n, r.n_nonzero) == (2.2, 5, 5)
    ref = wilcoxon(y, x, method="approx", correction=False)
    assert r.p_value == pytest.approx(ref.pvalue, abs=1e-15)


def test_wilcoxon_ties_and_zeros():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.array([1.0, 2.5, 2.4, 5.0, 6.0, 6.0])  # d = 0, .5, -.6, 1, 1, 0 (two zeros dropped)
    r = wilcoxon_test(x, y)
    # |d| = .5, .6, 1, 1 -> ranks 1, 2, 3.5, 3.5; W- = 2; n = 4: E = 5, Var = 7.5 - (2^3-2)/48 = 7.375
    assert r.n_nonzero == 4 and r.statistic == 2.0
    assert r.z == pytest.approx((2 - 5) / math.sqrt(7.375), abs=1e-12)
    with pytest.raises(ValueError, match="non-zero differences"):
        wilcoxon_test([1.0, 2.0], [1.0, 2.0])


def test_coordination_types_boundaries_and_shares():
    assert coordination_type([0.0, 0.25, 0.25 + 1e-12, 0.5, 0.75, 0.75 + 1e-12, 1.0]).tolist() == \
        ["low", "low", "medium", "medium", "high", "extreme", "extreme"]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        coordination_type([1.2])
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"year": np.repeat([2012, 2013, 2014], 30), "D": rng.uniform(0, 1, 90)})
    shares = type_shares(frame)
    assert list(shares.columns) == list(TYPE_LABELS)
    assert shares.sum(axis=1).to_numpy() == pytest.approx(np.ones(3), abs=1e-15)
    y = frame[frame.year == 2013]["D"]
    assert shares.loc[2013, "low"] == pytest.approx((y <= 0.25).mean())
    assert shares.loc[2013, "extreme"] == pytest.approx((y > 0.75).mean())


@pytest.mark.parametrize("module", ["sim.coupling", "sim.compare", "sim.mlp"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module))
    assert res.failed == 0 and res.attempted > 0


# --- sim.coupling_tables: the Coupling page's tables as data -----------------------------------------
def _trad_rows():
    # 2 units x 2 years; D chosen on both sides of the 0.25/0.5/0.75 cut-offs
    return pd.DataFrame({"province": ["A", "B", "A", "B"], "year": [2020, 2020, 2021, 2021],
                         "h_nqpf": [0.1, 0.2, 0.3, 0.4], "h_inno": [0.2, 0.1, 0.4, 0.3],
                         "C": [0.9, 0.9, 0.95, 0.95], "T": [0.15, 0.15, 0.35, 0.35],
                         "D": [0.25, 0.26, 0.75, 0.80]})


def test_results_table_traditional_only_and_with_the_mlp():
    from sim.coupling_tables import results_table

    trad = _trad_rows()
    out = results_table(trad, {"A": "East", "B": "West"})
    assert list(out.columns) == ["province", "year", "region", "h_nqpf", "h_inno", "T", "C_trad", "D_trad",
                                 "type_trad"]
    assert list(out["region"]) == ["East", "West", "East", "West"]
    assert list(out["type_trad"]) == ["low", "medium", "high", "extreme"]  # right-closed cut-offs
    summary = pd.DataFrame({"C_mean": [0.5, 0.6, 0.7, 0.8], "C_std": [0.01] * 4,
                            "D_mean": [-0.1, 0.5, 0.51, 1.2], "D_std": [0.0] * 4})
    out = results_table(trad, {"A": "East", "B": "West"}, summary, "crosspred")
    assert out.columns[3] == "mlp_method" and set(out["mlp_method"]) == {"crosspred"}
    assert list(out["type_mlp"]) == ["low", "medium", "high", "extreme"]  # D clipped to [0, 1] first
    assert list(out["D_mlp"]) == [-0.1, 0.5, 0.51, 1.2]  # the values themselves are not clipped
    with pytest.raises(ValueError, match="3 rows, the panel 4"):
        results_table(trad, {}, summary.iloc[:3], "paper")


def test_type_shares_long_sum_to_one_per_year_and_measure():
    from sim.coupling_tables import type_shares_long

    table = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "D_trad": [0.1, 0.6, 0.3, 0.9],
                          "D_mlp": [0.6, 0.6, 0.6, 0.6]})
    long = type_shares_long(table)
    assert list(long.columns) == ["year", "measure", "type", "share"]
    sums = long.groupby(["year", "measure"])["share"].sum()
    assert np.allclose(sums, 1.0) and len(sums) == 4
    row = long[(long.year == 2020) & (long.measure == "Traditional D (entropy weights)")].set_index("type")["share"]
    assert row["low"] == 0.5 and row["high"] == 0.5 and row["medium"] == 0 and row["extreme"] == 0
    assert list(long["type"].cat.categories) == list(TYPE_LABELS)
    only_trad = type_shares_long(table.drop(columns="D_mlp"))
    assert set(only_trad["measure"]) == {"Traditional D (entropy weights)"}


def test_pooled_densities_integrate_to_about_one_and_a_constant_has_none():
    from sim.coupling_tables import pooled_densities

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"D_trad": rng.uniform(0.2, 0.6, 300), "D_mlp": np.full(300, 0.5)})
    dens = pooled_densities(table)
    trad = dens[dens.measure == "D_trad"]
    assert len(trad) == 200 and trad["D"].min() >= 0.0
    assert abs(np.trapezoid(trad["density"], trad["D"]) - 1.0) < 0.05  # the grid covers the mass
    assert dens.loc[dens.measure == "D_mlp", "density"].isna().all()
