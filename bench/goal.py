"""What would it take: time to solve a target on the demo (issue 14 goal: <= 1 s CPU at 2,000 paths).

Each target is solved by ``sim.goal.solve`` (grid over the bounds, then bisection, each step one
``sim.simulate.simulate`` at 2,000 paths); CPU time (``time.process_time``) beside wall time and the
load average, median over ``--repeats`` after one warm-up.

    python bench/goal.py [--repeats 5] [--paths 2000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import data, goal  # noqa: E402
from sim import simulate as S  # noqa: E402
from sim.target import Lever, Target  # noqa: E402

TARGETS = {
    "Gansu at High by 2030 with 80 % (indicator growth)": Target(
        "province_class_probability", 2030, 0.8,
        Lever("indicator_growth", "dim:Capital innovation resource", ("Gansu",), from_year=2025, low=0, high=60),
        subject="Gansu"),
    "72 % of provinces high or extreme in 2027 (western +%)": Target(
        "national_high_share", 2027, 0.72, Lever("indicator_pct", "system:inno", ("West",), low=0, high=300)),
    "Gansu median D 0.55 in 2027 (+%)": Target(
        "province_median_D", 2027, 0.55, Lever("indicator_pct", "system:inno", ("Gansu",), low=0, high=200),
        subject="Gansu"),
    "Guilin patents +20 % in 2027 (policies)": Target(
        "cluster_patents_vs_baseline", 2027, 20.0, Lever("policies", clusters=("Guilin",), from_year=2021,
                                                           low=0, high=50), subject="Guilin"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--paths", type=int, default=2000)
    a = ap.parse_args()
    base = S.prepare(data.read_demo(("provinces", "cities", "links")), S.Options())
    load0 = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores; {a.paths:,} paths; {a.repeats} repeats")
    print("| target | status | answer | simulations | CPU median ms | wall median ms |")
    print("|---|---|---|---|---|---|")
    for name, t in TARGETS.items():
        sol = goal.solve(base, t, n_paths=a.paths)  # warm
        cpu, wall = [], []
        for _ in range(a.repeats):
            w0, c0 = time.perf_counter(), time.process_time()
            sol = goal.solve(base, t, n_paths=a.paths)
            cpu.append((time.process_time() - c0) * 1e3)
            wall.append((time.perf_counter() - w0) * 1e3)
        ans = "-" if sol.value is None else f"{sol.value:.2f}"
        print(f"| {name} | {sol.status} | {ans} | {sol.evaluations} | {statistics.median(cpu):.0f} | "
              f"{statistics.median(wall):.0f} |")
    print(f"load average (1 min): {load0:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
