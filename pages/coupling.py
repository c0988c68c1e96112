"""Coupling (Study A measurement): plain-language findings on the traditional coupling coordination
degree D first; the neural-network (MLP) measures, their diagnostics and the tables below, the MLP
trained only when the comparison is switched on."""
from ui.nav import ensure_navigation

ensure_navigation()

import functools
import altair as alt  # noqa: E402
import streamlit as st

from sim.units import units_of
from sim.compare import TYPE_LABELS
from sim.density import BANDWIDTH_RULE
from ui import coupling as cp
from ui.unitmap import unit_map
from ui import findings as fd
from ui import state
from ui.i18n import N_, _, bound, lang, localise_map, place, unit_text

TYPE_COLOURS = {"low": "#d7e3f4", "medium": "#8fb3de", "high": "#3f78c1", "extreme": "#08306b"}
TRAD, MLP_D, DIFF = "Traditional D", "MLP D", "Difference (MLP - traditional)"
MEASURE_COLUMNS = {"Traditional D": "D_trad", "MLP D": "D_mlp"}
MEASURE_WORDS = {TRAD: N_("Traditional D"), MLP_D: N_("MLP D"), DIFF: N_("Difference (MLP - traditional)")}
TYPE_WORDS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "extreme": N_("extreme")}
WEIGHT_LABELS = {"indicator": N_("Indicator id"), "name": N_("Indicator"), "min": N_("Minimum (data units)"),
                 "max": N_("Maximum (data units)"), "entropy": N_("Entropy (0-1)"),
                 "weight": N_("Weight in its system (0-1)"), "system": N_("System"), "direction": N_("Direction")}
T, P = bound()  # gettext and place names fixed to this run's language, for format_func callbacks
ZH = lang() != "en"
# units other than the 30 study provinces (own cities, counties ...): the page says "units", not "provinces"
OWN_UNITS = state.own_units()
UT = functools.partial(unit_text, own=OWN_UNITS)  # the province message, or its twin about units


st.title(_("Coupling"))
st.caption(UT(N_("How well each province's new quality productive forces and its innovation resource "
                 "allocation develop together, 2012-2022: the coupling coordination degree D. Method: Liu et al. "
                 "(2026), 'Measuring coupling coordination degree' (entropy weights, and the paper's neural network "
                 "compared below)."),
              N_("How well each unit's new quality productive forces and its innovation resource "
                 "allocation develop together: the coupling coordination degree D. Method: Liu et al. "
                 "(2026), 'Measuring coupling coordination degree' (entropy weights, and the paper's neural network "
                 "compared below).")))
state.synthetic_notice("provinces")

panel = state.dataset().get("provinces")
if panel is None:
    st.info(_("No province panel is loaded; load one on the Data page."))
    st.stop()

fp = cp.panel_fingerprint(panel)
try:
    cp.traditional(fp, panel)
except ValueError as err:
    st.error(_("The entropy coupling model cannot be fitted on the loaded panel: {err}").format(err=err))
    st.stop()
trad_table = cp.traditional_results(fp, panel)
years = sorted(int(y) for y in trad_table["year"].unique())
UNIT = "unit" if OWN_UNITS else "province"  # the loaded units' noun on screen
PROVINCE_WORDS = dict(map=N_("Coupling coordination degree by province"), trajectories=N_("Province trajectories"),
                      pick=N_("Provinces"), help=N_("Provinces whose D is drawn year by year."),
                      colour=N_("Province"), table=N_("Results per province-year and downloads"))
OTHER_UNIT_WORDS = dict(map=N_("Coupling coordination degree by unit"), trajectories=N_("Unit trajectories"),
                        pick=N_("Units"), help=N_("Units whose D is drawn year by year."), colour=N_("Unit"),
                        table=N_("Results per unit-year and downloads"))
