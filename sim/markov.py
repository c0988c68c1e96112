"""Traditional and spatial Markov chains of coordination classes (Liu et al. 2026, Tables 4-5).

* Classes: fixed cut-offs (0.25, 0.5, 0.75), right-closed as in the paper's coordination types
  (low [0, 0.25], medium (0.25, 0.5], ...), or quartiles of the pooled panel (which is what the
  paper's Table 4 counts 83/76/74/67 imply). ``classify`` and ``pooled_quartile_cutoffs``.
* Traditional chain: transition counts n_ij over all consecutive years and P_ij = n_ij / n_i
  (``markov_chain``).
* Spatial chain (Rey 2001): the transition t -> t+1 of province i is filed under the class of its
  spatial lag at t, lag = W_rs D_t with W row-standardised here (``spatial_markov``).
* Homogeneity test (Bickenbach and Bode 2003): Q = sum_l sum_i sum_j n_il (p_ij(l) - p_ij)^2 / p_ij
  over cells with p_ij > 0, dof = sum_i (b_i - 1)(a_i - 1) with b_i the number of lag classes with
  observations in row i and a_i the number of non-zero cells in the pooled row i (as giddy's
  ``dof_hom``, not giddy's uncorrected ``x2_dof``). ``homogeneity_test_from_counts``.
* Steady states and mean first-passage times (``steady_states``, ``mean_first_passage_times``).

Empty rows (a class never observed as a starting state, common with 30 provinces): ``P`` keeps
them as NaN so tables show "no data"; ``filled()`` replaces them (``EMPTY_ROW_RULE``): in the
traditional chain by a self-loop (no evidence of moving), in a lag-conditional matrix by the pooled
row (falling back to a self-loop). Steady states and passage times use the filled matrices.
No giddy import here (slow); the tests check counts, P and the test against giddy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.weights import row_standardise

FIXED_CUTOFFS = (0.25, 0.5, 0.75)
ROW_TOL = 1e-3  # published probabilities are rounded to 4 decimals: rows may sum to 1 +- 1e-3
CLASS_LABELS_FIXED = ("Low [0, 0.25]", "Medium (0.25, 0.5]", "High (0.5, 0.75]", "Extreme (0.75, 1]")
EMPTY_ROW_RULE = ("A class never observed as a starting state has no estimated row. For steady states "
                  "and passage times, an empty row of a neighbourhood-conditional matrix takes the pooled "
                  "(traditional) row, the best estimate without neighbourhood-specific evidence; a row "
                  "empty in the pooled matrix too becomes a self-loop (probability 1 of staying).")


class MarkovWarning(RuntimeWarning):
    """A Markov-chain quantity is undefined for this input (NaN returned); the message says why."""


def classify(values, cutoffs) -> np.ndarray:
    """Class index 0..k of each value for cut-offs c_1 < ... < c_k, right-closed.

    Class 0 is (-inf, c_1], class m is (c_m, c_m+1], class k is (c_k, inf): 0.25 falls in class 0
    with the paper's cut-offs (its "low" type is [0, 0.25]).

    Parameters
    ----------
    values : array_like, any shape
    cutoffs : sequence of float, strictly increasing

    Returns
    -------
    ndarray of int, same shape as values

    Examples
    --------
    >>> classify([0.1, 0.25, 0.26, 0.9], (0.25, 0.5, 0.75)).tolist()
    [0, 0, 1, 3]
    """
    c = np.asarray(cutoffs, dtype=float).ravel()
    if c.size and np.all(np.isfinite(c)) and np.any(np.diff(c) == 0) and not np.any(np.diff(c) < 0):
        raise ValueError(_coinciding_message(c))
    if c.size == 0 or np.any(np.diff(c) <= 0) or not np.all(np.isfinite(c)):
        raise ValueError(f"cutoffs must be finite and strictly increasing; found {list(cutoffs)}.")
    v = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(v)):
        raise ValueError("values to classify must be finite; found NaN or inf.")
    return np.searchsorted(c, v, side="left")


def _coinciding_message(c) -> str:
    same = sorted({float(a) for a, b in zip(c[:-1], c[1:]) if a == b})
    return (f"cut-offs must be strictly increasing, but some coincide (at {same}; all: "
            f"{[float(x) for x in c]}). With pooled quartiles this means many values are tied (at "
            "least a quarter of the panel shares one value, e.g. clipped or rounded data), so "
            "the quartile classes would be empty. Use the fixed cut-offs (0.25, 0.5, 0.75) or "
            "custom strictly increasing cut-offs instead.")


def pooled_quartile_cutoffs(D) -> tuple:
    """Quartiles (25th, 50th, 75th percentiles, linear interpolation) of all values of D pooled."""
    arr = np.asarray(D, dtype=float)
    q = np.quantile(arr[np.isfinite(arr)], [0.25, 0.5, 0.75])
    return tuple(float(x) for x in q)


def _panel_array(D) -> np.ndarray:
    arr = np.asarray(D.to_numpy(dtype=float) if isinstance(D, pd.DataFrame) else D, dtype=float)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError(f"D must be provinces x years with at least 2 years; found shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("D must be finite; found NaN or inf (fill or drop the province first).")
    return arr


def transition_counts(classes, k: int) -> np.ndarray:
    """Counts n_ij of transitions i -> j between consecutive columns of a (n, T) class array, (k, k) ints."""
    c = np.asarray(classes, dtype=int)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (c[:, :-1].ravel(), c[:, 1:].ravel()), 1)
    return counts


def _probabilities(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.where(totals > 0, totals, 1), np.nan)


def check_transition_matrix(P, name: str = "P", allow_empty_rows: bool = True) -> np.ndarray:
    """Validate a (..., k, k) stack of transition matrices and renormalise its rows.

    Parameters
    ----------
    P : array_like, shape (k, k) or (m, k, k)
        Row-stochastic matrices; all-zero rows (never observed) are allowed when
        ``allow_empty_rows``.
    name : str
        Used in error messages.

    Returns
    -------
    ndarray of float, same shape
        A copy with every non-zero row divided by its sum.

    Raises
    ------
    ValueError
        Non-square, NaN or negative entries, or a non-zero row whose sum is off 1 by more than 1e-3.
    """
    P = np.array(P, dtype=float)  # copy
    if P.ndim < 2 or P.shape[-1] != P.shape[-2] or P.shape[-1] < 1:
        raise ValueError(f"{name} must have shape (..., k, k), found {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if (P < 0).any():
        raise ValueError(f"{name} has negative entries (min {P.min():.4g})")
    sums = P.sum(axis=-1)
    empty = sums == 0
    if empty.any() and not allow_empty_rows:
        raise ValueError(f"{name} has all-zero rows at {np.argwhere(empty).tolist()}")
    bad = ~empty & (np.abs(sums - 1.0) > ROW_TOL)
    if bad.any():
        where = np.argwhere(bad).tolist()
        raise ValueError(f"rows of {name} must sum to 1 (tolerance {ROW_TOL}); rows {where} sum to "
                         f"{np.round(sums[bad], 4).tolist()}")
    safe = np.where(empty, 1.0, sums)
    return P / safe[..., None]


def fill_empty_rows(P, P_fallback=None):
    """Replace never-observed (all-zero) rows of transition matrices by a documented rule.

    A zero row ``P[..., a, :]`` becomes ``P_fallback[a, :]`` when ``P_fallback`` (k, k) is given and
    that row is non-zero, else the identity row (the province stays in class a).

    Parameters
    ----------
    P : array_like, shape (k, k) or (m, k, k)
    P_fallback : array_like, shape (k, k), optional
        Typically the pooled traditional matrix (Liu et al. 2026, Table 4).

    Returns
    -------
    filled : ndarray, same shape as P, rows summing to 1
    filled_rows : tuple of tuple
        Index of every replaced row (``(a,)`` for a (k, k) input, ``(l, a)`` for (m, k, k)) and the
        rule used, e.g. ``((2, 3), "fallback")``.

    Examples
    --------
    >>> filled, rows = fill_empty_rows([[0.0, 0.0], [0.5, 0.5]])
    >>> filled.tolist(), rows
    ([[1.0, 0.0], [0.5, 0.5]], (((0,), 'stay'),))
    """
    P = check_transition_matrix(P, "P")
    k = P.shape[-1]
    fb = None
    if P_fallback is not None:
        fb = check_transition_matrix(P_fallback, "P_fallback")
        if fb.shape != (k, k):
            raise ValueError(f"P_fallback must have shape ({k}, {k}), found {fb.shape}")
    filled_rows = []
    empty = P.sum(axis=-1) == 0
    for idx in map(tuple, np.argwhere(empty)):
        a = idx[-1]
        if fb is not None and fb[a].sum() > 0:
            P[idx] = fb[a]
            filled_rows.append((tuple(int(i) for i in idx), "fallback"))
        else:
            row = np.zeros(k)
            row[a] = 1.0
            P[idx] = row
            filled_rows.append((tuple(int(i) for i in idx), "stay"))
    return P, tuple(filled_rows)



def _fill(P: np.ndarray) -> np.ndarray:
    """NaN rows (never observed) of estimated matrices filled by :func:`fill_empty_rows` (self-loop)."""
    return fill_empty_rows(np.nan_to_num(np.asarray(P, dtype=float), nan=0.0))[0]


@dataclass(frozen=True)
class MarkovChain:
    """Traditional Markov chain estimate (Liu et al. 2026, Table 4).

    Attributes
    ----------
    counts : ndarray (k, k) int   transitions from row class to column class
    P : ndarray (k, k)             row-normalised; NaN rows where a class was never a start
    cutoffs : tuple                class boundaries used
    scheme : str                   "fixed" or "quartile" (or "custom")
    """

    counts: np.ndarray
    P: np.ndarray
    cutoffs: tuple
    scheme: str

    @property
    def k(self) -> int:
        return self.counts.shape[0]

    @property
    def n(self) -> np.ndarray:
        """Number of transitions starting in each class, shape (k,)."""
        return self.counts.sum(axis=1)

    def filled(self) -> np.ndarray:
        """P with empty rows replaced by a self-loop (``EMPTY_ROW_RULE``)."""
        return _fill(self.P)

    def steady_state(self) -> np.ndarray:
        return steady_states(self.filled())

    def mean_first_passage_times(self) -> np.ndarray:
        return mean_first_passage_times(self.filled())

    def to_frame(self) -> pd.DataFrame:
        """Table like the paper's Table 4: from_class (1-based), n, p_to_1..p_to_k."""
        k = self.k
        df = pd.DataFrame(self.P, columns=[f"p_to_{j + 1}" for j in range(k)])
        df.insert(0, "n", self.n)
        df.insert(0, "from_class", np.arange(1, k + 1))
        return df


