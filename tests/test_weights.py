"""Weights for Study A: haversine distances, the paper's economic-geographic matrix, contiguity, kNN."""
import json

import numpy as np
import pytest

from sim import schema, weights


def test_great_circle_known_distance_and_symmetry():
    # Beijing (39.907, 116.397) to Shanghai (31.222, 121.458): about 1067 km
    d = weights.great_circle_km([39.907, 31.222], [116.397, 121.458])
    assert d[0, 1] == pytest.approx(1067, abs=5)
    assert d[0, 1] == d[1, 0] and d[0, 0] == 0


def test_econ_geo_formula_zero_diagonal_and_row_standardisation():
    lat, lon, pg = [30.0, 31.0, 30.0], [110.0, 110.0, 111.0], [1.0, 2.0, 4.0]
    W = weights.econ_geo_weights(lat, lon, pg)
    d = weights.great_circle_km(lat, lon)
    assert np.all(np.diag(W) == 0)
    assert W[0, 1] == pytest.approx(1 / (d[0, 1] ** 2 * 1.0))
    assert W[1, 2] == pytest.approx(1 / (d[1, 2] ** 2 * 2.0))
    assert np.allclose(W, W.T)
    R = weights.row_standardise(W)
    assert np.allclose(R.sum(axis=1), 1) and np.all(np.diag(R) == 0)


def test_equal_pgdp_guard_uses_floor_not_infinity():
    lat, lon, pg = [30.0, 31.0, 32.0], [110.0, 111.0, 112.0], [5.0, 5.0, 15.0]
    W = weights.econ_geo_weights(lat, lon, pg, floor_fraction=0.01)
    d = weights.great_circle_km(lat, lon)
    assert np.all(np.isfinite(W))
    assert W[0, 1] == pytest.approx(1 / (d[0, 1] ** 2 * 0.01 * 10.0))  # floor = 1% of range 10
    with pytest.raises(ValueError, match="Every PGDP value is equal"):
        weights.econ_geo_weights(lat, lon, [3.0, 3.0, 3.0])


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="one value per location"):
        weights.econ_geo_weights([30, 31], [110, 111], [1, 2, 3])
    with pytest.raises(ValueError, match="sum to zero"):
        weights.row_standardise([[0, 1], [0, 0]])
    with pytest.raises(ValueError, match="non-negative"):
        weights.row_standardise([[0, -1], [1, 0]])


def test_row_standardise_does_not_mutate_input():
    W = np.array([[0.0, 2.0], [4.0, 0.0]])
    weights.row_standardise(W)
    assert W[0, 1] == 2.0


def test_knn():
    W = weights.knn_weights([0.0] * 4, [0.0, 1.0, 3.0, 10.0], 2)
    assert W.sum(axis=1).tolist() == [2, 2, 2, 2]
    assert W[3].tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError):
        weights.knn_weights([0.0, 1.0], [0.0, 1.0], 2)


def test_contiguity_of_the_study_provinces():
    names = schema.province_names()
    W = weights.study_weights("contiguity")
    assert W.shape == (30, 30) and np.allclose(W, W.T) and np.all(np.diag(W) == 0)
    assert W.sum(axis=1).min() >= 1
    ix = {n: i for i, n in enumerate(names)}
    assert W[ix["Beijing"], ix["Tianjin"]] == 1 and W[ix["Beijing"], ix["Hebei"]] == 1
    assert W[ix["Beijing"], ix["Shanghai"]] == 0
    assert W[ix["Shanghai"], ix["Jiangsu"]] == 1 and W[ix["Shanghai"], ix["Zhejiang"]] == 1
    # Hainan touches nothing: island rule links it to its 2 nearest capitals
    hn = np.flatnonzero(W[ix["Hainan"]]).tolist()
    assert sorted(names[j] for j in hn) == ["Guangdong", "Guangxi"]


def test_contiguity_island_needs_coordinates():
    sq = lambda x, y: {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}
    gj = {"features": [{"properties": {"name": "A"}, "geometry": sq(0, 0)},
                       {"properties": {"name": "B"}, "geometry": sq(1, 0)},
                       {"properties": {"name": "C"}, "geometry": sq(5, 5)}]}
    with pytest.raises(ValueError, match="touch no other"):
        weights.contiguity_from_geojson(gj, ["A", "B", "C"])
    W = weights.contiguity_from_geojson(gj, ["A", "B", "C"], lat=[0.5, 0.5, 5.5], lon=[0.5, 1.5, 5.5],
                                        island_k=1)
    assert W.tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]


def test_long_run_mean_pgdp():
    import pandas as pd
    panel = pd.DataFrame({"province": ["A", "A", "B", "B"], "year": [1, 2, 1, 2],
                          "gdp_per_capita": [1.0, 3.0, 5.0, 7.0]})
    assert weights.long_run_mean_pgdp(panel, ["B", "A"]).tolist() == [6.0, 2.0]
    with pytest.raises(ValueError, match="No GDP per capita for: C"):
        weights.long_run_mean_pgdp(panel, ["A", "C"])


def test_contiguity_pairs_from_the_rtree_equal_the_all_pairs_rule():
    """Queen contiguity on a lattice of 20 x 15 squares with gaps, found through an R-tree, equals
    the plain rule (distance <= tolerance) over all pairs; corners touch (queen), gaps wider than the
    tolerance do not."""
    from shapely.geometry import box, mapping, shape

    rng = np.random.default_rng(5)
    feats, names = [], []
    for i in range(20):
        for j in range(15):
            g = 0.015 if rng.random() < 0.3 else 0.0  # some cells shrunk: gaps of 0.03 > tolerance 0.02
            feats.append({"type": "Feature", "properties": {"name": f"u{i}_{j}"},
                          "geometry": mapping(box(i + g, j + g, i + 1 - g, j + 1 - g))})
            names.append(f"u{i}_{j}")
    lat = [15.0 + j for i in range(20) for j in range(15)]
    lon = [100.0 + i for i in range(20) for j in range(15)]
    W = weights.contiguity_from_geojson({"features": feats}, names, lat, lon, island_k=1)
    polys = [shape(f["geometry"]) for f in feats]
    n = len(polys)
    ref = np.array([[1.0 if i != j and polys[i].distance(polys[j]) <= 0.02 else 0.0 for j in range(n)]
                    for i in range(n)])
    linked = ref.sum(axis=1) > 0
    np.testing.assert_array_equal(W[np.ix_(linked, linked)], ref[np.ix_(linked, linked)])
    assert W[0].sum() >= 1 and np.array_equal(W, W.T)
