"""AI clusters (Study B, Wang et al. 2025): plain-language findings, the cluster map and network first;
the technical sections (Table 1, centrality, descriptives, system GMM with instrument diagnostics,
moderation, placebo, sensitivity, mediation, negative binomial) each computed only when opened."""
from ui.nav import ensure_navigation

ensure_navigation()

import altair as alt
import pandas as pd
import streamlit as st

from ui import clusters as uc
from ui import findings as fd
from ui import maps
from ui import state
from ui.text import md_escape

st.title("AI clusters")
st.caption("Which cities form AI clusters, how they cooperate, and whether industry policies raise their "
           "AI innovation. Method: Wang et al. (2025), 'Industry policies and technological innovation in "
           "artificial intelligence clusters', recomputed on the loaded city data beside the paper's "
           "published numbers.")
state.synthetic_notice("cities", "links", "firms")

ds = state.dataset()
cities, links, firms = ds.get("cities"), ds.get("links"), ds.get("firms")
if cities is None or links is None:
    missing = [label for kind, label in (("cities", "a city panel"), ("links", "city cooperation links"))
               if ds.get(kind) is None]
    st.info(f"This page needs {' and '.join(missing)} (Study B). Load them on the Data page, or reset "
            "to the demo data there.", icon=":material/info:")
    st.stop()

fp = uc.fingerprint(cities, links)
sc = uc.paper_scalars()
N_PAPER_CLUSTERS = int(float(sc["clusters_identified"]))
REAL_IP = float(sc["real_ip_coefficient_marked_in_placebo"])
DEMO = ds.any_synthetic("cities", "links")

findings_slot = st.container()  # filled below, once the cooperation totals and the centrality exist
c1, c2 = st.columns(2)
percentile = c1.slider("Scale threshold: percentile of mean AI patent applications", 75, 84, 80,
                       key=uc.CL_PERCENTILE,
                       help="Step 2 of the identification: a city with LQ > 1 is a potential cluster when its "
                            "2011-2020 mean of AI patent applications is at or above this percentile across "
                            f"all cities (paper: {float(sc['threshold_percentile']):.0f}th).")
nodes = uc.NODES[c2.radio("Network on which closeness centrality NC is computed", list(uc.NODES),
                          key=uc.CL_NODES,
                          help="Edge length = 1 / cooperative patents (more cooperation = closer). On the "
                               "network with every partner city, peripheral partners dominate every sum of "
                               "distances and NC hardly varies across clusters (see sim.clusters).")]

try:
    ident = uc.identification(fp, cities, links, float(percentile))
except ValueError as err:
    st.error(f"The city data cannot be analysed: {err}", icon=":material/error:")
    st.stop()
clusters = tuple(ident.clusters)

# --- identification and map ---------------------------------------------------------------------
st.header("Where are the AI clusters?")
t = ident.table
m = st.columns(5)
m[0].metric("Cities in the panel", f"{len(t)}")
m[1].metric(f"LQ > 1 (paper: {float(sc['cities_lq_above_1']):.0f})", f"{int(t['specialised'].sum())}",
            help="Cities specialised in AI: location quotient LQ = the city's AI share of its patents divided "
                 "by the national AI share; above 1 = more AI than the national average.")
m[2].metric("Potential clusters", f"{len(ident.potential_clusters)}",
            help="Specialised (LQ > 1) and large enough (at or above the scale threshold).")
m[3].metric(f"AI clusters (paper: {N_PAPER_CLUSTERS})", f"{len(clusters)}")
m[4].metric(f"Threshold (paper: {float(sc['threshold_p80_patent_applications']):g})", f"{ident.threshold:,.1f}",
            help=f"AI patent applications a year: the {percentile:g}th percentile of the cities' 2011-2020 "
                 "means.")
excluded = ", ".join(md_escape(c) for c in ident.excluded) or "none"
st.caption(f"LQ > 1 but below the scale threshold: {excluded} (paper: "
           f"{str(sc['excluded_low_scale_cities']).replace(';', ', ')}).")
