"""The tables of the "AI clusters" page as data (no Streamlit): Wang et al. (2025), "Industry policies and
technological innovation in artificial intelligence clusters", recomputed beside the published numbers.

* :func:`table1` -- Table 1, intra- and inter-regional cooperation of each cluster, ours beside the paper's;
* :func:`nc_ranking` and :func:`rank_labels` -- closeness centrality NC (Eq. 2) per cluster, ranked;
* :func:`descriptives_table`, :func:`correlation_stars`, :func:`paper_correlations` -- Tables 2-3
  (descriptive statistics and Pearson correlations with stars; the VIF is ``sim.clusters.vif``);
* :func:`regression_table` -- Table 4, two-step system GMM of Eq. (3), Models 1-3, with the instrument
  count beside every test (AR(1), AR(2), Sargan, Hansen);
* :func:`instrument_sets` -- the same models under four instrument sets (how the count moves the tests);
* :func:`moderation_lines` -- Fig. 4, predicted TI against IP at NC mean -/+ 1 sd;
* :func:`side_by_side` -- Table 5 (mediation, Eqs. 4-6) and Table 6 (negative binomial) in Table 4's layout;
* :func:`sensitivity_changes` -- Fig. 5, the cluster set at the 75th-84th percentiles against the 80th;
* :func:`stars`, :func:`cell`, :func:`test_cell`, :func:`as_text` -- the cells.

Stable ids: data columns keep the ids of ``sim.clusters`` / ``sim.robustness`` (``rank``, ``cluster``,
``mean_closeness`` ...); the display tables of Tables 4-6 have a ``term`` column and one column per model
and source. Words in a display table (row names such as "Observations", "not reported", "[41 instruments]",
column headers "Model 1 | this data") are :class:`sim.messages.Msg` objects: ``str()`` is the English
text, and the UI translates them (``ui.i18n.tr``). Numbers are formatted here once, so they are the same
in every language.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from sim.messages import Msg, N_

TERM_ORDER = ["L.TI", "IP", "NC", "IP*NC", "ED", "IC", "IE", "const"]
MEDIATION_TERMS = ["L.TI_firm", "L.GS", "IP", "GS", "EP", "CS", "OC", "const"]
NEGBIN_TERMS = ["IP", "NC", "IP*NC", "ED", "IC", "IE", "const"]
DIAGNOSTIC_ROWS = ["Observations", "Groups", "Instruments", "AR(1)", "AR(2)", "Sargan", "Hansen", "alpha"]

THIS_DATA = N_("this data")
PAPER = N_("paper")
MODEL = N_("Model {m}")
HEADER = "{model} | {source}"  # no words: not in the catalogue (gettext returns it as it is)
NOT_REPORTED = N_("not reported")
ROW_WORDS = {"Observations": N_("Observations"), "Groups": N_("Groups"), "Instruments": N_("Instruments"),
             "alpha": N_("alpha"), "const": N_("const")}  # const: the constant term (Stata's _cons)
# the source and level labels of Fig. 4's lines (values of the ``source`` / ``nc_level`` columns)
SOURCE_OURS = N_("this data (Model 3)")
SOURCE_PAPER = N_("paper's coefficients")
# the four instrument sets of :func:`instrument_sets`: (label, collapse, max_lag)
INSTRUMENT_SETS = ((N_("lag(2 .), uncollapsed (paper)"), False, None), (N_("lag(2 .), collapsed"), True, None),
                   (N_("lag(2 3), uncollapsed"), False, 3), (N_("lag(2 3), collapsed"), True, 3))


def _paper_table(name: str) -> pd.DataFrame:
    from sim.robustness import _paper_table as read

    return read(name)


# --------------------------------------------------------------------------- cells
def stars(p) -> str:
    """Significance stars: *** p < 0.01, ** p < 0.05, * p < 0.1, else none (also for a missing p)."""
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def p_from_z(z: float) -> float:
    """Two-sided normal p of a z statistic (NaN for a missing z)."""
    from scipy import stats

    return float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")


def cell(coef: float, z: float, p: float | None = None) -> tuple[str, str]:
    """("0.123**", "(2.345)"): the coefficient with stars (from ``p``, else from ``z``) and z in brackets."""
    if not np.isfinite(coef):
        return "", ""
    p = p_from_z(z) if p is None else p
    return f"{coef:.3f}{stars(p)}", (f"({z:.3f})" if np.isfinite(z) else "")


def test_cell(stat, instruments: int) -> Msg:
    """"χ²(df) = statistic, p = p [j instruments]" of a ``TestStat`` (Sargan or Hansen)."""
    return Msg(N_("χ²({df}) = {stat}, p = {p} [{j} instruments]"), df=f"{stat.df}", stat=f"{stat.statistic:.2f}",
               p=f"{stat.pvalue:.3f}", j=f"{instruments}")


test_cell.__test__ = False  # not a pytest test (its name starts with "test")


def ar_cell(z: float, p: float, instruments: int) -> Msg:
    """"z = ..., p = ... [j instruments]" of an Arellano-Bond AR(m) test."""
    return Msg(N_("z = {z}, p = {p} [{j} instruments]"), z=f"{z:.2f}", p=f"{p:.3f}", j=f"{instruments}")


def _header(model, source: str) -> Msg:
    return Msg(HEADER, model=model, source=Msg(source))


def display(table: pd.DataFrame, keys: list | None = None) -> pd.DataFrame:
    """Flat "Model 1 | this data" column names and a ``term`` column (blank on the z rows; the words
    Observations, Groups, Instruments, alpha as messages) from a table whose columns are (model, source) pairs
    (or any columns, with the pairs in ``keys``). The headers as messages are in ``attrs["headers"]``
    (column name -> ``Msg``; pandas keeps column names as plain ``str``)."""
    keys = list(table.columns) if keys is None else keys
    headers = [_header(a, b) for a, b in keys]
    out = table.copy()
    out.columns = [str(h) for h in headers]
    out.insert(0, "term", pd.Series(["" if i.endswith(" (z)") else (Msg(ROW_WORDS[i]) if i in ROW_WORDS else i)
                                     for i in table.index], dtype=object, index=table.index))
    out = out.reset_index(drop=True)
    out.attrs["headers"] = {str(h): h for h in headers}
    return out


def _order(cols: dict) -> list:
    order = []
    for s in cols.values():
        for i in s.index:
            if i not in order:
                order.append(i)
    return order


# --------------------------------------------------------------------------- Table 4
def regression_table(models: dict, paper_t4: pd.DataFrame | None = None, paper_diag: pd.DataFrame | None = None,
                     paper_groups=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display table, long numeric table) for Table 4's Models (``{m: GmmResults}``) beside the paper's.

    Display: one row per coefficient and one for its z (in brackets), then Observations, Groups,
    Instruments, AR(1), AR(2), Sargan, Hansen; the instrument count sits beside every test, and
    "> groups" beside a count above the number of groups. Columns ``term``, ``Model m | this data``,
    ``Model m | paper``. ``paper_t4`` / ``paper_diag``: ``data/paper/wang2025_table4_system_gmm.csv`` and
    ``wang2025_table4_diagnostics.csv`` (read when None); ``paper_groups``: the paper's number of clusters
    (its Groups cell; "not reported" when None).

    Long: ``model, term, coef, std_err, z, p, paper_coef, paper_z`` per coefficient, then one row per
    diagnostic (``Observations, Groups, Instruments, AR(1) z, AR(1) p, ..., Hansen p``) with ours in
    ``coef`` and the paper's in ``paper_coef``.
    """
    from sim.robustness import PAPER_TERMS

    t4 = _paper_table("wang2025_table4_system_gmm.csv") if paper_t4 is None else paper_t4
    dg = (_paper_table("wang2025_table4_diagnostics.csv") if paper_diag is None else paper_diag).set_index("model")
    ours_name = {v: k for k, v in PAPER_TERMS.items()}
    cols, long_rows = {}, []
    for m, res in models.items():
        p4 = t4[t4["model"] == m].set_index("term")
        ours_col, paper_col, index = [], [], []
        for term in TERM_ORDER:
            o = ours_name[term]
            if o not in res.params.index and term not in p4.index:
                continue
            oc, oz = cell(res.params.get(o, np.nan), res.z.get(o, np.nan), res.pvalues.get(o, np.nan))
            pc, pz = cell(p4.loc[term, "coef"] if term in p4.index else np.nan,
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
        groups_paper = (Msg(N_("{n} (clusters)"), n=f"{int(paper_groups)}") if paper_groups is not None
                        else Msg(NOT_REPORTED))
        diag = [("Observations", f"{res.n_obs}", f"{int(d['observations'])}"),
                ("Groups", f"{res.n_groups}", groups_paper),
                ("Instruments", Msg(N_("{j} > groups"), j=f"{j}") if j > res.n_groups else f"{j}",
                 Msg(NOT_REPORTED)),
                ("AR(1)", ar_cell(a1[0], a1[1], j), f"p = {d['ar1_p']:.3f}"),
                ("AR(2)", ar_cell(a2[0], a2[1], j), f"p = {d['ar2_p']:.3f}"),
                ("Sargan", test_cell(res.sargan, j), f"p = {d['sargan_p']:.3f}"),
                ("Hansen", test_cell(res.hansen, j), Msg(NOT_REPORTED))]
        index += [r[0] for r in diag]
        ours_col += [r[1] for r in diag]
        paper_col += [r[2] for r in diag]
        cols[(Msg(MODEL, m=f"{m}"), THIS_DATA)] = pd.Series(ours_col, index=index, dtype=object)
        cols[(Msg(MODEL, m=f"{m}"), PAPER)] = pd.Series(paper_col, index=index, dtype=object)
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
    order = _order(cols)
    # coefficients in TERM_ORDER first, diagnostics after (a term only Model 3 has stays in place)
    coef_rows = [r for t in TERM_ORDER for r in (t, f"{t} (z)") if r in order]
    order = coef_rows + [r for r in order if r not in coef_rows]
    return _frame(cols, order), pd.DataFrame(long_rows)


def _frame(cols: dict, order: list) -> pd.DataFrame:
    """The columns of ``cols`` ((model, source) -> Series) side by side in the row ``order``, blanks for
    rows a model lacks, displayed (:func:`display`; the keys' messages survive as ``attrs["headers"]``)."""
    out = pd.DataFrame({i: s for i, s in enumerate(cols.values())}, dtype=object).reindex(order).fillna("")
    return display(out, list(cols))


# --------------------------------------------------------------------------- Tables 5 and 6
def side_by_side(long: pd.DataFrame, labels: dict, terms: list, gmm: dict | None) -> pd.DataFrame:
    """Table 5 or 6 in Table 4's layout: coefficient (stars from z) and (z) rows, ours beside the paper's,
    then the model rows (Observations, Groups, Instruments, AR(1), AR(2), Sargan, Hansen, alpha).

    ``long``: ``model, term, coef, z, paper_coef, paper_z`` (``sim.robustness.compare_*_with_paper``);
    ``labels``: model -> column label; ``gmm``: model -> GmmResults (Table 5, for the instrument count
    beside every test and the Groups row) or None (Table 6)."""
    cols = {}
    for m, label in labels.items():
        d = long[long["model"] == m].set_index("term")
        idx, ours, paper = [], [], []
        for t in terms:
            if t not in d.index:
                continue
            oc, oz = cell(d.loc[t, "coef"], d.loc[t, "z"])
            pc, pz = cell(d.loc[t, "paper_coef"], d.loc[t, "paper_z"])
            idx += [t, f"{t} (z)"]
            ours += [oc, oz]
            paper += [pc, pz]
        r = None if gmm is None else gmm[m]
        j = None if r is None else r.n_instruments
        for t in [t for t in d.index if t not in terms and t not in TERM_ORDER + ["L.TI_firm", "L.GS"]]:
            v, pv = d.loc[t, "coef"], d.loc[t, "paper_coef"]
            pv_text = Msg(NOT_REPORTED) if not np.isfinite(pv) else f"p = {pv:.3f}"
            if t in ("Observations", "Instruments"):
                o = "" if not np.isfinite(v) else f"{int(v)}"
                pv_text = Msg(NOT_REPORTED) if not np.isfinite(pv) else f"{int(pv)}"
            elif t == "alpha":
                o = f"{v:.4f} (z = {d.loc[t, 'z']:.2f})"
            elif r is not None and t in ("Sargan p", "Hansen p"):
                o = test_cell(r.sargan if t == "Sargan p" else r.hansen, j)
                t = t[:-2]
            else:
                p_text = "" if not np.isfinite(v) else f"p = {v:.3f}"
                o = p_text if r is None else Msg(N_("{p} [{j} instruments]"), p=p_text, j=f"{j}")
                t = t.removesuffix(" p")
            idx.append(t)
            ours.append(o)
            paper.append(pv_text)
            if t == "Observations" and r is not None:
                idx.append("Groups")
                ours.append(f"{r.n_groups}")
                paper.append(Msg(NOT_REPORTED))
        cols[(label, THIS_DATA)] = pd.Series(ours, index=idx, dtype=object)
        cols[(label, PAPER)] = pd.Series(paper, index=idx, dtype=object)
    order = _order(cols)
    coef_rows = [r for t in terms for r in (t, f"{t} (z)") if r in order]
    rest = sorted((r for r in order if r not in coef_rows),
                  key=lambda r: DIAGNOSTIC_ROWS.index(r) if r in DIAGNOSTIC_ROWS else len(DIAGNOSTIC_ROWS))
    return _frame(cols, coef_rows + rest)


def mediation_labels() -> dict:
    """Column labels of Table 5's Models 4-6 (dependent variable after the model)."""
    return {m: Msg(N_("Model {m}: {y}"), m=f"{m}", y=y) for m, y in ((4, "TI_firm"), (5, "GS"), (6, "TI_firm"))}


def negbin_labels() -> dict:
    """Column labels of Table 6's Models 1-3."""
    return {m: Msg(MODEL, m=f"{m}") for m in (1, 2, 3)}


# --------------------------------------------------------------------------- Table 1, NC, Tables 2-3
def table1(ours: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Our cooperation totals (``sim.clusters.cooperation_totals``: cluster, intraregional, interregional,
    in rank order) next to the paper's Table 1 (same columns), outer-joined on the cluster name.

    Columns ``rank, cluster, intraregional, interregional, inter_share, paper_rank, paper_intraregional,
    paper_interregional``; a cluster only one side lists has missing values on the other."""
    ours = ours.copy()
    ours.insert(0, "rank", np.arange(1, len(ours) + 1))
    ours["inter_share"] = ours["interregional"] / (ours["intraregional"] + ours["interregional"])
    paper = paper.rename(columns={"intraregional": "paper_intraregional", "interregional": "paper_interregional"})
    paper.insert(0, "paper_rank", np.arange(1, len(paper) + 1))
    out = ours.merge(paper, on="cluster", how="outer")
    out = out.sort_values(["rank", "paper_rank"], na_position="last").reset_index(drop=True)
    for c in ("rank", "paper_rank"):
        out[c] = out[c].astype("Int64")
    return out


def nc_ranking(panel: pd.DataFrame) -> pd.DataFrame:
    """Clusters ranked by mean closeness centrality NC (Eq. 2: NC = exp(ln NC) of the regression panel) over
    the years it is defined. Columns ``rank, cluster, mean_closeness, mean_ln_NC, years_with_NC,
    closeness_<last year>``."""
    g = panel.assign(closeness=np.exp(panel["NC"])).groupby("cluster")
    last_year = int(panel["year"].max())
    out = pd.DataFrame({"mean_closeness": g["closeness"].mean(), "mean_ln_NC": g["NC"].mean(),
                        "years_with_NC": g["NC"].count(),
                        f"closeness_{last_year}": panel[panel["year"] == last_year]
                        .set_index("cluster")["NC"].pipe(np.exp)})
    out = out.sort_values("mean_closeness", ascending=False).reset_index()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def rank_labels(rank: pd.DataFrame) -> dict:
    """Readable column labels (messages) of :func:`nc_ranking`'s table."""
    labels = {"rank": Msg(N_("Rank")), "cluster": Msg(N_("Cluster")),
              "mean_closeness": Msg(N_("Mean closeness centrality (years with links)")),
              "mean_ln_NC": Msg(N_("Mean ln NC")), "years_with_NC": Msg(N_("Years with inter-regional links"))}
    labels.update({c: Msg(N_("Closeness centrality {year}"), year=c.split("_")[1])
                   for c in rank.columns if c.startswith("closeness_")})
    return labels


def descriptives_table(ours: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Table 2: ``sim.clusters.descriptive_stats`` (variable, n, mean, sd, min, max) beside the paper's
    (same columns but n), as ``variable, n, mean, paper_mean, sd, paper_sd, min, paper_min, max, paper_max``."""
    p2 = paper.add_prefix("paper_").rename(columns={"paper_variable": "variable"})
    t2 = ours.merge(p2, on="variable", how="left")
    return t2[["variable", "n", "mean", "paper_mean", "sd", "paper_sd", "min", "paper_min", "max", "paper_max"]]


def correlation_stars(r: pd.DataFrame, pvalues: pd.DataFrame) -> pd.DataFrame:
    """Table 3's layout: the lower triangle of ``r`` as "0.123**" (stars from ``pvalues``), "1" on the
    diagonal, blank above; a ``variable`` column first."""
    return _lower_triangle(list(r.columns), lambda a, b: f"{r.loc[a, b]:.3f}{stars(pvalues.loc[a, b])}")


def paper_correlations(paper: pd.DataFrame, cols: list) -> pd.DataFrame:
    """The paper's Table 3 (``variable`` + one column per variable) in :func:`correlation_stars`' layout
    (its stars are not in the CSV: numbers only)."""
    p3 = paper.set_index("variable")
    return _lower_triangle(cols, lambda a, b: f"{p3.loc[a, b]:.3f}")


def _lower_triangle(cols: list, cell) -> pd.DataFrame:
    """A correlation table's layout: ``cell(row, column)`` below the diagonal, "1" on it, blank above;
    a ``variable`` column first."""
    out = pd.DataFrame("", index=cols, columns=cols)
    for i, a in enumerate(cols):
        for b in cols[:i]:
            out.loc[a, b] = cell(a, b)
        out.loc[a, a] = "1"
    return out.reset_index(names="variable")


# --------------------------------------------------------------------------- instruments, Fig. 4, Fig. 5
def instrument_sets(panel: pd.DataFrame, ginv: str = "pinv") -> pd.DataFrame:
    """Models 1-3 of Table 4 under the four :data:`INSTRUMENT_SETS`: ``instruments`` (the set's label),
    ``model, n_instruments, n_groups, sargan_p, hansen_p, hansen_df, IP_coef, IP_z``."""
    from sim import robustness as rb

    rows = []
    for label, collapse, max_lag in INSTRUMENT_SETS:
        for m in (1, 2, 3):
            r = rb.wang_model(panel, m, collapse, max_lag, ginv=ginv).fit()
            rows.append({"instruments": label, "model": m, "n_instruments": r.n_instruments,
                         "n_groups": r.n_groups, "sargan_p": r.sargan.pvalue,
                         "hansen_p": r.hansen.pvalue, "hansen_df": r.hansen.df,
                         "IP_coef": r.params.get("IP", np.nan), "IP_z": r.z.get("IP", np.nan)})
    return pd.DataFrame(rows)


def moderation_lines(result, panel: pd.DataFrame, paper_t4: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fig. 4: ``sim.robustness.moderation`` of this data's Model 3 ``result`` (source
    :data:`SOURCE_OURS`) and of the paper's Table 4 Model 3 coefficients at this data's means
    (:data:`SOURCE_PAPER`); ``line`` = "source: nc_level"."""
    from sim import robustness as rb

    ours = rb.moderation(result, panel).assign(source=SOURCE_OURS)
    t4 = _paper_table("wang2025_table4_system_gmm.csv") if paper_t4 is None else paper_t4
    p = t4[t4["model"] == 3].set_index("term")["coef"]
    params = pd.Series({o: p[t] for o, t in rb.PAPER_TERMS.items() if t in p.index})
    paper = rb.moderation(SimpleNamespace(params=params), panel).assign(source=SOURCE_PAPER)
    out = pd.concat([ours, paper], ignore_index=True)
    out["line"] = out["source"] + ": " + out["nc_level"]
    return out


def sensitivity_changes(sens: pd.DataFrame, reference: int = 80) -> pd.DataFrame:
    """Fig. 5: ``sim.clusters.threshold_sensitivity`` with ``added_vs_p80`` / ``dropped_vs_p80``, the clusters
    gained and lost against the ``reference`` percentile (";"-joined, sorted)."""
    s = sens.copy()
    ref = set(s.loc[s["percentile"] == reference, "clusters"].iloc[0].split(";")) - {""}
    sets = [set(x.split(";")) - {""} for x in s["clusters"]]
    s["added_vs_p80"] = [";".join(sorted(x - ref)) for x in sets]
    s["dropped_vs_p80"] = [";".join(sorted(ref - x)) for x in sets]
    return s


def as_text(df: pd.DataFrame, formats: dict, missing: str = "-") -> pd.DataFrame:
    """A display copy with ``formats`` (column -> format string) applied and ``missing`` for missing values."""
    out = df.copy()
    for c, f in formats.items():
        out[c] = [(missing if pd.isna(v) else f.format(v)) for v in df[c]]
    return out
