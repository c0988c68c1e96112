"""Header matching: which column of an uploaded table is which column of a panel.

Columns match by canonical id (``rd_exp``), by the indicator's English or Chinese name, or by a
listed alias (省份, 年份, ...), ignoring case, spaces, ``_``/``-`` and a trailing unit in brackets
("R&D经费内部支出(亿元)"). Title rows above the header are skipped.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim import schema
from sim.cells import YEAR_RANGE, _display
from sim.places import _fold, _strip_paren
from sim.io_read import _Table
from sim.messages import Msg, N_, Named
from sim.problems import Problem

KINDS = ("provinces", "cities", "links", "firms")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a panel: its canonical name, unit, meaning and admissible values.

    ``role`` is "unit" (the name/id column), "year", "number" or "city" (a city name column of
    the links/firm panels). ``lower``/``upper`` bound the value; ``lower_open`` makes the lower
    bound strict (GDP per capita must be positive). ``count`` marks whole-number counts.
    """

    name: str
    unit: str
    description: str
    role: str
    required: bool = True
    lower: float | None = None
    upper: float | None = None
    lower_open: bool = False
    count: bool = False
    aliases: tuple = ()
    name_zh: str = ""  # an indicator's Chinese name and unit (for messages in Chinese)
    unit_zh: str = ""


# The columns' meanings and units as the Data page and the problem messages show them: marked for the
# message catalogue (the texts come from the specs below and from sim.schema; English unchanged).
COLUMN_WORDS = frozenset((
    N_("Calendar year"), N_("Province: English, pinyin or Chinese name, GB/T 2260 or ISO 3166-2 code; or any "
                            "unit's name with its coordinates"),
    N_("City: English or Chinese name"), N_("AI patent applications by non-individual applicants"),
    N_("All patent applications"), N_("Cooperative AI patents with all applicants in the city"),
    N_("Local AI incentive policies issued"), N_("Economic development: GDP per capita"),
    N_("Infrastructure: road area per capita"),
    N_("Innovation environment: public science and technology spending"), N_("One city of the pair"),
    N_("The other city of the pair"), N_("Cooperative AI patents between the two cities"), N_("Firm identifier"),
    N_("Firm identifier (text; leading zeros are kept)"),
    N_("City of the firm: English or Chinese name"), N_("Firm AI patent applications"),
    N_("Government subsidies received"), N_("Enterprise profitability: return on total assets"),
    N_("Capital structure: debt-to-assets ratio"),
    N_("Operating capacity: total asset turnover (revenue / total assets)"),
    N_("Operating capacity: total asset turnover"), N_("Latitude of the unit (WGS84)"), N_("Latitude of the unit"),
    N_("Longitude of the unit (WGS84)"), N_("Longitude of the unit"),
    N_("Group of the unit for the Dagum decomposition"), N_("GDP per capita"),
    N_("GDP per capita; used for the economic-geographic weights of Moran's I"),
))
UNIT_WORDS = frozenset((N_("year"), N_("count"), N_("yuan per person"), N_("square metres"), N_("10,000 yuan"),
                        N_("ratio"), N_("degrees")))


def word(text: str):
    """``text`` as a ``Msg`` when it is one of the marked column words or units (translated by the UI),
    else as it is (an indicator's own name or unit from a sheet)."""
    return Msg(text) if text in COLUMN_WORDS or text in UNIT_WORDS else text


def unit_word(spec: "ColumnSpec"):
    """The unit of a column for a message: its Chinese unit when the indicator sheet gives one."""
    return Named(spec.unit, spec.unit_zh) if spec.unit_zh else word(spec.unit)


_PROVINCE_ALIASES = ("province", "provinces", "province name", "region name", "省份", "省", "地区",
                     "省区市", "省市", "省份名称", "地区名称", "省级行政区")
_YEAR_ALIASES = ("year", "years", "年份", "年", "年度")
_CITY_ALIASES = ("city", "city name", "prefecture", "prefecture city", "城市", "城市名称", "地级市", "市")


def _paren_unit(text: str) -> str:
    m = re.search(r"\(([^()]*)\)\s*$", text)
    return m.group(1) if m else ""



UNIT_ALIASES = ("unit", "units", "unit name", "城市", "城市名称", "地级市", "区县", "县", "county", "city",
                 "单位", "名称")
LAT_ALIASES = ("lat", "latitude", "纬度")
LON_ALIASES = ("lon", "lng", "longitude", "经度")
GROUP_ALIASES = ("group", "grouping", "分组", "组别", "片区")
CUSTOM_COUNTS = ("firms", "lines", "organisations", "platforms")


