"""A briefing to take away: one self-contained HTML page of a simulation.

Everything in it is read from the ``sim.simulate.SimulationResult`` the page shows: the plain
summary, what the model predicts and why, the one-sentence baseline, the scenario's changes in
words, a chart of the share of provinces at high or extreme coordination (inline SVG: the file
fetches nothing, so it opens offline and prints), the provinces and clusters that move, the notes,
the method and the data's provenance. Text is escaped (``html.escape``); numbers are rounded.

Language: every function takes ``lang`` (``"en"``, the default, or ``"zh"``). English is written
exactly as before (the message ids are the English text); in Chinese the words come from the
message catalogue (``ui.i18n.translations``, imported only then: in English nothing here imports
Streamlit), ``sim`` sentences (``sim.messages.Msg``) are translated with their values, and province,
city and region names are written as ``ui.i18n.place`` writes them. Numbers are formatted the same in
both languages. The Chinese page declares ``lang="zh"`` and a CJK font stack (the SVG chart inherits
it); no font is embedded in any file.
"""
from __future__ import annotations

import datetime as dt
import html

from sim import report
from sim.changes import target_label
from ui.i18n import N_, words

CSS = """
body{font-family:-apple-system,'Segoe UI','Noto Sans','Noto Sans SC',sans-serif;color:#1d2a33;max-width:60rem;
margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ccd;
padding-bottom:.2rem}.muted{color:#5b6770;font-size:.9rem}.warn{background:#fff6dd;border:1px solid #e8c96a;
padding:.5rem .8rem;border-radius:4px}.info{background:#eaf3f8;border:1px solid #9cc3d8;padding:.5rem .8rem;
border-radius:4px}table{border-collapse:collapse;font-size:.9rem;margin:.4rem 0}th,td{border:1px solid #d5dbe0;
padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}
"""
# Chinese: a CJK font first on every platform (Linux: fonts-noto-cjk, Windows: Microsoft YaHei, macOS: PingFang),
# so no character falls back to boxes; line-height a little larger for CJK text
CSS_ZH = CSS.replace(
    "font-family:-apple-system,'Segoe UI','Noto Sans','Noto Sans SC',sans-serif",
    "font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',"
    "'Hiragino Sans GB','WenQuanYi Micro Hei',-apple-system,'Segoe UI',sans-serif").replace(
    "line-height:1.45", "line-height:1.6")


# ---------------------------------------------------------------------------------------------
# the language of one file (not the session's: a file is written in the language asked for)
def _language(code: str):
    """``(gettext, place)`` of ``code`` (``ui.i18n.bound``; English: the identity)."""
    from ui.i18n import bound

    return bound(code or "en")


def is_synthetic(provenance) -> bool:
    """True when a provenance line (English or Chinese) labels data as the synthetic demo."""
    return any("SYNTHETIC" in str(p).upper() or "合成演示数据" in str(p) for p in provenance)


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _t(x) -> str:
    """Escaped text content (quotes kept as they are: the app's own sentences)."""
    return html.escape(str(x), quote=False)


def _h2(text) -> str:
    return f"<h2>{_t(text)}</h2>"


def _table(header, rows) -> str:
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows]
    return "".join(out) + "</table>"


def _names(names, code: str) -> str:
    """Province, region or cluster names of a change, joined in the language's way."""
    gettext, place = _language(code)
    if code == "en":
        return ", ".join(names)
    if list(names) == ["all"]:
        return gettext(N_("all provinces"))
    return "、".join(place(n) for n in names)


