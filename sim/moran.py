"""Global and local Moran's I of the coupling coordination degree (Liu et al. 2026, Table 3, Fig. 7).

Computed in plain vectorised numpy with a seeded ``numpy.random.Generator`` so that results are
reproducible and no page waits on esda's import (~2.6 s) or on the numba compile of
``esda.Moran_Local`` (~17 s in a fresh process). The formulas are esda's (Cliff and Ord 1981;
Anselin 1995) and the tests check this module against ``esda.Moran`` and ``esda.Moran_Local``.

Conventions (said in the UI too):

* ``W`` is row-standardised here (a copy; the caller's array is never modified).
* ``p_norm`` and ``p_rand``: two-sided normal approximation under the normality and the
  randomisation assumption respectively (esda's default).
* ``p_sim``: permutation p, folded one-sided as in esda: (min(#{I_perm >= I}, #{I_perm < I}) + 1) /
  (permutations + 1).
* Local Moran (esda's scaling): z = (y - mean) / sd (ddof 0), I_i = (n - 1) z_i (Wz)_i / sum z^2.
  Quadrants: HH (z > 0, lag > 0), LH (z <= 0, lag > 0), LL (z <= 0, lag <= 0), HL (z > 0, lag <= 0).
  Conditional permutation: for unit i, the other n - 1 values are shuffled over i's weights.
  Only i's k_i neighbours need a value, so each permutation draws k_i distinct others (cost
  ~ n x permutations x neighbours, memory bounded by processing units in chunks); a dense W works
  too, at dense cost.

``W`` may be a numpy array or a ``scipy.sparse`` matrix (e.g. rook contiguity of a 55 x 55 lattice);
sparse weights are never densified. A dense W of more than ``DENSE_BLAS_MIN_UNITS`` (300) units with
most entries non-zero (the paper's economic-geographic matrix of many units) stays dense in global
Moran, whose permutations are then one BLAS product (issue 12: counties); for local Moran on
thousands of units use ``sim.weights.econ_geo_for_inference``, which keeps each unit's strongest
links and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.weights import row_standardise

# Upper bound on the elements of one block of simulated neighbour values (units x permutations x
# neighbours): 2**22 int64 indices + float64 values ~ 64 MiB, whatever the lattice size.
_BLOCK_ELEMENTS = 1 << 22

QUADRANTS = ("HH", "LH", "LL", "HL")
QUADRANT_NAMES = {"HH": "High-High (promotion)", "LH": "Low-High (transition)",
                  "LL": "Low-Low (backward)", "HL": "High-Low (radiation)"}
P_VALUE_NOTE = ("p_norm, p_rand: two-sided normal approximation (normality / randomisation "
                "assumption). p_sim: one-sided folded permutation p-value, (min(#I_perm >= I, "
                "#I_perm < I) + 1)/(permutations + 1).")
DEFAULT_SEED = 20260101


def _norm_sf(x):
    from math import erfc, sqrt

    return 0.5 * erfc(x / sqrt(2.0))


def _row_standardised_csr(W):
    """Row-standardised copy of W as a CSR matrix (the caller's W is never modified).

    Dense input goes through :func:`sim.weights.row_standardise` (the package's one rule); sparse
    input gets the same checks and division without being densified.
    """
    from scipy import sparse

    if not sparse.issparse(W):
        return sparse.csr_matrix(row_standardise(W))
    return row_standardise(W)


DENSE_BLAS_MIN_UNITS = 300  # global Moran's permutations use BLAS for dense W above this many units


def _dense_blas(W) -> bool:
    """True for a dense (not scipy.sparse) square W of more than ``DENSE_BLAS_MIN_UNITS`` units with
    more than a quarter of its entries non-zero: there global Moran runs on the dense array (moments
    and one BLAS product for the permutations) instead of converting it to a sparse matrix of
    ~n^2 entries (2,800 units: ~0.1 s instead of ~0.45 s at 199 permutations). The 30 provinces
    keep the sparse path."""
    from scipy import sparse

    if sparse.issparse(W):
        return False
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] <= DENSE_BLAS_MIN_UNITS:
        return False
    return np.count_nonzero(W) > 0.25 * W.size


def _check_y(y, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=float).ravel()
    if y.size != n:
        raise ValueError(f"y has {y.size} values but W is {n} x {n}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite; found NaN or inf.")
    if np.ptp(y) == 0:
        raise ValueError("y is constant; Moran's I is undefined (zero variance).")
    return y


@dataclass(frozen=True)
class GlobalMoran:
    """Global Moran's I of one cross-section (Cliff and Ord; Liu et al. 2026, Table 3).

    Attributes: ``I``, ``EI`` (= -1/(n-1)), ``VI_norm``, ``VI_rand``, ``z_norm``, ``z_rand``,
    ``p_norm``, ``p_rand`` (two-sided), ``p_sim`` (one-sided folded), ``permutations``, ``seed``, ``n``.
    """

    I: float
    EI: float
    VI_norm: float
    VI_rand: float
    z_norm: float
    z_rand: float
    p_norm: float
    p_rand: float
    p_sim: float
    permutations: int
    seed: int | None
    n: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def global_moran(y, W, permutations: int = 999, seed: int | None = DEFAULT_SEED) -> GlobalMoran:
    """Global Moran's I with normal-approximation and permutation p-values.

    I = (n / S0) z'Wz / z'z with z = y - mean(y) and W row-standardised (so S0 = n).
    Moments as in esda.Moran (Cliff and Ord 1981).

    Parameters
    ----------
    y : array_like, shape (n,)
        One year's values (e.g. coupling coordination degree D of 30 provinces).
    W : array_like or scipy.sparse matrix, shape (n, n)
        Non-negative weights; row-standardised internally (a copy, never densified if sparse).
    permutations : int, default 999
        0 skips the permutation test (``p_sim`` is NaN).
    seed : int or None
        Seed of the ``numpy.random.Generator`` used for the permutations; global state untouched.

    Returns
    -------
    GlobalMoran

    Examples
    --------
    >>> W = [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]
    >>> round(global_moran([1.0, 2.0, 3.0, 4.0], W, permutations=0).I, 4)
    0.4
    """
    dense = _dense_blas(W)
    Wr = row_standardise(W) if dense else _row_standardised_csr(W)
    n = Wr.shape[0]
    y = _check_y(y, n)
    z = y - y.mean()
    zz = float(z @ z)
    s0 = float(Wr.sum())
    I = float(n / s0 * (z @ (Wr @ z)) / zz)
    EI = -1.0 / (n - 1)
    if dense:
        s1 = 0.5 * float(((Wr + Wr.T) ** 2).sum())
    else:
        s1 = 0.5 * float((Wr + Wr.T).power(2).sum())
    s2 = float(((np.asarray(Wr.sum(axis=1)).ravel() + np.asarray(Wr.sum(axis=0)).ravel()) ** 2).sum())
    n2, s02 = n * n, s0 * s0
    VI_norm = (n2 * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - EI ** 2
    k = (np.sum(z ** 4) / n) / (zz / n) ** 2
    A = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    B = k * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    VI_rand = (A - B) / ((n - 1) * (n - 2) * (n - 3) * s02) - EI ** 2 if n > 3 else np.nan
    z_norm = (I - EI) / np.sqrt(VI_norm)
    z_rand = (I - EI) / np.sqrt(VI_rand) if VI_rand > 0 else np.nan
    p_norm = 2 * _norm_sf(abs(z_norm))
    p_rand = 2 * _norm_sf(abs(z_rand)) if np.isfinite(z_rand) else np.nan
    p_sim = np.nan
    if permutations:
        rng = np.random.default_rng(seed)
        Z = rng.permuted(np.tile(z, (permutations, 1)), axis=1)  # (permutations, n), 8 n B each
        if dense:
            # a dense W of many units (e.g. the paper's economic-geographic matrix of 2,800 counties):
            # one BLAS product, same z'Wz per permutation to rounding (a test checks it)
            I_perm = n / s0 * np.einsum("pi,pi->p", Z @ Wr.T, Z) / zz
        else:
            # z'Wz per permutation through the sparse W: cost ~ permutations x nnz(W), not x n^2
            I_perm = n / s0 * np.einsum("ip,pi->p", Wr @ Z.T, Z) / zz
        larger = int((I_perm >= I).sum())
        larger = min(larger, permutations - larger)
        p_sim = (larger + 1.0) / (permutations + 1.0)
    return GlobalMoran(I, EI, float(VI_norm), float(VI_rand), float(z_norm), float(z_rand),
                       float(p_norm), float(p_rand), float(p_sim), int(permutations), seed, n)


def _panel(D) -> pd.DataFrame:
    if isinstance(D, pd.DataFrame):
        return D
    arr = np.asarray(D, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"D must be a provinces x years table (2-D); found shape {arr.shape}.")
    return pd.DataFrame(arr)


def global_moran_by_year(D, W, permutations: int = 999, seed: int | None = DEFAULT_SEED) -> pd.DataFrame:
    """Global Moran's I for every year of a provinces x years panel (Liu et al. 2026, Table 3).

    Parameters
    ----------
    D : DataFrame or array, shape (n, T)
        Rows provinces (in the order of W), columns years.
    W : array_like, shape (n, n)
    permutations, seed
        As in ``global_moran``; year t uses seed ``seed + t_index`` so years are independent.

    Returns
    -------
    DataFrame
        One row per year: year, I, EI, VI_norm, VI_rand, z_norm, z_rand, p_norm, p_rand, p_sim.
    """
    D = _panel(D)
    rows = []
    for t, col in enumerate(D.columns):
        s = None if seed is None else seed + t
        r = global_moran(D[col].to_numpy(dtype=float), W, permutations, s).to_dict()
        rows.append({"year": col, **{k: r[k] for k in ("I", "EI", "VI_norm", "VI_rand", "z_norm",
                                                           "z_rand", "p_norm", "p_rand", "p_sim")}})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran's I (Anselin 1995) of one cross-section, esda's scaling and quadrant codes.

    Attributes
    ----------
    Is : ndarray (n,)       local statistics
    z : ndarray (n,)        standardised values (ddof 0)
    lag : ndarray (n,)      spatial lag of z (row-standardised W)
    quadrant : ndarray (n,) of str, "HH", "LH", "LL" or "HL"
    p_sim : ndarray (n,)    one-sided folded conditional-permutation p-values (NaN if none)
    permutations, seed
    """

    Is: np.ndarray
    z: np.ndarray
    lag: np.ndarray
    quadrant: np.ndarray
    p_sim: np.ndarray
    permutations: int
    seed: int | None

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        return self.p_sim <= alpha


def _distinct_others(rng, units: np.ndarray, n: int, permutations: int, k: int) -> np.ndarray:
    """For each unit i, ``permutations`` uniform ordered samples of k distinct units other than i.

    Returns int array (len(units), permutations, k). Few neighbours (k(k-1)/2 <= (n-1)/4): draw
    with replacement and redraw the samples that repeat a unit (accepted with probability >= ~3/4),
    cost ~ units x permutations x k. Otherwise: the k smallest of n - 1 uniform keys, in key order
    (a uniform ordered sample without replacement), cost ~ units x permutations x n.
    """
    u = units.size
    if k * (k - 1) / 2 <= (n - 1) / 4:
        r = rng.integers(0, n - 1, size=(u, permutations, k))

        def repeats(a):
            if k <= 8:
                bad = np.zeros(a.shape[:-1], dtype=bool)
                for x in range(k):
                    for y in range(x + 1, k):
                        bad |= a[..., x] == a[..., y]
                return bad
            # the same test on 32-bit copies (indices < n - 1 < 2**31): numpy sorts them ~3x faster
            s = np.sort(a.astype(np.int32), axis=-1)
            return (s[..., 1:] == s[..., :-1]).any(axis=-1)

        bad = repeats(r)
        while bad.any():
            r[bad] = rng.integers(0, n - 1, size=(int(bad.sum()), k))
            bad[bad] = repeats(r[bad])
    else:
        keys = rng.random((u, permutations, n - 1))
        if k < n - 1:
            part = np.argpartition(keys, k - 1, axis=-1)[..., :k]
            order = np.argsort(np.take_along_axis(keys, part, axis=-1), axis=-1)
            r = np.take_along_axis(part, order, axis=-1)
        else:
            r = np.argsort(keys, axis=-1)
    # index among the n - 1 others -> unit index (skip i itself)
    return r + (r >= units[:, None, None])


def _conditional_lags(Wr, z: np.ndarray, permutations: int, rng):
    """Yield (units, lag_perm): spatial lags of z under conditional permutation, block by block.

    For unit i with self-weight w_ii and neighbour weights w_i1..w_ik (CSR row order), a permuted
    lag is w_ii z_i + sum_m w_im z_{r_m} with r a random ordered sample of k distinct units other
    than i (Anselin 1995, conditional randomisation; as esda's ``crand``, which uses one shared
    sample of ids for all units where this draws independent samples per unit). Units are grouped
    by number of neighbours and processed in blocks of at most ``_BLOCK_ELEMENTS`` simulated values,
    so peak memory does not grow with n.
    """
    n = Wr.shape[0]
    diag = Wr.diagonal()
    off = Wr.tolil(copy=True)
    off.setdiag(0)
    off = off.tocsr()
    off.eliminate_zeros()
    card = np.diff(off.indptr)
    for k in np.unique(card):
        group = np.flatnonzero(card == k)
        if k == 0:
            yield group, np.repeat((diag[group] * z[group])[:, None], permutations, axis=1)
            continue
        block = max(1, _BLOCK_ELEMENTS // (permutations * k))
        for start in range(0, group.size, block):
            units = group[start:start + block]
            w = np.vstack([off.data[off.indptr[i]:off.indptr[i + 1]] for i in units])  # (u, k)
            ids = _distinct_others(rng, units, n, permutations, k)
            lag_perm = np.einsum("upk,uk->up", z[ids], w)
            lag_perm += (diag[units] * z[units])[:, None]
            yield units, lag_perm


def local_moran(y, W, permutations: int = 999, seed: int | None = DEFAULT_SEED) -> LocalMoran:
    """Local Moran's I_i with quadrants and conditional-permutation p-values (Liu et al. 2026, Fig. 7).

    I_i = (n - 1) z_i sum_j w_ij z_j / sum_k z_k^2 with z standardised (ddof 0), as in
    ``esda.Moran_Local``; the permutation test shuffles the other n - 1 values over unit i's weights.

    Parameters
    ----------
    y : array_like, shape (n,)
    W : array_like or scipy.sparse matrix, shape (n, n)
        Row-standardised internally (a copy). Sparse weights keep the permutation test at
        ~ n x permutations x neighbours operations (n = 3,025 rook lattice, 999 permutations:
        well under a second; see ``bench/spatial.py``).
    permutations : int, default 999
    seed : int or None

    Returns
    -------
    LocalMoran

    Examples
    --------
    >>> W = [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]
    >>> lm = local_moran([1.0, 2.0, 3.0, 4.0], W, permutations=0)
    >>> lm.quadrant.tolist()
    ['LL', 'LL', 'HH', 'HH']
    """
    Wr = _row_standardised_csr(W)
    n = Wr.shape[0]
    y = _check_y(y, n)
    z = (y - y.mean()) / y.std()
    den = float(z @ z)
    lag = Wr @ z
    Is = (n - 1) * z * lag / den
    quadrant = np.where(z > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    p_sim = np.full(n, np.nan)
    if permutations:
        rng = np.random.default_rng(seed)
        lag_perm_fn = _conditional_lags(Wr, z, permutations, rng)
        larger = np.empty(n, dtype=np.int64)
        for units, lag_perm in lag_perm_fn:
            I_perm = (n - 1) * z[units, None] * lag_perm / den
            larger[units] = (I_perm >= Is[units, None]).sum(axis=1)
        larger = np.minimum(larger, permutations - larger)
        p_sim = (larger + 1.0) / (permutations + 1.0)
    return LocalMoran(Is, z, lag, quadrant, p_sim, int(permutations), seed)


def local_moran_panel(D, W, permutations: int = 999, seed: int | None = DEFAULT_SEED,
                      alpha: float = 0.05) -> pd.DataFrame:
    """Local Moran for every province-year of a provinces x years panel.

    Parameters
    ----------
    D : DataFrame or array, shape (n, T)
        Rows provinces (index used as the province label), columns years.
    W : array_like, shape (n, n)
    permutations, seed
        Year t uses seed ``seed + t_index``.
    alpha : float
        Significance level for ``significant`` and the LISA ``cluster`` label.

    Returns
    -------
    DataFrame
        Tidy, one row per province-year: province, year, value, z, lag, I_i, quadrant, p_sim,
        significant, cluster ("HH"/"LH"/"LL"/"HL" if significant else "not significant").
    """
    D = _panel(D)
    frames = []
    for t, col in enumerate(D.columns):
        s = None if seed is None else seed + t
        lm = local_moran(D[col].to_numpy(dtype=float), W, permutations, s)
        sig = lm.significant(alpha) if permutations else np.zeros(len(lm.Is), dtype=bool)
        frames.append(pd.DataFrame({
            "province": D.index, "year": col, "value": D[col].to_numpy(dtype=float), "z": lm.z,
            "lag": lm.lag, "I_i": lm.Is, "quadrant": lm.quadrant, "p_sim": lm.p_sim,
            "significant": sig, "cluster": np.where(sig, lm.quadrant, "not significant")}))
    return pd.concat(frames, ignore_index=True)


def quadrant_counts(local_df: pd.DataFrame, significant_only: bool = False) -> pd.DataFrame:
    """Number of provinces per quadrant per year from ``local_moran_panel`` output.

    The paper's counts (HH 6 and LL 18 in 2012) are of all points of the Moran scatter plot
    (``significant_only=False``).

    Returns
    -------
    DataFrame
        Index year, columns HH, LH, LL, HL (integers, zeros where empty).
    """
    df = local_df[local_df["significant"]] if significant_only else local_df
    out = df.groupby(["year", "quadrant"]).size().unstack(fill_value=0)
    years = pd.Index(pd.unique(local_df["year"]), name="year")
    return out.reindex(index=years, columns=list(QUADRANTS), fill_value=0).astype(int)
