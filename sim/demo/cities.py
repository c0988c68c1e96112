"""SYNTHETIC demo data for Study B: city panel, city links and firm panel, 2011-2020.

**Every number this module produces is SYNTHETIC.** It is drawn from a seeded random process
calibrated to the shapes Wang et al. (2025, Humanities and Social Sciences Communications)
report (Table 1 cooperation totals, Table 2 moments, Table 4 Model 3 dynamics, Table 5 mediation);
it is NOT official statistics and must never be shown as such. Only the city names, provinces and
coordinates (``data/geo/cities.csv``, GeoNames, CC BY 4.0) are real. The files are in exactly the
format a user uploads (``sim.schema.city_columns()``, ``link_columns()``, ``firm_columns()``).

Files written by :func:`write_city_demo`:

* ``cities.csv``: all 290 cities of ``data/geo/cities.csv`` x 2011-2020 (``city, year, ai_patents,
  all_patents, ai_coop_intra, ip, ed, ic, ie``);
* ``city_links.csv``: unordered pairs (``city_a < city_b``), one row per pair-year with
  ``ai_coop > 0``;
* ``firms.csv``: 125 firms x 2012-2020 located in the 29 cluster cities;
* ``truth.json``: every generating coefficient, for recovery tests.

The generating process, in order (so that what enters each equation is what the library
computes back from the written files):

1. **Controls** per city: ``ln ED`` (GDP per capita, yuan), ``ln IC`` (road area per capita, m2),
   ``ln IE`` (science spending, 10,000 yuan) = city level + city-specific trend + noise; cluster
   levels rise with the cluster's size (its Table 1 cooperation total) and are correlated
   (ED-IE positive, IC-IE negative, as in Table 3). Raw values are rounded to the written precision
   before anything else uses them.
2. **Links** (gravity model): expected 2011-2020 cooperation between cluster i and city j is
   ``k_i k_j / (1 + d_ij / 800 km)``; the cluster factors ``k_i`` are fitted (fixed point) so that
   each cluster's expected inter-regional total equals its Table 1 total, non-cluster factors follow
   a city mass. Years get shares growing 15 % a year; counts are Poisson. A few non-cluster pairs
   cooperate too (they are not edges of the cluster network). Intra-city cooperation: Poisson
   around Table 1's intra-regional totals for clusters, small for other cities.
3. **NC** = ``sim.clusters.regression_panel``'s ln closeness computed from those links.
4. **Fixed effects** ``eta_i`` (29 clusters): normal draws made exactly orthogonal (in the
   sample) to a constant and to each cluster's mean ED, IC, IE, NC and size, scaled to sd
   ``ETA_SD``. So eta has mean 0 (the constant a0 is identified) and the controls and NC are
   exogenous, as the paper's instrument choice assumes.
5. **IP** (policy counts): ``ln(1 + policies) ~ m_t + size + ED + IP_ETA_LOADING * eta_i / sd(eta) +
   AR(1)``, counts rounded: IP is correlated with eta_i (endogenous), so OLS is biased and GMM is
   needed.
6. **TI** follows Table 4 Model 3 exactly (coefficients in ``truth.json``):
   ``TI_it = a0 + a1 TI_i,t-1 + a2 IP + a3 NC + a4 IPxNC + b'(ED, IC, IE) + eta_i + e_it``,
   ``e_it ~ N(0, E_SD)``, where every right-hand variable is the value ``regression_panel`` computes
   from the written files (TI_i,t-1 = ln of the written AI patents; IPxNC centred at the panel means
   of IP and NC over cluster-years with both observed). In a year without inter-regional links a
   cluster has no NC; its NC term then uses ``nc_fill`` (the panel minimum), and such years drop out
   of Model 3 anyway. TI_i,2011 starts ``INITIAL_GAP`` below the cluster's 2011 steady state (a
   common gap plus noise independent of eta), so clusters grow over the decade without violating
   the system-GMM moment conditions. AI patents = round(exp(TI)).
7. **Identification calibration**: all patent applications are set from target location quotients
   (clusters 1.3-2.8, Fuxin/Jilin/Sanya/Shanwei 1.15-1.6, every other city below 0.9), and the
   non-cluster AI patent means are placed so that exactly 15 other cities are larger than the
   smallest cluster and the four excluded cities lie below the 75th percentile: the 29 clusters are
   identified at every percentile 75-84. The generator checks this with
   ``sim.clusters.identify_clusters`` and raises if it fails.
8. **Firms** (Table 5): ``GS = ln(subsidies in yuan) = ln(10000 gs)`` and
   ``TI_firm = ln(1 + ti)`` follow Model 5 and Model 6 with Table 5's coefficients as the truth:
   GS on its lag, IP (the firm's city), EP, CS, OC; TI_firm on its lag, IP, GS, EP, CS, OC; plus
   small firm effects. Model 4 (no GS) is then the reduced form: its IP coefficient is implied
   (short run 0.076 + 0.069 x 0.150 = 0.086), so mediation through GS exists by construction.

Measured on the shipped demo (seed 20260101; figures, not targets):

* identification: 33 cities with LQ > 1, the 29 clusters of Table 1 at every percentile 75-84,
  Fuxin, Jilin, Sanya and Shanwei excluded; the 80th-percentile threshold is 9.1 AI patents a year
  (the paper: 598.6; the demo's smallest clusters are smaller than the paper's threshold implies);
* Table 1: totals within Poisson noise of the published ones (Beijing 12,425 / 20,983 against
  12,536 / 20,975; Spearman 0.996 and 0.997), inter > intra in every cluster;
* NC: 9 cluster-years without a link to another cluster (NC missing, an unbalanced Model 3 panel
  as in the paper, which lost 45 of 261);
* Table 2 (mean, sd, min, max): TI 6.06, 1.87, 1.39, 10.03 (paper 5.90, 1.74, 2.02, 10.44);
  IP 2.39, 1.32, 0, 6.62 (2.01, 1.61, 0, 5.40); NC 2.18, 0.90, -0.16, 4.05 (2.68, 0.71, -0.54,
  3.63); ED 11.32, 0.40 (11.32, 0.41); IC 2.56, 0.31 (2.61, 0.39); IE 12.69, 1.25 (12.54, 1.30);
  max VIF 3.17 (paper 3.41). Correlations have the paper's signs but are stronger (NC with TI 0.60
  against 0.30), because every variable here rises with the cluster's size and over time;
* a two-step system GMM with ``sim.gmm`` (TI and IP GMM-style, the rest IV-style, collapsed or
  not) recovers every Model 3 coefficient within 1.2 standard errors.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.demo import DEMO_SEED
from sim.schema import DATA_DIR, city_columns, firm_columns, link_columns

YEARS = tuple(range(2011, 2021))
FIRM_YEARS = tuple(range(2012, 2021))
N_FIRMS = 125

# Table 4, Model 3 of Wang et al. (2025): the truth of the TI equation.
TI_COEF = {"L.TI": 0.809, "IP": 0.065, "NC": -0.099, "IPxNC": -0.061, "ED": 0.546, "IC": 0.248,
           "IE": 0.095, "_cons": -6.542}
# Table 5, Models 5 and 6: the truth of the mediation system (Model 4 is implied).
GS_COEF = {"L.GS": 0.266, "IP": 0.150, "EP": -1.559, "CS": -1.124, "OC": 0.060, "_cons": 11.867}
TIF_COEF = {"L.TI_firm": 0.551, "IP": 0.076, "GS": 0.069, "EP": 0.753, "CS": 0.009, "OC": -0.053,
            "_cons": 0.110}

E_SD = 0.10            # sd of e_it in the TI equation
ETA_SD = 0.08          # sd of the cluster fixed effects eta_i
IP_ETA_LOADING = 0.5   # ln(1+policies) units per sd of eta
INITIAL_GAP = 1.0      # common distance of TI_2011 below its 2011 steady state
INITIAL_SD = 0.25      # sd of the initial-condition noise (independent of eta)
LINK_GROWTH = 0.15     # yearly growth of cooperation
LINK_CATCH_UP = 0.2    # extra yearly growth per sd of size below the mean (small clusters)
GS_E_SD, TIF_E_SD = 0.25, 0.25
FIRM_EFFECT_SD = 0.10
LINK_DISTANCE_KM = 800.0
ED_SIZE = 0.85         # loading of a cluster's ln ED level on its (standardised) size
N_OTHERS_ABOVE_SMALLEST_CLUSTER = 15

CITIES_DECIMALS = {"ai_patents": 0, "all_patents": 0, "ai_coop_intra": 0, "ip": 0, "ed": 0,
                   "ic": 2, "ie": 1}
FIRM_DECIMALS = {"ti": 0, "gs": 4, "ep": 4, "cs": 4, "oc": 4}


def _registry() -> pd.DataFrame:
    reg = pd.read_csv(DATA_DIR / "geo" / "cities.csv", encoding="utf-8", keep_default_na=False)
    table1 = pd.read_csv(DATA_DIR / "paper" / "wang2025_table1_cooperation.csv")
    clusters = list(table1["cluster"])
    if sorted(reg.loc[reg["role"] == "cluster", "city"]) != sorted(clusters):
        raise RuntimeError("data/geo/cities.csv clusters differ from Table 1's 29 clusters.")
    return reg, table1


def _gc_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    la1, lo1, la2, lo2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _std(x) -> np.ndarray:
    x = np.asarray(x, float)
    return (x - x.mean()) / x.std()


def _round(x, d: int) -> np.ndarray:
    """Round to the written precision (what a reader of the CSV gets back)."""
    return np.array([float(f"{v:.{d}f}") for v in np.asarray(x, float).ravel()]).reshape(np.shape(x))


def _generate(seed: int = DEMO_SEED):
    from sim import clusters as cl

    rng = np.random.default_rng(seed)
    reg, table1 = _registry()
    names = list(reg["city"])
    n, T = len(names), len(YEARS)
    idx = {c: i for i, c in enumerate(names)}
    clusters = list(table1["cluster"])
    ci = np.array([idx[c] for c in clusters])
    excluded = list(reg.loc[reg["role"] == "excluded_low_scale", "city"])
    xi = np.array([idx[c] for c in excluded])
    is_cl = np.zeros(n, bool)
    is_cl[ci] = True
    is_ex = np.zeros(n, bool)
    is_ex[xi] = True
    others = np.flatnonzero(~is_cl & ~is_ex)
    t = np.arange(T) - (T - 1) / 2  # centred year

    # ---- city mass: clusters from Table 1, others from region + provincial capital + noise
    size = np.zeros(n)
    tot = (table1["intraregional"] + table1["interregional"]).to_numpy(float)
    size[ci] = _std(np.log(tot))
    prov = pd.read_csv(DATA_DIR / "geo" / "provinces.csv", encoding="utf-8")
    capitals = set(prov["capital_en"])
    region_shift = reg["region"].map({"East": 0.0, "Central": -0.5, "West": -0.9}).to_numpy()
    cap = reg["city"].isin(capitals).to_numpy() & ~is_cl
    z_other = region_shift + 0.8 * cap + rng.normal(0, 0.7, n)
    size[~is_cl] = -1.6 + 0.9 * z_other[~is_cl]
    size[xi] = -1.9 + 0.3 * rng.normal(size=len(xi))

    # ---- 1. controls (logs), cluster levels tied to size, others lower
    z1, z2, z3 = rng.normal(size=(3, n))
    ed_lvl = 11.33 + 0.33 * (ED_SIZE * size + np.sqrt(1 - ED_SIZE ** 2) * z1)
    ed_lvl[~is_cl] = 10.85 + 0.30 * (0.4 * size[~is_cl] + 0.9 * z1[~is_cl])
    ie_z = 0.75 * _std(ed_lvl[ci]) + 0.66 * z2[ci]
    ie_lvl = 11.6 + 0.55 * size + 0.35 * z2
    ie_lvl[ci] = 12.50 + 1.20 * ie_z / np.std(ie_z)
    ic_lvl = 2.55 + 0.33 * z3 - 0.12 * _std(ie_lvl)
    ic_lvl[ci] = 2.68 + 0.36 * (-0.4 * _std(ie_lvl[ci]) + 0.92 * z3[ci])
    ed_g = rng.normal(0.065, 0.015, n)
    ie_g = rng.normal(0.12, 0.03, n)
    ic_g = rng.normal(0.02, 0.01, n)
    ED = ed_lvl[:, None] + ed_g[:, None] * t + rng.normal(0, 0.03, (n, T))
    IE = ie_lvl[:, None] + ie_g[:, None] * t + rng.normal(0, 0.06, (n, T))
    IC = ic_lvl[:, None] + ic_g[:, None] * t + rng.normal(0, 0.03, (n, T))
    ed = _round(np.exp(ED), 0)
    ic = _round(np.exp(IC), 2)
    ie = _round(np.exp(IE), 1)

    # ---- 2. links: gravity model fitted to Table 1 interregional totals
    lat, lon = reg["lat"].to_numpy(float), reg["lon"].to_numpy(float)
    D = _gc_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    F = 1.0 / (1.0 + D / LINK_DISTANCE_KM)
    np.fill_diagonal(F, 0.0)
    k = np.exp(1.1 * size)
    k[~is_cl] *= 0.3
    touches = is_cl[:, None] | is_cl[None, :]
    target = table1["interregional"].to_numpy(float)
    for _ in range(500):
        rows = (k[ci, None] * k[None, :] * F[ci, :] * touches[ci, :]).sum(axis=1)
        k_new = k.copy()
        k_new[ci] = k[ci] * np.sqrt(target / rows)
        if np.max(np.abs(k_new - k) / k) < 1e-10:
            k = k_new
            break
        k = k_new
    W = k[:, None] * k[None, :] * F
    W = np.where(touches, W, 0.0)
    # a little cooperation among non-cluster cities (not edges of the cluster network)
    oo = np.outer(np.exp(0.8 * size), np.exp(0.8 * size)) * F * 0.02
    W = W + np.where(touches, 0.0, oo)
    # small clusters start late and catch up: pair growth = the faster of its clusters' rates
    g_city = np.full(n, LINK_GROWTH)
    g_city[ci] = LINK_GROWTH + LINK_CATCH_UP * np.maximum(0.0, -size[ci])
    iu, ju = np.triu_indices(n, 1)
    w_pairs = W[iu, ju]
    keep = w_pairs > 1e-3
    iu, ju, w_pairs = iu[keep], ju[keep], w_pairs[keep]
    g_pair = np.maximum(np.where(is_cl[iu], g_city[iu], 0.0), np.where(is_cl[ju], g_city[ju], 0.0))
    g_pair = np.where(g_pair > 0, g_pair, LINK_GROWTH)
    pair_share = np.exp(g_pair[:, None] * np.arange(T)[None, :])
    pair_share /= pair_share.sum(axis=1, keepdims=True)
    counts = rng.poisson(w_pairs[:, None] * pair_share)
    share = np.exp(LINK_GROWTH * np.arange(T))
    share /= share.sum()
    link_rows = []
    for p, y in zip(*np.nonzero(counts)):
        a, b = names[iu[p]], names[ju[p]]
        a, b = (a, b) if a < b else (b, a)
        link_rows.append((a, b, YEARS[y], int(counts[p, y])))
    links = pd.DataFrame(link_rows, columns=link_columns()).sort_values(
        ["year", "city_a", "city_b"]).reset_index(drop=True)

    intra_mean = np.exp(1.2 * size - 1.0) * 3.0
    intra_mean[ci] = table1["intraregional"].to_numpy(float)
    intra = rng.poisson(intra_mean[:, None] * share[None, :])

    # ---- 5 (part). policies need eta, which needs NC: compute NC first from a provisional panel
    base = pd.DataFrame({"city": np.repeat(names, T), "year": np.tile(YEARS, n),
                         "ai_patents": 1.0, "all_patents": 2.0, "ai_coop_intra": intra.ravel(),
                         "ip": 1.0, "ed": ed.ravel(), "ic": ic.ravel(), "ie": ie.ravel()})
    pan0 = cl.regression_panel(base, links, clusters, log1p=("IP",))
    NCm = pan0.pivot(index="cluster", columns="year", values="NC").loc[clusters].to_numpy()
    EDc, ICc, IEc = (pan0.pivot(index="cluster", columns="year", values=v).loc[clusters].to_numpy()
                     for v in ("ED", "IC", "IE"))

    # ---- 4. fixed effects, orthogonal to a constant, size and the cluster means of X and NC
    nc_mean = np.array([np.nanmean(r) for r in NCm])
    X = np.column_stack([np.ones(len(ci)), size[ci], EDc.mean(1), ICc.mean(1), IEc.mean(1),
                         nc_mean])
    raw = rng.normal(size=len(ci))
    resid = raw - X @ np.linalg.lstsq(X, raw, rcond=None)[0]
    # rounded to the precision written in truth.json, so the truth file is exact
    eta = np.round(ETA_SD * resid / resid.std(), 6)

    # ---- 5. policies: IP correlated with eta
    m_t = np.linspace(0.7, 3.2, T)
    ip_lat = (m_t[None, :] + 0.55 * size[:, None] + 0.5 * (ED - ED.mean())
              + rng.normal(0, 0.6, (n, 1)))
    u = np.zeros((n, T))
    u[:, 0] = rng.normal(0, 0.3, n)
    for j in range(1, T):
        u[:, j] = 0.5 * u[:, j - 1] + rng.normal(0, 0.25, n)
    ip_lat = ip_lat + u
    ip_lat[~is_cl] -= 0.8
    ip_lat[ci] += IP_ETA_LOADING * (eta / ETA_SD)[:, None]
    policies = np.maximum(0.0, np.rint(np.exp(ip_lat) - 1.0)) + 0.0  # no -0.0

    base["ip"] = policies.ravel()
    pan1 = cl.regression_panel(base, links, clusters, log1p=("IP",))
    IPc = pan1.pivot(index="cluster", columns="year", values="IP").loc[clusters].to_numpy()
    NCc = pan1.pivot(index="cluster", columns="year", values="NC").loc[clusters].to_numpy()
    m_ip, m_nc = pan1.attrs["centring"]["IP"], pan1.attrs["centring"]["NC"]
    nc_fill = float(np.nanmin(NCc))
    NCf = np.where(np.isnan(NCc), nc_fill, NCc)
    INT = (IPc - m_ip) * (NCf - m_nc)

    # ---- 6. TI from Table 4 Model 3
    b = TI_COEF
    xb = (b["_cons"] + b["IP"] * IPc + b["NC"] * NCf + b["IPxNC"] * INT + b["ED"] * EDc
          + b["IC"] * ICc + b["IE"] * IEc + eta[:, None])
    ti_obs = np.zeros((len(ci), T))
    ss0 = xb[:, 0] / (1 - b["L.TI"])
    lat0 = ss0 - INITIAL_GAP + rng.normal(0, INITIAL_SD, len(ci))
    ai_cl = np.zeros((len(ci), T))
    ai_cl[:, 0] = np.rint(np.exp(lat0))
    e = rng.normal(0, E_SD, (len(ci), T))
    for j in range(1, T):
        prev = np.log(ai_cl[:, j - 1])
        ai_cl[:, j] = np.rint(np.exp(xb[:, j] + b["L.TI"] * prev + e[:, j]))
    if (ai_cl < 1).any():
        raise RuntimeError("calibration: a cluster-year has no AI patent (TI undefined).")
    ti_obs = np.log(ai_cl)

    # ---- 7. AI and all patents for every city, placed for the identification
    ai = np.zeros((n, T))
    ai[ci] = ai_cl
    a_min = ai_cl.mean(1).min()
    grow = np.exp(0.22 * np.arange(T))
    grow /= grow.mean()
    order = others[np.argsort(-size[others], kind="stable")]
    n_top = N_OTHERS_ABOVE_SMALLEST_CLUSTER
    a_mean = np.zeros(n)
    # top others above the smallest cluster, the rest decaying below it
    a_mean[order[:n_top]] = a_min * np.exp(np.linspace(1.6, 0.15, n_top))
    rest = order[n_top:]
    a_mean[rest] = a_min * np.exp(-0.15 - 4.8 * (np.arange(len(rest)) / len(rest)) ** 0.7
                                  + rng.normal(0, 0.1, len(rest)))
    # excluded cities: between the 90th and 80th position of the ranking of others
    a_mean[xi] = a_min * np.exp(np.linspace(-1.6, -2.2, len(xi)))
    for i in np.concatenate([others, xi]):
        ai[i] = np.rint(a_mean[i] * grow * np.exp(rng.normal(0, 0.08, T)))
    lq_t = np.zeros(n)
    lq_t[ci] = 1.3 + 1.5 * (size[ci] - size[ci].min()) / np.ptp(size[ci]) + rng.uniform(0, 0.1, 29)
    lq_t[xi] = np.linspace(1.15, 1.6, len(xi))
    lq_t[others] = rng.uniform(0.2, 0.9, len(others))
    A = ai.mean(1)
    # solve a common factor lam on the others' LQ so that the national share is self-consistent
    fixed = (A[~np.isin(np.arange(n), others)] / lq_t[~np.isin(np.arange(n), others)]).sum()
    lam = (A[others] / lq_t[others]).sum() / (A.sum() - fixed)
    lq_t[others] *= lam
    if lq_t[others].max() >= 0.97:
        raise RuntimeError(f"calibration: other cities' LQ up to {lq_t[others].max():.3f}.")
    s_nat = 0.025
    p_mean = A / (lq_t * s_nat)
    pgrow = np.exp(0.08 * np.arange(T))
    pgrow /= pgrow.mean()
    allp = np.rint(p_mean[:, None] * pgrow[None, :] * np.exp(rng.normal(0, 0.03, (n, T))))
    allp = np.maximum(allp, ai + 1)

    cities = pd.DataFrame({"city": np.repeat(names, T), "year": np.tile(YEARS, n),
                           "ai_patents": ai.ravel(), "all_patents": allp.ravel(),
                           "ai_coop_intra": intra.ravel().astype(float),
                           "ip": policies.ravel(), "ed": ed.ravel(), "ic": ic.ravel(),
                           "ie": ie.ravel()})[city_columns()]

    # ---- check: identification, and that the panel reproduces what entered the TI equation
    ident = cl.identify_clusters(cities, links)
    if sorted(ident.clusters) != sorted(clusters) or sorted(ident.excluded) != sorted(excluded):
        raise RuntimeError(f"calibration: identified {len(ident.clusters)} clusters, excluded "
                           f"{ident.excluded}.")
    pan = cl.regression_panel(cities, links, clusters)
    if pan.attrs["log1p"] != ["IP"]:
        raise RuntimeError(f"calibration: log1p variables {pan.attrs['log1p']}, expected ['IP'].")
    chk = pan.pivot(index="cluster", columns="year", values="TI").loc[clusters].to_numpy()
    if not np.allclose(chk, ti_obs):
        raise RuntimeError("calibration: TI read back differs from TI generated.")

    # ---- 8. firms
    firms, firm_truth = _firms(rng, clusters, pan, ti_obs)

    truth = {
        "synthetic": True,
        "seed": int(seed),
        "note": ("SYNTHETIC demo data (sim.demo.cities). Coefficients are the published values of "
                 "Wang et al. (2025) Table 4 Model 3 and Table 5 Models 5-6, used as the truth."),
        "clusters": clusters,
        "excluded_low_scale": sorted(excluded),
        "ti_equation": {
            "source": "Wang et al. (2025) Table 4, Model 3",
            "equation": ("TI_it = _cons + L.TI*TI_i,t-1 + IP*IP_it + NC*NC_it + IPxNC*IPxNC_it + "
                         "ED*ED_it + IC*IC_it + IE*IE_it + eta_i + e_it"),
            "variables": "as returned by sim.clusters.regression_panel on the demo files",
            "coefficients": TI_COEF,
            "error_sd": E_SD,
            "eta_sd": ETA_SD,
            "eta": {c: float(v) for c, v in zip(clusters, eta)},
            "eta_orthogonal_to": ["constant", "size", "mean ED", "mean IC", "mean IE", "mean NC"],
            "ip_eta_loading": IP_ETA_LOADING,
            "ip_endogenous": ("IP is correlated with eta_i (not with e_it); IPxNC inherits that "
                              "correlation, so treat IPxNC as endogenous too: as an IV-style "
                              "(exogenous) instrument in levels it is invalid"),
            "nc_network": "regression_panel default nodes='clusters' (closeness on the cluster network)",
            "centring": {"IP": m_ip, "NC": m_nc},
            "nc_fill_when_isolated": nc_fill,
            "n_cluster_years_without_nc": int(np.isnan(NCc).sum()),
            "initial_gap": INITIAL_GAP,
            "initial_sd": INITIAL_SD,
        },
        "firm_equations": firm_truth,
    }
    frames = {"cities": cities, "city_links": links, "firms": firms}
    return frames, truth


def _firms(rng, clusters, pan: pd.DataFrame, ti_cluster: np.ndarray):
    """Firm panel from Table 5's Models 5 (GS) and 6 (TI_firm) as the structural truth."""
    T = len(FIRM_YEARS)
    w = np.sqrt(np.exp(ti_cluster.mean(1)))
    w = w / w.sum() * (N_FIRMS - len(clusters))
    alloc = 1 + np.floor(w).astype(int)
    rem = w - np.floor(w)
    for j in np.argsort(-rem, kind="stable")[: N_FIRMS - alloc.sum()]:
        alloc[j] += 1
    firm_city = np.repeat(clusters, alloc)
    firm_ids = [f"F{i + 1:03d}" for i in range(N_FIRMS)]
    ipm = pan.pivot(index="cluster", columns="year", values="IP")
    IP = ipm.loc[firm_city, list(FIRM_YEARS)].to_numpy()

    ep_f = rng.normal(0.045, 0.03, N_FIRMS)
    cs_f = rng.uniform(0.2, 0.65, N_FIRMS)
    oc_f = rng.uniform(0.12, 0.6, N_FIRMS)
    EP = _round(ep_f[:, None] + rng.normal(0, 0.03, (N_FIRMS, T)), 4)
    CS = _round(np.clip(cs_f[:, None] + rng.normal(0, 0.04, (N_FIRMS, T)), 0.05, 0.95), 4)
    OC = _round(np.clip(oc_f[:, None] + rng.normal(0, 0.02, (N_FIRMS, T)), 0.05, 0.95), 4)
    mu_gs = rng.normal(0, FIRM_EFFECT_SD, N_FIRMS)
    mu_ti = rng.normal(0, FIRM_EFFECT_SD, N_FIRMS)
    g, h = GS_COEF, TIF_COEF
    xg = g["_cons"] + g["IP"] * IP + g["EP"] * EP + g["CS"] * CS + g["OC"] * OC + mu_gs[:, None]
    gs = np.zeros((N_FIRMS, T))
    GS = np.zeros((N_FIRMS, T))
    g0 = xg[:, 0] / (1 - g["L.GS"]) + rng.normal(0, 0.3, N_FIRMS)
    gs[:, 0] = _round(np.exp(g0) / 1e4, 4)
    GS[:, 0] = np.log(1e4 * gs[:, 0])
    for j in range(1, T):
        val = xg[:, j] + g["L.GS"] * GS[:, j - 1] + rng.normal(0, GS_E_SD, N_FIRMS)
        gs[:, j] = _round(np.exp(val) / 1e4, 4)
        GS[:, j] = np.log(1e4 * gs[:, j])
    xt = (h["_cons"] + h["IP"] * IP + h["GS"] * GS + h["EP"] * EP + h["CS"] * CS + h["OC"] * OC
          + mu_ti[:, None])
    ti = np.zeros((N_FIRMS, T))
    t0 = xt[:, 0] / (1 - h["L.TI_firm"]) + rng.normal(0, 0.3, N_FIRMS)
    ti[:, 0] = np.maximum(0, np.rint(np.exp(t0) - 1))
    for j in range(1, T):
        val = xt[:, j] + h["L.TI_firm"] * np.log1p(ti[:, j - 1]) + rng.normal(0, TIF_E_SD, N_FIRMS)
        ti[:, j] = np.maximum(0, np.rint(np.exp(val) - 1))
    firms = pd.DataFrame({"firm": np.repeat(firm_ids, T), "city": np.repeat(firm_city, T),
                          "year": np.tile(FIRM_YEARS, N_FIRMS), "ti": ti.ravel(),
                          "gs": gs.ravel(), "ep": EP.ravel(), "cs": CS.ravel(),
                          "oc": OC.ravel()})[firm_columns()]
    truth = {
        "source": "Wang et al. (2025) Table 5: Models 5 (GS) and 6 (TI_firm) are structural",
        "variables": {"TI_firm": "ln(1 + ti)", "GS": "ln(10000 * gs), subsidies in yuan",
                      "IP": "ln(1 + ip) of the firm's city that year (cities.csv)",
                      "EP": "ep", "CS": "cs", "OC": "oc"},
        "gs_equation": {"coefficients": GS_COEF, "error_sd": GS_E_SD},
        "ti_firm_equation": {"coefficients": TIF_COEF, "error_sd": TIF_E_SD},
        "firm_effect_sd": FIRM_EFFECT_SD,
        "implied_short_run": {"indirect_IP_via_GS": GS_COEF["IP"] * TIF_COEF["GS"],
                              "total_IP": TIF_COEF["IP"] + GS_COEF["IP"] * TIF_COEF["GS"]},
        "firms_per_city": {c: int(a) for c, a in zip(clusters, alloc)},
    }
    return firms, truth


