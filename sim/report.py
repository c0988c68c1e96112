"""What a simulation says, in plain words first (SPEC 4.3-4.4).

Every sentence is computed from a ``sim.simulate.SimulationResult``, from the same paths and
forecasts the charts and downloads read, so the summary and the charts cannot disagree:

* :func:`describe` -- the "What changed" list;
* :func:`explain` -- what the model predicts for a preset (or any scenario) and why, including
  where a paper's recommendation contradicts its own estimates (Wang et al. 2025, Model 3: negative
  NC and IP x NC coefficients, so more centrality lowers predicted innovation);
* :data:`BASELINE_SENTENCE` -- the one sentence that says what "baseline" means, the same in every
  view.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASELINE_SENTENCE = ("Baseline: the observed dynamics continue. Each year every province moves between "
                     "coordination classes with the probabilities seen in {first}-{last} for a province of "
                     "its class with neighbours of theirs, keeping its rank within its class; the scenario "
                     "adds its own effect on D from the year each change starts, on the same random paths.")
MAX_PROVINCE_LINES = 6
MAX_CLUSTER_LINES = 5


def baseline_sentence(res) -> str:
    pb = res.baseline_provinces
    if pb is None:
        return ("Baseline: policies, links and controls stay at their last observed values and innovation "
                "follows the estimated dynamic-panel equation.")
    years = list(pb.static_D.columns)
    return BASELINE_SENTENCE.format(first=years[0], last=int(pb.paths.years[0]))


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _share(x: float) -> str:
    """A national share, to one decimal (the chart's tooltip shows the same)."""
    return f"{x:.1%}"


def _end_quantiles(ps, idx):
    """5 / 50 / 95 % of D in the end year for provinces ``idx`` only (cheap), shape (3, len(idx))."""
    from sim.projection import path_quantiles

    # one row per province: a contiguous partition is fast
    return path_quantiles(np.ascontiguousarray(ps.paths.D[-1][:, idx].T), axis=1).T


def describe(res) -> list[str]:
    """The "What changed" summary: plain sentences with the numbers, most important first."""
    out = []
    sc = res.scenario
    if sc.is_empty:
        out.append("No changes: the scenario equals the baseline.")
    out += _province_lines(res)
    out += _cluster_lines(res)
    return out


def _province_lines(res) -> list[str]:
    b, s = res.baseline_provinces, res.scenario_provinces
    if b is None:
        return []
    end = res.end_year
    out = []
    hb, hs = res.high_share("baseline"), res.high_share("scenario")
    _, lo_s, hi_s = s.high_shares
    if s is b:
        out.append(f"Share of provinces at high or extreme coordination in {end}: {_share(hb)} "
                   f"(90 % band {_share(lo_s[-1])}-{_share(hi_s[-1])}), against {_share(float(b.high_shares[0][0]))} "
                   f"in {int(b.paths.years[0])}.")
        return out
    out.append(f"Share of provinces at high or extreme coordination in {end}: {_share(hb)} in the baseline, "
               f"{_share(hs)} with the scenario (scenario 90 % band {_share(lo_s[-1])}-{_share(hi_s[-1])}).")
    names = list(b.paths.labels)
    touched = list(dict.fromkeys(res.touched["province"].to_numpy().tolist())) if len(res.touched) else []
    pb_end = b.p_high[:, -1]  # the baseline side's summaries are kept (computed once per baseline)
    ps_end = np.count_nonzero(s.paths.classes[-1] >= 2, axis=0) / s.paths.n_paths  # = s.p_high[:, -1]
    idx = [names.index(p) for p in touched if p in names]
    if idx:
        # largest change in the chance of high or extreme first, then the largest change in mean D
        dp = np.round(np.abs(ps_end[idx] - pb_end[idx]), 3)
        dm = np.abs(s.paths.D[-1][:, idx].mean(axis=0) - b.paths.D[-1][:, idx].mean(axis=0))
        order = np.lexsort((-dm, -dp))[:MAX_PROVINCE_LINES]
        shown = [idx[o] for o in order]
        qb, qs = b.quantiles[shown, -1, :].T, _end_quantiles(s, shown)
        for o, i in enumerate(shown):
            out.append(f"{names[i]}: coupling coordination D in {end} {qb[1, o]:.3f} → {qs[1, o]:.3f} "
                       f"(median of the paths; scenario 90 % band {qs[0, o]:.3f}-{qs[2, o]:.3f}); chance of "
                       f"high or extreme {_pct(pb_end[i])} → {_pct(ps_end[i])}.")
        if len(idx) > MAX_PROVINCE_LINES:
            out.append(f"... and {len(idx) - MAX_PROVINCE_LINES} more provinces changed.")
    others = [i for i in range(len(names)) if i not in idx and abs(ps_end[i] - pb_end[i]) >= 0.005]
    if others:
        top = max(others, key=lambda i: abs(ps_end[i] - pb_end[i]))
        out.append(f"Through their neighbours, {len(others)} province(s) not changed directly also move; most: "
                   f"{names[top]}, chance of high or extreme in {end} {_pct(pb_end[top])} → {_pct(ps_end[top])}.")
    if len(res.out_of_range):
        out.append(f"{len(res.out_of_range)} changed value(s) lie beyond the range the model was fitted on; "
                   "there the effect on D is damped so that D stays below 1.")
    return out


def _cluster_lines(res) -> list[str]:
    bc, sc = res.baseline_clusters, res.scenario_clusters
    if bc is None or sc is bc:
        return []
    t = res.ti_difference_arrays(res.end_year)
    moved = np.abs(t["ti_change"]) > 1e-12
    if not moved.any():
        return ["The policy and link changes move no cluster's forecast."]
    out = []
    det = np.flatnonzero(moved & t["detected"])
    det = det[np.argsort(-np.abs(t["ti_change"][det]), kind="stable")]
    nodet = np.flatnonzero(moved & ~t["detected"])
    yr = res.end_year
    c, pct, lo, hi = t["cluster"], t["patents_change_pct"], t["patents_change_pct_p05"], t["patents_change_pct_p95"]
    for i in det[:MAX_CLUSTER_LINES]:
        out.append(f"{c[i]}: AI patent applications in {yr} {t['patents_baseline'][i]:,.0f} → "
                   f"{t['patents_scenario'][i]:,.0f} ({pct[i]:+.0f} %; 90 % band "
                   f"{lo[i]:+.0f} % to {hi[i]:+.0f} %).")
    if len(det) > MAX_CLUSTER_LINES:
        out.append(f"... and {len(det) - MAX_CLUSTER_LINES} more clusters with a detectable change.")
    if len(nodet):
        names = ", ".join(c[nodet[:6]])
        more = f" and {len(nodet) - 6} more" if len(nodet) > 6 else ""
        out.append(f"No detectable effect by {yr} for {names}{more}: the 90 % band of the change includes "
                   "zero (for example " + ", ".join(
                       f"{c[i]} {lo[i]:+.0f} % to {hi[i]:+.0f} %" for i in nodet[:2]) + ").")
    return out


def share_direction(diff: float) -> int:
    """+1 / -1 when a change in a national share shows at the one decimal the app prints, else 0."""
    return int(np.sign(diff)) if abs(diff) >= 0.0005 else 0


@dataclass(frozen=True)
class Explanation:
    """What the model predicts for a scenario, and why (SPEC 4.3).

    ``provinces``: +1 / 0 / -1, the sign of the change in the end-year share of provinces at high or
    extreme coordination (None without a province panel or indicator change); ``clusters``: +1 / 0 /
    -1 the sign of the mean change in predicted ln(AI patents) over the clusters the scenario moves,
    0 also when the model detects no effect in any of them (None without cluster changes);
    ``text``: the sentences shown with the preset.
    """

    provinces: int | None
    clusters: int | None
    text: tuple


def explain(res) -> Explanation:
    """What the model predicts for ``res.scenario`` and why, computed from the run."""
    text = []
    prov = clus = None
    sc = res.scenario
    end = res.end_year
    if res.baseline_provinces is not None and sc.indicator_changes:
        hb, hs = res.high_share("baseline"), res.high_share("scenario")
        prov = share_direction(hs - hb)
        if prov > 0:
            text.append(f"The model predicts more provinces at high or extreme coordination in {end}: "
                        f"{_share(hb)} → {_share(hs)}, because the changed indicators raise D through the "
                        "entropy weights and the higher D carries on along the Markov paths.")
        elif prov < 0:
            text.append(f"The model predicts fewer provinces at high or extreme coordination in {end}: "
                        f"{_share(hb)} → {_share(hs)}.")
        elif hb >= 0.995:
            text.append(f"The model predicts the same share of provinces at high or extreme coordination in "
                        f"{end} ({_share(hb)} → {_share(hs)}): nearly every province is there already in the "
                        "baseline, so the change can only move D within those classes.")
        else:
            text.append(f"The model predicts the same share of provinces at high or extreme coordination in "
                        f"{end} ({_share(hb)} → {_share(hs)}, a difference below 0.05 percentage points): the "
                        "change moves D, but too little to take provinces across a class boundary on more than "
                        "a handful of paths.")
    if res.baseline_clusters is not None and (sc.policy_changes or sc.link_edits):
        last = res.ti_difference(end)
        moved = last[last["ti_change"].abs() > 1e-12]
        coefs = res.baseline_clusters.forecast.coefficients
        p = coefs.params
        if moved.empty:
            clus = 0
            text.append("The model predicts no change in any cluster's AI patenting.")
        else:
            det = moved[moved["detected"]]
            mean = float(moved["ti_change"].mean())
            clus = 0 if det.empty else int(np.sign(mean))
            n_up, n_down = int((det["ti_change"] > 0).sum()), int((det["ti_change"] < 0).sum())
            if det.empty:
                text.append(f"The model detects no effect on AI patenting by {end} in any of the {len(moved)} "
                            "clusters the scenario touches: every 90 % band of the change includes zero.")
            else:
                direction = "higher" if clus > 0 else "lower"
                text.append(f"The model predicts {direction} AI patenting on average in the {len(moved)} clusters "
                            f"it moves by {end} (detectably higher in {n_up}, lower in {n_down}, no detectable "
                            f"effect in {len(moved) - len(det)}).")
            why = [f"IP {p['IP']:+.3f}", f"NC {p['NC']:+.3f}", f"IP x NC {p['IP*NC']:+.3f}"]
            text.append(f"Why: coefficients used ({coefs.source}): " + ", ".join(why) + ". A policy's effect "
                        "on ln(patents) is IP + (IP x NC) (NC - mean NC), so it is smaller, or negative, for "
                        "more central clusters.")
            if sc.link_edits and (p["NC"] < 0 or p["IP*NC"] < 0):
                text.append("The papers recommend cross-regional cooperation, but the estimates give "
                            "centrality a negative coefficient (NC or IP x NC below zero), so more links, which "
                            "raise closeness centrality, lower predicted innovation. The simulation follows the "
                            "estimates; the recommendation is not supported by them.")
            if sc.policy_changes and det.size and clus < 0:
                text.append("The paper reports that incentive policies raise cluster innovation, but with these "
                            "estimates the negative IP x NC term outweighs the policy coefficient for the "
                            "clusters moved, so more policies lower predicted patenting there.")
    return Explanation(prov, clus, tuple(text))
