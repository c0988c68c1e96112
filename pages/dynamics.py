"""Dynamics (Study A): kernel densities, joint density, Markov and spatial Markov chains, coupling-fault warnings."""
from ui.nav import ensure_navigation

ensure_navigation()

import functools
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from sim.density import BANDWIDTH_RULE
from sim.markov import CLASS_LABELS_FIXED, EMPTY_ROW_RULE, MarkovWarning
from sim.weights import ISLAND_RULE
from ui import findings as fd
from ui.text import md_escape
from ui.unitmap import unit_map
from ui import spatial as sp
from ui import state
from ui.downloads import localised
from ui.i18n import N_, _, bound, lang, localise_map, place, unit_text

ZH = lang() != "en"
T, P = bound()  # gettext and place names fixed to this run's language, for format_func callbacks
# units other than the 30 study provinces (own cities, counties ...): the page says "units", not "provinces"
OWN_UNITS = state.own_units()
UT = functools.partial(unit_text, own=OWN_UNITS)  # the province message, or its twin about units


st.title(_("Dynamics"))
st.caption(UT(N_("How coordination changes over time: how the distribution shifts, how likely a province is to "
                 "move up or down a class, whether neighbours matter, and where innovation input rises without "
                 "better coordination. Method: Liu et al. (2026), 'Dynamic evolution' (Figs. 9-10, Tables 4-5) "
                 "and the 'coupling fault' monitor of its conclusions."),
              N_("How coordination changes over time: how the distribution shifts, how likely a unit is to "
                 "move up or down a class, whether neighbours matter, and where innovation input rises without "
                 "better coordination. Method: Liu et al. (2026), 'Dynamic evolution' (Figs. 9-10, Tables 4-5) "
                 "and the 'coupling fault' monitor of its conclusions.")))
state.synthetic_notice("provinces")
findings_slot = st.container()  # filled once the chains and the warnings exist
EW_DEFAULTS = {sp.EW_WINDOW: 1, sp.EW_RISE: 0.01, sp.EW_TOL: 0.005}
STATUS_WORDS = {"stalled": N_("stalled"), "fell": N_("fell"), "ok": N_("ok")}
# headers of tables shown and downloaded (in Chinese; English downloads keep the ids)
DENSITY_LABELS = {"scope": N_("Scope"), "year": N_("Year"), "x": N_("Coupling coordination degree D"),
                  "density": N_("Density")}
FAULT_LABELS = {"province": N_("Unit") if OWN_UNITS else N_("Province"), "year": N_("Year"), "start_year": N_("From year"),
                "delta_h_inno": N_("Rise in h2"), "delta_D": N_("Change in D"), "status": N_("D stalled or fell"),
                "flagged": N_("flagged")}
QB_LABELS = {"quantity": N_("Quantity"), "reported": N_("The paper reports"),
             "recomputed_from_table5_counts": N_("Recomputed from the paper's Table 5")}
QB_QUANTITIES = {"Q_b": N_("Q_b (homogeneity statistic)"), "p-value": N_("p-value"),
                 "degrees of freedom": N_("Degrees of freedom")}

src = sp.d_source(state.dataset(), "dynamics")
if src is None:
    st.stop()
panel, table, D, d_label = src
names = tuple(D.index)
years = [int(y) for y in D.columns]

# --- kernel densities ---------------------------------------------------------------------------
st.header(_("How the distribution of D shifts (kernel densities)"))
dens = sp.kde(D)


