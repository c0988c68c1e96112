"""Cached wrappers around ``sim.coupling``, ``sim.mlp`` and ``sim.compare`` for the Coupling page,
and the page's widget keys.

Caching policy
--------------
* The entropy frame and traditional C/T/D: ``st.cache_data`` per dataset fingerprint.
* Trained MLP ensembles: once per (dataset fingerprint, method) per server process, by a
  ``st.cache_resource`` function that draws its own progress bar and empties it before returning
  (a cache hit replays both at once). Models are immutable (``sim.mlp`` freezes their arrays), so
  sharing them read-only between sessions is safe; nothing mutable is cached. ``trained_ensemble`` is also what the Simulator needs to
  re-infer D_mlp with the frozen towers.
* Derived tables (per-row results, Wilcoxon, type shares, densities): ``st.cache_data`` keyed by
  fingerprint and method; frames and models are passed with a leading underscore (not hashed).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st

from sim import schema
from sim.model_store import SEEDS  # five seeds, as the shipped models
from sim.units import units_of
from ui.i18n import N_, _

# --- widget keys (session state) -------------------------------------------------------------
CP_METHOD = "coupling_method"
CP_MAP_MEASURE = "coupling_map_measure"
CP_YEAR = "coupling_year"
CP_PROVINCES = "coupling_provinces"
CP_MLP = "coupling_compare_mlp"

METHOD_LABELS = {  # marked for the message catalogue (ui/i18n.py): the Simulator shows them translated
    "paper": N_("Paper's dual-tower MLP (as published)"),
    "crosspred": N_("Cross-prediction towers (non-degenerate, recommended)"),
    "cca": N_("Whitened towers (deep-CCA variant)"),
}
SHORT_LABELS = {"paper": N_("paper's MLP (as published)"), "crosspred": N_("cross-prediction MLP"),
                "cca": N_("whitened-towers MLP")}
# sim.mlp.METHODS, sim.density.BANDWIDTH_RULE and sim.mlp.FOLDS_RULE / ROWS_RULE marked for the catalogue
# (tests/test_i18n.py checks they are the same as in sim/)
METHOD_NOTES = {
    "paper": N_("Liu et al. (2026) as published: negative mean cosine of paired tower embeddings, "
                "C = (cos+1)/2. Collapses (positive pairs only); shown for comparison."),
    "crosspred": N_("Out-of-fold cross-prediction: each tower predicts the other system's indicators "
                    "on held-out provinces (the towers never see them; the rank-Gaussian scaling of "
                    "the indicators is fitted on all rows); C = 1/(1 + held-out error). Non-degenerate."),
    "cca": N_("Paper's towers with a whitening (deep-CCA) term that forbids collapse; C = 1/(1 + "
              "held-out squared embedding distance / 2K), out-of-fold by province."),
}
# the notes with "units" instead of "provinces": shown when other units than the 30 study provinces are loaded
METHOD_NOTES_UNITS = {
    "paper": METHOD_NOTES["paper"],
    "crosspred": N_("Out-of-fold cross-prediction: each tower predicts the other system's indicators "
                    "on held-out units (the towers never see them; the rank-Gaussian scaling of "
                    "the indicators is fitted on all rows); C = 1/(1 + held-out error). Non-degenerate."),
    "cca": N_("Paper's towers with a whitening (deep-CCA) term that forbids collapse; C = 1/(1 + "
              "held-out squared embedding distance / 2K), out-of-fold by unit."),
}
BANDWIDTH_RULE = N_(
    "Gaussian kernel, bandwidth by Scott's rule (as scipy.stats.gaussian_kde): h = n^(-1/5) x sample "
    "standard deviation in 1-D; in 2-D the kernel covariance is n^(-1/3) x the sample covariance "
    "of (D_t, D_t+1) (a full, not product, kernel). The paper used MATLAB ksdensity "
    "(h = MAD/0.6745 x (4/(3n))^(1/5)) and Stata for the joint density, so curves may differ slightly.")
FOLDS_RULE = N_(
    "{n_groups:,} units: one fold per unit would train {n_groups:,} fold models, each on all {n_rows:,} "
    "rows (the cost grows with units x rows: over ten minutes for ~300 units, hours for thousands, on 2 "
    "cores), so the units are dealt into {n_folds} folds of whole units (each unit's C still comes "
    "from a model that never saw it){rows}.")
ROWS_RULE = N_(", and each fold model trains on a seeded sample of {rows:,} of its training rows")
NOT_COLLAPSED = N_("C varies across province-years (std {c_std:.3f}, range {c_range:.3f}); no collapse detected.")
NOT_COLLAPSED_UNITS = N_("C varies across unit-years (std {c_std:.3f}, range {c_range:.3f}); no collapse detected.")
MEASURE_NAMES = {"Traditional D (entropy weights)": N_("Traditional D (entropy weights)"), "MLP D": N_("MLP D"),
                 "D_trad": N_("Traditional D"), "D_mlp": N_("MLP D")}


def method_note(method: str, units: bool = False) -> str:
    """``sim.mlp.METHODS[method]`` in the session's language; ``units``: its twin about units (other units
    than the 30 study provinces loaded)."""
    from sim.mlp import METHODS

    if METHOD_NOTES.get(method) != METHODS.get(method):
        return METHODS.get(method, "")
    return _(METHOD_NOTES_UNITS[method] if units else METHOD_NOTES[method])


def folds_message(folds: dict, n_rows: int) -> str:
    """``diagnostics["folds"]["message"]`` in the session's language (as it is when it cannot be rebuilt)."""
    message = folds.get("message") or ""
    try:
        n_groups = folds.get("n_groups") or n_rows
        rows = folds.get("train_rows")
        args = dict(n_groups=n_groups, n_rows=n_rows, n_folds=folds["n_folds"])
        english = FOLDS_RULE.format(**args, rows="" if rows is None else ROWS_RULE.format(rows=rows))
        if english == message:
            return _(FOLDS_RULE).format(**args, rows="" if rows is None else _(ROWS_RULE).format(rows=rows))
    except (KeyError, TypeError, ValueError):
        pass
    return message


