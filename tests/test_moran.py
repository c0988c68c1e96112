"""Moran's I (global and local) against a hand-computed 4-unit case and against esda."""
import itertools

import numpy as np
import pandas as pd
import pytest

from sim import moran, weights

PATH4 = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=float)
Y4 = np.array([1.0, 2.0, 3.0, 4.0])


def test_global_moran_hand_computed_path_of_four():
    # z = (-1.5, -.5, .5, 1.5), z'z = 5; row-standardised lag Wz = (-.5, -.5, .5, .5); z'Wz = 2
    # I = (n/S0) z'Wz/z'z = 1 * 2/5 = 0.4; S0 = 4, S1 = 5.5, S2 = 17 (by hand)
    # VI_norm = (n^2 S1 - n S2 + 3 S0^2)/((n-1)(n+1) S0^2) - EI^2 = 68/240 - 1/9
    r = moran.global_moran(Y4, PATH4, permutations=0)
    assert r.I == pytest.approx(0.4, abs=1e-12)
    assert r.EI == pytest.approx(-1 / 3)
    assert r.VI_norm == pytest.approx(68 / 240 - 1 / 9, abs=1e-12)
    assert np.isnan(r.p_sim)


def test_local_moran_hand_computed_path_of_four():
    # z = y standardised (ddof 0): z_i * lag_i = (.6, .2, .2, .6); I_i = (n-1) z_i lag_i / sum z^2 = 3/4 *
    lm = moran.local_moran(Y4, PATH4, permutations=0)
    assert np.allclose(lm.Is, [0.45, 0.15, 0.15, 0.45], atol=1e-12)
    assert lm.quadrant.tolist() == ["LL", "LL", "HH", "HH"]


def test_caller_weights_not_mutated_and_seed_reproducible():
    rng = np.random.default_rng(3)
    W = rng.random((12, 12))
    np.fill_diagonal(W, 0)
    W0 = W.copy()
    y = rng.random(12)
    state = np.random.get_state()[1].copy()
    a = moran.global_moran(y, W, 199, seed=5)
    b = moran.global_moran(y, W, 199, seed=5)
    la = moran.local_moran(y, W, 199, seed=5)
    lb = moran.local_moran(y, W, 199, seed=5)
    assert a == b and np.array_equal(la.p_sim, lb.p_sim)
    assert np.array_equal(W, W0)
    assert np.array_equal(np.random.get_state()[1], state)  # global RNG untouched


def test_permutation_p_matches_exact_enumeration():
    # n = 6: all 720 permutations give the exact folded one-sided p; 20000 draws must be close
    rng = np.random.default_rng(11)
    W = rng.random((6, 6))
    np.fill_diagonal(W, 0)
    y = np.array([0.1, 0.5, 0.2, 0.9, 0.4, 0.8])
    obs = moran.global_moran(y, W, permutations=0).I
    Wr = weights.row_standardise(W)
    z = y - y.mean()
    Is = np.array([(z[list(p)] @ Wr @ z[list(p)]) / (z @ z) for p in itertools.permutations(range(6))])
    frac = min((Is >= obs - 1e-12).mean(), (Is < obs - 1e-12).mean())
    r = moran.global_moran(y, W, permutations=20000, seed=1)
    assert r.p_sim == pytest.approx(frac, abs=0.015)


def _panel(n=30, T=3, seed=0):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(20, 45, n), rng.uniform(90, 125, n)
    W = weights.econ_geo_weights(lat, lon, rng.uniform(3, 15, n))
    D = pd.DataFrame(rng.random((n, T)) + 0.02 * lat[:, None], index=[f"p{i}" for i in range(n)],
                     columns=range(2012, 2012 + T))
    return D, W


def test_global_moran_matches_esda():
    import esda
    import libpysal

    D, W = _panel()
    y = D[2012].to_numpy()
    w = libpysal.weights.full2W(W.copy(), ids=list(range(30)))
    np.random.seed(0)
    e = esda.Moran(y, w, permutations=9999)
    r = moran.global_moran(y, W, permutations=9999, seed=0)
    for name in ("I", "EI", "VI_norm", "VI_rand", "z_norm", "p_norm", "p_rand"):
        assert getattr(r, name) == pytest.approx(getattr(e, name), rel=1e-10), name
    assert r.p_sim == pytest.approx(e.p_sim, abs=0.02)  # both Monte Carlo, 9999 draws


@pytest.mark.slow
def test_local_moran_matches_esda_moran_local():
    # esda's Moran_Local compiles numba code (~17 s) on first call: the reason we do not use it in pages
    import esda
    import libpysal

    D, W = _panel(seed=4)
    y = D[2013].to_numpy()
    w = libpysal.weights.full2W(W.copy(), ids=list(range(30)))
    e = esda.Moran_Local(y, w, permutations=9999, seed=1)
    lm = moran.local_moran(y, W, permutations=9999, seed=1)
    assert np.allclose(lm.Is, e.Is, atol=1e-12)
    codes = {"HH": 1, "LH": 2, "LL": 3, "HL": 4}
    assert [codes[q] for q in lm.quadrant] == e.q.tolist()
    assert np.max(np.abs(lm.p_sim - e.p_sim)) < 0.03


def test_panel_functions_and_quadrant_counts():
    D, W = _panel(T=4)
    g = moran.global_moran_by_year(D, W, permutations=99)
    assert g["year"].tolist() == [2012, 2013, 2014, 2015]
    assert g.loc[1, "I"] == pytest.approx(moran.global_moran(D[2013], W, 0).I)
    loc = moran.local_moran_panel(D, W, permutations=99)
    assert len(loc) == 120 and set(loc["quadrant"]) <= set(moran.QUADRANTS)
    counts = moran.quadrant_counts(loc)
    assert counts.sum(axis=1).tolist() == [30] * 4
    direct = (loc[loc.year == 2014].quadrant == "HH").sum()
    assert counts.loc[2014, "HH"] == direct
    sig = moran.quadrant_counts(loc, significant_only=True)
    assert (sig <= counts).all().all()
    assert (loc["cluster"] == "not significant").sum() == (~loc["significant"]).sum()


def test_constant_values_raise():
    with pytest.raises(ValueError, match="constant"):
        moran.global_moran([1.0] * 4, PATH4)
