"""Cached wrappers around ``sim.clusters``, ``sim.gmm`` and ``sim.robustness`` for the "AI clusters"
page (Study B, Wang et al. 2025), the page's widget keys, and the tables it shows.

Caching policy
--------------
* Everything is keyed by a fingerprint of the loaded frames (``fingerprint``), computed afresh on
  each run (hashing ~7,000 rows takes milliseconds), plus the options that change the result
  (percentile, NC network, instrument options). Frames are passed with a leading underscore (not
  hashed).
* Identification, panel, descriptives, the three GMM models, sensitivity, mediation and the negative
  binomial: ``st.cache_data`` (a copy per caller, so nothing mutable is shared between sessions).
* The placebo (1000 re-estimations): a ``st.cache_resource`` function keyed by every option, which
  draws its own progress bar and empties it before returning (a cache hit replays both at once).
  Results are immutable (``PlaceboResult``, frozen) and shared read-only; which settings a session
  has run is kept in that session's state.

The tables themselves are built by ``sim.cluster_tables`` (data, tested without Streamlit); this module
caches them and puts them in the session's language (``localise``: headers, words, city names); the
findings are ``ui.findings.clusters_findings`` (importable here as ``findings``). Layout lives in ``pages/clusters.py``.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

# "What this shows" of the page (identification, cooperation, centrality): one implementation, in ui.findings
from ui.findings import clusters_findings as findings  # noqa: F401 - the page's name for it
from ui.i18n import N_, _, lang, place, tr
from ui.paper import paper_scalars as _paper_scalars
from ui.paper import paper_table

from sim import cluster_tables as ct
from sim import schema
# the pure table builders live in sim.cluster_tables; their former names here stay importable
from sim.cluster_tables import as_text, stars  # noqa: F401
from sim.cluster_tables import cell as _cell  # noqa: F401
from sim.cluster_tables import side_by_side as _side_by_side  # noqa: F401
from sim.cluster_tables import test_cell as _test_cell  # noqa: F401

# --- widget keys (session state) -------------------------------------------------------------
CL_PERCENTILE = "clusters_percentile"
CL_NODES = "clusters_nc_nodes"
CL_COLOUR = "clusters_map_colour"
CL_ARC_YEAR = "clusters_arc_year"
CL_ARC_SCOPE = "clusters_arc_scope"
CL_COLLAPSE = "clusters_collapse"
CL_MAX_LAG = "clusters_max_lag"
CL_GINV = "clusters_ginv"
PL_MODEL = "clusters_placebo_model"
PL_REPS = "clusters_placebo_replications"
PL_SCHEME = "clusters_placebo_scheme"
PL_RUN = "clusters_placebo_run"
CL_SECTION = "clusters_section"
# settings drawn only inside some sections, kept while another section is open
INSTRUMENT_KEYS = (CL_COLLAPSE, CL_MAX_LAG, CL_GINV)
PLACEBO_KEYS = (PL_MODEL, PL_REPS, PL_SCHEME)

TABLE1_LABELS = {
    "rank": N_("Rank (this data)"), "cluster": N_("Cluster"),
    "intraregional": N_("Within region (co-applied AI patents, 2011-2020)"),
    "interregional": N_("Across regions (co-applied AI patents, 2011-2020)"),
    "inter_share": N_("Share across regions"), "paper_rank": N_("Rank (paper)"),
    "paper_intraregional": N_("Within region (paper)"), "paper_interregional": N_("Across regions (paper)"),
}
SENSITIVITY_LABELS = {
    "percentile": N_("Percentile"), "threshold": N_("Threshold (mean AI patent applications a year)"),
    "n_potential": N_("Potential clusters"), "n_clusters": N_("AI clusters"),
    "added_vs_p80": N_("Added vs 80th percentile"), "dropped_vs_p80": N_("Dropped vs 80th percentile"),
    "excluded": N_("Specialised but too small"),
}
DESCRIPTIVE_LABELS = {
    "variable": N_("Variable"), "n": N_("n"), "mean": N_("Mean"), "paper_mean": N_("Mean (paper)"), "sd": N_("SD"),
    "paper_sd": N_("SD (paper)"), "min": N_("Min"), "paper_min": N_("Min (paper)"), "max": N_("Max"),
    "paper_max": N_("Max (paper)"), "vif": N_("VIF"),
}
INSTRUMENT_LABELS = {
    "instruments": N_("Instrument set"), "model": N_("Model"), "n_instruments": N_("Instruments"),
    "n_groups": N_("Groups"), "sargan_p": N_("Sargan p"), "hansen_p": N_("Hansen p"), "hansen_df": N_("Hansen df"),
    "IP_coef": N_("IP coefficient"), "IP_z": N_("IP z"),
}
TERM_LABEL_TEXT = N_("Term")
TERM_LABEL = {"term": TERM_LABEL_TEXT}  # the first column of Tables 4-6
SLOPE_LABELS = {"source": N_("Source"), "nc_level": N_("NC level"), "slope": N_("Slope dTI/dIP")}


def rank_labels(rank: pd.DataFrame) -> dict:
    """Readable column labels of ``nc_ranking``'s table, in the session's language."""
    return {k: tr(v) for k, v in ct.rank_labels(rank).items()}


PLACEBO_SEED = 0
ALL_YEARS = "All years (sum)"
NODES = {"Clusters only (default: links between two clusters)": "clusters",
         "Clusters and all their partners (literal reading of the paper)": "all"}
ARC_SCOPES = {"Between clusters": "clusters", "Clusters and their partners": "all"}
LAG_LIMITS = {"All available lags, lag(2 .) (paper)": None, "lag(2 2)": 2, "lag(2 3)": 3,
              "lag(2 4)": 4}
GINV = {"Moore-Penrose (pinv)": "pinv", "Stata's invsym (order-dependent)": "invsym"}
SCHEMES = {"Shuffle all cluster-years (paper: 'across all clusters')": "panel",
           "Shuffle across clusters within each year": "within_year",
           "Reassign whole IP series between clusters": "cluster"}
COLOUR_BY = ("Cluster status", "Location quotient")
# the option labels above as shown (the values, kept in English, are what tests and the session state hold)
OPTION_WORDS = {
    ALL_YEARS: N_("All years (sum)"),
    "Clusters only (default: links between two clusters)": N_("Clusters only (default: links between two clusters)"),
    "Clusters and all their partners (literal reading of the paper)":
        N_("Clusters and all their partners (literal reading of the paper)"),
    "Between clusters": N_("Between clusters"), "Clusters and their partners": N_("Clusters and their partners"),
    "All available lags, lag(2 .) (paper)": N_("All available lags, lag(2 .) (paper)"),
    "Moore-Penrose (pinv)": N_("Moore-Penrose (pinv)"),
    "Stata's invsym (order-dependent)": N_("Stata's invsym (order-dependent)"),
    "Shuffle all cluster-years (paper: 'across all clusters')":
        N_("Shuffle all cluster-years (paper: 'across all clusters')"),
    "Shuffle across clusters within each year": N_("Shuffle across clusters within each year"),
    "Reassign whole IP series between clusters": N_("Reassign whole IP series between clusters"),
    "Cluster status": N_("Cluster status"), "Location quotient": N_("Location quotient"),
}
SECTION_WORDS = {  # the technical sections of the page (their English names are the widget's values)
    "Cooperation (Table 1)": N_("Cooperation (Table 1)"),
    "Network centrality": N_("Network centrality"),
    "Descriptive statistics (Tables 2-3)": N_("Descriptive statistics (Tables 2-3)"),
    "Policy effect: system GMM (Table 4)": N_("Policy effect: system GMM (Table 4)"),
    "Moderation by centrality (Fig. 4)": N_("Moderation by centrality (Fig. 4)"),
    "Placebo test (Fig. 6)": N_("Placebo test (Fig. 6)"),
    "Threshold sensitivity (Fig. 5)": N_("Threshold sensitivity (Fig. 5)"),
    "Mechanism: subsidies (Table 5)": N_("Mechanism: subsidies (Table 5)"),
    "Negative binomial (Table 6)": N_("Negative binomial (Table 6)"),
}
STATUS_LABELS = {"cluster": "AI cluster", "potential_no_links": "Potential, lacks links",
                 "excluded_low_scale": "LQ > 1, small scale", "other": "Other city"}
STATUS_WORDS = {"AI cluster": N_("AI cluster"), "Potential, lacks links": N_("Potential, lacks links"),
                "LQ > 1, small scale": N_("LQ > 1, small scale"), "Other city": N_("Other city")}
STATUS_COLOURS = {"AI cluster": (215, 48, 39), "Potential, lacks links": (253, 174, 97),
                  "LQ > 1, small scale": (69, 117, 180), "Other city": (200, 200, 200)}
TERM_ORDER = ct.TERM_ORDER
TOO_MANY_TEXT = N_("The paper's Sargan p = 1.000 is the classic symptom of too many instruments "
                   "(Roodman 2009); Hansen/Sargan p near 1 is not evidence of valid instruments.")
LQ_CLIP = 3.0  # log2 LQ colour scale limits (LQ 1/8 .. 8)
DEMO_BY_CONSTRUCTION = N_(
    "The demo city data were generated from the paper's own estimates (Table 4 Model 3 and Table 5 "
    "coefficients) and calibrated so that the identification finds exactly the paper's clusters. "
    "Agreement with the paper's numbers on this page is therefore by construction, not a finding; "
    "it only shows that the computations reproduce what was put in.")
def option(value) -> str:
    """A widget option (kept in English as the value) as shown, in the session's language."""
    return _(OPTION_WORDS[value]) if value in OPTION_WORDS else str(value)


