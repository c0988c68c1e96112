"""Fresh-process cost of the Study A spatial analyses on a 30 x 11 panel (issue 4 performance goal).

The pages "Spatial patterns" and "Dynamics" must render in under 2 s in a fresh process, so each
analysis is timed in its own new Python process: import of the ``sim`` module plus the first call
(999 permutations for Moran). For comparison it also times the import of esda, giddy and libpysal
(which the pages never import) and, with ``--esda``, esda's first ``Moran_Local`` call (numba
compile, ~17 s) and giddy's ``Spatial_Markov``.

With ``--pages`` it also times the two pages themselves: a fresh process runs the app's home page
through Streamlit's AppTest, then switches to the page (cold caches), and reports the page run.

With ``--lattice`` (issue 11) it instead times global and local Moran's I with 999 permutations on
sparse rook lattices (n = 30 = 5 x 6, 300 = 15 x 20, 3,025 = 55 x 55), ``sim.moran`` side by side
with esda in one run: each (library, statistic, n) in a fresh process, "cold" = first call in that
process (for esda.Moran_Local this includes the numba compile), "warm" = median of the next three
calls. Wall time, CPU time (time.process_time, all threads of the process) and the load average are
reported, with the peak of traced heap memory during the call (tracemalloc: numpy allocations
included) and the process's peak RSS. Goal: local Moran at n = 3,025 in <= 1 s per year, < 1 GiB,
no numba.

Run:  python3 bench/spatial.py [--esda] [--pages] [--repeat 3]
      python3 bench/spatial.py --lattice
Writes bench/results/spatial.md (or bench/results/spatial_lattice.md with ``--lattice``). Timings on a shared 2-core machine are noisy: the median of
``--repeat`` runs is reported.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import time, sys
t0 = time.perf_counter()
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
n, T = 30, 11
lat, lon = rng.uniform(20, 45, n), rng.uniform(90, 125, n)
pgdp = rng.uniform(3e4, 1.8e5, n)
D = pd.DataFrame(np.clip(rng.uniform(0.1, 0.6, (n, 1)) + np.cumsum(rng.normal(0.02, 0.03, (n, T)), 1), 0.01, 0.99),
                 index=[f"p{i}" for i in range(n)], columns=range(2012, 2012 + T))
regions = {p: ("East", "Central", "West")[i % 3] for i, p in enumerate(D.index)}
t_base = time.perf_counter()
"""

CASES = {
    "weights (econ-geo + kNN)": "from sim import weights\nW = weights.econ_geo_weights(lat, lon, pgdp); "
                                "K = weights.knn_weights(lat, lon, 4)",
    "contiguity from shipped GeoJSON": "from sim import weights\nW = weights.study_weights('contiguity')",
    "global Moran by year (999 perms)": "from sim import weights, moran\nW = weights.econ_geo_weights(lat, lon, pgdp)\n"
                                        "moran.global_moran_by_year(D, W, 999)",
    "local Moran panel (999 perms)": "from sim import weights, moran\nW = weights.econ_geo_weights(lat, lon, pgdp)\n"
                                     "moran.quadrant_counts(moran.local_moran_panel(D, W, 999))",
    "Dagum by year": "from sim import inequality\ninequality.dagum_by_year(D, regions)",
    "KDE by year + joint": "from sim import density\ndensity.kde_by_year(D, regions); density.joint_kde(D)",
    "Markov + spatial Markov + paper": "from sim import weights, markov\nK = weights.knn_weights(lat, lon, 4)\n"
                                       "sm = markov.spatial_markov(D, K); markov.markov_chain(D, 'quartile')\n"
                                       "sm.steady_states(); sm.pooled.mean_first_passage_times()\n"
                                       "markov.paper_transition_matrices()",
    "all of the above": "from sim import weights, moran, inequality, density, markov\n"
                        "W = weights.econ_geo_weights(lat, lon, pgdp); K = weights.study_weights('contiguity')\n"
                        "moran.global_moran_by_year(D, W, 999); moran.local_moran_panel(D, W, 999)\n"
                        "inequality.dagum_by_year(D, regions); density.kde_by_year(D, regions); density.joint_kde(D)\n"
                        "markov.spatial_markov(D.to_numpy()[:30], K); markov.paper_transition_matrices()",
    "import esda": "import esda",
    "import giddy": "import giddy.markov",
    "import libpysal": "import libpysal",
}
ESDA_CASES = {
    "esda.Moran_Local first call (numba)": "import esda, libpysal\nfrom sim import weights\n"
                                           "W = weights.econ_geo_weights(lat, lon, pgdp)\n"
                                           "w = libpysal.weights.full2W(W, ids=list(range(n)))\n"
                                           "esda.Moran_Local(D[2012].to_numpy(), w, permutations=999, seed=1)",
    "giddy.Spatial_Markov (incl. import)": "import libpysal\nfrom giddy.markov import Spatial_Markov\n"
                                           "from sim import weights\nK = weights.knn_weights(lat, lon, 4)\n"
                                           "w = libpysal.weights.full2W(K, ids=list(range(n))); w.transform = 'r'\n"
                                           "Spatial_Markov(D.to_numpy(), w, cutoffs=[.25,.5,.75], "
                                           "lag_cutoffs=[.25,.5,.75], fixed=True)",
}


