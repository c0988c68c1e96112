"""Scenario recompute on the demo: perturb -> D through the frozen frame -> 10,000 joint spatial
Markov paths of continuous D -> GMM forecast with 2,000 shared coefficient draws -> summary.

Issue 10 goal: a scenario changing all three kinds of input costs <= 20 ms CPU (median) at 10,000
paths. CPU time (``time.process_time``) is reported beside wall time because the machine is shared;
the load average is printed before and after.

    python bench/scenario.py [--repeats 30] [--paths 10000]

The baseline (fitted frame, forward model, GMM coefficients) and the baseline side of the results
are prepared once, as the app caches them; each timed call is one ``simulate(..., reference=...)``
(summaries are computed lazily); the last column adds ``materialise()`` (every percentile, share,
Moran's I and fault table), which the app does once per scenario before caching the result.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import data  # noqa: E402
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario  # noqa: E402
from sim.simulate import Options, prepare, simulate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--paths", type=int, default=10_000)
    a = ap.parse_args()
    frames = data.read_demo(("provinces", "cities", "links"))
    t0 = time.perf_counter()
    base = prepare(frames, Options())
    t_prepare = time.perf_counter() - t0
    ref = simulate(base, Scenario(horizon=5, n_paths=a.paths)).materialise()  # as the app caches it
    cases = {
        "indicator change only": Scenario(horizon=5, n_paths=a.paths, indicator_changes=(
            IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),)),
        "indicator change from 2025": Scenario(horizon=5, n_paths=a.paths, indicator_changes=(
            IndicatorChange("system:inno", ("all",), 2025, "pct", 0.0, 30.0),)),
        "policy change only": Scenario(horizon=5, n_paths=a.paths, policy_changes=(
            PolicyChange(("Central",), 2021, 5.0),)),
        "link edit only": Scenario(horizon=5, n_paths=a.paths, link_edits=(
            LinkEdit("Guilin", "Shenzhen", "add", 200.0),)),
        "all three kinds": Scenario(horizon=5, n_paths=a.paths, indicator_changes=(
            IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),),
            policy_changes=(PolicyChange(("Central",), 2021, 5.0),),
            link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 200.0),)),
    }
    load0 = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores; prepare (once) {t_prepare:.2f} s; {a.paths:,} paths, "
          f"{a.repeats} repeats")
    print("| scenario | CPU median ms | CPU best ms | wall median ms | + materialise, CPU median ms |")
    print("|---|---|---|---|---|")
    for name, sc in cases.items():
        simulate(base, sc, reference=ref)  # warm
        wall, cpu, full = [], [], []
        for _ in range(a.repeats):
            w0, c0 = time.perf_counter(), time.process_time()
            r = simulate(base, sc, reference=ref)
            cpu.append((time.process_time() - c0) * 1e3)
            wall.append((time.perf_counter() - w0) * 1e3)
            r.materialise()
            full.append((time.process_time() - c0) * 1e3)
        print(f"| {name} | {statistics.median(cpu):.1f} | {min(cpu):.1f} | {statistics.median(wall):.1f} | "
              f"{statistics.median(full):.1f} |")
    print(f"load average (1 min): {load0:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