def _label(label) -> str:
    """A column label: a marked text (``N_``) through ``_()``, a ``sim.messages.Msg`` through ``tr``."""
    return tr(label) if type(label).__name__ == "Msg" else _(label)


def localise(df: pd.DataFrame, labels: dict | None = None, places=()) -> pd.DataFrame:
    """A display copy in the session's language: column headers through ``labels`` (id -> marked text) or
    ``tr`` (a ``Msg`` header of ``df.attrs["headers"]``), text cells through ``tr`` (``sim.messages.Msg`` words; numbers unchanged),
    the columns ``places`` (city names, ";"-joined lists of them) through ``place``. Every header and cell
    becomes a plain ``str`` (what Streamlit's tables expect)."""
    out = df.copy()
    sep = ";" if lang() == "en" else "、"
    for c in out.columns:
        if c in places:
            out[c] = [v if not isinstance(v, str) else sep.join(place(x) for x in v.split(";")) if v else v
                      for v in out[c]]
        elif not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = pd.Series([tr(v) if isinstance(v, str) else v for v in out[c]], index=out.index, dtype=object)
    headers = df.attrs.get("headers", {})
    out.columns = [_label(labels[c]) if labels and c in labels else tr(headers.get(c, c)) for c in out.columns]
    out.attrs = {}
    return out


