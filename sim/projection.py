"""Forward projection of coordination classes with traditional and spatial Markov chains.

Liu et al. (2026), "Markov chain analysis" (traditional chain, Table 4) and "spatial Markov chain"
(transition matrices conditional on the class of the spatial lag, Table 5); SPEC sections 2.11 and 4.
The paper only *estimates* the matrices; the simulator uses them to project every province's class
forward from the last observed year.

Model
-----
Each province i is in one of k classes ``s_i(t)``. In the traditional chain every province moves
independently with the pooled matrix ``P`` (k, k):  ``Pr(s_i(t+1) = b | s_i(t) = a) = P[a, b]``.
In the spatial chain the matrix depends on the class of the province's spatial lag:
``Pr(s_i(t+1) = b | s_i(t) = a, lag class l_i(t) = l) = P_spatial[l, a, b]`` with
``l_i(t) = class(sum_j w_ij v(s_j(t)))`` and W row-standardised. Because ``l_i(t)`` depends on the
neighbours' *current simulated* classes, the provinces are simulated **jointly**: a path is a
trajectory of the whole map, not 30 independent chains.

The lag needs a value per province, but a projected province has only a class. Each class is given a
representative value ``class_values[c]`` (default: the mid-points 0.125, 0.375, 0.625, 0.875 of the
paper's fixed coordination types [0, .25], (.25, .5], (.5, .75], (.75, 1]; pass e.g. the mean D of
each class in the data instead) and the lag is classified with ``lag_cutoffs`` (default: the same
cut-offs as the classes, 0.25 / 0.5 / 0.75). Intervals are right-closed as in giddy: a lag exactly
on a cut-off falls in the lower class; a simulated lag within 1e-9 above a cut-off is treated as on
it, so floating-point rounding of the weighted sum (e.g. 0.5 * 0.125 + 0.5 * 0.375 = 0.25) cannot
move a tie to the upper class. For the first step the observed D of the last year can be
passed as ``initial_values`` so that the first lag is the observed one.

Rows never observed
-------------------
A conditional matrix estimated on 30 provinces often has all-zero rows (a (lag class, class)
combination that never occurred). Rule, recorded in ``ProjectionResult.filled_rows``: such a row is
replaced by the same row of ``P_fallback`` (the pooled, traditional matrix) when one is given and that
row is not all zero itself; otherwise the province stays in its class (a row of the identity).
Non-zero rows must sum to 1 within 1e-3 (published probabilities are rounded to 4 decimals) and are
renormalised exactly.

Sampling
--------
Inverse-CDF sampling with one uniform draw per province, path and step from
``numpy.random.default_rng(seed)``. The draw is a 16-bit uniform integer u in [0, 65536) (each
64-bit output of the generator's bit generator supplies four of them); the next
class is the smallest b with ``u < round(65536 * cumsum(P[row])[b])``, read from a precomputed
look-up table. Transition probabilities are therefore used at a resolution of 2**-16 (an error below
8e-6 per entry, far below the Monte Carlo error of about 0.005 at 10,000 paths). The traditional and
the spatial chain draw the same uniforms in the same order (all at once, ordered step, province,
path), so with identical conditional matrices they produce identical paths for a seed.

Speed
-----
Each step's transition runs over blocks of about 64k province-paths so that a block's float and
index arrays stay in the CPU cache; the counts behind every summary are tallied once per step on
all paths in reused buffers (the full path array is kept only with ``keep_paths=True``). The lag
is a scipy sparse product (single-threaded: a BLAS product of this shape spends most of its time in
thread hand-offs on a busy 2-core server); with class values affine in the class index (the default) the value polynomial is skipped and the
transformed cut-offs are compared with ``W @ class`` directly; when W's rows are also
equal-weighted (binary contiguity) and no attainable neighbour-class sum lies within 1e-12 of a
cut-off, the comparison is done on uint8 sums of the neighbours' classes with per-province integer
thresholds, which provably gives the same lag classes (``_integer_lag_plan``). Results do not depend on the block
size. ``bench/projection.py`` times a 30-province, 10-year, 10,000-path projection.

Outputs (``ProjectionResult``)
------------------------------
per-province class probabilities per future year; national class shares per year (mean and 5 / 95 %
band over paths, i.e. a 90 % band); for every province and class the probability of having reached
the class by each year, the mean number of years until it is first reached (among paths that reach it
within the horizon; 0 when the province starts there) and the share of paths that never reach it
within the horizon, both for "exactly class c" and "class c or above".

Examples
--------
>>> import numpy as np
>>> P = np.array([[0.5, 0.5], [0.0, 1.0]])
>>> res = project_markov([0, 1], P, horizon=2, n_paths=20_000, seed=1)
>>> np.round(analytic_distribution([0, 1], P, 2)[-1], 2).tolist()
[[0.25, 0.75], [0.0, 1.0]]
>>> bool(np.abs(res.class_probabilities - analytic_distribution([0, 1], P, 2)).max() < 0.02)
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from sim.markov import check_transition_matrix, classify, fill_empty_rows  # noqa: F401 (one implementation)
from sim.weights import row_standardise as _row_standardise


def row_standardise(W) -> np.ndarray:
    """``sim.weights.row_standardise`` with the diagonal ignored (a lag excludes the unit itself)."""
    return _row_standardise(W, zero_diagonal=True)

DEFAULT_CUTOFFS = (0.25, 0.5, 0.75)  # SPEC 2.6: low / medium / high / extreme coordination
DEFAULT_CLASS_VALUES = (0.125, 0.375, 0.625, 0.875)  # mid-points of those four types
UNIFORM_BITS = 16
_SCALE = 1 << UNIFORM_BITS
_ROW_TOL = 1e-3
MAX_HORIZON = 100
MAX_CLASSES = 64  # the visited-class bitmask of the first-passage tally is one uint64 at most
MAX_DRAWS = 60_000_000  # uniforms are drawn at once: 2 bytes each
_TIE_TOL = 1e-9  # a simulated lag within 1e-9 above a cut-off counts as on it (lower class)


# --- validation helpers ---------------------------------------------------------------------
def _as_classes(initial_classes, k: int) -> np.ndarray:
    s = np.asarray(initial_classes)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"initial_classes must be a non-empty 1-d array (n,), found shape {s.shape}")
    if not np.issubdtype(s.dtype, np.integer):
        if np.issubdtype(s.dtype, np.floating) and np.all(np.isfinite(s)) and np.all(s == np.round(s)):
            s = s.astype(np.int64)
        else:
            raise ValueError(f"initial_classes must be integers 0..{k - 1}, found dtype {s.dtype}")
    if s.min() < 0 or s.max() >= k:
        raise ValueError(f"initial_classes must lie in 0..{k - 1}, found values "
                         f"{sorted(set(s[(s < 0) | (s >= k)].tolist()))}")
    return s.astype(np.uint8)


def _check_horizon(horizon, n_paths=None) -> None:
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer number of years, found {horizon!r}")
    if horizon > MAX_HORIZON:
        raise ValueError(f"horizon must be at most {MAX_HORIZON} years, found {horizon}")
    if n_paths is not None and (int(n_paths) != n_paths or n_paths < 1):
        raise ValueError(f"n_paths must be a positive integer, found {n_paths!r}")


def _cutoffs_and_values(k, k_lag, lag_cutoffs, class_values):
    if lag_cutoffs is None:
        if k_lag != len(DEFAULT_CUTOFFS) + 1:
            raise ValueError(f"lag_cutoffs must be given for {k_lag} lag classes (the default "
                             f"{DEFAULT_CUTOFFS} defines 4)")
        lag_cutoffs = DEFAULT_CUTOFFS
    if class_values is None:
        if k != len(DEFAULT_CLASS_VALUES):
            raise ValueError(f"class_values must be given for {k} classes (the default "
                             f"{DEFAULT_CLASS_VALUES} is for 4)")
        class_values = DEFAULT_CLASS_VALUES
    cut = np.asarray(lag_cutoffs, dtype=float)
    vals = np.asarray(class_values, dtype=float)
    if cut.ndim != 1 or cut.size != k_lag - 1:
        raise ValueError(f"lag_cutoffs must hold k_lag - 1 = {k_lag - 1} interior cut-offs, "
                         f"found {cut.tolist()}")
    if cut.size and (not np.all(np.isfinite(cut)) or np.any(np.diff(cut) <= 0)):
        raise ValueError(f"lag_cutoffs must be finite and strictly increasing, found {cut.tolist()}")
    if vals.shape != (k,) or not np.all(np.isfinite(vals)):
        raise ValueError(f"class_values must hold {k} finite numbers, found {vals.tolist()}")
    return cut, vals


def _lookup_table(P_rows: np.ndarray) -> np.ndarray:
    """Inverse-CDF table: entry ``r * 2**16 + u`` is the next class of row r for uniform u."""
    R, k = P_rows.shape
    thr = np.rint(np.cumsum(P_rows, axis=1) * _SCALE).astype(np.int64)
    thr = np.minimum(np.maximum.accumulate(thr, axis=1), _SCALE)
    thr[:, -1] = _SCALE
    counts = np.diff(np.concatenate([np.zeros((R, 1), np.int64), thr], axis=1), axis=1)
    return np.repeat(np.tile(np.arange(k, dtype=np.uint8), R), counts.ravel())


# --- exact distribution ---------------------------------------------------------------------
def analytic_distribution(initial_classes, P, horizon: int) -> np.ndarray:
    """Exact class distribution of each province under the traditional chain (matrix powers).

    Liu et al. (2026), Markov chain section: ``pi_i(t) = e_{s_i} P^t``.

    Parameters
    ----------
    initial_classes : array_like of int, shape (n,)
        Class of every province in the last observed year, in 0..k-1.
    P : array_like, shape (k, k)
        Transition matrix; all-zero rows are treated as "stay" (see :func:`fill_empty_rows`).
    horizon : int
        Number of years ahead.

    Returns
    -------
    ndarray, shape (horizon, n, k)
        ``out[t - 1, i, c] = Pr(s_i(t) = c)`` for t = 1..horizon.

    Examples
    --------
    >>> analytic_distribution([0], [[0.9, 0.1], [0.0, 1.0]], 2)[:, 0, 1].round(3).tolist()
    [0.1, 0.19]
    """
    P, _ = fill_empty_rows(P)
    if P.ndim != 2:
        raise ValueError(f"P must be (k, k), found {P.shape}")
    k = P.shape[0]
    _check_horizon(horizon)
    s = _as_classes(initial_classes, k)
    out = np.empty((int(horizon), s.size, k))
    dist = np.eye(k)[s]
    for t in range(int(horizon)):
        dist = dist @ P
        out[t] = dist
    return out


# --- results --------------------------------------------------------------------------------
def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class ProjectionResult:
    """Monte Carlo projection of coordination classes (immutable; arrays are read-only).

    Attributes
    ----------
    method : str
        ``"spatial"`` (spatial Markov chain, joint simulation) or ``"traditional"``.
    years : ndarray of int, shape (horizon,)
        Future years (``start_year + 1 ..``) or 1..horizon when no start year was given.
    labels : tuple, length n
        Province labels (default 0..n-1).
    initial_classes : ndarray, shape (n,)
    class_probabilities : ndarray, shape (horizon, n, k)
        Share of paths in which province i is in class c in each future year.
    national_shares : ndarray, shape (horizon, k, 3)
        Share of provinces in each class: mean over paths, 5th and 95th percentile over paths
        (numpy's default linear interpolation), i.e. a 90 % band.
    reached_by : ndarray, shape (horizon, n, k)
        Share of paths in which province i has been in class c at least once by each year
        (the starting year counts).
    years_to_class : ndarray, shape (n, k)
        Mean number of years until province i is first in class c, over the paths that reach it
        within the horizon (0 when it starts there; NaN when no path reaches it).
    never_reached : ndarray, shape (n, k)
        Share of paths that do not reach class c within the horizon.
    reached_or_above_by, years_to_class_or_above, never_reached_or_above :
        The same for "class c or above" (the natural reading of "reaches high coordination").
    n_paths, seed : int
    lag_cutoffs, class_values : tuple or None
        The lag classification used (spatial chain only).
    filled_rows : tuple
        Never-observed matrix rows and the rule that filled them (see :func:`fill_empty_rows`).
    paths : ndarray, shape (horizon + 1, n, n_paths) of uint8, or None
        The simulated classes (row 0 = initial), kept only with ``keep_paths=True``.
    """

    method: str
    years: np.ndarray
    labels: tuple
    initial_classes: np.ndarray
    class_probabilities: np.ndarray
    national_shares: np.ndarray
    reached_by: np.ndarray
    years_to_class: np.ndarray
    never_reached: np.ndarray
    reached_or_above_by: np.ndarray
    years_to_class_or_above: np.ndarray
    never_reached_or_above: np.ndarray
    n_paths: int
    seed: int
    lag_cutoffs: tuple | None = None
    class_values: tuple | None = None
    filled_rows: tuple = ()
    paths: np.ndarray | None = field(default=None, repr=False)

    @property
    def horizon(self) -> int:
        return int(self.years.size)

    @property
    def k(self) -> int:
        return int(self.class_probabilities.shape[2])

    def to_frame(self) -> pd.DataFrame:
        """Long table of per-province class probabilities: province, year, class, probability."""
        H, n, k = self.class_probabilities.shape
        return pd.DataFrame({
            "province": np.tile(np.repeat(np.asarray(self.labels, dtype=object), k), H),
            "year": np.repeat(self.years, n * k),
            "class": np.tile(np.arange(k), H * n),
            "probability": self.class_probabilities.ravel(),
        })

    def shares_frame(self) -> pd.DataFrame:
        """National class shares: year, class, mean, p05, p95."""
        H, k, _ = self.national_shares.shape
        flat = self.national_shares.reshape(H * k, 3)
        return pd.DataFrame({"year": np.repeat(self.years, k), "class": np.tile(np.arange(k), H),
                             "mean": flat[:, 0], "p05": flat[:, 1], "p95": flat[:, 2]})

    def passage_frame(self) -> pd.DataFrame:
        """Per province and class: mean years to first reach it (exactly / or above), never shares."""
        n, k = self.years_to_class.shape
        return pd.DataFrame({
            "province": np.repeat(np.asarray(self.labels, dtype=object), k),
            "class": np.tile(np.arange(k), n),
            "years_to_class": self.years_to_class.ravel(),
            "never_reached": self.never_reached.ravel(),
            "years_to_class_or_above": self.years_to_class_or_above.ravel(),
            "never_reached_or_above": self.never_reached_or_above.ravel(),
        })


# --- summaries ------------------------------------------------------------------------------
def _discrete_percentiles(counts_hist: np.ndarray, qs, n_obs: int) -> np.ndarray:
    """Percentiles (numpy 'linear' method) of integer data given as a histogram.

    counts_hist : (..., m) number of observations equal to 0..m-1. Returns (..., len(qs)).
    """
    cum = np.cumsum(counts_hist, axis=-1)
    out = []
    for q in qs:
        h = (n_obs - 1) * q / 100.0
        lo = int(np.floor(h))
        hi = min(lo + 1, n_obs - 1)
        # value of the j-th order statistic (0-based) = number of bins whose cum count <= j
        x_lo = (cum <= lo).sum(axis=-1)
        x_hi = (cum <= hi).sum(axis=-1)
        out.append(x_lo + (h - lo) * (x_hi - x_lo))
    return np.stack(out, axis=-1).astype(float)


def _passage(reached: np.ndarray, n_paths: int):
    """reached: (H+1, n, k) number of paths that have reached the class by t (t = 0 is the start).

    Returns reached_by (H, n, k) shares, mean years to first reach among paths that reach it within
    the horizon (NaN if none), and the share that never does.
    """
    F = reached / n_paths
    first = np.diff(F, axis=0, prepend=0.0)  # share first reaching at t = 0..H
    t = np.arange(F.shape[0], dtype=float)[:, None, None]
    total = F[-1]
    mean_years = np.full(total.shape, np.nan)
    ok = total > 0
    mean_years[ok] = (first * t).sum(axis=0)[ok] / total[ok]
    return F[1:], mean_years, 1.0 - total


class _Tally:
    """Per-step counts over paths, accumulated while simulating (buffers reused).

    For every step t = 0..H and province i: number of paths in class c, having visited class c,
    having reached class c or above; for t >= 1 the number of provinces in class c on each path.
    """

    def __init__(self, n: int, N: int, k: int, horizon: int):
        self.n, self.N, self.k, self.H = n, N, k, horizon
        self.in_class = np.zeros((horizon + 1, n, k), dtype=np.int64)
        self.exact = np.zeros((horizon + 1, n, k), dtype=np.int64)
        self.above = np.zeros((horizon + 1, n, k), dtype=np.int64)
        self.path_counts = np.zeros((horizon, k, N), dtype=np.uint8 if n < 256 else np.uint16)
        self._mask_dtype = next(d for d in (np.uint8, np.uint16, np.uint32, np.uint64)
                                if np.iinfo(d).bits >= k)
        self.visited = np.zeros((n, N), dtype=self._mask_dtype)
        self.runmax = np.zeros((n, N), dtype=np.uint8)
        self._bits = np.zeros((n, N), dtype=self._mask_dtype)
        self._flag = np.zeros((n, N), dtype=bool)
        # a narrow accumulator is several times faster than numpy's default bool -> int64 sum
        self._acc = np.uint16 if N < 65536 else np.uint32 if N < 2 ** 32 else np.uint64

    def _count(self, flag: np.ndarray) -> np.ndarray:
        return flag.view(np.uint8).sum(axis=1, dtype=self._acc)

    def update(self, t: int, s: np.ndarray) -> None:
        """Add the classes ``s`` (n, N) of step t."""
        f, bits = self._flag, self._bits
        if t == 0:
            self.runmax[...] = s
        else:
            np.maximum(self.runmax, s, out=self.runmax)
        np.left_shift(self._mask_dtype(1), s, out=bits, casting="unsafe")
        np.bitwise_or(self.visited, bits, out=self.visited)
        k = self.k
        for c in range(k - 1):  # the last class is the remainder
            np.equal(s, c, out=f)
            self.in_class[t, :, c] = self._count(f)
            if t > 0:
                f.view(np.uint8).sum(axis=0, dtype=self.path_counts.dtype,
                                     out=self.path_counts[t - 1, c])
        self.in_class[t, :, k - 1] = self.N - self.in_class[t, :, : k - 1].sum(axis=1)
        if t > 0:
            pc = self.path_counts[t - 1]
            np.subtract(self.n, pc[: k - 1].sum(axis=0, dtype=pc.dtype), out=pc[k - 1])
        self.above[t, :, 0] = self.N  # every path is in class 0 or above
        for c in range(k):
            np.bitwise_and(self.visited, self._mask_dtype(1 << c), out=bits)
            np.not_equal(bits, 0, out=f)
            self.exact[t, :, c] = self._count(f)
            if c > 0:
                np.greater_equal(self.runmax, c, out=f)
                self.above[t, :, c] = self._count(f)

    def finish(self):
        H, k, n, N = self.H, self.k, self.n, self.N
        probs = self.in_class[1:] / N
        codes = self.path_counts.astype(np.int64) + (np.arange(H * k).reshape(H, k, 1) * (n + 1))
        shares_hist = np.bincount(codes.ravel(), minlength=H * k * (n + 1)).reshape(H, k, n + 1)
        # mean over paths of the national share = mean over provinces of the class probabilities
        mean_share = probs.mean(axis=1)
        pct = _discrete_percentiles(shares_hist, (5.0, 95.0), N) / n
        national = np.concatenate([mean_share[..., None], pct], axis=-1)
        return probs, national, _passage(self.exact, N), _passage(self.above, N)


# --- simulation -----------------------------------------------------------------------------
def _class_value_polynomial(vals: np.ndarray) -> np.ndarray:
    """Coefficients (increasing powers) of the polynomial with p(c) = vals[c], c = 0..k-1."""
    k = vals.size
    coef = np.linalg.solve(np.vander(np.arange(k, dtype=float), increasing=True), vals)
    check = np.polynomial.polynomial.polyval(np.arange(k, dtype=float), coef)
    if np.abs(check - vals).max() > 1e-12 * max(1.0, np.abs(vals).max()):
        raise ValueError(f"class_values {vals.tolist()} cannot be represented accurately for "
                         f"k = {k} classes")
    # trailing zero coefficients cost a multiply-add each
    nz = np.flatnonzero(np.abs(coef) > 1e-15 * max(1.0, np.abs(vals).max()))
    return coef[: (nz[-1] + 1 if nz.size else 1)]


_INT_LAG_MARGIN = 1e-12  # >> the float error of a lag (< 1e-14 for the sums allowed below)


def _integer_lag_plan(W, thresholds: np.ndarray, k: int):
    """Integer form of the lag classification, used only where it provably gives the same classes.

    For a row-standardised W whose rows have equal weights (a binary contiguity W) and class values
    affine in the class index, province i's lag in class-index units is ``S_i / deg_i`` with ``S_i``
    the sum of its neighbours' classes. The float route compares ``W @ s`` (exact up to < 1e-14)
    with each threshold; when every attainable ``S / deg_i`` lies more than 1e-12 from every
    threshold, that comparison equals ``S_i >= tau_ic`` with ``tau_ic`` the number of attainable
    sums at or below the threshold. Returns ``(A, taus)`` -- the uint8 adjacency (n, n) and one
    (n, 1) uint8 column of tau per threshold -- or None when the conditions do not hold (the float
    route is then used).
    """
    n = W.shape[0]
    deg = np.diff(W.indptr)
    if deg.min() < 1 or thresholds.size == 0 or not np.all(np.isfinite(thresholds)):
        return None
    first = np.repeat(W.data[W.indptr[:-1]], deg)
    if not np.array_equal(W.data, first) or np.any(np.abs(first * np.repeat(deg, deg) - 1.0) > 1e-12):
        return None  # rows not equal-weighted or not standardised: float route
    smax = (k - 1) * int(deg.max())  # classes are 0..k-1
    if smax > 254:
        return None
    sums = np.arange(smax + 1, dtype=float)
    ratio = sums[None, :] / deg[:, None]  # (n, smax + 1); sums above (k-1) deg_i never occur
    attainable = sums[None, :] <= (k - 1) * deg[:, None]
    taus = []
    for c in thresholds:
        if np.any(attainable & (np.abs(ratio - c) <= _INT_LAG_MARGIN)):
            return None
        taus.append(np.ascontiguousarray(((ratio <= c) & attainable).sum(axis=1).astype(np.uint8)[:, None]))
    A = sparse.csr_array((np.ones(W.indices.size, dtype=np.uint8), W.indices.copy(), W.indptr.copy()),
                         shape=(n, n))
    return A, taus


def _block_size(n: int, n_paths: int) -> int:
    """Paths per block: about 64k province-paths, so a block's arrays stay in the CPU cache."""
    return int(min(n_paths, max(256, 65536 // max(n, 1))))


def _simulate(s0: np.ndarray, lut: np.ndarray, k: int, horizon: int, n_paths: int, seed: int,
              tally: _Tally, keep_paths: bool = False, W=None, cut=None, vals=None,
              first_lag_class=None):
    """Joint simulation, in blocks of paths; counts go to ``tally``.

    Returns the (horizon + 1, n, n_paths) uint8 classes when ``keep_paths``, else None. The draws
    are made once for all paths, so the result does not depend on the block size.
    """
    n = s0.size
    if k > MAX_CLASSES:
        raise ValueError(f"at most {MAX_CLASSES} classes are supported, found {k}")
    if horizon * n * n_paths > MAX_DRAWS:
        raise ValueError(f"horizon x provinces x paths = {horizon * n * n_paths:,} draws exceeds "
                         f"{MAX_DRAWS:,}; use fewer paths")
    rng = np.random.default_rng(seed)
    # all draws at once, in the order (step, province, path): each 64-bit output of the bit
    # generator gives four 16-bit uniforms (half the cost of rng.integers(..., dtype=uint16))
    size = horizon * n * n_paths
    raw = rng.bit_generator.random_raw(-(-size // 4)).astype("<u8", copy=False)
    uniforms = raw.view(np.uint16)[:size].reshape(horizon, n, n_paths)
    block = _block_size(n, n_paths)
    S = np.empty((horizon + 1, n, n_paths), dtype=np.uint8) if keep_paths else None
    # full-width current and next classes (the tally runs once per step on all paths); the
    # transition itself runs block by block so that its float and index arrays stay in cache
    cur = np.empty((n, n_paths), dtype=np.uint8)
    nxt = np.empty((n, n_paths), dtype=np.uint8)
    idx = np.empty((n, block), dtype=np.int32)
    if W is not None:
        poly = _class_value_polynomial(vals)
        # class values affine in the class index (the default mid-points): the lag is
        # a + b * (W @ class index) because W is row-standardised, so compare W @ s with the
        # transformed cut-offs and skip the value polynomial
        affine = poly.size <= 2 and (poly.size == 1 or poly[1] > 0)
        if affine and poly.size == 2:
            thresholds = (cut - poly[0]) / poly[1] + _TIE_TOL / poly[1]
        elif affine:  # every class has the same value: the lag is that constant
            thresholds = np.where(poly[0] > cut, -np.inf, np.inf)
        else:
            thresholds = cut + _TIE_TOL
        x = np.empty((n, block))
        v = x if affine else np.empty((n, block))
        lag_class = np.empty((n, block), dtype=np.uint8)
        flag = np.empty((n, block), dtype=bool)
        wide = k * (cut.size + 1) >= 256
        row = np.empty((n, block), dtype=np.int32 if wide else np.uint8)
        plan = _integer_lag_plan(W, thresholds, k) if affine and poly.size == 2 else None
    cur[...] = s0[:, None]
    tally.update(0, cur)
    if keep_paths:
        S[0] = cur
    for t in range(horizon):
        for b0 in range(0, n_paths, block):
            paths = slice(b0, min(b0 + block, n_paths))
            b = paths.stop - paths.start
            s, ix = cur[:, paths], idx[:, :b]
            if W is None:
                ix[...] = s
            else:
                lc, fl, rw = lag_class[:, :b], flag[:, :b], row[:, :b]
                if t == 0 and first_lag_class is not None:
                    lc[...] = first_lag_class[:, None]
                elif plan is not None:  # same classes as the float route (see _integer_lag_plan)
                    nsum = plan[0] @ s  # (n, b) uint8: sum of the neighbours' classes
                    lc.fill(0)
                    for tau in plan[1]:
                        np.greater_equal(nsum, tau, out=fl)
                        lc += fl.view(np.uint8)
                else:
                    xb, vb = x[:, :b], v[:, :b]
                    xb[...] = s
                    if not affine:
                        # value of each class: Horner form of the polynomial through
                        # (c, class_values[c]), exact up to rounding, faster than a uint8 gather
                        vb.fill(poly[-1])
                        for a in poly[-2::-1]:
                            vb *= xb
                            vb += a
                    lag = W @ vb  # sparse (n, n) @ (n, b): every province's lag on every path
                    lc.fill(0)
                    for c in thresholds:
                        np.greater(lag, c, out=fl)
                        lc += fl.view(np.uint8)
                np.multiply(lc, k, out=rw, casting="unsafe")
                rw += s
                ix[...] = rw
            ix <<= UNIFORM_BITS
            ix |= uniforms[t, :, paths]
            np.take(lut, ix, out=nxt[:, paths])
        tally.update(t + 1, nxt)
        if keep_paths:
            S[t + 1] = nxt
        cur, nxt = nxt, cur
    return S


def _result(method, s0, tally, S, start_year, labels, n_paths, seed, filled_rows,
            lag_cutoffs=None, class_values=None) -> ProjectionResult:
    n = s0.size
    horizon = tally.H
    if labels is None:
        labels = tuple(range(n))
    else:
        labels = tuple(labels)
        if len(labels) != n:
            raise ValueError(f"labels must have one entry per province ({n}), found {len(labels)}")
    years = np.arange(1, horizon + 1) + (int(start_year) if start_year is not None else 0)
    probs, national, (rb, ytc, nev), (rba, ytca, neva) = tally.finish()
    return ProjectionResult(
        method=method, years=_readonly(years), labels=labels,
        initial_classes=_readonly(s0.astype(np.int64)),
        class_probabilities=_readonly(probs), national_shares=_readonly(national),
        reached_by=_readonly(rb), years_to_class=_readonly(ytc), never_reached=_readonly(nev),
        reached_or_above_by=_readonly(rba), years_to_class_or_above=_readonly(ytca),
        never_reached_or_above=_readonly(neva), n_paths=int(n_paths), seed=int(seed),
        lag_cutoffs=lag_cutoffs, class_values=class_values, filled_rows=filled_rows,
        paths=_readonly(S) if S is not None else None)


def project_markov(initial_classes, P, horizon: int, n_paths: int = 10_000, seed: int = 0,
                   start_year: int | None = None, labels=None,
                   keep_paths: bool = False) -> ProjectionResult:
    """Monte Carlo projection with the traditional Markov chain (Liu et al. 2026, Table 4).

    Every province moves with the pooled matrix ``P``, independently of its neighbours.

    Parameters
    ----------
    initial_classes : array_like of int, shape (n,)
        Classes in the last observed year, 0..k-1.
    P : array_like, shape (k, k)
        Transition matrix (rows sum to 1; all-zero rows = never observed -> stay, recorded in
        ``filled_rows``).
    horizon : int
        Years ahead (1..100).
    n_paths : int, default 10,000
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; same inputs and seed give identical outputs.
    start_year : int, optional
        Last observed year; the result's years are ``start_year + 1 .. start_year + horizon``.
    labels : sequence, optional
        Province names for the tables.
    keep_paths : bool
        Keep the (horizon + 1, n, n_paths) simulated classes in the result.

    Returns
    -------
    ProjectionResult
    """
    _check_horizon(horizon, n_paths)
    Pf, filled = fill_empty_rows(P)
    if Pf.ndim != 2:
        raise ValueError(f"P must be a (k, k) matrix, found shape {Pf.shape}")
    k = Pf.shape[0]
    s0 = _as_classes(initial_classes, k)
    tally = _Tally(s0.size, int(n_paths), k, int(horizon))
    S = _simulate(s0, _lookup_table(Pf), k, int(horizon), int(n_paths), seed, tally, keep_paths)
    return _result("traditional", s0, tally, S, start_year, labels, n_paths, seed, filled)


def first_lag_classes(W_standardised, initial_values, lag_cutoffs) -> np.ndarray:
    """Lag class of every province from observed values, the first step of
    :func:`project_spatial_markov` (``classify(W @ initial_values, lag_cutoffs)``): the spatial-lag
    conditioning of Liu et al. (2026), spatial Markov chain (Table 5).

    Parameters
    ----------
    W_standardised : ndarray, shape (n, n)
        Row-standardised weights (:func:`row_standardise`).
    initial_values : array_like, shape (n,)
        Observed D in the last year.
    lag_cutoffs : array_like, shape (k_lag - 1,)

    Returns
    -------
    ndarray of uint8, shape (n,)
    """
    n = W_standardised.shape[0]
    iv = np.asarray(initial_values, dtype=float)
    if iv.shape != (n,) or not np.all(np.isfinite(iv)):
        raise ValueError(f"initial_values must be {n} finite numbers, found shape {iv.shape}")
    return classify(W_standardised @ iv, np.asarray(lag_cutoffs, dtype=float)).astype(np.uint8)


def project_spatial_markov(initial_classes, P_spatial, W, horizon: int, n_paths: int = 10_000,
                           seed: int = 0, lag_cutoffs=None, class_values=None, P_fallback=None,
                           initial_values=None, start_year: int | None = None, labels=None,
                           keep_paths: bool = False) -> ProjectionResult:
    """Joint Monte Carlo projection with the spatial Markov chain (Liu et al. 2026, Table 5).

    At every step each province's spatial lag ``sum_j w_ij class_values[s_j]`` is computed from the
    neighbours' current simulated classes (W row-standardised), classified with ``lag_cutoffs``, and
    the province moves with ``P_spatial[lag class, own class]``. See the module docstring for the
    representative class values and the rule for never-observed rows.

    Parameters
    ----------
    initial_classes : array_like of int, shape (n,)
        Classes in the last observed year, 0..k-1.
    P_spatial : array_like, shape (k_lag, k, k)
        Transition matrices conditional on the lag class (rows sum to 1; all-zero rows allowed).
    W : array_like, shape (n, n)
        Non-negative spatial weights (e.g. contiguity); row-standardised on a copy, never mutated.
    horizon : int
        Years ahead (1..100).
    n_paths : int, default 10,000
    seed : int, default 0
    lag_cutoffs : sequence of float, shape (k_lag - 1,), optional
        Interior cut-offs for the lag classes; default (0.25, 0.5, 0.75), the paper's types.
    class_values : sequence of float, shape (k,), optional
        Representative value of each class used in the lag; default the type mid-points
        (0.125, 0.375, 0.625, 0.875). Pass the mean D of each class in the data for quantile classes.
    P_fallback : array_like, shape (k, k), optional
        Pooled matrix whose rows replace never-observed rows of ``P_spatial``.
    initial_values : array_like, shape (n,), optional
        Observed D in the last year; when given, the first step's lag uses them instead of the class
        values.
    start_year, labels, keep_paths
        As in :func:`project_markov`.

    Returns
    -------
    ProjectionResult

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0.8, 0.2], [0.0, 1.0]])
    >>> W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> res = project_spatial_markov([0, 0, 1], np.stack([P, P]), W, 3, n_paths=1000,
    ...                              lag_cutoffs=[0.5], class_values=[0.25, 0.75])
    >>> res.class_probabilities.shape, res.national_shares.shape
    ((3, 3, 2), (3, 2, 3))
    """
    _check_horizon(horizon, n_paths)
    Pf, filled = fill_empty_rows(P_spatial, P_fallback)
    if Pf.ndim != 3:
        raise ValueError(f"P_spatial must have shape (k_lag, k, k), found {Pf.shape}")
    k_lag, k, _ = Pf.shape
    s0 = _as_classes(initial_classes, k)
    n = s0.size
    Wrs = row_standardise(W)
    if Wrs.shape != (n, n):
        raise ValueError(f"W must be ({n}, {n}) for {n} provinces, found {Wrs.shape}")
    cut, vals = _cutoffs_and_values(k, k_lag, lag_cutoffs, class_values)
    first = None
    if initial_values is not None:
        first = first_lag_classes(Wrs, initial_values, cut)
    lut = _lookup_table(Pf.reshape(k_lag * k, k))
    # scipy's sparse product is single-threaded and deterministic; a BLAS matmul of this shape
    # spends most of its time in thread hand-offs on a busy 2-core server
    W_csr = sparse.csr_array(Wrs)
    tally = _Tally(n, int(n_paths), k, int(horizon))
    S = _simulate(s0, lut, k, int(horizon), int(n_paths), seed, tally, keep_paths, W=W_csr,
                  cut=cut, vals=vals, first_lag_class=first)
    return _result("spatial", s0, tally, S, start_year, labels, n_paths, seed, filled,
                   tuple(cut.tolist()), tuple(vals.tolist()))
