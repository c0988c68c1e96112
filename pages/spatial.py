"""Spatial patterns (Study A): global/local Moran's I, Moran scatter, LISA map, Dagum Gini decomposition."""
from ui.nav import ensure_navigation

ensure_navigation()

import functools
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from sim.moran import P_VALUE_NOTE, QUADRANT_NAMES, quadrant_counts
from sim.weights import PGDP_FLOOR_FRACTION, PGDP_GUARD_RULE
from ui import findings as fd
from ui.text import md_escape
from ui.unitmap import unit_map
from ui import spatial as sp
from ui.downloads import localised
from ui import state
from ui.i18n import N_, _, lang, localise_map, place, tr, unit_text

ZH = lang() != "en"
# units other than the 30 study provinces (own cities, counties ...): the page says "units", not "provinces"
OWN_UNITS = state.own_units()
UT = functools.partial(unit_text, own=OWN_UNITS)  # the province message, or its twin about units


# headers of tables shown and downloaded (in Chinese; English downloads keep the ids)
LOCAL_LABELS = {"province": N_("Unit") if OWN_UNITS else N_("Province"), "year": N_("Year"), "value": "D",
                "significant": N_("significant"), "cluster": N_("cluster"), "quadrant": N_("Quadrant")}
DAGUM_BY_YEAR_LABELS = {"year": N_("Year"), "measure": N_("Measure"), "label": N_("Group or component"),
                        "value": N_("value")}
DAGUM_MEASURES = {"overall": N_("overall Gini G"), "within": N_("Gini within a region"),
                  "between": N_("Gini between two regions"), "component": N_("component of G"),
                  "share": N_("share of G (0-1)")}
st.title(_("Spatial patterns"))
st.caption(UT(N_("Where coupling coordination is high or low, whether neighbouring provinces are alike, and how "
                 "unequal the regions are. Method: Liu et al. (2026), 'Spatial correlation analysis' (Table 3, "
                 "Fig. 7) and 'Regional differences' (Fig. 8)."),
              N_("Where coupling coordination is high or low, whether neighbouring units are alike, and how "
                 "unequal their groups are. Method: Liu et al. (2026), 'Spatial correlation analysis' (Table 3, "
                 "Fig. 7) and 'Regional differences' (Fig. 8).")))
state.synthetic_notice("provinces")
findings_slot = st.container()  # filled once Moran's I, the LISA clusters and the Dagum decomposition exist

src = sp.d_source(state.dataset(), "spatial")
if src is None:
    st.stop()
panel, table, D, d_label = src
names = tuple(D.index)
years = [int(y) for y in D.columns]

c1, c2 = st.columns(2)
permutations = c1.select_slider(_("Permutations for the p-values"), options=[99, 499, 999, 4999, 9999], value=999,
                                key=sp.SP_PERMUTATIONS,
                                help=UT(N_("How many random reshufflings of the provinces the permutation "
                                           "p-value (p_sim) is based on; more is more precise and slower."),
                                        N_("How many random reshufflings of the units the permutation "
                                           "p-value (p_sim) is based on; more is more precise and slower.")))
alpha = c2.select_slider(_("Significance level for hot and cold spots (LISA)"), options=[0.01, 0.05, 0.10],
                         value=0.05, key=sp.SP_ALPHA,
                         help=UT(N_("A province counts as a hot or cold spot only when its local test has "
                                    "p_sim at or below this level."),
                                 N_("A unit counts as a hot or cold spot only when its local test has "
                                    "p_sim at or below this level.")))

try:
    w_key, W = sp.econ_geo_matrix(panel, names)
except ValueError as err:
    st.error(_("The economic-geographic weight matrix cannot be built from this panel: {err}").format(err=err))
    st.stop()