UW = {k: _(v) for k, v in (PROVINCE_WORDS if UNIT == "province" else OTHER_UNIT_WORDS).items()}  # shown words
findings = fd.coupling_findings(trad_table, units_of(panel).group_map(), d_column="D_trad",
                               unit="units" if OWN_UNITS else "provinces",
                               group="group" if OWN_UNITS else "region")
findings_slot = st.container()  # filled at the end, when the MLP comparison (if on) is known

# --- the MLP comparison switch: nothing is trained until it is on -----------------------------------
with st.container(border=False):
    compare = st.toggle(
        _("Compare with a neural-network (MLP) measure of coupling"), key=cp.CP_MLP,
        help=_("Trains the dual-tower neural network of the paper, or a non-degenerate variant, on this panel "
               "(5 seeds: ready-trained for the demo data; for your own data a few seconds the first time, then "
               "kept for everyone using that dataset) and shows "
               "its D next to the traditional one."))
ens = table = None
method = None
if compare:
    method = st.radio(_("MLP method"), list(cp.METHOD_LABELS), format_func=lambda m: T(cp.METHOD_LABELS[m]),
                      horizontal=True,
                      index=list(cp.METHOD_LABELS).index(cp.DEFAULT_METHOD), key=cp.CP_METHOD,
                      help=_("Cross-prediction towers (recommended): each system's indicators predict the "
                             "other's; the paper's method as published collapses to a constant on this kind "
                             "of data; whitened towers: a deep-CCA variant."))
    st.caption(f"**{_(cp.METHOD_LABELS[method])}**" + (": " if not ZH else "：") +
               cp.method_note(method, OWN_UNITS))
    try:
        ens = cp.trained_ensemble(fp, panel, method)
    except ValueError as err:
        st.error(_("The {method} cannot be trained on the loaded panel: {err}").format(
            method=_(cp.METHOD_LABELS[method]), err=err))
        st.stop()
    table = cp.results(fp, method, panel, ens)
    # once, where the MLP results begin; the figures below are labelled
    cp.collapse_warning(ens, translate=True, units=OWN_UNITS)
    folds = ens.diagnostics.get("folds") or {}
    if isinstance(folds, dict) and folds.get("message"):  # many units: fewer folds, sampled rows (said)
        st.info(cp.folds_message(folds, len(panel)))
    res = cp.wilcoxon(fp, method, table)
    findings.append(fd.mlp_finding(table, ens.diagnostics["collapsed"], _(cp.SHORT_LABELS[method]), res.p_value,
                                   units=OWN_UNITS))
else:
    table = trad_table

with findings_slot:
    fd.show(findings, note=_(fd.D_MEANING) + UT(N_(" How sure: D describes every province in the loaded data (no "
                                                   "sampling); it depends on the entropy weights fitted to this panel "
                                                   "(see the technical detail)."),
                                                N_(" How sure: D describes every unit in the loaded data (no "
                                                   "sampling); it depends on the entropy weights fitted to this panel "
                                                   "(see the technical detail).")),
            synthetic=state.dataset().any_synthetic("provinces"))

collapsed = bool(ens is not None and ens.diagnostics["collapsed"])
mlp_tag = _(" (collapsed: not informative)") if collapsed else ""

# --- map ------------------------------------------------------------------------------------
st.header(UW["map"])
c1, c2 = st.columns([2, 3])
if compare:
    measure = c1.radio(_("Map shows"), [TRAD, MLP_D, DIFF], horizontal=True, key=cp.CP_MAP_MEASURE,
                       format_func=lambda m: T(MEASURE_WORDS[m]),
                       help=_("The traditional D (entropy weights), the MLP's D, or the difference between the two."))
else:
    measure = TRAD
    c1.caption(_("The map shows the traditional D (entropy weights). Switch on the MLP comparison above to map "
                 "the MLP's D and the difference."))
year = c2.select_slider(_("Year"), options=years, value=years[-1], key=cp.CP_YEAR,
                        help=_("The year shown on the map."))
