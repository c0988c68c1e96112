"""Cluster innovation forward from the dynamic-panel equation of Wang et al. (2025), Table 4 Model 3.

Equation (Wang et al. 2025, "Model specification"; SPEC 3.6 and 4), all variables in logs::

    TI_it = a0 + a1 TI_i,t-1 + a2 IP_it + a3 NC_it + a4 (IP_it - m_IP)(NC_it - m_NC)
            + b1 ED_it + b2 IC_it + b3 IE_it + eta_i + e_it

TI = ln(AI patent applications), IP = ln(1 + incentive policies), NC = ln(closeness centrality),
ED, IC, IE = logs of the controls. The paper "centralises" the interaction before estimation; the
centring means ``m_IP``, ``m_NC`` are part of the coefficients (with the published coefficients the
paper's Table 2 sample means of IP and NC are used, read from ``data/paper``: the paper does not
publish the means of its Model 3 estimation sample).

Forecast
--------
1. Fixed effects: ``eta_i`` = mean over the observed years of cluster i (those with an observed
   TI_i,t-1) of ``TI_it - prediction without eta`` -- the within-cluster mean residual
   (:func:`recover_fixed_effects`). It anchors the forecast on the cluster's own level.
2. Point path: from the last observed TI, iterate the equation with the future exogenous values,
   ``eta_i`` included and the shock e_it set to 0.
3. Parameter uncertainty: draw coefficient vectors from N(params, covariance); for *each* draw the
   fixed effects are recovered again from the history with that draw's coefficients and the path is
   iterated, so a draw of the constant is absorbed by eta exactly as in the point forecast. The 5 / 50 /
   95 % points over draws give the bands. With zero covariance every draw equals the point path.
   The bands show coefficient uncertainty only (no e_it shocks). Draws with a1 >= 1 would give
   explosive paths (no long-run level): the draws come from the normal truncated to a1 < 1.
4. Levels: patents = exp(TI) - ``log_offset`` (0 when TI = ln(patents), as in the paper, 1 for
   ln(1 + patents)); bands map through the same monotone transform.

Limits, stated rather than hidden: the paper publishes z-values but no covariance matrix, so with
the published coefficients the bands treat the estimates as uncorrelated (in a dynamic panel the
L.TI and constant estimates are usually strongly correlated), and the forecast inherits the paper's
instrument proliferation (Sargan p = 1.000, Table 4). Use the same seed for a baseline and a scenario:
they then share the coefficient draws, so draw-by-draw differences (``keep_draws=True``) are
meaningful.

Long-run multiplier: in the steady state TI* = (... + (a2 + a4 (NC - m_NC)) IP + ...) / (1 - a1), so
``d TI* / d IP = (a2 + a4 (NC - m_NC)) / (1 - a1)`` (:func:`long_run_multiplier`, delta-method SE).

Examples
--------
>>> import pandas as pd
>>> coefs = Coefficients.from_dict({"L.TI": 0.5, "IP": 0.1, "_cons": 1.0})
>>> hist = pd.DataFrame({"cluster": ["A", "A"], "year": [2019, 2020], "TI": [2.0, 2.0],
...                      "IP": [0.0, 0.0], "NC": [0.0, 0.0], "ED": [0.0, 0.0],
...                      "IC": [0.0, 0.0], "IE": [0.0, 0.0]})
>>> float(recover_fixed_effects(hist, coefs)["A"])
0.0
>>> fc = forecast_ti(hist, hold_last(hist, 2), coefs, 2, n_draws=10)
>>> fc.point.round(3).tolist()
[[2.0, 2.0]]
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.messages import Msg, N_

TERMS = ("L.TI", "IP", "NC", "IP*NC", "ED", "IC", "IE", "_cons")
EXOG = ("IP", "NC", "ED", "IC", "IE")
HISTORY_COLUMNS = ("cluster", "year", "TI") + EXOG
PAPER_TERM_NAMES = {"const": "_cons"}  # the published table's spelling -> ours
_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "paper"
MAX_A1 = 1.0  # coefficient draws with L.TI coefficient a1 >= 1 (explosive paths) are rejected


def paper_centring_means(data_dir: Path | None = None) -> tuple[float, float]:
    """Means of IP and NC in Wang et al. (2025) Table 2 (all cities, logs), used to centre IP x NC.

    Read from ``data/paper/wang2025_table2_descriptive.csv`` (the published table, cited there).
    """
    t2 = pd.read_csv((data_dir or _DATA_DIR) / "wang2025_table2_descriptive.csv").set_index("variable")
    return float(t2.loc["IP", "mean"]), float(t2.loc["NC", "mean"])


# --- coefficients ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Coefficients:
    """Coefficients of the dynamic-panel equation (Wang et al. 2025, Table 4), immutable.

    Attributes
    ----------
    params : pandas.Series, index ``TERMS``
        ``L.TI, IP, NC, IP*NC, ED, IC, IE, _cons``; a term absent from a model is 0.
    covariance : pandas.DataFrame, (8, 8), index and columns ``TERMS``
        Covariance of the estimates (diagonal SE**2 when only z-values are published).
    ip_mean, nc_mean : float
        Centring means of IP and NC in the interaction ``(IP - ip_mean)(NC - nc_mean)``.
    source : str
        Where the numbers come from.
    """

    params: pd.Series
    covariance: pd.DataFrame
    ip_mean: float
    nc_mean: float
    source: str = ""

    def __post_init__(self):
        p = pd.Series(self.params, dtype=float)
        missing = [t for t in TERMS if t not in p.index]
        extra = [t for t in p.index if t not in TERMS]
        if missing or extra:
            raise ValueError(f"params must have exactly the terms {TERMS}; missing {missing}, "
                             f"unexpected {extra}")
        p = p.reindex(list(TERMS))
        if not np.all(np.isfinite(p.to_numpy())):
            raise ValueError(f"params must be finite, found {p.to_dict()}")
        cov = pd.DataFrame(self.covariance, dtype=float)
        if sorted(cov.index) != sorted(TERMS) or sorted(cov.columns) != sorted(TERMS):
            raise ValueError(f"covariance must be indexed by {TERMS} on both axes, found "
                             f"{list(cov.index)} x {list(cov.columns)}")
        cov = cov.loc[list(TERMS), list(TERMS)]
        C = cov.to_numpy()
        if not np.all(np.isfinite(C)) or not np.allclose(C, C.T, atol=1e-12):
            raise ValueError("covariance must be finite and symmetric")
        if np.linalg.eigvalsh(C).min() < -1e-10 * max(1.0, np.abs(C).max()):
            raise ValueError("covariance must be positive semi-definite")
        if not (np.isfinite(self.ip_mean) and np.isfinite(self.nc_mean)):
            raise ValueError("ip_mean and nc_mean must be finite")
        object.__setattr__(self, "params", p.copy())
        object.__setattr__(self, "covariance", cov.copy())
        object.__setattr__(self, "ip_mean", float(self.ip_mean))
        object.__setattr__(self, "nc_mean", float(self.nc_mean))

    @property
    def bse(self) -> pd.Series:
        """Standard errors (square roots of the covariance diagonal)."""
        return pd.Series(np.sqrt(np.diag(self.covariance.to_numpy())), index=list(TERMS))

    def to_frame(self) -> pd.DataFrame:
        """term, coef, se, z (z is NaN where the SE is 0)."""
        se = self.bse
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, self.params / se.where(se > 0, 1.0), np.nan)
        return pd.DataFrame({"term": list(TERMS), "coef": self.params.to_numpy(),
                             "se": se.to_numpy(), "z": z})

    @classmethod
    def from_dict(cls, params: dict, se: dict | None = None, ip_mean: float = 0.0,
                  nc_mean: float = 0.0, source: str = "given") -> "Coefficients":
        """Coefficients from a mapping term -> value; absent terms are 0, SEs default to 0."""
        unknown = [t for t in params if t not in TERMS]
        if unknown:
            raise ValueError(f"unknown terms {unknown}; expected some of {TERMS}")
        p = pd.Series({t: float(params.get(t, 0.0)) for t in TERMS})
        s = np.array([float((se or {}).get(t, 0.0)) for t in TERMS])
        if (s < 0).any():
            raise ValueError("standard errors must be non-negative")
        cov = pd.DataFrame(np.diag(s ** 2), index=list(TERMS), columns=list(TERMS))
        return cls(p, cov, ip_mean, nc_mean, source)

    @classmethod
    def from_paper(cls, table4: pd.DataFrame | None = None, model: int = 3,
                   ip_mean: float | None = None, nc_mean: float | None = None) -> "Coefficients":
        """The published two-step system GMM estimates (Wang et al. 2025, Table 4).

        Parameters
        ----------
        table4 : pandas.DataFrame, optional
            Columns ``model, term, coef, z`` (``data/paper/wang2025_table4_system_gmm.csv``, read
            when omitted); terms L.TI, IP, NC, IP*NC, ED, IC, IE, const.
        model : int, default 3
            1, 2 or 3; terms a model does not contain are 0 with variance 0.
        ip_mean, nc_mean : float
            Centring means; default the paper's Table 2 means of IP (2.006) and NC (2.682).

        Returns
        -------
        Coefficients
            params = the published coefficients; covariance diagonal with SE = |coef / z| (the paper
            publishes z, not SEs or covariances, so correlations between estimates are unknown and
            set to 0).

        Examples
        --------
        >>> c = Coefficients.from_paper()
        >>> float(c.params["L.TI"]), round(float(c.bse["L.TI"]), 5)
        (0.809, 0.04593)
        """
        if ip_mean is None or nc_mean is None:
            m_ip, m_nc = paper_centring_means()
            ip_mean = m_ip if ip_mean is None else ip_mean
            nc_mean = m_nc if nc_mean is None else nc_mean
        if table4 is None:
            table4 = pd.read_csv(_DATA_DIR / "wang2025_table4_system_gmm.csv")
        need = {"model", "term", "coef", "z"}
        if not need.issubset(table4.columns):
            raise ValueError(f"table4 needs columns {sorted(need)}, found {list(table4.columns)}")
        rows = table4[table4["model"].astype(int) == int(model)]
        if rows.empty:
            raise ValueError(f"no rows for model {model}; models present: "
                             f"{sorted(table4['model'].astype(int).unique().tolist())}")
        params, se = {}, {}
        for term, coef, z in zip(rows["term"], rows["coef"].astype(float), rows["z"].astype(float)):
            name = PAPER_TERM_NAMES.get(str(term), str(term))
            if name not in TERMS:
                raise ValueError(f"unknown term {term!r} in table 4; expected {TERMS} (const = _cons)")
            if name in params:
                raise ValueError(f"term {term!r} appears twice for model {model}")
            if not np.isfinite(z) or z == 0:
                raise ValueError(f"term {term!r}: z must be finite and non-zero to derive an SE, "
                                 f"found {z}")
            params[name] = coef
            se[name] = abs(coef / z)
        return cls.from_dict(params, se, ip_mean, nc_mean,
                             source=Msg(N_("Wang et al. (2025), Table 4, Model {model} (SE = |coef/z|)"),
                                        model=str(model)))


# --- design ---------------------------------------------------------------------------------
class _Panel(NamedTuple):
    """A validated cluster-year table as arrays, sorted by (cluster, year)."""

    clusters: pd.Index  # sorted unique cluster labels
    codes: np.ndarray  # (rows,) index into clusters
    year: np.ndarray  # (rows,) int
    values: dict  # column -> (rows,) float


def _check_panel(df: pd.DataFrame, cols, what: str, clusters: pd.Index | None = None) -> _Panel:
    """Validate and convert a cluster-year table (numpy only: this runs on every scenario move)."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, found {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}; expected {list(cols)}")
    if len(df) == 0:
        raise ValueError(f"{what} has no rows")
    values = {}
    for c in cols:
        if c == "cluster":
            continue
        try:
            v = df[c].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: column {c!r} must be numeric, found dtype {df[c].dtype}") from None
        bad = ~np.isfinite(v)
        if bad.any():
            example = df.loc[bad, ["cluster", c]].head(3).to_dict("records")
            raise ValueError(f"{what} has missing or non-finite values in column {c!r} in "
                             f"{int(bad.sum())} rows, e.g. {example}")
        values[c] = v
    year = values.pop("year")
    if np.any(year != np.round(year)):
        raise ValueError(f"{what}: years must be whole numbers")
    year = year.astype(np.int64)
    if clusters is None:
        codes, clusters = pd.factorize(df["cluster"], sort=True)
        clusters = pd.Index(clusters)
    else:
        codes = clusters.get_indexer(df["cluster"])
        if (codes < 0).any():
            unknown = sorted(set(df["cluster"][codes < 0]), key=str)
            raise ValueError(f"{what} has clusters not in the history: {unknown[:5]}")
    order = np.lexsort((year, codes))
    codes, year = codes[order], year[order]
    dup = (np.diff(codes) == 0) & (np.diff(year) == 0)
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise ValueError(f"{what} has duplicate (cluster, year) rows, e.g. "
                         f"({clusters[codes[i]]!r}, {int(year[i])})")
    return _Panel(clusters, codes, year, {c: v[order] for c, v in values.items()})


