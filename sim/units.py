"""The set of regions a province panel describes: names, coordinates and an optional grouping.

Liu et al. (2026) study the 30 mainland provinces, grouped East/Central/West (NBS scheme) for the
Dagum decomposition (SPEC 2.9), with capital coordinates for the economic-geographic weights
(SPEC 2.7) and contiguity from boundaries for the spatial Markov lag (SPEC 2.11). The methods apply
to any set of units (prefecture-level cities, counties, another country's regions) given by name
with coordinates: a :class:`UnitSet`, read from a units sheet (``unit, lat, lon, group``) or from
latitude/longitude columns of the panel. Without boundaries, proximity is k nearest neighbours and
maps are point maps. A loaded panel carries its units in ``frame.attrs["units"]`` (:func:`units_of`).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from sim.messages import Join, Msg, N_, Place
from sim.problems import DataValidationError, Problem

ALL_UNITS = N_("All units")  # the single group when no grouping is given (Dagum G = the ordinary Gini)


@dataclass(frozen=True)
class UnitSet:
    """Units in display order with coordinates (WGS84 degrees) and a group each.

    ``provinces`` is True for the 30 study provinces of Liu et al. (2026): NBS groups, shipped
    boundaries and contiguity apply. ``group_label`` names the grouping on screen.
    """

    names: tuple
    lat: tuple
    lon: tuple
    groups: tuple
    group_order: tuple
    group_label: str = "region"
    provinces: bool = False
    origin: str = ""
    key: str = field(default="", compare=False)

    def __post_init__(self):
        if not self.key:
            text = "|".join(f"{n};{a:.5f};{o:.5f};{g}" for n, a, o, g in zip(self.names, self.lat, self.lon,
                                                                           self.groups))
            object.__setattr__(self, "key", hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])

    def __deepcopy__(self, memo):  # immutable: pandas deep-copies attrs on every operation
        return self

    def __copy__(self):
        return self

    def coords(self, names=None) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) arrays for ``names`` (default: all, in order)."""
        if names is None:
            return np.asarray(self.lat, dtype=float), np.asarray(self.lon, dtype=float)
        pos = {n: i for i, n in enumerate(self.names)}
        idx = [pos[n] for n in names]
        return np.asarray(self.lat, dtype=float)[idx], np.asarray(self.lon, dtype=float)[idx]

    def group_map(self) -> dict:
        return dict(zip(self.names, self.groups))

    def restrict(self, names) -> "UnitSet":
        """The units among ``names``, in this set's order."""
        keep = set(names)
        idx = [i for i, n in enumerate(self.names) if n in keep]
        if len(idx) == len(self.names):
            return self
        groups = tuple(self.groups[i] for i in idx)
        return UnitSet(tuple(self.names[i] for i in idx), tuple(self.lat[i] for i in idx),
                       tuple(self.lon[i] for i in idx), groups,
                       tuple(g for g in self.group_order if g in set(groups)), self.group_label,
                       self.provinces, self.origin)

    @property
    def grouped(self) -> bool:
        return len(self.group_order) > 1


def province_units(names=None) -> UnitSet:
    """The 30 study provinces (GeoNames capitals, NBS East/Central/West), optionally restricted."""
    from sim import schema

    provs = [p for p in schema.provinces() if names is None or p.name in set(names)]
    return UnitSet(tuple(p.name for p in provs), tuple(p.capital_lat for p in provs),
                   tuple(p.capital_lon for p in provs), tuple(p.region for p in provs),
                   tuple(r for r in schema.REGIONS if r in {p.region for p in provs}),
                   "NBS region (East / Central / West)", True, "provinces (shipped)")


def units_of(frame) -> UnitSet:
    """The units a loaded panel carries (``attrs["units"]``), else the study provinces it names."""
    u = getattr(frame, "attrs", {}).get("units") if frame is not None else None
    if u is not None and hasattr(u, "names") and hasattr(u, "group_map"):  # duck-typed (module reloads)
        return u
    names = None
    if frame is not None and "province" in getattr(frame, "columns", ()):
        names = list(dict.fromkeys(frame["province"]))
    return province_units(names)


