"""What-if scenarios as plain data (SPEC section 4): a list of changes, a horizon and options.

A ``Scenario`` is a frozen dataclass that round-trips through JSON (``to_json`` / ``from_json``) and
through a URL (``to_query_params`` / ``from_query_params``: one ``s`` parameter holding
zlib-compressed, base64url-encoded JSON, so a link stays short and is validated like any upload).
Everything read from outside is validated: an unknown province, an absurd value or a malformed URL
raises ``ScenarioError`` whose ``problems`` say exactly what was wrong; the caller then loads the
default scenario.

Kinds of change
---------------
``IndicatorChange``
    Study A (Liu et al. 2026) indicators: one indicator id, a whole dimension (``"dim:New laborers"``)
    or a whole system (``"system:inno"``); provinces by name or region (``"East"``), or ``"all"``;
    from a year; ``pct`` (+x %), ``abs`` (+x in the indicator's unit) or ``set`` (set to x); an
    optional compound yearly growth in % from that year on.
``PolicyChange``
    Study B (Wang et al. 2025) AI incentive policies: extra policies per year in given clusters.
``LinkEdit``
    Study B cooperation network: add x cooperative patents a year between two cities, remove the
    link, or scale it by a factor; this changes closeness centrality NC.
"""
from __future__ import annotations

import base64
import json
import math
import zlib
from dataclasses import asdict, dataclass, fields

from sim import schema
from sim.messages import Msg, N_

SCHEMA_VERSION = 1
INDICATOR_MODES = ("pct", "abs", "set")
LINK_MODES = ("add", "remove", "scale")
PARAMETER_SOURCES = ("data", "paper")
CLASS_SCHEMES = ("fixed", "quartile")
# "traditional" = entropy coupling (SPEC 2.3); the others are sim.mlp.METHODS (a test keeps them in step;
# listed here so that validating a link does not import torch)
COUPLING_METHODS = ("traditional", "paper", "crosspred", "cca")
MAX_URL_CHARS = 8000
MAX_JSON_BYTES = 200_000
MAX_CHANGES = 100


