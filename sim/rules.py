"""Validation rules applied to the parsed rows of a panel (one function per rule where possible).

See the module docstring of ``sim.data`` for the list of errors and warnings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim import schema
from sim.cells import _display
from sim.headers import ColumnSpec, column_specs, unit_word
from sim.messages import Join, Msg, N_, Place
from sim.problems import Problem

MIN_YEARS = 3  # transitions and dynamic panels need at least three consecutive years
MIN_UNITS = 5  # fewer provinces/cities make Moran's I, Markov classes and percentiles meaningless

# the nouns the messages use for the units of a panel, singular and plural (marked for the catalogue)
NOUNS = {"unit": N_("unit"), "province": N_("province"), "city": N_("city"), "firm": N_("firm"), "link": N_("link"),
         "units": N_("units"), "provinces": N_("provinces"), "cities": N_("cities"), "firms": N_("firms"),
         "links": N_("links")}


def _noun(word: str):
    return Msg(NOUNS[word]) if word in NOUNS else word


def _places(names, limit: int | None = None):
    """Names as a list for a message (place names translated by the UI), "and N more" past ``limit``."""
    names = list(names)
    shown = Join([Place(str(n)) for n in (names if limit is None else names[:limit])])
    if limit is not None and len(names) > limit:
        return Msg(N_("{names} and {n} more"), names=shown, n=str(len(names) - limit))
    return shown


def _bounds_problem(spec: ColumnSpec, x: float) -> str | None:
    unit = Msg(N_(" ({unit})"), unit=unit_word(spec)) if spec.unit else ""
    col = spec.name
    if spec.lower is not None:
        if spec.lower_open and x <= spec.lower:
            return Msg(N_("'{column}'{unit} must be above {lower}."), column=col, unit=unit, lower=f"{spec.lower:g}")
        if x < spec.lower and spec.lower < 0:
            return Msg(N_("'{column}'{unit} must lie within {lower} to {upper}."), column=col, unit=unit,
                       lower=f"{spec.lower:g}", upper=f"{spec.upper:g}")
        if x < spec.lower:
            return Msg(N_("A negative value is impossible for '{column}'{unit}."), column=col, unit=unit)
    if spec.upper is not None and x > spec.upper:
        rng = "0-100" if spec.upper == 100 else f"{spec.lower:g}-{spec.upper:g}"
        extra = Msg(N_(" (is it in percent? divide by 100)")) if spec.upper == 1 and x <= 100 else ""
        return Msg(N_("'{column}'{unit} must lie within {range}{extra}."), column=col, unit=unit, range=rng,
                   extra=extra)
    return None



def _panel_checks(kind, records, unit, hdr, missing_cells, fill_gaps, problems, warnings, *, specs=None,
                  order=None, custom=False):
    """Every rule on the parsed rows of one panel, in order; returns ``(frame, filled cells)``.

    ``specs``: the columns in force (default ``column_specs(kind)``); ``order``: the units' display
    order (default the provinces' GB/T 2260 order); ``custom``: units other than the 30 provinces.
    """
    specs = specs if specs is not None else column_specs(kind)
    numeric = [s.name for s in specs if s.role == "number"]
    cols = [s.name for s in specs]
    unit_word = "unit" if custom else {"provinces": "province", "cities": "city", "firms": "firm",
                                       "links": "link"}[kind]
    keys_ok = all(s.name in hdr.index for s in specs if s.role in ("unit", "year", "city"))
    good = [r for r in records if r["_ok"]]
    filled: list = []
    if kind != "provinces" or not fill_gaps or not keys_ok:
        rule_empty_cells(kind, missing_cells, unit_word, problems)
    if not keys_ok:
        return pd.DataFrame(columns=cols), filled
    unique = rule_unique_keys(kind, good, unit, hdr, problems)
    frame = _frame_of(kind, unique, cols, numeric, specs)
    if kind == "links":
        a, b = frame["city_a"].copy(), frame["city_b"].copy()
        swap = a > b
        frame.loc[swap, "city_a"], frame.loc[swap, "city_b"] = b[swap], a[swap]
        return frame.sort_values(["city_a", "city_b", "year"]).reset_index(drop=True), filled

    units = list(dict.fromkeys(frame[unit]))
    years = sorted(set(frame["year"]))
    rule_min_units(kind, units, unit_word, hdr.shown[unit], problems)
    if kind == "provinces" and not custom:
        rule_province_coverage(units, warnings)
    span = rule_min_years(kind, years, hdr.shown["year"], problems)
    present = {(r[unit], r["year"]) for r in unique}
    if kind == "provinces":
        gaps = rule_balanced(records, unit, units, span, present, hdr, fill_gaps, problems, unit_word)
        if fill_gaps and len(frame) and span:
            frame, filled = _fill(frame, units, span, numeric, problems, hdr)
            if filled:
                n_rows = sum(len(ys) for ys in gaps.values())
                cells = Msg(N_("{n} cells") if len(filled) > 1 else N_("{n} cell"), n=str(len(filled)))
                rows = Msg(N_("{n} missing {unit}-year rows") if n_rows != 1 else N_("{n} missing {unit}-year row"),
                           n=str(n_rows), unit=_noun(unit_word))
                warnings.append(Msg(N_("Gap filling: {cells} filled ({rows} added) by linear interpolation within "
                                       "each {unit}, edges carried flat; see the list of filled cells."),
                                    cells=cells, rows=rows, unit=_noun(unit_word)))
    else:
        rule_unbalanced_note(kind, units, span, present, warnings)
    rule_constant_columns(kind, frame, numeric, hdr, problems, warnings)
    if kind == "provinces":
        rule_percent_as_fraction(frame, numeric, specs, hdr, warnings)
        pos = {name: i for i, name in enumerate(order if order is not None else schema.province_names())}
        frame = (frame.assign(_o=frame[unit].map(pos).fillna(len(pos))).sort_values(["_o", "year"], kind="stable")
                 .drop(columns="_o"))
    else:
        frame = frame.sort_values([unit, "year"])
    if kind == "cities":
        rule_ai_within_all_patents(frame, unit, unique, hdr, problems)
        rule_intra_within_ai(frame, unit, warnings)
    if kind == "firms":
        rule_firm_one_city(frame, warnings)
    return frame.reset_index(drop=True), filled


def rule_empty_cells(kind, missing_cells, unit_word, problems) -> None:
    """An empty cell is a problem (province panels: unless gaps are filled)."""
    for n, col, name in missing_cells:
        fix = (Msg(N_("fill it, or allow gap filling (linear interpolation within the {unit})"), unit=_noun(unit_word))
               if kind == "provinces" else Msg(N_("every {unit} row needs a value"), unit=_noun(unit_word)))
        problems.append(Problem(n, col, "", Msg(N_("Empty cell in '{column}'; {fix}."), column=name, fix=fix)))


def rule_unique_keys(kind, good, unit, hdr, problems) -> list:
    """One row per unit and year (links: per unordered pair and year; no self-links)."""
    if kind == "links":
        key_of = lambda r: (min(r["city_a"], r["city_b"]), max(r["city_a"], r["city_b"]), r["year"])  # noqa: E731
    else:
        key_of = lambda r: (r[unit], r["year"])  # noqa: E731
    seen: dict = {}
    unique = []
    for r in good:
        if kind == "links" and r["city_a"] == r["city_b"]:
            problems.append(Problem(r["_row"], hdr.shown["city_b"], r["city_b"],
                                    Msg(N_("A city linked to itself ({city}); cooperation within a "
                                           "city belongs in the city panel's 'ai_coop_intra' column."),
                                        city=Place(r['city_a']))))
            continue
        k = key_of(r)
        if k in seen:
            if kind == "links":
                msg = Msg(N_("The pair {a} - {b} in {year} is already listed on row {row} "
                             "(pairs are unordered: a-b and b-a are the same link)."),
                          a=Place(k[0]), b=Place(k[1]), year=str(k[2]), row=str(seen[k]))
                problems.append(Problem(r["_row"], hdr.shown["city_a"], f"{r['city_a']} - {r['city_b']}", msg))
            else:
                problems.append(Problem(r["_row"], hdr.shown[unit], Place(r[unit]),
                                        Msg(N_("Duplicate: {name} {year} is already on row {row}."),
                                            name=Place(r[unit]), year=str(r['year']), row=str(seen[k]))))
            continue
        seen[k] = r["_row"]
        unique.append(r)
    return unique


def _frame_of(kind, unique, cols, numeric, specs) -> pd.DataFrame:
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in unique], columns=cols)
    for c in numeric + [s.name for s in specs if s.role == "coord"]:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["year"] = frame["year"].astype("int64")
    return frame


def rule_min_units(kind, units, unit_word, column, problems) -> None:
    """At least ``MIN_UNITS`` provinces (units) or cities."""
    if kind in ("provinces", "cities") and units and len(units) < MIN_UNITS:
        problems.append(Problem(None, column, None,
                                Msg(N_("Only {n} {units} ({names}); at least {min} are needed "
                                       "(Moran's I, Markov classes and percentile thresholds are meaningless "
                                       "with fewer)."), n=str(len(units)),
                                    units=_noun(_plural(unit_word, len(units))), names=_places(units),
                                    min=str(MIN_UNITS))))


def rule_province_coverage(units, warnings) -> None:
    """Fewer than the 30 study provinces: a note (results describe the provinces loaded)."""
    n_all = len(schema.province_names())
    if MIN_UNITS <= len(units) < n_all:
        warnings.append(Msg(N_("{n} of {total} provinces; results describe these provinces only."),
                            n=str(len(units)), total=str(n_all)))


def rule_min_years(kind, years, column, problems) -> list:
    """At least ``MIN_YEARS`` consecutive years; returns the span of years."""
    if not years:
        return []
    span = list(range(years[0], years[-1] + 1))
    if kind in ("provinces", "cities") and len(span) < MIN_YEARS:
        problems.append(Problem(None, column, None,
                                Msg(N_("Only {n} years ({years}); at least {min} consecutive years are needed "
                                       "for transitions and dynamics.") if len(span) > 1 else
                                    N_("Only {n} year ({years}); at least {min} consecutive years are needed "
                                       "for transitions and dynamics."),
                                    n=str(len(span)), years=", ".join(map(str, years)), min=str(MIN_YEARS))))
    return span


def rule_balanced(records, unit, units, span, present, hdr, fill_gaps, problems, unit_word="province") -> dict:
    """Study A needs every unit in every year (unless gaps are filled); returns unit -> missing years."""
    bad_year_units = {r[unit] for r in records if r.get(unit) and r.get("year") is None}
    unnamed_rows: dict[int, list] = {}  # year -> rows whose unit could not be read
    for r in records:
        if r.get(unit) is None and r.get("year") is not None:
            unnamed_rows.setdefault(r["year"], []).append(r["_row"])
    gaps = {u: [y for y in span if (u, y) not in present] for u in units if u not in bad_year_units}
    gaps = {u: ys for u, ys in gaps.items() if ys}
    if not gaps or fill_gaps:
        return gaps
    plural = _plural(unit_word, 2)
    by_year: dict[int, list] = {}
    for u, ys in gaps.items():
        for y in ys:
            by_year.setdefault(y, []).append(u)
    wide_years = {y for y, us in by_year.items() if len(us) > len(units) / 2}
    for y in sorted(wide_years):
        have = [u for u in units if (u, y) in present]
        if not have:
            problems.append(Problem(None, hdr.shown["year"], str(y),
                                    Msg(N_("No {unit} has rows for {year}: the years must be "
                                           "consecutive ({first}-{last}) for year-to-year "
                                           "transitions; add the year, or allow gap filling."),
                                        unit=_noun(unit_word), year=str(y), first=str(span[0]), last=str(span[-1]))))
            continue
        problems.append(Problem(None, hdr.shown["year"], str(y),
                                Msg(N_("Year {year} has rows for only {n} of {total} {units} ({names}); the "
                                       "panel must be balanced: add the other {units} for this year or delete "
                                       "its rows (or allow gap filling)."), year=str(y), n=str(len(have)),
                                    total=str(len(units)), units=_noun(plural), names=_places(have, 20))))
    for u, ys in gaps.items():
        ys = [y for y in ys if y not in wide_years]
        if ys:
            maybe = sorted({n for y in ys for n in unnamed_rows.get(y, [])})
            note = Msg(N_(" Rows {rows}, whose {unit} could not be read, may be meant.") if len(maybe) > 1 else
                       N_(" Row {rows}, whose {unit} could not be read, may be meant."),
                       rows=", ".join(map(str, maybe)), unit=_noun(unit_word)) if maybe else ""
            problems.append(Problem(None, hdr.shown[unit], Place(u),
                                    Msg(N_("{name} has no rows for {years} (the panel spans "
                                           "{first}-{last}); add them, or allow gap filling.{note}"),
                                        name=Place(u), years=_years_text(ys), first=str(span[0]),
                                        last=str(span[-1]), note=note)))
    return gaps


def rule_unbalanced_note(kind, units, span, present, warnings) -> None:
    """City and firm panels may be unbalanced: a note lists the holes."""
    holes = {u: [y for y in span if (u, y) not in present] for u in units}
    holes = {u: ys for u, ys in holes.items() if ys}
    if holes and kind == "cities":
        listed = Join([Msg(N_("{name}: {years}"), name=Place(u), years=_years_text(ys))
                       for u, ys in list(holes.items())[:10]], sep="; ")
        more = Msg(N_("; and {n} more"), n=str(len(holes) - 10)) if len(holes) > 10 else ""
        warnings.append(Msg(N_("Unbalanced panel: {n} cities without rows for some years ({listed}{more}).")
                            if len(holes) > 1 else
                            N_("Unbalanced panel: {n} city without rows for some years ({listed}{more})."),
                            n=str(len(holes)), listed=listed, more=more))
    if holes and kind == "firms":
        warnings.append(Msg(N_("Unbalanced panel: {n} of {total} firms lack some years of {first}-{last}."),
                            n=str(len(holes)), total=str(len(units)), first=str(span[0]), last=str(span[-1])))


def rule_constant_columns(kind, frame, numeric, hdr, problems, warnings) -> None:
    """A constant indicator has no entropy weight (Liu et al. 2026: min-max divides by max - min)."""
    if len(frame) <= 1:
        return
    for c in numeric:
        vals = frame[c].dropna()
        if len(vals) > 1 and vals.max() == vals.min():
            if kind == "provinces":
                problems.append(Problem(None, hdr.shown[c], _display(float(vals.iloc[0])),
                                        Msg(N_("'{column}' has the same value in every row: min-max "
                                               "normalisation and its entropy weight are undefined."), column=c)))
            else:
                warnings.append(Msg(N_("Column '{header}' has the same value in every row; its "
                                       "coefficient cannot be estimated."), header=hdr.shown[c]))


def rule_percent_as_fraction(frame, numeric, specs, hdr, warnings) -> None:
    """A percent column whose values are all at most 1 is probably in fractions: a note."""
    by = {s.name: s for s in specs}
    for c in numeric:
        vals = frame[c].dropna()
        if by[c].unit.strip() == "%" and len(vals) > 3 and vals.max() <= 1:
            warnings.append(Msg(N_("'{header}' is in percent (0-100) but every value is at most 1: "
                                   "are these fractions? (Normalisation makes the scale harmless for "
                                   "the coupling, but the tables will show these numbers.)"), header=hdr.shown[c]))


def rule_ai_within_all_patents(frame, unit, unique, hdr, problems) -> None:
    """AI patents are a subset of all patents (Wang et al. 2025)."""
    both = frame[["ai_patents", "all_patents"]].dropna()
    row_of = {(r[unit], r["year"]): r["_row"] for r in unique}
    for i in both.index[both["ai_patents"] > both["all_patents"]]:
        key = (frame.at[i, unit], frame.at[i, "year"])
        problems.append(Problem(row_of[key], hdr.shown["ai_patents"], _display(frame.at[i, "ai_patents"]),
                                Msg(N_("More AI patents ({ai}) than all patents ({all}) for {name} {year}; AI "
                                       "patents are a subset of all patents."),
                                    ai=_display(frame.at[i, 'ai_patents']), all=_display(frame.at[i, 'all_patents']),
                                    name=Place(key[0]), year=str(key[1]))))


def rule_intra_within_ai(frame, unit, warnings) -> None:
    """More intra-city cooperative AI patents than AI patents: a note on the counting convention."""
    over = frame[frame["ai_coop_intra"] > frame["ai_patents"]]
    if len(over):
        k = len(over)
        eg = Join([Msg(N_("{name} {year}"), name=Place(c), year=str(y)) for c, y in zip(over[unit][:5], over["year"][:5])])
        warnings.append(Msg(N_("{n} city-years with more intra-city cooperative AI patents than AI patents "
                               "(e.g. {examples}); check the counting convention.") if k > 1 else
                            N_("{n} city-year with more intra-city cooperative AI patents than AI patents "
                               "(e.g. {examples}); check the counting convention."), n=str(k), examples=eg))


def rule_firm_one_city(frame, warnings) -> None:
    """A firm listed in several cities over the years: a note."""
    multi = frame.groupby("firm")["city"].nunique()
    multi = multi[multi > 1]
    if len(multi):
        warnings.append(Msg(N_("{n} firms listed in more than one city over the years (e.g. {firms}).")
                            if len(multi) > 1 else
                            N_("{n} firm listed in more than one city over the years (e.g. {firms})."),
                            n=str(len(multi)), firms=", ".join(map(str, multi.index[:5]))))


def _fill(frame, units, span, numeric, problems, hdr):
    """Linear interpolation within each unit over years; flat beyond the ends (numpy.interp)."""
    filled = []
    parts = []
    for u in units:
        part = frame[frame[schema.PROVINCE] == u].set_index("year").reindex(span)
        part[schema.PROVINCE] = u
        years = np.asarray(span, dtype=float)
        for c in numeric:
            col = part[c].to_numpy(dtype=float, copy=True)
            obs = np.isfinite(col)
            if obs.all():
                continue
            if not obs.any():
                problems.append(Problem(None, hdr.shown[c], Place(u), Msg(N_("{name} has no value at all in '{column}'; "
                                                                      "there is nothing to interpolate from."),
                                                                   name=Place(u), column=c)))
                continue
            col[~obs] = np.interp(years[~obs], years[obs], col[obs])
            part[c] = col
            filled += [(u, int(y), c) for y in years[~obs]]
        parts.append(part.reset_index())
    out = pd.concat(parts, ignore_index=True)[frame.columns]
    out["year"] = out["year"].astype("int64")
    filled.sort(key=lambda t: (units.index(t[0]), t[1], t[2]))
    return out, filled


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _years_text(ys) -> str:
    ys = sorted(ys)
    runs, start = [], ys[0]
    for a, b in zip(ys, ys[1:] + [None]):
        if b != a + 1:
            runs.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(runs)