# --------------------------------------------------------------------------- data and keys
def fingerprint(*frames: pd.DataFrame | None) -> str:
    """A short hash of the frames (the cache key of everything derived from them)."""
    h = hashlib.sha256()
    for df in frames:
        if df is None:
            h.update(b"none")
            continue
        h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
        h.update(",".join(map(str, df.columns)).encode())
    return h.hexdigest()[:16]


@st.cache_data(show_spinner=False)
def city_registry() -> pd.DataFrame:
    """``data/geo/cities.csv``: city, city_zh, province, region, lat, lon (GeoNames, CC BY 4.0)."""
    return pd.read_csv(schema.DATA_DIR / "geo" / "cities.csv")


def paper_scalars() -> dict:
    """The paper's quoted numbers: ``wang2025_scalars.csv`` plus
    ``wang2025_identification_and_diagnostics.csv`` (data/paper/, each row cited)."""
    return {**_paper_scalars("wang2025_scalars.csv"),
            **_paper_scalars("wang2025_identification_and_diagnostics.csv")}


# --------------------------------------------------------------------------- identification
@st.cache_data(show_spinner=False, max_entries=16)
def identification(fp: str, _cities: pd.DataFrame, _links: pd.DataFrame, percentile: float):
    """``sim.clusters.identify_clusters`` at ``percentile`` (default scale column)."""
    from sim import clusters as cl

    return cl.identify_clusters(_cities, _links, percentile)


@st.cache_data(show_spinner=False, max_entries=16)
def regression_panel(fp: str, _cities: pd.DataFrame, _links: pd.DataFrame, clusters: tuple,
                     nodes: str) -> pd.DataFrame:
    """The cluster-year panel of Eq. (3) (logs, NC on the ``nodes`` network, centred IPxNC)."""
    from sim import clusters as cl

    return cl.regression_panel(_cities, _links, list(clusters), nodes=nodes)


