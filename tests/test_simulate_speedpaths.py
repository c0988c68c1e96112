"""The simulator's fast paths change no number.

1. Numbers of ``simulate(...)`` on the demo pinned from the code as it was BEFORE the speed work
   (commit cee9c56), to 1e-9 relative (CPU-independent), and the summary text
   exactly.
2. Every array fast path equals the straightforward (pandas / networkx) route it replaces, exactly.
"""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim import clusters as cl
from sim import data, schema
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario
from sim import simulate as S

DEMO = schema.DATA_DIR / "demo"
ALL_THREE = Scenario(horizon=5, n_paths=10_000, indicator_changes=(
    IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),),
    policy_changes=(PolicyChange(("Central",), 2021, 5.0),),
    link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 200.0),))


@pytest.fixture(scope="module")
def frames():
    return {"provinces": data.read_province_panel(DEMO / "provinces.csv"),
            "cities": data.read_city_panel(DEMO / "cities.csv"),
            "links": data.read_city_links(DEMO / "city_links.csv")}


@pytest.fixture(scope="module")
def base(frames):
    return S.prepare(frames, S.Options())


@pytest.fixture(scope="module")
def result(base):
    ref = S.simulate(base, Scenario(horizon=5, n_paths=10_000))
    return S.simulate(base, ALL_THREE, reference=ref)


# --- 1. pinned before the optimisation --------------------------------------------------------
PINNED_D = {  # province: (scenario D 2027, baseline D 2027, scenario D 2023)
    "Guizhou": (0.47842808920129903, 0.44945415469321004, 0.4651112989286774),
    "Sichuan": (0.5705583906942108, 0.5381559182422757, 0.5556177460114592),
    "Beijing": (0.7574175858602994, 0.7574175858602994, 0.7574175858602994),
    "Xinjiang": (0.4802180980878504, 0.45260202598349164, 0.4674922182878469),
}
PINNED_TI = {  # cluster: (scenario TI 2025, baseline TI 2025, scenario p05, scenario p95)
    "Beijing": (10.007101624786348, 10.160189403577961, 9.497169757490557, 10.340759503716683),
    "Fuzhou": (7.836586291471724, 7.909761256384108, 7.623398904142872, 8.037148072679164),
    "Kunming": (6.971165160339359, 7.009199939044281, 6.686361341279419, 7.400996209645708),
    "Shenzhen": (8.81746233678844, 8.922484158359683, 8.671333469094497, 8.946780600465694),
    "Zhuhai": (8.712884387964797, 8.806832631156382, 8.543623794756442, 8.88216012301691),
}
PINNED_NC = {"Beijing": 4.236310511716618, "Tianjin": 3.973660351891019, "Hefei": 3.822254100939006,
             "Dongguan": 3.522422715630832, "Qinhuangdao": 2.642493726894779}
# Tolerance for values pinned as literals: relative 1e-9. Bit-level values depend on the CPU's BLAS
# kernels (an Intel Xeon gave 10.007101624793808 for 10.007101624786348), so 1e-12 absolute made
# CI pass or fail by machine.
REL = 1e-9


def test_pinned_d_and_classes(result):
    sp, bp = result.scenario_provinces, result.baseline_provinces
    for p, (s27, b27, s23) in PINNED_D.items():
        assert sp.D.loc[p, 2027] == pytest.approx(s27, rel=REL)
        assert bp.D.loc[p, 2027] == pytest.approx(b27, rel=REL)
        assert sp.D.loc[p, 2023] == pytest.approx(s23, rel=REL)
    assert len(result.touched) == 385 and len(result.out_of_range) == 32
    assert int(sp.faults["flagged"].sum()) == 7 and int(bp.faults["flagged"].sum()) == 7
    assert sp.moran.I == pytest.approx(0.3277772107801296, rel=REL)
    assert bp.moran.I == pytest.approx(0.3486335721597239, rel=REL)
    assert sp.moran.p_sim == 0.01


