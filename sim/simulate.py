"""The what-if engine (SPEC section 4): baseline vs scenario, a pure function of (data, scenario, seed).

The parts, one module each, in the order data flows:

``sim.baseline``  (``prepare``)
    the frozen frame of reference, fitted once per dataset and options.
``sim.changes``
    applies a scenario's indicator, policy and link changes to the baseline's data.
``sim.projection``
    the forward model: continuous coordination D on joint spatial Markov paths (SPEC 4.1).
``sim.forecast``
    cluster innovation from the dynamic-panel equation (SPEC 4.2).
``sim.report``
    the plain-language summary and the presets' explanations (SPEC 4.3-4.4).

This module runs them: ``simulate(baseline, scenario, seed)`` returns a :class:`SimulationResult`
from which every number the Simulator shows or lets you download is read.

One story, one set of paths (SPEC 4.1)
--------------------------------------
* **Baseline = the observed dynamics continue.** Provinces start from their last observed D and
  move each year as the spatial Markov chain estimated on the data (or the paper's Tables 4-5)
  says, given their own class and their neighbours'; inside a class they keep their rank
  (``sim.projection``). The same baseline is shown in every view.
* **A scenario's effect.** The scenario's data (the last observed indicators, held, with the
  scenario's changes from their first year) go through the frozen frame (``sim.baseline.measure``);
  the difference from the baseline's D in each year, ``e_t``, is added to the scenario's paths in
  the year it appears (``e_t - e_t-1``), and the paths carry it on. Baseline and scenario share the
  random numbers: with no change they are identical; a change starting in year y leaves earlier
  years identical.
* **D, C, T in [0, 1].** Beyond the range the frame was fitted on, comprehensive indices approach 1
  smoothly (``sim.coupling.saturate``); paths are kept in [0, 1]. Cells beyond the fitted range are
  listed in ``out_of_range`` and the UI says so.
* **One calendar.** Both studies are projected to the same end year: the latest observed year of the
  loaded data plus ``scenario.horizon`` (provinces from 2022 and clusters from 2020 on the demo,
  both to 2027 with 5 years ahead).

Cluster side (SPEC 4.2): TI forward from Wang et al. (2025) Eq. (3) with a well-identified default
estimate (``sim.baseline.well_identified_coefficients``); baseline and scenario share the coefficient
draws, so the band of the scenario-minus-baseline difference is exact for the model, and where it
includes zero the summary says the model detects no effect.

Speed: a result computes its summaries (percentiles, shares, Moran's I, faults) only when they are
asked for; ``reference=`` re-uses a baseline side (its paths and uniforms) computed earlier.
"""
from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from sim import schema
from sim.baseline import (  # noqa: F401  (stable names: sim.simulate.prepare, Options, ...)
    CLASS_NAMES, FIXED_CUTOFFS, TRADITIONAL, Baseline, ClusterBaseline, Options, ProvinceBaseline,
    _measure, _wide, _wide_arrays, coefficients_from_gmm, measure, measure_arrays, prepare, wide, wide_arrays)
from sim.changes import (  # noqa: F401
    _closeness_after_edits, _edited_pairs, _provinces, _targets, apply_indicator_changes, change_matrix, member,
    closeness_after_edits, edit_links, extend_panel, held_rows, touched_cells)
from sim.scenario import Scenario
from sim.messages import Msg, N_

HIGH = 2  # "high or extreme coordination": classes 2 and 3 (High, Extreme)


