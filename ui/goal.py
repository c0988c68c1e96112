"""The Simulator's "What would it take?" panel: a target form, the solver's answer, its chart.

Layout only: the target is validated by ``sim.target.Target.from_dict`` and solved by
``sim.goal.solve`` (the same simulation the page shows). The last answer is kept in the session
(``SOLUTION_KEY``); a target carried by a share link (``?t=``) pre-fills the form once.
"""
from __future__ import annotations

import functools
import streamlit as st

from sim import schema
from sim.target import CLASSES, LEVERS, QUANTITIES, Target, TargetError
from ui.i18n import N_, _, bound, tr, unit_text
from ui.text import md_escape

SOLUTION_KEY = "goal_solution"
PROBLEMS_KEY = "goal_problems"
LOADED_KEY = "goal_loaded"  # the Target read from the link, or None
URL_READ_KEY = "goal_url_read"
N_PATHS = 2000

# English, marked for the catalogue; shown with _()
QUANTITY_LABELS = {
    "province_class_probability": N_("Chance that a province reaches a class"),
    "national_high_share": N_("Share of provinces at high or extreme coordination"),
    "province_median_D": N_("A province's coupling coordination D (median)"),
    "cluster_patents_vs_baseline": N_("An AI cluster's patents, % above the baseline"),
}
# the same quantities when the loaded units are not the study provinces (own cities, counties ...)
UNIT_QUANTITY_LABELS = {
    **QUANTITY_LABELS,
    "province_class_probability": N_("Chance that a unit reaches a class"),
    "national_high_share": N_("Share of units at high or extreme coordination"),
    "province_median_D": N_("A unit's coupling coordination D (median)"),
}
SHORT_LABELS = {
    "province_class_probability": N_("chance"),
    "national_high_share": N_("share high or extreme"),
    "province_median_D": N_("median D"),
    "cluster_patents_vs_baseline": N_("% above baseline"),
}
LEVER_LABELS = {
    "indicator_pct": N_("Raise indicators once, % of their value"),
    "indicator_growth": N_("Grow indicators every year, % a year"),
    "policies": N_("Extra AI incentive policies a year"),
    "link": N_("Extra co-applied AI patents a year between two cities"),
}
CLASS_LABELS = {"Low": N_("Low"), "Medium": N_("Medium"), "High": N_("High"), "Extreme": N_("Extreme")}
assert set(QUANTITY_LABELS) == set(QUANTITIES) and set(LEVER_LABELS) == set(LEVERS)


def read_link_once(params) -> None:
    """Read ``?t=`` once per session into the form's starting values (problems are shown in the panel)."""
    if st.session_state.get(URL_READ_KEY):
        return
    st.session_state[URL_READ_KEY] = True
    st.session_state[LOADED_KEY] = None
    if "t" in params:
        try:
            st.session_state[LOADED_KEY] = Target.from_query_params(params)
        except TargetError as err:
            st.session_state[PROBLEMS_KEY] = [_("The target in the link could not be used:"), *err.problems]


