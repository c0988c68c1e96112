"""Markov and spatial Markov chains: direct counts, giddy cross-checks, the paper's Table 5 re-test."""
import numpy as np
import pandas as pd
import pytest

from sim import markov, weights


def _panel(n=30, T=11, seed=0):
    rng = np.random.default_rng(seed)
    start = rng.uniform(0.1, 0.7, n)
    D = np.clip(start[:, None] + np.cumsum(rng.normal(0.02, 0.04, (n, T)), axis=1), 0.01, 0.99)
    return D


def _contiguity_like(n=30, seed=1):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(20, 45, n), rng.uniform(90, 125, n)
    return weights.knn_weights(lat, lon, 4)


def test_classify_right_closed_like_the_paper():
    assert markov.classify([0.0, 0.25, 0.2500001, 0.5, 0.75, 0.76, 1.0],
                           markov.FIXED_CUTOFFS).tolist() == [0, 0, 1, 1, 2, 3, 3]
    with pytest.raises(ValueError, match="strictly increasing"):
        markov.classify([0.1], (0.5, 0.25))


def test_traditional_counts_equal_a_direct_count():
    D = _panel()
    mc = markov.markov_chain(D)
    cls = markov.classify(D, markov.FIXED_CUTOFFS)
    direct = np.zeros((4, 4), dtype=int)
    for i in range(D.shape[0]):
        for t in range(D.shape[1] - 1):
            direct[cls[i, t], cls[i, t + 1]] += 1
    assert np.array_equal(mc.counts, direct)
    assert mc.counts.sum() == 30 * 10
    full = mc.n > 0
    assert np.allclose(mc.P[full], direct[full] / direct[full].sum(axis=1, keepdims=True))
    assert np.isnan(mc.P[~full]).all()


def test_quartile_scheme_balances_classes():
    D = _panel(seed=3)
    mc = markov.markov_chain(D, "quartile")
    assert mc.scheme == "quartile"
    assert mc.cutoffs == pytest.approx(tuple(np.quantile(D, [0.25, 0.5, 0.75])))
    share = np.bincount(markov.classify(D, mc.cutoffs).ravel(), minlength=4) / D.size
    assert np.allclose(share, 0.25, atol=0.01)


def test_traditional_matches_giddy_markov():
    from giddy.markov import Markov

    D = _panel(seed=5)
    cls = markov.classify(D, markov.FIXED_CUTOFFS)
    g = Markov(cls, classes=np.arange(4), summary=False)
    assert np.array_equal(markov.markov_chain(D).counts, g.transitions.astype(int))


def test_spatial_markov_direct_count_and_giddy():
    import libpysal
    from giddy.markov import Spatial_Markov

    D = _panel(seed=7)
    W = _contiguity_like()
    sm = markov.spatial_markov(D, W)
    # direct count: lag class at t from the row-standardised lag
    Wr = weights.row_standardise(W)
    lag = markov.classify(Wr @ D, markov.FIXED_CUTOFFS)
    cls = markov.classify(D, markov.FIXED_CUTOFFS)
    direct = np.zeros((4, 4, 4), dtype=int)
    for i in range(30):
        for t in range(10):
            direct[lag[i, t], cls[i, t], cls[i, t + 1]] += 1
    assert np.array_equal(sm.counts, direct)
    assert np.array_equal(sm.counts.sum(axis=0), sm.pooled.counts)
    # giddy, with W row-standardised explicitly (giddy does not) and the classes passed
    w = libpysal.weights.full2W(W.copy(), ids=list(range(30)))
    w.transform = "r"
    g = Spatial_Markov(D, w, cutoffs=list(markov.FIXED_CUTOFFS), lag_cutoffs=list(markov.FIXED_CUTOFFS),
                       fixed=True)
    assert np.array_equal(sm.counts, g.T.astype(int))
    assert np.allclose(np.nan_to_num(sm.P), g.P)
    assert sm.Q == pytest.approx(g.Q, rel=1e-10)
    assert sm.dof == g.dof_hom
    assert sm.p_value == pytest.approx(g.Q_p_value, abs=1e-10)
    # the caller's W is untouched and a raw W gives the same result (row-standardised inside)
    assert np.array_equal(markov.spatial_markov(D, W * 7.0).counts, sm.counts)


def test_homogeneity_test_matches_giddy_and_is_zero_when_regimes_agree():
    from giddy.markov import homogeneity

    rng = np.random.default_rng(2)
    counts = rng.integers(0, 20, (3, 4, 4))
    counts[1, 2] = 0  # an empty row in one regime
    ours = markov.homogeneity_test_from_counts(counts)
    theirs = homogeneity(list(counts.astype(float)))  # giddy truncates integer input: pass floats
    assert ours.Q == pytest.approx(theirs.Q, rel=1e-12)
    assert ours.LR == pytest.approx(theirs.LR, rel=1e-12)
    assert ours.dof == theirs.dof
    same = np.stack([counts[0]] * 3)
    assert markov.homogeneity_test_from_counts(same).Q == pytest.approx(0, abs=1e-12)


