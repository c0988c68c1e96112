"""Simulator page: build a what-if scenario, see baseline vs scenario on maps and charts, share it."""
from ui.nav import ensure_navigation, guarded
from ui.text import md_escape

ensure_navigation()

import io
import zipfile
from dataclasses import replace

import functools
import altair as alt
import pandas as pd
import streamlit as st

from sim import schema
from sim.scenario import Scenario, ScenarioError
from ui import state
from ui import coupling as ui_coupling
from ui import goal as ui_goal
from ui import simulator as ui
from ui.i18n import N_, _, bound, lang, place, tr, unit_text

T, P = bound()  # gettext and place names fixed to this run's language, for format_func callbacks
st.title(_("Simulator"))
st.caption(_("What if? Change indicators, AI incentive policies or cooperation links and see what the two "
             "studies' models predict, with the same random numbers and calendar for baseline and scenario."))
state.synthetic_notice(compact=True)

ds = state.dataset()
frames = {k: ds.get(k) for k in ("provinces", "cities", "links")}
if frames["provinces"] is None and frames["cities"] is None:
    st.info(_("Load a province panel or city data on the Data page to simulate."))
    st.stop()

SIDES = {"baseline": N_("baseline"), "scenario": N_("scenario")}  # values of the "side" column, as shown


def _side(value: str) -> str:
    return _(SIDES.get(value, value))


def _side_dash():
    """A legend whose symbols are line strokes, so baseline (dashed) and scenario (solid) look different."""
    order = [_side("scenario"), _side("baseline")]
    return alt.StrokeDash("side:N", title="", sort=order, scale=alt.Scale(domain=order, range=[[1, 0], [5, 4]]),
                          legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#333", symbolStrokeWidth=2,
                                            symbolSize=400, symbolFillColor="#333"))


SUMMARY_LINES = 2  # summary lines shown before the chart; the rest in an expander
CLASS_COLOURS = {"Low": "#d7301f", "Medium": "#fc8d59", "High": "#91bfdb", "Extreme": "#4575b4"}
CLASS_NAMES = {"Low": N_("Low"), "Medium": N_("Medium"), "High": N_("High"), "Extreme": N_("Extreme"),
               "High or Extreme": N_("High or Extreme")}
launch_year = int(frames["provinces"][schema.YEAR].max()) + 1 if frames["provinces"] is not None else 2023
policy_year = int(frames["cities"][schema.YEAR].max()) + 1 if frames["cities"] is not None else 2021
latest = max(launch_year - 1, policy_year - 1)  # the latest observed year: both studies project from it
province_names = (list(dict.fromkeys(frames["provinces"][schema.PROVINCE]))
                  if frames["provinces"] is not None else [])
from sim.indicators import system_of as _system_of  # noqa: E402
from sim.units import units_of as _units_of  # noqa: E402

targets = ui.target_choices(_system_of(frames["provinces"]))
unit_groups = list(_units_of(frames["provinces"]).group_order) if frames["provinces"] is not None else None
scenario_context = ui.scenario_context(frames["provinces"])
# units other than the 30 study provinces (own cities, counties ...): the page says "units", not "provinces"
OWN_UNITS = state.own_units()
UW = functools.partial(unit_text, own=OWN_UNITS)  # the province message, or its twin about units


# ---------------------------------------------------------------------------------------------
# which scenario the widgets start from: a share link, a preset, a loaded file, or the default
def _load(scenario: Scenario) -> None:
    st.session_state["sim_loaded"] = scenario
    st.session_state[ui.REV_KEY] = st.session_state.get(ui.REV_KEY, 0) + 1


if not st.session_state.get(ui.URL_READ_KEY):
    st.session_state[ui.URL_READ_KEY] = True
    from_link, problems = ui.scenario_from_url(st.query_params, frames["provinces"])
    if problems:
        st.session_state[ui.PROBLEMS_KEY] = [_("The scenario in the link could not be used, so the default "
                                               "scenario is shown:"), *problems]
    _load(from_link or Scenario())
ui_goal.read_link_once(st.query_params)


def _undo() -> None:
    history = st.session_state.get(ui.HISTORY_KEY, [])
    if history:
        previous = history.pop()
        st.session_state[ui.SCENARIO_KEY] = previous  # not pushed again when the widgets rebuild it
        _load(previous)


def _save() -> None:
    name = (st.session_state.get("sim_save_name") or "").strip()[:60]
    scenario = st.session_state.get(ui.SCENARIO_KEY)
    if not name or scenario is None:
        return
    saved = dict(st.session_state.get(ui.SAVED_KEY, {}))
    saved[name] = replace(scenario, name=name)
    st.session_state[ui.SAVED_KEY] = dict(list(saved.items())[-ui.MAX_SAVED:])


def _apply_preset() -> None:
    name = st.session_state.get("sim_preset")
    if name in ui.PRESETS:
        st.session_state.pop(ui.PROBLEMS_KEY, None)
        _load(ui.PRESETS[name])


def _apply_file() -> None:
    upload = st.session_state.get("sim_json_upload")
    if upload is None:
        return
    try:
        scenario = Scenario.from_json(upload.getvalue(), **scenario_context)
    except ScenarioError as err:
        st.session_state[ui.PROBLEMS_KEY] = [_("{file} was not loaded:").format(file=upload.name), *err.problems]
        return
    st.session_state.pop(ui.PROBLEMS_KEY, None)
    _load(scenario)


def _on_grid(value, step, lo, hi) -> bool:
    """A value a slider with this step and range shows exactly."""
    return lo <= value <= hi and float(value) / step == int(float(value) / step)


def _split(changes, lever_ok):
    """The first change that fits the lever goes to the lever, the rest to the table."""
    for i, c in enumerate(changes):
        if lever_ok(c):
            return c, [*changes[:i], *changes[i + 1:]]
    return None, list(changes)


@st.cache_data(show_spinner=False, max_entries=8)
def _cluster_names(fp: str, _cities, _links) -> tuple:
    from sim.clusters import identify_clusters

    if _cities is None or _links is None:
        return ()
    return tuple(identify_clusters(_cities, _links).clusters)


fp = ds.fingerprint("provinces", "cities", "links")  # content hashes, computed once per loaded frame
fp += state.unit_boundaries_key()  # boundaries of units other than the provinces change the neighbours
clusters = _cluster_names(fp, frames["cities"], frames["links"])
cities = sorted(frames["cities"][schema.CITY].unique()) if frames["cities"] is not None else []