def generate_city_data(seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """SYNTHETIC Study B demo frames: ``cities``, ``city_links``, ``firms`` (see module notes).

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same frames.

    Returns
    -------
    dict of str to DataFrame
        ``cities`` (2900 rows, ``sim.schema.city_columns()``), ``city_links``
        (``link_columns()``), ``firms`` (1125 rows, ``firm_columns()``).
    """
    return _generate(seed)[0]


def city_truth(seed: int = DEMO_SEED) -> dict:
    """The generating coefficients of the demo (the content of ``truth.json``)."""
    return _generate(seed)[1]


def _fmt(v, d: int | None) -> str:
    if d is None:
        return str(v)
    return f"{float(v):.{d}f}" if d > 0 else str(int(round(float(v))))


def _write_csv(path: Path, df: pd.DataFrame, decimals: dict[str, int]) -> None:
    cols = list(df.columns)
    dec = [decimals.get(c, 0 if c == "year" else None) for c in cols]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for row in df.itertuples(index=False):
            w.writerow([_fmt(v, d) for v, d in zip(row, dec)])


def write_city_demo(out_dir: str | Path, seed: int = DEMO_SEED) -> list[Path]:
    """Write ``cities.csv``, ``city_links.csv``, ``firms.csv`` and ``truth.json`` (SYNTHETIC).

    Byte-for-byte deterministic for a given seed (fixed decimals per column, ``"\\n"`` endings).

    Parameters
    ----------
    out_dir : path
    seed : int

    Returns
    -------
    list of Path
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames, truth = _generate(seed)
    paths = [out / "cities.csv", out / "city_links.csv", out / "firms.csv", out / "truth.json"]
    _write_csv(paths[0], frames["cities"], CITIES_DECIMALS)
    _write_csv(paths[1], frames["city_links"], {"ai_coop": 0})
    _write_csv(paths[2], frames["firms"], FIRM_DECIMALS)
    with open(paths[3], "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(truth, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    return paths
