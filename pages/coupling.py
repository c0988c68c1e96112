"""Coupling (Study A measurement): traditional entropy-weight D vs the dual-tower MLP's D."""
import altair as alt
import streamlit as st

from sim import mlp, schema
from sim.compare import TYPE_LABELS
from sim.density import BANDWIDTH_RULE
from ui import coupling as cp
from ui import maps
from ui import state

TYPE_COLOURS = {"low": "#d7e3f4", "medium": "#8fb3de", "high": "#3f78c1", "extreme": "#08306b"}

st.title("Coupling")
st.caption("Liu et al. (2026), 'Measuring coupling coordination degree': entropy-weight coupling "
           "coordination D_trad and the paper's dual-tower MLP D_mlp = sqrt(C_mlp x T), their comparison "
           "(Wilcoxon signed-rank, Fig. 4-5) and coordination types (Fig. 6).")
state.synthetic_notice("provinces")

panel = state.dataset().get("provinces")
if panel is None:
    st.info("No province panel is loaded; load one on the Data page.")
    st.stop()

fp = cp.panel_fingerprint(panel)
try:
    trad = cp.traditional(fp, panel)
except ValueError as err:
    st.error(f"The entropy coupling model cannot be fitted on the loaded panel: {err}")
    st.stop()

method = st.radio("MLP coupling method compared with the traditional D", list(cp.METHOD_LABELS),
                  format_func=cp.METHOD_LABELS.get, horizontal=True, key=cp.CP_METHOD)
st.caption(f"**{method}**: {mlp.METHODS[method]}")

try:
    ens = cp.trained_ensemble(fp, panel, method)
except ValueError as err:
    st.error(f"The {method!r} model cannot be trained on the loaded panel: {err}")
    st.stop()
table = cp.results(fp, method, panel, ens)
years = sorted(int(y) for y in table["year"].unique())

# --- diagnostics first: they decide how to read everything below ------------------------------
st.header("Is the MLP coupling informative? Diagnostics")
cp.collapse_warning(ens)
if not ens.diagnostics["collapsed"]:
    st.success(ens.diagnostics["message"], icon=":material/check_circle:")
left, right = st.columns([1, 1])
with left:
    st.dataframe(cp.diagnostics_frame(ens), hide_index=True, width="stretch")
with right:
    loss = cp.loss_history(ens)
    st.altair_chart(alt.Chart(loss).mark_line().encode(
        x=alt.X("epoch:Q", title="Epoch"), y=alt.Y("loss:Q", title="Training loss"),
        color=alt.Color("seed:N", title="Seed")).properties(height=220, title="Training loss per seed"),
        width="stretch")
with st.expander("How the methods work, and what the paper leaves open"):
    st.markdown(
        "- **Paper's method**: two towers (17 and 18 inputs), Linear+ReLU layers (64, 32), linear "
        "projection to K = 16, L2-normalised; loss = -mean cosine of the paired vectors; "
        "C = (cos + 1)/2. The paper does not give layer sizes, optimiser, epochs or learning rate: we use "
        "Adam, lr 0.001, 500 full-batch epochs, PyTorch's default initialisation, seeds 0-4, inputs = "
        "the min-max normalised indicators. Its loss has only positive pairs, so the towers can (and do) "
        "output one constant direction: C is then ~1 for everyone and D_mlp ~ sqrt(T).\n"
        "- **Cross-prediction towers**: each tower predicts the other system's indicators (rank-"
        "Gaussian scores); every province is scored by towers trained without it (leave-one-province-"
        "out for the learned weights; the rank-Gaussian scaling of each indicator is fitted once on all "
        "rows, that province included); C = 1/(1 + held-out error). 1 = each system is exactly what "
        "the other implies, 0.5 = no better than the panel average.\n"
        "- **Whitened towers**: the paper's towers with a whitening penalty that forbids the constant "
        "solution (deep-CCA style), scored out-of-fold the same way.")
    bench = cp.recovery_benchmark()
    if bench is None:
        st.caption("Recovery benchmark: no results in this checkout (run `python bench/coupling_recovery.py`).")
    else:
        st.markdown(
            "**Recovery benchmark** (`bench/coupling_recovery.py`, run "
            f"{bench['run_date'].iloc[0] if 'run_date' in bench else 'date unknown'}): synthetic panels "
            "with a known per-row coupling, each method's C ranked against it (Spearman, mean over panels "
            "and seeds). The *latent distance* process defines the truth close to what the cross-prediction "
            "towers estimate, so their lead there is partly by construction; the *shared factor* process "
            "defines it independently of every method (a province's loading on a common latent factor). "
            "The oracle row uses the true latent states, which no method sees.")
        st.dataframe(cp.recovery_table(bench).style.format(
            {"Spearman with truth": "{:.3f}", "seed stability": "{:.3f}"}, na_rep="n/a"),
            hide_index=True, width="stretch")

