"""Tests of sim.robustness: Models 1-3, placebo, moderation, mediation, negative binomial."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.gmm import TOO_MANY_INSTRUMENTS
from sim.robustness import (INTERACTION, _shuffle, compare_with_paper, mediation, moderation,
                            negative_binomial, placebo, wang_model, wang_spec)

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
TRUE = {"L.TI": 0.8, "IP": 0.06, "NC": -0.1, INTERACTION: -0.06, "ED": 0.3, "IC": 0.2,
        "IE": 0.1, "_cons": -3.0}


def synthetic_panel(n_clusters=29, n_years=10, seed=0, nc_missing=0):
    """A panel shaped like sim.clusters.regression_panel's, from Eq. (3) with TRUE coefficients.

    IP is correlated with the cluster effect (endogenous, as the paper assumes); controls and NC
    are exogenous; TI starts near its steady state so the system-GMM levels moments hold.
    """
    rng = np.random.default_rng(seed)
    N, T = n_clusters, n_years
    eta = rng.normal(0, 0.15, N)
    ED = 11.3 + rng.normal(0, 0.35, (N, 1)) + 0.03 * np.arange(T) + rng.normal(0, 0.05, (N, T))
    IC = 2.6 + rng.normal(0, 0.35, (N, 1)) + rng.normal(0, 0.08, (N, T))
    IE = 12.5 + rng.normal(0, 1.1, (N, 1)) + 0.05 * np.arange(T) + rng.normal(0, 0.2, (N, T))
    NC = 2.7 + rng.normal(0, 0.5, (N, 1)) + rng.normal(0, 0.3, (N, T))
    IP = np.log1p(rng.poisson(np.exp(1.5 + 2.0 * eta[:, None] / 0.15 * 0.3
                                      + 0.1 * np.arange(T)), (N, T)))
    if nc_missing:
        NC.flat[rng.choice(N * T, nc_missing, replace=False)] = np.nan
    both = np.isfinite(NC)
    m_ip, m_nc = IP[both].mean(), NC[both].mean()
    INT = (IP - m_ip) * (NC - m_nc)
    b = TRUE
    x = (b["_cons"] + b["IP"] * IP + b["NC"] * np.nan_to_num(NC, nan=m_nc)
         + b[INTERACTION] * np.nan_to_num(INT) + b["ED"] * ED + b["IC"] * IC + b["IE"] * IE
         + eta[:, None])
    TI = np.zeros((N, T))
    TI[:, 0] = x[:, 0] / (1 - b["L.TI"]) + rng.normal(0, 0.1, N)
    for t in range(1, T):
        TI[:, t] = b["L.TI"] * TI[:, t - 1] + x[:, t] + rng.normal(0, 0.15, N)
    df = pd.DataFrame({"cluster": np.repeat([f"C{i:03d}" for i in range(N)], T),
                       "year": np.tile(np.arange(2011, 2011 + T), N), "TI": TI.ravel(),
                       "IP": IP.ravel(), "NC": NC.ravel(), INTERACTION: INT.ravel(),
                       "ED": ED.ravel(), "IC": IC.ravel(), "IE": IE.ravel()})
    df.attrs["centring"] = {"IP": float(m_ip), "NC": float(m_nc)}
    return df


@pytest.fixture(scope="module")
def paper_shaped():
    return synthetic_panel()


def test_wang_spec_models():
    s1, s3 = wang_spec(1), wang_spec(3)
    assert s1["regressors"] == ["L.TI", "ED", "IC", "IE"]
    assert [g.var for g in s1["gmm"]] == ["TI"]
    assert s3["regressors"] == ["L.TI", "IP", "NC", INTERACTION, "ED", "IC", "IE"]
    assert all(g.min_lag == 2 and g.max_lag is None for g in s3["gmm"])
    assert [i.var for i in s3["iv"]] == ["NC", INTERACTION, "ED", "IC", "IE"]
    s3e = wang_spec(3, interaction_endogenous=True, collapse=True, max_lag=4)
    assert [g.var for g in s3e["gmm"]] == ["TI", "IP", INTERACTION]
    assert all(g.collapse and g.max_lag == 4 for g in s3e["gmm"])
    with pytest.raises(ValueError, match="model"):
        wang_spec(4)


def test_instrument_counts_paper_shaped(paper_shaped):
    """29 clusters x 2011-2020: uncollapsed lag(2 .) for TI and IP gives 2 x (36 + 8) GMM
    columns + 3 controls + constant = 92 (Model 2), + NC and IPxNC = 94 (Model 3; the algebra
    file's figure), collapsed 2 x (8 + 1) + 6 = 24 (Model 3)."""
    r2 = wang_model(paper_shaped, 2).fit()
    r3 = wang_model(paper_shaped, 3).fit()
    r3c = wang_model(paper_shaped, 3, collapse=True).fit()
    assert (r2.n_instruments, r3.n_instruments, r3c.n_instruments) == (92, 94, 24)
    assert r2.n_obs == 261 and r2.n_groups == 29  # the paper's 261 = 29 x 9
    assert any(w.startswith(TOO_MANY_INSTRUMENTS) for w in r3.warnings)
    assert r3.hansen.pvalue > 0.99  # the symptom the paper shows as Sargan p = 1.000
    assert not any(w.startswith(TOO_MANY_INSTRUMENTS) for w in r3c.warnings)


def test_model3_recovery_large_synthetic():
    panel = synthetic_panel(n_clusters=300, seed=3, nc_missing=20)
    r = wang_model(panel, 3, collapse=True).fit()
    for name, true in TRUE.items():
        assert abs(r.params[name] - true) < 2.5 * r.bse[name], (name, r.params[name], r.bse[name])


def _demo_panel_and_truth():
    """The shipped demo (data/demo) when present, else the demo generator in memory."""
    cl = pytest.importorskip("sim.clusters")
    if (DEMO / "truth.json").exists() and (DEMO / "cities.csv").exists():
        truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))
        cities = pd.read_csv(DEMO / "cities.csv")
        links = pd.read_csv(DEMO / "city_links.csv")
        firms = pd.read_csv(DEMO / "firms.csv")
    else:
        gen = pytest.importorskip("sim.demo.cities")
        frames, truth = gen._generate(gen.DEMO_SEED)
        cities, links, firms = frames["cities"], frames["city_links"], frames["firms"]
    panel = cl.regression_panel(cities, links, truth["clusters"])
    return panel, firms, truth


