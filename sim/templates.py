"""Upload templates generated from the schema, and the byte encoders behind every download.

The templates are what ``sim.data`` reads: the header row is the canonical column names of
``sim.schema`` (so a filled-in template loads without renaming). The Excel template carries a
"README" sheet describing each column with its unit and a "names" sheet listing accepted province
or city names; the CSV template is the header row only (its units are in ``schema_table``, which
the data page offers as its own CSV). Column meanings follow Liu et al. (2026), Table 1 (province
indicators) and Wang et al. (2025), section "Variables" (city, link and firm panels).

CSV downloads are UTF-8 with a byte-order mark so that Excel opens Chinese text correctly.
"""
from __future__ import annotations

import io
import re

import pandas as pd

from sim import schema
from sim.data import KINDS, MIN_UNITS, MIN_YEARS, NOT_ANALYSED, YEAR_RANGE, column_specs
from sim.messages import Join, Msg, N_, Place

__all__ = ["schema_table", "template", "province_template", "city_template", "links_template",
           "firms_template", "indicator_sheet", "units_sheet_template", "to_csv_bytes", "to_excel_bytes"]

_TITLES = {"provinces": N_("Province panel (Study A, Liu et al. 2026)"),
           "cities": N_("City panel (Study B, Wang et al. 2025)"),
           "links": N_("City cooperation links (Study B, Wang et al. 2025)"),
           "firms": N_("Firm panel (Study B mediation, Wang et al. 2025 Table 5)")}
_ROWS = {"provinces": N_("one row per province and year"),
         "cities": N_("one row per city and year"),
         "links": N_("one row per unordered city pair and year with cooperative AI patents"),
         "firms": N_("one row per firm and year")}


def english(value) -> str:
    """The English text of a message (the default of every ``translate`` here)."""
    return str(value)


def _description(spec, ind, translate) -> str:
    """A column's meaning in the language of ``translate``: an indicator's name (its Chinese name in
    Chinese) and system; another column's marked description; anything else as written."""
    from sim.headers import word
    from sim.indicators import SYSTEM_LABELS

    if ind is not None:
        return translate(Msg(N_("{name} (system: {system})"), name=_named(ind), system=Msg(SYSTEM_LABELS[ind.system])))
    d = spec.description
    return translate(d if isinstance(d, Msg) else word(d))


def _described(table: pd.DataFrame, translate) -> pd.DataFrame:
    """The schema table's sources in the language of ``translate`` ("not stated in the paper")."""
    from sim.indicators import NOT_STATED

    if translate is english or "source" not in table.columns:
        return table
    out = table.copy()
    out["source"] = [translate(Msg(NOT_STATED)) if v == NOT_STATED else v for v in out["source"]]
    return out


def _named(ind):
    from sim.messages import Named

    return Named(ind.name, ind.name_zh)


def schema_table(kind: str, system=None, translate=english) -> pd.DataFrame:
    """The columns of one upload kind, for the data page and the template's README sheet.

    Parameters
    ----------
    kind : {"provinces", "cities", "links", "firms"}

    Returns
    -------
    DataFrame, shape (n_columns, 5), or (n_columns, 9) for provinces
        column, unit, description, required (bool), also_accepted (other header spellings); the
        province panel adds ``name_zh``, ``unit_zh`` (the Chinese yearbook header is
        "name_zh(unit_zh)"), ``system`` and ``source`` (where the indicator is published; "not
        stated in the paper" where Liu et al. 2026 do not say). ``system``: an
        ``IndicatorSystem`` (default the paper's 35). ``translate`` (a ``sim.messages.Msg`` -> text
        function, e.g. the UI's ``tr``) writes the descriptions in the user's language; default English.

    Examples
    --------
    >>> schema_table("links")["column"].tolist()
    ['city_a', 'city_b', 'year', 'ai_coop']
    """
    rows = []
    specs = column_specs(kind) if kind != "provinces" or system is None else _province_columns(system)
    by = {} if kind != "provinces" else {i.id: i for i in (system or _paper()).indicators}
    from sim.headers import unit_word

    for c in specs:
        accepted = [a for a in c.aliases if a != c.name]
        shown = translate is not english  # the description and unit as text in the caller's language
        row = {"column": c.name, "unit": translate(unit_word(c)) if shown and c.unit else c.unit,
               "description": _description(c, by.get(c.name), translate) if shown else c.description,
               "required": c.required, "also_accepted": "; ".join(accepted)}
        if kind == "provinces":
            ind = by.get(c.name)
            row.update(name_zh=ind.name_zh if ind else "", unit_zh=ind.unit_zh if ind else "",
                       system=ind.system if ind else "", direction=("+" if ind.direction > 0 else "-") if ind else "",
                       source=ind.source if ind else "")
        rows.append(row)
    cols = ["column", "unit", "description", "required", "also_accepted"]
    if kind == "provinces":
        cols = ["column", "name_zh", "unit", "unit_zh", "system", "direction", "description", "required",
                "source", "also_accepted"]
    return _described(pd.DataFrame(rows, columns=cols), translate)


