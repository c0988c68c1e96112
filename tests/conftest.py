"""Shared fixtures: the project root on sys.path, and a real Streamlit server for browser tests."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    """Make every AppTest run start on the st.navigation path, as a live server does after its first
    request.

    AppTest resets ``PagesManager.uses_pages_directory`` before each run, so a run would first execute
    the page directly (Streamlit's v1 multipage path) and ``ui.nav.ensure_navigation`` would then call
    ``st.rerun()``, doubling the work and consuming button clicks. The v1 path itself is covered by
    the browser test of a share link into a fresh server process.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server():
    port = _free_port()
    log = open(ROOT / ".pytest_cache" / "streamlit_server.log", "w") if (ROOT / ".pytest_cache").exists() \
        else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                             "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read().strip() == b"ok":
                break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("the Streamlit server did not become healthy within 90 s")
        time.sleep(0.3)
    return proc, base


def _stop_server(proc):
    os.killpg(proc.pid, 15)
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def app_server():
    """Start ``streamlit run streamlit_app.py`` on a free loopback port; yield its base URL."""
    proc, base = _start_server()
    yield base
    _stop_server(proc)


@pytest.fixture()
def fresh_server():
    """A server no browser has visited yet (for deep links into a fresh process)."""
    proc, base = _start_server()
    yield base
    _stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright. Skips only outside CI when chromium is absent."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but chromium is not installed at {CHROMIUM}")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_for_script(page, timeout_s: float = 90, quiet_s: float = 0.5) -> None:
    """Wait until Streamlit is connected and its script has stayed idle ("notRunning") for ``quiet_s``.

    Idle must last: the first visit of a fresh server process to a deep link runs twice (``ui.nav``
    switches the process to ``st.navigation`` and reruns), with ~30 ms of "notRunning" between the two
    runs; a check that accepted any idle moment could return in that gap, and a click made then landed
    in the second run's start (measured: running 0.93-1.43 s, idle 34 ms, running again until 4.57 s)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                           timeout=timeout_s * 1000)
    t0 = time.time()
    idle_since = None
    while time.time() - t0 < timeout_s:
        state = page.get_attribute("[data-testid='stApp']", "data-test-script-state")
        now = time.time()
        if state == "notRunning":
            idle_since = idle_since or now
            if now - idle_since >= quiet_s:
                return
        else:
            idle_since = None
        time.sleep(0.05)
    raise AssertionError("the Streamlit script did not finish in time")


@pytest.fixture(scope="session")
def demo_frames():
    """The shipped synthetic demo: province panel, city panel and city links."""
    from sim import data

    return data.read_demo(("provinces", "cities", "links"))


@pytest.fixture(scope="session")
def demo_base(demo_frames):
    """The simulator's baseline prepared on the demo with the default options (read-only)."""
    from sim import simulate

    return simulate.prepare(demo_frames, simulate.Options())


@pytest.fixture
def download_buttons(monkeypatch):
    """Every download button an AppTest run creates: file name -> its data (bytes, or the deferred callable)."""
    from streamlit.delta_generator import DeltaGenerator

    seen = {}
    original = DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        seen[file_name] = data
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    import streamlit as st

    main = st.download_button  # bound to the main area when streamlit was imported

    def spy_main(label, data, file_name=None, *args, **kwargs):
        seen[file_name] = data
        return main(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy_main)
    return seen
