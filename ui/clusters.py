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

Layout lives in ``pages/clusters.py``; this module only computes and formats.
"""
from __future__ import annotations

import hashlib
from types import SimpleNamespace

import numpy as np
import pandas as pd
import streamlit as st

from ui.paper import paper_scalars as _paper_scalars
from ui.paper import paper_table

from sim import schema

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
    "rank": "Rank (this data)", "cluster": "Cluster",
    "intraregional": "Within region (co-applied AI patents, 2011-2020)",
    "interregional": "Across regions (co-applied AI patents, 2011-2020)",
    "inter_share": "Share across regions", "paper_rank": "Rank (paper)",
    "paper_intraregional": "Within region (paper)", "paper_interregional": "Across regions (paper)",
}
SENSITIVITY_LABELS = {
    "percentile": "Percentile", "threshold": "Threshold (mean AI patent applications a year)",
    "n_potential": "Potential clusters", "n_clusters": "AI clusters", "added_vs_p80": "Added vs 80th percentile",
    "dropped_vs_p80": "Dropped vs 80th percentile", "excluded": "Specialised but too small",
}


def rank_labels(rank: pd.DataFrame) -> dict:
    """Readable column labels of ``nc_ranking``'s table."""
    labels = {"rank": "Rank", "cluster": "Cluster", "mean_closeness": "Mean closeness centrality (years with links)",
              "mean_ln_NC": "Mean ln NC", "years_with_NC": "Years with inter-regional links"}
    labels.update({c: f"Closeness centrality {c.split('_')[1]}" for c in rank.columns if c.startswith("closeness_")})
    return labels


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
STATUS_LABELS = {"cluster": "AI cluster", "potential_no_links": "Potential, lacks links",
                 "excluded_low_scale": "LQ > 1, small scale", "other": "Other city"}
STATUS_COLOURS = {"AI cluster": (215, 48, 39), "Potential, lacks links": (253, 174, 97),
                  "LQ > 1, small scale": (69, 117, 180), "Other city": (200, 200, 200)}
TERM_ORDER = ["L.TI", "IP", "NC", "IP*NC", "ED", "IC", "IE", "const"]
TOO_MANY_TEXT = ("The paper's Sargan p = 1.000 is the classic symptom of too many instruments "
                 "(Roodman 2009); Hansen/Sargan p near 1 is not evidence of valid instruments.")
LQ_CLIP = 3.0  # log2 LQ colour scale limits (LQ 1/8 .. 8)
DEMO_BY_CONSTRUCTION = (
    "The demo city data were generated from the paper's own estimates (Table 4 Model 3 and Table 5 "
    "coefficients) and calibrated so that the identification finds exactly the paper's clusters. "
    "Agreement with the paper's numbers on this page is therefore by construction, not a finding; "
    "it only shows that the computations reproduce what was put in.")


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
    """Our cooperation totals next to the paper's Table 1 (outer join on the cluster name)."""
    from sim import clusters as cl

    ours = cl.cooperation_totals(_cities, _links, list(clusters))
    ours.insert(0, "rank", np.arange(1, len(ours) + 1))
    ours["inter_share"] = ours["interregional"] / (ours["intraregional"] + ours["interregional"])
    paper = paper_table("wang2025_table1_cooperation.csv").rename(
        columns={"intraregional": "paper_intraregional", "interregional": "paper_interregional"})
    paper.insert(0, "paper_rank", np.arange(1, len(paper) + 1))
    out = ours.merge(paper, on="cluster", how="outer")
    out = out.sort_values(["rank", "paper_rank"], na_position="last").reset_index(drop=True)
    for c in ("rank", "paper_rank"):
        out[c] = out[c].astype("Int64")
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def map_points(fp: str, identification_table: pd.DataFrame, colour_by: str) -> tuple[pd.DataFrame, object, int]:
    """(points for ``ui.maps.city_map``, legend, number of cities without coordinates).

    ``colour_by``: "status" (cluster / potential / LQ > 1 below threshold / other) or "lq"
    (diverging on log2 LQ clipped at -/+ ``LQ_CLIP``, 0 = the national AI share).
    """
    from ui import maps

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
        legend = STATUS_COLOURS
    t["radius_km"] = 8.0 + 12.0 * np.log10(1.0 + t["ai_patents_mean"])
    t["tip"] = [f"{c} {zh}\n{s}\nLQ {lq:.2f}\nAI patents {a:,.1f} a year (mean)\n"
                f"intra-regional cooperation {i:,.0f}; inter-regional {e:,.0f}"
                for c, zh, s, lq, a, i, e in zip(t["city"], t["city_zh"].fillna(""), label, t["lq"],
                                                 t["ai_patents_mean"], t["intra_total"], t["inter_total"])]
    # clusters drawn last (on top)
    t = t.assign(_o=(t["status"] == "cluster").astype(int)).sort_values("_o")
    return t[["city", "lat", "lon", "colour", "radius_km", "tip"]].reset_index(drop=True), legend, missing


