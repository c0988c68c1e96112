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

Each method's C is scored by Spearman correlation with the truth (and with the strength), and
by seed stability (mean pairwise Spearman of C between training seeds). Learned methods get
the province of each row (``groups``), so their folds are by province.

Run:  python3 bench/coupling_recovery.py [--quick]
Writes bench/results/coupling_recovery.md.
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


def _spearman(a, b):
    from scipy.stats import spearmanr

    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def run(datasets=(0, 1, 2), seeds=(0, 1, 2, 3, 4), methods=("paper", "crosspred", "cca"), options=None):
    options = options or {}
    rows = []
    for ds in datasets:
        panel, tr, systems = synthetic_coupled_panel(seed=ds)
        frame = EntropyFrame.fit(panel, systems=systems)
        out = frame.transform(panel)
        Xn, Xi = frame.normalise(panel, "nqpf"), frame.normalise(panel, "inno")
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


def to_markdown(df: pd.DataFrame) -> str:
    g = df.groupby("method", sort=False).agg(spearman_truth=("spearman_truth", "mean"),
                                             spearman_strength=("spearman_strength", "mean"),
                                             seed_stability=("seed_stability", "mean"),
                                             c_std=("c_std", "mean"), collapsed=("collapsed", "any"),
                                             seconds=("seconds", "mean"))
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
    df = run(datasets, seeds)
    md = to_markdown(df)
    head = (f"Coupling recovery benchmark (bench/coupling_recovery.py): {len(datasets)} synthetic panels "
            f"of 330 rows (seeds {list(datasets)}), {len(seeds)} training seeds per method; Spearman "
            "averaged over seeds and panels. Truth = realised alignment of the two latent profiles "
            "(-||w - z||); strength = the decoupling size that generated it (-s). Seed stability = mean "
            "pairwise Spearman of C between training seeds.\n\n")
    notes = ("\n\nNotes. The generator is ours (see the module docstring), not the one behind SPEC's quick "
             "test, so the figures are comparable in kind, not digit for digit. The paper's collapsed C "
             "still ranks rows a little (its std across rows is ~1e-4, so the ranks come from numerical "
             "residue): the magnitudes carry no information and the ranks disagree between seeds. "
             "'crosspred' is the app's non-degenerate method; 'cca' (the paper's towers with a whitening "
             "term) recovers about as much but agrees less across seeds.")
    print(head + md + notes)
    if not args.quick:
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        (ROOT / "bench" / "results" / "coupling_recovery.md").write_text(head + md + notes + "\n",
                                                                         encoding="utf-8")
    return df


if __name__ == "__main__":
    main()
