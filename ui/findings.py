""""What this shows": a few computed findings in plain words at the top of each study page.

Every sentence is built from the numbers the page itself shows (results of ``sim/`` computed by the
page's cached wrappers); this module only counts, averages and picks the largest, and phrases the
result. Names that come from data (provinces, cities) go through ``ui.text.md_escape``.

The builders are plain functions of data frames and result objects (no Streamlit), so the tests can
recompute every number independently; ``show`` draws the block.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ui.i18n import N_, _, lang, place, unit_text
from ui.text import md_escape

# Fixed cut-offs of the coordination types (Liu et al. 2026): right-closed intervals.
TYPE_RANGES = (("low", "0 to 0.25"), ("medium", "above 0.25 to 0.5"), ("high", "above 0.5 to 0.75"),
               ("extreme", "above 0.75 to 1"))
HIGH_CUTOFF = 0.5  # "high or extreme coordination" = D > 0.5
# the nouns the pages pass as ``unit`` and ``group``, marked for the catalogue (translated here)
NOUNS = (N_("provinces"), N_("units"), N_("region"), N_("group"), N_("province"), N_("unit"),
         N_("by distance and similar GDP per capita"), N_("by distance"))

D_MEANING = N_(
    "**How to read D.** The coupling coordination degree D runs from 0 to 1. It is high only when both "
    "systems, new quality productive forces and innovation resource allocation, are well developed "
    "*and* move in step. Types: low 0-0.25, medium above 0.25-0.5, high above 0.5-0.75, extreme above "
    "0.75. So D = 0.40 is *medium* coordination: the two systems are only moderately developed or "
    "out of balance; above 0.5 they are developed and in balance.")


def names(items, limit: int = 6) -> str:
    """'A, B and C' (escaped), with 'and N more' beyond ``limit``; place names in the session's language."""
    items = [md_escape(place(i)) for i in items]
    if not items:
        return _("none")
    if lang() != "en":
        if len(items) > limit:
            return _("{names} and {n} more").format(names="、".join(items[:limit]), n=len(items) - limit)
        return "、".join(items)
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def p_text(p: float) -> str:
    """A p-value in words a reader can compare: 'p < 0.01', 'p = 0.03', 'p = 0.41'."""
    if p is None or not np.isfinite(p):
        return _("p not available")
    if p < 0.01:
        return "p < 0.01"
    return f"p = {p:.2f}"


def pct(x: float) -> str:
    """A share as a whole percentage, '72 %'."""
    return _("no data") if x is None or not np.isfinite(x) else f"{100 * x:.0f} %"


def change_word(new: float, old: float, up: str = "up", down: str = "down", same: str = "the same as") -> str:
    return up if new > old else (down if new < old else same)


def years_text(v: float) -> str:
    """A mean first-passage time in words: 'about 7 years', 'never (not reached)'."""
    if v is None or not np.isfinite(v):
        return _("never (not reached with the observed moves)")
    if lang() != "en":
        return _("about {n} years").format(n=f"{v:.0f}")
    return f"about {v:.0f} year{'s' if round(v) != 1 else ''}"


CLASS_WORDS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "extreme": N_("extreme")}


