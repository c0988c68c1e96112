"""Recovery benchmark for the coupling measures (SPEC 2.4): can a method find a KNOWN coupling?

Synthetic generator (``synthetic_coupled_panel``): 30 provinces x 11 years. Each province-year
has a latent development profile ``z`` (3 factors: a level that trends upward, plus two
structural factors, all with province effects) that drives the 17 NQPF indicators, and a latent
profile of the innovation system

    w = z + s * eps,    eps ~ N(0, I_3),

that drives the 18 innovation indicators. ``s`` (log-normal, province-persistent plus yearly
noise, roughly 0.05 to 2) is the size of the province-year's decoupling; the TRUE per-row
coupling is the realised alignment of the two systems, ``truth = -||w - z||`` (larger = more
coupled); ``strength = -s`` is reported too. Indicators are non-linear, skewed maps of the
latents with random loadings (log-normal "monetary" amounts and logistic "shares") and 5%
multiplicative noise, so neither system is a linear copy of the other and the two systems'
indicators differ. Traditional C only sees the balance of the two composite levels (one
direction of the three), so it is not the truth by construction.

Caveat (issue 11): this truth, the realised distance between the two systems' latent states, is
close to what "crosspred" estimates (how badly one system predicts the other), so its lead on
this process is partly by construction. Hence a second process:

Independent process (``synthetic_shared_factor_panel``): both systems load on one latent
development profile ``f`` (3 factors, as above); the innovation system's profile is

    w = trend + lambda * f~ + sqrt(1 - lambda^2) * u~,

with ``f~`` and ``u~`` independent, identically distributed (so w has the marginal law of f
whatever lambda is) and ``lambda`` in (0, 1) a province-level loading (logistic of a province
effect) with small yearly drift. The TRUE coupling is the structural parameter ``lambda``:
the correlation of the two systems' latent states. It is defined without reference to any
method (not a residual, distance or cosine of anything a method computes); a method can only
see one realisation per province-year, so no method can recover it perfectly.

Each method's C is scored by Spearman correlation with the truth (and with the strength), and
by seed stability (mean pairwise Spearman of C between training seeds), on both processes.
Learned methods get the province of each row (``groups``), so their folds are by province.

Run:  python3 bench/coupling_recovery.py [--quick]
Writes bench/results/coupling_recovery.md and bench/results/coupling_recovery.csv (one row per
process x method, read by the Coupling page).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import mlp  # noqa: E402
from sim.coupling import EntropyFrame  # noqa: E402


def synthetic_coupled_panel(seed: int = 0, n_provinces: int = 30, years=range(2012, 2023),
                            n_nqpf: int = 17, n_inno: int = 18, latent_dim: int = 3,
                            noise: float = 0.05):
    """Panel with a known per-row coupling (see the module docstring).

    Returns
    -------
    panel : DataFrame, shape (n_provinces * n_years, 2 + n_nqpf + n_inno)
        ``province``, ``year``, ``n1..``, ``i1..`` (raw, positive indicators).
    truth : DataFrame, shape (n, 4)
        ``province``, ``year``, ``truth`` (= -||w - z||), ``strength``.
    systems : dict
        ``{"nqpf": [...], "inno": [...]}`` column names for ``EntropyFrame.fit``.
    """
    rng = np.random.default_rng(seed)
    years = list(years)
    P, Y, d = n_provinces, len(years), latent_dim
    t = (np.arange(Y) - (Y - 1) / 2) / Y

    def profile():
        prov = rng.normal(size=(P, 1, d))
        lat = prov * np.array([1.0] + [0.8] * (d - 1)) + 0.5 * rng.normal(size=(P, Y, d))
        lat[..., 0] += 1.5 * t[None, :]  # upward trend of the development level
        return lat

    z = profile()
    # decoupling size: province-persistent plus yearly noise, log-normal, spanning ~0.05 to ~2
    log_s = rng.normal(-1.0, 0.7, size=(P, 1)) + 0.4 * rng.normal(size=(P, Y))
    s = np.exp(log_s)
    w = z + s[..., None] * rng.normal(size=(P, Y, d))
    truth = -np.linalg.norm(w - z, axis=-1)

    def indicators(lat, k, prefix):
        cols = {}
        for j in range(k):
            load = np.concatenate([[rng.uniform(0.6, 1.2)], rng.normal(0, 0.7, size=d - 1)])
            s = lat @ load
            if j % 3 == 2:  # a share, bounded
                x = 100 / (1 + np.exp(-(s + rng.normal(0, 0.3))))
            else:  # a skewed monetary amount
                x = np.exp(rng.uniform(1, 4) + 0.8 * s)
            cols[f"{prefix}{j + 1}"] = (x * np.exp(noise * rng.normal(size=x.shape))).ravel()
        return cols

    prov_names = [f"P{p:02d}" for p in range(P)]
    base = {"province": np.repeat(prov_names, Y), "year": np.tile(years, P)}
    cn, ci = indicators(z, n_nqpf, "n"), indicators(w, n_inno, "i")
    panel = pd.DataFrame({**base, **cn, **ci})
    tr = pd.DataFrame({**base, "truth": truth.ravel(), "strength": -s.ravel()})
    return panel, tr, {"nqpf": list(cn), "inno": list(ci)}


def synthetic_shared_factor_panel(seed: int = 0, n_provinces: int = 30, years=range(2012, 2023),
                                  n_nqpf: int = 17, n_inno: int = 18, latent_dim: int = 3,
                                  noise: float = 0.05):
    """Panel whose true coupling is a province loading on a shared latent factor (module docstring).

    Returns the same three objects as :func:`synthetic_coupled_panel`; ``truth`` and ``strength``
    are both lambda (the loading) here.
    """
    rng = np.random.default_rng(10_000 + seed)
    years = list(years)
    P, Y, d = n_provinces, len(years), latent_dim
    t = (np.arange(Y) - (Y - 1) / 2) / Y
    trend = np.zeros((1, Y, d))
    trend[..., 0] = 1.5 * t

    def centred_profile():
        prov = rng.normal(size=(P, 1, d))
        return prov * np.array([1.0] + [0.8] * (d - 1)) + 0.5 * rng.normal(size=(P, Y, d))

    f, u = centred_profile(), centred_profile()
    lam = 1 / (1 + np.exp(-(rng.normal(0.3, 1.3, size=(P, 1)) + 0.25 * rng.normal(size=(P, Y)))))
    z = trend + f
    w = trend + lam[..., None] * f + np.sqrt(1 - lam[..., None] ** 2) * u

    def indicators(lat, k, prefix):
        cols = {}
        for j in range(k):
            load = np.concatenate([[rng.uniform(0.6, 1.2)], rng.normal(0, 0.7, size=d - 1)])
            s = lat @ load
            if j % 3 == 2:
                x = 100 / (1 + np.exp(-(s + rng.normal(0, 0.3))))
            else:
                x = np.exp(rng.uniform(1, 4) + 0.8 * s)
            cols[f"{prefix}{j + 1}"] = (x * np.exp(noise * rng.normal(size=x.shape))).ravel()
        return cols

    prov_names = [f"P{p:02d}" for p in range(P)]
    base = {"province": np.repeat(prov_names, Y), "year": np.tile(years, P)}
    cn, ci = indicators(z, n_nqpf, "n"), indicators(w, n_inno, "i")
    panel = pd.DataFrame({**base, **cn, **ci})
    # not observable by any method: the latent distance computed from the true latent states, a
    # reference for how much of lambda a single realisation per province-year can reveal
    oracle = -np.linalg.norm(w - z, axis=-1)
    tr = pd.DataFrame({**base, "truth": lam.ravel(), "strength": lam.ravel(), "oracle": oracle.ravel()})
    return panel, tr, {"nqpf": list(cn), "inno": list(ci)}


PROCESSES = {
    "latent distance (truth close to crosspred's target)": synthetic_coupled_panel,
    "shared factor, province loading (independent truth)": synthetic_shared_factor_panel,
}


def _spearman(a, b):
    from scipy.stats import spearmanr

    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def run(datasets=(0, 1, 2), seeds=(0, 1, 2, 3, 4), methods=("paper", "crosspred", "cca"), options=None,
        generator=synthetic_coupled_panel):
    options = options or {}
    rows = []
    for ds in datasets:
        panel, tr, systems = generator(seed=ds)
        frame = EntropyFrame.fit(panel, systems=systems)
        out = frame.transform(panel)
        Xn, Xi = frame.normalise(panel, "nqpf"), frame.normalise(panel, "inno")
        if "oracle" in tr:
            rows.append(dict(dataset=ds, method="oracle: -||w - z|| from the true latents (unobservable)",
                             spearman_truth=_spearman(tr["oracle"], tr["truth"]),
                             spearman_strength=_spearman(tr["oracle"], tr["strength"]),
                             seed_stability=float("nan"), c_std=float("nan"), collapsed=False, seconds=0.0))
        rows.append(dict(dataset=ds, method="traditional C", spearman_truth=_spearman(out["C"], tr["truth"]),
                         spearman_strength=_spearman(out["C"], tr["strength"]), seed_stability=float("nan"),
                         c_std=float(out["C"].std()), collapsed=False, seconds=0.0))
        for method in methods:
            t0 = time.perf_counter()
            ens = mlp.fit_ensemble(Xn, Xi, method=method, seeds=seeds, groups=panel["province"].to_numpy(),
                                   **options.get(method, {}))
            C = ens.train_coupling.mean(axis=0)
            rows.append(dict(dataset=ds, method=method,
                             spearman_truth=float(np.mean([_spearman(c, tr["truth"]) for c in ens.train_coupling])),
                             spearman_strength=float(np.mean([_spearman(c, tr["strength"]) for c in ens.train_coupling])),
                             seed_stability=ens.diagnostics["seed_spearman"], c_std=float(C.std()),
                             collapsed=ens.diagnostics["collapsed"], seconds=time.perf_counter() - t0))
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Mean over panels, one row per method (and per process when the column is present)."""
    keys = ["process", "method"] if "process" in df else ["method"]
    return df.groupby(keys, sort=False).agg(spearman_truth=("spearman_truth", "mean"),
                                             spearman_strength=("spearman_strength", "mean"),
                                             seed_stability=("seed_stability", "mean"),
                                             c_std=("c_std", "mean"), collapsed=("collapsed", "any"),
                                             seconds=("seconds", "mean")).reset_index()


