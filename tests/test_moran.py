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


# --- sparse weights at county scale: a 55 x 55 rook lattice (n = 3,025) --------------------------

def _rook_lattice(side: int):
    """Rook contiguity of a side x side grid as a scipy CSR matrix (binary, symmetric)."""
    from scipy import sparse

    idx = np.arange(side * side).reshape(side, side)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    data = np.ones(2 * a.size)
    return sparse.coo_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(side * side,) * 2).tocsr()


def _lattice_values(side: int, seed: int = 7) -> np.ndarray:
    """A spatially smooth field plus noise, so that some units are significant and most are not."""
    rng = np.random.default_rng(seed)
    r, c = np.divmod(np.arange(side * side), side)
    return np.sin(r / 9.0) + np.cos(c / 7.0) + rng.normal(0, 0.8, side * side)


@pytest.mark.parametrize("side, perms", [(3, 20000), (5, 20000), (55, 999)])
def test_conditional_lags_have_the_exact_moments_of_sampling_without_replacement(side, perms):
    """Per unit, the simulated lags' mean and variance must match the finite-population formulas.

    For unit i with neighbour weights w (sum a, sum of squares b), the lag of k values drawn without
    replacement from the other n - 1 z's (mean mu_i, variance s2_i with ddof 0) has
    E = a mu_i and Var = s2_i (b - (a^2 - b)/(n - 2)) (Cochran 1977, eq. 2.8, with weights).
    Sides 3 and 5 exercise both samplers (sorted keys; draws with rejection of repeats), where
    drawing with replacement or including unit i itself would move the moments by 5-30 %; side 55 is
    the county-scale case. Every unit's mean must lie within 4.5 standard errors (and the variance
    within 5) of the formula, and the standardised errors must look N(0, 1) at n = 3,025.
    """
    W = _rook_lattice(side)
    y = _lattice_values(side)
    Wr = moran._row_standardised_csr(W)
    n = Wr.shape[0]
    z = (y - y.mean()) / y.std()
    t_mean, t_var = np.empty(n), np.empty(n)
    for units, lag in moran._conditional_lags(Wr, z, perms, np.random.default_rng(3)):
        for u, row in zip(units, lag):
            w = Wr.getrow(u).data
            others = np.delete(z, u)
            a, b = w.sum(), (w ** 2).sum()
            var = others.var() * (b - (a * a - b) / (n - 2))
            t_mean[u] = (row.mean() - a * others.mean()) / np.sqrt(var / perms)
            dev = row - row.mean()
            se_var = np.sqrt(max((dev ** 4).mean() - row.var() ** 2, 1e-300) / perms)
            t_var[u] = (row.var() - var) / se_var
    assert np.max(np.abs(t_mean)) < 4.5
    assert np.max(np.abs(t_var)) < 5
    if n > 1000:
        assert abs(t_mean.mean()) < 0.1 and 0.9 < t_mean.std() < 1.1


def test_local_permutation_p_matches_exact_enumeration():
    """n = 7, unit 0 with 3 neighbours: all 7!/(7-1-3)! ... ordered samples of 3 of the 6 others."""
    rng = np.random.default_rng(5)
    W = np.zeros((7, 7))
    W[0, [1, 2, 3]] = [0.5, 0.3, 0.2]
    W[1:, 0] = 1.0
    y = rng.random(7)
    lm = moran.local_moran(y, W, permutations=20000, seed=2)
    z = (y - y.mean()) / y.std()
    w = W[0, [1, 2, 3]] / W[0].sum()
    sims = np.array([(6) * z[0] * (z[list(p)] @ w) / (z @ z)
                     for p in itertools.permutations(range(1, 7), 3)])
    frac = (sims >= lm.Is[0] - 1e-12).mean()
    exact = min(frac, 1 - frac)
    # 20000 draws: sd of the estimate <= sqrt(.25/20000) = 0.0035; 0.015 is > 4 sd
    assert lm.p_sim[0] == pytest.approx(exact, abs=0.015)


@pytest.mark.slow
def test_moran_matches_esda_on_a_55x55_rook_lattice():
    """County scale: local I exact, permutation p the same distribution as esda's (both 999 draws).

    Both p's estimate the same conditional-permutation probability q_i with 999 draws each, so the
    difference has standard deviation <= sqrt(2 q(1 - q)/999); with 3,025 units, a difference beyond
    5.5 of those (plus one draw of discreteness) would occur by chance with probability ~1e-4.
    """
    import esda
    import libpysal

    W = _rook_lattice(55)
    y = _lattice_values(55)
    w = libpysal.weights.WSP(W.copy()).to_W(silence_warnings=True)
    e = esda.Moran_Local(y, w, permutations=999, seed=1)
    lm = moran.local_moran(y, W, permutations=999, seed=1)
    np.testing.assert_allclose(lm.Is, e.Is, rtol=1e-12, atol=1e-14)
    codes = {"HH": 1, "LH": 2, "LL": 3, "HL": 4}
    assert [codes[q] for q in lm.quadrant] == e.q.tolist()
    q = np.clip((lm.p_sim + e.p_sim) / 2, 1 / 1000, 0.5)
    d = np.abs(lm.p_sim - e.p_sim) - 1 / 1000
    assert np.all(d <= 5.5 * np.sqrt(2 * q * (1 - q) / 999))
    sig_ours, sig_esda = (lm.p_sim <= 0.05).mean(), (e.p_sim <= 0.05).mean()
    assert 0.05 < sig_esda < 0.9  # the case is informative
    assert sig_ours == pytest.approx(sig_esda, abs=0.02)
    # global Moran on the same sparse lattice: the moments exactly, p_sim within Monte Carlo error
    np.random.seed(0)
    g = esda.Moran(y, libpysal.weights.WSP(W.copy()).to_W(silence_warnings=True), permutations=999)
    r = moran.global_moran(y, W, permutations=999, seed=0)
    for name in ("I", "EI", "VI_norm", "VI_rand", "z_norm", "z_rand"):
        assert getattr(r, name) == pytest.approx(getattr(g, name), rel=1e-10), name
    assert r.p_sim == g.p_sim == 1 / 1000  # strongly clustered: no permutation reaches I


def test_sparse_and_dense_weights_give_the_same_statistics():
    W = _rook_lattice(6)
    y = _lattice_values(6)
    a, b = moran.local_moran(y, W, 199, seed=4), moran.local_moran(y, W.toarray(), 199, seed=4)
    np.testing.assert_allclose(a.Is, b.Is, rtol=1e-13)
    assert np.array_equal(a.p_sim, b.p_sim)
    ga, gb = moran.global_moran(y, W, 199, seed=4), moran.global_moran(y, W.toarray(), 199, seed=4)
    assert ga.I == pytest.approx(gb.I, rel=1e-13) and ga.p_sim == gb.p_sim