@st.fragment
def kde_view():
    scopes = list(dict.fromkeys(dens["scope"]))  # "National", then the groups of the loaded units
    def scope_word(s):
        return T(sp.NATIONAL) if s == "National" else md_escape(P(s))  # groups: user text

    scope = st.segmented_control(_("Scope"), scopes, default="National", format_func=scope_word,
                                 key=sp.DY_KDE_SCOPE,
                                 help=_("All units, or one group's units only.")) or "National"
    one = dens[dens["scope"] == scope]
    ch = (alt.Chart(one).mark_line()
          .encode(x=alt.X("x:Q", title=_("Coupling coordination degree D")),
                  y=alt.Y("density:Q", title=_("Density")),
                  color=alt.Color("year:O", title=_("Year"), scale=alt.Scale(scheme="viridis")),
                  tooltip=[alt.Tooltip("year:O", title=_("Year")) if ZH else "year",
                           alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("density:Q", format=".3f")])
          .properties(height=320, title=_("{scope}: kernel density of D by year").format(
              scope=(_(sp.NATIONAL) if scope == "National" else place(scope)))))
    st.altair_chart(ch, width="stretch")


a, b = st.columns(2)
with a:
    kde_view()
with b:
    jd = sp.joint_density(D)
    jf = jd.to_frame()
    zmax = float(jf["density"].max())
    levels = np.linspace(0, zmax, 9)
    jf["level"] = np.digitize(jf["density"], levels[1:-1])  # 8 filled contour bands
    step = float(jd.x[1] - jd.x[0])
    jf["x2"], jf["y2"] = jf["x"] + step, jf["y"] + step
    band = (alt.Chart(jf[jf["level"] > 0]).mark_rect()
            .encode(x=alt.X("x:Q", title=_("D in year t"), scale=alt.Scale(domain=[jd.x[0], jd.x[-1]])),
                    x2="x2:Q", y=alt.Y("y:Q", title=_("D in year t+1"), scale=alt.Scale(domain=[jd.y[0], jd.y[-1]])),
                    y2="y2:Q", color=alt.Color("level:O", title=_("Density band"), scale=alt.Scale(scheme="blues")),
                    tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                             alt.Tooltip("density:Q", format=".2f")]))
    diag = alt.Chart(pd.DataFrame({"x": [jd.x[0], jd.x[-1]], "y": [jd.x[0], jd.x[-1]]})).mark_line(
        color="#d62728", strokeDash=[6, 3]).encode(x="x:Q", y="y:Q")
    st.altair_chart((band + diag).properties(height=320, title=_("Joint density of (D_t, D_t+1), "
                                                                 "45-degree line dashed")), width="stretch")
from ui.coupling import BANDWIDTH_RULE as MARKED_BANDWIDTH_RULE  # noqa: E402

st.caption(sp.sim_text(MARKED_BANDWIDTH_RULE, BANDWIDTH_RULE)
           + UT(N_(" Joint density pooled over {n} province-year pairs; bands are "
                   "8 equal steps of the density (filled contours)."),
                N_(" Joint density pooled over {n} unit-year pairs; bands are "
                   "8 equal steps of the density (filled contours).")).format(n=len(jd.pairs)))
sp.download(localised(dens, DENSITY_LABELS, {"scope": lambda s: _(sp.NATIONAL) if s == "National" else place(s)}),
            "kernel_densities.csv", label=_("Download densities (CSV)"))

# --- early warning ------------------------------------------------------------------------------
st.header(_("Coupling-fault early warning"))
st.caption(UT(N_("The paper's recommendation: alert when innovation input rises but coordination stagnates. "
                 "A province-year is flagged when the innovation resource allocation index (h2) rose by at least "
                 "the threshold over the window while D "
                 "changed by no more than the tolerance (stalled) or fell."),
              N_("The paper's recommendation: alert when innovation input rises but coordination stagnates. "
                 "A unit-year is flagged when the innovation resource allocation index (h2) rose by at least "
                 "the threshold over the window while D "
                 "changed by no more than the tolerance (stalled) or fell.")))
H = sp.wide(table, "h_inno")


