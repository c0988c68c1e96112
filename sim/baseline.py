"""The simulator's frozen baseline (SPEC 4): everything a scenario is compared against, fitted once.

``prepare(frames, options)`` fits, on the loaded data:

* Study A (Liu et al. 2026): the min/max normalisation and entropy weights (SPEC 2.1-2.3) as an
  ``sim.coupling.EntropyFrame``, optionally a trained coupling MLP (``sim.mlp``, trained by the
  caller), the coordination classes (fixed cut-offs or pooled quartiles, SPEC 2.6 and 2.11), the
  spatial Markov matrices (estimated with a contiguity W, or the paper's Tables 4-5) and from them
  the forward model of ``sim.projection`` (continuous D on joint spatial Markov paths, SPEC 4.1);
* Study B (Wang et al. 2025): the AI clusters, their regression panel and the coefficients of the
  dynamic-panel equation (Table 4, Model 3): by default a *well-identified* two-step system GMM
  estimate on the loaded data, i.e. collapsed instruments (Roodman 2009), with a lag limit when
  collapsing alone still leaves more instruments than clusters (SPEC 4.2); or the paper's published
  coefficients.

Everything is frozen: a scenario moves results only through the data it changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import schema
from sim.markov import FIXED_CUTOFFS
from sim.messages import Join, Msg, N_, Place

if TYPE_CHECKING:
    from sim.scenario import Scenario

CLASS_NAMES = ("Low", "Medium", "High", "Extreme")
TRADITIONAL = "traditional"
BEYOND_RANGE = "saturate"  # sim.coupling: h stays in [0, 1] beyond the fitted range, strictly increasing


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
    P_spatial: np.ndarray  # (k_lag, k, k), never-observed rows all zero
    P_pooled: np.ndarray  # (k, k)
    W_proximity: np.ndarray  # raw contiguity (+ island rule), for the spatial lag
    W_econ: np.ndarray  # row-standardised economic-geographic W, for Moran's I
    matrices_source: str
    D_hist: np.ndarray = None  # observed D, provinces x years (names x years)
    forward: object = None  # sim.projection.ForwardModel
    X: np.ndarray = None  # the panel's indicators, rows as panel, columns system.ids() (read-only)
    system: object = None  # sim.indicators.IndicatorSystem of the panel (None: the paper's 35)
    units: object = None  # sim.units.UnitSet of the panel (None: the study provinces)
    weights_note: str = ""  # which weights Moran's I uses, and why


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
    gmm_notes: tuple = ()  # how the coefficients were estimated, and the estimator's warnings


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
    from sim.indicators import system_of
    from sim.units import units_of

    described = {k: (system_of(v), units_of(v)) for k, v in frames.items() if k == "provinces" and v is not None}
    frames = {k: (v.copy() if v is not None else None) for k, v in frames.items()}
    for v in frames.values():
        if v is not None:
            v.attrs = {}
    prov = None
    if frames.get("provinces") is not None:
        system, units = described["provinces"]
        prov = _prepare_provinces(frames["provinces"], options, coupling_model, boundaries_geojson, notes,
                                  system, units)
    clus = None
    if frames.get("cities") is not None and frames.get("links") is not None:
        clus = _prepare_clusters(frames["cities"], frames["links"], options, gmm_coefficients, notes)
    return Baseline(options, prov, clus, tuple(notes))


def _prepare_provinces(panel, options, model, boundaries_geojson, notes, system=None, units=None) -> ProvinceBaseline:
    from sim import markov
    from sim.coupling import EntropyFrame
    from sim.indicators import paper_system
    from sim.units import province_units

    system = system or paper_system()
    units = units or province_units()
    order = {n: i for i, n in enumerate(units.names)}
    panel = panel.sort_values([schema.PROVINCE, schema.YEAR], key=lambda s: s.map(order)
                              if s.name == schema.PROVINCE else s).reset_index(drop=True)
    names = tuple(dict.fromkeys(panel[schema.PROVINCE]))
    years = tuple(sorted(panel[schema.YEAR].unique()))
    if options.coupling_method != TRADITIONAL and model is None:
        raise ValueError(f"coupling method {options.coupling_method!r} needs a trained model")
    frame = EntropyFrame.fit(panel, system.systems(), system.directions())
    base_hist = measure(frame, model if options.coupling_method != TRADITIONAL else None, panel)
    D_hist = wide(base_hist, "D", names, years)
    if options.class_scheme == "quartile":
        cutoffs = markov.pooled_quartile_cutoffs(D_hist.to_numpy())
    else:
        cutoffs = FIXED_CUTOFFS
    W_prox, W_econ, weights_note = unit_weights(panel, units, names, boundaries_geojson)
    if weights_note:
        notes.append(weights_note)
    if options.parameter_source == "paper":
        pm = markov.paper_transition_matrices()
        P_sp, P_pool = pm.P_spatial.copy(), pm.P_traditional.copy()
        source = Msg(N_("the paper's Tables 4-5 (Liu et al. 2026)"))
        if options.class_scheme == "fixed":
            notes.append(Msg(N_("The paper's transition matrices count transitions between pooled-quartile "
                                "classes; they are applied here to the fixed-cut-off classes you chose.")))
    else:
        sm = markov.spatial_markov(D_hist.to_numpy(), W_prox, cutoffs=cutoffs)
        P_sp, P_pool = np.nan_to_num(sm.P, nan=0.0), np.nan_to_num(sm.pooled.P, nan=0.0)
        source = Msg(N_("estimated on the loaded data"))
    from sim.projection import _ro, fit_forward_model, stochastically_monotone

    cut = tuple(float(c) for c in cutoffs)
    fm = fit_forward_model(D_hist.to_numpy(), W_prox, cut, P_sp, P_pool, source)
    if not stochastically_monotone(fm.P):
        notes.append(Msg(N_("The transition matrices are not stochastically monotone (for some cell a higher own or "
                            "neighbours' class makes a lower next class more likely), so a larger favourable change "
                            "is not guaranteed to raise every projected share.")))
    return ProvinceBaseline(panel, names, years, frame, model if options.coupling_method != TRADITIONAL else None,
                            cut, P_sp, P_pool, W_prox, W_econ, source, _ro(D_hist.to_numpy(dtype=float)), fm,
                            _ro(panel[system.ids()].to_numpy(dtype=float)), system, units, weights_note)


KNN_K = 4  # neighbours of a unit without boundaries (k nearest by great-circle distance)


def unit_weights(panel, units, names, boundaries_geojson=None) -> tuple:
    """(proximity W, row-standardised Moran W, note) for the units of a panel.

    Liu et al. (2026), SPEC 2.7 and 2.11: for the 30 provinces, contiguity from the boundaries
    (Hainan joined to its nearest capitals) for the spatial Markov lag, and the economic-geographic
    W = (1/d^2)(1/|PGDP_i - PGDP_j|) for Moran's I. Units without boundaries (cities, counties,
    any regions given by coordinates) use the ``KNN_K`` nearest neighbours for proximity; without a
    GDP-per-capita column Moran's I uses inverse-distance-squared weights (1/d^2), and the note says so.
    Boundaries of such units (``boundaries_geojson``: GeoJSON or matched ``sim.geo.Boundaries``)
    give contiguity instead of the k nearest neighbours when they cover every unit.
    """
    import json

    from sim import weights

    names = list(names)
    lat, lon = units.coords(names)
    note = ""
    if units.provinces:
        gj = boundaries_geojson
        if gj is None:
            gj = json.loads((schema.DATA_DIR / "geo" / "provinces_ne10m_simplified.geojson").read_text("utf-8"))
        W_prox = weights.contiguity_from_geojson(gj, names, lat, lon)
    else:
        from sim.units import contiguity_or_knn, unit_boundaries

        matched = None
        if boundaries_geojson is not None:  # a GeoJSON dict, or already matched sim.geo.Boundaries
            matched = (boundaries_geojson if hasattr(boundaries_geojson, "features")
                       else unit_boundaries(boundaries_geojson, units))
        W_prox, note = contiguity_or_knn(matched, units, names, KNN_K)
        note = Msg(N_("Spatial Markov chain — {note}"), note=note)
    if schema.GDP_PER_CAPITA in panel.columns and panel[schema.GDP_PER_CAPITA].notna().all():
        pgdp = weights.long_run_mean_pgdp(panel, names)
        W_econ = weights.row_standardise(weights.econ_geo_weights(lat, lon, pgdp))
    else:
        d = weights.great_circle_km(lat, lon)
        with np.errstate(divide="ignore"):
            W = np.where(d > 0, 1.0 / np.maximum(d, 1e-9) ** 2, 0.0)
        np.fill_diagonal(W, 0.0)
        W_econ = weights.row_standardise(W)
        gdp_note = Msg(N_("No GDP per capita in the data: Moran's I uses inverse-distance-squared weights "
                          "(1/d^2) instead of the paper's economic-geographic weights."))
        note = Join([note, gdp_note], sep=" ") if note else gdp_note
    return W_prox, W_econ, note


def _prepare_clusters(cities, links, options, coefficients, notes) -> ClusterBaseline | None:
    from sim import clusters as cl
    from sim import forecast

    ident = cl.identify_clusters(cities, links)
    names = tuple(ident.clusters)
    if not names:
        notes.append(Msg(N_("No AI cluster was identified in the loaded city data; the cluster forecast is off.")))
        return None
    panel = cl.regression_panel(cities, links, names)
    gaps = panel[panel["NC"].isna()]
    if len(gaps):
        # A cluster-year with no inter-regional link has no NC (sim.clusters). The forecast needs a
        # complete history to recover fixed effects, so such years take the cluster's nearest
        # observed NC; the estimation itself (GMM) still sees them as missing.
        notes.append(Msg(N_("No inter-regional link, NC taken from the nearest year for the forecast: {items}."),
                         items=Join(Msg(N_("{cluster} {year}"), cluster=Place(r.cluster), year=str(r.year))
                                    for r in gaps.itertuples())))
    gmm_notes: tuple = ()
    if options.parameter_source == "paper":
        coefs = forecast.Coefficients.from_paper(model=3)
        gmm_notes = (Msg(N_("Coefficients: Wang et al. (2025), Table 4, Model 3: uncollapsed system GMM (re-estimated "
                            "here, that specification has far more instruments than the 29 clusters, and the paper's "
                            "Sargan p = 1.000 is the classic sign of too many instruments); standard errors derived as "
                            "|coef / z|, correlations between estimates unknown.")),)
    elif coefficients is not None:
        coefs = coefficients
    else:
        coefs, gmm_notes = well_identified_coefficients(panel)
    hist = panel.copy()
    hist["NC"] = hist.groupby("cluster")["NC"].transform(lambda s: s.ffill().bfill())
    hist = hist[hist["NC"].notna()].drop(columns=["IPxNC"], errors="ignore")
    last = int(panel[schema.YEAR].max())
    from sim.changes import city_regions, edit_links

    grouped = edit_links(links, (), last)
    last_links = tuple(zip(zip(grouped["city_a"].tolist(), grouped["city_b"].tolist()),
                           grouped["ai_coop"].to_numpy(dtype=float).tolist()))
    city_region = city_regions()
    regions = tuple((c, city_region[c]) for c in names if c in city_region)
    raw_last = cities[(cities[schema.CITY].isin(names)) & (cities[schema.YEAR] == last)]
    last_policies = tuple(zip(raw_last[schema.CITY].tolist(), raw_last["ip"].to_numpy(dtype=float).tolist()))
    return ClusterBaseline(hist, names, cities, links, coefs, tuple(panel.attrs.get("log1p", ())),
                           last, last_links, regions, last_policies, forecast.history_design(hist, coefs),
                           tuple(gmm_notes))


def well_identified_coefficients(panel: pd.DataFrame):
    """Model 3 by two-step system GMM with no more instruments than clusters (SPEC 4.2).

    Tries collapsed instruments (Roodman 2009), then collapsed with lag limits 3 and 2, and takes the
    first whose instrument count does not exceed the number of clusters; if none does, the last is
    used and the note says so. Returns ``(Coefficients, notes)``; the notes name the estimate and
    carry the estimator's own warnings.
    """
    from sim.robustness import wang_model

    tried = []
    for kw in ({"collapse": True}, {"collapse": True, "max_lag": 3}, {"collapse": True, "max_lag": 2}):
        fit = wang_model(panel, model=3, **kw).fit()
        tried.append((kw, fit))
        if fit.n_instruments <= fit.n_groups:
            break
    kw, fit = tried[-1]
    how = (Msg(N_("collapsed instruments, lags up to {lag}"), lag=str(kw["max_lag"])) if "max_lag" in kw
           else Msg(N_("collapsed instruments")))
    coefs = coefficients_from_gmm(fit, panel, source=Msg(N_(
        "two-step system GMM on the loaded data, Model 3, {how} ({n} instruments for {groups} clusters; "
        "Windmeijer-corrected covariance)"), how=how, n=str(fit.n_instruments), groups=str(fit.n_groups)))
    notes = [Msg(N_("Coefficients: {source}."), source=coefs.source)]
    if fit.n_instruments > fit.n_groups:
        notes.append(Msg(N_("Even with {how} the instruments ({n}) exceed the clusters ({groups}): the estimates are "
                            "weakly identified."), how=how, n=str(fit.n_instruments), groups=str(fit.n_groups)))
    notes += [Msg(N_("GMM warning: {warning}"), warning=str(w)) for w in fit.warnings]
    return coefs, tuple(notes)


GMM_TO_FORECAST = {"L.TI": "L.TI", "L1.TI": "L.TI", "IP": "IP", "NC": "NC", "IPxNC": "IP*NC",
                   "ED": "ED", "IC": "IC", "IE": "IE", "_cons": "_cons"}


def coefficients_from_gmm(result, panel: pd.DataFrame,
                          source: str = "two-step system GMM on the loaded data (Windmeijer-corrected covariance)"):
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
    return Coefficients(p, cov, centring["IP"], centring["NC"], source=source)


# ---------------------------------------------------------------------------------------------
# measurement with the frozen frame
def measure(frame, model, panel: pd.DataFrame) -> pd.DataFrame:
    """h, C, T, D for each row with the frozen baseline frame (and model).

    The numbers of ``frame.transform(panel, beyond_range="saturate")`` (Liu et al. 2026,
    SPEC 2.1-2.3: the same ``EntropyFrame.indices`` and ``traditional_ccd`` calls): inside the fitted
    range exactly the paper's D; beyond it the indices approach 1 (or 0) smoothly, so h, C, T and D
    stay in [0, 1] (``sim.coupling.saturate``). With a model, C comes from the model and
    ``D = sqrt(C T)``.
    """
    cols = {c: panel[c].to_numpy() for c in (schema.PROVINCE, schema.YEAR) if c in panel.columns}
    from sim.coupling import _indicator_matrix

    arrays = measure_arrays(frame, model, _indicator_matrix(panel, frame.nqpf.indicator_ids),
                            _indicator_matrix(panel, frame.inno.indicator_ids),
                            cols.get(schema.PROVINCE))
    return pd.DataFrame({**cols, **arrays}, index=panel.index)


def measure_arrays(frame, model, X_nqpf, X_inno, groups=None) -> dict:
    """:func:`measure` on raw indicator matrices (columns in each system's ``indicator_ids`` order).

    Returns ``{"h_nqpf", "h_inno", "C", "T", "D"}`` arrays; ``groups`` (province of each row) is
    passed to the model.
    """
    from sim.coupling import traditional_ccd

    h1, h2 = frame.indices_from_matrices(X_nqpf, X_inno, beyond_range=BEYOND_RANGE)
    C, T, D = traditional_ccd(h1, h2)
    if model is not None:
        Zn, Zi = frame.nqpf.normalise(X_nqpf), frame.inno.normalise(X_inno)
        C = np.clip(np.asarray(model.coupling(Zn, Zi, groups=groups), dtype=float), 0.0, 1.0)
        D = np.sqrt(C * np.maximum(T, 0.0))
    return {"h_nqpf": h1, "h_inno": h2, "C": C, "T": T, "D": D}


def wide(tidy: pd.DataFrame, column: str, names, years) -> pd.DataFrame:
    """provinces x years table of one column (``pivot`` then ``reindex``, done on arrays)."""
    return wide_arrays(tidy, names, years, (column,))[0]


def wide_arrays(tidy: pd.DataFrame, names, years, columns) -> list:
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




# the names used before the split (kept for callers and tests)
_measure, _wide, _wide_arrays = measure, wide, wide_arrays
