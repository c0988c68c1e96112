"""Real browser (headless chromium): a user's own data uploaded on the Data page, then every Study A
page and the Simulator, with a screenshot of each (``screenshots/own_data/``, looked at by hand).

1. an indicator sheet (12 + 9 indicators, Chinese names, one negative) and a province panel with
   Chinese yearbook headers;
2. 290 cities with coordinates (纬度/经度) and a group column, no boundaries, no GDP per capita.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.own_panels import own_panel, own_system
from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots" / "own_data"
PAGES = (("coupling", "Coupling"), ("spatial", "Spatial patterns"), ("dynamics", "Dynamics"),
         ("simulator", "Simulator"))


def _csv(df) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")


def _healthy(page):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(UNEXPECTED).count() == 0


LABELS = {0: "Province panel (Study A) file", 1: "Indicator sheet", 2: "Units sheet"}


def _upload(page, index, name, raw, expect):
    from conftest import wait_for_script

    for attempt in (1, 2):  # a rerun of the page can swallow an upload event on a loaded machine
        page.locator("[data-testid='stFileUploader']").filter(has_text=LABELS[index]).locator(
            "input[type=file]").set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": raw})
        page.wait_for_timeout(500)
        wait_for_script(page, 180)
        try:
            page.get_by_text(expect).first.wait_for(timeout=90_000)
            return
        except Exception:
            if attempt == 2:
                raise
            page.get_by_role("tab", name="Upload your own").click()


def _walk(page, base, tag):
    from conftest import wait_for_script

    SHOTS.mkdir(parents=True, exist_ok=True)
    for path, title in PAGES:  # through the navigation: a new URL would start a new session
        page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").first.click()
        page.wait_for_timeout(800)
        wait_for_script(page, 240)
        page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
        page.wait_for_timeout(1500)
        _healthy(page)
        page.screenshot(path=str(SHOTS / f"{tag}_{path}.png"), full_page=True)
    # the Simulator's map of the loaded units (points when they have no boundaries)
    page.locator("[data-testid='stButtonGroup'] button").filter(has_text=re.compile(r'^Map$')).first.click()
    page.wait_for_timeout(800)
    wait_for_script(page, 240)
    page.wait_for_timeout(1500)
    _healthy(page)
    page.screenshot(path=str(SHOTS / f"{tag}_simulator_map.png"), full_page=True)


def _upload_tab(browser, server):
    """A tall page on the Data page's "Upload your own" tab of ``server``."""
    from conftest import wait_for_script

    ctx = browser.new_context(viewport={"width": 1400, "height": 4200})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.goto(server + "/data")
    wait_for_script(page)
    page.get_by_role("tab", name="Upload your own").click()
    return page


@pytest.mark.browser
def test_own_indicator_system_uploaded_and_every_page_in_a_browser(fresh_server, browser):
    page = _upload_tab(browser, fresh_server)
    page.get_by_text("Your own indicator system, or units other").first.click()
    _upload(page, 1, "my_indicators.csv", _csv(own_system()), "Indicator sheet in use")
    _upload(page, 0, "provinces_zh.csv", _csv(own_panel(None, pgdp=True, group=False)), "Loaded provinces_zh.csv")
    _healthy(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "system_data.png"), full_page=True)
    _walk(page, fresh_server, "system")
    assert page.get_by_text("Province panel (Study A): provinces_zh.csv (300 rows)").first.is_visible()


@pytest.mark.browser
def test_290_cities_with_coordinates_uploaded_and_every_page_in_a_browser(fresh_server, browser):
    page = _upload_tab(browser, fresh_server)
    # no sheet first: the unknown columns get a proposed mapping, shown in full
    _upload(page, 0, "cities.csv", _csv(own_panel(290)), "The file was not loaded")
    _healthy(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "cities_data_mapping.png"), full_page=True)
    page.get_by_text("Your own indicator system, or units other").first.click()
    _upload(page, 1, "my_indicators.csv", _csv(own_system()), "Loaded cities.csv")
    _healthy(page)
    page.screenshot(path=str(SHOTS / "cities_data_loaded.png"), full_page=True)
    _walk(page, fresh_server, "cities")
    assert page.get_by_text("Province panel (Study A): cities.csv (2,900 rows)").first.is_visible()
