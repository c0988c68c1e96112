"""What users download, in Chinese: the briefing (HTML), the Excel / zipped CSV of all simulation results,
and the CSV buttons of Coupling, Spatial patterns and Dynamics; English downloads are unchanged."""
import datetime as dt
import html
import importlib.util
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import simulate as S
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario
from ui.briefing import briefing_html, changes_in_words, export_files, export_tables
from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u4e00-\u9fff]")
BOM = b"\xef\xbb\xbf"
LINK = "https://example.org/?s=abc&lang=zh"
PROVENANCE_EN = ["Province panel (Study A): SYNTHETIC demo (330 rows)"]


def _english_left():
    spec = importlib.util.spec_from_file_location("english_left", ROOT / "locale" / "english_left.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _provenance_zh():
    from ui.i18n import translations

    g = translations("zh").gettext
    return [g("{label}: SYNTHETIC demo ({rows} rows)").format(label=g("Province panel (Study A)"), rows="330")]


@pytest.fixture(scope="module")
def result(demo_base):
    sc = Scenario(name="", horizon=5, n_paths=2000,
                  indicator_changes=(IndicatorChange("system:inno", ("West",), 2023, "pct", 60.0),
                                     IndicatorChange("rd_exp", ("Gansu",), 2023, "set", 300.0, 5.0)),
                  policy_changes=(PolicyChange(("Guilin",), 2021, 20.0),),
                  link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 100.0), LinkEdit("Xi'an", "Chengdu", "scale", 2.0)))
    return S.simulate(demo_base, sc)


def _visible_text(doc: str) -> str:
    """The words a reader sees (tags and the stylesheet removed)."""
    return html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", doc, flags=re.S))