if DEMO:
    st.info(uc.DEMO_BY_CONSTRUCTION, icon=":material/science:")
if not clusters:
    st.warning("No city passes all three steps (LQ > 1, scale at or above the threshold, both intra- and "
               "inter-regional cooperation), so there is nothing to estimate. Try a lower percentile.")
    st.stop()

years = sorted(int(y) for y in links["year"].unique())


@st.fragment
def map_view():
    left, right = st.columns([4, 1])
    with right:
        colour_by = st.radio("Colour cities by", ["Cluster status", "Location quotient"], key=uc.CL_COLOUR,
                             help="Cluster status: AI cluster, potential cluster lacking links, specialised "
                                  "but small, other. Location quotient: the city's AI share of patents "
                                  "relative to the national share (above 1 = specialised in AI).")
        year_label = st.selectbox("Cooperation links for", [*years[::-1], uc.ALL_YEARS], key=uc.CL_ARC_YEAR,
                                  help="The year whose co-applied AI patents are drawn as lines, or all "
                                       "years summed.")
        scope = uc.ARC_SCOPES[st.radio("Links", list(uc.ARC_SCOPES), key=uc.CL_ARC_SCOPE,
                                       help="Only links between two clusters, or also links from a "
                                            "cluster to any partner city.")]
        st.caption("Dot size ~ log mean AI patents; line width ~ log(1 + cooperative AI patents). Hover for "
                   "values.")
    year = None if year_label == uc.ALL_YEARS else int(year_label)
    points, legend, n_missing = uc.map_points(fp, t, "lq" if colour_by == "Location quotient" else "status")
    arcs = uc.map_arcs(fp, links, clusters, year, scope)
    with left:
        st.vega_lite_chart(maps.city_map_spec(points, arcs, state.boundaries(), height=540), width="stretch")
        label = ("City status" if colour_by == "Cluster status" else
                 f"log2 LQ, clipped at ±{uc.LQ_CLIP:g} (0 = national AI share; teal = specialised, brown = "
                 "less AI than the national share)")
        st.caption(label)
        st.altair_chart(maps.legend_chart(legend, None).configure_axis(labelLimit=0), width="stretch")
        st.caption(f"{len(arcs)} city pairs with cooperation "
                   f"{'in ' + str(year) if year else 'summed over ' + str(years[0]) + '-' + str(years[-1])}. "
                   + (f"{n_missing} cities have no coordinates in the registry and are not drawn. "
                      if n_missing else "")
                   + state.boundaries().source)


map_view()

try:
    panel = uc.regression_panel(fp, cities, links, clusters, nodes)
except ValueError as err:
    st.error(f"The regression panel cannot be built: {err}", icon=":material/error:")
    st.stop()
pkey = f"{fp}|{percentile}|{nodes}"

t1 = uc.table1(fp, cities, links, clusters)
rank = uc.nc_ranking(pkey, panel)
with findings_slot:
    fd.show(fd.clusters_findings(ident, percentile, t1, rank),
            note="How sure: identification and centrality are counts on the loaded data. Whether incentive "
                 "policies raise AI patents is estimated in the section 'Policy effect: system GMM (Table 4)' below, "
                 "with its uncertainty and instrument diagnostics.", synthetic=DEMO)


def section_table1():
    st.header("Cooperation of the clusters (Table 1)")
    t1 = uc.table1(fp, cities, links, clusters)
    ours_inter = float((t1["interregional"] > t1["intraregional"]).sum())
    paper_inter = float((t1["paper_interregional"] > t1["paper_intraregional"]).sum())
    shown = t1.rename(columns=uc.TABLE1_LABELS)
    st.dataframe(shown.style.format({uc.TABLE1_LABELS[c]: f for c, f in (
        ("intraregional", "{:,.0f}"), ("interregional", "{:,.0f}"), ("inter_share", "{:.1%}"),
        ("paper_intraregional", "{:,.0f}"), ("paper_interregional", "{:,.0f}"))}, na_rep="-"),
                 hide_index=True, width="stretch", height=35 * min(len(t1), 12) + 38)
    uc.download(t1, "table1_cooperation.csv")
    st.caption(f"Totals 2011-2020; inter-regional counts every link with the cluster at one end. Clusters whose "
               f"inter-regional cooperation exceeds the intra-regional: {ours_inter:.0f} of "
               f"{int(t1['rank'].notna().sum())} here, {paper_inter:.0f} of {N_PAPER_CLUSTERS} in the paper ('interregional "
               "cooperation is the main form of collaboration'). A dash: the cluster is not in that list.")



