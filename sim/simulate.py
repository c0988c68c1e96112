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
    return ClusterBaseline(hist, names, cities, links, coefs, tuple(panel.attrs.get("log1p", ())),
                           int(panel[schema.YEAR].max()))


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
    """h, C, T, D for each row with the frozen baseline frame (and model)."""
    out = frame.transform(panel, beyond_range="extrapolate")
    if model is not None:
        Zn = frame.normalise(panel, "nqpf", beyond_range="extrapolate")
        Zi = frame.normalise(panel, "inno", beyond_range="extrapolate")
        C = np.asarray(model.coupling(Zn, Zi, groups=panel[schema.PROVINCE].to_numpy()), dtype=float)
        out["C"] = C
        out["D"] = np.sqrt(C * np.maximum(out["T"].to_numpy(), 0.0))
    return out


def _wide(tidy: pd.DataFrame, column: str, names, years) -> pd.DataFrame:
    return tidy.pivot(index=schema.PROVINCE, columns=schema.YEAR, values=column).reindex(
        index=list(names), columns=list(years))


def extend_panel(panel: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The observed panel plus ``horizon`` future years holding each province's last values."""
    last_year = int(panel[schema.YEAR].max())
    last = panel[panel[schema.YEAR] == last_year]
    future = [last.assign(**{schema.YEAR: last_year + h}) for h in range(1, horizon + 1)]
    return pd.concat([panel, *future], ignore_index=True)


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
    """
    out = panel.copy()
    names = list(dict.fromkeys(out[schema.PROVINCE]))
    notes = []
    year = out[schema.YEAR].to_numpy()
    for ch in changes:
        provs = _provinces(ch.provinces, names)
        missing = [p for p in ch.provinces if p not in ("all", *schema.REGIONS) and p not in names]
        if missing:
            notes.append(f"Not in the loaded data, change ignored for: {', '.join(missing)}.")
        rows = out[schema.PROVINCE].isin(provs).to_numpy() & (year >= ch.from_year)
        if not rows.any():
            continue
        growth = (1.0 + ch.growth_pct / 100.0) ** (year[rows] - ch.from_year)
        for col in _targets(ch):
            x = out.loc[rows, col].to_numpy(dtype=float)
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
            out.loc[rows, col] = new
    ind = schema.indicator_ids()
    diff = out[ind].to_numpy(dtype=float) != panel[ind].to_numpy(dtype=float)
    r, c = np.nonzero(diff)
    touched = pd.DataFrame({schema.PROVINCE: out[schema.PROVINCE].to_numpy()[r], schema.YEAR: year[r],
                            "indicator": np.asarray(ind, dtype=object)[c],
                            "baseline": panel[ind].to_numpy(dtype=float)[r, c],
                            "scenario": out[ind].to_numpy(dtype=float)[r, c]})
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
    touched = pd.DataFrame(columns=[schema.PROVINCE, schema.YEAR, "indicator", "baseline", "scenario"])
    oor = pd.DataFrame()
    launch = None
    if pb is not None:
        ext = extend_panel(pb.panel, scenario.horizon)
        scen_panel, touched, change_notes = apply_indicator_changes(ext, scenario.indicator_changes)
        notes += change_notes
        launch = int(max(pb.years)) + 1
        b_side = (reference.baseline_provinces if _reusable(reference, scenario, seed)
                  else _province_side(pb, ext, scenario, seed, launch))
        # no changed cell: the scenario side IS the baseline side (same data, same seed)
        s_side = b_side if touched.empty else _province_side(pb, scen_panel, scenario, seed, launch)
        if len(touched):
            oor = pb.frame.out_of_range(scen_panel)
    elif scenario.indicator_changes:
        notes.append("No province panel is loaded: indicator changes have no effect.")
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
                   launch: int) -> ProvinceSide:
    from sim import markov, projection
    from sim.early_warning import coupling_faults
    from sim.moran import global_moran

    m = _measure(pb.frame, pb.model, panel)
    m["class"] = markov.classify(m["D"].to_numpy(), pb.cutoffs)
    years = tuple(sorted(m[schema.YEAR].unique()))
    D = _wide(m, "D", pb.names, years)
    d0 = D[launch].to_numpy()
    init = markov.classify(d0, pb.cutoffs)
    proj = projection.project_spatial_markov(
        init, pb.P_spatial, pb.W_proximity, horizon=scenario.horizon, n_paths=scenario.n_paths, seed=seed,
        lag_cutoffs=pb.cutoffs, class_values=pb.class_values, P_fallback=pb.P_pooled,
        initial_values=d0, start_year=launch - 1, labels=pb.names)
    moran = global_moran(d0, pb.W_econ, permutations=199, seed=seed)
    faults = coupling_faults(_wide(m, "h_inno", pb.names, years), D)
    return ProvinceSide(m, D, proj, moran, faults)


def _cluster_sides(cb: ClusterBaseline, scenario: Scenario, seed: int, reference: ClusterSide | None = None):
    from sim import clusters as cl
    from sim import forecast

    notes = []
    horizon = scenario.horizon
    hist = cb.panel
    base_exog = forecast.hold_last(hist, horizon)
    scen_exog = base_exog.copy()
    last = cb.last_year
    raw_last = cb.cities[(cb.cities[schema.CITY].isin(cb.clusters)) & (cb.cities[schema.YEAR] == last)]
    policies_last = raw_last.set_index(schema.CITY)["ip"].reindex(list(cb.clusters))
    use_log1p = "IP" in cb.log1p
    for ch in scenario.policy_changes:
        targets = _cluster_targets(ch.clusters, cb)
        unknown = [c for c in ch.clusters if c != "all" and c not in schema.REGIONS and c not in cb.clusters]
        if unknown:
            notes.append(f"Not an identified AI cluster in the loaded data, policy change ignored for: "
                         f"{', '.join(unknown)}.")
        rows = scen_exog["cluster"].isin(targets) & (scen_exog[schema.YEAR] >= ch.from_year)
        base_count = scen_exog.loc[rows, "cluster"].map(policies_last).to_numpy(dtype=float)
        current = scen_exog.loc[rows, "IP"].to_numpy(dtype=float)
        # IP is ln(policies) or ln(1 + policies): move the count, then transform as the baseline did
        count = (np.expm1(current) if use_log1p else np.exp(current))
        count = np.where(np.isfinite(count), count, base_count) + ch.extra_per_year
        if (count <= (0 if not use_log1p else -1)).any():
            notes.append("Some policy counts would fall to zero or below; held at the smallest loggable value.")
        count = np.maximum(count, 0.0 if use_log1p else 1.0)
        scen_exog.loc[rows, "IP"] = np.log1p(count) if use_log1p else np.log(count)
    nc_base = base_exog.groupby("cluster")["NC"].first().reindex(list(cb.clusters))
    nc_scen = nc_base.copy()
    if scenario.link_edits:
        edited = edit_links(cb.links, scenario.link_edits, last)
        nc_new = cl.closeness_centrality(edited, list(cb.clusters), (last, last))
        nc_scen = np.log(nc_new.set_index("cluster")["closeness"]).reindex(list(cb.clusters))
        scen_exog["NC"] = scen_exog["cluster"].map(nc_scen)
        missing = nc_scen[nc_scen.isna()].index.tolist()
        if missing:
            notes.append("After the link edits these clusters have no inter-regional link, so no NC: "
                         + ", ".join(missing) + " (their forecast is undefined).")
    offset = 1.0 if "TI" in cb.log1p else 0.0
    b_side = reference or ClusterSide(
        forecast.forecast_ti(hist, base_exog, cb.coefficients, horizon, seed=seed, log_offset=offset),
        base_exog, nc_base)
    if scen_exog.equals(base_exog):  # nothing moved: the scenario side IS the baseline side
        return b_side, b_side, notes
    s = forecast.forecast_ti(hist, scen_exog, cb.coefficients, horizon, seed=seed, log_offset=offset)
    return b_side, ClusterSide(s, scen_exog, nc_scen), notes


def _cluster_targets(names, cb: ClusterBaseline) -> list[str]:
    out = []
    city_region = _city_regions()
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
        for p in provs[:8]:
            d0, d1 = bp.D.loc[p, last], sp.D.loc[p, last]
            c0 = CLASS_NAMES[int(bp.measures.loc[(bp.measures[schema.PROVINCE] == p) &
                                                 (bp.measures[schema.YEAR] == last), "class"].iloc[0])]
            c1 = CLASS_NAMES[int(sp.measures.loc[(sp.measures[schema.PROVINCE] == p) &
                                                 (sp.measures[schema.YEAR] == last), "class"].iloc[0])]
            move = f"; class {c0} -> {c1}" if c0 != c1 else f"; stays {c1}"
            out.append(f"{p}: coupling coordination D in {last} {d0:.3f} -> {d1:.3f} ({d1 - d0:+.3f}){move}.")
        if len(provs) > 8:
            out.append(f"... and {len(provs) - 8} more provinces changed.")
        others = [p for p in bp.D.index if p not in provs]
        moved = [p for p in others if abs(sp.D.loc[p, last] - bp.D.loc[p, last]) > 1e-12]
        if moved:
            out.append(f"Warning: D changed in {len(moved)} untouched province(s).")
        hb = bp.projection.national_shares[-1, 2:, 0].sum()
        hs = sp.projection.national_shares[-1, 2:, 0].sum()
        yr = int(bp.projection.years[-1])
        out.append(f"Share of provinces at high or extreme coordination in {yr}: {hb:.1%} baseline, "
                   f"{hs:.1%} scenario (spatial Markov projection from {L}, {res.scenario.n_paths:,} paths).")
        out.append(f"Moran's I of D in {L}: {bp.moran.I:.3f} baseline, {sp.moran.I:.3f} scenario.")
        nb = int(bp.faults["flag"].sum()) if "flag" in bp.faults else 0
        ns = int(sp.faults["flag"].sum()) if "flag" in sp.faults else 0
        if nb != ns:
            out.append(f"Coupling-fault flags (input up, coordination stalled): {nb} baseline, {ns} scenario.")
        if len(res.out_of_range):
            out.append(f"{len(res.out_of_range)} changed value(s) lie outside the range the baseline was "
                       "fitted on; their effect on D is extrapolated linearly.")
    bc, sc = res.baseline_clusters, res.scenario_clusters
    if bc is not None and (res.scenario.policy_changes or res.scenario.link_edits):
        fb, fs = bc.forecast.to_frame(), sc.forecast.to_frame()
        yr = int(fb["year"].max())
        fb, fs = fb[fb["year"] == yr].set_index("cluster"), fs[fs["year"] == yr].set_index("cluster")
        delta = (fs["ti"] - fb["ti"]).dropna()
        changed = delta[delta.abs() > 1e-12]
        changed = changed.reindex(changed.abs().sort_values(ascending=False).index)
        for c, d in changed.head(6).items():
            out.append(f"{c}: AI patent applications in {yr} {fb.loc[c, 'patents']:,.0f} -> "
                       f"{fs.loc[c, 'patents']:,.0f} ({fs.loc[c, 'patents'] / fb.loc[c, 'patents'] - 1:+.1%}).")
        if len(changed) > 6:
            out.append(f"... and {len(changed) - 6} more clusters changed.")
    return out
