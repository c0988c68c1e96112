"""What would it take? The smallest lever setting that meets a target (goal seeking on the simulator).

Given a ``sim.target.Target`` (a quantity of the results, a threshold, one lever with bounds), the
solver finds the smallest setting of the lever within the bounds at which the quantity reaches the
threshold, running ``sim.simulate.simulate`` itself (same seed, same number of paths, same
baseline), so the scenario it returns, run in the Simulator, meets the target.

Method
------
The forward model is monotone for a favourable change (SPEC 4.1: a bigger favourable change never
lowers the projected shares under common random numbers), so the quantity, as a function of the
lever's size x, is non-decreasing where the lever helps. The solver

1. evaluates the quantity on a grid of ``grid`` points from ``low`` to ``high`` (the chart);
2. if the threshold is not met at ``high``, reports the target out of reach within the bounds (and,
   for a cluster, that the model detects no effect when the 90 % band of the change includes zero
   even at ``high``); if it is met at ``low``, returns ``low``;
3. otherwise brackets the threshold between the last grid point that misses it and the first that
   meets it, and bisects until the bracket is narrower than ``rel_tol`` (default 1 %) of the answer
   (and 0.1 % of the bound range at the least); the answer is the bracket's upper end, which meets
   the target; the lower end does not.

Each evaluation is one simulation at the solver's paths (2,000 by default: about 5 ms on the
demo), so a target takes some 20-30 simulations.

Examples
--------
>>> from sim.target import Lever, Target
>>> t = Target("national_high_share", 2027, 0.5, Lever("indicator_pct", "system:inno", ("West",), low=0, high=50))
>>> lever_changes(t, 20.0)[0][0].value
20.0
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.messages import Join, Msg, N_, Place
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario
from sim.target import CLASSES, Target


@dataclass(frozen=True)
class Solution:
    """The solver's answer.

    ``status``: "met" (``value`` is the smallest setting that meets the target), "met_at_low" (the
    target is met already at the lower bound), "unreachable" (not met at the upper bound) or
    "no_effect" (cluster targets: the model detects no effect of the lever even at the upper bound).
    ``scenario`` is the base scenario plus the lever at ``value`` (None when there is no answer).
    ``curve``: (lever size, quantity) pairs evaluated, sorted. ``start``: the quantity without the
    lever. ``sentence``: the answer in one plain sentence.
    """

    target: Target
    status: str
    value: float | None
    achieved: float | None
    scenario: Scenario | None
    curve: tuple
    start: float
    tolerance: float
    evaluations: int
    sentence: str


def lever_changes(target: Target, x: float):
    """The scenario changes that set the target's lever to size ``x``: (indicator, policy, link) tuples."""
    lv = target.lever
    if lv.kind == "indicator_pct":
        return (IndicatorChange(lv.target, tuple(lv.provinces), lv.from_year, "pct", float(x), 0.0),), (), ()
    if lv.kind == "indicator_growth":
        return (IndicatorChange(lv.target, tuple(lv.provinces), lv.from_year, "pct", 0.0, float(x)),), (), ()
    if lv.kind == "policies":
        return (), (PolicyChange(tuple(lv.clusters), lv.from_year, float(x)),), ()
    return (), (), (LinkEdit(lv.city_a, lv.city_b, "add", float(x)),)


def scenario_for(target: Target, x: float, base: Scenario, horizon: int, n_paths: int) -> Scenario:
    """``base`` with the lever at ``x`` added, projected ``horizon`` years at ``n_paths`` paths."""
    ind, pol, lnk = lever_changes(target, x)
    return replace(base, indicator_changes=tuple(base.indicator_changes) + ind,
                   policy_changes=tuple(base.policy_changes) + pol, link_edits=tuple(base.link_edits) + lnk,
                   horizon=int(horizon), n_paths=int(n_paths))


