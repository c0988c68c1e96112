"""Dynamics (Study A): kernel densities, joint density, Markov and spatial Markov chains, coupling-fault warnings."""
from ui.nav import ensure_navigation

ensure_navigation()

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

st.title("Dynamics")
st.caption("How coordination changes over time: how the distribution shifts, how likely a province is to "
           "move up or down a class, whether neighbours matter, and where innovation input rises without "
           "better coordination. Method: Liu et al. (2026), 'Dynamic evolution' (Figs. 9-10, Tables 4-5) "
           "and the 'coupling fault' monitor of its conclusions.")
state.synthetic_notice("provinces")
findings_slot = st.container()  # filled once the chains and the warnings exist
EW_DEFAULTS = {sp.EW_WINDOW: 1, sp.EW_RISE: 0.01, sp.EW_TOL: 0.005}

src = sp.d_source(state.dataset(), "dynamics")
if src is None:
    st.stop()
panel, table, D, d_label = src
names = tuple(D.index)
years = [int(y) for y in D.columns]

# --- kernel densities ---------------------------------------------------------------------------
st.header("How the distribution of D shifts (kernel densities)")
dens = sp.kde(D)


@st.fragment
def kde_view():
    scopes = list(dict.fromkeys(dens["scope"]))  # "National", then the groups of the loaded units
    scope = st.segmented_control("Scope", scopes, default="National", format_func=md_escape,  # groups: user text
                                 key=sp.DY_KDE_SCOPE,
                                 help="All units, or one group's units only.") or "National"
    one = dens[dens["scope"] == scope]
    ch = (alt.Chart(one).mark_line()
          .encode(x=alt.X("x:Q", title="Coupling coordination degree D"),
                  y=alt.Y("density:Q", title="Density"),
                  color=alt.Color("year:O", title="Year", scale=alt.Scale(scheme="viridis")),
                  tooltip=["year", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("density:Q", format=".3f")])
          .properties(height=320, title=f"{scope}: kernel density of D by year"))
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
            .encode(x=alt.X("x:Q", title="D in year t", scale=alt.Scale(domain=[jd.x[0], jd.x[-1]])),
                    x2="x2:Q", y=alt.Y("y:Q", title="D in year t+1", scale=alt.Scale(domain=[jd.y[0], jd.y[-1]])),
                    y2="y2:Q", color=alt.Color("level:O", title="Density band", scale=alt.Scale(scheme="blues")),
                    tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                             alt.Tooltip("density:Q", format=".2f")]))
    diag = alt.Chart(pd.DataFrame({"x": [jd.x[0], jd.x[-1]], "y": [jd.x[0], jd.x[-1]]})).mark_line(
        color="#d62728", strokeDash=[6, 3]).encode(x="x:Q", y="y:Q")
    st.altair_chart((band + diag).properties(height=320, title="Joint density of (D_t, D_t+1), "
                                                               "45-degree line dashed"), width="stretch")
st.caption(BANDWIDTH_RULE + f" Joint density pooled over {len(jd.pairs)} province-year pairs; bands are "
           "8 equal steps of the density (filled contours).")
sp.download(dens, "kernel_densities.csv", label="Download densities (CSV)")

# --- early warning ------------------------------------------------------------------------------
st.header("Coupling-fault early warning")
st.caption("The paper's recommendation: alert when innovation input rises but coordination stagnates. "
           "A province-year is flagged when the innovation resource allocation index (h2) rose by at least the threshold over the window while D "
           "changed by no more than the tolerance (stalled) or fell.")
H = sp.wide(table, "h_inno")


@st.fragment
def warning_view():
    c1, c2, c3 = st.columns(3)
    window = c1.slider("Window (years)", 1, max(1, min(5, len(years) - 1)), EW_DEFAULTS[sp.EW_WINDOW],
                       key=sp.EW_WINDOW, help="Over how many years the rise and the stall are measured.")
    rise = c2.number_input("Minimum rise of the innovation index h2", 0.001, 0.5, EW_DEFAULTS[sp.EW_RISE], step=0.005,
                           format="%.3f", key=sp.EW_RISE,
                           help="How much the innovation resource allocation index (0-1) must rise over the "
                                "window to count as rising.")
    tol = c3.number_input("Stall tolerance for D", 0.0, 0.1, EW_DEFAULTS[sp.EW_TOL], step=0.001, format="%.3f",
                          key=sp.EW_TOL, help="A change of D no larger than this over the window counts as a "
                                              "stall; a fall is always flagged.")
    fl = sp.faults(H, D, int(window), float(rise), float(tol))
    flagged = fl[fl["flagged"]]
    a, b = st.columns([2, 3])
    with a:
        st.metric("Flagged province-years", f"{len(flagged)} of {len(fl)}")
        st.dataframe(flagged.drop(columns="flagged").round(4).rename(columns={
            "province": "Province", "year": "Year", "start_year": "From year",
            "delta_h_inno": "Rise in h2", "delta_D": "Change in D", "status": "D stalled or fell"}),
            hide_index=True, width="stretch", height=330)
        st.caption("h2: the innovation resource allocation index; h2 and D on their 0-1 scales.")
        sp.download(fl, "coupling_fault_flags.csv", label="Download all province-years (CSV)")
    with b:
        per = flagged.groupby("province").size().reindex(list(names), fill_value=0)
        label = per.map(lambda v: "none" if v == 0 else ("1 year" if v == 1 else
                                                          ("2 years" if v == 2 else "3 or more years")))
        st.vega_lite_chart(unit_map(label, state.boundaries(), value_label="Flagged years per province",
                                           categories=sp.FLAG_COLOURS, extra={"Flagged years (count)": per},
                                           height=360), width="stretch")