def section_centrality():
    st.header("Network centrality NC")
    rank = uc.nc_ranking(pkey, panel)
    a, b = st.columns([3, 2])
    with a:
        chart = (alt.Chart(rank).mark_bar(color="#d7301f")
                 .encode(x=alt.X("mean_closeness:Q", title="Mean closeness centrality (years with links)"),
                         y=alt.Y("cluster:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
                         tooltip=["rank", "cluster", alt.Tooltip("mean_closeness:Q", format=".2f"),
                                  alt.Tooltip("mean_ln_NC:Q", format=".3f"), "years_with_NC"])
                 .properties(height=max(240, 19 * len(rank))))
        st.altair_chart(chart, width="stretch")
    with b:
        st.dataframe(rank.round(3).rename(columns=uc.rank_labels(rank)), hide_index=True, width="stretch", height=min(19 * max(13, len(rank)), 35 * 15))
        uc.download(rank, "nc_ranking.csv")
    st.caption("NC_i = (n - 1) / sum_j d_ij (Eq. 2) per cluster and year on the inter-regional network, edge length "
               "1 / cooperative patents; Wasserman-Faust scaling when the network is disconnected. A cluster "
               "without inter-regional links in a year has no NC that year (the paper's Model 3 panel is "
               "unbalanced for this reason). The regression uses ln NC.")



def section_descriptives():
    st.header("Descriptive statistics, correlations, VIF (Tables 2-3)")
    t2, corr_ours, corr_paper, vif = uc.descriptives(pkey, panel)
    st.dataframe(t2.style.format({c: "{:.3f}" for c in t2.columns if c not in ("variable", "n")}),
                 hide_index=True, width="stretch")
    uc.download(t2, "table2_descriptive.csv")
    st.caption("All variables in logs, log(1 + x) for "
               + (", ".join(panel.attrs.get("log1p", [])) or "none")
               + " (a variable with a zero somewhere). Cluster-years where the variable is observed.")
    a, b = st.columns(2)
    with a:
        st.markdown("**Pearson correlations, this data** (\\*\\*\\* p < 0.01, \\*\\* p < 0.05, \\* p < 0.1)")
        st.dataframe(corr_ours, hide_index=True, width="stretch")
        uc.download(corr_ours, "table3_correlations.csv")
    with b:
        st.markdown("**Pearson correlations, paper's Table 3**")
        st.dataframe(corr_paper, hide_index=True, width="stretch")
    if DEMO:
        st.caption("Demo data: built from the paper's estimates, so similarity to Tables 2-3 is by construction.")
    a, b = st.columns([2, 3])
    with a:
        st.dataframe(vif.style.format({"vif": "{:.3f}"}), hide_index=True, width="stretch")
        uc.download(vif, "vif.csv")
    with b:
        st.caption(f"Variance inflation factors of the regressors (listwise complete rows). Largest here: "
                   f"{vif['vif'].max():.3f}; paper: {float(sc['max_vif']):.3f} (all below 10: no serious "
                   "multicollinearity).")



def instrument_options():
    """The instrument controls shared by every GMM-based section; (collapse, max_lag, ginv)."""
    c1, c2, c3 = st.columns(3)
    collapse = c1.toggle("Collapse instruments", key=uc.CL_COLLAPSE,
                         help="One instrument column per lag instead of one per period and lag (Roodman 2009b).")
    max_lag = uc.LAG_LIMITS[c2.selectbox("Lag limit of the GMM-style instruments", list(uc.LAG_LIMITS),
                                         key=uc.CL_MAX_LAG,
                                         help="Which lags of TI and IP serve as instruments: all from lag 2 "
                                              "(the paper) or only lags 2 to k. Fewer lags, fewer instruments.")]
    ginv = uc.GINV[c3.selectbox("Generalized inverse of a singular weight matrix", list(uc.GINV), key=uc.CL_GINV,
                                help="With more instruments than clusters the two-step weight matrix is "
                                     "singular; the estimate then depends on the g-inverse used.")]
    return collapse, max_lag, ginv


def section_gmm(collapse, max_lag, ginv):
    st.header("Industry policies and innovation: two-step system GMM (Table 4)")
    st.markdown("TI_it = a0 + a1 TI_i,t-1 + a2 IP_it + a3 NC_it + a4 IP×NC (centred) + b Controls + η_i + ε_it. "
                "L.TI and IP are GMM-style instruments (lags 2 and up), ED, IC, IE (and NC, IP×NC in Model 3) "
                "IV-style; Windmeijer-corrected standard errors, as xtabond2 `twostep robust`.")
    try:
        models = uc.gmm_models(pkey, panel, collapse, max_lag, ginv)
    except ValueError as err:
        st.error(f"System GMM could not be estimated on this panel: {err}", icon=":material/error:")
        return

    too_many = {mm: (r.n_instruments, r.n_groups) for mm, r in models.items() if r.n_instruments > r.n_groups}
    if too_many:
        counts = "; ".join(f"Model {mm}: {j} instruments > {n} groups" for mm, (j, n) in too_many.items())
        st.warning(f"**Too many instruments.** {counts}. {uc.TOO_MANY_TEXT} The Sargan and Hansen p below are "
                   "therefore uninformative. Collapse the instruments or limit the lags to see the count fall "
                   "and the tests regain power.", icon=":material/warning:")
    else:
        st.success("Instruments do not exceed groups in any model: " +
                   "; ".join(f"Model {mm}: {r.n_instruments} instruments, {r.n_groups} groups"
                             for mm, r in models.items()) + ".", icon=":material/check_circle:")
    table4, table4_long = uc.regression_table(models)
    st.table(table4.set_index("term"))
    uc.download(table4_long, "table4_system_gmm.csv", label="Download Table 4 (CSV, numeric)")
    st.caption("Coefficients with stars (*** p < 0.01, ** p < 0.05, * p < 0.1) and z in brackets; the paper's stars "
               "are recomputed from its z. Instruments = rank of the instrument matrix (xtabond2's count), "
               "shown beside every test; χ² df = instruments - regressors. The paper reports neither the "
               f"instrument count nor Hansen's test. Groups in the paper: its {N_PAPER_CLUSTERS} clusters.")
    if DEMO:
        st.info(uc.DEMO_BY_CONSTRUCTION, icon=":material/science:")
    other = sorted({w for r in models.values() for w in r.warnings if not w.startswith("too many instruments")})
    if other:
        with st.expander("Estimator notes"):
            for w in other:
                st.markdown(f"- {w}")

    st.subheader("How the instrument set changes the tests")
    opts = uc.instrument_options(pkey, panel, ginv)
    st.dataframe(uc.as_text(opts, {"sargan_p": "{:.3f}", "hansen_p": "{:.3f}", "IP_coef": "{:.3f}",
                                    "IP_z": "{:.2f}"}),
                 hide_index=True, width="stretch", height=35 * len(opts) + 38)
    uc.download(opts, "instrument_sets.csv")



def section_moderation(collapse, max_lag, ginv):
    st.header("Moderating effect of NC (Fig. 4)")
    try:
        models = uc.gmm_models(pkey, panel, collapse, max_lag, ginv)
    except ValueError as err:
        st.error(f"System GMM could not be estimated on this panel: {err}", icon=":material/error:")
        return
    mod = uc.moderation(pkey, models[3], panel, (collapse, max_lag, ginv))
    a, b = st.columns([3, 2])
    with a:
        chart = (alt.Chart(mod).mark_line(point=True)
                 .encode(x=alt.X("IP:Q", title="IP (ln incentive policies)"),
                         y=alt.Y("TI_pred:Q", title="Predicted TI (ln AI patents)", scale=alt.Scale(zero=False)),
                         color=alt.Color("nc_level:N", title=None,
                                         scale=alt.Scale(range=["#d73027", "#4575b4"]),
                                         legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
                         strokeDash=alt.StrokeDash("source:N", title=None,
                                                   legend=alt.Legend(orient="bottom", direction="vertical",
                                                                     labelLimit=0, symbolType="stroke",
                                                                     symbolStrokeColor="#444",
                                                                     symbolStrokeWidth=2)),
                         detail="line:N",
                         tooltip=["source", "nc_level", alt.Tooltip("IP:Q", format=".2f"),
                                  alt.Tooltip("TI_pred:Q", format=".3f"), alt.Tooltip("slope:Q", format=".3f")])
                 .properties(height=360))
        st.altair_chart(chart, width="stretch")
    with b:
        slopes = mod.groupby(["source", "nc_level"], as_index=False)["slope"].first()
        st.dataframe(slopes.style.format({"slope": "{:.3f}"}), hide_index=True, width="stretch")
        uc.download(mod, "moderation_fig4.csv")
        st.caption("Slope = dTI/dIP = b_IP + b_IP×NC (NC - mean NC) at NC mean -/+ 1 sd; other regressors at "
                   "their means. The paper's finding: the slope is smaller at high NC (negative moderation). "
                   "Uses Model 3 under the instrument options above.")



def section_placebo(collapse, max_lag, ginv):
    st.header("Placebo test (Fig. 6)")
    c1, c2, c3 = st.columns(3)
    pl_model = c1.selectbox("Model", [2, 3], key=uc.PL_MODEL,
                            help=f"The paper marks Model 2's real IP coefficient ({REAL_IP:.3f}).")
    reps = int(c2.number_input("Replications", 100, 5000, 1000, step=100, key=uc.PL_REPS,
                               help="How many times incentive policies are shuffled and the model "
                                    "re-estimated; more gives a smoother placebo distribution and takes "
                                    "longer (about 1 s per 1,000)."))
    scheme = uc.SCHEMES[c3.selectbox("Shuffle", list(uc.SCHEMES), key=uc.PL_SCHEME,
                                     help="How the policy variable IP is reassigned at random in each "
                                          "replication.")]
    key = uc.placebo_key(pkey, pl_model, reps, scheme, collapse, max_lag, ginv)
    result = uc.cached_placebo(key, panel)
    if result is None:
        st.caption(f"Shuffles IP, re-estimates Model {pl_model} with the instrument options above {reps:,} times "
                   "(seeded) and compares the IP coefficients with the real one. Runs once per setting, then "
                   "cached.")
        if st.button("Run the placebo test", key=uc.PL_RUN, icon=":material/play_arrow:"):
            result = uc.run_placebo(key, panel)
    if result is not None:
        a, b = st.columns([3, 1])
        coefs = result.to_frame()
        with b:
            st.metric("Real IP coefficient", f"{result.real:.3f}", help=f"Paper (Model 2): {REAL_IP:.3f}")
            st.metric("Mean of placebo coefficients", f"{result.mean:.4f}",
                      help=f"Paper: {float(sc['placebo_mean_ip_coef']):.3f}")
            st.metric("Permutation p (two-sided)", f"{result.p_value:.3f}",
                      help="(1 + #|placebo| >= |real|) / (1 + replications)")
            uc.download(coefs, "placebo_ip_coefficients.csv")
        with a:
            hist = (alt.Chart(coefs).mark_bar(color="#9ecae1")
                    .encode(x=alt.X("ip_coefficient:Q", bin=alt.Bin(maxbins=50), title="IP coefficient"),
                            y=alt.Y("count():Q", title="Replications")))
            marks = pd.DataFrame({"x": [result.real, result.mean],
                                  "what": ["real coefficient", "placebo mean"]})
            rules = (alt.Chart(marks).mark_rule(strokeWidth=2)
                     .encode(x="x:Q", color=alt.Color("what:N", title=None,
                                                      scale=alt.Scale(range=["#d62728", "#555555"],
                                                                      domain=["real coefficient", "placebo mean"]),
                                                      legend=alt.Legend(orient="bottom")),
                             strokeDash=alt.condition(alt.datum.what == "placebo mean", alt.value([4, 3]),
                                                      alt.value([1, 0])),
                             tooltip=["what", alt.Tooltip("x:Q", format=".4f")]))
            st.altair_chart((hist + rules).properties(height=320, title=f"{len(coefs):,} placebo estimates, "
                                                      f"Model {result.model}, {result.n_instruments} instruments"),
                            width="stretch")
        st.caption(f"Paper: mean of {float(sc['placebo_replications']):.0f} placebo coefficients "
                   f"{float(sc['placebo_mean_ip_coef']):.3f} against the real {REAL_IP:.3f}. A real coefficient in the tail of the placebo distribution says the estimate is "
                   "not produced by chance assignment of policies.")



def section_sensitivity():
    st.header("Sensitivity of the cluster set to the threshold (Fig. 5)")
    sens = uc.sensitivity(fp, cities, links)
    a, b = st.columns(2)
    with a:
        st.markdown("**Number of AI clusters and potential clusters**")
        long = sens.melt(id_vars="percentile", value_vars=["n_potential", "n_clusters"], var_name="set",
                         value_name="count").replace({"n_potential": "potential clusters", "n_clusters": "AI clusters"})
        ch = (alt.Chart(long).mark_line(point=True)
              .encode(x=alt.X("percentile:O", title="Percentile", axis=alt.Axis(labelAngle=0)),
                      y=alt.Y("count:Q", title="Cities", scale=alt.Scale(domain=[0, 1.2 * max(1, long["count"].max())]),
                              axis=alt.Axis(format="d", tickMinStep=1)),
                      color=alt.Color("set:N", title=None, scale=alt.Scale(range=["#d7301f", "#fdae61"]),
                                      legend=alt.Legend(orient="bottom")),
                      strokeDash=alt.StrokeDash("set:N", legend=None),
                      tooltip=["percentile", "set", "count"])
              .properties(height=280))
        st.altair_chart(ch, width="stretch")
    with b:
        st.markdown("**Scale threshold**")
        ch = (alt.Chart(sens).mark_bar(color="#4575b4")
              .encode(x=alt.X("percentile:O", title="Percentile", axis=alt.Axis(labelAngle=0)),
                      y=alt.Y("threshold:Q", title="Mean AI patent applications a year"),
                      tooltip=["percentile", alt.Tooltip("threshold:Q", format=",.1f")])
              .properties(height=280))
        st.altair_chart(ch, width="stretch")
    st.dataframe(sens[list(uc.SENSITIVITY_LABELS)].rename(columns=uc.SENSITIVITY_LABELS).style.format(
        {uc.SENSITIVITY_LABELS["percentile"]: "{:.0f}", uc.SENSITIVITY_LABELS["threshold"]: "{:,.1f}"}),
                 hide_index=True, width="stretch")
    uc.download(sens, "threshold_sensitivity.csv")
    st.caption(f"Paper: 75th percentile {float(sc['p75_patent_applications']):g}, 76th-84th between "
               f"{float(sc['threshold_range_p76_p84_low']):g} and {float(sc['threshold_range_p76_p84_high']):g} "
               f"patent applications; the {N_PAPER_CLUSTERS} clusters and the "
               f"{len(str(sc['excluded_low_scale_cities']).split(';'))} excluded cities do not change.")



def section_mediation(collapse, max_lag, ginv):
    st.header("Mechanism: government subsidies (Table 5)")
    if firms is None:
        st.info("No firm panel is loaded, so the mediation analysis (Table 5) is not available. Load one on the "
                "Data page.", icon=":material/info:")
    else:
        try:
            t5, t5_long, indirect, sobel_z, sobel_p = uc.mediation(
                f"{pkey}|{uc.fingerprint(firms)}|{collapse}|{max_lag}", firms, panel, collapse, max_lag)
        except ValueError as err:
            st.error(f"The mediation models could not be estimated: {err}", icon=":material/error:")
        else:
            st.table(t5.set_index("term"))
            uc.download(t5_long, "table5_mediation.csv")
            c1, c2, c3 = st.columns(3)
            c1.metric("Indirect effect a×b (IP → GS → TI_firm)", f"{indirect:.4f}")
            c2.metric("Sobel z", f"{sobel_z:.2f}")
            c3.metric("Sobel p", f"{sobel_p:.3f}")
            st.caption("Eqs. (4)-(6) on the firm panel, two-step system GMM in Table 4's style (lagged dependent "
                       "variable, IP and, in Model 6, GS GMM-style; EP, CS, OC IV-style), with the instrument "
                       "options above.")



def section_negative_binomial():
    st.header("Robustness: negative binomial regression (Table 6)")
    try:
        t6, t6_long, converged = uc.negative_binomial(pkey, panel)
    except ValueError as err:
        st.error(f"The negative binomial models could not be estimated: {err}", icon=":material/error:")
    else:
        st.table(t6.set_index("term"))
        uc.download(t6_long, "table6_negative_binomial.csv")
        if not all(converged.values()):
            st.warning("Not every negative binomial fit converged: " +
                       ", ".join(f"Model {k}" for k, v in converged.items() if not v) + ".")
        st.caption("NB2 regression of the AI patent count (not its log) on the logged regressors with one dummy per "
                   "cluster (cluster effects not shown); alpha is the overdispersion (Var = mu + alpha mu²).")


# --- technical detail: one section at a time, computed only when opened ----------------------------
st.header("Technical detail")
st.caption("Each section is computed when you open it (the regression models are not fitted until then).")
SECTIONS = {
    "Cooperation (Table 1)": (section_table1, False),
    "Network centrality": (section_centrality, False),
    "Descriptive statistics (Tables 2-3)": (section_descriptives, False),
    "Policy effect: system GMM (Table 4)": (section_gmm, True),
    "Moderation by centrality (Fig. 4)": (section_moderation, True),
    "Placebo test (Fig. 6)": (section_placebo, True),
    "Threshold sensitivity (Fig. 5)": (section_sensitivity, False),
    "Mechanism: subsidies (Table 5)": (section_mediation, True),
    "Negative binomial (Table 6)": (section_negative_binomial, False),
}
# keep the instrument and placebo settings while a section that does not draw them is open (a widget
# that is not drawn in a run loses its state); re-assigned only when not drawn, so no value is set twice
_open = st.session_state.get(uc.CL_SECTION)
_drawn = (uc.INSTRUMENT_KEYS if _open in SECTIONS and SECTIONS[_open][1] else ()) + \
    (uc.PLACEBO_KEYS if _open == "Placebo test (Fig. 6)" else ())
for _key in uc.INSTRUMENT_KEYS + uc.PLACEBO_KEYS:
    if _key in st.session_state and _key not in _drawn:
        st.session_state[_key] = st.session_state[_key]
section = st.segmented_control(
    "Open a section", list(SECTIONS), default=None, key=uc.CL_SECTION,
    help="The tables, tests and robustness checks of the paper, one at a time. Nothing is estimated until "
         "a section is open; estimates are then kept for the session.")
if section is None:
    st.info("Choose a section above to see the paper's tables and tests recomputed on the loaded data.",
            icon=":material/expand_more:")
else:
    draw, needs_instruments = SECTIONS[section]
    if needs_instruments:
        draw(*instrument_options())
    else:
        draw()

