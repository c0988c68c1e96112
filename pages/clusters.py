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
from ui import state
from ui.i18n import N_, _, bound, lang, place, tr
from ui.text import md_escape

ZH = lang() != "en"
T, P = bound()  # gettext and place names fixed to this run's language, for format_func callbacks
SEP = "、" if ZH else ", "
st.title(_("AI clusters"))
st.caption(_("Which cities form AI clusters, how they cooperate, and whether industry policies raise their "
             "AI innovation. Method: Wang et al. (2025), 'Industry policies and technological innovation in "
             "artificial intelligence clusters', recomputed on the loaded city data beside the paper's "
             "published numbers."))
state.synthetic_notice("cities", "links", "firms")

ds = state.dataset()
cities, links, firms = ds.get("cities"), ds.get("links"), ds.get("firms")
if cities is None or links is None:
    missing = [label for kind, label in (("cities", N_("a city panel")), ("links", N_("city cooperation links")))
               if ds.get(kind) is None]
    st.info(_("This page needs {what} (Study B). Load them on the Data page, or reset to the demo data "
              "there.").format(what=_(" and ").join(_(m) for m in missing)), icon=":material/info:")
    st.stop()

fp = uc.fingerprint(cities, links)
sc = uc.paper_scalars()
N_PAPER_CLUSTERS = int(float(sc["clusters_identified"]))
REAL_IP = float(sc["real_ip_coefficient_marked_in_placebo"])
DEMO = ds.any_synthetic("cities", "links")

findings_slot = st.container()  # filled below, once the cooperation totals and the centrality exist
c1, c2 = st.columns(2)
percentile = c1.slider(_("Scale threshold: percentile of mean AI patent applications"), 75, 84, 80,
                       key=uc.CL_PERCENTILE,
                       help=_("Step 2 of the identification: a city with LQ > 1 is a potential cluster when its "
                              "2011-2020 mean of AI patent applications is at or above this percentile across "
                              "all cities (paper: {p}th).").format(p=f"{float(sc['threshold_percentile']):.0f}"))
nodes = uc.NODES[c2.radio(_("Network on which closeness centrality NC is computed"), list(uc.NODES),
                          key=uc.CL_NODES, format_func=lambda o: T(uc.OPTION_WORDS[o]),
                          help=_("Edge length = 1 / cooperative patents (more cooperation = closer). On the "
                                 "network with every partner city, peripheral partners dominate every sum of "
                                 "distances and NC hardly varies across clusters (see sim.clusters)."))]

try:
    ident = uc.identification(fp, cities, links, float(percentile))
except ValueError as err:
    st.error(_("The city data cannot be analysed: {err}").format(err=tr(err.args[0] if err.args else err)),
             icon=":material/error:")
    st.stop()
clusters = tuple(ident.clusters)

# --- identification and map ---------------------------------------------------------------------
st.header(_("Where are the AI clusters?"))
t = ident.table
m = st.columns(5)
m[0].metric(_("Cities in the panel"), f"{len(t)}")
m[1].metric(_("LQ > 1 (paper: {n})").format(n=f"{float(sc['cities_lq_above_1']):.0f}"),
            f"{int(t['specialised'].sum())}",
            help=_("Cities specialised in AI: location quotient LQ = the city's AI share of its patents divided "
                   "by the national AI share; above 1 = more AI than the national average."))
m[2].metric(_("Potential clusters"), f"{len(ident.potential_clusters)}",
            help=_("Specialised (LQ > 1) and large enough (at or above the scale threshold)."))
m[3].metric(_("AI clusters (paper: {n})").format(n=N_PAPER_CLUSTERS), f"{len(clusters)}")
m[4].metric(_("Threshold (paper: {value})").format(value=f"{float(sc['threshold_p80_patent_applications']):g}"),
            f"{ident.threshold:,.1f}",
            help=_("AI patent applications a year: the {p}th percentile of the cities' 2011-2020 means.").format(
                p=f"{percentile:g}"))
