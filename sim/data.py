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

import numpy as np
import pandas as pd

from sim import schema
from sim.cells import YEAR_RANGE, _display, _parse_number, _parse_year  # noqa: F401 - re-exported
from sim.headers import (KINDS, SYSTEM_SHORT, ColumnSpec, _col_key, _column_keys, _excel_col,  # noqa: F401
                         _find_header, _match_header, _paren_unit, _strip_paren, column_specs,
                         province_specs, unit_word)
from sim.io_read import _load_table, _Table  # noqa: F401 - re-exported
from sim.messages import Join, Msg, N_, Place
from sim.places import (NOT_ANALYSED, _SKIP, _cities, _city_file, _fold, _name_key,  # noqa: F401
                        _parse_name, _province_table, _resolve_city, canonical_city, canonical_province)
from sim.problems import MAX_PROBLEMS_SHOWN, DataValidationError, Problem  # noqa: F401
from sim.rules import (MIN_UNITS, MIN_YEARS, _bounds_problem, _fill, _panel_checks,  # noqa: F401
                       _plural, _years_text)
from sim.units import _own_unit_name, units_from_rows

__all__ = [
    "KINDS", "MIN_YEARS", "MIN_UNITS", "YEAR_RANGE", "NOT_ANALYSED",
    "Problem", "DataValidationError", "ColumnSpec", "column_specs",
    "read_province_panel", "read_city_panel", "read_city_links", "read_firm_panel", "read_panel",
    "canonical_province", "canonical_city", "cross_check",
]


# ---------------------------------------------------------------------------------------------
# The readers
# ---------------------------------------------------------------------------------------------
def read_province_panel(source, indicators=None, units=None, *, fill_gaps: bool = False,
                        sheet: str | None = None, group_column: str | None = None) -> pd.DataFrame:
    """Read and validate a province panel for Study A (Liu et al. 2026), or a panel of any units.

    Parameters
    ----------
    source : str, Path, bytes, file-like (e.g. Streamlit's UploadedFile) or DataFrame
        CSV (UTF-8, UTF-8 BOM, UTF-16, GBK/GB18030) or .xlsx. A file-like's ``name`` gives the type.
        The unit column may be called ``province`` or ``unit`` (or 省份/地区/城市).
    indicators : indicator sheet (CSV, Excel, DataFrame) or ``sim.indicators.IndicatorSystem``, optional
        The indicator system (columns ``id, name, name_zh, system, dimension, direction, unit``);
        a panel header may be an indicator's id, ``name`` or ``name_zh`` (a unit in brackets is
        ignored). Default: the paper's 35 indicators.
    units : units sheet (columns ``unit, lat, lon, group``) or ``sim.units.UnitSet``, optional
        The units (cities, counties, any regions) with coordinates and an optional group. Without
        it, units other than the 30 provinces need ``lat``/``lon`` columns in the panel.
    fill_gaps : bool, default False
        False: any missing unit-year or empty cell is a problem. True: fill them by linear
        interpolation over years within the unit, carrying the first/last observed value beyond
        the ends, and list every filled cell in ``attrs["filled"]``.
    sheet : str, optional
        Excel sheet name of the panel; default the first sheet.
    group_column : str, optional
        The panel's (or units sheet's) column that groups the units for the Dagum decomposition.

    Returns
    -------
    DataFrame
        Columns ``province`` (the unit's name: canonical English name of a province), ``year``
        (int64), the system's indicators and, when given, ``gdp_per_capita`` (float64); provinces
        sorted by GB/T 2260 code, other units in the order of the units sheet or of first
        appearance, then year. ``attrs``: "indicator_system" (``IndicatorSystem``), "units"
        (``UnitSet``), "units_of_measure" (indicator id -> unit), "warnings", "filled" (list of
        (unit, year, column)), "renamed" (list of (header, column)), "source" (str). With neither
        sheet nor coordinates: today's 30-province behaviour (38 columns, GDP per capita required).

    Raises
    ------
    DataValidationError
        With every problem found (see the module docstring for the list), in the panel or in
        either sheet.
    """
    from sim.indicators import IndicatorSystem, paper_system, read_indicator_sheet
    from sim.units import UnitSet, read_units_sheet

    system = (paper_system() if indicators is None else indicators if isinstance(indicators, IndicatorSystem)
              else read_indicator_sheet(indicators))
    unit_set = (None if units is None else units if isinstance(units, UnitSet)
                else read_units_sheet(units, group_column=group_column))
    custom = indicators is not None or unit_set is not None
    specs = province_specs(system, pgdp_required=False, group_column=group_column)
    return read_panel("provinces", source, fill_gaps=fill_gaps, sheet=sheet,
                      _context={"specs": specs, "system": system, "units": unit_set, "custom": custom,
                                "group_column": group_column})


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


