"""Cached wrappers around the Study A spatial and dynamics analyses, and their widget keys.

Pages "Spatial patterns" (``pages/spatial.py``) and "Dynamics" (``pages/dynamics.py``) call only
these. Everything is numpy/scipy.special (no esda/giddy import: ~2.5 s and ~5 s, plus a ~17 s numba
compile for esda's local Moran), so a fresh process renders the pages quickly.
"""
from __future__ import annotations


import numpy as np
import pandas as pd
import streamlit as st

from ui.paper import paper_scalars as _paper_scalars
from ui.paper import paper_table

from sim import schema
from ui.i18n import N_, _, tr, unit_text
from ui.text import md_escape

# --- widget keys (session state) -------------------------------------------------------------
SP_YEAR = "spatial_year"
SP_PERMUTATIONS = "spatial_permutations"
SP_ALPHA = "spatial_alpha"
DY_SCHEME = "dynamics_class_scheme"
DY_PROXIMITY = "dynamics_proximity"
DY_K = "dynamics_knn_k"
DY_KDE_SCOPE = "dynamics_kde_scope"
EW_WINDOW = "warning_window"
EW_RISE = "warning_rise_min"
EW_TOL = "warning_stall_tolerance"
EW_YEAR = "warning_map_year"
D_MEASURE = "spatial_d_measure"  # widget key, suffixed per page
TRADITIONAL = "trad"

SEED = 20260101
GLOBAL_MORAN_LABELS = {"year": N_("Year"), "I": N_("Moran's I"), "EI": N_("Expected I (no pattern)"), "z_norm": N_("z (normal)"),
                       "p_norm": N_("p (normal)"), "p_rand": N_("p (randomisation)"), "p_sim": N_("p (permutation)"),
                       "paper_I": N_("Moran's I (paper, Table 3)"), "paper_p": N_("p (paper, Table 3)")}
DAGUM_LABELS = {"component": N_("Component"), "recomputed_mean_pct": N_("This data: mean share of G (%)"),
                "paper_mean_pct": N_("Paper: mean share of G (%)")}
DAGUM_COMPONENTS = {"within": N_("within regions"), "net_between": N_("between regions (net)"),
                    "transvariation": N_("overlap of regions (transvariation)")}
SCHEMES = {"Fixed cut-offs 0.25 / 0.5 / 0.75 (paper's coordination types)": "fixed",
           "Pooled quartiles (what the paper's Table 4 counts imply)": "quartile"}
PROXIMITY = {"Contiguity (shared border; Hainan linked to its 2 nearest capitals)": "contiguity",
             "k nearest capitals": "knn"}
CLUSTER_COLOURS = {"HH": (215, 48, 39), "LH": (145, 191, 219), "LL": (69, 117, 180), "HL": (252, 141, 89),
                   "not significant": (225, 225, 225)}
CLUSTER_HEX = {k: "#%02x%02x%02x" % v for k, v in CLUSTER_COLOURS.items()}
CLUSTER_WORDS = {"not significant": N_("not significant")}  # HH, LH, LL, HL stay as codes
# sim.moran.QUADRANT_NAMES and P_VALUE_NOTE, sim.weights.PGDP_GUARD_RULE marked for the catalogue
# (tests/test_i18n.py checks they are the same as in sim/)
QUADRANT_WORDS = {"HH": N_("High-High (promotion)"), "LH": N_("Low-High (transition)"),
                  "LL": N_("Low-Low (backward)"), "HL": N_("High-Low (radiation)")}
P_VALUE_NOTE = N_("p_norm, p_rand: two-sided normal approximation (normality / randomisation "
                  "assumption). p_sim: one-sided folded permutation p-value, (min(#I_perm >= I, "
                  "#I_perm < I) + 1)/(permutations + 1).")
