"""Browser latency of the Simulator: move a control, time until the results on screen are updated
(issue 7 goal: <= 250 ms median).

    python bench/browser_latency.py [--repeats 15] [--url http://127.0.0.1:8501] [--no-write]

Without ``--url`` a fresh ``streamlit run`` server is started (and stopped). Headless Debian chromium
(Playwright) opens the Simulator and waits for the first render (the baseline fit is then cached,
as for any user after the first). Each repeat focuses the "Change, % of baseline" slider, presses
ArrowRight or ArrowLeft once (+-5 %, alternating between 5 % and 10 % so every step changes the
scenario; the first step leaves the no-change baseline) and measures, from the key press, the time
until (a) the page's script state is back to ``notRunning`` and (b) the "What changed" summary text
differs from before the press. Both conditions are checked in the page every 16 ms.
The first step (which also fills caches for the new scenario sides) is reported but not in the
median. Results: ``bench/results/browser_latency.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procstats import cpu_seconds, tree_cpu_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

SUMMARY_JS = """() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"] li')]
    .map(li => li.innerText).filter(t => t.includes('coupling coordination D in') || t.includes('No changes'))
    .join('\\n')"""
DONE_JS = """(before) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const now = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] li')]
        .map(li => li.innerText).filter(t => t.includes('coupling coordination D in') || t.includes('No changes'))
        .join('\\n');
    if (now !== '' && now !== before) { window.__lat.done = performance.now(); return true; }
    return false;
}"""
ARM_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__lat = {t0: performance.now(), running: null, idle: null, done: null};
    if (window.__obs) window.__obs.disconnect();
    window.__obs = new MutationObserver(() => {
        const s = app.getAttribute('data-test-script-state'), t = performance.now();
        if (s === 'running' && window.__lat.running === null) window.__lat.running = t;
        if (s === 'notRunning' && window.__lat.running !== null) window.__lat.idle = t;
    });
    window.__obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 120:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read().strip() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, 15)
    raise RuntimeError("the server did not start")


def wait_rendered(page, timeout_s: float = 180) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                           timeout=timeout_s * 1000)
    t0, seen = time.time(), 0
    while time.time() - t0 < timeout_s:
        state = page.get_attribute("[data-testid='stApp']", "data-test-script-state")
        seen = seen + 1 if state == "notRunning" else 0
        if seen >= 3:
            return
        time.sleep(0.1)
    raise TimeoutError("the script did not finish")


def measure(base: str, repeats: int, server_pid: int | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        t0 = time.perf_counter()
        page.goto(f"{base}/simulator")
        wait_rendered(page)
        page.get_by_text("What changed").first.wait_for(timeout=180_000)
        first_render = time.perf_counter() - t0
        slider = page.get_by_role("slider", name="Change, % of baseline")
        thumb = page.locator("[data-testid='stSlider']", has_text="Change, % of baseline").locator(
            "[data-testid='stSliderThumbValue']").first
        times, first, parts, cpu, bcpu = [], None, [], [], []
        for i in range(repeats + 1):
            before = page.evaluate(SUMMARY_JS)
            slider.focus()
            shown = thumb.inner_text().strip()
            key = "ArrowLeft" if shown == "10" else "ArrowRight"  # 0 -> 5 -> 10 -> 5 -> 10 ...
            page.evaluate(ARM_JS)
            c1, b1 = cpu_seconds(server_pid), tree_cpu_seconds(os.getpid(), server_pid)
            t1 = time.perf_counter()
            page.keyboard.press(key)
            page.wait_for_function(DONE_JS, arg=before, polling=16, timeout=120_000)
            dt_ms = (time.perf_counter() - t1) * 1000
            cpu.append((cpu_seconds(server_pid) - c1) * 1000)
            bcpu.append((tree_cpu_seconds(os.getpid(), server_pid) - b1) * 1000)
            lat = page.evaluate("() => window.__lat")
            if lat["running"] is not None and lat["idle"] is not None:
                parts.append((lat["running"] - lat["t0"], lat["idle"] - lat["running"], lat["done"] - lat["idle"]))
            if page.locator("[data-testid='stException']").count():
                raise RuntimeError("an exception is shown")
            if i == 0:
                first = dt_ms
            else:
                times.append(dt_ms)
            page.wait_for_timeout(300)  # let the charts settle before the next move
        browser.close()
    return {"first_render_s": first_render, "first_step_ms": first, "times_ms": times, "parts_ms": parts[1:],
            "server_cpu_ms": cpu[1:], "browser_cpu_ms": bcpu[1:]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--url", default=None)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "browser_latency.md"))
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    load_before = os.getloadavg()
    proc = None
    base = a.url
    if base is None:
        proc, base = start_server()
    try:
        r = measure(base, a.repeats, proc.pid if proc is not None else None)
    finally:
        if proc is not None:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
    load_after = os.getloadavg()
    t = r["times_ms"]
    med = statistics.median(t)
    bd = [statistics.median(x[k] for x in r["parts_ms"]) if r["parts_ms"] else float("nan") for k in range(3)]
    q = statistics.quantiles(t, n=10) if len(t) >= 2 else [t[0]] * 9
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    text = "\n".join([
        "# Browser latency: Simulator control -> updated results", "",
        f"Measured {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC by `python bench/browser_latency.py` "
        f"on {platform.node()} ({os.cpu_count()} cores, {cpu}; Python {platform.python_version()}), headless Debian "
        f"chromium. Load average before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, after "
        f"{load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} (shared machine: noisy).", "",
        "One keyboard step of the \"Change, % of baseline\" slider (+-5 %, West provinces, 10,000 simulated futures), "
        "timed from the key press until the script state is back to notRunning AND the \"What changed\" summary "
        "text has changed (checked in the page every 16 ms).", "",
        f"- First Simulator render in the fresh server (baseline fit included): {r['first_render_s']:.1f} s",
        f"- First step (leaves the baseline; not in the median): {r['first_step_ms']:.0f} ms",
        f"- Next {len(t)} steps: **median {med:.0f} ms** (goal <= 250 ms: {'met' if med <= 250 else 'NOT met'}); "
        f"p10 {q[0]:.0f} ms, p90 {q[-1]:.0f} ms, min {min(t):.0f} ms, max {max(t):.0f} ms", "",
        "Where the time goes (medians over the same steps, from the page's own clock): key press -> script "
        f"state 'running' (the slider's debounce and the websocket round trip) {bd[0]:.0f} ms; 'running' -> "
        f"'notRunning' (the server reruns the Simulator fragment and streams the new elements) {bd[1]:.0f} ms; "
        f"then -> summary text changed {bd[2]:.0f} ms. Server CPU time per step (user+system of the streamlit "
        f"process): median {statistics.median(r['server_cpu_ms']) if r['server_cpu_ms'] else float('nan'):.0f} ms; "
        f"browser CPU time per step (chromium processes): median {statistics.median(r['browser_cpu_ms']):.0f} ms "
        "(2 cores). The rest of the 'running' phase is the browser (headless chromium without GPU re-renders the "
        "summary and the Vega charts of the view in front, the default \"Class shares\" view, in software while the "
        "deltas arrive), the websocket, and other jobs on the machine.", "",
        "All steps (ms): " + ", ".join(f"{x:.0f}" for x in t), "",
    ])
    print(text)
    if not a.no_write:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text)


if __name__ == "__main__":
    main()