with st.expander(_("Weight matrix: economic-geographic, as in the paper") if "gdp_per_capita" in panel.columns
                 else _("Weight matrix: inverse distance squared (no GDP per capita loaded)")):
    if "gdp_per_capita" in panel.columns:
        st.markdown(UT(N_(
            "W_ij = (1/d_ij²)·(1/|PGDP_i − PGDP_j|), W_ii = 0, with d the great-circle distance between "
            "provincial capitals (km) and PGDP the mean GDP per capita over all years of the panel; "
            "row-standardised before use."), N_(
            "W_ij = (1/d_ij²)·(1/|PGDP_i − PGDP_j|), W_ii = 0, with d the great-circle distance between "
            "the units' coordinates (km) and PGDP the mean GDP per capita over all years of the panel; "
            "row-standardised before use.")))
        st.caption((_(sp.PGDP_GUARD_RULE_UNITS) if OWN_UNITS and sp.PGDP_GUARD_RULE == PGDP_GUARD_RULE else
                    sp.sim_text(sp.PGDP_GUARD_RULE, PGDP_GUARD_RULE)).format(f=PGDP_FLOOR_FRACTION))
    else:
        st.markdown(_("W_ij = 1/d_ij², W_ii = 0, with d the great-circle distance between the units' "
                      "coordinates (km); row-standardised before use. The paper's economic-geographic "
                      "weights need GDP per capita, which the loaded data do not have."))
    from sim.weights import row_standardise

    Wr = row_standardise(W)
    top = pd.Series(np.asarray(Wr.max(axis=1).todense()).ravel() if hasattr(Wr, "todense") else Wr.max(axis=1),
                    index=names)
    st.markdown(UT(N_("Concentration: on average a province's single largest weight is **{mean}** of its "
                      "row (largest: {name}, {max}). The 1/|PGDP_i − PGDP_j| term lets pairs "
                      "with near-equal GDP per capita dominate, wherever they are."),
                   N_("Concentration: on average a unit's single largest weight is **{mean}** of its "
                      "row (largest: {name}, {max}). The 1/|PGDP_i − PGDP_j| term lets pairs "
                      "with near-equal GDP per capita dominate, wherever they are.")).format(
        mean=f"{top.mean():.0%}", name=place(top.idxmax()), max=f"{top.max():.0%}"))

# --- global Moran ------------------------------------------------------------------------------
st.header(_("Global Moran's I by year"))
gm = sp.global_moran(D, w_key, W, permutations)
paper3 = sp.paper_table("liu2026_table3_global_moran.csv").rename(
    columns={"morans_i": "paper_I", "p_value": "paper_p"})
if OWN_UNITS:  # the paper's figures describe the 30 provinces, not these units
    paper3 = paper3.iloc[0:0]
gm_show = gm[["year", "I", "EI", "z_norm", "p_norm", "p_rand", "p_sim"]].merge(paper3, on="year", how="left")
left, right = st.columns([3, 2])
with left:
    long = pd.concat([gm[["year", "I"]].assign(series=_("recomputed (loaded data)")),
                      paper3.rename(columns={"paper_I": "I"})[["year", "I"]].assign(series=_("paper, Table 3"))])
    chart = (alt.Chart(long).mark_line(point=True)
             .encode(x=alt.X("year:O", title=_("Year")), y=alt.Y("I:Q", title=_("Moran's I")),
                     color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
                     tooltip=[alt.Tooltip("series:N", title=_("series")) if ZH else "series",
                              alt.Tooltip("year:O", title=_("Year")) if ZH else "year",
                              alt.Tooltip("I:Q", format=".3f")])
             .properties(height=300))
    st.altair_chart(chart, width="stretch")
with right:
    st.markdown(UT(N_("Moran's I above 0: neighbours have similar D (clustering); near 0: no spatial pattern; "
                      "below 0: neighbours differ. "),
                   N_("Moran's I above 0: neighbouring units have similar D (clustering); near 0: no spatial "
                      "pattern; below 0: neighbouring units differ. ")) + (_("The paper's Table 3 is drawn beside the recomputed values.")
                                               if len(paper3) else _("The paper's Table 3 (30 provinces) is not "
                                                                     "drawn: it describes other units than those "
                                                                     "loaded.")))
with st.expander(_("Global Moran's I: table and test details")):
    shown = gm_show.rename(columns={k: _(v) for k, v in sp.GLOBAL_MORAN_LABELS.items()})
    st.dataframe(shown.style.format({c: "{:.3f}" for c in shown.columns if c != _("Year")}, na_rep=_("no data")),
                 hide_index=True, width="stretch")
    sp.download(localised(gm_show, sp.GLOBAL_MORAN_LABELS), "global_moran_by_year.csv")
    st.caption(sp.sim_text(sp.P_VALUE_NOTE, P_VALUE_NOTE) +
               _(" Permutations: {permutations}, seed {seed}. The paper does not say "
                 "which p it reports (it used Stata).").format(permutations=permutations, seed=sp.SEED))

# --- local Moran -------------------------------------------------------------------------------
st.header(_("Local Moran: scatter plot and LISA clusters"))
loc = sp.local_moran(D, w_key, W, permutations, alpha)


