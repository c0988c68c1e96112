"""Tests of the SYNTHETIC Study B demo (sim.demo.cities) and the city registry data/geo/cities.csv."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim import clusters as cl
from sim.demo import DEMO_SEED
from sim.demo.cities import generate_city_data, write_city_demo
from sim.schema import DATA_DIR, city_columns, firm_columns, link_columns, province_names

DEMO = DATA_DIR / "demo"
FILES = ["cities.csv", "city_links.csv", "firms.csv", "truth.json"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("citydemo")
    paths = write_city_demo(out, seed=DEMO_SEED)
    return out, paths


@pytest.fixture(scope="module")
def demo():
    cities = pd.read_csv(DEMO / "cities.csv")
    links = pd.read_csv(DEMO / "city_links.csv")
    firms = pd.read_csv(DEMO / "firms.csv")
    truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))
    return cities, links, firms, truth


@pytest.fixture(scope="module")
def panel(demo):
    cities, links, _, truth = demo
    return cl.regression_panel(cities, links, truth["clusters"])


# ----------------------------------------------------------------------------- registry
def test_city_registry():
    reg = pd.read_csv(DATA_DIR / "geo" / "cities.csv", keep_default_na=False)
    assert list(reg.columns) == ["city", "city_zh", "province", "region", "lat", "lon",
                                 "geonameid", "role"]
    assert reg["city"].is_unique and reg["geonameid"].is_unique
    roles = reg["role"].value_counts()
    assert roles["cluster"] == 29 and roles["excluded_low_scale"] == 4 and roles["other"] >= 150
    assert set(reg["province"]) <= set(province_names()) and len(set(reg["province"])) == 30
    named = pd.read_csv(DATA_DIR / "geo" / "ai_clusters.csv")
    m = reg.set_index("city").loc[named["city"]]
    assert (m["role"].to_numpy() == named["status"].to_numpy()).all()
    assert (m["geonameid"].to_numpy() == named["geonameid"].to_numpy()).all()
    prov = pd.read_csv(DATA_DIR / "geo" / "provinces.csv").set_index("name_en")["region"]
    assert (reg["region"] == reg["province"].map(prov)).all()
    assert reg["lat"].between(18, 54).all() and reg["lon"].between(73, 135).all()
    # duplicate pinyin names are disambiguated deliberately
    assert {"Suzhou (Jiangsu)", "Suzhou (Anhui)", "Fuzhou (Jiangxi)", "Fuzhou"} <= set(reg["city"])


# ----------------------------------------------------------------------------- determinism, format
def test_regeneration_is_byte_identical(written):
    out, paths = written
    assert [p.name for p in paths] == FILES
    for name in FILES:
        assert (out / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_generate_matches_files(demo):
    frames = generate_city_data(DEMO_SEED)
    cities, links, firms, _ = demo
    pd.testing.assert_frame_equal(frames["city_links"].reset_index(drop=True), links,
                                  check_dtype=False)
    np.testing.assert_allclose(frames["cities"]["ie"], cities["ie"])
    assert (frames["firms"]["firm"].to_numpy() == firms["firm"].to_numpy()).all()


def test_files_follow_the_schema(demo):
    cities, links, firms, truth = demo
    assert truth["synthetic"] is True
    assert list(cities.columns) == city_columns()
    assert list(links.columns) == link_columns()
    assert list(firms.columns) == firm_columns()
    reg = pd.read_csv(DATA_DIR / "geo" / "cities.csv", keep_default_na=False)
    assert set(cities["city"]) == set(reg["city"])
    assert len(cities) == len(reg) * 10 and set(cities["year"]) == set(range(2011, 2021))
    assert not cities.duplicated(["city", "year"]).any()
    assert (cities["ai_patents"] <= cities["all_patents"]).all()
    assert (links["city_a"] < links["city_b"]).all() and (links["ai_coop"] > 0).all()
    assert not links.duplicated(["city_a", "city_b", "year"]).any()
    assert set(links["year"]) <= set(range(2011, 2021))
    for p in (DEMO / "cities.csv", DEMO / "city_links.csv", DEMO / "firms.csv"):
        assert b"\r" not in p.read_bytes()


# ----------------------------------------------------------------------------- identification
def test_identification_finds_exactly_the_29_and_excludes_the_4(demo):
    cities, links, _, truth = demo
    t1 = pd.read_csv(DATA_DIR / "paper" / "wang2025_table1_cooperation.csv")
    res = cl.identify_clusters(cities, links)
    assert sorted(res.clusters) == sorted(t1["cluster"])
    assert sorted(res.excluded) == ["Fuxin", "Jilin", "Sanya", "Shanwei"]
    assert (res.table["specialised"].sum()) == 33  # 33 cities with LQ > 1, as in the paper
    s = cl.threshold_sensitivity(cities, links)  # 75th-84th percentile: same sets
    assert (s["n_clusters"] == 29).all()
    assert (s["excluded"].map(lambda x: sorted(x.split(";"))) ==
            pd.Series([["Fuxin", "Jilin", "Sanya", "Shanwei"]] * 10)).all()


def test_cooperation_totals_resemble_table1(demo):
    from scipy.stats import spearmanr

    cities, links, _, truth = demo
    t1 = pd.read_csv(DATA_DIR / "paper" / "wang2025_table1_cooperation.csv").set_index("cluster")
    ct = cl.cooperation_totals(cities, links, truth["clusters"]).set_index("cluster").loc[t1.index]
    assert ct.index[ct["interregional"].argmax()] == "Beijing"
    assert ct.index[ct["intraregional"].argmax()] == "Beijing"
    # the paper's finding: inter-regional cooperation exceeds intra-regional in every cluster
    assert (ct["interregional"] > ct["intraregional"]).all()
    for col in ("intraregional", "interregional"):
        # within a factor 2, or within 3 Poisson sds for the smallest totals
        close = (ct[col] / t1[col]).between(0.5, 2.0) | ((ct[col] - t1[col]).abs()
                                                          < 3 * np.sqrt(t1[col]))
        assert close.all(), ct[col][~close]
        assert spearmanr(ct[col], t1[col])[0] > 0.95


def test_moments_resemble_table2(panel):
    t2 = pd.read_csv(DATA_DIR / "paper" / "wang2025_table2_descriptive.csv").set_index("variable")
    d = cl.descriptive_stats(panel).set_index("variable")
    for v in t2.index:
        # means within 0.75 published sd (NC is the farthest: ~2.25 against 2.682, bounded by
        # the Table 1 cooperation volumes), sds within a factor 1.5
        assert abs(d.loc[v, "mean"] - t2.loc[v, "mean"]) < 0.75 * t2.loc[v, "sd"], v
        assert 1 / 1.5 < d.loc[v, "sd"] / t2.loc[v, "sd"] < 1.5, v
    assert d.loc["IP", "min"] == 0.0 and panel.attrs["log1p"] == ["IP"]
    assert cl.vif(panel)["vif"].max() < 5


# ----------------------------------------------------------------------------- known processes
def test_ti_follows_model3_with_the_written_truth(panel, demo):
    """TI computed back from the files satisfies the truth equation up to e_it (+ rounding)."""
    *_, truth = demo
    te = truth["ti_equation"]
    b = te["coefficients"]
    p = panel.sort_values(["cluster", "year"]).copy()
    p["L.TI"] = p.groupby("cluster")["TI"].shift()
    p["eta"] = p["cluster"].map(te["eta"])
    assert p.attrs["centring"] == pytest.approx(te["centring"], rel=1e-12)
    p = p.dropna(subset=["L.TI", "NC"])
    fit = (b["_cons"] + b["L.TI"] * p["L.TI"] + b["IP"] * p["IP"] + b["NC"] * p["NC"]
           + b["IPxNC"] * p["IPxNC"] + b["ED"] * p["ED"] + b["IC"] * p["IC"] + b["IE"] * p["IE"]
           + p["eta"])
    e = p["TI"] - fit
    assert len(e) >= 250
    assert abs(e.mean()) < 0.03
    assert 0.8 * te["error_sd"] < e.std() < 1.25 * te["error_sd"]
    # eta: mean zero, uncorrelated with the clusters' mean controls (exogenous by construction)
    eta = pd.Series(te["eta"])
    assert abs(eta.mean()) < 1e-6
    means = panel.groupby("cluster")[["ED", "IE"]].mean().loc[eta.index]
    for c in means:
        assert abs(np.corrcoef(eta, means[c])[0, 1]) < 0.05
    # IP is endogenous: correlated with eta
    ip_mean = panel.groupby("cluster")["IP"].mean().loc[eta.index]
    assert np.corrcoef(eta, ip_mean)[0, 1] > 0.2


def test_firms_follow_table5_equations(demo):
    cities, _, firms, truth = demo
    ft = truth["firm_equations"]
    assert firms["firm"].nunique() == 125 and len(firms) == 125 * 9
    assert set(firms["year"]) == set(range(2012, 2021))
    assert set(firms["city"]) <= set(truth["clusters"])
    ip = cities.assign(IP=np.log1p(cities["ip"]))[["city", "year", "IP"]]
    d = firms.merge(ip, on=["city", "year"], how="left").sort_values(["firm", "year"])
    d["TIF"] = np.log1p(d["ti"])
    d["GS"] = np.log(1e4 * d["gs"])
    d["L.TIF"] = d.groupby("firm")["TIF"].shift()
    d["L.GS"] = d.groupby("firm")["GS"].shift()
    d = d.dropna()
    g = ft["gs_equation"]["coefficients"]
    eg = d["GS"] - (g["_cons"] + g["L.GS"] * d["L.GS"] + g["IP"] * d["IP"] + g["EP"] * d["ep"]
                    + g["CS"] * d["cs"] + g["OC"] * d["oc"])
    h = ft["ti_firm_equation"]["coefficients"]
    et = d["TIF"] - (h["_cons"] + h["L.TI_firm"] * d["L.TIF"] + h["IP"] * d["IP"]
                     + h["GS"] * d["GS"] + h["EP"] * d["ep"] + h["CS"] * d["cs"]
                     + h["OC"] * d["oc"])
    # residual = firm effect + error: mean ~0, sd ~ sqrt(sd_e^2 + sd_mu^2)
    for e, sd in ((eg, ft["gs_equation"]["error_sd"]), (et, ft["ti_firm_equation"]["error_sd"])):
        target = np.hypot(sd, ft["firm_effect_sd"])
        assert abs(e.mean()) < 0.05 and 0.8 * target < e.std() < 1.25 * target
    assert ft["implied_short_run"]["total_IP"] == pytest.approx(0.076 + 0.069 * 0.150)