def same_place_problems(names, lat, lon, rows, column) -> list:
    """A :class:`Problem` for each unit whose coordinates equal those of a unit listed before it: the
    distance weights 1/d^2 (Liu et al. 2026's economic-geographic matrix, and the inverse-distance matrix
    without GDP per capita) are undefined between two units at one place. ``rows`` gives each unit's row
    in the file, ``column`` the latitude column's header as the user wrote it."""
    first: dict = {}
    out = []
    for name, a, o, row in zip(names, lat, lon, rows):
        key = (round(float(a), 9), round(float(o), 9))
        if key in first:
            other, other_row = first[key]
            out.append(Problem(row, column, f"{a:g}, {o:g}", Msg(
                N_("{name} has the same coordinates as {other} (row {row}); two units at one place make the "
                   "distance weights 1/d^2 undefined. Give each unit its own coordinates (e.g. its seat's)."),
                name=Place(name), other=Place(other), row=str(other_row))))
        else:
            first[key] = (name, row)
    return out


# --- reading a units sheet ----------------------------------------------------------------------------
UNIT_ALIASES = ("unit", "units", "name", "province", "city", "county", "region name", "单位", "名称",
                "省份", "地区", "城市", "区县", "县", "地级市")
LAT_ALIASES = ("lat", "latitude", "y", "纬度")
LON_ALIASES = ("lon", "lng", "long", "longitude", "x", "经度")
GROUP_ALIASES = ("group", "groups", "grouping", "分组", "组别", "区域", "片区")


def _key(text) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").strip().casefold()
    s = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", s)
    return re.sub(r"[\s_\-.]+", " ", s).strip()


def coordinate_problem(lat: float, lon: float) -> str | None:
    """Why a coordinate pair is impossible, or None."""
    if not (np.isfinite(lat) and -90 <= lat <= 90):
        return Msg(N_("latitude must lie within -90 to 90 degrees"))
    if not (np.isfinite(lon) and -180 <= lon <= 180):
        return Msg(N_("longitude must lie within -180 to 180 degrees"))
    return None


