"""Speed of the simulator's two forward engines.

Times, in-process after one warm-up call (median and best of ``--repeats``, CPU time with
``time.process_time`` beside wall time, BLAS limited to one thread as in ``sim.simulate``):

1. the forward model of ``sim.projection`` on the demo: 30 provinces, 10,000 joint paths of
   continuous D, horizon 5 and 10, with the matrices estimated on the demo and with the paper's
   Tables 4-5 (Liu et al. 2026); baseline (fresh uniforms) and scenario (the baseline's uniforms,
   an effect on 12 provinces from the first year);
2. a 29-cluster cluster-innovation forecast with 2,000 coefficient draws (``sim.forecast``, Wang et
   al. 2025 Table 4 Model 3) on the demo's cluster history, horizon 7 (2021-2027).

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

from sim import data, forecast, markov, projection  # noqa: E402
from sim import simulate as S  # noqa: E402
from sim.gmm import blas_single_thread  # noqa: E402


def timed(fn, repeats):
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(cpu), min(cpu), statistics.median(wall)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--paths", type=int, default=10_000)
    a = ap.parse_args()
    frames = data.read_demo(("provinces", "cities", "links"))
    base = S.prepare(frames, S.Options())
    pb, cb = base.provinces, base.clusters
    pm = markov.paper_transition_matrices()
    models = {"estimated on the demo": pb.forward,
              "paper's Tables 4-5": projection.fit_forward_model(pb.D_hist, pb.W_proximity, pb.cutoffs,
                                                                 pm.P_spatial, pm.P_traditional)}
    load0 = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores; {a.paths:,} paths; {a.repeats} repeats")
    print("| engine | CPU median ms | CPU best ms | wall median ms |")
    print("|---|---|---|---|")
    d0 = pb.D_hist[:, -1]
    with blas_single_thread():
        for name, fm in models.items():
            for H in (5, 10):
                b = projection.simulate_paths(fm, d0, H, a.paths, 0)
                e = np.zeros((fm.n, H + 1))
                e[:12, 1:] = 0.03
                r = timed(lambda: projection.simulate_paths(fm, d0, H, a.paths, 0), a.repeats)
                print(f"| baseline paths, {name}, horizon {H} | {r[0]:.1f} | {r[1]:.1f} | {r[2]:.1f} |")
                r = timed(lambda: projection.simulate_paths(fm, d0, H, a.paths, 0, effects=e, uniforms=b.uniforms,
                                                            noise_values=b.noise_values, base=b), a.repeats)
                print(f"| scenario paths (baseline's uniforms), {name}, horizon {H} | {r[0]:.1f} | {r[1]:.1f} | "
                      f"{r[2]:.1f} |")
        fut = forecast.hold_last(cb.panel, 7)
        r = timed(lambda: forecast.forecast_ti(cb.design, fut, cb.coefficients, 7, keep_draws=True), a.repeats)
        print(f"| cluster forecast, 29 clusters, 2,000 draws, horizon 7 | {r[0]:.1f} | {r[1]:.1f} | {r[2]:.1f} |")
    print(f"load average (1 min): {load0:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