def read_panel(kind: str, source, *, fill_gaps: bool = False, sheet: str | None = None,
               _context: dict | None = None) -> pd.DataFrame:
    """Read and validate a panel of the given kind ("provinces", "cities", "links", "firms").

    ``fill_gaps`` applies to provinces only. See :func:`read_province_panel` for the rest.
    """
    if kind == "provinces" and _context is None:
        return read_province_panel(source, fill_gaps=fill_gaps, sheet=sheet)
    ctx = _context or {}
    specs = ctx.get("specs") or column_specs(kind)
    if fill_gaps and kind != "provinces":
        raise ValueError("fill_gaps applies to the province panel only (Study A needs a balanced "
                         f"panel); got kind={kind!r}")
    table = _load_table(source, sheet)
    table, title_note = _find_header(kind, table, specs)
    hdr = _match_header(kind, table.header, table.rows, specs)
    problems: list[Problem] = list(hdr.problems)
    specs = tuple(sp for sp in specs if sp.required or sp.name in hdr.index)
    mode = None  # provinces: "provinces" (the 30, matched by name), "sheet" (units sheet), "free" (lat/lon)
    if kind == "provinces":
        mode = ("sheet" if ctx.get("units") is not None
                else "free" if ("lat" in hdr.index or "lon" in hdr.index) else "provinces")
        if (mode == "provinces" and not ctx.get("custom") and schema.GDP_PER_CAPITA not in hdr.index):
            problems.append(Problem(None, schema.GDP_PER_CAPITA, None,
                                    Msg(N_("Missing required column '{column}' (GDP per capita, yuan per "
                                           "person)."), column=schema.GDP_PER_CAPITA)))
        if mode == "free" and not ("lat" in hdr.index and "lon" in hdr.index):
            have = "lat" if "lat" in hdr.index else "lon"
            problems.append(Problem(None, hdr.shown[have], None,
                                    Msg(N_("The panel has a latitude column but no longitude column; give both.")
                                        if have == "lat" else
                                        N_("The panel has a longitude column but no latitude column; give both."))))
        if ctx.get("group_column") and mode != "sheet" and "group" not in hdr.index:
            problems.append(Problem(None, ctx["group_column"], None,
                                    Msg(N_("No column '{column}' to group the units by."),
                                        column=ctx['group_column'])))
    warnings: list[str] = list(table.warnings) + title_note
    if hdr.ignored:
        warnings.append(Msg(N_("Columns not used and ignored: {columns}."),
                            columns=", ".join(f"'{c}'" for c in hdr.ignored)))
    if not table.rows:
        problems.append(Problem(None, None, None, Msg(N_("The file has a header but no data rows."))))
    width = len(table.header)
    for n, cells in table.rows:
        extra = [_display(c) for c in cells[width:] if _display(c)]
        if extra:
            problems.append(Problem(n, None, ", ".join(extra),
                                    Msg(N_("This row has {n} cells but the header only {width}: "
                                           "is a value or a separator misplaced?"), n=str(len(cells)),
                                        width=str(width))))

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
            if spec.role == "text":
                rec[spec.name] = _display(raw)
            elif spec.role == "unit" and mode in ("sheet", "free"):
                rec[spec.name] = _own_unit_name(raw, n, col, ctx.get("units"), problems)
                if rec[spec.name] is None:
                    rec["_ok"] = False
            elif spec.role in ("unit", "city"):
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
                    problems.append(Problem(n, col, _display(raw), Msg(N_("The value {status}; expected a "
                                                                          "number in {unit}."), status=status,
                                                                       unit=unit_word(spec) if spec.unit else
                                                                       Msg(N_("the column unit")))))
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
            warnings.append(Msg({("thousands", True): N_("Column '{header}': {n} values with thousands separators "
                                                         "read as plain numbers."),
                                 ("thousands", False): N_("Column '{header}': {n} value with thousands separators "
                                                          "read as plain numbers."),
                                 ("percent", True): N_("Column '{header}': {n} values with a percent sign read as "
                                                       "plain numbers."),
                                 ("percent", False): N_("Column '{header}': {n} value with a percent sign read as "
                                                        "plain numbers.")}[what, k > 1], header=col, n=str(k)))
    for col, k in fractional.items():
        warnings.append(Msg(N_("Column '{header}' counts things but has {n} fractional values "
                               "(fractional counting?); they are kept as they are.") if k > 1 else
                            N_("Column '{header}' counts things but has {n} fractional value "
                               "(fractional counting?); they are kept as they are."), header=col, n=str(k)))
    zh = _cities()[2]
    for text, (name, others) in homonyms.items():
        alts = Join([Msg(N_("{zh}, written '{name}' or {zh_name}"), zh=zh.get(o, '') or o, name=o,
                         zh_name=zh.get(o, '')) for o in others], sep="; ")
        warnings.append(Msg(N_("'{value}' is taken to be {name} ({zh}). Another city has this name: {others}."),
                            value=text, name=name, zh=zh.get(name, ''), others=alts))
    for name, k in not_analysed.items():
        warnings.append(Msg(N_("{n} rows of {name} left out: {name} is not analysed in "
                               "Study A (Liu et al. 2026 study 30 provinces).") if k > 1 else
                            N_("{n} row of {name} left out: {name} is not analysed in "
                               "Study A (Liu et al. 2026 study 30 provinces)."), n=str(k), name=Place(name)))

    unit = {"provinces": schema.PROVINCE, "cities": schema.CITY, "firms": "firm", "links": None}[kind]
    unit_set = None
    if kind == "provinces":
        unit_set = units_from_rows(mode, records, hdr, ctx.get("units"), problems, warnings)
        missing_cells = [m for m in missing_cells if m[2] not in ("lat", "lon", "group")]
    frame, filled = _panel_checks(kind, records, unit, hdr, missing_cells, fill_gaps, problems, warnings,
                                  specs=specs, order=None if unit_set is None else unit_set.names,
                                  custom=mode in ("sheet", "free"))
    if problems:
        raise DataValidationError(problems, table.name)
    if kind == "provinces":
        system = ctx["system"]
        frame = frame.drop(columns=[c for c in ("lat", "lon", "group") if c in frame.columns])
        frame.attrs["indicator_system"] = system
        frame.attrs["units"] = unit_set.restrict(set(frame[unit]))
        frame.attrs["units_of_measure"] = {i.id: i.unit for i in system.indicators}
        if schema.GDP_PER_CAPITA not in frame.columns:
            warnings.append(Msg(N_("No GDP per capita column: Moran's I uses inverse-distance-squared weights "
                                   "instead of the paper's economic-geographic weights.")))
    frame.attrs["warnings"] = warnings
    frame.attrs["filled"] = filled
    frame.attrs["renamed"] = list(hdr.renamed)
    frame.attrs["source"] = table.name
    return frame



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
    span = f"{min(years)}-{max(years)}" if years else Msg(N_("none"))
    for kind, cols, what in (("links", ("city_a", "city_b"), N_("link")), ("firms", ("city",), N_("firm"))):
        other = frames.get(kind)
        if other is None or not len(other):
            continue
        named = set().union(*(set(other[c]) for c in cols))
        missing = sorted(named - known)
        if missing:
            listed = Join([Place(m) for m in missing[:8]])
            if len(missing) > 8:
                listed = Msg(N_("{names} and {n} more"), names=listed, n=str(len(missing) - 8))
            notes.append(Msg(N_("{n} cities of the {what} file have no row in the city panel: {names}.")
                             if len(missing) > 1 else
                             N_("{n} city of the {what} file has no row in the city panel: {names}."),
                             n=str(len(missing)), what=Msg(what), names=listed))
        outside = sorted(set(other[schema.YEAR]) - years)
        if outside:
            notes.append(Msg(N_("The {what} file has years outside the city panel ({span}): {years}."),
                             what=Msg(what), span=span, years=_years_text(outside)))
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