@st.fragment
def workspace() -> None:
    guarded(_workspace)


def _workspace() -> None:
    loaded: Scenario = st.session_state["sim_loaded"]  # read here: presets rerun only this fragment
    rev = st.session_state[ui.REV_KEY]
    # results on the left, the controls beside them on the right: on a phone the columns stack and the
    # results then come first, before the long list of controls
    results, controls = st.columns([2.2, 1], gap="large")
    with controls:
        b1, b2 = st.columns(2)
        b1.button(_("Reset"), key="sim_reset", on_click=_load, args=(Scenario(),), width="stretch",
                  help=_("Reset to the baseline: remove every change."))
        # always enabled: the history grows later in the run that shows this button
        b2.button(_("Undo"), key="sim_undo", on_click=_undo, width="stretch",
                  help=_("Undo the last change: go back to the scenario before it (does nothing at the start)."))
        st.selectbox(_("Start from a preset"), list(ui.PRESETS), index=None, key="sim_preset", format_func=T,
                     placeholder=_("Choose a preset scenario..."), on_change=_apply_preset,
                     help=_("Ready-made scenarios drawn from the papers' policy recommendations. Choosing one "
                            "replaces the current changes; Undo brings them back."))
        if loaded.notes:  # a preset's notes are in the catalogue; a user's own notes show as written
            st.caption(md_escape(_(loaded.notes)))
        # a change goes to a lever only if the lever's steps can hold its value exactly (a solved target's
        # 28.125 % would otherwise be rounded by the slider); the others go to the tables
        ind_lever, ind_rest = _split(loaded.indicator_changes, lambda c: c.mode == "pct" and _on_grid(c.value, 5, -50, 100))
        pol_lever, pol_rest = _split(loaded.policy_changes, lambda c: _on_grid(c.extra_per_year, 1, -5, 20))
        link_lever, link_rest = _split(loaded.link_edits, lambda c: c.mode == "add" and _on_grid(c.value, 10, 0, 1000))
        indicator_changes, policy_changes, link_edits = [], [], []

        if province_names:
            st.subheader(UW(N_("Provinces (Study A)"), N_("Units (Study A)")), divider="gray")
            tkeys = list(targets)
            tgt = st.selectbox(_("Indicator or dimension"), tkeys, format_func=targets.get, key=f"lv_t_{rev}",
                               index=tkeys.index(ind_lever.target) if ind_lever and ind_lever.target in tkeys
                               else 0, help=UW(N_("What to change: one indicator, a dimension (all its indicators) or a "
                                                 "whole system. The change goes through the frozen entropy weights "
                                                 "into the provinces' D."),
                                              N_("What to change: one indicator, a dimension (all its indicators) or a "
                                                 "whole system. The change goes through the frozen entropy weights "
                                                 "into the units' D.")))
            where = st.multiselect(_("Where"), ui.location_choices(province_names, unit_groups), key=f"lv_w_{rev}",
                                   default=[p for p in (ind_lever.provinces if ind_lever else ("West",))
                                            if p in ui.location_choices(province_names, unit_groups)],
                                   format_func=P,
                                   help=UW(N_("Provinces, or a whole region (East, Central, West), where the change "
                                             "applies. Empty: everywhere."),
                                          N_("Units, or a whole group of them, where the change applies. Empty: "
                                             "everywhere.")))
            c1, c2 = st.columns(2)
            pct = c1.slider(_("Change, % of baseline"), -50, 100, int(ind_lever.value) if ind_lever else 0,
                            step=5, key=f"lv_p_{rev}",
                            help=_("A one-off change of the chosen indicators' level, in % of the baseline, from "
                                   "the first year on."))
            growth = c2.number_input(_("Extra growth, % a year"), -20.0, 50.0,
                                     float(ind_lever.growth_pct) if ind_lever else 0.0, step=1.0,
                                     key=f"lv_g_{rev}",
                                     help=_("Extra growth each year on top of the baseline, compounding from the "
                                            "first year."))
            from_year = st.number_input(_("From year"), 2000, 2100, int(ind_lever.from_year) if ind_lever
                                        else launch_year, key=f"lv_y_{rev}",
                                        help=_("First year the change applies; earlier years stay as the "
                                               "baseline."))
            if pct != 0 or growth != 0:
                indicator_changes.append({"target": tgt, "provinces": where or ["all"], "from_year": int(from_year),
                                          "mode": "pct", "value": float(pct), "growth_pct": float(growth)})
        if clusters:
            st.subheader(_("AI clusters (Study B)"), divider="gray")
            where_c = st.multiselect(_("Clusters"), ["all", *schema.REGIONS, *clusters], key=f"pl_c_{rev}",
                                     default=[c for c in (pol_lever.clusters if pol_lever else ("Central",))
                                              if c in ("all", *schema.REGIONS, *clusters)],
                                     format_func=P,
                                     help=_("AI clusters (cities) that issue the extra policies, or all clusters "
                                            "of a region."))
            extra = st.slider(_("Extra AI incentive policies a year"), -5, 20,
                              int(pol_lever.extra_per_year) if pol_lever else 0, key=f"pl_n_{rev}",
                              help=_("Local AI incentive policies issued each year on top of the baseline (negative: "
                                     "fewer). Their effect on AI patents comes from the system GMM coefficients "
                                     "(Wang et al. 2025, Table 4)."))
            pol_year = st.number_input(_("Policies from year"), 2000, 2100,
                                       int(pol_lever.from_year) if pol_lever else policy_year, key=f"pl_y_{rev}",
                                       help=_("First year of the extra policies."))
            if extra != 0:
                policy_changes.append({"clusters": where_c or ["all"], "from_year": int(pol_year),
                                       "extra_per_year": float(extra)})
            c1, c2 = st.columns(2)
            a = c1.selectbox(_("Link city"), cities, key=f"lk_a_{rev}", format_func=P,
                             index=cities.index(link_lever.city_a) if link_lever and link_lever.city_a in cities
                             else (cities.index("Guilin") if "Guilin" in cities else 0),
                             help=_("One city of the pair whose cooperation you strengthen."))
            b = c2.selectbox(_("with"), cities, key=f"lk_b_{rev}", format_func=P,
                             index=cities.index(link_lever.city_b) if link_lever and link_lever.city_b in cities
                             else (cities.index("Shenzhen") if "Shenzhen" in cities else 0),
                             help=_("The other city of the pair."))
            add = st.slider(_("Extra co-applied AI patents a year between them"), 0, 1000,
                            int(link_lever.value) if link_lever else 0, step=10, key=f"lk_v_{rev}",
                            help=_("Co-applied AI patents added each year between the two cities: a stronger link "
                                   "changes the network's closeness centrality, which moderates the policy effect."))
            if add > 0:
                link_edits.append({"city_a": a, "city_b": b, "mode": "add", "value": float(add)})

        with st.expander(_("What would it take? Set a target"),
                         expanded=bool(st.session_state.get(ui_goal.LOADED_KEY)
                                       or st.session_state.get(ui_goal.SOLUTION_KEY))):
            st.caption(_("State a target and one lever; the app finds the smallest setting of the lever that "
                         "reaches it, on top of the changes above."))
            goal_raw, goal_clicked = ui_goal.form(province_names, clusters, cities, targets, latest + 1,
                                                  latest + 15, latest, own_units=OWN_UNITS)
            goal_problems = st.container()
        with st.expander(_("More changes (tables)")):
            st.caption(_("Indicator changes: provinces as a comma-separated list of English names (as in the "
                         "share link: names, East/Central/West or all); mode pct (+x %), abs (+x in the indicator's "
                         "unit) or set (set to x). Policy changes: clusters the same way. Links: two cities, mode "
                         "add, remove or scale."))
            ind_df = st.data_editor(
                pd.DataFrame([{"target": c.target, "provinces": ", ".join(c.provinces), "from_year": c.from_year,
                               "mode": c.mode, "value": c.value, "growth_pct": c.growth_pct} for c in ind_rest],
                             columns=["target", "provinces", "from_year", "mode", "value", "growth_pct"]),
                num_rows="dynamic", key=f"tb_i_{rev}", width="stretch",
                column_config={"target": st.column_config.SelectboxColumn(_("indicator or dimension"),
                                                                          options=list(targets), required=True,
                                                                          format_func=targets.get),
                               "provinces": st.column_config.TextColumn(_("provinces")),
                               "mode": st.column_config.SelectboxColumn(_("mode"), options=["pct", "abs", "set"],
                                                                        default="pct"),
                               "from_year": st.column_config.NumberColumn(_("from year"), default=launch_year, step=1),
                               "value": st.column_config.NumberColumn(_("value")),
                               "growth_pct": st.column_config.NumberColumn(_("extra growth, % a year"), default=0.0)})
            pol_df = st.data_editor(
                pd.DataFrame([{"clusters": ", ".join(c.clusters), "from_year": c.from_year,
                               "extra_per_year": c.extra_per_year} for c in pol_rest],
                             columns=["clusters", "from_year", "extra_per_year"]),
                num_rows="dynamic", key=f"tb_p_{rev}", width="stretch",
                column_config={"clusters": st.column_config.TextColumn(_("clusters")),
                               "from_year": st.column_config.NumberColumn(_("from year"), default=policy_year, step=1),
                               "extra_per_year": st.column_config.NumberColumn(_("extra policies a year"))})
            link_df = st.data_editor(
                pd.DataFrame([{"city_a": c.city_a, "city_b": c.city_b, "mode": c.mode, "value": c.value}
                              for c in link_rest], columns=["city_a", "city_b", "mode", "value"]),
                num_rows="dynamic", key=f"tb_l_{rev}", width="stretch",
                column_config={"city_a": st.column_config.TextColumn(_("city A")),
                               "city_b": st.column_config.TextColumn(_("city B")),
                               "mode": st.column_config.SelectboxColumn(_("mode"), options=["add", "remove", "scale"],
                                                                        default="add"),
                               "value": st.column_config.NumberColumn(_("value"))})
        table_problems = []
        for i, r in enumerate(ind_df.to_dict("records"), 1):
            if all(pd.isna(v) or v == "" for v in r.values()):
                continue
            indicator_changes.append({"target": r["target"], "provinces": [p.strip() for p in
                                                                            str(r["provinces"] or "all").split(",")],
                                      "from_year": _int(r["from_year"], launch_year), "mode": r["mode"] or "pct",
                                      "value": _num(r["value"]), "growth_pct": _num(r["growth_pct"])})
        for r in pol_df.to_dict("records"):
            if all(pd.isna(v) or v == "" for v in r.values()):
                continue
            policy_changes.append({"clusters": [c.strip() for c in str(r["clusters"] or "all").split(",")],
                                   "from_year": _int(r["from_year"], policy_year),
                                   "extra_per_year": _num(r["extra_per_year"])})
        for r in link_df.to_dict("records"):
            if all(pd.isna(v) or v == "" for v in r.values()):
                continue
            link_edits.append({"city_a": r["city_a"], "city_b": r["city_b"], "mode": r["mode"] or "add",
                               "value": _num(r["value"])})

        st.subheader(_("Options"), divider="gray")
        horizon = st.slider(_("Years ahead"), 1, 15, int(loaded.horizon), key=f"op_h_{rev}",
                            help=_("Both studies are projected to the same end year: {latest} (the latest observed "
                                   "year of the loaded data) plus this many years.").format(latest=latest))
        st.caption(_("Projected to {year}.").format(year=latest + int(horizon)))
        source_labels = {"data": N_("estimated on the loaded data"), "paper": N_("the papers' published tables")}
        source = st.radio(_("Transition matrices and GMM coefficients"), ["data", "paper"], horizontal=True,
                          index=["data", "paper"].index(loaded.parameter_source), key=f"op_s_{rev}",
                          help=_("Where the model's parameters come from: estimated on the data loaded now, or the "
                                 "transition probabilities and coefficients printed in the two papers."),
                          format_func=lambda v: T(source_labels[v]))
        scheme_labels = {"fixed": N_("fixed cut-offs 0.25/0.5/0.75"), "quartile": N_("pooled quartiles")}
        scheme = st.radio(_("Coordination classes"), ["fixed", "quartile"], horizontal=True,
                          index=["fixed", "quartile"].index(loaded.class_scheme), key=f"op_c_{rev}",
                          help=UW(N_("How D is cut into low / medium / high / extreme: the paper's fixed cut-offs, or "
                                    "the quartiles of all province-years."),
                                 N_("How D is cut into low / medium / high / extreme: the paper's fixed cut-offs, or "
                                    "the quartiles of all unit-years.")),
                          format_func=lambda v: T(scheme_labels[v]))
        methods = ["traditional", *ui_coupling.METHOD_LABELS]
        method = st.selectbox(_("Coupling degree D from"), methods, key=f"op_m_{rev}",
                              index=methods.index(loaded.coupling_method) if loaded.coupling_method in methods
                              else 0,
                              format_func=lambda m: T(N_("Traditional coupling coordination (entropy weights)"))
                              if m == "traditional" else _(ui_coupling.METHOD_LABELS[m]),
                              help=_("An MLP is trained once per dataset (5 seeds) and then frozen."))
        paths = st.select_slider(_("Simulated futures"), [1000, 2000, 5000, 10000, 20000],
                                 help=_("How many random futures the projection draws (Monte Carlo paths): more "
                                        "gives smoother bands and steadier percentages, but takes longer."),
                                 value=loaded.n_paths if loaded.n_paths in (1000, 2000, 5000, 10000, 20000)
                                 else 10000, key=f"op_n_{rev}")

    raw = {"name": loaded.name if loaded.name else "Scenario", "notes": loaded.notes,
           "indicator_changes": indicator_changes, "policy_changes": policy_changes, "link_edits": link_edits,
           "horizon": int(horizon), "parameter_source": source, "class_scheme": scheme,
           "coupling_method": method if province_names else "traditional", "n_paths": int(paths)}
    try:
        scenario = Scenario.from_dict(raw, clusters=set(clusters) if clusters else None,
                                      cities=set(cities) if cities else None, **scenario_context)
        previous = st.session_state.get(ui.SCENARIO_KEY)
        if previous is not None and previous != scenario:  # remember it for "Undo"
            st.session_state[ui.HISTORY_KEY] = [*st.session_state.get(ui.HISTORY_KEY, []), previous][-ui.MAX_HISTORY:]
        st.session_state[ui.SCENARIO_KEY] = scenario
    except ScenarioError as err:
        table_problems = err.problems
        scenario = st.session_state.get(ui.SCENARIO_KEY, Scenario())

    with results:
        for p in st.session_state.get(ui.PROBLEMS_KEY, []):
            st.error(md_escape(tr(p)))
        if table_problems:
            st.error(_("These changes are not valid, so the last valid scenario is shown:") + "\n\n- "
                     + "\n- ".join(md_escape(tr(p)) for p in table_problems))
        _sync_url(scenario)
        opts = (scenario.coupling_method, scenario.class_scheme, scenario.parameter_source)
        model = None
        if scenario.coupling_method != "traditional" and frames["provinces"] is not None:
            panel = frames["provinces"]
            model = ui_coupling.trained_ensemble(ui_coupling.panel_fingerprint(panel), panel,
                                                 scenario.coupling_method)
            ui_coupling.collapse_warning(model, _("Coupling used by this simulation"), translate=True)
        with st.spinner(_("Fitting the baseline...")):
            base = ui.baseline(fp, opts, frames, model, state.unit_boundaries())
            ref = ui.reference(fp, opts, scenario.horizon, scenario.n_paths, ui.SEED, base)
        res = ui.run(fp, scenario.to_json(), ui.SEED, base, ref)
        if goal_clicked and goal_raw is not None:
            _solve(goal_raw, base, scenario)
        sol = st.session_state.get(ui_goal.SOLUTION_KEY)
        if sol is not None:
            ui_goal.show(sol)
            c1, c2 = st.columns(2)
            if sol.scenario is not None:
                c1.button(_("Load this answer as the scenario"), key="goal_load", on_click=_load, args=(sol.scenario,),
                          type="primary")
            c2.button(_("Close the answer"), key="goal_close", on_click=st.session_state.pop,
                      args=(ui_goal.SOLUTION_KEY, None))
        _show(res, base)
    with goal_problems:
        ui_goal.problems()


