"""The simulator's fast paths change no number.

1. The interactive route (a reused baseline side, re-measuring only the changed provinces, the
   vectorised paths) equals the plain route: the full recomputation, ``measure`` on every row, the
   plain-loop ``simulate_paths_reference``.
2. Every array fast path equals the straightforward (pandas / networkx) route it replaces, exactly.

No number is pinned as a literal: values computed through BLAS differ in the last bits between CPUs.
"""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim import clusters as cl
from sim import schema
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario
from sim import simulate as S

DEMO = schema.DATA_DIR / "demo"
ALL_THREE = Scenario(horizon=5, n_paths=10_000, indicator_changes=(
    IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),),
    policy_changes=(PolicyChange(("Central",), 2021, 5.0),),
    link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 200.0),))


@pytest.fixture(scope="module")
def frames(demo_frames):
    return demo_frames


@pytest.fixture(scope="module")
def base(demo_base):
    return demo_base


@pytest.fixture(scope="module")
def result(base):
    ref = S.simulate(base, Scenario(horizon=5, n_paths=10_000))
    return S.simulate(base, ALL_THREE, reference=ref)


# --- 1. the interactive route changes no number ----------------------------------------------
def test_reference_reuse_changes_nothing(base, result):
    """With or without a precomputed baseline side: identical tables and summary."""
    fresh = S.simulate(base, ALL_THREE)
    a, b = result.tables(), fresh.tables()
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True)
    assert result.summary == fresh.summary


def test_remeasuring_only_the_changed_provinces_equals_measuring_all(base, result):
    """The scenario side re-measures the touched provinces only; the full route gives the same."""
    pb = base.provinces
    ext = S.extend_panel(pb.panel, 5)
    panel, _, _ = S.apply_indicator_changes(ext, ALL_THREE.indicator_changes)
    full = S.measure(pb.frame, None, panel)
    pd.testing.assert_frame_equal(result.scenario_provinces.measures, full, check_exact=True)
    D = S.wide(full, "D", pb.names, tuple(sorted(full[schema.YEAR].unique())))
    pd.testing.assert_frame_equal(result.scenario_provinces.static_D, D, check_exact=True)


def test_paths_of_the_result_equal_the_plain_reference_loop(base):
    """A few paths of the demo through ``simulate_paths`` and its plain-loop reference."""
    from sim import projection

    pb = base.provinces
    e = np.zeros((len(pb.names), 4))
    e[list(pb.names).index("Gansu"), 1:] = 0.05
    fast = projection.simulate_paths(pb.forward, pb.D_hist[:, -1], 3, 25, seed=4, effects=e)
    ref = projection.simulate_paths_reference(pb.forward, pb.D_hist[:, -1], 3, 25, seed=4, effects=e)
    np.testing.assert_allclose(fast.D, ref, rtol=0, atol=1e-5)


# --- 2. fast paths equal the routes they replace ------------------------------------------------
EDIT_SETS = [
    (),
    (LinkEdit("Guilin", "Shenzhen", "add", 200.0),),
    (LinkEdit("Shenzhen", "Beijing", "scale", 3.0), LinkEdit("Hefei", "Nanjing", "remove")),
    (LinkEdit("Beijing", "Shanghai", "scale", 0.0), LinkEdit("Zhuhai", "Kunming", "add", 0.5),
     LinkEdit("Kunming", "Zhuhai", "add", 2.0)),
]


@pytest.mark.parametrize("edits", EDIT_SETS)
def test_closeness_after_edits_equals_networkx(base, edits):
    cb = base.clusters
    for year in (cb.last_year, cb.last_year - 3):
        b = replace(cb, last_year=year, last_links=()) if year != cb.last_year else cb
        fast = S._closeness_after_edits(b, edits)
        ref = cl.closeness_centrality(S.edit_links(cb.links, edits, year), list(cb.clusters), (year, year))
        np.testing.assert_array_equal(fast, ref["closeness"].to_numpy())


def test_closeness_isolated_cluster_is_nan(base):
    cb = base.clusters
    c = cb.clusters[-1]
    cut = tuple(LinkEdit(a, b, "remove") for (a, b), _ in cb.last_links if c in (a, b))
    fast = S._closeness_after_edits(cb, cut)
    ref = cl.closeness_centrality(S.edit_links(cb.links, cut, cb.last_year), list(cb.clusters),
                                  (cb.last_year, cb.last_year))
    np.testing.assert_array_equal(fast, ref["closeness"].to_numpy())
    assert np.isnan(fast[-1])


def test_self_link_refused(base):
    with pytest.raises(ValueError, match="with itself"):
        S._closeness_after_edits(base.clusters, (LinkEdit("Beijing", "Beijing", "add", 3.0),))


CHANGES = [
    (IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),),
    (IndicatorChange("system:inno", ("all",), 2020, "pct", -20.0, 0.0),
     IndicatorChange("rd_exp", ("Beijing", "Guizhou", "Atlantis"), 2024, "abs", -1e9, 2.0),
     IndicatorChange("dim:New labor materials", ("East",), 2022, "set", 0.0, 0.0),
     IndicatorChange("rd_exp", ("Beijing",), 2025, "pct", 10.0, 1.0)),
    (),
]


