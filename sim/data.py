"""Loading and validating user uploads: the four panels of ``sim.schema`` from CSV or Excel.

A user's file is read, every problem in it is collected in one pass, and either a clean frame in
canonical form is returned or :class:`DataValidationError` is raised listing each problem with its
row (as Excel numbers it: header = row 1), column, offending value and a plain-words message.
Nothing is dropped silently: what is accepted with a caveat is listed in ``df.attrs["warnings"]``.

Panels (column contract: ``sim.schema``)
    provinces  Liu et al. (2026), Table 1: 35 indicators of 30 provinces per year, plus GDP per
               capita for the economic-geographic weight matrix (SPEC section 2, item 7).
    cities     Wang et al. (2025), section "Variables": AI and all patent applications, intra-city
               cooperative AI patents, AI incentive policies (IP), controls ED, IC, IE.
    links      Wang et al. (2025), inter-regional cooperation network: one row per unordered city
               pair and year.
    firms      Wang et al. (2025), Table 5 (mediation through government subsidies).

Reading
    * CSV (``.csv``, ``.tsv``, ``.txt``; comma, tab or semicolon separated) in UTF-8, UTF-8 with
      BOM, UTF-16 with BOM or GBK/GB18030: decoded strictly as UTF-8 first, then GB18030, then the
      best guess of ``charset_normalizer``. Excel ``.xlsx``/``.xlsm`` through openpyxl: the sheet
      named ``sheet``, else the first sheet. Legacy ``.xls`` is refused (save as .xlsx).
    * Header: the first non-empty row. Columns match by canonical id (``rd_exp``), by the paper's
      indicator name ("Internal expenditure of R&D funds"), or by a listed alias (省份, 年份, ...),
      ignoring case, spaces, ``_``/``-`` and a trailing unit in brackets. A few descriptive
      columns (region, codes, Chinese names) are ignored with a warning; any other unknown
      column is a problem with a closest-name suggestion (usually it is a misspelt required one).
    * Province names: English, pinyin variants, Chinese, GB/T 2260 codes or ISO 3166-2 codes
      (:func:`canonical_province`). City names: English or Chinese (:func:`canonical_city`).
    * Numbers: thousands separators ("1,234.5") and full-width digits are accepted and converted
      (a warning says how many); "45%" is accepted in a percent column; empty, "NA", "-", "无"
      mean missing. Anything else non-numeric is a problem.

Gap rule (province panel)
    Study A needs a balanced panel: every province in every year of the span. A missing
    province-year or an empty cell is a problem, unless ``fill_gaps=True``: then each numeric
    column is linearly interpolated over years within the province and carried flat beyond the
    first/last observed year (``numpy.interp``), and every filled cell is listed in
    ``df.attrs["filled"]`` as ``(province, year, column)``. City and firm panels may be unbalanced
    (the GMM handles it; a warning lists the holes) but empty cells are problems.

Errors versus warnings
    Errors (raise): unreadable/empty file, wrong sheet, missing/unknown/duplicate columns, unknown
    or ambiguous names, duplicate unit-years, non-numeric cells, impossible values (negatives,
    percent outside 0-100, ratio outside 0-1, AI patents above all patents), bad years, gaps and
    empty cells (unless filled), a constant indicator (entropy weights undefined), fewer than
    ``MIN_YEARS`` consecutive years, fewer than ``MIN_UNITS`` provinces or cities, self-links and
    pair-years listed twice.
    Warnings (accepted): ignored descriptive columns, title rows above the header, rows of
    Tibet/Hong Kong/Macao/Taiwan (not analysed in Study A; left out and counted), converted
    thousands separators or percent signs, percent columns that look like fractions, fewer than
    30 provinces, unbalanced city/firm panels, fractional counts, more intra-city cooperative AI
    patents than AI patents, a bare homonym city name ("Fuzhou" is 福州; 抚州 is another city), a
    firm listed in several cities, an Excel file named .csv, a non-UTF-8 encoding.
    ``cross_check`` adds notes across the Study B files (cities of the links or firms missing
    from the city panel; years outside it).
"""
from __future__ import annotations

import csv
import datetime as _dt
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim import schema

__all__ = [
    "KINDS", "MIN_YEARS", "MIN_UNITS", "YEAR_RANGE", "NOT_ANALYSED",
    "Problem", "DataValidationError", "ColumnSpec", "column_specs",
    "read_province_panel", "read_city_panel", "read_city_links", "read_firm_panel", "read_panel",
    "canonical_province", "canonical_city", "cross_check",
]

KINDS = ("provinces", "cities", "links", "firms")
MIN_YEARS = 3  # transitions and dynamic panels need at least three consecutive years
MIN_UNITS = 5  # fewer provinces/cities make Moran's I, Markov classes and percentiles meaningless
YEAR_RANGE = (1990, 2100)
NOT_ANALYSED = ("Tibet", "Hong Kong", "Macao", "Taiwan")
MAX_PROBLEMS_SHOWN = 60  # in str(DataValidationError); .problems always has all of them


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file.

    Attributes
    ----------
    row : int or None
        Row number as a spreadsheet shows it (header = row 1); None for file- or column-level
        problems.
    column : str or None
        The column as written in the file (or the canonical name of a missing column).
    value : str or None
        The offending cell or name, as text.
    message : str
        What is wrong and what was expected, in plain words.
    """

    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.value is not None and self.row is not None:
            where.append(f"value '{self.value}'")
        prefix = (", ".join(where) + ": ") if where else ""
        return prefix[:1].upper() + prefix[1:] + self.message if prefix else self.message

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "problem": self.message}


class DataValidationError(ValueError):
    """An upload that cannot be used; ``problems`` lists every :class:`Problem` found.

    Parameters
    ----------
    problems : list of Problem
    source : str, optional
        File name shown in the message.
    """

    def __init__(self, problems, source: str = ""):
        self.problems: list[Problem] = list(problems)
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = (f"{n} problem{'s' if n != 1 else ''} in {self.source or 'the file'}:")
        lines = [f"  - {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if n > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ... and {n - MAX_PROBLEMS_SHOWN} more")
        return "\n".join([head, *lines])

    def __str__(self) -> str:
        return self._text()

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (row, column, value, problem) for display."""
        return pd.DataFrame([p.to_dict() for p in self.problems],
                            columns=["row", "column", "value", "problem"])


# ---------------------------------------------------------------------------------------------
# Column specifications
# ---------------------------------------------------------------------------------------------
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


_PROVINCE_ALIASES = ("province", "provinces", "province name", "region name", "省份", "省", "地区",
                     "省区市", "省市", "省份名称", "地区名称", "省级行政区")
_YEAR_ALIASES = ("year", "years", "年份", "年", "年度")
_CITY_ALIASES = ("city", "city name", "prefecture", "prefecture city", "城市", "城市名称", "地级市", "市")