def _solve(raw, base, scenario) -> None:
    """Validate the target form and run the solver (sim.goal) on top of the current scenario."""
    from sim import goal
    from sim.target import Target, TargetError

    st.session_state.pop(ui_goal.PROBLEMS_KEY, None)
    try:
        target = Target.from_dict(raw, provinces=province_names or None, clusters=set(clusters) if clusters else None,
                                  cities=set(cities) if cities else None, years=(latest + 1, latest + 15),
                                  regions=unit_groups, indicator_ids=scenario_context.get("indicator_ids"),
                                  dimensions=scenario_context.get("dimensions"))
        with st.spinner(_("Searching for the smallest setting...")):
            sol = goal.solve(base, target, start=scenario, seed=ui.SEED, n_paths=ui_goal.N_PATHS)
    except TargetError as err:
        st.session_state[ui_goal.PROBLEMS_KEY] = [_("The target is not valid:"), *err.problems]
        st.session_state.pop(ui_goal.SOLUTION_KEY, None)
        return
    except ValueError as err:
        st.session_state[ui_goal.PROBLEMS_KEY] = [_("The target cannot be solved on the loaded data: {error}")
                                                  .format(error=tr(err.args[0]) if err.args else err)]
        st.session_state.pop(ui_goal.SOLUTION_KEY, None)
        return
    st.session_state[ui_goal.SOLUTION_KEY] = sol
    st.query_params["t"] = target.to_query_params()["t"]


