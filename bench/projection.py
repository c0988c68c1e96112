"""Speed of the simulator's two forward engines (issue 6 performance goal).

Times, in-process after one warm-up call (median and best of ``--repeats``):
1. a 30-province, 10-year, 10,000-path spatial Markov projection (``sim.projection``) with the
   paper's conditional matrices (Liu et al. 2026, Table 5; pooled Table 4 as fallback for empty rows)
   and a 4-nearest-neighbour W on the provincial capitals;
2. the same with the traditional chain (Table 4);
3. a 29-cluster, 10-year cluster-innovation forecast with 2,000 coefficient draws (``sim.forecast``,
   Wang et al. 2025 Table 4 Model 3) on a synthetic 29 x 2011-2020 history.
The simulator's whole scenario recompute budget is 20 ms median, so each engine should take a few ms.
Timings are noisy on a shared 2-core machine: the load average is printed with the figures, and the
median CPU time of the process is shown next to the wall clock.

Run:  python3 bench/projection.py [--repeats 30] [--paths 10000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim import forecast, projection  # noqa: E402


def paper_matrices():
    t4 = pd.read_csv(ROOT / "data" / "paper" / "liu2026_table4_markov.csv")
    t5 = pd.read_csv(ROOT / "data" / "paper" / "liu2026_table5_spatial_markov.csv")
    cols = [f"p_to_{c}" for c in range(1, 5)]
    P = t4.sort_values("from_class")[cols].to_numpy(float)
    Ps = t5.sort_values(["lag_class", "from_class"])[cols].to_numpy(float).reshape(4, 4, 4)
    return P, Ps


def knn_weights(k=4):
    prov = pd.read_csv(ROOT / "data" / "geo" / "provinces.csv")
    prov = prov[prov["in_study"].astype(str).str.lower() == "true"]
    lat, lon = np.radians(prov["capital_lat"].to_numpy()), np.radians(prov["capital_lon"].to_numpy())
    d = np.arccos(np.clip(np.sin(lat)[:, None] * np.sin(lat) + np.cos(lat)[:, None] * np.cos(lat)
                          * np.cos(lon[:, None] - lon), -1, 1))
    np.fill_diagonal(d, np.inf)
    W = np.zeros_like(d)
    W[np.arange(len(d))[:, None], np.argsort(d, axis=1)[:, :k]] = 1.0
    return W


def history(n_clusters=29, years=range(2011, 2021), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_clusters):
        level = rng.normal(5.9, 1.5)
        for y in years:
            rows.append({"cluster": f"cluster{c:02d}", "year": y, "TI": level + 0.1 * (y - 2011)
                         + rng.normal(0, 0.2), "IP": max(0.0, rng.normal(2.0, 1.6)),
                         "NC": rng.normal(2.7, 0.7), "ED": rng.normal(11.3, 0.4),
                         "IC": rng.normal(2.6, 0.4), "IE": rng.normal(12.5, 1.3)})
    return pd.DataFrame(rows)


def timed(fn, repeats):
    """Median and best wall-clock ms, and median CPU ms of this process (all threads).

    On an overloaded machine the wall clock includes time spent waiting for a core; the CPU time
    is closer to what the code costs on an idle machine (the engines are single-threaded).
    """
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(wall), min(wall), statistics.median(cpu)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=2000)
    args = ap.parse_args()

    P, Ps = paper_matrices()
    W = knn_weights()
    n = W.shape[0]
    initial = np.clip(np.arange(n) % 4, 0, 3)
    h = history()
    coefs = forecast.Coefficients.from_paper()
    future = forecast.hold_last(h, 10)

    cases = {
        f"spatial Markov projection ({n} provinces, 10 years, {args.paths:,} paths)":
            lambda: projection.project_spatial_markov(initial, Ps, W, 10, n_paths=args.paths,
                                                      P_fallback=P),
        f"traditional Markov projection ({n} provinces, 10 years, {args.paths:,} paths)":
            lambda: projection.project_markov(initial, P, 10, n_paths=args.paths),
        f"cluster TI forecast (29 clusters, 10 years, {args.draws:,} draws)":
            lambda: forecast.forecast_ti(h, future, coefs, 10, n_draws=args.draws),
        "  of which hold_last + long-run multiplier":
            lambda: (forecast.hold_last(h, 10), forecast.long_run_multiplier(coefs, [2.0, 3.0])),
    }
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(f"{'case':<78} {'median ms':>10} {'best ms':>9} {'CPU ms':>8}")
    for name, fn in cases.items():
        med, best, cpu = timed(fn, args.repeats)
        print(f"{name:<78} {med:>10.2f} {best:>9.2f} {cpu:>8.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
