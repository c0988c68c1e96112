"""Speed of the Stata-algebra system GMM (issue 5 performance goal).

Times (wall clock, best and median of repeats):
1. one two-step system GMM of Wang et al. (2025) Model 3 (uncollapsed, 94 instruments) on the demo
   clusters (29 x 2011-2020), with every test (AR, Sargan, Hansen, Windmeijer);
2. the 1000-replication placebo (Model 2, uncollapsed instruments, IP shuffled across the panel).
   Goal: <= 2 s on 2 cores (pydynpd needs 2-7 minutes for the same, per the issue).

Uses the shipped demo (data/demo) when present, else the demo generator in memory, else a
same-shaped synthetic panel. Timings are noisy on a shared machine: the load average is printed.
Run:  python3 bench/gmm.py [--replications 1000] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def load_panel():
    demo = ROOT / "data" / "demo"
    try:
        import sim.clusters as cl
        if (demo / "cities.csv").exists() and (demo / "truth.json").exists():
            import json
            truth = json.loads((demo / "truth.json").read_text(encoding="utf-8"))
            return cl.regression_panel(pd.read_csv(demo / "cities.csv"),
                                       pd.read_csv(demo / "city_links.csv"),
                                       truth["clusters"]), "demo files (data/demo)"
        from sim.demo.cities import DEMO_SEED, _generate
        frames, truth = _generate(DEMO_SEED)
        return (cl.regression_panel(frames["cities"], frames["city_links"], truth["clusters"]),
                "demo generator (in memory)")
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from test_robustness import synthetic_panel
        return synthetic_panel(), "synthetic panel of the same shape (29 x 10)"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    from sim.robustness import placebo, wang_model

    panel, source = load_panel()
    print(f"panel: {source}; {panel['cluster'].nunique()} clusters x {panel['year'].nunique()} "
          f"years; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
    times = []
    for _ in range(max(a.repeats, 1) * 3):
        t = time.perf_counter()
        res = wang_model(panel, 3).fit()
        res.ar(1), res.ar(2)
        times.append(time.perf_counter() - t)
    print(f"one two-step system GMM (Model 3, {res.n_instruments} instruments, {res.n_obs} obs, "
          f"with AR/Sargan/Hansen): best {min(times) * 1e3:.1f} ms, median "
          f"{np.median(times) * 1e3:.1f} ms")
    times = []
    for rep in range(max(a.repeats, 1)):
        t = time.perf_counter()
        p = placebo(panel, model=2, n_replications=a.replications, seed=rep)
        times.append(time.perf_counter() - t)
    print(f"placebo, {a.replications} replications (Model 2, uncollapsed, {p.n_instruments} "
          f"instruments): best {min(times):.2f} s, median {np.median(times):.2f} s "
          f"(goal <= 2 s); placebo mean {p.mean:.4f} vs real {p.real:.4f}")


if __name__ == "__main__":
    main()
