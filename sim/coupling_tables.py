"""The Coupling page's result tables as data: the comparison of the traditional coupling coordination
degree with the MLP one (Liu et al. 2026, Scientific Reports: Eqs. 1-6 for the traditional measure, the
dual-tower MLP's C = (cos + 1)/2 and D = sqrt(C T), the coordination types of "Coupling coordination
types", the kernel densities of Fig. 5).

Pure functions of their inputs (no Streamlit, no language): columns are stable ids; the UI turns them
into headers in the user's language. ``ui/coupling.py`` caches them per panel fingerprint.

* :func:`results_table` -- one row per unit-year: h_nqpf, h_inno, T, C and D of both measures, their
  coordination types, and (for the MLP) the spread across seeds;
* :func:`type_shares_long` -- share of units of each coordination type per year and measure (the paper's
  Table 2 counts, as shares);
* :func:`pooled_densities` -- Gaussian kernel density (Scott's rule) of D_trad and D_mlp pooled over years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.compare import TYPE_LABELS, coordination_type, type_shares
from sim.density import kde_1d

# measure ids of :func:`type_shares_long` and their English labels (charts show them translated)
MEASURES = {"D_trad": "Traditional D (entropy weights)", "D_mlp": "MLP D"}
DENSITY_POINTS = 200


def results_table(trad: pd.DataFrame, groups: dict, summary: pd.DataFrame | None = None,
                  method: str | None = None) -> pd.DataFrame:
    """One row per unit-year of ``trad`` (``EntropyFrame.transform``: province, year, h_nqpf, h_inno, C, T,
    D), with the unit's group from ``groups`` (name -> group), the traditional C_trad, D_trad and type, and
    when ``summary`` is given (``CouplingEnsemble.summary(T)``: C_mean, C_std, D_mean, D_std per row, in
    ``trad``'s order) the MLP's C_mlp, D_mlp, their sd across seeds, its type and ``mlp_method``.

    Coordination types use D clipped to [0, 1] (SPEC 2.6: low [0, 0.25], medium (0.25, 0.5], high
    (0.5, 0.75], extreme (0.75, 1])."""
    out = pd.DataFrame({
        "province": trad["province"].to_numpy(), "year": trad["year"].to_numpy(),
        "region": trad["province"].map(groups).to_numpy(),
        "h_nqpf": trad["h_nqpf"].to_numpy(), "h_inno": trad["h_inno"].to_numpy(),
        "T": trad["T"].to_numpy(), "C_trad": trad["C"].to_numpy(), "D_trad": trad["D"].to_numpy(),
    })
    if summary is not None:
        if len(summary) != len(trad):
            raise ValueError(f"results_table: the MLP summary has {len(summary)} rows, the panel {len(trad)}")
        out = out.assign(C_mlp=summary["C_mean"].to_numpy(), C_mlp_sd_seeds=summary["C_std"].to_numpy(),
                         D_mlp=summary["D_mean"].to_numpy(), D_mlp_sd_seeds=summary["D_std"].to_numpy())
    out["type_trad"] = coordination_type(np.clip(out["D_trad"].to_numpy(), 0, 1))
    if summary is not None:
        out["type_mlp"] = coordination_type(np.clip(out["D_mlp"].to_numpy(), 0, 1))
        out.insert(3, "mlp_method", method)
    return out


def type_shares_long(table: pd.DataFrame) -> pd.DataFrame:
    """Long table (year, measure, type, share): per year, the share of units of each coordination type,
    for each of D_trad and D_mlp present in ``table`` (D clipped to [0, 1]); ``measure`` is the English
    label of :data:`MEASURES`, ``type`` a categorical in the order low, medium, high, extreme. The shares
    of one year and measure sum to 1."""
    parts = []
    for col, label in MEASURES.items():
        if col not in table:
            continue
        sh = type_shares(table.assign(D=table[col].clip(0, 1)), d_column="D")
        long = sh.reset_index().melt(id_vars="year", var_name="type", value_name="share")
        parts.append(long.assign(measure=label))
    if not parts:
        raise ValueError("type_shares_long: the table has neither D_trad nor D_mlp")
    out = pd.concat(parts, ignore_index=True)
    out["type"] = pd.Categorical(out["type"], categories=TYPE_LABELS)
    return out[["year", "measure", "type", "share"]]


def pooled_densities(table: pd.DataFrame, points: int = DENSITY_POINTS) -> pd.DataFrame:
    """Gaussian kernel density (Scott's rule, ``sim.density.kde_1d``) of D_trad and of D_mlp, all years
    pooled, on one grid of ``points`` values from the smallest to the largest D padded by 10 % of the
    range (not below 0). Long table: D, density, measure (the column id). A measure with no spread has
    no density (NaN)."""
    vals = np.concatenate([table["D_trad"].to_numpy(), table["D_mlp"].to_numpy()])
    lo, hi = float(vals.min()), float(vals.max())
    pad = 0.1 * (hi - lo or 1.0)
    grid = np.linspace(max(0.0, lo - pad), hi + pad, points)
    parts = []
    for col in ("D_trad", "D_mlp"):
        v = table[col].to_numpy()
        dens = kde_1d(v, grid) if np.std(v) > 0 else np.full_like(grid, np.nan)
        parts.append(pd.DataFrame({"D": grid, "density": dens, "measure": col}))
    return pd.concat(parts, ignore_index=True)