def changes_in_words(sc, lang: str = "en") -> list[str]:
    """The scenario's changes, one plain line each."""
    _, place = _language(lang)
    out = []
    for c in sc.indicator_changes:
        what = {"pct": f"{c.value:+g} %",  # the same in every language
                "abs": _("{value} (in the indicator's unit)").format(value=f"{c.value:+g}"),
                "set": _("set to {value}").format(value=f"{c.value:g}")}[c.mode]
        grow = _(", then {pct} % a year").format(pct=f"{c.growth_pct:+g}") if c.growth_pct else ""
        target = words(target_label(c.target), lang)
        out.append(_("{target} in {provinces}: {what} from {year}{grow}.").format(
            target=f"{target[0].upper()}{target[1:]}", provinces=_names(c.provinces, lang), what=what,
            year=c.from_year, grow=grow))
    for c in sc.policy_changes:
        out.append(_("AI incentive policies in {clusters}: {value} a year from {year}.").format(
            clusters=_names(c.clusters, lang), value=f"{c.extra_per_year:+g}", year=c.from_year))
    for e in sc.link_edits:
        what = {"add": _("{value} co-applied AI patents a year").format(value=f"{e.value:+g}"),
                "remove": _("link removed"),
                "scale": _("cooperation scaled by {value}").format(value=f"{e.value:g}")}[e.mode]
        out.append(_("Cooperation {a}-{b}: {what}.").format(a=place(e.city_a), b=place(e.city_b), what=what))
    return out or [_("No changes: the baseline.")]


def _svg_shares(res, width=640, height=240, lang: str = "en") -> str:
    """Share of provinces at high or extreme coordination by year: baseline and scenario, with the band."""
    _, _place = _language(lang)
    label = _("Share of provinces at high or extreme coordination")
    b, s = res.baseline_provinces, res.scenario_provinces
    years = [int(y) for y in b.paths.years]
    pad_l, pad_b, pad_t, pad_r = 44, 28, 10, 110
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i):
        return pad_l + (w * i / max(len(years) - 1, 1))

    def y(v):
        return pad_t + h * (1 - v)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(label)}">']
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e7ea"/>'
                     f'<text x="{pad_l - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.0%}</text>')
    for i, yr in enumerate(years):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" font-size="11" text-anchor="middle">{yr}</text>')
    mean, lo, hi = s.high_shares
    band = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(hi))
    band += " " + " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(lo))))
    parts.append(f'<polygon points="{band}" fill="#1f6f8b" fill-opacity="0.15"/>')
    side_words = {k: _(v) for k, v in SIDES.items()}
    for side, ps, colour, dash in (("baseline", b, "#7f7f7f", "5,4"), ("scenario", s, "#1f6f8b", "")):
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(ps.high_shares[0]))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" '
                     f'stroke-dasharray="{dash}"/>')
        ly = pad_t + (20 if side == "baseline" else 40)
        parts.append(f'<line x1="{pad_l + w + 10}" x2="{pad_l + w + 34}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"/><text x="{pad_l + w + 40}" y="{ly + 4}" '
                     f'font-size="12">{_e(side_words[side])}</text>')
    parts.append("</svg>")
    return "".join(parts)


SIDES = {"baseline": N_("baseline"), "scenario": N_("scenario")}


