"""The indicator system as a value: which columns form the two systems of the coupling model.

Liu et al. (2026, Scientific Reports), Table 1 and the innovation-resource table, measure new quality
productive forces (system ``nqpf``, 17 indicators) and innovation resource allocation (``inno``, 18
indicators); the coupling coordination model (SPEC 2.1-2.3: min-max normalisation with the
indicator's direction, entropy weights per system, C = 2 sqrt(h1 h2)/(h1+h2), T, D = sqrt(C T))
applies to any two systems. An :class:`IndicatorSystem` is read from an indicator sheet (CSV or
Excel; one row per indicator: ``id, name, name_zh, system, dimension, direction, unit``, optional
``unit_zh, source``) and validated; the paper's 35 indicators are the default
(``data/schema/province_indicators.csv``).

A loaded province panel carries its system in ``frame.attrs["indicator_system"]``
(:func:`system_of`), so every step downstream follows the loaded system; nothing here is global or
mutable (the default is read once and frozen).
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.messages import Msg, N_
from sim.problems import DataValidationError, Problem

SYSTEMS = ("nqpf", "inno")
SYSTEM_LABELS = {"nqpf": N_("New quality productive forces"), "inno": N_("Innovation resource allocation")}
NOT_STATED = N_("not stated in the paper")
PAPER_SOURCES = N_("China Statistical Yearbook; China Industrial Statistical Yearbook; China Science and "
                 "Technology Statistical Yearbook; China Energy Statistical Yearbook; statistical "
                 "yearbooks of each province; China Regional Innovation Capability Evaluation Report; "
                 "International Federation of Robotics; China Stock Market & Accounting Research "
                 "Database; enterprise annual reports; Tianyancha; Ministry of Industry and Information "
                 "Technology (Liu et al. 2026, section 'Data sources': listed jointly, not per indicator)")
# column names a panel already uses: an indicator may not take them
RESERVED = ("province", "unit", "year", "lat", "lon", "group", "gdp_per_capita")
MIN_PER_SYSTEM = 2
_DEFAULT_SHEET = Path(__file__).resolve().parent.parent / "data" / "schema" / "province_indicators.csv"


@dataclass(frozen=True)
class Indicator:
    """One indicator: an id (the column name in the panel), its system and direction."""

    id: str
    system: str  # "nqpf" or "inno"
    dimension: str
    subdimension: str
    name: str  # English wording (the paper's, for the default system)
    direction: int  # +1 positive, -1 negative
    unit: str
    description: str = ""
    name_zh: str = ""
    unit_zh: str = ""
    source: str = NOT_STATED

    def header(self, language: str = "en") -> str:
        """The column header of a template: "R&D经费内部支出(亿元)" or "Internal ... (100 million yuan)"."""
        if language == "zh":
            name, unit = (self.name_zh or self.name), (self.unit_zh or self.unit)
        else:
            name, unit = self.name, self.unit
        return f"{name}({unit})" if language == "zh" and unit else (f"{name} ({unit})" if unit else name)


@dataclass(frozen=True)
class IndicatorSystem:
    """The indicators of the two systems, in sheet order (an immutable value).

    ``label`` names the system on screen; ``origin`` says where it was read from.
    """

    indicators: tuple
    label: str = Msg(N_("Liu et al. (2026), Table 1: 17 + 18 indicators"))
    origin: str = "shipped default"
    key: str = field(default="", compare=False)

    def __post_init__(self):
        if not self.key:
            text = "|".join(f"{i.id};{i.system};{i.dimension};{i.direction}" for i in self.indicators)
            object.__setattr__(self, "key", hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])

    def __deepcopy__(self, memo):  # immutable: pandas deep-copies attrs on every operation
        return self

    def __copy__(self):
        return self

    def ids(self, system: str | None = None) -> list[str]:
        return [i.id for i in self.indicators if system is None or i.system == system]

    def systems(self) -> dict:
        return {s: self.ids(s) for s in SYSTEMS}

    def dimensions(self, system: str | None = None) -> list[str]:
        return list(dict.fromkeys(i.dimension for i in self.indicators if system is None or i.system == system))

    def dimension_ids(self, dimension: str) -> list[str]:
        return [i.id for i in self.indicators if i.dimension == dimension]

    def by_id(self) -> dict:
        return {i.id: i for i in self.indicators}

    def directions(self) -> dict:
        return {i.id: i.direction for i in self.indicators}

    def name_of(self, indicator_id: str) -> str:
        ind = self.by_id().get(indicator_id)
        return ind.name if ind is not None else indicator_id

    @property
    def is_paper(self) -> bool:
        return self.key == paper_system().key

    def to_frame(self) -> pd.DataFrame:
        """The indicator sheet (what :func:`read_indicator_sheet` reads back)."""
        return pd.DataFrame([{"id": i.id, "name": i.name, "name_zh": i.name_zh, "system": i.system,
                              "dimension": i.dimension, "direction": "+" if i.direction > 0 else "-",
                              "unit": i.unit, "unit_zh": i.unit_zh, "source": i.source}
                             for i in self.indicators])


@lru_cache(maxsize=1)
def paper_system() -> IndicatorSystem:
    """The paper's 35 indicators (Liu et al. 2026, Tables 1-2), the default system."""
    with open(_DEFAULT_SHEET, encoding="utf-8") as f:
        inds = tuple(Indicator(r["id"], r["system"], r["dimension"], r["subdimension"], r["indicator"],
                               1 if r["direction"].strip() == "+" else -1, r["unit"], r["description"],
                               r.get("name_zh", ""), r.get("unit_zh", ""), r.get("source", "") or NOT_STATED)
                     for r in csv.DictReader(f))
    return IndicatorSystem(inds)