def _reference_apply(panel: pd.DataFrame, changes) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Reference: the original column-by-column pandas implementation of apply_indicator_changes."""
    out = panel.copy()
    names = list(dict.fromkeys(out[schema.PROVINCE]))
    notes = []
    year = out[schema.YEAR].to_numpy()
    for ch in changes:
        provs = S._provinces(ch.provinces, names)
        missing = [p for p in ch.provinces if p not in ("all", *schema.REGIONS) and p not in names]
        if missing:
            notes.append(f"Not in the loaded data, change ignored for: {', '.join(missing)}.")
        rows = out[schema.PROVINCE].isin(provs).to_numpy() & (year >= ch.from_year)
        if not rows.any():
            continue
        growth = (1.0 + ch.growth_pct / 100.0) ** (year[rows] - ch.from_year)
        for col in S._targets(ch):
            x = out.loc[rows, col].to_numpy(dtype=float)
            if ch.mode == "pct":
                new = x * (1.0 + ch.value / 100.0)
            elif ch.mode == "abs":
                new = x + ch.value
            else:
                new = np.full_like(x, ch.value)
            new = new * growth
            if (new < 0).any():
                from sim.changes import target_label

                name = target_label(col)  # the indicator's name, as the note names it for users
                notes.append(f"{name}: {int((new < 0).sum())} value(s) would fall below zero; set to zero.")
                new = np.maximum(new, 0.0)
            out.loc[rows, col] = new
    ind = schema.indicator_ids()
    diff = out[ind].to_numpy(dtype=float) != panel[ind].to_numpy(dtype=float)
    r, c = np.nonzero(diff)
    touched = pd.DataFrame({schema.PROVINCE: out[schema.PROVINCE].to_numpy()[r], schema.YEAR: year[r],
                            "indicator": np.asarray(ind, dtype=object)[c],
                            "baseline": panel[ind].to_numpy(dtype=float)[r, c],
                            "scenario": out[ind].to_numpy(dtype=float)[r, c]})
    return out, touched, notes


@pytest.mark.parametrize("changes", CHANGES)
def test_apply_indicator_changes_equals_column_route(base, changes):
    ext = S.extend_panel(base.provinces.panel, 4)
    fast = S.apply_indicator_changes(ext, changes)
    slow = _reference_apply(ext, changes)
    pd.testing.assert_frame_equal(fast[0], slow[0], check_exact=True)
    pd.testing.assert_frame_equal(fast[1], slow[1], check_exact=True)
    assert fast[2] == slow[2]


def test_measure_and_wide_equal_pandas_route(base):
    pb = base.provinces
    ext = S.extend_panel(pb.panel, 3)
    panel, _, _ = S.apply_indicator_changes(ext, CHANGES[1])
    m = S._measure(pb.frame, None, panel)
    pd.testing.assert_frame_equal(m, pb.frame.transform(panel, beyond_range="saturate"), check_exact=True)
    years = tuple(sorted(m[schema.YEAR].unique()))
    for col in ("D", "h_inno"):
        pivot = m.pivot(index=schema.PROVINCE, columns=schema.YEAR, values=col).reindex(
            index=list(pb.names), columns=list(years))
        pd.testing.assert_frame_equal(S._wide(m, col, pb.names, years), pivot, check_exact=True)
    with pytest.raises(ValueError, match="repeats a province-year"):
        S._wide(pd.concat([m, m.iloc[:1]]), "D", pb.names, years)


def test_out_of_range_equals_cell_loop(base):
    """The vectorised EntropyFrame.out_of_range lists the same cells as a cell-by-cell loop."""
    pb = base.provinces
    panel, _, _ = S.apply_indicator_changes(S.extend_panel(pb.panel, 2), CHANGES[1])
    rows = []
    for sf in (pb.frame.nqpf, pb.frame.inno):
        X = panel[list(sf.indicator_ids)].to_numpy(dtype=float)
        Z = sf.normalise(X)
        for r, c in zip(*np.nonzero((X < sf.mins) | (X > sf.maxs))):
            rows.append({schema.PROVINCE: panel[schema.PROVINCE].iloc[r], schema.YEAR: panel[schema.YEAR].iloc[r],
                         "system": sf.system, "indicator": sf.indicator_ids[c], "value": X[r, c],
                         "baseline_min": sf.mins[c], "baseline_max": sf.maxs[c], "normalised": Z[r, c]})
    ref = pd.DataFrame(rows)
    got = pb.frame.out_of_range(panel)
    assert len(got) > 100 and set(got["system"]) == {"nqpf", "inno"}
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    empty = pb.frame.out_of_range(pb.panel)
    assert empty.empty and list(empty.columns) == list(ref.columns)


@pytest.mark.parametrize("horizon", [1, 4])
def test_extend_panel_equals_concat_route(base, horizon):
    panel = base.provinces.panel
    last_year = int(panel[schema.YEAR].max())
    last = panel[panel[schema.YEAR] == last_year]
    ref = pd.concat([panel, *[last.assign(**{schema.YEAR: last_year + h}) for h in range(1, horizon + 1)]],
                    ignore_index=True)
    pd.testing.assert_frame_equal(S.extend_panel(panel, horizon), ref, check_exact=True)


def test_history_design_forecast_equals_dataframe_forecast(base):
    from sim import forecast

    cb = base.clusters
    future = forecast.hold_last(cb.panel, 4)
    future["IP"] = future["IP"] + 0.3
    a = forecast.forecast_ti(cb.panel, future, cb.coefficients, 4, seed=2, log_offset=1.0)
    b = forecast.forecast_ti(forecast.history_design(cb.panel, cb.coefficients), future, cb.coefficients, 4,
                             seed=2, log_offset=1.0)
    for f in ("point", "bands", "patents_point", "patents_bands", "years"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    pd.testing.assert_series_equal(a.fixed_effects, b.fixed_effects, check_exact=True)
    pd.testing.assert_series_equal(a.last_observed, b.last_observed, check_exact=True)
    other = replace(cb.coefficients, ip_mean=cb.coefficients.ip_mean + 1.0)
    with pytest.raises(ValueError, match="centring means"):
        forecast.forecast_ti(forecast.history_design(cb.panel, cb.coefficients), future, other, 4)
