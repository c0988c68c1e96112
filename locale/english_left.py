"""What is still English on each page in Chinese mode (``?lang=zh``), on the demo data.

    python locale/english_left.py            # counts per page
    python locale/english_left.py -v         # and every English text segment

Runs every page of the navigation with Streamlit's AppTest (the Simulator in each of its views, with a
preset; AI clusters with each technical section opened in turn), collects the visible text (titles, headers, Markdown, captions, alerts, widget labels, help
and options, expander labels) and reports the segments that contain an English word outside an
allow-list of acronyms, method abbreviations, units, codes and names kept as published. Charts and
table cells are not inspected (the browser test looks at screenshots).
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ALLOWED = {
    # acronyms, abbreviations and symbols of the methods
    "AI", "MLP", "GMM", "IP", "NC", "TI", "ED", "IC", "IE", "SE", "CCA", "JSON", "CSV", "HTML", "PDF", "Excel",
    "ln", "Eq", "coef", "Q_b", "L.TI", "h_inno", "out_of_range", "Sargan", "Hansen", "Windmeijer", "Moran",
    "Dagum", "Gini", "Delta", "GeoNames", "geonames", "org", "Natural", "Earth", "CC", "BY", "Wang", "Liu",
    "et", "al", "doi", "Table", "Model", "Markov", "Monte", "Carlo", "NQPF", "R&D", "GB", "ISO", "BOM",
    "geonames.org", "Moran's",
    # English terms researchers expect, in brackets after the Chinese one: 接近中心性（closeness centrality）
    "closeness", "centrality",
    # names of methods, software and functions kept as researchers write them (Coupling, Spatial, Dynamics)
    "Spearman", "Wilcoxon", "Scott", "Scott's", "ReLU", "Adam", "PyTorch", "MATLAB", "ksdensity", "Stata", "SPSS",
    "scipy", "cos", "sqrt", "D_mlp", "D_trad", "oracle", "python", "bench", "coupling_recovery.py",
    "scipy.stats.gaussian_kde", "scipy.stats.wilcoxon", "method", "approx", "D_t", "MAD",
    # symbols of the spatial statistics (Moran's I, LISA cluster codes, Dagum components, weights)
    "LISA", "GDP", "PGDP", "PGDP_i", "PGDP_j", "W_ij", "W_ii", "d_ij", "p_sim", "p_norm", "p_rand", "I_perm",
    "max", "min", "HH", "LH", "LL", "HL", "G_w", "G_nb", "G_t", "G_jh",
    # the Markov chains' test (Bickenbach-Bode), likelihood ratio and a function named in a warning
    "Bickenbach", "Bode", "LR", "stationary_distributions",
    # the language switch names each language in its own language
    "Language", "English",
    # codes a user types in the tables (explained in Chinese next to them)
    "pct", "abs", "set", "add", "remove", "scale", "East", "Central", "West", "all", "mode",
    # file formats and encodings
    "UTF", "GBK", "xlsx", "GeoJSON", "FeatureCollection", "WGS", "README",
    # the AI clusters page (Wang et al. 2025): acronyms and symbols of the paper (location quotient LQ,
    # variance inflation factor VIF, IV-style instruments, the NB2 model, firm variables GS, EP, CS, OC,
    # subscripted symbols of Eqs. 2-3, the slope dTI/dIP), names of methods' authors, the log function, and
    # Stata/xtabond2 syntax and options and a module named as they are written (lag(2 .), twostep robust,
    # pinv, invsym, sim.clusters)
    "LQ", "VIF", "IV", "NB", "GS", "EP", "CS", "OC", "TI_firm", "L.TI_firm", "L.GS", "NC_i", "TI_i", "IP_i",
    "sum_j", "dTI", "dIP", "b_IP", "AR", "Wasserman", "Faust", "Roodman", "Moore", "Penrose", "Sobel",
    "xtabond", "pinv", "invsym",
}
# Ordinary English words allowed on one page only, where they are codes (a page's own list does not relax
# the check of the other pages)
PAGE_ALLOWED = {
    # the column ids of the upload files (the file format: a Chinese header is accepted too, but these ids
    # are what the templates and sheets contain)
    "data.py": frozenset({"id", "name", "name_zh", "system", "dimension", "direction", "unit", "nqpf", "inno",
                          "lat", "lon", "group"}),
    # the log function, Stata/xtabond2 options as written (lag(2 .), twostep robust) and a module name
    "clusters.py": frozenset({"log", "twostep", "robust", "lag", "sim.clusters"}),
}
# the technical sections of the AI clusters page, each opened in turn (ui.clusters.SECTION_WORDS)
CLUSTER_SECTIONS = ("Cooperation (Table 1)", "Network centrality", "Descriptive statistics (Tables 2-3)",
                    "Policy effect: system GMM (Table 4)", "Moderation by centrality (Fig. 4)",
                    "Placebo test (Fig. 6)", "Threshold sensitivity (Fig. 5)", "Mechanism: subsidies (Table 5)",
                    "Negative binomial (Table 6)")
WORD = re.compile(r"[A-Za-z][A-Za-z_.&']+")
# the two papers' references on Home are kept as published (English titles and journals)
CITATION = re.compile(r"Liu, Y\., Wang.*?doi:\S+|Wang, T\., Yu.*?doi:\S+", re.S)


def _pages():
    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return [f for _, f, _, _ in pages]


def _texts(at) -> list[str]:
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "expander"):
        for e in getattr(at, kind):
            out.append(getattr(e, "label", None) if kind == "expander" else e.value)
    for kind in ("selectbox", "multiselect", "radio", "slider", "select_slider", "number_input", "text_input",
                 "button", "toggle", "checkbox", "segmented_control", "download_button"):
        for w in getattr(at, kind, []):
            out.append(getattr(w, "label", "") or "")
            out.append(getattr(w, "help", "") or "")
            out += [str(o) for o in getattr(w, "options", []) or []]
    return [t for t in out if t]


def english(text: str, page: str | None = None) -> list[str]:
    """The English words of ``text`` outside the allow-list (and ``page``'s own list, e.g. ``"data.py"``)."""
    allowed = ALLOWED | PAGE_ALLOWED.get(page, frozenset())
    text = CITATION.sub("", text.replace("\\", ""))
    return [w for w in WORD.findall(text) if w.strip(".'") not in allowed and len(w.strip(".'")) > 1]


def run_page(file: str, view: str | None = None):
    from streamlit.testing.v1 import AppTest

    from ui.simulator import PRESETS

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.query_params["lang"] = "zh"
    if file == "simulator.py":
        for k, v in PRESETS["Western digital infrastructure push"].to_query_params().items():
            at.query_params[k] = v
    at.run()
    if file != "home.py":
        at.switch_page(f"pages/{file}")
        at.run()
    if view and file == "clusters.py":
        at.button_group(key="clusters_section").set_value(view).run()
        if view == "Placebo test (Fig. 6)":  # the result too: a short run
            at.number_input(key="clusters_placebo_replications").set_value(100).run()
            at.button(key="clusters_placebo_run").click().run()
    elif view:
        at.segmented_control(key="sim_view").set_value(view).run()
    return at


def report(verbose: bool = False) -> dict:
    counts = {}
    for file in _pages():
        views = ([None, *CLUSTER_SECTIONS] if file == "clusters.py" else [None] if file != "simulator.py"
                 else ["Class shares", "Provinces", "Map", "AI clusters", "Compare", "Share"])
        seen, segments = set(), []
        for view in views:
            at = run_page(file, view)
            for t in _texts(at):
                if t not in seen and english(t, file):
                    seen.add(t)
                    segments.append(t)
        words = sum(len(english(t, file)) for t in segments)
        counts[file] = (len(segments), words)
        print(f"{file:16s} {len(segments):4d} text segments with English, {words:5d} English words")
        if verbose:
            for t in segments:
                print("    -", " ".join(t.split())[:160])
    return counts


if __name__ == "__main__":
    report("-v" in sys.argv)