def _exog_design(v: dict, ip_mean: float, nc_mean: float) -> np.ndarray:
    """(rows, 7) columns IP, NC, IP*NC (centred), ED, IC, IE, 1 -- the terms after L.TI."""
    ip, nc = v["IP"], v["NC"]
    return np.column_stack([ip, nc, (ip - ip_mean) * (nc - nc_mean), v["ED"], v["IC"], v["IE"],
                            np.ones(ip.size)])


def _history_design(history: pd.DataFrame, coefs: Coefficients):
    """Rows with an observed previous year: (panel, codes, y, X (rows, 8) in TERMS order)."""
    h = _check_panel(history, HISTORY_COLUMNS, "history")
    ti = h.values["TI"]
    has_lag = np.r_[False, (np.diff(h.codes) == 0) & (np.diff(h.year) == 1)]
    no_lag = np.setdiff1d(np.arange(len(h.clusters)), h.codes[has_lag])
    if no_lag.size:
        raise ValueError(f"clusters {list(h.clusters[no_lag[:5]])} have no two consecutive observed "
                         "years; their fixed effect cannot be recovered")
    lag_ti = np.r_[np.nan, ti[:-1]][has_lag]
    sub = {c: v[has_lag] for c, v in h.values.items()}
    X = np.column_stack([lag_ti, _exog_design(sub, coefs.ip_mean, coefs.nc_mean)])
    return h, h.codes[has_lag], ti[has_lag], X