def _paren_unit(text: str) -> str:
    m = re.search(r"\(([^()]*)\)\s*$", text)
    return m.group(1) if m else ""


def _strip_paren(text: str) -> str:
    return re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", text).strip()


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
    year = ColumnSpec(schema.YEAR, "year", f"Calendar year ({YEAR_RANGE[0]}-{YEAR_RANGE[1]})", "year",
                      aliases=_YEAR_ALIASES)
    if kind == "provinces":
        cols = [ColumnSpec(schema.PROVINCE, "", "Province: English, pinyin or Chinese name, GB/T 2260 "
                           "or ISO 3166-2 code", "unit", aliases=_PROVINCE_ALIASES), year]
        for ind in schema.indicators():
            if ind.unit.strip() in ("%", "index 0-100"):
                lo, hi = 0.0, 100.0
            else:
                lo, hi = 0.0, None
            cols.append(ColumnSpec(ind.id, ind.unit, f"{ind.name} ({SYSTEM_SHORT[ind.system]}). "
                                   f"{ind.description}", "number", lower=lo, upper=hi,
                                   count=ind.unit in ("firms", "lines", "organisations", "platforms"),
                                   aliases=(ind.name,)))
        cols.append(ColumnSpec(schema.GDP_PER_CAPITA, "yuan per person", "GDP per capita; used for the "
                               "economic-geographic weights of Moran's I", "number", lower=0.0,
                               lower_open=True, aliases=("GDP per capita", "per capita GDP", "pgdp",
                                                         "人均GDP", "人均地区生产总值")))
        return tuple(cols)
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


# ---------------------------------------------------------------------------------------------
# Name matching
# ---------------------------------------------------------------------------------------------
_TRAD = str.maketrans("陝廣東內遼寧龍蘇貴雲慶灣臺門濟蘭烏魯爾壯維區肅", "陕广东内辽宁龙苏贵云庆湾台门济兰乌鲁尔壮维区肃")


def _fold(text) -> str:
    """NFKC, no accents, lower case, traditional -> simplified for place-name characters."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s).casefold().translate(_TRAD)


def _name_key(text) -> str:
    """Key for place names: folded, letters/digits/CJK only ("Xi'an", "xi an", "XIAN" -> "xian")."""
    return "".join(c for c in _fold(text) if c.isalnum())


def _col_key(text) -> str:
    """Key for column headers: folded, ``_ - .`` and runs of spaces as one space."""
    s = _fold(text).replace("\ufeff", "")
    return re.sub(r"[\s_\-.]+", " ", s).strip()


_EN_SUFFIXES = ("specialadministrativeregion", "autonomousregion", "municipality", "province",
                "zizhiqu", "sheng", "city", "shi", "sar")
_EN_ETHNIC = ("zhuang", "hui", "uygur", "uyghur", "uighur", "weiwuer")
_ZH_SUFFIXES = ("特别行政区", "自治区", "省", "市")
_ZH_ETHNIC = ("壮族", "回族", "维吾尔")

_EXTRA_PROVINCES = (("Hong Kong", "香港特别行政区", 81, "CN-HK", ("Hongkong", "Xianggang", "HK")),
                    ("Macao", "澳门特别行政区", 82, "CN-MO", ("Macau", "Aomen")),
                    ("Taiwan", "台湾省", 71, "CN-TW", ("Taiwan Province",)))
_PROVINCE_VARIANTS = {
    "Inner Mongolia": ("Nei Mongol", "Neimenggu", "Nei Menggu", "Inner Mongol", "Neimongol"),
    "Tibet": ("Xizang", "Xizang Zizhiqu"),
    "Shaanxi": ("Shenxi", "Shensi", "Shaanxi Sheng"),  # 陕西; never "Shanxi"/"Shansi" (山西)
    "Shanxi": ("Shansi",),
    "Beijing": ("Peking",),
    "Tianjin": ("Tientsin",),
    "Sichuan": ("Szechuan", "Szechwan"),
    "Guangdong": ("Kwangtung",),
    "Guangxi": ("Kwangsi",),
    "Xinjiang": ("Sinkiang",),
    "Heilongjiang": ("Heilungkiang",),
}


@lru_cache(maxsize=1)
def _province_table() -> tuple[dict, dict]:
    """(key -> canonical name, canonical name -> Chinese name) for 31 mainland units + HK/MO/TW."""
    lookup: dict[str, str] = {}
    zh: dict[str, str] = {}
    rows = [(p.name, p.name_zh, p.gb_code, p.iso, ()) for p in schema.provinces(include_not_in_study=True)]
    rows += list(_EXTRA_PROVINCES)
    for name, name_zh, gb, iso, variants in rows:
        zh[name] = name_zh
        for k in (name, name_zh, str(gb), str(gb * 10000), iso, *variants,
                  *_PROVINCE_VARIANTS.get(name, ())):
            lookup[_name_key(k)] = name
        short = name_zh
        for suf in _ZH_SUFFIXES:
            if short.endswith(suf):
                short = short[: -len(suf)]
                break
        lookup[_name_key(short)] = name
        for eth in _ZH_ETHNIC:
            if short.endswith(eth):
                lookup[_name_key(short[: -len(eth)])] = name
    return lookup, zh


def canonical_province(text) -> str | None:
    """Canonical English name of a province written in any common way, or None.

    Accepts the English/pinyin name with or without "Province"/"Shi"/"Zizhiqu"/"Autonomous
    Region" and the ethnic designation, older romanisations (Peking, Shensi), Chinese in simplified
    or traditional characters with or without 省/市/自治区, GB/T 2260 codes (11, 110000) and ISO
    3166-2 codes (CN-BJ). Tibet, Hong Kong, Macao and Taiwan are recognised (see ``NOT_ANALYSED``:
    Liu et al. (2026) study 30 provinces without them). Shaanxi (陕西, "Shenxi", "Shensi") and
    Shanxi (山西, "Shansi") are kept apart; nothing is matched fuzzily.

    Parameters
    ----------
    text : str or int

    Returns
    -------
    str or None
        A name of ``sim.schema.provinces(include_not_in_study=True)`` or of ``NOT_ANALYSED``.

    Examples
    --------
    >>> canonical_province("内蒙古自治区"), canonical_province("Nei Mongol")
    ('Inner Mongolia', 'Inner Mongolia')
    >>> canonical_province("陕西"), canonical_province("山西省"), canonical_province("Shenxi")
    ('Shaanxi', 'Shanxi', 'Shaanxi')
    >>> canonical_province("Atlantis") is None
    True
    """
    if text is None:
        return None
    lookup, _ = _province_table()
    key = _name_key(_display(text))
    if not key:
        return None
    if key in lookup:
        return lookup[key]
    for sufs, eths in ((_EN_SUFFIXES, _EN_ETHNIC), (_ZH_SUFFIXES, _ZH_ETHNIC)):
        k = key
        for _ in range(2):  # e.g. "Guangxi Zhuang Autonomous Region": region, then ethnic part
            for suf in sufs:
                if k.endswith(suf) and len(k) > len(suf):
                    k = k[: -len(suf)]
                    break
            if k in lookup:
                return lookup[k]
            for eth in eths:
                if k.endswith(eth) and k[: -len(eth)] in lookup:
                    return lookup[k[: -len(eth)]]
    return None


def _suggest(text: str, lookup: dict[str, str]) -> str | None:
    key = _name_key(text)
    hit = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
    return lookup[hit[0]] if hit else None


def _city_file() -> Path:
    full = schema.DATA_DIR / "geo" / "cities.csv"
    return full if full.exists() else schema.DATA_DIR / "geo" / "ai_clusters.csv"


@lru_cache(maxsize=4)
def _city_table(path: str, mtime: float) -> tuple[dict, dict, dict]:
    """(exact key -> names, secondary key -> names, canonical name -> Chinese name, in file order).

    Exact keys: the canonical name and the Chinese name (with or without 市). Secondary keys: the
    name without a disambiguating bracket ("Suzhou (Anhui)" -> "Suzhou", deliberately ambiguous
    when two cities share it) and "city + province" spellings in English and Chinese.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    prov_col = "province" if "province" in df.columns else ("province_en" if "province_en" in df.columns
                                                            else None)
    exact: dict[str, set] = {}
    loose: dict[str, set] = {}
    names: dict[str, str] = {}
    for r in df.to_dict("records"):
        name = r["city"].strip()
        zh = r.get("city_zh", "").strip()
        names.setdefault(name, zh)
        base = _strip_paren(name)
        keys = {name, zh, zh + "市" if zh else ""}
        more = {base, base + " City", base + " Shi"}
        if prov_col:
            prov = r[prov_col]
            pzh = _province_table()[1].get(canonical_province(prov) or "", "")
            more |= {f"{base} {prov}", f"{prov} {base}"}
            if zh:
                more |= {pzh + zh, pzh + zh + "市", pzh.rstrip("省") + zh, pzh.rstrip("省") + zh + "市"}
        for table, ks in ((exact, keys), (loose, more)):
            for k in ks:
                k = _name_key(k)
                if k:
                    table.setdefault(k, set()).add(name)
    return exact, loose, names