def read_units_sheet(source, sheet: str | None = None, group_column: str | None = None) -> UnitSet:
    """Read and validate a units sheet: one row per unit with ``unit, lat, lon`` and optional ``group``.

    Headers may be English or Chinese (单位/名称/城市, 纬度, 经度, 分组). ``group_column`` names
    another column to group by. Every problem names its row (header = row 1), column and value:
    a missing or non-numeric coordinate, a coordinate outside its range, a unit listed twice.

    Raises
    ------
    DataValidationError
    """
    from sim.cells import _display, _parse_number
    from sim.io_read import _load_table

    table = _load_table(source, sheet)
    label = Msg(N_("the units sheet ({file})"), file=table.name)
    want = {"unit": UNIT_ALIASES, "lat": LAT_ALIASES, "lon": LON_ALIASES,
            "group": (group_column,) if group_column else GROUP_ALIASES}
    index, shown = {}, {}
    for pos, cell in enumerate(table.header):
        text = _display(cell)
        for canon, aliases in want.items():
            if canon not in index and _key(text) in {_key(a) for a in aliases}:
                index[canon], shown[canon] = pos, text
                break
    problems = [Problem(table.header_row, c, None, Msg(N_("Missing column '{column}' ({what})."), column=c,
                                                       what=Msg(what)))
                for c, what in (("unit", N_("the unit's name, as in the panel")), ("lat", N_("latitude, degrees")),
                                ("lon", N_("longitude, degrees"))) if c not in index]
    if group_column and "group" not in index:
        problems.append(Problem(table.header_row, group_column, None,
                                Msg(N_("No column '{column}' to group by; the sheet has: {columns}."),
                                    column=group_column, columns=", ".join(_display(c) for c in table.header))))
    if problems:
        raise DataValidationError(problems, label)

    def cell(cells, name):
        pos = index.get(name)
        return cells[pos] if pos is not None and pos < len(cells) else None

    names, lat, lon, groups, seen = [], [], [], [], {}
    for n, cells in table.rows:
        name = _display(cell(cells, "unit"))
        if not name:
            problems.append(Problem(n, shown["unit"], "", Msg(N_("The unit's name is missing."))))
            continue
        if name in seen:
            problems.append(Problem(n, shown["unit"], name, Msg(N_("'{name}' is already on row {row}; list each "
                                                                   "unit once."), name=name, row=str(seen[name]))))
            continue
        seen[name] = n
        xy = []
        for c, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
            raw = cell(cells, c)
            x, status = _parse_number(raw, False, table.delimiter)
            if status == "missing":
                problems.append(Problem(n, shown[c], "", Msg(
                    N_("{name} has no latitude; every unit needs coordinates (decimal degrees, WGS84).") if c == "lat"
                    else N_("{name} has no longitude; every unit needs coordinates (decimal degrees, WGS84)."),
                    name=Place(name))))
            elif status not in ("ok", "thousands"):
                problems.append(Problem(n, shown[c], _display(raw), Msg(
                    N_("The lat of {name} {status}; expected decimal degrees.") if c == "lat"
                    else N_("The lon of {name} {status}; expected decimal degrees."), name=Place(name), status=status)))
            elif not lo <= x <= hi:
                problems.append(Problem(n, shown[c], _display(raw), Msg(
                    N_("The latitude of {name} must lie within {lo} to {hi} degrees.") if c == "lat"
                    else N_("The longitude of {name} must lie within {lo} to {hi} degrees."),
                    name=Place(name), lo=str(lo), hi=str(hi))))
            xy.append(x)
        g = _display(cell(cells, "group")) if "group" in index else ""
        if "group" in index and not g:
            problems.append(Problem(n, shown["group"], "", Msg(N_("{name} has no group; give every unit one, or "
                                                                  "leave the column out."), name=Place(name))))
        names.append(name)
        lat.append(xy[0])
        lon.append(xy[1])
        groups.append(g or ALL_UNITS)
    if not names and not problems:
        problems.append(Problem(None, None, None, Msg(N_("The units sheet has a header but no units."))))
    if not problems:
        problems += same_place_problems(names, lat, lon, [seen[n] for n in names], shown["lat"])
    if problems:
        raise DataValidationError(problems, label)
    order = tuple(dict.fromkeys(groups))
    return UnitSet(tuple(names), tuple(lat), tuple(lon), tuple(groups), order,
                   shown.get("group", Msg(N_("group"))), False, table.name)


# --- units of a panel being read (called by sim.data.read_province_panel) -------------------------
def _own_unit_name(raw, n, col, unit_set: UnitSet | None, problems) -> str | None:
    """A unit's name as written (no sheet) or as listed in the units sheet (matched ignoring case,
    spaces and width); a unit missing from the sheet is a problem naming row, column and value."""
    import difflib

    from sim.cells import _display

    text = _display(raw)
    if not text:
        problems.append(Problem(n, col, "", Msg(N_("The unit's name is missing."))))
        return None
    if unit_set is None:
        return text
    lookup = _sheet_lookup(unit_set)
    hit = lookup.get(_name_fold(text))
    if hit is None:
        close = difflib.get_close_matches(_name_fold(text), list(lookup), n=1, cutoff=0.75)
        hint = Msg(N_(" Did you mean '{name}'?"), name=Place(lookup[close[0]])) if close else ""
        problems.append(Problem(n, col, text, Msg(N_("'{value}' is in the panel but not in the units sheet "
                                                     "({file}); add it there with its coordinates.{hint}"),
                                                  value=text, file=unit_set.origin or Msg(N_("uploaded")), hint=hint)))
    return hit


def _name_fold(text) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(c for c in s if c.isalnum())