@st.fragment
def warning_view():
    c1, c2, c3 = st.columns(3)
    window = c1.slider(_("Window (years)"), 1, max(1, min(5, len(years) - 1)), EW_DEFAULTS[sp.EW_WINDOW],
                       key=sp.EW_WINDOW, help=_("Over how many years the rise and the stall are measured."))
    rise = c2.number_input(_("Minimum rise of the innovation index h2"), 0.001, 0.5, EW_DEFAULTS[sp.EW_RISE],
                           step=0.005, format="%.3f", key=sp.EW_RISE,
                           help=_("How much the innovation resource allocation index (0-1) must rise over the "
                                  "window to count as rising."))
    tol = c3.number_input(_("Stall tolerance for D"), 0.0, 0.1, EW_DEFAULTS[sp.EW_TOL], step=0.001, format="%.3f",
                          key=sp.EW_TOL, help=_("A change of D no larger than this over the window counts as a "
                                                "stall; a fall is always flagged."))
    fl = sp.faults(H, D, int(window), float(rise), float(tol))
    flagged = fl[fl["flagged"]]
    a, b = st.columns([2, 3])
    with a:
        st.metric(UT(N_("Flagged province-years"), N_("Flagged unit-years")),
                  _("{n} of {total}").format(n=len(flagged), total=len(fl)))
        shown = flagged.drop(columns="flagged").round(4)
        if ZH:
            shown = shown.assign(province=shown["province"].map(place),
                                 status=shown["status"].map(lambda v: _(STATUS_WORDS.get(v, v))))
        st.dataframe(shown.rename(columns={k: _(v) for k, v in FAULT_LABELS.items()}),
                     hide_index=True, width="stretch", height=330)
        st.caption(_("h2: the innovation resource allocation index; h2 and D on their 0-1 scales."))
        sp.download(localised(fl, FAULT_LABELS, {"province": place, "status": lambda v: _(STATUS_WORDS.get(v, v))}),
                    "coupling_fault_flags.csv",
                    label=UT(N_("Download all province-years (CSV)"), N_("Download all unit-years (CSV)")))
    with b:
        per = flagged.groupby("province").size().reindex(list(names), fill_value=0)
        label = per.map(lambda v: "none" if v == 0 else ("1 year" if v == 1 else
                                                          ("2 years" if v == 2 else "3 or more years")))
        label = label.map(lambda v: _(sp.FLAG_WORDS[v]))
        st.vega_lite_chart(localise_map(unit_map(
            label, state.boundaries(), value_label=UT(N_("Flagged years per province"), N_("Flagged years per unit")),
            categories={_(sp.FLAG_WORDS[k]): v for k, v in sp.FLAG_COLOURS.items()},
            extra={_("Flagged years (count)"): per}, height=360)), width="stretch")


warning_view()

# --- Markov chains ------------------------------------------------------------------------------
st.header(_("Moving between coordination levels (Markov chains)"))
c1, c2, c3 = st.columns([3, 3, 1])
scheme_label = c1.radio(_("Classes"), list(sp.SCHEMES), key=sp.DY_SCHEME, format_func=lambda o: T(sp.OPTION_WORDS[o]),
                        help=UT(N_("How D is cut into 4 classes: the paper's fixed coordination types, or four "
                                   "equally full groups (quartiles of all province-years)."),
                                N_("How D is cut into 4 classes: the paper's fixed coordination types, or four "
                                   "equally full groups (quartiles of all unit-years).")))
scheme = sp.SCHEMES[scheme_label]
prox_label = c2.radio(_("Neighbours for the spatial lag"), list(sp.PROXIMITY), key=sp.DY_PROXIMITY,
                      format_func=lambda o: T(sp.OPTION_WORDS_UNITS.get(o, sp.OPTION_WORDS[o]) if OWN_UNITS
                                              else sp.OPTION_WORDS[o]),
                      help=UT(N_("Which provinces count as a province's neighbours when asking whether their "
                                 "class changes its chances of moving."),
                              N_("Which units count as a unit's neighbours when asking whether their "
                                 "class changes its chances of moving.")))
