"""Proposing and confirming a column mapping for a panel with the user's own headers.

A panel's headers are matched to an indicator system (``sim.headers``: id, English or Chinese
name, a unit in brackets ignored). :func:`propose_mapping` says, for every header, what it was
taken to be (the unit column, the year, coordinates, a group, GDP per capita, a known indicator)
and proposes a new indicator for every other numeric column, with the unit read from its brackets
and no system yet. The user confirms or corrects the table (system ``nqpf``/``inno``, direction
``+``/``-``, dimension) and :func:`mapping_sheet` turns it into an indicator sheet for
``sim.data.read_province_panel`` (Liu et al. 2026: two systems, entropy weights within each, so
at least two indicators per system).
"""
from __future__ import annotations

import re

import pandas as pd

from sim.messages import Msg, N_
from sim.problems import DataValidationError, Problem

ROLES = ("indicator", "unit", "year", "lat", "lon", "group", "gdp_per_capita", "ignore")
MAPPING_COLUMNS = ["header", "use_as", "id", "name", "system", "direction", "dimension", "unit", "matched_by"]
_CJK = re.compile(r"[\u3400-\u9fff]")


def _split_unit(header: str) -> tuple[str, str]:
    m = re.match(r"^(.*?)\s*[(（]([^()（）]*)[)）]\s*$", header)
    return (m.group(1).strip(), m.group(2).strip()) if m else (header.strip(), "")