def _paper():
    from sim.indicators import paper_system

    return paper_system()


def _province_columns(system):
    from sim.headers import province_specs

    return tuple(c for c in province_specs(system) if c.role not in ("coord", "text"))


def chinese_header(system=None) -> list[str]:
    """The province panel's header in yearbook style: 地区, 年份, "名称(单位)" per indicator,
    人均GDP(元). ``sim.data.read_province_panel`` reads it as it reads the ids."""
    system = system or _paper()
    return ["地区", "年份", *[i.header("zh") for i in system.indicators], "人均GDP(元)"]


def indicator_sheet(system=None, format: str = "csv", translate=english) -> bytes:  # noqa: A002
    """The indicator sheet of a system (default the paper's 35): id, name, name_zh, system,
    dimension, direction, unit, unit_zh, source. Edit it to define your own system and upload it
    with the panel. xlsx: an "indicators" sheet and a README (the paper's joint source list), written in
    the language of ``translate`` (default English; the columns are the file format and stay)."""
    from sim.indicators import MIN_PER_SYSTEM, PAPER_SOURCES

    df = (system or _paper()).to_frame()
    if format == "csv":
        return to_csv_bytes(df)
    notes = pd.DataFrame({"README": [translate(m) for m in (
        Msg(N_("One row per indicator. id: the column name in the panel (letters, digits, _). name / name_zh: "
               "English and Chinese names; a panel header may be the id, either name, or a name with its unit "
               "in brackets, e.g. R&D经费内部支出(亿元).")),
        Msg(N_("system: nqpf (new quality productive forces, 新质生产力) or inno (innovation resource allocation, "
               "创新资源配置); at least {min} indicators in each. direction: + (more is better) or - "
               "(less is better, e.g. energy use per unit of GDP)."), min=str(MIN_PER_SYSTEM)),
        Msg(N_("dimension: groups indicators for the simulator's changes (e.g. 'Capital innovation resource').")),
        Msg(N_("name_zh / unit_zh of the paper's 35 indicators are our translations of its English names into the "
               "usual Chinese statistical terms (the paper, in English, gives none); they are there so that "
               "yearbook-style headers are recognised.")),
        Msg(N_("source: where the indicator is published. Liu et al. (2026) do not give a source per indicator; "
               "they list their sources jointly: {sources}."), sources=Msg(PAPER_SOURCES)),
    )]})
    return to_excel_bytes({"indicators": df, "README": notes})


def units_sheet_template(format: str = "csv", translate=english) -> bytes:  # noqa: A002
    """An empty units sheet: unit, lat, lon, group (cities, counties or any regions by name, with
    coordinates in decimal degrees WGS84 and an optional group for the Dagum decomposition)."""
    empty = pd.DataFrame(columns=["unit", "lat", "lon", "group"])
    if format == "csv":
        return to_csv_bytes(empty)
    notes = pd.DataFrame({"README": [translate(Msg(N_(
        "One row per unit: unit = the name as written in the panel's unit column; lat, lon = decimal "
        "degrees (WGS84) of the unit's seat; group = optional grouping for the Dagum decomposition "
        "(e.g. East/Central/West). Without boundaries, neighbours are the 4 nearest units and maps "
        "show points.")))]})
    return to_excel_bytes({"units": empty, "README": notes})