def briefing_html(res, provenance=(), link: str = "", today: dt.date | None = None, lang: str = "en") -> str:
    """The briefing as one HTML document (a string), in ``lang`` (``"en"`` or ``"zh"``)."""
    _, place = _language(lang)
    zh = lang != "en"
    sc = res.scenario
    today = today or dt.date.today()
    synthetic = is_synthetic(provenance)
    name = sc.name or _("Scenario")
    out = [f"<!doctype html><html lang='{'zh' if zh else 'en'}'><head><meta charset='utf-8'>",
           "<title>" + _e(_("{name}: briefing").format(name=name)) + f"</title><style>{CSS_ZH if zh else CSS}</style>"
           "</head><body>",
           f"<h1>{_e(name)}</h1>",
           "<p class='muted'>" + _t(_("Regional innovation policy simulator, briefing of {date}; projection to "
                                      "{end}.").format(date=today.isoformat(), end=res.end_year)) + "</p>"]
    if synthetic:
        out.append("<p class='warn'><b>" + _t(_("Synthetic demo data.")) + "</b> "
                   + _t(_("Generated by a seeded program to resemble the shapes the papers report; these are not "
                          "official statistics and describe no real province or city.")) + "</p>")
    out.append(_h2(_("What changed")) + "<ul>" + "".join(f"<li>{_e(words(s, lang))}</li>" for s in res.summary)
               + "</ul>")
    ex = report.explain(res)
    if ex.text:
        out.append("<div class='info'><b>" + _t(_("What the model predicts, and why")) + "</b>"
                   + "".join(f"<p>{_e(words(t, lang))}</p>" for t in ex.text) + "</div>")
    out.append(f"<p class='muted'>{_e(words(report.baseline_sentence(res), lang))}</p>")
    out.append(_h2(_("The scenario")) + "<ul>"
               + "".join(f"<li>{_e(t)}</li>" for t in changes_in_words(sc, lang)) + "</ul>")
    if sc.notes:
        out.append(f"<p class='muted'>{_e(sc.notes)}</p>")
    if res.baseline_provinces is not None:
        out.append(_h2(_("Share of provinces at high or extreme coordination"))
                   + _svg_shares(res, lang=lang)
                   + "<p class='muted'>" + _t(_("Lines: mean share over the simulated paths; band: the scenario's "
                                                "5th-95th percentile.")) + "</p>")
        d = res.d_table()
        end = d[d["year"] == res.end_year]
        moved = end[(end["change"].abs() > 5e-4) | ((end["p_high_scenario"] - end["p_high_baseline"]).abs() >= 0.005)]
        if len(moved):
            rows = [(place(r.province), f"{r.D_baseline:.3f}", f"{r.D_scenario:.3f}", f"{r.change:+.3f}",
                     f"{r.p_high_baseline:.0%}", f"{r.p_high_scenario:.0%}") for r in moved.itertuples()]
            out.append(_h2(_("Provinces that move, {year}").format(year=res.end_year)) + _table(
                [_("province"), _("D baseline (median)"), _("D scenario (median)"), _("change"),
                 _("chance high/extreme, baseline"), _("chance high/extreme, scenario")], rows))
    if res.baseline_clusters is not None and res.scenario_clusters is not res.baseline_clusters:
        t = res.ti_difference(res.end_year)
        t = t[t["ti_change"].abs() > 1e-12]
        if len(t):
            rows = [(place(r.cluster), f"{r.patents_baseline:,.0f}", f"{r.patents_scenario:,.0f}",
                     f"{r.patents_change_pct:+.1f} %",
                     _("{lo} % to {hi} %").format(lo=f"{r.patents_change_pct_p05:+.1f}",
                                                  hi=f"{r.patents_change_pct_p95:+.1f}"),
                     _("yes") if r.detected else _("no (band includes zero)")) for r in t.itertuples()]
            out.append(_h2(_("AI clusters, {year}").format(year=res.end_year)) + _table(
                [_("cluster"), _("AI patents, baseline"), _("scenario"), _("change"), _("90 % band of the change"),
                 _("effect detected")], rows))
    if res.notes:
        out.append(_h2(_("Notes on this run")) + "<ul>"
                   + "".join(f"<li>{_e(words(n, lang))}</li>" for n in res.notes) + "</ul>")
    out.append(_h2(_("Method and assumptions")) + "<ul>"
               "<li>" + _t(_("Study A (Liu et al. 2026): coupling coordination D of new quality productive forces and "
                             "innovation resource allocation from entropy-weighted indicators, frozen at the baseline; "
                             "provinces move on {n} joint spatial Markov paths (seed {seed}).").format(
                   n=f"{sc.n_paths:,}", seed=res.seed)) + "</li>"
               "<li>" + _t(_("Study B (Wang et al. 2025): AI cluster innovation from the dynamic-panel (system GMM) "
                             "equation, bands over 2,000 coefficient draws.")) + "</li>"
               "<li>" + _t(_("Baseline and scenario share the random numbers; differences are the scenario's "
                             "effect.")) + "</li></ul>")
    if provenance:
        out.append(_h2(_("Data")) + "<ul>" + "".join(f"<li>{_e(p)}</li>" for p in provenance) + "</ul>")
    if link:
        out.append("<p class='muted'>" + _e(_("Open this scenario again: {link}").format(link=link)) + "</p>")
    out.append("</body></html>")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# the result tables for download (CSV, Excel)