PGDP_GUARD_RULE = N_(
    "Equal GDP per capita would make 1/|PGDP_i - PGDP_j| infinite. Every |PGDP_i - PGDP_j| is "
    "replaced by max(|PGDP_i - PGDP_j|, f x (max PGDP - min PGDP)) with f = {f:g}, so pairs closer "
    "than that floor all get the same (largest) economic weight.")
# its twin when other units than the 30 study provinces are loaded (the Chinese of the rule says 省份对)
PGDP_GUARD_RULE_UNITS = N_(
    "Equal GDP per capita would make 1/|PGDP_i - PGDP_j| infinite. Every |PGDP_i - PGDP_j| is "
    "replaced by max(|PGDP_i - PGDP_j|, f x (max PGDP - min PGDP)) with f = {f:g}, so pairs of units "
    "closer than that floor all get the same (largest) economic weight.")


def cluster_word(code: str) -> str:
    """A LISA cluster code (HH, LH, LL, HL) or "not significant" in the session's language."""
    return _(CLUSTER_WORDS[code]) if code in CLUSTER_WORDS else code


def sim_text(marked: str, english: str) -> str:
    """A text of ``sim`` in the session's language when the marked copy ``marked`` is the same text."""
    return _(marked) if marked == english else english
FLAG_COLOURS = {"none": (255, 250, 232), "1 year": (253, 204, 138), "2 years": (252, 141, 89),
                "3 or more years": (215, 48, 31)}
FLAG_WORDS = {"none": N_("none"), "1 year": N_("1 year"), "2 years": N_("2 years"),
              "3 or more years": N_("3 or more years")}
OPTION_WORDS = {  # SCHEMES and PROXIMITY labels, as shown
    "Fixed cut-offs 0.25 / 0.5 / 0.75 (paper's coordination types)":
        N_("Fixed cut-offs 0.25 / 0.5 / 0.75 (paper's coordination types)"),
    "Pooled quartiles (what the paper's Table 4 counts imply)":
        N_("Pooled quartiles (what the paper's Table 4 counts imply)"),
    "Contiguity (shared border; Hainan linked to its 2 nearest capitals)":
        N_("Contiguity (shared border; Hainan linked to its 2 nearest capitals)"),
    "k nearest capitals": N_("k nearest capitals")}
# PROXIMITY labels as shown when other units than the 30 study provinces are loaded (no Hainan, no capitals)
OPTION_WORDS_UNITS = {"Contiguity (shared border; Hainan linked to its 2 nearest capitals)":
                      N_("Contiguity (shared border, where the units' boundaries are loaded; else k nearest)"),
                      "k nearest capitals": N_("k nearest units")}


def option_word(option: str, own: bool = False) -> str:
    """A SCHEMES or PROXIMITY label as shown (translated); ``own``: the wording for other units than the
    study provinces."""
    return _((OPTION_WORDS_UNITS if own else {}).get(option, OPTION_WORDS[option]))


# sim.markov.CLASS_LABELS_FIXED and EMPTY_ROW_RULE, sim.weights.ISLAND_RULE, sim.density's scope "National"
# marked for the catalogue (tests/test_i18n.py checks they are the same as in sim/)
CLASS_LABELS_FIXED = (N_("Low [0, 0.25]"), N_("Medium (0.25, 0.5]"), N_("High (0.5, 0.75]"), N_("Extreme (0.75, 1]"))
EMPTY_ROW_RULE = N_("A class never observed as a starting state has no estimated row. For steady states "
                    "and passage times, an empty row of a neighbourhood-conditional matrix takes the pooled "
                    "(traditional) row, the best estimate without neighbourhood-specific evidence; a row "
                    "empty in the pooled matrix too becomes a self-loop (probability 1 of staying).")
ISLAND_RULE = N_("Provinces whose boundary touches no other province (Hainan is an island) are linked, in both "
                 "directions, to the {k} provinces with the nearest capitals (great-circle distance).")
NATIONAL = N_("National")
RECURRENT_WARNING = N_("The chain has {n} recurrent classes (classes numbered from 1: {names}), so its steady state "
                       "is not unique: it depends on the starting class. NaN returned; stationary_distributions() "
                       "gives one distribution per recurrent class.")
