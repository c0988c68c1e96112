"""Cached wrappers around ``sim.simulate`` and the scenario <-> widget mapping of the Simulator page.

Caching policy: the fitted baseline is cached per (dataset fingerprint, options) and the baseline
side of the results per (fingerprint, options, horizon, paths, seed); each scenario is then one
fast ``simulate(..., reference=...)`` call, itself cached per scenario JSON. All three are
``st.cache_resource``: the objects are immutable results of pure functions, never mutated by a
page (``tests/test_simulate.py`` checks that simulating leaves the baseline untouched), so sharing
them read-only between sessions is safe and avoids unpickling a copy on every rerun. Frames are passed with
a leading underscore (not hashed) next to a fingerprint computed once per dataset.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sim import schema
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario, ScenarioError
from ui.i18n import N_, _

SCENARIO_KEY = "sim_scenario"  # the last valid Scenario of this session
PROBLEMS_KEY = "sim_problems"  # problems of the last rejected scenario (link, JSON, widgets)
REV_KEY = "sim_rev"  # bumped when a preset / link / file replaces the widgets' values
URL_READ_KEY = "sim_url_read"
HISTORY_KEY = "sim_history"  # earlier scenarios of this session, for "Undo"
SAVED_KEY = "sim_saved"  # name -> Scenario, for "Compare"
MAX_HISTORY = 20
MAX_SAVED = 8
SEED = 0

# Names and notes are English data (they travel in share links and JSON); they are marked for the
# message catalogue and shown with _() by the page.
PRESETS = {
    N_("Baseline (no change)"): Scenario(name="Baseline (no change)"),
    N_("Western digital infrastructure push"): Scenario(
        name="Western digital infrastructure push",
        notes=N_("Liu et al. (2026) recommend building digital infrastructure and platforms in the west "
                 "to close the coordination gap: new labour materials +30 % in western provinces from "
                 "the launch year, growing 5 % a year."),
        indicator_changes=(IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),)),
    N_("Gansu R&D spending +20 %"): Scenario(
        name="Gansu R&D spending +20 %",
        notes=N_("Raise R&D spending (all four R&D capital indicators) in Gansu by 20 % from 2023."),
        indicator_changes=(IndicatorChange("dim:Capital innovation resource", ("Gansu",), 2023, "pct", 20.0),)),
    N_("AI-policy boost in central clusters"): Scenario(
        name="AI-policy boost in central clusters",
        notes=N_("Wang et al. (2025) find incentive policies raise cluster innovation: five extra AI "
                 "incentive policies a year in every central-region AI cluster."),
        policy_changes=(PolicyChange(("Central",), 2021, 5.0),)),
    N_("Cross-regional AI consortia"): Scenario(
        name="Cross-regional AI consortia",
        notes=N_("Both papers call for cross-regional cooperation: new cooperation links (200 "
                 "co-applied AI patents a year) between peripheral clusters and leading eastern ones."),
        link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 200.0), LinkEdit("Kunming", "Shanghai", "add", 200.0),
                    LinkEdit("Harbin", "Beijing", "add", 200.0), LinkEdit("Taiyuan", "Beijing", "add", 200.0))),
    N_("Chengdu +5 AI policies a year"): Scenario(
        name="Chengdu +5 AI policies a year",
        policy_changes=(PolicyChange(("Chengdu",), 2021, 5.0),)),
}


@st.cache_resource(show_spinner=False, max_entries=8)
def baseline(fp: str, options: tuple, _frames: dict, _model=None, _boundaries=None):
    """The fitted, frozen baseline. Read-only and shared across sessions of the same data: nothing
    in ``sim.simulate`` mutates it (``tests/test_simulate.py`` checks). ``_boundaries``: matched
    boundaries of units other than the provinces (``ui.state.unit_boundaries``; part of ``fp``)."""
    from sim.simulate import Options, prepare

    return prepare(_frames, Options(*options), coupling_model=_model, boundaries_geojson=_boundaries)


# The two caches below hold immutable results (frozen dataclasses over read-only arrays), shared
# read-only across sessions: cache_data would unpickle a fresh copy on every rerun of the page.
@st.cache_resource(show_spinner=False, max_entries=16)
def reference(fp: str, options: tuple, horizon: int, n_paths: int, seed: int, _base):
    from sim.simulate import simulate

    sc = Scenario(horizon=horizon, n_paths=n_paths, coupling_method=options[0], class_scheme=options[1],
                  parameter_source=options[2])
    return simulate(_base, sc, seed).materialise()  # complete before it is shared: never modified after


@st.cache_resource(show_spinner=False, max_entries=64)
def run(fp: str, scenario_json: str, seed: int, _base, _ref):
    from sim.simulate import simulate

    pb = _base.provinces
    context = ({} if pb is None or pb.system is None else
               {"provinces": set(pb.names), "regions": set(pb.units.group_order),
                "indicator_ids": set(pb.system.ids()), "dimensions": set(pb.system.dimensions())})
    return simulate(_base, Scenario.from_json(scenario_json, **context), seed, reference=_ref).materialise()


def scenario_context(panel) -> dict:
    """What a scenario may name on the loaded province panel: its units, their groups, its
    indicators and dimensions (``Scenario.from_dict`` keywords); empty without a panel."""
    if panel is None:
        return {}
    from sim.indicators import system_of
    from sim.units import units_of

    system, units = system_of(panel), units_of(panel)
    return {"provinces": set(dict.fromkeys(panel[schema.PROVINCE])), "regions": set(units.group_order),
            "indicator_ids": set(system.ids()), "dimensions": set(system.dimensions())}


def scenario_from_url(params, panel=None) -> tuple[Scenario | None, list[str]]:
    """The scenario carried by a share link, or the problems that make it unusable."""
    if "s" not in params:
        return None, []
    try:
        return Scenario.from_query_params(params, **scenario_context(panel)), []
    except ScenarioError as err:
        return None, err.problems


def location_choices(names, groups=None) -> list[str]:
    """"all", the groups (default the NBS regions), then the units."""
    return ["all", *(schema.REGIONS if groups is None else [g for g in groups if g not in set(names)]), *names]


def target_choices(system=None) -> dict[str, str]:
    """Indicator-change targets of an indicator system (default the paper's 35): value -> label."""
    from sim.indicators import paper_system

    system = system or paper_system()
    from ui.i18n import lang

    out = {"system:inno": _("Innovation resource allocation: all {n} indicators").format(n=len(system.ids("inno"))),
           "system:nqpf": _("New quality productive forces: all {n} indicators").format(n=len(system.ids("nqpf")))}
    for dim in system.dimensions():
        out[f"dim:{dim}"] = _("Dimension: {dimension}").format(dimension=_(dim))  # the paper's 8 are in the catalogue
    for ind in system.indicators:
        if lang() == "zh":
            out[ind.id] = ind.header("zh")
            continue
        label = ind.name if not ind.name_zh or ind.name_zh == ind.name else f"{ind.name} / {ind.name_zh}"
        out[ind.id] = f"{label} ({ind.unit})" if ind.unit else label
    return out


# the dimensions of the paper's indicator system (sim.indicators.paper_system), for the catalogue
DIMENSIONS = (N_("New laborers"), N_("New labor materials"), N_("New labor objects"),
              N_("Capital innovation resource"), N_("Talent innovation resource"),
              N_("Technological innovation resource"), N_("Knowledge innovation resource"),
              N_("Data innovation resource"))


def comparison_table(runs: dict) -> pd.DataFrame:
    """One row per scenario: the numbers the summary of each run quotes (``sim.simulate`` results)."""
    rows = []
    for name, r in runs.items():
        # column names in English, marked for the catalogue: the page shows them with _()
        row = {N_("scenario"): name, N_("end year"): r.end_year}
        if r.baseline_provinces is not None:
            row[N_("share high/extreme, baseline")] = r.high_share("baseline")
            row[N_("share high/extreme, scenario")] = r.high_share("scenario")
            d = r.d_table()
            end = d[d["year"] == r.end_year]
            up = (end["p_high_scenario"] - end["p_high_baseline"]) >= 0.05
            row[N_("units with a chance of high/extreme up 5 points or more") if getattr(r, "own_units", False)
                else N_("provinces with a chance of high/extreme up 5 points or more")] = int(up.sum())
        if r.baseline_clusters is not None and r.scenario_clusters is not r.baseline_clusters:
            t = r.ti_difference(r.end_year)
            moved = t[t["ti_change"].abs() > 1e-12]
            row[N_("clusters with a detectable change in AI patents")] = int(moved["detected"].sum())
            row[N_("mean change in AI patents, %")] = round(float(moved["patents_change_pct"].mean()), 1) \
                if len(moved) else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_shares(runs: dict) -> pd.DataFrame:
    """scenario, year, share of provinces at high or extreme coordination: the baseline once, then each run."""
    rows = []
    first = next((r for r in runs.values() if r.baseline_provinces is not None), None)
    if first is None:
        return pd.DataFrame(rows)
    ps = first.baseline_provinces
    rows += [{"scenario": N_("Baseline"), "year": int(y), "share": float(v)}
             for y, v in zip(ps.paths.years, ps.high_shares[0])]
    for name, r in runs.items():
        s = r.scenario_provinces
        rows += [{"scenario": name, "year": int(y), "share": float(v)} for y, v in zip(s.paths.years, s.high_shares[0])]
    return pd.DataFrame(rows)
