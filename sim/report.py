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

from sim.messages import Join, Msg, N_, Place

# Every sentence below is a sim.messages.Msg: str() is the English sentence, msgid the template (marked
# with N_ for the UI's message catalogue), params the values; the UI shows it in the user's language.
BASELINE_SENTENCE = N_("Baseline: the observed dynamics continue. Each year every province moves between "
                     "coordination classes with the probabilities seen in {first}-{last} for a province of "
                     "its class with neighbours of theirs, keeping its rank within its class; the scenario "
                     "adds its own effect on D from the year each change starts, on the same random paths.")
NO_PROVINCES_BASELINE = N_("Baseline: policies, links and controls stay at their last observed values and "
                           "innovation follows the estimated dynamic-panel equation.")
UNIT_BASELINE_SENTENCE = N_("Baseline: the observed dynamics continue. Each year every unit moves between "
                            "coordination classes with the probabilities seen in {first}-{last} for a unit of "
                            "its class with neighbours of theirs, keeping its rank within its class; the scenario "
                            "adds its own effect on D from the year each change starts, on the same random paths.")
MAX_PROVINCE_LINES = 6


def _u(res, provinces: str, units: str) -> str:
    """The template about provinces, or its twin about units when the panel's units are not the 30 study
    provinces (own cities, counties ...)."""
    return units if getattr(res, "own_units", False) else provinces
MAX_CLUSTER_LINES = 5


def baseline_sentence(res) -> str:
    pb = res.baseline_provinces
    if pb is None:
        return Msg(NO_PROVINCES_BASELINE)
    years = list(pb.static_D.columns)
    return Msg(_u(res, BASELINE_SENTENCE, UNIT_BASELINE_SENTENCE), first=str(years[0]),
               last=str(int(pb.paths.years[0])))


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
        out.append(Msg(N_("No changes: the scenario equals the baseline.")))
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
        out.append(Msg(_u(res, N_("Share of provinces at high or extreme coordination in {end}: {share} (90 % band "
                                  "{lo}-{hi}), against {first_share} in {first}."),
                          N_("Share of units at high or extreme coordination in {end}: {share} (90 % band "
                             "{lo}-{hi}), against {first_share} in {first}.")),
                       end=str(end), share=_share(hb), lo=_share(lo_s[-1]), hi=_share(hi_s[-1]),
                       first_share=_share(float(b.high_shares[0][0])), first=str(int(b.paths.years[0]))))
        return out
    out.append(Msg(_u(res, N_("Share of provinces at high or extreme coordination in {end}: {base} in the baseline, "
                              "{scen} with the scenario (scenario 90 % band {lo}-{hi})."),
                      N_("Share of units at high or extreme coordination in {end}: {base} in the baseline, "
                         "{scen} with the scenario (scenario 90 % band {lo}-{hi}).")),
                   end=str(end), base=_share(hb), scen=_share(hs), lo=_share(lo_s[-1]), hi=_share(hi_s[-1])))
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
            out.append(Msg(N_("{province}: coupling coordination D in {end} {d_base} → {d_scen} (median of the "
                              "paths; scenario 90 % band {lo}-{hi}); chance of high or extreme {p_base} → {p_scen}."),
                           province=Place(names[i]), end=str(end), d_base=f"{qb[1, o]:.3f}", d_scen=f"{qs[1, o]:.3f}",
                           lo=f"{qs[0, o]:.3f}", hi=f"{qs[2, o]:.3f}", p_base=_pct(pb_end[i]), p_scen=_pct(ps_end[i])))
        if len(idx) > MAX_PROVINCE_LINES:
            out.append(Msg(_u(res, N_("... and {n} more provinces changed."), N_("... and {n} more units changed.")),
                           n=str(len(idx) - MAX_PROVINCE_LINES)))
    others = [i for i in range(len(names)) if i not in idx and abs(ps_end[i] - pb_end[i]) >= 0.005]
    if others:
        top = max(others, key=lambda i: abs(ps_end[i] - pb_end[i]))
        out.append(Msg(_u(res, N_("Through their neighbours, {n} province(s) not changed directly also move; most: "
                                  "{province}, chance of high or extreme in {end} {p_base} → {p_scen}."),
                          N_("Through their neighbours, {n} unit(s) not changed directly also move; most: "
                             "{province}, chance of high or extreme in {end} {p_base} → {p_scen}.")),
                       n=str(len(others)), province=Place(names[top]), end=str(end), p_base=_pct(pb_end[top]),
                       p_scen=_pct(ps_end[top])))
    if len(res.out_of_range):
        out.append(Msg(N_("{n} changed value(s) lie beyond the range the model was fitted on; there the effect on "
                          "D is damped so that D stays below 1."), n=str(len(res.out_of_range))))
    return out


