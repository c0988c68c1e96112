"""The forward model of sim.projection on small hand cases: maps, draws, summaries, the reference loop."""
import numpy as np
import pytest

from sim import projection as pj

CUT = (0.25, 0.5, 0.75)
W3 = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
D3 = np.array([[0.20, 0.22, 0.24, 0.23], [0.30, 0.33, 0.36, 0.38], [0.60, 0.62, 0.64, 0.66]])


def _stay(k=4):
    return np.tile(np.eye(k), (k, 1, 1))


def test_identity_matrices_keep_every_class_and_rank():
    fm = pj.fit_forward_model(D3, W3, CUT, _stay(), np.eye(4))
    paths = pj.simulate_paths(fm, D3[:, -1], horizon=6, n_paths=50, seed=1)
    assert (paths.classes == np.array([0, 1, 2])[None, None, :]).all()
    assert paths.D.shape == (7, 50, 3) and paths.years.tolist() == list(range(0, 7))
    assert ((paths.D >= 0) & (paths.D <= 1)).all()


def test_destinations_follow_the_matrix_exactly_in_expectation():
    """One class, one lag class: simulated move frequencies equal P within Monte Carlo error."""
    P = np.zeros((4, 4, 4))
    P[:, :, :] = np.eye(4)
    P[:, 1] = [0.1, 0.6, 0.3, 0.0]  # from Medium, whatever the neighbours
    fm = pj.fit_forward_model(D3, W3, CUT, P, None)
    paths = pj.simulate_paths(fm, [0.3, 0.4, 0.45], horizon=1, n_paths=20_000, seed=2)
    freq = np.bincount(paths.classes[1].ravel(), minlength=4) / paths.classes[1].size
    se = np.sqrt(np.array([0.1, 0.6, 0.3, 0.0]) * (1 - np.array([0.1, 0.6, 0.3, 0.0])) / paths.classes[1].size)
    assert np.all(np.abs(freq - [0.1, 0.6, 0.3, 0.0]) <= 4 * se + 2.5e-4)  # 12-bit probabilities


def test_within_class_map_is_monotone_and_inside_the_destination_class():
    fm = pj.fit_forward_model(D3, W3, CUT, _stay(), np.eye(4))
    k = fm.k
    G = fm.grid.reshape(k * k, pj.GRID + 1)
    lo = np.r_[0.0, CUT]
    hi = np.r_[CUT, 1.0]
    for p in range(k * k):
        j = p % k
        assert np.all(np.diff(G[p]) >= 0)
        assert G[p].min() >= lo[j] and G[p].max() <= hi[j]
        if j > 0:
            assert G[p].min() > lo[j]  # right-closed classes: strictly above the lower cut-off


def test_fast_paths_equal_the_plain_reference_loop():
    rng = np.random.default_rng(5)
    D = np.clip(np.cumsum(rng.normal(0.03, 0.04, size=(6, 8)), axis=1) + rng.uniform(0.1, 0.6, (6, 1)), 0, 1)
    W = (rng.random((6, 6)) < 0.5).astype(float)
    W = np.maximum(W, W.T)
    np.fill_diagonal(W, 0)
    W[W.sum(1) == 0, 0] = 1
    W[0, W.sum(0) == 0] = 1
    from sim.markov import spatial_markov

    sm = spatial_markov(D, W, CUT)
    fm = pj.fit_forward_model(D, W, CUT, np.nan_to_num(sm.P), np.nan_to_num(sm.pooled.P))
    e = np.zeros((6, 5))
    e[2, 2:] = 0.08  # a change from the second projected year
    fast = pj.simulate_paths(fm, D[:, -1], 4, 40, seed=9, effects=e)
    ref = pj.simulate_paths_reference(fm, D[:, -1], 4, 40, seed=9, effects=e)
    np.testing.assert_allclose(fast.D, ref, rtol=0, atol=1e-5)  # float32 paths vs float64 loop
    np.testing.assert_array_equal(fast.classes, pj._classes(ref.astype(np.float32), np.asarray(CUT, np.float32)))