# --- map ------------------------------------------------------------------------------------
st.header("Coupling coordination degree by province")
c1, c2 = st.columns([2, 3])
measure = c1.radio("Map shows", ["D_trad", "D_mlp", "D_mlp - D_trad"], horizontal=True,
                   key=cp.CP_MAP_MEASURE)
year = c2.select_slider("Year", options=years, value=years[-1], key=cp.CP_YEAR)
one = table[table["year"] == year].set_index("province")
if measure == "D_mlp - D_trad":
    values, diverging, label = one["D_mlp"] - one["D_trad"], True, "D_mlp - D_trad"
else:
    values, diverging, label = one[measure], False, measure
if measure != "D_trad":
    cp.collapse_warning(ens, "Map")
all_vals = table["D_mlp"] - table["D_trad"] if diverging else table[["D_trad", "D_mlp"]].stack()
vmin, vmax = (None, None) if diverging else (float(all_vals.min()), float(all_vals.max()))
deck, legend = maps.choropleth(values, state.boundaries(), value_label=f"{label} ({year})",
                               vmin=vmin, vmax=vmax, diverging=diverging,
                               extra={"D_trad": one["D_trad"].map("{:.3f}".format),
                                      "D_mlp": one["D_mlp"].map("{:.3f}".format),
                                      "type (trad / mlp)": one["type_trad"] + " / " + one["type_mlp"]})
st.pydeck_chart(deck, height=460)
st.altair_chart(maps.legend_chart(legend, label, ".2f"), width="stretch")
st.caption("Colour scale fixed over all years and both measures (diverging and centred on 0 for the "
           "difference), so years and measures can be compared. Grey: not in the study (no data).")

# --- trajectories ---------------------------------------------------------------------------
st.header("Province trajectories: D_trad and D_mlp")
cp.collapse_warning(ens, "Trajectories")
names = [p for p in schema.province_names() if p in set(table["province"])]
default = [p for p in cp.DEFAULT_PROVINCES if p in names] or names[:4]
picked = st.multiselect("Provinces", names, default=default, key=cp.CP_PROVINCES)
if picked:
    sub = table[table["province"].isin(picked)]
    long = sub.melt(id_vars=["province", "year"], value_vars=["D_trad", "D_mlp"], var_name="measure",
                    value_name="D")
    band = sub.assign(lo=sub["D_mlp"] - sub["D_mlp_sd_seeds"], hi=sub["D_mlp"] + sub["D_mlp_sd_seeds"])
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("D:Q", title="Coupling coordination degree D"),
        color=alt.Color("province:N", title="Province"),
        strokeDash=alt.StrokeDash("measure:N", title="Measure", sort=["D_trad", "D_mlp"],
                                  legend=alt.Legend(symbolType="stroke")),
        tooltip=["province", "year", "measure", alt.Tooltip("D:Q", format=".3f")])
    bands = alt.Chart(band).mark_area(opacity=0.15).encode(
        x="year:O", y="lo:Q", y2="hi:Q",
        color=alt.Color("province:N", title="Province", legend=alt.Legend(symbolOpacity=1)))
    st.altair_chart((bands + lines).properties(height=360), width="stretch")
    st.caption("Solid and dashed lines: the two measures; shaded: D_mlp mean +- 1 sd across the 5 seeds.")