class HistoryDesign(NamedTuple):
    """A validated history and its design for given coefficients (see :func:`history_design`).

    ``panel`` the validated cluster-year arrays; ``codes``, ``y``, ``X`` the rows with an observed
    previous year (cluster code, TI, design (rows, 8) in ``TERMS`` order); ``coefs`` the
    coefficients whose centring means (``ip_mean``, ``nc_mean``) built the interaction column.
    """

    panel: _Panel
    codes: np.ndarray
    y: np.ndarray
    X: np.ndarray
    coefs: "Coefficients"


def history_design(history: pd.DataFrame, coefs: Coefficients) -> HistoryDesign:
    """Validate a history once for repeated :func:`forecast_ti` calls with the same coefficients.

    Wang et al. (2025) Eq. (3): the regressors of every observed cluster-year with a lagged TI.
    Pass the result as ``history`` to :func:`forecast_ti`; the forecast is the same, bit for bit,
    as with the DataFrame (the simulator does this: the history never changes between scenarios).

    Parameters
    ----------
    history : pandas.DataFrame
        cluster, year, TI, IP, NC, ED, IC, IE (logs).
    coefs : Coefficients

    Returns
    -------
    HistoryDesign
    """
    h, codes, y, X = _history_design(history, coefs)
    for a in (codes, y, X, h.codes, h.year, *h.values.values()):
        a.setflags(write=False)
    return HistoryDesign(h, codes, y, X, coefs)