# ---------------------------------------------------------------------------------------------
# results
@dataclass(frozen=True)
class ProvinceSide:
    """One side (baseline or scenario) of Study A: static measures and the simulated paths."""

    measures: pd.DataFrame  # province, year, h_nqpf, h_inno, C, T, D through the frozen frame (history + future)
    static_D: pd.DataFrame  # provinces x years of measures["D"]
    static_h_inno: pd.DataFrame
    paths: object  # sim.projection.Paths from the last observed year
    W_econ: np.ndarray = field(default=None, repr=False)

    @cached_property
    def quantiles(self) -> np.ndarray:
        """(n, H + 1, 3): 5th, 50th, 95th percentile of D over paths."""
        from sim.projection import province_quantiles

        return province_quantiles(self.paths)

    @cached_property
    def class_probabilities(self) -> np.ndarray:
        """(n, H + 1, k): share of paths in each class."""
        from sim.projection import class_probabilities

        return class_probabilities(self.paths)

    @cached_property
    def p_high(self) -> np.ndarray:
        """(n, H + 1): probability of high or extreme coordination in each year."""
        return np.count_nonzero(self.paths.classes >= HIGH, axis=1).T / self.paths.n_paths

    @cached_property
    def shares(self):
        """National class shares (mean, p05, p95), each (H + 1, k)."""
        from sim.projection import national_shares

        return national_shares(self.paths)

    @cached_property
    def high_shares(self):
        """Share of provinces at high or extreme coordination: (mean, p05, p95), each (H + 1,)."""
        from sim.projection import national_shares

        return national_shares(self.paths, at_least=HIGH)

    @cached_property
    def median_D(self) -> pd.DataFrame:
        """provinces x years: observed (static) D up to the last observed year, path medians after."""
        out = self.static_D.copy()
        years = list(self.paths.years)
        out.loc[:, years[1:]] = self.quantiles[:, 1:, 1]
        return out

    @cached_property
    def moran(self):
        """Moran's I of the median D in the end year (economic-geographic W, 199 permutations)."""
        from sim.moran import global_moran

        return global_moran(self.quantiles[:, -1, 1], self.W_econ, permutations=199, seed=0)

    @cached_property
    def faults(self) -> pd.DataFrame:
        """Coupling-fault flags (SPEC 2.12) on the median D path and the scenario's h_inno."""
        from sim.early_warning import coupling_faults

        return coupling_faults(self.static_h_inno, self.median_D)


@dataclass(frozen=True)
class ClusterSide:
    forecast: object  # sim.forecast.ForecastResult (draws kept: shared with the other side)
    exog: pd.DataFrame  # future IP, NC, ... per cluster-year
    nc_last: pd.Series  # NC per cluster after the scenario's link edits


