"""The "AI clusters" page in Chinese (issue 15): headings, city names, every technical section without an
English word outside the allow-list of ``locale/english_left.py``, the same numbers in both languages, and
the sim texts the page shows in the catalogue (marked in sim/ itself, or copied in ui/ and still equal)."""
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import i18n

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "locale"))
from english_left import CLUSTER_SECTIONS, _texts  # noqa: E402
from english_left import english as _english  # noqa: E402


def english(text: str) -> list[str]:
    return _english(text, "clusters.py")  # with the page's own codes (log, lag, twostep robust)

TIMEOUT = 240
GMM = "Policy effect: system GMM (Table 4)"
PLACEBO = "Placebo test (Fig. 6)"


def _page(lang: str, section: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/clusters.py")
    at.run()
    if section is not None:
        at.button_group(key="clusters_section").set_value(section).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at) -> str:
    return "\n".join(_texts(at))


def _table4(at):
    tables = [t.value for t in at.table if "Sargan" in t.value.index]
    assert len(tables) == 1
    return tables[0]


def test_clusters_in_chinese_headings_findings_and_city_names():
    at = _page("zh")
    assert [t.value for t in at.title] == ["人工智能集群"]
    headers = [h.value for h in at.header]
    assert headers == ["人工智能集群在哪里？", "技术细节"], headers
    assert "结果说明" in [s.value for s in at.subheader]
    text = _text(at)
    assert "个城市中有" in text and "是人工智能集群" in text
    assert "北京" in text and "Beijing" not in text  # city names in Chinese in the findings
    assert not any("尚未翻译" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["人工智能集群（论文：29）"] == "29"
    # the section chooser shows Chinese names; its values stay English (tests and links use them)
    chooser = at.button_group(key="clusters_section")
    assert list(chooser.options)[3] == "政策效应：系统GMM（表 4）"
    en = _page("en")
    assert [h.value for h in en.header] == ["Where are the AI clusters?", "Technical detail"]
    assert "cities are AI clusters" in _text(en) and "Beijing" in _text(en)


@pytest.mark.parametrize("section", [None, *CLUSTER_SECTIONS])
def test_every_section_in_chinese_has_no_english_outside_the_allow_list(section):
    at = _page("zh", section)
    if section == PLACEBO:
        at.number_input(key="clusters_placebo_replications").set_value(100).run()
        at.button(key="clusters_placebo_run").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "真实 IP 系数" in {m.label for m in at.metric}
    left = [(" ".join(t.split())[:120], english(t)) for t in _texts(at) if english(t)]
    assert not left, left
    assert not at.error, [e.value for e in at.error]
    if section is not None:
        assert at.header[-1].value != section and any("\u4e00" <= ch <= "\u9fff" for ch in at.header[-1].value)


def test_table4_numbers_are_the_same_in_both_languages():
    zh, en = _table4(_page("zh", GMM)), _table4(_page("en", GMM))
    assert list(zh.columns) == [c.replace("Model", "模型").replace("this data", "本数据").replace("paper", "论文")
                                for c in en.columns]
    assert list(zh.index[:6]) == list(en.index[:6])  # coefficient rows: codes, the same in both
    for row in ("L.TI", "IP", "ED"):  # coefficients with stars, the same cells
        assert zh.loc[row].tolist() == en.loc[row].tolist(), row
    assert zh.loc["常数项"].tolist() == en.loc["const"].tolist()  # the constant term named in words
    assert zh.loc["观测值"].tolist() == en.loc["Observations"].tolist()
    assert zh.loc["组数"].iloc[0] == en.loc["Groups"].iloc[0] == "29"
    # the test cells: the same numbers, the words around them translated
    en_cell, zh_cell = en.loc["Sargan"].iloc[0], zh.loc["Sargan"].iloc[0]
    assert en_cell.startswith("χ²(") and en_cell.endswith(" instruments]")
    assert zh_cell == en_cell.replace(", p", "，p").replace(" instruments]", " 个工具变量]")
    assert en.loc["Instruments"].iloc[0].endswith(" > groups") and zh.loc["工具变量数"].iloc[0].endswith(" > 组数")
    assert en.loc["Instruments"].iloc[0].split()[0] == zh.loc["工具变量数"].iloc[0].split()[0]


def test_the_too_many_instruments_warning_in_chinese():
    at = _page("zh", GMM)
    warning = [w.value for w in at.warning if "工具变量过多" in w.value]
    assert len(warning) == 1 and "Sargan 检验 p = 1.000 是工具变量过多的典型症状（Roodman 2009）" in warning[0]
    assert "模型 1：" in warning[0] and "个工具变量 > 29 组" in warning[0]


def test_sim_texts_shown_on_the_page_are_in_the_catalogue():
    """sim/gmm.py, sim/robustness.py and sim/cluster_tables.py mark their own sentences (babel.cfg lists them):
    each is translated. ui/clusters.py keeps copies of the option and section names (the widgets' English
    values): each copy is the value itself."""
    from sim import cluster_tables as ct
    from sim import gmm, robustness
    from ui import clusters as uc

    zh = i18n.translations("zh").gettext
    sim_texts = [gmm.TOO_MANY_INSTRUMENTS, gmm.TOO_MANY_WARNING, gmm.DROPPED_WARNING, gmm.S1_WARNING,
                 gmm.S2_WARNING, gmm.INVSYM_NAME, gmm.AR_ONE_STEP_WARNING, *robustness.NC_LEVELS,
                 ct.THIS_DATA, ct.PAPER, ct.MODEL, ct.NOT_REPORTED, *ct.ROW_WORDS.values(), ct.SOURCE_OURS,
                 ct.SOURCE_PAPER, *(label for label, _c, _l in ct.INSTRUMENT_SETS)]
    for text in sim_texts:
        assert zh(text) != text, text
    assert gmm.TOO_MANY_WARNING.startswith(gmm.TOO_MANY_INSTRUMENTS)
    for options in (uc.NODES, uc.ARC_SCOPES, uc.GINV, uc.SCHEMES, uc.COLOUR_BY, [uc.ALL_YEARS]):
        for value in options:
            assert uc.OPTION_WORDS[value] == value and zh(value) != value, value
    for value in [v for v in uc.LAG_LIMITS if v not in uc.OPTION_WORDS]:
        assert value.startswith("lag(")  # xtabond2's syntax, shown as it is
    assert all(uc.SECTION_WORDS[s] == s and zh(s) != s for s in CLUSTER_SECTIONS)
    assert list(uc.SECTION_WORDS) == list(CLUSTER_SECTIONS)
    assert all(uc.STATUS_WORDS[v] == v for v in uc.STATUS_LABELS.values())


def test_gmm_warnings_keep_their_english_text_and_translate_in_the_ui():
    from sim.gmm import TOO_MANY_INSTRUMENTS, TOO_MANY_WARNING
    from sim.messages import Msg

    w = Msg(TOO_MANY_WARNING, j="48", n="29")
    assert str(w) == TOO_MANY_INSTRUMENTS + " (48 instruments > 29 groups)"
    zh = i18n.translations("zh").gettext(TOO_MANY_WARNING).format(j="48", n="29")
    assert "48 个工具变量 > 29 组" in zh