@st.cache_data(show_spinner=False, max_entries=16)
def table1(fp: str, _cities: pd.DataFrame, _links: pd.DataFrame, clusters: tuple) -> pd.DataFrame:
    """Our cooperation totals next to the paper's Table 1 (``sim.cluster_tables.table1``)."""
    from sim import clusters as cl

    return ct.table1(cl.cooperation_totals(_cities, _links, list(clusters)),
                     paper_table("wang2025_table1_cooperation.csv"))


MAP_TITLES = {"City": N_("City"), "Link": N_("Link")}  # the tooltip titles of ui.maps.city_map_spec


@st.cache_data(show_spinner=False, max_entries=16)
def map_points(fp: str, identification_table: pd.DataFrame, colour_by: str,
               code: str = "en") -> tuple[pd.DataFrame, object, int]:
    """(points for ``ui.maps.city_map_spec``, legend, number of cities without coordinates), tooltips and
    legend in the language ``code`` (the session's; part of the cache key).

    ``colour_by``: "status" (cluster / potential / LQ > 1 below threshold / other) or "lq"
    (diverging on log2 LQ clipped at -/+ ``LQ_CLIP``, 0 = the national AI share).
    """
    from ui import maps
    from ui.i18n import translations

    T = translations(code).gettext
    reg = city_registry()[["city", "city_zh", "province", "lat", "lon"]]
    t = identification_table.merge(reg, on="city", how="left")
    missing = int(t["lat"].isna().sum())
    t = t.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    label = t["status"].map(STATUS_LABELS)
    if colour_by == "lq":
        log_lq = pd.Series(np.log2(t["lq"].clip(lower=1e-6)).to_numpy(), index=t.index)
        # most cities sit far below 1 (LQ ~ 1/20): clip at LQ 1/8 and 8 so the clusters' side shows
        colours, lo, hi = maps.colour_for(log_lq, vmin=-LQ_CLIP, vmax=LQ_CLIP, diverging=True)
        t["colour"] = [colours.get(i, list(maps.NOT_ANALYSED)) for i in t.index]
        legend = (lo, hi, maps.DIVERGING)
    else:
        t["colour"] = [list(STATUS_COLOURS[s]) for s in label]
        legend = {T(STATUS_WORDS[k]): v for k, v in STATUS_COLOURS.items()}
    t["radius_km"] = 8.0 + 12.0 * np.log10(1.0 + t["ai_patents_mean"])
    tip = T("{city}\n{status}\nLQ {lq}\nAI patents {patents} a year (mean)\n"
            "intra-regional cooperation {intra}; inter-regional {inter}")
    t["tip"] = [tip.format(city=f"{c} {zh}" if code == "en" else place(c, code), status=T(STATUS_WORDS[s]),
                           lq=f"{lq:.2f}", patents=f"{a:,.1f}", intra=f"{i:,.0f}", inter=f"{e:,.0f}")
                for c, zh, s, lq, a, i, e in zip(t["city"], t["city_zh"].fillna(""), label, t["lq"],
                                                 t["ai_patents_mean"], t["intra_total"], t["inter_total"])]
    # clusters drawn last (on top)
    t = t.assign(_o=(t["status"] == "cluster").astype(int)).sort_values("_o")
    return t[["city", "lat", "lon", "colour", "radius_km", "tip"]].reset_index(drop=True), legend, missing


@st.cache_data(show_spinner=False, max_entries=32)
def map_arcs(fp: str, _links: pd.DataFrame, clusters: tuple, year: int | None, scope: str,
             code: str = "en") -> pd.DataFrame:
    """Inter-regional cooperation arcs (one per city pair; summed over years when ``year`` is None);
    width ~ log(1 + cooperative patents); tooltips in the language ``code``."""
    from ui.i18n import translations

    T = translations(code).gettext
    reg = city_registry().set_index("city")[["lat", "lon"]]
    links = _links[[c for c in ("city_a", "city_b", "year", "ai_coop")]]
    if year is not None:
        links = links[links["year"] == year]
    cset = set(clusters)
    ina, inb = links["city_a"].isin(cset), links["city_b"].isin(cset)
    links = links[(ina & inb) if scope == "clusters" else (ina | inb)]
    links = links[links["ai_coop"] > 0]
    a = np.where(links["city_a"] < links["city_b"], links["city_a"], links["city_b"])
    b = np.where(links["city_a"] < links["city_b"], links["city_b"], links["city_a"])
    agg = (pd.DataFrame({"a": a, "b": b, "w": links["ai_coop"].to_numpy(float)})
           .groupby(["a", "b"], as_index=False)["w"].sum())
    agg = agg[agg["a"].isin(reg.index) & agg["b"].isin(reg.index)]
    tip = (T("{a} - {b}: {n} cooperative AI patents") if year is None
           else T("{a} - {b}: {n} cooperative AI patents in {year}"))
    out = pd.DataFrame({"src_lon": reg.loc[agg["a"], "lon"].to_numpy(),
                        "src_lat": reg.loc[agg["a"], "lat"].to_numpy(),
                        "dst_lon": reg.loc[agg["b"], "lon"].to_numpy(),
                        "dst_lat": reg.loc[agg["b"], "lat"].to_numpy(),
                        "width": 0.3 + 0.45 * np.log1p(agg["w"].to_numpy()),
                        "tip": [tip.format(a=place(x, code), b=place(y, code), n=f"{w:,.0f}", year=year)
                                for x, y, w in zip(agg["a"], agg["b"], agg["w"])]})
    return out


