"""Kernel densities: Scott bandwidth by hand, integration to one, regions, joint density."""
import numpy as np
import pandas as pd
import pytest

from sim import density


def test_kde_1d_equals_hand_gaussian_mixture_with_scott_bandwidth():
    v = np.array([0.1, 0.25, 0.3, 0.55, 0.6])
    x = np.linspace(0, 1, 11)
    h = v.std(ddof=1) * v.size ** (-1 / 5)
    hand = np.exp(-0.5 * ((x[:, None] - v[None, :]) / h) ** 2).sum(axis=1) / (v.size * h * np.sqrt(2 * np.pi))
    assert np.allclose(density.kde_1d(v, x), hand, rtol=1e-10)
    assert "Scott" in density.BANDWIDTH_RULE


def test_degenerate_values_give_nan_not_error():
    assert np.isnan(density.kde_1d([0.3, 0.3, 0.3], [0.1, 0.2])).all()


def test_kde_by_year_scopes_and_mass():
    rng = np.random.default_rng(0)
    D = pd.DataFrame(rng.uniform(0.1, 0.9, (6, 2)), index=list("abcdef"), columns=[2020, 2021])
    reg = dict(zip("abcdef", ["East"] * 3 + ["West"] * 3))
    grid = np.linspace(-2, 3, 5001)
    out = density.kde_by_year(D, reg, grid=grid)
    assert set(out["scope"]) == {"National", "East", "West"} and set(out["year"]) == {2020, 2021}
    for (_, _), g in out.groupby(["scope", "year"]):
        assert g["density"].sum() * (grid[1] - grid[0]) == pytest.approx(1, abs=1e-3)
    east = out[(out.scope == "East") & (out.year == 2021)]["density"].to_numpy()
    assert np.allclose(east, density.kde_1d(D.loc[["a", "b", "c"], 2021], grid))


def test_joint_kde_pairs_and_grid():
    rng = np.random.default_rng(1)
    D = pd.DataFrame(np.cumsum(rng.uniform(0, 0.05, (10, 5)), axis=1) + rng.uniform(0.1, 0.5, (10, 1)))
    j = density.joint_kde(D, num=40)
    assert j.pairs.shape == (40, 2)
    assert np.allclose(j.pairs[0], [D.iloc[0, 0], D.iloc[0, 1]])
    assert j.density.shape == (40, 40) and np.array_equal(j.x, j.y)
    dx = j.x[1] - j.x[0]
    assert j.density.sum() * dx * dx == pytest.approx(1, abs=0.1)  # most mass inside the padded grid
    assert len(j.to_frame()) == 1600
    from scipy.stats import gaussian_kde
    X, Y = np.meshgrid(j.x, j.y)
    ref = gaussian_kde(j.pairs.T, bw_method="scott")(np.vstack([X.ravel(), Y.ravel()])).reshape(X.shape)
    assert np.allclose(j.density, ref, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="more than 1 years"):
        density.joint_kde(D.iloc[:, :1])