@st.fragment
def local_view():
    year = st.select_slider(_("Year"), options=years, value=years[-1], key=sp.SP_YEAR,
                            help=_("The year shown in the Moran scatter plot and on the hot/cold-spot map."))
    one = loc[loc["year"] == year]
    quadrant_names = {q: sp.sim_text(sp.QUADRANT_WORDS[q], QUADRANT_NAMES[q]) for q in QUADRANT_NAMES}
    a, b = st.columns(2)
    with a:
        slope = float(gm.loc[gm["year"] == year, "I"].iloc[0])
        lim = float(max(one["z"].abs().max(), one["lag"].abs().max()) * 1.1)
        base = alt.Chart(one.assign(name=one["province"].map(place)) if ZH else one).encode(
            x=alt.X("z:Q", title=_("Standardised D (z)"), scale=alt.Scale(domain=[-lim, lim])),
            y=alt.Y("lag:Q", title=_("Spatial lag of z"), scale=alt.Scale(domain=[-lim, lim])))
        pts = base.mark_circle(size=70, opacity=0.9).encode(
            color=alt.Color("quadrant:N", scale=alt.Scale(domain=list(QUADRANT_NAMES),
                                                          range=[sp.CLUSTER_HEX[q] for q in QUADRANT_NAMES]),
                            legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[alt.Tooltip("name:N", title=UT(N_("Province"), N_("Unit"))) if ZH else "province",
                     alt.Tooltip("quadrant:N", title=_("Quadrant")) if ZH else "quadrant",
                     alt.Tooltip("value:Q", title="D", format=".3f"),
                     alt.Tooltip("I_i:Q", format=".3f"), alt.Tooltip("p_sim:Q", format=".3f")])
        line = alt.Chart(pd.DataFrame({"z": [-lim, lim], "lag": [-lim * slope, lim * slope]})).mark_line(
            color="#555").encode(x="z:Q", y="lag:Q")
        rules = (alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#aaa").encode(x="v:Q") +
                 alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#aaa").encode(y="v:Q"))
        st.altair_chart((rules + line + pts).properties(
            height=380, title=_("Moran scatter {year} (slope = I = {slope})").format(year=year, slope=f"{slope:.3f}")),
                        width="stretch")
        st.caption(_("Quadrants: ") + ("; " if not ZH else "；").join(f"{k} {v}" for k, v in quadrant_names.items())
                   + ("。" if ZH else "."))
    with b:
        clusters = one.set_index("province")["cluster"].map(sp.cluster_word)
        st.vega_lite_chart(localise_map(unit_map(
            clusters, state.boundaries(),
            value_label=_("LISA cluster {year} (p_sim <= {alpha})").format(year=year, alpha=alpha),
            categories={sp.cluster_word(k): v for k, v in sp.CLUSTER_COLOURS.items()},
            extra={"D": one.set_index("province")["value"].round(3),
                   "p_sim": one.set_index("province")["p_sim"].round(3)}, height=380)), width="stretch")
        st.caption(tr(state.boundaries().source))


local_view()

counts_all = quadrant_counts(loc).reset_index()
counts_sig = quadrant_counts(loc, significant_only=True).reset_index()
sc = sp.paper_scalars()
quadrant_box = st.expander(UT(N_("Provinces per quadrant, and the local Moran statistics"),
                              N_("Units per quadrant, and the local Moran statistics")))
with quadrant_box:
    a, b = st.columns(2)
    with a:
        st.markdown(UT(N_("All provinces (Moran scatter)"), N_("All units (Moran scatter)")))
        st.dataframe(counts_all.rename(columns={"year": _("Year")}) if ZH else counts_all, hide_index=True,
                     width="stretch")
        sp.download(localised(counts_all, {"year": N_("Year")}), "moran_quadrant_counts.csv")
    with b:
        st.markdown(_("Significant only (p_sim <= {alpha})").format(alpha=alpha))
        st.dataframe(counts_sig.rename(columns={"year": _("Year")}) if ZH else counts_sig, hide_index=True,
                     width="stretch")
        sp.download(localised(counts_sig, {"year": N_("Year")}), "lisa_significant_counts.csv")
    st.caption(_("Paper (text): HH {hh12} and LL {ll12} in 2012; HH {hh22} and LL {ll22} in 2022 (read as counts "
                 "of all scatter points).").format(
        hh12=f"{sc['lisa_hh_count_2012']:.0f}", ll12=f"{sc['lisa_ll_count_2012']:.0f}",
        hh22=f"{sc['lisa_hh_count_2022']:.0f}", ll22=f"{sc['lisa_ll_count_2022']:.0f}"))
    st.markdown(UT(N_("**Local Moran for every province-year**"), N_("**Local Moran for every unit-year**")))
    loc_words = {"province": place, "cluster": sp.cluster_word}  # Chinese: names in words (screen and download)
    loc_shown = localised(loc.round(4), LOCAL_LABELS, loc_words)
    if OWN_UNITS and not ZH:  # the ids as headers in English; the units' column named for what they are
        loc_shown = loc_shown.rename(columns={"province": "unit"})
    st.dataframe(loc_shown, hide_index=True, width="stretch", height=300)
    sp.download(localised(loc, LOCAL_LABELS, loc_words), "local_moran_panel.csv")

# --- Dagum -------------------------------------------------------------------------------------
st.header(_("Dagum Gini decomposition ({groups})").format(
    groups=md_escape(" / ".join(place(g) for g in sp.active_units().group_order))))
dg = sp.dagum(D)


def _dagum_label(label: str) -> str:
    """A label of the decomposition in the session's language: G, a group, a pair of groups, a component."""
    if label == "G":
        return _("Overall")
    if not ZH:
        return label
    if label in sp.DAGUM_COMPONENTS:
        return _(sp.DAGUM_COMPONENTS[label])
    return "-".join(place(g) for g in label.split("-"))


within = dg[dg["measure"].isin(["overall", "within"])].assign(label=lambda d: d["label"].map(_dagum_label))
between = dg[dg["measure"] == "between"].assign(label=lambda d: d["label"].map(_dagum_label))
shares = dg[dg["measure"] == "share"].assign(value=lambda d: 100 * d["value"],
                                             label=lambda d: d["label"].map(_dagum_label))
a, b, c = st.columns(3)
for col, data, title, ytitle in ((a, within, _("(a) Overall and within-region Gini"), _("Gini")),
                                 (b, between, _("(b) Between-region Gini G_jh"), _("Gini")),
                                 (c, shares, _("(c) Contribution shares"), _("% of overall G"))):
    with col:
        ch = (alt.Chart(data).mark_line(point=True)
              .encode(x=alt.X("year:Q", title=_("Year"), axis=alt.Axis(format="d", tickMinStep=1),
                              scale=alt.Scale(zero=False)),
                      y=alt.Y("value:Q", title=ytitle),
                      color=alt.Color("label:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
                      tooltip=[alt.Tooltip("year:Q", title=_("Year")) if ZH else "year",
                               alt.Tooltip("label:N", title=_("series")) if ZH else "label",
                               alt.Tooltip("value:Q", format=".4f")])
              .properties(height=300, title=title))
        st.altair_chart(ch, width="stretch")
ms = dg[dg["measure"] == "share"].groupby("label")["value"].mean() * 100
paper_sh = {"within": sc["dagum_contrib_within_pct"], "net_between": sc["dagum_contrib_between_pct"],
            "transvariation": sc["dagum_contrib_transvariation_pct"]}
cmp = pd.DataFrame({"component": list(paper_sh), "recomputed_mean_pct": [ms.get(k, np.nan) for k in paper_sh],
                    "paper_mean_pct": list(paper_sh.values())})
with st.expander(_("Dagum decomposition: mean contribution shares against the paper")):
    a, b = st.columns([2, 3])
    with a:
        labels = {k: _(v) for k, v in sp.DAGUM_LABELS.items()}
        st.dataframe(cmp.replace({"component": {k: _(v) for k, v in sp.DAGUM_COMPONENTS.items()}})
                     .rename(columns=labels).style.format(
            {labels["recomputed_mean_pct"]: "{:.2f}", labels["paper_mean_pct"]: "{:.3f}"}),
            hide_index=True, width="stretch")
        sp.download(localised(cmp, sp.DAGUM_LABELS, {"component": lambda c: _(sp.DAGUM_COMPONENTS.get(c, c))}),
                    "dagum_mean_shares.csv")
    with b:
        st.caption(_("G = G_w + G_nb + G_t exactly (Dagum 1997): within-region, net between-region and "
                     "transvariation (overlap of the regional distributions). Gini in the n² form; regions by "
                     "the NBS East/Central/West scheme."))
        sp.download(localised(dg, DAGUM_BY_YEAR_LABELS,
                              {"measure": lambda m: _(DAGUM_MEASURES.get(m, m)), "label": _dagum_label}),
                    "dagum_by_year.csv", label=_("Download the full decomposition (CSV)"))

with findings_slot:
    _units = sp.active_units()
    fd.show(fd.spatial_findings(gm, loc, dg, alpha, groups=tuple(_units.group_order),
                                similar=("by distance and similar GDP per capita" if "gdp_per_capita" in panel.columns
                                         else "by distance"), unit="provinces" if _units.provinces else "units"),
            note=UT(N_("How sure: p-values from permutation tests (provinces reshuffled at random); a hot or "
                       "cold spot is a province whose local test passes the significance level chosen below. "
                       "Neighbours are weighted by distance and similar GDP per capita, as in the paper."),
                    N_("How sure: p-values from permutation tests (units reshuffled at random); a hot or "
                       "cold spot is a unit whose local test passes the significance level chosen below. "
                       "Neighbours are weighted by distance and similar GDP per capita, as in the paper.")
                    if "gdp_per_capita" in panel.columns else
                    N_("How sure: p-values from permutation tests (units reshuffled at random); a hot or "
                       "cold spot is a unit whose local test passes the significance level chosen below. "
                       "Neighbours are weighted by distance.")),
            synthetic=state.dataset().any_synthetic("provinces"))