def city_map_spec(points: pd.DataFrame, arcs: pd.DataFrame, boundaries, height: int = 540) -> dict:
    """``ui.maps.city_map_spec`` with its tooltip titles in the session's language (``localise_map``
    for the rest)."""
    from ui import maps
    from ui.i18n import localise_map

    spec = localise_map(maps.city_map_spec(points, arcs, boundaries, height=height))
    if lang() == "en":
        return spec
    for layer in spec.get("layer", []):
        tip = layer.get("encoding", {}).get("tooltip")
        title = tip.get("title") if isinstance(tip, dict) else None
        if title in MAP_TITLES:
            tip["title"] = _(MAP_TITLES[title])
    return spec


def legend_chart(legend):
    """The map's legend (``ui.maps.legend_chart``): status swatches, or the log2 LQ colour bar with its
    title in the session's language."""
    import altair as alt

    from ui import maps

    chart = maps.legend_chart(legend, None)
    if isinstance(legend, dict):  # swatches named in the session's language by ``map_points``
        return chart
    lo, hi, _pal = legend
    title = _("log2 LQ: {lo} (left) to {hi} (right), {mid} in the middle").format(
        lo=f"{lo:.2f}", hi=f"{hi:.2f}", mid=f"{(lo + hi) / 2:.2f}")
    return chart.properties(title=alt.TitleParams(title, fontSize=11, anchor="start", fontWeight="normal"))


# --------------------------------------------------------------------------- NC and descriptives
@st.cache_data(show_spinner=False, max_entries=16)
def nc_ranking(pkey: str, panel: pd.DataFrame) -> pd.DataFrame:
    """Clusters ranked by mean closeness centrality NC (Eq. 2; ``sim.cluster_tables.nc_ranking``)."""
    return ct.nc_ranking(panel)


@st.cache_data(show_spinner=False, max_entries=16)
def descriptives(pkey: str, panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                            pd.DataFrame]:
    """(Table 2 next to the paper's, our correlations with stars, the paper's Table 3, VIF)."""
    from sim import clusters as cl

    t2 = ct.descriptives_table(cl.descriptive_stats(panel), paper_table("wang2025_table2_descriptive.csv"))
    c = cl.correlations(panel)
    ours = ct.correlation_stars(c.r, c.pvalues)
    paper = ct.paper_correlations(paper_table("wang2025_table3_correlation.csv"), list(c.r.columns))
    return t2, ours, paper, cl.vif(panel)


# --------------------------------------------------------------------------- system GMM
@st.cache_data(show_spinner=False, max_entries=32)
def gmm_models(pkey: str, _panel: pd.DataFrame, collapse: bool, max_lag: int | None, ginv: str) -> dict:
    """{1, 2, 3: GmmResults} of Table 4's Models 1-3 (two-step system GMM, Windmeijer SEs)."""
    from sim import robustness as rb

    return {m: rb.wang_model(_panel, m, collapse, max_lag, ginv=ginv).fit() for m in (1, 2, 3)}


