"""Seeded synthetic county-scale panel for Study A at scale (Liu et al. 2026; issue 12 "Scale").

**Synthetic data, not statistics.** Every number this module makes is invented by a seeded random
generator; it exists so that benchmarks and tests can run the Study A pipeline (entropy weights and
coupling coordination, the dual-tower MLP, Moran's I, the Dagum Gini, kernel densities, Markov and
spatial Markov chains) on ~290 cities or ~2,800 counties instead of the paper's 30 provinces. It is
generated on demand (about a second for 2,800 x 20) and never shipped as a file.

Model (per unit i and year t, t = 0..T-1):

* Location: latitude/longitude drawn uniformly inside China's rough extent (``LAT_RANGE``,
  ``LON_RANGE``), densest in the east (longitude drawn from a Beta distribution skewed east), with
  no two units at the same point. Group by longitude (``GROUP_RULE``): East / Central / West.
* A smooth spatial field ``f(lat, lon)`` (a sum of random Gaussian bumps on the map, 8 degree
  scale) plus an east-west gradient gives every unit a latent development level; neighbours share
  it, so Moran's I of the coupling coordination is clearly positive (spatial autocorrelation).
* ``level_it = field_i + trend * t + AR(1) shock``; GDP per capita =
  ``exp(10.3 + 0.9 level + noise)`` yuan.
* Indicators: each system's indicators are noisy monotone functions of the system's latent level
  (``level`` for the first system, ``level + coupling gap`` for the second, the gap spatially smooth
  too), rescaled to positive values (indicators in percent or on a 0-100 index stay inside
  (0, 100), so the panel passes ``sim.data``'s checks); indicators with direction "-" (e.g. energy
  intensity) fall as the level rises.

Columns: ``province`` (the unit's name, kept as the panel's unit column so the Study A code runs
unchanged), ``year``, ``gdp_per_capita`` and one column per indicator id; :func:`units` gives the
units sheet (``unit``, ``lat``, ``lon``, ``group``) in the same order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LAT_RANGE = (21.0, 47.0)  # rough extent of mainland China's counties, degrees north
LON_RANGE = (80.0, 128.0)  # degrees east
GROUP_BOUNDS = (106.0, 113.0)  # longitude: West < 106 <= Central < 113 <= East
GROUPS = ("East", "Central", "West")
GROUP_RULE = ("Synthetic groups by longitude: West below 106 E, Central from 106 E to 113 E, East from "
              "113 E (a rough stand-in for the NBS East/Central/West split).")
LABEL = ("SYNTHETIC county-scale panel (sim.synthetic, seed {seed}): invented numbers for benchmarks and "
         "tests, not official statistics.")
FIRST_YEAR = 2003


@dataclass(frozen=True)
class SyntheticPanel:
    """A generated panel and its units sheet.

    Attributes
    ----------
    panel : DataFrame
        ``province`` (unit name), ``year``, ``gdp_per_capita``, indicator columns; N x T rows,
        sorted by unit then year.
    units : DataFrame
        ``unit``, ``lat``, ``lon``, ``group``; one row per unit, in panel order.
    systems : dict
        ``{"nqpf": [ids], "inno": [ids]}``.
    directions : dict
        indicator id -> +1 / -1.
    label : str
        The "synthetic" label to show wherever the data are shown.
    """

    panel: pd.DataFrame
    units: pd.DataFrame
    systems: dict
    directions: dict
    label: str

    @property
    def regions(self) -> dict:
        """unit name -> group (for ``inequality.dagum_by_year`` and ``density.kde_by_year``)."""
        return dict(zip(self.units["unit"], self.units["group"]))

    def wide(self, values: pd.Series | np.ndarray) -> pd.DataFrame:
        """units x years table of one value per panel row (panel order), rows in ``units`` order."""
        T = self.panel["year"].nunique()
        arr = np.asarray(values, dtype=float).reshape(len(self.units), T)
        return pd.DataFrame(arr, index=self.units["unit"].to_numpy(),
                            columns=np.sort(self.panel["year"].unique()))


def _default_indicators():
    from sim import schema

    systems = {s: schema.indicator_ids(s) for s in schema.SYSTEMS}
    directions = {i.id: int(i.direction) for i in schema.indicators()}
    return systems, directions


def _percent_ids() -> set:
    """Registry indicators measured in percent or on a 0-100 index (kept inside (0, 100))."""
    try:
        from sim import schema

        return {i.id for i in schema.indicators() if i.unit.strip() == "%" or "0-100" in i.unit}
    except Exception:  # noqa: BLE001 - custom systems need no registry
        return set()


def _field(rng, lat, lon, bumps: int, scale_deg: float) -> np.ndarray:
    """Sum of random Gaussian bumps on the map, standardised: a smooth spatial field."""
    cy = rng.uniform(*LAT_RANGE, bumps)
    cx = rng.uniform(*LON_RANGE, bumps)
    amp = rng.normal(0, 1, bumps)
    f = np.zeros(lat.size)
    for a, y, x in zip(amp, cy, cx):  # bumps x n, small
        f += a * np.exp(-((lat - y) ** 2 + (lon - x) ** 2) / (2 * scale_deg ** 2))
    return (f - f.mean()) / (f.std() or 1.0)


def generate(n_units: int = 2800, n_years: int = 20, seed: int = 0, systems: dict | None = None,
             directions: dict | None = None, first_year: int = FIRST_YEAR,
             spatial_scale_deg: float = 4.0) -> SyntheticPanel:
    """Generate a seeded synthetic panel of ``n_units`` x ``n_years`` (labelled synthetic).

    Parameters
    ----------
    n_units : int, >= 6
    n_years : int, >= 2
    seed : int
        Same seed, same panel (bit for bit).
    systems : dict, optional
        ``{"nqpf": [ids], "inno": [ids]}``, at least 2 ids each; default the paper's 35 indicators
        (``sim.schema.indicator_ids``).
    directions : dict, optional
        id -> +1/-1; default the registry's direction (+1 for ids not in it).
    first_year : int
    spatial_scale_deg : float
        Length scale (degrees) of the smooth fields behind the levels; smaller = patchier.

    Returns
    -------
    SyntheticPanel

    Examples
    --------
    >>> s = generate(40, 3, seed=1)
    >>> s.panel.shape[0], len(s.units), int(s.panel["year"].min())
    (120, 40, 2003)
    """
    if int(n_units) != n_units or n_units < 6:
        raise ValueError(f"n_units must be an integer >= 6; found {n_units!r}.")
    if int(n_years) != n_years or n_years < 2:
        raise ValueError(f"n_years must be an integer >= 2; found {n_years!r}.")
    n_units, n_years = int(n_units), int(n_years)
    if systems is None:
        systems, reg_dirs = _default_indicators()
    else:
        try:
            _, reg_dirs = _default_indicators()
        except Exception:  # noqa: BLE001 - registry optional for custom systems
            reg_dirs = {}
        systems = {k: list(v) for k, v in systems.items()}
    for s in ("nqpf", "inno"):
        if len(systems.get(s, ())) < 2:
            raise ValueError(f"system {s!r} needs at least 2 indicator ids; found {systems.get(s)!r}.")
    ids = systems["nqpf"] + systems["inno"]
    if len(set(ids)) != len(ids):
        raise ValueError("indicator ids must be unique across both systems.")
    dirs = {i: int(reg_dirs.get(i, 1)) for i in ids}
    dirs.update({k: int(v) for k, v in (directions or {}).items()})

    rng = np.random.default_rng(seed)
    # locations: longitude skewed east, a tiny jitter keeps every point distinct
    lon = LON_RANGE[0] + (LON_RANGE[1] - LON_RANGE[0]) * rng.beta(2.6, 1.4, n_units)
    lat = rng.uniform(*LAT_RANGE, n_units)
    lat = lat + rng.uniform(-1e-4, 1e-4, n_units)
    order = np.lexsort((lat, lon))  # units numbered west to east
    lat, lon = lat[order], lon[order]
    group = np.where(lon >= GROUP_BOUNDS[1], "East", np.where(lon >= GROUP_BOUNDS[0], "Central", "West"))
    width = len(str(n_units))
    names = np.array([f"U{i:0{width}d}" for i in range(n_units)])

    gradient = (lon - LON_RANGE[0]) / (LON_RANGE[1] - LON_RANGE[0])  # 0 west .. 1 east
    bumps = max(12, int(round((LAT_RANGE[1] - LAT_RANGE[0]) * (LON_RANGE[1] - LON_RANGE[0])
                              / (2 * spatial_scale_deg) ** 2)))
    field = 0.7 * _field(rng, lat, lon, bumps, spatial_scale_deg) + 1.6 * gradient
    gap_field = 0.5 * _field(rng, lat, lon, bumps, spatial_scale_deg)
    unit_noise = rng.normal(0, 0.45, n_units)

    T = n_years
    t = np.arange(T)
    shocks = np.empty((n_units, T))
    shocks[:, 0] = rng.normal(0, 0.15, n_units)
    for s in range(1, T):
        shocks[:, s] = 0.7 * shocks[:, s - 1] + rng.normal(0, 0.1, n_units)
    level = (field + unit_noise)[:, None] + 0.06 * t[None, :] + shocks  # (n, T)
    gap = gap_field[:, None] + rng.normal(0, 0.2, (n_units, T))
    pgdp = np.exp(10.3 + 0.45 * level + rng.normal(0, 0.08, (n_units, T)))

    cols = {}
    percent = _percent_ids()
    for system, base in (("nqpf", level), ("inno", level + gap)):
        for ind in systems[system]:
            a = rng.uniform(0.6, 1.4)
            x = a * base + rng.normal(0, 0.35, base.shape)
            x = x if dirs[ind] > 0 else -x
            scale = rng.uniform(1, 100)
            if ind in percent:  # shares and 0-100 indices stay inside (0, 100)
                cols[ind] = (100.0 / (1.0 + np.exp(-0.5 * (x - 1.0)))).ravel()
            else:
                cols[ind] = (np.exp(0.35 * x) * scale).ravel()
    panel = pd.DataFrame({"province": np.repeat(names, T), "year": np.tile(first_year + t, n_units),
                          "gdp_per_capita": pgdp.ravel(), **cols})
    units = pd.DataFrame({"unit": names, "lat": lat, "lon": lon, "group": group})
    return SyntheticPanel(panel, units, {k: list(v) for k, v in systems.items()}, dirs,
                          LABEL.format(seed=seed))