def _cities() -> tuple[dict, dict, dict]:
    p = _city_file()
    return _city_table(str(p), p.stat().st_mtime)


def _resolve_city(text) -> tuple[str | None, list[str]]:
    """(canonical name or None, candidates when ambiguous)."""
    exact, loose, _ = _cities()
    key = _name_key(_display(text))
    hits = exact.get(key) or loose.get(key)
    if not hits:
        return None, []
    if len(hits) > 1:
        return None, sorted(hits)
    return next(iter(hits)), []


def canonical_city(text) -> str | None:
    """Canonical English name of a city of ``data/geo/cities.csv`` (or the Study B cities), or None.

    English or Chinese, with or without 市/"City", apostrophes and spaces ignored ("Xi'an", "Xian",
    "西安", "西安市"); "City, Province" and "省+市" forms disambiguate homonyms (苏州 Suzhou, Jiangsu
    vs 宿州 Suzhou, Anhui). An ambiguous name returns None. Cities are those of Wang et al. (2025)
    and the other prefecture-level cities of the shipped city table.

    Examples
    --------
    >>> canonical_city("西安市"), canonical_city("Xian")
    ("Xi'an", "Xi'an")
    """
    if text is None:
        return None
    return _resolve_city(text)[0]


# ---------------------------------------------------------------------------------------------
# Reading a file into raw rows
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Table:
    name: str
    header: tuple
    header_row: int
    rows: tuple  # ((file row number, tuple of cells), ...)
    warnings: tuple = ()
    delimiter: str = ","