def regression_table(models: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display table, long numeric CSV) for Models 1-3 beside the paper's Table 4
    (``sim.cluster_tables.regression_table`` with the paper's tables and cluster count); words as
    ``sim.messages.Msg`` (``localise`` translates them)."""
    return ct.regression_table(models, paper_table("wang2025_table4_system_gmm.csv"),
                               paper_table("wang2025_table4_diagnostics.csv"),
                               int(float(paper_scalars()["clusters_identified"])))


@st.cache_data(show_spinner=False, max_entries=16)
def instrument_options(pkey: str, _panel: pd.DataFrame, ginv: str) -> pd.DataFrame:
    """Instrument count, groups and Sargan / Hansen p for each model under four instrument sets."""
    return ct.instrument_sets(_panel, ginv)


# --------------------------------------------------------------------------- moderation
@st.cache_data(show_spinner=False, max_entries=32)
def moderation(pkey: str, _result, _panel: pd.DataFrame, options: tuple) -> pd.DataFrame:
    """Predicted TI against IP at NC mean -/+ 1 sd (Fig. 4): this data's Model 3 estimate, and the
    paper's Table 4 Model 3 coefficients evaluated at this data's means (``options`` = cache key)."""
    return ct.moderation_lines(_result, _panel, paper_table("wang2025_table4_system_gmm.csv"))


# --------------------------------------------------------------------------- placebo
PLACEBO_RUNS_KEY = "clusters_placebo_runs"  # session state: placebo settings this session has run
PLACEBO_PROGRESS = N_("Placebo: {done} of {total} re-estimations")


def placebo_key(pkey: str, model: int, n: int, scheme: str, collapse: bool, max_lag, ginv: str) -> tuple:
    return (pkey, int(model), int(n), scheme, bool(collapse), max_lag, ginv, PLACEBO_SEED)


@st.cache_resource(show_spinner=False, max_entries=16)
def _placebo(key: tuple, _panel: pd.DataFrame):
    """One placebo run per settings key per process; the immutable result is shared read-only.

    The progress bar is created inside and emptied before returning, so Streamlit's replay of a
    cached call draws and removes it at once."""
    from sim import robustness as rb

    _key, model, n, scheme, collapse, max_lag, ginv, seed = key
    text = _(PLACEBO_PROGRESS)
    bar = st.progress(0.0, text=text.format(done=0, total=n))
    step = max(1, n // 20)

    def progress(done, total):
        if done % step == 0 or done == total:
            bar.progress(done / total, text=text.format(done=done, total=total))

    res = rb.placebo(_panel, model, n, seed, scheme, collapse, max_lag, progress=progress, ginv=ginv)
    bar.empty()
    return res


def cached_placebo(key: tuple, panel: pd.DataFrame):
    """The placebo result if this session has already run these settings, else None."""
    if key not in st.session_state.get(PLACEBO_RUNS_KEY, ()):
        return None
    return _placebo(key, panel)


def run_placebo(key: tuple, panel: pd.DataFrame):
    """Run (once per key per process) the placebo with a progress bar; returns the PlaceboResult."""
    res = _placebo(key, panel)
    st.session_state[PLACEBO_RUNS_KEY] = {*st.session_state.get(PLACEBO_RUNS_KEY, ()), key}
    return res


# --------------------------------------------------------------------------- sensitivity
@st.cache_data(show_spinner=False, max_entries=8)
def sensitivity(fp: str, _cities: pd.DataFrame, _links: pd.DataFrame) -> pd.DataFrame:
    """The cluster set at the 75th-84th percentiles, with changes against the 80th."""
    from sim import clusters as cl

    return ct.sensitivity_changes(cl.threshold_sensitivity(_cities, _links, range(75, 85)))


# --------------------------------------------------------------------------- mediation, NB
@st.cache_data(show_spinner=False, max_entries=16)
def mediation(key: str, _firms: pd.DataFrame, _panel: pd.DataFrame, collapse: bool, max_lag):
    """(display table, long CSV, indirect effect, Sobel z, Sobel p) for Table 5 (Models 4-6)."""
    from sim import robustness as rb

    med = rb.mediation(_firms, _panel, collapse, max_lag)
    long = rb.compare_mediation_with_paper(med)
    return ct.side_by_side(long, ct.mediation_labels(), ct.MEDIATION_TERMS,
                           {m: r for m, r in ((4, med.model4), (5, med.model5), (6, med.model6))}), \
        long, med.indirect, med.sobel_z, med.sobel_p


@st.cache_data(show_spinner=False, max_entries=16)
def negative_binomial(pkey: str, _panel: pd.DataFrame):
    """(display table, long CSV, {model: converged}) for Table 6 (NB2 with cluster dummies)."""
    from sim import robustness as rb

    parts, conv = [], {}
    for m in (1, 2, 3):
        nb = rb.negative_binomial(_panel, m)
        conv[m] = nb.converged
        parts.append(rb.compare_negbin_with_paper(nb, m).reset_index().assign(model=m))
    long = pd.concat(parts, ignore_index=True)[["model", "term", "paper_coef", "paper_z", "coef", "z"]]
    return ct.side_by_side(long, ct.negbin_labels(), ct.NEGBIN_TERMS, None), long, conv


# --------------------------------------------------------------------------- downloads
# The long numeric tables of Tables 4-6 (``model, term, coef, std_err, z, p, paper_coef, paper_z``)
LONG_LABELS = {"model": N_("Model"), "term": TERM_LABEL_TEXT, "coef": N_("Coefficient or statistic (this data)"),
               "std_err": N_("Standard error (this data)"), "z": N_("z (this data)"), "p": N_("p (this data)"),
               "paper_coef": N_("Coefficient or statistic (paper)"), "paper_z": N_("z (paper)")}
MODERATION_LABELS = {**SLOPE_LABELS, "IP": "IP", "NC": "NC", "TI_pred": N_("Predicted TI"),
                     "line": N_("Line (source: NC level)")}
PLACEBO_LABELS = {"replication": N_("Replication"), "ip_coefficient": N_("IP coefficient")}


def _words(value) -> str:
    """A word of ``sim`` kept as its English message id in a table cell (``nc_level``, ``source``, an
    instrument set, a diagnostic row), in the session's language."""
    if not isinstance(value, str):
        return value
    return _(ct.ROW_WORDS.get(value, value))


def _line(value) -> str:
    """Fig. 4's ``line`` cell ("source: nc_level") in the session's language."""
    source, _sep, level = str(value).partition(": ")
    return f"{_(source)}：{_(level)}" if level else _(source)


# file name -> (column labels or a function of the frame giving them, columns of city names, cell words)
DOWNLOADS = {
    "table1_cooperation.csv": (TABLE1_LABELS, ("cluster",), {}),
    "nc_ranking.csv": (ct.rank_labels, ("cluster",), {}),
    "table2_descriptive.csv": (DESCRIPTIVE_LABELS, (), {}),
    "table3_correlations.csv": (DESCRIPTIVE_LABELS, (), {}),
    "vif.csv": (DESCRIPTIVE_LABELS, (), {}),
    "table4_system_gmm.csv": (LONG_LABELS, (), {"term": _words}),
    "instrument_sets.csv": (INSTRUMENT_LABELS, (), {"instruments": _words}),
    "moderation_fig4.csv": (MODERATION_LABELS, (), {"source": _words, "nc_level": _words, "line": _line}),
    "placebo_ip_coefficients.csv": (PLACEBO_LABELS, (), {}),
    "threshold_sensitivity.csv": ({**SENSITIVITY_LABELS, "clusters": N_("AI clusters (cities)")},
                                  ("clusters", "excluded", "added_vs_p80", "dropped_vs_p80"), {}),
    "table5_mediation.csv": (LONG_LABELS, (), {"term": _words}),
    "table6_negative_binomial.csv": (LONG_LABELS, (), {"term": _words}),
}


def download_frame(df: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """The frame a download of ``file_name`` writes, in the session's language: in English ``df`` itself
    (the stable column ids of ``sim``, unchanged); in Chinese the headers of the on-screen tables
    (:data:`DOWNLOADS`: the same label dicts), words and city names in Chinese, numbers unchanged."""
    if lang() == "en" or file_name not in DOWNLOADS:
        return df
    labels, places, words = DOWNLOADS[file_name]
    labels = labels(df) if callable(labels) else labels
    out = df.copy()
    for col, fn in words.items():
        if col in out.columns:
            out[col] = out[col].map(fn)
    return localise(out, labels, places)


def download(df: pd.DataFrame, file_name: str, label: str | None = None, key: str | None = None,
             index: bool = False) -> None:
    """A CSV download button (``ui.downloads.csv_button``: UTF-8 with BOM) with this page's widget-key prefix.
    English: the stable column ids of ``sim``; Chinese: :func:`download_frame`. The frame is put in the
    session's language now, in the script run (Streamlit builds a deferred download's bytes outside the
    run, where the session's language cannot be read)."""
    from ui.downloads import csv_button

    csv_button(download_frame(df, file_name), file_name, label or _("Download CSV"),
               key or f"dl_clusters_{file_name}", index=index)