def _resolve_cutoffs(arr, cutoffs):
    if isinstance(cutoffs, str):
        if cutoffs == "quartile":
            q = pooled_quartile_cutoffs(arr)
            if np.any(np.diff(q) == 0):
                raise ValueError("Quartile classes are undefined on these data: "
                                 + _coinciding_message(np.asarray(q)))
            return q, "quartile"
        if cutoffs == "fixed":
            return FIXED_CUTOFFS, "fixed"
        raise ValueError(f"cutoffs must be a sequence, 'fixed' or 'quartile'; found {cutoffs!r}.")
    c = tuple(float(x) for x in cutoffs)
    return c, ("fixed" if c == FIXED_CUTOFFS else "custom")


def markov_chain(D, cutoffs=FIXED_CUTOFFS) -> MarkovChain:
    """Traditional (aspatial) Markov chain of classes of D (Liu et al. 2026, Table 4).

    Parameters
    ----------
    D : DataFrame or array, shape (n, T)
        Rows provinces, columns consecutive years.
    cutoffs : sequence of float, "fixed" or "quartile"
        Class boundaries (right-closed), the paper's fixed (0.25, 0.5, 0.75), or pooled quartiles.

    Returns
    -------
    MarkovChain

    Examples
    --------
    >>> mc = markov_chain([[0.1, 0.3, 0.6], [0.2, 0.2, 0.3]])
    >>> mc.counts[:2, :3].tolist()
    [[1, 2, 0], [0, 0, 1]]
    """
    arr = _panel_array(D)
    c, scheme = _resolve_cutoffs(arr, cutoffs)
    k = len(c) + 1
    counts = transition_counts(classify(arr, c), k)
    return MarkovChain(counts, _probabilities(counts), c, scheme)


