"""Province boundaries for the maps: the shipped Natural Earth layer or a user-supplied GeoJSON.

Shipped layer: Natural Earth 10m admin-1 (public domain, de facto boundaries), simplified with
``shapely.coverage_simplify`` at 0.02 degrees (see ``data/geo/README.md``). It has the 30 study
provinces plus Tibet; Hong Kong, Macao and Taiwan come from the context layer. Everything not in
the study (Tibet, Hong Kong, Macao, Taiwan) is drawn grey as "not analysed".

A user may bring an officially reviewed boundary file instead (GeoJSON FeatureCollection of
Polygon/MultiPolygon features in WGS84). Each feature is matched to a province through its
properties: a GB/T 2260 code (2-digit, or a 6-digit adcode such as 110000), an ISO 3166-2 code
(CN-BJ), or a name in English, pinyin or Chinese. Unmatched features are kept as "not analysed"
and reported; study provinces with no feature are reported too.

No Streamlit here: ``load_boundaries`` is a pure function of its input bytes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sim import schema
from sim.messages import Join, Msg, N_, Place

DEFAULT_BOUNDARIES = schema.DATA_DIR / "geo" / "provinces_ne10m_simplified.geojson"
CONTEXT_LAYER = schema.DATA_DIR / "geo" / "context_ne10m_simplified.geojson"
BOUNDARY_CREDIT = Msg(N_("Boundaries: Natural Earth (public domain; de facto, not an authority on territorial "
                         "status). City and capital coordinates: GeoNames (geonames.org), CC BY 4.0."))
MAX_BOUNDARY_BYTES = 20 * 1024 * 1024


class BoundaryError(ValueError):
    """A boundary file that cannot be used; ``problems`` lists every reason in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Boundaries:
    """Matched boundary features.

    Attributes
    ----------
    features : dict
        Canonical province name -> GeoJSON geometry, for the 30 study provinces found.
    label_points : dict
        Where each unit's label goes on a map (derived, computed on first use).
    not_analysed : list of (label, geometry)
        Features drawn grey: Tibet, Hong Kong, Macao, Taiwan, and unmatched features of a user file.
    notes : list of str
        What matching found worth telling the user (unmatched features, missing provinces).
    source : str
        Where the boundaries came from (shown under every map).
    """

    features: dict
    not_analysed: list
    notes: list = field(default_factory=list)
    source: str = BOUNDARY_CREDIT

    @cached_property
    def label_points(self) -> dict:
        """Name -> (lon, lat) of each unit's map label (:func:`label_points`), computed once per
        object (about 60 ms for the 30 provinces)."""
        return label_points(self.features)


def _province_lookup() -> dict[str, str]:
    """Normalised key -> canonical name, for every mainland unit (Tibet included)."""
    out: dict[str, str] = {}
    for p in schema.provinces(include_not_in_study=True):
        keys = {p.name, p.name_zh, p.iso, str(p.gb_code), str(p.gb_code * 10000),
                p.name_zh.rstrip("省市"), p.name.replace(" ", "")}
        for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区"):
            if p.name_zh.endswith(suffix):
                keys.add(p.name_zh[: -len(suffix)])
        for k in keys:
            out[_norm(k)] = p.name
    out.update({_norm(k): v for k, v in {"Xizang": "Tibet", "Nei Mongol": "Inner Mongolia",
                                          "Inner Mongol": "Inner Mongolia"}.items()})
    return out


def _norm(text) -> str:
    return "".join(str(text).split()).lower()


def _match(properties: dict, lookup: dict[str, str]) -> str | None:
    for value in properties.values():
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            name = lookup.get(_norm(value))
            if name:
                return name
    return None


