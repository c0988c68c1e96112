"""Targets for "what would it take?" (goal seeking on the simulator), as plain data.

A ``Target`` states a quantity of the simulator's results, the threshold it must reach, and the one
lever to solve for, with the bounds the user allows. It round-trips through JSON and a share link
(parameter ``t``) exactly as a ``sim.scenario.Scenario`` does; ``sim.goal.solve`` finds the
smallest lever setting that meets it.

Quantities (all read from ``sim.simulate.SimulationResult``, the numbers the Simulator shows)
--------------------------------------------------------------------------------------------
``province_class_probability``
    The probability that province ``subject`` is at class ``cls`` or above in ``year`` (share of
    the simulated paths; Liu et al. 2026 coordination classes).
``national_high_share``
    The mean share of provinces at high or extreme coordination in ``year``.
``province_median_D``
    The median coupling coordination D of province ``subject`` in ``year``.
``cluster_patents_vs_baseline``
    The AI patent applications of cluster ``subject`` in ``year``, in % above the baseline forecast
    (Wang et al. 2025 equation); a lever whose effect the model does not detect (the 90 % band of
    the change includes zero) cannot meet such a target.

Levers
------
``indicator_pct`` / ``indicator_growth``
    An indicator, dimension or system (``target``) in ``provinces`` from ``from_year``, as a one-off
    % change or as compound % growth a year.
``policies``
    Extra AI incentive policies a year in ``clusters`` from ``from_year``.
``link``
    Extra co-applied AI patents a year between ``city_a`` and ``city_b``.

Examples
--------
>>> t = Target("national_high_share", year=2027, threshold=0.7,
...            lever=Lever("indicator_pct", target="system:inno", provinces=("West",), low=0, high=100))
>>> Target.from_json(t.to_json()) == t
True
>>> Target.from_query_params(t.to_query_params()) == t
True
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from sim import schema
from sim.messages import Msg, N_
from sim.scenario import MAX_JSON_BYTES, ScenarioError, pack_link, unpack_link

QUANTITIES = {
    "province_class_probability": N_("probability that a province is at a class or above"),
    "national_high_share": N_("share of provinces at high or extreme coordination"),
    "province_median_D": N_("median coupling coordination D of a province"),
    "cluster_patents_vs_baseline": N_("AI patent applications of a cluster, % above the baseline"),
}
LEVERS = {
    "indicator_pct": "indicator change, % of the baseline value",
    "indicator_growth": "indicator growth, % a year",
    "policies": "extra AI incentive policies a year",
    "link": "extra co-applied AI patents a year between two cities",
}
CLASSES = ("Low", "Medium", "High", "Extreme")
LEVER_LIMITS = {"indicator_pct": (-100.0, 1000.0), "indicator_growth": (-50.0, 100.0),
                "policies": (-1000.0, 1000.0), "link": (0.0, 1e6)}


class TargetError(ScenarioError):
    """An invalid target; ``problems`` lists each problem in plain words."""


@dataclass(frozen=True)
class Lever:
    kind: str  # one of LEVERS
    target: str = "system:inno"  # indicator id, "dim:<dimension>" or "system:..." (indicator levers)
    provinces: tuple = ("all",)  # provinces, regions or "all" (indicator levers)
    clusters: tuple = ()  # clusters, regions or "all" (policies)
    city_a: str = ""  # the two cities (link)
    city_b: str = ""
    from_year: int = 2023
    low: float = 0.0  # bounds of the lever's size, low < high
    high: float = 100.0


@dataclass(frozen=True)
class Target:
    quantity: str  # one of QUANTITIES
    year: int
    threshold: float
    lever: Lever = field(default_factory=lambda: Lever("indicator_pct"))
    subject: str = ""  # the province or cluster the quantity is about (not for the national share)
    cls: str = "High"  # the class to reach, for province_class_probability

    # -- serialisation (as sim.scenario.Scenario) --
    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)

    def to_query_params(self) -> dict:
        return {"t": pack_link(self.to_dict())}

    @classmethod
    def from_json(cls, text, **context) -> "Target":
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig", errors="replace")
        if len(text) > MAX_JSON_BYTES:
            raise TargetError([Msg(N_("Target text is {n} characters; at most {max}."), n=f"{len(text):,}",
                                   max=f"{MAX_JSON_BYTES:,}")])
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, RecursionError, ValueError):
            raise TargetError([Msg(N_("The target is not valid JSON."))]) from None
        return cls.from_dict(raw, **context)

    @classmethod
    def from_query_params(cls, params, **context) -> "Target":
        try:
            text = unpack_link(params, "t", "target")
        except ScenarioError as err:
            raise TargetError(err.problems) from None
        return cls.from_json(text, **context)

    @classmethod
    def from_dict(cls, raw, *, provinces=None, clusters=None, cities=None, years=None, regions=None,
                  indicator_ids=None, dimensions=None) -> "Target":
        """Build and validate a target. ``provinces`` / ``clusters`` / ``cities``: names valid in the
        loaded data (None: the registry's provinces; clusters and cities unchecked); ``years``:
        (first, last) projected year allowed."""
        problems: list[str] = []
        if not isinstance(raw, dict):
            raise TargetError([Msg(N_("A target must be a JSON object; found {type}."), type=type(raw).__name__)])
        provinces = set(provinces or schema.province_names())
        regions = set(schema.REGIONS) | set(regions or ())
        known = {"quantity", "year", "threshold", "lever", "subject", "cls"}
        problems += [Msg(N_("Unknown target field {key}."), key=repr(k)) for k in raw if k not in known]
        q = raw.get("quantity")
        if q not in QUANTITIES:
            problems.append(Msg(N_("{key}: expected one of {allowed}, found {value}."), key="quantity",
                                allowed=", ".join(QUANTITIES), value=repr(q)))
        year = raw.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            problems.append(Msg(N_("year: expected a whole year, found {value}."), value=repr(year)))
            year = 0
        elif years is not None and not years[0] <= year <= years[1]:
            problems.append(Msg(N_("year: {year} is outside the projected years {first}-{last}."), year=str(year),
                                first=str(years[0]), last=str(years[1])))
        thr = raw.get("threshold")
        if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not math.isfinite(thr):
            problems.append(Msg(N_("threshold: expected a number, found {value}."), value=repr(thr)))
            thr = 0.0
        elif q in ("province_class_probability", "national_high_share", "province_median_D") and not 0 <= thr <= 1:
            problems.append(Msg(N_("threshold: {value} is outside [0, 1], the range of a {quantity}."),
                                value=repr(thr), quantity=Msg(QUANTITIES[q])))
        elif q == "cluster_patents_vs_baseline" and not -100 < thr <= 10_000:
            problems.append(Msg(N_("threshold: {value} % is outside (-100, 10,000]."), value=repr(thr)))
        subject = raw.get("subject", "")
        if q in ("province_class_probability", "province_median_D") and subject not in provinces:
            problems.append(Msg(N_("subject: unknown province {value}."), value=repr(subject)))
        if q == "cluster_patents_vs_baseline" and (not isinstance(subject, str) or not subject
                                                   or (clusters is not None and subject not in clusters)):
            problems.append(Msg(N_("subject: {value} is not an identified AI cluster."), value=repr(subject)))
        cls_ = raw.get("cls", "High")
        if cls_ not in CLASSES:
            problems.append(Msg(N_("{key}: expected one of {allowed}, found {value}."), key="cls",
                                allowed=", ".join(CLASSES), value=repr(cls_)))
        lv = raw.get("lever")
        lever = None
        if not isinstance(lv, dict):
            problems.append(Msg(N_("lever: expected an object.")))
        else:
            lever, more = _lever(lv, provinces, regions, clusters, cities, indicator_ids, dimensions)
            problems += more
            if lever is not None and q == "cluster_patents_vs_baseline" and lever.kind.startswith("indicator"):
                problems.append(Msg(N_("lever: an indicator change does not move AI patents; use policies or a "
                                       "link.")))
            if lever is not None and q != "cluster_patents_vs_baseline" and lever.kind in ("policies", "link"):
                problems.append(Msg(N_("lever: policies and links do not move coupling coordination; use an "
                                       "indicator.")))
        if problems:
            raise TargetError(problems)
        return cls(q, int(year), float(thr), lever, str(subject), cls_)


def _lever(lv: dict, provinces, regions, clusters, cities, indicator_ids=None, dimensions=None):
    problems = []
    kind = lv.get("kind")
    if kind not in LEVERS:
        return None, [Msg(N_("{key}: expected one of {allowed}, found {value}."), key="lever kind",
                          allowed=", ".join(LEVERS), value=repr(kind))]
    known = {f for f in Lever.__dataclass_fields__}
    problems += [Msg(N_("Unknown lever field {key}."), key=repr(k)) for k in lv if k not in known]

    def num(key, default):
        v = lv.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            problems.append(Msg(N_("lever {key}: expected a number, found {value}."), key=key, value=repr(v)))
            return default
        return float(v)

    low, high = num("low", 0.0), num("high", 100.0)
    lim = LEVER_LIMITS[kind]
    if not low < high:
        problems.append(Msg(N_("lever bounds: the lower bound ({low}) must be below the upper bound ({high})."),
                            low=f"{low:g}", high=f"{high:g}"))
    for v in (low, high):
        if not lim[0] <= v <= lim[1]:
            problems.append(Msg(N_("lever bounds: {value} is outside the accepted range [{lo}, {hi}]."),
                                value=f"{v:g}", lo=f"{lim[0]:g}", hi=f"{lim[1]:g}"))
    fy = lv.get("from_year", 2023)
    if isinstance(fy, bool) or not isinstance(fy, int) or not 2000 <= fy <= 2100:
        problems.append(Msg(N_("lever from_year: expected a year 2000-2100, found {value}."), value=repr(fy)))
        fy = 2023

    def names(key, allowed, what):
        v = lv.get(key, ["all"])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, (list, tuple)) or not v or not all(isinstance(x, str) for x in v):
            problems.append(Msg(N_("lever {key}: expected a list of {what} names, found {value}."), key=key,
                                what=Msg(what), value=repr(v)))
            return ()
        if allowed is not None:
            problems.extend(Msg(N_("lever {key}: unknown {what} {value}."), key=key, what=Msg(what), value=repr(x))
                            for x in v if x != "all" and x not in allowed and x not in regions)
        return tuple(v)

    target, provs, clus, a, b = "system:inno", ("all",), (), "", ""
    if kind.startswith("indicator"):
        target = lv.get("target")
        ids = set(indicator_ids or schema.indicator_ids())
        dims = set(dimensions or {i.dimension for i in schema.indicators()})
        if not isinstance(target, str) or not (target in ids or (target.startswith("dim:") and target[4:] in dims)
                                               or target in ("system:nqpf", "system:inno")):
            problems.append(Msg(N_("lever target: unknown indicator or dimension {value}."), value=repr(target)))
        provs = names("provinces", provinces, "province")
    elif kind == "policies":
        clus = names("clusters", None if clusters is None else set(clusters), "cluster")
    else:
        a, b = lv.get("city_a"), lv.get("city_b")
        for v in (a, b):
            if not isinstance(v, str) or not v or (cities is not None and v not in cities):
                problems.append(Msg(N_("lever: unknown city {value}."), value=repr(v)))
        if isinstance(a, str) and a == b:
            problems.append(Msg(N_("lever: a city cannot be linked to itself ({city})."), city=repr(a)))
    return Lever(kind, str(target), provs, clus, str(a or ""), str(b or ""), int(fy), low, high), problems