def _int(v, default):
    try:
        return int(v) if not pd.isna(v) else default
    except (TypeError, ValueError):
        return v  # validation reports it


def _num(v):
    try:
        return 0.0 if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return v  # validation reports it


def _sync_url(scenario: Scenario) -> None:
    """Keep the address bar's ?s= in step with the scenario, so the URL is always the share link."""
    if scenario.is_empty and scenario == Scenario(name=scenario.name, horizon=scenario.horizon):
        if "s" in st.query_params:
            del st.query_params["s"]
        return
    value = scenario.to_query_params()["s"]
    if st.query_params.get("s") != value:
        st.query_params["s"] = value


def _show(res, base) -> None:
    from sim import report

    st.subheader(_("What changed"))
    # the summary is built by sim.report from validated names and numbers only: plain Markdown is safe.
    # The first lines first (on a projector the chart must stay in view), the rest one click away.
    lines = [f"- {tr(s)}" for s in res.summary] or ["- " + _("Nothing yet: move a control on the right.")]
    st.markdown("\n".join(lines[:SUMMARY_LINES]))
    if len(lines) > SUMMARY_LINES:
        with st.expander(_("{n} more line(s)").format(n=len(lines) - SUMMARY_LINES)):
            st.markdown("\n".join(lines[SUMMARY_LINES:]))
    # One view at a time (st.tabs would build and send every view on every rerun, the map included):
    # a control then updates only the summary and the view in front of the user.
    views = {"Class shares": lambda: _shares_tab(res, base), "Provinces": lambda: _province_tab(res),
             "Map": lambda: _map_tab(res), "AI clusters": lambda: _cluster_tab(res),
             "Compare": lambda: _compare_tab(res, base), "Share": lambda: _share_tab(res)}
    view_names = {"Class shares": N_("Class shares"), "Provinces": N_("Provinces"), "Map": N_("Map"),
                  "AI clusters": N_("AI clusters"), "Compare": N_("Compare"), "Share": N_("Share")}
    if OWN_UNITS:
        view_names["Provinces"] = N_("Units")
    view = st.segmented_control(_("View"), list(views), default="Class shares", key="sim_view",
                                format_func=lambda v: T(view_names[v]),
                                help=UW(N_("What to show: shares of provinces by class, single provinces, a map, AI "
                                           "clusters, saved scenarios side by side, or links and downloads."),
                                        N_("What to show: shares of units by class, single units, a map, AI "
                                           "clusters, saved scenarios side by side, or links and downloads.")),
                                label_visibility="collapsed") or "Class shares"
    views[view]()
    ex = report.explain(res)
    if ex.text:
        st.info("**" + _("What the model predicts, and why") + "**\n\n"
                + "\n\n".join(md_escape(tr(t)) for t in ex.text))
    st.caption(md_escape(tr(report.baseline_sentence(res))))
    if len(res.out_of_range):
        st.warning(_("The scenario goes beyond the range the model was fitted on in {n} indicator value(s). There "
                     "the effect on D is damped so that D stays below 1: treat those numbers as the model's "
                     "extrapolation. The cells are listed in the out_of_range download.")
                   .format(n=len(res.out_of_range)))
    if res.notes:
        with st.expander(_("Notes on this run ({n})").format(n=len(res.notes))):
            for n in res.notes:
                st.markdown(f"- {md_escape(tr(n))}")


