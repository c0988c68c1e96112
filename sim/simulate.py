"""The what-if engine (SPEC section 4): baseline vs scenario, a pure function of (data, scenario, seed).

Two steps, so the expensive part runs once per dataset and the interactive part is fast:

``prepare(frames, options)``
    Fits the baseline frame of reference once: min/max normalisation and entropy weights
    (Liu et al. 2026, SPEC 2.1-2.3), optionally a trained coupling MLP (passed in, trained
    elsewhere), the coordination classes (fixed cut-offs or the baseline's pooled quartiles), the
    spatial Markov matrices (estimated on the baseline with a contiguity W, or the paper's
    Tables 4-5), the economic-geographic W for Moran's I, and for Study B (Wang et al. 2025) the AI
    clusters, their regression panel and the system-GMM coefficients (estimated, or the paper's
    Table 4 Model 3). Everything is frozen: a scenario moves results only through the data it changes.
``simulate(baseline, scenario, seed)``
    Applies the scenario's changes, re-infers D with the frozen frame (and model), re-classifies,
    computes Moran's I and coupling-fault flags, projects classes jointly with the spatial Markov
    chain (Monte Carlo, seeded), and forecasts cluster innovation from the GMM equation with
    coefficient-uncertainty bands. Baseline and scenario go through the SAME code path with the
    SAME random numbers, so a scenario with no changes reproduces the baseline exactly and
    differences are not Monte Carlo noise.

Documented choices
------------------
* Future years: indicators, policies and links are held at their last observed values (no trend
  is invented); the Markov chain supplies the class dynamics, the GMM equation the TI dynamics.
* Beyond the baseline range: normalised indicators are extrapolated linearly (``beyond_range=
  "extrapolate"``), so raising an indicator of the province that set the baseline maximum still
  moves its D; every such cell is listed in ``SimulationResult.out_of_range`` and the UI says the
  scenario leaves the range the model was fitted on. Values pushed below zero are set to zero and
  reported.
* The class projection runs from the last observed year over the horizon. Its starting classes
  are each province's class under the scenario in the first year after the data (the "launch
  year", with every change that has started by then in force), so a change that starts in the
  launch year moves the starting point; changes that start later move the D path shown but not the
  projection's starting classes. The baseline side starts from the baseline's launch-year classes,
  which equal the last observed year's (future data are held at the last observed values).

Speed (the interactive path; ``bench/scenario.py``)
---------------------------------------------------
Every shortcut returns the same numbers, bit for bit, as the plain route (pinned in
``tests/test_simulate_speedpaths.py``):

* work is done on numpy arrays; pandas frames are built once, where a result is returned;
* ``prepare`` keeps what never changes between scenarios: the last year's links (summed pairs),
  the clusters' regions and policy counts, and the validated cluster history
  (``sim.forecast.history_design``);
* a side that cannot differ is not recomputed: no changed cell -> the scenario's province side is
  the baseline's; no moved IP or NC -> the cluster side is the baseline's; with ``reference`` the
  baseline side is taken from it;
* the class projection depends on the scenario only through the starting classes and the first
  step's lag classes; when both equal the baseline's, the baseline projection is reused;
* NC after link edits: Dijkstra in scipy on the cluster network, the same sums in the same order
  as networkx (``_closeness_after_edits``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import schema
from sim.scenario import IndicatorChange, Scenario

FIXED_CUTOFFS = (0.25, 0.5, 0.75)
CLASS_NAMES = ("Low", "Medium", "High", "Extreme")
TRADITIONAL = "traditional"


@dataclass(frozen=True)
class Options:
    """What a baseline is fitted with; a scenario must name the same options."""

    coupling_method: str = TRADITIONAL
    class_scheme: str = "fixed"  # "fixed" (0.25/0.5/0.75) or "quartile" (baseline pooled quartiles)
    parameter_source: str = "data"  # "data" or "paper" (Markov matrices and GMM coefficients)

    @classmethod
    def of(cls, scenario: Scenario) -> "Options":
        return cls(scenario.coupling_method, scenario.class_scheme, scenario.parameter_source)


@dataclass(frozen=True)
class ProvinceBaseline:
    panel: pd.DataFrame  # the loaded province panel, sorted (province order, year)
    names: tuple  # provinces in W order
    years: tuple
    frame: object  # sim.coupling.EntropyFrame
    model: object | None  # trained coupling model (sim.mlp), or None for the traditional D
    cutoffs: tuple
    class_values: tuple
    P_spatial: np.ndarray  # (k_lag, k, k), never-observed rows all zero
    P_pooled: np.ndarray  # (k, k)
    W_proximity: np.ndarray  # raw contiguity (+ island rule), for the spatial lag
    W_econ: np.ndarray  # row-standardised economic-geographic W, for Moran's I
    matrices_source: str


@dataclass(frozen=True)
class ClusterBaseline:
    panel: pd.DataFrame  # cluster-year regression panel (sim.clusters.regression_panel)
    clusters: tuple
    cities: pd.DataFrame
    links: pd.DataFrame
    coefficients: object  # sim.forecast.Coefficients
    log1p: tuple
    last_year: int
    # precomputed once for the interactive path (derived from the fields above; see prepare):
    last_links: tuple = ()  # ((city_a, city_b), ai_coop) of last_year, pairs sorted and summed
    regions: tuple = ()  # (cluster, region) pairs from data/geo/cities.csv
    last_policies: tuple = ()  # (cluster, ip) raw policy counts in last_year
    design: object = None  # sim.forecast.HistoryDesign of panel and coefficients (None: built per call)


@dataclass(frozen=True)
class Baseline:
    options: Options
    provinces: ProvinceBaseline | None
    clusters: ClusterBaseline | None
    notes: tuple = ()


# ---------------------------------------------------------------------------------------------
# preparation (once per dataset and options)
def prepare(frames: dict, options: Options = Options(), coupling_model=None, boundaries_geojson=None,
            gmm_coefficients=None) -> Baseline:
    """Fit the frozen baseline from loaded frames.

    Parameters
    ----------
    frames : dict
        ``"provinces"`` (province panel, ``sim.schema``), and optionally ``"cities"`` and
        ``"links"`` (Study B). Missing parts simply leave that half of the simulator empty.
    options : Options
    coupling_model : object with ``coupling(X_nqpf, X_inno, groups)``, optional
        A trained ``sim.mlp`` model or ensemble; required when ``options.coupling_method`` is not
        "traditional" (training is the caller's job so it can be cached and show progress).
    boundaries_geojson : dict, optional
        Boundary FeatureCollection for contiguity; default the shipped Natural Earth layer.
    gmm_coefficients : sim.forecast.Coefficients, optional
        Pre-estimated coefficients for ``parameter_source="data"`` (else estimated here).
    """
    notes: list[str] = []
    # Loader metadata in DataFrame.attrs is deep-copied by pandas on every operation: drop it from
    # the frozen baseline (it was shown when the data were loaded) so the hot path stays fast.
    frames = {k: (v.copy() if v is not None else None) for k, v in frames.items()}
    for v in frames.values():
        if v is not None:
            v.attrs = {}
    prov = None
    if frames.get("provinces") is not None:
        prov = _prepare_provinces(frames["provinces"], options, coupling_model, boundaries_geojson, notes)
    clus = None
    if frames.get("cities") is not None and frames.get("links") is not None:
        clus = _prepare_clusters(frames["cities"], frames["links"], options, gmm_coefficients, notes)
    return Baseline(options, prov, clus, tuple(notes))


def _prepare_provinces(panel, options, model, boundaries_geojson, notes) -> ProvinceBaseline:
    import json

    from sim import markov, weights
    from sim.coupling import EntropyFrame

    order = {n: i for i, n in enumerate(schema.province_names())}
    panel = panel.sort_values([schema.PROVINCE, schema.YEAR], key=lambda s: s.map(order)
                              if s.name == schema.PROVINCE else s).reset_index(drop=True)
    names = tuple(dict.fromkeys(panel[schema.PROVINCE]))
    years = tuple(sorted(panel[schema.YEAR].unique()))
    if options.coupling_method != TRADITIONAL and model is None:
        raise ValueError(f"coupling method {options.coupling_method!r} needs a trained model")
    frame = EntropyFrame.fit(panel)
    base_hist = _measure(frame, model if options.coupling_method != TRADITIONAL else None, panel)
    D_hist = _wide(base_hist, "D", names, years)
    if options.class_scheme == "quartile":
        cutoffs = markov.pooled_quartile_cutoffs(D_hist.to_numpy())
    else:
        cutoffs = FIXED_CUTOFFS
    cls = markov.classify(D_hist.to_numpy(), cutoffs)
    vals = D_hist.to_numpy()
    mids = (0.125, 0.375, 0.625, 0.875)
    class_values = tuple(float(vals[cls == c].mean()) if (cls == c).any() else mids[c] for c in range(4))
    if options.class_scheme == "fixed":
        class_values = mids
    by = {p.name: p for p in schema.provinces()}
    lat = np.array([by[n].capital_lat for n in names])
    lon = np.array([by[n].capital_lon for n in names])
    gj = boundaries_geojson
    if gj is None:
        gj = json.loads((schema.DATA_DIR / "geo" / "provinces_ne10m_simplified.geojson").read_text("utf-8"))
    W_prox = weights.contiguity_from_geojson(gj, list(names), lat, lon)
    pgdp = weights.long_run_mean_pgdp(panel, list(names))
    W_econ = weights.row_standardise(weights.econ_geo_weights(lat, lon, pgdp))
    if options.parameter_source == "paper":
        pm = markov.paper_transition_matrices()
        P_sp, P_pool = pm.P_spatial.copy(), pm.P_traditional.copy()
        source = "the paper's Tables 4-5 (Liu et al. 2026)"
        if options.class_scheme == "fixed":
            notes.append("The paper's transition matrices count transitions between pooled-quartile "
                         "classes; they are applied here to the fixed-cut-off classes you chose.")
    else:
        sm = markov.spatial_markov(D_hist.to_numpy(), W_prox, cutoffs=cutoffs)
        P_sp, P_pool = np.nan_to_num(sm.P, nan=0.0), np.nan_to_num(sm.pooled.P, nan=0.0)
        source = "estimated on the loaded data"
    return ProvinceBaseline(panel, names, years, frame, model if options.coupling_method != TRADITIONAL else None,
                            tuple(float(c) for c in cutoffs), class_values, P_sp, P_pool, W_prox, W_econ, source)


def _prepare_clusters(cities, links, options, coefficients, notes) -> ClusterBaseline | None:
    from sim import clusters as cl
    from sim import forecast

    ident = cl.identify_clusters(cities, links)
    names = tuple(ident.clusters)
    if not names:
        notes.append("No AI cluster was identified in the loaded city data; the cluster forecast is off.")
        return None
    panel = cl.regression_panel(cities, links, names)
    gaps = panel[panel["NC"].isna()]
    if len(gaps):
        # A cluster-year with no inter-regional link has no NC (sim.clusters). The forecast needs a
        # complete history to recover fixed effects, so such years take the cluster's nearest
        # observed NC; the estimation itself (GMM) still sees them as missing.
        notes.append("No inter-regional link, NC taken from the nearest year for the forecast: "
                     + ", ".join(f"{r.cluster} {r.year}" for r in gaps.itertuples()) + ".")
    if options.parameter_source == "paper":
        coefs = forecast.Coefficients.from_paper(model=3)
    elif coefficients is not None:
        coefs = coefficients
    else:
        from sim.robustness import wang_model

        coefs = coefficients_from_gmm(wang_model(panel, model=3).fit(), panel)
    hist = panel.copy()
    hist["NC"] = hist.groupby("cluster")["NC"].transform(lambda s: s.ffill().bfill())
    hist = hist[hist["NC"].notna()].drop(columns=["IPxNC"], errors="ignore")
    last = int(panel[schema.YEAR].max())
    grouped = edit_links(links, (), last)
    last_links = tuple(zip(zip(grouped["city_a"].tolist(), grouped["city_b"].tolist()),
                           grouped["ai_coop"].to_numpy(dtype=float).tolist()))
    city_region = _city_regions()
    regions = tuple((c, city_region[c]) for c in names if c in city_region)
    raw_last = cities[(cities[schema.CITY].isin(names)) & (cities[schema.YEAR] == last)]
    last_policies = tuple(zip(raw_last[schema.CITY].tolist(), raw_last["ip"].to_numpy(dtype=float).tolist()))
    return ClusterBaseline(hist, names, cities, links, coefs, tuple(panel.attrs.get("log1p", ())),
                           last, last_links, regions, last_policies, forecast.history_design(hist, coefs))


GMM_TO_FORECAST = {"L.TI": "L.TI", "L1.TI": "L.TI", "IP": "IP", "NC": "NC", "IPxNC": "IP*NC",
                   "ED": "ED", "IC": "IC", "IE": "IE", "_cons": "_cons"}


def coefficients_from_gmm(result, panel: pd.DataFrame):
    """Forecast coefficients from a two-step system GMM fit of Wang et al. (2025) Eq. (3).

    Uses the Windmeijer-corrected covariance of the estimates and the centring means of IP and NC
    stored by ``sim.clusters.regression_panel`` (``attrs["centring"]``).
    """
    from sim.forecast import TERMS, Coefficients

    names = [n for n in result.params.index if n in GMM_TO_FORECAST]
    unknown = [n for n in result.params.index if n not in GMM_TO_FORECAST]
    if unknown:
        raise ValueError(f"GMM terms {unknown} have no place in the forecast equation")
    p = pd.Series(0.0, index=list(TERMS))
    cov = pd.DataFrame(0.0, index=list(TERMS), columns=list(TERMS))
    mapped = [GMM_TO_FORECAST[n] for n in names]
    p[mapped] = result.params[names].to_numpy()
    cov.loc[mapped, mapped] = result.cov.loc[names, names].to_numpy()
    cov = (cov + cov.T) / 2
    centring = panel.attrs.get("centring", {"IP": 0.0, "NC": 0.0})
    return Coefficients(p, cov, centring["IP"], centring["NC"],
                        source="two-step system GMM on the loaded data (Windmeijer-corrected covariance)")


# ---------------------------------------------------------------------------------------------
# measurement with the frozen frame
def _measure(frame, model, panel: pd.DataFrame) -> pd.DataFrame:
    """h, C, T, D for each row with the frozen baseline frame (and model).

    The numbers of ``frame.transform(panel, beyond_range="extrapolate")`` (Liu et al. 2026,
    SPEC 2.1-2.3: the same ``EntropyFrame.indices`` and ``traditional_ccd`` calls), with the result
    frame built in one go (assigning columns one by one is slow in pandas).
    """
    from sim.coupling import traditional_ccd

    h1, h2 = frame.indices(panel, beyond_range="extrapolate")
    C, T, D = traditional_ccd(h1, h2)
    cols = {c: panel[c].to_numpy() for c in (schema.PROVINCE, schema.YEAR) if c in panel.columns}
    out = pd.DataFrame({**cols, "h_nqpf": h1, "h_inno": h2, "C": C, "T": T, "D": D}, index=panel.index)
    if model is not None:
        Zn = frame.normalise(panel, "nqpf", beyond_range="extrapolate")
        Zi = frame.normalise(panel, "inno", beyond_range="extrapolate")
        C = np.asarray(model.coupling(Zn, Zi, groups=panel[schema.PROVINCE].to_numpy()), dtype=float)
        out["C"] = C
        out["D"] = np.sqrt(C * np.maximum(out["T"].to_numpy(), 0.0))
    return out


def _wide(tidy: pd.DataFrame, column: str, names, years) -> pd.DataFrame:
    """provinces x years table of one column (``pivot`` then ``reindex``, done on arrays)."""
    return _wide_arrays(tidy, names, years, (column,))[0]


def _wide_arrays(tidy: pd.DataFrame, names, years, columns) -> list:
    """Several provinces x years tables at once; NaN where a province-year has no row.

    Raises ValueError on a repeated province-year (``DataFrame.pivot`` refuses those too).
    """
    names, years = list(names), list(years)
    p = pd.Index(names).get_indexer(tidy[schema.PROVINCE].to_numpy())
    y = pd.Index(years).get_indexer(tidy[schema.YEAR].to_numpy())
    keep = (p >= 0) & (y >= 0)
    cell = p[keep] * len(years) + y[keep]
    if np.bincount(cell, minlength=len(names) * len(years)).max(initial=0) > 1:
        raise ValueError("the panel repeats a province-year; expected one row per province and year")
    index = pd.Index(names, name=schema.PROVINCE)
    cols = pd.Index(years, name=schema.YEAR)
    out = []
    for c in columns:
        a = np.full(len(names) * len(years), np.nan)
        a[cell] = tidy[c].to_numpy(dtype=float)[keep]
        out.append(pd.DataFrame(a.reshape(len(names), len(years)), index=index, columns=cols))
    return out


def extend_panel(panel: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The observed panel plus ``horizon`` future years holding each province's last values."""
    year = panel[schema.YEAR].to_numpy()
    last_year = int(year.max())
    if panel[schema.YEAR].dtype != np.int64:  # general route (any year dtype)
        last = panel[panel[schema.YEAR] == last_year]
        future = [last.assign(**{schema.YEAR: last_year + h}) for h in range(1, horizon + 1)]
        return pd.concat([panel, *future], ignore_index=True)
    # the same rows as concatenating ``horizon`` copies of the last year, in one take
    last = np.flatnonzero(year == last_year)
    out = panel.take(np.concatenate([np.arange(len(panel)), np.tile(last, horizon)])).reset_index(drop=True)
    out[schema.YEAR] = np.concatenate([year, np.repeat(last_year + np.arange(1, horizon + 1), last.size)])
    return out


def _targets(change: IndicatorChange) -> list[str]:
    t = change.target
    if t.startswith("system:"):
        return schema.indicator_ids(t.split(":", 1)[1])
    if t.startswith("dim:"):
        return [i.id for i in schema.indicators() if i.dimension == t[4:]]
    return [t]


def _provinces(change_provinces, names) -> list[str]:
    regions = schema.province_regions()
    out = []
    for p in change_provinces:
        if p == "all":
            out.extend(names)
        elif p in schema.REGIONS:
            out.extend(n for n in names if regions.get(n) == p)
        elif p in names:
            out.append(p)
    return list(dict.fromkeys(out))


def apply_indicator_changes(panel: pd.DataFrame, changes) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Apply indicator changes in order.

    Returns the changed panel, a long table of touched cells (province, year, indicator,
    baseline, scenario) and a list of notes (e.g. values floored at zero, provinces not in the data).

    The changes are applied to one float matrix of the indicator columns and written back once
    (pandas ``.loc`` assignments per column are slow); changed columns come back as float.
    """
    ind = schema.indicator_ids()
    if not changes:  # nothing to apply: the panel, and an empty table typed as below
        missing = [c for c in ind if c not in panel.columns]
        if missing:
            raise KeyError(f"{missing} not in the panel's columns")
        none = np.zeros(0, dtype=np.intp)
        touched = pd.DataFrame({schema.PROVINCE: panel[schema.PROVINCE].to_numpy()[none],
                                schema.YEAR: panel[schema.YEAR].to_numpy()[none],
                                "indicator": np.asarray(ind, dtype=object)[none],
                                "baseline": np.zeros(0), "scenario": np.zeros(0)})
        return panel.copy(), touched, []
    col_pos = {c: j for j, c in enumerate(ind)}
    unknown = sorted({col for ch in changes for col in _targets(ch)} - set(col_pos))
    if unknown:
        raise KeyError(f"{unknown} are not indicator columns")
    names = list(dict.fromkeys(panel[schema.PROVINCE].tolist()))
    prov = panel[schema.PROVINCE].to_numpy()
    year = panel[schema.YEAR].to_numpy()
    notes = []
    X0 = panel[ind].to_numpy(dtype=float)
    X = X0.copy()
    moved = []
    for ch in changes:
        provs = _provinces(ch.provinces, names)
        missing = [p for p in ch.provinces if p not in ("all", *schema.REGIONS) and p not in names]
        if missing:
            notes.append(f"Not in the loaded data, change ignored for: {', '.join(missing)}.")
        rows = np.isin(prov, provs) & (year >= ch.from_year)
        if not rows.any():
            continue
        growth = (1.0 + ch.growth_pct / 100.0) ** (year[rows] - ch.from_year)
        for col in _targets(ch):
            j = col_pos[col]
            x = X[rows, j]
            if ch.mode == "pct":
                new = x * (1.0 + ch.value / 100.0)
            elif ch.mode == "abs":
                new = x + ch.value
            else:
                new = np.full_like(x, ch.value)
            new = new * growth
            if (new < 0).any():
                notes.append(f"{col}: {int((new < 0).sum())} value(s) would fall below zero; set to zero.")
                new = np.maximum(new, 0.0)
            X[rows, j] = new
            moved.append(j)
    out = panel.copy()
    for j in sorted(set(moved)):
        out[ind[j]] = X[:, j]
    diff = X != X0
    r, c = np.nonzero(diff)
    touched = pd.DataFrame({schema.PROVINCE: prov[r], schema.YEAR: year[r],
                            "indicator": np.asarray(ind, dtype=object)[c],
                            "baseline": X0[r, c], "scenario": X[r, c]})
    return out, touched, notes


# ---------------------------------------------------------------------------------------------
# results
@dataclass(frozen=True)
class ProvinceSide:
    """One side (baseline or scenario) of the Study A simulation."""

    measures: pd.DataFrame  # province, year, h_nqpf, h_inno, C, T, D, class (history + future)
    D: pd.DataFrame  # provinces x years (history + future)
    projection: object  # sim.projection.ProjectionResult from the launch year
    moran: object  # sim.moran.GlobalMoran in the launch year
    faults: pd.DataFrame  # coupling-fault flags over history + future


@dataclass(frozen=True)
class ClusterSide:
    forecast: object  # sim.forecast result
    exog: pd.DataFrame  # future IP, NC, ... per cluster-year
    nc_last: pd.Series  # NC per cluster in the launch year


@dataclass(frozen=True)
class SimulationResult:
    scenario: Scenario
    seed: int
    launch_year: int | None
    baseline_provinces: ProvinceSide | None
    scenario_provinces: ProvinceSide | None
    touched: pd.DataFrame
    out_of_range: pd.DataFrame
    baseline_clusters: ClusterSide | None
    scenario_clusters: ClusterSide | None
    notes: tuple = ()
    summary: tuple = field(default=())

    def d_table(self) -> pd.DataFrame:
        """province, year, D_baseline, D_scenario, change, class_baseline, class_scenario."""
        if self.baseline_provinces is None:
            return pd.DataFrame()
        b = self.baseline_provinces.measures
        s = self.scenario_provinces.measures
        out = b[[schema.PROVINCE, schema.YEAR]].copy()
        out["D_baseline"], out["D_scenario"] = b["D"].to_numpy(), s["D"].to_numpy()
        out["change"] = out["D_scenario"] - out["D_baseline"]
        out["class_baseline"] = [CLASS_NAMES[c] for c in b["class"]]
        out["class_scenario"] = [CLASS_NAMES[c] for c in s["class"]]
        out["future"] = out[schema.YEAR] >= (self.launch_year or 10**6)
        return out

    def shares_table(self) -> pd.DataFrame:
        """National class shares per projected year, baseline and scenario, with 90 % bands."""
        if self.baseline_provinces is None:
            return pd.DataFrame()
        parts = []
        for side, ps in (("baseline", self.baseline_provinces), ("scenario", self.scenario_provinces)):
            f = ps.projection.shares_frame()
            f["class"] = [CLASS_NAMES[c] for c in f["class"]]
            f.insert(0, "side", side)
            parts.append(f)
        return pd.concat(parts, ignore_index=True)

    def ti_table(self) -> pd.DataFrame:
        """Cluster TI forecasts, baseline and scenario, with bands."""
        if self.baseline_clusters is None:
            return pd.DataFrame()
        parts = []
        for side, cs in (("baseline", self.baseline_clusters), ("scenario", self.scenario_clusters)):
            f = cs.forecast.to_frame()
            f.insert(0, "side", side)
            parts.append(f)
        return pd.concat(parts, ignore_index=True)

    def tables(self) -> dict:
        """Every result as a DataFrame, for CSV/Excel download."""
        out = {"coupling_D": self.d_table(), "class_shares": self.shares_table(),
               "touched_cells": self.touched, "out_of_range": self.out_of_range,
               "cluster_TI": self.ti_table()}
        if self.baseline_provinces is not None:
            for side, ps in (("baseline", self.baseline_provinces), ("scenario", self.scenario_provinces)):
                p = ps.projection.to_frame()
                p["class"] = [CLASS_NAMES[c] for c in p["class"]]
                out[f"class_probabilities_{side}"] = p
                out[f"faults_{side}"] = ps.faults
        out["summary"] = pd.DataFrame({"statement": list(self.summary)})
        return {k: v for k, v in out.items() if v is not None and len(v.columns)}


# ---------------------------------------------------------------------------------------------
# simulation
def simulate(baseline, scenario: Scenario, seed: int = 0, reference=None) -> SimulationResult:
    """Baseline and scenario side by side; a pure function of (baseline data, scenario, seed).

    ``baseline`` is a :class:`Baseline` from :func:`prepare` (or a dict of frames, which is
    prepared first with the scenario's options and no trained MLP). ``reference`` may be the
    result of ``simulate(baseline, Scenario(horizon=..., n_paths=...), seed)`` for the same
    baseline, horizon, paths and seed: its baseline side is then reused instead of recomputed
    (the interactive path; the numbers are identical either way).
    """
    if isinstance(baseline, dict):
        baseline = prepare(baseline, Options.of(scenario))
    if Options.of(scenario) != baseline.options:
        raise ValueError(f"the scenario asks for {Options.of(scenario)} but the baseline was prepared "
                         f"with {baseline.options}; prepare a matching baseline")
    notes = list(baseline.notes)
    pb = baseline.provinces
    b_side = s_side = None
    oor = pd.DataFrame()
    launch = None
    if pb is None:
        touched = pd.DataFrame(columns=[schema.PROVINCE, schema.YEAR, "indicator", "baseline", "scenario"])
        if scenario.indicator_changes:
            notes.append("No province panel is loaded: indicator changes have no effect.")
    else:
        launch = int(max(pb.years)) + 1
        if not scenario.indicator_changes and _reusable(reference, scenario, seed):
            # nothing to perturb and the baseline side is given: no future panel is needed
            ext = pb.panel.iloc[:0]
        else:
            ext = extend_panel(pb.panel, scenario.horizon)
        scen_panel, touched, change_notes = apply_indicator_changes(ext, scenario.indicator_changes)
        notes += change_notes
        b_side = (reference.baseline_provinces if _reusable(reference, scenario, seed)
                  else _province_side(pb, ext, scenario, seed, launch))
        # no changed cell: the scenario side IS the baseline side (same data, same seed)
        s_side = b_side if touched.empty else _province_side(pb, scen_panel, scenario, seed, launch, b_side)
        if len(touched):
            oor = pb.frame.out_of_range(scen_panel)
    cb = baseline.clusters
    b_cl = s_cl = None
    if cb is not None:
        ref_cl = reference.baseline_clusters if _reusable(reference, scenario, seed) else None
        b_cl, s_cl, cl_notes = _cluster_sides(cb, scenario, seed, ref_cl)
        notes += cl_notes
    elif scenario.policy_changes or scenario.link_edits:
        notes.append("No AI clusters in the loaded city data: policy and link changes have no effect.")
    res = SimulationResult(scenario, seed, launch, b_side, s_side, touched, oor, b_cl, s_cl, tuple(notes))
    return SimulationResult(**{**res.__dict__, "summary": tuple(describe(res))})


def _reusable(reference, scenario: Scenario, seed: int) -> bool:
    return (reference is not None and reference.seed == seed
            and reference.scenario.horizon == scenario.horizon
            and reference.scenario.n_paths == scenario.n_paths)


def _province_side(pb: ProvinceBaseline, panel: pd.DataFrame, scenario: Scenario, seed: int,
                   launch: int, same_inputs: ProvinceSide | None = None) -> ProvinceSide:
    """One side of Study A: D with the frozen frame, classes, projection, Moran, faults.

    ``same_inputs`` is another side of the SAME baseline, horizon, paths and seed (the baseline
    side, when this is the scenario side). The projection is a function of the starting classes
    and the first step's lag classes (everything else is the baseline's); when both equal that
    side's, its projection is reused: bit for bit what projecting again would give.
    """
    from sim import markov, projection
    from sim.early_warning import coupling_faults
    from sim.moran import global_moran

    m = _measure(pb.frame, pb.model, panel)
    m["class"] = markov.classify(m["D"].to_numpy(), pb.cutoffs)
    years = tuple(np.unique(m[schema.YEAR].to_numpy()).tolist())
    D, H_inno = _wide_arrays(m, pb.names, years, ("D", "h_inno"))
    d0 = D[launch].to_numpy()
    init = markov.classify(d0, pb.cutoffs)
    proj = None
    if same_inputs is not None and np.array_equal(init, same_inputs.projection.initial_classes):
        Wrs = projection.row_standardise(pb.W_proximity)
        other = same_inputs.D[launch].to_numpy()
        if np.array_equal(projection.first_lag_classes(Wrs, d0, pb.cutoffs),
                          projection.first_lag_classes(Wrs, other, pb.cutoffs)):
            proj = same_inputs.projection
    if proj is None:
        proj = projection.project_spatial_markov(
            init, pb.P_spatial, pb.W_proximity, horizon=scenario.horizon, n_paths=scenario.n_paths,
            seed=seed, lag_cutoffs=pb.cutoffs, class_values=pb.class_values, P_fallback=pb.P_pooled,
            initial_values=d0, start_year=launch - 1, labels=pb.names)
    moran = global_moran(d0, pb.W_econ, permutations=199, seed=seed)
    faults = coupling_faults(H_inno, D)
    return ProvinceSide(m, D, proj, moran, faults)


def _cluster_sides(cb: ClusterBaseline, scenario: Scenario, seed: int, reference: ClusterSide | None = None):
    """Baseline and scenario cluster forecasts (Wang et al. 2025 Eq. 3 iterated forward).

    Works on numpy arrays (one pandas frame is built only for a scenario that moves something);
    NC after link edits comes from :func:`_closeness_after_edits`, equal to
    ``sim.clusters.closeness_centrality`` on :func:`edit_links` (tests pin the equality).
    """
    from sim import forecast

    notes = []
    horizon = scenario.horizon
    hist = cb.panel if cb.design is None else cb.design  # the same history, validated once
    offset = 1.0 if "TI" in cb.log1p else 0.0
    if reference is not None:
        base_exog, nc_base = reference.exog, reference.nc_last
    else:
        base_exog = forecast.hold_last(cb.panel, horizon)
        nc_base = base_exog.groupby("cluster")["NC"].first().reindex(list(cb.clusters))
    b_side = reference or ClusterSide(
        forecast.forecast_ti(hist, base_exog, cb.coefficients, horizon, seed=seed, log_offset=offset),
        base_exog, nc_base)
    if not (scenario.policy_changes or scenario.link_edits):
        return b_side, b_side, notes
    last = cb.last_year
    ex_cluster = base_exog["cluster"].to_numpy()
    ex_year = base_exog[schema.YEAR].to_numpy()
    ip_base = base_exog["IP"].to_numpy(dtype=float)
    ip = ip_base.copy()
    use_log1p = "IP" in cb.log1p
    if scenario.policy_changes:
        policies_last = _last_policies(cb)
    for ch in scenario.policy_changes:
        targets = _cluster_targets(ch.clusters, cb)
        unknown = [c for c in ch.clusters if c != "all" and c not in schema.REGIONS and c not in cb.clusters]
        if unknown:
            notes.append(f"Not an identified AI cluster in the loaded data, policy change ignored for: "
                         f"{', '.join(unknown)}.")
        rows = np.isin(ex_cluster, targets) & (ex_year >= ch.from_year)
        base_count = np.array([policies_last.get(c, np.nan) for c in ex_cluster[rows]], dtype=float)
        current = ip[rows]
        # IP is ln(policies) or ln(1 + policies): move the count, then transform as the baseline did
        count = (np.expm1(current) if use_log1p else np.exp(current))
        count = np.where(np.isfinite(count), count, base_count) + ch.extra_per_year
        if (count <= (0 if not use_log1p else -1)).any():
            notes.append("Some policy counts would fall to zero or below; held at the smallest loggable value.")
        count = np.maximum(count, 0.0 if use_log1p else 1.0)
        ip[rows] = np.log1p(count) if use_log1p else np.log(count)
    nc_scen = nc_base.copy()
    nc_col = base_exog["NC"].to_numpy(dtype=float)
    if scenario.link_edits:
        clusters = list(cb.clusters)
        nc_log = np.log(_closeness_after_edits(cb, scenario.link_edits))
        nc_scen = pd.Series(nc_log, index=pd.Index(clusters, name="cluster"), name="closeness")
        by_cluster = dict(zip(clusters, nc_log.tolist()))
        nc_col = np.array([by_cluster.get(c, np.nan) for c in ex_cluster], dtype=float)
        missing = [c for c, v in zip(clusters, nc_log) if np.isnan(v)]
        if missing:
            notes.append("After the link edits these clusters have no inter-regional link, so no NC: "
                         + ", ".join(missing) + " (their forecast is undefined).")
    if (np.array_equal(ip, ip_base, equal_nan=True)
            and np.array_equal(nc_col, base_exog["NC"].to_numpy(dtype=float), equal_nan=True)):
        return b_side, b_side, notes  # nothing moved: the scenario side IS the baseline side
    scen_exog = base_exog.copy()
    scen_exog["IP"] = ip
    if scenario.link_edits:
        scen_exog["NC"] = nc_col
    s = forecast.forecast_ti(hist, scen_exog, cb.coefficients, horizon, seed=seed, log_offset=offset)
    return b_side, ClusterSide(s, scen_exog, nc_scen), notes


def _last_policies(cb: ClusterBaseline) -> dict:
    """Raw policy count of each cluster in the last observed year (cluster -> ip)."""
    if cb.last_policies:
        return dict(cb.last_policies)
    raw_last = cb.cities[(cb.cities[schema.CITY].isin(cb.clusters)) & (cb.cities[schema.YEAR] == cb.last_year)]
    pl = raw_last.set_index(schema.CITY)["ip"].reindex(list(cb.clusters))
    return {c: float(v) for c, v in pl.items() if not np.isnan(v)}


def _edited_pairs(cb: ClusterBaseline, edits) -> dict:
    """The last year's links ``{(city_a, city_b): ai_coop}`` after the edits; same rules as
    :func:`edit_links` (pairs sorted, remove / scale / add, non-positive links dropped)."""
    if cb.last_links:
        cur = dict(cb.last_links)
    else:
        g = edit_links(cb.links, (), cb.last_year)
        cur = dict(zip(zip(g["city_a"].tolist(), g["city_b"].tolist()), g["ai_coop"].to_numpy(dtype=float).tolist()))
    for e in edits:
        key = tuple(sorted((e.city_a, e.city_b)))
        if e.mode == "remove":
            cur.pop(key, None)
        elif e.mode == "scale":
            if key in cur:
                cur[key] = cur[key] * e.value
        elif key in cur:
            cur[key] = cur[key] + e.value
        elif e.value > 0:
            cur[key] = float(e.value)
    return {k: v for k, v in cur.items() if v > 0}


def _closeness_after_edits(cb: ClusterBaseline, edits) -> np.ndarray:
    """Closeness centrality NC (not logged) of every cluster in the last year after link edits.

    Wang et al. (2025) Eq. 2 on the cluster network, exactly as ``sim.clusters.closeness_centrality``
    with ``nodes="clusters"`` (networkx, Wasserman-Faust form): edge length 1 / ai_coop, shortest
    paths by Dijkstra (scipy.sparse.csgraph; each distance is the same sum, in the same order, as
    networkx's), the distances summed in non-decreasing order as networkx does; NaN for a cluster
    without a link. Shape (n_clusters,), in ``cb.clusters`` order.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import dijkstra

    clusters = list(cb.clusters)
    pairs = _edited_pairs(cb, edits)
    for a, b in pairs:
        if a == b:
            raise ValueError(f"links_df pairs a city with itself ({a!r}, year {cb.last_year}); "
                             "cooperation inside a city belongs in the city panel's 'ai_coop_intra'.")
    cset = set(clusters)
    edges = [(a, b, w) for (a, b), w in pairs.items() if a in cset and b in cset]
    nodes = {}
    for a, b, _ in edges:
        nodes.setdefault(a, len(nodes))
        nodes.setdefault(b, len(nodes))
    n = len(nodes)
    out = np.full(len(clusters), np.nan)
    present = [i for i, c in enumerate(clusters) if c in nodes]
    if not present:
        return out
    ia = np.array([nodes[a] for a, _, _ in edges])
    ib = np.array([nodes[b] for _, b, _ in edges])
    length = np.array([1.0 / float(w) for _, _, w in edges])
    G = coo_array((length, (ia, ib)), shape=(n, n)).tocsr()
    dist = dijkstra(G, directed=False, indices=[nodes[clusters[i]] for i in present])
    for i, row in zip(present, dist):
        reach = np.sort(row[np.isfinite(row)])
        tot = sum(reach.tolist())
        r = reach.size
        nc = 0.0
        if tot > 0.0 and n > 1:
            nc = (r - 1.0) / tot
            nc *= (r - 1.0) / (n - 1)
        out[i] = float(nc) if nc > 0 else np.nan
    return out


def _cluster_targets(names, cb: ClusterBaseline) -> list[str]:
    out = []
    city_region = dict(cb.regions) if cb.regions else _city_regions()
    for n in names:
        if n == "all":
            out.extend(cb.clusters)
        elif n in schema.REGIONS:
            out.extend(c for c in cb.clusters if city_region.get(c) == n)
        elif n in cb.clusters:
            out.append(n)
    return list(dict.fromkeys(out))


def _city_regions() -> dict:
    path = schema.DATA_DIR / "geo" / "cities.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path, usecols=["city", "region"])
    return dict(zip(df["city"], df["region"]))


def edit_links(links: pd.DataFrame, edits, year: int) -> pd.DataFrame:
    """The cooperation links of ``year`` with the scenario's edits applied (add / remove / scale)."""
    cur = links[links[schema.YEAR] == year][["city_a", "city_b", schema.YEAR, "ai_coop"]].copy()
    a = cur[["city_a", "city_b"]].min(axis=1)
    b = cur[["city_a", "city_b"]].max(axis=1)
    cur["city_a"], cur["city_b"] = a, b
    cur = cur.groupby(["city_a", "city_b", schema.YEAR], as_index=False)["ai_coop"].sum()
    for e in edits:
        x, y = sorted((e.city_a, e.city_b))
        hit = (cur["city_a"] == x) & (cur["city_b"] == y)
        if e.mode == "remove":
            cur = cur[~hit]
        elif e.mode == "scale":
            cur.loc[hit, "ai_coop"] = cur.loc[hit, "ai_coop"] * e.value
        elif hit.any():
            cur.loc[hit, "ai_coop"] = cur.loc[hit, "ai_coop"] + e.value
        elif e.value > 0:
            cur = pd.concat([cur, pd.DataFrame({"city_a": [x], "city_b": [y], schema.YEAR: [year],
                                                "ai_coop": [float(e.value)]})], ignore_index=True)
    return cur[cur["ai_coop"] > 0].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
def describe(res: SimulationResult) -> list[str]:
    """The "what changed" summary in plain words and numbers."""
    out = []
    if res.scenario.is_empty:
        out.append("No changes: the scenario equals the baseline.")
    bp, sp = res.baseline_provinces, res.scenario_provinces
    if bp is not None and len(res.touched):
        L = res.launch_year
        last = max(bp.D.columns)
        provs = list(dict.fromkeys(res.touched[schema.PROVINCE]))
        # plain dicts of the last year's D and class (a boolean mask per province is slow in pandas)
        db = dict(zip(bp.D.index, bp.D[last].to_numpy()))
        ds = dict(zip(sp.D.index, sp.D[last].to_numpy()))
        cb_last, cs_last = _classes_in(bp.measures, last), _classes_in(sp.measures, last)
        for p in provs[:8]:
            d0, d1 = db[p], ds[p]
            c0, c1 = CLASS_NAMES[cb_last[p]], CLASS_NAMES[cs_last[p]]
            move = f"; class {c0} -> {c1}" if c0 != c1 else f"; stays {c1}"
            out.append(f"{p}: coupling coordination D in {last} {d0:.3f} -> {d1:.3f} ({d1 - d0:+.3f}){move}.")
        if len(provs) > 8:
            out.append(f"... and {len(provs) - 8} more provinces changed.")
        others = [p for p in bp.D.index if p not in provs]
        moved = [p for p in others if abs(ds[p] - db[p]) > 1e-12]
        if moved:
            out.append(f"Warning: D changed in {len(moved)} untouched province(s).")
        hb = bp.projection.national_shares[-1, 2:, 0].sum()
        hs = sp.projection.national_shares[-1, 2:, 0].sum()
        yr = int(bp.projection.years[-1])
        out.append(f"Share of provinces at high or extreme coordination in {yr}: {hb:.1%} baseline, "
                   f"{hs:.1%} scenario (spatial Markov projection from {L}, {res.scenario.n_paths:,} paths).")
        out.append(f"Moran's I of D in {L}: {bp.moran.I:.3f} baseline, {sp.moran.I:.3f} scenario.")
        nb = int(bp.faults["flagged"].sum())
        ns = int(sp.faults["flagged"].sum())
        if nb != ns:
            out.append(f"Coupling-fault flags (input up, coordination stalled): {nb} baseline, {ns} scenario.")
        if len(res.out_of_range):
            out.append(f"{len(res.out_of_range)} changed value(s) lie outside the range the baseline was "
                       "fitted on; their effect on D is extrapolated linearly.")
    bc, sc = res.baseline_clusters, res.scenario_clusters
    if bc is not None and (res.scenario.policy_changes or res.scenario.link_edits):
        fcb, fcs = bc.forecast, sc.forecast
        yr = int(np.max(fcb.years))
        j = int(np.flatnonzero(np.asarray(fcb.years) == yr)[0])
        idx = pd.Index(list(fcb.clusters), name="cluster")
        pat_b = dict(zip(fcb.clusters, fcb.patents_point[:, j].tolist()))
        pat_s = dict(zip(fcs.clusters, fcs.patents_point[:, j].tolist()))
        if tuple(fcs.clusters) == tuple(fcb.clusters):
            delta = pd.Series(fcs.point[:, j] - fcb.point[:, j], index=idx, name="ti").dropna()
        else:  # not reached by simulate (both sides share the history's clusters); align by label
            delta = (pd.Series(fcs.point[:, j], index=pd.Index(list(fcs.clusters), name="cluster"))
                     - pd.Series(fcb.point[:, j], index=idx)).dropna()
        changed = delta[delta.abs() > 1e-12]
        changed = changed.reindex(changed.abs().sort_values(ascending=False).index)
        for c, d in changed.head(6).items():
            out.append(f"{c}: AI patent applications in {yr} {pat_b[c]:,.0f} -> "
                       f"{pat_s[c]:,.0f} ({pat_s[c] / pat_b[c] - 1:+.1%}).")
        if len(changed) > 6:
            out.append(f"... and {len(changed) - 6} more clusters changed.")
    return out


def _classes_in(measures: pd.DataFrame, year) -> dict:
    """province -> class in ``year`` (the first row when a province repeats)."""
    sel = measures[schema.YEAR].to_numpy() == year
    prov = measures[schema.PROVINCE].to_numpy()[sel]
    cls = measures["class"].to_numpy()[sel]
    return {p: int(c) for p, c in zip(prov[::-1], cls[::-1])}
