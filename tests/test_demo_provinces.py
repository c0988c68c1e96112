"""The SYNTHETIC Study A demo panel (sim.demo.provinces): reproducibility and the shapes it must have.

Entropy-weight coupling coordination (SPEC 2.1-2.3) and Moran's I are computed here by hand with
numpy, independently of sim.coupling, so these tests check the data and not another module.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.demo import DEMO_SEED
from sim.demo.provinces import (FUJIAN_BREAK, column_decimals, generate_province_panel,
                                write_province_demo)
from sim.schema import (DATA_DIR, indicator_ids, province_columns, province_names,
                        province_regions, provinces)

COMMITTED = DATA_DIR / "demo" / "provinces.csv"
YEARS = list(range(2012, 2023))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return generate_province_panel()


def _entropy_coupling(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """C and D of SPEC 2.1-2.3: pooled min-max, entropy weights on values shifted by 1e-4,
    comprehensive index h on the unshifted normalised values, per system."""
    h = []
    for system in ("nqpf", "inno"):
        x = df[indicator_ids(system)].to_numpy(float)
        z = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
        p = (z + 1e-4) / (z + 1e-4).sum(axis=0)
        e = -(p * np.log(p)).sum(axis=0) / np.log(len(z))
        w = (1 - e) / (1 - e).sum()
        h.append(z @ w)
    h1, h2 = h
    c = 2 * np.sqrt(h1 * h2) / (h1 + h2)
    return c, np.sqrt(c * (h1 + h2) / 2)


def _inverse_distance_weights() -> np.ndarray:
    """(30, 30) raw 1/d weights between capitals (haversine, km), zero diagonal."""
    lat = np.radians([p.capital_lat for p in provinces()])
    lon = np.radians([p.capital_lon for p in provinces()])
    dlat, dlon = lat[:, None] - lat[None, :], lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    d = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
    return np.where(d > 0, 1 / np.where(d > 0, d, 1.0), 0.0)


def _moran(z: np.ndarray, w: np.ndarray) -> float:
    """Global Moran's I = n / S0 * (z' W z) / (z' z) on deviations from the mean."""
    z = z - z.mean()
    return len(z) / w.sum() * (z @ w @ z) / (z @ z)


def _by_province(df: pd.DataFrame, values) -> np.ndarray:
    """(30, 11) matrix, rows in province_names() order, columns 2012..2022."""
    s = pd.Series(np.asarray(values), index=pd.MultiIndex.from_frame(df[["province", "year"]]))
    return s.unstack("year").loc[province_names(), YEARS].to_numpy()


def _composite(df: pd.DataFrame) -> np.ndarray:
    """Unweighted mean of all 35 indicators min-max normalised over the pooled panel."""
    x = df[indicator_ids()].to_numpy(float)
    return ((x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))).mean(axis=1)


# --- reproducibility and format --------------------------------------------------------------

def test_regeneration_is_byte_identical_to_committed_file(tmp_path):
    written = write_province_demo(tmp_path, seed=DEMO_SEED)
    assert written == [tmp_path / "provinces.csv"]
    assert written[0].read_bytes() == COMMITTED.read_bytes()


def test_file_format_utf8_lf_no_bom_fixed_decimals():
    raw = COMMITTED.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode("utf-8").splitlines()
    assert lines[0].split(",") == province_columns()
    assert len(lines) == 331
    dec = column_decimals()
    for line in lines[1:]:
        for col, cell in zip(province_columns()[1:], line.split(",")[1:]):
            d = dec[col]
            assert (("." not in cell) if d == 0 else (len(cell.split(".")[1]) == d)), (col, cell)


def test_csv_reads_back_to_the_generated_frame(panel):
    back = pd.read_csv(COMMITTED, encoding="utf-8")
    pd.testing.assert_frame_equal(back, panel, check_exact=False, rtol=0, atol=1e-9)


def test_other_seed_gives_other_data_same_shape():
    other = generate_province_panel(seed=DEMO_SEED + 1)
    base = generate_province_panel()
    assert other.shape == base.shape
    assert not np.allclose(other["rd_exp"], base["rd_exp"])


def test_shape_columns_order_no_missing(panel):
    assert list(panel.columns) == province_columns()
    assert panel.shape == (330, 38)
    assert not panel.isna().any().any()
    assert list(panel["province"].unique()) == province_names()
    assert (panel.groupby("province", sort=False)["year"].apply(list) == pd.Series(
        [YEARS] * 30, index=province_names())).all()
    numeric = panel[indicator_ids() + ["gdp_per_capita"]]
    assert (numeric >= 0).all().all()
    for col, d in column_decimals().items():
        if d == 0:
            assert pd.api.types.is_integer_dtype(panel[col]), col
    assert (panel[indicator_ids()].std() > 0).all()  # entropy needs no constant indicator


# --- magnitudes per unit ------------------------------------------------------------------------

def test_plausible_magnitudes(panel):
    assert panel["edu_years"].between(8, 13).all()
    assert panel["forest_cover"].between(5, 65).all()
    for col in ("tertiary_emp_share", "new_energy_share", "ecommerce_firm_share", "forest_cover"):
        assert panel[col].between(0, 100).all(), col
    assert panel["enterprise_digitization"].between(0, 100).all()
    rd22 = panel[panel.year == 2022].set_index("province")["rd_exp"]
    for big in ("Guangdong", "Jiangsu", "Beijing"):
        assert 1000 <= rd22[big] < 10000, (big, rd22[big])
    for small in ("Qinghai", "Ningxia"):
        assert 10 <= rd22[small] < 100, (small, rd22[small])
    gdp = panel["gdp_per_capita"]
    assert gdp.min() >= 20_000 and gdp.max() <= 200_000
    g22 = panel[panel.year == 2022].set_index("province")["gdp_per_capita"]
    assert province_regions()[g22.idxmax()] == "East"