def test_pinned_projection(result):
    sp, bp = result.scenario_provinces.projection, result.baseline_provinces.projection
    np.testing.assert_allclose(sp.national_shares[-1, :, 0], [7.666666666666667e-05, 0.34870666666666666,
                                                              0.4071133333333334, 0.24410333333333337],
                               rtol=REL, atol=0)
    np.testing.assert_allclose(bp.national_shares[-1, :, 0], [7.666666666666667e-05, 0.34880666666666665,
                                                              0.4086366666666667, 0.24248000000000003],
                               rtol=REL, atol=0)
    assert sp.national_shares[-1, 2, 1:].tolist() == [0.26666666666666666, 0.5333333333333333]
    g = list(sp.labels).index("Guizhou")
    assert sp.class_probabilities[-1, g].tolist() == [0.0, 0.6199, 0.3106, 0.0695]
    assert sp.never_reached_or_above[g, 2] == pytest.approx(0.6199, rel=REL)


def test_pinned_cluster_forecast(result):
    fs, fb = result.scenario_clusters.forecast, result.baseline_clusters.forecast
    for c, (s, b, lo, hi) in PINNED_TI.items():
        i = fs.clusters.index(c)
        assert fs.point[i, -1] == pytest.approx(s, rel=REL)
        assert fb.point[i, -1] == pytest.approx(b, rel=REL)
        assert fs.bands[i, -1, 0] == pytest.approx(lo, rel=REL)
        assert fs.bands[i, -1, 2] == pytest.approx(hi, rel=REL)
    for c, v in PINNED_NC.items():
        assert result.scenario_clusters.nc_last[c] == pytest.approx(v, rel=REL)


def test_pinned_summary_text(result):
    s = result.summary
    assert s[0] == "Inner Mongolia: coupling coordination D in 2027 0.374 -> 0.402 (+0.029); stays Medium."
    assert s[8] == "... and 3 more provinces changed."
    assert s[9] == ("Share of provinces at high or extreme coordination in 2027: 65.1% baseline, 65.1% "
                    "scenario (spatial Markov projection from 2023, 10,000 paths).")
    assert s[10] == "Moran's I of D in 2023: 0.349 baseline, 0.328 scenario."
    assert s[12] == "Guilin: AI patent applications in 2025 269 -> 137 (-48.9%)."
    assert s[13] == "Beijing: AI patent applications in 2025 25,853 -> 22,183 (-14.2%)."
    assert s[-1] == "... and 23 more clusters changed."
    assert len(s) == 19


def test_reference_reuse_changes_nothing(base, result):
    """With or without a precomputed baseline side: identical tables."""
    fresh = S.simulate(base, ALL_THREE)
    a, b = result.tables(), fresh.tables()
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True)
    assert result.summary == fresh.summary


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
                notes.append(f"{col}: {int((new < 0).sum())} value(s) would fall below zero; set to zero.")
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
    pd.testing.assert_frame_equal(m, pb.frame.transform(panel, beyond_range="extrapolate"), check_exact=True)
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


@pytest.mark.parametrize("change, reused", [
    (IndicatorChange("rd_exp", ("Guizhou",), 2023, "pct", 10.0, 0.0), True),  # no class or lag class moves
    (IndicatorChange("dim:New labor materials", ("West",), 2025, "pct", 30.0, 5.0), True),  # after launch
    (IndicatorChange("system:nqpf", ("West",), 2023, "pct", 100.0, 0.0), False),  # classes move
])
def test_projection_reused_only_when_its_inputs_are_the_baseline_s(base, change, reused):
    """The scenario side reuses the baseline projection exactly when starting classes and first lag
    classes coincide, and then equals a fresh projection from the scenario's own D, bit for bit."""
    from sim import markov, projection

    pb = base.provinces
    sc = Scenario(horizon=3, n_paths=2000, indicator_changes=(change,))
    res = S.simulate(base, sc, seed=5)
    sp = res.scenario_provinces
    assert (sp.projection is res.baseline_provinces.projection) is reused
    d0 = sp.D[res.launch_year].to_numpy()
    fresh = projection.project_spatial_markov(
        markov.classify(d0, pb.cutoffs), pb.P_spatial, pb.W_proximity, horizon=3, n_paths=2000, seed=5,
        lag_cutoffs=pb.cutoffs, class_values=pb.class_values, P_fallback=pb.P_pooled, initial_values=d0,
        start_year=res.launch_year - 1, labels=pb.names)
    for f in ("initial_classes", "class_probabilities", "national_shares", "reached_by", "never_reached",
              "years_to_class_or_above"):
        np.testing.assert_array_equal(getattr(sp.projection, f), getattr(fresh, f))


