"""A workshop, played in a real browser at 1280 x 720 (issue 13): a share link, a preset, a lever, two
saved scenarios compared, a reset, and the briefing downloaded and read. A screenshot of each step
lands in ``screenshots/workshop_*.png`` (git-ignored) for a human look."""
import re
from pathlib import Path

import pytest

from conftest import wait_for_script

pytestmark = pytest.mark.browser
OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _shot(page, name):
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"workshop_{name}.png"))


def _summary(page) -> str:
    return page.locator("[data-testid='stMarkdownContainer'] li").all_inner_texts()


def _preset(page, name, shows):
    """Pick a preset and wait until the summary shows ``shows``."""
    page.locator("[data-testid='stSelectbox']").filter(has_text="Start from a preset").click()
    page.get_by_role("option", name=name).click()
    page.get_by_text(shows).first.wait_for(timeout=60_000)
    wait_for_script(page)


def _save(page, name):
    page.get_by_placeholder("e.g. Western push, +5 policies").fill(name)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save for comparison").click()
    wait_for_script(page)


def _view(page, name):
    page.locator("[data-testid='stButtonGroup']").get_by_text(name, exact=True).click()
    wait_for_script(page)


def test_a_workshop_at_1280_by_720(app_server, browser):
    from sim.scenario import IndicatorChange, Scenario

    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(90_000)  # a shared 2-core machine under load
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(app_server) and not r.url.startswith(("data:", "blob:")) else None)

    # 1. a colleague's share link
    shared = Scenario(name="Sichuan R&D", indicator_changes=(
        IndicatorChange("dim:Capital innovation resource", ("Sichuan",), 2023, "pct", 40.0),))
    page.goto(f"{app_server}/simulator?s={shared.to_query_params()['s']}")
    page.get_by_text("Sichuan: coupling coordination D in 2027").first.wait_for(timeout=180_000)
    wait_for_script(page)
    _shot(page, "1_share_link")

    # 2. a preset
    _preset(page, "Western digital infrastructure push", "67.1% with the scenario")
    _shot(page, "2_preset")

    # 3. a lever: +5 % more on the western change
    before = _summary(page)
    slider = page.get_by_role("slider", name="Change, % of baseline")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.wait_for_function("(b) => [...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"] li')]"
                           ".map(li => li.innerText).join('|') !== b", arg="|".join(before), timeout=60_000)
    wait_for_script(page)
    _shot(page, "3_lever")

    # 4. save it, then a second scenario, saved too
    _view(page, "Compare")
    _save(page, "West +35 %")
    _preset(page, "Gansu R&D spending +20 %", "Gansu: coupling coordination D in 2027")
    _save(page, "Gansu R&D")

    # 5. compare both: the table lists the current one and the two saved
    page.get_by_text("Save the current scenario as").first.scroll_into_view_if_needed()
    page.locator("[data-testid='stVegaLiteChart'] >> visible=true").first.wait_for()
    _shot(page, "4_compare")
    picker = page.locator("[data-testid='stSelectbox']").filter(has_text="Open a saved scenario")
    picker.scroll_into_view_if_needed()
    picker.click()
    page.get_by_role("option", name="Gansu R&D").wait_for(timeout=10_000)
    assert page.get_by_role("option").all_inner_texts() == ["West +35 %", "Gansu R&D"]
    page.keyboard.press("Escape")

    # 6. reset
    page.get_by_role("button", name="Reset", exact=True).click()  # "Help for Start from a preset" contains "reset"
    page.get_by_text("No changes: the scenario equals the baseline.").first.wait_for(timeout=60_000)
    wait_for_script(page)
    _shot(page, "5_reset")

    # 7. back to a scenario and take the briefing away
    _preset(page, "Western digital infrastructure push", "67.1% with the scenario")
    _view(page, "Share")
    with page.expect_download() as dl:
        page.get_by_role("button", name=re.compile("Briefing to take away")).click()
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Western digital infrastructure push" in html and "What changed" in html
    assert "Synthetic demo data." in html and "<svg" in html and "<script" not in html
    assert "67.1% with the scenario" in html
    _shot(page, "6_briefing")

    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Unexpected error").count() == 0
    assert outside == [], f"outside requests: {outside[:3]}"
    ctx.close()