def diagnostics_message(ens, units: bool = False) -> str:
    """``ens.diagnostics["message"]`` in the session's language; ``units``: the twin about units."""
    d = ens.diagnostics
    if d["collapsed"]:
        twin = COLLAPSE_MESSAGE_UNITS if units else COLLAPSE_MESSAGE
        return _(twin).format(**d) if d["message"] == COLLAPSE_MESSAGE.format(**d) else d["message"]
    twin = NOT_COLLAPSED_UNITS if units else NOT_COLLAPSED
    return _(twin).format(**d) if d["message"] == NOT_COLLAPSED.format(**d) else d["message"]
DEFAULT_METHOD = "crosspred"  # the page opens on a non-degenerate method; the paper's is one click away
RESULT_LABELS = {
    "province": N_("Province"), "year": N_("Year"), "region": N_("Region"), "mlp_method": N_("MLP method"),
    "h_nqpf": N_("Productive forces index h1 (0-1)"), "h_inno": N_("Innovation allocation index h2 (0-1)"),
    "T": N_("Development level T (0-1)"), "C_trad": N_("Coupling C, traditional (0-1)"),
    "D_trad": N_("Coordination D, traditional (0-1)"), "C_mlp": N_("Coupling C, MLP (0-1)"),
    "C_mlp_sd_seeds": N_("C, MLP: sd across 5 seeds"), "D_mlp": N_("Coordination D, MLP (0-1)"),
    "D_mlp_sd_seeds": N_("D, MLP: sd across 5 seeds"), "type_trad": N_("Coordination type, traditional"),
    "type_mlp": N_("Coordination type, MLP"),
}