ZERO_DOF_WARNING = N_("Homogeneity test has 0 degrees of freedom: no starting class is observed both in at least "
                      "two neighbourhood (lag) classes and with at least two destination classes, so there is "
                      "nothing to compare; p-values are NaN. More transitions (years or regions) or fewer classes "
                      "are needed.")


def markov_warning(message: str) -> str:
    """A ``sim.markov.MarkovWarning`` message in the session's language (as it is when not recognised)."""
    import re

    m = re.fullmatch(r"The chain has (\d+) recurrent classes \(classes numbered from 1: (.*?)\), so its steady "
                     r"state is not unique: it depends on the starting class\. NaN returned; "
                     r"stationary_distributions\(\) gives one distribution per recurrent class\.", message)
    if m:
        return _(RECURRENT_WARNING).format(n=m.group(1), names=m.group(2))
    return _(ZERO_DOF_WARNING) if message == ZERO_DOF_WARNING else message


def coupling_table(panel: pd.DataFrame) -> pd.DataFrame:
    """h_nqpf, h_inno, C, T, D (traditional, entropy weights) per province-year, shared with the
    Coupling page's cache (``ui.coupling.traditional``)."""
    from ui import coupling as cp

    return cp.traditional(cp.panel_fingerprint(panel), panel)


def active_units():
    """The units of the session's province panel (``sim.units.UnitSet``): the 30 provinces, or the
    cities/counties/regions the user loaded with coordinates."""
    from sim.units import units_of
    from ui import state

    return units_of(state.dataset().get("provinces"))