def _numbers(text: str) -> set:
    return set(re.findall(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?", text))


# ------------------------------------------------------------------------------------------ briefing
def test_briefing_in_chinese_has_no_english_and_the_same_numbers(result):
    en = briefing_html(result, PROVENANCE_EN, LINK, today=dt.date(2026, 11, 30))
    zh = briefing_html(result, _provenance_zh(), LINK, today=dt.date(2026, 11, 30), lang="zh")
    assert zh.startswith("<!doctype html><html lang='zh'><head><meta charset='utf-8'>")
    for font in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"):
        assert font in zh  # a CJK font on every platform before the generic fallback
    # the synthetic label as prominent as in English: the first thing in the warning box, in bold
    assert "<p class='warn'><b>合成演示数据——非官方统计。</b>" in zh
    assert "<p class='warn'><b>Synthetic demo data.</b>" in en
    text = _visible_text(zh).replace(LINK, "")
    left = _english_left()
    assert left.english(left.CITATION.sub("", text)) == []
    assert len(HAN.findall(text)) > 1000
    # the same figures: every number of the English briefing is in the Chinese one, and no other
    assert _numbers(_visible_text(en)) == _numbers(text)
    # the chart: the same lines, the legend in Chinese (inherits the page's CJK font)
    assert zh.count("<polyline") == 2 and ">基准情景</text>" in zh and ">政策情景</text>" in zh
    assert "<script" not in zh and not re.search(r"\bsrc=", zh) and "<link" not in zh  # still self-contained
    for name in ("甘肃", "桂林", "深圳", "西安", "成都"):
        assert name in text
    assert "Gansu" not in text and "Guilin" not in text


def test_english_briefing_is_unchanged_by_the_language_option(result):
    a = briefing_html(result, PROVENANCE_EN, LINK, today=dt.date(2026, 11, 30))
    b = briefing_html(result, PROVENANCE_EN, LINK, today=dt.date(2026, 11, 30), lang="en")
    assert a == b and "<html lang='en'>" in a and "Noto Sans CJK SC" not in a


def test_changes_in_words_in_chinese(result):
    zh = changes_in_words(result.scenario, "zh")
    assert zh[0] == "西部的全部创新资源配置指标：自 2023 年起 +60 %。"
    assert zh[1].startswith("甘肃的") and zh[1].endswith("：自 2023 年起 设为 300，此后每年 +5 %。")
    assert zh[2] == "桂林的人工智能激励政策：自 2021 年起每年 +20 项。"
    assert zh[-1] == "西安-成都 合作：合作强度乘以 2。"
    assert changes_in_words(Scenario(), "zh") == ["无变化：即基准情景。"]
    assert changes_in_words(Scenario(indicator_changes=(IndicatorChange("system:nqpf", ("all",), 2023, "pct", 5.0),)),
                            "zh") == ["全部省份的全部新质生产力指标：自 2023 年起 +5 %。"]


# ------------------------------------------------------------------------------------------ Excel, zip
def test_excel_in_chinese_sheet_names_headers_and_about(result):
    import openpyxl

    from sim.templates import to_excel_bytes

    tabs = export_tables(result, _provenance_zh(), LINK, lang="zh")
    wb = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(tabs)))
    assert wb.sheetnames == list(tabs)  # no name needed changing to be valid
    assert len(wb.sheetnames) == len(set(wb.sheetnames)) == len(export_tables(result, PROVENANCE_EN, LINK))
    for name in wb.sheetnames:
        assert HAN.search(name) and len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
        header = [c.value for c in next(wb[name].iter_rows(max_row=1))]
        assert all(HAN.search(str(h)) for h in header), (name, header)
    about = dict(zip(tabs["关于"]["项目"], tabs["关于"]["数值"]))
    assert about["数据"] == "合成演示数据——非官方统计" and about["分享链接"] == LINK
    assert about["列：D 基准（中位数）"].startswith("耦合协调度 D")
    d = tabs["耦合协调度 D"]
    assert "甘肃" in set(d["省份"]) and set(d["协调等级，政策情景"]) <= {"低", "中", "高", "极度"}
    # numbers as in English
    en = export_tables(result, PROVENANCE_EN, LINK)
    assert (d["D 情景（中位数）"].to_numpy() == en["coupling_D"]["D_scenario"].to_numpy()).all()
    scen = tabs["情景"]
    assert Scenario.from_json(scen.loc[scen["项目"] == "情景（JSON）", "数值"].iloc[0]) == result.scenario
    assert all(HAN.search(s) for s in tabs["摘要"]["陈述"])


def test_files_keep_ascii_names_and_english_tables_are_unchanged(result):
    zh = export_files(result, _provenance_zh(), LINK, lang="zh")
    en = export_files(result, PROVENANCE_EN, LINK)
    assert list(zh) == list(en) == list(export_tables(result, PROVENANCE_EN, LINK))
    assert all(k.isascii() for k in zh)
    assert list(en["coupling_D"].columns) == list(result.d_table().columns)  # ids, for scripts
    assert en["about"].columns.tolist() == ["item", "value"]


# ------------------------------------------------------------------------------------------ CSV buttons
@pytest.fixture
def csv_frames(monkeypatch):
    """What each CSV button of a page run would write (the frame after localisation), by file name."""
    import ui.downloads as dl

    seen = {}
    original = dl.csv_button

    def spy(df, file_name, label="Download CSV", key=None, index=False, headers=None, values=None):
        seen[file_name] = dl.localised(df, headers, values)  # in the script run, as the button does
        original(df, file_name, label, key, index, headers, values)

    monkeypatch.setattr(dl, "csv_button", spy)
    return seen


def _page(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=240)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"pages/{page}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if UNEXPECTED in e.value]
    return at