warning_view()

# --- Markov chains ------------------------------------------------------------------------------
st.header("Moving between coordination levels (Markov chains)")
c1, c2, c3 = st.columns([3, 3, 1])
scheme_label = c1.radio("Classes", list(sp.SCHEMES), key=sp.DY_SCHEME,
                        help="How D is cut into 4 classes: the paper's fixed coordination types, or four "
                             "equally full groups (quartiles of all province-years).")
scheme = sp.SCHEMES[scheme_label]
prox_label = c2.radio("Neighbours for the spatial lag", list(sp.PROXIMITY), key=sp.DY_PROXIMITY,
                      help="Which provinces count as a province's neighbours when asking whether their "
                           "class changes its chances of moving.")
prox = sp.PROXIMITY[prox_label]
k = c3.number_input("k", min_value=1, max_value=10, value=4, key=sp.DY_K, disabled=prox != "knn",
                    help="Number of nearest provincial capitals counted as neighbours (k nearest only).")
try:
    Wp = sp.proximity_matrix(prox, int(k), names)
except ValueError as err:
    st.error(f"The proximity matrix cannot be built: {err}")
    st.stop()
sm, mc = sp.markov_results(D, Wp, scheme)
cuts = ", ".join(f"{c:.3f}" for c in sm.cutoffs)
st.info(f"In use: **{'fixed cut-offs' if scheme == 'fixed' else 'pooled quartiles'}** ({cuts}; right-closed), "
        f"spatial lag classed with the same cut-offs, lag from the row-standardised "
        f"{'contiguity' if prox == 'contiguity' else f'{int(k)}-nearest-capital'} matrix.",
        icon=":material/rule:")
if prox == "contiguity":
    st.caption(ISLAND_RULE.format(k=2))
c = sm.cutoffs
class_names = (list(CLASS_LABELS_FIXED) if scheme == "fixed" else
               [f"Q1 (<= {c[0]:.3f}]", f"Q2 ({c[0]:.3f}, {c[1]:.3f}]", f"Q3 ({c[1]:.3f}, {c[2]:.3f}]",
                f"Q4 (> {c[2]:.3f})"])


def _fmt_table(df: pd.DataFrame) -> pd.DataFrame:
    """Transition probabilities with readable labels; a row without transitions reads 'no data'."""
    out = df.copy()
    probs = [c for c in out.columns if c.startswith("p_to_")]
    out = fd.words_for_missing(out, "{:.4f}", missing="no data", columns=probs)
    names = {f"p_to_{j + 1}": f"P(to {class_names[j]})" for j in range(len(class_names))}
    return out.rename(columns={**names, "from_class": "From class (1-4)", "lag_class": "Neighbours' class (1-4)",
                               "n": "Transitions observed"})


with st.expander("Transition probabilities: this data and the paper's Table 4"):
    a, b = st.columns(2)
    with a:
        st.subheader("Traditional Markov matrix")
        t4 = _fmt_table(mc.to_frame())
        st.dataframe(t4, hide_index=True, width="stretch")
        st.caption("Classes: " + "; ".join(f"{i + 1} = {c}" for i, c in enumerate(class_names)) + ".")
        cnt = pd.DataFrame(mc.counts, columns=[f"to_{j + 1}" for j in range(4)])
        cnt.insert(0, "from_class", range(1, 5))
        st.caption("Transition counts")
        st.dataframe(cnt.rename(columns={"from_class": "From class (1-4)",
                                         **{f"to_{j + 1}": f"to {class_names[j]}" for j in range(4)}}),
                     hide_index=True, width="stretch")
        sp.download(mc.to_frame().merge(cnt, on="from_class"), f"markov_{scheme}.csv")
    with b:
        st.subheader("Paper, Table 4")
        pm = sp.paper_markov()
        st.dataframe(sp.paper_table("liu2026_table4_markov.csv"), hide_index=True, width="stretch")
        st.caption("The paper's counts 83/76/74/67 of 300 transitions are close to equal: quartiles of the "
                   "pooled D, although its coordination types use the fixed cut-offs.")

with st.expander("Spatial Markov matrices: conditioned on the neighbours' class (Table 5)"):
    a, b = st.columns(2)
    with a:
        t5 = _fmt_table(sm.to_frame())
        st.dataframe(t5, hide_index=True, width="stretch", height=320)
        sp.download(sm.to_frame().assign(**{f"count_to_{j + 1}": sm.counts.reshape(-1, 4)[:, j] for j in range(4)}),
                    f"spatial_markov_{scheme}_{prox}.csv")
        st.caption("Rows without transitions (that class never started a transition under that "
                   "neighbourhood) read 'no data'. " + EMPTY_ROW_RULE)
    with b:
        st.dataframe(sp.paper_table("liu2026_table5_spatial_markov.csv"), hide_index=True, width="stretch",
                     height=320)
        st.caption("Paper, Table 5.")

