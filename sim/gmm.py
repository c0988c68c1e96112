"""Difference and system GMM for dynamic panels, following Stata's ``xtabond2`` algebra.

Implements the Arellano-Bond (1991) difference GMM and the Arellano-Bover (1995) /
Blundell-Bond (1998) system GMM, one- and two-step, with the Windmeijer (2005) finite-sample
correction of the two-step variance, the Arellano-Bond AR(m) test, xtabond2's Sargan (one-step
residuals) and Hansen J (two-step) tests. The algebra is the one Roodman (2009, "How to do
xtabond2", Stata Journal 9(1)) implements in ``xtabond2``, restated in
``shared/methods/system_gmm_algebra.md``:

* each group sits on the full calendar grid t = 1..T; in system GMM it has 2T rows (differenced
  equation for t = 1..T, then levels equation for t = 1..T); rows outside the sample are zero;
* GMM-style instruments: one column per (t, lag) in the differenced equation (collapsed: one per
  lag), a missing value becomes 0; in the levels equation only the lag (a-1) difference;
* IV-style instruments: one column spanning both equations (Δz in differenced rows, z in levels);
* step-1 weight H = [[D, C], [C', I]] (xtabond2's default ``h(3)``), difference GMM uses D;
* instrument count = rank of S1; Hansen df = rank(S1) - k.

Used by Wang et al. (2025), Table 4 (Models 1-3, two-step system GMM of TI on L.TI, IP, NC,
IP*NC and controls), Table 5 (mediation) and the placebo test (``sim.robustness``).

The public entry point is :func:`dynamic_panel_gmm`; :func:`build_design` + :meth:`GmmDesign.fit`
split the work so a caller can swap one variable (``GmmDesign.replace``) and re-estimate without
rebuilding the blocks that do not depend on it (the placebo's 1000 re-estimations).
"""
from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import linalg, stats

from sim.messages import Msg, N_

__all__ = [
    "GmmStyle", "IvStyle", "TestStat", "GmmDesign", "GmmResults",
    "build_design", "dynamic_panel_gmm", "parse_lagged", "blas_single_thread",
]

TOO_MANY_INSTRUMENTS = N_("too many instruments: Hansen/Sargan p near 1 is not evidence of "
                          "validity (Roodman 2009)")
# the warnings of GmmResults.warnings, as sim.messages.Msg (str() is the English sentence; the UI translates)
TOO_MANY_WARNING = N_("too many instruments: Hansen/Sargan p near 1 is not evidence of "
                      "validity (Roodman 2009) ({j} instruments > {n} groups)")
DROPPED_WARNING = N_("dropped because of collinearity or no variation in the sample: {names}")
S1_WARNING = N_("first-step weighting matrix S1 = sum_i Z_i'H Z_i is rank-deficient (rank "
                "{rank} < {columns} instrument columns): some instruments are collinear "
                "in the sample, so the Moore-Penrose pseudo-inverse is used and the reported "
                "instrument count and Sargan/Hansen degrees of freedom use the rank ({rank}), "
                "as xtabond2 does; check the instrument list for redundant columns")
S2_WARNING = N_("two-step weighting matrix S2 is singular (rank "
                "{rank} < {columns}): a generalized inverse is used ("
                "{inverse}), "
                "so two-step estimates depend on that choice (compare ginv='pinv' and "
                "ginv='invsym')")
INVSYM_NAME = N_("Stata invsym emulation")
AR_ONE_STEP_WARNING = N_("AR(m) tests after one-step non-robust estimation are not implemented "
                         "(xtabond2 uses an H-based variance there); use robust=True")
_EQUATIONS = ("both", "level", "diff")


class GmmError(ValueError):
    """Bad input to the GMM estimator (a ValueError naming what was expected and found)."""


# ----------------------------------------------------------------------------------------------
# specifications
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GmmStyle:
    """A GMM-style instrument block, xtabond2's ``gmm(var, lag(min_lag max_lag) ...)``.

    Parameters
    ----------
    var : str
        Column name, optionally with a lag prefix ``"Lk.x"`` (then lags count from that).
    min_lag : int
        First lag used in the differenced equation (``a``); the levels equation uses the
        difference at lag ``a - 1``.
    max_lag : int or None
        Last lag (``b``); None means all available lags (``lag(a .)``).
    collapse : bool
        One column per lag instead of one per (period, lag) (Roodman 2009b).
    equation : {"both", "diff", "level"}
        Which equations get the instruments (system GMM only; difference GMM uses "diff").
    """

    var: str
    min_lag: int = 1
    max_lag: int | None = None
    collapse: bool = False
    equation: str = "both"

    def __post_init__(self):
        if not isinstance(self.min_lag, (int, np.integer)) or self.min_lag < 0:
            raise GmmError(f"GmmStyle({self.var!r}): min_lag must be an integer >= 0, "
                           f"found {self.min_lag!r}")
        if self.max_lag is not None and self.max_lag < self.min_lag:
            raise GmmError(f"GmmStyle({self.var!r}): max_lag {self.max_lag} < min_lag {self.min_lag}")
        if self.equation not in _EQUATIONS:
            raise GmmError(f"GmmStyle({self.var!r}): equation must be one of {_EQUATIONS}, "
                           f"found {self.equation!r}")


@dataclass(frozen=True)
class IvStyle:
    """An IV-style (standard) instrument, xtabond2's ``iv(var, equation(...))``.

    ``equation="both"`` gives ONE column (Δz in differenced rows, z in levels rows);
    ``"level"`` leaves the differenced rows 0, ``"diff"`` the levels rows 0.
    """

    var: str
    equation: str = "both"

    def __post_init__(self):
        if self.equation not in _EQUATIONS:
            raise GmmError(f"IvStyle({self.var!r}): equation must be one of {_EQUATIONS}, "
                           f"found {self.equation!r}")


class TestStat(NamedTuple):
    """A chi-squared test: statistic, degrees of freedom, p-value."""

    __test__ = False  # not a pytest test class despite the name
    statistic: float
    df: int
    pvalue: float


_LAG_RE = re.compile(r"^L(\d*)\.(.+)$")


def parse_lagged(name: str) -> tuple[str, int]:
    """Split ``"L2.n"`` into ``("n", 2)``; ``"L.n"`` is lag 1, ``"n"`` lag 0.

    Examples
    --------
    >>> parse_lagged("L2.n"), parse_lagged("L.TI"), parse_lagged("w")
    (('n', 2), ('TI', 1), ('w', 0))
    """
    m = _LAG_RE.match(name)
    if not m:
        return name, 0
    base, lag = parse_lagged(m.group(2))
    return base, lag + (int(m.group(1)) if m.group(1) else 1)