def _notes(kind: str) -> list[Msg]:
    """The README notes of a template (``Msg``: English as ``str``, translated by the caller)."""
    notes = [
        Msg(N_("{title}: {rows}. Put the data on the first sheet (this template's 'data' "
               "sheet) with the header in row 1; the README and names sheets are not read."),
            title=Msg(_TITLES[kind]), rows=Msg(_ROWS[kind])),
        Msg(N_("Files: CSV in UTF-8 (with or without BOM) or GBK/GB18030, or Excel .xlsx. Column names "
               "may be the ids below, the paper's names, or the alternatives listed; case and spaces do "
               "not matter. Unknown columns are reported (delete them).")),
        Msg(N_("Years: whole numbers {lo}-{hi}; at least {min} consecutive years."), lo=str(YEAR_RANGE[0]),
            hi=str(YEAR_RANGE[1]), min=str(MIN_YEARS)),
        Msg(N_("Numbers: plain numbers in the unit given; '1,234.5' thousands separators are accepted; "
               "empty, NA or '-' mean missing.")),
    ]
    if kind == "provinces":
        notes += [
            Msg(N_("Provinces: English, pinyin or Chinese names (Beijing, 北京, 北京市; Inner Mongolia, "
                   "Nei Mongol, 内蒙古), GB/T 2260 or ISO 3166-2 codes. Shaanxi (陕西) and Shanxi (山西) "
                   "are different provinces.")),
            Msg(N_("The study covers 30 provinces; rows of {names} are left out with a "
                   "note. At least {min} provinces."), names=Join([Place(n) for n in NOT_ANALYSED]),
                min=str(MIN_UNITS)),
            Msg(N_("The panel must be balanced (every province in every year) with no empty cells, unless "
                   "gap filling is switched on: then gaps are filled by linear interpolation within the "
                   "province (flat beyond its first/last year) and every filled cell is listed.")),
            Msg(N_("No indicator may have the same value in every row (its entropy weight is undefined). "
                   "Percent columns lie in 0-100; nothing may be negative.")),
        ]
    else:
        notes += [
            Msg(N_("Cities: English or Chinese names of prefecture-level cities (Xi'an, Xian, 西安, 西安市); "
                   "for homonyms write the Chinese name or 'Suzhou, Anhui'.")),
        ]
    if kind == "links":
        notes.append(Msg(N_("A pair is unordered: list Beijing-Shenzhen or Shenzhen-Beijing once per year, "
                            "not both. Cooperation within one city goes in the city panel (ai_coop_intra).")))
    if kind == "firms":
        notes.append(Msg(N_("firm is text: stock codes keep leading zeros. Ratios (ep, cs, oc) are fractions, "
                            "not percent.")))
    return notes


def _names_frame(kind: str) -> pd.DataFrame:
    if kind == "provinces":
        return pd.DataFrame([{"province": p.name, "name_zh": p.name_zh, "region": p.region,
                              "gb_code": p.gb_code} for p in schema.provinces()])
    from sim.data import _city_file  # the same table the reader matches against

    df = pd.read_csv(_city_file(), dtype=str, keep_default_na=False)
    keep = [c for c in ("city", "city_zh", "province", "province_en") if c in df.columns]
    return df[keep]