def pack_link(data: dict) -> str:
    """Compact JSON, zlib-compressed, base64url without padding: the value of a share-link parameter."""
    packed = zlib.compress(json.dumps(data, separators=(",", ":"), sort_keys=True,
                                      ensure_ascii=False).encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


LINK_OBJECTS = (N_("scenario"), N_("target"))  # what unpack_link's ``what`` may be, for the UI's catalogue


def unpack_link(params, key: str, what: str) -> str:
    """The JSON text carried by ``params[key]`` (a mapping such as ``st.query_params``), validated.

    Raises ``ScenarioError`` saying what is wrong with the link: missing, too long, cut short,
    foreign characters, or expanding to too much data. ``what`` names the object ("scenario").
    """
    value = params.get(key) if hasattr(params, "get") else None
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if not value:
        raise ScenarioError([Msg(N_("The link carries no {what} (no {key} parameter)."), what=Msg(what),
                                 key=repr(key))])
    if not isinstance(value, str) or len(value) > MAX_URL_CHARS:
        raise ScenarioError([Msg(N_("The {what} in the link is too long (over {n} characters)."), what=Msg(what),
                                 n=str(MAX_URL_CHARS))])
    damaged = ScenarioError([Msg(N_("The {what} in the link is damaged (it is not a {what} this app wrote; was "
                                    "the link cut short when copied?)."), what=Msg(what))])
    try:
        # validate=True: characters outside the URL-safe alphabet are an error, not silently dropped
        packed = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise ScenarioError([Msg(N_("The {what} in the link expands to too much data."), what=Msg(what))])
        if not inflater.eof:  # the compressed stream stops early: the link was cut short
            raise damaged
        return text.decode("utf-8")
    except ScenarioError:
        raise
    except (ValueError, zlib.error, UnicodeDecodeError):
        raise damaged from None


class ScenarioError(ValueError):
    """An invalid scenario; ``problems`` lists each problem in plain words."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class IndicatorChange:
    target: str  # indicator id, "dim:<dimension>", or "system:nqpf" / "system:inno"
    provinces: tuple = ("all",)  # canonical province names, region names, or "all"
    from_year: int = 2023
    mode: str = "pct"  # "pct" | "abs" | "set"
    value: float = 0.0
    growth_pct: float = 0.0  # compound growth per year after from_year, in %


@dataclass(frozen=True)
class PolicyChange:
    clusters: tuple = ()  # cluster city names, region names, or "all"
    from_year: int = 2021
    extra_per_year: float = 0.0  # additional AI incentive policies issued each year


@dataclass(frozen=True)
class LinkEdit:
    city_a: str
    city_b: str
    mode: str = "add"  # "add" | "remove" | "scale"
    value: float = 0.0  # cooperative patents per year to add, or the scale factor


@dataclass(frozen=True)
class Scenario:
    """A what-if scenario. The default (no changes) reproduces the baseline exactly."""

    name: str = "Baseline"
    indicator_changes: tuple = ()
    policy_changes: tuple = ()
    link_edits: tuple = ()
    horizon: int = 5  # years projected beyond the last observed year
    parameter_source: str = "data"  # transition matrices and GMM coefficients: "data" or "paper"
    class_scheme: str = "fixed"  # coordination classes: fixed cut-offs or pooled quartiles
    coupling_method: str = "traditional"  # which coupling degree D drives the classes
    n_paths: int = 10_000
    notes: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.indicator_changes or self.policy_changes or self.link_edits)

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        d = asdict(self)
        d["version"] = SCHEMA_VERSION
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes, **context) -> "Scenario":
        if isinstance(text, bytes):
            if len(text) > MAX_JSON_BYTES:
                raise ScenarioError([Msg(N_("Scenario file is {n} bytes; at most {max}."), n=f"{len(text):,}",
                                         max=f"{MAX_JSON_BYTES:,}")])
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ScenarioError([Msg(N_("Scenario file is not UTF-8 text."))]) from None
        if len(text) > MAX_JSON_BYTES:
            raise ScenarioError([Msg(N_("Scenario text is {n} characters; at most {max}."), n=f"{len(text):,}",
                                     max=f"{MAX_JSON_BYTES:,}")])
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError([Msg(N_("Scenario is not valid JSON: {error} at line {line}, column {column}."),
                                     error=exc.msg, line=str(exc.lineno), column=str(exc.colno))]) from None
        except (RecursionError, ValueError):  # nesting too deep, or an integer beyond Python's limit
            raise ScenarioError([Msg(N_("Scenario is not a scenario this app wrote: it is nested too deeply or holds "
                                        "numbers too long to read."))]) from None
        return cls.from_dict(raw, **context)

    def to_query_params(self) -> dict:
        return {"s": pack_link(self.to_dict())}

    @classmethod
    def from_query_params(cls, params, **context) -> "Scenario":
        """Read a scenario from URL query parameters (a mapping; Streamlit's ``st.query_params``)."""
        return cls.from_json(unpack_link(params, "s", "scenario"), **context)

    @classmethod
    def from_dict(cls, raw, *, clusters=None, cities=None, indicator_ids=None, dimensions=None,
                  provinces=None, regions=None) -> "Scenario":
        """Build and validate a scenario from plain data.

        ``clusters`` / ``cities``: the names valid for policy changes and link edits in the loaded
        data (``None`` skips that check, e.g. before city data is loaded).
        """
        problems: list[str] = []
        if not isinstance(raw, dict):
            raise ScenarioError([Msg(N_("A scenario must be a JSON object; found {type}."), type=type(raw).__name__)])
        version = raw.get("version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            problems.append(Msg(N_("Scenario format version {version} is not supported (this app reads version "
                                   "{supported})."), version=repr(version), supported=str(SCHEMA_VERSION)))
        known = {f.name for f in fields(cls)} | {"version"}
        for key in raw:
            if key not in known:
                problems.append(Msg(N_("Unknown scenario field {key}."), key=repr(key)))
        ids = set(indicator_ids or schema.indicator_ids())
        dims = set(dimensions or {i.dimension for i in schema.indicators()})
        provinces = set(provinces or schema.province_names())  # the loaded units (default: the 30 provinces)
        regions = set(schema.REGIONS) | set(regions or ())  # NBS regions and the loaded units' groups

        def num(where, value, lo, hi):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(Msg(N_("{where}: expected a number, found {value}."), where=where, value=repr(value)))
                return 0.0
            if not lo <= value <= hi:
                problems.append(Msg(N_("{where}: {value} is outside the accepted range [{lo}, {hi}]."), where=where,
                                    value=repr(value), lo=str(lo), hi=str(hi)))
            return float(value)

        def year(where, value):
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(Msg(N_("{where}: the year must be a whole number, found {value}."), where=where,
                                    value=repr(value)))
                return 2023
            if not 2000 <= value <= 2100:
                problems.append(Msg(N_("{where}: year {value} is outside 2000-2100."), where=where, value=str(value)))
            return value

        def names(where, value, allowed, what):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
                problems.append(Msg(N_("{where}: expected a list of {what} names, found {value}."), where=where,
                                    what=Msg(what), value=repr(value)))
                return ()
            if allowed is not None:
                for v in value:
                    if v != "all" and v not in allowed and v not in regions:
                        problems.append(Msg(N_("{where}: unknown {what} {value}."), where=where, what=Msg(what),
                                            value=repr(v)))
            return tuple(value)

        def items(key, max_n=MAX_CHANGES):
            value = raw.get(key, [])
            if not isinstance(value, (list, tuple)):
                problems.append(Msg(N_("{key}: expected a list, found {type}."), key=key, type=type(value).__name__))
                return []
            if len(value) > max_n:
                problems.append(Msg(N_("{key}: {n} changes; at most {max}."), key=key, n=str(len(value)),
                                    max=str(max_n)))
                return []
            bad = [i for i, v in enumerate(value, 1) if not isinstance(v, dict)]
            for i in bad:
                problems.append(Msg(N_("{key} #{i}: expected an object."), key=key, i=str(i)))
            return [v for v in value if isinstance(v, dict)]

        ind = []
        for i, c in enumerate(items("indicator_changes"), 1):
            where = Msg(N_("Indicator change #{i}"), i=str(i))
            target = c.get("target")
            if not isinstance(target, str) or not (
                    target in ids or (target.startswith("dim:") and target[4:] in dims)
                    or target in ("system:nqpf", "system:inno")):
                problems.append(Msg(N_("{where}: unknown indicator or dimension {target}."), where=where,
                                    target=repr(target)))
            mode = c.get("mode", "pct")
            if mode not in INDICATOR_MODES:
                problems.append(Msg(N_("{where}: mode must be one of {modes}, found {mode}."), where=where,
                                    modes=", ".join(INDICATOR_MODES), mode=repr(mode)))
            lo, hi = {"pct": (-100.0, 1000.0), "abs": (-1e9, 1e9), "set": (0.0, 1e12)}.get(mode, (-1e9, 1e9))
            ind.append(IndicatorChange(
                target=str(target), provinces=names(where, c.get("provinces", ["all"]), provinces, "province"),
                from_year=year(where, c.get("from_year", 2023)), mode=str(mode),
                value=num(Msg(N_("{where} value"), where=where), c.get("value", 0.0), lo, hi),
                growth_pct=num(Msg(N_("{where} yearly growth"), where=where), c.get("growth_pct", 0.0), -50.0,
                               100.0)))
        pol = []
        for i, c in enumerate(items("policy_changes"), 1):
            where = Msg(N_("Policy change #{i}"), i=str(i))
            pol.append(PolicyChange(
                clusters=names(where, c.get("clusters", ["all"]), None if clusters is None else set(clusters),
                               "cluster"),
                from_year=year(where, c.get("from_year", 2021)),
                extra_per_year=num(Msg(N_("{where} extra policies"), where=where), c.get("extra_per_year", 0.0),
                                   -1000.0, 1000.0)))
        links = []
        for i, c in enumerate(items("link_edits"), 1):
            where = Msg(N_("Link edit #{i}"), i=str(i))
            a, b = c.get("city_a"), c.get("city_b")
            for v in (a, b):
                if not isinstance(v, str) or (cities is not None and v not in cities):
                    problems.append(Msg(N_("{where}: unknown city {value}."), where=where, value=repr(v)))
            if isinstance(a, str) and a == b:
                problems.append(Msg(N_("{where}: a city cannot be linked to itself ({city})."), where=where,
                                    city=repr(a)))
            mode = c.get("mode", "add")
            if mode not in LINK_MODES:
                problems.append(Msg(N_("{where}: mode must be one of {modes}, found {mode}."), where=where,
                                    modes=", ".join(LINK_MODES), mode=repr(mode)))
            lo, hi = (0.0, 100.0) if mode == "scale" else (0.0, 1e6)
            links.append(LinkEdit(str(a), str(b), str(mode), num(Msg(N_("{where} value"), where=where),
                                                                 c.get("value", 0.0), lo, hi)))
        horizon = raw.get("horizon", 5)
        if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 30:
            problems.append(Msg(N_("horizon: expected whole years from 1 to 30, found {value}."), value=repr(horizon)))
            horizon = 5
        n_paths = raw.get("n_paths", 10_000)
        if isinstance(n_paths, bool) or not isinstance(n_paths, int) or not 100 <= n_paths <= 100_000:
            problems.append(Msg(N_("n_paths: expected a whole number from 100 to 100,000, found {value}."),
                                value=repr(n_paths)))
            n_paths = 10_000
        for key, allowed in (("parameter_source", PARAMETER_SOURCES), ("class_scheme", CLASS_SCHEMES)):
            if raw.get(key, allowed[0]) not in allowed:
                problems.append(Msg(N_("{key}: expected one of {allowed}, found {value}."), key=key,
                                    allowed=", ".join(allowed), value=repr(raw.get(key))))
        method = raw.get("coupling_method", "traditional")
        if method not in COUPLING_METHODS:
            problems.append(Msg(N_("{key}: expected one of {allowed}, found {value}."), key="coupling_method",
                                allowed=", ".join(COUPLING_METHODS), value=repr(method)))
        name = raw.get("name", "Scenario")
        notes = raw.get("notes", "")
        if not isinstance(name, str) or len(name) > 120:
            problems.append(Msg(N_("name: expected text of at most 120 characters.")))
        if not isinstance(notes, str) or len(notes) > 2000:
            problems.append(Msg(N_("notes: expected text of at most 2,000 characters.")))
        if problems:
            raise ScenarioError(problems)
        return cls(name=name, indicator_changes=tuple(ind), policy_changes=tuple(pol), link_edits=tuple(links),
                   horizon=horizon, parameter_source=raw.get("parameter_source", "data"),
                   class_scheme=raw.get("class_scheme", "fixed"), coupling_method=method,
                   n_paths=n_paths, notes=notes)