def test_paper_table5_counts_reproduce_its_probabilities_but_not_its_Qb():
    pm = markov.paper_transition_matrices()
    assert np.array_equal(pm.counts_spatial.sum(axis=(1, 2)), pm.n_spatial.sum(axis=1))
    # rounded counts reproduce every printed probability (4 decimals) and Table 4's row totals
    assert np.abs(pm.counts_spatial / pm.n_spatial[:, :, None] - pm.P_spatial).max() < 5e-5
    assert np.array_equal(pm.counts_spatial.sum(axis=0).sum(axis=1), pm.n_traditional)
    assert pm.n_traditional.tolist() == [83, 76, 74, 67]
    assert pm.Q_reported == pytest.approx(157.893)
    assert pm.recomputed.Q == pytest.approx(10.608, abs=0.01)
    assert pm.recomputed.dof == 12
    assert pm.recomputed.p_value == pytest.approx(0.563, abs=0.005)
    cmp = pm.comparison()
    assert cmp.loc[0, "reported"] == pytest.approx(157.893)


def test_steady_state_and_mfpt_hand_cases():
    a, b = 0.3, 0.1
    P = np.array([[1 - a, a], [b, 1 - b]])
    M = markov.mean_first_passage_times(P)
    pi = markov.steady_states(P)
    assert pi == pytest.approx([b / (a + b), a / (a + b)])
    assert M[0, 1] == pytest.approx(1 / a) and M[1, 0] == pytest.approx(1 / b)
    assert M[0, 0] == pytest.approx(1 / pi[0]) and M[1, 1] == pytest.approx(1 / pi[1])
    # absorbing top class (paper's Table 4): pi = e_4, the lower classes are never re-entered
    pm = markov.paper_transition_matrices()
    assert markov.steady_states(pm.P_traditional) == pytest.approx([0, 0, 0, 1])
    Mp = markov.mean_first_passage_times(pm.P_traditional)
    assert np.isinf(Mp[3, 0]) and np.isfinite(Mp[0, 3])
    # by hand: m2 = 1 + .0135 m1 + .8108 m2 and m1 = 1 + .7368 m1 + .2632 m2 (to class 4)
    m2 = (1 + 0.0135 / 0.2632) / (1 - 0.0135 - 0.8108)
    assert Mp[2, 3] == pytest.approx(m2, rel=1e-9)
    assert Mp[1, 3] == pytest.approx(1 / 0.2632 + m2, rel=1e-9)
    # two recurrent classes: no unique steady state, and the warning says which classes
    with pytest.warns(markov.MarkovWarning, match=r"2 recurrent classes .*\{1\}; \{2\}.*not unique"):
        assert np.isnan(markov.steady_states(np.eye(2))).all()


def test_mfpt_matches_giddy_for_an_ergodic_chain():
    from giddy.ergodic import mfpt

    P = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]])
    assert np.allclose(markov.mean_first_passage_times(P), mfpt(P), rtol=1e-10)


def test_empty_rows_filled_with_self_loop():
    D = np.array([[0.1, 0.1, 0.3], [0.2, 0.3, 0.3]])  # classes 2 and 3 never start a transition
    mc = markov.markov_chain(D)
    assert np.isnan(mc.P[2]).all()
    F = mc.filled()
    assert F[2].tolist() == [0, 0, 1, 0] and F[3].tolist() == [0, 0, 0, 1]
    assert np.allclose(F.sum(axis=1), 1)
    with pytest.raises(ValueError, match="stochastic"):
        markov.steady_states(mc.P)


def test_spatial_empty_rows_take_the_pooled_row():
    D = _panel(seed=9)
    sm = markov.spatial_markov(D, _contiguity_like())
    F = sm.filled()
    assert np.allclose(F.sum(axis=2), 1)
    pooled = sm.pooled.filled()
    for l in range(4):
        for i in range(4):
            if sm.counts[l, i].sum() == 0:
                np.testing.assert_allclose(F[l, i], pooled[i], rtol=0, atol=1e-15)
            else:  # rows are renormalised by sim.markov.fill_empty_rows: equal up to rounding
                np.testing.assert_allclose(F[l, i], sm.P[l, i], rtol=0, atol=1e-15)
    assert (sm.counts.sum(axis=2) == 0).any()  # the case is exercised


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least 2 years"):
        markov.markov_chain(np.ones((3, 1)))
    with pytest.raises(ValueError, match="W is 2 x 2"):
        markov.spatial_markov(_panel(n=3, T=3), np.ones((2, 2)) - np.eye(2))
    with pytest.raises(ValueError, match="NaN"):
        markov.markov_chain(np.array([[0.1, np.nan]]))


def test_quartile_classes_on_tied_data_say_the_quartiles_coincide():
    D = np.array([[0.5, 0.5, 0.5, 0.7], [0.5, 0.5, 0.2, 0.5]])  # 6 of 8 values tied at 0.5
    assert markov.pooled_quartile_cutoffs(D) == (0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match=r"Quartile classes are undefined.*coincide \(at \[0.5\].*tied"):
        markov.markov_chain(D, "quartile")
    with pytest.raises(ValueError, match=r"coincide .*fixed cut-offs"):
        markov.classify([0.1], (0.5, 0.5, 0.75))
    assert markov.markov_chain(D, "fixed").counts.sum() == 6  # the suggested way out works


def test_homogeneity_test_with_zero_degrees_of_freedom_warns():
    counts = np.zeros((2, 2, 2), dtype=int)
    counts[0, 0, 0] = 5  # row 0 only ever goes to 0, row 1 only observed under lag class 1
    counts[1, 1, 0], counts[1, 1, 1] = 2, 3
    with pytest.warns(markov.MarkovWarning, match="0 degrees of freedom.*nothing to compare"):
        ht = markov.homogeneity_test_from_counts(counts)
    assert ht.dof == 0 and np.isnan(ht.p_value) and np.isnan(ht.LR_p_value)
    assert ht.Q == 0.0