@dataclass(frozen=True)
class HomogeneityTest:
    """Bickenbach-Bode test that the lag-conditional matrices equal the pooled one.

    ``Q`` (chi-square form), ``LR`` (likelihood ratio), ``dof`` (corrected), ``p_value`` (of Q),
    ``LR_p_value``.
    """

    Q: float
    LR: float
    dof: int
    p_value: float
    LR_p_value: float


def homogeneity_test_from_counts(counts) -> HomogeneityTest:
    """Homogeneity test of conditional Markov matrices from their transition counts.

    Bickenbach and Bode (2003), as used for the paper's Q_b (Liu et al. 2026, Table 5 text):
    Q = sum_l sum_i sum_{j: p_ij > 0} n_i(l) (p_ij(l) - p_ij)^2 / p_ij, with p_ij from the pooled
    counts; dof = sum_i (b_i - 1)(a_i - 1) (b_i: lag classes with data in row i; a_i: non-zero
    cells of pooled row i). Same statistic and dof as giddy's ``Homogeneity_Results``.

    Parameters
    ----------
    counts : array_like, shape (m, k, k)
        Non-negative integer counts, one k x k matrix per regime (lag class).

    Returns
    -------
    HomogeneityTest
    """
    from scipy.special import chdtrc  # chi-square survival function; scipy.stats is slow to import

    M = np.asarray(counts, dtype=float)
    if M.ndim != 3 or M.shape[1] != M.shape[2]:
        raise ValueError(f"counts must have shape (m, k, k); found {M.shape}.")
    if np.any(M < 0) or not np.all(np.isfinite(M)):
        raise ValueError("counts must be finite and non-negative.")
    T = M.sum(axis=0)
    n_i = T.sum(axis=1)
    p = np.divide(T, n_i[:, None], out=np.zeros_like(T), where=n_i[:, None] > 0)
    n_il = M.sum(axis=2)  # (m, k)
    p_l = np.divide(M, n_il[:, :, None], out=np.zeros_like(M), where=n_il[:, :, None] > 0)
    use = (p > 0)[None, :, :] & (n_il > 0)[:, :, None]
    Q = float(np.sum(np.where(use, n_il[:, :, None] * (p_l - p) ** 2 / np.where(p > 0, p, 1), 0.0)))
    lr_cells = (M > 0) & (p > 0)[None]
    LR = float(2 * np.sum(np.where(lr_cells, M * np.log(np.where(lr_cells, p_l, 1) /
                                                          np.where(lr_cells, p[None], 1)), 0.0)))
    a_i = (T > 0).sum(axis=1)
    b_i = (n_il > 0).sum(axis=0)
    dof = int(np.sum((b_i - 1) * (a_i - 1) * (n_i > 0)))
    pv = float(chdtrc(dof, Q)) if dof > 0 else np.nan
    lpv = float(chdtrc(dof, LR)) if dof > 0 else np.nan
    if dof == 0:
        import warnings

        warnings.warn("Homogeneity test has 0 degrees of freedom: no starting class is observed "
                      "both in at least two neighbourhood (lag) classes and with at least two "
                      "destination classes, so there is nothing to compare; p-values are NaN. "
                      "More transitions (years or regions) or fewer classes are needed.",
                      MarkovWarning, stacklevel=2)
    return HomogeneityTest(Q, LR, dof, pv, lpv)


