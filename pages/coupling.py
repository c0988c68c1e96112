"""Coupling (Study A measurement): plain-language findings on the traditional coupling coordination
degree D first; the neural-network (MLP) measures, their diagnostics and the tables below, the MLP
trained only when the comparison is switched on."""
from ui.nav import ensure_navigation

ensure_navigation()

import altair as alt  # noqa: E402
import streamlit as st

from sim import mlp
from sim.units import units_of
from sim.compare import TYPE_LABELS
from sim.density import BANDWIDTH_RULE
from ui import coupling as cp
from ui.unitmap import unit_map
from ui import findings as fd
from ui import state

TYPE_COLOURS = {"low": "#d7e3f4", "medium": "#8fb3de", "high": "#3f78c1", "extreme": "#08306b"}
TRAD, MLP_D, DIFF = "Traditional D", "MLP D", "Difference (MLP - traditional)"
MEASURE_COLUMNS = {"Traditional D": "D_trad", "MLP D": "D_mlp"}

st.title("Coupling")
st.caption("How well each province's new quality productive forces and its innovation resource "
           "allocation develop together, 2012-2022: the coupling coordination degree D. Method: Liu et al. "
           "(2026), 'Measuring coupling coordination degree' (entropy weights, and the paper's neural network "
           "compared below).")
state.synthetic_notice("provinces")

panel = state.dataset().get("provinces")
if panel is None:
    st.info("No province panel is loaded; load one on the Data page.")
    st.stop()

fp = cp.panel_fingerprint(panel)
try:
    cp.traditional(fp, panel)
except ValueError as err:
    st.error(f"The entropy coupling model cannot be fitted on the loaded panel: {err}")
    st.stop()
trad_table = cp.traditional_results(fp, panel)
years = sorted(int(y) for y in trad_table["year"].unique())
UNIT = "province" if units_of(panel).provinces else "unit"  # the loaded units' noun on screen
findings = fd.coupling_findings(trad_table, units_of(panel).group_map(), d_column="D_trad",
                               unit="provinces" if units_of(panel).provinces else "units",
                               group="region" if units_of(panel).provinces else "group")
findings_slot = st.container()  # filled at the end, when the MLP comparison (if on) is known

# --- the MLP comparison switch: nothing is trained until it is on -----------------------------------
with st.container(border=False):
    compare = st.toggle(
        "Compare with a neural-network (MLP) measure of coupling", key=cp.CP_MLP,
        help="Trains the dual-tower neural network of the paper, or a non-degenerate variant, on this panel "
             "(5 seeds: ready-trained for the demo data; for your own data a few seconds the first time, then "
             "kept for everyone using that dataset) and shows "
             "its D next to the traditional one.")
ens = table = None
method = None
if compare:
    method = st.radio("MLP method", list(cp.METHOD_LABELS), format_func=cp.METHOD_LABELS.get, horizontal=True,
                      index=list(cp.METHOD_LABELS).index(cp.DEFAULT_METHOD), key=cp.CP_METHOD,
                      help="Cross-prediction towers (recommended): each system's indicators predict the "
                           "other's; the paper's method as published collapses to a constant on this kind "
                           "of data; whitened towers: a deep-CCA variant.")
    st.caption(f"**{cp.METHOD_LABELS[method]}**: {mlp.METHODS[method]}")
    try:
        ens = cp.trained_ensemble(fp, panel, method)
    except ValueError as err:
        st.error(f"The {cp.METHOD_LABELS[method]} cannot be trained on the loaded panel: {err}")
        st.stop()
    table = cp.results(fp, method, panel, ens)
    cp.collapse_warning(ens)  # once, where the MLP results begin; the figures below are labelled
    folds = ens.diagnostics.get("folds") or {}
    if isinstance(folds, dict) and folds.get("message"):  # many units: fewer folds, sampled rows (said)
        st.info(folds["message"])
    res = cp.wilcoxon(fp, method, table)
    findings.append(fd.mlp_finding(table, ens.diagnostics["collapsed"], cp.SHORT_LABELS[method], res.p_value))
else:
    table = trad_table

with findings_slot:
    fd.show(findings, note=fd.D_MEANING + " How sure: D describes every province in the loaded data (no "
            "sampling); it depends on the entropy weights fitted to this panel (see the technical detail).",
            synthetic=state.dataset().any_synthetic("provinces"))

collapsed = bool(ens is not None and ens.diagnostics["collapsed"])
mlp_tag = " (collapsed: not informative)" if collapsed else ""

