"""Study B specifications and robustness checks (Wang et al. 2025, Tables 4-6, Figs. 4 and 6).

* :func:`wang_spec` / :func:`wang_model` - Models 1-3 of Table 4 (Eq. 3) as two-step system GMM:
  TI and IP GMM-style ``lag(2 .)`` (the paper: "the lagged one-period term of the dependent
  variable and independent variable as endogenous variables"), controls ED, IC, IE IV-style
  ("control variables as exogenous"); Model 3 adds NC and the centred IPxNC, IV-style by default
  because the paper declares only TI and IP endogenous (``interaction_endogenous=True`` makes
  IPxNC GMM-style: it is endogenous whenever IP is).
* :func:`compare_with_paper` - our coefficients and z next to Table 4's.
* :func:`moderation` - predicted TI against IP at NC mean -/+ 1 sd (Fig. 4).
* :func:`placebo` - shuffle IP, re-estimate, n times (Fig. 6; paper: mean 0.002 vs real 0.037).
* :func:`mediation` - Table 5's three equations (Eqs. 4-6) on the firm panel.
* :func:`negative_binomial` - Table 6: NB2 with cluster fixed effects (dummies), alpha reported.

The cluster panel is :func:`sim.clusters.regression_panel`'s frame: ``cluster, year, TI, IP, NC,
IPxNC, ED, IC, IE`` (logs; ``attrs["log1p"]``, ``attrs["centring"]``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
import numpy as np
import pandas as pd
from scipy import stats

from sim.gmm import (GmmDesign, GmmResults, GmmStyle, IvStyle, blas_single_thread,
                     build_design)
from sim.messages import Msg, N_

__all__ = ["wang_spec", "wang_model", "compare_with_paper", "compare_mediation_with_paper",
           "compare_negbin_with_paper", "moderation", "placebo",
           "PlaceboResult", "mediation", "MediationResult", "negative_binomial", "NegBinResult",
           "firm_panel"]

PAPER_DIR = Path(__file__).resolve().parent.parent / "data" / "paper"
INTERACTION = "IPxNC"
CONTROLS = ("ED", "IC", "IE")
# our term names -> the paper's (data/paper/wang2025_table4_system_gmm.csv)
PAPER_TERMS = {"L.TI": "L.TI", "IP": "IP", "NC": "NC", INTERACTION: "IP*NC", "ED": "ED",
               "IC": "IC", "IE": "IE", "_cons": "const"}
# the two lines of Fig. 4 (values of moderation()'s ``nc_level`` column; marked for the UI's catalogue)
NC_LEVELS = (N_("low NC (mean - 1 sd)"), N_("high NC (mean + 1 sd)"))


def _unit_column(panel: pd.DataFrame) -> str:
    for c in ("cluster", "city"):
        if c in panel.columns:
            return c
    raise ValueError(f"panel needs a 'cluster' (or 'city') column; found {list(panel.columns)}")


def _need(panel: pd.DataFrame, cols) -> None:
    missing = [c for c in cols if c not in panel.columns]
    if missing:
        raise ValueError(f"panel lacks column(s) {missing}; found {list(panel.columns)} "
                         "(expected sim.clusters.regression_panel's frame)")


# ----------------------------------------------------------------------------------------------
# Models 1-3
# ----------------------------------------------------------------------------------------------
def wang_spec(model: int = 3, collapse: bool = False, max_lag: int | None = None,
              interaction_endogenous: bool = False) -> dict:
    """Regressors and instruments of Table 4's Model 1, 2 or 3 (Wang et al. 2025, Eq. 3).

    Returns
    -------
    dict with ``y, regressors, gmm, iv`` for :func:`sim.gmm.build_design`.

    Examples
    --------
    >>> s = wang_spec(2)
    >>> s["regressors"], [g.var for g in s["gmm"]], [i.var for i in s["iv"]]
    (['L.TI', 'IP', 'ED', 'IC', 'IE'], ['TI', 'IP'], ['ED', 'IC', 'IE'])
    """
    if model not in (1, 2, 3):
        raise ValueError(f"model must be 1, 2 or 3 (Table 4), found {model!r}")
    regs = ["L.TI"]
    gmm = [GmmStyle("TI", 2, max_lag, collapse)]
    iv = []
    if model >= 2:
        regs.append("IP")
        gmm.append(GmmStyle("IP", 2, max_lag, collapse))
    if model == 3:
        regs += ["NC", INTERACTION]
        iv.append(IvStyle("NC"))
        if interaction_endogenous:
            gmm.append(GmmStyle(INTERACTION, 2, max_lag, collapse))
        else:
            iv.append(IvStyle(INTERACTION))
    regs += list(CONTROLS)
    iv += [IvStyle(c) for c in CONTROLS]
    return {"y": "TI", "regressors": regs, "gmm": gmm, "iv": iv}


def wang_model(panel: pd.DataFrame, model: int = 3, collapse: bool = False,
               max_lag: int | None = None, interaction_endogenous: bool = False,
               ginv: str = "pinv") -> GmmDesign:
    """The design of Table 4's Model ``model``; call ``.fit()`` for the two-step system GMM.

    Parameters
    ----------
    panel : DataFrame from ``sim.clusters.regression_panel`` (one row per cluster-year).
    model : 1, 2 or 3.
    collapse, max_lag : instrument options (Roodman 2009b); the paper used neither.
    interaction_endogenous : instrument IPxNC GMM-style instead of IV-style.
    ginv : "pinv" or "invsym" (Stata's), the g-inverse of the singular S2 when instruments
        exceed clusters (uncollapsed Models 1-3: 88-94 instruments for 29 clusters).

    Returns
    -------
    sim.gmm.GmmDesign (two-step, robust = Windmeijer, system, constant).
    """
    unit = _unit_column(panel)
    s = wang_spec(model, collapse, max_lag, interaction_endogenous)
    _need(panel, ["year", "TI", *(r for r in s["regressors"] if not r.startswith("L."))])
    return build_design(panel, unit, "year", s["y"], s["regressors"], s["gmm"], s["iv"],
                        system=True, constant=True, twostep=True, robust=True, ginv=ginv)


def _paper_table(name: str) -> pd.DataFrame:
    return pd.read_csv(PAPER_DIR / name)


def paper_numbers() -> dict:
    """Published scalars of Wang et al. (2025) not in its tables' bodies (threshold, Table 5-6 bottom
    rows, the real IP coefficient marked in Fig. 6): name -> float, from
    ``data/paper/wang2025_identification_and_diagnostics.csv`` (each row cites its source)."""
    t = _paper_table("wang2025_identification_and_diagnostics.csv")
    return {str(n): float(v) for n, v in zip(t["name"], t["value"])}


def compare_with_paper(result: GmmResults, model: int) -> pd.DataFrame:
    """Our estimates next to Wang et al. (2025) Table 4 for ``model`` (coefficients, z, tests).

    Returns
    -------
    DataFrame indexed by the paper's term names and diagnostics, columns ``paper_coef,
    paper_z, coef, z``; diagnostic rows (``Observations, AR(1) p, AR(2) p, Sargan p``, and ours
    only: ``Hansen p, Instruments, Groups``) carry the values in ``paper_coef`` / ``coef``.
    """
    if model not in (1, 2, 3):
        raise ValueError(f"model must be 1, 2 or 3, found {model!r}")
    t4 = _paper_table("wang2025_table4_system_gmm.csv")
    t4 = t4[t4["model"] == model].set_index("term")
    rows = []
    for ours, theirs in PAPER_TERMS.items():
        in_paper = theirs in t4.index
        in_ours = ours in result.params.index
        if not (in_paper or in_ours):
            continue
        rows.append({"term": theirs,
                     "paper_coef": t4.loc[theirs, "coef"] if in_paper else np.nan,
                     "paper_z": t4.loc[theirs, "z"] if in_paper else np.nan,
                     "coef": result.params.get(ours, np.nan), "z": result.z.get(ours, np.nan)})
    dg = _paper_table("wang2025_table4_diagnostics.csv").set_index("model").loc[model]
    tests = [("Observations", dg["observations"], result.n_obs),
             ("AR(1) p", dg["ar1_p"], result.ar(1)[1]), ("AR(2) p", dg["ar2_p"], result.ar(2)[1]),
             ("Sargan p", dg["sargan_p"], result.sargan.pvalue),
             ("Hansen p", np.nan, result.hansen.pvalue),
             ("Instruments", np.nan, result.n_instruments), ("Groups", np.nan, result.n_groups)]
    rows += [{"term": n, "paper_coef": p, "paper_z": np.nan, "coef": o, "z": np.nan}
             for n, p, o in tests]
    return pd.DataFrame(rows).set_index("term")


def compare_mediation_with_paper(med: "MediationResult") -> pd.DataFrame:
    """Our Models 4-6 next to Wang et al. (2025) Table 5 (coefficients and z).

    Returns
    -------
    DataFrame with columns ``model, term, paper_coef, paper_z, coef, z`` (paper's term names;
    ``const`` for the constant), plus rows ``Observations, AR(1) p, AR(2) p, Sargan p`` per model
    with the paper's values (Table 5 notes) in ``paper_coef`` and ours in ``coef``.
    """
    t5 = _paper_table("wang2025_table5_mediation.csv")
    extra = paper_numbers()
    paper_diag = {m: tuple(extra[f"table5_model{m}_{q}"] for q in ("observations", "ar1_p", "ar2_p",
                                                                   "sargan_p"))
                  for m in (4, 5, 6)}  # Table 5, bottom rows
    rows = []
    for model, res in ((4, med.model4), (5, med.model5), (6, med.model6)):
        tab = t5[t5["model"] == model].set_index("term")
        for term in tab.index:
            ours = "_cons" if term == "const" else term
            rows.append({"model": model, "term": term, "paper_coef": tab.loc[term, "coef"],
                         "paper_z": tab.loc[term, "z"], "coef": res.params.get(ours, np.nan),
                         "z": res.z.get(ours, np.nan)})
        n, a1, a2, sp = paper_diag[model]
        for name, pv, ov in (("Observations", n, res.n_obs), ("AR(1) p", a1, res.ar(1)[1]),
                             ("AR(2) p", a2, res.ar(2)[1]), ("Sargan p", sp, res.sargan.pvalue),
                             ("Hansen p", np.nan, res.hansen.pvalue),
                             ("Instruments", np.nan, res.n_instruments)):
            rows.append({"model": model, "term": name, "paper_coef": pv, "paper_z": np.nan,
                         "coef": ov, "z": np.nan})
    return pd.DataFrame(rows)


def compare_negbin_with_paper(nb: "NegBinResult", model: int) -> pd.DataFrame:
    """Our NB2 estimates next to Wang et al. (2025) Table 6 for ``model`` (coefficients, z)."""
    if model not in (1, 2, 3):
        raise ValueError(f"model must be 1, 2 or 3, found {model!r}")
    t6 = _paper_table("wang2025_table6_negbin.csv")
    t6 = t6[t6["model"] == model].set_index("term")
    rows = []
    for ours, theirs in PAPER_TERMS.items():
        if theirs not in t6.index and ours not in nb.params.index:
            continue
        rows.append({"term": theirs,
                     "paper_coef": t6.loc[theirs, "coef"] if theirs in t6.index else np.nan,
                     "paper_z": t6.loc[theirs, "z"] if theirs in t6.index else np.nan,
                     "coef": nb.params.get(ours, np.nan), "z": nb.z.get(ours, np.nan)})
    paper_obs = paper_numbers()[f"table6_model{model}_observations"]
    rows += [{"term": "Observations", "paper_coef": paper_obs, "paper_z": np.nan,
              "coef": nb.n_obs, "z": np.nan},
             {"term": "alpha", "paper_coef": np.nan, "paper_z": np.nan, "coef": nb.alpha,
              "z": nb.alpha / nb.alpha_se if nb.alpha_se else np.nan}]
    return pd.DataFrame(rows).set_index("term")


# ----------------------------------------------------------------------------------------------
# moderation (Fig. 4)
# ----------------------------------------------------------------------------------------------
def moderation(result: GmmResults, panel: pd.DataFrame, n_points: int = 21) -> pd.DataFrame:
    """Predicted TI against IP at low and high NC (mean -/+ 1 sd), Wang et al. (2025) Fig. 4.

    TI_hat = _cons + b_IP IP + b_NC NC + b_IPxNC (IP - m_IP)(NC - m_NC) + sum_c b_c mean(c)
    + b_L.TI mean(TI); the centring means are ``panel.attrs["centring"]`` when present, else
    the means over cluster-years with IP and NC observed (as ``regression_panel`` centres).

    Returns
    -------
    DataFrame, shape (2 * n_points, 5): ``nc_level`` ("low NC (mean - 1 sd)" / "high NC
    (mean + 1 sd)"), ``NC``, ``IP``, ``TI_pred``, ``slope`` (dTI/dIP at that NC).
    """
    need = ["IP", "NC", INTERACTION, "_cons"]
    miss = [c for c in need if c not in result.params.index]
    if miss:
        raise ValueError(f"moderation needs a Model 3 result with {need}; missing {miss}")
    _need(panel, ["IP", "NC", "TI"])
    both = panel["IP"].notna() & panel["NC"].notna()
    cen = panel.attrs.get("centring") or {"IP": float(panel.loc[both, "IP"].mean()),
                                           "NC": float(panel.loc[both, "NC"].mean())}
    nc = panel.loc[both, "NC"]
    b = result.params
    base = b["_cons"]
    if "L.TI" in b.index:
        base += b["L.TI"] * float(panel["TI"].mean())
    for c in CONTROLS:
        if c in b.index:
            base += b[c] * float(panel[c].mean())
    ip = np.linspace(float(panel["IP"].min()), float(panel["IP"].max()), n_points)
    out = []
    for label, ncv in ((NC_LEVELS[0], nc.mean() - nc.std()), (NC_LEVELS[1], nc.mean() + nc.std())):
        pred = base + b["IP"] * ip + b["NC"] * ncv + b[INTERACTION] * (ip - cen["IP"]) * (ncv - cen["NC"])
        slope = b["IP"] + b[INTERACTION] * (ncv - cen["NC"])
        out.append(pd.DataFrame({"nc_level": label, "NC": ncv, "IP": ip, "TI_pred": pred,
                                 "slope": slope}))
    return pd.concat(out, ignore_index=True)


# ----------------------------------------------------------------------------------------------
# placebo (Fig. 6)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceboResult:
    """Placebo distribution of the IP coefficient (Wang et al. 2025, Fig. 6).

    coefficients : ndarray (n_replications,), IP coefficient under shuffled IP.
    real : float, the IP coefficient with the real IP.
    p_value : float, share of |placebo| >= |real| (two-sided permutation p, (1 + #) / (1 + n)).
    """

    coefficients: np.ndarray = field(repr=False)
    real: float
    scheme: str
    model: int
    seed: int
    n_instruments: int

    @property
    def mean(self) -> float:
        return float(np.nanmean(self.coefficients))

    @property
    def p_value(self) -> float:
        c = self.coefficients[np.isfinite(self.coefficients)]
        return float((1 + np.sum(np.abs(c) >= abs(self.real))) / (1 + c.size))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"replication": np.arange(self.coefficients.size),
                             "ip_coefficient": self.coefficients})


def _shuffle(ip: np.ndarray, scheme: str, rng: np.random.Generator) -> np.ndarray:
    """Permute the observed IP values of an (N, T) array, keeping the missing-value pattern."""
    out = ip.copy()
    ok = np.isfinite(ip)
    if scheme == "panel":
        out[ok] = rng.permutation(ip[ok])
    elif scheme == "within_year":
        for t in range(ip.shape[1]):
            rows = np.flatnonzero(ok[:, t])
            out[rows, t] = ip[rng.permutation(rows), t]
    elif scheme == "cluster":
        perm = rng.permutation(ip.shape[0])
        if not np.array_equal(ok, ok[perm]):
            raise ValueError(Msg(N_("scheme='cluster' needs the same IP years observed in every cluster")))
        out = ip[perm]
    else:
        raise ValueError(f"scheme must be 'panel', 'within_year' or 'cluster', found {scheme!r}")
    return out


def placebo(panel: pd.DataFrame, model: int = 2, n_replications: int = 1000, seed: int = 0,
            scheme: str = "panel", collapse: bool = False, max_lag: int | None = None,
            progress=None, ginv: str = "pinv") -> PlaceboResult:
    """Placebo test: shuffle IP, re-estimate the two-step system GMM, ``n_replications`` times.

    Wang et al. (2025), "Placebo test" and Fig. 6: "we randomly shuffle IP across all clusters and
    then estimate the impact of randomly assigned IP on TI using System-GMM regression. This
    procedure is repeated 1000 times"; the real coefficient they mark (0.037) is Model 2's, hence
    ``model=2``. "Across all clusters" names no year restriction, so the default ``scheme="panel"``
    permutes all observed cluster-year IP values jointly; ``"within_year"`` permutes across
    clusters within each year (keeps the policy time profile, a stricter placebo) and
    ``"cluster"`` reassigns whole IP series between clusters. The instrument set is built once;
    each replication rebuilds only IP's columns (and, in Model 3, the interaction, re-centred at
    the same means). Seeded: the same seed gives the same draws.

    Parameters
    ----------
    panel : DataFrame from ``sim.clusters.regression_panel``.
    progress : callable(done, total) or None, called every 50 replications (UI progress bars).

    Returns
    -------
    PlaceboResult
    """
    if n_replications < 1:
        raise ValueError(f"n_replications must be >= 1, found {n_replications}")
    if model not in (2, 3):
        raise ValueError(f"placebo needs IP in the model (2 or 3), found model {model!r}")
    design = wang_model(panel, model, collapse, max_lag, ginv=ginv)
    real_res = design.fit()
    names = list(real_res.params.index)
    col = list(design.regressors).index("IP")
    swap = ["IP"] + ([INTERACTION] if model == 3 else [])
    fit = design.swap_fitter(swap)
    ip = design.panel["IP"]
    if model == 3:
        nc = design.panel["NC"]
        both = np.isfinite(ip) & np.isfinite(nc)
        cen = panel.attrs.get("centring") or {"IP": float(ip[both].mean()),
                                               "NC": float(nc[both].mean())}
        nan_int = np.isnan(design.panel[INTERACTION])
    rng = np.random.default_rng(seed)
    coefs = np.empty(n_replications)
    with blas_single_thread():
        for r in range(n_replications):
            new = _shuffle(ip, scheme, rng)
            values = {"IP": new}
            if model == 3:
                inter = (new - cen["IP"]) * (nc - cen["NC"])
                inter[nan_int] = np.nan
                values[INTERACTION] = inter
            coefs[r] = fit(values)[col]
            if progress is not None and ((r + 1) % 50 == 0 or r + 1 == n_replications):
                progress(r + 1, n_replications)
    return PlaceboResult(coefs, float(real_res.params["IP"]), scheme, model, int(seed),
                         real_res.n_instruments)


# ----------------------------------------------------------------------------------------------
# mediation (Table 5)
# ----------------------------------------------------------------------------------------------
def firm_panel(firms: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """The firm-year panel of Eqs. (4)-(6): ``firm, year, TI_firm, GS, IP, EP, CS, OC``.

    TI_firm = ln(1 + ti) (patent counts have zeros), GS = ln(subsidies in yuan) with the
    schema's gs in 10,000 yuan (ln(10000 gs); ln(1 + .) if any subsidy is zero), IP = the
    cluster panel's IP of the firm's city that year (Wang et al. 2025: "the number of incentive
    policies in the cluster where enterprise j is located"); EP, CS, OC are ratios, not logged.
    """
    need = ["firm", "city", "year", "ti", "gs", "ep", "cs", "oc"]
    miss = [c for c in need if c not in firms.columns]
    if miss:
        raise ValueError(Msg(N_("firm panel lacks {missing}; found {found}"), missing=f"{miss}",
                             found=f"{list(firms.columns)}"))
    unit = _unit_column(panel)
    f = firms.copy()
    for c in ("ti", "gs", "ep", "cs", "oc"):
        f[c] = pd.to_numeric(f[c], errors="raise")
    if (f["ti"] < 0).any() or (f["gs"] < 0).any():
        raise ValueError(Msg(N_("firm ti and gs must be non-negative counts / amounts")))
    gs_yuan = 1e4 * f["gs"]
    out = pd.DataFrame({"firm": f["firm"], "city": f["city"], "year": f["year"].astype(int),
                        "TI_firm": np.log1p(f["ti"]),
                        "GS": np.log1p(gs_yuan) if (gs_yuan == 0).any() else np.log(gs_yuan),
                        "EP": f["ep"], "CS": f["cs"], "OC": f["oc"]})
    ip = panel[[unit, "year", "IP"]].rename(columns={unit: "city"})
    out = out.merge(ip, on=["city", "year"], how="left", validate="many_to_one")
    lost = out["IP"].isna() & out["city"].isin(ip["city"])
    unknown = sorted(set(out.loc[~out["city"].isin(ip["city"]), "city"]))
    if unknown:
        raise ValueError(Msg(N_("firm cities {cities} are not clusters of the panel"), cities=f"{unknown[:5]}"))
    if lost.any():
        raise ValueError(Msg(N_("{n} firm-years have no IP for their city-year"), n=f"{int(lost.sum())}"))
    return out[["firm", "city", "year", "TI_firm", "GS", "IP", "EP", "CS", "OC"]]


@dataclass(frozen=True)
class MediationResult:
    """Table 5: Models 4 (TI_firm), 5 (GS), 6 (TI_firm with GS); indirect effect a*b."""

    model4: GmmResults
    model5: GmmResults
    model6: GmmResults
    indirect: float  # a * b = IP->GS (Model 5) x GS->TI (Model 6)
    sobel_z: float
    sobel_p: float

    def to_frame(self) -> pd.DataFrame:
        """Coefficients and z of the three models side by side, paper's layout."""
        cols = {}
        for name, r in (("Model 4 TI_firm", self.model4), ("Model 5 GS", self.model5),
                        ("Model 6 TI_firm", self.model6)):
            cols[(name, "coef")] = r.params
            cols[(name, "z")] = r.z
        return pd.DataFrame(cols)


def mediation(firms: pd.DataFrame, panel: pd.DataFrame, collapse: bool = False,
              max_lag: int | None = None) -> MediationResult:
    """Mediation through government subsidies, Wang et al. (2025) Eqs. (4)-(6) and Table 5.

    Two-step system GMM in the style of Table 4 (the paper: "System-GMM estimation is applied"):
    the lagged dependent variable and IP GMM-style ``lag(2 .)``; in Model 6 the mediator GS too
    (it is the dependent variable of Model 5, so endogenous); EP, CS, OC IV-style. The indirect
    effect is a*b (a = IP in Model 5, b = GS in Model 6) with the Sobel z
    a*b / sqrt(b^2 se_a^2 + a^2 se_b^2).
    """
    fp = firm_panel(firms, panel)
    ctrl = ["EP", "CS", "OC"]
    ivs = [IvStyle(c) for c in ctrl]

    def run(y, regs, gmm_vars):
        d = build_design(fp, "firm", "year", y, regs,
                         [GmmStyle(v, 2, max_lag, collapse) for v in gmm_vars], ivs)
        return d.fit()

    with blas_single_thread():
        m4 = run("TI_firm", ["L.TI_firm", "IP", *ctrl], ["TI_firm", "IP"])
        m5 = run("GS", ["L.GS", "IP", *ctrl], ["GS", "IP"])
        m6 = run("TI_firm", ["L.TI_firm", "IP", "GS", *ctrl], ["TI_firm", "IP", "GS"])
    a, sa = m5.params["IP"], m5.bse["IP"]
    b, sb = m6.params["GS"], m6.bse["GS"]
    z = a * b / np.sqrt(b ** 2 * sa ** 2 + a ** 2 * sb ** 2)
    return MediationResult(m4, m5, m6, float(a * b), float(z), float(2 * stats.norm.sf(abs(z))))


# ----------------------------------------------------------------------------------------------
# negative binomial (Table 6)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NegBinResult:
    """NB2 with cluster dummies (Wang et al. 2025, Table 6); cluster effects not shown."""

    params: pd.Series
    bse: pd.Series
    z: pd.Series
    pvalues: pd.Series
    alpha: float
    alpha_se: float
    n_obs: int
    n_clusters: int
    llf: float
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"coef": self.params, "std_err": self.bse, "z": self.z,
                             "p": self.pvalues})


def negative_binomial(panel: pd.DataFrame, model: int = 3, counts: pd.Series | None = None,
                      maxiter: int = 500) -> NegBinResult:
    """Negative binomial (NB2) regression of TI counts with cluster fixed effects (Table 6).

    The dependent variable is the count of AI patent applications, not its log (the paper's
    footnote 22); the regressors are the panel's logged IP (Models 2-3), NC and IPxNC (Model 3),
    ED, IC, IE, a constant and one dummy per cluster but the first. statsmodels'
    ``NegativeBinomial(loglike_method="nb2")`` estimates alpha (Var = mu + alpha mu^2) jointly.

    Parameters
    ----------
    counts : Series aligned with ``panel`` rows, optional. Default: TI back-transformed with
        ``panel.attrs["log1p"]`` (exp(TI) - 1 if TI was log(1 + x), else exp(TI)).
    """
    import statsmodels.api as sm

    if model not in (1, 2, 3):
        raise ValueError(f"model must be 1, 2 or 3, found {model!r}")
    unit = _unit_column(panel)
    regs = (["IP"] if model >= 2 else []) + (["NC", INTERACTION] if model == 3 else []) + list(CONTROLS)
    _need(panel, ["TI", *regs])
    if counts is None:
        shifted = "TI" in panel.attrs.get("log1p", [])
        counts = np.exp(panel["TI"]) - (1.0 if shifted else 0.0)
        counts = counts.round(6)
    counts = pd.Series(np.asarray(counts, float), index=panel.index)
    df = panel[[unit, *regs]].assign(_y=counts).dropna()
    if (df["_y"] < 0).any():
        raise ValueError("counts must be non-negative")
    X = df[regs].astype(float)
    dummies = pd.get_dummies(df[unit], prefix="FE", drop_first=True, dtype=float)
    X = sm.add_constant(pd.concat([X, dummies], axis=1), has_constant="add")
    y = df["_y"]
    mod = sm.NegativeBinomial(y, X, loglike_method="nb2")
    pois = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    mu = pois.mu
    # moment start for alpha (Var = mu + alpha mu^2): without it Newton diverges on large counts
    alpha0 = max(float(((y - mu) ** 2 - y).sum() / (mu ** 2).sum()), 1e-3)
    start = np.append(pois.params.to_numpy(), alpha0)
    res, converged = None, False
    for method, it in (("newton", maxiter), ("bfgs", 4 * maxiter)):
        with warnings.catch_warnings(), blas_single_thread():
            warnings.simplefilter("ignore", RuntimeWarning)
            cand = mod.fit(start_params=start, method=method, maxiter=it, disp=0)
        ok = bool(cand.mle_retvals.get("converged", False)) and np.isfinite(cand.params).all() \
            and np.isfinite(cand.bse).all()
        if res is None or ok:
            res, converged = cand, ok
        if ok:
            break
    keep = ["const", *regs]
    params = res.params[keep].rename({"const": "_cons"})
    bse = res.bse[keep].rename({"const": "_cons"})
    return NegBinResult(params, bse, params / bse,
                        pd.Series(2 * stats.norm.sf(np.abs(params / bse)), params.index),
                        float(res.params["alpha"]), float(res.bse["alpha"]), int(len(df)),
                        int(df[unit].nunique()), float(res.llf), converged)