@lru_cache(maxsize=4)
def _sheet_lookup(unit_set: UnitSet) -> MappingProxyType:
    """Folded name -> the sheet's name; built once per units sheet (rebuilding it for every panel row
    made reading 2,800 units x 20 years quadratic: 100 s of CPU)."""
    return MappingProxyType({_name_fold(n): n for n in unit_set.names})


def units_from_rows(mode, records, hdr, unit_set: UnitSet | None, problems, warnings) -> UnitSet:
    """The UnitSet of a panel being read: the study provinces, the units sheet, or coordinates
    (and groups) read from the panel's own ``lat``/``lon``/``group`` columns, one value per unit."""
    names = list(dict.fromkeys(r["province"] for r in records if r.get("province")))
    if mode == "provinces":
        return province_units()
    if mode == "sheet":
        unused = [u for u in unit_set.names if u not in set(names)]
        if unused and names:
            warnings.append(Msg(N_("{n} units of the units sheet have no rows in the panel: {names}{more}.")
                                if len(unused) > 1 else
                                N_("{n} unit of the units sheet has no rows in the panel: {names}{more}."),
                                n=str(len(unused)), names=Join([Place(u) for u in unused[:10]]),
                                more=" ..." if len(unused) > 10 else ""))
        return unit_set
    values: dict = {}  # unit -> {column: (value, row)}
    has_group = "group" in hdr.index
    cols = ("lat", "lon", "group") if has_group else ("lat", "lon")
    for r in records:
        u = r.get("province")
        if not u:
            continue
        seen = values.setdefault(u, {})
        for c in cols:
            v = r.get(c)
            if v is None or v == "" or (isinstance(v, float) and not np.isfinite(v)):
                continue
            if c in seen:
                if seen[c][0] != v:
                    problems.append(Problem(r["_row"], hdr.shown[c], str(v), Msg(
                        {"lat": N_("{name} has latitude {first} on row {row} but {value} here; a unit has one latitude."),
                         "lon": N_("{name} has longitude {first} on row {row} but {value} here; a unit has one "
                                   "longitude."),
                         "group": N_("{name} has group {first} on row {row} but {value} here; a unit has one group.")}[c],
                        name=Place(u), first=str(seen[c][0]), row=str(seen[c][1]), value=str(v))))
            else:
                seen[c] = (v, r["_row"])
    first_row = {}
    for r in records:
        if r.get("province"):
            first_row.setdefault(r["province"], r["_row"])
    for u in names:
        for c in cols:
            if c not in values.get(u, {}):
                problems.append(Problem(first_row[u], hdr.shown[c], "", Msg(
                    {"lat": N_("{name} has no latitude in any row; every unit needs its coordinates (decimal degrees, "
                               "WGS84)."),
                     "lon": N_("{name} has no longitude in any row; every unit needs its coordinates (decimal "
                               "degrees, WGS84)."),
                     "group": N_("{name} has no group in any row; every unit needs its group.")}[c], name=Place(u))))
    ok = [u for u in names if all(c in values.get(u, {}) for c in cols)]
    try:
        problems += same_place_problems(ok, [float(values[u]["lat"][0]) for u in ok],
                                        [float(values[u]["lon"][0]) for u in ok],
                                        [values[u]["lat"][1] for u in ok], hdr.shown["lat"])
    except (TypeError, ValueError):  # a non-number coordinate: reported by the cell checks already
        pass
    groups = tuple(str(values[u]["group"][0]) if has_group else ALL_UNITS for u in ok)
    return UnitSet(tuple(ok), tuple(float(values[u]["lat"][0]) for u in ok),
                   tuple(float(values[u]["lon"][0]) for u in ok), groups, tuple(dict.fromkeys(groups)),
                   hdr.shown.get("group", Msg(N_("group"))), False, Msg(N_("the panel's coordinate columns")))