def test_first_lag_classes_is_the_projection_first_step():
    from sim import projection

    W = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float)
    Wrs = projection.row_standardise(W)
    # province 0: mean(0.2, 0.9) = 0.55 -> class 2 of (0.25, 0.5, 0.75); 1 and 2: 0.3 -> class 1
    assert projection.first_lag_classes(Wrs, [0.3, 0.2, 0.9], (0.25, 0.5, 0.75)).tolist() == [2, 1, 1]
    with pytest.raises(ValueError, match="3 finite numbers"):
        projection.first_lag_classes(Wrs, [0.3, np.nan, 0.9], (0.25, 0.5, 0.75))


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


def _float_route(monkeypatch):
    from sim import projection

    monkeypatch.setattr(projection, "_integer_lag_plan", lambda *a, **k: None)


def _projections_equal(a, b):
    for f in ("paths", "class_probabilities", "national_shares", "reached_by", "years_to_class",
              "never_reached", "reached_or_above_by", "years_to_class_or_above"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


@pytest.mark.parametrize("seed", [0, 11])
def test_integer_lag_route_equals_float_route_on_demo(base, monkeypatch, seed):
    from sim import markov, projection

    pb = base.provinces
    W = sparse_rs(pb.W_proximity)
    cut = np.asarray(pb.cutoffs)
    poly_thr = (cut - 0.125) / 0.25 + 1e-9 / 0.25
    assert projection._integer_lag_plan(W, poly_thr, 4) is not None  # the demo takes the integer route
    d0 = np.linspace(0.2, 0.8, len(pb.names))
    kw = dict(horizon=4, n_paths=3000, seed=seed, lag_cutoffs=pb.cutoffs, class_values=pb.class_values,
              P_fallback=pb.P_pooled, keep_paths=True)
    init = markov.classify(d0, pb.cutoffs)
    fast = projection.project_spatial_markov(init, pb.P_spatial, pb.W_proximity, initial_values=d0, **kw)
    fast_no_iv = projection.project_spatial_markov(init, pb.P_spatial, pb.W_proximity, **kw)
    _float_route(monkeypatch)
    _projections_equal(fast, projection.project_spatial_markov(init, pb.P_spatial, pb.W_proximity,
                                                               initial_values=d0, **kw))
    _projections_equal(fast_no_iv, projection.project_spatial_markov(init, pb.P_spatial, pb.W_proximity, **kw))


def sparse_rs(W):
    from scipy import sparse

    from sim import projection

    return sparse.csr_array(projection.row_standardise(W))


def test_integer_lag_route_random_binary_w_three_classes(monkeypatch):
    from sim import projection

    rng = np.random.default_rng(4)
    n = 25
    W = (rng.random((n, n)) < 0.2).astype(float)
    W = np.maximum(W, W.T)
    np.fill_diagonal(W, 0.0)
    W[W.sum(axis=1) == 0, 0] = 1.0
    P = rng.random((3, 3, 3))
    P /= P.sum(axis=-1, keepdims=True)
    s0 = rng.integers(0, 3, n)
    kw = dict(horizon=5, n_paths=2000, seed=3, lag_cutoffs=(0.3, 0.55), class_values=(0.1, 0.4, 0.7),
              keep_paths=True)
    thr = (np.array([0.3, 0.55]) - 0.1) / 0.3 + 1e-9 / 0.3
    assert projection._integer_lag_plan(sparse_rs(W), thr, 3) is not None
    fast = projection.project_spatial_markov(s0, P, W, **kw)
    _float_route(monkeypatch)
    _projections_equal(fast, projection.project_spatial_markov(s0, P, W, **kw))


def test_integer_lag_plan_refuses_unequal_weights_and_near_ties():
    from sim import projection

    W = np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 1], [1, 0, 1, 0]], dtype=float)
    thr = np.array([0.5, 1.5, 2.5]) + 4e-9
    assert projection._integer_lag_plan(sparse_rs(W), thr, 4) is not None
    Wu = W.copy()
    Wu[0, 1] = 2.0  # unequal weights in row 0
    assert projection._integer_lag_plan(sparse_rs(Wu), thr, 4) is None
    # a threshold within 1e-12 of an attainable S / deg (1 / 3 for the degree-3 province)
    assert projection._integer_lag_plan(sparse_rs(W), np.array([1.0 / 3.0, 1.5, 2.5]), 4) is None
