"""Real-browser smoke test: Debian's chromium driven by Playwright against a live server."""
import pytest

from conftest import wait_for_script

pytestmark = pytest.mark.browser


def test_landing_and_data_page_render_without_exception(app_server, browser):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    page = ctx.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(app_server) and not r.url.startswith(("data:", "blob:")) else None)
    page.goto(app_server)
    wait_for_script(page)
    assert page.get_by_text("Regional innovation policy simulator").first.is_visible()
    assert page.get_by_text("Synthetic demo data").first.is_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    page.goto(app_server + "/data")
    wait_for_script(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Province panel (Study A)").first.is_visible()
    assert outside == [], f"the app requested outside addresses: {outside[:5]}"
    ctx.close()