@dataclass(frozen=True)
class SpatialMarkov:
    """Spatial Markov chain (Rey 2001; Liu et al. 2026, Table 5).

    Attributes
    ----------
    counts : ndarray (m, k, k) int   counts[l, i, j]: lag class l at t, class i at t -> j at t+1
    P : ndarray (m, k, k)            row-normalised; NaN rows where there are no transitions
    pooled : MarkovChain             the traditional chain on the same classes
    Q, LR : float; dof : int; p_value, LR_p_value : float   homogeneity test (Bickenbach-Bode)
    cutoffs, lag_cutoffs : tuple; scheme : str
    lag_classes : ndarray (n, T) int  class of the spatial lag of each province-year
    """

    counts: np.ndarray
    P: np.ndarray
    pooled: MarkovChain
    Q: float
    LR: float
    dof: int
    p_value: float
    LR_p_value: float
    cutoffs: tuple
    lag_cutoffs: tuple
    scheme: str
    lag_classes: np.ndarray

    def filled(self) -> np.ndarray:
        """P with empty rows replaced by the pooled row, else a self-loop (``EMPTY_ROW_RULE``), (m, k, k)."""
        return fill_empty_rows(np.nan_to_num(self.P, nan=0.0), self.pooled.filled())[0]

    def steady_states(self) -> np.ndarray:
        """Steady state of each conditional matrix (filled), shape (m, k); NaN rows if not unique."""
        return np.vstack([steady_states(P) for P in self.filled()])

    def to_frame(self) -> pd.DataFrame:
        """Table like the paper's Table 5: lag_class, from_class (1-based), n, p_to_1..p_to_k."""
        m, k, _ = self.counts.shape
        rows = []
        for l in range(m):
            for i in range(k):
                rows.append({"lag_class": l + 1, "from_class": i + 1, "n": int(self.counts[l, i].sum()),
                             **{f"p_to_{j + 1}": self.P[l, i, j] for j in range(k)}})
        return pd.DataFrame(rows)