excluded = SEP.join(md_escape(place(c)) for c in ident.excluded) or _("none")
st.caption(_("LQ > 1 but below the scale threshold: {cities} (paper: {paper}).").format(
    cities=excluded, paper=SEP.join(place(c) for c in str(sc["excluded_low_scale_cities"]).split(";"))))
if DEMO:
    st.info(_(uc.DEMO_BY_CONSTRUCTION), icon=":material/science:")
if not clusters:
    st.warning(_("No city passes all three steps (LQ > 1, scale at or above the threshold, both intra- and "
                 "inter-regional cooperation), so there is nothing to estimate. Try a lower percentile."))
    st.stop()

years = sorted(int(y) for y in links["year"].unique())


@st.fragment
def map_view():
    T, P = bound()
    left, right = st.columns([4, 1])
    with right:
        colour_by = st.radio(_("Colour cities by"), list(uc.COLOUR_BY), key=uc.CL_COLOUR,
                             format_func=lambda o: T(uc.OPTION_WORDS[o]),
                             help=_("Cluster status: AI cluster, potential cluster lacking links, specialised "
                                    "but small, other. Location quotient: the city's AI share of patents "
                                    "relative to the national share (above 1 = specialised in AI)."))
        year_label = st.selectbox(_("Cooperation links for"), [*years[::-1], uc.ALL_YEARS], key=uc.CL_ARC_YEAR,
                                  format_func=lambda o: T(uc.OPTION_WORDS[o]) if o == uc.ALL_YEARS else str(o),
                                  help=_("The year whose co-applied AI patents are drawn as lines, or all "
                                         "years summed."))
        scope = uc.ARC_SCOPES[st.radio(_("Links"), list(uc.ARC_SCOPES), key=uc.CL_ARC_SCOPE,
                                       format_func=lambda o: T(uc.OPTION_WORDS[o]),
                                       help=_("Only links between two clusters, or also links from a "
                                              "cluster to any partner city."))]
        st.caption(_("Dot size ~ log mean AI patents; line width ~ log(1 + cooperative AI patents). Hover for "
                     "values."))
    year = None if year_label == uc.ALL_YEARS else int(year_label)
    code = lang()
    points, legend, n_missing = uc.map_points(fp, t, "lq" if colour_by == "Location quotient" else "status", code)
    arcs = uc.map_arcs(fp, links, clusters, year, scope, code)
    with left:
        st.vega_lite_chart(uc.city_map_spec(points, arcs, state.boundaries(), height=540), width="stretch")
        label = (_("City status") if colour_by == "Cluster status" else
                 _("log2 LQ, clipped at ±{clip} (0 = national AI share; teal = specialised, brown = "
                   "less AI than the national share)").format(clip=f"{uc.LQ_CLIP:g}"))
        st.caption(label)
        st.altair_chart(uc.legend_chart(legend).configure_axis(labelLimit=0), width="stretch")
        links_text = (_("{n} city pairs with cooperation in {year}.").format(n=len(arcs), year=year) if year else
                      _("{n} city pairs with cooperation summed over {first}-{last}.").format(
                          n=len(arcs), first=years[0], last=years[-1]))
        gap = "" if ZH else " "  # no space after a Chinese full stop
        st.caption(links_text + gap
                   + (_("{n} cities have no coordinates in the registry and are not drawn.").format(n=n_missing) + gap
                      if n_missing else "")
                   + tr(state.boundaries().source))


map_view()

try:
    panel = uc.regression_panel(fp, cities, links, clusters, nodes)
except ValueError as err:
    st.error(_("The regression panel cannot be built: {err}").format(err=tr(err.args[0] if err.args else err)),
             icon=":material/error:")
    st.stop()
pkey = f"{fp}|{percentile}|{nodes}"

t1 = uc.table1(fp, cities, links, clusters)
rank = uc.nc_ranking(pkey, panel)
with findings_slot:
    fd.show(uc.findings(ident, percentile, t1, rank),
            note=_("How sure: identification and centrality are counts on the loaded data. Whether incentive "
                   "policies raise AI patents is estimated in the section 'Policy effect: system GMM (Table 4)' "
                   "below, with its uncertainty and instrument diagnostics."), synthetic=DEMO)


