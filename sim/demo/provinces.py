"""SYNTHETIC demo panel for Study A: 30 provinces x 2012-2022, the 35 indicators plus GDP per capita.

**Every number this module produces is SYNTHETIC.** It is drawn from a seeded random process
calibrated to the *shapes* Liu et al. (2026, Scientific Reports, doi:10.1038/s41598-026-36247-1)
report and to plausible orders of magnitude per unit; it is NOT official statistics and must never
be shown as such. The file it writes, ``data/demo/provinces.csv``, is in exactly the format a user
uploads (columns of :func:`sim.schema.province_columns`), so it doubles as an example.

The generating process (all choices documented here; nothing is tuned to reproduce a published
number):

1. **Latent development level** ``L_i`` per province (standard-deviation-like units):
   a region level (East +0.8, Central -0.2, West -0.6; the NBS scheme of ``sim.schema``) plus a
   "core" bonus for the five provinces the paper finds always in the High-High quadrant and for the
   two other eastern municipalities (Beijing 1.2, Shanghai 1.1, Tianjin 0.4, Guangdong, Jiangsu
   0.4, Zhejiang 0.3), plus a spatially smooth random field: iid N(0, 1) draws smoothed with a
   Gaussian kernel exp(-(d/700 km)^2) of the great-circle distance d between provincial capitals
   (``sim.schema.provinces()``), kernel rows scaled to unit L2 norm (so every province's field is
   N(0, 1) marginally and an isolated capital such as Urumqi is not inflated) and multiplied by
   0.45. Then a spillover step pulls each level half-way (``_SPILLOVER`` = 0.5) towards the
   kernel-weighted mean of the *other* provinces' levels. Neighbours are therefore alike.
2. **Time**: ``L_it = L_i + c_i t + a_it`` with a mild catch-up drift
   ``c_i = -0.006 (L_i - mean L) + N(0, 0.010)`` per year and an AR(1) shock ``a_it``
   (rho 0.7, innovation sd 0.04). Every indicator also has its own upward growth rate per year
   (below), so the panel trends upward over 2012-2022.
3. **Two systems with a province-specific, time-varying gap**:
   ``s_nqpf = L_it + gap_it / 2`` and ``s_inno = L_it - gap_it / 2`` with
   ``gap_it = g_i + b_i (t - 5) + AR(1)``, ``g_i ~ N(0, 0.35)``, ``b_i ~ N(0, 0.03)``, AR rho 0.7,
   innovation sd 0.10. The two systems are related (common ``L_it``) but not identical, so the
   coupling degree C varies across provinces and years (the coupling methods downstream need real
   variation to measure). The realised gap is not written out (this is a demo, not a benchmark).
4. **Indicators** (the 17 NQPF indicators load on ``s_nqpf``, the 18 innovation indicators on
   ``s_inno``; shared loading => positive correlation within each system). For indicator j:

   * ``log``: ``x = base_j (pop_i/40 M)^elast_j exp(beta_j s + growth_j t + u_ij + e_ijt)``;
     ``elast_j`` is 0.6-1.0 for totals (yuan, subscribers, km, person-years; below 1 where
     knowledge-intensive activity concentrates in rich rather than populous provinces, e.g. total
     R&D 0.9, higher-education R&D and software 0.6), 0 for per-capita rates; ``beta_j`` is
     0.1-0.6 for infrastructure, shares and indices and 0.7-1.8 for knowledge-intensive totals
     (R&D, high-tech, software, AI firms, digital economy, e-commerce).
   * ``logistic`` (bounded: years, %, index 0-100):
     ``x = lo + (hi - lo) logistic(logit((base - lo)/(hi - lo)) + beta s + growth t + u + e)``.
   * ``count``: the ``log`` formula rounded to an integer (firms, organisations).
   * ``poisson``: a yearly flow drawn Poisson with the ``log`` formula as mean (newly listed
     material enterprises: many zeros in small provinces, as in real listing counts).
   * ``stock``: a non-decreasing integer stock, ``round(cap_i * logistic((t - t0_i)/1.3))``
     (UHV lines built mostly 2014-2020; data exchange platforms from 2015 on).

   ``u_ij ~ N(0, sd_u)`` is a persistent province-indicator effect (indicators are correlated,
   not collinear), ``e_ijt`` an AR(1) yearly noise (rho 0.6). ``pop_i`` is a fixed size scale:
   2020-census populations rounded to 0.1 million (``_POP_MILLIONS``), used only to scale totals;
   it is not written out. Two indicators are driven mostly by geography instead of development:
   forest cover by a coarse humidity proxy (south and east wetter: ``(30 - lat)/8 + (lon - 105)/10``
   at the capital, with a penalty for the city-states Beijing, Tianjin and Shanghai), and the
   new-energy power share by a wind/solar proxy (north and west: ``(lat - 32)/8 + (110 - lon)/10``,
   clipped to [-1.5, 1.5]); both still load weakly on development. Calibration targets (orders of
   magnitude, 2012 -> 2022): years of education ~8-13; forest cover ~5-65 %; R&D expenditure in
   100 million yuan, thousands for Guangdong/Jiangsu/Beijing and tens for Qinghai/Ningxia by 2022;
   R&D growth ~10 %/yr, robot density ~25 %/yr, digital economy ~14 %/yr.
5. **GDP per capita** (yuan): ``40000 exp(0.45 L_it + 0.075 t + u_i)``, ``u_i ~ N(0, 0.08)``,
   rounded to whole yuan; the default seed gives about 30k-75k in 2012 and 63k-148k in 2022,
   east richest.
6. **Exactly one single-indicator statistical break** (the paper's Fujian 2015-16 story: "a
   statistical scope adjustment for a single innovation input indicator caused numerical
   fluctuations in that year", producing a "severe precipitous drop" of the traditional entropy D):
   Fujian's ``rd_exp_hightech`` (internal R&D expenditure of high-tech enterprises) is multiplied
   by ``FUJIAN_BREAK_FACTOR`` = 0.35 in 2016 only; 2015 and 2017 are on trend, no other series
   is touched. Measured effect with the default seed (entropy D of SPEC 2.1-2.3 on the whole
   panel): Fujian's 2016 D is 0.364 instead of 0.372 without the break (2015: 0.349, 2017: 0.411),
   i.e. a visible slowdown of the traditional D rather than the paper's "severe" fall. That is a
   property of the method, not a tuning gap: one min-max-normalised indicator can move h_inno by
   at most its entropy weight (~0.06 here) times Fujian's normalised level in it (~0.3, because
   the largest provinces set the maximum), so a single-indicator break cannot move D by much
   unless that indicator carries a large weight. The deliberate break is still the largest
   one-year deviation of any continuous series in the panel (tests check this).

Output precision is fixed per column (``column_decimals``): 2-3 decimals for continuous values
(3 for small magnitudes such as person-years and ports per person), integers for counts. The CSV
is UTF-8, ``\\n`` line endings, no index, ``.``-decimal, so ``write_province_demo`` writes the same
bytes on every run and platform for a given seed (numpy's PCG64 ``Generator`` streams are
platform independent; a last-bit libm difference in exp/log could only show if a value fell within
~1e-12 of a rounding boundary).

What the default seed yields downstream (for orientation; none of these was a target): entropy
coupling degree C with sd 0.066 across rows (min 0.70); D classes (SPEC 2.6) low/medium/high/extreme
= 44/218/63/5 province-years; 90 % of year-to-year class pairs unchanged; global Moran's I of D
0.30-0.35 per year with the paper's economic-geographic weights (p < 0.01) and about 0.08 on
average with raw inverse-distance weights; pooled-quartile Markov diagonal 0.77/0.73/0.77/1.00.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from sim.demo import DEMO_SEED
from sim.schema import (GDP_PER_CAPITA, PROVINCE, STUDY_A_YEARS, YEAR, indicators, province_columns,
                        provinces)

__all__ = ["FUJIAN_BREAK", "FUJIAN_BREAK_FACTOR", "column_decimals", "generate_province_panel",
           "write_province_demo"]

FUJIAN_BREAK = ("Fujian", 2016, "rd_exp_hightech")
"""(province, year, indicator) of the one deliberate statistical break (paper: Fujian 2015-16)."""
FUJIAN_BREAK_FACTOR = 0.35
"""Multiplier applied to the break cell: a narrowed statistical scope for one year only."""

_EARTH_RADIUS_KM = 6371.0088
_SMOOTH_KM = 700.0
_SPILLOVER = 0.5
_REGION_LEVEL = MappingProxyType({"East": 0.8, "Central": -0.2, "West": -0.6})
_CORE_BONUS = MappingProxyType({"Beijing": 1.2, "Shanghai": 1.1, "Tianjin": 0.4, "Guangdong": 0.4,
                               "Jiangsu": 0.4, "Zhejiang": 0.3})
_CITY_STATES = ("Beijing", "Tianjin", "Shanghai")
# 2020 census populations, rounded to 0.1 million: a size scale for totals only (not written out).
_POP_MILLIONS = MappingProxyType({
    "Beijing": 21.9, "Tianjin": 13.9, "Hebei": 74.6, "Shanxi": 34.9, "Inner Mongolia": 24.0,
    "Liaoning": 42.6, "Jilin": 24.1, "Heilongjiang": 31.9, "Shanghai": 24.9, "Jiangsu": 84.7,
    "Zhejiang": 64.6, "Anhui": 61.0, "Fujian": 41.5, "Jiangxi": 45.2, "Shandong": 101.5,
    "Henan": 99.4, "Hubei": 57.8, "Hunan": 66.4, "Guangdong": 126.0, "Guangxi": 50.1,
    "Hainan": 10.1, "Chongqing": 32.1, "Sichuan": 83.7, "Guizhou": 38.6, "Yunnan": 47.2,
    "Shaanxi": 39.5, "Gansu": 25.0, "Qinghai": 5.9, "Ningxia": 7.2, "Xinjiang": 25.9,
})
_POP_REF = 40.0


@dataclass(frozen=True)
class _Spec:
    """How one indicator is generated (see the module docstring, item 4)."""

    kind: str  # "log", "logistic", "count", "poisson", "stock"
    base: float  # value at s = 0, t = 0 (2012) and pop = 40 M; for "stock": capacity scale
    beta: float  # loading on the system's latent score
    growth: float  # per year, on the log (or logit) scale
    sd_u: float  # persistent province-indicator effect
    sd_e: float  # yearly AR(1) noise
    decimals: int
    elast: float = 1.0  # population elasticity ("log", "count", "poisson", "stock")
    lo: float = 0.0  # bounds ("logistic")
    hi: float = 1.0


_SPECS: MappingProxyType = MappingProxyType({
    # --- NQPF: new laborers
    "edu_years": _Spec("logistic", 9.2, 0.60, 0.040, 0.15, 0.02, 2, lo=7.0, hi=14.0),
    "tertiary_emp_share": _Spec("logistic", 35.0, 0.45, 0.050, 0.20, 0.03, 2, lo=10.0, hi=90.0),
    "entrepreneurship": _Spec("log", 1.5, 0.45, 0.120, 0.20, 0.05, 3, elast=0.0),
    # --- NQPF: new labor materials
    "robot_density": _Spec("log", 20.0, 0.50, 0.250, 0.30, 0.06, 1, elast=0.0),
    "ai_firms": _Spec("count", 30.0, 1.40, 0.200, 0.35, 0.06, 0, elast=0.7),
    "mobile_subscribers": _Spec("log", 3500.0, 0.12, 0.035, 0.08, 0.02, 1),
    "optical_cable_km": _Spec("log", 45.0, 0.30, 0.135, 0.25, 0.04, 2, elast=0.85),
    "broadband_ports_pc": _Spec("log", 0.22, 0.25, 0.120, 0.15, 0.04, 3, elast=0.0),
    "digital_economy": _Spec("log", 3000.0, 0.90, 0.140, 0.20, 0.04, 1, elast=0.85),
    "enterprise_digitization": _Spec("logistic", 30.0, 0.50, 0.080, 0.20, 0.04, 2, lo=0.0, hi=100.0),
    # --- NQPF: new labor objects
    "new_energy_share": _Spec("logistic", 4.0, 0.35, 0.170, 0.25, 0.06, 2, lo=0.0, hi=60.0),
    "uhv_lines": _Spec("stock", 3.0, 0.30, 0.0, 0.30, 0.0, 0, elast=0.4),
    "new_materials_output": _Spec("log", 330.0, 0.80, 0.190, 0.35, 0.05, 1, elast=0.9),
    "new_material_listings": _Spec("poisson", 0.4, 1.10, 0.080, 0.30, 0.0, 0, elast=0.7),
    "forest_cover": _Spec("logistic", 25.0, 0.10, 0.020, 0.15, 0.01, 2, lo=5.0, hi=72.0),
    "env_protection_input": _Spec("log", 80.0, 0.30, 0.060, 0.25, 0.06, 2, elast=0.8),
    "pollution_control_inv": _Spec("log", 17.0, 0.20, 0.020, 0.35, 0.07, 2, elast=0.9),
    # --- innovation: capital
    "rd_exp": _Spec("log", 120.0, 1.30, 0.105, 0.15, 0.03, 2, elast=0.9),
    "rd_exp_higher_ed": _Spec("log", 12.0, 1.30, 0.100, 0.30, 0.04, 2, elast=0.6),
    "rd_exp_industry": _Spec("log", 110.0, 1.00, 0.100, 0.30, 0.04, 2),
    "rd_exp_hightech": _Spec("log", 28.0, 1.30, 0.110, 0.35, 0.04, 2, elast=0.9),
    # --- innovation: talent
    "rd_fte": _Spec("log", 8.0, 1.10, 0.070, 0.15, 0.03, 3, elast=0.8),
    "rd_fte_higher_ed": _Spec("log", 0.8, 1.00, 0.050, 0.25, 0.03, 3, elast=0.6),
    "rd_fte_industry": _Spec("log", 6.0, 1.00, 0.070, 0.30, 0.03, 3),
    "rd_fte_hightech": _Spec("log", 1.5, 1.30, 0.080, 0.35, 0.04, 3, elast=0.9),
    # --- innovation: technology
    "hightech_rd_orgs": _Spec("count", 200.0, 1.20, 0.120, 0.35, 0.04, 0),
    "hightech_new_product_rev": _Spec("log", 700.0, 1.30, 0.120, 0.40, 0.04, 1),
    # --- innovation: knowledge
    "knowledge_creation": _Spec("logistic", 22.0, 0.55, 0.030, 0.20, 0.04, 2, lo=5.0, hi=95.0),
    "knowledge_acquisition": _Spec("logistic", 20.0, 0.50, 0.030, 0.25, 0.04, 2, lo=5.0, hi=95.0),
    # --- innovation: data
    "websites_per_100_firms": _Spec("logistic", 50.0, 0.25, 0.010, 0.15, 0.03, 2, lo=20.0, hi=90.0),
    "it_enabled_firms": _Spec("count", 20000.0, 0.70, 0.060, 0.20, 0.03, 0, elast=0.9),
    "software_revenue": _Spec("log", 200.0, 1.80, 0.130, 0.40, 0.04, 1, elast=0.6),
    "data_exchanges": _Spec("stock", 1.0, 0.60, 0.0, 0.30, 0.0, 0, elast=0.3),
    "ecommerce_sales": _Spec("log", 2000.0, 1.20, 0.140, 0.30, 0.04, 1, elast=0.8),
    "ecommerce_firm_share": _Spec("logistic", 6.0, 0.30, 0.060, 0.20, 0.04, 2, lo=0.0, hi=40.0),
})
# Stock indicators: year (offset from 2012) around which the build-out is centred, and its sd.
_STOCK_CENTRE = MappingProxyType({"uhv_lines": (5.0, 1.5), "data_exchanges": (7.0, 1.5)})
# data exchanges: none before 2015
_STOCK_START = MappingProxyType({"uhv_lines": 0, "data_exchanges": 3})
_GDP_BASE, _GDP_BETA, _GDP_GROWTH, _GDP_SD_U = 40000.0, 0.45, 0.075, 0.08


def column_decimals() -> dict[str, int]:
    """Decimals each numeric column of the demo CSV is written with (0 = integer count)."""
    return {**{YEAR: 0}, **{k: s.decimals for k, s in _SPECS.items()}, GDP_PER_CAPITA: 0}


def _great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, n) haversine distances between points given in degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _ar1(rng: np.random.Generator, shape: tuple[int, int], rho: float, sd: float) -> np.ndarray:
    """(n, T) stationary AR(1) paths along axis 1 with innovation sd ``sd``."""
    eps = rng.standard_normal(shape) * sd
    out = np.empty(shape)
    out[:, 0] = eps[:, 0] / np.sqrt(1 - rho ** 2)
    for t in range(1, shape[1]):
        out[:, t] = rho * out[:, t - 1] + eps[:, t]
    return out


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def generate_province_panel(seed: int = DEMO_SEED) -> pd.DataFrame:
    """SYNTHETIC Study A province panel (Liu et al. 2026 layout), seeded and reproducible.

    Not official statistics: a random process calibrated to the shapes the paper reports (see the
    module docstring for every modelling choice).

    Parameters
    ----------
    seed : int
        Seed of the ``numpy.random.Generator`` streams (default ``sim.demo.DEMO_SEED``).

    Returns
    -------
    pandas.DataFrame
        (330, 38): one row per province-year, 30 provinces in ``sim.schema.province_names()``
        order x 2012-2022, columns exactly ``sim.schema.province_columns()``. Values are already
        rounded to ``column_decimals()``; count columns are int64.

    Examples
    --------
    >>> df = generate_province_panel()
    >>> df.shape
    (330, 38)
    >>> fujian = df[df.province == "Fujian"].set_index("year")["rd_exp_hightech"]
    >>> bool(fujian[2016] < 0.5 * fujian[2015])
    True
    """
    provs = provinces()
    names = [p.name for p in provs]
    missing = [n for n in names if n not in _POP_MILLIONS]
    if missing or set(_SPECS) != {i.id for i in indicators()}:
        raise ValueError(f"demo generator out of step with sim.schema: provinces without a size "
                         f"scale {missing}, indicator ids differ by "
                         f"{sorted(set(_SPECS) ^ {i.id for i in indicators()})}")
    systems = {i.id: i.system for i in indicators()}
    n = len(provs)
    years = np.arange(STUDY_A_YEARS[0], STUDY_A_YEARS[1] + 1)
    n_t = len(years)
    t = np.arange(n_t, dtype=float)[None, :]  # (1, T)
    lat = np.array([p.capital_lat for p in provs])
    lon = np.array([p.capital_lon for p in provs])
    log_pop = np.log(np.array([_POP_MILLIONS[x] for x in names]) / _POP_REF)[:, None]

    # One independent stream per component, so adding a component never shifts the others.
    streams = np.random.SeedSequence(seed).spawn(8 + len(_SPECS))
    rng_field, rng_drift, rng_shock, rng_gap, rng_gdp = (np.random.default_rng(s)
                                                         for s in streams[:5])

    # 1. latent level: region + core bonus + spatially smooth field
    dist = _great_circle_km(lat, lon)
    kernel = np.exp(-(dist / _SMOOTH_KM) ** 2)
    # rows scaled to unit L2 norm: every province's field value is N(0, 1) marginally (an isolated
    # capital such as Urumqi is not inflated relative to a well-connected one); neighbours correlate
    unit_rows = kernel / np.sqrt((kernel ** 2).sum(axis=1, keepdims=True))
    field = 0.45 * unit_rows @ rng_field.standard_normal(n)
    level = np.array([_REGION_LEVEL[p.region] for p in provs]) + field
    # spillover: each level is pulled half-way to the distance-weighted mean of the others' levels;
    # the metropolitan core bonus is added afterwards, so it stays a local peak
    off = kernel * (1.0 - np.eye(n))
    level = (1.0 - _SPILLOVER) * level + _SPILLOVER * (off / off.sum(axis=1, keepdims=True)) @ level
    level = level + np.array([_CORE_BONUS.get(p.name, 0.0) for p in provs])

    # 2. time path of the level
    drift = -0.006 * (level - level.mean()) + rng_drift.normal(0.0, 0.010, n)
    level_t = level[:, None] + drift[:, None] * t + _ar1(rng_shock, (n, n_t), 0.7, 0.04)

    # 3. province-specific, time-varying gap between the systems
    gap = (rng_gap.normal(0.0, 0.35, n)[:, None] + rng_gap.normal(0.0, 0.03, n)[:, None] * (t - 5)
           + _ar1(rng_gap, (n, n_t), 0.7, 0.10))
    score = {"nqpf": level_t + gap / 2, "inno": level_t - gap / 2}

    humidity = ((30.0 - lat) / 8 + (lon - 105.0) / 10)[:, None]
    humidity = humidity - 1.5 * np.isin(names, _CITY_STATES)[:, None]
    wind_solar = np.clip((lat - 32.0) / 8 + (110.0 - lon) / 10, -1.5, 1.5)[:, None]

    # 4. indicators
    values: dict[str, np.ndarray] = {}
    for k, (col, spec) in enumerate(_SPECS.items()):
        rng = np.random.default_rng(streams[8 + k])
        s = score[systems[col]]
        u = rng.normal(0.0, spec.sd_u, n)[:, None]
        e = _ar1(rng, (n, n_t), 0.6, spec.sd_e) if spec.sd_e > 0 else 0.0
        if col == "forest_cover":
            s = s + 1.3 / spec.beta * humidity  # geography dominates; development loads weakly
        elif col == "new_energy_share":
            s = s + 0.6 / spec.beta * wind_solar
        if spec.kind == "logistic":
            z = (_logit((spec.base - spec.lo) / (spec.hi - spec.lo))
                 + spec.beta * s + spec.growth * t + u + e)
            x = spec.lo + (spec.hi - spec.lo) * _logistic(z)
        elif spec.kind in ("log", "count", "poisson"):
            x = spec.base * np.exp(spec.elast * log_pop + spec.beta * s + spec.growth * t + u + e)
            if spec.kind == "count":
                x = np.rint(x)
            elif spec.kind == "poisson":
                x = rng.poisson(x).astype(float)
        elif spec.kind == "stock":
            centre, sd = _STOCK_CENTRE[col]
            capacity = spec.base * np.exp(spec.elast * log_pop[:, 0] + spec.beta * level + u[:, 0])
            t0 = rng.normal(centre, sd, n)[:, None]
            x = np.rint(capacity[:, None] * _logistic((t - t0) / 1.3))
            x[:, : _STOCK_START[col]] = 0.0
            x = np.maximum.accumulate(x, axis=1)
        else:  # pragma: no cover - the table above is fixed
            raise ValueError(f"unknown indicator kind {spec.kind!r} for {col}")
        values[col] = np.broadcast_to(x, (n, n_t)).copy()

    # 6. the single-indicator statistical break
    b_prov, b_year, b_col = FUJIAN_BREAK
    values[b_col][names.index(b_prov), b_year - years[0]] *= FUJIAN_BREAK_FACTOR

    # 5. GDP per capita
    gdp_effect = rng_gdp.normal(0.0, _GDP_SD_U, n)[:, None]
    gdp = _GDP_BASE * np.exp(_GDP_BETA * level_t + _GDP_GROWTH * t + gdp_effect)
    values[GDP_PER_CAPITA] = gdp

    decimals = column_decimals()
    frame = {PROVINCE: np.repeat(names, n_t), YEAR: np.tile(years, n)}
    for col in province_columns()[2:]:
        d = decimals[col]
        v = np.round(values[col].reshape(-1), d)
        frame[col] = v.astype(np.int64) if d == 0 else v
    return pd.DataFrame(frame, columns=province_columns())


def _format_row(row: tuple, decimals: list[int | None]) -> str:
    cells = []
    for value, d in zip(row, decimals):
        if d is None:
            cells.append(str(value))
        elif d == 0:
            cells.append(str(int(value)))
        else:
            cells.append(f"{value:.{d}f}")
    return ",".join(cells)


def write_province_demo(out_dir: str | Path, seed: int = DEMO_SEED) -> list[Path]:
    """Write the SYNTHETIC province panel as ``provinces.csv`` in ``out_dir`` (upload format).

    UTF-8, ``\\n`` line endings, header ``sim.schema.province_columns()``, fixed decimals per
    column (``column_decimals()``): byte-identical on every run and platform for a given seed.

    Parameters
    ----------
    out_dir : str or Path
        Existing or new directory.
    seed : int
        Passed to :func:`generate_province_panel`.

    Returns
    -------
    list of Path
        ``[out_dir / "provinces.csv"]``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    df = generate_province_panel(seed)
    dec = column_decimals()
    cols = province_columns()
    decimals = [None if c == PROVINCE else dec[c] for c in cols]
    rows = df.itertuples(index=False, name=None)
    lines = [",".join(cols)] + [_format_row(r, decimals) for r in rows]
    path = out_dir / "provinces.csv"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return [path]