@lru_cache(maxsize=64)
def province_specs(system=None, pgdp_required: bool = True, group_column: str | None = None
                   ) -> tuple[ColumnSpec, ...]:
    """The columns of a province (or any unit) panel for an indicator system (Liu et al. 2026).

    ``system``: a ``sim.indicators.IndicatorSystem`` (default: the paper's 35). Each indicator is
    matched by its id, English name and Chinese name (a trailing unit in brackets is ignored, so a
    yearbook header "R&D经费内部支出(亿元)" matches ``rd_exp``). Optional columns ``lat``/``lon``
    (coordinates of the unit, degrees) and ``group`` (for the Dagum decomposition; ``group_column``
    names another header) describe units other than the 30 provinces; GDP per capita is optional
    when ``pgdp_required`` is False (the economic-geographic weights then become distance weights).
    """
    from sim.indicators import paper_system

    system = system or paper_system()
    paper = system.key == paper_system().key
    year = ColumnSpec(schema.YEAR, "year", Msg(N_("Calendar year ({lo}-{hi})"), lo=str(YEAR_RANGE[0]), hi=str(YEAR_RANGE[1])), "year",
                      aliases=_YEAR_ALIASES)
    cols = [ColumnSpec(schema.PROVINCE, "", "Province: English, pinyin or Chinese name, GB/T 2260 "
                       "or ISO 3166-2 code; or any unit's name with its coordinates", "unit",
                       aliases=_PROVINCE_ALIASES + UNIT_ALIASES), year]
    for ind in system.indicators:
        if ind.unit.strip() in ("%", "index 0-100"):
            lo, hi = 0.0, 100.0
        else:
            lo, hi = (0.0 if paper else None), None
        aliases = tuple(a for a in (ind.name, ind.name_zh,
                                    f"{ind.name_zh}({ind.unit_zh})" if ind.name_zh and ind.unit_zh else "")
                        if a)
        cols.append(ColumnSpec(ind.id, ind.unit, f"{ind.name} ({SYSTEM_SHORT[ind.system]}). "
                               f"{ind.description}".strip(), "number", lower=lo, upper=hi,
                               count=paper and ind.unit in CUSTOM_COUNTS, aliases=aliases,
                               name_zh=ind.name_zh, unit_zh=ind.unit_zh))
    cols.append(ColumnSpec(schema.GDP_PER_CAPITA, "yuan per person", "GDP per capita; used for the "
                           "economic-geographic weights of Moran's I", "number", required=pgdp_required,
                           lower=0.0, lower_open=True, aliases=("GDP per capita", "per capita GDP", "pgdp",
                                                                "人均GDP", "人均地区生产总值")))
    cols.append(ColumnSpec("lat", "degrees", "Latitude of the unit (WGS84)", "coord", required=False,
                           lower=-90.0, upper=90.0, aliases=LAT_ALIASES))
    cols.append(ColumnSpec("lon", "degrees", "Longitude of the unit (WGS84)", "coord", required=False,
                           lower=-180.0, upper=180.0, aliases=LON_ALIASES))
    cols.append(ColumnSpec("group", "", "Group of the unit for the Dagum decomposition", "text",
                           required=False, aliases=(group_column,) if group_column else GROUP_ALIASES))
    return tuple(cols)