def _display(v) -> str:
    """A cell as the user would read it ("2015" for 2015.0)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    return str(v).strip()


def _source_bytes(source) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        p = Path(source)
        if not p.is_file():
            raise DataValidationError([Problem(None, None, str(source), f"File not found: {source}")],
                                      str(source))
        return p.read_bytes(), p.name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), ""
    name = Path(str(getattr(source, "name", "") or "")).name
    if hasattr(source, "getvalue"):
        raw = source.getvalue()
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        raw = source.read()
    else:
        raise TypeError(f"source must be a path, bytes, a file-like object or a DataFrame; "
                        f"got {type(source).__name__}")
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return bytes(raw), name


_TEXT_EXT = {".csv", ".tsv", ".txt"}
_XLSX_EXT = {".xlsx", ".xlsm"}


def _load_table(source, sheet: str | None) -> _Table:
    if isinstance(source, pd.DataFrame):
        header = tuple(str(c) for c in source.columns)
        rows = tuple((i + 2, tuple(r)) for i, r in enumerate(source.itertuples(index=False, name=None)))
        return _Table("the data frame", header, 1, rows)
    raw, name = _source_bytes(source)
    label = name or "the uploaded file"
    ext = Path(name).suffix.lower() if name else ""
    fail = lambda msg, value=None: DataValidationError([Problem(None, None, value, msg)], label)  # noqa: E731
    if not raw.strip():
        raise fail("The file is empty.")
    is_zip = raw[:4] == b"PK\x03\x04"
    is_ole = raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    warnings = []
    if ext == ".xls" or (is_ole and ext not in _XLSX_EXT):
        raise fail("This is a legacy Excel 97-2003 (.xls) workbook or a password-protected file; "
                   "open it in Excel and save it as .xlsx or as CSV (UTF-8).", ext or None)
    if ext and ext not in _TEXT_EXT | _XLSX_EXT:
        raise fail(f"Unsupported file type '{ext}'; upload a CSV (.csv) or Excel (.xlsx) file.", ext)
    if ext in _XLSX_EXT or (not ext and is_zip) or (ext in _TEXT_EXT and is_zip):
        if ext in _TEXT_EXT:
            warnings.append(f"{label} is an Excel workbook with a '{ext}' name; it was read as Excel.")
        t = _read_xlsx(raw, label, sheet)
        return _Table(t.name, t.header, t.header_row, t.rows, tuple(warnings) + t.warnings)
    if sheet is not None:
        warnings.append(f"A sheet name ('{sheet}') was given but {label} is a CSV file; it was ignored.")
    t = _read_csv(raw, label)
    return _Table(t.name, t.header, t.header_row, t.rows, tuple(warnings) + t.warnings, t.delimiter)


def _decode(raw: bytes, label: str) -> tuple[str, str]:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise DataValidationError([Problem(None, None, None, "The file is binary, not CSV text; upload "
                                           "a CSV (.csv) or Excel (.xlsx) file.")], label)
    for enc, shown in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            return raw.decode(enc), shown
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(raw).best()
    except Exception:  # noqa: BLE001 - any failure of the guesser means "undecodable"
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding
    raise DataValidationError([Problem(None, None, None, "The text encoding could not be recognised; "
                                       "save the file as CSV UTF-8 (or GBK).")], label)


def _read_csv(raw: bytes, label: str) -> _Table:
    text, enc = _decode(raw, label)
    text = text.lstrip("\ufeff")
    control = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if control > 8:
        raise DataValidationError([Problem(None, None, None, "The file is binary, not CSV text; upload "
                                           "a CSV (.csv) or Excel (.xlsx) file.")], label)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = max((",", "\t", ";"), key=lambda d: (first.count(d), d == ","))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise DataValidationError([Problem(None, None, None, f"The CSV text cannot be parsed ({exc}).")],
                                  label) from None
    return _rows_to_table(records, label, (f"Read as {enc} text.",) if enc not in ("UTF-8",) else (),
                          delim)


def _read_xlsx(raw: bytes, label: str, sheet: str | None) -> _Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad workbook
        raise DataValidationError([Problem(None, None, None, "The file cannot be read as an Excel "
                                           f"workbook ({type(exc).__name__}); save it again as .xlsx "
                                           "or CSV.")], label) from None
    names = wb.sheetnames
    if sheet is not None and sheet not in names:
        folded = {n.strip().casefold(): n for n in names}
        if sheet.strip().casefold() in folded:
            ws = wb[folded[sheet.strip().casefold()]]
        else:
            close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise DataValidationError([Problem(None, None, sheet, f"No sheet named '{sheet}'; the workbook "
                                               f"has: {', '.join(names)}.{hint}")], label)
    else:
        ws = wb[names[0]] if sheet is None else wb[sheet]
    records = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True)]
    if not any(any(_display(c) for c in r) for r in records):
        others = [n for n in names if n != ws.title and wb[n].max_row > 1]
        hint = f" Sheets with content: {', '.join(others)}; choose one." if others else ""
        raise DataValidationError([Problem(None, None, ws.title, f"Sheet '{ws.title}' is empty.{hint}")],
                                  label)
    t = _rows_to_table(records, f"{label} (sheet '{ws.title}')", ())
    return t


def _rows_to_table(records: list, label: str, warnings: tuple, delim: str = ",") -> _Table:
    numbered = [(i + 1, r) for i, r in enumerate(records)]
    nonempty = [(n, r) for n, r in numbered if any(_display(c) for c in r)]
    if not nonempty:
        raise DataValidationError([Problem(None, None, None, "The file is empty.")], label)
    header_row, header = nonempty[0]
    return _Table(label, tuple(header), header_row, tuple(nonempty[1:]), warnings, delim)


# ---------------------------------------------------------------------------------------------
# Cell parsing
# ---------------------------------------------------------------------------------------------
_MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "--", "—", "–", "…", "...", ".", "#n/a",
            "无", "缺失", "空"}
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _parse_number(v, percent_ok: bool, delim: str) -> tuple[float, str]:
    """(value, status); status is ok, missing, thousands, percent, or a reason it is not a number."""
    if v is None or v is pd.NA or v is pd.NaT:
        return np.nan, "missing"
    if isinstance(v, bool):
        return np.nan, "is TRUE/FALSE, not a number"
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        if np.isnan(x):
            return np.nan, "missing"
        if not np.isfinite(x):
            return np.nan, "is infinite"
        return x, "ok"
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return np.nan, "is a date, not a number (check the cell format in Excel)"
    s = unicodedata.normalize("NFKC", str(v)).strip().replace("\u2212", "-").replace(" ", "")
    if s.casefold() in _MISSING:
        return np.nan, "missing"
    if _PLAIN.match(s):
        x = float(s)
        return (x, "ok") if np.isfinite(x) else (np.nan, "is too large to be a number (overflows to infinity)")
    if _THOUSANDS.match(s):
        if delim == ";":
            return np.nan, ("has a comma in a semicolon-separated file (decimal comma or thousands "
                            "separator?); write decimals with a point")
        return float(s.replace(",", "")), "thousands"
    if s.endswith("%") and _PLAIN.match(s[:-1]):
        if percent_ok:
            return float(s[:-1]), "percent"
        return np.nan, "has a percent sign, but this column is not measured in percent"
    if re.match(r"^[+-]?\d+,\d+$", s):
        return np.nan, "uses a decimal comma; write decimals with a point (1.5, not 1,5)"
    return np.nan, "is not a number"


def _parse_year(v) -> tuple[int | None, str]:
    """(year, "ok") or (None, a full sentence saying what is wrong)."""
    lo, hi = YEAR_RANGE
    expected = f"write the year as a whole number between {lo} and {hi}, such as 2015."
    if v is None or v is pd.NA or v is pd.NaT:
        return None, "The year is missing; " + expected
    if isinstance(v, bool):
        return None, "The year is TRUE/FALSE; " + expected
    if isinstance(v, (_dt.datetime, _dt.date)):
        return None, "The year is a date (check the cell format in Excel); " + expected
    if isinstance(v, (int, np.integer)):
        y = int(v)
    elif isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None, "The year is missing; " + expected
        if not float(v).is_integer():
            return None, "The year is not a whole number; " + expected
        y = int(v)
    else:
        s = unicodedata.normalize("NFKC", str(v)).strip().rstrip("年").strip()
        if s.casefold() in _MISSING:
            return None, "The year is missing; " + expected
        m = re.match(r"^(\d+)(\.0+)?$", s)
        if not m:
            return None, "The year is not a whole number; " + expected
        y = int(m.group(1))
    if not lo <= y <= hi:
        return None, f"The year {y} is outside {lo}-{hi}; years must lie in this range."
    return y, "ok"


# ---------------------------------------------------------------------------------------------
# Header matching
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Header:
    index: dict  # canonical name -> column position
    shown: dict  # canonical name -> header text as written
    ignored: tuple
    problems: tuple
    renamed: tuple  # (header text, canonical) where they differ


@lru_cache(maxsize=None)
def _column_keys(kind: str) -> dict:
    """Normalised header spelling -> canonical column name."""
    keys: dict[str, str] = {}
    for spec in column_specs(kind):
        for alias in (spec.name, *spec.aliases):
            for k in (_col_key(alias), _col_key(_strip_paren(alias))):
                keys.setdefault(k, spec.name)
    return keys


def _known_cells(kind: str, cells) -> int:
    keys = _column_keys(kind)
    return len({keys.get(_col_key(_display(c))) or keys.get(_col_key(_strip_paren(_display(c))))
                for c in cells} - {None})


def _find_header(kind: str, table: _Table) -> tuple[_Table, list[str]]:
    """Use a later row as the header when the first rows are a title (up to 10 rows are searched)."""
    candidates = [(table.header_row, table.header), *table.rows[:9]]
    scores = [_known_cells(kind, cells) for _, cells in candidates]
    best = int(np.argmax(scores))
    if best == 0 or scores[best] < 2:
        return table, []
    row, header = candidates[best]
    skipped = [n for n, _ in candidates[:best]]
    note = (f"Row{'s' if len(skipped) > 1 else ''} {', '.join(map(str, skipped))} above the header "
            f"(row {row}) {'were' if len(skipped) > 1 else 'was'} skipped as a title.")
    return _Table(table.name, tuple(header), row, table.rows[best:], table.warnings, table.delimiter), [note]


def _match_header(kind: str, header: tuple, rows: tuple) -> _Header:
    specs = column_specs(kind)
    keys = _column_keys(kind)
    ignorable = {_col_key(a) for a in _IGNORABLE[kind]}
    index: dict[str, int] = {}
    shown: dict[str, str] = {}
    ignored, problems, renamed, unknown = [], [], [], []
    for pos, cell in enumerate(header):
        text = _display(cell).replace("\ufeff", "")
        if not text:
            has_data = any(pos < len(r) and _display(r[pos]) for _, r in rows)
            if has_data:
                problems.append(Problem(None, f"(column {_excel_col(pos)})", None,
                                        f"Column {_excel_col(pos)} has data but no header; name it or "
                                        "delete it (a pandas index written with the data looks "
                                        "like this: save with index=False)."))
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
                                    f"Duplicate column: '{text}' and '{shown[canon]}' both mean "
                                    f"'{canon}'; keep one."))
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
        hint = f" Did you mean '{candidates[hit[0]]}'?" if hit else ""
        if yearish >= 2 and re.fullmatch(r"\d{4}(\.0)?", text):
            hint = (" The file looks wide (one column per year); the panel needs one row per unit "
                    "and year with a 'year' column.")
        problems.append(Problem(None, text, None, f"Unknown column '{text}'.{hint} Expected columns are "
                                "listed in the template; delete columns that are not part of it."))
    unknown_keys = {_col_key(t): t for _, t in unknown}
    for spec in missing:
        names = [_col_key(a) for a in (spec.name, *spec.aliases)]
        best = None
        for nk in names:
            hit = difflib.get_close_matches(nk, list(unknown_keys), n=1, cutoff=0.6)
            if hit:
                best = unknown_keys[hit[0]]
                break
        hint = f" The file has '{best}': is that it?" if best else ""
        unit = f", {spec.unit}" if spec.unit and spec.role == "number" else ""
        label = (spec.aliases[0] if kind == "provinces" and spec.role == "number"
                 else spec.description.split(". ")[0].split(" (")[0])
        problems.append(Problem(None, spec.name, None,
                                f"Missing required column '{spec.name}' ({label}{unit}).{hint}"))
    return _Header(index, shown, tuple(ignored), tuple(problems), tuple(renamed))


def _excel_col(pos: int) -> str:
    s, n = "", pos + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------------------------------------
# The readers
# ---------------------------------------------------------------------------------------------
def read_province_panel(source, *, fill_gaps: bool = False, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate a province panel for Study A (Liu et al. 2026, Table 1 indicators).

    Parameters
    ----------
    source : str, Path, bytes, file-like (e.g. Streamlit's UploadedFile) or DataFrame
        CSV (UTF-8, UTF-8 BOM, UTF-16, GBK/GB18030) or .xlsx. A file-like's ``name`` gives the type.
    fill_gaps : bool, default False
        False: any missing province-year or empty cell is a problem. True: fill them by linear
        interpolation over years within the province, carrying the first/last observed value
        beyond the ends, and list every filled cell in ``attrs["filled"]``.
    sheet : str, optional
        Excel sheet name; default the first sheet.

    Returns
    -------
    DataFrame, shape (n_provinces * n_years, 38)
        Columns ``sim.schema.province_columns()``: province (canonical English name), year (int64),
        35 indicators and gdp_per_capita (float64); sorted by GB/T 2260 code, then year.
        ``attrs``: "warnings" (list of str), "filled" (list of (province, year, column)),
        "renamed" (list of (header, column)), "source" (str).

    Raises
    ------
    DataValidationError
        With every problem found (see the module docstring for the list).
    """
    return read_panel("provinces", source, fill_gaps=fill_gaps, sheet=sheet)