@st.cache_data(show_spinner=False, max_entries=32)
def map_arcs(fp: str, _links: pd.DataFrame, clusters: tuple, year: int | None, scope: str) -> pd.DataFrame:
    """Inter-regional cooperation arcs (one per city pair; summed over years when ``year`` is None);
    width ~ log(1 + cooperative patents)."""
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
    out = pd.DataFrame({"src_lon": reg.loc[agg["a"], "lon"].to_numpy(),
                        "src_lat": reg.loc[agg["a"], "lat"].to_numpy(),
                        "dst_lon": reg.loc[agg["b"], "lon"].to_numpy(),
                        "dst_lat": reg.loc[agg["b"], "lat"].to_numpy(),
                        "width": 0.3 + 0.45 * np.log1p(agg["w"].to_numpy()),
                        "tip": [f"{x} - {y}: {w:,.0f} cooperative AI patents"
                                + ("" if year is None else f" in {year}")
                                for x, y, w in zip(agg["a"], agg["b"], agg["w"])]})
    return out


# --------------------------------------------------------------------------- NC and descriptives
@st.cache_data(show_spinner=False, max_entries=16)
def nc_ranking(pkey: str, panel: pd.DataFrame) -> pd.DataFrame:
    """Clusters ranked by mean closeness centrality NC (Eq. 2) over the years it is defined."""
    g = panel.assign(closeness=np.exp(panel["NC"])).groupby("cluster")
    last_year = int(panel["year"].max())
    out = pd.DataFrame({"mean_closeness": g["closeness"].mean(), "mean_ln_NC": g["NC"].mean(),
                        "years_with_NC": g["NC"].count(),
                        f"closeness_{last_year}": panel[panel["year"] == last_year]
                        .set_index("cluster")["NC"].pipe(np.exp)})
    out = out.sort_values("mean_closeness", ascending=False).reset_index()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def descriptives(pkey: str, panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                            pd.DataFrame]:
    """(Table 2 next to the paper's, our correlations with stars, the paper's Table 3, VIF)."""
    from sim import clusters as cl

    d = cl.descriptive_stats(panel)
    p2 = paper_table("wang2025_table2_descriptive.csv").add_prefix("paper_").rename(
        columns={"paper_variable": "variable"})
    t2 = d.merge(p2, on="variable", how="left")
    t2 = t2[["variable", "n", "mean", "paper_mean", "sd", "paper_sd", "min", "paper_min", "max",
             "paper_max"]]
    c = cl.correlations(panel)
    cols = list(c.r.columns)
    ours = pd.DataFrame("", index=cols, columns=cols)
    for i, a in enumerate(cols):
        for j, b in enumerate(cols):
            if j < i:
                ours.loc[a, b] = f"{c.r.loc[a, b]:.3f}{stars(c.pvalues.loc[a, b])}"
            elif j == i:
                ours.loc[a, b] = "1"
    p3 = paper_table("wang2025_table3_correlation.csv").set_index("variable")
    paper = pd.DataFrame("", index=cols, columns=cols)
    for i, a in enumerate(cols):
        for j, b in enumerate(cols):
            if j < i:
                paper.loc[a, b] = f"{p3.loc[a, b]:.3f}"
            elif j == i:
                paper.loc[a, b] = "1"
    v = cl.vif(panel)
    return t2, ours.reset_index(names="variable"), paper.reset_index(names="variable"), v


# --------------------------------------------------------------------------- system GMM
def stars(p: float) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


@st.cache_data(show_spinner=False, max_entries=32)
def gmm_models(pkey: str, _panel: pd.DataFrame, collapse: bool, max_lag: int | None, ginv: str) -> dict:
    """{1, 2, 3: GmmResults} of Table 4's Models 1-3 (two-step system GMM, Windmeijer SEs)."""
    from sim import robustness as rb

    return {m: rb.wang_model(_panel, m, collapse, max_lag, ginv=ginv).fit() for m in (1, 2, 3)}