def load_boundaries(source: bytes | str | Path | None = None) -> Boundaries:
    """Read and match a province boundary GeoJSON.

    Parameters
    ----------
    source : bytes, str or Path, optional
        GeoJSON bytes (an upload) or a path; ``None`` reads the shipped Natural Earth layer.

    Returns
    -------
    Boundaries

    Raises
    ------
    BoundaryError
        Not JSON, not a FeatureCollection, no usable polygon, or none of the study provinces matched.
    """
    if source is None:
        source = DEFAULT_BOUNDARIES
    if isinstance(source, (str, Path)):
        raw = Path(source).read_bytes()
        origin = "shipped" if Path(source) == DEFAULT_BOUNDARIES else Path(source).name
    else:
        raw, origin = bytes(source), "uploaded"
    if len(raw) > MAX_BOUNDARY_BYTES:
        raise BoundaryError([Msg(N_("The boundary file is {size} MiB; at most {limit} MiB is accepted (simplify it "
                                    "first)."), size=f"{len(raw) / 2**20:.1f}", limit=str(MAX_BOUNDARY_BYTES // 2**20))])
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError([Msg(N_("The boundary file is not valid UTF-8 GeoJSON ({error})."), error=str(exc))]) from None
    except (RecursionError, ValueError):  # absurdly deep nesting, or integers beyond Python's limit
        raise BoundaryError([Msg(N_("The boundary file is not valid GeoJSON (nested too deeply or numbers too "
                                    "long to read)."))]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
            doc.get("features"), list):
        raise BoundaryError([Msg(N_("Expected a GeoJSON FeatureCollection with a 'features' list; found {kind} "
                                    "with type={type}."), kind=type(doc).__name__,
                                 type=repr(doc.get("type") if isinstance(doc, dict) else None))])
    lookup = _province_lookup()
    study = set(schema.province_names())
    features: dict = {}
    not_analysed: list = []
    notes: list[str] = []
    problems: list[str] = []
    for k, feat in enumerate(doc["features"], start=1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        props = feat.get("properties") or {} if isinstance(feat, dict) else {}
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(Msg(N_("Feature {k}: geometry must be Polygon or MultiPolygon, found {found}."), k=str(k),
                                found=str(geom.get("type")) if isinstance(geom, dict) else repr(geom)))
            continue
        if not _coordinates_ok(geom):
            problems.append(Msg(N_("Feature {k} ({label}): coordinates are not longitude/latitude pairs in degrees "
                                   "(is it projected? GeoJSON must be WGS84)."), k=str(k), label=_label(props)))
            continue
        name = _match(props, lookup) if isinstance(props, dict) else None
        if name in study:
            if name in features:
                problems.append(Msg(N_("Feature {k}: a second feature for {name}; merge it into one MultiPolygon."),
                                    k=str(k), name=Place(name)))
                continue
            features[name] = geom
        else:
            label = name or _label(props)
            not_analysed.append((label, geom))
            if name is None:
                notes.append(Msg(N_("Feature {k} ({label}) matches no province; drawn grey as not analysed."),
                                 k=str(k), label=label))
    if not features:
        problems.append(Msg(N_("None of the 30 study provinces could be matched: give each feature a property "
                               "with the province name (English or Chinese), a GB/T 2260 code or an ISO 3166-2 "
                               "code.")))
    if problems:
        raise BoundaryError(problems)
    missing = sorted(study - set(features))
    if missing:
        notes.append(Msg(N_("No boundary for: {names} (they are left off the maps)."),
                         names=Join([Place(m) for m in missing])))
    if origin == "shipped":
        ctx = json.loads(CONTEXT_LAYER.read_text(encoding="utf-8"))
        for feat in ctx["features"]:
            if feat["properties"].get("kind") == "not_in_study":
                not_analysed.append((feat["properties"]["name"], feat["geometry"]))
        source_text = BOUNDARY_CREDIT
    else:
        source_text = Msg(N_("Boundaries: {origin} file supplied by the user. City and capital coordinates: "
                             "GeoNames (geonames.org), CC BY 4.0."), origin=Msg(N_("uploaded")) if origin == "uploaded"
                          else origin)
    return Boundaries(features, not_analysed, notes, source_text)


def context_features() -> list[dict]:
    """Neighbouring countries (Natural Earth admin-0, public domain) drawn as a quiet basemap."""
    ctx = json.loads(CONTEXT_LAYER.read_text(encoding="utf-8"))
    return [f for f in ctx["features"] if f["properties"].get("kind") == "neighbour"]


def label_points(features: dict) -> dict:
    """Name -> (lon, lat) where a map label goes, on each unit's largest polygon: its centroid when
    that lies well inside (at least a quarter as far from the edge as the most interior point), else
    the pole of inaccessibility (``shapely.ops.polylabel``), which stays inside ring-shaped or
    curved units such as Hebei around Beijing and Tianjin, where a centroid would not.

    >>> sq = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 2], [0, 2], [0, 0]]]}
    >>> label_points({"A": sq})
    {'A': (2.0, 1.0)}
    >>> ring = {"type": "Polygon", "coordinates": [[[0, 0], [6, 0], [6, 6], [0, 6], [0, 0]],
    ...                                            [[1, 1], [5, 1], [5, 5], [1, 5], [1, 1]]]}
    >>> x, y = label_points({"R": ring})["R"]; not (1 < x < 5 and 1 < y < 5)
    True
    """
    from shapely.geometry import shape
    from shapely.ops import polylabel

    out = {}
    for name, geom in features.items():
        g = shape(geom)
        if g.is_empty:
            continue
        part = max(getattr(g, "geoms", [g]), key=lambda q: q.area)
        if not part.is_valid:
            part = part.buffer(0)
            part = max(getattr(part, "geoms", [part]), key=lambda q: q.area)
        inner = polylabel(part, tolerance=0.01)
        centre = part.centroid
        # the centroid reads best where it is well inside; else the most interior point
        room = part.exterior.distance(inner) if not part.interiors else part.boundary.distance(inner)
        pt = centre if part.contains(centre) and part.boundary.distance(centre) >= 0.25 * room else inner
        out[name] = (round(float(pt.x), 3), round(float(pt.y), 3))
    return out


def _label(props) -> str:
    if isinstance(props, dict):
        for key in ("name", "name_en", "NAME", "name_zh", "NAME_1"):
            if props.get(key):
                return str(props[key])[:60]
    return Msg(N_("unnamed feature"))


def _coordinates_ok(geom: dict) -> bool:
    def walk(c):
        if isinstance(c, (list, tuple)) and len(c) >= 2 and all(isinstance(v, (int, float)) for v in c[:2]):
            return -180 <= c[0] <= 180 and -90 <= c[1] <= 90
        return isinstance(c, (list, tuple)) and len(c) > 0 and all(walk(x) for x in c)
    return walk(geom.get("coordinates"))