def read_city_panel(source, *, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate a city panel for Study B (Wang et al. 2025: TI, IP, ED, IC, IE inputs).

    Returns
    -------
    DataFrame, shape (n_city_years, 9)
        Columns ``sim.schema.city_columns()``; city is the canonical English name; sorted by city
        and year. Missing city-years are allowed (warning); empty cells are problems.
    """
    return read_panel("cities", source, sheet=sheet)


def read_city_links(source, *, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate inter-city cooperation links (Wang et al. 2025, inter-regional network).

    Returns
    -------
    DataFrame, shape (n_pair_years, 4)
        Columns city_a, city_b, year, ai_coop; each pair is written with city_a < city_b
        (alphabetically: the pair is unordered); sorted. A pair listed in both orders for one
        year, a city linked to itself and negative counts are problems.
    """
    return read_panel("links", source, sheet=sheet)


def read_firm_panel(source, *, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate the firm panel of the mediation model (Wang et al. 2025, Table 5).

    Returns
    -------
    DataFrame, shape (n_firm_years, 8)
        Columns firm (text), city (canonical), year, ti, gs, ep, cs, oc; sorted by firm and year.
    """
    return read_panel("firms", source, sheet=sheet)


def read_panel(kind: str, source, *, fill_gaps: bool = False, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate a panel of the given kind ("provinces", "cities", "links", "firms").

    ``fill_gaps`` applies to provinces only. See :func:`read_province_panel` for the rest.
    """
    specs = column_specs(kind)
    if fill_gaps and kind != "provinces":
        raise ValueError("fill_gaps applies to the province panel only (Study A needs a balanced "
                         f"panel); got kind={kind!r}")
    table = _load_table(source, sheet)
    table, title_note = _find_header(kind, table)
    hdr = _match_header(kind, table.header, table.rows)
    problems: list[Problem] = list(hdr.problems)
    warnings: list[str] = list(table.warnings) + title_note
    if hdr.ignored:
        warnings.append("Columns not used and ignored: " + ", ".join(f"'{c}'" for c in hdr.ignored) + ".")
    if not table.rows:
        problems.append(Problem(None, None, None, "The file has a header but no data rows."))
    width = len(table.header)
    for n, cells in table.rows:
        extra = [_display(c) for c in cells[width:] if _display(c)]
        if extra:
            problems.append(Problem(n, None, ", ".join(extra),
                                    f"This row has {len(cells)} cells but the header only {width}: "
                                    "is a value or a separator misplaced?"))

    counts = {"thousands": {}, "percent": {}}
    fractional: dict[str, int] = {}
    records = []  # dicts with canonical keys + "_row"
    missing_cells = []  # (row, column as written, canonical column)
    not_analysed: dict[str, int] = {}
    homonyms: dict[str, tuple] = {}  # text as written -> (name read, other cities of that name)
    for n, cells in table.rows:
        rec = {"_row": n, "_ok": True}

        def cell(name):
            pos = hdr.index.get(name)
            return cells[pos] if pos is not None and pos < len(cells) else None

        for spec in specs:
            if spec.name not in hdr.index:
                continue
            raw = cell(spec.name)
            col = hdr.shown[spec.name]
            if spec.role in ("unit", "city"):
                rec[spec.name] = _parse_name(kind, spec, raw, n, col, problems, not_analysed, homonyms)
                if rec[spec.name] is _SKIP:
                    rec["_skip"] = True  # a not-analysed province: the rest of the row is not read
                    break
                if rec[spec.name] is None:
                    rec["_ok"] = False
            elif spec.role == "year":
                y, status = _parse_year(raw)
                if y is None:
                    rec["_ok"] = False
                    problems.append(Problem(n, col, _display(raw), status))
                rec[spec.name] = y
            else:
                x, status = _parse_number(raw, spec.unit.strip() == "%", table.delimiter)
                if status in ("thousands", "percent"):
                    counts[status][col] = counts[status].get(col, 0) + 1
                elif status == "missing":
                    missing_cells.append((n, col, spec.name))
                elif status != "ok":
                    problems.append(Problem(n, col, _display(raw), f"The value {status}; expected a "
                                            f"number in {spec.unit or 'the column unit'}."))
                if np.isfinite(x):
                    bad = _bounds_problem(spec, x)
                    if bad:
                        problems.append(Problem(n, col, _display(raw), bad))
                    if spec.count and not float(x).is_integer():
                        fractional[col] = fractional.get(col, 0) + 1
                rec[spec.name] = x
        if rec.get("_skip"):
            continue
        records.append(rec)
    for what, per_col in counts.items():
        for col, k in per_col.items():
            warnings.append(f"Column '{col}': {k} value{'s' if k > 1 else ''} with "
                            f"{'thousands separators' if what == 'thousands' else 'a percent sign'} "
                            "read as plain numbers.")
    for col, k in fractional.items():
        warnings.append(f"Column '{col}' counts things but has {k} fractional value{'s' if k > 1 else ''} "
                        "(fractional counting?); they are kept as they are.")
    zh = _cities()[2]
    for text, (name, others) in homonyms.items():
        alts = "; ".join(f"{zh.get(o, '') or o}, written '{o}' or {zh.get(o, '')}" for o in others)
        warnings.append(f"'{text}' is taken to be {name} ({zh.get(name, '')}). Another city has this "
                        f"name: {alts}.")
    for name, k in not_analysed.items():
        warnings.append(f"{k} row{'s' if k > 1 else ''} of {name} left out: {name} is not analysed in "
                        "Study A (Liu et al. 2026 study 30 provinces).")

    unit = {"provinces": schema.PROVINCE, "cities": schema.CITY, "firms": "firm", "links": None}[kind]
    frame, filled = _panel_checks(kind, records, unit, hdr, missing_cells, fill_gaps, problems, warnings)
    if problems:
        raise DataValidationError(problems, table.name)
    frame.attrs["warnings"] = warnings
    frame.attrs["filled"] = filled
    frame.attrs["renamed"] = list(hdr.renamed)
    frame.attrs["source"] = table.name
    return frame


def _bounds_problem(spec: ColumnSpec, x: float) -> str | None:
    unit = f" ({spec.unit})" if spec.unit else ""
    if spec.lower is not None:
        if spec.lower_open and x <= spec.lower:
            return f"'{spec.name}'{unit} must be above {spec.lower:g}."
        if x < spec.lower:
            return f"A negative value is impossible for '{spec.name}'{unit}."
    if spec.upper is not None and x > spec.upper:
        rng = "0-100" if spec.upper == 100 else f"{spec.lower:g}-{spec.upper:g}"
        extra = " (is it in percent? divide by 100)" if spec.upper == 1 and x <= 100 else ""
        return f"'{spec.name}'{unit} must lie within {rng}{extra}."
    return None


def _parse_name(kind, spec, raw, n, col, problems, not_analysed, homonyms):
    text = _display(raw)
    if not text:
        problems.append(Problem(n, col, "", f"The {spec.name} name is missing."))
        return None
    if spec.name == "firm":
        return text
    if kind == "provinces":
        name = canonical_province(text)
        if name is None:
            lookup, _ = _province_table()
            hint = _suggest(text, lookup)
            hint = f" Did you mean '{hint}'?" if hint else ""
            problems.append(Problem(n, col, text, f"Unknown province '{text}'.{hint} Use the English, "
                                    "pinyin or Chinese name (e.g. Inner Mongolia, 内蒙古)."))
            return None
        if name not in set(schema.province_names()):
            not_analysed[name] = not_analysed.get(name, 0) + 1
            return _SKIP
        return name
    name, candidates = _resolve_city(text)
    if name is not None and text not in homonyms:
        others = sorted(_cities()[1].get(_name_key(text), set()) - {name})
        if others:
            homonyms[text] = (name, tuple(others))
    if candidates:
        problems.append(Problem(n, col, text, f"'{text}' could be any of {', '.join(candidates)}; "
                                "write the Chinese name or 'City, Province'."))
        return None
    if name is None:
        exact, loose, _ = _cities()
        lookup = {**loose, **exact}
        hit = difflib.get_close_matches(_name_key(text), list(lookup), n=1, cutoff=0.7)
        hint = f" Did you mean '{sorted(lookup[hit[0]])[0]}'?" if hit else ""
        n_known = len(_cities()[2])
        problems.append(Problem(n, col, text, f"Unknown city '{text}'.{hint} Cities must be among the "
                                f"{n_known} prefecture-level cities of data/geo/{_city_file().name} "
                                "(English or Chinese name)."))
        return None
    return name


class _Skip(str):
    """Marker for rows left out on purpose (not-analysed provinces); reported as a warning."""


_SKIP = _Skip("")


def _panel_checks(kind, records, unit, hdr, missing_cells, fill_gaps, problems, warnings):
    specs = column_specs(kind)
    numeric = [s.name for s in specs if s.role == "number"]
    cols = [s.name for s in specs]
    unit_word = {"provinces": "province", "cities": "city", "firms": "firm", "links": "link"}[kind]
    keys_ok = all(s.name in hdr.index for s in specs if s.role in ("unit", "year", "city"))
    good = [r for r in records if r["_ok"]]
    filled: list = []
    if kind != "provinces" or not fill_gaps or not keys_ok:
        for n, col, name in missing_cells:
            fix = ("fill it, or allow gap filling (linear interpolation within the province)"
                   if kind == "provinces" else f"every {unit_word} row needs a value")
            problems.append(Problem(n, col, "", f"Empty cell in '{name}'; {fix}."))
    if not keys_ok:
        return pd.DataFrame(columns=cols), filled

    # duplicates of the unit-year key
    if kind == "links":
        key_of = lambda r: (min(r["city_a"], r["city_b"]), max(r["city_a"], r["city_b"]), r["year"])  # noqa: E731
    else:
        key_of = lambda r: (r[unit], r["year"])  # noqa: E731
    seen: dict = {}
    unique = []
    for r in good:
        if kind == "links" and r["city_a"] == r["city_b"]:
            problems.append(Problem(r["_row"], hdr.shown["city_b"], r["city_b"],
                                    f"A city linked to itself ({r['city_a']}); cooperation within a "
                                    "city belongs in the city panel's 'ai_coop_intra' column."))
            continue
        k = key_of(r)
        if k in seen:
            if kind == "links":
                msg = (f"The pair {k[0]} - {k[1]} in {k[2]} is already listed on row {seen[k]} "
                       "(pairs are unordered: a-b and b-a are the same link).")
                problems.append(Problem(r["_row"], hdr.shown["city_a"], f"{r['city_a']} - {r['city_b']}", msg))
            else:
                problems.append(Problem(r["_row"], hdr.shown[unit], r[unit],
                                        f"Duplicate: {r[unit]} {r['year']} is already on row {seen[k]}."))
            continue
        seen[k] = r["_row"]
        unique.append(r)

    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in unique], columns=cols)
    for c in numeric:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["year"] = frame["year"].astype("int64")
    if kind == "links":
        a, b = frame["city_a"].copy(), frame["city_b"].copy()
        swap = a > b
        frame.loc[swap, "city_a"], frame.loc[swap, "city_b"] = b[swap], a[swap]
        return frame.sort_values(["city_a", "city_b", "year"]).reset_index(drop=True), filled

    units = list(dict.fromkeys(frame[unit]))
    years = sorted(set(frame["year"]))
    bad_year_units = {r[unit] for r in records if r.get(unit) and r.get("year") is None}
    if kind in ("provinces", "cities") and units and len(units) < MIN_UNITS:
        problems.append(Problem(None, hdr.shown[unit], None,
                                f"Only {len(units)} {_plural(unit_word, len(units))}"
                                f" ({', '.join(map(str, units))}); at least {MIN_UNITS} are needed "
                                "(Moran's I, Markov classes and percentile thresholds are meaningless "
                                "with fewer)."))
    if kind == "provinces" and MIN_UNITS <= len(units) < len(schema.province_names()):
        warnings.append(f"{len(units)} of {len(schema.province_names())} provinces; results describe "
                        "these provinces only.")
    if years:
        span = list(range(years[0], years[-1] + 1))
        if kind in ("provinces", "cities") and len(span) < MIN_YEARS:
            problems.append(Problem(None, hdr.shown["year"], None,
                                    f"Only {len(span)} year{'s' if len(span) > 1 else ''} "
                                    f"({', '.join(map(str, years))}); at least {MIN_YEARS} consecutive "
                                    "years are needed for transitions and dynamics."))
    else:
        span = []

    present = {(r[unit], r["year"]) for r in unique}
    unnamed_rows: dict[int, list] = {}  # year -> rows whose province could not be read
    for r in records:
        if r.get(unit) is None and r.get("year") is not None:
            unnamed_rows.setdefault(r["year"], []).append(r["_row"])
    if kind == "provinces":
        gaps = {u: [y for y in span if (u, y) not in present] for u in units if u not in bad_year_units}
        gaps = {u: ys for u, ys in gaps.items() if ys}
        if gaps and not fill_gaps:
            by_year: dict[int, list] = {}
            for u, ys in gaps.items():
                for y in ys:
                    by_year.setdefault(y, []).append(u)
            wide_years = {y for y, us in by_year.items() if len(us) > len(units) / 2}
            for y in sorted(wide_years):
                have = [u for u in units if (u, y) in present]
                if not have:
                    problems.append(Problem(None, hdr.shown["year"], str(y),
                                            f"No province has rows for {y}: the years must be "
                                            f"consecutive ({span[0]}-{span[-1]}) for year-to-year "
                                            "transitions; add the year, or allow gap filling."))
                    continue
                problems.append(Problem(None, hdr.shown["year"], str(y),
                                        f"Year {y} has rows for only {len(have)} of {len(units)} "
                                        f"provinces ({', '.join(have) or 'none'}); the panel must be "
                                        "balanced: add the other provinces for this year or delete "
                                        "its rows (or allow gap filling)."))
            for u, ys in gaps.items():
                ys = [y for y in ys if y not in wide_years]
                if ys:
                    maybe = sorted({n for y in ys for n in unnamed_rows.get(y, [])})
                    note = (f" Row{'s' if len(maybe) > 1 else ''} {', '.join(map(str, maybe))}, whose "
                            "province could not be read, may be meant.") if maybe else ""
                    problems.append(Problem(None, hdr.shown[unit], u,
                                            f"{u} has no rows for {_years_text(ys)} (the panel spans "
                                            f"{span[0]}-{span[-1]}); add them, or allow gap filling."
                                            + note))
        if fill_gaps and len(frame) and span:
            frame, filled = _fill(frame, units, span, numeric, problems, hdr)
            if filled:
                n_rows = sum(len(ys) for ys in gaps.values())
                warnings.append(f"Gap filling: {len(filled)} cell{'s' if len(filled) > 1 else ''} "
                                f"filled ({n_rows} missing province-year row{'s' if n_rows != 1 else ''} "
                                "added) by linear interpolation within each province, edges carried "
                                "flat; see the list of filled cells.")
    else:
        holes = {u: [y for y in span if (u, y) not in present] for u in units}
        holes = {u: ys for u, ys in holes.items() if ys}
        if holes and kind == "cities":
            listed = "; ".join(f"{u}: {_years_text(ys)}" for u, ys in list(holes.items())[:10])
            more = f"; and {len(holes) - 10} more" if len(holes) > 10 else ""
            warnings.append(f"Unbalanced panel: {len(holes)} cit{'ies' if len(holes) > 1 else 'y'} "
                            f"without rows for some years ({listed}{more}).")
        if holes and kind == "firms":
            warnings.append(f"Unbalanced panel: {len(holes)} of {len(units)} firms lack some years "
                            f"of {span[0]}-{span[-1]}.")

    # a constant column: entropy weights (Liu et al. 2026, eq. for e_j) divide by max - min
    if len(frame) > 1:
        for c in numeric:
            vals = frame[c].dropna()
            if len(vals) > 1 and vals.max() == vals.min():
                if kind == "provinces":
                    problems.append(Problem(None, hdr.shown[c], _display(float(vals.iloc[0])),
                                            f"'{c}' has the same value in every row: min-max "
                                            "normalisation and its entropy weight are undefined."))
                else:
                    warnings.append(f"Column '{hdr.shown[c]}' has the same value in every row; its "
                                    "coefficient cannot be estimated.")

    if kind == "provinces":
        for c in numeric:
            spec = {s.name: s for s in specs}[c]
            vals = frame[c].dropna()
            if spec.unit.strip() == "%" and len(vals) > 3 and vals.max() <= 1:
                warnings.append(f"'{hdr.shown[c]}' is in percent (0-100) but every value is at most 1: "
                                "are these fractions? (Normalisation makes the scale harmless for "
                                "the coupling, but the tables will show these numbers.)")
        order = {name: i for i, name in enumerate(schema.province_names())}
        frame = frame.assign(_o=frame[unit].map(order)).sort_values(["_o", "year"]).drop(columns="_o")
    else:
        frame = frame.sort_values([unit, "year"])
    if kind == "cities":
        both = frame[["ai_patents", "all_patents"]].dropna()
        row_of = {(r[unit], r["year"]): r["_row"] for r in unique}
        for i in both.index[both["ai_patents"] > both["all_patents"]]:
            key = (frame.at[i, unit], frame.at[i, "year"])
            problems.append(Problem(row_of[key], hdr.shown["ai_patents"], _display(frame.at[i, "ai_patents"]),
                                    f"More AI patents ({_display(frame.at[i, 'ai_patents'])}) than all "
                                    f"patents ({_display(frame.at[i, 'all_patents'])}) for {key[0]} {key[1]}; AI patents "
                                    "are a subset of all patents."))
        over = frame[frame["ai_coop_intra"] > frame["ai_patents"]]
        if len(over):
            k = len(over)
            eg = ", ".join(f"{c} {y}" for c, y in zip(over[unit][:5], over["year"][:5]))
            warnings.append(f"{k} city-year{'s' if k > 1 else ''} with more intra-city cooperative AI "
                            f"patents than AI patents (e.g. {eg}); check the counting convention.")
    if kind == "firms":
        multi = frame.groupby("firm")["city"].nunique()
        multi = multi[multi > 1]
        if len(multi):
            warnings.append(f"{len(multi)} firm{'s' if len(multi) > 1 else ''} listed in more than one "
                            f"city over the years (e.g. {', '.join(map(str, multi.index[:5]))}).")
    return frame.reset_index(drop=True), filled