def test_effects_start_when_they_start_and_zero_effects_change_nothing():
    fm = pj.fit_forward_model(D3, W3, CUT, _stay(), np.eye(4))
    base = pj.simulate_paths(fm, D3[:, -1], 4, 30, seed=3)
    zero = pj.simulate_paths(fm, D3[:, -1], 4, 30, seed=3, effects=np.zeros((3, 5)), uniforms=base.uniforms)
    np.testing.assert_array_equal(zero.D, base.D)
    e = np.zeros((3, 5))
    e[1, 3:] = 0.2  # province 1 gets +0.2 from the third projected year
    s = pj.simulate_paths(fm, D3[:, -1], 4, 30, seed=3, effects=e, uniforms=base.uniforms)
    np.testing.assert_array_equal(s.D[:3], base.D[:3])
    assert (s.classes[3:, :, 1] == 2).all() and (base.classes[3:, :, 1] == 1).all()


def test_summaries_by_hand():
    fm = pj.fit_forward_model(D3, W3, CUT, _stay(), np.eye(4))
    p = pj.simulate_paths(fm, D3[:, -1], 2, 20, seed=0)
    q = pj.province_quantiles(p)
    assert q.shape == (3, 3, 3)
    np.testing.assert_allclose(q[:, 0, 1], D3[:, -1], atol=1e-7)
    pr = pj.class_probabilities(p)
    assert pr.shape == (3, 3, 4) and np.allclose(pr.sum(-1), 1) and (pr[2, :, 2] == 1).all()
    mean, lo, hi = pj.national_shares(p, at_least=2)
    np.testing.assert_allclose(mean, 1 / 3) and np.testing.assert_allclose(lo, 1 / 3)


def test_national_share_percentiles_match_numpy():
    rng = np.random.default_rng(0)
    cls = rng.integers(0, 4, size=(3, 1000, 7)).astype(np.uint8)
    paths = pj.Paths(np.arange(3), np.zeros(cls.shape, np.float32), cls, np.zeros((2, 2, 1000, 7), np.uint16),
                     tuple("abcdefg"), CUT)
    mean, lo, hi = pj.national_shares(paths, at_least=2)
    share = (cls >= 2).sum(axis=2) / 7
    np.testing.assert_allclose(mean, share.mean(axis=1))
    np.testing.assert_allclose(lo, np.percentile(share, 5, axis=1, method="inverted_cdf"))
    np.testing.assert_allclose(hi, np.percentile(share, 95, axis=1, method="inverted_cdf"))


def test_monotonicity_check():
    assert pj.stochastically_monotone(_stay())
    P = _stay()
    P[0, 1] = [0.5, 0.5, 0, 0]  # Medium may fall to Low: still never more likely to end lower than Low
    assert pj.stochastically_monotone(P)
    P[0, 0] = [0, 0, 1, 0]  # Low jumps to High while Medium stays Medium: a higher class ends lower
    assert pj.stochastically_monotone(P) is False


@pytest.mark.parametrize("kw, message", [
    ({"horizon": 0}, "horizon"), ({"n_paths": 0}, "n_paths"), ({"d0": [0.1, 0.2]}, "starting D"),
    ({"effects": np.zeros((3, 2))}, "effects")])
def test_bad_input_raises(kw, message):
    fm = pj.fit_forward_model(D3, W3, CUT, _stay(), np.eye(4))
    args = {"d0": D3[:, -1], "horizon": 3, "n_paths": 10, **kw}
    with pytest.raises(ValueError, match=message):
        pj.simulate_paths(fm, **args)


def test_no_neighbour_is_refused():
    W = W3.copy()
    W[2] = 0
    W[:, 2] = 0
    with pytest.raises(ValueError, match="no neighbour"):
        pj.fit_forward_model(D3, W, CUT, _stay(), None)


def test_fast_class_rule_equals_sim_markov_classify():
    """projection._classes (uint8 comparisons, the loop's speed path) is sim.markov.classify."""
    from sim.markov import classify

    rng = np.random.default_rng(1)
    cut = np.asarray((0.25, 0.5, 0.75), dtype=np.float32)
    x = np.concatenate([rng.random(10_000), [0.0, 0.25, 0.5, 0.75, 1.0],
                        np.nextafter(cut, 1).astype(float)]).astype(np.float32)
    np.testing.assert_array_equal(pj._classes(x, cut), classify(x, cut))
