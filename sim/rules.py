"""Validation rules applied to the parsed rows of a panel (one function per rule where possible).

See the module docstring of ``sim.data`` for the list of errors and warnings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim import schema
from sim.cells import _display
from sim.headers import ColumnSpec, column_specs
from sim.problems import Problem

MIN_YEARS = 3  # transitions and dynamic panels need at least three consecutive years
MIN_UNITS = 5  # fewer provinces/cities make Moran's I, Markov classes and percentiles meaningless


def _bounds_problem(spec: ColumnSpec, x: float) -> str | None:
    unit = f" ({spec.unit})" if spec.unit else ""
    if spec.lower is not None:
        if spec.lower_open and x <= spec.lower:
            return f"'{spec.name}'{unit} must be above {spec.lower:g}."
        if x < spec.lower:
            return f"A negative value is impossible for '{spec.name}'{unit}."
    if spec.upper is not None and x > spec.upper:
        rng = "0-100" if spec.upper == 100 else f"{spec.lower:g}-{spec.upper:g}"
        extra = " (is it in percent? divide by 100)" if spec.upper == 1 and x <= 100 else ""
        return f"'{spec.name}'{unit} must lie within {rng}{extra}."
    return None



def _panel_checks(kind, records, unit, hdr, missing_cells, fill_gaps, problems, warnings):
    specs = column_specs(kind)
    numeric = [s.name for s in specs if s.role == "number"]
    cols = [s.name for s in specs]
    unit_word = {"provinces": "province", "cities": "city", "firms": "firm", "links": "link"}[kind]
    keys_ok = all(s.name in hdr.index for s in specs if s.role in ("unit", "year", "city"))
    good = [r for r in records if r["_ok"]]
    filled: list = []
    if kind != "provinces" or not fill_gaps or not keys_ok:
        for n, col, name in missing_cells:
            fix = ("fill it, or allow gap filling (linear interpolation within the province)"
                   if kind == "provinces" else f"every {unit_word} row needs a value")
            problems.append(Problem(n, col, "", f"Empty cell in '{name}'; {fix}."))
    if not keys_ok:
        return pd.DataFrame(columns=cols), filled

    # duplicates of the unit-year key
    if kind == "links":
        key_of = lambda r: (min(r["city_a"], r["city_b"]), max(r["city_a"], r["city_b"]), r["year"])  # noqa: E731
    else:
        key_of = lambda r: (r[unit], r["year"])  # noqa: E731
    seen: dict = {}
    unique = []
    for r in good:
        if kind == "links" and r["city_a"] == r["city_b"]:
            problems.append(Problem(r["_row"], hdr.shown["city_b"], r["city_b"],
                                    f"A city linked to itself ({r['city_a']}); cooperation within a "
                                    "city belongs in the city panel's 'ai_coop_intra' column."))
            continue
        k = key_of(r)
        if k in seen:
            if kind == "links":
                msg = (f"The pair {k[0]} - {k[1]} in {k[2]} is already listed on row {seen[k]} "
                       "(pairs are unordered: a-b and b-a are the same link).")
                problems.append(Problem(r["_row"], hdr.shown["city_a"], f"{r['city_a']} - {r['city_b']}", msg))
            else:
                problems.append(Problem(r["_row"], hdr.shown[unit], r[unit],
                                        f"Duplicate: {r[unit]} {r['year']} is already on row {seen[k]}."))
            continue
        seen[k] = r["_row"]
        unique.append(r)

    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in unique], columns=cols)
    for c in numeric:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["year"] = frame["year"].astype("int64")
    if kind == "links":
        a, b = frame["city_a"].copy(), frame["city_b"].copy()
        swap = a > b
        frame.loc[swap, "city_a"], frame.loc[swap, "city_b"] = b[swap], a[swap]
        return frame.sort_values(["city_a", "city_b", "year"]).reset_index(drop=True), filled

    units = list(dict.fromkeys(frame[unit]))
    years = sorted(set(frame["year"]))
    bad_year_units = {r[unit] for r in records if r.get(unit) and r.get("year") is None}
    if kind in ("provinces", "cities") and units and len(units) < MIN_UNITS:
        problems.append(Problem(None, hdr.shown[unit], None,
                                f"Only {len(units)} {_plural(unit_word, len(units))}"
                                f" ({', '.join(map(str, units))}); at least {MIN_UNITS} are needed "
                                "(Moran's I, Markov classes and percentile thresholds are meaningless "
                                "with fewer)."))
    if kind == "provinces" and MIN_UNITS <= len(units) < len(schema.province_names()):
        warnings.append(f"{len(units)} of {len(schema.province_names())} provinces; results describe "
                        "these provinces only.")
    if years:
        span = list(range(years[0], years[-1] + 1))
        if kind in ("provinces", "cities") and len(span) < MIN_YEARS:
            problems.append(Problem(None, hdr.shown["year"], None,
                                    f"Only {len(span)} year{'s' if len(span) > 1 else ''} "
                                    f"({', '.join(map(str, years))}); at least {MIN_YEARS} consecutive "
                                    "years are needed for transitions and dynamics."))
    else:
        span = []

    present = {(r[unit], r["year"]) for r in unique}
    unnamed_rows: dict[int, list] = {}  # year -> rows whose province could not be read
    for r in records:
        if r.get(unit) is None and r.get("year") is not None:
            unnamed_rows.setdefault(r["year"], []).append(r["_row"])
    if kind == "provinces":
        gaps = {u: [y for y in span if (u, y) not in present] for u in units if u not in bad_year_units}
        gaps = {u: ys for u, ys in gaps.items() if ys}
        if gaps and not fill_gaps:
            by_year: dict[int, list] = {}
            for u, ys in gaps.items():
                for y in ys:
                    by_year.setdefault(y, []).append(u)
            wide_years = {y for y, us in by_year.items() if len(us) > len(units) / 2}
            for y in sorted(wide_years):
                have = [u for u in units if (u, y) in present]
                if not have:
                    problems.append(Problem(None, hdr.shown["year"], str(y),
                                            f"No province has rows for {y}: the years must be "
                                            f"consecutive ({span[0]}-{span[-1]}) for year-to-year "
                                            "transitions; add the year, or allow gap filling."))
                    continue
                problems.append(Problem(None, hdr.shown["year"], str(y),
                                        f"Year {y} has rows for only {len(have)} of {len(units)} "
                                        f"provinces ({', '.join(have) or 'none'}); the panel must be "
                                        "balanced: add the other provinces for this year or delete "
                                        "its rows (or allow gap filling)."))
            for u, ys in gaps.items():
                ys = [y for y in ys if y not in wide_years]
                if ys:
                    maybe = sorted({n for y in ys for n in unnamed_rows.get(y, [])})
                    note = (f" Row{'s' if len(maybe) > 1 else ''} {', '.join(map(str, maybe))}, whose "
                            "province could not be read, may be meant.") if maybe else ""
                    problems.append(Problem(None, hdr.shown[unit], u,
                                            f"{u} has no rows for {_years_text(ys)} (the panel spans "
                                            f"{span[0]}-{span[-1]}); add them, or allow gap filling."
                                            + note))
        if fill_gaps and len(frame) and span:
            frame, filled = _fill(frame, units, span, numeric, problems, hdr)
            if filled:
                n_rows = sum(len(ys) for ys in gaps.values())
                warnings.append(f"Gap filling: {len(filled)} cell{'s' if len(filled) > 1 else ''} "
                                f"filled ({n_rows} missing province-year row{'s' if n_rows != 1 else ''} "
                                "added) by linear interpolation within each province, edges carried "
                                "flat; see the list of filled cells.")
    else:
        holes = {u: [y for y in span if (u, y) not in present] for u in units}
        holes = {u: ys for u, ys in holes.items() if ys}
        if holes and kind == "cities":
            listed = "; ".join(f"{u}: {_years_text(ys)}" for u, ys in list(holes.items())[:10])
            more = f"; and {len(holes) - 10} more" if len(holes) > 10 else ""
            warnings.append(f"Unbalanced panel: {len(holes)} cit{'ies' if len(holes) > 1 else 'y'} "
                            f"without rows for some years ({listed}{more}).")
        if holes and kind == "firms":
            warnings.append(f"Unbalanced panel: {len(holes)} of {len(units)} firms lack some years "
                            f"of {span[0]}-{span[-1]}.")

    # a constant column: entropy weights (Liu et al. 2026, eq. for e_j) divide by max - min
    if len(frame) > 1:
        for c in numeric:
            vals = frame[c].dropna()
            if len(vals) > 1 and vals.max() == vals.min():
                if kind == "provinces":
                    problems.append(Problem(None, hdr.shown[c], _display(float(vals.iloc[0])),
                                            f"'{c}' has the same value in every row: min-max "
                                            "normalisation and its entropy weight are undefined."))
                else:
                    warnings.append(f"Column '{hdr.shown[c]}' has the same value in every row; its "
                                    "coefficient cannot be estimated.")

    if kind == "provinces":
        for c in numeric:
            spec = {s.name: s for s in specs}[c]
            vals = frame[c].dropna()
            if spec.unit.strip() == "%" and len(vals) > 3 and vals.max() <= 1:
                warnings.append(f"'{hdr.shown[c]}' is in percent (0-100) but every value is at most 1: "
                                "are these fractions? (Normalisation makes the scale harmless for "
                                "the coupling, but the tables will show these numbers.)")
        order = {name: i for i, name in enumerate(schema.province_names())}
        frame = frame.assign(_o=frame[unit].map(order)).sort_values(["_o", "year"]).drop(columns="_o")
    else:
        frame = frame.sort_values([unit, "year"])
    if kind == "cities":
        both = frame[["ai_patents", "all_patents"]].dropna()
        row_of = {(r[unit], r["year"]): r["_row"] for r in unique}
        for i in both.index[both["ai_patents"] > both["all_patents"]]:
            key = (frame.at[i, unit], frame.at[i, "year"])
            problems.append(Problem(row_of[key], hdr.shown["ai_patents"], _display(frame.at[i, "ai_patents"]),
                                    f"More AI patents ({_display(frame.at[i, 'ai_patents'])}) than all "
                                    f"patents ({_display(frame.at[i, 'all_patents'])}) for {key[0]} {key[1]}; AI patents "
                                    "are a subset of all patents."))
        over = frame[frame["ai_coop_intra"] > frame["ai_patents"]]
        if len(over):
            k = len(over)
            eg = ", ".join(f"{c} {y}" for c, y in zip(over[unit][:5], over["year"][:5]))
            warnings.append(f"{k} city-year{'s' if k > 1 else ''} with more intra-city cooperative AI "
                            f"patents than AI patents (e.g. {eg}); check the counting convention.")
    if kind == "firms":
        multi = frame.groupby("firm")["city"].nunique()
        multi = multi[multi > 1]
        if len(multi):
            warnings.append(f"{len(multi)} firm{'s' if len(multi) > 1 else ''} listed in more than one "
                            f"city over the years (e.g. {', '.join(map(str, multi.index[:5]))}).")
    return frame.reset_index(drop=True), filled


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
                problems.append(Problem(None, hdr.shown[c], u, f"{u} has no value at all in '{c}'; "
                                        "there is nothing to interpolate from."))
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