COLUMN_NOTES = {
    "D_baseline": N_("coupling coordination degree D, 0-1 (median of the paths in projected years)"),
    "D_scenario": N_("as D_baseline, with the scenario"),
    "change": N_("D_scenario - D_baseline"),
    "p_high_baseline": N_("probability of high or extreme coordination (D > 0.5 with the fixed cut-offs), 0-1"),
    "p_high_scenario": N_("as p_high_baseline, with the scenario"),
    "share": N_("share of provinces in the class, 0-1 (mean over paths)"),
    "ti": N_("ln(AI patent applications)"),
    "patents": N_("AI patent applications (count a year)"),
    "patents_change_pct": N_("scenario minus baseline, % of the baseline"),
    "detected": N_("False where the 90 % band of the change includes zero (no detectable effect)"),
}
# sheet (and, zipped, file) of each result table: the id in English, these names in Chinese (Excel: at
# most 31 characters, none of []:*?/\)
SHEETS = {
    "coupling_D": N_("Coupling coordination D"), "class_shares": N_("Class shares"),
    "class_probabilities": N_("Class probabilities"), "touched_cells": N_("Changed data"),
    "out_of_range": N_("Beyond the fitted range"), "cluster_TI": N_("AI cluster forecasts"),
    "cluster_change": N_("AI cluster changes"), "faults_baseline": N_("Coupling faults, baseline"),
    "faults_scenario": N_("Coupling faults, scenario"), "summary": N_("Summary"), "notes": N_("Notes"),
    "about": N_("About"), "scenario": N_("Scenario"),
}
# column headers in Chinese (English downloads keep the ids: stable names for scripts)
HEADERS = {
    "province": N_("province"), "year": N_("year"), "cluster": N_("cluster"), "side": N_("side"),
    "class": N_("class"), "share": N_("share"), "share_p05": N_("5th percentile"), "share_p95": N_("95th percentile"),
    "probability": N_("probability"),
    "D_baseline": N_("D baseline (median)"), "D_scenario": N_("D scenario (median)"), "change": N_("change in D"),
    "D_baseline_p05": N_("baseline 5th pct"), "D_baseline_p95": N_("baseline 95th pct"),
    "D_scenario_p05": N_("scenario 5th pct"), "D_scenario_p95": N_("scenario 95th pct"),
    "p_high_baseline": N_("chance of high/extreme, baseline"), "p_high_scenario": N_("chance of high/extreme, scenario"),
    "class_baseline": N_("class, baseline"), "class_scenario": N_("class, scenario"), "future": N_("projected year"),
    "indicator": N_("Indicator id"), "system": N_("System"), "value": N_("value"), "baseline": N_("baseline"),
    "scenario": N_("scenario"), "baseline_min": N_("minimum fitted on"), "baseline_max": N_("maximum fitted on"),
    "normalised": N_("normalised value"),
    "ti": N_("ln(AI patents)"), "ti_p05": N_("ln(AI patents), 5th percentile"), "ti_p50": N_("ln(AI patents), median"),
    "ti_p95": N_("ln(AI patents), 95th percentile"), "patents": N_("AI patent applications"),
    "patents_p05": N_("AI patents, 5th percentile"), "patents_p50": N_("AI patents, median"),
    "patents_p95": N_("AI patents, 95th percentile"), "ti_change": N_("change in ln(AI patents)"),
    "ti_change_p05": N_("change in ln(AI patents), 5th percentile"),
    "ti_change_p95": N_("change in ln(AI patents), 95th percentile"),
    "patents_baseline": N_("AI patents, baseline"), "patents_scenario": N_("AI patents, scenario"),
    "patents_change_pct": N_("change %"), "patents_change_pct_p05": N_("5th pct %"),
    "patents_change_pct_p95": N_("95th pct %"), "detected": N_("effect detected"),
    "start_year": N_("start year"), "delta_h_inno": N_("change in h_inno"), "delta_D": N_("change in D"),
    "status": N_("status"), "flagged": N_("flagged"), "statement": N_("statement"), "note": N_("note"),
    "item": N_("item"),
}
# cell values written in words in Chinese (codes kept: indicator ids, booleans, the scenario's JSON)
VALUES = {
    "side": SIDES,
    "class": {"Low": N_("Low"), "Medium": N_("Medium"), "High": N_("High"), "Extreme": N_("Extreme")},
    "status": {"fell": N_("fell"), "stalled": N_("stalled"), "ok": N_("ok")},
}
VALUES["class_baseline"] = VALUES["class_scenario"] = VALUES["class"]