def _map_tab(res) -> None:
    from ui.i18n import localise_map
    from ui.unitmap import unit_map as region_map  # points for units without boundaries

    if res.baseline_provinces is None:
        st.info(_("No province panel loaded."))
        return
    d = res.d_table()
    years = sorted(d.loc[d["future"], schema.YEAR].unique())
    year = st.select_slider(_("Year"), years, value=years[-1], key="sim_map_year",
                            help=_("Projected year the map shows."))
    cur = d[d[schema.YEAR] == year].set_index(schema.PROVINCE)
    shows = {"change in D": N_("change in D"), "D under the scenario": N_("D under the scenario"),
             "chance of high or extreme": N_("chance of high or extreme")}
    show = st.radio(_("Show"), list(shows), horizontal=True, key="sim_map_what", format_func=lambda v: T(shows[v]),
                    help=UW(N_("Change in D: scenario minus baseline (medians). D under the scenario: its median. "
                               "Chance: change in the share of futures in which the province is at high or extreme "
                               "coordination."),
                            N_("Change in D: scenario minus baseline (medians). D under the scenario: its median. "
                               "Chance: change in the share of futures in which the unit is at high or extreme "
                               "coordination.")))
    extra = {_("D baseline (median)"): cur["D_baseline"].round(3), _("D scenario (median)"): cur["D_scenario"].round(3),
             _("chance of high/extreme, baseline"):
                 (100 * cur["p_high_baseline"]).round(0).astype(int).astype(str) + " %",
             _("chance of high/extreme, scenario"):
                 (100 * cur["p_high_scenario"]).round(0).astype(int).astype(str) + " %"}
    if show == "change in D":
        spec = region_map(cur["change"], state.boundaries(),
                          value_label=_("Change in D, scenario minus baseline ({year})").format(year=year),
                          fmt="{:+.4f}", legend_format="+.3f", diverging=True, extra=extra)
    elif show == "D under the scenario":
        spec = region_map(cur["D_scenario"], state.boundaries(),
                          value_label=_("D under the scenario ({year}, median)").format(year=year),
                          vmin=0.0, vmax=1.0, legend_format=".1f", extra=extra)
    else:
        spec = region_map(cur["p_high_scenario"] - cur["p_high_baseline"], state.boundaries(),
                          value_label=_("Change in the chance of high or extreme coordination ({year})").format(year=year),
                          fmt="{:+.0%}", legend_format="+.0%", diverging=True, extra=extra)
    st.vega_lite_chart(localise_map(spec), width="stretch")
    st.caption(_("Medians over {n} paths in {year}.").format(n=f"{res.scenario.n_paths:,}", year=year) + " "
               + tr(state.boundaries().source))


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for display: place names, sides and classes in the session's language."""
    f = frame.copy()
    for col in (schema.PROVINCE, "cluster"):
        if col in f.columns:
            f[col] = f[col].map(place)
    if "side" in f.columns:
        f["side"] = f["side"].map(_side)
    if "class" in f.columns:
        f["class"] = f["class"].map(lambda c: _(CLASS_NAMES.get(c, c)))
    return f


FAULT_COLUMNS = {"province": N_("province"), "year": N_("year"), "start_year": N_("start year"),
                 "delta_h_inno": N_("change in h_inno"), "delta_D": N_("change in D"), "status": N_("status"),
                 "flagged": N_("flagged")}
FAULT_STATUS = {"fell": N_("fell"), "stalled": N_("stalled"), "ok": N_("ok")}


def _faults_shown(f: pd.DataFrame) -> pd.DataFrame:
    f = _shown(f)
    if "status" in f.columns:
        f["status"] = f["status"].map(lambda v: _(FAULT_STATUS.get(v, v)))
    names = {**FAULT_COLUMNS, "province": N_("unit")} if OWN_UNITS else FAULT_COLUMNS
    return f.rename(columns={c: _(names[c]) for c in f.columns if c in names})