# --------------------------------------------------------------------------- Coupling
def coupling_findings(table: pd.DataFrame, regions: dict, d_column: str = "D", unit: str = "provinces",
                      group: str = "region") -> list[str]:
    """Findings on D per province-year (``table``: province, year, ``d_column``); ``unit`` and ``group``
    name the units and their groups (another set of regions: "units", "group")."""
    years = sorted(int(y) for y in table["year"].unique())
    first, last = years[0], years[-1]
    a = table[table["year"] == first].set_index("province")[d_column]
    b = table[table["year"] == last].set_index("province")[d_column]
    n = len(b)
    hi_b, hi_a = int((b > HIGH_CUTOFF).sum()), int((a > HIGH_CUTOFF).sum())
    unit_w, group_w = _(unit), _(group)
    out = [_("In {last}, **{hi_b} of {n} {unit}** are at high or extreme coordination (D above 0.5), "
             "{change} {hi_a} in {first}.").format(
        last=last, hi_b=hi_b, n=n, unit=unit_w, hi_a=hi_a, first=first,
        change=change_word(hi_b, hi_a, _("up from"), _("down from"), _("as in")))]
    rose = int((b - a.reindex(b.index) > 0).sum())
    out.append(_("Average D went {change} from {a:.2f} in {first} to **{b:.2f}** in {last}; D rose in {rose} of "
                 "{n} {unit}.").format(change=change_word(b.mean(), a.mean(), _("up"), _("down"), _("nowhere")),
                                       a=a.mean(), first=first, b=b.mean(), last=last, rose=rose, n=n, unit=unit_w))
    top, bottom = b.sort_values(ascending=False), b.sort_values()
    sep = ", " if lang() == "en" else "、"

    def listed(s):
        return sep.join(f"{md_escape(place(p))} ({v:.2f})" for p, v in s.head(3).items())

    out.append(_("Highest in {last}: {top}; lowest: {bottom}.").format(last=last, top=listed(top),
                                                                        bottom=listed(bottom)))
    order = list(dict.fromkeys(regions.values()))
    reg = b.groupby(b.index.map(regions)).mean().reindex(order).dropna()
    if len(reg) > 1:
        out.append(_("By {group} in {last}, average D: {values}; the gap between the highest and the lowest "
                     "{group} is {gap:.2f}.").format(
            group=group_w, last=last, values=sep.join(f"{md_escape(place(r))} {v:.2f}" for r, v in reg.items()),
            gap=reg.max() - reg.min()))
    return out


def mlp_finding(table: pd.DataFrame, collapsed: bool, method_label: str, wilcoxon_p: float,
                units: bool = False) -> str:
    """One sentence comparing the MLP measure with the traditional D (``table``: D_trad, D_mlp); ``units``:
    the sentence about units (other units than the 30 study provinces loaded)."""
    diff = float((table["D_mlp"] - table["D_trad"]).mean())
    direction = _("higher") if diff > 0 else _("lower")
    if collapsed:
        return unit_text(N_("The {method} gives a D {diff:.2f} {direction} on average, but its training collapsed "
                            "(every province gets nearly the same coupling), so that difference says nothing about "
                            "the provinces; read the traditional D."),
                         N_("The {method} gives a D {diff:.2f} {direction} on average, but its training collapsed "
                            "(every unit gets nearly the same coupling), so that difference says nothing about "
                            "the units; read the traditional D."), units).format(
            method=method_label, diff=abs(diff), direction=direction)
    rho = float(table[["D_trad", "D_mlp"]].rank().corr().iloc[0, 1])
    return unit_text(N_("The {method} ranks provinces much like the traditional D (rank correlation {rho:.2f}) "
                        "and is on average {diff:.2f} {direction} (Wilcoxon signed-rank {p})."),
                     N_("The {method} ranks units much like the traditional D (rank correlation {rho:.2f}) "
                        "and is on average {diff:.2f} {direction} (Wilcoxon signed-rank {p})."), units).format(
        method=method_label, rho=rho, diff=abs(diff), direction=direction, p=p_text(wilcoxon_p))