def to_markdown(df: pd.DataFrame) -> str:
    g = summarise(df).set_index("method")
    lines = ["| method | Spearman with truth | Spearman with strength | seed stability | std of C | collapsed | s per 5-seed ensemble |",
             "|---|---|---|---|---|---|---|"]
    f = lambda v: "n/a" if pd.isna(v) else f"{v:.3f}"  # noqa: E731
    for name, r in g.iterrows():
        lines.append(f"| {name} | {f(r.spearman_truth)} | {f(r.spearman_strength)} | {f(r.seed_stability)} | "
                     f"{f(r.c_std)} | {'yes' if r.collapsed else 'no'} | {r.seconds:.1f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one dataset, 3 seeds")
    args = ap.parse_args()
    datasets, seeds = ((0,), (0, 1, 2)) if args.quick else ((0, 1, 2), (0, 1, 2, 3, 4))
    frames, sections = [], []
    for name, gen in PROCESSES.items():
        df = run(datasets, seeds, generator=gen).assign(process=name)
        frames.append(df)
        sections.append(f"### {name}\n\n" + to_markdown(df))
        print(sections[-1] + "\n", flush=True)
    allp = pd.concat(frames, ignore_index=True)
    head = (f"Coupling recovery benchmark (bench/coupling_recovery.py): two data-generating processes, "
            f"{len(datasets)} synthetic panels of 330 rows each (seeds {list(datasets)}), {len(seeds)} "
            "training seeds per method; Spearman averaged over seeds and panels. Seed stability = mean "
            "pairwise Spearman of C between training seeds.\n\n"
            "- *latent distance*: truth = realised alignment of the two latent profiles (-||w - z||); "
            "strength = the decoupling size that generated it (-s). This truth is close to the quantity "
            "'crosspred' estimates (how badly one system predicts the other), so its lead here is partly "
            "by construction.\n"
            "- *shared factor*: truth = lambda, each province's loading of the innovation system on the "
            "latent factor that drives NQPF (their latent correlation), defined without reference to any "
            "method; strength = truth.\n\n")
    notes = ("\n\nNotes. The generators are ours (see the module docstring), not the one behind SPEC's "
             "quick test, so the figures are comparable in kind, not digit for digit. The paper's "
             "collapsed C still ranks rows a little (its std across rows is ~1e-4, so the ranks come from "
             "numerical residue): the magnitudes carry no information and the ranks disagree between "
             "seeds. Goal (SPEC 2.4, issue 11): best Spearman >= 0.7 on processes no method was designed "
             "around; see the shared-factor table for whether it is met.")
    text = head + "\n\n".join(sections) + notes
    if not args.quick:
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "coupling_recovery.md").write_text(text + "\n", encoding="utf-8")
        summ = summarise(allp)
        summ.insert(0, "run_date", time.strftime("%Y-%m-%d"))
        summ.to_csv(out / "coupling_recovery.csv", index=False, float_format="%.4f")
        print("wrote bench/results/coupling_recovery.md and .csv")
    return allp


if __name__ == "__main__":
    main()
