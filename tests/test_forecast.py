"""Cluster innovation forecast from the Model 3 equation of Wang et al. (2025) (sim.forecast)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sim.forecast import (TERMS, Coefficients, forecast_ti, hold_last, long_run_multiplier,
                          recover_fixed_effects)

# Hand case: a0 = 0.5, a1 = 0.6, a2 = 0.1, a3 = -0.2, a4 = 0.05 with m_IP = 1, m_NC = 2,
# b1 = 0.3 (ED), b2 = 0 (IC), b3 = 0.1 (IE).
HAND = Coefficients.from_dict({"_cons": 0.5, "L.TI": 0.6, "IP": 0.1, "NC": -0.2, "IP*NC": 0.05,
                               "ED": 0.3, "IC": 0.0, "IE": 0.1}, ip_mean=1.0, nc_mean=2.0)


def hand_history():
    return pd.DataFrame({
        "cluster": ["A"] * 3 + ["B"] * 3,
        "year": [2018, 2019, 2020] * 2,
        "TI": [3.0, 3.2, 3.5, 2.0, 2.1, 2.4],
        "IP": [1, 2, 2, 0, 0, 1],
        "NC": [2, 2, 3, 1, 1, 1],
        "ED": [1, 1, 1, 2, 2, 2],
        "IC": [0, 0, 0, 1, 1, 1],
        "IE": [1, 1, 1, 0, 0, 0],
    })


def hand_future():
    return pd.DataFrame({
        "cluster": ["A"] * 3 + ["B"] * 3,
        "year": [2021, 2022, 2023] * 2,
        "IP": [3, 3, 3, 1, 2, 3],
        "NC": [3, 3, 3, 1, 1, 1],
        "ED": [1, 1, 1, 2, 2, 2],
        "IC": [0, 0, 0, 1, 1, 1],
        "IE": [1, 1, 1, 0, 0, 0],
    })


def test_fixed_effects_by_hand():
    # A 2019: 0.5 + 0.6*3.0 + 0.1*2 - 0.2*2 + 0.05*(2-1)*(2-2) + 0.3*1 + 0.1*1 = 2.50 -> resid 0.70
    # A 2020: 0.5 + 0.6*3.2 + 0.1*2 - 0.2*3 + 0.05*(2-1)*(3-2) + 0.3*1 + 0.1*1 = 2.47 -> resid 1.03
    # B 2019: 0.5 + 0.6*2.0 + 0 - 0.2*1 + 0.05*(0-1)*(1-2) + 0.3*2 + 0 = 2.15 -> resid -0.05
    # B 2020: 0.5 + 0.6*2.1 + 0.1*1 - 0.2*1 + 0.05*(1-1)*(1-2) + 0.3*2 + 0 = 2.26 -> resid 0.14
    eta = recover_fixed_effects(hand_history(), HAND)
    assert eta["A"] == pytest.approx((0.70 + 1.03) / 2)  # 0.865
    assert eta["B"] == pytest.approx((-0.05 + 0.14) / 2)  # 0.045


def test_forecast_equals_hand_computed_path():
    fc = forecast_ti(hand_history(), hand_future(), HAND, horizon=3, n_draws=50, seed=1)
    # A: constant exogenous part 0.5 + 0.1*3 - 0.2*3 + 0.05*(3-1)*(3-2) + 0.3 + 0.1 = 0.70;
    #    + eta 0.865 = 1.565; TI: 0.6*3.5 + 1.565 = 3.665; 0.6*3.665 + 1.565 = 3.764;
    #    0.6*3.764 + 1.565 = 3.8234
    # B: with IP = x: 0.5 + 0.1x - 0.2 + 0.05*(x-1)*(1-2) + 0.6 = 0.95 + 0.05x; + eta 0.045;
    #    x=1: 0.6*2.4 + 1.045 = 2.485; x=2: 0.6*2.485 + 1.095 = 2.586; x=3: 0.6*2.586 + 1.145 = 2.6966
    assert fc.clusters == ("A", "B")
    assert fc.years.tolist() == [2021, 2022, 2023]
    assert np.allclose(fc.point, [[3.665, 3.764, 3.8234], [2.485, 2.586, 2.6966]], atol=1e-12)
    assert np.allclose(fc.patents_point, np.exp(fc.point))
    assert fc.fixed_effects.round(6).to_dict() == {"A": 0.865, "B": 0.045}
    # zero coefficient variance: every draw is the point path
    assert np.allclose(fc.bands, fc.point[..., None], atol=1e-12)
    frame = fc.to_frame()
    assert len(frame) == 6 and np.allclose(frame["ti_p95"], frame["ti"])


def test_uncertain_constant_is_absorbed_by_fixed_effects():
    # only the constant is uncertain: each draw re-recovers eta, so the path does not move
    c = Coefficients.from_dict(dict(HAND.params), se={"_cons": 2.0}, ip_mean=1.0, nc_mean=2.0)
    fc = forecast_ti(hand_history(), hand_future(), c, horizon=3, n_draws=200, seed=0)
    assert np.allclose(fc.bands, fc.point[..., None], atol=1e-9)


def test_bands_from_parameter_uncertainty():
    se = {"L.TI": 0.05, "IP": 0.03, "NC": 0.05, "IP*NC": 0.01, "ED": 0.1, "IE": 0.05, "_cons": 1.0}
    c = Coefficients.from_dict(dict(HAND.params), se=se, ip_mean=1.0, nc_mean=2.0)
    a = forecast_ti(hand_history(), hand_future(), c, horizon=3, n_draws=2000, seed=3)
    b = forecast_ti(hand_history(), hand_future(), c, horizon=3, n_draws=2000, seed=3)
    assert np.array_equal(a.bands, b.bands)
    lo, mid, hi = a.bands[..., 0], a.bands[..., 1], a.bands[..., 2]
    assert np.all(lo < mid) and np.all(mid < hi)
    assert np.all(np.diff(hi - lo, axis=1) > 0)  # uncertainty grows with the horizon
    assert np.abs(mid - a.point).max() < 0.05
    assert np.all(a.patents_bands[..., 0] < a.patents_point)
    assert np.all(a.patents_point < a.patents_bands[..., 2])
    kept = forecast_ti(hand_history(), hand_future(), c, horizon=3, n_draws=2000, seed=3,
                       keep_draws=True).draws
    assert np.allclose(a.bands[..., 0], np.percentile(kept, 5, axis=-1))
    assert np.allclose(a.bands[..., 1], np.median(kept, axis=-1))


def test_draws_are_normal_with_the_given_covariance():
    from sim.forecast import _coefficient_draws
    c = Coefficients.from_paper()
    d = _coefficient_draws(c, 20_000, 0)
    tol = 4 * c.bse.to_numpy() / np.sqrt(20_000) + 1e-12
    assert np.allclose(d.mean(axis=0), c.params.to_numpy(), atol=tol)
    assert np.allclose(d.std(axis=0), c.bse.to_numpy(), rtol=0.03)


def test_hold_last_carries_the_last_values():
    f = hold_last(hand_history(), 2)
    assert f["year"].tolist() == [2021, 2022, 2021, 2022]
    assert f.loc[f["cluster"] == "A", ["IP", "NC"]].to_numpy().tolist() == [[2, 3], [2, 3]]
    fc = forecast_ti(hand_history(), f, HAND, horizon=2, n_draws=5)
    assert fc.point.shape == (2, 2)


def test_from_paper_reads_published_model_3():
    c = Coefficients.from_paper(model=3)
    assert c.params.index.tolist() == list(TERMS)
    assert c.params[["L.TI", "IP", "NC", "IP*NC", "ED", "IC", "IE", "_cons"]].tolist() == \
        [0.809, 0.065, -0.099, -0.061, 0.546, 0.248, 0.095, -6.542]
    # SE = |coef / z|
    assert c.bse["L.TI"] == pytest.approx(0.809 / 17.615)
    assert c.bse["IP*NC"] == pytest.approx(0.061 / 6.748)
    assert c.bse["_cons"] == pytest.approx(6.542 / 3.181)
    assert np.allclose(c.to_frame().set_index("term").loc["IP", "z"], 2.303)
    cov = c.covariance.to_numpy()
    assert np.allclose(cov, np.diag(np.diag(cov)))
    assert (c.ip_mean, c.nc_mean) == (2.006, 2.682)
    m1 = Coefficients.from_paper(model=1)
    assert m1.params["IP"] == 0.0 and m1.bse["IP"] == 0.0 and m1.params["L.TI"] == 0.941


def test_from_paper_rejects_bad_tables():
    t = pd.DataFrame({"model": [3], "term": ["XX"], "coef": [1.0], "z": [2.0]})
    with pytest.raises(ValueError, match="unknown term"):
        Coefficients.from_paper(t)
    with pytest.raises(ValueError, match="no rows for model 4"):
        Coefficients.from_paper(model=4)
    with pytest.raises(ValueError, match="columns"):
        Coefficients.from_paper(pd.DataFrame({"model": [3], "term": ["IP"]}))


def test_long_run_multiplier_hand_case():
    c = Coefficients.from_dict({"L.TI": 0.5, "IP": 0.1, "IP*NC": -0.02},
                               se={"L.TI": 0.1, "IP": 0.05, "IP*NC": 0.01}, nc_mean=2.0)
    m = long_run_multiplier(c, 3.0)
    # (0.1 - 0.02 * (3 - 2)) / (1 - 0.5) = 0.16
    assert float(m.value) == pytest.approx(0.16)
    # gradient (a1, a2, a4) = (0.16 / 0.5, 1 / 0.5, 1 / 0.5) = (0.32, 2, 2)
    # var = 0.32^2 * 0.01 + 2^2 * 0.0025 + 2^2 * 0.0001 = 0.011424
    assert float(m.se) == pytest.approx(np.sqrt(0.011424))
    arr = long_run_multiplier(c, [2.0, 3.0])
    assert arr.value.tolist() == pytest.approx([0.2, 0.16])


def test_long_run_multiplier_paper_and_no_long_run():
    c = Coefficients.from_paper()
    m = long_run_multiplier(c, c.nc_mean)
    assert float(m.value) == pytest.approx(0.065 / (1 - 0.809))
    unit_root = Coefficients.from_dict({"L.TI": 1.0, "IP": 0.1})
    with pytest.warns(RuntimeWarning, match="no long-run"):
        r = long_run_multiplier(unit_root, 1.0)
    assert np.isnan(r.value)


def test_inputs_not_mutated_and_validation():
    h, f = hand_history(), hand_future()
    h0, f0 = h.copy(), f.copy()
    forecast_ti(h, f, HAND, 3, n_draws=5)
    pd.testing.assert_frame_equal(h, h0)
    pd.testing.assert_frame_equal(f, f0)
    with pytest.raises(ValueError, match="lacks"):
        forecast_ti(h, f[f["year"] < 2023], HAND, 3)
    with pytest.raises(ValueError, match="last observed year"):
        forecast_ti(h[~((h["cluster"] == "B") & (h["year"] == 2020))], f, HAND, 3)
    with pytest.raises(ValueError, match="columns"):
        forecast_ti(h.drop(columns="NC"), f, HAND, 3)
    bad = h.copy()
    bad.loc[0, "TI"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        recover_fixed_effects(bad, HAND)
    with pytest.raises(ValueError, match="not in the history"):
        forecast_ti(h, pd.concat([f, f[f["cluster"] == "A"].assign(cluster="Z")]), HAND, 3)
    with pytest.raises(ValueError, match="terms"):
        Coefficients(pd.Series({"IP": 1.0}), pd.DataFrame(), 0.0, 0.0)


def test_coefficients_are_frozen():
    with pytest.raises(Exception):
        HAND.ip_mean = 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert HAND.to_frame()["z"].isna().all()