# --- shapes of Liu et al. (2026) -----------------------------------------------------------

def test_east_above_central_above_west_every_year(panel):
    comp = pd.Series(_composite(panel), index=panel.index)
    region = panel["province"].map(province_regions())
    means = comp.groupby([panel["year"], region]).mean().unstack()
    assert (means["East"] > means["Central"]).all()
    assert (means["Central"] > means["West"]).all()
    _, d = _entropy_coupling(panel)
    d_means = pd.Series(d).groupby(region.to_numpy()).mean()
    assert d_means["East"] > d_means["Central"] > d_means["West"]


def test_upward_trend(panel):
    comp = _by_province(panel, _composite(panel))
    assert (comp[:, -1] > comp[:, 0]).all()  # every province ends above where it started
    national = comp.mean(axis=0)
    assert (np.diff(national) > 0).all()
    grew = [c for c in indicator_ids() if panel.loc[panel.year == 2022, c].mean()
            > panel.loc[panel.year == 2012, c].mean()]
    assert len(grew) >= 33, sorted(set(indicator_ids()) - set(grew))


def test_positive_spatial_autocorrelation_inverse_distance(panel):
    w = _inverse_distance_weights()
    expected = -1 / (30 - 1)
    _, d = _entropy_coupling(panel)
    rng = np.random.default_rng(0)
    for values in (_composite(panel), d):
        mat = _by_province(panel, values)
        per_year = np.array([_moran(mat[:, k], w) for k in range(mat.shape[1])])
        assert (per_year > expected).all(), per_year
        # permutation test of the year-averaged I: relabel provinces (same relabelling every year)
        observed = per_year.mean()
        sims = [np.mean([_moran(mat[perm, k], w) for k in range(mat.shape[1])])
                for perm in (rng.permutation(30) for _ in range(199))]
        p = (1 + np.sum(np.array(sims) >= observed)) / 200
        assert p <= 0.05, (observed, p)


def test_fujian_break_is_present_and_single_indicator(panel):
    b_prov, b_year, b_col = FUJIAN_BREAK
    assert (b_prov, b_year, b_col) == ("Fujian", 2016, "rd_exp_hightech")
    continuous = [c for c in indicator_ids() if column_decimals()[c] > 0]
    assert b_col in continuous
    dev = {}  # log value minus the mean log of the two neighbouring years, interior years only
    for col in continuous:
        lx = np.log(panel.pivot(index="province", columns="year", values=col))
        dev[col] = lx.iloc[:, 1:-1] - (lx.iloc[:, :-2].to_numpy() + lx.iloc[:, 2:].to_numpy()) / 2
    brk = dev[b_col].loc[b_prov, b_year]
    assert brk < np.log(0.5)  # a precipitous one-year fall
    # one year only: 2015 and 2017 lie on one trend line (2017/2015 close to the series' growth)
    s = panel[panel.province == b_prov].set_index("year")[b_col]
    assert 0.8 < s[2017] / s[2015] < 2.0
    # single indicator: no other Fujian series moves in 2016, and no other series anywhere has a
    # one-year deviation even half as large (the break's own 2015/2017 neighbours excluded)
    others_fj_2016 = [abs(dev[c].loc[b_prov, b_year]) for c in continuous if c != b_col]
    assert max(others_fj_2016) < 0.35
    rest = [dev[c].abs().to_numpy().max() for c in continuous if c != b_col]
    own = dev[b_col].drop(index=b_prov).abs().to_numpy().max()
    assert max(max(rest), own) < abs(brk) / 2


def test_within_system_correlation_positive(panel):
    for system in ("nqpf", "inno"):
        x = np.log1p(panel[indicator_ids(system)].to_numpy(float))
        r = np.corrcoef(x, rowvar=False)
        off = r[~np.eye(len(r), dtype=bool)]
        assert off.mean() > 0.3, (system, off.mean())
        # every indicator correlates positively with the mean of the others in its system
        z = (x - x.mean(axis=0)) / x.std(axis=0)
        for j in range(z.shape[1]):
            rest = np.delete(z, j, axis=1).mean(axis=1)
            assert np.corrcoef(z[:, j], rest)[0, 1] > 0, indicator_ids(system)[j]


def test_coupling_varies_and_classes_spread_and_persist(panel):
    c, d = _entropy_coupling(panel)
    assert c.std() > 0.03  # not constant across rows ...
    within = pd.Series(c).groupby(panel["province"].to_numpy()).std()
    assert within.mean() > 0.01  # ... nor within a province over time
    classes = np.digitize(d, [0.25, 0.5, 0.75], right=True)  # SPEC 2.6, right-closed
    shares = np.bincount(classes, minlength=4) / len(classes)
    assert (shares >= 0.05).sum() >= 3, shares
    mat = _by_province(panel, classes)
    stay = (mat[:, 1:] == mat[:, :-1]).mean()
    assert stay > 0.75, stay
    assert (mat[:, 1:] >= mat[:, :-1]).mean() > 0.95  # moves are mostly upward
    d_year = pd.Series(d).groupby(panel["year"].to_numpy()).mean()
    assert d_year.iloc[-1] > d_year.iloc[0]


def test_the_two_systems_are_related_but_not_identical(panel):
    sys_mean = {}
    for system in ("nqpf", "inno"):
        x = panel[indicator_ids(system)].to_numpy(float)
        sys_mean[system] = ((x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))).mean(axis=1)
    r = np.corrcoef(sys_mean["nqpf"], sys_mean["inno"])[0, 1]
    assert 0.5 < r < 0.99, r