# ----------------------------------------------------------------------------------------------
# panel on the calendar grid
# ----------------------------------------------------------------------------------------------
def _lag(a: np.ndarray, k: int) -> np.ndarray:
    """Lag an (N, T) array by k periods along time, NaN where unavailable."""
    if k == 0:
        return a
    out = np.full_like(a, np.nan)
    if k < a.shape[1]:
        out[:, k:] = a[:, :-k]
    return out


def _grid(data: pd.DataFrame, unit: str, time: str, variables: Iterable[str]):
    """Dense (N, T) arrays of each base variable on the full calendar grid."""
    for c in (unit, time):
        if c not in data.columns:
            raise GmmError(f"column {c!r} not in data; found columns {list(data.columns)}")
    t_raw = pd.to_numeric(data[time], errors="coerce")
    if t_raw.isna().any() or not np.allclose(t_raw, np.round(t_raw)):
        raise GmmError(f"time column {time!r} must hold integers (years); found "
                       f"{data[time].head(3).tolist()}")
    if data[unit].isna().any():
        raise GmmError(f"unit column {unit!r} has missing values")
    t_int = np.round(t_raw.to_numpy()).astype(int)
    units, u_idx = np.unique(data[unit].to_numpy(), return_inverse=True)
    t0 = int(t_int.min())
    T = int(t_int.max()) - t0 + 1
    t_idx = t_int - t0
    key = u_idx * T + t_idx
    if len(np.unique(key)) != len(key):
        dup = data.loc[pd.Series(key).duplicated(keep=False).to_numpy(), [unit, time]].head(4)
        raise GmmError(f"duplicate ({unit}, {time}) rows, e.g. {dup.values.tolist()}")
    panel = {}
    for v in variables:
        if v not in data.columns:
            raise GmmError(f"variable {v!r} not in data; found columns {list(data.columns)}")
        col = pd.to_numeric(data[v], errors="coerce").to_numpy(dtype=float)
        bad = data[v].notna().to_numpy() & np.isnan(col)
        if bad.any():
            raise GmmError(f"variable {v!r} must be numeric; found {data[v][bad].head(3).tolist()}")
        a = np.full(len(units) * T, np.nan)
        a[key] = col
        panel[v] = a.reshape(len(units), T)
    years = np.arange(t0, t0 + T)
    return units, years, panel


# ----------------------------------------------------------------------------------------------
# the design: blocks of X and Z, cached per variable
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GmmDesign:
    """Everything the estimator needs, built once; :meth:`replace` swaps variables cheaply.

    Arrays are on the calendar grid: N groups x T periods. Blocks are kept "raw" (NaN where a
    value is missing) and are zeroed outside the sample at assembly time.
    """

    units: np.ndarray
    years: np.ndarray
    panel: Mapping[str, np.ndarray]  # base variable -> (N, T)
    y: str
    regressors: tuple[str, ...]
    gmm: tuple[GmmStyle, ...]
    iv: tuple[IvStyle, ...]
    system: bool
    constant: bool
    twostep: bool
    robust: bool
    small: bool
    h: int
    ginv: str
    blocks: Mapping[str, object] = field(repr=False)

    # -- construction ------------------------------------------------------------------------
    def replace(self, values: Mapping[str, object]) -> "GmmDesign":
        """A new design with base variables replaced; only dependent blocks are rebuilt.

        Parameters
        ----------
        values : mapping base-variable name -> array (N, T) on this design's grid, or a
            pandas Series indexed by (unit, year).
        """
        panel = dict(self.panel)
        for v, arr in values.items():
            if v not in panel:
                raise GmmError(f"replace: {v!r} is not a variable of this design "
                               f"({sorted(panel)})")
            if isinstance(arr, pd.Series):
                arr = (arr.unstack().reindex(index=self.units, columns=self.years)
                       .to_numpy(dtype=float))
            arr = np.asarray(arr, dtype=float)
            if arr.shape != panel[v].shape:
                raise GmmError(f"replace: {v!r} must have shape {panel[v].shape}, found {arr.shape}")
            panel[v] = arr
        blocks = _build_blocks(panel, self, changed=set(values), old=self.blocks)
        return GmmDesign(self.units, self.years, panel, self.y, self.regressors, self.gmm,
                         self.iv, self.system, self.constant, self.twostep, self.robust,
                         self.small, self.h, self.ginv, blocks)

    def matrices(self):
        """Assemble (Y, X, Z, masks) with rows outside the sample zeroed (see module doc)."""
        return _assemble(self)

    def swap_fitter(self, variables: Sequence[str]):
        """A fast re-estimator: ``f({var: (N, T) array}) -> coefficients`` (NaN if dropped).

        Everything that does not depend on ``variables`` (the sample, the other X and Z columns,
        H) is built once; each call rebuilds only the dependent regressor and instrument
        columns and runs steps 1-2 without variances or tests. The placebo test's hot path.
        """
        with _singular_as_gmm_error():
            return _swap_fitter(self, variables)

    def fit(self) -> "GmmResults":
        """Estimate and return the full results object."""
        return _fit(self)

    def fit_params(self) -> np.ndarray:
        """Coefficients only (same order as :attr:`GmmResults.params`); the placebo's fast path.

        Regressors found collinear are returned as NaN.
        """
        Y, X, Z, m = _assemble(self)
        with _singular_as_gmm_error():
            core = _core(Y, X, Z, m, self, full=False)
        return core["b"]


def _build_blocks(panel, spec, changed=None, old=None):
    """Raw (NaN-carrying) blocks: each regressor/IV in levels and differences, GMM blocks."""
    blocks = dict(old) if old is not None else {}

    def need(var):
        return old is None or var in changed

    def lev_diff(name):
        base, k = parse_lagged(name)
        lev = _lag(panel[base], k)
        return lev, lev - _lag(lev, 1)

    names = [spec.y, *spec.regressors, *(i.var for i in spec.iv)]
    for name in names:
        if need(parse_lagged(name)[0]):
            blocks[("var", name)] = lev_diff(name)
    for g in spec.gmm:
        if need(parse_lagged(g.var)[0]):
            blocks[("gmm", g)] = _gmm_block(panel, g, spec.system)
    return blocks