def _province_tab(res) -> None:
    if res.baseline_provinces is None:
        st.info(_("No province panel loaded."))
        return
    d = res.d_table()
    touched = list(dict.fromkeys(res.touched[schema.PROVINCE])) if len(res.touched) else []
    default = touched[:4] or list(d[schema.PROVINCE].unique()[:3])
    pick = st.multiselect(UW(N_("Provinces"), N_("Units")), list(d[schema.PROVINCE].unique()), default=default,
                          key="sim_prov_pick", format_func=P,
                          help=UW(N_("Provinces drawn year by year; the changed ones are picked first."),
                                  N_("Units drawn year by year; the changed ones are picked first.")))
    sub = d[d[schema.PROVINCE].isin(pick)]
    parts = []
    for side in ("baseline", "scenario"):
        f = sub[[schema.PROVINCE, schema.YEAR, f"D_{side}", f"D_{side}_p05", f"D_{side}_p95"]].copy()
        f.columns = [schema.PROVINCE, schema.YEAR, "D", "p05", "p95"]
        f["side"] = side
        parts.append(f)
    long = pd.concat(parts, ignore_index=True)
    band_rows = _shown(long[long["side"] == "scenario"])
    long = _shown(long)
    x = alt.X("year:O", title=_("Year"))
    colour = alt.Color("province:N", scale=alt.Scale(scheme="tableau10"), title=UW(N_("province"), N_("unit")))
    band = (alt.Chart(band_rows).mark_area(opacity=0.15)
            .encode(x=x, y=alt.Y("p05:Q", title=_("Coupling coordination D"), scale=alt.Scale(zero=False)),
                    y2="p95:Q", color=colour))
    line = (alt.Chart(long).mark_line(point=True)
            .encode(x=x, y=alt.Y("D:Q"), color=colour,
                    strokeDash=_side_dash(),
                    tooltip=[alt.Tooltip("province:N", title=UW(N_("province"), N_("unit"))), alt.Tooltip("year:O", title=_("year")),
                             alt.Tooltip("side:N", title=_("side")), alt.Tooltip("D:Q", format=".3f"),
                             alt.Tooltip("p05:Q", format=".3f", title=_("5th percentile")),
                             alt.Tooltip("p95:Q", format=".3f", title=_("95th percentile"))]))
    rule = alt.Chart(pd.DataFrame({"year": [str(res.launch_year)]})).mark_rule(color="#888").encode(x="year:O")
    st.altair_chart(line + band + rule, width="stretch")  # line first: its legends are the ones shown
    st.caption(_("Up to {last}: observed D (the scenario's line shows the changed data through the frozen frame). "
                 "From {first}: the median of {n} paths; the shaded band is the scenario's 5th-95th percentile.")
               .format(last=res.launch_year - 1, first=res.launch_year, n=f"{res.scenario.n_paths:,}"))
    end = res.end_year
    st.markdown("**" + _("Chance of high or extreme coordination in {year}").format(year=end) + "**")
    last = d[(d[schema.YEAR] == end) & d[schema.PROVINCE].isin(pick or list(d[schema.PROVINCE].unique()))]
    chance_b, chance_s = _("chance, baseline"), _("chance, scenario")
    st.dataframe(_shown(last[[schema.PROVINCE, "p_high_baseline", "p_high_scenario", "D_baseline", "D_scenario",
                              "D_scenario_p05", "D_scenario_p95"]]).rename(columns={
                           schema.PROVINCE: _("province"),
                           "p_high_baseline": chance_b, "p_high_scenario": chance_s,
                           "D_baseline": _("D baseline (median)"), "D_scenario": _("D scenario (median)"),
                           "D_scenario_p05": _("scenario 5th pct"), "D_scenario_p95": _("scenario 95th pct")}),
                 hide_index=True, width="stretch", column_config={
                     chance_b: st.column_config.NumberColumn(format="percent"),
                     chance_s: st.column_config.NumberColumn(format="percent")})
    faults_b = res.baseline_provinces.faults
    faults_s = res.scenario_provinces.faults
    fut = lambda f: f[(f["year"] >= res.launch_year) & f["flagged"]]  # noqa: E731
    st.markdown("**" + _("Coupling-fault warnings") + "** "
                + _("(innovation input rose but coordination stalled or fell, on the median path)"))
    cols = st.columns(2)
    cols[0].caption(_("Baseline, {year} on: {n} flags").format(year=res.launch_year, n=len(fut(faults_b))))
    cols[0].dataframe(_faults_shown(fut(faults_b)), hide_index=True, height=160)
    cols[1].caption(_("Scenario, {year} on: {n} flags").format(year=res.launch_year, n=len(fut(faults_s))))
    cols[1].dataframe(_faults_shown(fut(faults_s)), hide_index=True, height=160)
    if pick:
        one = st.selectbox(_("Class probabilities for"), pick, key="sim_prov_one", format_func=P,
                           help=UW(N_("The province whose chance of each coordination class is drawn."),
                                   N_("The unit whose chance of each coordination class is drawn.")))
        f = res.class_probability_table()
        f = _shown(f[f["province"] == one])
        classes = [_(CLASS_NAMES[c]) for c in CLASS_COLOURS]
        area = (alt.Chart(f).mark_area()
                .encode(x=alt.X("year:O", title=_("year")),
                        y=alt.Y("probability:Q", stack="normalize", title=_("probability")),
                        color=alt.Color("class:N", scale=alt.Scale(domain=classes, range=list(CLASS_COLOURS.values())),
                                        sort=classes, title=_("class")),
                        tooltip=[alt.Tooltip("side:N", title=_("side")), alt.Tooltip("year:O", title=_("year")),
                                 alt.Tooltip("class:N", title=_("class")),
                                 alt.Tooltip("probability:Q", format=".1%", title=_("probability"))])
                .properties(height=180).facet(column=alt.Column("side:N", title=None)))
        st.altair_chart(area)