# --------------------------------------------------------------------------- Spatial patterns
def spatial_findings(gm: pd.DataFrame, loc: pd.DataFrame, dg: pd.DataFrame, alpha: float,
                     groups=("East", "Central", "West"), similar: str = "by distance and similar GDP per capita",
                     unit: str = "provinces") -> list[str]:
    """Findings from global Moran's I by year (``gm``), local Moran (``loc``) and the Dagum
    decomposition (``dg``). ``groups``: the groups of the decomposition (NBS regions by default);
    ``similar``: what makes units neighbours in the weights; ``unit``: what the units are called."""
    zh = lang() != "en"
    if zh:
        group_text = "、".join(md_escape(place(g)) for g in groups) if groups else _("the groups")
    else:
        group_text = ", ".join(md_escape(g) for g in groups[:-1]) + f" and {md_escape(groups[-1])}" \
            if len(groups) > 1 else md_escape(groups[0]) if groups else "the groups"
    unit_w, similar_w = _(unit), _(similar)
    years = sorted(int(y) for y in gm["year"])
    first, last = years[0], years[-1]
    g0 = gm[gm["year"] == first].iloc[0]
    g1 = gm[gm["year"] == last].iloc[0]
    sig_years = int((gm["p_sim"] <= 0.05).sum())
    args = dict(I=g1["I"], last=last, p=p_text(g1["p_sim"]), unit=unit_w, similar=similar_w)
    if g1["p_sim"] <= 0.05 and g1["I"] > 0:
        lead = _("Coordination is **spatially clustered**: Moran's I {I:.2f} in {last}, {p} (neighbouring {unit}, "
                 "{similar}, have similar D)").format(**args)
    elif g1["p_sim"] <= 0.05:
        lead = _("Coordination is **spatially dispersed**: Moran's I {I:.2f} in {last}, {p} (neighbouring {unit} "
                 "tend to differ)").format(**args)
    else:
        lead = _("No clear spatial pattern in {last}: Moran's I {I:.2f}, {p} (neighbouring {unit} are not "
                 "detectably alike)").format(**args)
    out = [lead + _("; {change} from {I0:.2f} in {first}. Significant at 5 % in {sig} of {n} years.").format(
        change=change_word(g1["I"], g0["I"], _("up"), _("down"), _("the same as")), I0=g0["I"], first=first,
        sig=sig_years, n=len(years))]
    one = loc[loc["year"] == last]
    hh = one.loc[one["cluster"] == "HH", "province"].tolist()
    ll = one.loc[one["cluster"] == "LL", "province"].tolist()
    out.append(_("In {last}, **hot spots** (high D surrounded by high D, significant at {alpha:g}): {hh}; "
                 "**cold spots** (low among low): {ll}.").format(last=last, alpha=alpha, hh=names(hh), ll=names(ll)))
    overall = dg[dg["measure"] == "overall"].set_index("year")["value"]
    out.append(_("Inequality of D across {unit} (Gini) went {change} from {g0:.3f} in {first} to {g1:.3f} in "
                 "{last}.").format(unit=unit_w, change=change_word(overall[last], overall[first], _("up"), _("down"),
                                                                    _("the same as")),
                                   g0=overall[first], first=first, g1=overall[last], last=last))
    sh = dg[(dg["measure"] == "share") & (dg["year"] == last)].set_index("label")["value"]
    betw = dg[(dg["measure"] == "between") & (dg["year"] == last)].set_index("label")["value"]
    if len(sh) and len(groups) > 1:
        pair = ""
        if len(betw):
            pair = betw.idxmax()
            if zh:
                pair = "-".join(place(g) for g in str(pair).split("-"))
        gap = (_("; the widest gap is {pair} (Gini {g:.2f})").format(pair=md_escape(pair), g=betw.max())
               if len(betw) else "")
        out.append(_("Gaps **between** {groups} explain **{between:.0f} %** of that inequality in {last}, differences "
                     "within each group {within:.0f} % and the overlap of the groups {overlap:.0f} %{gap}.").format(
            groups=group_text, between=100 * sh.get("net_between", np.nan), last=last,
            within=100 * sh.get("within", np.nan), overlap=100 * sh.get("transvariation", np.nan), gap=gap))
    return out