def _gmm_block(panel, g: GmmStyle, system: bool):
    """GMM-style columns as (N, T, j) arrays for the differenced and the levels rows.

    Differenced rows: v_{t-l} for a <= l <= b; one column per (t, l), or per l if collapsed.
    Levels rows: Δv_{t-(a-1)}; one column per t, or one if collapsed. Missing -> 0.
    """
    base, k0 = parse_lagged(g.var)
    v = _lag(panel[base], k0)
    N, T = v.shape
    bmax = T - 1 if g.max_lag is None else min(g.max_lag, T - 1)
    lags = list(range(g.min_lag, bmax + 1))
    diff = lev = None
    if (not system or g.equation in ("both", "diff")) and lags:
        L = np.stack([_lag(v, l) for l in lags], axis=2)  # (N, T, nl)
        L = np.nan_to_num(L, nan=0.0)
        if g.collapse:
            diff = L
        else:
            # column (t, l): L[:, t, l] in row t only
            nl = len(lags)
            diff = np.zeros((N, T, T * nl))
            tt = np.arange(T)[:, None]
            diff[:, tt, tt * nl + np.arange(nl)[None, :]] = L
    if system and g.equation in ("both", "level"):
        a1 = max(g.min_lag - 1, 0)
        d = _lag(v, a1) - _lag(v, a1 + 1)
        d = np.nan_to_num(d, nan=0.0)
        if g.collapse:
            lev = d[:, :, None]
        else:
            lev = np.zeros((N, T, T))
            tt = np.arange(T)
            lev[:, tt, tt] = d
    return diff, lev


def build_design(data: pd.DataFrame, unit: str, time: str, y: str, regressors: Sequence[str],
                 gmm: Sequence[GmmStyle] = (), iv: Sequence[IvStyle] = (), *, system: bool = True,
                 constant: bool = True, twostep: bool = True, robust: bool = True,
                 small: bool = False, h: int = 3, ginv: str = "pinv") -> GmmDesign:
    """Validate the specification and build the cached blocks (see :func:`dynamic_panel_gmm`)."""
    if ginv not in ("pinv", "invsym"):
        raise GmmError(f"ginv must be 'pinv' or 'invsym', found {ginv!r}")
    if not isinstance(data, pd.DataFrame):
        raise GmmError(f"data must be a pandas DataFrame, found {type(data).__name__}")
    regressors = tuple(regressors)
    if not regressors and not (constant and system):
        raise GmmError("no regressors given")
    if len(set(regressors)) != len(regressors):
        raise GmmError(f"duplicate regressors in {regressors}")
    gmm = tuple(gmm)
    iv = tuple(iv)
    for g in gmm:
        if not isinstance(g, GmmStyle):
            raise GmmError(f"gmm= expects GmmStyle items, found {g!r}")
    for i in iv:
        if not isinstance(i, IvStyle):
            raise GmmError(f"iv= expects IvStyle items, found {i!r}")
    if h not in (1, 2, 3):
        raise GmmError(f"h must be 1, 2 or 3 (xtabond2's h()), found {h!r}")
    bases = sorted({parse_lagged(n)[0] for n in (y, *regressors, *(g.var for g in gmm),
                                                  *(i.var for i in iv))})
    units, years, panel = _grid(data, unit, time, bases)
    if len(units) < 2:
        raise GmmError(f"need at least 2 groups, found {len(units)}")
    stub = GmmDesign(units, years, panel, y, regressors, gmm, iv, system, constant and system,
                     twostep, robust, small, h, ginv, {})
    blocks = _build_blocks(panel, stub)
    return GmmDesign(units, years, panel, y, regressors, gmm, iv, system, constant and system,
                     twostep, robust, small, h, ginv, blocks)


# ----------------------------------------------------------------------------------------------
# assembly
# ----------------------------------------------------------------------------------------------
def _masks(d: GmmDesign):
    """Sample masks (N, T): levels rows and differenced rows in the sample (algebra file §0)."""
    B = d.blocks
    ylev, ydif = B[("var", d.y)]
    lev_ok = np.isfinite(ylev)
    dif_ok = np.isfinite(ydif)
    for r in d.regressors:
        lv, df_ = B[("var", r)]
        lev_ok &= np.isfinite(lv)
        dif_ok &= np.isfinite(df_)
    # a differenced row at t also needs the levels observation (y and X) at t: xtabond2's
    # marksample covers depvar and regressors; IV-style variables enter per equation below
    dif_ok &= lev_ok
    for i in d.iv:
        lv, df_ = B[("var", i.var)]
        if i.equation in ("both", "level"):
            lev_ok &= np.isfinite(lv)
        if i.equation in ("both", "diff") or not d.system:
            dif_ok &= np.isfinite(df_)
    if not d.system:
        lev_ok = np.zeros_like(lev_ok)
    return lev_ok, dif_ok


def _rows(d: GmmDesign, lv, df_, mask):
    """Stack differenced then levels rows (system) and zero rows outside the sample."""
    col = np.concatenate([df_, lv], axis=1) if d.system else df_
    return np.where(mask, col, 0.0)


def _x_column(d: GmmDesign, name: str, mask):
    return _rows(d, *d.blocks[("var", name)], mask)


def _z_part(d: GmmDesign, key, mask, with_labels: bool = True):
    """Instrument columns (N, R, c) of one GMM-style block or IV-style variable, with labels."""
    N, T = mask.shape[0], d.years.size
    if key[0] == "gmm":
        g = key[1]
        diff, lev = d.blocks[key]
        parts, labels = [], []
        years = d.years
        if diff is not None:
            parts.append(diff if not d.system else
                         np.concatenate([diff, np.zeros_like(diff)], axis=1))
            bmax = T - 1 if g.max_lag is None else min(g.max_lag, T - 1)
            lags = list(range(g.min_lag, bmax + 1))
            if not with_labels:
                pass
            elif g.collapse:
                labels += [f"gmm({g.var}) L{lag} diff collapsed" for lag in lags]
            else:
                labels += [f"gmm({g.var}) L{lags[c % len(lags)]} diff {years[c // len(lags)]}"
                           for c in range(diff.shape[2])]
        if lev is not None:
            parts.append(np.concatenate([np.zeros_like(lev), lev], axis=1))
            a1 = max(g.min_lag - 1, 0)
            if not with_labels:
                pass
            elif g.collapse:
                labels.append(f"gmm({g.var}) DL{a1} level collapsed")
            else:
                labels += [f"gmm({g.var}) DL{a1} level {years[c]}" for c in range(lev.shape[2])]
        Zp = np.concatenate(parts, axis=2) if parts else np.zeros((N, mask.shape[1], 0))
        return np.where(mask[:, :, None], Zp, 0.0), labels
    if key[0] == "iv":
        i = key[1]
        lv, df_ = d.blocks[("var", i.var)]
        if not d.system:
            col = df_
        else:
            lv_ = lv if i.equation in ("both", "level") else np.zeros_like(lv)
            df2 = df_ if i.equation in ("both", "diff") else np.zeros_like(df_)
            col = np.concatenate([df2, lv_], axis=1)
        col = np.where(mask & np.isfinite(col), col, 0.0)
        eq = "" if i.equation == "both" or not d.system else f", eq({i.equation})"
        return col[:, :, None], [f"iv({i.var}{eq})"]
    # the constant: a levels-only IV-style instrument
    col = np.concatenate([np.zeros((N, T)), np.ones((N, T))], axis=1)
    return np.where(mask, col, 0.0)[:, :, None], ["iv(_cons, eq(level))"]