def system_of(frame) -> IndicatorSystem:
    """The indicator system a loaded panel carries (``attrs["indicator_system"]``), else the paper's."""
    s = getattr(frame, "attrs", {}).get("indicator_system") if frame is not None else None
    # duck-typed: a module reload (Streamlit's file watcher) makes a new class object
    return s if s is not None and hasattr(s, "indicators") and hasattr(s, "systems") else paper_system()


# --- reading an indicator sheet -------------------------------------------------------------------
_SHEET_COLUMNS = {
    "id": ("id", "code", "indicator id", "column", "代码", "编号", "指标代码", "列名"),
    "name": ("name", "indicator", "english name", "name en", "indicator name", "英文名", "英文名称"),
    "name_zh": ("name zh", "chinese name", "中文名", "中文名称", "指标名称", "指标", "三级指标"),
    "system": ("system", "系统", "子系统"),
    "dimension": ("dimension", "first dimension", "维度", "一级指标", "准则层"),
    "subdimension": ("subdimension", "second dimension", "二级指标"),
    "direction": ("direction", "方向", "属性", "指标属性"),
    "unit": ("unit", "单位", "unit en"),
    "unit_zh": ("unit zh", "中文单位"),
    "source": ("source", "来源", "数据来源", "statistical source"),
    "description": ("description", "说明", "meaning"),
}
_SYSTEM_WORDS = {
    "nqpf": ("nqpf", "new quality productive forces", "productive forces", "新质生产力", "1", "a"),
    "inno": ("inno", "innovation", "innovation resource allocation", "innovation resources",
             "创新资源配置", "创新资源", "2", "b"),
}
_DIRECTION_WORDS = {1: ("+", "positive", "pos", "1", "+1", "正", "正向"),
                    -1: ("-", "negative", "neg", "-1", "负", "负向", "−")}


def _key(text) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s_\-.]+", " ", s).strip()


def _slug(text: str, taken: set) -> str:
    base = re.sub(r"[^0-9a-z]+", "_", _key(text)).strip("_") or "indicator"
    if base[0].isdigit():
        base = "x_" + base
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    return out