# --------------------------------------------------------------------------- Dynamics
def dynamics_findings(D: pd.DataFrame, chain, spatial, class_names: list[str], fixed: bool,
                      flagged: pd.DataFrame | None = None, flag_rule: str = "",
                      unit: tuple = ("province", "provinces")) -> list[str]:
    """Findings from the pooled Markov chain (``chain``), the spatial chain (``spatial``), the
    distribution of D (provinces x years) and the coupling-fault flags."""
    years = [int(y) for y in D.columns]
    first, last = years[0], years[-1]
    one, many = _(unit[0]), _(unit[1])
    out = [_("The typical {unit} moved {change}: median D {m0:.2f} in {first}, **{m1:.2f}** in {last}.").format(
        unit=one, change=change_word(D[last].median(), D[first].median(), _("up"), _("down"), _("nowhere")),
        m0=D[first].median(), first=first, m1=D[last].median(), last=last)]
    counts = np.asarray(chain.counts, dtype=float)
    stay = float(np.trace(counts) / counts.sum()) if counts.sum() else np.nan
    P = np.asarray(chain.P, dtype=float)

    def short(i):
        word = class_names[i].split(' ')[0]
        if fixed:
            word = word.lower()
            return _(CLASS_WORDS.get(word, word)) if lang() != "en" else word
        return word

    ups = [f"{md_escape(short(i))} → {md_escape(short(i + 1))} {pct(P[i, i + 1])}"
           for i in range(len(class_names) - 1) if counts[i].sum() > 0]
    sep = ", " if lang() == "en" else "；"
    out.append(_("From one year to the next **{stay} of {units} stay in their class**. Chance of moving up a class "
                 "in a year: {ups}.").format(stay=pct(stay), units=many, ups=sep.join(ups) or _("not observed")))
    ss = np.asarray(chain.steady_state(), dtype=float)
    if fixed and ss.size and np.all(np.isfinite(ss)):
        now = float((D[last] > HIGH_CUTOFF).mean())
        out.append(_("If the moves seen in {first}-{last} continue, in the long run **{share}** of {units} would be "
                     "at high or extreme coordination (now {now}).").format(
            first=first, last=last, share=pct(ss[2:].sum()), units=many, now=pct(now)))
    elif ss.size and np.all(np.isfinite(ss)):
        out.append(_("If the moves seen in {first}-{last} continue, in the long run {share} of {units} would be in "
                     "the top class.").format(first=first, last=last, share=pct(ss[-1]), units=many))
    else:
        out.append(_("The observed moves do not settle into one long-run distribution."))
    mf = np.asarray(chain.mean_first_passage_times(), dtype=float)
    if fixed and mf.shape[0] >= 3:
        out.append(_("A {unit} at medium coordination takes {years} on average to reach high.").format(
            unit=one, years=years_text(mf[1, 2])))
    if spatial.p_value < 0.05:
        caution = ("" if spatial.LR_p_value < 0.05 else
                   _("; the likelihood-ratio test does not confirm it ({p}), so read this with caution").format(
                       p=p_text(spatial.LR_p_value)))
        out.append(_("Neighbours matter: a {unit}'s chances of moving depend on its neighbours' class "
                     "(homogeneity test Q = {Q:.1f}, {p}{caution}).").format(
            unit=one, Q=spatial.Q, p=p_text(spatial.p_value), caution=caution))
    else:
        out.append(_("No evidence that neighbours change a {unit}'s chances of moving (homogeneity test Q = {Q:.1f}, "
                     "{p}); with few moves per neighbourhood the test has little power.").format(
            unit=one, Q=spatial.Q, p=p_text(spatial.p_value)))
    if flagged is not None:
        per = flagged.groupby("province").size().sort_values(ascending=False)
        most = per[per == per.max()].index.tolist() if len(per) else []
        out.append(_("**Coupling-fault warnings** ({rule}): {n} {unit}-years where innovation input rose but "
                     "coordination stalled or fell").format(rule=flag_rule, n=len(flagged), unit=one)
                   + (_("; most often {names} ({years} years).").format(names=names(most), years=int(per.max()))
                      if most else ("." if lang() == "en" else "。")))
    return out