# --- map ------------------------------------------------------------------------------------
st.header(f"Coupling coordination degree by {UNIT}")
c1, c2 = st.columns([2, 3])
if compare:
    measure = c1.radio("Map shows", [TRAD, MLP_D, DIFF], horizontal=True, key=cp.CP_MAP_MEASURE,
                       help="The traditional D (entropy weights), the MLP's D, or the difference between the two.")
else:
    measure = TRAD
    c1.caption("The map shows the traditional D (entropy weights). Switch on the MLP comparison above to map "
               "the MLP's D and the difference.")
year = c2.select_slider("Year", options=years, value=years[-1], key=cp.CP_YEAR,
                        help="The year shown on the map.")
one = table[table["year"] == year].set_index("province")
if measure == DIFF:
    values, diverging, label = one["D_mlp"] - one["D_trad"], True, "MLP D minus traditional D" + mlp_tag
else:
    values, diverging, label = one[MEASURE_COLUMNS[measure]], False, measure + (mlp_tag if measure == MLP_D else "")
cols = ["D_trad", "D_mlp"] if compare else ["D_trad"]
all_vals = table["D_mlp"] - table["D_trad"] if diverging else table[cols].stack()
vmin, vmax = (None, None) if diverging else (float(all_vals.min()), float(all_vals.max()))
extra = {"Traditional D": one["D_trad"].map("{:.3f}".format), "Type (traditional)": one["type_trad"]}
if compare:
    extra.update({"MLP D": one["D_mlp"].map("{:.3f}".format), "Type (MLP)": one["type_mlp"]})
st.vega_lite_chart(unit_map(values, state.boundaries(), value_label=f"{label} ({year})",
                                   vmin=vmin, vmax=vmax, diverging=diverging, extra=extra,
                                   legend_format="+.2f" if diverging else ".2f"), width="stretch")
st.caption("Colour scale fixed over all years" + (" and both measures" if compare else "") +
           " (the difference on a diverging scale centred on 0), so years can be compared. Grey: not in "
           "the study (no data).")

# --- trajectories ---------------------------------------------------------------------------
st.header(f"{UNIT.capitalize()} trajectories")
present = set(table["province"])
names = [p for p in units_of(panel).names if p in present]
default = [p for p in cp.DEFAULT_PROVINCES if p in names] or names[:4]
picked = st.multiselect(f"{UNIT.capitalize()}s", names, default=default, key=cp.CP_PROVINCES,
                        help=f"{UNIT.capitalize()}s whose D is drawn year by year.")
if picked:
    sub = table[table["province"].isin(picked)]
    value_vars = ["D_trad", "D_mlp"] if compare else ["D_trad"]
    long = sub.melt(id_vars=["province", "year"], value_vars=value_vars, var_name="measure", value_name="D")
    long["measure"] = long["measure"].map({"D_trad": "Traditional D", "D_mlp": "MLP D" + mlp_tag})
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("D:Q", title="Coupling coordination degree D (0-1)"),
        color=alt.Color("province:N", title=UNIT.capitalize()),
        strokeDash=alt.StrokeDash("measure:N", title="Measure",
                                  legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#333",
                                                    symbolStrokeWidth=2)),
        tooltip=["province", "year", "measure", alt.Tooltip("D:Q", format=".3f")])
    chart = lines
    if compare:
        band = sub.assign(lo=sub["D_mlp"] - sub["D_mlp_sd_seeds"], hi=sub["D_mlp"] + sub["D_mlp_sd_seeds"])
        chart = alt.Chart(band).mark_area(opacity=0.15).encode(
            x="year:O", y="lo:Q", y2="hi:Q",
            color=alt.Color("province:N", title=UNIT.capitalize(), legend=alt.Legend(symbolOpacity=1))) + lines
    st.altair_chart(chart.properties(height=360), width="stretch")
    st.caption("Solid: traditional D" + ("; dashed: MLP D, shaded +- 1 sd across the 5 seeds." if compare else ".")
               + " D above 0.5 is high coordination, above 0.75 extreme.")