# --- densities and Wilcoxon -----------------------------------------------------------------
st.header("Distributions and the Wilcoxon signed-rank test")
cp.collapse_warning(ens, "Densities and test")
a, b = st.columns([3, 2])
with a:
    dens = cp.densities(fp, method, table)
    st.altair_chart(alt.Chart(dens.dropna()).mark_line().encode(
        x=alt.X("D:Q", title="D (all province-years)"), y=alt.Y("density:Q", title="Density"),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")))
        .properties(height=300), width="stretch")
    st.caption(BANDWIDTH_RULE)
with b:
    res = cp.wilcoxon(fp, method, table)
    st.metric("z (D_mlp vs D_trad)", f"{res.z:.3f}", help="Paper: z = -13.709, p < 0.001 (330 pairs)")
    st.dataframe(res.to_frame().reset_index(names="quantity").style.format({"value": "{:.4g}"}),
                 hide_index=True, width="stretch")
    st.caption("scipy.stats.wilcoxon, normal approximation (method='approx', variance corrected for "
               "ties, zero differences dropped, no continuity correction). z is that of the smaller "
               "rank sum, so it is negative whichever measure is larger (as the paper's SPSS-style "
               "z); the sign of the mean difference gives the direction. Paper: z = -13.709.")

# --- coordination types ---------------------------------------------------------------------
st.header("Coordination types by year")
cp.collapse_warning(ens, "Type shares of D_mlp")
sh = cp.shares(fp, method, table)
st.altair_chart(alt.Chart(sh).mark_bar().encode(
    x=alt.X("year:O", title="Year"), y=alt.Y("share:Q", title="Share of provinces", axis=alt.Axis(format="%")),
    color=alt.Color("type:N", sort=list(TYPE_LABELS), title="Type",
                    scale=alt.Scale(domain=list(TYPE_LABELS), range=list(TYPE_COLOURS.values()))),
    order=alt.Order("type_order:Q"),
    column=alt.Column("measure:N", title=None, sort=["D_trad (entropy weights)", "D_mlp"]),
    tooltip=["measure", "year", "type", alt.Tooltip("share:Q", format=".0%")])
    .transform_calculate(type_order="indexof(['low','medium','high','extreme'], datum.type)")
    .properties(width=320, height=260))
st.caption("Fixed cut-offs of the paper: low [0, 0.25], medium (0.25, 0.5], high (0.5, 0.75], "
           "extreme (0.75, 1].")

# --- tables and downloads -------------------------------------------------------------------
st.header("Results and downloads")
st.dataframe(table.style.format({c: "{:.4f}" for c in table.columns if table[c].dtype.kind == "f"}),
             hide_index=True, width="stretch", height=300)
d1, d2, d3 = st.columns(3)
with d1:
    cp.download(table, f"coupling_results_{method}.csv", "Results per province-year (CSV)")
with d2:
    cp.download(sh.pivot_table(index=["measure", "year"], columns="type", values="share",
                               observed=False).reset_index(),
                f"coordination_type_shares_{method}.csv", "Type shares by year (CSV)")
with d3:
    cp.download(cp.weights_table(fp, panel), "entropy_weights.csv", "Entropy weights (CSV)")
with st.expander("Entropy weights and normalisation bounds (frozen: the simulator re-uses them)"):
    st.dataframe(cp.weights_table(fp, panel).style.format({"min": "{:.4g}", "max": "{:.4g}",
                                                           "entropy": "{:.4f}", "weight": "{:.4f}"}),
                 hide_index=True, width="stretch")
    st.caption("Min-max normalisation over the whole panel (all provinces and years) with each "
               "indicator's direction; entropy weights on the normalised values + 1e-4; h = sum of "
               "weight x normalised value; C = 2 sqrt(h1 h2)/(h1 + h2), T = (h1 + h2)/2, D = sqrt(C T).")