def template(kind: str, format: str = "csv", system=None, translate=english) -> bytes:  # noqa: A002
    """An empty upload template for one kind.

    Parameters
    ----------
    kind : {"provinces", "cities", "links", "firms"}
    format : {"csv", "csv_zh", "xlsx"}
        CSV: the header row only (UTF-8 with BOM); "csv_zh" (provinces): the header in Chinese,
        "名称(单位)". xlsx: a "data" sheet with the header row, a
        "README" sheet (notes and ``schema_table``) and a "names" sheet of accepted unit names.
    translate : callable, optional
        ``sim.messages.Msg`` -> text (e.g. the UI's ``tr``): the README notes and column descriptions
        in the user's language. The column ids of the sheets are the file format and stay.

    Returns
    -------
    bytes
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    specs = column_specs(kind) if kind != "provinces" or system is None else _province_columns(system)
    header = [c.name for c in specs]
    empty = pd.DataFrame(columns=header)
    if format == "csv":
        return to_csv_bytes(empty)
    if format == "csv_zh" and kind == "provinces":  # yearbook-style Chinese headers, read like the ids
        return to_csv_bytes(pd.DataFrame(columns=chinese_header(system)))
    if format != "xlsx":
        raise ValueError(f"format must be 'csv' or 'xlsx'; got {format!r}")
    from openpyxl.styles import Font

    table = schema_table(kind, system, translate)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        empty.to_excel(xw, sheet_name="data", index=False)
        if kind == "provinces":  # the same columns with yearbook-style Chinese headers (read as well)
            pd.DataFrame(columns=chinese_header(system)).to_excel(xw, sheet_name="data_zh", index=False)
            (system or _paper()).to_frame().to_excel(xw, sheet_name="indicators", index=False)
        notes = pd.DataFrame({"README": [translate(n) for n in _notes(kind)]})
        notes.to_excel(xw, sheet_name="README", index=False)
        table.to_excel(xw, sheet_name="README", index=False, startrow=len(notes) + 2)
        _names_frame(kind).to_excel(xw, sheet_name="names", index=False)
        ws = xw.sheets["data"]
        ws.freeze_panes = "C2" if kind != "links" else "A2"
        for cell in ws[1]:
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = max(10, len(str(cell.value)) + 2)
        readme = xw.sheets["README"]
        readme.column_dimensions["A"].width = 28
        readme.column_dimensions["B"].width = 24
        readme.column_dimensions["C"].width = 90
        readme.column_dimensions["E"].width = 60
    return buf.getvalue()


def province_template(format: str = "csv", system=None, translate=english) -> bytes:  # noqa: A002
    """Template of the province panel (Liu et al. 2026, Table 1 indicators, or ``system``); see
    :func:`template`. The Excel template also has a "data_zh" sheet with Chinese yearbook headers
    and the "indicators" sheet (names, units, sources)."""
    return template("provinces", format, system, translate)


def city_template(format: str = "csv", translate=english) -> bytes:  # noqa: A002
    """Template of the city panel (Wang et al. 2025); see :func:`template`."""
    return template("cities", format, translate=translate)


def links_template(format: str = "csv", translate=english) -> bytes:  # noqa: A002
    """Template of the city cooperation links (Wang et al. 2025); see :func:`template`."""
    return template("links", format, translate=translate)


def firms_template(format: str = "csv", translate=english) -> bytes:  # noqa: A002
    """Template of the firm panel (Wang et al. 2025, Table 5); see :func:`template`."""
    return template("firms", format, translate=translate)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """A frame as CSV bytes, UTF-8 with a byte-order mark (Excel then shows Chinese correctly).

    The index is written only when it is named (a meaningful index such as "province").
    """
    write_index = any(n is not None for n in df.index.names)
    return df.to_csv(index=write_index, lineterminator="\n").encode("utf-8-sig")


def to_excel_bytes(frames: dict) -> bytes:
    """Several frames as one .xlsx workbook, one sheet per dict key (in order).

    Sheet names are cut to Excel's 31 characters, characters Excel forbids (``[]:*?/\\``) are
    replaced, and repeated names get a numeric suffix.
    """
    if not frames:
        raise ValueError("to_excel_bytes needs at least one frame")
    buf = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in frames.items():
            sheet = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "sheet"
            sheet = sheet[:31]
            base, k = sheet, 2
            while sheet.casefold() in used:
                suffix = f" ({k})"
                sheet, k = base[: 31 - len(suffix)] + suffix, k + 1
            used.add(sheet.casefold())
            write_index = any(n is not None for n in df.index.names)
            df.to_excel(xw, sheet_name=sheet, index=write_index)
    return buf.getvalue()