prox = sp.PROXIMITY[prox_label]
k = c3.number_input("k", min_value=1, max_value=10, value=4, key=sp.DY_K, disabled=prox != "knn",
                    help=UT(N_("Number of nearest provincial capitals counted as neighbours (k nearest only)."),
                            N_("Number of nearest units counted as neighbours (k nearest only).")))
try:
    Wp = sp.proximity_matrix(prox, int(k), names)
except ValueError as err:
    st.error(_("The proximity matrix cannot be built: {err}").format(err=err))
    st.stop()
sm, mc = sp.markov_results(D, Wp, scheme)
cuts = ", ".join(f"{c:.3f}" for c in sm.cutoffs)
st.info(_("In use: **{scheme}** ({cuts}; right-closed), spatial lag classed with the same cut-offs, lag from the "
          "row-standardised {matrix} matrix.").format(
    scheme=_("fixed cut-offs") if scheme == "fixed" else _("pooled quartiles"), cuts=cuts,
    matrix=_("contiguity") if prox == "contiguity" else UT(N_("{k}-nearest-capital"),
                                                            N_("{k}-nearest-unit")).format(k=int(k))),
        icon=":material/rule:")
if prox == "contiguity" and not OWN_UNITS:  # other units: their neighbourhood note is shown above
    st.caption(sp.sim_text(sp.ISLAND_RULE, ISLAND_RULE).format(k=2))
c = sm.cutoffs
class_names = (list(CLASS_LABELS_FIXED) if scheme == "fixed" else
               [f"Q1 (<= {c[0]:.3f}]", f"Q2 ({c[0]:.3f}, {c[1]:.3f}]", f"Q3 ({c[1]:.3f}, {c[2]:.3f}]",
                f"Q4 (> {c[2]:.3f})"])
# the classes as shown (the findings get the English names: they pick the first word)
shown_classes = ([sp.sim_text(m, e) for m, e in zip(sp.CLASS_LABELS_FIXED, CLASS_LABELS_FIXED)]
                 if scheme == "fixed" else class_names)


def _fmt_table(df: pd.DataFrame) -> pd.DataFrame:
    """Transition probabilities with readable labels; a row without transitions reads 'no data'."""
    out = df.copy()
    probs = [c for c in out.columns if c.startswith("p_to_")]
    out = fd.words_for_missing(out, "{:.4f}", missing=_("no data"), columns=probs)
    return out.rename(columns=markov_headers())


def markov_headers() -> dict:
    """Headers of the transition tables (probabilities and counts), shown and downloaded, in the session's language."""
    to = {f"to_{j + 1}": _("to {c}").format(c=shown_classes[j]) for j in range(len(class_names))}
    return {**{f"p_to_{j + 1}": _("P(to {c})").format(c=shown_classes[j]) for j in range(len(class_names))},
            "from_class": _("From class (1-4)"), "lag_class": _("Neighbours' class (1-4)"),
            "n": _("Transitions observed"), **to, **{f"count_{k}": v for k, v in to.items()}}


def _paper_table(name: str) -> pd.DataFrame:
    """A table of the paper with the same column headers as ours."""
    t = sp.paper_table(name)
    return _fmt_table(t) if ZH else t