def section_table1():
    st.header(_("Cooperation of the clusters (Table 1)"))
    t1 = uc.table1(fp, cities, links, clusters)
    ours_inter = float((t1["interregional"] > t1["intraregional"]).sum())
    paper_inter = float((t1["paper_interregional"] > t1["paper_intraregional"]).sum())
    shown = uc.localise(t1, uc.TABLE1_LABELS, places=("cluster",))
    label = {c: _(uc.TABLE1_LABELS[c]) for c in uc.TABLE1_LABELS}
    st.dataframe(shown.style.format({label[c]: f for c, f in (
        ("intraregional", "{:,.0f}"), ("interregional", "{:,.0f}"), ("inter_share", "{:.1%}"),
        ("paper_intraregional", "{:,.0f}"), ("paper_interregional", "{:,.0f}"))}, na_rep="-"),
                 hide_index=True, width="stretch", height=35 * min(len(t1), 12) + 38)
    uc.download(t1, "table1_cooperation.csv")
    st.caption(_("Totals 2011-2020; inter-regional counts every link with the cluster at one end. Clusters whose "
                 "inter-regional cooperation exceeds the intra-regional: {ours} of {n} here, {paper} of {n_paper} "
                 "in the paper ('interregional cooperation is the main form of collaboration'). A dash: the "
                 "cluster is not in that list.").format(ours=f"{ours_inter:.0f}", n=int(t1["rank"].notna().sum()),
                                                         paper=f"{paper_inter:.0f}", n_paper=N_PAPER_CLUSTERS))