def form(province_names, clusters, cities, targets: dict, first_year: int, last_year: int, latest: int,
         own_units: bool = False):
    """The target form. Returns ``(raw target dict, solve clicked)``; ``raw`` is None if nothing applies.
    ``own_units``: the loaded units are not the study provinces (the form then says "unit")."""
    t0: Target | None = st.session_state.get(LOADED_KEY)
    T, P = bound()  # for format_func callbacks (see ui.i18n.bound)
    labels = UNIT_QUANTITY_LABELS if own_units else QUANTITY_LABELS

    U = functools.partial(unit_text, own=own_units)  # noqa: N806 - the province message, or its twin

    quantities = [q for q in QUANTITY_LABELS if (q != "cluster_patents_vs_baseline" or clusters)
                  and (q == "cluster_patents_vs_baseline" or province_names)]
    if not quantities:
        st.caption(_("Load data on the Data page to set a target."))
        return None, False
    q = st.selectbox(_("What should reach a level?"), quantities, format_func=lambda v: T(labels[v]), key="goal_q",
                     index=quantities.index(t0.quantity) if t0 and t0.quantity in quantities else 0,
                     help=_("The quantity is read from the same simulation the results show."))
    raw = {"quantity": q}
    if q in ("province_class_probability", "province_median_D"):
        raw["subject"] = st.selectbox(U(N_("Province"), N_("Unit")), province_names, key="goal_subject_p", format_func=P,
                                      index=province_names.index(t0.subject) if t0 and t0.subject in province_names
                                      else (province_names.index("Gansu") if "Gansu" in province_names else 0),
                                      help=U(N_("The province the target is about."),
                                             N_("The unit the target is about.")))
    elif q == "cluster_patents_vs_baseline":
        cl = list(clusters)
        raw["subject"] = st.selectbox(_("AI cluster"), cl, key="goal_subject_c", format_func=P,
                                      index=cl.index(t0.subject) if t0 and t0.subject in cl
                                      else (cl.index("Guilin") if "Guilin" in cl else 0),
                                      help=_("The AI cluster (city) the target is about."))
    if q == "province_class_probability":
        raw["cls"] = st.selectbox(_("Class to reach (or above)"), list(CLASSES), index=2, key="goal_cls",
                                  format_func=lambda c: T(CLASS_LABELS.get(c, c)),
                                  help=U(N_("Coordination class the province should reach or exceed."),
                                         N_("Coordination class the unit should reach or exceed.")))
    c1, c2 = st.columns(2)
    raw["year"] = int(c1.number_input(_("By year"), first_year, last_year,
                                      int(t0.year) if t0 and first_year <= t0.year <= last_year
                                      else min(last_year, first_year + 4), key="goal_year",
                                      help=_("A projected year, {first}-{last}.").format(first=first_year, last=last_year)))
    if q in ("province_class_probability", "national_high_share"):
        pct = c2.number_input(_("Threshold, %"), 0.0, 100.0, float(100 * t0.threshold) if t0 and t0.quantity == q
                              else 80.0 if q == "province_class_probability" else 70.0, step=5.0, key="goal_thr_p",
                              help=U(N_("How sure (share of simulated futures), or the share of provinces, to reach."),
                                     N_("How sure (share of simulated futures), or the share of units, to reach.")))
        raw["threshold"] = pct / 100.0
    elif q == "province_median_D":
        raw["threshold"] = float(c2.number_input(_("Threshold (D, 0-1)"), 0.0, 1.0, float(t0.threshold)
                                                 if t0 and t0.quantity == q else 0.55, step=0.01, key="goal_thr_d",
                                                 help=U(N_("The median D (0-1) the province should reach."),
                                                        N_("The median D (0-1) the unit should reach."))))
    else:
        raw["threshold"] = float(c2.number_input(_("Threshold, % above baseline"), -99.0, 1000.0,
                                                 float(t0.threshold) if t0 and t0.quantity == q else 20.0,
                                                 step=5.0, key="goal_thr_c",
                                                 help=_("AI patent applications above the baseline, in %.")))
    kinds = (["policies", "link"] if q == "cluster_patents_vs_baseline" else ["indicator_pct", "indicator_growth"])
    lv0 = t0.lever if t0 and t0.lever.kind in kinds else None
    kind = st.radio(_("Lever to solve for"), kinds, format_func=lambda v: T(LEVER_LABELS[v]), key="goal_kind",
                    index=kinds.index(lv0.kind) if lv0 else 0,
                    help=_("The one control the search varies; every other change of the scenario stays as set."))
    lever = {"kind": kind}
    if kind.startswith("indicator"):
        tkeys = list(targets)
        lever["target"] = st.selectbox(_("Indicator or dimension"), tkeys, format_func=targets.get, key="goal_target",
                                       index=tkeys.index(lv0.target) if lv0 and lv0.target in tkeys
                                       else tkeys.index("dim:Capital innovation resource")
                                       if "dim:Capital innovation resource" in tkeys else 0,
                                       help=_("What the search changes: one indicator, a dimension or a system."))
        from ui.spatial import active_units

        groups = [g for g in active_units().group_order if g not in set(province_names)]
        choices = ["all", *groups, *province_names]
        default = [p for p in (lv0.provinces if lv0 else (raw.get("subject", "West"),)) if p in choices]
        lever["provinces"] = st.multiselect(_("Where"), choices, default=default or ["all"], key="goal_where",
                                            format_func=P,
                                            help=U(N_("Where the change applies: provinces or regions."),
                                                   N_("Where the change applies: units or groups of them.")))
        lever["from_year"] = int(st.number_input(_("From year"), latest + 1, last_year,
                                                 int(lv0.from_year) if lv0 and latest < lv0.from_year <= last_year
                                                 else latest + 1, key="goal_from",
                                                 help=_("First year the change applies.")))
        hi_default = 50.0 if kind == "indicator_growth" else 200.0
    elif kind == "policies":
        choices = ["all", *schema.REGIONS, *clusters]
        default = [c for c in (lv0.clusters if lv0 else (raw.get("subject", "all"),)) if c in choices]
        lever["clusters"] = st.multiselect(_("In clusters"), choices, default=default or ["all"], key="goal_clusters",
                                           format_func=P,
                                           help=_("Clusters that issue the extra policies."))
        lever["from_year"] = int(st.number_input(_("From year"), 2000, last_year,
                                                 int(lv0.from_year) if lv0 else first_year, key="goal_from_c",
                                                 help=_("First year of the extra policies.")))
        hi_default = 50.0
    else:
        a1, a2 = st.columns(2)
        subj = raw.get("subject", cities[0] if cities else "")
        lever["city_a"] = a1.selectbox(_("City"), cities, key="goal_city_a", format_func=P,
                                       index=cities.index(lv0.city_a) if lv0 and lv0.city_a in cities
                                       else cities.index(subj) if subj in cities else 0,
                                       help=_("One city of the pair whose co-applied patents the search raises."))
        lever["city_b"] = a2.selectbox(_("with"), cities, key="goal_city_b", format_func=P,
                                       index=cities.index(lv0.city_b) if lv0 and lv0.city_b in cities
                                       else cities.index("Shenzhen") if "Shenzhen" in cities else 0,
                                       help=_("The other city of the pair."))
        hi_default = 1000.0
    b1, b2 = st.columns(2)
    lever["low"] = float(b1.number_input(_("Lever from"), value=float(lv0.low) if lv0 else 0.0, key="goal_low",
                                         help=_("The smallest setting the solver may try.")))
    lever["high"] = float(b2.number_input(_("to"), value=float(lv0.high) if lv0 else hi_default, key="goal_high",
                                          help=_("The largest setting the solver may try.")))
    raw["lever"] = lever
    clicked = st.button(_("Find the smallest setting"), key="goal_solve", type="primary")
    return raw, clicked