@dataclass(frozen=True)
class SimulationResult:
    scenario: Scenario
    seed: int
    launch_year: int | None  # first projected year of the provinces
    end_year: int | None  # the common end year of both studies
    baseline_provinces: ProvinceSide | None
    scenario_provinces: ProvinceSide | None
    touched: pd.DataFrame
    out_of_range: pd.DataFrame
    baseline_clusters: ClusterSide | None
    scenario_clusters: ClusterSide | None
    notes: tuple = ()
    summary: tuple = field(default=())
    class_names: tuple = CLASS_NAMES
    own_units: bool = False  # the panel's units are not the 30 study provinces: sentences say "units"

    def materialise(self) -> "SimulationResult":
        """Compute every lazily memoised summary now and return self.

        The summaries (percentiles, shares, Moran's I, faults) are computed on first use and then
        kept; a result that is shared read-only (the app's ``st.cache_resource``) is materialised
        before it is shared, so it is never modified afterwards.
        """
        for cs in (self.baseline_clusters, self.scenario_clusters):
            if cs is not None:
                cs.forecast.patents_bands  # noqa: B018 (computes the deferred bands)
        for ps in {id(p): p for p in (self.baseline_provinces, self.scenario_provinces) if p is not None}.values():
            for name in ("quantiles", "class_probabilities", "p_high", "shares", "high_shares", "median_D",
                         "moran", "faults"):
                getattr(ps, name)
        return self

    # -- provinces --
    def high_share(self, side: str = "scenario", year: int | None = None) -> float:
        """Mean share of provinces at high or extreme coordination (the number the summary quotes)."""
        ps = self.scenario_provinces if side == "scenario" else self.baseline_provinces
        years = list(ps.paths.years)
        return float(ps.high_shares[0][years.index(year if year is not None else years[-1])])

    def d_table(self) -> pd.DataFrame:
        """Per province and year, baseline and scenario.

        Columns: province, year, D_baseline, D_scenario (observed or through the frozen frame up to
        the last observed year, the median of the paths after), change (D_scenario - D_baseline),
        D_baseline_p05, D_baseline_p95, D_scenario_p05, D_scenario_p95 (90 % band over paths),
        p_high_baseline, p_high_scenario (probability of high or extreme coordination that year),
        class_baseline, class_scenario (class of the D shown), future (a projected year).
        """
        if self.baseline_provinces is None:
            return pd.DataFrame()
        b, s = self.baseline_provinces, self.scenario_provinces
        names = list(b.static_D.index)
        years = list(b.static_D.columns)
        proj = list(b.paths.years)
        out = pd.DataFrame({schema.PROVINCE: np.repeat(np.asarray(names, dtype=object), len(years)),
                            schema.YEAR: np.tile(np.asarray(years, dtype=int), len(names))})
        from sim.markov import classify

        for side, ps in (("baseline", b), ("scenario", s)):
            med = ps.median_D.to_numpy()
            cls = classify(med, ps.paths.cutoffs)
            lo, hi, ph = med.copy(), med.copy(), (cls >= HIGH) * 1.0
            cols = [years.index(y) for y in proj[1:]]
            lo[:, cols] = ps.quantiles[:, 1:, 0]
            hi[:, cols] = ps.quantiles[:, 1:, 2]
            ph[:, cols] = ps.p_high[:, 1:]
            out[f"D_{side}"] = med.ravel()
            out[f"D_{side}_p05"], out[f"D_{side}_p95"] = lo.ravel(), hi.ravel()
            out[f"p_high_{side}"] = ph.ravel()
            out[f"class_{side}"] = np.asarray(self.class_names, dtype=object)[cls].ravel()
        out["change"] = out["D_scenario"] - out["D_baseline"]
        out["future"] = out[schema.YEAR] >= (self.launch_year or 10**6)
        first = ["province", "year", "D_baseline", "D_scenario", "change"]
        return out[first + [c for c in out.columns if c not in first]]

    def shares_table(self) -> pd.DataFrame:
        """National class shares per year (the last observed year, then projected), both sides.

        Columns: side ("baseline"/"scenario"), year, class (Low/Medium/High/Extreme), share (mean over
        paths), share_p05, share_p95 (5th and 95th percentile over paths).
        """
        if self.baseline_provinces is None:
            return pd.DataFrame()
        parts = []
        for side, ps in (("baseline", self.baseline_provinces), ("scenario", self.scenario_provinces)):
            mean, p05, p95 = ps.shares
            T, k = mean.shape
            parts.append(pd.DataFrame({"side": side, "year": np.repeat(ps.paths.years, k),
                                       "class": np.tile(np.asarray(self.class_names[:k], dtype=object), T),
                                       "share": mean.ravel(), "share_p05": p05.ravel(),
                                       "share_p95": p95.ravel()}))
        return pd.concat(parts, ignore_index=True)

    def class_probability_table(self) -> pd.DataFrame:
        """province, year, side, class, probability (share of paths)."""
        if self.baseline_provinces is None:
            return pd.DataFrame()
        parts = []
        for side, ps in (("baseline", self.baseline_provinces), ("scenario", self.scenario_provinces)):
            pr = ps.class_probabilities
            n, T, k = pr.shape
            parts.append(pd.DataFrame({
                "province": np.repeat(np.asarray(ps.paths.labels, dtype=object), T * k),
                "year": np.tile(np.repeat(ps.paths.years, k), n), "side": side,
                "class": np.tile(np.asarray(self.class_names[:k], dtype=object), n * T),
                "probability": pr.ravel()}))
        return pd.concat(parts, ignore_index=True)

    # -- clusters --
    def ti_table(self) -> pd.DataFrame:
        """Cluster TI forecasts, baseline and scenario, with bands (cluster, year, ti, ..., patents...)."""
        if self.baseline_clusters is None:
            return pd.DataFrame()
        parts = []
        for side, cs in (("baseline", self.baseline_clusters), ("scenario", self.scenario_clusters)):
            f = cs.forecast.to_frame()
            f.insert(0, "side", side)
            parts.append(f)
        return pd.concat(parts, ignore_index=True)

    def ti_difference_arrays(self, year: int | None = None) -> dict:
        """The columns of :meth:`ti_difference` as numpy arrays (the summary's fast route)."""
        from sim.forecast import _percentiles_last_axis

        fb, fs = self.baseline_clusters.forecast, self.scenario_clusters.forecast
        cols = slice(None) if year is None else [int(np.flatnonzero(fb.years == year)[0])]
        years = fb.years[cols]
        c, H = fb.point[:, cols].shape
        d = fs.draws[:, cols] - fb.draws[:, cols]  # (c, H, draws): the same coefficient draws on both sides
        q = _percentiles_last_axis(d, (5.0, 95.0))
        point = (fs.point[:, cols] - fb.point[:, cols]).ravel()
        pb, ps = fb.patents_point[:, cols].ravel(), fs.patents_point[:, cols].ravel()
        lo, hi = q[..., 0].ravel(), q[..., 1].ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = 100 * np.expm1(point) if fb.log_offset == 0 else 100 * (ps / pb - 1)
        return {"cluster": np.repeat(np.asarray(fb.clusters, dtype=object), H), "year": np.tile(years, c),
                "ti_change": point, "ti_change_p05": lo, "ti_change_p95": hi,
                "patents_baseline": pb, "patents_scenario": ps, "patents_change_pct": pct,
                "patents_change_pct_p05": 100 * np.expm1(lo), "patents_change_pct_p95": 100 * np.expm1(hi),
                "detected": (lo > 0) | (hi < 0)}

    def ti_difference(self, year: int | None = None) -> pd.DataFrame:
        """Scenario minus baseline per cluster and year, with its 90 % band over shared coefficient draws.

        Columns: cluster, year, ti_change (point), ti_change_p05, ti_change_p95, patents_baseline,
        patents_scenario, patents_change_pct (+ _p05, _p95), detected. ``detected`` is False where
        the band includes zero: the model detects no effect there. ``year``: one year only.
        """
        if self.baseline_clusters is None:
            return pd.DataFrame()
        return pd.DataFrame(self.ti_difference_arrays(year))

    def tables(self) -> dict:
        """Every result as a DataFrame, for CSV/Excel download (the numbers the page shows)."""
        out = {"coupling_D": self.d_table(), "class_shares": self.shares_table(),
               "class_probabilities": self.class_probability_table(),
               "touched_cells": self.touched, "out_of_range": self.out_of_range,
               "cluster_TI": self.ti_table(), "cluster_change": self.ti_difference()}
        if self.baseline_provinces is not None:
            for side, ps in (("baseline", self.baseline_provinces), ("scenario", self.scenario_provinces)):
                out[f"faults_{side}"] = ps.faults
        out["summary"] = pd.DataFrame({"statement": list(self.summary)})
        out["notes"] = pd.DataFrame({"note": list(self.notes)})
        return {k: v for k, v in out.items() if v is not None and len(v.columns)}


