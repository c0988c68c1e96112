"""Full scenario recompute on the demo: perturb -> D -> classes -> Moran -> 10,000-path spatial
Markov projection -> GMM forecast (issue 6 goal: <= 20 ms median on 2 cores).

"indicator change, no class moves" is a change that moves D but no starting class and no first
lag class: the scenario side then reuses the baseline projection (exactly; sim.simulate
``_province_side``), so it shows the cost of everything but the projection. The other indicator
cases move classes and pay for a full 10,000-path projection.

    python bench/scenario.py [--repeats 30] [--paths 10000]

The baseline (fitted frame, matrices, GMM coefficients) and the baseline side of the results are
prepared once, as the app caches them; each timed call is one ``simulate(..., reference=...)``.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import data, schema  # noqa: E402
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario  # noqa: E402
from sim.simulate import Options, prepare, simulate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--paths", type=int, default=10_000)
    a = ap.parse_args()
    d = schema.DATA_DIR / "demo"
    frames = {"provinces": data.read_province_panel(d / "provinces.csv"),
              "cities": data.read_city_panel(d / "cities.csv"), "links": data.read_city_links(d / "city_links.csv")}
    t0 = time.perf_counter()
    base = prepare(frames, Options())
    t_prepare = time.perf_counter() - t0
    ref = simulate(base, Scenario(horizon=5, n_paths=a.paths))
    cases = {
        "indicator change only": Scenario(horizon=5, n_paths=a.paths, indicator_changes=(
            IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),)),
        "indicator change, no class moves": Scenario(horizon=5, n_paths=a.paths, indicator_changes=(
            IndicatorChange("rd_exp", ("Guizhou",), 2023, "pct", 10.0, 0.0),)),
        "policy change only": Scenario(horizon=5, n_paths=a.paths, policy_changes=(
            PolicyChange(("Central",), 2021, 5.0),)),
        "all three kinds": Scenario(horizon=5, n_paths=a.paths, indicator_changes=(
            IndicatorChange("dim:New labor materials", ("West",), 2023, "pct", 30.0, 5.0),),
            policy_changes=(PolicyChange(("Central",), 2021, 5.0),),
            link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 200.0),)),
    }
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; prepare (once) {t_prepare:.2f} s")
    print("| scenario | median ms | best ms | CPU median ms | projection |")
    print("|---|---|---|---|---|")
    for name, sc in cases.items():
        r = simulate(base, sc, reference=ref)  # warm
        sp = r.scenario_provinces
        proj = ("none (no province change)" if sp is r.baseline_provinces else
                "baseline's reused" if sp.projection is r.baseline_provinces.projection else "projected")
        wall, cpu = [], []
        for _ in range(a.repeats):
            w0, c0 = time.perf_counter(), time.process_time()
            simulate(base, sc, reference=ref)
            wall.append((time.perf_counter() - w0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        print(f"| {name} | {statistics.median(wall):.1f} | {min(wall):.1f} | {statistics.median(cpu):.1f} | {proj} |")


if __name__ == "__main__":
    main()