EMPTY_ROW_TEXT = sp.sim_text(sp.EMPTY_ROW_RULE, EMPTY_ROW_RULE)
with st.expander(_("Transition probabilities: this data and the paper's Table 4")):
    a, b = st.columns(2)
    with a:
        st.subheader(_("Traditional Markov matrix"))
        t4 = _fmt_table(mc.to_frame())
        st.dataframe(t4, hide_index=True, width="stretch")
        st.caption(_("Classes: ") + ("; " if not ZH else "；").join(f"{i + 1} = {c}" for i, c in enumerate(shown_classes))
                   + ("." if not ZH else "。"))
        cnt = pd.DataFrame(mc.counts, columns=[f"to_{j + 1}" for j in range(4)])
        cnt.insert(0, "from_class", range(1, 5))
        st.caption(_("Transition counts"))
        st.dataframe(cnt.rename(columns=markov_headers()), hide_index=True, width="stretch")
        sp.download(localised(mc.to_frame().merge(cnt, on="from_class"), markov_headers()), f"markov_{scheme}.csv")
    with b:
        st.subheader(_("Paper, Table 4"))
        pm = sp.paper_markov()
        st.dataframe(_paper_table("liu2026_table4_markov.csv"), hide_index=True, width="stretch")
        st.caption(_("The paper's counts 83/76/74/67 of 300 transitions are close to equal: quartiles of the "
                     "pooled D, although its coordination types use the fixed cut-offs."))

with st.expander(_("Spatial Markov matrices: conditioned on the neighbours' class (Table 5)")):
    a, b = st.columns(2)
    with a:
        t5 = _fmt_table(sm.to_frame())
        st.dataframe(t5, hide_index=True, width="stretch", height=320)
        sp.download(localised(sm.to_frame().assign(**{f"count_to_{j + 1}": sm.counts.reshape(-1, 4)[:, j]
                                                      for j in range(4)}), markov_headers()),
                    f"spatial_markov_{scheme}_{prox}.csv")
        st.caption(_("Rows without transitions (that class never started a transition under that "
                     "neighbourhood) read 'no data'. ") + EMPTY_ROW_TEXT)
    with b:
        st.dataframe(_paper_table("liu2026_table5_spatial_markov.csv"), hide_index=True, width="stretch",
                     height=320)
        st.caption(_("Paper, Table 5."))

with st.expander(_("Homogeneity test: does the neighbourhood matter?"), expanded=True):
    a, b = st.columns(2)
    with a:
        st.metric(_("Q (loaded data)"), f"{sm.Q:.3f}", help=_("Bickenbach-Bode chi-square statistic"))
        st.markdown(_("dof = **{dof}** (Bickenbach-Bode corrected), p = **{p}**; "
                      "likelihood-ratio LR = {LR}, p = {LR_p}.").format(
            dof=sm.dof, p=f"{sm.p_value:.4f}", LR=f"{sm.LR:.3f}", LR_p=f"{sm.LR_p_value:.4f}"))
        if (sm.p_value < 0.05) != (sm.LR_p_value < 0.05):
            st.caption(_("Q and LR disagree at the 5% level: with few transitions per row (see n above) the "
                         "chi-square approximation is poor, so read either p-value with caution."))
    with b:
        comp = pm.comparison()
        r = pm.recomputed

        def p_text(p):
            return "< 0.001" if p < 0.001 else f"{p:.3f}"

        st.dataframe(pd.DataFrame({
            _("Quantity"): [_("Q_b (homogeneity statistic)"), _("p-value"), _("Degrees of freedom")],
            _("The paper reports"): [f"{pm.Q_reported:.3f}", p_text(pm.p_reported), _("not reported")],
            _("Recomputed from the paper's Table 5"): [f"{r.Q:.3f}", p_text(r.p_value), f"{r.dof}"]}),
            hide_index=True, width="stretch")
        sp.download(localised(comp, QB_LABELS, {"quantity": lambda q: _(QB_QUANTITIES.get(q, q))}),
                    "paper_Qb_reported_vs_recomputed.csv")
        st.warning(_("The paper reports Q_b = {Qr} (p = {pr}). Its own Table 5, turned back into "
                     "integer counts (n x p; they reproduce every printed probability and sum to Table 4), gives "
                     "Q = {Q} with {dof} degrees of freedom, p = "
                     "{p}: no evidence that neighbours matter. The published statistic "
                     "cannot be reproduced from the published table.").format(
            Qr=f"{pm.Q_reported:.3f}", pr=f"{pm.p_reported:.3f}", Q=f"{pm.recomputed.Q:.2f}", dof=pm.recomputed.dof,
            p=f"{pm.recomputed.p_value:.2f}"), icon=":material/report:")