# ---------------------------------------------------------------------------------------------
# simulation
def end_year_of(baseline: Baseline, horizon: int) -> int:
    """The common end year: the latest observed year of the loaded data plus ``horizon``."""
    last = []
    if baseline.provinces is not None:
        last.append(int(max(baseline.provinces.years)))
    if baseline.clusters is not None:
        last.append(int(baseline.clusters.last_year))
    return max(last) + int(horizon) if last else int(horizon)


def simulate(baseline, scenario: Scenario, seed: int = 0, reference=None) -> SimulationResult:
    """Baseline and scenario side by side; a pure function of (baseline data, scenario, seed).

    ``baseline`` is a :class:`Baseline` from :func:`prepare` (or a dict of frames, which is
    prepared first with the scenario's options and no trained MLP). ``reference`` may be the
    result of ``simulate(baseline, Scenario(horizon=..., n_paths=...), seed)`` for the same
    baseline, horizon, paths and seed: its baseline side is then reused (the interactive path; the
    numbers are identical either way).
    """
    if isinstance(baseline, dict):
        baseline = prepare(baseline, Options.of(scenario))
    from sim.gmm import blas_single_thread
    from sim.projection import paths_for

    # thousands of units (counties): fewer joint paths, said in the notes (sim.projection.paths_for)
    paths_note = ""
    if baseline.provinces is not None:
        affordable, paths_note = paths_for(len(baseline.provinces.names), scenario.n_paths)
        if affordable < scenario.n_paths:
            scenario = dataclasses.replace(scenario, n_paths=affordable)
    # small matrix products only: on a shared 2-core server BLAS threads cost CPU and save no time
    with blas_single_thread():
        res = _simulate(baseline, scenario, seed, reference)
    return dataclasses.replace(res, notes=(*res.notes, paths_note)) if paths_note else res