@pytest.mark.parametrize("page, files", [
    ("coupling.py", {"coupling_results_traditional.csv", "coordination_type_shares_traditional.csv",
                     "entropy_weights.csv"}),
    ("spatial.py", {"global_moran_by_year.csv", "moran_quadrant_counts.csv", "lisa_significant_counts.csv",
                    "local_moran_panel.csv", "dagum_mean_shares.csv", "dagum_by_year.csv"}),
    ("dynamics.py", {"kernel_densities.csv", "coupling_fault_flags.csv", "markov_fixed.csv",
                     "spatial_markov_fixed_contiguity.csv", "paper_Qb_reported_vs_recomputed.csv",
                     "steady_states.csv", "mean_first_passage_times.csv"}),
])
def test_csv_downloads_in_chinese_have_chinese_headers_and_a_bom(csv_frames, page, files):
    from sim.templates import to_csv_bytes

    _page(page, "zh")
    assert files <= set(csv_frames), set(csv_frames)
    for name, frame in csv_frames.items():
        raw = to_csv_bytes(frame)
        assert raw.startswith(BOM), name  # Excel on a Chinese Windows reads UTF-8
        header = raw[len(BOM):].decode("utf-8").splitlines()[0]
        assert HAN.search(header), (name, header)
        assert not re.search(r"\b(province|year|region)\b", header), (name, header)
    if page == "spatial.py":
        assert "北京" in set(csv_frames["local_moran_panel.csv"]["省份"])
    if page == "coupling.py":
        t = csv_frames["coupling_results_traditional.csv"]
        assert {"省份", "年份", "地区"} <= set(t.columns) and "东部" in set(t["地区"])
    csv_frames.clear()
    _page(page, "en")  # English: the ids as headers, the frame as it is
    assert files <= set(csv_frames)
    for name, frame in csv_frames.items():
        assert not any(HAN.search(str(c)) for c in frame.columns), (name, list(frame.columns))


def test_english_csv_is_the_frame_itself():
    import pandas as pd

    from ui.downloads import localised

    df = pd.DataFrame({"province": ["Gansu"], "year": [2022]})
    assert localised(df, {"province": "Province"}, {"province": str.upper}) is df  # outside a session: English


def test_mlp_training_progress_in_both_languages():
    from ui.coupling import training_step
    from ui.i18n import translations

    zh = translations("zh").gettext
    assert training_step("crosspred, seed 3: epoch 50/500", zh) == "随机种子 3，第 50/500 轮"
    assert training_step("done", zh) == "完成"
    assert training_step("crosspred, seed 3: epoch 50/500", str) == "seed 3, epoch 50 of 500"
    assert zh("Training {label}: {message}") != "Training {label}: {message}"
    assert zh("Training {label} (5 seeds, once per dataset)...").startswith("正在训练")


# ------------------------------------------------------------------------------------------ the Share view
def test_share_view_files_are_written_in_the_session_language(download_buttons):
    """The Share view's files are built when clicked, in another thread than the script run (Streamlit's
    deferred downloads): they are built here after the run, outside the session, and still in Chinese."""
    import zipfile

    import openpyxl

    from ui.simulator import PRESETS

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=240)
    for k, v in {**PRESETS["Western digital infrastructure push"].to_query_params(), "lang": "zh"}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/simulator.py")
    at.run()
    at.segmented_control(key="sim_view").set_value("Share").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("下载文件（CSV、Excel、简报）为英文" in c.value for c in at.caption)  # the old notice is gone
    built = {k: (v() if callable(v) else v) for k, v in download_buttons.items()}
    doc = built["briefing.html"].decode("utf-8")
    assert "<html lang='zh'>" in doc and "合成演示数据——非官方统计" in doc and "变化了什么" in doc
    wb = openpyxl.load_workbook(io.BytesIO(built["simulation_results.xlsx"]))
    assert "耦合协调度 D" in wb.sheetnames and "关于" in wb.sheetnames
    with zipfile.ZipFile(io.BytesIO(built["simulation_results.zip"])) as z:
        assert "coupling_D.csv" in z.namelist()  # ASCII file names
        raw = z.read("coupling_D.csv")
        assert raw.startswith(BOM) and raw[len(BOM):].decode("utf-8").startswith("省份,年份,")
    assert "scenario.json" in built