# --- boundaries of units other than the provinces ---------------------------------------------------
def unit_boundaries(source, units: UnitSet, label: str = "uploaded boundaries"):
    """Match a boundary GeoJSON to the loaded units (cities, counties, any regions).

    A feature belongs to a unit when one of its text properties is the unit's name (ignoring case,
    spaces and width). Returns a ``sim.geo.Boundaries``: ``features`` unit -> geometry; features
    that name no unit are drawn grey (``not_analysed``); ``notes`` list the units without a
    feature (they keep the k-nearest-neighbour rule and are drawn as no value). Contiguity of the
    matched polygons then replaces the k nearest neighbours (Liu et al. 2026: "a spatial weight
    matrix ... based on the geographical proximity").

    Raises
    ------
    sim.geo.BoundaryError
        Not GeoJSON, no features, or no feature naming a loaded unit.
    """
    import json

    from sim.geo import Boundaries, BoundaryError

    if isinstance(source, dict):
        gj = source
    else:
        raw = source.encode("utf-8") if isinstance(source, str) else bytes(source)
        try:
            gj = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BoundaryError([Msg(N_("The file is not GeoJSON text ({error})."),
                                     error=f"{type(exc).__name__}: {exc}")]) from None
    feats = gj.get("features") if isinstance(gj, dict) else None
    if not isinstance(feats, list) or not feats:
        raise BoundaryError([Msg(N_("The file has no features: a GeoJSON FeatureCollection is expected."))])
    lookup = _sheet_lookup(units)
    matched, grey, seen = {}, [], set()
    for i, f in enumerate(feats):
        geom = (f or {}).get("geometry") if isinstance(f, dict) else None
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        props = f.get("properties") or {}
        names = [str(v) for v in props.values() if isinstance(v, (str, int)) and str(v).strip()]
        hit = next((lookup[_name_fold(v)] for v in names if _name_fold(v) in lookup), None)
        if hit is None or hit in seen:
            grey.append((names[0] if names else f"feature {i + 1}", geom))
            continue
        seen.add(hit)
        matched[hit] = geom
    if not matched:
        raise BoundaryError([Msg(N_("No feature of the file names a loaded unit (e.g. {name}); put the "
                                    "unit's name, as in the panel, in a property of each feature."),
                                 name=Place(units.names[0]))])
    missing = [u for u in units.names if u not in matched]
    notes = []
    if missing:
        notes.append(Msg(N_("{n} units without a boundary feature: {names}{more}; they are drawn without a value "
                            "and keep their nearest neighbours.") if len(missing) > 1 else
                         N_("{n} unit without a boundary feature: {names}{more}; they are drawn without a value "
                            "and keep their nearest neighbours."),
                         n=str(len(missing)), names=Join([Place(u) for u in missing[:10]]),
                         more=" ..." if len(missing) > 10 else ""))
    if grey:
        notes.append(Msg(N_("{n} features name no loaded unit and are drawn grey.") if len(grey) > 1 else
                         N_("{n} feature name no loaded unit and are drawn grey."), n=str(len(grey))))
    return Boundaries(matched, grey, notes, label)


def contiguity_or_knn(boundaries, units: UnitSet, names, k: int = 4) -> tuple[np.ndarray, str]:
    """Proximity W of units with (some) boundaries: contiguity of the matched polygons (islands and
    units without a feature joined to their nearest units), else k nearest neighbours; and a note."""
    from sim import weights

    names = list(names)
    lat, lon = units.coords(names)
    k = min(k, len(names) - 1)
    if boundaries is not None and all(n in boundaries.features for n in names):
        gj = {"type": "FeatureCollection",
              "features": [{"type": "Feature", "properties": {"name": n}, "geometry": boundaries.features[n]}
                           for n in names]}
        return (weights.contiguity_from_geojson(gj, names, lat, lon),
                Msg(N_("Neighbours share a border (the uploaded boundaries); units without a neighbour are joined "
                       "to their 2 nearest units.")))
    note = Msg(N_("No boundaries for these units: neighbours are the {k} nearest units (great-circle distance)."),
               k=str(k))
    if boundaries is not None:
        note = Msg(N_("The uploaded boundaries do not cover every unit: neighbours are the {k} nearest units "
                      "(great-circle distance)."), k=str(k))
    return weights.knn_weights(lat, lon, k), note