def spatial_markov(D, W, cutoffs=FIXED_CUTOFFS, lag_cutoffs=None) -> SpatialMarkov:
    """Spatial Markov chain conditioned on the class of the spatial lag, with homogeneity test.

    Liu et al. (2026), "Spatial Markov chain" and Table 5; method of Rey (2001); test of
    Bickenbach and Bode (2003). The lag of province i in year t is sum_j w_ij D_jt with W
    row-standardised here (giddy does not do this: a raw W sends every lag to the lowest class).

    Parameters
    ----------
    D : DataFrame or array, shape (n, T)
        Rows provinces (same order as W), columns consecutive years.
    W : array_like, shape (n, n)
        Any non-negative weights with no empty row (e.g. contiguity with the island rule).
    cutoffs : sequence of float, "fixed" or "quartile"
        Classes of D (right-closed). "quartile" = pooled quartiles of D.
    lag_cutoffs : sequence of float, "quartile_lag" or None
        Classes of the lag; None uses ``cutoffs`` (the paper's "neighbourhood types" are the same
        four types); "quartile_lag" = pooled quartiles of the lag (giddy's default).

    Returns
    -------
    SpatialMarkov

    Examples
    --------
    >>> W = [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    >>> sm = spatial_markov([[0.1, 0.3], [0.2, 0.6], [0.8, 0.9]], W)
    >>> int(sm.counts.sum()), sm.counts.shape
    (3, (4, 4, 4))
    """
    arr = _panel_array(D)
    Wr = row_standardise(W)
    if Wr.shape[0] != arr.shape[0]:
        raise ValueError(f"W is {Wr.shape[0]} x {Wr.shape[0]} but D has {arr.shape[0]} rows.")
    c, scheme = _resolve_cutoffs(arr, cutoffs)
    lag = Wr @ arr
    if lag_cutoffs is None:
        lc = c
    elif isinstance(lag_cutoffs, str):
        if lag_cutoffs != "quartile_lag":
            raise ValueError(f"lag_cutoffs must be a sequence, None or 'quartile_lag'; found {lag_cutoffs!r}.")
        lc = pooled_quartile_cutoffs(lag)
    else:
        lc = tuple(float(x) for x in lag_cutoffs)
    k, m = len(c) + 1, len(lc) + 1
    cls = classify(arr, c)
    lcls = classify(lag, lc)
    counts = np.zeros((m, k, k), dtype=np.int64)
    np.add.at(counts, (lcls[:, :-1].ravel(), cls[:, :-1].ravel(), cls[:, 1:].ravel()), 1)
    pooled_counts = counts.sum(axis=0)
    pooled = MarkovChain(pooled_counts, _probabilities(pooled_counts), c, scheme)
    ht = homogeneity_test_from_counts(counts)
    return SpatialMarkov(counts, _probabilities(counts), pooled, ht.Q, ht.LR, ht.dof, ht.p_value,
                         ht.LR_p_value, c, lc, scheme, lcls)


