"""First visit to every page, map redraw and server memory, in a real browser (issue 13 goals).

One fresh ``streamlit run`` server, as a new user would meet it: Home first, then every page of the
navigation in turn, each opened once in a new tab (its first visit in this process). For each page:
wall time from ``goto`` until the script is done and the page rendered, and the server's CPU time
for it (the process tree). Then, on the Simulator: the "Map" view opened, and a control moved with
the map in view (both timed until the map's new picture is in the page, by a hash of its SVG). Finally the server's memory (RSS of the process tree)
after visiting everything. Headless Debian chromium via Playwright.

Goals (issue 13): first visit <= 3 s per page; map redraw <= 1 s; memory after every page <= 600 MiB.

    python bench/page_speed.py [--runs 2] [--no-write]

Results: ``bench/results/page_speed.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_start import (CHROMIUM, CHROMIUM_ARGS, errors_on, free_port, machine, start_server,  # noqa: E402
                        wait_healthy, wait_rendered)
from procstats import cpu_seconds, tree_cpu_seconds, tree_rss_mib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = [("Data", "data"), ("Coupling", "coupling"), ("Spatial patterns", "spatial"), ("Dynamics", "dynamics"),
         ("AI clusters", "clusters"), ("Simulator", "simulator")]


def server_cpu(pid: int) -> float:
    """CPU seconds of the server process and its descendants."""
    return cpu_seconds(pid) + tree_cpu_seconds(pid)


MAP = "[data-testid='stVegaLiteChart'] svg.marks"  # Streamlit draws Vega-Lite as SVG
_PICTURE = "e => { const d = e.outerHTML; let h = d.length; for (let i = 0; i < d.length; i += 3) h = (h * 31 + d.charCodeAt(i)) | 0; return h; }"


def wait_map_drawn(tab, before, timeout_s: float = 60) -> tuple[int, float]:
    """Until the map's SVG shows a picture other than ``before`` (a hash of its markup) that holds
    for two more polls 50 ms apart: the redraw as the user sees it, not just the script finishing.
    Returns (hash, perf_counter time when that picture was first seen)."""
    tab.locator(MAP).first.wait_for(timeout=timeout_s * 1000)
    t0, last, seen_at, same = time.time(), None, 0.0, 0
    while time.time() - t0 < timeout_s:
        h = tab.locator(MAP).first.evaluate(_PICTURE)
        now = time.perf_counter()
        if h == last and h != before:
            same += 1
        else:
            same, seen_at = 0, now
        if same >= 2:
            return h, seen_at
        last = h
        time.sleep(0.05)
    raise TimeoutError("the map was not redrawn")


def one_run(p) -> dict:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    out = {"pages": {}}
    try:
        wait_healthy(proc, base)
        page = ctx.new_page()
        page.goto(base)
        wait_rendered(page)
        page.close()
        for title, path in PAGES:
            tab = ctx.new_page()
            c0, t0 = server_cpu(proc.pid), time.perf_counter()
            tab.goto(f"{base}/{path}")
            wait_rendered(tab)
            out["pages"][title] = {"wall": time.perf_counter() - t0, "cpu": server_cpu(proc.pid) - c0,
                                   "errors": errors_on(tab)}
            if path != "simulator":
                tab.close()
                continue
            # the map view, then one control moved with the map in view
            c0, t0 = server_cpu(proc.pid), time.perf_counter()
            tab.locator("[data-testid='stButtonGroup']").get_by_text("Map", exact=True).click()
            tab.wait_for_timeout(50)
            wait_rendered(tab)
            before, seen = wait_map_drawn(tab, None)
            out["map_open"] = {"wall": seen - t0, "cpu": server_cpu(proc.pid) - c0}
            slider = tab.get_by_role("slider", name="Change, % of baseline")
            slider.focus()
            c0, t0 = server_cpu(proc.pid), time.perf_counter()
            tab.keyboard.press("ArrowRight")
            tab.keyboard.press("Tab")
            tab.wait_for_timeout(50)
            wait_rendered(tab)
            _, seen = wait_map_drawn(tab, before)
            out["map_redraw"] = {"wall": seen - t0, "cpu": server_cpu(proc.pid) - c0}
            tab.close()
        out["rss_mib"] = tree_rss_mib(proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        browser.close()
    return out


def report(runs, load0, load1) -> str:
    lines = ["# First visits, map redraw and memory in a real browser", "",
             f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `python bench/page_speed.py` on "
             f"{machine()}, headless Debian chromium, {len(runs)} fresh server(s). Load average before "
             f"{load0[0]:.2f} / {load0[1]:.2f} / {load0[2]:.2f}, after {load1[0]:.2f} / {load1[1]:.2f} / "
             f"{load1[2]:.2f} (shared machine: noisy).", "",
             "Each page opened once in a new tab after Home (its first visit in the process); wall time until "
             "rendered, and the server's CPU time (process tree).", "",
             "| page | first visit, wall s | server CPU s | goal | errors |", "|---|---|---|---|---|"]
    for title, _ in PAGES:
        w = [r["pages"][title]["wall"] for r in runs]
        c = [r["pages"][title]["cpu"] for r in runs]
        e = sum(r["pages"][title]["errors"] for r in runs)
        lines.append(f"| {title} | {min(w):.2f}-{max(w):.2f} | {min(c):.2f}-{max(c):.2f} | <= 3 s: "
                     f"{'met' if max(w) <= 3 else 'not met'} | {e} |")
    for key, label in (("map_open", "Simulator: open the Map view"), ("map_redraw", "Simulator: map redraw after a control")):
        w = [r[key]["wall"] for r in runs]
        c = [r[key]["cpu"] for r in runs]
        lines.append(f"| {label} | {min(w):.2f}-{max(w):.2f} | {min(c):.2f}-{max(c):.2f} | <= 1 s: "
                     f"{'met' if max(w) <= 1 else 'not met'} | - |")
    rss = [r["rss_mib"] for r in runs]
    lines += ["", f"Server memory after visiting every page: {min(rss):.0f}-{max(rss):.0f} MiB (goal <= 600 MiB: "
              f"{'met' if max(rss) <= 600 else 'not met'}).", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    load0 = os.getloadavg()
    with sync_playwright() as p:
        runs = [one_run(p) for _ in range(a.runs)]
    text = report(runs, load0, os.getloadavg())
    print(text)
    if not a.no_write:
        (ROOT / "bench" / "results" / "page_speed.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