@pytest.fixture(scope="module")
def demo():
    return _demo_panel_and_truth()


@pytest.mark.parametrize("collapse", [False, True])
def test_demo_model3_recovers_truth(demo, collapse):
    """Model 3 (TI and IP gmm lag(2 .), NC, IPxNC and controls IV-style, IPxNC centred) on the
    demo clusters recovers the generating coefficients (truth.json) within 2 SEs."""
    panel, _, truth = demo
    r = wang_model(panel, 3, collapse=collapse).fit()
    coef = truth["ti_equation"]["coefficients"]
    for name, true in coef.items():
        assert abs(r.params[name] - true) < 2 * r.bse[name], (name, r.params[name], r.bse[name])


def test_demo_mediation_recovers_structural_equations(demo):
    panel, firms, truth = demo
    med = mediation(firms, panel)
    fe = truth["firm_equations"]
    for res, eq in ((med.model5, "gs_equation"), (med.model6, "ti_firm_equation")):
        for name, true in fe[eq]["coefficients"].items():
            assert abs(res.params[name] - true) < 2.5 * res.bse[name], (eq, name, res.params[name])
    assert med.indirect == pytest.approx(med.model5.params["IP"] * med.model6.params["GS"])
    assert set(med.to_frame().columns.get_level_values(0)) == {
        "Model 4 TI_firm", "Model 5 GS", "Model 6 TI_firm"}


def test_compare_with_paper(paper_shaped):
    r = wang_model(paper_shaped, 3).fit()
    cmp_ = compare_with_paper(r, 3)
    paper = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "paper" /
                        "wang2025_table4_system_gmm.csv")
    p3 = paper[paper.model == 3].set_index("term")
    assert cmp_.loc["IP*NC", "paper_coef"] == p3.loc["IP*NC", "coef"] == -0.061
    assert cmp_.loc["L.TI", "paper_z"] == 17.615
    assert cmp_.loc["IP*NC", "coef"] == r.params[INTERACTION]
    assert cmp_.loc["Observations", "paper_coef"] == 216
    assert cmp_.loc["Instruments", "coef"] == 94
    assert cmp_.loc["Sargan p", "coef"] == pytest.approx(r.sargan.pvalue)


def test_moderation_simple_slopes(paper_shaped):
    r = wang_model(paper_shaped, 3).fit()
    m = moderation(r, paper_shaped, n_points=5)
    lo = m[m.nc_level.str.startswith("low")]
    hi = m[m.nc_level.str.startswith("high")]
    sd = paper_shaped["NC"].std()
    assert hi.NC.iloc[0] - lo.NC.iloc[0] == pytest.approx(2 * sd)
    # the slope gap is the interaction coefficient times 2 sd of NC
    assert hi.slope.iloc[0] - lo.slope.iloc[0] == pytest.approx(r.params[INTERACTION] * 2 * sd)
    # predictions are linear in IP with that slope
    np.testing.assert_allclose(np.diff(lo.TI_pred) / np.diff(lo.IP), lo.slope.iloc[0])
    with pytest.raises(ValueError, match="Model 3"):
        moderation(wang_model(paper_shaped, 2).fit(), paper_shaped)