def _p_from_z(z: float) -> float:
    from scipy import stats

    return float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")


def _cell(coef: float, z: float, p: float | None = None) -> tuple[str, str]:
    if not np.isfinite(coef):
        return "", ""
    p = _p_from_z(z) if p is None else p
    return f"{coef:.3f}{stars(p)}", (f"({z:.3f})" if np.isfinite(z) else "")


def _test_cell(stat, instruments: int) -> str:
    return (f"χ²({stat.df}) = {stat.statistic:.2f}, p = {stat.pvalue:.3f} "
            f"[{instruments} instruments]")


def regression_table(models: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display table, long numeric CSV) for Models 1-3 beside the paper's Table 4.

    Display: one row per coefficient and one for its z (in brackets), then Observations, Groups,
    Instruments, AR(1), AR(2), Sargan, Hansen; the instrument count sits beside every test.
    """
    from sim.robustness import PAPER_TERMS

    t4 = paper_table("wang2025_table4_system_gmm.csv")
    dg = paper_table("wang2025_table4_diagnostics.csv").set_index("model")
    ours_name = {v: k for k, v in PAPER_TERMS.items()}
    cols = {}
    long_rows = []
    for m, res in models.items():
        p4 = t4[t4["model"] == m].set_index("term")
        ours_col, paper_col = [], []
        index = []
        for term in TERM_ORDER:
            o = ours_name[term]
            if o not in res.params.index and term not in p4.index:
                continue
            oc, oz = _cell(res.params.get(o, np.nan), res.z.get(o, np.nan), res.pvalues.get(o, np.nan))
            pc, pz = _cell(p4.loc[term, "coef"] if term in p4.index else np.nan,
                           p4.loc[term, "z"] if term in p4.index else np.nan)
            index += [term, f"{term} (z)"]
            ours_col += [oc, oz]
            paper_col += [pc, pz]
            long_rows.append({"model": m, "term": term, "coef": res.params.get(o, np.nan),
                              "std_err": res.bse.get(o, np.nan), "z": res.z.get(o, np.nan),
                              "p": res.pvalues.get(o, np.nan),
                              "paper_coef": p4.loc[term, "coef"] if term in p4.index else np.nan,
                              "paper_z": p4.loc[term, "z"] if term in p4.index else np.nan})
        a1, a2 = res.ar(1), res.ar(2)
        j = res.n_instruments
        d = dg.loc[m]
        diag = [("Observations", f"{res.n_obs}", f"{int(d['observations'])}"),
                ("Groups", f"{res.n_groups}", "29 (clusters)"),
                ("Instruments", f"{j}" + (" > groups" if j > res.n_groups else ""), "not reported"),
                ("AR(1)", f"z = {a1[0]:.2f}, p = {a1[1]:.3f} [{j} instruments]",
                 f"p = {d['ar1_p']:.3f}"),
                ("AR(2)", f"z = {a2[0]:.2f}, p = {a2[1]:.3f} [{j} instruments]",
                 f"p = {d['ar2_p']:.3f}"),
                ("Sargan", _test_cell(res.sargan, j), f"p = {d['sargan_p']:.3f}"),
                ("Hansen", _test_cell(res.hansen, j), "not reported")]
        index += [r[0] for r in diag]
        ours_col += [r[1] for r in diag]
        paper_col += [r[2] for r in diag]
        cols[(f"Model {m}", "this data")] = pd.Series(ours_col, index=index)
        cols[(f"Model {m}", "paper")] = pd.Series(paper_col, index=index)
        for name, val, pval in (("Observations", res.n_obs, d["observations"]),
                                ("Groups", res.n_groups, np.nan), ("Instruments", j, np.nan),
                                ("AR(1) z", a1[0], np.nan), ("AR(1) p", a1[1], d["ar1_p"]),
                                ("AR(2) z", a2[0], np.nan), ("AR(2) p", a2[1], d["ar2_p"]),
                                ("Sargan chi2", res.sargan.statistic, np.nan),
                                ("Sargan df", res.sargan.df, np.nan),
                                ("Sargan p", res.sargan.pvalue, d["sargan_p"]),
                                ("Hansen chi2", res.hansen.statistic, np.nan),
                                ("Hansen df", res.hansen.df, np.nan),
                                ("Hansen p", res.hansen.pvalue, np.nan)):
            long_rows.append({"model": m, "term": name, "coef": val, "paper_coef": pval})
    order = []
    for s in cols.values():
        for i in s.index:
            if i not in order:
                order.append(i)
    # coefficients in TERM_ORDER first, diagnostics after (a term only Model 3 has stays in place)
    coef_rows = [r for t in TERM_ORDER for r in (t, f"{t} (z)") if r in order]
    order = coef_rows + [r for r in order if r not in coef_rows]
    return _display(pd.DataFrame(cols).reindex(order).fillna("")), pd.DataFrame(long_rows)


def _display(table: pd.DataFrame) -> pd.DataFrame:
    """Flat 'Model 1 | this data' column names and a ``term`` column (blank on the z rows)."""
    out = table.copy()
    out.columns = [f"{a} | {b}" for a, b in table.columns]
    out.insert(0, "term", [i if not i.endswith(" (z)") else "" for i in table.index])
    return out.reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=16)
def instrument_options(pkey: str, _panel: pd.DataFrame, ginv: str) -> pd.DataFrame:
    """Instrument count, groups and Sargan / Hansen p for each model under four instrument sets."""
    from sim import robustness as rb

    rows = []
    for label, collapse, max_lag in (("lag(2 .), uncollapsed (paper)", False, None),
                                     ("lag(2 .), collapsed", True, None),
                                     ("lag(2 3), uncollapsed", False, 3),
                                     ("lag(2 3), collapsed", True, 3)):
        for m in (1, 2, 3):
            r = rb.wang_model(_panel, m, collapse, max_lag, ginv=ginv).fit()
            rows.append({"instruments": label, "model": m, "n_instruments": r.n_instruments,
                         "n_groups": r.n_groups, "sargan_p": r.sargan.pvalue,
                         "hansen_p": r.hansen.pvalue, "hansen_df": r.hansen.df,
                         "IP_coef": r.params.get("IP", np.nan), "IP_z": r.z.get("IP", np.nan)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- moderation
@st.cache_data(show_spinner=False, max_entries=32)
def moderation(pkey: str, _result, _panel: pd.DataFrame, options: tuple) -> pd.DataFrame:
    """Predicted TI against IP at NC mean -/+ 1 sd (Fig. 4): this data's Model 3 estimate, and the
    paper's Table 4 Model 3 coefficients evaluated at this data's means (``options`` = cache key)."""
    from sim import robustness as rb

    ours = rb.moderation(_result, _panel).assign(source="this data (Model 3)")
    t4 = paper_table("wang2025_table4_system_gmm.csv")
    p = t4[t4["model"] == 3].set_index("term")["coef"]
    params = pd.Series({o: p[t] for o, t in rb.PAPER_TERMS.items() if t in p.index})
    paper = rb.moderation(SimpleNamespace(params=params), _panel).assign(
        source="paper's coefficients")
    out = pd.concat([ours, paper], ignore_index=True)
    out["line"] = out["source"] + ": " + out["nc_level"]
    return out


# --------------------------------------------------------------------------- placebo
PLACEBO_RUNS_KEY = "clusters_placebo_runs"  # session state: placebo settings this session has run


def placebo_key(pkey: str, model: int, n: int, scheme: str, collapse: bool, max_lag, ginv: str) -> tuple:
    return (pkey, int(model), int(n), scheme, bool(collapse), max_lag, ginv, PLACEBO_SEED)


@st.cache_resource(show_spinner=False, max_entries=16)
def _placebo(key: tuple, _panel: pd.DataFrame):
    """One placebo run per settings key per process; the immutable result is shared read-only.

    The progress bar is created inside and emptied before returning, so Streamlit's replay of a
    cached call draws and removes it at once."""
    from sim import robustness as rb

    _, model, n, scheme, collapse, max_lag, ginv, seed = key
    bar = st.progress(0.0, text=f"Placebo: 0 of {n} re-estimations")
    step = max(1, n // 20)

    def progress(done, total):
        if done % step == 0 or done == total:
            bar.progress(done / total, text=f"Placebo: {done} of {total} re-estimations")

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

    s = cl.threshold_sensitivity(_cities, _links, range(75, 85))
    ref = set(s.loc[s["percentile"] == 80, "clusters"].iloc[0].split(";")) - {""}
    sets = [set(x.split(";")) - {""} for x in s["clusters"]]
    s["added_vs_p80"] = [";".join(sorted(x - ref)) for x in sets]
    s["dropped_vs_p80"] = [";".join(sorted(ref - x)) for x in sets]
    return s


# --------------------------------------------------------------------------- mediation, NB
@st.cache_data(show_spinner=False, max_entries=16)
def mediation(key: str, _firms: pd.DataFrame, _panel: pd.DataFrame, collapse: bool, max_lag):
    """(display table, long CSV, indirect effect, Sobel z, Sobel p) for Table 5 (Models 4-6)."""
    from sim import robustness as rb

    med = rb.mediation(_firms, _panel, collapse, max_lag)
    long = rb.compare_mediation_with_paper(med)
    return _side_by_side(long, {4: "Model 4: TI_firm", 5: "Model 5: GS", 6: "Model 6: TI_firm"},
                         ["L.TI_firm", "L.GS", "IP", "GS", "EP", "CS", "OC", "const"],
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
    return _side_by_side(long, {1: "Model 1", 2: "Model 2", 3: "Model 3"},
                         ["IP", "NC", "IP*NC", "ED", "IC", "IE", "const"], None), long, conv


def _side_by_side(long: pd.DataFrame, labels: dict, terms: list, gmm: dict | None) -> pd.DataFrame:
    """Coefficient (stars from z) and (z) rows, ours beside the paper's, then the model rows."""
    cols = {}
    for m, label in labels.items():
        d = long[long["model"] == m].set_index("term")
        idx, ours, paper = [], [], []
        for t in terms:
            if t not in d.index:
                continue
            oc, oz = _cell(d.loc[t, "coef"], d.loc[t, "z"])
            pc, pz = _cell(d.loc[t, "paper_coef"], d.loc[t, "paper_z"])
            idx += [t, f"{t} (z)"]
            ours += [oc, oz]
            paper += [pc, pz]
        r = None if gmm is None else gmm[m]
        j = None if r is None else r.n_instruments
        beside = "" if r is None else f" [{j} instruments]"
        for t in [t for t in d.index if t not in terms and t not in TERM_ORDER + ["L.TI_firm", "L.GS"]]:
            v, pv = d.loc[t, "coef"], d.loc[t, "paper_coef"]
            pv_text = "not reported" if not np.isfinite(pv) else f"p = {pv:.3f}"
            if t in ("Observations", "Instruments"):
                o = "" if not np.isfinite(v) else f"{int(v)}"
                pv_text = "not reported" if not np.isfinite(pv) else f"{int(pv)}"
            elif t == "alpha":
                o = f"{v:.4f} (z = {d.loc[t, 'z']:.2f})"
            elif r is not None and t in ("Sargan p", "Hansen p"):
                o = _test_cell(r.sargan if t == "Sargan p" else r.hansen, j)
                t = t[:-2]
            else:
                o = ("" if not np.isfinite(v) else f"p = {v:.3f}") + beside
                t = t.removesuffix(" p")
            idx.append(t)
            ours.append(o)
            paper.append(pv_text)
            if t == "Observations" and r is not None:
                idx.append("Groups")
                ours.append(f"{r.n_groups}")
                paper.append("not reported")
        cols[(label, "this data")] = pd.Series(ours, index=idx)
        cols[(label, "paper")] = pd.Series(paper, index=idx)
    order = []
    for s in cols.values():
        for i in s.index:
            if i not in order:
                order.append(i)
    coef_rows = [r for t in terms for r in (t, f"{t} (z)") if r in order]
    diag = ["Observations", "Groups", "Instruments", "AR(1)", "AR(2)", "Sargan", "Hansen", "alpha"]
    rest = sorted((r for r in order if r not in coef_rows),
                  key=lambda r: diag.index(r) if r in diag else len(diag))
    return _display(pd.DataFrame(cols).reindex(coef_rows + rest).fillna(""))


def as_text(df: pd.DataFrame, formats: dict) -> pd.DataFrame:
    """A display copy with ``formats`` (column -> format string) applied and "-" for missing values
    (st.dataframe shows a styled NaN as "None")."""
    out = df.copy()
    for c, f in formats.items():
        out[c] = [("-" if pd.isna(v) else f.format(v)) for v in df[c]]
    return out


# --------------------------------------------------------------------------- downloads
def download(df: pd.DataFrame, file_name: str, label: str = "Download CSV", key: str | None = None,
             index: bool = False) -> None:
    """A CSV download button (``ui.downloads.csv_button``) with this page's widget-key prefix."""
    from ui.downloads import csv_button

    csv_button(df, file_name, label, key or f"dl_clusters_{file_name}", index=index)
