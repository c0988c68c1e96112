"""The simulator's forward model: continuous coordination D on joint spatial Markov paths.

Liu et al. (2026) estimate traditional and spatial Markov chains of coordination classes (Tables 4
and 5: ``Pr(class_t+1 = j | class_t = i, class of the spatial lag l)``). The paper only estimates
them; the simulator runs them forward (SPEC 4.1). What this module adds is a *continuous* D on every
path, so that a scenario's effect on D counts from the year it starts, whatever its size, and every
number of the simulator is read from one set of paths.

One step, for every path and province (``step`` in :func:`simulate_paths`)
----------------------------------------------------------------------
1. ``i = class(D_t)`` and ``l = class(W D_t)`` (W row-standardised contiguity, the lag of the
   province's *simulated* neighbours, so provinces move jointly);
2. the destination class ``j`` is drawn from the estimated (or published) row ``P[l, i, :]`` by
   inverse CDF with one uniform ``u`` (16 bits; probabilities used at 2**-16);
3. the new value is placed inside class j by the *observed* moves from class i to class j:
   ``D_t+1 = T_ij(D_t)``, where ``T_ij`` is the quantile map from the rank of D_t among all observed
   starting values in class i to the same quantile of the observed end values of the i -> j moves,
   piecewise linear between the observations and, beyond them, rising slowly towards the edge of class j without reaching it
   (no province runs past the highest value observed for such a move by more than a fraction of
   the distance to the class edge); the map is tabulated at D = g / 2048 and interpolated linearly
   (``GRID``). A province keeps its rank among comparable provinces: one at the top of its class
   stays near the top. Before the map, the year adds noise to the starting value, drawn from what
   the maps miss on the observed moves (``observed end - T_ij(observed start)`` pooled over all
   pairs, 256 quantiles, a second uniform): ``D_t+1 = T_ij(clip(D_t + noise, 0, 1))``, so the result
   stays inside class j and the map stays non-decreasing in D_t. A pair never observed (possible
   with the paper's matrices) maps class i's interval linearly onto class j's;
4. a scenario adds its own effect on D in that year, ``delta_t = e_t - e_t-1`` with ``e_t`` the
   change of D through the frozen frame (``sim.simulate``), and D is kept in [0, 1].

Properties (tested in ``tests/test_projection.py`` and ``tests/test_forward_model.py``)
--------------------------------------------------------------------------------------
* **Matrices reproduced.** Without a scenario effect, j is drawn from ``P[l, i]`` and D_t+1 lies in
  class j, so the class transitions of simulated baseline paths follow the matrices exactly in
  expectation (only Monte Carlo error remains).
* **Common random numbers.** Baseline and scenario use the same uniforms; with no effect the paths
  are identical bit for bit, and a change starting in year y leaves every earlier year identical.
* **Monotone.** For a fixed u every map is non-decreasing in D; when the matrices are stochastically
  monotone (a higher own or neighbour class never makes a lower destination more likely,
  :func:`stochastically_monotone`) a larger favourable effect gives classes at least as high on
  every path, up to the rare case of two origins in different classes reaching the same class
  through different observed maps.
* **D in [0, 1]** by construction.

Empty rows of the matrices (a (lag class, class) cell never observed) take the pooled row, else a
self-loop (``sim.markov.fill_empty_rows``), as for steady states.

``simulate_paths_reference`` is the same model written as plain loops over paths and provinces; a
test checks that the two give identical paths.

Examples
--------
>>> import numpy as np
>>> D = np.array([[0.20, 0.22, 0.24], [0.30, 0.33, 0.36], [0.60, 0.62, 0.64]])
>>> W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
>>> P = np.tile(np.eye(4), (4, 1, 1))  # everybody stays in its class
>>> fm = fit_forward_model(D, W, (0.25, 0.5, 0.75), P, np.eye(4))
>>> paths = simulate_paths(fm, D[:, -1], horizon=2, n_paths=3, seed=0)
>>> paths.D.shape, bool((paths.classes[-1] == [0, 1, 2]).all())
((3, 3, 3), True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.markov import check_transition_matrix, classify, fill_empty_rows
from sim.weights import row_standardise

UNIFORM_BITS = 12  # transition probabilities are used at a resolution of 2**-12 (< 2.5e-4)
_SCALE = 1 << UNIFORM_BITS
MAX_HORIZON = 100
MAX_CELLS = 120_000_000  # n_paths x provinces x years held at once (float32: < 0.5 GiB)
_EPS = 1e-9  # class intervals are right-closed: the lowest value of class j > 0 is lo_j + _EPS
NOISE_LEVELS = 256  # within-class noise: 256 quantiles of each map's residuals
GRID = 2048  # the within-class maps are tabulated at D = g / 2048 and interpolated linearly


def _bounds(cutoffs, k):
    lo = np.r_[0.0, np.asarray(cutoffs, dtype=float)]
    hi = np.r_[np.asarray(cutoffs, dtype=float), 1.0]
    floor = lo + np.where(np.arange(k) > 0, _EPS, 0.0)
    return lo, hi, floor


@dataclass(frozen=True)
class ForwardModel:
    """The fitted forward model (immutable; arrays read-only).

    Attributes
    ----------
    cutoffs : tuple of float
        Class cut-offs (k - 1), right-closed; also used for the lag.
    W : ndarray (n, n) or scipy.sparse CSR
        Row-standardised proximity weights, zero diagonal (sparse when fitted on sparse weights).
    P : ndarray (m, k, k)
        Transition matrices by lag class, empty rows filled.
    thresholds : ndarray (m * k, k - 1) int64
        ``round(4096 * cumsum(P[l, i])[b])``: the destination is the number of b with u >= threshold.
    grid, grid_step : ndarray (k * k * (GRID + 1),)
        The within-class maps ``T_ij`` (pair p = i k + j) at D = g / GRID, g = 0..GRID, and the
        difference to the next grid value: ``T(D) = grid[p, g] + (D GRID - g) grid_step[p, g]``.
    noise : ndarray (NOISE_LEVELS,)
        Quantiles (at (m + 0.5) / 256) of what the maps miss on the observed moves,
        ``observed end - T_ij(observed start)``, pooled over the pairs observed at least twice.
    pair_counts : ndarray (k, k) int
        Observed transitions behind each map (0: the linear interval map).
    source : str
    """

    cutoffs: tuple
    W: np.ndarray
    P: np.ndarray
    thresholds: np.ndarray
    grid: np.ndarray
    grid_step: np.ndarray
    noise: np.ndarray
    pair_counts: np.ndarray
    source: str = ""
    destinations: np.ndarray = None  # (m * k * 4096,) uint8: _destination_table(thresholds), built once

    @property
    def k(self) -> int:
        return self.P.shape[-1]

    @property
    def n(self) -> int:
        return self.W.shape[0]


def _ro(a):
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


SPARSE_LAG_MIN_UNITS = 500  # a dense proximity W of more units with few links is stored sparse
SPARSE_LAG_MAX_DENSITY = 0.05


def _lag_weights(Wrs):
    """The row-standardised proximity W as the paths use it: a dense matrix of more than
    ``SPARSE_LAG_MIN_UNITS`` units with at most 5 % non-zero entries (k nearest, contiguity) is
    converted to CSR, so the yearly lag of every path costs paths x links instead of paths x n^2
    (2,800 counties, ~1,000 paths: ~0.01 s instead of ~0.5 s a year). The 30 provinces stay dense.
    """
    from scipy import sparse

    if sparse.issparse(Wrs) or Wrs.shape[0] <= SPARSE_LAG_MIN_UNITS:
        return Wrs
    if np.count_nonzero(Wrs) > SPARSE_LAG_MAX_DENSITY * Wrs.size:
        return Wrs
    return sparse.csr_matrix(Wrs)


def _ro_weights(W):
    """Read-only weights: a dense array, or a CSR matrix whose arrays are read-only."""
    from scipy import sparse

    if not sparse.issparse(W):
        return _ro(W)
    for a in (W.data, W.indices, W.indptr):
        a.setflags(write=False)
    return W


def fit_forward_model(D_hist, W, cutoffs, P_spatial, P_pooled=None, source: str = "") -> ForwardModel:
    """Fit the within-class maps on the observed D and freeze the matrices.

    Parameters
    ----------
    D_hist : array_like (n, T)
        Observed coupling coordination, provinces x consecutive years (T >= 2), in W's order.
    W : array_like or scipy.sparse matrix (n, n)
        Proximity weights (contiguity with the island rule, or k nearest); row-standardised here. A
        sparse matrix stays sparse (thousands of units: the yearly lag of every path then costs
        paths x links instead of paths x n^2; a test checks both give the same paths).
    cutoffs : sequence of float
        Class cut-offs (fixed 0.25/0.5/0.75 or the pooled quartiles).
    P_spatial : array_like (m, k, k)
        Lag-conditional transition matrices (estimated, or the paper's Table 5); all-zero or NaN rows
        are filled from ``P_pooled`` (else a self-loop).
    P_pooled : array_like (k, k), optional
    source : str
        Where the matrices come from, for the notes.
    """
    D = np.asarray(D_hist, dtype=float)
    if D.ndim != 2 or D.shape[1] < 2 or not np.all(np.isfinite(D)):
        raise ValueError(f"D_hist must be finite, provinces x years with at least 2 years; found shape {D.shape}")
    c = tuple(float(x) for x in cutoffs)
    k = len(c) + 1
    Wrs = _lag_weights(row_standardise(W, zero_diagonal=True))
    if Wrs.shape[0] != D.shape[0]:
        raise ValueError(f"W is {Wrs.shape[0]} x {Wrs.shape[0]} but D_hist has {D.shape[0]} provinces")
    Ps = np.nan_to_num(np.asarray(P_spatial, dtype=float), nan=0.0)
    if Ps.ndim == 2:
        Ps = Ps[None]
    if Ps.shape[-1] != k:
        raise ValueError(f"P_spatial has {Ps.shape[-1]} classes but the cut-offs define {k}")
    fb = None if P_pooled is None else np.nan_to_num(np.asarray(P_pooled, dtype=float), nan=0.0)
    Pf, _ = fill_empty_rows(check_transition_matrix(Ps, "P_spatial"), fb)
    cum = np.cumsum(Pf, axis=-1)[..., :-1].reshape(-1, k - 1)
    thresholds = np.round(cum * _SCALE).astype(np.int64)

    lo, hi, floor = _bounds(c, k)
    cls = classify(D, c)
    o_all, d_all = D[:, :-1], D[:, 1:]
    ci, cj = cls[:, :-1], cls[:, 1:]
    kx, ky, res = [], [], []
    counts = np.zeros((k, k), dtype=np.int64)
    levels = (np.arange(NOISE_LEVELS) + 0.5) / NOISE_LEVELS
    for i in range(k):
        starts = np.sort(o_all[ci == i])  # every observed start in class i, whatever came next
        pos = (np.arange(starts.size) + 0.5) / max(starts.size, 1)
        for j in range(k):
            m = (ci == i) & (cj == j)
            counts[i, j] = int(m.sum())
            if counts[i, j]:
                # rank among class i's starts -> the same quantile of the i -> j ends
                xo, yd = starts, np.quantile(d_all[m], pos)
                if m.sum() > 1:  # what the map misses on the observed moves: the within-class noise
                    res.append(d_all[m] - np.interp(o_all[m], xo, yd))
            else:  # never observed: class i's interval onto class j's
                xo, yd = np.array([lo[i], hi[i]]), np.array([floor[j], hi[j]])
            # beyond the observations: towards the class edges, never reaching them
            xo = np.r_[xo[0] - 1.0, xo, xo[-1] + 1.0]
            yd = np.r_[min(floor[j], yd[0]), yd, max(hi[j], yd[-1])]
            kx.append(xo)
            ky.append(yd)
    res = np.concatenate(res) if res else np.zeros(1)
    noise = np.quantile(res, levels)
    grid = np.linspace(0.0, 1.0, GRID + 1)
    G = np.stack([np.clip(np.interp(grid, a, b), floor[p % k], hi[p % k]) for p, (a, b) in enumerate(zip(kx, ky))])
    return ForwardModel(c, _ro_weights(Wrs), _ro(Pf), _ro(thresholds), _ro(G.ravel()),
                        _ro(np.diff(G, axis=1, append=G[:, -1:]).ravel()), _ro(noise),
                        _ro(counts), source, _ro(_destination_table(thresholds, k)))


def stochastically_monotone(P) -> bool:
    """True when no higher own class or lag class makes a lower destination more likely.

    ``cumsum(P[l, i])`` must be non-increasing in i (for each l) and in l (for each i), within 1e-12.
    """
    cum = np.cumsum(np.asarray(P, dtype=float), axis=-1)
    return bool((np.diff(cum, axis=-2) <= 1e-12).all() and (np.diff(cum, axis=-3) <= 1e-12).all())


# --- simulation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Paths:
    """Simulated paths of one side (baseline or scenario); arrays read-only.

    Attributes
    ----------
    years : ndarray (H + 1,) int
        The start year (last observed) and the H projected years.
    D : ndarray (H + 1, n_paths, n) float32
        Coupling coordination on every path; ``D[0]`` is the starting value.
    classes : ndarray (H + 1, n_paths, n) uint8
    uniforms : ndarray (2, H, n_paths, n) uint16
        The random numbers used (shared with the other side: common random numbers).
    labels : tuple
    cutoffs : tuple
    """

    years: np.ndarray
    D: np.ndarray
    classes: np.ndarray
    uniforms: np.ndarray
    labels: tuple
    cutoffs: tuple
    seed: int = 0
    noise_values: np.ndarray = None  # (H, n_paths, n) float32: the within-class noise drawn

    @property
    def n_paths(self) -> int:
        return self.D.shape[1]

    @property
    def k(self) -> int:
        return len(self.cutoffs) + 1


PATH_CELLS_PER_YEAR = 3_000_000  # paths x units simulated per year: 10,000 paths up to 300 units
MIN_PATHS = 100
PATHS_RULE = ("With {n:,} units the simulator runs {paths:,} joint paths instead of {requested:,}: every "
              "path carries all {n:,} units, so {requested:,} paths would hold {cells:,} values a year "
              "(several GiB and seconds per scenario). Shares of units by class average over the {n:,} "
              "units on every path, so their Monte Carlo error stays small; a single unit's band is "
              "read from {paths:,} paths.")


def paths_for(n_units: int, requested: int = 10_000, cells_per_year: int = PATH_CELLS_PER_YEAR):
    """Joint paths affordable for ``n_units`` units, and a note when fewer than ``requested``.

    ``min(requested, cells_per_year // n_units)``, at least ``MIN_PATHS``: the 30 provinces and up
    to 300 units keep 10,000 paths; 2,800 counties get 1,071 (a recompute ~0.1 s of paths, memory
    ~0.3 GiB per side instead of an error from :func:`simulate_paths`, whose limit ``MAX_CELLS``
    10,000 paths of 2,800 units x 6 years exceed).

    Returns
    -------
    (int, str)
        The number of paths and ``PATHS_RULE`` filled in ("" when ``requested`` is affordable).

    Examples
    --------
    >>> paths_for(30)
    (10000, '')
    >>> paths_for(2800)[0]
    1071
    """
    n_units, requested = int(n_units), int(requested)
    if n_units < 1 or requested < 1:
        raise ValueError(f"n_units and requested must be positive; found {n_units}, {requested}")
    paths = max(MIN_PATHS, min(requested, int(cells_per_year) // n_units))
    if paths >= requested:
        return requested, ""
    return paths, PATHS_RULE.format(n=n_units, paths=paths, requested=requested,
                                    cells=requested * n_units)


def draw_uniforms(horizon: int, n_paths: int, n: int, seed: int) -> np.ndarray:
    """The (2, horizon, n_paths, n) uniforms (uint16) of a run, from ``numpy.random.default_rng(seed)``.

    ``[0]``: 12-bit, for the destination class; ``[1]``: 8-bit, for the within-class noise.
    """
    rng = np.random.default_rng(seed)
    u = np.empty((2, horizon, n_paths, n), dtype=np.uint16)
    u[0] = rng.integers(0, _SCALE, size=(horizon, n_paths, n), dtype=np.uint16)
    u[1] = rng.integers(0, NOISE_LEVELS, size=(horizon, n_paths, n), dtype=np.uint16)
    return u


def _check_run(fm: ForwardModel, d0, horizon, n_paths, effects):
    if int(horizon) != horizon or not 1 <= horizon <= MAX_HORIZON:
        raise ValueError(f"horizon must be a whole number of years from 1 to {MAX_HORIZON}, found {horizon!r}")
    if int(n_paths) != n_paths or n_paths < 1:
        raise ValueError(f"n_paths must be a positive integer, found {n_paths!r}")
    if n_paths * fm.n * (horizon + 1) > MAX_CELLS:
        raise ValueError(f"{n_paths:,} paths x {fm.n} provinces x {horizon + 1} years is more than "
                         f"{MAX_CELLS:,} values; use fewer paths")
    d0 = np.asarray(d0, dtype=float)
    if d0.shape != (fm.n,) or not np.all(np.isfinite(d0)):
        raise ValueError(f"starting D must be {fm.n} finite values, found shape {d0.shape}")
    if effects is None:
        effects = np.zeros((fm.n, horizon + 1))
    effects = np.asarray(effects, dtype=float)
    if effects.shape != (fm.n, horizon + 1) or not np.all(np.isfinite(effects)):
        raise ValueError(f"effects must be finite, shape ({fm.n}, {horizon + 1}); found {effects.shape}")
    return np.clip(d0, 0.0, 1.0), effects


def simulate_paths(fm: ForwardModel, d0, horizon: int, n_paths: int = 10_000, seed: int = 0,
                   effects=None, start_year: int = 0, labels=(), uniforms=None, noise_values=None,
                   base=None) -> Paths:
    """Joint paths of every province's D (the model of the module docstring).

    Parameters
    ----------
    fm : ForwardModel
    d0 : array_like (n,)
        D in the start year (the last observed year), before any scenario effect.
    horizon : int
        Years projected.
    n_paths, seed : int
    effects : array_like (n, horizon + 1), optional
        The scenario's effect on D in the start year and each projected year (``e_t``); the path
        gets ``e_0`` at the start and ``e_t - e_t-1`` in year t. None: the baseline.
    start_year : int
        Calendar year of ``d0``.
    labels : sequence
        Province names, for the tables.
    uniforms : ndarray (2, horizon, n_paths, n) uint16, optional
        Re-use another side's random numbers (:func:`draw_uniforms` otherwise).
    noise_values : ndarray (horizon, n_paths, n) float32, optional
        The noise those uniforms give with this model (``Paths.noise_values`` of the other side);
        computed from ``uniforms[1]`` when omitted.
    base : Paths, optional
        The baseline paths of the same model, start, uniforms and noise (no effects): the years
        before the first non-zero effect are copied from it instead of recomputed (identical).

    Notes
    -----
    Paths are computed in float32 (D to about 1e-7) with the layout (year, path, province) so that
    each year is one contiguous block; :func:`simulate_paths_reference` is the same model in plain
    loops and float64 (a test checks they agree to 1e-5).
    """
    d0, e = _check_run(fm, d0, horizon, n_paths, effects)
    H, N, n, k = int(horizon), int(n_paths), fm.n, fm.k
    U = draw_uniforms(H, N, n, seed) if uniforms is None else uniforms
    if U.shape != (2, H, N, n):
        raise ValueError(f"uniforms must have shape {(2, H, N, n)}, found {U.shape}")
    cut = np.asarray(fm.cutoffs, dtype=np.float32)
    delta = np.diff(e, axis=1)  # (n, H)
    moved = np.abs(delta) > 0
    out_D = np.empty((H + 1, N, n), dtype=np.float32)
    out_c = np.empty((H + 1, N, n), dtype=np.uint8)
    out_D[0] = np.clip(d0 + e[:, 0], 0.0, 1.0).astype(np.float32)
    t0 = 0
    if base is not None and not np.any(e[:, 0]):
        if base.D.shape != out_D.shape or base.uniforms is not U:
            raise ValueError("base must be the baseline paths of the same run (shape and uniforms)")
        # identical until the first year with an effect: copy those years
        t0 = int(np.argmax(moved.any(axis=0))) if moved.any() else H
        out_D[: t0 + 1], out_c[: t0 + 1] = base.D[: t0 + 1], base.classes[: t0 + 1]
    x = out_D[t0]
    c = _classes(x, cut)
    out_c[t0] = c
    from scipy import sparse

    if sparse.issparse(fm.W):  # x @ WT through the sparse matrix: paths x links per year
        WT = sparse.csr_matrix(fm.W.T, dtype=np.float32)
    else:
        WT = np.ascontiguousarray(fm.W.T, dtype=np.float32)
    lut = fm.destinations
    G, dG = fm.grid.astype(np.float32), fm.grid_step.astype(np.float32)
    Z = noise_values
    if Z is None:  # the within-class noise of every path, province and year, from the second uniforms
        Z = fm.noise.astype(np.float32).take(U[1].astype(np.intp))
    # (numpy's take with intp indices: integer indices of other widths are converted on every call)
    # index arithmetic in uint16 where every index fits (4 classes: (4 * 4) << 12 and 16 * 2049 do),
    # converted once to intp for numpy's take
    small = (fm.P.shape[0] * k) << UNIFORM_BITS <= 1 << 16 and k * k * (GRID + 1) <= 1 << 16 and k * k < 256
    itype = np.uint16 if small else np.intp
    for t in range(t0, H):
        # destination class: look-up by (lag class, class, 12-bit uniform)
        row = _classes(x @ WT, cut)  # uint8 lag class, then the (lag class, class) row
        row *= k
        row += c
        idx = row.astype(itype)
        idx <<= UNIFORM_BITS
        idx |= U[0, t]
        j = lut.take(idx.astype(np.intp))
        # noise, then the within-class map of pair (c, j), tabulated: index ((c k + j) (GRID + 1) + g)
        s_ = x + Z[t]
        np.clip(s_, 0.0, 1.0, out=s_)
        s_ *= np.float32(GRID)
        g = s_.astype(itype)
        s_ -= g
        c *= k  # c is this year's class array (a fresh array each year): reuse it for the pair c k + j
        c += j
        pi = c.astype(itype)
        pi *= GRID + 1
        pi += g
        pi = pi.astype(np.intp)
        x = out_D[t + 1]
        G.take(pi, out=x)
        s_ *= dG.take(pi)
        x += s_
        if moved[:, t].any():  # the scenario's own effect in this year
            cols = np.flatnonzero(moved[:, t])
            x[:, cols] = np.clip(x[:, cols] + delta[cols, t].astype(np.float32), 0.0, 1.0)
            j[:, cols] = _classes(x[:, cols], cut)
        c = j
        out_c[t + 1] = c
    years = np.arange(start_year, start_year + H + 1)
    return Paths(_ro(years), _ro(out_D), _ro(out_c), _ro(U), tuple(labels), tuple(fm.cutoffs), int(seed), _ro(Z))


def _destination_table(thresholds: np.ndarray, k: int) -> np.ndarray:
    """(rows * 4096,) uint8: destination class for each (lag class, class) row and 12-bit uniform."""
    u = np.arange(_SCALE)
    return (u[None, :, None] >= thresholds[:, None, :]).sum(axis=-1).astype(np.uint8).ravel()


def _classes(x: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """``sim.markov.classify`` for a few cut-offs, as uint8 (comparisons instead of a search)."""
    out = (x > cut[0]).view(np.uint8).copy()
    for b in cut[1:]:
        out += (x > b).view(np.uint8)
    return out


def simulate_paths_reference(fm: ForwardModel, d0, horizon: int, n_paths: int, seed: int = 0,
                             effects=None, uniforms=None) -> np.ndarray:
    """The model of the module docstring as plain loops in float64 (slow; for tests).

    Returns D with the layout of :class:`Paths`, (H + 1, n_paths, n).
    """
    d0, e = _check_run(fm, d0, horizon, n_paths, effects)
    H, N, n, k = int(horizon), int(n_paths), fm.n, fm.k
    U = draw_uniforms(H, N, n, seed) if uniforms is None else uniforms
    lo, hi, floor = _bounds(fm.cutoffs, k)

    def cls(v):
        return int(sum(v > c for c in fm.cutoffs))

    out = np.empty((H + 1, N, n))
    for p in range(N):
        x = [min(max(d0[i] + e[i, 0], 0.0), 1.0) for i in range(n)]
        out[0, p, :] = x
        for t in range(H):
            lagv = [sum(fm.W[i, q] * x[q] for q in range(n)) for i in range(n)]
            new = []
            for i in range(n):
                a, lc = cls(x[i]), cls(lagv[i])
                cum = np.cumsum(fm.P[lc, a])
                j = next((b for b in range(k - 1) if int(U[0, t, p, i]) < round(cum[b] * _SCALE)), k - 1)
                G = fm.grid.reshape(k * k, GRID + 1)[a * k + j]
                z = min(max(x[i] + fm.noise[int(U[1, t, p, i])], 0.0), 1.0)
                y = float(np.interp(z, np.linspace(0.0, 1.0, GRID + 1), G))
                d = e[i, t + 1] - e[i, t]
                if d != 0:
                    y = min(max(y + d, 0.0), 1.0)
                new.append(y)
            x = new
            out[t + 1, p, :] = x
    return out


# --- summaries -------------------------------------------------------------------------------
QUANTILES = (0.05, 0.5, 0.95)


def path_quantiles(values: np.ndarray, axis: int, qs=QUANTILES) -> np.ndarray:
    """Quantiles over paths (along ``axis``) as order statistics: numpy's "inverted_cdf" rule, the
    smallest value with at least q of the paths at or below it. The quantiles form the last axis
    (float64). The one rule behind every percentile of D the simulator reports."""
    N = values.shape[axis]
    idx = [max(int(np.ceil(q * N)) - 1, 0) for q in qs]
    part = np.partition(values, sorted(set(idx)), axis=axis)
    return np.stack([np.take(part, i, axis=axis) for i in idx], axis=-1).astype(float)


def province_quantiles(paths: Paths) -> np.ndarray:
    """5th, 50th and 95th percentiles of D over paths, shape (n, H + 1, 3) (:func:`path_quantiles`)."""
    return path_quantiles(paths.D, axis=1).transpose(1, 0, 2)


def class_probabilities(paths: Paths) -> np.ndarray:
    """Share of paths in each class per province and year, shape (n, H + 1, k)."""
    N = paths.n_paths
    out = np.stack([np.count_nonzero(paths.classes == c, axis=1) for c in range(paths.k)], axis=-1)
    return out.transpose(1, 0, 2) / N


def national_shares(paths: Paths, at_least=None):
    """Share of provinces per class on each path, summarised over paths.

    Returns (mean, p05, p95), each (H + 1, k); with ``at_least=c`` the share in class c or above,
    each (H + 1,). Percentiles use the "inverted_cdf" rule on the discrete shares (multiples of 1/n).
    """
    n = paths.classes.shape[2]
    if at_least is not None:
        return _summ(np.count_nonzero(paths.classes >= at_least, axis=2), n)
    out = [_summ(np.count_nonzero(paths.classes == c, axis=2), n) for c in range(paths.k)]
    return tuple(np.stack([o[m] for o in out], axis=-1) for m in range(3))


def _summ(cnt: np.ndarray, n: int):
    """cnt (T, N) provinces per path -> mean, p05, p95 of cnt / n over paths, each (T,)."""
    T, N = cnt.shape
    mean = cnt.mean(axis=1) / n
    hist = np.bincount((np.arange(T)[:, None] * (n + 1) + cnt).ravel(), minlength=T * (n + 1)).reshape(T, n + 1)
    cdf = np.cumsum(hist, axis=1)
    p05 = (cdf >= np.ceil(0.05 * N)).argmax(axis=1) / n
    p95 = (cdf >= np.ceil(0.95 * N)).argmax(axis=1) / n
    return mean, p05, p95


def transition_frequencies(paths: Paths, W, cutoffs, steps=None) -> np.ndarray:
    """Counts of simulated class transitions by (lag class, class, next class), shape (m, k, k).

    The lag is recomputed from the paths' D with W row-standardised, as the model does.
    """
    k = paths.k
    Wrs = row_standardise(W, zero_diagonal=True).astype(np.float32)
    H = paths.D.shape[0] - 1
    counts = np.zeros(k * k * k, dtype=np.int64)
    for t in (range(H) if steps is None else steps):
        lag = _classes(paths.D[t] @ Wrs.T, np.asarray(cutoffs, dtype=np.float32)).astype(np.intp)
        flat = (lag * k + paths.classes[t]) * k + paths.classes[t + 1]
        counts += np.bincount(flat.ravel(), minlength=k ** 3)
    return counts.reshape(k, k, k)


def paths_frame(paths: Paths) -> pd.DataFrame:
    """Per province and year: D percentiles and class probabilities (a long table)."""
    q = province_quantiles(paths)
    pr = class_probabilities(paths)
    n, T = q.shape[:2]
    out = pd.DataFrame({"province": np.repeat(np.asarray(paths.labels, dtype=object), T),
                        "year": np.tile(paths.years, n),
                        "D_p05": q[..., 0].ravel(), "D_median": q[..., 1].ravel(), "D_p95": q[..., 2].ravel()})
    for c in range(paths.k):
        out[f"p_class_{c}"] = pr[..., c].ravel()
    return out
