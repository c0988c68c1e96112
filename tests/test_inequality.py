"""Dagum Gini decomposition: identities of shared/methods/dagum.md and the ordinary Gini."""
import numpy as np
import pandas as pd
import pytest

from sim import inequality as dg
from sim import schema


def _regional_panel(seed=0, T=11):
    rng = np.random.default_rng(seed)
    names = schema.province_names()
    reg = schema.province_regions()
    base = np.array([{"East": 0.5, "Central": 0.35, "West": 0.25}[reg[p]] for p in names])
    D = pd.DataFrame(base[:, None] + rng.normal(0, 0.08, (30, T)).cumsum(axis=1) * 0.3,
                     index=names, columns=range(2012, 2012 + T)).clip(lower=0.01)
    return D, reg


def test_identity_every_year_to_1e12():
    D, reg = _regional_panel()
    for year in D.columns:
        r = dg.dagum_gini(D[year].to_numpy(), [reg[p] for p in D.index], order=schema.REGIONS)
        assert abs(r.G - (r.Gw + r.Gnb + r.Gt)) < 1e-12
        assert sum(r.shares.values()) == pytest.approx(1, abs=1e-12)
        assert all(v >= 0 for v in (r.Gw, r.Gnb, r.Gt))


def test_one_group_equals_ordinary_gini():
    from inequality.gini import Gini

    y = np.random.default_rng(1).lognormal(0, 0.6, 40)
    r = dg.dagum_gini(y, ["all"] * 40)
    assert r.G == pytest.approx(Gini(y).g, abs=1e-12)
    assert r.Gw == pytest.approx(r.G, abs=1e-15) and r.Gnb == 0 and r.Gt == 0
    # n^2 form by hand: mean |yi - yj| / (2 mu)
    assert r.G == pytest.approx(np.abs(y[:, None] - y[None, :]).mean() / (2 * y.mean()))


def test_net_between_identity_and_affluence_terms():
    rng = np.random.default_rng(2)
    y = np.concatenate([rng.uniform(0.4, 0.9, 7), rng.uniform(0.2, 0.6, 9), rng.uniform(0.1, 0.5, 12)])
    g = ["E"] * 7 + ["C"] * 9 + ["W"] * 12
    r = dg.dagum_gini(y, g)
    n, mu = y.size, y.mean()
    gnb = 0.0
    labs = r.groups
    for a in range(3):
        for b in range(a + 1, 3):
            j, h = labs[a], labs[b]
            pj, ph = r.sizes[j] / n, r.sizes[h] / n
            gnb += pj * ph * abs(r.means[j] - r.means[h]) / mu
            assert 0 <= r.relative_affluence[(j, h)] <= 1
    assert r.Gnb == pytest.approx(gnb, abs=1e-12)  # G_nb = sum p_j p_h (mu_j - mu_h)/mu
    # G_jh by its definition, and the symmetric lookup
    yE, yW = y[:7], y[16:]
    gew = np.abs(yE[:, None] - yW[None, :]).sum() / (7 * 12 * (yE.mean() + yW.mean()))
    assert r.between_gini("W", "E") == pytest.approx(gew)


def test_two_identical_groups_have_no_net_between():
    y = np.array([0.2, 0.5, 0.9, 0.3])
    r = dg.dagum_gini(np.concatenate([y, y]), ["a"] * 4 + ["b"] * 4)
    assert r.Gnb == pytest.approx(0, abs=1e-15)
    assert r.G == pytest.approx(r.Gw + r.Gt, abs=1e-15)
    assert r.Gt > 0


def test_by_year_tidy_table_and_mean_shares():
    D, reg = _regional_panel(T=3)
    df = dg.dagum_by_year(D, reg)
    assert set(df["measure"]) == {"overall", "within", "between", "component", "share"}
    assert set(df.loc[df.measure == "between", "label"]) == {"East-Central", "East-West", "Central-West"}
    one = df[(df.year == 2013) & (df.measure == "within") & (df.label == "West")]["value"].item()
    west = [p for p in D.index if reg[p] == "West"]
    r = dg.dagum_gini(D.loc[west, 2013].to_numpy(), ["W"] * len(west))
    assert one == pytest.approx(r.G)
    sh = dg.mean_shares(df)
    assert sum(sh.values()) == pytest.approx(1)


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        dg.dagum_gini([1, 2, 3], ["a", "b"])
    with pytest.raises(ValueError, match="non-negative"):
        dg.dagum_gini([1, -2, 3], ["a", "b", "b"])
    with pytest.raises(ValueError, match="No region"):
        dg.dagum_by_year(pd.DataFrame({2012: [0.1, 0.2]}, index=["X", "Y"]), {"X": "East"})
    r = dg.dagum_gini([0.1, 0.2, 0.3], ["a", "b", "b"])
    with pytest.raises(TypeError):
        r.within["a"] = 0  # read-only