def _shares_tab(res, base) -> None:
    if res.baseline_provinces is None:
        st.info(_("No province panel loaded."))
        return
    t = res.shares_table()
    options = ["High or Extreme", *CLASS_COLOURS]
    chart_area = st.container()  # the chart above its selector: it stays in view on a projector
    cls = st.selectbox(_("Class"), options, index=0, key="sim_share_class", format_func=lambda c: T(CLASS_NAMES[c]),
                       help=_("Which coordination class the chart counts; 'High or Extreme' is the share the "
                              "summary quotes."))
    if cls == "High or Extreme":
        rows = []
        for side, ps in (("baseline", res.baseline_provinces), ("scenario", res.scenario_provinces)):
            mean, lo, hi = ps.high_shares
            rows += [{"side": side, "year": int(y), "share": float(m), "share_p05": float(a), "share_p95": float(b)}
                     for y, m, a, b in zip(ps.paths.years, mean, lo, hi)]
        sub = pd.DataFrame(rows)
    else:
        sub = t[t["class"] == cls]
    # A plain Vega-Lite spec: this chart redraws on every control move, and building it through
    # altair (schema validation) took most of the rerun.
    colour = {"field": "side", "type": "nominal", "title": "",
              "scale": {"domain": [_side("baseline"), _side("scenario")], "range": ["#7f7f7f", "#1f6f8b"]}}
    x = {"field": "year", "type": "ordinal", "title": _("Year")}
    share_titles = {"share": _("share"), "share_p05": _("5th percentile"), "share_p95": _("95th percentile")}
    spec = {
        "data": {"values": _shown(sub[["side", "year", "share", "share_p05", "share_p95"]].astype({"year": int}))
                 .to_dict("records")},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.25},
             "encoding": {"x": x, "y": {"field": "share_p05", "type": "quantitative", "axis": {"format": "%"},
                                        "title": UW(N_("Provinces at {cls}"), N_("Units at {cls}")).format(
                                            cls=_(CLASS_NAMES[cls]).lower())},
                          "y2": {"field": "share_p95"}, "color": colour}},
            {"mark": {"type": "line", "point": True},
             "encoding": {"x": x, "y": {"field": "share", "type": "quantitative"}, "color": colour,
                          "tooltip": [{"field": "side", "title": _("side")}, {"field": "year", "title": _("year")},
                                      *({"field": f, "type": "quantitative", "format": ".1%", "title": t}
                                        for f, t in share_titles.items())]}},
        ],
    }
    with chart_area:
        st.vega_lite_chart(spec, width="stretch")
    pb = base.provinces
    st.caption(_("{observed}: observed; {first}-{end}: {n} joint spatial Markov paths (seed {seed}). Lines: mean "
                 "share over paths; bands: 5th-95th percentile. Transition matrices {source}; classes: {scheme} "
                 "{cutoffs}; {neighbours}").format(
        observed=res.launch_year - 1, first=res.launch_year, end=res.end_year, n=f"{res.scenario.n_paths:,}",
        seed=res.seed, source=tr(pb.matrices_source),
        scheme=_("fixed cut-offs") if res.scenario.class_scheme == "fixed" else _("pooled quartiles"),
        cutoffs=tuple(round(c, 3) for c in pb.cutoffs),
        neighbours=_("neighbours by contiguity (Hainan joined to its nearest capitals).")
        if pb.units is None or pb.units.provinces else
        _("neighbours: the 4 nearest units (no boundaries for these units).")))


def _cluster_tab(res) -> None:
    if res.baseline_clusters is None:
        st.info(_("No AI clusters: load city data and links on the Data page."))
        return
    t = res.ti_table()
    diff = res.ti_difference()
    last = diff[(diff["year"] == res.end_year) & (diff["ti_change"].abs() > 1e-12)]
    last = last.reindex(last["ti_change"].abs().sort_values(ascending=False).index)  # most affected first
    changed = last["cluster"].tolist()
    pick = st.multiselect(_("Clusters"), sorted(t["cluster"].unique()), default=changed[:4] or ["Beijing"]
                          if "Beijing" in set(t["cluster"]) else list(t["cluster"].unique()[:2]),
                          key="sim_cl_pick", format_func=P,
                          help=_("Clusters drawn; the most affected by the scenario first."))
    sub = t[t["cluster"].isin(pick)]
    log = st.toggle(_("Log scale"), value=bool(len(sub)) and sub["patents"].max() > 10 * max(sub["patents"].min(), 1.0),
                    key="sim_cl_log", help=_("Clusters differ in size by orders of magnitude: a log scale shows the "
                                             "small ones as clearly as the large."))
    sub = _shown(sub)
    yscale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    colour = alt.Color("cluster:N", scale=alt.Scale(scheme="tableau10"), title=_("cluster"))
    band = (alt.Chart(sub).mark_area(opacity=0.2)
            .encode(x=alt.X("year:O", title=_("Year")),
                    y=alt.Y("patents_p05:Q", title=_("AI patent applications (log scale)") if log
                            else _("AI patent applications"), scale=yscale),
                    y2="patents_p95:Q", color=alt.Color("cluster:N", scale=alt.Scale(scheme="tableau10")),
                    detail="side:N"))
    line = (alt.Chart(sub).mark_line(point=True)
            .encode(x="year:O", y=alt.Y("patents:Q", scale=yscale), color=colour, strokeDash=_side_dash(),
                    tooltip=[alt.Tooltip("cluster:N", title=_("cluster")), alt.Tooltip("side:N", title=_("side")),
                             alt.Tooltip("year:O", title=_("year")),
                             alt.Tooltip("patents:Q", format=",.0f", title=_("AI patent applications")),
                             alt.Tooltip("patents_p05:Q", format=",.0f", title=_("5th percentile")),
                             alt.Tooltip("patents_p95:Q", format=",.0f", title=_("95th percentile"))]))
    st.altair_chart(line + band, width="stretch")  # line first: its legends are the ones shown
    coefs = res.baseline_clusters.forecast.coefficients
    st.caption(_("TI = ln(AI patents) forward from Wang et al. (2025) Eq. (3) to {end} with fixed effects recovered "
                 "from each cluster's history; bands: 5th-95th percentile over 2,000 coefficient draws (draws with "
                 "L.TI >= 1 excluded). Coefficients: {source}.").format(end=res.end_year, source=tr(coefs.source)))
    if changed:
        end = last
        st.markdown("**" + _("Scenario minus baseline in {year}").format(year=res.end_year) + "** "
                    + _("(90 % band over the same coefficient draws; where it includes zero the model detects no "
                        "effect)"))
        names = {"cluster": _("cluster"), "patents_baseline": _("baseline"), "patents_scenario": _("scenario"),
                 "patents_change_pct": _("change %"), "patents_change_pct_p05": _("5th pct %"),
                 "patents_change_pct_p95": _("95th pct %"), "detected": _("effect detected")}
        st.dataframe(_shown(end[list(names)]).rename(columns=names),
                     hide_index=True, width="stretch", column_config={
                         names[c]: st.column_config.NumberColumn(format="%.1f") for c in
                         ("patents_change_pct", "patents_change_pct_p05", "patents_change_pct_p95")} | {
                         names[c]: st.column_config.NumberColumn(format="%.0f")
                         for c in ("patents_baseline", "patents_scenario")})
    st.dataframe(coefs.to_frame().rename(columns={"term": _("term"), "coef": _("coef"), "se": _("SE"), "z": "z"}),
                 hide_index=True)
    from sim.forecast import long_run_multiplier

    nc = res.scenario_clusters.nc_last.dropna()
    if len(nc) and float(coefs.params["L.TI"]) < 1:
        lr = long_run_multiplier(coefs, nc.to_numpy())
        st.markdown("**" + _("Long-run multiplier of policy") + "**: "
                    + _("the eventual change in ln(AI patents) per unit of IP = ln(1 + policies), "
                        "(a2 + a4 (NC - mean NC)) / (1 - a1), at each cluster's NC"))
        st.dataframe(pd.DataFrame({_("cluster"): [place(c) for c in nc.index], _("NC (scenario)"): nc.to_numpy(),
                                   _("long-run multiplier"): lr.value, _("SE (delta method)"): lr.se}),
                     hide_index=True, width="stretch")