def gth_stationary(P) -> np.ndarray:
    """Stationary distribution of an irreducible stochastic matrix by GTH elimination.

    Grassmann, Taqqu and Heyman (1985), "Regenerative analysis and steady state distributions for
    Markov chains", *Operations Research* 33(5):1107-1116: state k is censored out of the chain
    in turn; the probability of leaving the remaining states is computed as a sum of off-diagonal
    entries (never as 1 - P_kk), so the elimination has no subtraction and every component of pi,
    however small, keeps a small relative error. This is the algorithm of quantecon's
    ``gth_solve``, vectorised in numpy. Least squares on [P' - I; 1] is not: on quantecon's KMR test
    chain (N = 27, epsilon = 0.01) it returns pi_0 = 0.437 where the exact value is 1.8e-21.

    Parameters
    ----------
    P : array_like, shape (k, k)
        Irreducible (one communicating class); the diagonal is not used.

    Returns
    -------
    ndarray, shape (k,), summing to 1

    Examples
    --------
    >>> gth_stationary([[0.5, 0.5], [0.25, 0.75]]).tolist()
    [0.3333333333333333, 0.6666666666666666]
    """
    A = np.array(P, dtype=float)
    k = A.shape[0]
    for m in range(k - 1):
        scale = A[m, m + 1:].sum()  # probability of leaving state m to the states not yet censored
        if scale <= 0:
            raise ValueError(f"P is not irreducible: state {m} cannot reach states {m + 1}..{k - 1} "
                             "once earlier states are censored; use stationary_distributions().")
        A[m + 1:, m] /= scale
        A[m + 1:, m + 1:] += np.outer(A[m + 1:, m], A[m, m + 1:])
    x = np.zeros(k)
    x[k - 1] = 1.0
    for m in range(k - 2, -1, -1):
        x[m] = x[m + 1:] @ A[m + 1:, m]
    return x / x.sum()