def test_shuffle_schemes_keep_values():
    rng = np.random.default_rng(0)
    ip = rng.normal(size=(6, 5))
    ip[1, 2] = np.nan
    for scheme in ("panel", "within_year"):
        s = _shuffle(ip, scheme, np.random.default_rng(1))
        assert np.array_equal(np.isnan(s), np.isnan(ip))
        assert np.allclose(np.sort(s[np.isfinite(s)]), np.sort(ip[np.isfinite(ip)]))
    s = _shuffle(ip, "within_year", np.random.default_rng(1))
    for t in range(5):
        assert np.allclose(np.sort(s[np.isfinite(s[:, t]), t]), np.sort(ip[np.isfinite(ip[:, t]), t]))
    full = rng.normal(size=(6, 5))
    s = _shuffle(full, "cluster", np.random.default_rng(2))
    assert sorted(map(tuple, s)) == sorted(map(tuple, full))
    with pytest.raises(ValueError, match="scheme"):
        _shuffle(ip, "random", rng)


def test_placebo_seeded_and_centred_on_zero(paper_shaped):
    a = placebo(paper_shaped, model=2, n_replications=60, seed=7)
    b = placebo(paper_shaped, model=2, n_replications=60, seed=7)
    np.testing.assert_array_equal(a.coefficients, b.coefficients)
    assert a.real == pytest.approx(wang_model(paper_shaped, 2).fit().params["IP"])
    assert a.n_instruments == 92
    # shuffled IP carries no effect: the placebo mean is near 0, far from the real one
    assert abs(a.mean) < abs(a.real) / 3
    assert 0 < a.p_value <= 1
    assert a.to_frame().shape == (60, 2)


def test_placebo_replicate_equals_full_refit(paper_shaped):
    """The fast path (only IP's and IPxNC's columns rebuilt) equals a from-scratch estimate on
    the shuffled data, interaction re-centred at the same means."""
    res = placebo(paper_shaped, model=3, n_replications=1, seed=11, scheme="within_year")
    design = wang_model(paper_shaped, 3)
    ip = design.panel["IP"]
    new = _shuffle(ip, "within_year", np.random.default_rng(11))
    shuffled = paper_shaped.copy()
    order = shuffled.set_index(["cluster", "year"]).index
    new_s = pd.DataFrame(new, index=design.units, columns=design.years).stack()
    shuffled["IP"] = new_s.reindex(order).to_numpy()
    cen = paper_shaped.attrs["centring"]
    shuffled[INTERACTION] = (shuffled["IP"] - cen["IP"]) * (shuffled["NC"] - cen["NC"])
    direct = wang_model(shuffled, 3).fit().params["IP"]
    assert res.coefficients[0] == pytest.approx(direct, rel=1e-7)


def test_placebo_progress_and_errors(paper_shaped):
    calls = []
    placebo(paper_shaped, model=2, n_replications=100, seed=0, collapse=True,
            progress=lambda d, n: calls.append((d, n)))
    assert calls == [(50, 100), (100, 100)]
    with pytest.raises(ValueError):
        placebo(paper_shaped, model=1, n_replications=10)


def test_negative_binomial_recovers_nb2():
    """Counts drawn from NB2 with cluster effects: coefficients and alpha recovered."""
    rng = np.random.default_rng(5)
    panel = synthetic_panel(n_clusters=60, seed=5)
    fe = rng.normal(0, 0.3, 60).repeat(10)
    beta = {"IP": 0.5, "ED": 0.8, "IC": 0.2, "IE": 0.3}
    lin = -10 + sum(b * panel[v] for v, b in beta.items()) + fe
    mu = np.exp(lin)
    alpha = 0.08
    counts = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    r = negative_binomial(panel, model=2, counts=counts)
    assert r.converged and r.n_obs == 600 and r.n_clusters == 60
    for v, b in beta.items():
        assert abs(r.params[v] - b) < 3 * r.bse[v], (v, r.params[v], r.bse[v])
    assert abs(r.alpha - alpha) < 3 * r.alpha_se
    assert list(r.to_frame().columns) == ["coef", "std_err", "z", "p"]


def test_bad_panel_raises(paper_shaped):
    with pytest.raises(ValueError, match="cluster"):
        wang_model(paper_shaped.rename(columns={"cluster": "region"}), 2)
    with pytest.raises(ValueError, match="lacks"):
        wang_model(paper_shaped.drop(columns=["IP"]), 2)


def test_compare_mediation_and_negbin_with_paper(demo):
    from sim.robustness import compare_mediation_with_paper, compare_negbin_with_paper
    panel, firms, _ = demo
    med = mediation(firms, panel)
    c5 = compare_mediation_with_paper(med)
    row = c5[(c5.model == 5) & (c5.term == "IP")].iloc[0]
    assert row.paper_coef == 0.150 and row.paper_z == 27.415
    assert row.coef == med.model5.params["IP"]
    assert c5[(c5.model == 6) & (c5.term == "const")].iloc[0].coef == med.model6.params["_cons"]
    assert (c5[c5.term == "Observations"].paper_coef == 1095).all()
    nb = negative_binomial(panel, model=3)
    c6 = compare_negbin_with_paper(nb, 3)
    assert c6.loc["IP*NC", "paper_coef"] == -0.045 and c6.loc["const", "paper_z"] == -6.953
    assert c6.loc["IP*NC", "coef"] == nb.params[INTERACTION]
    assert c6.loc["Observations", "paper_coef"] == 258
    assert c6.loc["alpha", "coef"] == nb.alpha > 0
