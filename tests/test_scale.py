"""Study A at scale (issue 12): the synthetic county panel and the large-n paths of the analysis
modules, each checked against the plain implementation it replaces at scale. No timings here (speed
is measured by bench/scale.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from sim import density, markov, mlp, moran, projection, synthetic, weights
from sim.coupling import EntropyFrame


# --- synthetic panel -------------------------------------------------------------------------
def test_synthetic_is_seeded_and_shaped():
    a = synthetic.generate(120, 6, seed=3)
    b = synthetic.generate(120, 6, seed=3)
    c = synthetic.generate(120, 6, seed=4)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    pd.testing.assert_frame_equal(a.units, b.units)
    assert not a.panel.equals(c.panel)
    assert a.panel.shape == (120 * 6, 3 + 35)
    assert list(a.panel.columns[:3]) == ["province", "year", "gdp_per_capita"]
    assert a.panel["province"].nunique() == 120 and a.panel["year"].nunique() == 6
    assert list(a.units.columns) == ["unit", "lat", "lon", "group"]
    assert list(a.units["unit"]) == list(pd.unique(a.panel["province"]))
    assert a.units["lat"].between(*synthetic.LAT_RANGE).all()
    assert a.units["lon"].between(*synthetic.LON_RANGE).all()
    assert set(a.units["group"]) == {"East", "Central", "West"}
    east = a.units["group"] == "East"
    assert (a.units.loc[east, "lon"] >= synthetic.GROUP_BOUNDS[1]).all()
    assert (a.panel["gdp_per_capita"] > 0).all()
    assert np.isfinite(a.panel.iloc[:, 3:].to_numpy()).all() and (a.panel.iloc[:, 3:] > 0).all().all()
    assert "SYNTHETIC" in a.label and "not official" in a.label
    # no two units at the same point (the economic-geographic weights divide by distance)
    assert len(a.units[["lat", "lon"]].drop_duplicates()) == 120


def test_synthetic_accepts_another_indicator_system():
    s = synthetic.generate(40, 3, seed=0, systems={"nqpf": ["a", "b", "c"], "inno": ["x", "y"]},
                           directions={"c": -1})
    assert list(s.panel.columns) == ["province", "year", "gdp_per_capita", "a", "b", "c", "x", "y"]
    assert s.directions == {"a": 1, "b": 1, "c": -1, "x": 1, "y": 1}
    # a negative indicator falls as the level (seen through a positive one) rises
    assert np.corrcoef(s.panel["a"], s.panel["c"])[0, 1] < 0
    with pytest.raises(ValueError, match="at least 2"):
        synthetic.generate(40, 3, systems={"nqpf": ["a"], "inno": ["x", "y"]})


def test_synthetic_coupling_is_spatially_autocorrelated_and_spread_over_classes():
    s = synthetic.generate(300, 5, seed=0)
    f = EntropyFrame.fit(s.panel, systems=s.systems, directions=s.directions)
    D = s.wide(f.transform(s.panel)["D"].to_numpy())
    K = weights.knn_weights_sparse(s.units["lat"], s.units["lon"], 6)
    for col in D.columns:
        g = moran.global_moran(D[col].to_numpy(), K, permutations=99, seed=1)
        assert g.I > 0.3 and g.p_sim <= 0.01
    # an upward trend, and more than one coordination class (the Markov chains need transitions)
    assert D.iloc[:, -1].mean() > D.iloc[:, 0].mean()
    assert len(np.unique(markov.classify(D.to_numpy(), markov.FIXED_CUTOFFS))) >= 3


# --- weights ---------------------------------------------------------------------------------
def _points(n, seed=0):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(20, 45, n), rng.uniform(80, 125, n)
    lat[5], lon[5] = lat[4], lon[4] + 1.0  # a tie in distance for unit 4's neighbours...
    lat[6], lon[6] = lat[4], lon[4] - 1.0  # ...broken by index in both implementations
    return lat, lon


@pytest.mark.parametrize("k", [1, 4, 9])
def test_sparse_knn_is_the_dense_knn(k, monkeypatch):
    lat, lon = _points(700)
    monkeypatch.setattr(weights, "_ROW_BLOCK", 128)  # several row blocks
    S = weights.knn_weights_sparse(lat, lon, k)
    assert sparse.issparse(S)
    np.testing.assert_array_equal(S.toarray(), weights.knn_weights(lat, lon, k))


def test_econ_geo_for_inference_is_exact_below_the_limit():
    lat, lon = _points(30)
    pgdp = np.random.default_rng(1).uniform(3e4, 2e5, 30)
    c = weights.econ_geo_for_inference(lat, lon, pgdp)
    assert c.exact and c.k is None and c.message == "" and c.kept_share == 1.0
    np.testing.assert_array_equal(c.W, weights.econ_geo_weights(lat, lon, pgdp))


def test_econ_geo_for_inference_keeps_each_rows_strongest_links_above_the_limit(monkeypatch):
    n, k = 300, 7
    lat, lon = _points(n)
    pgdp = np.random.default_rng(2).uniform(3e4, 2e5, n)
    pgdp[10] = pgdp[11]  # equal PGDP: the guard applies as in the dense matrix
    monkeypatch.setattr(weights, "_ROW_BLOCK", 64)
    c = weights.econ_geo_for_inference(lat, lon, pgdp, max_dense=100, k=k)
    dense = weights.econ_geo_weights(lat, lon, pgdp)
    assert not c.exact and c.k == k and sparse.issparse(c.W)
    S = c.W.toarray()
    assert (np.count_nonzero(S, axis=1) == k).all()
    for i in range(n):
        top = np.sort(dense[i])[-k:]
        np.testing.assert_allclose(np.sort(S[i][S[i] > 0]), top, rtol=1e-12)
    share = np.sort(dense, axis=1)[:, -k:].sum(axis=1) / dense.sum(axis=1)
    assert c.kept_share == pytest.approx(share.mean(), rel=1e-9)
    assert c.kept_share_min == pytest.approx(share.min(), rel=1e-9)
    assert f"{k} strongest" in c.message and "300 units" in c.message and "%" in c.message


def test_sparse_row_standardise_matches_dense():
    rng = np.random.default_rng(0)
    W = rng.uniform(0, 1, (40, 40)) * (rng.uniform(size=(40, 40)) < 0.2)
    W[np.arange(40), (np.arange(40) + 1) % 40] = 0.5  # no empty row
    for zd in (False, True):
        S = weights.row_standardise(sparse.csr_matrix(W), zero_diagonal=zd)
        assert sparse.issparse(S)
        np.testing.assert_allclose(S.toarray(), weights.row_standardise(W, zero_diagonal=zd), rtol=1e-14)
    with pytest.raises(ValueError, match="sum to zero"):
        weights.row_standardise(sparse.csr_matrix(np.zeros((3, 3))))


# --- Moran, Markov, forward model on sparse weights ------------------------------------------
def test_moran_and_markov_agree_on_sparse_and_dense_weights():
    lat, lon = _points(150)
    K = weights.knn_weights(lat, lon, 5)
    rng = np.random.default_rng(0)
    D = np.clip(0.4 + 0.1 * np.sin(lat / 3.0)[:, None] + rng.normal(0, 0.05, (150, 6)).cumsum(1), 0, 1)
    for Wd, Ws in ((K, sparse.csr_matrix(K)),):
        gd, gs = moran.global_moran(D[:, 0], Wd, 99, 1), moran.global_moran(D[:, 0], Ws, 99, 1)
        assert gd.I == pytest.approx(gs.I, rel=1e-12) and gd.p_sim == gs.p_sim
        ld, ls = moran.local_moran(D[:, 0], Wd, 99, 1), moran.local_moran(D[:, 0], Ws, 99, 1)
        np.testing.assert_allclose(ld.Is, ls.Is, rtol=1e-12)
        np.testing.assert_array_equal(ld.p_sim, ls.p_sim)
        md, ms = markov.spatial_markov(D, Wd, "quartile"), markov.spatial_markov(D, Ws, "quartile")
        np.testing.assert_array_equal(md.counts, ms.counts)
        assert md.Q == pytest.approx(ms.Q)


def test_local_moran_many_neighbours_draws_distinct_others():
    # k = 12 > 8 neighbours: the duplicate check by sorting (32-bit copies)
    rng = np.random.default_rng(5)
    units = np.arange(0, 400, 7)
    ids = moran._distinct_others(rng, units, 400, 50, 12)
    assert ids.shape == (units.size, 50, 12)
    s = np.sort(ids, axis=-1)
    assert not (s[..., 1:] == s[..., :-1]).any()
    assert not (ids == units[:, None, None]).any() and ids.min() >= 0 and ids.max() < 400


def test_forward_model_on_sparse_weights_gives_the_dense_paths():
    lat, lon = _points(60)
    K = weights.knn_weights(lat, lon, 4)
    rng = np.random.default_rng(0)
    D = np.clip(0.35 + 0.15 * np.sin(lon / 5.0)[:, None] + rng.normal(0, 0.04, (60, 8)).cumsum(1), 0.01, 0.99)
    sm = markov.spatial_markov(D, K, "quartile")
    fd = projection.fit_forward_model(D, K, sm.cutoffs, sm.P, sm.pooled.P)
    fs = projection.fit_forward_model(D, sparse.csr_matrix(K), sm.cutoffs, sm.P, sm.pooled.P)
    assert sparse.issparse(fs.W)
    eff = np.zeros((60, 5))
    eff[:10, 2:] = 0.05
    for e in (None, eff):
        pd_ = projection.simulate_paths(fd, D[:, -1], 4, 300, seed=2, effects=e)
        ps = projection.simulate_paths(fs, D[:, -1], 4, 300, seed=2, effects=e)
        np.testing.assert_allclose(pd_.D, ps.D, atol=1e-6)
        assert (pd_.classes == ps.classes).mean() > 0.999  # float32 sums in another order
    np.testing.assert_array_equal(projection.transition_frequencies(pd_, K, sm.cutoffs),
                                  projection.transition_frequencies(pd_, sparse.csr_matrix(K), sm.cutoffs))


# --- densities -------------------------------------------------------------------------------
def test_joint_density_whitened_path_agrees_with_the_quadratic_form(monkeypatch):
    rng = np.random.default_rng(0)
    D = np.clip(rng.uniform(0.2, 0.6, (300, 1)) + rng.normal(0.01, 0.03, (300, 8)).cumsum(1), 0, 1)
    plain = density.joint_kde(D, num=40)
    monkeypatch.setattr(density, "LARGE_PAIRS", 100)
    monkeypatch.setattr(density, "_BLOCK_ELEMENTS", 5000)  # several blocks
    fast = density.joint_kde(D, num=40)
    np.testing.assert_allclose(fast.density, plain.density, rtol=1e-9, atol=1e-12 * plain.density.max())


# --- MLP out-of-fold scheme at scale ---------------------------------------------------------
def _mlp_data(n_units, years=3, seed=0):
    s = synthetic.generate(n_units, years, seed=seed)
    f = EntropyFrame.fit(s.panel, systems=s.systems, directions=s.directions)
    return f.normalise(s.panel, "nqpf"), f.normalise(s.panel, "inno"), s.panel["province"].to_numpy()


def test_mlp_keeps_one_fold_per_unit_up_to_max_folds():
    Xn, Xi, g = _mlp_data(30)
    m = mlp.fit_coupling(Xn, Xi, method="crosspred", groups=g, epochs=3)
    note = m.diagnostics["folds"]
    assert note == {"n_folds": 30, "n_groups": 30, "train_rows": None, "message": ""}
    assert m.towers["nqpf"][0][0].shape[0] == 30


def test_mlp_folds_of_whole_units_and_row_samples_above_the_caps():
    Xn, Xi, g = _mlp_data(80)
    m = mlp.fit_coupling(Xn, Xi, method="crosspred", groups=g, epochs=3, max_train_rows=100)
    note = m.diagnostics["folds"]
    assert note["n_folds"] == mlp.ROW_FOLDS_WITHOUT_GROUPS and note["n_groups"] == 80
    assert note["train_rows"] == 100 and "80 units" in note["message"] and "100" in note["message"]
    assert m.towers["nqpf"][0][0].shape[0] == mlp.ROW_FOLDS_WITHOUT_GROUPS
    # every unit sits in exactly one fold, and its rows are scored by that fold's model
    assert set(m.fold_of_group) == set(g)
    np.testing.assert_allclose(m.coupling(Xn, Xi, g), m.train_coupling, rtol=1e-12)
    # the sampled training rows of a fold never include a row of the fold's own units
    folds = np.array([m.fold_of_group[x] for x in g])
    idx = mlp._train_index(folds, 10, 100, 0)
    assert idx.shape == (10, 100)
    for f in range(10):
        assert (folds[idx[f]] != f).all() and np.unique(idx[f]).size == 100
    ens = mlp.fit_ensemble(Xn, Xi, method="cca", seeds=(0, 1), groups=g, epochs=2, max_train_rows=100)
    assert ens.diagnostics["folds"]["n_folds"] == 10 and ens.diagnostics["folds"]["message"]


def test_mlp_fold_by_fold_inference_matches_the_row_gather():
    rng = np.random.default_rng(0)
    layers = [(rng.normal(size=(5, 7, 4)), rng.normal(size=(5, 1, 4))),
              (rng.normal(size=(5, 4, 3)), rng.normal(size=(5, 1, 3)))]
    X = rng.normal(size=(500, 7))
    idx = rng.integers(0, 5, 500)
    gathered = mlp._forward_rows(layers, X, idx)  # 500 rows < LARGE_ROWS: the per-row gather
    np.testing.assert_allclose(mlp._forward_rows_grouped(layers, X, idx), gathered, rtol=1e-12, atol=1e-12)


def test_global_moran_dense_blas_path_matches_the_sparse_product(monkeypatch):
    lat, lon = _points(120)
    pgdp = np.random.default_rng(3).uniform(3e4, 2e5, 120)
    W = weights.econ_geo_weights(lat, lon, pgdp)
    y = np.sin(lat / 4.0) + np.random.default_rng(4).normal(0, 0.3, 120)
    plain = moran.global_moran(y, W, 499, seed=7)
    monkeypatch.setattr(moran, "DENSE_BLAS_MIN_UNITS", 50)
    fast = moran.global_moran(y, W, 499, seed=7)
    for key in ("I", "VI_norm", "VI_rand", "z_norm", "z_rand", "p_norm", "p_rand"):
        assert getattr(fast, key) == pytest.approx(getattr(plain, key), rel=1e-10)
    assert fast.p_sim == plain.p_sim


def test_forward_model_stores_a_large_sparse_proximity_matrix_sparse(monkeypatch):
    lat, lon = _points(80)
    K = weights.knn_weights(lat, lon, 3)
    rng = np.random.default_rng(1)
    D = np.clip(0.4 + 0.1 * np.cos(lat / 4.0)[:, None] + rng.normal(0, 0.04, (80, 6)).cumsum(1), 0.01, 0.99)
    sm = markov.spatial_markov(D, K, "quartile")
    dense = projection.fit_forward_model(D, K, sm.cutoffs, sm.P, sm.pooled.P)
    assert not sparse.issparse(dense.W)  # few units: dense, as before
    monkeypatch.setattr(projection, "SPARSE_LAG_MIN_UNITS", 50)
    fs = projection.fit_forward_model(D, K, sm.cutoffs, sm.P, sm.pooled.P)
    assert sparse.issparse(fs.W)
    np.testing.assert_allclose(fs.W.toarray(), dense.W, rtol=0, atol=0)
    a = projection.simulate_paths(dense, D[:, -1], 3, 200, seed=5)
    b = projection.simulate_paths(fs, D[:, -1], 3, 200, seed=5)
    np.testing.assert_allclose(a.D, b.D, atol=1e-6)


def test_paths_for_keeps_10000_paths_for_provinces_and_caps_counties():
    assert projection.paths_for(30) == (10_000, "")
    assert projection.paths_for(300) == (10_000, "")
    n, note = projection.paths_for(2800)
    assert n == 1071 and "2,800 units" in note and "1,071" in note and "10,000" in note
    assert n * 2800 * 6 <= projection.MAX_CELLS  # the default horizon fits the forward model's limit
    assert projection.paths_for(10 ** 6)[0] == projection.MIN_PATHS
    assert projection.paths_for(2800, requested=500) == (500, "")


def test_inverse_distance_for_inference_keeps_each_units_nearest_links():
    """Without GDP per capita: dense 1/d^2 up to the limit; above, each unit's k largest 1/d^2 weights
    (its k nearest units), the same values as the dense matrix, with a message naming the choice."""
    from sim import weights

    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(20, 45, 60), rng.uniform(90, 125, 60)
    dense = weights.inverse_distance_weights(lat, lon)
    small = weights.inverse_distance_for_inference(lat, lon, max_dense=100)
    assert small.exact and small.message == "" and np.array_equal(small.W, dense)
    big = weights.inverse_distance_for_inference(lat, lon, max_dense=10, k=5)
    assert not big.exact and big.k == 5 and "5 nearest units" in big.message
    W = big.W.toarray()
    for i in range(60):
        keep = np.nonzero(W[i])[0]
        assert len(keep) == 5
        np.testing.assert_allclose(W[i, keep], dense[i, keep], rtol=1e-12)
        assert set(keep) == set(np.argsort(-dense[i])[:5])
    kept = (W.sum(axis=1) / dense.sum(axis=1))
    assert big.kept_share == pytest.approx(kept.mean()) and big.kept_share_min == pytest.approx(kept.min())