def _simulate(baseline: Baseline, scenario: Scenario, seed: int, reference) -> SimulationResult:
    from sim import report

    if Options.of(scenario) != baseline.options:
        raise ValueError(f"the scenario asks for {Options.of(scenario)} but the baseline was prepared "
                         f"with {baseline.options}; prepare a matching baseline")
    ref = reference if _reusable(reference, scenario, seed) else None
    notes = list(baseline.notes)
    end = end_year_of(baseline, scenario.horizon)
    pb = baseline.provinces
    b_side = s_side = None
    oor = pd.DataFrame()
    launch = None
    touched = pd.DataFrame(columns=[schema.PROVINCE, schema.YEAR, "indicator", "baseline", "scenario"])
    if pb is None:
        if scenario.indicator_changes:
            notes.append(Msg(N_("No province panel is loaded: indicator changes have no effect.")))
    else:
        last = int(max(pb.years))
        launch = last + 1
        H = end - last
        late = [c for c in scenario.indicator_changes if c.from_year > end]
        if late:
            notes.append(Msg(N_("{n} indicator change(s) start after {end}, the end of the projection: no effect "
                                "within the horizon."), n=str(len(late)), end=str(end)))
        if ref is not None:
            b_side = ref.baseline_provinces
        else:
            b_side = _province_side(pb, extend_panel(pb.panel, H), H, scenario.n_paths, seed)
        # the scenario's data as arrays: the observed rows, then the last year's held for H years
        # (the rows of extend_panel), with the changes applied (sim.changes.change_matrix)
        take, year = held_rows(pb.panel[schema.YEAR].to_numpy(), H)
        prov, X0 = pb.panel[schema.PROVINCE].to_numpy()[take], pb.X[take]
        system, groups = _system_and_groups(pb)
        X, _, change_notes = change_matrix(X0, prov, year, scenario.indicator_changes, system, groups)
        notes += change_notes
        touched = touched_cells(X0, X, prov, year, system)
        if touched.empty:  # no changed cell: the scenario side IS the baseline side
            s_side = b_side
        else:
            changed = list(dict.fromkeys(touched[schema.PROVINCE].to_numpy().tolist()))
            rows = np.flatnonzero(member(prov, changed))
            s_side = _scenario_province_side(pb, b_side, X[rows], prov[rows], year[rows], H,
                                             scenario.n_paths, seed)
            n_idx, i_idx = _system_columns(pb.frame, pb.system)
            oor = pb.frame.out_of_range_from_matrices(X[rows][:, n_idx], X[rows][:, i_idx],
                                                      {schema.PROVINCE: prov[rows], schema.YEAR: year[rows]})
    cb = baseline.clusters
    b_cl = s_cl = None
    if cb is not None:
        notes += list(cb.gmm_notes)
        b_cl, s_cl, cl_notes = _cluster_sides(cb, scenario, seed, end, ref.baseline_clusters if ref else None)
        notes += cl_notes
    elif scenario.policy_changes or scenario.link_edits:
        notes.append(Msg(N_("No AI clusters in the loaded city data: policy and link changes have no effect.")))
    own_units = pb is not None and pb.units is not None and not getattr(pb.units, "provinces", True)
    res = SimulationResult(scenario, seed, launch, end, b_side, s_side, touched, oor, b_cl, s_cl,
                           tuple(dict.fromkeys(notes)), own_units=own_units)
    return SimulationResult(**{**{f: getattr(res, f) for f in res.__dataclass_fields__},
                               "summary": tuple(report.describe(res))})


def _reusable(reference, scenario: Scenario, seed: int) -> bool:
    return (reference is not None and reference.seed == seed
            and reference.scenario.horizon == scenario.horizon
            and reference.scenario.n_paths == scenario.n_paths)


def _province_side(pb: ProvinceBaseline, panel: pd.DataFrame, H: int, n_paths: int, seed: int) -> ProvinceSide:
    """The baseline side of Study A: D through the frozen frame on the held panel, and its paths."""
    from sim import projection

    m = measure(pb.frame, pb.model, panel)
    years = tuple(np.unique(m[schema.YEAR].to_numpy()).tolist())
    D, Hin = wide_arrays(m, pb.names, years, ("D", "h_inno"))
    last = int(max(pb.years))
    paths = projection.simulate_paths(pb.forward, D[last].to_numpy(), H, n_paths, seed,
                                      start_year=last, labels=pb.names)
    return ProvinceSide(m, D, Hin, paths, pb.W_econ)


def _system_and_groups(pb):
    """The baseline's indicator system and unit -> group map (defaults: the paper's 35, NBS regions)."""
    from sim.indicators import paper_system

    system = pb.system or paper_system()
    groups = pb.units.group_map() if pb.units is not None else None
    return system, groups


def _system_columns(frame, system=None):
    """Positions of each system's indicators among the indicator system's ids (``pb.X`` columns)."""
    from sim.indicators import paper_system

    ids = (system or paper_system()).ids()
    ind = {c: j for j, c in enumerate(ids)}
    return [ind[c] for c in frame.nqpf.indicator_ids], [ind[c] for c in frame.inno.indicator_ids]


