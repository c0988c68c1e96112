"""Speed of the dual-tower coupling models (issue 3 goals): training the default 5-seed ensemble on a
330 x 35 panel (< 10 s on 2 cores) and inference of C for 330 rows from a trained model (< 5 ms).

Uses the shipped demo panel when present, else the recovery benchmark's synthetic panel.
Run:  python3 bench/mlp_speed.py [--threads 1] [--methods crosspred paper]
Timings are wall-clock and noisy on a shared machine; the script prints the load average.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sim import mlp  # noqa: E402
from sim.coupling import EntropyFrame  # noqa: E402


def load_panel():
    demo = ROOT / "data" / "demo" / "provinces.csv"
    if demo.exists():
        return pd.read_csv(demo), None, "demo data/demo/provinces.csv"
    from coupling_recovery import synthetic_coupled_panel

    panel, _, systems = synthetic_coupled_panel(0)
    return panel, systems, "synthetic recovery panel"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--methods", nargs="+", default=["crosspred", "paper", "cca"])
    ap.add_argument("--repeats", type=int, default=200)
    args = ap.parse_args()
    panel, systems, label = load_panel()
    frame = EntropyFrame.fit(panel, systems=systems)
    Xn, Xi = frame.normalise(panel, "nqpf"), frame.normalise(panel, "inno")
    groups = panel["province"].to_numpy()
    lines = [f"mlp_speed.py: panel {label}, {Xn.shape[0]} rows x {Xn.shape[1] + Xi.shape[1]} indicators; "
             f"torch threads={args.threads}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} "
             "cores (shared machine: wall times are noisy). Inference = median of repeated calls on "
             "330 perturbed rows.", "",
             "| method | 5-seed ensemble training (s) | inference, 330 rows, one model (ms) | "
             "inference, 5-seed ensemble (ms) |", "|---|---|---|---|"]
    print("\n".join(lines))
    rng = np.random.default_rng(0)
    for method in args.methods:
        ticks = []
        t0, c0 = time.perf_counter(), time.process_time()
        ens = mlp.fit_ensemble(Xn, Xi, method=method, groups=groups, num_threads=args.threads,
                               progress=lambda f, m: ticks.append(f))
        train_s, train_cpu = time.perf_counter() - t0, time.process_time() - c0
        # perturbed rows (+10% on the normalised scale, clipped), as the simulator would send
        Pn = np.clip(Xn * (1 + 0.1 * rng.random(Xn.shape)), 0, 1)
        Pi = np.clip(Xi * (1 + 0.1 * rng.random(Xi.shape)), 0, 1)
        one = ens.members[0]
        inf_one = _median_ms(lambda: one.coupling(Pn, Pi, groups), args.repeats)
        inf_ens = _median_ms(lambda: ens.coupling(Pn, Pi, groups), max(1, args.repeats // 5))
        line = (f"| {method} | {train_s:.2f} wall, {train_cpu:.2f} CPU ({len(ticks)} progress calls) | "
                f"{inf_one:.2f} | {inf_ens:.2f} |")
        print(line)
        lines.append(line)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "mlp_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _median_ms(fn, repeats):
    """Median wall time of one call in ms (the median resists the other agents' load spikes)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


if __name__ == "__main__":
    main()