one = table[table["year"] == year].set_index("province")
if measure == DIFF:
    values, diverging, label = one["D_mlp"] - one["D_trad"], True, _("MLP D minus traditional D") + mlp_tag
else:
    values, diverging, label = one[MEASURE_COLUMNS[measure]], False, _(MEASURE_WORDS[measure]) + (mlp_tag if measure == MLP_D else "")
cols = ["D_trad", "D_mlp"] if compare else ["D_trad"]
all_vals = table["D_mlp"] - table["D_trad"] if diverging else table[cols].stack()
vmin, vmax = (None, None) if diverging else (float(all_vals.min()), float(all_vals.max()))
extra = {_("Traditional D"): one["D_trad"].map("{:.3f}".format),
         _("Type (traditional)"): one["type_trad"].map(lambda t: _(TYPE_WORDS.get(t, t)))}
if compare:
    extra.update({_("MLP D"): one["D_mlp"].map("{:.3f}".format),
                  _("Type (MLP)"): one["type_mlp"].map(lambda t: _(TYPE_WORDS.get(t, t)))})
st.vega_lite_chart(localise_map(unit_map(values, state.boundaries(),
                                         value_label=_("{label} ({year})").format(label=label, year=year),
                                         vmin=vmin, vmax=vmax, diverging=diverging, extra=extra,
                                         legend_format="+.2f" if diverging else ".2f")), width="stretch")
st.caption(_("Colour scale fixed over all years") + (_(" and both measures") if compare else "") +
           _(" (the difference on a diverging scale centred on 0), so years can be compared. Grey: not in "
             "the study (no data)."))

# --- trajectories ---------------------------------------------------------------------------
st.header(UW["trajectories"])
present = set(table["province"])
names = [p for p in units_of(panel).names if p in present]
default = [p for p in cp.DEFAULT_PROVINCES if p in names] or names[:4]
picked = st.multiselect(UW["pick"], names, default=default, key=cp.CP_PROVINCES, format_func=P,
                        help=UW["help"])
if picked:
    sub = table[table["province"].isin(picked)]
    value_vars = ["D_trad", "D_mlp"] if compare else ["D_trad"]
    long = sub.melt(id_vars=["province", "year"], value_vars=value_vars, var_name="measure", value_name="D")
    long["measure"] = long["measure"].map({"D_trad": _("Traditional D"), "D_mlp": _("MLP D") + mlp_tag})
    if ZH:
        long["province"] = long["province"].map(place)
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title=_("Year")), y=alt.Y("D:Q", title=_("Coupling coordination degree D (0-1)")),
        color=alt.Color("province:N", title=UW["colour"]),
        strokeDash=alt.StrokeDash("measure:N", title=_("Measure"),
                                  legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#333",
                                                    symbolStrokeWidth=2)),
        tooltip=[alt.Tooltip("province:N", title=UW["colour"]) if ZH else "province",
                 alt.Tooltip("year:O", title=_("Year")) if ZH else "year",
                 alt.Tooltip("measure:N", title=_("Measure")) if ZH else "measure", alt.Tooltip("D:Q", format=".3f")])
    chart = lines
    if compare:
        band = sub.assign(lo=sub["D_mlp"] - sub["D_mlp_sd_seeds"], hi=sub["D_mlp"] + sub["D_mlp_sd_seeds"])
        if ZH:
            band["province"] = band["province"].map(place)
        chart = alt.Chart(band).mark_area(opacity=0.15).encode(
            x="year:O", y="lo:Q", y2="hi:Q",
            color=alt.Color("province:N", title=UW["colour"], legend=alt.Legend(symbolOpacity=1))) + lines
    st.altair_chart(chart.properties(height=360), width="stretch")
    st.caption(_("Solid: traditional D; dashed: MLP D, shaded +- 1 sd across the 5 seeds. D above 0.5 is high "
                 "coordination, above 0.75 extreme.") if compare else
               _("Solid: traditional D. D above 0.5 is high coordination, above 0.75 extreme."))