@lru_cache(maxsize=None)
def column_specs(kind: str) -> tuple[ColumnSpec, ...]:
    """The columns of one panel kind, in ``sim.schema`` order.

    Parameters
    ----------
    kind : {"provinces", "cities", "links", "firms"}

    Returns
    -------
    tuple of ColumnSpec

    Examples
    --------
    >>> [c.name for c in column_specs("links")]
    ['city_a', 'city_b', 'year', 'ai_coop']
    """
    year = ColumnSpec(schema.YEAR, "year", Msg(N_("Calendar year ({lo}-{hi})"), lo=str(YEAR_RANGE[0]), hi=str(YEAR_RANGE[1])), "year",
                      aliases=_YEAR_ALIASES)
    if kind == "provinces":  # the paper's panel: 35 indicators and GDP per capita (required)
        from dataclasses import replace

        return tuple(replace(c, required=True) if c.name == schema.GDP_PER_CAPITA else c
                     for c in province_specs() if c.role not in ("coord", "text"))
    if kind == "cities":
        extra = {
            "ai_patents": dict(count=True, aliases=("AI patents", "AI patent applications", "AI专利",
                                                    "人工智能专利", "人工智能专利申请")),
            "all_patents": dict(count=True, aliases=("patents", "patent applications",
                                                     "total patents", "专利申请", "专利申请数")),
            "ai_coop_intra": dict(count=True, aliases=("intra city cooperation", "intra cooperation",
                                                       "市内合作专利")),
            "ip": dict(count=True, aliases=("policies", "AI policies", "policy count",
                                            "industry policies", "政策数", "人工智能政策")),
            "ed": dict(lower_open=True, aliases=("GDP per capita", "人均GDP")),
            "ic": dict(aliases=("road area per capita", "人均道路面积")),
            "ie": dict(aliases=("science spending", "science and technology spending", "科学技术支出",
                                "科技支出")),
        }
        cols = [ColumnSpec(schema.CITY, "", "City: English or Chinese name", "unit",
                           aliases=_CITY_ALIASES), year]
        for cid, desc in schema.CITY_COLUMNS.items():
            kw = extra[cid]
            cols.append(ColumnSpec(cid, _paren_unit(desc), _strip_paren(desc), "number", lower=0.0,
                                   aliases=(_strip_paren(desc), *kw.pop("aliases")), **kw))
        return tuple(cols)
    if kind == "links":
        d = schema.LINK_COLUMNS
        return (
            ColumnSpec("city_a", "", d["city_a"], "city", aliases=("city 1", "city1", "source", "from",
                                                                   "城市a", "城市1")),
            ColumnSpec("city_b", "", d["city_b"], "city", aliases=("city 2", "city2", "target", "to",
                                                                   "城市b", "城市2")),
            year,
            ColumnSpec("ai_coop", "count", _strip_paren(d["ai_coop"]), "number", lower=0.0, count=True,
                       aliases=(_strip_paren(d["ai_coop"]), "cooperation", "cooperative patents",
                                "co patents", "合作专利", "合作专利数")),
        )
    if kind == "firms":
        d = schema.FIRM_COLUMNS
        return (
            ColumnSpec("firm", "", d["firm"] + " (text; leading zeros are kept)", "unit",
                       aliases=("firm id", "company", "stkcd", "stock code", "证券代码", "股票代码",
                                "企业", "公司")),
            ColumnSpec("city", "", "City of the firm: English or Chinese name", "city",
                       aliases=_CITY_ALIASES),
            year,
            ColumnSpec("ti", "count", "Firm AI patent applications", "number", lower=0.0, count=True,
                       aliases=("TI", "AI patents")),
            ColumnSpec("gs", "10,000 yuan", "Government subsidies received", "number", lower=0.0,
                       aliases=("subsidies", "government subsidies", "政府补助")),
            ColumnSpec("ep", "ratio", "Enterprise profitability: return on total assets", "number",
                       aliases=("ROA", "return on assets", "总资产收益率")),
            ColumnSpec("cs", "ratio", "Capital structure: debt-to-assets ratio", "number", lower=0.0,
                       aliases=("leverage", "debt to assets", "debt to assets ratio", "资产负债率")),
            ColumnSpec("oc", "ratio", "Operating capacity: total asset turnover (revenue / total assets)",
                       "number", lower=0.0,
                       aliases=("asset turnover", "total asset turnover", "总资产周转率")),
        )
    raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")


SYSTEM_SHORT = {"nqpf": "NQPF", "inno": "innovation resources"}

# Descriptive columns people commonly keep next to the data; ignored with a warning.
_IGNORABLE = {
    "provinces": ("region", "区域", "地带", "gb code", "code", "adcode", "代码", "行政区划代码", "iso",
                  "iso 3166 2", "province zh", "name zh", "chinese name", "中文名", "province en",
                  "name en", "english name"),
    "cities": ("province", "省份", "省", "city zh", "name zh", "中文名", "lat", "lon", "latitude",
               "longitude", "gb code", "code", "adcode", "代码", "status", "region"),
    "links": ("city a zh", "city b zh", "province a", "province b"),
    "firms": ("firm name", "name", "企业名称", "公司名称", "industry", "行业", "province", "省份",
              "city zh"),
}



def _col_key(text) -> str:
    """Key for column headers: folded, ``_ - .`` and runs of spaces as one space."""
    s = _fold(text).replace("\ufeff", "")
    return re.sub(r"[\s_\-.]+", " ", s).strip()



@dataclass(frozen=True)
class _Header:
    index: dict  # canonical name -> column position
    shown: dict  # canonical name -> header text as written
    ignored: tuple
    problems: tuple
    renamed: tuple  # (header text, canonical) where they differ


def _column_keys(kind: str, specs=None) -> dict:
    """Normalised header spelling -> canonical column name."""
    return _keys_of(specs if specs is not None else column_specs(kind))


@lru_cache(maxsize=64)
def _keys_of(specs) -> dict:
    keys: dict[str, str] = {}
    for spec in specs:
        for alias in (spec.name, *spec.aliases):
            for k in (_col_key(alias), _col_key(_strip_paren(alias))):
                keys.setdefault(k, spec.name)
    return keys


def _known_cells(kind: str, cells, specs=None) -> int:
    keys = _column_keys(kind, specs)
    return len({keys.get(_col_key(_display(c))) or keys.get(_col_key(_strip_paren(_display(c))))
                for c in cells} - {None})