def _localise(df, code: str):
    """A result table with Chinese headers and names (a copy); English: the table itself."""
    if code == "en":
        return df
    gettext, place = _language(code)
    from ui.coupling import SYSTEM_NAMES

    values = {**VALUES, "system": SYSTEM_NAMES}
    out = df.copy()
    for col in out.columns:
        if col in ("province", "cluster"):
            out[col] = out[col].map(place)
        elif col in values:
            words_of = values[col]
            out[col] = out[col].map(lambda v, w=words_of: gettext(w[v]) if v in w else v)
    return out.rename(columns={c: gettext(HEADERS[c]) for c in out.columns if c in HEADERS})


def sheet_name(table_id: str, lang: str = "en") -> str:
    """The sheet name of a result table: its id in English, its name in Chinese."""
    if lang == "en" or table_id not in SHEETS:
        return table_id
    return _language(lang)[0](SHEETS[table_id])


def export_files(res, provenance=(), link: str = "", lang: str = "en") -> dict:
    """As :func:`export_tables`, keyed by the tables' ids (ASCII, for file names) in every language."""
    import pandas as pd

    _, _place = _language(lang)
    out = {}
    for name, df in res.tables().items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].round(6)
        out[name] = _localise(df, lang)
    if lang != "en":  # the sentences from the result itself (a frame's string column keeps no Msg)
        for name, col, lines in (("summary", "statement", res.summary), ("notes", "note", res.notes)):
            if name in out:
                out[name] = pd.DataFrame({_(HEADERS[col]): [words(t, lang) for t in lines]})
    synthetic = is_synthetic(provenance)
    about = [(_("app"), _("Regional innovation policy simulator")),
             (_("data"), _("SYNTHETIC demo data: not official statistics") if synthetic else _("uploaded data"))]
    about += [(_("source"), p) for p in provenance]
    about += [(_("column {name}").format(name=k if lang == "en" else _(HEADERS.get(k, k))), _(v))
              for k, v in COLUMN_NOTES.items()]
    about += [(_("projection"), _("to {end}, {n} paths, seed {seed}").format(
        end=res.end_year, n=f"{res.scenario.n_paths:,}", seed=res.seed))]
    if link:
        about.append((_("share link"), link))
    header = [_("item"), _("value")]
    out["about"] = pd.DataFrame(about, columns=header)
    sc = res.scenario
    rows = [(_("name"), sc.name), (_("notes"), sc.notes)] + [(_("change"), t) for t in changes_in_words(sc, lang)]
    rows.append((_("json"), sc.to_json()))
    out["scenario"] = pd.DataFrame(rows, columns=header)
    return out


def export_tables(res, provenance=(), link: str = "", lang: str = "en") -> dict:
    """The result tables for download: floats rounded to 6 decimals (no float noise), plus an
    ``about`` sheet (provenance, synthetic label, units of the main columns, the share link) and a
    ``scenario`` sheet (the changes in words and the scenario as JSON). ``lang="zh"``: sheet names,
    headers, the about and scenario sheets, sentences and place names in Chinese (numbers, codes and
    the scenario's JSON as in English)."""
    return {sheet_name(k, lang): v for k, v in export_files(res, provenance, link, lang).items()}