def _scenario_province_side(pb: ProvinceBaseline, base: ProvinceSide, X, prov, year, H: int, n_paths: int,
                            seed: int) -> ProvinceSide:
    """The scenario side: the changed provinces' rows re-measured, their effect ``e_t`` on the paths.

    ``X``, ``prov``, ``year``: every row (observed and held future years) of the provinces the
    scenario changes, with the changes applied. A province's D depends only on its own row, so the
    other provinces keep the baseline's measures (``tests/test_simulate_speedpaths.py`` checks that
    this equals measuring every row).
    """
    from sim import projection

    n_idx, i_idx = _system_columns(pb.frame, pb.system)
    part = measure_arrays(pb.frame, pb.model, X[:, n_idx], X[:, i_idx], prov)
    bm = base.measures
    pos = pd.MultiIndex.from_arrays([bm[schema.PROVINCE].to_numpy(), bm[schema.YEAR].to_numpy()]).get_indexer(
        pd.MultiIndex.from_arrays([prov, year]))
    cols = {c: bm[c].to_numpy().copy() for c in bm.columns}
    for c, v in part.items():
        cols[c][pos] = v
    m = pd.DataFrame(cols, index=bm.index)
    r = base.static_D.index.get_indexer(prov)
    y = base.static_D.columns.get_indexer(year)
    Dv, Hv = base.static_D.to_numpy().copy(), base.static_h_inno.to_numpy().copy()
    Dv[r, y], Hv[r, y] = part["D"], part["h_inno"]
    D = pd.DataFrame(Dv, index=base.static_D.index, columns=base.static_D.columns)
    Hin = pd.DataFrame(Hv, index=base.static_D.index, columns=base.static_D.columns)
    last = int(max(pb.years))
    k = list(D.columns).index(last)
    e = Dv[:, k:] - base.static_D.to_numpy()[:, k:]
    if not np.any(e):
        paths = base.paths
    else:
        paths = projection.simulate_paths(pb.forward, base.static_D.to_numpy()[:, k], H, n_paths, seed,
                                          effects=e, start_year=last, labels=pb.names,
                                          uniforms=base.paths.uniforms, noise_values=base.paths.noise_values,
                                          base=base.paths)
    return ProvinceSide(m, D, Hin, paths, pb.W_econ)


def _cluster_sides(cb: ClusterBaseline, scenario: Scenario, seed: int, end: int,
                   reference: ClusterSide | None = None):
    """Baseline and scenario cluster forecasts to ``end`` (Wang et al. 2025 Eq. 3 iterated forward)."""
    from sim import forecast
    from sim.changes import apply_policy_changes

    notes = []
    horizon = end - cb.last_year
    hist = cb.panel if cb.design is None else cb.design
    offset = 1.0 if "TI" in cb.log1p else 0.0
    if reference is not None:
        base_exog, nc_base = reference.exog, reference.nc_last
        b_side = reference
    else:
        base_exog = forecast.hold_last(cb.panel, horizon)
        nc_base = base_exog.groupby("cluster")["NC"].first().reindex(list(cb.clusters))
        b_side = ClusterSide(forecast.forecast_ti(hist, base_exog, cb.coefficients, horizon, seed=seed,
                                                  log_offset=offset, keep_draws=True), base_exog, nc_base)
        if b_side.forecast.rejected_draws:
            notes.append(Msg(N_("{n} of the coefficient draws had L.TI >= 1 (explosive paths) and were replaced: the "
                                "bands use the normal truncated to L.TI < 1."), n=str(b_side.forecast.rejected_draws)))
    if float(cb.coefficients.params["L.TI"]) >= 1.0:
        notes.append(Msg(N_("The L.TI coefficient is 1 or more: the estimated innovation dynamics are explosive and "
                            "the point forecast has no long-run level.")))
    if not (scenario.policy_changes or scenario.link_edits):
        return b_side, b_side, notes
    ip, nc_col, nc_scen, more = apply_policy_changes(cb, scenario, base_exog, nc_base)
    notes += more
    if (np.array_equal(ip, base_exog["IP"].to_numpy(dtype=float), equal_nan=True)
            and np.array_equal(nc_col, base_exog["NC"].to_numpy(dtype=float), equal_nan=True)):
        return b_side, b_side, notes  # nothing moved: the scenario side IS the baseline side
    scen_exog = base_exog.copy()
    scen_exog["IP"] = ip
    scen_exog["NC"] = nc_col
    s = forecast.forecast_ti(hist, scen_exog, cb.coefficients, horizon, seed=seed, log_offset=offset,
                             keep_draws=True)
    return b_side, ClusterSide(s, scen_exog, nc_scen), notes