def _cluster_lines(res) -> list[str]:
    bc, sc = res.baseline_clusters, res.scenario_clusters
    if bc is None or sc is bc:
        return []
    t = res.ti_difference_arrays(res.end_year)
    moved = np.abs(t["ti_change"]) > 1e-12
    if not moved.any():
        return [Msg(N_("The policy and link changes move no cluster's forecast."))]
    out = []
    det = np.flatnonzero(moved & t["detected"])
    det = det[np.argsort(-np.abs(t["ti_change"][det]), kind="stable")]
    nodet = np.flatnonzero(moved & ~t["detected"])
    yr = res.end_year
    c, pct, lo, hi = t["cluster"], t["patents_change_pct"], t["patents_change_pct_p05"], t["patents_change_pct_p95"]
    for i in det[:MAX_CLUSTER_LINES]:
        out.append(Msg(N_("{cluster}: AI patent applications in {year} {base} → {scen} ({pct} %; 90 % band {lo} % "
                          "to {hi} %)."), cluster=Place(c[i]), year=str(yr), base=f"{t['patents_baseline'][i]:,.0f}",
                       scen=f"{t['patents_scenario'][i]:,.0f}", pct=f"{pct[i]:+.0f}", lo=f"{lo[i]:+.0f}",
                       hi=f"{hi[i]:+.0f}"))
    if len(det) > MAX_CLUSTER_LINES:
        out.append(Msg(N_("... and {n} more clusters with a detectable change."), n=str(len(det) - MAX_CLUSTER_LINES)))
    if len(nodet):
        names = Join(Place(x) for x in c[nodet[:6]])
        more = Msg(N_(" and {n} more"), n=str(len(nodet) - 6)) if len(nodet) > 6 else ""
        examples = Join(Msg(N_("{cluster} {lo} % to {hi} %"), cluster=Place(c[i]), lo=f"{lo[i]:+.0f}",
                            hi=f"{hi[i]:+.0f}") for i in nodet[:2])
        out.append(Msg(N_("No detectable effect by {year} for {names}{more}: the 90 % band of the change includes "
                          "zero (for example {examples})."), year=str(yr), names=names, more=more, examples=examples))
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
        shares = {"end": str(end), "base": _share(hb), "scen": _share(hs)}
        if prov > 0:
            text.append(Msg(_u(res, N_("The model predicts more provinces at high or extreme coordination in {end}: "
                                       "{base} → {scen}, because the changed indicators raise D through the entropy "
                                       "weights and the higher D carries on along the Markov paths."),
                               N_("The model predicts more units at high or extreme coordination in {end}: "
                                  "{base} → {scen}, because the changed indicators raise D through the entropy "
                                  "weights and the higher D carries on along the Markov paths.")), **shares))
        elif prov < 0:
            text.append(Msg(_u(res, N_("The model predicts fewer provinces at high or extreme coordination in {end}: "
                                       "{base} → {scen}."),
                               N_("The model predicts fewer units at high or extreme coordination in {end}: "
                                  "{base} → {scen}.")), **shares))
        elif hb >= 0.995:
            text.append(Msg(_u(res, N_("The model predicts the same share of provinces at high or extreme coordination "
                                       "in {end} ({base} → {scen}): nearly every province is there already in the "
                                       "baseline, so the change can only move D within those classes."),
                               N_("The model predicts the same share of units at high or extreme coordination "
                                  "in {end} ({base} → {scen}): nearly every unit is there already in the "
                                  "baseline, so the change can only move D within those classes.")), **shares))
        else:
            text.append(Msg(_u(res, N_("The model predicts the same share of provinces at high or extreme coordination "
                                       "in {end} ({base} → {scen}, a difference below 0.05 percentage points): the "
                                       "change moves D, but too little to take provinces across a class boundary on "
                                       "more than a handful of paths."),
                               N_("The model predicts the same share of units at high or extreme coordination "
                                  "in {end} ({base} → {scen}, a difference below 0.05 percentage points): the "
                                  "change moves D, but too little to take units across a class boundary on "
                                  "more than a handful of paths.")), **shares))
    if res.baseline_clusters is not None and (sc.policy_changes or sc.link_edits):
        last = res.ti_difference(end)
        moved = last[last["ti_change"].abs() > 1e-12]
        coefs = res.baseline_clusters.forecast.coefficients
        p = coefs.params
        if moved.empty:
            clus = 0
            text.append(Msg(N_("The model predicts no change in any cluster's AI patenting.")))
        else:
            det = moved[moved["detected"]]
            mean = float(moved["ti_change"].mean())
            clus = 0 if det.empty else int(np.sign(mean))
            n_up, n_down = int((det["ti_change"] > 0).sum()), int((det["ti_change"] < 0).sum())
            if det.empty:
                text.append(Msg(N_("The model detects no effect on AI patenting by {end} in any of the {n} clusters "
                                   "the scenario touches: every 90 % band of the change includes zero."),
                                end=str(end), n=str(len(moved))))
            else:
                template = (N_("The model predicts higher AI patenting on average in the {n} clusters it moves by "
                               "{end} (detectably higher in {up}, lower in {down}, no detectable effect in {none}).")
                            if clus > 0 else
                            N_("The model predicts lower AI patenting on average in the {n} clusters it moves by "
                               "{end} (detectably higher in {up}, lower in {down}, no detectable effect in {none})."))
                text.append(Msg(template, n=str(len(moved)), end=str(end), up=str(n_up), down=str(n_down),
                                none=str(len(moved) - len(det))))
            text.append(Msg(N_("Why: coefficients used ({source}): IP {ip}, NC {nc}, IP x NC {ipnc}. A policy's effect "
                               "on ln(patents) is IP + (IP x NC) (NC - mean NC), so it is smaller, or negative, for "
                               "more central clusters."), source=coefs.source, ip=f"{p['IP']:+.3f}",
                            nc=f"{p['NC']:+.3f}", ipnc=f"{p['IP*NC']:+.3f}"))
            if sc.link_edits and (p["NC"] < 0 or p["IP*NC"] < 0):
                text.append(Msg(N_("The papers recommend cross-regional cooperation, but the estimates give "
                                   "centrality a negative coefficient (NC or IP x NC below zero), so more links, which "
                                   "raise closeness centrality, lower predicted innovation. The simulation follows the "
                                   "estimates; the recommendation is not supported by them.")))
            if sc.policy_changes and det.size and clus < 0:
                text.append(Msg(N_("The paper reports that incentive policies raise cluster innovation, but with these "
                                   "estimates the negative IP x NC term outweighs the policy coefficient for the "
                                   "clusters moved, so more policies lower predicted patenting there.")))
    return Explanation(prov, clus, tuple(text))