def result_labels(units: bool = False) -> dict:
    """``RESULT_LABELS``; when other units than the study provinces are loaded, "Unit" and "Group" for the
    province and region columns."""
    return {**RESULT_LABELS, "province": N_("Unit"), "region": N_("Group")} if units else RESULT_LABELS


DEFAULT_PROVINCES = ("Beijing", "Jiangsu", "Fujian", "Inner Mongolia", "Qinghai", "Gansu")


def panel_fingerprint(panel: pd.DataFrame) -> str:
    """A short hash of the province panel's contents (``sim.model_store.panel_fingerprint``): the cache
    key of everything derived from it. Computed on every run (about a millisecond for 330 rows) rather
    than cached by object id, which Python may reuse for a different frame after the old one is freed."""
    from sim.model_store import panel_fingerprint as fingerprint

    return fingerprint(panel)


@st.cache_resource(show_spinner=False, max_entries=4)
def _frame(fp: str, _panel: pd.DataFrame):
    from sim.coupling import EntropyFrame

    return EntropyFrame.fit(_panel)


def frame(fp: str, panel: pd.DataFrame):
    """The fitted (frozen, immutable) entropy frame of the panel."""
    return _frame(fp, panel)


@st.cache_data(show_spinner=False, max_entries=8)
def traditional(fp: str, _panel: pd.DataFrame) -> pd.DataFrame:
    """province, year, h_nqpf, h_inno, C, T, D with the entropy frame (Liu et al. 2026, Eqs. 1-6)."""
    return frame(fp, _panel).transform(_panel)


@st.cache_data(show_spinner=False, max_entries=8)
def traditional_results(fp: str, _panel: pd.DataFrame) -> pd.DataFrame:
    """One row per province-year with the traditional measure only (nothing to train): the columns of
    ``results`` without the MLP ones (``sim.coupling_tables.results_table``)."""
    from sim.coupling_tables import results_table

    return results_table(traditional(fp, _panel), units_of(_panel).group_map())


@st.cache_data(show_spinner=False, max_entries=8)
def weights_table(fp: str, _panel: pd.DataFrame) -> pd.DataFrame:
    from sim.indicators import system_of

    reg = {i.id: i.name for i in system_of(_panel).indicators}
    w = frame(fp, _panel).weights_frame()
    w.insert(2, "name", w["indicator"].map(reg))
    return w


MAX_STORED_MODELS = 12  # (dataset, method) pairs kept per process; the least recently used is dropped
PROGRESS_STEPS = 20  # progress-bar updates per training (they are replayed on every cache hit)


@st.cache_resource(show_spinner=False, max_entries=MAX_STORED_MODELS)
def _ensemble(fp: str, method: str, _panel: pd.DataFrame):
    """Train once per (dataset, method) per process, or read the shipped model when the dataset is the
    demo's (``sim.model_store``); the ensemble is read-only afterwards (inference only), so sharing it
    between sessions is safe.

    The progress bar is created inside the cached function and emptied before it returns: Streamlit
    records the calls and replays them on a cache hit, where they draw and remove the bar at once.
    """
    from sim import model_store

    shipped = model_store.load_shipped(method, fp, SEEDS)  # the demo's models ship trained
    if shipped is not None:
        return shipped
    from ui.i18n import bound

    T = bound()[0]  # the session's language, fixed now (progress may be reported from a training thread)
    label = T(METHOD_LABELS[method]) if method in METHOD_LABELS else method
    bar = st.progress(0.0, text=T(N_("Training {label} (5 seeds, once per dataset)...")).format(label=label))
    shown = [-1]

    def progress(fraction, message):
        step = int(min(max(float(fraction), 0.0), 1.0) * PROGRESS_STEPS)
        if step > shown[0]:
            shown[0] = step
            bar.progress(step / PROGRESS_STEPS, text=T(N_("Training {label}: {message}")).format(
                label=label, message=training_step(message, T)))

    ens = model_store.fit_panel(_panel, method, SEEDS, frame=frame(fp, _panel), progress=progress)
    bar.empty()
    return ens