# --- coordination types ---------------------------------------------------------------------
st.header(_("Coordination types by year"))
sh = cp.shares(fp, method or "traditional", table)
if ZH:  # the chart's words in Chinese; the type order is kept by the position in TYPE_LABELS
    type_domain = [_(TYPE_WORDS[t]) for t in TYPE_LABELS]
    sh_shown = sh.assign(type_order=sh["type"].map(list(TYPE_LABELS).index).astype(int),
                         type=sh["type"].astype(str).map(lambda t: _(TYPE_WORDS[t])),
                         measure=sh["measure"].map(lambda m: _(cp.MEASURE_NAMES.get(m, m))))
    type_chart = alt.Chart(sh_shown).mark_bar().encode(
        x=alt.X("year:O", title=_("Year")),
        y=alt.Y("share:Q", title=UT(N_("Share of provinces"), N_("Share of units")), axis=alt.Axis(format="%")),
        color=alt.Color("type:N", sort=type_domain, title=_("Type"),
                        scale=alt.Scale(domain=type_domain, range=list(TYPE_COLOURS.values()))),
        order=alt.Order("type_order:Q"),
        column=alt.Column("measure:N", title=None,
                          sort=[_("Traditional D (entropy weights)"), _("MLP D")]),
        tooltip=[alt.Tooltip("measure:N", title=_("Measure")), alt.Tooltip("year:O", title=_("Year")),
                 alt.Tooltip("type:N", title=_("Type")),
                 alt.Tooltip("share:Q", format=".0%", title=UT(N_("Share of provinces"), N_("Share of units")))])
else:
    type_chart = alt.Chart(sh).mark_bar().encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("share:Q", title="Share of units" if OWN_UNITS else "Share of provinces", axis=alt.Axis(format="%")),
        color=alt.Color("type:N", sort=list(TYPE_LABELS), title="Type",
                        scale=alt.Scale(domain=list(TYPE_LABELS), range=list(TYPE_COLOURS.values()))),
        order=alt.Order("type_order:Q"),
        column=alt.Column("measure:N", title=None, sort=["Traditional D (entropy weights)", "MLP D"]),
        tooltip=["measure", "year", "type", alt.Tooltip("share:Q", format=".0%")]) \
        .transform_calculate(type_order="indexof(['low','medium','high','extreme'], datum.type)")
st.altair_chart(type_chart.properties(width=320, height=260))
st.caption(_("Fixed cut-offs of the paper: low [0, 0.25], medium (0.25, 0.5], high (0.5, 0.75], "
             "extreme (0.75, 1].") + (_(" MLP D (collapsed: not informative).") if collapsed else ""))