def wide(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """units x years matrix of one column, rows in the loaded units' order (provinces: GB/T 2260)."""
    present = set(table[schema.PROVINCE])
    names = [p for p in active_units().names if p in present]
    known = set(names)
    names += [p for p in dict.fromkeys(table[schema.PROVINCE]) if p not in known]
    return table.pivot(index=schema.PROVINCE, columns=schema.YEAR, values=column).loc[names]


def econ_geo_matrix(panel: pd.DataFrame, names: tuple):
    """(key, W) of Moran's I (raw) for ``names``: the paper's economic-geographic W, PGDP = long-run
    mean GDP per capita; without GDP per capita, inverse-distance-squared weights (said on the page).
    Above ``sim.weights.DENSE_ECON_GEO_LIMIT`` units W is sparse (each unit's strongest links, said on
    the page with the share of weight kept); ``key`` identifies it for the caches of the Moran tables."""
    from sim.units import units_of

    from ui.coupling import panel_fingerprint

    units = units_of(panel)
    if "gdp_per_capita" not in panel.columns:
        st.info(_("No GDP per capita in the loaded data: Moran's I uses inverse-distance-squared weights "
                  "(1/d², great-circle distance between the units) instead of the paper's "
                  "economic-geographic weights."))
    key = f"{panel_fingerprint(panel)}|{hash(tuple(names))}"
    choice = _moran_w(key, tuple(names), panel, units)
    if choice.message:
        st.info(choice.message)
    return key, choice.W


@st.cache_resource(show_spinner=False, max_entries=8)
def _moran_w(key: str, names: tuple, _panel: pd.DataFrame, _units):
    """The affordable W (``sim.weights.WeightsChoice``, read-only, shared): dense and exact up to 300
    units, each unit's strongest links above."""
    from sim import weights

    lat, lon = _units.coords(list(names))
    if "gdp_per_capita" in _panel.columns:
        return weights.econ_geo_for_inference(lat, lon, weights.long_run_mean_pgdp(_panel, names))
    return weights.inverse_distance_for_inference(lat, lon)


def proximity_matrix(kind: str, k: int, names: tuple) -> np.ndarray:
    """Geographic-proximity W for the spatial Markov chain: shipped-boundary contiguity or kNN.
    Units other than the 30 provinces have no boundaries: k nearest neighbours (said on the page)."""
    units = active_units()
    if not units.provinces:
        from ui.state import unit_boundaries

        own = unit_boundaries() if kind != "knn" else None
        key = "" if own is None else ",".join(sorted(own.features))
        W, note = _own_proximity(int(k), tuple(names), units.key, key, units, own)
        if kind != "knn":
            st.info(md_escape(tr(note)))
        return W
    return _proximity(kind, int(k), tuple(names), units.key, units)


@st.cache_data(show_spinner=False, max_entries=8)
def _own_proximity(k: int, names: tuple, units_key: str, boundaries_key: str, _units, _own):
    """Proximity W of units other than the provinces (contiguity of their polygons, or kNN), cached."""
    from sim.units import contiguity_or_knn

    return contiguity_or_knn(_own, _units, names, k)


@st.cache_data(show_spinner=False, max_entries=8)
def _proximity(kind: str, k: int, names: tuple, units_key: str, _units) -> np.ndarray:
    import json

    from sim import weights

    lat, lon = _units.coords(list(names))
    if kind == "knn":
        return weights.knn_weights(lat, lon, min(int(k), len(names) - 1))
    path = schema.DATA_DIR / "geo" / "provinces_ne10m_simplified.geojson"
    return weights.contiguity_from_geojson(json.loads(path.read_text(encoding="utf-8")), list(names), lat, lon)


@st.cache_data(show_spinner=False, max_entries=16)
def global_moran(D: pd.DataFrame, w_key: str, _W, permutations: int) -> pd.DataFrame:
    """Global Moran by year; ``w_key`` names the weights ``_W`` (dense or sparse, not hashed)."""
    from sim import moran

    return moran.global_moran_by_year(D, _W, permutations, seed=SEED)


@st.cache_data(show_spinner=False, max_entries=16)
def local_moran(D: pd.DataFrame, w_key: str, _W, permutations: int, alpha: float) -> pd.DataFrame:
    """Local Moran (LISA) of every unit-year; ``w_key`` names the weights ``_W``."""
    from sim import moran

    return moran.local_moran_panel(D, _W, permutations, seed=SEED, alpha=alpha)


def dagum(D: pd.DataFrame) -> pd.DataFrame:
    """Dagum decomposition by the loaded units' groups (provinces: NBS East/Central/West)."""
    u = active_units()
    return _dagum(D, u.key, u.group_map(), tuple(u.group_order))


@st.cache_data(show_spinner=False, max_entries=8)
def _dagum(D: pd.DataFrame, units_key: str, groups: dict, order: tuple) -> pd.DataFrame:
    from sim import inequality

    return inequality.dagum_by_year(D, groups, order=order)


def kde(D: pd.DataFrame) -> pd.DataFrame:
    """Kernel densities, national and per group of the loaded units."""
    u = active_units()
    return _kde(D, u.key, u.group_map(), tuple(u.group_order))


@st.cache_data(show_spinner=False, max_entries=8)
def _kde(D: pd.DataFrame, units_key: str, groups: dict, order: tuple) -> pd.DataFrame:
    from sim import density

    return density.kde_by_year(D, groups, order=order)


@st.cache_data(show_spinner=False, max_entries=8)
def joint_density(D: pd.DataFrame):
    from sim import density

    return density.joint_kde(D, num=60)


@st.cache_data(show_spinner=False, max_entries=16)
def markov_results(D: pd.DataFrame, W: np.ndarray, scheme: str):
    """(SpatialMarkov, MarkovChain) for the class scheme "fixed" or "quartile"."""
    from sim import markov

    sm = markov.spatial_markov(D, W, scheme)
    return sm, sm.pooled


@st.cache_data(show_spinner=False)
def paper_markov():
    from sim import markov

    return markov.paper_transition_matrices()


def paper_scalars() -> dict:
    return _paper_scalars("liu2026_scalars.csv")


@st.cache_data(show_spinner=False, max_entries=16)
def faults(H: pd.DataFrame, D: pd.DataFrame, window: int, rise_min: float, tol: float) -> pd.DataFrame:
    from sim import early_warning

    return early_warning.coupling_faults(H, D, window=window, rise_min=rise_min, stall_tolerance=tol)


def download(df: pd.DataFrame, file_name: str, label: str | None = None, key: str | None = None) -> None:
    """A CSV download button (``ui.downloads.csv_button``) with this page's widget-key prefix."""
    from ui.downloads import csv_button

    csv_button(df, file_name, label or _("Download CSV"), key or f"dl_{file_name}")


def d_measure_options() -> dict:
    """Label -> measure id: traditional D, or D_mlp of one of the Coupling page's methods."""
    from ui.coupling import METHOD_LABELS

    return {"Traditional D (entropy weights)": TRADITIONAL,
            **{f"D_mlp: {label}": method for method, label in METHOD_LABELS.items()}}


def d_source(ds, page: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str] | None:
    """(panel, table with h_inno and D, D wide, measure label) for the active dataset, or None with a
    message shown. The D measure is a select box (traditional by default: nothing to train; an MLP
    variant is trained once per process, with a progress bar, only when the user picks it)."""
    panel = ds.get("provinces")
    if panel is None:
        st.info(_("No province panel is loaded; load one on the Data page."))
        return None
    opts = d_measure_options()
    from ui.coupling import METHOD_LABELS
    from ui.i18n import bound

    T, _P = bound()
    shown = {"Traditional D (entropy weights)": T("Traditional D (entropy weights)"),
             **{f"D_mlp: {label}": f"D_mlp: {T(label)}" for label in METHOD_LABELS.values()}}
    label = st.selectbox(_("Coupling coordination degree analysed"), list(opts), key=f"{D_MEASURE}_{page}",
                         format_func=lambda o: shown.get(o, o),
                         help=_("The paper analyses its MLP-based D; the traditional D needs no training. "
                                "MLP variants are trained on first use (as on the Coupling page)."))
    measure = opts[label]
    from sim.units import units_of

    own = not units_of(panel).provinces  # other units than the 30 study provinces: "units", not "provinces"
    base = coupling_table(panel)
    if measure == TRADITIONAL:
        table = base
    else:
        from ui import coupling as cp

        fp = cp.panel_fingerprint(panel)
        ens = cp.trained_ensemble(fp, panel, measure)
        res = cp.results(fp, measure, panel, ens)
        table = base.assign(D=res["D_mlp"].to_numpy())
        cp.collapse_warning(ens, _("D_mlp on this page"), translate=True, units=not units_of(panel).provinces)
    D = wide(table, "D")
    if D.isna().to_numpy().any():
        missing = [f"{D.index[i]} {D.columns[j]}" for i, j in zip(*np.nonzero(D.isna().to_numpy()))]
        from ui.i18n import place

        missing = [f"{place(D.index[i])} {D.columns[j]}" for i, j in zip(*np.nonzero(D.isna().to_numpy()))]
        st.error(unit_text(N_("The spatial analyses need a balanced panel (every province in every year); D is "
                              "missing for {n} province-years: {which}{more}. Fill the gaps on the Data page or "
                              "upload a complete panel."),
                           N_("The spatial analyses need a balanced panel (every unit in every year); D is "
                              "missing for {n} unit-years: {which}{more}. Fill the gaps on the Data page or "
                              "upload a complete panel."), own).format(n=len(missing), which=", ".join(missing[:12]),
                                             more=" ..." if len(missing) > 12 else ""))
        return None
    if D.shape[0] < 4 or D.shape[1] < 2:
        st.error(unit_text(N_("The spatial analyses need at least 4 provinces and 2 years; the panel has "
                              "{units} provinces and {years} years."),
                           N_("The spatial analyses need at least 4 units and 2 years; the panel has "
                              "{units} units and {years} years."), own).format(units=D.shape[0], years=D.shape[1]))
        return None
    return panel, table, D, label
