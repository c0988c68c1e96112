"""Study A at scale (issue 12): the whole pipeline on 30, 290 and 2,800 synthetic units x 20 years.

Data: ``sim.synthetic.generate(n, 20, seed=0)`` (SYNTHETIC, invented numbers; the paper's 35
indicator ids; groups East/Central/West by longitude; spatially autocorrelated). Each size runs in a
fresh Python process, steps in this order, each timed once (cold: the first call in the process):

1. entropy weights + traditional coupling (``EntropyFrame.fit`` + ``transform``);
2. the MLP at the app's defaults (``mlp.fit_ensemble``, method "crosspred", seeds 0-4, groups =
   units, 1 torch thread, as ``ui/coupling.py`` calls it);
3. weights: economic-geographic for Moran (``weights.econ_geo_for_inference``: the paper's dense
   matrix up to 300 units, each unit's 32 strongest links above, with the reason stated) and
   k = 4 nearest neighbours for the spatial Markov lag (``weights.knn_weights_sparse``; the synthetic
   units have no boundaries, so no contiguity);
4. global Moran's I per year, 999 permutations; 5. local Moran per unit-year, 999 permutations;
6. Dagum Gini decomposition per year (3 groups); 7. kernel densities (per year, national and per
   group) and the joint density of (D_t, D_t+1) on a 60 x 60 grid;
8. Markov chains: traditional and spatial Markov (fixed cut-offs and pooled quartiles), steady
   states and mean first-passage times;
9. simulator: the baseline (forward model fitted and baseline paths, once) and one scenario
   recompute (+30 % on every innovation indicator of the West units from the second projected
   year, 5 years ahead). The app's path is tried first: the synthetic panel and its units sheet
   read and validated by ``sim.data.read_province_panel`` (timed on its own row, not part of the
   Study A pipeline), then ``sim.simulate.prepare`` and the baseline ``simulate`` (once, as the app
   caches them), then the scenario recompute (``simulate(..., reference=baseline)`` +
   ``materialise()``, after one warm-up run; the median of 5 runs is reported). If ``prepare`` cannot take the panel, the forward
   model's hot path is timed directly (``sim.projection``: the scenario's effect through the frozen
   frame, then joint spatial Markov paths with the baseline's random numbers), and the table says
   which. Paths: ``sim.projection.paths_for(n)``, 10,000 up to 300 units, 3,000,000 / n above (1,071 at
   2,800; the app's default of 10,000 paths exceeds the forward model's limit there).

Per step: wall time, CPU time (``time.process_time``: all threads of the process), memory = peak
resident set size sampled every 5 ms during the step minus the resident size at its start (MiB;
numpy and torch allocations alike), and the 1-minute load average at the start of the step (the
machine has 2 cores shared with other work). The process's peak RSS (``ru_maxrss``) is reported per
size and checked against the goal. Goals at 2,800 x 20: full pipeline <= 60 s and < 4 GiB; the
scenario recompute <= 1 s.

Run:  python3 bench/scale.py [--sizes 30 290 2800] [--years 20]
Writes bench/results/scale.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (30, 290, 2800)
GOAL_PIPELINE_S, GOAL_MEMORY_GIB, GOAL_SCENARIO_S = 60.0, 4.0, 1.0
PIPELINE_STEPS = ("entropy + traditional coupling", "MLP (crosspred, 5 seeds)", "weights",
                  "global Moran (999 perms/year)", "local Moran (999 perms/year)", "Dagum Gini",
                  "kernel densities", "Markov + spatial Markov")


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


class Step:
    """Time one step: wall, CPU, sampled peak RSS above the start, load average at the start."""

    def __init__(self, results: list, name: str):
        self.results, self.name = results, name

    def __enter__(self):
        self.load = os.getloadavg()[0]
        self.rss0 = self.peak = _rss_mib()
        self._stop = threading.Event()

        def sample():
            while not self._stop.wait(0.005):
                self.peak = max(self.peak, _rss_mib())
        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        wall, cpu = time.perf_counter() - self.w0, time.process_time() - self.c0
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())
        self.results.append({"step": self.name, "wall": wall, "cpu": cpu,
                             "mem_mib": self.peak - self.rss0, "load": self.load})
        print(f"  {self.name:38s} {wall:7.2f} s wall {cpu:7.2f} s CPU {self.peak - self.rss0:7.0f} MiB "
              f"load {self.load:.2f}", file=sys.stderr, flush=True)
        return False


RECOMPUTE_REPEATS = 5


def _median_run(runs: list) -> dict:
    """The run of median wall time (its CPU, memory and load), labelled with the repeat count."""
    r = dict(sorted(runs, key=lambda x: x["wall"])[len(runs) // 2])
    r["step"] = f"scenario recompute (median of {len(runs)})"
    return r


def run_one(n: int, years: int) -> dict:
    import numpy as np

    from sim import density, inequality, markov, mlp, moran, projection, synthetic, weights
    from sim.coupling import EntropyFrame

    steps: list = []
    notes: list = []
    syn = synthetic.generate(n, years, seed=0)
    panel, units = syn.panel, syn.units
    regions = syn.regions
    lat, lon = units["lat"].to_numpy(), units["lon"].to_numpy()

    with Step(steps, PIPELINE_STEPS[0]):
        frame = EntropyFrame.fit(panel, systems=syn.systems, directions=syn.directions)
        trad = frame.transform(panel)
    D = syn.wide(trad["D"].to_numpy())

    with Step(steps, PIPELINE_STEPS[1]):
        Xn, Xi = frame.normalise(panel, "nqpf"), frame.normalise(panel, "inno")
        ens = mlp.fit_ensemble(Xn, Xi, method="crosspred", seeds=(0, 1, 2, 3, 4),
                               groups=panel["province"].to_numpy())
    folds = ens.members[0].diagnostics.get("folds", {})
    if folds.get("message"):
        notes.append(f"MLP: {folds['message']}")
    notes.append(f"MLP seed agreement (Spearman of C between seeds) {ens.diagnostics['seed_spearman']:.3f}, "
                 f"spread of C across rows {ens.diagnostics['c_std']:.3f}.")

    with Step(steps, PIPELINE_STEPS[2]):
        pgdp = panel.groupby("province", sort=False)["gdp_per_capita"].mean().loc[units["unit"]].to_numpy()
        choice = weights.econ_geo_for_inference(lat, lon, pgdp)
        K = weights.knn_weights_sparse(lat, lon, 4)
    if not choice.exact:
        notes.append(f"Moran weights: {choice.message}")
        # fidelity: Moran's I of the last year on the full dense matrix (no permutations) vs kept links
        I_dense = moran.global_moran(D.iloc[:, -1].to_numpy(), weights.econ_geo_weights(lat, lon, pgdp), 0).I
        I_sparse = moran.global_moran(D.iloc[:, -1].to_numpy(), choice.W, 0).I
        notes.append(f"Global Moran's I of {D.columns[-1]} on the full dense matrix {I_dense:.4f}, on the "
                     f"{choice.k} strongest links {I_sparse:.4f} (computed outside the timed steps).")

    with Step(steps, PIPELINE_STEPS[3]):
        gm = moran.global_moran_by_year(D, choice.W, 999)
    with Step(steps, PIPELINE_STEPS[4]):
        lm = moran.local_moran_panel(D, choice.W, 999)
        moran.quadrant_counts(lm)
    notes.append(f"Global Moran's I by year: {gm['I'].min():.3f} to {gm['I'].max():.3f} "
                 f"(p_sim <= {gm['p_sim'].max():.3f}); significant local clusters "
                 f"{lm['significant'].mean():.1%} of unit-years.")
    with Step(steps, PIPELINE_STEPS[5]):
        inequality.dagum_by_year(D, regions)
    with Step(steps, PIPELINE_STEPS[6]):
        density.kde_by_year(D, regions)
        density.joint_kde(D, num=60)
    with Step(steps, PIPELINE_STEPS[7]):
        sms = {scheme: markov.spatial_markov(D, K, scheme) for scheme in ("fixed", "quartile")}
        for sm in sms.values():
            sm.steady_states()
            sm.pooled.mean_first_passage_times()
            markov.markov_chain(D, sm.cutoffs)

    # --- simulator ---------------------------------------------------------------------------
    H = 5
    n_paths, paths_note = projection.paths_for(n)
    if paths_note:
        notes.append(f"Simulator: {paths_note}")
    sim_mode, sim_reason = _simulator(steps, syn, frame, D, K, sms["fixed"], H, n_paths)
    return {"n": n, "years": years, "rows": len(panel), "steps": steps, "notes": notes,
            "simulator": {"mode": sim_mode, "reason": sim_reason, "paths": n_paths, "horizon": H},
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _simulator(steps, syn, frame, D, K, sm, H, n_paths):
    """Time the baseline and one scenario recompute; the real prepare/simulate path if it takes the
    synthetic panel, else the forward model's hot path (sim.projection)."""
    import numpy as np

    from sim import projection
    from sim.coupling import traditional_ccd

    reason = ""
    try:
        from sim import data
        from sim.scenario import IndicatorChange, Scenario
        from sim.simulate import Options, prepare, simulate

        with Step(steps, "read + validate (sim.data.read_province_panel)"):
            frame_in = data.read_province_panel(syn.panel, units=syn.units, group_column="group")
        with Step(steps, "simulator baseline (prepare + baseline paths)"):
            base = prepare({"provinces": frame_in}, Options())
            ref = simulate(base, Scenario(horizon=H, n_paths=n_paths)).materialise()
        west = tuple(syn.units.loc[syn.units["group"] == "West", "unit"])
        sc = Scenario(horizon=H, n_paths=n_paths, indicator_changes=(
            IndicatorChange("system:inno", west, int(D.columns[-1]) + 2, "pct", 30.0, 0.0),))
        simulate(base, sc, reference=ref)  # warm (as the app has run one scenario before)
        runs: list = []
        for _ in range(RECOMPUTE_REPEATS):
            with Step(runs, "scenario recompute"):
                simulate(base, sc, reference=ref).materialise()
        steps.append(_median_run(runs))
        return "sim.simulate.prepare / simulate (the app's path)", reason
    except Exception as exc:  # noqa: BLE001 - reported in the results
        steps[:] = [s for s in steps if not s["step"].startswith(("simulator", "scenario", "read"))]
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    # hot path: the frozen frame's effect on D, then joint spatial Markov paths of continuous D
    last = D.columns[-1]
    panel = syn.panel
    rows_last = panel[panel["year"] == last]
    west = (syn.units["group"] == "West").to_numpy()
    inno = syn.systems["inno"]
    with Step(steps, "simulator baseline (forward model + paths)"):
        fm = projection.fit_forward_model(D.to_numpy(), K, sm.cutoffs, sm.P, sm.pooled.P)
        d0 = D[last].to_numpy()
        b = projection.simulate_paths(fm, d0, H, n_paths, seed=0, start_year=int(last))
    runs = []
    for _ in range(RECOMPUTE_REPEATS):
        with Step(runs, "scenario recompute"):
            Xn = rows_last[syn.systems["nqpf"]].to_numpy(dtype=float)
            X = rows_last[inno].to_numpy(dtype=float)
            Xs = X.copy()
            Xs[west] *= 1.30
            # D through the frozen frame (indices saturate beyond the fitted range, as in the simulator)
            Db = traditional_ccd(*frame.indices_from_matrices(Xn, X, "saturate"))[2]
            Ds = traditional_ccd(*frame.indices_from_matrices(Xn, Xs, "saturate"))[2]
            eff = np.zeros((fm.n, H + 1))
            eff[:, 2:] = (Ds - Db)[:, None]  # from the second projected year on
            s = projection.simulate_paths(fm, d0, H, n_paths, seed=0, effects=eff, start_year=int(last),
                                          uniforms=b.uniforms, noise_values=b.noise_values, base=b)
            projection.national_shares(b)
            projection.national_shares(s)
    steps.append(_median_run(runs))
    return "forward-model hot path (sim.projection), not sim.simulate", reason


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.years)))
        return
    results = []
    for n in args.sizes:
        print(f"n = {n} x {args.years} years", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--years", str(args.years)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=3600)
        if out.returncode != 0:
            raise SystemExit(f"size {n} failed")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    write(results)


def write(results) -> None:
    lines = ["# Study A at scale: the whole pipeline on synthetic panels of 30, 290 and 2,800 units", "",
             f"Run {datetime.date.today().isoformat()} by `python3 bench/scale.py` on {platform.machine()}, "
             f"{os.cpu_count()} cores shared with other work (load average column: 1 minute, at the start "
             "of each step). Data: `sim.synthetic.generate(n, years, seed=0)`, SYNTHETIC (invented numbers, "
             "not statistics). Each size in a fresh process; every step timed once, cold. CPU = "
             "`time.process_time` (all threads). Memory = peak resident set size sampled every 5 ms "
             "during the step minus the resident size at its start (MiB, numpy and torch alike); max RSS "
             "= `ru_maxrss` of the whole process.", ""]
    sizes = [r["n"] for r in results]
    names = list(dict.fromkeys(s["step"] for r in results for s in r["steps"]))
    head = "| step | " + " | ".join(f"{n:,} wall s | CPU s | MiB | load" for n in sizes) + " |"
    lines += [head, "|---|" + "---:|---:|---:|---:|" * len(sizes)]
    for name in names:
        cells = []
        for r in results:
            s = next((s for s in r["steps"] if s["step"] == name), None)
            cells.append("- | - | - | -" if s is None else
                         f"{s['wall']:.2f} | {s['cpu']:.2f} | {s['mem_mib']:.0f} | {s['load']:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    tot = []
    for r in results:
        pipe = [s for s in r["steps"] if s["step"] in PIPELINE_STEPS]
        tot.append((sum(s["wall"] for s in pipe), sum(s["cpu"] for s in pipe), r["maxrss_mib"]))
    lines.append("| **Study A pipeline (steps 1-8)** | " + " | ".join(
        f"**{w:.2f}** | **{c:.2f}** | max RSS {m:.0f} | " for w, c, m in tot) + " |")
    lines.append("")
    for r in results:
        sm = r["simulator"]
        lines.append(f"**{r['n']:,} units x {r['years']} years ({r['rows']:,} rows).** Simulator: {sm['mode']}, "
                     f"{sm['paths']:,} paths, horizon {sm['horizon']}"
                     + (f" (prepare could not take the synthetic panel: {sm['reason']})" if sm["reason"] else "")
                     + ".")
        for note in r["notes"]:
            lines.append(f"- {note}")
        lines.append("")
    big = next((r for r in results if r["n"] == 2800), None)
    if big is not None:
        pipe = [s for s in big["steps"] if s["step"] in PIPELINE_STEPS]
        wall = sum(s["wall"] for s in pipe)
        cpu = sum(s["cpu"] for s in pipe)
        gib = big["maxrss_mib"] / 1024
        scen = next(s for s in big["steps"] if s["step"].startswith("scenario recompute"))
        ok = lambda b: "met" if b else "NOT met"  # noqa: E731
        loads = [s["load"] for s in big["steps"]]
        lines += ["## Goals at 2,800 units x 20 years", "",
                  f"- Full pipeline <= {GOAL_PIPELINE_S:.0f} s: {ok(wall <= GOAL_PIPELINE_S)} on wall time "
                  f"({wall:.1f} s), {ok(cpu <= GOAL_PIPELINE_S)} on CPU time ({cpu:.1f} s).",
                  f"- Memory < {GOAL_MEMORY_GIB:.0f} GiB: {ok(gib < GOAL_MEMORY_GIB)} (process max RSS {gib:.2f} GiB).",
                  f"- Scenario recompute <= {GOAL_SCENARIO_S:.0f} s: {ok(scen['wall'] <= GOAL_SCENARIO_S)} on wall "
                  f"time ({scen['wall']:.2f} s), {ok(scen['cpu'] <= GOAL_SCENARIO_S)} on CPU time "
                  f"({scen['cpu']:.2f} s).",
                  f"- Load average (1 min) during the 2,800 run: {min(loads):.2f} to {max(loads):.2f} on 2 cores; "
                  "wall time above CPU time is time spent waiting for a core.", ""]
    out = ROOT / "bench" / "results" / "scale.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
