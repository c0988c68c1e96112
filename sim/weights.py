"""Spatial weight matrices for Study A (Liu et al. 2026): economic-geographic, contiguity, k-nearest.

All matrices are dense ``numpy`` arrays of shape (n, n), one row and column per province in the
order of the inputs, with a zero diagonal, except the large-n paths below, which return
``scipy.sparse`` CSR matrices. Nothing here reads files except ``contiguity_from_geojson``, which
takes an already parsed GeoJSON dict.

* ``econ_geo_weights``: the paper's economic-geographic matrix (Liu et al. 2026, section "Global
  spatial autocorrelation", W_ij = (1/d_ij^2)(1/|PGDP_i - PGDP_j|)), used for Moran's I.
* ``contiguity_from_geojson`` and ``knn_weights``: geographic proximity, used for the spatial lag of
  the spatial Markov chain (the paper: "a spatial weight matrix ... based on the geographical
  proximity").
* ``row_standardise``: every row divided by its sum.

At county scale (issue 12, thousands of units) dense n x n matrices and the permutation tests on
them stop being affordable:

* ``knn_weights_sparse``: the same k-nearest matrix as ``knn_weights`` (a test checks they are
  identical), built in row blocks as CSR, never n x n at once.
* ``econ_geo_for_inference``: the economic-geographic matrix for Moran's I with its permutation
  tests. Up to ``DENSE_ECON_GEO_LIMIT`` units it is exactly ``econ_geo_weights`` (dense). Above, every
  unit keeps only its ``ECON_GEO_TOP_K`` strongest economic-geographic links (sparse): the dense
  matrix links every pair, so 999 conditional permutations of local Moran would draw n - 1 values
  per unit and permutation (n = 2,800, 20 years: ~1.6e11 draws, hours on 2 cores). The returned
  ``WeightsChoice`` says what was done, why, and how much of each row's weight the kept links carry,
  so the app can show it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius

PGDP_FLOOR_FRACTION = 1e-3
PGDP_GUARD_RULE = (
    "Equal GDP per capita would make 1/|PGDP_i - PGDP_j| infinite. Every |PGDP_i - PGDP_j| is "
    "replaced by max(|PGDP_i - PGDP_j|, f x (max PGDP - min PGDP)) with f = {f:g}, so pairs closer "
    "than that floor all get the same (largest) economic weight.")

ISLAND_RULE = (
    "Provinces whose boundary touches no other province (Hainan is an island) are linked, in both "
    "directions, to the {k} provinces with the nearest capitals (great-circle distance).")


def _as_coords(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(lat, dtype=float).ravel()
    lon = np.asarray(lon, dtype=float).ravel()
    if lat.shape != lon.shape:
        raise ValueError(f"lat and lon must have the same length; found {lat.size} and {lon.size}.")
    if lat.size < 2:
        raise ValueError(f"At least 2 locations are needed; found {lat.size}.")
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
        raise ValueError("lat and lon must be finite numbers (degrees); found NaN or inf.")
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise ValueError("lat must lie in [-90, 90] and lon in [-180, 180] degrees; found values "
                         f"lat in [{lat.min():g}, {lat.max():g}], lon in [{lon.min():g}, {lon.max():g}].")
    return lat, lon


def _haversine_rows(lat, lon, rows) -> np.ndarray:
    """Great-circle distances (km) from the points ``rows`` to every point: shape (len(rows), n).

    The same arithmetic as :func:`great_circle_km` restricted to some rows (identical values), so
    large matrices can be built in blocks; the self-distance is set to 0.
    """
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[rows][:, None] - phi[None, :]
    dlam = lam[rows][:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[rows][:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    d[np.arange(len(rows)), rows] = 0.0
    return d


_ROW_BLOCK = 512  # rows per block of the large-n builders: 512 x n float64 (n = 3,000: 12 MiB)


def great_circle_km(lat, lon) -> np.ndarray:
    """Great-circle (haversine) distances between all pairs of points, in kilometres.

    The paper's "spherical distance between the administrative centers" (Liu et al. 2026, d_ij).

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
        Latitude and longitude in decimal degrees (WGS84).

    Returns
    -------
    ndarray, shape (n, n)
        Symmetric, zero diagonal; Earth radius 6371.0088 km.

    Examples
    --------
    >>> d = great_circle_km([0.0, 0.0], [0.0, 90.0])
    >>> round(float(d[0, 1]), 1)  # a quarter of the equator
    10007.6
    """
    lat, lon = _as_coords(lat, lon)
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    np.fill_diagonal(d, 0.0)
    return d


def _checked_pgdp(pgdp, lat: np.ndarray, floor_fraction: float) -> np.ndarray:
    """PGDP as a float vector, one finite value per location, and a floor fraction in (0, 1]."""
    pgdp = np.asarray(pgdp, dtype=float).ravel()
    if pgdp.shape != lat.shape:
        raise ValueError(f"pgdp must have one value per location ({lat.size}); found {pgdp.size}.")
    if not np.all(np.isfinite(pgdp)):
        raise ValueError("pgdp must be finite; found NaN or inf (is a unit's GDP per capita missing?).")
    if not 0 < floor_fraction <= 1:
        raise ValueError(f"floor_fraction must lie in (0, 1]; found {floor_fraction!r}.")
    return pgdp


def econ_geo_weights(lat, lon, pgdp, floor_fraction: float = PGDP_FLOOR_FRACTION) -> np.ndarray:
    """The paper's economic-geographic weight matrix (raw, not row-standardised).

    Liu et al. (2026), equation of the weight matrix in "Global spatial autocorrelation":
    W_ij = (1 / d_ij^2) * (1 / |PGDP_i - PGDP_j|) for i != j and W_ii = 0, with d_ij the great-circle
    distance between provincial capitals (km) and PGDP the long-run mean GDP per capita.

    Equal-PGDP guard (not in the paper, which divides by zero there): every |PGDP_i - PGDP_j| is
    replaced by ``max(|PGDP_i - PGDP_j|, floor_fraction * (max(PGDP) - min(PGDP)))``; see
    ``PGDP_GUARD_RULE``.

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
        Capital coordinates in degrees.
    pgdp : array_like, shape (n,)
        Long-run mean GDP per capita (any positive unit; the result scales with 1/unit).
    floor_fraction : float, default 1e-3
        Floor of the economic distance as a fraction of the PGDP range, in (0, 1].

    Returns
    -------
    ndarray, shape (n, n)
        Non-negative, zero diagonal. Units are 1/(km^2 * PGDP unit); only ratios matter after
        ``row_standardise``.

    Raises
    ------
    ValueError
        Mismatched lengths, non-finite values, two capitals at the same place, or every PGDP equal
        (the economic term is then undefined for every pair).

    Examples
    --------
    >>> W = econ_geo_weights([30.0, 31.0, 30.0], [110.0, 110.0, 111.0], [1.0, 2.0, 4.0])
    >>> bool(W[0, 1] > W[0, 2])  # nearer and more similar
    True
    """
    lat, lon = _as_coords(lat, lon)
    pgdp = _checked_pgdp(pgdp, lat, floor_fraction)
    spread = float(pgdp.max() - pgdp.min())
    if spread <= 0:
        raise ValueError("Every PGDP value is equal, so 1/|PGDP_i - PGDP_j| is undefined for every "
                         "pair; the economic-geographic matrix needs differing GDP per capita.")
    d = great_circle_km(lat, lon)
    off = ~np.eye(lat.size, dtype=bool)
    if np.any(d[off] <= 0):
        i, j = np.argwhere((d <= 0) & off)[0]
        raise ValueError(f"Locations {i} and {j} have the same coordinates; 1/d^2 is undefined.")
    econ = np.maximum(np.abs(pgdp[:, None] - pgdp[None, :]), floor_fraction * spread)
    W = np.zeros_like(d)
    W[off] = 1.0 / (d[off] ** 2 * econ[off])
    return W


def row_standardise(W, zero_diagonal: bool = False) -> np.ndarray:
    """Divide each row by its sum (a new array; the input is not modified).

    The one row standardisation of the package (Moran's I, spatial Markov lags, the simulator).

    Parameters
    ----------
    W : array_like or scipy.sparse matrix, shape (n, n)
        Non-negative weights. A sparse matrix stays sparse (a new CSR matrix, never densified).
    zero_diagonal : bool
        Set the diagonal to 0 first (a unit is not its own neighbour in a spatial lag).

    Returns
    -------
    ndarray, shape (n, n), or CSR matrix for sparse input
        Rows summing to 1.

    Raises
    ------
    ValueError
        Not square, negative or non-finite entries, or a row with zero sum (a unit without
        neighbours has no spatial lag; give it neighbours first, e.g. ``ISLAND_RULE``).

    Examples
    --------
    >>> row_standardise([[0, 1, 3], [1, 0, 1], [2, 2, 0]]).tolist()
    [[0.0, 0.25, 0.75], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]
    """
    from scipy import sparse

    if sparse.issparse(W):
        return _row_standardise_sparse(W, zero_diagonal)
    W = check_weights(W)
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    rs = W.sum(axis=1)
    if np.any(rs <= 0):
        bad = np.flatnonzero(rs <= 0).tolist()
        raise ValueError(f"Rows {bad} of W sum to zero (units with no neighbour); cannot "
                         "row-standardise. Link them to neighbours first.")
    return W / rs[:, None]


def _row_standardise_sparse(W, zero_diagonal: bool = False):
    """``row_standardise`` for a scipy.sparse matrix: the same checks and division, CSR out."""
    from scipy import sparse

    S = sparse.csr_matrix(W, dtype=float, copy=True)
    if S.shape[0] != S.shape[1]:
        raise ValueError(f"W must be a square (n, n) matrix; found shape {S.shape}.")
    if not np.all(np.isfinite(S.data)):
        raise ValueError("W must be finite; found NaN or inf.")
    if np.any(S.data < 0):
        raise ValueError("W must be non-negative; found negative weights.")
    if zero_diagonal and np.any(S.diagonal()):
        S = sparse.csr_matrix(S - sparse.diags(S.diagonal()))
    S.eliminate_zeros()
    rs = np.asarray(S.sum(axis=1)).ravel()
    if np.any(rs <= 0):
        bad = np.flatnonzero(rs <= 0).tolist()
        raise ValueError(f"Rows {bad[:20]} of W sum to zero (units with no neighbour); cannot "
                         "row-standardise. Link them to neighbours first.")
    S.data /= np.repeat(rs, np.diff(S.indptr))
    return S


def check_weights(W) -> np.ndarray:
    """Validate a weight matrix and return it as a new float array of shape (n, n)."""
    W = np.array(W, dtype=float, copy=True)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square (n, n) matrix; found shape {W.shape}.")
    if not np.all(np.isfinite(W)):
        raise ValueError("W must be finite; found NaN or inf.")
    if np.any(W < 0):
        raise ValueError("W must be non-negative; found negative weights.")
    return W


def knn_weights(lat, lon, k: int) -> np.ndarray:
    """Binary k-nearest-neighbour weights by great-circle distance between capitals.

    Row i has 1 for the k nearest other locations (ties broken by index order), else 0; the
    matrix is not symmetric in general.

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
    k : int, 1 <= k < n

    Returns
    -------
    ndarray, shape (n, n)

    Examples
    --------
    >>> knn_weights([0.0, 0.0, 0.0], [0.0, 1.0, 3.0], 1).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    d = great_circle_km(lat, lon)
    n = d.shape[0]
    if not (isinstance(k, (int, np.integer)) and 1 <= k < n):
        raise ValueError(f"k must be an integer in [1, {n - 1}]; found {k!r}.")
    d = d.copy()
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
    W = np.zeros((n, n))
    W[np.arange(n)[:, None], nearest] = 1.0
    return W


def contiguity_from_geojson(geojson: dict, names, lat=None, lon=None, tolerance_deg: float = 0.02,
                            island_k: int = 2) -> np.ndarray:
    """Binary contiguity weights from province boundaries, with a rule for islands.

    Two provinces are neighbours when their polygons touch or come within ``tolerance_deg``
    (simplified boundaries do not always share vertices exactly). A province with no neighbour
    (Hainan) is linked both ways to its ``island_k`` nearest capitals (``ISLAND_RULE``); this needs
    ``lat`` and ``lon``. Used for the spatial lag of the spatial Markov chain (Liu et al. 2026,
    "a spatial weight matrix is constructed based on the geographical proximity").

    Parameters
    ----------
    geojson : dict
        Parsed GeoJSON FeatureCollection; each feature's properties must hold the province name in
        ``name_en`` or ``name`` (as in ``data/geo/provinces_ne10m_simplified.geojson``).
    names : sequence of str, length n
        Province names in the order wanted for the rows.
    lat, lon : array_like, shape (n,), optional
        Capital coordinates, required only if some province has no contiguous neighbour.
    tolerance_deg : float, default 0.02
    island_k : int, default 2

    Returns
    -------
    ndarray, shape (n, n)
        Symmetric 0/1 matrix, zero diagonal.
    """
    from shapely.geometry import shape

    names = list(names)
    geoms = {}
    for feat in geojson.get("features", []):
        props = feat.get("properties") or {}
        key = props.get("name_en", props.get("name"))
        if key in names:
            geoms[key] = shape(feat["geometry"]).buffer(0)
    missing = [nm for nm in names if nm not in geoms]
    if missing:
        raise ValueError(f"No boundary feature for: {', '.join(missing)} (expected properties "
                         "'name_en' or 'name' matching the province names).")
    n = len(names)
    polys = [geoms[nm] for nm in names]
    W = np.zeros((n, n))
    # pairs within the tolerance from an R-tree ("dwithin": the same test, distance <= tolerance),
    # not all n(n-1)/2 distances: thousands of counties stay fast
    from shapely import STRtree

    left, right = STRtree(polys).query(polys, predicate="dwithin", distance=tolerance_deg)
    keep = left != right
    W[left[keep], right[keep]] = 1.0
    W = np.maximum(W, W.T)
    isolated = np.flatnonzero(W.sum(axis=1) == 0)
    if isolated.size:
        if lat is None or lon is None:
            raise ValueError(f"{', '.join(names[i] for i in isolated)} touch no other province; pass "
                             "lat and lon so they can be linked to their nearest capitals.")
        d = great_circle_km(lat, lon).copy()
        if d.shape[0] != n:
            raise ValueError(f"lat/lon must have {n} entries (one per name); found {d.shape[0]}.")
        np.fill_diagonal(d, np.inf)
        for i in isolated:
            for j in np.argsort(d[i], kind="stable")[:island_k]:
                W[i, j] = W[j, i] = 1.0
    return W


def study_weights(kind: str = "econ_geo", pgdp=None, k: int = 4) -> np.ndarray:
    """Convenience: a weight matrix for the 30 study provinces in ``schema.province_names()`` order.

    Reads the shipped registries (``data/geo``). ``kind`` is "econ_geo" (needs ``pgdp``, shape (30,),
    same order), "contiguity" (shipped Natural Earth boundaries plus ``ISLAND_RULE`` with k=2) or
    "knn" (``k`` nearest capitals). Raw (not row-standardised).
    """
    import json

    from sim import schema

    provs = schema.provinces()
    lat = [p.capital_lat for p in provs]
    lon = [p.capital_lon for p in provs]
    if kind == "econ_geo":
        if pgdp is None:
            raise ValueError("kind='econ_geo' needs pgdp (long-run mean GDP per capita per province).")
        return econ_geo_weights(lat, lon, pgdp)
    if kind == "contiguity":
        path = schema.DATA_DIR / "geo" / "provinces_ne10m_simplified.geojson"
        gj = json.loads(path.read_text(encoding="utf-8"))
        return contiguity_from_geojson(gj, [p.name for p in provs], lat, lon)
    if kind == "knn":
        return knn_weights(lat, lon, k)
    raise ValueError(f"kind must be 'econ_geo', 'contiguity' or 'knn'; found {kind!r}.")


def long_run_mean_pgdp(panel, names=None) -> np.ndarray:
    """Mean GDP per capita per province over all years of a province panel (the paper's PGDP-bar).

    Parameters
    ----------
    panel : DataFrame
        Province panel with columns ``province``, ``year``, ``gdp_per_capita``.
    names : sequence of str, optional
        Output order; default ``schema.province_names()``.

    Returns
    -------
    ndarray, shape (n,)
    """
    from sim import schema

    names = list(schema.province_names() if names is None else names)
    for col in (schema.PROVINCE, schema.GDP_PER_CAPITA):
        if col not in panel.columns:
            raise ValueError(f"The province panel needs a '{col}' column; found {list(panel.columns)[:8]}...")
    means = panel.groupby(schema.PROVINCE)[schema.GDP_PER_CAPITA].mean()
    missing = [nm for nm in names if nm not in means.index or not np.isfinite(means[nm])]
    if missing:
        raise ValueError(f"No GDP per capita for: {', '.join(missing)}.")
    return means.loc[names].to_numpy(dtype=float)


# --- large n (issue 12: ~290 cities, ~2,800 counties) -----------------------------------------
DENSE_ECON_GEO_LIMIT = 300  # units; up to here Moran's I uses the paper's dense matrix unchanged
ECON_GEO_TOP_K = 32  # links kept per unit above the limit

ECON_GEO_SPARSE_RULE = (
    "With {n:,} units the paper's economic-geographic matrix links every pair ({pairs:,} links), and "
    "999 conditional permutations of local Moran would draw {n_1:,} values per unit, permutation and "
    "year (hours on 2 cores). Above {limit:,} units each unit therefore keeps only its {k} strongest "
    "economic-geographic links (largest (1/d^2)(1/|PGDP_i - PGDP_j|)); those carry on average "
    "{kept:.1%} of a row's total weight (least: {kept_min:.1%}). Moran's I and its tests are "
    "computed on this sparse matrix, row-standardised.")


def knn_weights_sparse(lat, lon, k: int):
    """The matrix of :func:`knn_weights` as ``scipy.sparse`` CSR, built in row blocks.

    Identical entries (same great-circle distances, same stable tie-breaking by index), without
    ever holding the n x n matrix: memory ~ 512 x n per block plus n x k. For thousands of units
    (counties), where the dense matrix and its products are the cost.

    Examples
    --------
    >>> knn_weights_sparse([0.0, 0.0, 0.0], [0.0, 1.0, 3.0], 1).toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    from scipy import sparse

    lat, lon = _as_coords(lat, lon)
    n = lat.size
    if not (isinstance(k, (int, np.integer)) and 1 <= k < n):
        raise ValueError(f"k must be an integer in [1, {n - 1}]; found {k!r}.")
    k = int(k)
    cols = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, _ROW_BLOCK):
        rows = np.arange(start, min(n, start + _ROW_BLOCK))
        d = _haversine_rows(lat, lon, rows)
        d[np.arange(rows.size), rows] = np.inf
        cols[rows] = np.argsort(d, axis=1, kind="stable")[:, :k]
    cols.sort(axis=1)
    indptr = np.arange(0, n * k + 1, k)
    return sparse.csr_matrix((np.ones(n * k), cols.ravel(), indptr), shape=(n, n))


def _top_k_links(lat, lon, k: int, weight_rows):
    """Each unit's ``k`` largest weights ``weight_rows(rows, d)`` (d: great-circle km from ``rows`` to
    every unit, inf on the diagonal) as a CSR matrix, built in row blocks, and the share of each row's
    total weight they carry. Coincident locations are an error (1/d^2 undefined)."""
    from scipy import sparse

    n = lat.size
    cols = np.empty((n, k), dtype=np.int64)
    vals = np.empty((n, k))
    kept = np.empty(n)
    for start in range(0, n, _ROW_BLOCK):
        rows = np.arange(start, min(n, start + _ROW_BLOCK))
        r = np.arange(rows.size)
        d = _haversine_rows(lat, lon, rows)
        d[r, rows] = np.inf  # W_ii = 0
        if np.any(d <= 0):
            i, j = np.argwhere(d <= 0)[0]
            raise ValueError(f"Locations {rows[i]} and {j} have the same coordinates; 1/d^2 is undefined.")
        w = weight_rows(rows, d)
        top = np.argpartition(w, n - k, axis=1)[:, n - k:]
        top.sort(axis=1)
        cols[rows] = top
        vals[rows] = np.take_along_axis(w, top, axis=1)
        kept[rows] = vals[rows].sum(axis=1) / w.sum(axis=1)
    return sparse.csr_matrix((vals.ravel(), cols.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n)), kept


@dataclass(frozen=True)
class WeightsChoice:
    """A weight matrix and what was done to get it (for the app to say).

    Attributes
    ----------
    W : ndarray (n, n) or scipy.sparse CSR
        Raw (not row-standardised) weights.
    exact : bool
        True when ``W`` is the paper's matrix unchanged.
    k : int or None
        Links kept per unit when not exact.
    kept_share, kept_share_min : float
        Mean and least share of a row's total (dense) weight carried by the kept links (1.0 exact).
    message : str
        Plain-language statement of the choice and why ("" when exact).
    """

    W: object
    exact: bool
    k: int | None
    kept_share: float
    kept_share_min: float
    message: str


def econ_geo_for_inference(lat, lon, pgdp, max_dense: int = DENSE_ECON_GEO_LIMIT, k: int = ECON_GEO_TOP_K,
                           floor_fraction: float = PGDP_FLOOR_FRACTION) -> WeightsChoice:
    """The economic-geographic W for Moran's I with permutation tests, affordable at any n.

    Up to ``max_dense`` units: exactly :func:`econ_geo_weights` (Liu et al. 2026), ``exact=True``.
    Above: every unit's ``k`` largest weights of the same matrix (same formula, same equal-PGDP
    guard), as a sparse CSR matrix, built in row blocks; ``message`` states the choice
    (``ECON_GEO_SPARSE_RULE``) with the share of each row's weight the kept links carry. The
    dense matrix is never held at once above the limit.

    Parameters
    ----------
    lat, lon, pgdp, floor_fraction
        As :func:`econ_geo_weights`.
    max_dense : int, default 300
        Dense (exact) up to this many units. The dense local Moran costs ~ n^2 x 999 per year
        (n = 290: ~1 s a year on one core; n = 1,000: ~10 s), hence the limit.
    k : int, default 32

    Returns
    -------
    WeightsChoice
    """
    lat, lon = _as_coords(lat, lon)
    n = lat.size
    if n <= max_dense:
        return WeightsChoice(econ_geo_weights(lat, lon, pgdp, floor_fraction), True, None, 1.0, 1.0, "")
    pgdp = _checked_pgdp(pgdp, lat, floor_fraction)
    if not (isinstance(k, (int, np.integer)) and 1 <= k < n):
        raise ValueError(f"k must be an integer in [1, {n - 1}]; found {k!r}.")
    spread = float(pgdp.max() - pgdp.min())
    if spread <= 0:
        raise ValueError("Every PGDP value is equal, so 1/|PGDP_i - PGDP_j| is undefined for every "
                         "pair; the economic-geographic matrix needs differing GDP per capita.")
    def econ_rows(rows, d):
        econ = np.maximum(np.abs(pgdp[rows][:, None] - pgdp[None, :]), floor_fraction * spread)
        return 1.0 / (d ** 2 * econ)

    W, kept = _top_k_links(lat, lon, int(k), econ_rows)
    msg = ECON_GEO_SPARSE_RULE.format(n=n, pairs=n * (n - 1), n_1=n - 1, limit=max_dense, k=k,
                                      kept=float(kept.mean()), kept_min=float(kept.min()))
    return WeightsChoice(W, False, k, float(kept.mean()), float(kept.min()), msg)


INVERSE_DISTANCE_SPARSE_RULE = (
    "With {n:,} units and no GDP per capita, the inverse-distance-squared matrix (1/d^2) links every "
    "pair ({pairs:,} links), and 999 conditional permutations of local Moran would take hours on 2 "
    "cores. Above {limit:,} units each unit therefore keeps only its {k} nearest units, weighted 1/d^2; "
    "those carry on average {kept:.1%} of a row's total weight (least: {kept_min:.1%}). Moran's I and "
    "its tests are computed on this sparse matrix, row-standardised.")


def inverse_distance_weights(lat, lon) -> np.ndarray:
    """Dense 1/d^2 weights (great-circle km), zero diagonal: Moran's weights when no GDP per capita
    is loaded (the distance part of Liu et al. 2026's economic-geographic matrix).

    >>> inverse_distance_weights([0.0, 0.0], [0.0, 1.0]).round(6).tolist()
    [[0.0, 8.1e-05], [8.1e-05, 0.0]]
    """
    d = great_circle_km(lat, lon)
    if np.any(d[~np.eye(d.shape[0], dtype=bool)] <= 0):
        raise ValueError("Two units have the same coordinates; 1/d^2 is undefined.")
    W = np.where(d > 0, 1.0 / np.maximum(d, 1e-9) ** 2, 0.0)
    np.fill_diagonal(W, 0.0)
    return W


def inverse_distance_for_inference(lat, lon, max_dense: int = DENSE_ECON_GEO_LIMIT,
                                   k: int = ECON_GEO_TOP_K) -> WeightsChoice:
    """:func:`inverse_distance_weights`, affordable at any n (as :func:`econ_geo_for_inference`).

    Up to ``max_dense`` units the dense matrix (``exact=True``); above, each unit's ``k`` largest
    weights, i.e. its ``k`` nearest units weighted 1/d^2, sparse, with ``message`` saying so.
    """
    lat, lon = _as_coords(lat, lon)
    n = lat.size
    if n <= max_dense:
        return WeightsChoice(inverse_distance_weights(lat, lon), True, None, 1.0, 1.0, "")
    if not (isinstance(k, (int, np.integer)) and 1 <= k < n):
        raise ValueError(f"k must be an integer in [1, {n - 1}]; found {k!r}.")
    W, kept = _top_k_links(lat, lon, int(k), lambda rows, d: 1.0 / d ** 2)
    msg = INVERSE_DISTANCE_SPARSE_RULE.format(n=n, pairs=n * (n - 1), limit=max_dense, k=int(k),
                                              kept=float(kept.mean()), kept_min=float(kept.min()))
    return WeightsChoice(W, False, int(k), float(kept.mean()), float(kept.min()), msg)