def read_indicator_sheet(source, sheet: str | None = None) -> IndicatorSystem:
    """Read and validate an indicator sheet (CSV, Excel or a DataFrame).

    One row per indicator; columns (English or Chinese headers) ``id, name, name_zh, system,
    dimension, direction, unit`` and optionally ``unit_zh, source``. ``system`` is ``nqpf`` or
    ``inno`` (also "new quality productive forces" / 新质生产力, "innovation" / 创新资源配置);
    ``direction`` is ``+`` or ``-`` (also positive/negative, 正/负). An indicator without an id
    takes one made from its name. Every problem is reported with its row (header = row 1), column
    and value: an unknown system or direction, a duplicate id or name, an id that a panel already
    uses (province, year, ...), fewer than two indicators in a system.

    Raises
    ------
    DataValidationError
    """
    from sim.cells import _display
    from sim.io_read import _load_table

    table = _load_table(source, sheet)
    label = Msg(N_("the indicator sheet ({file})"), file=table.name)
    lookup = {_key(a): canon for canon, aliases in _SHEET_COLUMNS.items() for a in (canon, *aliases)}
    index: dict = {}
    shown: dict = {}
    problems: list[Problem] = []
    for pos, cell in enumerate(table.header):
        text = _display(cell)
        k = _key(re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", text))
        canon = lookup.get(k)
        if canon is None:
            continue
        if canon in index:
            problems.append(Problem(table.header_row, text, None, Msg(N_("Duplicate column: '{header}' and "
                                                                         "'{other}' both mean '{column}'; keep one."),
                                                                      header=text, other=shown[canon], column=canon)))
            continue
        index[canon], shown[canon] = pos, text
    for need in ("system", "direction"):
        if need not in index:
            problems.append(Problem(table.header_row, need, None, Msg(
                N_("Missing column '{column}' (nqpf or inno for every indicator).") if need == "system" else
                N_("Missing column '{column}' (+ or - for every indicator)."), column=need)))
    if not ({"id", "name", "name_zh"} & set(index)):
        problems.append(Problem(table.header_row, "id", None, Msg(N_("Missing column 'id' (or 'name' / "
                                                                     "'name_zh'): each indicator needs a name that "
                                                                     "matches a panel header."))))
    if problems:
        raise DataValidationError(problems, label)

    def cell(cells, name):
        pos = index.get(name)
        return _display(cells[pos]) if pos is not None and pos < len(cells) else ""

    sys_lookup = {_key(w): s for s, words in _SYSTEM_WORDS.items() for w in words}
    dir_lookup = {_key(w): d for d, words in _DIRECTION_WORDS.items() for w in words}
    inds, seen_id, seen_name = [], {}, {}
    taken = {i for _, cells in table.rows for i in [cell(cells, "id")] if i}
    for n, cells in table.rows:
        raw_id, name, name_zh = cell(cells, "id"), cell(cells, "name"), cell(cells, "name_zh")
        system_text, dir_text = cell(cells, "system"), cell(cells, "direction")
        ok = True
        if not (raw_id or name or name_zh):
            problems.append(Problem(n, shown.get("id") or shown.get("name") or shown.get("name_zh"), "",
                                    Msg(N_("This indicator has no id and no name."))))
            ok = False
        system = sys_lookup.get(_key(system_text))
        if system is None:
            problems.append(Problem(n, shown["system"], system_text,
                                    Msg(N_("Unknown system '{value}'; write nqpf (new quality productive "
                                           "forces, 新质生产力) or inno (innovation resource allocation, 创新资源配置)."),
                                        value=system_text)))
            ok = False
        direction = dir_lookup.get(_key(dir_text))
        if direction is None:
            problems.append(Problem(n, shown["direction"], dir_text,
                                    Msg(N_("Unknown direction '{value}'; write + (positive: more is better) or - "
                                           "(negative: less is better)."), value=dir_text)))
            ok = False
        iid = raw_id or _slug(name or name_zh, taken)
        taken.add(iid)
        if _key(iid) in {_key(r) for r in RESERVED}:
            problems.append(Problem(n, shown.get("id", "id"), iid, Msg(N_("'{id}' is a column of every panel "
                                                                          "({columns}); give the indicator another id."),
                                                                       id=iid, columns=", ".join(RESERVED))))
            ok = False
        if iid in seen_id:
            problems.append(Problem(n, shown.get("id", "id"), iid,
                                    Msg(N_("Duplicate id: '{id}' is already on row {row}; ids must be unique."),
                                        id=iid, row=str(seen_id[iid]))))
            ok = False
        seen_id.setdefault(iid, n)
        for text, col in ((name, "name"), (name_zh if _key(name_zh) != _key(name) else "", "name_zh")):
            if text and _key(text) in seen_name:
                problems.append(Problem(n, shown.get(col, col), text, Msg(N_("Duplicate name: '{name}' is already "
                                                                             "on row {row}; a panel header could not "
                                                                             "tell them apart."),
                                                                          name=text, row=str(seen_name[_key(text)]))))
                ok = False
            elif text:
                seen_name[_key(text)] = n
        if ok:
            dim = cell(cells, "dimension") or SYSTEM_LABELS[system]
            inds.append(Indicator(iid, system, dim, cell(cells, "subdimension"), name or name_zh or iid,
                                  direction, cell(cells, "unit"), cell(cells, "description"), name_zh,
                                  cell(cells, "unit_zh"), cell(cells, "source") or NOT_STATED))
    if not table.rows:
        problems.append(Problem(None, None, None, Msg(N_("The indicator sheet has a header but no indicators."))))
    if not problems:
        for s in SYSTEMS:
            k = sum(1 for i in inds if i.system == s)
            if k < MIN_PER_SYSTEM:
                rows = [n for n, cells in table.rows if sys_lookup.get(_key(cell(cells, "system"))) == s]
                problems.append(Problem(rows[0] if rows else None, shown["system"], s,
                                        Msg(N_("System '{system}' ({label}) has {n} indicators; at least {min} are "
                                               "needed (entropy weights compare indicators within a system).")
                                            if k != 1 else
                                            N_("System '{system}' ({label}) has {n} indicator; at least {min} are "
                                               "needed (entropy weights compare indicators within a system)."),
                                            system=s, label=Msg(SYSTEM_LABELS[s]), n=str(k), min=str(MIN_PER_SYSTEM))))
    if problems:
        raise DataValidationError(problems, label)
    return IndicatorSystem(tuple(inds), label=Msg(N_("{nqpf} + {inno} indicators from {file}"),
                                                  nqpf=str(len([i for i in inds if i.system == 'nqpf'])),
                                                  inno=str(len([i for i in inds if i.system == 'inno'])),
                                                  file=table.name),
                           origin=table.name)