with st.expander("Homogeneity test: does the neighbourhood matter?", expanded=True):
    a, b = st.columns(2)
    with a:
        st.metric("Q (loaded data)", f"{sm.Q:.3f}", help="Bickenbach-Bode chi-square statistic")
        st.markdown(f"dof = **{sm.dof}** (Bickenbach-Bode corrected), p = **{sm.p_value:.4f}**; "
                    f"likelihood-ratio LR = {sm.LR:.3f}, p = {sm.LR_p_value:.4f}.")
        if (sm.p_value < 0.05) != (sm.LR_p_value < 0.05):
            st.caption("Q and LR disagree at the 5% level: with few transitions per row (see n above) the "
                       "chi-square approximation is poor, so read either p-value with caution.")
    with b:
        comp = pm.comparison()
        r = pm.recomputed

        def p_text(p):
            return "< 0.001" if p < 0.001 else f"{p:.3f}"

        st.dataframe(pd.DataFrame({
            "Quantity": ["Q_b (homogeneity statistic)", "p-value", "Degrees of freedom"],
            "The paper reports": [f"{pm.Q_reported:.3f}", p_text(pm.p_reported), "not reported"],
            "Recomputed from the paper's Table 5": [f"{r.Q:.3f}", p_text(r.p_value), f"{r.dof}"]}),
            hide_index=True, width="stretch")
        sp.download(comp, "paper_Qb_reported_vs_recomputed.csv")
        st.warning(f"The paper reports Q_b = {pm.Q_reported:.3f} (p = {pm.p_reported:.3f}). Its own Table 5, turned back into "
                   f"integer counts (n x p; they reproduce every printed probability and sum to Table 4), gives "
                   f"Q = {pm.recomputed.Q:.2f} with {pm.recomputed.dof} degrees of freedom, p = "
                   f"{pm.recomputed.p_value:.2f}: no evidence that neighbours matter. The published statistic "
                   "cannot be reproduced from the published table.", icon=":material/report:")

with st.expander("Long run: steady states and mean first-passage times"):
    a, b = st.container(), st.container()
    with a:
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MarkovWarning)
            ss = pd.DataFrame(sm.steady_states(), columns=class_names)
            traditional_ss = mc.steady_state()
        ss.insert(0, "chain", [f"neighbours class {l + 1}" for l in range(ss.shape[0])])
        ss = pd.concat([pd.DataFrame([["traditional", *traditional_ss]], columns=ss.columns), ss])
        st.dataframe(fd.words_for_missing(ss, "{:.4f}", missing="no unique steady state"), hide_index=True,
                     width="stretch")
        sp.download(ss, "steady_states.csv")
        reasons = sorted({str(w.message) for w in caught if issubclass(w.category, MarkovWarning)})
        st.caption("'no unique steady state': the chain has no single long-run distribution. " + " ".join(reasons) + " " + EMPTY_ROW_RULE)
    with b:
        mf = pd.DataFrame(mc.mean_first_passage_times(), columns=[f"to {c}" for c in class_names])
        mf.insert(0, "from", class_names)
        st.dataframe(fd.words_for_missing(mf, "{:.2f}", missing="no data", infinite="never"), hide_index=True,
                     width="stretch")
        sp.download(mf, "mean_first_passage_times.csv")
        st.caption("Traditional chain, in years. 'never': the class is never reached (or not with certainty) "
                   "from that start; diagonal: mean return time.")

_window = int(st.session_state.get(sp.EW_WINDOW, EW_DEFAULTS[sp.EW_WINDOW]))
_rise = float(st.session_state.get(sp.EW_RISE, EW_DEFAULTS[sp.EW_RISE]))
_tol = float(st.session_state.get(sp.EW_TOL, EW_DEFAULTS[sp.EW_TOL]))
_flags = sp.faults(H, D, _window, _rise, _tol)
with findings_slot:
    fd.show(fd.dynamics_findings(
        D, mc, sm, class_names, scheme == "fixed", _flags[_flags["flagged"]],
        flag_rule=f"innovation index up by at least {_rise:g} over {_window} year{'s' if _window > 1 else ''}, "
                  f"D up by no more than {_tol:g}",
        unit=("province", "provinces") if sp.active_units().provinces else ("unit", "units")),
        note=f"How sure: chances are shares of the observed year-to-year moves (about {D.shape[0] * (D.shape[1] - 1):,} "
             f"moves for {D.shape[0]} {'provinces' if sp.active_units().provinces else 'units'}), so a class with "
             "few moves has an uncertain row; the long-run figures assume the "
             "observed moves continue unchanged. Classes and neighbours as chosen below.",
        synthetic=state.dataset().any_synthetic("provinces"))