def _fill(frame, units, span, numeric, problems, hdr):
    """Linear interpolation within each unit over years; flat beyond the ends (numpy.interp)."""
    filled = []
    parts = []
    for u in units:
        part = frame[frame[schema.PROVINCE] == u].set_index("year").reindex(span)
        part[schema.PROVINCE] = u
        years = np.asarray(span, dtype=float)
        for c in numeric:
            col = part[c].to_numpy(dtype=float, copy=True)
            obs = np.isfinite(col)
            if obs.all():
                continue
            if not obs.any():
                problems.append(Problem(None, hdr.shown[c], u, f"{u} has no value at all in '{c}'; "
                                        "there is nothing to interpolate from."))
                continue
            col[~obs] = np.interp(years[~obs], years[obs], col[obs])
            part[c] = col
            filled += [(u, int(y), c) for y in years[~obs]]
        parts.append(part.reset_index())
    out = pd.concat(parts, ignore_index=True)[frame.columns]
    out["year"] = out["year"].astype("int64")
    filled.sort(key=lambda t: (units.index(t[0]), t[1], t[2]))
    return out, filled


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _years_text(ys) -> str:
    ys = sorted(ys)
    runs, start = [], ys[0]
    for a, b in zip(ys, ys[1:] + [None]):
        if b != a + 1:
            runs.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(runs)


