"""The data contract shared by every module: column names, indicator registry, provinces, regions.

Everything a panel must contain is named here once; loaders (`sim.data`), the demo generator
(`sim.demo`) and the methods read these names rather than spelling them again.

Province panel (Liu et al. 2026, Scientific Reports; SPEC section 2), one row per province-year:
    province, year, <35 indicator ids of ``INDICATORS``>, gdp_per_capita

City panel (Wang et al. 2025, Humanities and Social Sciences Communications; SPEC section 3),
one row per city-year:
    city, year, ai_patents, all_patents, ai_coop_intra, ip, ed, ic, ie
City links, one row per unordered city pair and year with at least one cooperative AI patent:
    city_a, city_b, year, ai_coop
Firm panel (the mediation model, Wang et al. 2025 Table 5), one row per firm-year:
    firm, city, year, ti, gs, ep, cs, oc

Files live in ``data/``; this module only reads the small registries (a few KB) on demand.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.indicators import Indicator, paper_system  # noqa: F401 - Indicator re-exported

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# --- province panel -------------------------------------------------------------------------
PROVINCE = "province"
YEAR = "year"
GDP_PER_CAPITA = "gdp_per_capita"  # yuan per person; used for the economic-geographic weights
SYSTEMS = ("nqpf", "inno")  # new quality productive forces; innovation resource allocation
SYSTEM_LABELS = {"nqpf": "New quality productive forces", "inno": "Innovation resource allocation"}
REGIONS = ("East", "Central", "West")  # NBS scheme, as in the paper's Dagum decomposition
STUDY_A_YEARS = (2012, 2022)

# --- city panel -----------------------------------------------------------------------------
CITY = "city"
CITY_COLUMNS = {
    "ai_patents": "AI patent applications by non-individual applicants (count)",
    "all_patents": "All patent applications (count)",
    "ai_coop_intra": "Cooperative AI patents with all applicants in the city (count)",
    "ip": "Local AI incentive policies issued (count)",
    "ed": "Economic development: GDP per capita (yuan per person)",
    "ic": "Infrastructure: road area per capita (square metres)",
    "ie": "Innovation environment: public science and technology spending (10,000 yuan)",
}
LINK_COLUMNS = {"city_a": "One city of the pair", "city_b": "The other city of the pair",
                "year": "Year", "ai_coop": "Cooperative AI patents between the two cities (count)"}
FIRM_COLUMNS = {
    "firm": "Firm identifier",
    "city": "City (AI cluster) of the firm",
    "year": "Year",
    "ti": "Firm AI patent applications (count)",
    "gs": "Government subsidies received (10,000 yuan)",
    "ep": "Enterprise profitability: return on total assets (ratio)",
    "cs": "Capital structure: asset-liability ratio",
    "oc": "Operating capacity: total asset turnover (ratio)",
}
STUDY_B_YEARS = (2011, 2020)


@dataclass(frozen=True)
class Province:
    gb_code: int
    iso: str
    name: str  # canonical English (pinyin) name, e.g. "Inner Mongolia"
    name_zh: str
    capital: str
    capital_lat: float
    capital_lon: float
    region: str
    in_study: bool


def indicators() -> tuple[Indicator, ...]:
    """The paper's 35 indicators in its order (17 NQPF, then 18 innovation-resource): the default
    indicator system (``sim.indicators.paper_system``). A loaded panel may carry another system:
    read it with ``sim.indicators.system_of(frame)``."""
    return paper_system().indicators


def indicator_ids(system: str | None = None) -> list[str]:
    """Indicator column names, optionally of one system ("nqpf" or "inno")."""
    return [i.id for i in indicators() if system is None or i.system == system]


@lru_cache(maxsize=1)
def provinces(include_not_in_study: bool = False) -> tuple[Province, ...]:
    """Mainland provinces from ``data/geo/provinces.csv`` (GeoNames capitals, NBS regions)."""
    out = []
    with open(DATA_DIR / "geo" / "provinces.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            p = Province(int(r["gb_code"]), r["iso_3166_2"], r["name_en"], r["name_zh"], r["capital_en"],
                         float(r["capital_lat"]), float(r["capital_lon"]), r["region"],
                         r["in_study"].strip().lower() == "true")
            if p.in_study or include_not_in_study:
                out.append(p)
    return tuple(out)


def province_names() -> list[str]:
    """The 30 study provinces' canonical names, in GB-code order."""
    return [p.name for p in provinces()]


def province_regions() -> dict[str, str]:
    """Canonical province name -> "East" / "Central" / "West"."""
    return {p.name: p.region for p in provinces()}


def province_columns() -> list[str]:
    """Every column of the province panel, in file order."""
    return [PROVINCE, YEAR, *indicator_ids(), GDP_PER_CAPITA]


def city_columns() -> list[str]:
    return [CITY, YEAR, *CITY_COLUMNS]


def link_columns() -> list[str]:
    return list(LINK_COLUMNS)


def firm_columns() -> list[str]:
    return list(FIRM_COLUMNS)
