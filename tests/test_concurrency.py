"""Twenty simultaneous browser sessions on one server: no state leaks between them (issue 7).

One fresh ``streamlit run`` server; 20 Playwright contexts (Debian chromium), opened 5 at a time and
then all open together, each on the Simulator with its own share link (+x % R&D capital in a different province). Every fourth
session first loads its own modified province panel on the Data page. Then every session is rerun
while the others are alive, and each must still show exactly its own scenario (its province in the
summary, none of the other 19, its own slider value) and its own dataset label. The server's
resident memory (VmRSS of the process tree) is read before and after; the figures are written to
``bench/results/concurrency.md``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from bench.procstats import cpu_seconds, tree_rss_mib
from conftest import CHROMIUM, CHROMIUM_ARGS, _start_server, _stop_server
from sim.scenario import IndicatorChange, Scenario

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
N = 20
BATCH = 5  # sessions being opened (or rerun) at the same moment; all N stay open together
UPLOADERS = set(range(0, N, 4))  # 5 sessions upload their own panel first
# the province panel's uploader, by its label: the Data page also has indicator and units sheet uploaders
PANEL_UPLOADER = "Province panel (Study A) file"
PROVINCES = ["Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin", "Heilongjiang",
             "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong", "Henan", "Hubei",
             "Hunan", "Guangdong", "Sichuan"]
TARGET = "dim:Capital innovation resource"


def pct_of(i: int) -> int:
    return 10 + 5 * (i % 12)  # 10..65, on the slider's 5 % grid


def link(i: int) -> str:
    sc = Scenario(name=f"session {i}", horizon=3, indicator_changes=(
        IndicatorChange(TARGET, (PROVINCES[i],), 2023, "pct", float(pct_of(i))),))
    return sc.to_query_params()["s"]


def panel(i: int) -> bytes:
    df = pd.read_csv(ROOT / "data" / "demo" / "provinces.csv", dtype=str, keep_default_na=False)
    df.loc[0, "edu_years"] = f"{11 + i / 100:.2f}"
    return df.to_csv(index=False, lineterminator="\n").encode()


async def _wait_script(page, timeout_s=300):
    await page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                                 timeout=timeout_s * 1000)
    t0 = time.time()
    while time.time() - t0 < timeout_s:
        if (await page.get_attribute("[data-testid='stApp']", "data-test-script-state")) == "notRunning" \
                and time.time() - t0 > 0.5:
            return
        await asyncio.sleep(0.15)
    raise AssertionError("the Streamlit script did not finish in time")


def _label(i: int) -> str:
    src = f"panel_{i}.csv" if i in UPLOADERS else "SYNTHETIC demo"
    return f"Province panel (Study A): {src} (330 rows)"


async def _session(browser, base, i, pages, timings, gate):
    async with gate:
        await _open(browser, base, i, pages, timings)


async def _open(browser, base, i, pages, timings):
    t0 = time.perf_counter()
    ctx = await browser.new_context(viewport={"width": 1100, "height": 1000})
    ctx.set_default_timeout(300_000)  # 20 sessions share 2 busy cores (and a shared machine may be slow)
    page = await ctx.new_page()
    pages[i] = (ctx, page)
    prov = PROVINCES[i]
    own = f"{prov}: coupling coordination D in 2025"
    await page.goto(f"{base}/simulator?s={link(i)}", timeout=300_000)
    await _wait_script(page)
    await page.get_by_text(own).first.wait_for(timeout=300_000)
    if i in UPLOADERS:
        nav = page.locator("[data-testid='stSidebarNav'] a")
        await nav.filter(has_text="Data").first.click()
        await _wait_script(page)
        # The upload can be lost when it lands while the page is still rerunning after the navigation
        # (seen for one session in several full CI runs, never alone): give it 120 s, then upload again.
        for attempt in (1, 2):
            await page.get_by_role("tab", name="Upload your own").click()
            await page.locator("[data-testid='stFileUploader']").filter(has_text=PANEL_UPLOADER).locator(
                "input[type=file]").set_input_files(
                {"name": f"panel_{i}.csv", "mimeType": "text/csv", "buffer": panel(i)})
            try:
                await page.get_by_text(f"Loaded panel_{i}.csv: 330 rows.").first.wait_for(
                    timeout=120_000 if attempt == 1 else 300_000)
                break
            except Exception:
                if attempt == 2:
                    raise
                await _wait_script(page)
        await nav.filter(has_text="Simulator").first.click()
        await _wait_script(page)
        await page.get_by_text(own).first.wait_for(timeout=300_000)
    timings[i] = time.perf_counter() - t0


async def _check(page, i, gate):
    async with gate:
        return await _check_one(page, i)


async def _check_one(page, i):
    """Rerun this session while the others live, then read what it shows."""
    await page.locator("h1").first.click()  # focus the page, outside any input
    await page.keyboard.press("r")  # Streamlit's rerun shortcut
    await asyncio.sleep(0.5)
    await _wait_script(page)
    own = f"{PROVINCES[i]}: coupling coordination D in 2025"
    await page.get_by_text(own).first.wait_for(timeout=300_000)
    problems = []
    for j, other in enumerate(PROVINCES):
        if j != i and await page.get_by_text(f"{other}: coupling coordination D in").count():
            problems.append(f"session {i} shows session {j}'s province {other}")
    value = (await page.locator("[data-testid='stSlider']", has_text="Change, % of baseline")
             .locator("[data-testid='stSliderThumbValue']").first.inner_text()).strip()
    if value != str(pct_of(i)):
        problems.append(f"session {i}: slider at {value}, expected {pct_of(i)}")
    if not await page.get_by_text(_label(i)).count():
        problems.append(f"session {i}: dataset label {_label(i)!r} missing")
    for k in UPLOADERS - {i}:
        if await page.get_by_text(f"panel_{k}.csv").count():
            problems.append(f"session {i} shows session {k}'s upload")
    if await page.locator("[data-testid='stException']").count() or \
            await page.get_by_text("Unexpected error").count():
        problems.append(f"session {i}: an error is shown")
    return problems


async def _run(base, server_pid):
    from playwright.async_api import async_playwright

    out = {"rss": {}}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # one warm-up session: imports, demo data, baseline fit and caches are then in memory
        out["rss"]["fresh process"] = tree_rss_mib(server_pid)
        t0 = time.perf_counter()
        ctx = await browser.new_context()
        page = await ctx.new_page()
        await page.goto(f"{base}/simulator", timeout=300_000)
        await _wait_script(page)
        await page.get_by_text("What changed").first.wait_for(timeout=300_000)
        await ctx.close()
        out["warmup_s"] = time.perf_counter() - t0
        await asyncio.sleep(1)
        out["rss"]["after one warm-up session"] = tree_rss_mib(server_pid)
        pages, timings = {}, {}
        gate = asyncio.Semaphore(BATCH)
        cpu0, t0 = cpu_seconds(server_pid), time.perf_counter()
        results = await asyncio.gather(*(_session(browser, base, i, pages, timings, gate) for i in range(N)),
                                       return_exceptions=True)
        out["open_s"] = time.perf_counter() - t0
        out["server_cpu_s"] = cpu_seconds(server_pid) - cpu0
        out["errors"] = [f"session {i}: {type(r).__name__}: {r}" for i, r in enumerate(results)
                         if isinstance(r, BaseException)]
        out["rss"][f"{N} sessions open"] = tree_rss_mib(server_pid)
        out["session_s"] = timings
        if not out["errors"]:
            checks = await asyncio.gather(*(_check(pages[i][1], i, gate) for i in range(N)),
                                          return_exceptions=True)
            out["leaks"] = [c if isinstance(c, str) else f"{type(c).__name__}: {c}" for cs in checks
                            for c in (cs if isinstance(cs, list) else [cs])]
            out["rss"][f"{N} sessions after a rerun each"] = tree_rss_mib(server_pid)
        for ctx, _ in pages.values():
            await ctx.close()
        await browser.close()
    await asyncio.sleep(3)
    out["rss"]["all contexts closed (+3 s)"] = tree_rss_mib(server_pid)
    return out


def _write(out) -> None:
    rss = out["rss"]
    warm = rss["after one warm-up session"]
    key = f"{N} sessions after a rerun each" if f"{N} sessions after a rerun each" in rss else f"{N} sessions open"
    per = (rss[key] - warm) / N
    load = os.getloadavg()
    lines = [
        "# Concurrency: 20 simultaneous browser sessions", "",
        f"Measured {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} UTC by `tests/test_concurrency.py` on "
        f"{platform.node()} ({os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}); "
        f"load average at the end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (the machine is shared: "
        "timings are noisy).", "",
        f"One `streamlit run` server; {N} Playwright contexts (Debian chromium, headless), opened {BATCH} at a time "
        f"and then all {N} open together, each on "
        "the Simulator with its own share link (+x % R&D capital in a different province); sessions "
        f"{', '.join(map(str, sorted(UPLOADERS)))} first upload their own modified province panel on the Data page "
        "(a new dataset: a new baseline fit). Then each session is rerun while all others are open, and must "
        "show only its own province in the summary, its own slider value and its own dataset label.", "",
        f"- Leaks found: {len(out.get('leaks', []))}; session errors: {len(out['errors'])}",
        f"- Warm-up session (first Simulator render in the fresh process): {out['warmup_s']:.1f} s",
        f"- All {N} sessions opened ({BATCH} at a time; all {N} then stay open together) and rendered: "
        f"{out['open_s']:.1f} s wall; per session median {pd.Series(out['session_s']).median():.1f} s, "
        f"max {pd.Series(out['session_s']).max():.1f} s (from new context to its results shown, "
        "upload included)",
        f"- Server CPU time for those {N} sessions: {out['server_cpu_s']:.1f} s "
        f"({out['server_cpu_s'] / N:.2f} s per session); the rest of the wall time is headless chromium "
        "(software rendering of the charts of 20 pages) and the other jobs on the machine", "",
        "| server state | RSS of the server process tree (MiB) |", "|---|---:|",
        *[f"| {k} | {v:.0f} |" for k, v in rss.items()], "",
        f"Growth per session: ({rss[key]:.0f} - {warm:.0f}) / {N} = **{per:.1f} MiB** per open session "
        f"(including the {len(UPLOADERS)} uploads' own datasets and baseline fits, which are cached per dataset).",
        "",
    ]
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "concurrency.md").write_text("\n".join(lines))


def test_twenty_sessions_do_not_leak_state():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but chromium is not installed at {CHROMIUM}")
        pytest.skip("chromium not installed")
    proc, base = _start_server()
    box = {}
    try:
        # a thread of its own: the async API must not share a thread with the sync `browser` fixture
        t = threading.Thread(target=lambda: box.update(out=asyncio.run(_run(base, proc.pid))), daemon=True)
        t.start()
        t.join(timeout=600)
        assert not t.is_alive(), "the concurrent sessions did not finish within 10 minutes"
    finally:
        _stop_server(proc)
    out = box["out"]
    assert out["errors"] == [], out["errors"]
    _write(out)
    assert out["leaks"] == [], out["leaks"]
