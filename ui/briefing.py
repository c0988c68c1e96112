"""A briefing to take away: one self-contained HTML page of a simulation (no Streamlit import).

Everything in it is read from the ``sim.simulate.SimulationResult`` the page shows: the plain
summary, what the model predicts and why, the one-sentence baseline, the scenario's changes in
words, a chart of the share of provinces at high or extreme coordination (inline SVG: the file
fetches nothing, so it opens offline and prints), the provinces and clusters that move, the notes,
the method and the data's provenance. Text is escaped (``html.escape``); numbers are rounded.
"""
from __future__ import annotations

import datetime as dt
import html

from sim import report
from sim.changes import target_label

CSS = """
body{font-family:-apple-system,'Segoe UI','Noto Sans','Noto Sans SC',sans-serif;color:#1d2a33;max-width:60rem;
margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ccd;
padding-bottom:.2rem}.muted{color:#5b6770;font-size:.9rem}.warn{background:#fff6dd;border:1px solid #e8c96a;
padding:.5rem .8rem;border-radius:4px}.info{background:#eaf3f8;border:1px solid #9cc3d8;padding:.5rem .8rem;
border-radius:4px}table{border-collapse:collapse;font-size:.9rem;margin:.4rem 0}th,td{border:1px solid #d5dbe0;
padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}
"""


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _table(header, rows) -> str:
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows]
    return "".join(out) + "</table>"


def changes_in_words(sc) -> list[str]:
    """The scenario's changes, one plain line each."""
    out = []
    for c in sc.indicator_changes:
        what = {"pct": f"{c.value:+g} %", "abs": f"{c.value:+g} (in the indicator's unit)",
                "set": f"set to {c.value:g}"}[c.mode]
        grow = f", then {c.growth_pct:+g} % a year" if c.growth_pct else ""
        out.append(f"{target_label(c.target)[0].upper()}{target_label(c.target)[1:]} in {', '.join(c.provinces)}: "
                   f"{what} from {c.from_year}{grow}.")
    for c in sc.policy_changes:
        out.append(f"AI incentive policies in {', '.join(c.clusters)}: {c.extra_per_year:+g} a year from {c.from_year}.")
    for e in sc.link_edits:
        what = {"add": f"{e.value:+g} co-applied AI patents a year", "remove": "link removed",
                "scale": f"cooperation scaled by {e.value:g}"}[e.mode]
        out.append(f"Cooperation {e.city_a}-{e.city_b}: {what}.")
    return out or ["No changes: the baseline."]


def _svg_shares(res, width=640, height=240) -> str:
    """Share of provinces at high or extreme coordination by year: baseline and scenario, with the band."""
    b, s = res.baseline_provinces, res.scenario_provinces
    years = [int(y) for y in b.paths.years]
    pad_l, pad_b, pad_t, pad_r = 44, 28, 10, 110
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i):
        return pad_l + (w * i / max(len(years) - 1, 1))

    def y(v):
        return pad_t + h * (1 - v)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Share of provinces at high or extreme coordination">']
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e7ea"/>'
                     f'<text x="{pad_l - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.0%}</text>')
    for i, yr in enumerate(years):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" font-size="11" text-anchor="middle">{yr}</text>')
    mean, lo, hi = s.high_shares
    band = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(hi))
    band += " " + " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(lo))))
    parts.append(f'<polygon points="{band}" fill="#1f6f8b" fill-opacity="0.15"/>')
    for side, ps, colour, dash in (("baseline", b, "#7f7f7f", "5,4"), ("scenario", s, "#1f6f8b", "")):
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(ps.high_shares[0]))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" '
                     f'stroke-dasharray="{dash}"/>')
        ly = pad_t + (20 if side == "baseline" else 40)
        parts.append(f'<line x1="{pad_l + w + 10}" x2="{pad_l + w + 34}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"/><text x="{pad_l + w + 40}" y="{ly + 4}" '
                     f'font-size="12">{side}</text>')
    parts.append("</svg>")
    return "".join(parts)


