"""Comparing two coupling coordination measures and classifying D (Liu et al. 2026, "Comparative
analysis of measurement results" and "Coupling coordination types"; SPEC 2.5-2.6).

* :func:`wilcoxon_test`: Wilcoxon signed-rank test of paired D values (the paper reports
  z = -13.709, p < 0.001 for D_trad vs D_mlp over 330 province-years).
* :func:`coordination_type` / :func:`type_shares`: the four fixed-cut-off types low [0, 0.25],
  medium (0.25, 0.5], high (0.5, 0.75], extreme (0.75, 1] and their share of provinces per year.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TYPE_LABELS = ("low", "medium", "high", "extreme")
TYPE_CUTOFFS = (0.25, 0.5, 0.75)  # upper bounds of low, medium, high (right-closed intervals)


@dataclass(frozen=True)
class WilcoxonResult:
    """Result of :func:`wilcoxon_test`.

    Attributes
    ----------
    statistic : float
        scipy's two-sided statistic: the smaller of the positive-rank and negative-rank sums.
    z : float
        Normal-approximation z of that statistic (scipy ``method="approx"``, which corrects the
        variance for ties; zero differences are dropped, ``zero_method="wilcox"``; no continuity
        correction). Because the statistic is the smaller rank sum, z is <= 0, as in SPSS and
        the paper; the direction of the difference is in ``mean_difference``.
    p_value : float
        Two-sided p-value of the normal approximation.
    mean_difference : float
        mean(y - x), e.g. mean(D_mlp - D_trad).
    median_difference : float
    n : int
        Number of pairs given.
    n_nonzero : int
        Pairs with a non-zero difference (the ones that enter the test).
    """

    statistic: float
    z: float
    p_value: float
    mean_difference: float
    median_difference: float
    n: int
    n_nonzero: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"value": [self.statistic, self.z, self.p_value, self.mean_difference,
                                       self.median_difference, self.n, self.n_nonzero]},
                            index=["statistic (smaller rank sum)", "z", "p-value (two-sided)",
                                   "mean difference (y - x)", "median difference (y - x)", "n pairs",
                                   "n non-zero differences"])


def wilcoxon_test(x, y) -> WilcoxonResult:
    """Wilcoxon signed-rank test of paired samples (Liu et al. 2026, comparison of D_trad, D_mlp).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Paired values, e.g. ``x = D_trad``, ``y = D_mlp`` over all province-years.

    Returns
    -------
    WilcoxonResult

    Raises
    ------
    ValueError
        Shapes differ, NaN present, or fewer than 2 non-zero differences.

    Examples
    --------
    >>> r = wilcoxon_test([1.0, 2.0, 3.0, 4.0], [1.5, 2.9, 2.8, 5.4])
    >>> r.statistic, r.n_nonzero
    (1.0, 4)
    """
    from scipy.stats import wilcoxon

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d of the same length, found shapes {x.shape} and {y.shape}")
    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("wilcoxon_test: NaN in the paired values")
    d = y - x
    nz = int((d != 0).sum())
    if nz < 2:
        raise ValueError(f"wilcoxon_test needs at least 2 non-zero differences, found {nz}")
    res = wilcoxon(y, x, zero_method="wilcox", correction=False, method="approx")
    return WilcoxonResult(float(res.statistic), float(res.zstatistic), float(res.pvalue),
                          float(d.mean()), float(np.median(d)), int(len(d)), nz)


def coordination_type(D) -> np.ndarray:
    """Coordination type of each D (Liu et al. 2026, "Coupling coordination types"; SPEC 2.6).

    low: D in [0, 0.25]; medium: (0.25, 0.5]; high: (0.5, 0.75]; extreme: (0.75, 1].

    Parameters
    ----------
    D : array_like, shape (n,)

    Returns
    -------
    ndarray of str, shape (n,)

    Raises
    ------
    ValueError
        D outside [0, 1] or NaN (e.g. a scenario extrapolated beyond the baseline range).

    Examples
    --------
    >>> coordination_type([0.0, 0.25, 0.2501, 0.5, 0.75, 0.76, 1.0]).tolist()
    ['low', 'low', 'medium', 'medium', 'high', 'extreme', 'extreme']
    """
    D = np.asarray(D, dtype=float)
    if np.isnan(D).any():
        raise ValueError("coordination_type: D contains NaN")
    if (D < 0).any() or (D > 1).any():
        raise ValueError(f"coordination types are defined for D in [0, 1]; found values from "
                         f"{D.min():.4f} to {D.max():.4f}")
    from sim.markov import classify

    idx = classify(D, TYPE_CUTOFFS)  # right-closed intervals, the one class rule of sim.markov
    return np.array(TYPE_LABELS, dtype=object)[idx]


def type_shares(frame: pd.DataFrame, d_column: str = "D", year_column: str = "year") -> pd.DataFrame:
    """Share of rows (provinces) of each coordination type per year (SPEC 2.6).

    Parameters
    ----------
    frame : DataFrame
        One row per province-year with a year column and a D column.

    Returns
    -------
    DataFrame, shape (n_years, 4)
        Index: year; columns: low, medium, high, extreme; each row sums to 1.
    """
    for c in (d_column, year_column):
        if c not in frame.columns:
            raise ValueError(f"type_shares: frame lacks column {c!r}")
    types = pd.Categorical(coordination_type(frame[d_column].to_numpy()), categories=TYPE_LABELS)
    tab = pd.crosstab(frame[year_column].to_numpy(), types, normalize="index", dropna=False)
    tab = tab.reindex(columns=list(TYPE_LABELS), fill_value=0.0)
    tab.index.name = year_column
    tab.columns = list(TYPE_LABELS)
    return tab.astype(float)