# sim.mlp's progress messages: "<method>, seed <s>: epoch <e>/<n>" (sim.mlp._progress_every) and "done"
_EPOCH = re.compile(r"^(?P<method>\w+), seed (?P<seed>\d+): epoch (?P<epoch>\d+)/(?P<epochs>\d+)$")


def training_step(message: str, gettext=None) -> str:
    """A progress message of ``sim.mlp`` in the session's language, or through ``gettext`` (the method is
    named by the bar's label already); any other message as it is."""
    gettext = gettext or _
    m = _EPOCH.match(str(message))
    if m:
        return gettext(N_("seed {seed}, epoch {epoch} of {epochs}")).format(
            seed=m["seed"], epoch=m["epoch"], epochs=m["epochs"])
    if message == "done":
        return gettext(N_("done"))
    return str(message)


def trained_ensemble(fp: str, panel: pd.DataFrame, method: str):
    """The 5-seed ensemble of ``method`` for this dataset: trained once per process, with a progress
    bar the first time."""
    return _ensemble(fp, method, panel)


@st.cache_data(show_spinner=False, max_entries=16)
def results(fp: str, method: str, _panel: pd.DataFrame, _ens) -> pd.DataFrame:
    """One row per province-year: traditional and MLP coupling, D and coordination types
    (``sim.coupling_tables.results_table``)."""
    from sim.coupling_tables import results_table

    trad = traditional(fp, _panel)
    return results_table(trad, units_of(_panel).group_map(), _ens.summary(trad["T"].to_numpy()), method)


@st.cache_data(show_spinner=False, max_entries=16)
def wilcoxon(fp: str, method: str, table: pd.DataFrame):
    from sim.compare import wilcoxon_test

    return wilcoxon_test(table["D_trad"].to_numpy(), table["D_mlp"].to_numpy())


@st.cache_data(show_spinner=False, max_entries=16)
def shares(fp: str, method: str, table: pd.DataFrame) -> pd.DataFrame:
    """Long table: year, measure, type, share (``sim.coupling_tables.type_shares_long``)."""
    from sim.coupling_tables import type_shares_long

    return type_shares_long(table)


@st.cache_data(show_spinner=False, max_entries=16)
def densities(fp: str, method: str, table: pd.DataFrame) -> pd.DataFrame:
    """Gaussian kernel density (Scott's rule) of D_trad and D_mlp pooled over all years
    (``sim.coupling_tables.pooled_densities``)."""
    from sim.coupling_tables import pooled_densities

    return pooled_densities(table)


def diagnostics_frame(ens) -> pd.DataFrame:
    d = ens.diagnostics

    def f(v, fmt="{:.4f}"):
        return _("not available") if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v)

    rows = [(_("Mean of C"), f(d["c_mean"])),
            (_("Std of C across rows"), f(d["c_std"])),
            (_("Range of C"), f(d["c_range"])),
            (_("Effective rank of embeddings (max 16)"), f(d["effective_rank"], "{:.2f}")),
            (_("Seed agreement (Spearman)"), f(d["seed_spearman"], "{:.3f}")),
            (_("Collapsed"), _("YES") if d["collapsed"] else _("no")),
            (_("Seeds"), ", ".join(map(str, d["seeds"]))),
            (_("Training time, 5 seeds (s)"), f(d["seconds"], "{:.1f}"))]
    return pd.DataFrame(rows, columns=[_("diagnostic"), _("value")])


def loss_history(ens) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"epoch": np.arange(1, len(m.diagnostics["loss_history"]) + 1),
                                    "loss": m.diagnostics["loss_history"], "seed": str(m.seed)})
                      for m in ens.members], ignore_index=True)