def _group_mean(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of values (rows, ...) per group code -> (n_groups, ...); codes sorted, every group present.

    Uses ``np.add.reduceat`` (single-threaded, fixed order of summation).
    """
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    if starts.size != n_groups or np.any(np.diff(codes) < 0):
        raise ValueError("internal: group codes must be sorted and cover every group")
    counts = np.diff(np.r_[starts, codes.size])
    sums = np.add.reduceat(values, starts, axis=0)
    return sums / counts.reshape((-1,) + (1,) * (values.ndim - 1))


def recover_fixed_effects(history: pd.DataFrame, coefs: Coefficients) -> pd.Series:
    """Cluster fixed effects as the within-cluster mean residual (Wang et al. 2025, eta_i).

    ``eta_i = mean_t (TI_it - [a0 + a1 TI_i,t-1 + a2 IP_it + a3 NC_it + a4 (IP_it - m_IP)(NC_it -
    m_NC) + b1 ED_it + b2 IC_it + b3 IE_it])`` over the years of cluster i whose previous year is
    observed.

    Parameters
    ----------
    history : pandas.DataFrame
        Cluster-year panel with columns cluster, year, TI, IP, NC, ED, IC, IE (logs).
    coefs : Coefficients

    Returns
    -------
    pandas.Series, index cluster (sorted)
    """
    h, codes, y, X = _history_design(history, coefs)
    resid = y - X @ coefs.params.to_numpy()
    return pd.Series(_group_mean(codes, resid, len(h.clusters)), index=h.clusters, name="eta")


def hold_last(history: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Default future exogenous values: each cluster's last observed IP, NC, ED, IC, IE carried on.

    Returns
    -------
    pandas.DataFrame
        Columns cluster, year, IP, NC, ED, IC, IE; years last + 1 .. last + horizon per cluster.
    """
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, found {horizon!r}")
    H = int(horizon)
    h = _check_panel(history, HISTORY_COLUMNS, "history")
    last = np.r_[np.flatnonzero(np.diff(h.codes) != 0), h.codes.size - 1]
    out = {"cluster": np.repeat(np.asarray(h.clusters, dtype=object), H),
           "year": (h.year[last][:, None] + np.arange(1, H + 1)).ravel()}
    for c in EXOG:
        out[c] = np.repeat(h.values[c][last], H)
    return pd.DataFrame(out)


# --- forecast -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ForecastResult:
    """Forecast of cluster innovation (immutable; arrays read-only).

    Attributes
    ----------
    clusters : tuple, length c
        Cluster labels, sorted (the order of every array's first axis).
    years : ndarray of int, shape (horizon,)
    point : ndarray, shape (c, horizon)
        TI path with eta, no shock, at the point coefficients.
    bands : ndarray, shape (c, horizon, 3)
        5th, 50th and 95th percentiles of TI over coefficient draws.
    patents_point, patents_bands : ndarrays, shapes (c, horizon) and (c, horizon, 3)
        The same in levels, exp(TI) - log_offset.
    fixed_effects : pandas.Series
        eta_i at the point coefficients.
    last_observed : pandas.Series
        TI in the last observed year per cluster.
    coefficients : Coefficients
    n_draws, seed : int
    log_offset : float
    """

    clusters: tuple
    years: np.ndarray
    point: np.ndarray
    bands_: np.ndarray | None  # None: computed from ``draws`` on first use (see ``bands``)
    patents_point: np.ndarray
    patents_bands_: np.ndarray | None
    fixed_effects: pd.Series
    last_observed: pd.Series
    coefficients: Coefficients
    n_draws: int
    seed: int
    log_offset: float = 0.0
    draws: np.ndarray | None = field(default=None, repr=False)
    rejected_draws: int = 0  # coefficient draws with a1 >= 1 rejected (explosive), see _coefficient_draws

    @property
    def bands(self) -> np.ndarray:
        """(c, horizon, 3): 5th, 50th, 95th percentile of TI over the coefficient draws."""
        if self.bands_ is None:  # deferred: computed once from the kept draws (same numbers)
            object.__setattr__(self, "bands_", _readonly(_percentiles_last_axis(self.draws, (5.0, 50.0, 95.0))))
        return self.bands_

    @property
    def patents_bands(self) -> np.ndarray:
        """The bands in levels, exp(bands) - log_offset."""
        if self.patents_bands_ is None:
            object.__setattr__(self, "patents_bands_", _readonly(np.exp(self.bands) - self.log_offset))
        return self.patents_bands_

    def to_frame(self) -> pd.DataFrame:
        """Long table: cluster, year, ti, ti_p05, ti_p50, ti_p95, patents, patents_p05/p50/p95."""
        c, H = self.point.shape
        return pd.DataFrame({
            "cluster": np.repeat(np.asarray(self.clusters, dtype=object), H),
            "year": np.tile(self.years, c),
            "ti": self.point.ravel(),
            "ti_p05": self.bands[..., 0].ravel(), "ti_p50": self.bands[..., 1].ravel(),
            "ti_p95": self.bands[..., 2].ravel(),
            "patents": self.patents_point.ravel(),
            "patents_p05": self.patents_bands[..., 0].ravel(),
            "patents_p50": self.patents_bands[..., 1].ravel(),
            "patents_p95": self.patents_bands[..., 2].ravel(),
        })


def _readonly(a):
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _percentiles_last_axis(a: np.ndarray, qs) -> np.ndarray:
    """np.percentile(a, qs, axis=-1) (linear method) moved to the last axis, via one sort.

    A full sort of the short rows is several times faster than numpy's multi-kth partition here.
    """
    srt = np.sort(a, axis=-1)
    m = a.shape[-1]
    out = []
    for q in qs:
        h = (m - 1) * q / 100.0
        lo = int(np.floor(h))
        hi = min(lo + 1, m - 1)
        out.append(srt[..., lo] + (h - lo) * (srt[..., hi] - srt[..., lo]))
    return np.stack(out, axis=-1)


def _coefficient_draws(coefs: Coefficients, n_draws: int, seed: int, stable_only: bool = False):
    """(n_draws, 8) draws from N(params, cov) via a symmetric square root (handles singular cov).

    With ``stable_only`` the draws are from the normal truncated to a1 = L.TI < 1 (draws with
    a1 >= 1 give explosive paths with no long-run level and are rejected, drawing more in the same
    stream); returns ``(draws, rejected)``.
    """
    C = coefs.covariance.to_numpy()
    vals, vecs = np.linalg.eigh(C)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    rng = np.random.default_rng(seed)

    def batch():
        return coefs.params.to_numpy() + rng.standard_normal((int(n_draws), C.shape[0])) @ root.T

    B = batch()
    if not stable_only:
        return B
    keep, rejected = np.empty((0, C.shape[0])), 0
    for _ in range(21):  # the first batch and at most 20 more from the same stream
        ok = B[:, 0] < MAX_A1
        rejected += int((~ok).sum())
        keep = np.vstack([keep, B[ok]])
        if keep.shape[0] >= n_draws:
            break
        B = batch()
    if keep.shape[0] < n_draws:
        raise ValueError(f"almost every coefficient draw has L.TI >= {MAX_A1} (point value "
                         f"{coefs.params['L.TI']:.3f}): the estimated dynamics are explosive, no forecast")
    return keep[: int(n_draws)], rejected


def forecast_ti(history: pd.DataFrame, future_exog: pd.DataFrame, coefs: Coefficients,
                horizon: int, n_draws: int = 2000, seed: int = 0, log_offset: float = 0.0,
                keep_draws: bool = False) -> ForecastResult:
    """Forecast TI of every cluster (Wang et al. 2025, Table 4 Model 3 equation, iterated forward).

    Parameters
    ----------
    history : pandas.DataFrame or HistoryDesign
        Observed cluster-year panel: cluster, year, TI, IP, NC, ED, IC, IE (logs). All clusters must
        share the same last observed year. Or its :func:`history_design` for these ``coefs``
        (validated once; same result).
    future_exog : pandas.DataFrame
        cluster, year, IP, NC, ED, IC, IE for every cluster and each of the ``horizon`` years after
        the last observed year (see :func:`hold_last`); rows for other years are not used, rows for
        unknown clusters are an error.
    coefs : Coefficients
    horizon : int
        Years ahead.
    n_draws : int, default 2000
        Coefficient draws for the bands, from the normal truncated to a1 < 1 (explosive draws are
        rejected and counted in ``rejected_draws``).
    seed : int, default 0
    log_offset : float, default 0
        patents = exp(TI) - log_offset.
    keep_draws : bool
        Keep the (c, horizon, n_draws) TI draws in the result.

    Returns
    -------
    ForecastResult
    """
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, found {horizon!r}")
    if int(n_draws) != n_draws or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, found {n_draws!r}")
    H = int(horizon)
    if isinstance(history, HistoryDesign):
        # the design depends on the coefficients only through the centring means
        if (history.coefs.ip_mean, history.coefs.nc_mean) != (coefs.ip_mean, coefs.nc_mean):
            raise ValueError("the history design was built with other centring means (ip_mean, nc_mean); "
                             "call history_design(history, coefs) with the forecast's coefficients")
        h, codes, y, Xh = history.panel, history.codes, history.y, history.X
    else:
        h, codes, y, Xh = _history_design(history, coefs)
    clusters = h.clusters
    n_c = len(clusters)
    last = np.r_[np.flatnonzero(np.diff(h.codes) != 0), h.codes.size - 1]
    last_years = h.year[last]
    if np.any(last_years != last_years[0]):
        found = pd.Series(last_years).value_counts().to_dict()
        raise ValueError(f"all clusters must share the last observed year; found {found}")
    T = int(last_years[0])
    years = np.arange(T + 1, T + H + 1)
    ti0 = h.values["TI"][last]

    f = _check_panel(future_exog, ("cluster", "year") + EXOG, "future_exog", clusters=clusters)
    keep = (f.year > T) & (f.year <= T + H)  # other years are not needed
    cell = f.codes[keep] * H + (f.year[keep] - T - 1)
    have = np.zeros(n_c * H, dtype=bool)
    have[cell] = True
    if not have.all():
        miss = np.flatnonzero(~have)[:3]
        raise ValueError(f"future_exog lacks {int((~have).sum())} cluster-years for "
                         f"{years[0]}-{years[-1]}, e.g. "
                         f"{[(clusters[i // H], int(years[i % H])) for i in miss]}")
    Xf = np.empty((n_c * H, 7))
    Xf[cell] = _exog_design({c: v[keep] for c, v in f.values.items()}, coefs.ip_mean, coefs.nc_mean)

    # eta_i(b) = ybar_i - Xbar_i . b (the within-cluster mean residual, linear in b), so the
    # non-autoregressive part of TI_it(b) is ybar_i + (x_it - Xbar_i) . b with x_it's L.TI slot 0
    ybar = _group_mean(codes, y, n_c)  # (c,)
    Xbar = _group_mean(codes, Xh, n_c)  # (c, 8)
    Z = np.concatenate([np.zeros((n_c * H, 1)), Xf], axis=1) - np.repeat(Xbar, H, axis=0)
    Z = Z.reshape(n_c, H, 8)

    def paths(B: np.ndarray) -> np.ndarray:
        """B: (d, 8) coefficient vectors -> (c, H, d) TI paths with per-draw fixed effects."""
        # a matrix product (the simulator runs it with BLAS limited to one thread, see sim.simulate)
        drive = (Z.reshape(n_c * H, 8) @ B.T).reshape(n_c, H, -1)
        drive += ybar[:, None, None]
        prev = np.broadcast_to(ti0[:, None], (n_c, B.shape[0]))
        a1 = B[:, 0]
        step = np.empty((n_c, B.shape[0]))
        for t in range(H):  # TI_t = a1 TI_t-1 + drive_t, written over drive_t (no temporaries)
            np.multiply(a1, prev, out=step)
            np.add(step, drive[:, t, :], out=drive[:, t, :])
            prev = drive[:, t, :]
        return drive

    b = coefs.params.to_numpy()
    point = paths(b[None, :])[:, :, 0]
    B, rejected = _coefficient_draws(coefs, n_draws, seed, stable_only=True)
    D = paths(B)
    # with the draws kept, the percentiles (a sort over draws) are computed when first asked for
    bands = None if keep_draws else _readonly(_percentiles_last_axis(D, (5.0, 50.0, 95.0)))
    eta = pd.Series(ybar - Xbar @ b, index=clusters, name="eta")
    return ForecastResult(
        clusters=tuple(clusters), years=_readonly(years), point=_readonly(point),
        bands_=bands, patents_point=_readonly(np.exp(point) - log_offset),
        patents_bands_=None if bands is None else _readonly(np.exp(bands) - log_offset), fixed_effects=eta,
        last_observed=pd.Series(ti0, index=clusters, name="TI"), coefficients=coefs,
        n_draws=int(n_draws), seed=int(seed), log_offset=float(log_offset),
        draws=_readonly(D) if keep_draws else None, rejected_draws=rejected)


# --- long run -------------------------------------------------------------------------------
class LongRunMultiplier(NamedTuple):
    """d TI_long-run / d IP at given NC, with its delta-method standard error."""

    nc: np.ndarray
    value: np.ndarray
    se: np.ndarray
    z: np.ndarray


def long_run_multiplier(coefs: Coefficients, nc) -> LongRunMultiplier:
    """Long-run effect of IP on TI at centrality NC (Wang et al. 2025, Model 3 equation).

    ``m(NC) = (a2 + a4 (NC - m_NC)) / (1 - a1)``; its SE by the delta method with gradient
    ``d m / d a1 = m / (1 - a1)``, ``d m / d a2 = 1 / (1 - a1)``, ``d m / d a4 = (NC - m_NC) / (1 - a1)``.
    With the centred interaction, ``d TI / d IP = a2 + a4 (NC - m_NC)`` exactly, in the short run
    and (divided by 1 - a1) in the long run.

    Parameters
    ----------
    coefs : Coefficients
    nc : float or array_like
        NC value(s) (log closeness centrality).

    Returns
    -------
    LongRunMultiplier
        Arrays of the shape of ``nc``. When a1 >= 1 there is no long run: a RuntimeWarning is
        issued and value, se, z are NaN.

    Examples
    --------
    >>> c = Coefficients.from_dict({"L.TI": 0.5, "IP": 0.1, "IP*NC": -0.02}, nc_mean=2.0)
    >>> float(long_run_multiplier(c, 3.0).value)
    0.16
    """
    p = coefs.params
    a1, a2, a4 = float(p["L.TI"]), float(p["IP"]), float(p["IP*NC"])
    nc = np.asarray(nc, dtype=float)
    if a1 >= 1.0:
        warnings.warn(f"L.TI coefficient a1 = {a1} >= 1: TI has no long-run level, the long-run "
                      "multiplier is undefined", RuntimeWarning, stacklevel=2)
        nan = np.full(nc.shape, np.nan)
        return LongRunMultiplier(nc, nan, nan.copy(), nan.copy())
    d = nc - coefs.nc_mean
    value = (a2 + a4 * d) / (1.0 - a1)
    idx = [TERMS.index(t) for t in ("L.TI", "IP", "IP*NC")]
    V = coefs.covariance.to_numpy()[np.ix_(idx, idx)]
    g = np.stack([value / (1.0 - a1), np.full(d.shape, 1.0 / (1.0 - a1)), d / (1.0 - a1)], axis=-1)
    se = np.sqrt(np.einsum("...i,ij,...j->...", g, V, g))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, value / np.where(se > 0, se, 1.0), np.nan)
    return LongRunMultiplier(nc, value, se, z)