def stationary_distributions(P) -> np.ndarray:
    """One stationary distribution per recurrent class, shape (r, k) (as quantecon's MarkovChain).

    Every stationary distribution of P is a mixture of these rows. Recurrent classes are found from
    the graph of the chain (which entries are positive), not from a numerical solve; each class's
    distribution is computed by :func:`gth_stationary` on its block.

    Examples
    --------
    >>> stationary_distributions([[1.0, 0.0, 0.0], [0.5, 0.0, 0.5], [0.0, 0.0, 1.0]]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    P = _check_stochastic(P)
    k = P.shape[0]
    out = []
    for cls in _recurrent_classes(P):
        idx = np.array(sorted(cls))
        pi = np.zeros(k)
        pi[idx] = gth_stationary(P[np.ix_(idx, idx)])
        out.append(pi)
    return np.vstack(out)


def steady_states(P) -> np.ndarray:
    """Stationary distribution pi = pi P of a stochastic matrix, shape (k,).

    Unique when the chain has a single recurrent class (absorbing chains included: the paper's
    Table 4 makes the top class absorbing, so pi = (0, 0, 0, 1)); computed by GTH elimination
    (:func:`gth_stationary`, Grassmann, Taqqu and Heyman 1985) on that class. With several
    recurrent classes the stationary distribution is not unique: NaNs are returned with a
    :class:`MarkovWarning` naming the classes (:func:`stationary_distributions` gives one per
    class). Rows must sum to 1 (fill empty rows first).

    Examples
    --------
    >>> steady_states([[0.5, 0.5], [0.25, 0.75]]).round(4).tolist()
    [0.3333, 0.6667]
    """
    P = _check_stochastic(P)
    k = P.shape[0]
    recurrent = _recurrent_classes(P)
    if len(recurrent) != 1:
        import warnings

        names = "; ".join("{" + ", ".join(str(i + 1) for i in sorted(c)) + "}" for c in recurrent)
        warnings.warn(f"The chain has {len(recurrent)} recurrent classes (classes numbered from 1: "
                      f"{names}), so its steady state is not unique: it depends on the starting "
                      "class. NaN returned; stationary_distributions() gives one distribution per "
                      "recurrent class.", MarkovWarning, stacklevel=2)
        return np.full(k, np.nan)
    return stationary_distributions(P)[0]


def _check_stochastic(P) -> np.ndarray:
    P = np.asarray(P, dtype=float)
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be square; found shape {P.shape}.")
    if not np.all(np.isfinite(P)) or np.any(P < 0) or not np.allclose(P.sum(axis=1), 1, atol=1e-8):
        raise ValueError("P must be a stochastic matrix (non-negative, finite, rows summing to 1); "
                         "fill empty rows first (MarkovChain.filled()).")
    return P


def _reach(P: np.ndarray) -> np.ndarray:
    """reach[i, j]: j can be reached from i in zero or more steps (graph of the positive entries)."""
    k = P.shape[0]
    R = (P > 0) | np.eye(k, dtype=bool)
    for _ in range(k):
        R2 = (R.astype(np.int64) @ R.astype(np.int64)) > 0
        if (R2 == R).all():
            break
        R = R2
    return R


def _recurrent_classes(P: np.ndarray) -> list:
    R = _reach(P)
    k = P.shape[0]
    out, seen = [], set()
    for i in range(k):
        if i in seen:
            continue
        comm = {j for j in range(k) if R[i, j] and R[j, i]}
        seen |= comm
        # recurrent iff nothing reachable from i lies outside its communicating class
        if all(j in comm for j in range(k) if R[i, j]):
            out.append(comm)
    return out


def _sure_to_reach(P: np.ndarray, j: int) -> np.ndarray:
    """Boolean (k,): states i != j from which j is reached with probability 1, from the graph alone.

    With j made absorbing, i reaches j almost surely iff every state reachable from i can still
    reach j (a finite chain cannot wander for ever among states that each keep a path to j).
    """
    k = P.shape[0]
    G = P > 0
    G[j, :] = False  # j absorbing
    R = _reach(G.astype(float))
    can = R[:, j]
    sure = ~(R & ~can[None, :]).any(axis=1)
    sure[j] = False
    return sure


def _first_passage_to(P: np.ndarray, j: int, sure: np.ndarray) -> np.ndarray:
    """Expected steps to first reach j from each sure state, by subtraction-free elimination.

    Solves (I - Q) m = 1 with Q = P restricted to the sure states, as GTH does (Grassmann, Taqqu and
    Heyman 1985; for passage times Heyman and Reeves 1989): every diagonal pivot is rebuilt as the
    direct probability of hitting j plus the off-diagonal mass still in play, never as 1 - P_ii, so
    no cancellation occurs and each m_i keeps a small relative error even when it is 1e12 steps.
    """
    idx = np.flatnonzero(sure)
    B = P[np.ix_(idx, idx)].copy()
    np.fill_diagonal(B, 0.0)
    s = P[idx, j].copy()  # probability of stepping into j directly
    b = np.ones(idx.size)
    n = idx.size
    pivots = np.empty(n)
    for p in range(n):
        pivots[p] = s[p] + B[p, p + 1:].sum()
        rows = slice(p + 1, n)
        lam = B[rows, p] / pivots[p]
        B[rows, p + 1:] += np.outer(lam, B[p, p + 1:])
        s[rows] += lam * s[p]
        b[rows] += lam * b[p]
        # the returns r -> p -> r just added to B[r, r] are not exits: drop them from the row
        r_idx = np.arange(p + 1, n)
        B[r_idx, r_idx] = 0.0
    m = np.zeros(n)
    for p in range(n - 1, -1, -1):
        m[p] = (b[p] + B[p, p + 1:] @ m[p + 1:]) / pivots[p]
    return m


def mean_first_passage_times(P) -> np.ndarray:
    """Mean first-passage times M[i, j]: expected steps to first reach j from i (M[j, j]: return time).

    Defined by m_ij = 1 + sum_{k != j} P_ik m_kj (Kemeny and Snell 1960, ch. 4). Whether j is reached
    from i with probability 1 is decided from the graph of the chain (which entries are positive),
    never from a numerically solved probability; the finite times are then computed by a
    subtraction-free (GTH-type) elimination, so slowly mixing chains keep finite, accurate values
    and satisfy Kac's identity M[j, j] pi_j = 1 (e.g. quantecon's KMR chain, N = 10,
    epsilon = 0.01, where times reach 4e12 steps). States that may never reach j get inf (e.g. any
    target below an absorbing top class).

    Parameters
    ----------
    P : array_like, shape (k, k), stochastic (fill empty rows first)

    Returns
    -------
    ndarray, shape (k, k), years (steps) as floats, inf where unreachable

    Examples
    --------
    >>> mean_first_passage_times([[0.5, 0.5], [0.25, 0.75]]).tolist()
    [[3.0, 2.0], [4.0, 1.5]]
    """
    P = _check_stochastic(P)
    k = P.shape[0]
    M = np.full((k, k), np.inf)
    for j in range(k):
        sure = _sure_to_reach(P, j)
        if sure.any():
            M[sure, j] = _first_passage_to(P, j, sure)
        succ = [kk for kk in range(k) if kk != j and P[j, kk] > 0]
        if all(sure[kk] for kk in succ):
            M[j, j] = 1.0 + sum(P[j, kk] * M[kk, j] for kk in succ)
    return M


@dataclass(frozen=True)
class PaperMarkov:
    """The paper's published transition tables (Liu et al. 2026, Tables 4-5) and its Q_b.

    Attributes
    ----------
    P_traditional : (4, 4); n_traditional : (4,) int
    P_spatial : (4, 4, 4) lag x from x to; n_spatial : (4, 4) int
    counts_spatial : (4, 4, 4) int   n x p rounded to integers (reproduces every printed probability)
    Q_reported : float (157.893); p_reported : float (0.000)
    recomputed : HomogeneityTest     the test on ``counts_spatial``
    """

    P_traditional: np.ndarray
    n_traditional: np.ndarray
    P_spatial: np.ndarray
    n_spatial: np.ndarray
    counts_spatial: np.ndarray
    Q_reported: float
    p_reported: float
    recomputed: HomogeneityTest

    def comparison(self) -> pd.DataFrame:
        """Reported vs recomputed homogeneity test, one row per quantity."""
        r = self.recomputed
        return pd.DataFrame({"quantity": ["Q_b", "p-value", "degrees of freedom"],
                             "reported": [self.Q_reported, self.p_reported, np.nan],
                             "recomputed_from_table5_counts": [r.Q, r.p_value, r.dof]})


def paper_transition_matrices(data_dir=None) -> PaperMarkov:
    """Read the paper's Tables 4-5 (``data/paper/liu2026_table4_markov.csv``, ``..._table5_...``)
    and its homogeneity test (``liu2026_spatial_markov_test.csv``).

    The spatial counts are recovered as round(n x p); they reproduce the printed probabilities and
    sum to Table 4's counts, yet the homogeneity test on them gives Q ~ 10.6 (p ~ 0.56), not the
    reported Q_b = 157.893 (p = 0.000): ``comparison()`` shows both.
    """
    from sim import schema

    base = (schema.DATA_DIR / "paper") if data_dir is None else data_dir
    t4 = pd.read_csv(base / "liu2026_table4_markov.csv")
    t5 = pd.read_csv(base / "liu2026_table5_spatial_markov.csv")
    pcols = [f"p_to_{j}" for j in range(1, 5)]
    P4 = t4.sort_values("from_class")[pcols].to_numpy(dtype=float)
    n4 = t4.sort_values("from_class")["n"].to_numpy(dtype=int)
    t5 = t5.sort_values(["lag_class", "from_class"])
    P5 = t5[pcols].to_numpy(dtype=float).reshape(4, 4, 4)
    n5 = t5["n"].to_numpy(dtype=int).reshape(4, 4)
    counts = np.rint(P5 * n5[:, :, None]).astype(np.int64)
    test = pd.read_csv(base / "liu2026_spatial_markov_test.csv").set_index("name")["value"]
    return PaperMarkov(P4, n4, P5, n5, counts, float(test["Q_b"]), float(test["p_value"]),
                       homogeneity_test_from_counts(counts))