def cross_check(frames: dict) -> list[str]:
    """Consistency notes across the Study B files (Wang et al. 2025 uses them together).

    Each file is valid on its own; this says where they do not fit each other: cities of the links
    or the firm panel that have no row in the city panel, and years of the links or firms outside
    the city panel's years. The notes are warnings, not errors (a link to a city outside the
    panel still counts towards its partner's network centrality).

    Parameters
    ----------
    frames : dict
        Any of "cities", "links", "firms" -> frames returned by the readers.

    Returns
    -------
    list of str
        Empty when everything fits.
    """
    notes: list[str] = []
    cities = frames.get("cities")
    if cities is None:
        return notes
    known = set(cities[schema.CITY])
    years = set(cities[schema.YEAR])
    span = f"{min(years)}-{max(years)}" if years else "none"
    for kind, cols, what in (("links", ("city_a", "city_b"), "link"), ("firms", ("city",), "firm")):
        other = frames.get(kind)
        if other is None or not len(other):
            continue
        named = set().union(*(set(other[c]) for c in cols))
        missing = sorted(named - known)
        if missing:
            listed = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
            notes.append(f"{len(missing)} {_plural('city', len(missing))} of the {what} file "
                         f"{'have' if len(missing) > 1 else 'has'} no row in the city panel: {listed}.")
        outside = sorted(set(other[schema.YEAR]) - years)
        if outside:
            notes.append(f"The {what} file has years outside the city panel ({span}): "
                         f"{_years_text(outside)}.")
    return notes


DEMO_FILES = {"provinces": "provinces.csv", "cities": "cities.csv", "links": "city_links.csv",
              "firms": "firms.csv"}


def read_demo(kinds=("provinces", "cities", "links", "firms")) -> dict:
    """The shipped synthetic demo (``data/demo``, written by ``python -m sim.demo``), read through the
    same validating readers as an upload: ``{kind: frame}`` for the kinds whose file exists."""
    readers = {"provinces": read_province_panel, "cities": read_city_panel, "links": read_city_links,
               "firms": read_firm_panel}
    out = {}
    for kind in kinds:
        path = schema.DATA_DIR / "demo" / DEMO_FILES[kind]
        if path.exists():
            out[kind] = readers[kind](path)
    return out