def section_centrality():
    st.header(_("Network centrality NC"))
    rank = uc.nc_ranking(pkey, panel)
    labels = uc.rank_labels(rank)
    shown = rank.assign(cluster=[place(c) for c in rank["cluster"]])
    a, b = st.columns([3, 2])
    with a:
        chart = (alt.Chart(shown).mark_bar(color="#d7301f")
                 .encode(x=alt.X("mean_closeness:Q", title=labels["mean_closeness"]),
                         y=alt.Y("cluster:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
                         tooltip=[alt.Tooltip("rank:Q", title=labels["rank"]),
                                  alt.Tooltip("cluster:N", title=labels["cluster"]),
                                  alt.Tooltip("mean_closeness:Q", format=".2f", title=labels["mean_closeness"]),
                                  alt.Tooltip("mean_ln_NC:Q", format=".3f", title=labels["mean_ln_NC"]),
                                  alt.Tooltip("years_with_NC:Q", title=labels["years_with_NC"])])
                 .properties(height=max(240, 19 * len(rank))))
        st.altair_chart(chart, width="stretch")
    with b:
        st.dataframe(shown.round(3).rename(columns=labels), hide_index=True, width="stretch",
                     height=min(19 * max(13, len(rank)), 35 * 15))
        uc.download(rank, "nc_ranking.csv")
    st.caption(_("NC_i = (n - 1) / sum_j d_ij (Eq. 2) per cluster and year on the inter-regional network, edge "
                 "length 1 / cooperative patents; Wasserman-Faust scaling when the network is disconnected. A "
                 "cluster without inter-regional links in a year has no NC that year (the paper's Model 3 panel "
                 "is unbalanced for this reason). The regression uses ln NC."))


def section_descriptives():
    st.header(_("Descriptive statistics, correlations, VIF (Tables 2-3)"))
    t2, corr_ours, corr_paper, vif = uc.descriptives(pkey, panel)
    shown = uc.localise(t2, uc.DESCRIPTIVE_LABELS)
    st.dataframe(shown.style.format({_(uc.DESCRIPTIVE_LABELS[c]): "{:.3f}" for c in t2.columns
                                     if c not in ("variable", "n")}),
                 hide_index=True, width="stretch")
    uc.download(t2, "table2_descriptive.csv")
    st.caption(_("All variables in logs, log(1 + x) for {variables} (a variable with a zero somewhere). "
                 "Cluster-years where the variable is observed.").format(
        variables=SEP.join(panel.attrs.get("log1p", [])) or _("none")))
    a, b = st.columns(2)
    with a:
        st.markdown(_("**Pearson correlations, this data** (\\*\\*\\* p < 0.01, \\*\\* p < 0.05, \\* p < 0.1)"))
        st.dataframe(uc.localise(corr_ours, uc.DESCRIPTIVE_LABELS), hide_index=True, width="stretch")
        uc.download(corr_ours, "table3_correlations.csv")
    with b:
        st.markdown(_("**Pearson correlations, paper's Table 3**"))
        st.dataframe(uc.localise(corr_paper, uc.DESCRIPTIVE_LABELS), hide_index=True, width="stretch")
    if DEMO:
        st.caption(_("Demo data: built from the paper's estimates, so similarity to Tables 2-3 is by construction."))
    a, b = st.columns([2, 3])
    with a:
        vif_label = uc.DESCRIPTIVE_LABELS["vif"]
        st.dataframe(uc.localise(vif, uc.DESCRIPTIVE_LABELS).style.format({_(vif_label): "{:.3f}"}),
                     hide_index=True, width="stretch")
        uc.download(vif, "vif.csv")
    with b:
        st.caption(_("Variance inflation factors of the regressors (listwise complete rows). Largest here: "
                     "{ours}; paper: {paper} (all below 10: no serious multicollinearity).").format(
            ours=f"{vif['vif'].max():.3f}", paper=f"{float(sc['max_vif']):.3f}"))


def instrument_options():
    """The instrument controls shared by every GMM-based section; (collapse, max_lag, ginv)."""
    c1, c2, c3 = st.columns(3)
    collapse = c1.toggle(_("Collapse instruments"), key=uc.CL_COLLAPSE,
                         help=_("One instrument column per lag instead of one per period and lag (Roodman 2009b)."))
    max_lag = uc.LAG_LIMITS[c2.selectbox(_("Lag limit of the GMM-style instruments"), list(uc.LAG_LIMITS),
                                         key=uc.CL_MAX_LAG, format_func=lambda o: T(uc.OPTION_WORDS.get(o, o)),
                                         help=_("Which lags of TI and IP serve as instruments: all from lag 2 "
                                                "(the paper) or only lags 2 to k. Fewer lags, fewer instruments."))]
    ginv = uc.GINV[c3.selectbox(_("Generalized inverse of a singular weight matrix"), list(uc.GINV), key=uc.CL_GINV,
                                format_func=lambda o: T(uc.OPTION_WORDS[o]),
                                help=_("With more instruments than clusters the two-step weight matrix is "
                                       "singular; the estimate then depends on the g-inverse used."))]
    return collapse, max_lag, ginv


def gmm_failed(err) -> None:
    st.error(_("System GMM could not be estimated on this panel: {err}").format(err=tr(err.args[0] if err.args else err)),
             icon=":material/error:")


def section_gmm(collapse, max_lag, ginv):
    st.header(_("Industry policies and innovation: two-step system GMM (Table 4)"))
    st.markdown(_("TI_it = a0 + a1 TI_i,t-1 + a2 IP_it + a3 NC_it + a4 IP×NC (centred) + b Controls + η_i + ε_it. "
                  "L.TI and IP are GMM-style instruments (lags 2 and up), ED, IC, IE (and NC, IP×NC in Model 3) "
                  "IV-style; Windmeijer-corrected standard errors, as xtabond2 `twostep robust`."))
    try:
        models = uc.gmm_models(pkey, panel, collapse, max_lag, ginv)
    except ValueError as err:
        gmm_failed(err)
        return

    too_many = {mm: (r.n_instruments, r.n_groups) for mm, r in models.items() if r.n_instruments > r.n_groups}
    sep = "；" if ZH else "; "
    if too_many:
        counts = sep.join(_("Model {m}: {j} instruments > {n} groups").format(m=mm, j=j, n=n)
                          for mm, (j, n) in too_many.items())
        st.warning(_("**Too many instruments.** {counts}. {diagnosis} The Sargan and Hansen p below are therefore "
                     "uninformative. Collapse the instruments or limit the lags to see the count fall and the tests "
                     "regain power.").format(counts=counts, diagnosis=_(uc.TOO_MANY_TEXT)), icon=":material/warning:")
    else:
        st.success(_("Instruments do not exceed groups in any model: {counts}.").format(
            counts=sep.join(_("Model {m}: {j} instruments, {n} groups").format(m=mm, j=r.n_instruments, n=r.n_groups)
                            for mm, r in models.items())), icon=":material/check_circle:")
    table4, table4_long = uc.regression_table(models)
    st.table(uc.localise(table4, uc.TERM_LABEL).set_index(_(uc.TERM_LABEL_TEXT)))
    uc.download(table4_long, "table4_system_gmm.csv", label=_("Download Table 4 (CSV, numeric)"))
    st.caption(_("Coefficients with stars (*** p < 0.01, ** p < 0.05, * p < 0.1) and z in brackets; the paper's "
                 "stars are recomputed from its z. Instruments = rank of the instrument matrix (xtabond2's count), "
                 "shown beside every test; χ² df = instruments - regressors. The paper reports neither the "
                 "instrument count nor Hansen's test. Groups in the paper: its {n} clusters.").format(
        n=N_PAPER_CLUSTERS))
    if DEMO:
        st.info(_(uc.DEMO_BY_CONSTRUCTION), icon=":material/science:")
    other = sorted({w for r in models.values() for w in r.warnings if not w.startswith("too many instruments")})
    if other:
        with st.expander(_("Estimator notes")):
            for w in other:
                st.markdown(f"- {tr(w)}")

    st.subheader(_("How the instrument set changes the tests"))
    opts = uc.instrument_options(pkey, panel, ginv)
    shown = uc.as_text(opts, {"sargan_p": "{:.3f}", "hansen_p": "{:.3f}", "IP_coef": "{:.3f}", "IP_z": "{:.2f}"})
    st.dataframe(uc.localise(shown.assign(instruments=[_(v) for v in opts["instruments"]]), uc.INSTRUMENT_LABELS),
                 hide_index=True, width="stretch", height=35 * len(opts) + 38)
    uc.download(opts, "instrument_sets.csv")


def section_moderation(collapse, max_lag, ginv):
    st.header(_("Moderating effect of NC (Fig. 4)"))
    try:
        models = uc.gmm_models(pkey, panel, collapse, max_lag, ginv)
    except ValueError as err:
        gmm_failed(err)
        return
    mod = uc.moderation(pkey, models[3], panel, (collapse, max_lag, ginv))
    shown = mod.assign(source=[_(v) for v in mod["source"]], nc_level=[_(v) for v in mod["nc_level"]])
    levels = [_(v) for v in sorted(set(mod["nc_level"]))]  # the English order: colours and dashes as before
    sources = [_(v) for v in sorted(set(mod["source"]))]
    words = {c: _(uc.SLOPE_LABELS[c]) for c in uc.SLOPE_LABELS}
    # lines and points in two layers: a line mark with point=True draws its strokeDash legend without the
    # dash samples (labels only); the points repeat the colour and take no legend of their own
    base = alt.Chart(shown).encode(
        x=alt.X("IP:Q", title=_("IP (ln incentive policies)")),
        y=alt.Y("TI_pred:Q", title=_("Predicted TI (ln AI patents)"), scale=alt.Scale(zero=False)),
        color=alt.Color("nc_level:N", title=None, scale=alt.Scale(domain=levels, range=["#d73027", "#4575b4"]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
        detail="line:N",
        tooltip=[alt.Tooltip("source:N", title=words["source"]), alt.Tooltip("nc_level:N", title=words["nc_level"]),
                 alt.Tooltip("IP:Q", format=".2f"),
                 alt.Tooltip("TI_pred:Q", format=".3f", title=_("Predicted TI")),
                 alt.Tooltip("slope:Q", format=".3f", title=words["slope"])])
    lines = base.mark_line(strokeWidth=2).encode(
        strokeDash=alt.StrokeDash("source:N", title=None, scale=alt.Scale(domain=sources, range=[[1, 0], [6, 4]]),
                                  legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0,
                                                    symbolType="stroke", symbolStrokeColor="#444",
                                                    symbolStrokeWidth=2, symbolSize=400)))
    points = base.mark_point(filled=True, size=30)
    st.altair_chart((lines + points).properties(height=360), width="stretch")
    # the slopes table below the chart, wide enough for its Chinese labels (no sideways scrolling)
    a, b = st.columns([3, 2])
    with a:
        slopes = mod.groupby(["source", "nc_level"], as_index=False)["slope"].first()
        st.dataframe(uc.localise(slopes.assign(source=[_(v) for v in slopes["source"]],
                                               nc_level=[_(v) for v in slopes["nc_level"]]), uc.SLOPE_LABELS)
                     .style.format({words["slope"]: "{:.3f}"}), hide_index=True, width="stretch")
        uc.download(mod, "moderation_fig4.csv")
    with b:
        st.caption(_("Slope = dTI/dIP = b_IP + b_IP×NC (NC - mean NC) at NC mean -/+ 1 sd; other regressors at "
                     "their means. The paper's finding: the slope is smaller at high NC (negative moderation). "
                     "Uses Model 3 under the instrument options above."))


def section_placebo(collapse, max_lag, ginv):
    st.header(_("Placebo test (Fig. 6)"))
    c1, c2, c3 = st.columns(3)
    pl_model = c1.selectbox(_("Model"), [2, 3], key=uc.PL_MODEL, format_func=lambda m: T("Model {m}").format(m=m),
                            help=_("The paper marks Model 2's real IP coefficient ({value}).").format(
                                value=f"{REAL_IP:.3f}"))
    reps = int(c2.number_input(_("Replications"), 100, 5000, 1000, step=100, key=uc.PL_REPS,
                               help=_("How many times incentive policies are shuffled and the model "
                                      "re-estimated; more gives a smoother placebo distribution and takes "
                                      "longer (about 1 s per 1,000).")))
    scheme = uc.SCHEMES[c3.selectbox(_("Shuffle"), list(uc.SCHEMES), key=uc.PL_SCHEME,
                                     format_func=lambda o: T(uc.OPTION_WORDS[o]),
                                     help=_("How the policy variable IP is reassigned at random in each "
                                            "replication."))]
    key = uc.placebo_key(pkey, pl_model, reps, scheme, collapse, max_lag, ginv)
    result = uc.cached_placebo(key, panel)
    if result is None:
        st.caption(_("Shuffles IP, re-estimates Model {m} with the instrument options above {n} times "
                     "(seeded) and compares the IP coefficients with the real one. Runs once per setting, then "
                     "cached.").format(m=pl_model, n=f"{reps:,}"))
        if st.button(_("Run the placebo test"), key=uc.PL_RUN, icon=":material/play_arrow:"):
            try:
                result = uc.run_placebo(key, panel)
            except ValueError as err:
                st.error(_("The placebo test could not be run: {err}").format(
                    err=tr(err.args[0] if err.args else err)), icon=":material/error:")
    if result is not None:
        a, b = st.columns([3, 1])
        coefs = result.to_frame()
        real_word, mean_word = _("real coefficient"), _("placebo mean")
        with b:
            st.metric(_("Real IP coefficient"), f"{result.real:.3f}",
                      help=_("Paper (Model 2): {value}").format(value=f"{REAL_IP:.3f}"))
            st.metric(_("Mean of placebo coefficients"), f"{result.mean:.4f}",
                      help=_("Paper: {value}").format(value=f"{float(sc['placebo_mean_ip_coef']):.3f}"))
            st.metric(_("Permutation p (two-sided)"), f"{result.p_value:.3f}",
                      help=_("(1 + #|placebo| >= |real|) / (1 + replications)"))
            uc.download(coefs, "placebo_ip_coefficients.csv")
        with a:
            hist = (alt.Chart(coefs).mark_bar(color="#9ecae1")
                    .encode(x=alt.X("ip_coefficient:Q", bin=alt.Bin(maxbins=50), title=_("IP coefficient")),
                            y=alt.Y("count():Q", title=_("Replications")),
                            tooltip=[alt.Tooltip("ip_coefficient:Q", bin=alt.Bin(maxbins=50), title=_("IP coefficient")),
                                     alt.Tooltip("count():Q", title=_("Replications"))]))
            marks = pd.DataFrame({"x": [result.real, result.mean], "what": [real_word, mean_word]})
            rules = (alt.Chart(marks).mark_rule(strokeWidth=2)
                     .encode(x="x:Q", color=alt.Color("what:N", title=None,
                                                      scale=alt.Scale(range=["#d62728", "#555555"],
                                                                      domain=[real_word, mean_word]),
                                                      legend=alt.Legend(orient="bottom")),
                             strokeDash=alt.condition(alt.datum.what == mean_word, alt.value([4, 3]),
                                                      alt.value([1, 0])),
                             tooltip=[alt.Tooltip("what:N", title=_("Line")),
                                      alt.Tooltip("x:Q", format=".4f", title=_("IP coefficient"))]))
            title = _("{n} placebo estimates, Model {m}, {j} instruments").format(
                n=f"{len(coefs):,}", m=result.model, j=result.n_instruments)
            st.altair_chart((hist + rules).properties(height=320, title=title), width="stretch")
        st.caption(_("Paper: mean of {n} placebo coefficients {mean} against the real {real}. A real coefficient in "
                     "the tail of the placebo distribution says the estimate is not produced by chance assignment "
                     "of policies.").format(n=f"{float(sc['placebo_replications']):.0f}",
                                            mean=f"{float(sc['placebo_mean_ip_coef']):.3f}", real=f"{REAL_IP:.3f}"))


def section_sensitivity():
    st.header(_("Sensitivity of the cluster set to the threshold (Fig. 5)"))
    sens = uc.sensitivity(fp, cities, links)
    words = {c: _(uc.SENSITIVITY_LABELS[c]) for c in uc.SENSITIVITY_LABELS}
    a, b = st.columns(2)
    with a:
        st.markdown(_("**Number of AI clusters and potential clusters**"))
        potential, clusters_word = _("potential clusters"), _("AI clusters")
        long = sens.melt(id_vars="percentile", value_vars=["n_potential", "n_clusters"], var_name="set",
                         value_name="count").replace({"n_potential": potential, "n_clusters": clusters_word})
        ch = (alt.Chart(long).mark_line(point=True)
              .encode(x=alt.X("percentile:O", title=words["percentile"], axis=alt.Axis(labelAngle=0)),
                      y=alt.Y("count:Q", title=_("Cities"), scale=alt.Scale(domain=[0, 1.2 * max(1, long["count"].max())]),
                              axis=alt.Axis(format="d", tickMinStep=1)),
                      color=alt.Color("set:N", title=None, scale=alt.Scale(domain=[clusters_word, potential],
                                                                           range=["#d7301f", "#fdae61"]),
                                      legend=alt.Legend(orient="bottom")),
                      strokeDash=alt.StrokeDash("set:N", legend=None),
                      tooltip=[alt.Tooltip("percentile:O", title=words["percentile"]),
                               alt.Tooltip("set:N", title=_("Set")), alt.Tooltip("count:Q", title=_("Cities"))])
              .properties(height=280))
        st.altair_chart(ch, width="stretch")
    with b:
        st.markdown(_("**Scale threshold**"))
        ch = (alt.Chart(sens).mark_bar(color="#4575b4")
              .encode(x=alt.X("percentile:O", title=words["percentile"], axis=alt.Axis(labelAngle=0)),
                      y=alt.Y("threshold:Q", title=_("Mean AI patent applications a year")),
                      tooltip=[alt.Tooltip("percentile:O", title=words["percentile"]),
                               alt.Tooltip("threshold:Q", format=",.1f", title=words["threshold"])])
              .properties(height=280))
        st.altair_chart(ch, width="stretch")
    shown = uc.localise(sens[list(uc.SENSITIVITY_LABELS)], uc.SENSITIVITY_LABELS,
                        places=("added_vs_p80", "dropped_vs_p80", "excluded"))
    st.dataframe(shown.style.format({words["percentile"]: "{:.0f}", words["threshold"]: "{:,.1f}"}),
                 hide_index=True, width="stretch")
    uc.download(sens, "threshold_sensitivity.csv")
    st.caption(_("Paper: 75th percentile {p75}, 76th-84th between {low} and {high} patent applications; the "
                 "{n} clusters and the {k} excluded cities do not change.").format(
        p75=f"{float(sc['p75_patent_applications']):g}", low=f"{float(sc['threshold_range_p76_p84_low']):g}",
        high=f"{float(sc['threshold_range_p76_p84_high']):g}", n=N_PAPER_CLUSTERS,
        k=len(str(sc['excluded_low_scale_cities']).split(';'))))


def section_mediation(collapse, max_lag, ginv):
    st.header(_("Mechanism: government subsidies (Table 5)"))
    if firms is None:
        st.info(_("No firm panel is loaded, so the mediation analysis (Table 5) is not available. Load one on the "
                  "Data page."), icon=":material/info:")
        return
    try:
        t5, t5_long, indirect, sobel_z, sobel_p = uc.mediation(
            f"{pkey}|{uc.fingerprint(firms)}|{collapse}|{max_lag}", firms, panel, collapse, max_lag)
    except ValueError as err:
        st.error(_("The mediation models could not be estimated: {err}").format(
            err=tr(err.args[0] if err.args else err)), icon=":material/error:")
        return
    st.table(uc.localise(t5, uc.TERM_LABEL).set_index(_(uc.TERM_LABEL_TEXT)))
    uc.download(t5_long, "table5_mediation.csv")
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Indirect effect a×b (IP → GS → TI_firm)"), f"{indirect:.4f}")
    c2.metric(_("Sobel z"), f"{sobel_z:.2f}")
    c3.metric(_("Sobel p"), f"{sobel_p:.3f}")
    st.caption(_("Eqs. (4)-(6) on the firm panel, two-step system GMM in Table 4's style (lagged dependent "
                 "variable, IP and, in Model 6, GS GMM-style; EP, CS, OC IV-style), with the instrument "
                 "options above."))


def section_negative_binomial():
    st.header(_("Robustness: negative binomial regression (Table 6)"))
    try:
        t6, t6_long, converged = uc.negative_binomial(pkey, panel)
    except ValueError as err:
        st.error(_("The negative binomial models could not be estimated: {err}").format(
            err=tr(err.args[0] if err.args else err)), icon=":material/error:")
        return
    st.table(uc.localise(t6, uc.TERM_LABEL).set_index(_(uc.TERM_LABEL_TEXT)))
    uc.download(t6_long, "table6_negative_binomial.csv")
    if not all(converged.values()):
        st.warning(_("Not every negative binomial fit converged: {models}.").format(
            models=SEP.join(_("Model {m}").format(m=k) for k, v in converged.items() if not v)))
    st.caption(_("NB2 regression of the AI patent count (not its log) on the logged regressors with one dummy per "
                 "cluster (cluster effects not shown); alpha is the overdispersion (Var = mu + alpha mu²)."))


# --- technical detail: one section at a time, computed only when opened ----------------------------
st.header(_("Technical detail"))
st.caption(_("Each section is computed when you open it (the regression models are not fitted until then)."))
SECTIONS = {  # the names (uc.SECTION_WORDS) are the widget's values: English in every language
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
    _("Open a section"), list(SECTIONS), default=None, key=uc.CL_SECTION,
    format_func=lambda o: T(uc.SECTION_WORDS[o]),
    help=_("The tables, tests and robustness checks of the paper, one at a time. Nothing is estimated until "
           "a section is open; estimates are then kept for the session."))
if section is None:
    st.info(_("Choose a section above to see the paper's tables and tests recomputed on the loaded data."),
            icon=":material/expand_more:")
else:
    draw, needs_instruments = SECTIONS[section]
    if needs_instruments:
        draw(*instrument_options())
    else:
        draw()