# --- coordination types ---------------------------------------------------------------------
st.header("Coordination types by year")
sh = cp.shares(fp, method or "traditional", table)
st.altair_chart(alt.Chart(sh).mark_bar().encode(
    x=alt.X("year:O", title="Year"), y=alt.Y("share:Q", title="Share of provinces", axis=alt.Axis(format="%")),
    color=alt.Color("type:N", sort=list(TYPE_LABELS), title="Type",
                    scale=alt.Scale(domain=list(TYPE_LABELS), range=list(TYPE_COLOURS.values()))),
    order=alt.Order("type_order:Q"),
    column=alt.Column("measure:N", title=None, sort=["Traditional D (entropy weights)", "MLP D"]),
    tooltip=["measure", "year", "type", alt.Tooltip("share:Q", format=".0%")])
    .transform_calculate(type_order="indexof(['low','medium','high','extreme'], datum.type)")
    .properties(width=320, height=260))
st.caption("Fixed cut-offs of the paper: low [0, 0.25], medium (0.25, 0.5], high (0.5, 0.75], "
           "extreme (0.75, 1]." + (" MLP D" + mlp_tag + "." if collapsed else ""))

# --- technical detail ------------------------------------------------------------------------
st.header("Technical detail")
if compare:
    with st.expander("Is the MLP coupling informative? Diagnostics", expanded=collapsed):
        if not collapsed:
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
    with st.expander("Distributions and the Wilcoxon signed-rank test"):
        a, b = st.columns([3, 2])
        with a:
            dens = cp.densities(fp, method, table)
            st.altair_chart(alt.Chart(dens.dropna()).mark_line().encode(
                x=alt.X("D:Q", title="D (all province-years)"), y=alt.Y("density:Q", title="Density"),
                color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")))
                .properties(height=300), width="stretch")
            st.caption(BANDWIDTH_RULE)
        with b:
            st.metric("z (MLP D vs traditional D)", f"{res.z:.3f}",
                      help="Paper: z = -13.709, p < 0.001 (330 pairs)")
            st.dataframe(res.to_frame().reset_index(names="quantity").style.format({"value": "{:.4g}"}),
                         hide_index=True, width="stretch")
            st.caption("scipy.stats.wilcoxon, normal approximation (method='approx', variance corrected for "
                       "ties, zero differences dropped, no continuity correction). z is that of the smaller "
                       "rank sum, so it is negative whichever measure is larger (as the paper's SPSS-style "
                       "z); the sign of the mean difference gives the direction. Paper: z = -13.709.")
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


with st.expander(f"Results per {UNIT}-year and downloads"):
    shown = table.rename(columns=cp.RESULT_LABELS)
    floats = [c for c in shown.columns if shown[c].dtype.kind == "f"]
    if shown.size <= 200_000:  # missing values in words ("no data") through a Styler
        st.dataframe(shown.style.format({c: "{:.4f}" for c in floats}, na_rep="no data"),
                     hide_index=True, width="stretch", height=300)
    else:  # thousands of units: a Styler refuses so many cells; number formats instead, blanks for gaps
        st.dataframe(shown, hide_index=True, width="stretch", height=300,
                     column_config={c: st.column_config.NumberColumn(c, format="%.4f") for c in floats})
        st.caption(f"{len(shown):,} rows; empty cells: no data.")
    d1, d2, d3 = st.columns(3)
    suffix = method or "traditional"
    with d1:
        cp.download(table, f"coupling_results_{suffix}.csv", "Results per province-year (CSV)")
    with d2:
        cp.download(sh.pivot_table(index=["measure", "year"], columns="type", values="share",
                                   observed=False).reset_index(),
                    f"coordination_type_shares_{suffix}.csv", "Type shares by year (CSV)")
    with d3:
        cp.download(cp.weights_table(fp, panel), "entropy_weights.csv", "Entropy weights (CSV)")
with st.expander("Entropy weights and normalisation bounds (frozen: the simulator re-uses them)"):
    st.dataframe(cp.weights_table(fp, panel).rename(columns={
        "indicator": "Indicator id", "name": "Indicator", "min": "Minimum (data units)",
        "max": "Maximum (data units)", "entropy": "Entropy (0-1)", "weight": "Weight in its system (0-1)",
        "system": "System", "direction": "Direction"}).style.format(
        {"Minimum (data units)": "{:.4g}", "Maximum (data units)": "{:.4g}", "Entropy (0-1)": "{:.4f}",
         "Weight in its system (0-1)": "{:.4f}"}), hide_index=True, width="stretch")
    st.caption("Min-max normalisation over the whole panel (all provinces and years) with each "
               "indicator's direction; entropy weights on the normalised values + 1e-4; h = sum of "
               "weight x normalised value; C = 2 sqrt(h1 h2)/(h1 + h2), T = (h1 + h2)/2, D = sqrt(C T).")