with st.expander(_("Long run: steady states and mean first-passage times")):
    a, b = st.container(), st.container()
    with a:
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MarkovWarning)
            ss = pd.DataFrame(sm.steady_states(), columns=class_names)
            traditional_ss = mc.steady_state()
        ss.insert(0, "chain", [f"neighbours class {l + 1}" for l in range(ss.shape[0])])
        ss = pd.concat([pd.DataFrame([["traditional", *traditional_ss]], columns=ss.columns), ss])
        ss_shown = ss
        if ZH:
            ss_shown = ss.assign(chain=[_("traditional")] + [_("neighbours class {n}").format(n=l + 1)
                                                            for l in range(ss.shape[0] - 1)])
            ss_shown = ss_shown.rename(columns={"chain": _("chain"), **dict(zip(class_names, shown_classes))})
        st.dataframe(fd.words_for_missing(ss_shown, "{:.4f}", missing=_("no unique steady state")), hide_index=True,
                     width="stretch")
        sp.download(ss_shown if ZH else ss, "steady_states.csv")  # Chinese: the headers and chains shown
        reasons = sorted({sp.markov_warning(str(w.message)) for w in caught if issubclass(w.category, MarkovWarning)})
        st.caption(_("'no unique steady state': the chain has no single long-run distribution. ") + " ".join(reasons)
                   + " " + EMPTY_ROW_TEXT)
    with b:
        mf = pd.DataFrame(mc.mean_first_passage_times(), columns=[f"to {c}" for c in class_names])
        mf.insert(0, "from", class_names)
        mf_shown = mf
        if ZH:
            mf_shown = pd.DataFrame(mc.mean_first_passage_times(),
                                    columns=[_("to {c}").format(c=c) for c in shown_classes])
            mf_shown.insert(0, _("from"), shown_classes)
        st.dataframe(fd.words_for_missing(mf_shown, "{:.2f}", missing=_("no data"), infinite=_("never")),
                     hide_index=True, width="stretch")
        sp.download(mf_shown if ZH else mf, "mean_first_passage_times.csv")  # Chinese: as shown
        st.caption(_("Traditional chain, in years. 'never': the class is never reached (or not with certainty) "
                     "from that start; diagonal: mean return time."))

_window = int(st.session_state.get(sp.EW_WINDOW, EW_DEFAULTS[sp.EW_WINDOW]))
_rise = float(st.session_state.get(sp.EW_RISE, EW_DEFAULTS[sp.EW_RISE]))
_tol = float(st.session_state.get(sp.EW_TOL, EW_DEFAULTS[sp.EW_TOL]))
_flags = sp.faults(H, D, _window, _rise, _tol)
with findings_slot:
    fd.show(fd.dynamics_findings(
        D, mc, sm, class_names, scheme == "fixed", _flags[_flags["flagged"]],
        flag_rule=(f"innovation index up by at least {_rise:g} over {_window} year{'s' if _window > 1 else ''}, "
                   f"D up by no more than {_tol:g}") if not ZH else
        _("innovation index up by at least {rise} over {window} years, D up by no more than {tol}").format(
            rise=f"{_rise:g}", window=_window, tol=f"{_tol:g}"),
        unit=("unit", "units") if OWN_UNITS else ("province", "provinces")),
        note=_("How sure: chances are shares of the observed year-to-year moves (about {moves} "
               "moves for {n} {units}), so a class with "
               "few moves has an uncertain row; the long-run figures assume the "
               "observed moves continue unchanged. Classes and neighbours as chosen below.").format(
            moves=f"{D.shape[0] * (D.shape[1] - 1):,}", n=D.shape[0],
            units=_("units") if OWN_UNITS else _("provinces")),
        synthetic=state.dataset().any_synthetic("provinces"))