def briefing_html(res, provenance=(), link: str = "", today: dt.date | None = None) -> str:
    """The briefing as one HTML document (a string)."""
    sc = res.scenario
    today = today or dt.date.today()
    synthetic = any("SYNTHETIC" in str(p).upper() for p in provenance)
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{_e(sc.name or 'Scenario')}: briefing</title><style>{CSS}</style></head><body>",
           f"<h1>{_e(sc.name or 'Scenario')}</h1>",
           f"<p class='muted'>Regional innovation policy simulator, briefing of {today.isoformat()}; "
           f"projection to {res.end_year}.</p>"]
    if synthetic:
        out.append("<p class='warn'><b>Synthetic demo data.</b> Generated by a seeded program to resemble the "
                   "shapes the papers report; these are not official statistics and describe no real "
                   "province or city.</p>")
    out.append("<h2>What changed</h2><ul>" + "".join(f"<li>{_e(s)}</li>" for s in res.summary) + "</ul>")
    ex = report.explain(res)
    if ex.text:
        out.append("<div class='info'><b>What the model predicts, and why</b>"
                   + "".join(f"<p>{_e(t)}</p>" for t in ex.text) + "</div>")
    out.append(f"<p class='muted'>{_e(report.baseline_sentence(res))}</p>")
    out.append("<h2>The scenario</h2><ul>" + "".join(f"<li>{_e(t)}</li>" for t in changes_in_words(sc)) + "</ul>")
    if sc.notes:
        out.append(f"<p class='muted'>{_e(sc.notes)}</p>")
    if res.baseline_provinces is not None:
        out.append("<h2>Share of provinces at high or extreme coordination</h2>" + _svg_shares(res)
                   + "<p class='muted'>Lines: mean share over the simulated paths; band: the scenario's 5th-95th "
                     "percentile.</p>")
        d = res.d_table()
        end = d[d["year"] == res.end_year]
        moved = end[(end["change"].abs() > 5e-4) | ((end["p_high_scenario"] - end["p_high_baseline"]).abs() >= 0.005)]
        if len(moved):
            rows = [(r.province, f"{r.D_baseline:.3f}", f"{r.D_scenario:.3f}", f"{r.change:+.3f}",
                     f"{r.p_high_baseline:.0%}", f"{r.p_high_scenario:.0%}") for r in moved.itertuples()]
            out.append(f"<h2>Provinces that move, {res.end_year}</h2>" + _table(
                ["province", "D baseline (median)", "D scenario (median)", "change", "chance high/extreme, baseline",
                 "chance high/extreme, scenario"], rows))
    if res.baseline_clusters is not None and res.scenario_clusters is not res.baseline_clusters:
        t = res.ti_difference(res.end_year)
        t = t[t["ti_change"].abs() > 1e-12]
        if len(t):
            rows = [(r.cluster, f"{r.patents_baseline:,.0f}", f"{r.patents_scenario:,.0f}",
                     f"{r.patents_change_pct:+.1f} %", f"{r.patents_change_pct_p05:+.1f} % to {r.patents_change_pct_p95:+.1f} %",
                     "yes" if r.detected else "no (band includes zero)") for r in t.itertuples()]
            out.append(f"<h2>AI clusters, {res.end_year}</h2>" + _table(
                ["cluster", "AI patents, baseline", "scenario", "change", "90 % band of the change",
                 "effect detected"], rows))
    if res.notes:
        out.append("<h2>Notes on this run</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in res.notes) + "</ul>")
    out.append("<h2>Method and assumptions</h2><ul>"
               "<li>Study A (Liu et al. 2026): coupling coordination D of new quality productive forces and innovation "
               "resource allocation from entropy-weighted indicators, frozen at the baseline; provinces move on "
               f"{sc.n_paths:,} joint spatial Markov paths (seed {res.seed}).</li>"
               "<li>Study B (Wang et al. 2025): AI cluster innovation from the dynamic-panel (system GMM) equation, "
               "bands over 2,000 coefficient draws.</li>"
               "<li>Baseline and scenario share the random numbers; differences are the scenario's effect.</li></ul>")
    if provenance:
        out.append("<h2>Data</h2><ul>" + "".join(f"<li>{_e(p)}</li>" for p in provenance) + "</ul>")
    if link:
        out.append(f"<p class='muted'>Open this scenario again: {_e(link)}</p>")
    out.append("</body></html>")
    return "".join(out)


COLUMN_NOTES = {
    "D_baseline": "coupling coordination degree D, 0-1 (median of the paths in projected years)",
    "D_scenario": "as D_baseline, with the scenario",
    "change": "D_scenario - D_baseline",
    "p_high_baseline": "probability of high or extreme coordination (D > 0.5 with the fixed cut-offs), 0-1",
    "p_high_scenario": "as p_high_baseline, with the scenario",
    "share": "share of provinces in the class, 0-1 (mean over paths)",
    "ti": "ln(AI patent applications)",
    "patents": "AI patent applications (count a year)",
    "patents_change_pct": "scenario minus baseline, % of the baseline",
    "detected": "False where the 90 % band of the change includes zero (no detectable effect)",
}


def export_tables(res, provenance=(), link: str = "") -> dict:
    """The result tables for download: floats rounded to 6 decimals (no float noise), plus an
    ``about`` sheet (provenance, synthetic label, units of the main columns, the share link) and a
    ``scenario`` sheet (the changes in words and the scenario as JSON)."""
    import pandas as pd

    out = {}
    for name, df in res.tables().items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].round(6)
        out[name] = df
    synthetic = any("SYNTHETIC" in str(p).upper() for p in provenance)
    about = [("app", "Regional innovation policy simulator"),
             ("data", "SYNTHETIC demo data: not official statistics" if synthetic else "uploaded data")]
    about += [("source", p) for p in provenance]
    about += [(f"column {k}", v) for k, v in COLUMN_NOTES.items()]
    about += [("projection", f"to {res.end_year}, {res.scenario.n_paths:,} paths, seed {res.seed}")]
    if link:
        about.append(("share link", link))
    out["about"] = pd.DataFrame(about, columns=["item", "value"])
    sc = res.scenario
    rows = [("name", sc.name), ("notes", sc.notes)] + [("change", t) for t in changes_in_words(sc)]
    rows.append(("json", sc.to_json()))
    out["scenario"] = pd.DataFrame(rows, columns=["item", "value"])
    return out