def _find_header(kind: str, table: _Table, specs=None) -> tuple[_Table, list[str]]:
    """Use a later row as the header when the first rows are a title (up to 10 rows are searched)."""
    candidates = [(table.header_row, table.header), *table.rows[:9]]
    scores = [_known_cells(kind, cells, specs) for _, cells in candidates]
    best = int(np.argmax(scores))
    if best == 0 or scores[best] < 2:
        return table, []
    row, header = candidates[best]
    skipped = [n for n, _ in candidates[:best]]
    note = Msg(N_("Rows {rows} above the header (row {row}) were skipped as a title.") if len(skipped) > 1
               else N_("Row {rows} above the header (row {row}) was skipped as a title."),
               rows=", ".join(map(str, skipped)), row=str(row))
    return _Table(table.name, tuple(header), row, table.rows[best:], table.warnings, table.delimiter), [note]


def _match_header(kind: str, header: tuple, rows: tuple, specs=None) -> _Header:
    specs = specs if specs is not None else column_specs(kind)
    keys = _column_keys(kind, specs)
    ignorable = {_col_key(a) for a in _IGNORABLE[kind]}
    index: dict[str, int] = {}
    shown: dict[str, str] = {}
    ignored, problems, renamed, unknown = [], [], [], []
    for pos, cell in enumerate(header):
        text = _display(cell).replace("\ufeff", "")
        if not text:
            has_data = any(pos < len(r) and _display(r[pos]) for _, r in rows)
            if has_data:
                problems.append(Problem(None, Msg(N_("(column {letter})"), letter=_excel_col(pos)), None,
                                        Msg(N_("Column {letter} has data but no header; name it or "
                                               "delete it (a pandas index written with the data looks "
                                               "like this: save with index=False)."), letter=_excel_col(pos))))
            continue
        k = _col_key(text)
        canon = keys.get(k) or keys.get(_col_key(_strip_paren(text)))
        if canon is None:
            if k in ignorable or _col_key(_strip_paren(text)) in ignorable:
                ignored.append(text)
            else:
                unknown.append((pos, text))
            continue
        if canon in index:
            problems.append(Problem(None, text, None,
                                    Msg(N_("Duplicate column: '{header}' and '{other}' both mean "
                                           "'{column}'; keep one."), header=text, other=shown[canon],
                                        column=canon)))
            continue
        index[canon] = pos
        shown[canon] = text
        if text != canon:
            renamed.append((text, canon))
    missing = [s for s in specs if s.required and s.name not in index]
    candidates = {k: v for k, v in keys.items() if v not in index}
    yearish = sum(1 for _, t in unknown if re.fullmatch(r"\d{4}(\.0)?", t))
    for pos, text in unknown:
        hit = difflib.get_close_matches(_col_key(text), list(candidates), n=1, cutoff=0.6)
        hint = Msg(N_(" Did you mean '{name}'?"), name=candidates[hit[0]]) if hit else ""
        if yearish >= 2 and re.fullmatch(r"\d{4}(\.0)?", text):
            hint = Msg(N_(" The file looks wide (one column per year); the panel needs one row per unit "
                          "and year with a 'year' column."))
        own = (Msg(N_(" If it is an indicator of your own, describe it in an indicator sheet (or assign it on "
                      "the Data page).")) if kind == "provinces" else "")
        problems.append(Problem(None, text, None, Msg(N_("Unknown column '{header}'.{hint} Expected columns are "
                                                         "listed in the template; delete columns that are not "
                                                         "part of it.{own}"), header=text, hint=hint, own=own)))
    unknown_keys = {_col_key(t): t for _, t in unknown}
    for spec in missing:
        names = [_col_key(a) for a in (spec.name, *spec.aliases)]
        best = None
        for nk in names:
            hit = difflib.get_close_matches(nk, list(unknown_keys), n=1, cutoff=0.6)
            if hit:
                best = unknown_keys[hit[0]]
                break
        hint = Msg(N_(" The file has '{header}': is that it?"), header=best) if best else ""
        unit = (Msg(N_(", {unit}"), unit=unit_word(spec)) if spec.unit and spec.role == "number" else "")
        label = (Named(spec.aliases[0], spec.name_zh) if kind == "provinces" and spec.role == "number"
                 else word(spec.description.split(". ")[0].split(" (")[0]))
        problems.append(Problem(None, spec.name, None,
                                Msg(N_("Missing required column '{column}' ({label}{unit}).{hint}"),
                                    column=spec.name, label=label, unit=unit, hint=hint)))
    return _Header(index, shown, tuple(ignored), tuple(problems), tuple(renamed))


def _excel_col(pos: int) -> str:
    s, n = "", pos + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s