def quantity(res, target: Target) -> tuple[float, bool]:
    """The target's quantity in a simulation result, and whether it counts as an effect.

    The second value is False only for a cluster whose change from the baseline has a 90 % band
    including zero (the model detects no effect); True otherwise.
    """
    q, year = target.quantity, target.year
    if q == "cluster_patents_vs_baseline":
        if res.baseline_clusters is None:
            raise ValueError(Msg(N_("no AI clusters in the loaded data")))
        t = res.ti_difference_arrays(year)
        i = list(t["cluster"]).index(target.subject)
        return float(t["patents_change_pct"][i]), bool(t["detected"][i])
    ps = res.scenario_provinces
    if ps is None:
        raise ValueError(Msg(N_("no province panel loaded")))
    years = list(ps.paths.years)
    if year not in years:
        raise ValueError(Msg(N_("{year} is not a projected year ({first}-{last})"), year=str(year),
                             first=str(years[1]), last=str(years[-1])))
    k = years.index(year)
    if q == "national_high_share":
        return res.high_share("scenario", year), True
    i = list(ps.paths.labels).index(target.subject)
    if q == "province_class_probability":
        c = CLASSES.index(target.cls)
        return float(np.count_nonzero(ps.paths.classes[k][:, i] >= c) / ps.paths.n_paths), True
    from sim.projection import path_quantiles

    return float(path_quantiles(ps.paths.D[k][:, i], axis=0, qs=(0.5,))[0]), True


def solve(baseline, target: Target, start: Scenario | None = None, seed: int = 0, n_paths: int = 2000,
          rel_tol: float = 0.01, grid: int = 9) -> Solution:
    """The smallest setting of ``target.lever`` within its bounds that meets ``target`` (module docstring).

    ``baseline`` is a prepared ``sim.simulate.Baseline``; ``start`` the scenario the lever is added to
    (default: no other change; its options must match the baseline's).
    """
    from sim import simulate as S

    base = start or Scenario(coupling_method=baseline.options.coupling_method,
                            class_scheme=baseline.options.class_scheme,
                            parameter_source=baseline.options.parameter_source)
    latest = S.end_year_of(baseline, 0)
    horizon = target.year - latest
    if horizon < 1:
        raise ValueError(Msg(N_("the target year {year} must come after the last observed year {latest}"),
                             year=str(target.year), latest=str(latest)))
    ref = S.simulate(baseline, replace(base, indicator_changes=(), policy_changes=(), link_edits=(),
                                       horizon=horizon, n_paths=n_paths), seed)
    lv = target.lever
    cache: dict = {}

    def f(x: float):
        x = float(x)
        if x not in cache:
            sc = scenario_for(target, x, base, horizon, n_paths)
            cache[x] = quantity(S.simulate(baseline, sc, seed, reference=ref), target)
        return cache[x]

    def meets(x: float) -> bool:
        v, effect = f(x)
        return v >= target.threshold and effect

    start = quantity(S.simulate(baseline, replace(base, horizon=horizon, n_paths=n_paths), seed, reference=ref),
                     target)[0]
    xs = np.linspace(lv.low, lv.high, max(int(grid), 2))
    for x in xs:
        f(x)
    tol_abs = 1e-3 * (lv.high - lv.low)
    status, value = "unreachable", None
    if meets(lv.low):
        status, value = "met_at_low", float(lv.low)
    elif meets(lv.high):
        ok = [x for x in xs if meets(x)]
        hi = float(min(ok))
        lo = float(max(x for x in xs if x < hi))
        while hi - lo > max(rel_tol * abs(hi), tol_abs):
            mid = 0.5 * (lo + hi)
            if meets(mid):
                hi = mid
            else:
                lo = mid
        status, value = "met", hi
    elif target.quantity == "cluster_patents_vs_baseline" and not f(lv.high)[1]:
        status = "no_effect"
    curve = tuple(sorted((x, v) for x, (v, _) in cache.items()))
    achieved = None if value is None else f(value)[0]
    sc = None if value is None else scenario_for(target, value, base, horizon, n_paths)
    if sc is not None:
        sc = replace(sc, name=f"Target: {describe_target(target)}")
    tol = max(rel_tol * abs(value), tol_abs) if value is not None else tol_abs
    sol = Solution(target, status, value, achieved, sc, curve, start, tol, len(cache), "")
    return replace(sol, sentence=sentence(sol, baseline))


