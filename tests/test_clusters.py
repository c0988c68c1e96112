"""Tests of sim.clusters (Wang et al. 2025: LQ, scale threshold, networks, NC, Table 1-3, VIF)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import clusters as cl
from sim.schema import DATA_DIR

YEARS2 = (2011, 2012)


def _panel(rows):
    """rows: (city, year, ai, all, intra)."""
    return pd.DataFrame(rows, columns=["city", "year", "ai_patents", "all_patents", "ai_coop_intra"])


def _links(rows):
    return pd.DataFrame(rows, columns=["city_a", "city_b", "year", "ai_coop"])


# ----------------------------------------------------------------------------- LQ and threshold
def test_location_quotient_hand_computed_three_cities():
    # means over 2011-2012: a: A=15, P=100; b: A=5, P=200; c: A=30, P=200  -> A=50, P=500, A/P=0.1
    df = _panel([("a", 2011, 10, 90, 0), ("a", 2012, 20, 110, 0),
                 ("b", 2011, 5, 200, 0), ("b", 2012, 5, 200, 0),
                 ("c", 2011, 20, 150, 0), ("c", 2012, 40, 250, 0)])
    lq = cl.location_quotient(df, YEARS2).set_index("city")
    assert lq.loc["a", "ai_patents_mean"] == 15 and lq.loc["a", "all_patents_mean"] == 100
    np.testing.assert_allclose(lq["lq"], [0.15 / 0.1, 0.025 / 0.1, 0.15 / 0.1])


def test_location_quotient_uses_only_the_window():
    df = _panel([("a", 2010, 1000, 1000, 0), ("a", 2011, 10, 100, 0),
                 ("b", 2010, 0, 1000, 0), ("b", 2011, 10, 100, 0)])
    lq = cl.location_quotient(df, (2011, 2011))
    np.testing.assert_allclose(lq["lq"], [1.0, 1.0])


def test_scale_threshold_is_linear_percentile_of_city_means():
    rng = np.random.default_rng(0)
    means = rng.uniform(2, 100, 17)
    df = pd.DataFrame({"city": [f"c{i}" for i in range(17)] * 2,
                       "year": [2011] * 17 + [2012] * 17,
                       "ai_patents": np.concatenate([means - 1, means + 1])})
    for p in (75, 80, 84):
        assert cl.scale_threshold(df, p, years=YEARS2) == pytest.approx(np.percentile(means, p))
    # hand value: 80th percentile of 1..5 = 1 + 0.8 * 4 = 4.2
    small = pd.DataFrame({"city": list("abcde"), "year": 2011, "ai_patents": [1, 2, 3, 4, 5]})
    assert cl.scale_threshold(small, 80, years=(2011, 2011)) == pytest.approx(4.2)


def _toy():
    """Six cities, one year: LQ>1 for a, b, c, d; a and b large; b lacks intra links."""
    cities = _panel([("a", 2011, 50, 100, 3), ("b", 2011, 40, 100, 0), ("c", 2011, 6, 10, 1),
                     ("d", 2011, 3, 5, 1), ("e", 2011, 40, 1000, 2), ("f", 2011, 1, 100, 0)])
    links = _links([("a", "e", 2011, 2), ("b", "a", 2011, 1), ("c", "d", 2011, 1)])
    return cities, links


def test_identify_clusters_three_steps():
    cities, links = _toy()
    # A/P = 140/1315; LQ: a, b, c, d > 1; e, f < 1. Means: 50, 40, 6, 3, 40, 1.
    # 60th percentile of (1, 3, 6, 40, 40, 50) = 6 + 0.0*... -> position 3.0 -> 40
    res = cl.identify_clusters(cities, links, 60, years=(2011, 2011))
    assert res.threshold == pytest.approx(np.percentile([50, 40, 6, 3, 40, 1], 60))
    assert res.threshold == cl.scale_threshold(cities, 60, years=(2011, 2011))
    t = res.table.set_index("city")
    assert list(t.loc[["a", "b", "c", "d", "e", "f"], "specialised"]) == [True] * 4 + [False] * 2
    assert res.potential_clusters == ("a", "b")
    assert res.clusters == ("a",)  # b has no intra-regional cooperation
    assert t.loc["b", "status"] == "potential_no_links"
    assert set(res.excluded) == {"c", "d"}
    assert t.loc["a", "inter_total"] == 3 and t.loc["e", "status"] == "other"
    # the result is a copy-safe object
    f = res.to_frame()
    f.loc[0, "lq"] = -1
    assert res.table.loc[0, "lq"] != -1


def test_threshold_sensitivity_monotone_on_toy():
    cities, links = _toy()
    s = cl.threshold_sensitivity(cities, links, range(0, 101, 10), years=(2011, 2011))
    assert (np.diff(s["threshold"]) >= 0).all()
    sets = [set(x.split(";")) - {""} for x in s["clusters"]]
    assert all(b <= a for a, b in zip(sets, sets[1:]))
    assert sets[0] == {"a", "c", "d"} and sets[-1] == {"a"}


# ----------------------------------------------------------------------------- networks
def test_network_edges_weight_distance_and_node_choice():
    links = _links([("a", "b", 2011, 4), ("b", "c", 2011, 2), ("c", "d", 2011, 5),
                    ("a", "b", 2012, 1), ("d", "e", 2011, 0)])
    g = cl.network(links, 2011)
    assert g["a"]["b"]["weight"] == 4 and g["a"]["b"]["distance"] == 0.25
    assert not g.has_node("e")  # zero cooperation is not an edge
    g2 = cl.network(links, 2011, clusters=["a", "b", "c"], nodes="clusters")
    assert set(g2.edges) == {("a", "b"), ("b", "c")}
    g3 = cl.network(links, 2011, clusters=["a", "c"], nodes="all")
    assert {frozenset(e) for e in g3.edges} == {frozenset(p) for p in [("a", "b"), ("b", "c"), ("c", "d")]}
    assert g3.nodes["a"]["is_cluster"] and not g3.nodes["d"]["is_cluster"]


def test_closeness_hand_computed_weighted_star_and_path():
    # star around x with weights 1, 2, 4 to y, z, w and an edge y-z of weight 1.
    # distances from x: y 1, z 1/2, w 1/4 -> NC = 3 / 1.75
    # from y: x 1, z min(1, 1+1/2) = 1, w 1 + 1/4 -> 3 / 3.25
    links = _links([("w", "x", 2011, 4), ("x", "y", 2011, 1), ("x", "z", 2011, 2),
                    ("y", "z", 2011, 1)])
    nc = cl.closeness_centrality(links, ["w", "x", "y", "z"], (2011, 2011)).set_index("cluster")
    assert nc.loc["x", "closeness"] == pytest.approx(3 / 1.75)
    assert nc.loc["y", "closeness"] == pytest.approx(3 / 3.25)
    # from w: x 1/4, z 1/4 + 1/2, y 1/4 + 1 -> 3 / 2.25
    assert nc.loc["w", "closeness"] == pytest.approx(3 / 2.25)


def test_closeness_disconnected_wasserman_faust_and_isolated_nan():
    # components {a, b} (weight 2) and {c, d, e} path with weights 1, 1; f absent.
    links = _links([("a", "b", 2011, 2), ("c", "d", 2011, 1), ("d", "e", 2011, 1)])
    nc = cl.closeness_centrality(links, ["a", "c", "d", "f"], (2011, 2011),
                                 nodes="all").set_index("cluster")
    n = 5
    # a: r = 2, sum d = 1/2 -> (1 / 0.5) * (1 / 4)
    assert nc.loc["a", "closeness"] == pytest.approx((1 / 0.5) * (1 / (n - 1)))
    # d: r = 3, sum = 2 -> (2/2) * (2/4)
    assert nc.loc["d", "closeness"] == pytest.approx(1.0 * 2 / 4)
    assert nc.loc["c", "closeness"] == pytest.approx((2 / 3) * (2 / 4))
    assert np.isnan(nc.loc["f", "closeness"]) and nc.loc["f", "component_size"] == 0


# ----------------------------------------------------------------------------- regression panel
def _reg_input():
    rows = []
    for city, base in (("a", 100), ("b", 50), ("c", 20)):
        for y in (2011, 2012, 2013):
            rows.append((city, y, base * (y - 2010), 10 * base * (y - 2010), 1,
                         0 if (city == "c" and y == 2011) else y - 2010, 50000 + y, 12.5, 1000.0))
    cities = pd.DataFrame(rows, columns=["city", "year", "ai_patents", "all_patents",
                                         "ai_coop_intra", "ip", "ed", "ic", "ie"])
    links = _links([("a", "b", 2011, 2), ("a", "c", 2011, 1), ("a", "b", 2012, 3),
                    ("b", "c", 2012, 1), ("a", "b", 2013, 4)])
    return cities, links


def test_regression_panel_logs_rule_centring_and_missing_nc():
    cities, links = _reg_input()
    pan = cl.regression_panel(cities, links, ["a", "b", "c"], years=(2011, 2013))
    assert pan.attrs["log1p"] == ["IP"]  # IP has a zero, the others do not
    a11 = pan[(pan.cluster == "a") & (pan.year == 2011)].iloc[0]
    assert a11["TI"] == pytest.approx(np.log(100)) and a11["IP"] == pytest.approx(np.log(2))
    assert a11["ED"] == pytest.approx(np.log(52011)) and a11["IC"] == pytest.approx(np.log(12.5))
    c13 = pan[(pan.cluster == "c") & (pan.year == 2013)].iloc[0]
    assert np.isnan(c13["NC"]) and np.isnan(c13["IPxNC"])  # c has no link in 2013
    # NC of a in 2011: d(a,b) = 1/2, d(a,c) = 1 -> 2 / 1.5
    assert a11["NC"] == pytest.approx(np.log(2 / 1.5))
    ok = pan["NC"].notna()
    m_ip, m_nc = pan.loc[ok, "IP"].mean(), pan.loc[ok, "NC"].mean()
    np.testing.assert_allclose(pan.loc[ok, "IPxNC"],
                               (pan.loc[ok, "IP"] - m_ip) * (pan.loc[ok, "NC"] - m_nc))
    assert pan.attrs["centring"] == pytest.approx({"IP": m_ip, "NC": m_nc})
    # explicit transform choice
    pan2 = cl.regression_panel(cities, links, ["a", "b", "c"], years=(2011, 2013),
                               log1p=("IP", "TI"))
    assert pan2.loc[0, "TI"] == pytest.approx(np.log1p(100))
    with pytest.raises(ValueError, match="IP is 0 for cluster 'c', year 2011"):
        cl.regression_panel(cities, links, ["a", "b", "c"], years=(2011, 2013), log1p=())


def test_descriptive_and_correlations_match_numpy_scipy():
    from scipy import stats

    rng = np.random.default_rng(3)
    p = pd.DataFrame(rng.normal(size=(40, 3)), columns=["TI", "IP", "NC"])
    p.loc[5, "NC"] = np.nan
    d = cl.descriptive_stats(p, ["TI", "IP", "NC"]).set_index("variable")
    assert d.loc["NC", "n"] == 39
    assert d.loc["TI", "sd"] == pytest.approx(np.std(p["TI"], ddof=1))
    c = cl.correlations(p, ["TI", "IP", "NC"])
    ok = p["NC"].notna()
    r, pv = stats.pearsonr(p.loc[ok, "TI"], p.loc[ok, "NC"])
    assert c.r.loc["TI", "NC"] == pytest.approx(r) and c.pvalues.loc["NC", "TI"] == pytest.approx(pv)
    assert c.n.loc["TI", "NC"] == 39 and c.r.loc["IP", "IP"] == 1
    assert len(c.to_frame()) == 3


def test_vif_equals_one_over_one_minus_r2():
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=200)
    x2 = 0.7 * x1 + rng.normal(size=200)
    x3 = rng.normal(size=200) + 0.3 * x2
    p = pd.DataFrame({"IP": x1, "NC": x2, "ED": x3 + 5})
    v = cl.vif(p, ["IP", "NC", "ED"]).set_index("variable")["vif"]
    for k in ["IP", "NC", "ED"]:
        others = [c for c in p.columns if c != k]
        X = np.column_stack([np.ones(200), p[others].to_numpy()])
        beta, *_ = np.linalg.lstsq(X, p[k].to_numpy(), rcond=None)
        resid = p[k].to_numpy() - X @ beta
        r2 = 1 - resid.var() / p[k].var(ddof=0)
        assert v[k] == pytest.approx(1 / (1 - r2), rel=1e-9)


# ----------------------------------------------------------------------------- demo-based checks
@pytest.fixture(scope="module")
def demo():
    cities = pd.read_csv(DATA_DIR / "demo" / "cities.csv")
    links = pd.read_csv(DATA_DIR / "demo" / "city_links.csv")
    return cities, links


def test_cooperation_totals_are_sums_of_links(demo):
    cities, links = demo
    clusters = ["Beijing", "Guilin", "Qinhuangdao"]
    t = cl.cooperation_totals(cities, links, clusters).set_index("cluster")
    for c in clusters:
        inter = links.loc[(links.city_a == c) | (links.city_b == c), "ai_coop"].sum()
        intra = cities.loc[cities.city == c, "ai_coop_intra"].sum()
        assert t.loc[c, "interregional"] == inter and t.loc[c, "intraregional"] == intra
    assert list(t.index) == clusters  # Table 1 order: descending intra-regional total


def test_threshold_sensitivity_subsets_on_demo(demo):
    cities, links = demo
    s = cl.threshold_sensitivity(cities, links, [60, 75, 80, 84, 90, 97])
    sets = [set(x.split(";")) - {""} for x in s["clusters"]]
    assert all(b <= a for a, b in zip(sets, sets[1:]))
    assert (np.diff(s["threshold"]) >= 0).all()
    assert len(sets[-1]) < len(sets[0])  # at the 97th percentile some clusters drop out


# ----------------------------------------------------------------------------- bad input
def _good():
    return _panel([("a", 2011, 1, 10, 0), ("a", 2012, 1, 10, 0),
                   ("b", 2011, 1, 10, 1), ("b", 2012, 2, 10, 1)])


@pytest.mark.parametrize("mutate, message", [
    (lambda d: pd.concat([d, d.iloc[[0]]]), "more than one row for city 'a', year 2011"),
    (lambda d: d.drop(index=3), r"city 'b' has no row for year\(s\) \[2012\]"),
    (lambda d: d.assign(ai_patents=[1, -1, 1, 1]), "'ai_patents' must be >= 0; found -1 for city 'a', year 2012"),
    (lambda d: d.assign(all_patents=[10, "x", 10, 10]), "'all_patents' must be a finite number; found 'x' for city 'a', year 2012"),
    (lambda d: d.assign(ai_patents=[1, 1, 11, 1]), "AI patents exceed all patents for city 'b', year 2011"),
    (lambda d: d.drop(columns="all_patents"), r"missing column\(s\) \['all_patents'\]"),
    (lambda d: d.assign(year=[2011, 2011.5, 2011, 2012]), "'year' must be an integer year; found '2011.5'"),
    (lambda d: d.assign(all_patents=[0, 0, 10, 10], ai_patents=[0, 0, 1, 1]), "city 'a' has no patent applications"),
])
def test_bad_city_input_names_city_year_column(mutate, message):
    with pytest.raises(ValueError, match=message):
        cl.location_quotient(mutate(_good()), YEARS2)


@pytest.mark.parametrize("links, message", [
    (_links([("a", "a", 2011, 1)]), "pairs a city with itself"),
    (_links([("a", "zz", 2011, 1)]), "absent from the city panel"),
    (_links([("a", "b", 2011, 1), ("b", "a", 2011, 2)]), "more than one row for the pair 'a'-'b', year 2011"),
    (_links([("a", "b", 2011, -2)]), "'ai_coop' must be >= 0"),
])
def test_bad_links_input(links, message):
    with pytest.raises(ValueError, match=message):
        cl.identify_clusters(_good(), links, years=YEARS2)


def test_bad_options():
    with pytest.raises(ValueError, match="percentile must lie in"):
        cl.scale_threshold(_good(), 120, years=YEARS2)
    with pytest.raises(ValueError, match="nodes must be"):
        cl.network(_links([("a", "b", 2011, 1)]), 2011, ["a"], nodes="some")
    with pytest.raises(ValueError, match=r"cluster\(s\) \['zz'\] not found"):
        cl.cooperation_totals(_good(), _links([]), ["zz"], YEARS2)


# --------------------------------------------------------------------------- sim.cluster_tables
# The page's tables as data (moved from ui/clusters.py): hand-checkable inputs.
from types import SimpleNamespace  # noqa: E402

from sim import cluster_tables as ct  # noqa: E402
from sim.gmm import TestStat  # noqa: E402
from sim.messages import Msg  # noqa: E402


@pytest.mark.parametrize("p, want", [(0.0, "***"), (0.0099, "***"), (0.01, "**"), (0.0499, "**"), (0.05, "*"),
                                     (0.0999, "*"), (0.1, ""), (0.7, ""), (float("nan"), ""), (None, "")])
def test_stars_thresholds(p, want):
    assert ct.stars(p) == want


def test_cells_coefficient_with_stars_z_in_brackets_and_tests_with_the_instrument_count():
    # z = 2 -> two-sided p = 0.0455: two stars
    assert ct.cell(0.12345, 2.0) == ("0.123**", "(2.000)")
    assert ct.cell(-1.0, 1.0, p=0.005) == ("-1.000***", "(1.000)")  # a given p wins over z
    assert ct.cell(1.0, float("nan"), p=0.2) == ("1.000", "")
    assert ct.cell(float("nan"), 3.0) == ("", "")
    cell = ct.test_cell(TestStat(12.345, 7, 0.0891), 12)
    assert cell == "χ²(7) = 12.35, p = 0.089 [12 instruments]" and isinstance(cell, Msg)
    assert cell.params["j"] == "12"
    assert ct.ar_cell(-2.5, 0.0124, 12) == "z = -2.50, p = 0.012 [12 instruments]"


def _fake_result(params: dict, z: dict, p: dict, n_instruments: int, n_groups: int = 3):
    return SimpleNamespace(params=pd.Series(params), z=pd.Series(z), pvalues=pd.Series(p),
                           bse=pd.Series({k: 0.1 for k in params}), n_obs=20, n_groups=n_groups,
                           n_instruments=n_instruments, ar=lambda m: (-2.0, 0.046) if m == 1 else (0.5, 0.617),
                           sargan=TestStat(3.0, 2, 0.2231), hansen=TestStat(1.0, 2, 0.6065))


def test_regression_table_beside_the_paper_on_a_tiny_models_dict():
    models = {1: _fake_result({"L.TI": 0.9, "_cons": 0.5}, {"L.TI": 10.0, "_cons": 1.0},
                              {"L.TI": 0.001, "_cons": 0.3}, n_instruments=5)}
    paper_t4 = pd.DataFrame({"model": [1, 1], "term": ["L.TI", "const"], "coef": [0.941, -1.0], "z": [65.33, -1.7]})
    paper_dg = pd.DataFrame({"model": [1], "observations": [261], "ar1_p": [0.001], "ar2_p": [0.776],
                             "sargan_p": [0.958]})
    table, long = ct.regression_table(models, paper_t4, paper_dg, paper_groups=29)
    assert list(table.columns) == ["term", "Model 1 | this data", "Model 1 | paper"]
    assert table["term"].tolist() == ["L.TI", "", "const", "", "Observations", "Groups", "Instruments", "AR(1)",
                                      "AR(2)", "Sargan", "Hansen"]
    rows = table.set_index(table["term"].where(table["term"] != "", "z"))
    assert table.iloc[0, 1:].tolist() == ["0.900***", "0.941***"]
    assert table.iloc[1, 1:].tolist() == ["(10.000)", "(65.330)"]
    assert table.iloc[2, 1:].tolist() == ["0.500", "-1.000*"]  # paper's star from z = -1.7 (p = 0.089)
    assert rows.loc["Groups"].tolist() == ["Groups", "3", "29 (clusters)"]
    assert rows.loc["Instruments"].tolist() == ["Instruments", "5 > groups", "not reported"]  # 5 > 3 groups
    assert rows.loc["AR(1)"].tolist() == ["AR(1)", "z = -2.00, p = 0.046 [5 instruments]", "p = 0.001"]
    assert rows.loc["Sargan"].tolist() == ["Sargan", "χ²(2) = 3.00, p = 0.223 [5 instruments]", "p = 0.958"]
    # the words are messages (translated by the UI); the headers too, in attrs
    assert isinstance(rows.loc["Instruments"].iloc[2], Msg) and isinstance(table["term"].iloc[4], Msg)
    assert table.attrs["headers"]["Model 1 | paper"].params["source"] == "paper"
    # long: numbers, stable ids
    coef = long[long["term"] == "L.TI"].iloc[0]
    assert (coef["coef"], coef["z"], coef["p"], coef["paper_coef"]) == (0.9, 10.0, 0.001, 0.941)
    assert long.loc[long["term"] == "Sargan p", "paper_coef"].item() == 0.958
    assert long.loc[long["term"] == "Instruments", "coef"].item() == 5


def test_side_by_side_negative_binomial_rows():
    long = pd.DataFrame({"model": [1, 1, 1], "term": ["IP", "Observations", "alpha"],
                         "coef": [0.2, 290, 0.05], "z": [4.0, np.nan, 10.0],
                         "paper_coef": [0.5, 290, np.nan], "paper_z": [26.0, np.nan, np.nan]})
    t = ct.side_by_side(long, {1: ct.negbin_labels()[1]}, ["IP", "NC"], None)
    assert t["term"].tolist() == ["IP", "", "Observations", "alpha"]
    assert t.iloc[0, 1:].tolist() == ["0.200***", "0.500***"]
    assert t.iloc[2, 1:].tolist() == ["290", "290"]
    assert t.iloc[3, 1:].tolist() == ["0.0500 (z = 10.00)", "not reported"]


def test_table1_nc_ranking_correlations_and_sensitivity_on_small_frames():
    ours = pd.DataFrame({"cluster": ["A", "B"], "intraregional": [10.0, 1.0], "interregional": [30.0, 3.0]})
    paper = pd.DataFrame({"cluster": ["B", "C"], "intraregional": [5, 7], "interregional": [6, 8]})
    t1 = ct.table1(ours, paper)
    assert t1["cluster"].tolist() == ["A", "B", "C"]
    assert t1["rank"].tolist()[:2] == [1, 2] and pd.isna(t1["rank"].iloc[2])
    assert t1["paper_rank"].iloc[1] == 1 and t1["inter_share"].iloc[0] == 0.75

    panel = pd.DataFrame({"cluster": ["A", "A", "B", "B"], "year": [2019, 2020, 2019, 2020],
                          "NC": np.log([0.5, 1.0, 0.2, np.nan])})
    rank = ct.nc_ranking(panel)
    assert rank["cluster"].tolist() == ["A", "B"] and rank["rank"].tolist() == [1, 2]
    assert rank["mean_closeness"].tolist() == pytest.approx([0.75, 0.2])
    assert rank["years_with_NC"].tolist() == [2, 1] and "closeness_2020" in rank.columns
    assert str(ct.rank_labels(rank)["closeness_2020"]) == "Closeness centrality 2020"

    r = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["x", "y"], columns=["x", "y"])
    p = pd.DataFrame([[0.0, 0.03], [0.03, 0.0]], index=["x", "y"], columns=["x", "y"])
    c = ct.correlation_stars(r, p)
    assert c.to_dict("list") == {"variable": ["x", "y"], "x": ["1", "0.500**"], "y": ["", "1"]}

    sens = pd.DataFrame({"percentile": [79, 80, 81], "clusters": ["A;B;C", "A;B", "A"]})
    s = ct.sensitivity_changes(sens)
    assert s["added_vs_p80"].tolist() == ["C", "", ""] and s["dropped_vs_p80"].tolist() == ["", "", "B"]


def test_ui_clusters_keeps_the_old_names():
    from ui import clusters as uc

    assert uc.stars is ct.stars and uc._cell is ct.cell and uc._side_by_side is ct.side_by_side
    assert uc.TERM_ORDER == ct.TERM_ORDER and uc._test_cell is ct.test_cell and uc.as_text is ct.as_text
