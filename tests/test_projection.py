"""Forward projection with traditional and spatial Markov chains (sim.projection; SPEC 2.11, 4)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.projection import (analytic_distribution, classify, fill_empty_rows, project_markov,
                            project_spatial_markov, row_standardise)

# Liu et al. (2026), Table 4 (pooled traditional chain), from data/paper/liu2026_table4_markov.csv
P_PAPER = np.array([[0.7470, 0.2530, 0.0000, 0.0000],
                    [0.0000, 0.7368, 0.2632, 0.0000],
                    [0.0000, 0.0135, 0.8108, 0.1757],
                    [0.0000, 0.0000, 0.0000, 1.0000]])
N_PROV = 30
INITIAL = np.array([0] * 8 + [1] * 8 + [2] * 8 + [3] * 6)


def ring_weights(n, extra=3):
    """A connected, asymmetric contiguity-like matrix: ring plus a few chords."""
    W = np.zeros((n, n))
    for i in range(n):
        W[i, (i + 1) % n] = W[i, (i - 1) % n] = 1.0
    for i in range(0, n, extra + 2):
        W[i, (i + n // 2) % n] = 2.0
    return W


@pytest.fixture(scope="module")
def traditional():
    return project_markov(INITIAL, P_PAPER, horizon=10, n_paths=10_000, seed=0, start_year=2022)


def test_traditional_converges_to_analytic(traditional):
    exact = analytic_distribution(INITIAL, P_PAPER, 10)
    mc = traditional.class_probabilities
    assert mc.shape == exact.shape == (10, N_PROV, 4)
    # national mean shares: within 0.01 at 10,000 paths
    assert np.abs(traditional.national_shares[:, :, 0] - exact.mean(axis=1)).max() < 0.01
    # every province-year-class probability: within 5 binomial standard errors (and 0.025)
    se = np.sqrt(exact * (1 - exact) / 10_000)
    assert np.all(np.abs(mc - exact) <= 5 * se + 1e-12)
    assert np.abs(mc - exact).max() < 0.025
    # provinces with the same start have the same exact distribution; MC agrees on average
    assert np.abs(mc[:, :8].mean(axis=1) - exact[:, 0]).max() < 0.01


def test_analytic_distribution_hand_case():
    P = np.array([[0.9, 0.1], [0.2, 0.8]])
    d = analytic_distribution([0, 1], P, 2)
    # t=1: rows of P; t=2: rows of P @ P = [[0.83, 0.17], [0.34, 0.66]]
    assert np.allclose(d[0], [[0.9, 0.1], [0.2, 0.8]])
    assert np.allclose(d[1], [[0.83, 0.17], [0.34, 0.66]])


def test_years_and_frames(traditional):
    assert traditional.years.tolist() == list(range(2023, 2033))
    f = traditional.to_frame()
    assert len(f) == 10 * N_PROV * 4
    assert np.allclose(f.groupby(["province", "year"])["probability"].sum(), 1.0)
    s = traditional.shares_frame()
    assert list(s.columns) == ["year", "class", "mean", "p05", "p95"]
    assert (s["p05"] <= s["mean"] + 1e-12).all() and (s["mean"] <= s["p95"] + 1e-12).all()
    assert len(traditional.passage_frame()) == N_PROV * 4


def test_result_is_immutable(traditional):
    with pytest.raises(ValueError):
        traditional.class_probabilities[0, 0, 0] = 1.0
    with pytest.raises(Exception):
        traditional.seed = 3


def test_spatial_with_one_shared_matrix_equals_traditional(traditional):
    W = ring_weights(N_PROV)
    sp = project_spatial_markov(INITIAL, np.stack([P_PAPER] * 4), W, horizon=10, n_paths=10_000,
                                seed=0, start_year=2022)
    # same uniforms, same matrix for every lag class -> identical paths, hence identical summaries
    assert np.array_equal(sp.class_probabilities, traditional.class_probabilities)
    assert np.array_equal(sp.national_shares, traditional.national_shares)
    assert np.array_equal(sp.years_to_class, traditional.years_to_class, equal_nan=True)
    # and therefore the same distribution as the analytic traditional chain
    exact = analytic_distribution(INITIAL, P_PAPER, 10)
    assert np.abs(sp.national_shares[:, :, 0] - exact.mean(axis=1)).max() < 0.01
    assert sp.method == "spatial" and traditional.method == "traditional"


def test_absorbing_class_stays_absorbed():
    res = project_markov(INITIAL, P_PAPER, horizon=8, n_paths=2000, seed=5, keep_paths=True)
    paths = res.paths.astype(int)  # (H+1, n, N)
    top = paths == 3
    # once in class 3, always in class 3 (cumulative "ever in 3" equals "in 3 now")
    assert np.array_equal(np.maximum.accumulate(top, axis=0), top)
    assert np.all(res.class_probabilities[:, INITIAL == 3, 3] == 1.0)
    # the paper's matrix never moves down from class 2 to class 0
    assert not np.any((paths[:-1] == 2) & (paths[1:] == 0))


def test_deterministic_for_a_seed():
    W = ring_weights(N_PROV)
    Ps = np.stack([P_PAPER, np.eye(4), P_PAPER, P_PAPER])
    a = project_spatial_markov(INITIAL, Ps, W, 5, n_paths=3000, seed=11)
    b = project_spatial_markov(INITIAL, Ps, W, 5, n_paths=3000, seed=11)
    c = project_spatial_markov(INITIAL, Ps, W, 5, n_paths=3000, seed=12)
    assert np.array_equal(a.class_probabilities, b.class_probabilities)
    assert np.array_equal(a.national_shares, b.national_shares)
    assert not np.array_equal(a.class_probabilities, c.class_probabilities)
    assert (a.seed, a.n_paths) == (11, 3000)


def test_inputs_not_mutated():
    W = ring_weights(N_PROV)
    W[3, 3] = 5.0  # a diagonal entry, ignored inside
    Ps = np.stack([P_PAPER] * 4)
    Ps[1, 0] = 0.0  # never observed row
    init = INITIAL.copy()
    W0, Ps0, init0 = W.copy(), Ps.copy(), init.copy()
    project_spatial_markov(init, Ps, W, 3, n_paths=500, P_fallback=P_PAPER)
    assert np.array_equal(W, W0) and np.array_equal(Ps, Ps0) and np.array_equal(init, init0)
    Wr = row_standardise(W)
    assert np.array_equal(W, W0) and np.allclose(Wr.sum(axis=1), 1.0) and Wr[3, 3] == 0.0


def _contagion_matrices():
    """k = 2: with a low lag (class 0) stay put; with a high lag (class 1) move up for sure."""
    stay = np.eye(2)
    up = np.array([[0.0, 1.0], [0.0, 1.0]])
    return np.stack([stay, up])


def test_neighbours_evolve_jointly_hand_case():
    # line 0 - 1 - 2; only province 2 starts high. Class values 0.25 / 0.75, lag cut-off 0.4.
    W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    res = project_spatial_markov([0, 0, 1], _contagion_matrices(), W, horizon=3, n_paths=200,
                                 lag_cutoffs=[0.4], class_values=[0.25, 0.75])
    # t=1: lag of 1 = (0.25 + 0.75) / 2 = 0.5 > 0.4 -> up; lag of 0 = 0.25 -> stays
    # t=2: province 0 now sees province 1 high (0.75) -> up. Deterministic, every path.
    p_high = res.class_probabilities[:, :, 1]
    assert p_high.tolist() == [[0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    assert res.years_to_class_or_above[:, 1].tolist() == [2.0, 1.0, 0.0]
    assert res.never_reached[:, 1].tolist() == [0.0, 0.0, 0.0]
    assert res.national_shares[0, 1].tolist() == pytest.approx([2 / 3, 2 / 3, 2 / 3])


def test_lag_on_cut_off_falls_in_lower_class():
    # same line, cut-off 0.5: province 1's lag is exactly 0.5 -> lower class -> nobody ever moves
    W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    res = project_spatial_markov([0, 0, 1], _contagion_matrices(), W, horizon=4, n_paths=100,
                                 lag_cutoffs=[0.5], class_values=[0.25, 0.75])
    assert np.all(res.class_probabilities[:, :2, 0] == 1.0)
    assert res.never_reached[:2, 1].tolist() == [1.0, 1.0]
    assert np.isnan(res.years_to_class[:2, 1]).all()
    assert classify([0.5, 0.5000001], [0.5]).tolist() == [0, 1]


def test_initial_values_set_the_first_lag():
    # observed D of province 2 is 0.95 but its class value is 0.75; with cut-off 0.55 the observed
    # first lag of province 1 is (0.2 + 0.95) / 2 = 0.575 (high) but the class-value lag would be
    # (0.25 + 0.75) / 2 = 0.5 (low)
    W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    kw = dict(horizon=1, n_paths=50, lag_cutoffs=[0.55], class_values=[0.25, 0.75])
    plain = project_spatial_markov([0, 0, 1], _contagion_matrices(), W, **kw)
    observed = project_spatial_markov([0, 0, 1], _contagion_matrices(), W,
                                      initial_values=[0.2, 0.2, 0.95], **kw)
    assert plain.class_probabilities[0, 1, 1] == 0.0
    assert observed.class_probabilities[0, 1, 1] == 1.0


def test_never_observed_rows_rule():
    Ps = np.stack([P_PAPER, P_PAPER])
    Ps[1, 0] = 0.0
    filled, rows = fill_empty_rows(Ps, P_PAPER)
    assert rows == (((1, 0), "fallback"),) and np.allclose(filled[1, 0], P_PAPER[0])
    filled, rows = fill_empty_rows(Ps)
    assert rows == (((1, 0), "stay"),) and filled[1, 0].tolist() == [1.0, 0.0, 0.0, 0.0]
    # in a projection: provinces in class 0 with a high lag stay put without a fallback
    W = np.ones((4, 4))
    res = project_spatial_markov([0, 3, 3, 3], Ps, W, 2, n_paths=300, lag_cutoffs=[0.5],
                                 class_values=[0.0, 0.3, 0.6, 1.0])
    assert res.filled_rows == (((1, 0), "stay"),)
    assert np.all(res.class_probabilities[:, 0, 0] == 1.0)


def test_national_band_matches_numpy_percentiles():
    res = project_markov(INITIAL, P_PAPER, horizon=4, n_paths=1001, seed=2, keep_paths=True)
    shares = np.stack([(res.paths[1:] == c).mean(axis=1) for c in range(4)], axis=1)  # (H, k, N)
    assert np.allclose(res.national_shares[..., 0], shares.mean(axis=-1))
    assert np.allclose(res.national_shares[..., 1], np.percentile(shares, 5, axis=-1))
    assert np.allclose(res.national_shares[..., 2], np.percentile(shares, 95, axis=-1))


def test_first_passage_matches_analytic():
    # P(first in class c by t) equals the class-c probability of the chain with c made absorbing
    init = np.array([0, 0, 1, 2])
    res = project_markov(init, P_PAPER, horizon=6, n_paths=10_000, seed=4)
    for c in (1, 2, 3):
        Pa = P_PAPER.copy()
        Pa[c] = np.eye(4)[c]
        exact = analytic_distribution(init, Pa, 6)[:, :, c]
        assert np.abs(res.reached_by[:, :, c] - exact).max() < 0.02
        # mean years among paths that reach c within 6 years (0 when starting in c)
        F = np.vstack([(init == c)[None].astype(float), exact])
        first = np.diff(F, axis=0, prepend=0.0)
        with np.errstate(invalid="ignore"):
            mean_years = (first * np.arange(7)[:, None]).sum(axis=0) / F[-1]
        reach = F[-1] > 0.05
        assert np.allclose(res.years_to_class[reach, c], mean_years[reach], atol=0.1)
        assert np.allclose(res.never_reached[:, c], 1 - F[-1], atol=0.02)
    # "or above" never exceeds "exactly": reaching c or above happens no later
    assert np.all(res.never_reached_or_above <= res.never_reached + 1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: project_markov([0, 4], P_PAPER, 3), "0..3"),
    (lambda: project_markov([0, 1], P_PAPER * 1.1, 3), "sum to 1"),
    (lambda: project_markov([0, 1], P_PAPER, 0), "horizon"),
    (lambda: project_markov([0.5, 1], P_PAPER, 2), "integers"),
    (lambda: project_spatial_markov([0, 1, 2], np.stack([P_PAPER] * 4),
                                    np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]]), 2), "no neighbour"),
    (lambda: project_spatial_markov([0, 1], np.stack([P_PAPER] * 4), np.ones((3, 3)), 2), "(2, 2)"),
    (lambda: project_spatial_markov([0, 1], np.stack([P_PAPER] * 3), np.ones((2, 2)), 2),
     "lag_cutoffs"),
    (lambda: project_spatial_markov([0, 1], np.stack([P_PAPER] * 2), np.ones((2, 2)), 2,
                                    lag_cutoffs=[0.6, 0.4]), "k_lag - 1"),
])
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_to_frame_labels():
    res = project_markov([0, 1], np.array([[0.5, 0.5], [0.0, 1.0]]), 2, n_paths=100,
                         labels=["Beijing", "Tianjin"])
    f = res.to_frame()
    assert isinstance(f, pd.DataFrame) and set(f["province"]) == {"Beijing", "Tianjin"}


def _reference_paths(s0, Ps, W, horizon, n_paths, seed, cut, vals):
    """Straightforward per-path, per-province simulation with the documented draws and rules."""
    n, k = len(s0), Ps.shape[1]
    Wrs = W / W.sum(axis=1, keepdims=True)
    raw = np.random.default_rng(seed).bit_generator.random_raw(-(-horizon * n * n_paths // 4))
    u = raw.astype("<u8").view(np.uint16)[: horizon * n * n_paths].reshape(horizon, n, n_paths)
    out = np.empty((horizon + 1, n, n_paths), dtype=int)
    out[0] = np.asarray(s0)[:, None]
    for p in range(n_paths):
        for t in range(horizon):
            s = out[t, :, p]
            for i in range(n):
                lag = sum(Wrs[i, j] * vals[s[j]] for j in range(n))
                lag_class = sum(lag > c + 1e-9 for c in cut)
                thr = np.rint(np.cumsum(Ps[lag_class, s[i]]) * 65536)
                out[t + 1, i, p] = int(sum(u[t, i, p] >= thr[b] for b in range(k - 1)))
    return out


def test_paths_equal_a_per_path_reference_with_non_affine_class_values():
    rng = np.random.default_rng(8)
    n, k = 6, 3
    W = (rng.random((n, n)) < 0.5) * rng.uniform(0.5, 2.0, (n, n))
    np.fill_diagonal(W, 0.0)
    W[np.arange(n), (np.arange(n) + 1) % n] = 1.0  # everyone has a neighbour
    Ps = rng.dirichlet(np.ones(k), size=(3, k))
    vals, cut = [0.05, 0.2, 0.9], [0.15, 0.4]  # not affine in the class index
    s0 = [0, 1, 2, 0, 1, 2]
    res = project_spatial_markov(s0, Ps, W, 4, n_paths=40, seed=3, lag_cutoffs=cut,
                                 class_values=vals, keep_paths=True)
    ref = _reference_paths(s0, Ps, W, 4, 40, 3, cut, vals)
    assert np.array_equal(res.paths.astype(int), ref)
    # and the summaries are those of the paths
    probs = np.stack([(ref[1:] == c).mean(axis=2) for c in range(k)], axis=2)
    assert np.allclose(res.class_probabilities, probs)


def test_block_size_does_not_change_results(monkeypatch):
    import sim.projection as projection
    W = ring_weights(N_PROV)
    Ps = np.stack([P_PAPER, np.eye(4), P_PAPER, P_PAPER])
    a = project_spatial_markov(INITIAL, Ps, W, 5, n_paths=3000, seed=1)
    monkeypatch.setattr(projection, "_block_size", lambda n, N: 700)
    b = project_spatial_markov(INITIAL, Ps, W, 5, n_paths=3000, seed=1)
    assert np.array_equal(a.class_probabilities, b.class_probabilities)
    assert np.array_equal(a.national_shares, b.national_shares)
    assert np.array_equal(a.years_to_class_or_above, b.years_to_class_or_above, equal_nan=True)


def test_more_than_eight_classes_first_passage():
    # the visited-class bitmask widens beyond 8 classes
    k = 10
    rng = np.random.default_rng(0)
    P = np.triu(rng.random((k, k)))
    P /= P.sum(axis=1, keepdims=True)
    s0 = np.arange(20) % k
    res = project_markov(s0, P, 5, n_paths=10_000, seed=0)
    Pa = P.copy()
    Pa[9] = np.eye(k)[9]
    exact = analytic_distribution(s0, Pa, 5)[:, :, 9]
    assert np.abs(res.reached_by[:, :, 9] - exact).max() < 0.02
    with pytest.raises(ValueError, match="fewer paths"):
        project_markov(s0, P, 100, n_paths=40_000)