# --------------------------------------------------------------------------- AI clusters
def clusters_findings(ident, percentile: float, t1: pd.DataFrame, rank: pd.DataFrame | None,
                      patents_column: str = "ai_patents_mean") -> list[str]:
    """Findings of the AI clusters page from the identification (``ident``), the cooperation totals (``t1``,
    our rows) and the centrality ranking (``rank``), in the session's language (``ui.clusters.findings`` is
    this function)."""
    t = ident.table
    clusters = list(ident.clusters)
    thr = ident.threshold
    out = [_("**{n} of {m} cities are AI clusters**: specialised in AI (location quotient above 1), large (mean "
             "AI patent applications at or above the {percentile}th percentile, {threshold} a year) and "
             "cooperating both within and across regions.").format(
        n=len(clusters), m=len(t), percentile=f"{percentile:g}", threshold=f"{thr:,.1f}" if thr < 100 else f"{thr:,.0f}")]
    if patents_column in t.columns and clusters:
        sc = t.set_index("city").loc[clusters, patents_column].sort_values(ascending=False)
        ratio = sc.iloc[0] / sc.iloc[-1] if sc.iloc[-1] > 0 else np.inf
        lead = (_("Sizes differ by orders of magnitude") if ratio >= 100 else
                _("The largest is {ratio} times the smallest").format(ratio=f"{ratio:,.0f}") if np.isfinite(ratio)
                else _("Sizes differ widely"))
        sep = ", " if lang() == "en" else "、"
        out.append(_("{lead}: largest {largest} ({values} mean AI patent applications a year); smallest "
                     "{smallest} ({value}).").format(
            lead=lead, largest=names(sc.index[:3]), values=sep.join(f"{v:,.0f}" for v in sc.iloc[:3]),
            smallest=md_escape(place(sc.index[-1])), value=f"{sc.iloc[-1]:,.0f}"))
    ours = t1[t1["rank"].notna()]
    n_inter = int((ours["interregional"] > ours["intraregional"]).sum())
    out.append(_("Cooperation across regions is the main form for **{n} of {m}** clusters (more co-applied "
                 "patents with cities in other regions than within their own).").format(n=n_inter, m=len(ours)))
    if rank is not None and len(rank):
        out.append(_("Most central in the cooperation network (closest to all other clusters): {top}; least "
                     "central: {bottom}.").format(top=names(rank["cluster"].head(3)),
                                                  bottom=names(rank["cluster"].tail(2))))
    if len(ident.excluded):
        out.append(_("Specialised but too small to count: {names}.").format(names=names(ident.excluded)))
    return out


# --------------------------------------------------------------------------- drawing
def show(findings: list[str], note: str | None = None, synthetic: bool = False) -> None:
    """The "What this shows" block: a bordered box with one bullet per finding."""
    import streamlit as st

    with st.container(border=True):
        st.subheader(_("What this shows"), anchor="what-this-shows")
        st.markdown("\n".join(f"- {f}" for f in findings))
        if note:
            st.caption(note)
        if synthetic:
            st.caption(_("Computed on the **synthetic demo data**: the numbers illustrate the method and describe "
                         "no real province or city."))


def fmt_number(v, fmt: str = "{:.3f}", missing: str = "no data", infinite: str = "never") -> str:
    """A number for a table cell: missing values and infinities in words."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return missing
    try:
        if math.isinf(float(v)):
            return infinite
    except (TypeError, ValueError):
        return str(v)
    return fmt.format(v)


def words_for_missing(df: pd.DataFrame, fmt: str = "{:.3f}", missing: str = "no data",
                      infinite: str = "never", columns=None) -> pd.DataFrame:
    """``df`` with the float columns (or ``columns``) as text: NaN and inf as words."""
    out = df.copy()
    cols = columns if columns is not None else [c for c in out.columns if out[c].dtype.kind == "f"]
    for c in cols:
        out[c] = [fmt_number(v, fmt, missing, infinite) for v in out[c]]
    return out