# sim.mlp.COLLAPSE_MESSAGE, marked for the message catalogue (tests/test_i18n.py checks they are the same)
COLLAPSE_MESSAGE = N_(
    "The paper's MLP has collapsed: its loss only rewards the two towers for pointing the same way, "
    "so both learned one constant direction and C is about {c_mean:.3f} for every province-year "
    "(spread across rows {c_std:.4f}). D_mlp is then just sqrt(T), the average development level: "
    "it says nothing about how well the two systems fit together. Being 'higher' and 'smoother' than "
    "D_trad is a symptom of this collapse, not a finding.")
COLLAPSE_MESSAGE_UNITS = N_(
    "The paper's MLP has collapsed: its loss only rewards the two towers for pointing the same way, "
    "so both learned one constant direction and C is about {c_mean:.3f} for every unit-year "
    "(spread across rows {c_std:.4f}). D_mlp is then just sqrt(T), the average development level: "
    "it says nothing about how well the two systems fit together. Being 'higher' and 'smoother' than "
    "D_trad is a symptom of this collapse, not a finding.")


def collapse_warning(ens, where: str = "", translate: bool = False, units: bool = False) -> None:
    """The plain-language collapse warning, shown once where the MLP results begin; ``translate``: in the
    session's language (pages translated so far); ``units``: the twin about units (other units than the
    study provinces loaded)."""
    d = ens.diagnostics
    if d["collapsed"]:
        message = d["message"]
        if translate and message == COLLAPSE_MESSAGE.format(**d):
            from ui.i18n import _

            message = _(COLLAPSE_MESSAGE_UNITS if units else COLLAPSE_MESSAGE).format(**d)
        from ui.i18n import lang

        colon = "：" if translate and lang() != "en" else ": "
        st.warning(("**" + where + colon.rstrip() + "** " if where else "") + message, icon=":material/warning:")


def download(df: pd.DataFrame, file_name: str, label: str | None = None, key: str | None = None,
             headers: dict | None = None, values: dict | None = None) -> None:
    """A CSV download button (``ui.downloads.csv_button``) with this page's widget-key prefix; in Chinese
    the columns of ``headers`` renamed and the cells of ``values`` in words (``ui.downloads.localised``)."""
    from ui.downloads import csv_button

    csv_button(df, file_name, label or _("Download CSV"), key or f"dl_coupling_{file_name}", headers=headers,
               values=values)


RECOVERY_CSV = schema.DATA_DIR.parent / "bench" / "results" / "coupling_recovery.csv"


@st.cache_data(show_spinner=False)
def recovery_benchmark(path: str = str(RECOVERY_CSV)) -> pd.DataFrame | None:
    """The figures ``bench/coupling_recovery.py`` last wrote (one row per process x method), or None
    when the benchmark has not been run in this checkout. Read, never typed into the page."""
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        return None
    df = pd.read_csv(p)
    expected = {"process", "method", "spearman_truth", "seed_stability", "collapsed"}
    if not expected <= set(df.columns):
        return None
    return df


def recovery_table(df: pd.DataFrame) -> pd.DataFrame:
    """Display frame of the benchmark: process, method, Spearman with the truth, seed stability."""
    out = df[["process", "method", "spearman_truth", "seed_stability", "collapsed"]].copy()
    return out.rename(columns={"spearman_truth": _("Spearman with truth"), "seed_stability": _("seed stability"),
                               "process": _("process"), "method": _("method"), "collapsed": _("collapsed")})


SYSTEM_NAMES = {"nqpf": N_("New quality productive forces"), "inno": N_("Innovation resource allocation")}


def weights_zh(wt: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """The entropy weights table with the indicator and system names in the session's language."""
    from sim.indicators import system_of

    zh = {i.id: i.name_zh or i.name for i in system_of(panel).indicators}
    return wt.assign(name=wt["indicator"].map(zh).fillna(wt["name"]),
                     system=wt["system"].map(lambda s: _(SYSTEM_NAMES[s]) if s in SYSTEM_NAMES else s))