def _compare_tab(res, base) -> None:
    """Saved scenarios side by side (the same baseline and options), with the current one."""
    st.text_input(_("Save the current scenario as"), key="sim_save_name", max_chars=60,
                  placeholder=_("e.g. Western push, +5 policies"), help=_("Saved scenarios stay for this session."))
    st.button(_("Save for comparison"), key="sim_save", on_click=_save)
    saved = st.session_state.get(ui.SAVED_KEY, {})
    if not saved:
        st.info(_("Save one or more scenarios to compare them here with the current one."))
        return
    opts = (res.scenario.coupling_method, res.scenario.class_scheme, res.scenario.parameter_source)
    runs, skipped = {_("Current"): res}, []
    for name, sc in saved.items():
        if (sc.coupling_method, sc.class_scheme, sc.parameter_source) != opts:
            skipped.append(name)
            continue
        ref = ui.reference(fp, opts, sc.horizon, sc.n_paths, ui.SEED, base)
        runs[name] = ui.run(fp, sc.to_json(), ui.SEED, base, ref)
    table = ui.comparison_table(runs)
    shown = table.rename(columns={c: _(c) for c in table.columns})
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        _(c): st.column_config.NumberColumn(format="percent") for c in table.columns if c.startswith("share")})
    rows = ui.comparison_shares(runs)
    if len(rows):
        rows = rows.assign(scenario=rows["scenario"].map(lambda n: _("Baseline") if n == "Baseline" else n))
        st.vega_lite_chart({
            "data": {"values": rows.to_dict("records")},
            "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "year", "type": "ordinal", "title": _("Year")},
                         "y": {"field": "share", "type": "quantitative", "axis": {"format": "%"},
                               "title": UW(N_("Share of provinces at high or extreme coordination"),
                                           N_("Share of units at high or extreme coordination"))},
                         "color": {"field": "scenario", "type": "nominal", "title": ""},
                         "strokeDash": {"field": "scenario", "type": "nominal", "legend": None},
                         "tooltip": [{"field": "scenario", "title": _("scenario")},
                                     {"field": "year", "title": _("year")},
                                     {"field": "share", "type": "quantitative", "format": ".1%",
                                      "title": _("share")}]}},
            width="stretch")
    if skipped:
        st.caption(_("Not compared (other coupling, classes or parameter source than the current scenario):") + " "
                   + md_escape(", ".join(skipped)) + ".")
    c1, c2 = st.columns(2)
    pick = c1.selectbox(_("Open a saved scenario"), list(saved), key="sim_open_saved",
                        help=_("Replaces the current scenario with a saved one (Undo brings it back)."))
    c2.button(_("Open"), key="sim_open", on_click=_load, args=(saved.get(pick, Scenario()),))


def _share_tab(res) -> None:
    from sim.templates import to_csv_bytes, to_excel_bytes
    from ui.briefing import briefing_html, export_files, export_tables

    st.markdown("**" + _("Share this scenario") + "**: " + _("the address bar always holds it; copy this link:"))
    base_url = getattr(st.context, "url", "") or ""
    q = res.scenario.to_query_params()["s"]
    from urllib.parse import urlencode

    from ui.i18n import link_params

    query = urlencode({"s": q, **link_params()})  # a link made in Chinese opens in Chinese
    link = f"{base_url.split('?')[0]}?{query}" if base_url else f"?{query}"
    st.code(link, language=None)
    c1, c2 = st.columns(2)
    c1.download_button(_("Save scenario (JSON)"), res.scenario.to_json().encode("utf-8"), file_name="scenario.json",
                       mime="application/json", key="sim_dl_json")
    c2.file_uploader(_("Load a scenario (JSON)"), type=["json"], key="sim_json_upload", on_change=_apply_file)
    # Deferred: the files are built only when a button is clicked (building the Excel file on every
    # rerun cost 0.3-1 s, most of the time a control took to update the charts). They are written in the
    # session's language, read now: a deferred file is built in another thread, outside the session.
    code = lang()
    prov = state.provenance() if code == "en" else state.provenance(_)

    def zipped() -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, df in export_files(res, prov, link, lang=code).items():  # ASCII file names
                # Chinese: UTF-8 with a byte-order mark, so Excel shows the Chinese headers
                z.writestr(f"{name}.csv", df.to_csv(index=False) if code == "en" else to_csv_bytes(df))
            z.writestr("scenario.json", res.scenario.to_json())
        return buf.getvalue()

    c1.download_button(_("All results (CSV, zipped)"), zipped, file_name="simulation_results.zip",
                       mime="application/zip", key="sim_dl_zip")
    c2.download_button(_("All results (Excel)"), lambda: to_excel_bytes(export_tables(res, prov, link, lang=code)),
                       file_name="simulation_results.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="sim_dl_xlsx")
    st.download_button(_("Briefing to take away (HTML: summary, chart, tables, method, data)"),
                       lambda: briefing_html(res, prov, link, lang=code).encode("utf-8"),
                       file_name="briefing.html", mime="text/html", key="sim_dl_brief", type="primary",
                       help=_("One self-contained page: opens offline, prints to PDF from the browser."))
    if state.dataset().any_synthetic():
        st.caption(_("The results are computed on SYNTHETIC demo data."))


workspace()