PAGE_CODE = """
import time, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("streamlit_app.py", default_timeout=120)
at.run()
at.switch_page("pages/{page}")
t = time.perf_counter()
at.run()
dt = time.perf_counter() - t
assert not at.exception, [e.value for e in at.exception]
print(dt)
"""


def run_page(page: str) -> float:
    out = subprocess.run([sys.executable, "-c", PAGE_CODE.format(page=page)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


def run_case(body: str) -> float:
    code = SETUP + body + "\nprint(time.perf_counter() - t_base)\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


LATTICE_CODE = """
import json, os, resource, sys, time, tracemalloc
import numpy as np
from scipy import sparse
lib, stat, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
n = rows * cols
idx = np.arange(n).reshape(rows, cols)
a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
W = sparse.coo_matrix((np.ones(2 * a.size), (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
rng = np.random.default_rng(0)
r_, c_ = np.divmod(np.arange(n), cols)
y = np.sin(r_ / 9.0) + np.cos(c_ / 7.0) + rng.normal(0, 0.8, n)
if lib == "sim":
    from sim import moran
    fn = {"global": lambda s: moran.global_moran(y, W, 999, seed=s),
          "local": lambda s: moran.local_moran(y, W, 999, seed=s)}[stat]
else:
    import esda, libpysal
    w = libpysal.weights.WSP(W).to_W(silence_warnings=True)
    def fn(s):
        np.random.seed(s)
        return (esda.Moran(y, w, permutations=999) if stat == "global"
                else esda.Moran_Local(y, w, permutations=999, seed=s))
def timed(s):
    tracemalloc.start()
    t, c = time.perf_counter(), time.process_time()
    fn(s)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return wall, cpu, peak
cold = timed(1)
warm = sorted(timed(2 + i) for i in range(3))[1]
print(json.dumps({"cold": cold, "warm": warm, "load": os.getloadavg()[0],
                  "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
LATTICES = ((5, 6), (15, 20), (55, 55))


def run_lattice() -> None:
    import json
    import os
    import platform

    rows = []
    for r, c in LATTICES:
        for stat in ("global", "local"):
            for lib in ("sim", "esda"):
                out = subprocess.run([sys.executable, "-c", LATTICE_CODE, lib, stat, str(r), str(c)],
                                     cwd=ROOT, capture_output=True, text=True, timeout=1800)
                if out.returncode != 0:
                    raise RuntimeError(out.stderr[-2000:])
                d = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append((r * c, stat, lib, d))
                print(f"n={r * c:5d} {stat:6s} {lib:4s} cold {d['cold'][0]:7.3f} s wall "
                      f"{d['cold'][1]:7.3f} s cpu | warm {d['warm'][0]:7.3f} s wall {d['warm'][1]:7.3f} s cpu "
                      f"| peak traced {d['warm'][2] / 2**20:7.1f} MiB, maxrss {d['maxrss_mib']:6.0f} MiB "
                      f"| load {d['load']:.2f}", flush=True)
    import datetime

    lines = ["# Moran's I with 999 permutations on sparse rook lattices: sim.moran beside esda", "",
             f"Run {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores "
             "(shared with other work: see the load average column). Each row is a fresh process: "
             "cold = first call (esda.Moran_Local: includes its numba compile, not cached on disk), "
             "warm = median of the next three calls. CPU = time.process_time of the process. Peak "
             "traced = tracemalloc peak during the (warm) call, numpy arrays included; max RSS = the "
             "whole process (interpreter, numpy/scipy, esda/numba when loaded).", "",
             "| n | statistic | library | cold wall s | cold CPU s | warm wall s | warm CPU s | "
             "peak traced MiB | max RSS MiB | load avg (1 min) |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for n, stat, lib, d in rows:
        name = "sim.moran" if lib == "sim" else ("esda.Moran" if stat == "global" else "esda.Moran_Local")
        lines.append(f"| {n} | {stat} | {name} | {d['cold'][0]:.3f} | {d['cold'][1]:.3f} | "
                     f"{d['warm'][0]:.3f} | {d['warm'][1]:.3f} | {d['warm'][2] / 2**20:.1f} | "
                     f"{d['maxrss_mib']:.0f} | {d['load']:.2f} |")
    loc = [d for n, stat, lib, d in rows if n == 3025 and stat == "local" and lib == "sim"][0]
    ok = max(loc["cold"][0], loc["warm"][0]) <= 1.0 and loc["maxrss_mib"] < 1024
    lines += ["", f"Goal (issue 11): local Moran at n = 3,025 in <= 1 s per year with < 1 GiB peak and no "
              f"numba: {'met' if ok else 'NOT met'} (cold {loc['cold'][0]:.3f} s, warm {loc['warm'][0]:.3f} s, "
              f"max RSS {loc['maxrss_mib']:.0f} MiB). sim.moran imports no numba."]
    out = ROOT / "bench" / "results" / "spatial_lattice.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--esda", action="store_true", help="also time esda.Moran_Local and giddy (slow)")
    ap.add_argument("--pages", action="store_true", help="also time the two pages (AppTest, cold caches)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lattice", action="store_true",
                    help="global/local Moran on rook lattices n = 30, 300, 3025 beside esda (issue 11)")
    args = ap.parse_args()
    if args.lattice:
        run_lattice()
        return
    cases = {name: (run_case, body) for name, body in CASES.items()}
    if args.esda:
        cases.update({name: (run_case, body) for name, body in ESDA_CASES.items()})
    if args.pages:
        cases["page 'Spatial patterns' (after home, cold)"] = (run_page, "spatial.py")
        cases["page 'Dynamics' (after home, cold)"] = (run_page, "dynamics.py")
    rows = []
    for name, (fn, body) in cases.items():
        times = [fn(body) for _ in range(args.repeat)]
        med = statistics.median(times)
        rows.append((name, med, min(times), max(times)))
        print(f"{name:40s} median {med:6.3f} s  (min {min(times):.3f}, max {max(times):.3f})", flush=True)
    lines = ["# Study A spatial analyses: fresh-process import + first call (30 x 11 panel)", "",
             "Seconds after numpy/pandas are loaded (the app has them anyway); pages: the script run of "
             "the page in a fresh AppTest process after the home page (caches cold). Median of "
             f"{args.repeat} fresh processes. Machine: shared 2 cores, noisy.", "",
             "| analysis | median s | min s | max s |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {m:.3f} | {lo:.3f} | {hi:.3f} |" for n, m, lo, hi in rows]
    lines += ["", textwrap.dedent("""\
        The pages use only ``sim`` (numpy/scipy); esda, giddy and libpysal are used in tests only, to
        cross-check. Their import cost and esda's numba compile are listed for comparison.""")]
    out = ROOT / "bench" / "results" / "spatial.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