# --- words ---------------------------------------------------------------------------------------
def describe_target(t: Target) -> str:
    """The target in words (a ``sim.messages.Msg``: English as ``str``, translated by the UI)."""
    if t.quantity == "province_class_probability":
        return Msg(N_("{subject} at {cls} or above in {year} with {p} probability"), subject=Place(t.subject),
                   cls=Msg(t.cls), year=str(t.year), p=f"{t.threshold:.0%}")  # class names are in the catalogue
    if t.quantity == "national_high_share":
        return Msg(N_("{p} of provinces at high or extreme coordination in {year}"), p=f"{t.threshold:.0%}",
                   year=str(t.year))
    if t.quantity == "province_median_D":
        return Msg(N_("{subject}'s median coupling coordination D at {d} in {year}"), subject=Place(t.subject),
                   d=f"{t.threshold:.3f}", year=str(t.year))
    return Msg(N_("{subject}'s AI patent applications {pct} % above the baseline in {year}"), subject=Place(t.subject),
               pct=f"{t.threshold:+.0f}", year=str(t.year))


def describe_lever(t: Target, x: float, base_year: int | None = None) -> str:
    lv = t.lever
    from sim.changes import target_label

    what = target_label(lv.target)
    where = Join(Place(p) for p in lv.provinces)
    if lv.kind == "indicator_pct":
        template = (N_("{what} in {where} rise {x} % from {year}") if x >= 0 else
                    N_("{what} in {where} fall {x} % from {year}"))
        return Msg(template, what=what, where=where, x=f"{abs(x):.1f}", year=str(lv.from_year))
    if lv.kind == "indicator_growth":
        if base_year is not None:
            return Msg(N_("{what} in {where} grow {x} % a year from {year}, about {times} times their {base_year} "
                          "level by {target_year}"), what=what, where=where, x=f"{x:.1f}", year=str(lv.from_year),
                       times=f"{(1 + x / 100) ** max(t.year - lv.from_year, 0):.2f}", base_year=str(base_year),
                       target_year=str(t.year))
        return Msg(N_("{what} in {where} grow {x} % a year from {year}"), what=what, where=where, x=f"{x:.1f}",
                   year=str(lv.from_year))
    if lv.kind == "policies":
        return Msg(N_("{clusters} issue {x} extra AI incentive policies a year from {year}"),
                   clusters=Join(Place(c) for c in lv.clusters), x=f"{x:.1f}", year=str(lv.from_year))
    return Msg(N_("{city_a} and {city_b} co-apply {x} more AI patents a year"), city_a=Place(lv.city_a),
               city_b=Place(lv.city_b), x=f"{x:,.0f}")


def _fmt(t: Target, v: float) -> str:
    if t.quantity in ("province_class_probability", "national_high_share"):
        return f"{v:.1%}"
    if t.quantity == "province_median_D":
        return f"{v:.3f}"
    return f"{v:+.1f} %"


def sentence(sol: Solution, baseline=None) -> str:
    """The answer in one plain sentence (a ``sim.messages.Msg``)."""
    t, lv = sol.target, sol.target.lever
    goal = describe_target(t)
    base_year = None
    if baseline is not None and baseline.provinces is not None:
        base_year = int(max(baseline.provinces.years))
    if sol.status == "met":
        return Msg(N_("{goal}: reached if {lever} ({achieved} against {start} without it; smallest such setting "
                      "within {tol})."), goal=goal, lever=describe_lever(t, sol.value, base_year),
                   achieved=_fmt(t, sol.achieved), start=_fmt(t, sol.start), tol=f"{sol.tolerance:.2g}")
    if sol.status == "met_at_low":
        return Msg(N_("{goal}: already met at the lower bound ({lever}: {achieved})."), goal=goal,
                   lever=describe_lever(t, sol.value, base_year), achieved=_fmt(t, sol.achieved))
    top = sol.curve[-1][1] if sol.curve else sol.start
    if sol.status == "no_effect":
        return Msg(N_("{goal}: the model detects no effect of this lever on {subject} even at {high} (the 90 % band "
                      "of the change includes zero), so no setting within the bounds can be said to reach it."),
                   goal=goal, subject=Place(t.subject), high=f"{lv.high:g}")
    falls = top < sol.start - 1e-12
    template = (N_("{goal}: out of reach within the bounds ({top} at the upper bound {high}, {start} without the "
                   "lever). The model predicts the quantity falls as this lever grows.") if falls else
                N_("{goal}: out of reach within the bounds ({top} at the upper bound {high}, {start} without the "
                   "lever)."))
    return Msg(template, goal=goal, top=_fmt(t, top), high=f"{lv.high:g}", start=_fmt(t, sol.start))
