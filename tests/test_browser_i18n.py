"""Every page (Home, Data, the Study A pages, AI clusters with each section, the Simulator with each
view) in Chinese in a real browser (chromium): no English word outside the allow-list of acronyms, method
abbreviations, units and codes (locale/english_left.py), and a CJK font is installed so the text is drawn,
not boxes. Screenshots land in ``screenshots/i18n_*.png`` (git-ignored) for a human
look."""
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import wait_for_script

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
_spec = importlib.util.spec_from_file_location("english_left", ROOT / "locale" / "english_left.py")
english_left = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(english_left)
# view -> (its button, a text the view shows once drawn)
VIEWS = {"Class shares": ("等级占比", "协调等级"), "Provinces": ("省份", "耦合断层预警"),
         "Map": ("地图", "条路径的中位数"), "AI clusters": ("人工智能集群", "政策的长期乘数"),
         "Compare": ("比较", "保存以便比较"), "Share": ("分享", "全部结果（Excel）")}


def _english_in(page, file: str | None = None) -> list[str]:
    text = page.locator("[data-testid='stMain']").inner_text() + "\n" + \
        page.locator("[data-testid='stSidebar']").inner_text()
    for code in page.locator("[data-testid='stCode']").all_inner_texts():  # the share link (an address)
        text = text.replace(code, "")
    # Streamlit's own words inside its file uploader ("Drag and drop file here", "Limit 50 MB per file",
    # "Upload"): Streamlit has no translation of them
    for zone in page.locator("[data-testid='stFileUploaderDropzone']").all_inner_texts():
        text = text.replace(zone, "")
    # Material icons are drawn from ligature names ("science", "home"): not words a reader sees
    icons = set(page.locator("[data-testid='stIconMaterial'], [data-testid='stAlertDynamicIcon']").all_inner_texts())
    return [w for w in english_left.english(text, file) if w not in icons]


def test_a_cjk_font_is_installed():
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig not installed")
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert out.strip(), "no CJK font: apt-get install fonts-noto-cjk"


def test_home_and_simulator_in_chinese_show_no_english(app_server, browser):
    from ui.simulator import PRESETS

    OUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)
    page.goto(f"{app_server}/?lang=zh")
    page.get_by_text("区域创新政策模拟器").first.wait_for()
    wait_for_script(page)
    page.screenshot(path=str(OUT / "i18n_home_zh.png"))
    assert _english_in(page) == [], _english_in(page)

    s = PRESETS["Cross-regional AI consortia"].to_query_params()["s"]
    page.goto(f"{app_server}/simulator?s={s}&lang=zh")
    page.get_by_text("变化了什么").first.wait_for()
    wait_for_script(page)
    for view, (label, shows) in VIEWS.items():
        page.locator("[data-testid='stButtonGroup']").get_by_text(label, exact=True).click()
        page.get_by_text(shows).first.wait_for()
        wait_for_script(page)
        page.wait_for_timeout(1500)  # the last elements of the view finish drawing
        page.screenshot(path=str(OUT / f"i18n_simulator_{view.replace(' ', '_').lower()}_zh.png"))
        assert _english_in(page) == [], (view, _english_in(page))
    page.close()


@pytest.mark.parametrize("locale, title", [("zh-CN", "区域创新政策模拟器"),
                                           ("en-US", "Regional innovation policy simulator")])
def test_without_a_lang_parameter_the_browsers_language_decides(app_server, browser, locale, title):
    ctx = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{app_server}/")
    page.get_by_role("heading", name=title).first.wait_for()
    wait_for_script(page)
    assert "lang=" not in page.url  # a default, not a choice: the address stays clean
    ctx.close()


# the Study A pages translated after Home and the Simulator: (path, a heading drawn last)
STUDY_A_PAGES = {"coupling": "技术细节", "spatial": "达格姆基尼系数（Dagum Gini）分解",
                 "dynamics": "协调等级间的转移（马尔可夫链）"}


@pytest.mark.parametrize("path", list(STUDY_A_PAGES))
def test_study_a_pages_in_chinese_show_no_english(app_server, browser, path):
    OUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)
    page.goto(f"{app_server}/{path}?lang=zh")
    page.get_by_text(STUDY_A_PAGES[path]).first.wait_for()
    wait_for_script(page)
    page.wait_for_timeout(1500)  # the charts finish drawing
    page.screenshot(path=str(OUT / f"i18n_{path}_zh.png"), full_page=True)
    assert _english_in(page) == [], (path, _english_in(page))
    page.close()


def test_data_page_in_chinese_shows_no_english(app_server, browser):
    """The Data page, each of its tabs in turn (loaded data, upload, templates, boundaries)."""
    OUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)
    page.goto(f"{app_server}/data?lang=zh")
    tabs = page.locator("[data-testid='stTab']")
    tabs.first.wait_for()
    wait_for_script(page)
    assert tabs.count() == 4, tabs.count()
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / f"i18n_data_tab{i + 1}_zh.png"), full_page=True)
        assert _english_in(page, "data.py") == [], (i, _english_in(page, "data.py"))
    page.close()


def test_ai_clusters_in_chinese_every_section_shows_no_english(app_server, browser):
    """The AI clusters page, then each of its sections opened in turn (every table, test and check of
    Wang et al. 2025 recomputed): no English word outside the allow-list."""
    OUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(180_000)
    page.goto(f"{app_server}/clusters?lang=zh")
    import re

    # the section buttons (the control's help icon is a button without text)
    sections = page.locator(".st-key-clusters_section [data-testid='stButtonGroup'] button").filter(
        has_text=re.compile(r"\S"))
    sections.first.wait_for()
    wait_for_script(page)
    page.wait_for_timeout(1500)  # the map and the charts finish drawing
    page.screenshot(path=str(OUT / "i18n_clusters_zh.png"), full_page=True)
    assert _english_in(page, "clusters.py") == [], _english_in(page, "clusters.py")
    n = sections.count()
    assert n == 9, (n, sections.all_inner_texts())
    for i in range(n):
        sections.nth(i).click()
        page.wait_for_timeout(300)
        wait_for_script(page, 180)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(OUT / f"i18n_clusters_section{i + 1}_zh.png"), full_page=True)
        assert _english_in(page, "clusters.py") == [], (i, _english_in(page, "clusters.py"))
    page.close()