def _stata_order_keys(d: GmmDesign, key, width: int):
    """Sort keys giving xtabond2's column order of Z (xtabond2.mata, _ParseInsts/_MakeGMMinsts):
    IV-style options first, last-specified first (new options go to the head of a linked list),
    the constant after them; then GMM-style options, last-specified first, each with its
    differenced-equation columns lag by lag (within a lag by base period) and then its
    levels-equation columns by base period. Each GmmStyle / IvStyle counts as one option.
    Only the order matters, for ``ginv="invsym"`` (which columns a singular S2 drops)."""
    T = d.years.size
    if key[0] == "iv":
        return [(0, len(d.iv) - 1 - d.iv.index(key[1]), 0, 0, 0)]
    if key[0] == "cons":
        return [(0, len(d.iv), 0, 0, 0)]
    g = key[1]
    gi = len(d.gmm) - 1 - d.gmm.index(g)
    diff, lev = d.blocks[key]
    out = []
    if diff is not None:
        bmax = T - 1 if g.max_lag is None else min(g.max_lag, T - 1)
        lags = list(range(g.min_lag, bmax + 1))
        if g.collapse:
            out += [(1, gi, 0, lag, 0) for lag in lags]
        else:
            out += [(1, gi, 0, lags[c % len(lags)], c // len(lags) - lags[c % len(lags)])
                    for c in range(diff.shape[2])]
    if lev is not None:
        a1 = max(g.min_lag - 1, 0)
        out += [(1, gi, 1, 0, c - a1) for c in range(lev.shape[2])]
    assert len(out) == width
    return out


def _z_keys(d: GmmDesign):
    keys = [("gmm", g) for g in d.gmm] + [("iv", i) for i in d.iv]
    if d.constant:
        keys.append(("cons",))
    return keys


def _assemble(d: GmmDesign):
    """(Y (N,R), X (N,R,k), Z (N,R,j), info) with rows outside the sample zeroed."""
    lev_ok, dif_ok = _masks(d)
    N, T = lev_ok.shape
    R = 2 * T if d.system else T
    mask = np.concatenate([dif_ok, lev_ok], axis=1) if d.system else dif_ok  # (N, R)
    Y = _x_column(d, d.y, mask)
    xcols = [_x_column(d, r, mask) for r in d.regressors]
    if d.constant:
        xcols.append(np.concatenate([np.zeros((N, T)), np.ones((N, T))], axis=1) * mask)
    X = np.stack(xcols, axis=2) if xcols else np.zeros((N, R, 0))
    zparts, zlabels, zowner, zsort = [], [], [], []
    for key in _z_keys(d):
        Zp, labels = _z_part(d, key, mask)
        zparts.append(Zp)
        zlabels += labels
        zowner += [key] * Zp.shape[2]
        zsort += _stata_order_keys(d, key, Zp.shape[2])
    Z = np.concatenate(zparts, axis=2) if zparts else np.zeros((N, R, 0))
    # all-zero instrument columns carry no moment (rank counts them out anyway)
    nz = np.flatnonzero(np.abs(Z).reshape(-1, Z.shape[2]).sum(axis=0) > 0)
    Z = Z[:, :, nz]
    kept_keys = [zsort[c] for c in nz]
    stata_order = np.array(sorted(range(len(nz)), key=lambda c: kept_keys[c]), dtype=int)
    return Y, X, Z, {"mask": mask, "dif_ok": dif_ok, "lev_ok": lev_ok, "T": T,
                     "zlabels": [zlabels[c] for c in nz], "zcols": nz,
                     "zowner": [zowner[c] for c in nz], "zwidth": len(zlabels),
                     "stata_order": stata_order}


def _swap_fitter(d: GmmDesign, variables):
    """Callable: new values of ``variables`` -> coefficients, rebuilding only what depends on them.

    The sample (missing-value pattern) must not change; the column set of Z is the one of the
    original design (columns that happen to become zero are harmless: g-inverses drop them).
    """
    variables = set(variables)
    unknown = variables - set(d.panel)
    if unknown:
        raise GmmError(f"swap: {sorted(unknown)} not variables of this design ({sorted(d.panel)})")
    Y, X0, Z0, info = _assemble(d)
    mask = info["mask"]
    nan0 = {v: np.isnan(d.panel[v]) for v in variables}
    dep = lambda name: parse_lagged(name)[0] in variables
    xdep = [c for c, r in enumerate(d.regressors) if dep(r)]
    if dep(d.y):
        raise GmmError("swap: the dependent variable cannot be swapped")
    zkeys = [k for k in _z_keys(d) if k[0] in ("gmm", "iv") and dep(k[1].var)]
    # positions, in the filtered Z, of each dependent key's columns (and their raw offsets)
    raw_off, off = {}, 0
    for key in _z_keys(d):
        width = _z_part(d, key, mask)[0].shape[2]
        raw_off[key] = (off, width)
        off += width
    zsel = {}
    for key in zkeys:
        o, w = raw_off[key]
        pos = [p for p, c in enumerate(info["zcols"]) if o <= c < o + w]
        zsel[key] = (np.array(pos, int), np.array([info["zcols"][p] - o for p in pos], int))
    H = _h_matrix(info["T"], d.system, d.h)
    keep = _independent_columns(X0.reshape(-1, X0.shape[2]), constant_last=d.constant)
    N, R, j = Z0.shape
    # work buffers, overwritten in place: only the swapped columns ever change
    X = X0[:, :, keep].copy()
    Z = Z0.copy()
    HZ = np.matmul(H, Z)
    Z2, HZ2, X2 = Z.reshape(N * R, j), HZ.reshape(N * R, j), X.reshape(N * R, -1)
    S1 = Z2.T @ HZ2
    j0 = _sym_pinv(S1)[1]
    full_rank_s1 = j0 == j
    Yv = Y.reshape(N * R)
    xcols = [int(np.flatnonzero(keep)[:c].size) for c in xdep if keep[c]]
    xdep_kept = [c for c in xdep if keep[c]]
    P = np.concatenate([zsel[k][0] for k in zkeys]) if zkeys else np.zeros(0, int)
    order = info["stata_order"] if d.ginv == "invsym" else None

    def fit(values: Mapping[str, np.ndarray]) -> np.ndarray:
        for v in variables:
            a = np.asarray(values[v], dtype=float)
            if a.shape != nan0[v].shape or not np.array_equal(np.isnan(a), nan0[v]):
                raise GmmError(f"swap: new {v!r} must keep the shape {nan0[v].shape} and the "
                               "missing-value pattern of the original")
        nd = d.replace(values)
        for c, xc in zip(xdep_kept, xcols):
            X[:, :, xc] = _x_column(nd, d.regressors[c], mask)
        for key in zkeys:
            pos, raw = zsel[key]
            Z[:, :, pos] = _z_part(nd, key, mask, with_labels=False)[0][:, :, raw]
        if P.size:  # S1 = sum_i Z_i' H Z_i, updated in the swapped rows/columns only
            HZ[:, :, P] = np.matmul(H, Z[:, :, P])
            cols = Z2.T @ HZ2[:, P]
            S1[:, P] = cols
            S1[P, :] = cols.T
        with _singular_as_gmm_error():
            return _params_from(S1, Z, Z2, X, X2, Yv, d.twostep, full_rank_s1, order, keep)

    return fit


def _params_from(S1, Z, Z2, X, X2, Yv, twostep, full_rank_s1, order, keep):
    """Steps 1 and 2 from prepared sums (the swap fitter's hot path); Moore-Penrose A2 via the
    N x N Gram matrix of U = [Z_i'e1_i] (pinv(U'U) = U' pinv(UU')^2 U), never j x j."""
    ZX = Z2.T @ X2
    Zy = Z2.T @ Yv
    rhs = np.column_stack([ZX, Zy])
    sol = None
    if full_rank_s1:
        try:
            sol = linalg.cho_solve(linalg.cho_factor(S1, check_finite=False), rhs,
                                   check_finite=False)
        except linalg.LinAlgError:
            sol = None
    if sol is None:
        sol = _sym_pinv(S1)[0] @ rhs
    b = np.linalg.solve(ZX.T @ sol[:, :-1], ZX.T @ sol[:, -1])
    if twostep:
        N, R = Z.shape[:2]
        e1 = Yv - X2 @ b
        U = np.einsum("nrj,nr->nj", Z, e1.reshape(N, R))
        if order is not None:
            A2 = _invsym_gram(U, order)
            XZA2 = ZX.T @ A2
            b = np.linalg.solve(XZA2 @ ZX, XZA2 @ Zy)
        else:
            w, W = np.linalg.eigh(U @ U.T)
            k = w > max(w.max(initial=0.0), 0.0) * U.shape[1] * np.finfo(float).eps * 10
            Wk = W[:, k] / w[k]  # pinv(UU')^2 = W diag(1/w^2) W'
            UZX, UZy = U @ ZX, U @ Zy
            L = Wk.T @ UZX
            b = np.linalg.solve(L.T @ L, L.T @ (Wk.T @ UZy))
    out = np.full(keep.size, np.nan)
    out[keep] = b
    return out


# ----------------------------------------------------------------------------------------------
# linear algebra
# ----------------------------------------------------------------------------------------------
def _sym_pinv(S: np.ndarray):
    """Moore-Penrose inverse of a symmetric PSD matrix, and its rank (relative tolerance)."""
    S = (S + S.T) / 2
    d = np.sqrt(np.clip(np.diag(S), 0, None))
    d[d == 0] = 1.0
    Sn = S / d[:, None] / d[None, :]  # scale-free rank decision
    w, V = np.linalg.eigh(Sn)
    tol = max(w.max(initial=0.0), 0.0) * S.shape[0] * np.finfo(float).eps * 10
    keep = w > tol
    rank = int(keep.sum())
    if rank == S.shape[0]:
        return np.linalg.inv(S), rank
    # pinv of the unscaled matrix (Moore-Penrose, as numpy/pydynpd)
    w2, V2 = np.linalg.eigh(S)
    tol2 = max(w2.max(initial=0.0), 0.0) * S.shape[0] * np.finfo(float).eps * 10
    k2 = w2 > tol2
    return (V2[:, k2] / w2[k2]) @ V2[:, k2].T, rank


def _gram_pinv(U: np.ndarray, with_rank: bool = False):
    """Moore-Penrose inverse of S = U'U from the SVD of U (N, j): cheap when N < j."""
    _, sv, Vt = np.linalg.svd(U, full_matrices=False)
    w = sv ** 2
    tol = max(w.max(initial=0.0), 0.0) * U.shape[1] * np.finfo(float).eps * 10
    k = w > tol
    A = (Vt[k].T / w[k]) @ Vt[k]
    return (A, int(k.sum())) if with_rank else A


def _invsym_gram(U: np.ndarray, order: np.ndarray, with_rank: bool = False):
    """Stata's ``invsym`` of S = U'U (U: N x j): sweep columns in ``order``, skipping any that is
    (numerically) a combination of those already swept; the result is the inverse of the kept
    block with zeros elsewhere (Mata [M-5] invsym: a generalized inverse that depends on the
    order). Greedy Gram-Schmidt on U's columns, stopping once U's rank is exhausted."""
    n, j = U.shape
    norms = np.sqrt((U ** 2).sum(axis=0))
    scale = norms.max(initial=0.0)
    Q = np.zeros((n, 0))
    kept = []
    full = np.linalg.matrix_rank(U) if j else 0
    for c in order:
        if len(kept) >= full or norms[c] <= 1e-13 * scale:
            if len(kept) >= full:
                break
            continue
        v = U[:, c] / norms[c]
        r = v - Q @ (Q.T @ v) if Q.shape[1] else v
        r = r - Q @ (Q.T @ r) if Q.shape[1] else r  # re-orthogonalise
        nr = np.linalg.norm(r)
        if nr > 1e-9:
            kept.append(c)
            Q = np.column_stack([Q, r / nr])
    kept = np.array(sorted(kept), dtype=int)
    A = np.zeros((j, j))
    if kept.size:
        UK = U[:, kept]
        A[np.ix_(kept, kept)] = np.linalg.inv(UK.T @ UK)
    return (A, int(kept.size)) if with_rank else A


def _h_matrix(T: int, system: bool, h: int) -> np.ndarray:
    D = 2 * np.eye(T) - np.eye(T, k=1) - np.eye(T, k=-1)
    if not system:
        return D if h != 1 else np.eye(T)
    if h == 1:
        return np.eye(2 * T)
    C = np.eye(T) - np.eye(T, k=-1) if h == 3 else np.zeros((T, T))  # Cov(Δe_t, e_s)
    return np.block([[D, C], [C.T, np.eye(T)]])


def _independent_columns(X2: np.ndarray, constant_last: bool = False) -> np.ndarray:
    """Boolean mask of columns kept, dropping all-zero and (later) collinear columns.

    With ``constant_last`` (system GMM with a constant, which is the last column) the constant
    is taken first, so it is always kept and a regressor collinear with it (say the last of a
    full set of year dummies) is dropped instead: xtabond2's ``_rmcoll`` partials the constant
    out before choosing which regressors to drop (Roodman 2009's system-GMM log drops yr1984
    and reports ``_cons``).

    Examples
    --------
    >>> X = np.array([[1., 0., 1.], [0., 1., 1.], [1., 0., 1.]])  # d1 + d2 = constant
    >>> _independent_columns(X).tolist(), _independent_columns(X, constant_last=True).tolist()
    ([True, True, False], [True, False, True])
    """
    k = X2.shape[1]
    keep = np.zeros(k, bool)
    norms = np.sqrt((X2 ** 2).sum(axis=0))
    basis = np.zeros((X2.shape[0], 0))
    order = [k - 1] + list(range(k - 1)) if constant_last and k else range(k)
    for c in order:
        if norms[c] == 0:
            continue
        v = X2[:, c] / norms[c]
        if basis.shape[1]:
            v = v - basis @ (basis.T @ v)
        nv = np.linalg.norm(v)
        if nv > 1e-9:
            keep[c] = True
            basis = np.column_stack([basis, v / nv])
    return keep


def _core(Y, X, Z, m, d: GmmDesign, full: bool = True):
    """Steps 1 and 2 and (if full) the variances; Y (N,R), X (N,R,k), Z (N,R,j)."""
    N, R, k_all = X.shape
    T = m["T"]
    X2 = X.reshape(N * R, k_all)
    keep = _independent_columns(X2, constant_last=d.constant)
    Xk = X[:, :, keep]
    k = int(keep.sum())
    j = Z.shape[2]
    Z2 = Z.reshape(N * R, j)
    Xk2 = Xk.reshape(N * R, k)
    Y2 = Y.reshape(N * R)
    H = _h_matrix(T, d.system, d.h)
    HZ = np.matmul(H, Z)  # (N, R, j)
    S1 = Z2.T @ HZ.reshape(N * R, j)
    A1, j0 = _sym_pinv(S1)
    ZX = Z2.T @ Xk2
    Zy = Z2.T @ Y2
    if j0 < k:
        raise GmmError(f"under-identified: {j0} instruments (rank) for {k} regressors")
    XZA1 = ZX.T @ A1
    M1 = np.linalg.inv(XZA1 @ ZX)
    b1 = M1 @ (XZA1 @ Zy)
    e1 = Y - np.einsum("nrk,k->nr", Xk, b1)
    U1 = np.einsum("nrj,nr->nj", Z, e1)  # Z_i' e1_i
    if d.ginv == "invsym":  # S2 = U1'U1
        A2, rank_s2 = _invsym_gram(U1, m["stata_order"], with_rank=True)
    else:
        A2, rank_s2 = _gram_pinv(U1, with_rank=True)
    XZA2 = ZX.T @ A2
    M2 = np.linalg.inv(XZA2 @ ZX)
    b2 = M2 @ (XZA2 @ Zy)
    b = b2 if d.twostep else b1
    bfull = np.full(k_all, np.nan)
    bfull[keep] = b
    out = {"b": bfull, "keep": keep}
    if not full:
        return out
    e2 = Y - np.einsum("nrk,k->nr", Xk, b2)
    U2 = np.einsum("nrj,nr->nj", Z, e2)
    n_dif = int(m["dif_ok"].sum())
    n_lev = int(m["lev_ok"].sum())
    dif = np.zeros((N, R), bool)
    dif[:, :T] = True
    if d.h == 1 and d.system:
        sig2 = (e1[:, T:] ** 2).sum() / max(n_lev, 1)
    else:
        sig2 = (e1[:, :T] ** 2).sum() / (2 * max(n_dif, 1))
    # one-step variances
    V1 = sig2 * M1
    Q1 = M1 @ XZA1 @ U1.T  # V1r = M1 X'Z A1 S2 A1 Z'X M1 with S2 = U1'U1
    V1r = Q1 @ Q1.T
    if d.twostep:
        V2 = M2
        if d.robust:
            g = A2 @ U2.sum(axis=0)  # A2 Z'e2
            a = np.einsum("nrj,j->nr", Z, g)  # Z_i g
            c = (e1 * a).sum(axis=1)  # e1_i' Z_i g
            Bm = np.einsum("nr,nrk->nk", a, Xk)  # g' Z_i' X_i
            G = Z2.T @ (Xk * c[:, None, None]).reshape(N * R, k) + U1.T @ Bm
            Dw = M2 @ XZA2 @ G
            V = M2 + Dw @ M2 + M2 @ Dw.T + Dw @ V1r @ Dw.T
            V = (V + V.T) / 2
        else:
            V = V2
        P = M2 @ XZA2
        e_fin, U_fin = e2, U2
    else:
        V = V1r if d.robust else V1
        P = M1 @ XZA1
        e_fin, U_fin = e1, U1
    # xtabond2's Sargan from one-step residuals; Hansen from two-step residuals with A2
    u1 = U1.sum(axis=0)
    sargan = float(u1 @ A1 @ u1 / sig2)
    u2 = U2.sum(axis=0)
    hansen = float(u2 @ A2 @ u2)
    n_obs = n_lev if d.system else n_dif
    n_groups = int(m["mask"].any(axis=1).sum())
    out.update(dict(V=V, j0=j0, k=k, sargan=sargan, hansen=hansen, n_obs=n_obs, n_groups=n_groups,
                    rank_s2=rank_s2, n_dif=n_dif, n_lev=n_lev, sig2=sig2,
                    ar_inputs=(e_fin[:, :T].copy(), Xk[:, :T, :].copy(), P, U_fin, V,
                               m["dif_ok"].copy())))
    return out


def _ar_test(ar_inputs, order: int):
    """Arellano-Bond AR(m) z statistic, xtabond2's robust/two-step branch (algebra file §5)."""
    w, Xd, P, U, V, ok = ar_inputs
    w = np.where(ok, w, 0.0)
    wl = np.zeros_like(w)
    if order < w.shape[1]:
        wl[:, order:] = w[:, :-order]
    s = (w * wl).sum(axis=1)
    q = np.einsum("ntk,nt->k", Xd, wl)
    num = s.sum()
    var = (s ** 2).sum() - 2 * q @ P @ (U.T @ s) + q @ V @ q
    if not np.isfinite(var) or var <= 0:
        return float("nan"), float("nan")
    z = float(num / np.sqrt(var))
    return z, float(2 * stats.norm.sf(abs(z)))


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GmmResults:
    """Immutable results of :func:`dynamic_panel_gmm` (statsmodels style).

    Attributes
    ----------
    params, bse, z, pvalues : pandas.Series indexed by regressor name (constant ``"_cons"``).
        ``bse`` is Windmeijer-corrected for ``twostep, robust``; ``z`` holds t statistics and
        ``pvalues`` t(N-1) p-values when ``small``.
    cov : pandas.DataFrame (k, k), the reported variance (after ``small`` scaling).
    n_obs : int, levels observations (system; xtabond2's "Number of obs") or differenced ones.
    n_groups, n_instruments : int; the instrument count is the rank of S1 (xtabond2).
    sargan, hansen : TestStat (statistic, df, p); df = instruments - regressors.
    warnings : tuple of str.
    """

    params: pd.Series
    bse: pd.Series
    z: pd.Series
    pvalues: pd.Series
    cov: pd.DataFrame
    n_obs: int
    n_groups: int
    n_instruments: int
    sargan: TestStat
    hansen: TestStat
    warnings: tuple
    method: str
    small: bool
    instrument_labels: tuple = field(repr=False, default=())
    _ar_inputs: tuple = field(repr=False, default=())

    def ar(self, order: int) -> tuple[float, float]:
        """Arellano-Bond test for AR(order) in first differences: (z, two-sided p).

        xtabond2's robust / two-step formula (algebra file §5). For one-step non-robust
        estimates xtabond2 uses an H-based variance that is not implemented: (nan, nan).
        """
        if not isinstance(order, (int, np.integer)) or order < 1:
            raise GmmError(f"AR order must be a positive integer, found {order!r}")
        if not self._ar_inputs:
            return float("nan"), float("nan")
        return _ar_test(self._ar_inputs, int(order))

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table: coef, std_err, z (or t), p."""
        stat = "t" if self.small else "z"
        return pd.DataFrame({"coef": self.params, "std_err": self.bse, stat: self.z,
                             "p": self.pvalues})

    def diagnostics(self) -> pd.DataFrame:
        """AR(1), AR(2), Sargan and Hansen with df, p and the instrument count beside each."""
        a1, a2 = self.ar(1), self.ar(2)
        rows = [("AR(1)", a1[0], np.nan, a1[1]), ("AR(2)", a2[0], np.nan, a2[1]),
                ("Sargan", *self.sargan), ("Hansen", *self.hansen)]
        df = pd.DataFrame(rows, columns=["test", "statistic", "df", "p"]).set_index("test")
        df["instruments"] = self.n_instruments
        df["groups"] = self.n_groups
        return df

    def summary(self) -> str:
        """A plain-text table in the layout of xtabond2's output."""
        lines = [f"Dynamic panel-data estimation, {self.method}",
                 f"Number of obs = {self.n_obs}   Number of groups = {self.n_groups}   "
                 f"Number of instruments = {self.n_instruments}",
                 self.to_frame().to_string(float_format=lambda v: f"{v: .7f}")]
        for m in (1, 2):
            z, p = self.ar(m)
            lines.append(f"Arellano-Bond test for AR({m}) in first differences: z = {z:6.2f}  "
                         f"Pr > z = {p:.3f}")
        lines.append(f"Sargan test of overid. restrictions: chi2({self.sargan.df}) = "
                     f"{self.sargan.statistic:.2f}  Prob > chi2 = {self.sargan.pvalue:.3f}")
        lines.append(f"Hansen test of overid. restrictions: chi2({self.hansen.df}) = "
                     f"{self.hansen.statistic:.2f}  Prob > chi2 = {self.hansen.pvalue:.3f}")
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def blas_single_thread():
    """Context limiting BLAS to one thread: GMM matrices are small (a few hundred rows per
    group block), and on a shared 2-core machine BLAS threads only contend (10-20x slower).
    The simulator (``sim.simulate``) runs under it too.

    The threadpoolctl controller, which inspects the loaded libraries (a few ms), is built once per
    process; entering the context then costs microseconds.
    """
    ctl = _thread_controller()
    if ctl is None:  # optional dependency: without it results are identical, only slower
        return contextlib.nullcontext()
    return ctl.limit(limits=1)


@functools.lru_cache(maxsize=1)
def _thread_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def _singular_as_gmm_error():
    """Re-raise numpy/scipy's LinAlgError as :class:`GmmError` with what it means for the model."""
    try:
        yield
    except np.linalg.LinAlgError as exc:
        raise GmmError("the GMM normal equations are singular (X'Z A Z'X cannot be inverted: "
                       f"{exc}). A regressor is not identified by the instruments: it is "
                       "(nearly) a combination of the others within the instrument space, or no "
                       "instrument varies with it in the sample. Drop or re-specify that regressor, "
                       "or add instruments for it.") from exc


def _fit(d: GmmDesign) -> GmmResults:
    with blas_single_thread(), _singular_as_gmm_error():
        return _fit_inner(d)


def _fit_inner(d: GmmDesign) -> GmmResults:
    Y, X, Z, m = _assemble(d)
    if Z.shape[2] == 0:
        raise GmmError("no usable instruments (every instrument column is zero in the sample)")
    if not m["mask"].any():
        raise GmmError("empty estimation sample: no row has y and every regressor non-missing")
    core = _core(Y, X, Z, m, d, full=True)
    names = list(d.regressors) + (["_cons"] if d.constant else [])
    keep = core["keep"]
    kept = [n for n, kk in zip(names, keep) if kk]
    warns = []
    dropped = [n for n, kk in zip(names, keep) if not kk]
    if dropped:
        warns.append(Msg(DROPPED_WARNING, names=f"{dropped}"))
    V = core["V"].copy()
    N = core["n_groups"]
    n = core["n_obs"]
    k = core["k"]
    if d.small and not (d.twostep or d.robust):
        # one-step non-robust: sigma^2 M1 with sigma^2 on n_e - k degrees of freedom, where n_e
        # is the count of the equation sigma^2 is computed from (xtabond2.mata's wttot): the
        # differenced equation, except in system GMM with h(1), where it is the levels one.
        # (So in system GMM with h(2)/h(3) n_e is NOT the reported "Number of obs".)
        n_e = core["n_lev"] if (d.system and d.h == 1) else core["n_dif"]
        V = V * n_e / (n_e - k)
    elif d.small:
        # robust and two-step: (n-1)/(n-k) N/(N-1), N groups (xtabond2.mata; Stata's cluster rule)
        V = V * (n - 1) / (n - k) * N / (N - 1)
    b = core["b"][keep]
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    zz = b / se
    if d.small:
        p = 2 * stats.t.sf(np.abs(zz), N - 1)
    else:
        p = 2 * stats.norm.sf(np.abs(zz))
    j0 = core["j0"]
    df = j0 - k
    if j0 > N:
        warns.append(Msg(TOO_MANY_WARNING, j=f"{j0}", n=f"{N}"))
    if j0 < Z.shape[2]:
        warns.append(Msg(S1_WARNING, rank=f"{j0}", columns=f"{Z.shape[2]}"))
    if core["rank_s2"] < Z.shape[2]:
        warns.append(Msg(S2_WARNING, rank=f"{core['rank_s2']}", columns=f"{Z.shape[2]}",
                         inverse=Msg(INVSYM_NAME) if d.ginv == "invsym" else "Moore-Penrose"))
    if not (d.twostep or d.robust):
        warns.append(Msg(AR_ONE_STEP_WARNING))
    def chi(stat):
        return TestStat(stat, df, float(stats.chi2.sf(stat, df)) if df > 0 else float("nan"))
    step = "two-step" if d.twostep else "one-step"
    kind = "system GMM" if d.system else "difference GMM"
    idx = pd.Index(kept, name="term")
    return GmmResults(
        params=pd.Series(b, idx, name="coef"), bse=pd.Series(se, idx, name="std_err"),
        z=pd.Series(zz, idx, name="t" if d.small else "z"), pvalues=pd.Series(p, idx, name="p"),
        cov=pd.DataFrame(V, idx, idx), n_obs=n, n_groups=N, n_instruments=j0,
        sargan=chi(core["sargan"]), hansen=chi(core["hansen"]), warnings=tuple(warns),
        method=f"{step} {kind}", small=d.small, instrument_labels=tuple(m["zlabels"]),
        _ar_inputs=core["ar_inputs"] if (d.twostep or d.robust) else ())


def dynamic_panel_gmm(data: pd.DataFrame, unit: str, time: str, y: str,
                      regressors: Sequence[str], gmm: Sequence[GmmStyle] = (),
                      iv: Sequence[IvStyle] = (), *, system: bool = True, constant: bool = True,
                      twostep: bool = True, robust: bool = True, small: bool = False,
                      h: int = 3, ginv: str = "pinv") -> GmmResults:
    """Difference or system GMM as ``xtabond2 y regressors, gmm(...) iv(...) [options]``.

    Arellano & Bond (1991); Arellano & Bover (1995); Blundell & Bond (1998); Windmeijer (2005);
    Roodman (2009). Wang et al. (2025) Eq. (3) is estimated with ``system=True, twostep=True``.

    Parameters
    ----------
    data : DataFrame, long format, one row per (unit, time), any row order; gaps allowed.
    unit, time : str, group and integer time columns (the calendar grid is min..max time).
    y : str, dependent variable.
    regressors : list of str, column names; ``"Lk.x"`` is the k-th lag of x on the calendar grid.
    gmm : list of GmmStyle; iv : list of IvStyle.
    system : bool, system GMM (levels + differences) or difference GMM (``noleveleq``).
    constant : bool, constant in the levels equation (regressor and levels-only instrument);
        ignored in difference GMM.
    twostep, robust, small : xtabond2's options; ``twostep, robust`` gives Windmeijer SEs.
        ``small`` scales the variance by n_e/(n_e-k) for one-step non-robust estimates (n_e
        observations of the equation sigma^2 comes from: the differenced one, or the levels one
        in system GMM with h=1) and by (n-1)/(n-k) N/(N-1) otherwise (n reported observations,
        N groups), as xtabond2.mata (3.7.1) does.
    h : {1, 2, 3}, step-1 weighting (xtabond2's ``h()``, default 3).
    ginv : {"pinv", "invsym"}, generalized inverse of a singular S2 (instruments > groups).
        Both give identical results when S2 is non-singular. "pinv" (Moore-Penrose, as pydynpd)
        does not depend on column order; "invsym" emulates Stata's ``invsym`` (xtabond2): sweep
        the columns in xtabond2's order (see ``_stata_order_keys``; each GmmStyle/IvStyle is one
        option) and drop those collinear with earlier ones. With j > N the two-step estimates
        depend on this choice - itself a symptom of too many instruments (Roodman 2009b).

    Returns
    -------
    GmmResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> rows = []
    >>> for i in range(60):
    ...     eta, yv = rng.normal(), rng.normal()
    ...     for t in range(8):
    ...         yv = 0.5 * yv + eta + rng.normal()
    ...         rows.append((i, 2000 + t, yv))
    >>> df = pd.DataFrame(rows, columns=["id", "year", "y"])
    >>> res = dynamic_panel_gmm(df, "id", "year", "y", ["L.y"], gmm=[GmmStyle("y", 2)])
    >>> res.n_groups, res.n_obs
    (60, 420)
    """
    d = build_design(data, unit, time, y, regressors, gmm, iv, system=system, constant=constant,
                     twostep=twostep, robust=robust, small=small, h=h, ginv=ginv)
    return d.fit()
