"""Coupling-fault early warning (Liu et al. 2026, Conclusions; SPEC 2.12).

The paper recommends an alert "if the system detects a 'coupling fault' where innovation input
increases but coordination stagnates". Made operational here: province i is flagged in year t when,
over the window (t - window, t],

    delta_h_inno = h_inno[i, t] - h_inno[i, t - window] >= rise_min        (innovation input rose)
    delta_D      = D[i, t] - D[i, t - window]           <= stall_tolerance  (D stalled or fell)

A flagged province-year is "stalled" when |delta_D| <= stall_tolerance and "fell" when
delta_D < -stall_tolerance. The thresholds are the user's choice; the paper gives no numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FAULT_RULE = ("Flag province i in year t when h_inno rose by at least {rise_min:g} over the last "
              "{window} year(s) while D changed by at most {stall_tolerance:g} (stalled) or fell.")


def _align(h_inno: pd.DataFrame, D: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    for name, df in (("h_inno", h_inno), ("D", D)):
        if not isinstance(df, pd.DataFrame):
            raise ValueError(f"{name} must be a provinces x years DataFrame; found {type(df).__name__}.")
    if set(h_inno.index) != set(D.index) or set(h_inno.columns) != set(D.columns):
        raise ValueError("h_inno and D must have the same provinces (index) and years (columns); "
                         f"found {len(h_inno.index)}x{len(h_inno.columns)} and {len(D.index)}x{len(D.columns)} "
                         "with different labels.")
    cols = sorted(D.columns)
    if (h_inno.index.equals(D.index) and list(h_inno.columns) == cols and list(D.columns) == cols
            and all(dt == np.float64 for dt in (*h_inno.dtypes, *D.dtypes))):
        h, d = h_inno, D  # already aligned float tables (the simulator's case): no copies
    else:
        h = h_inno.loc[D.index, cols].astype(float)
        d = D.loc[:, cols].astype(float)
    if not (np.all(np.isfinite(h.to_numpy())) and np.all(np.isfinite(d.to_numpy()))):
        raise ValueError("h_inno and D must be finite; found NaN or inf.")
    return h, d


def coupling_faults(h_inno, D, window: int = 1, rise_min: float = 0.01,
                    stall_tolerance: float = 0.005) -> pd.DataFrame:
    """Province-years where innovation input rose but coordination stalled or fell.

    Liu et al. (2026), policy recommendation on a "coupling fault" monitor (SPEC 2.12).

    Parameters
    ----------
    h_inno : DataFrame, shape (n, T)
        Innovation-resource-allocation index per province (index) and year (columns).
    D : DataFrame, shape (n, T)
        Coupling coordination degree, same labels.
    window : int, default 1
        Years over which changes are taken (1 <= window < T).
    rise_min : float, default 0.01
        Minimum rise of h_inno to count as "rose" (> 0).
    stall_tolerance : float, default 0.005
        D changes up to this (in absolute value) count as stalled; larger falls count as "fell".

    Returns
    -------
    DataFrame
        Tidy, one row per province-year with a full window: province, year, start_year,
        delta_h_inno, delta_D, status ("fell", "stalled" or "ok"), flagged (bool).

    Examples
    --------
    >>> h = pd.DataFrame({2020: [0.1, 0.1], 2021: [0.2, 0.2]}, index=["A", "B"])
    >>> d = pd.DataFrame({2020: [0.5, 0.5], 2021: [0.5, 0.6]}, index=["A", "B"])
    >>> coupling_faults(h, d)[["province", "flagged"]].values.tolist()
    [['A', True], ['B', False]]
    """
    h, d = _align(h_inno, D)
    years = list(d.columns)
    if not (isinstance(window, (int, np.integer)) and 1 <= window < len(years)):
        raise ValueError(f"window must be an integer in [1, {len(years) - 1}]; found {window!r}.")
    if not rise_min > 0:
        raise ValueError(f"rise_min must be positive; found {rise_min!r}.")
    if not stall_tolerance >= 0:
        raise ValueError(f"stall_tolerance must be non-negative; found {stall_tolerance!r}.")
    H, Dv = h.to_numpy(), d.to_numpy()
    dh = H[:, window:] - H[:, :-window]
    dd = Dv[:, window:] - Dv[:, :-window]
    rose = dh >= rise_min
    fell = dd < -stall_tolerance
    stalled = np.abs(dd) <= stall_tolerance
    flagged = rose & (fell | stalled)
    status = np.where(flagged, np.where(fell, "fell", "stalled"), "ok")
    n, m = dh.shape
    return pd.DataFrame({
        "province": np.repeat(d.index.to_numpy(), m),
        "year": np.tile(years[window:], n),
        "start_year": np.tile(years[:-window], n),
        "delta_h_inno": dh.ravel(), "delta_D": dd.ravel(),
        "status": status.ravel(), "flagged": flagged.ravel()})