# --- technical detail ------------------------------------------------------------------------
st.header(_("Technical detail"))
if compare:
    with st.expander(_("Is the MLP coupling informative? Diagnostics"), expanded=collapsed):
        if not collapsed:
            st.success(cp.diagnostics_message(ens, OWN_UNITS), icon=":material/check_circle:")
        left, right = st.columns([1, 1])
        with left:
            st.dataframe(cp.diagnostics_frame(ens), hide_index=True, width="stretch")
        with right:
            loss = cp.loss_history(ens)
            st.altair_chart(alt.Chart(loss).mark_line().encode(
                x=alt.X("epoch:Q", title=_("Epoch")), y=alt.Y("loss:Q", title=_("Training loss")),
                color=alt.Color("seed:N", title=_("Seed"))).properties(height=220, title=_("Training loss per seed")),
                width="stretch")
    with st.expander(_("Distributions and the Wilcoxon signed-rank test")):
        a, b = st.columns([3, 2])
        with a:
            dens = cp.densities(fp, method, table)
            dens = dens.assign(measure=dens["measure"].map(lambda m: _(cp.MEASURE_NAMES[m]))) if ZH else dens
            st.altair_chart(alt.Chart(dens.dropna()).mark_line().encode(
                x=alt.X("D:Q", title=UT(N_("D (all province-years)"), N_("D (all unit-years)"))),
                y=alt.Y("density:Q", title=_("Density")),
                color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")))
                .properties(height=300), width="stretch")
            st.caption(_(cp.BANDWIDTH_RULE) if cp.BANDWIDTH_RULE == BANDWIDTH_RULE else BANDWIDTH_RULE)
        with b:
            st.metric(_("z (MLP D vs traditional D)"), f"{res.z:.3f}",
                      help=_("Paper: z = -13.709, p < 0.001 (330 pairs)"))
            wf = res.to_frame().reset_index(names="quantity")
            if ZH:
                wf = wf.rename(columns={"quantity": _("quantity"), "value": _("value")})
            st.dataframe(wf.style.format({_("value"): "{:.4g}"}), hide_index=True, width="stretch")
            st.caption(_("scipy.stats.wilcoxon, normal approximation (method='approx', variance corrected for "
                         "ties, zero differences dropped, no continuity correction). z is that of the smaller "
                         "rank sum, so it is negative whichever measure is larger (as the paper's SPSS-style "
                         "z); the sign of the mean difference gives the direction. Paper: z = -13.709."))
with st.expander(_("How the methods work, and what the paper leaves open")):
    st.markdown(UT(N_(
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
        "solution (deep-CCA style), scored out-of-fold the same way."),
                  N_(
        "- **Paper's method**: two towers (17 and 18 inputs), Linear+ReLU layers (64, 32), linear "
        "projection to K = 16, L2-normalised; loss = -mean cosine of the paired vectors; "
        "C = (cos + 1)/2. The paper does not give layer sizes, optimiser, epochs or learning rate: we use "
        "Adam, lr 0.001, 500 full-batch epochs, PyTorch's default initialisation, seeds 0-4, inputs = "
        "the min-max normalised indicators. Its loss has only positive pairs, so the towers can (and do) "
        "output one constant direction: C is then ~1 for everyone and D_mlp ~ sqrt(T).\n"
        "- **Cross-prediction towers**: each tower predicts the other system's indicators (rank-"
        "Gaussian scores); every unit is scored by towers trained without it (leave-one-unit-"
        "out for the learned weights; the rank-Gaussian scaling of each indicator is fitted once on all "
        "rows, that unit included); C = 1/(1 + held-out error). 1 = each system is exactly what "
        "the other implies, 0.5 = no better than the panel average.\n"
        "- **Whitened towers**: the paper's towers with a whitening penalty that forbids the constant "
        "solution (deep-CCA style), scored out-of-fold the same way.")))
    bench = cp.recovery_benchmark()
    if bench is None:
        st.caption(_("Recovery benchmark: no results in this checkout (run `python bench/coupling_recovery.py`)."))
    else:
        st.markdown(UT(N_(
            "**Recovery benchmark** (`bench/coupling_recovery.py`, run "
            "{date}): synthetic panels "
            "with a known per-row coupling, each method's C ranked against it (Spearman, mean over panels "
            "and seeds). The *latent distance* process defines the truth close to what the cross-prediction "
            "towers estimate, so their lead there is partly by construction; the *shared factor* process "
            "defines it independently of every method (a province's loading on a common latent factor). "
            "The oracle row uses the true latent states, which no method sees."),
                       N_(
            "**Recovery benchmark** (`bench/coupling_recovery.py`, run "
            "{date}): synthetic panels "
            "with a known per-row coupling, each method's C ranked against it (Spearman, mean over panels "
            "and seeds). The *latent distance* process defines the truth close to what the cross-prediction "
            "towers estimate, so their lead there is partly by construction; the *shared factor* process "
            "defines it independently of every method (a unit's loading on a common latent factor). "
            "The oracle row uses the true latent states, which no method sees.")).format(
            date=bench['run_date'].iloc[0] if 'run_date' in bench else _('date unknown')))
        st.dataframe(cp.recovery_table(bench).style.format(
            {_("Spearman with truth"): "{:.3f}", _("seed stability"): "{:.3f}"}, na_rep=_("n/a")),
            hide_index=True, width="stretch")


with st.expander(UW["table"]):
    result_labels = cp.result_labels(OWN_UNITS)
    shown = table.rename(columns={k: _(v) for k, v in result_labels.items()})
    if ZH:
        shown[_(result_labels["province"])] = shown[_(result_labels["province"])].map(place)
        shown[_(result_labels["region"])] = shown[_(result_labels["region"])].map(place)
        for c in (_("Coordination type, traditional"), _("Coordination type, MLP")):
            if c in shown:
                shown[c] = shown[c].map(lambda t: _(TYPE_WORDS.get(t, t)))
    floats = [c for c in shown.columns if shown[c].dtype.kind == "f"]
    if shown.size <= 200_000:  # missing values in words ("no data") through a Styler
        st.dataframe(shown.style.format({c: "{:.4f}" for c in floats}, na_rep=_("no data")),
                     hide_index=True, width="stretch", height=300)
    else:  # thousands of units: a Styler refuses so many cells; number formats instead, blanks for gaps
        st.dataframe(shown, hide_index=True, width="stretch", height=300,
                     column_config={c: st.column_config.NumberColumn(c, format="%.4f") for c in floats})
        st.caption(_("{rows} rows; empty cells: no data.").format(rows=f"{len(shown):,}"))
    d1, d2, d3 = st.columns(3)
    suffix = method or "traditional"
    # downloads in the session's language: the on-screen headers and words in Chinese (English: the ids)
    type_word = lambda t: _(TYPE_WORDS.get(t, t))  # noqa: E731
    with d1:
        cp.download(table, f"coupling_results_{suffix}.csv",
                    UT(N_("Results per province-year (CSV)"), N_("Results per unit-year (CSV)")),
                    headers=result_labels,
                    values={"province": place, "region": place, "type_trad": type_word, "type_mlp": type_word,
                            "mlp_method": lambda m: _(cp.SHORT_LABELS.get(m, m))})
    with d2:
        cp.download(sh.pivot_table(index=["measure", "year"], columns="type", values="share",
                                   observed=False).reset_index(),
                    f"coordination_type_shares_{suffix}.csv", _("Type shares by year (CSV)"),
                    headers={"measure": N_("Measure"), "year": N_("Year"), **TYPE_WORDS},
                    values={"measure": lambda m: _(cp.MEASURE_NAMES.get(m, m))})
    with d3:
        weights = cp.weights_table(fp, panel)
        cp.download(cp.weights_zh(weights, panel) if ZH else weights, "entropy_weights.csv",
                    _("Entropy weights (CSV)"), headers=WEIGHT_LABELS)
with st.expander(_("Entropy weights and normalisation bounds (frozen: the simulator re-uses them)")):
    wt = cp.weights_table(fp, panel)
    if ZH:
        wt = cp.weights_zh(wt, panel)
    st.dataframe(wt.rename(columns={k: _(v) for k, v in WEIGHT_LABELS.items()}).style.format(
        {_("Minimum (data units)"): "{:.4g}", _("Maximum (data units)"): "{:.4g}", _("Entropy (0-1)"): "{:.4f}",
         _("Weight in its system (0-1)"): "{:.4f}"}), hide_index=True, width="stretch")
    st.caption(UT(N_("Min-max normalisation over the whole panel (all provinces and years) with each "
                     "indicator's direction; entropy weights on the normalised values + 1e-4; h = sum of "
                     "weight x normalised value; C = 2 sqrt(h1 h2)/(h1 + h2), T = (h1 + h2)/2, D = sqrt(C T)."),
                  N_("Min-max normalisation over the whole panel (all units and years) with each "
                     "indicator's direction; entropy weights on the normalised values + 1e-4; h = sum of "
                     "weight x normalised value; C = 2 sqrt(h1 h2)/(h1 + h2), T = (h1 + h2)/2, D = sqrt(C T).")))