def propose_mapping(source, indicators=None, sheet: str | None = None) -> pd.DataFrame:
    """The proposed mapping of a panel's headers, one row per header (``MAPPING_COLUMNS``).

    ``use_as`` is one of ``ROLES``; ``matched_by`` says how ("id", "name", "name_zh", "alias",
    "proposed": a numeric column not in the system, "text column"). Proposed indicators have an
    empty ``system`` for the user to choose.
    """
    from sim.cells import _display, _parse_number
    from sim.headers import _col_key, _find_header, _keys_of, province_specs
    from sim.indicators import _slug, paper_system, read_indicator_sheet
    from sim.io_read import _load_table
    from sim.places import _strip_paren

    system = (paper_system() if indicators is None else indicators if hasattr(indicators, "indicators")
              else read_indicator_sheet(indicators))
    specs = province_specs(system, pgdp_required=False)
    table, _ = _find_header("provinces", _load_table(source, sheet), specs)
    keys = _keys_of(specs)
    by = system.by_id()
    rows, taken = [], set(system.ids())
    for pos, cell in enumerate(table.header):
        text = _display(cell).replace("\ufeff", "")
        if not text:
            continue
        canon = keys.get(_col_key(text)) or keys.get(_col_key(_strip_paren(text)))
        if canon in by:
            ind = by[canon]
            how = ("id" if _col_key(text) == _col_key(ind.id) else
                   "name_zh" if ind.name_zh and _col_key(_strip_paren(text)) == _col_key(ind.name_zh) else "name")
            rows.append({"header": text, "use_as": "indicator", "id": ind.id, "name": ind.name,
                         "system": ind.system, "direction": "+" if ind.direction > 0 else "-",
                         "dimension": ind.dimension, "unit": ind.unit, "matched_by": how})
            continue
        if canon is not None:
            role = {"province": "unit", "year": "year"}.get(canon, canon)
            rows.append({"header": text, "use_as": role, "id": "", "name": "", "system": "", "direction": "",
                         "dimension": "", "unit": "", "matched_by": "alias"})
            continue
        values = [c[pos] for _, c in table.rows[:200] if pos < len(c)]
        numeric = [v for v in values if _parse_number(v, True, table.delimiter)[1] in ("ok", "thousands", "percent")]
        name, unit = _split_unit(text)
        if values and len(numeric) >= 0.8 * len([v for v in values if _display(v)]) and numeric:
            iid = _slug(name, taken) if not _CJK.search(name) else f"x{pos + 1:02d}"
            taken.add(iid)
            rows.append({"header": text, "use_as": "indicator", "id": iid, "name": name, "system": "",
                         "direction": "+", "dimension": "", "unit": unit, "matched_by": "proposed"})
        else:
            rows.append({"header": text, "use_as": "ignore", "id": "", "name": "", "system": "", "direction": "",
                         "dimension": "", "unit": "", "matched_by": "text column"})
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def mapping_sheet(mapping: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """An indicator sheet (for ``read_indicator_sheet``) and the panel renames from a confirmed mapping.

    Returns ``(sheet, renames)``: ``renames`` maps a header to its role column name (``unit`` ->
    "province", "year", "lat", "lon", "group", "gdp_per_capita") or to the indicator id; ignored
    headers map to None (drop them). Problems name the mapping row (the header is row 1), the
    column of the mapping table and the value.

    Raises
    ------
    DataValidationError
    """
    problems, rows, renames = [], [], {}
    seen_role: dict = {}
    for i, r in enumerate(mapping.fillna("").astype(str).to_dict("records")):
        n = i + 2
        role = r["use_as"].strip()
        if role not in ROLES:
            problems.append(Problem(n, "use_as", role, Msg(N_("Header '{header}': use it as one of {roles}."),
                                                           header=r['header'], roles=", ".join(ROLES))))
            continue
        if role == "ignore":
            renames[r["header"]] = None
            continue
        if role != "indicator":
            target = "province" if role == "unit" else role
            if target in seen_role:
                problems.append(Problem(n, "use_as", role, Msg(N_("Header '{header}' and '{other}' are both used "
                                                                  "as {role}; keep one."), header=r['header'],
                                                               other=seen_role[target], role=role)))
            seen_role[target] = r["header"]
            renames[r["header"]] = target
            continue
        system = r["system"].strip()
        if system not in ("nqpf", "inno"):
            problems.append(Problem(n, "system", system, Msg(N_("Header '{header}': choose the system, nqpf "
                                                                "(new quality productive forces) or inno (innovation "
                                                                "resource allocation), or use it as 'ignore'."),
                                                             header=r['header'])))
        iid = r["id"].strip() or r["header"]
        renames[r["header"]] = iid
        head, head_unit = _split_unit(r["header"])
        zh = _CJK.search(head) is not None  # a Chinese header keeps its name and unit as name_zh / unit_zh
        rows.append({"id": iid, "name": r["name"].strip() or r["header"], "name_zh": head if zh else "",
                     "system": system, "dimension": r["dimension"].strip(),
                     "direction": r["direction"].strip() or "+", "unit": r["unit"].strip(),
                     "unit_zh": head_unit if zh else "", "_row": n})
    for need in ("province", "year"):
        if need not in seen_role:
            problems.append(Problem(None, "use_as", None, Msg(
                N_("No header is used as unit; the panel needs the unit's name and the year.") if need == "province"
                else N_("No header is used as year; the panel needs the unit's name and the year."))))
    if problems:
        raise DataValidationError(problems, Msg(N_("the column mapping")))
    sheet = pd.DataFrame(rows, columns=["id", "name", "name_zh", "system", "dimension", "direction", "unit",
                                        "unit_zh", "_row"])
    from sim.indicators import read_indicator_sheet

    try:
        read_indicator_sheet(sheet.drop(columns="_row"))
    except DataValidationError as err:  # renumber the sheet's rows as rows of the mapping table
        row_of = dict(zip(range(2, len(sheet) + 2), sheet["_row"]))
        raise DataValidationError([Problem(row_of.get(p.row, p.row), p.column, p.value, p.message)
                                   for p in err.problems], Msg(N_("the column mapping"))) from None
    return sheet.drop(columns="_row"), renames


def apply_mapping(source, mapping: pd.DataFrame, sheet: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The panel with its headers renamed as the mapping says (ignored columns dropped), and the
    indicator sheet: what ``read_province_panel(panel, indicators=sheet)`` reads."""
    from sim.cells import _display
    from sim.headers import _find_header, province_specs
    from sim.io_read import _load_table

    ind_sheet, renames = mapping_sheet(mapping)
    table, _ = _find_header("provinces", _load_table(source, sheet), province_specs())
    header = [_display(c).replace("\ufeff", "") for c in table.header]
    keep = [i for i, h in enumerate(header) if h and renames.get(h, h) is not None]
    cols = [renames.get(header[i], header[i]) for i in keep]
    data = [[cells[i] if i < len(cells) else None for i in keep] for _, cells in table.rows]
    return pd.DataFrame(data, columns=cols), ind_sheet
