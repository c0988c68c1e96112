"""Cold start of the app in a real browser (issue 7 goals: first page <= 4 s after a fresh process,
server RSS <= 500 MiB after the first render, no page blocked on a numba compile).

    python bench/cold_start.py [--out bench/results/cold_start.md] [--no-write]

Headless Debian chromium (Playwright) is launched first, so its own start-up is not counted. Then a
fresh ``streamlit run streamlit_app.py`` process is started; the clock starts just before the process
is spawned. Measured:

* time to a healthy server (``/_stcore/health`` answers ``ok``);
* time to the first page rendered: the Home page loaded in the browser, the websocket connected and
  the script run finished (``data-test-script-state="notRunning"``, no running spinner);
* then, in the same process, each other page opened by its URL in a new browser tab (a new session,
  as a visitor following a link), timed from ``goto`` to the script finished: the first render of
  each page, with whatever that page computes on first use;
* the server's resident memory (VmRSS of the process tree) after the first render and after all
  pages; whether ``numba`` is loaded in the server after each page (``/proc/<pid>/maps``): a page
  that loads numba may have paid a JIT compile.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procstats import tree_rss_mib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = [("data", "Data"), ("coupling", "Coupling"), ("spatial", "Spatial patterns"),
         ("dynamics", "Dynamics"), ("clusters", "AI clusters"), ("simulator", "Simulator")]


def numba_loaded(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "/numba/" in f.read()
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_rendered(page, timeout_s: float = 180) -> None:
    """Connected, and the script run finished (state notRunning, seen twice 0.1 s apart)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                           timeout=timeout_s * 1000)
    t0, seen = time.time(), 0
    while time.time() - t0 < timeout_s:
        state = page.get_attribute("[data-testid='stApp']", "data-test-script-state")
        seen = seen + 1 if state == "notRunning" else 0
        if seen >= 2 and page.locator("[data-testid='stMain']").count():
            return
        time.sleep(0.05)
    raise TimeoutError("the script did not finish")


def errors_on(page) -> int:
    return page.locator("[data-testid='stException']").count() + page.get_by_text("Unexpected error").count()


def start_server(port: int, stdout=subprocess.DEVNULL) -> subprocess.Popen:
    """``streamlit run streamlit_app.py`` on 127.0.0.1:``port``, in a session of its own (kill with killpg)."""
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                             "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(proc: subprocess.Popen, base: str, timeout_s: float = 120) -> None:
    """Poll the server's health endpoint until it answers "ok"."""
    t0 = time.perf_counter()
    while True:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read().strip() == b"ok":
                return
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > timeout_s:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)


def measure() -> dict:
    from playwright.sync_api import sync_playwright

    out = {"pages": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1300, "height": 900})
        page = ctx.new_page()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open("/tmp/cold_start_server.log", "w")
        t0 = time.perf_counter()
        proc = start_server(port, log)
        try:
            wait_healthy(proc, base)
            out["healthy_s"] = time.perf_counter() - t0
            page.goto(base)
            out["html_loaded_s"] = time.perf_counter() - t0
            page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=180_000)
            out["connected_s"] = time.perf_counter() - t0
            wait_rendered(page)
            out["first_page_s"] = time.perf_counter() - t0
            out["first_page_errors"] = errors_on(page)
            out["rss_first_mib"] = tree_rss_mib(proc.pid)
            out["numba_after_first"] = numba_loaded(proc.pid)
            for path, title in PAGES:
                tab = ctx.new_page()
                t1 = time.perf_counter()
                tab.goto(f"{base}/{path}")
                wait_rendered(tab)
                out["pages"].append({"page": title, "first_render_s": time.perf_counter() - t1,
                                     "errors": errors_on(tab), "numba_loaded": numba_loaded(proc.pid),
                                     "rss_mib": tree_rss_mib(proc.pid)})
                tab.close()
            out["rss_all_mib"] = tree_rss_mib(proc.pid)
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
            browser.close()
    return out


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) // 1024 for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem / 1024:.0f} GiB RAM, Python {platform.python_version()}"


def report(runs: list[dict], load_before, load_after) -> str:
    import statistics as st

    first = [r["first_page_s"] for r in runs]
    rss = [r["rss_first_mib"] for r in runs]
    lines = [
        "# Cold start", "",
        f"Measured {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC by `python bench/cold_start.py` "
        f"on {machine()}.", f"Load average before: {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}; "
        f"after: {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} (a shared machine: several other "
        "jobs were running; timings are noisy).", "",
        "Clock starts just before `streamlit run` is spawned (chromium already running). \"First page\" = the Home "
        "page loaded in headless chromium, websocket connected and the script run finished. Each other page is then "
        "opened by URL in a new tab (new session) of the same process.", "",
        f"Goals: first page <= 4 s; server RSS after the first render <= 500 MiB; no page blocked on a numba compile.",
        "",
        "| run | server healthy (s) | page loaded (s) | websocket connected (s) | first page rendered (s) | "
        "RSS after first render (MiB) | RSS after all pages (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {i + 1} | {r['healthy_s']:.2f} | {r['html_loaded_s']:.2f} | {r['connected_s']:.2f} | "
          f"{r['first_page_s']:.2f} | {r['rss_first_mib']:.0f} | "
          f"{r['rss_all_mib']:.0f} |" for i, r in enumerate(runs)],
        "",
        f"Median first page: **{st.median(first):.2f} s** (best {min(first):.2f} s) (goal <= 4 s: {'met' if st.median(first) <= 4 else 'NOT met'}); "
        f"RSS after first render: **{st.median(rss):.0f} MiB** (goal <= 500: {'met' if max(rss) <= 500 else 'NOT met'}).",
        "", "First render of each page (opened after the Home page, in the same fresh process):", "",
        "| page | " + " | ".join(f"run {i + 1} (s)" for i in range(len(runs))) + " | numba loaded after it | errors shown |",
        "|---|" + "---:|" * len(runs) + "---|---:|",
    ]
    for k, (_, title) in enumerate(PAGES):
        cells = [f"{r['pages'][k]['first_render_s']:.2f}" for r in runs]
        numba = "yes" if any(r["pages"][k]["numba_loaded"] for r in runs) else "no"
        errs = sum(r["pages"][k]["errors"] for r in runs)
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {numba} | {errs} |")
    loaded = any(r["numba_after_first"] or any(pg["numba_loaded"] for pg in r["pages"]) for r in runs)
    lines += ["", "numba: " + ("loaded by the server during the visit (see the table: the page after which it "
                               "appears paid its import, and any JIT compile)." if loaded else
                               "never loaded by the server on any page (no page can block on a numba compile)."), ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "cold_start.md"))
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    load_before = os.getloadavg()
    runs = []
    for i in range(a.runs):
        r = measure()
        runs.append(r)
        print(f"run {i + 1}: healthy {r['healthy_s']:.2f} s, first page {r['first_page_s']:.2f} s, "
              f"RSS {r['rss_first_mib']:.0f} MiB -> {r['rss_all_mib']:.0f} MiB after all pages; "
              + ", ".join(f"{pg['page']} {pg['first_render_s']:.2f} s" for pg in r["pages"]), flush=True)
    text = report(runs, load_before, os.getloadavg())
    print(text)
    if not a.no_write:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text)


if __name__ == "__main__":
    main()