def problems() -> None:
    for p in st.session_state.get(PROBLEMS_KEY, []):
        st.error(md_escape(tr(p)))


def show(solution) -> None:
    """The answer: one sentence and the chart of the quantity against the lever."""
    if solution is None:
        return
    st.subheader(_("What it would take"))
    ok = solution.status in ("met", "met_at_low")
    (st.success if ok else st.warning)(md_escape(tr(solution.sentence)))
    t = solution.target
    pct = t.quantity in ("province_class_probability", "national_high_share")
    rows = [{"lever": float(x), "value": float(v)} for x, v in solution.curve]
    layers = [
        {"mark": {"type": "line", "point": True},
         "encoding": {"x": {"field": "lever", "type": "quantitative", "title": _(LEVER_LABELS[t.lever.kind])},
                      "y": {"field": "value", "type": "quantitative", "title": _(SHORT_LABELS[t.quantity]),
                            "scale": {"zero": False}, **({"axis": {"format": "%"}} if pct else {})},
                      "tooltip": [{"field": "lever", "format": ".2f", "title": _(LEVER_LABELS[t.lever.kind])},
                                  {"field": "value", "format": ".1%" if pct else ".3f",
                                   "title": _(SHORT_LABELS[t.quantity])}]}},
        {"data": {"values": [{"threshold": t.threshold}]}, "mark": {"type": "rule", "strokeDash": [4, 4],
                                                                   "color": "#b35806"},
         "encoding": {"y": {"field": "threshold", "type": "quantitative"}}},
    ]
    if solution.value is not None:
        layers.append({"data": {"values": [{"lever": solution.value, "value": solution.achieved}]},
                       "mark": {"type": "point", "size": 120, "filled": True, "color": "#1f6f8b"},
                       "encoding": {"x": {"field": "lever", "type": "quantitative"},
                                    "y": {"field": "value", "type": "quantitative"}}})
    st.vega_lite_chart({"data": {"values": rows}, "layer": layers}, width="stretch", height=260)
    st.caption(_("Each point is one simulation ({n} paths, the same random numbers); dashed line: the threshold. "
                 "Method: a grid over the bounds, then bisection to 1 % of the answer ({evaluations} simulations).")
               .format(n=f"{N_PATHS:,}", evaluations=solution.evaluations))
