"""The app in Chinese and English: the message catalogue is complete and current, the language is chosen
by ``?lang=`` / the browser / the sidebar switch, and switching keeps the scenario and the data."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from ui import catalog, i18n
from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdfr]|%[sdfr]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _po():
    with open(catalog.PO, "rb") as f:
        return read_po(f, locale="zh")


def _ids(cat):
    return {m.id if isinstance(m.id, str) else m.id for m in cat if m.id}


# ------------------------------------------------------------------------------------------ catalogue
def test_pot_is_what_the_sources_mark_now():
    """Re-extracted in memory with Babel: a message added or changed in the code without
    ``python -m ui.catalog`` makes this fail (the .pot, and so the .po, is stale)."""
    fresh = catalog.pot_bytes(catalog.extract())
    assert fresh == catalog.POT.read_bytes(), "locale/messages.pot is stale: run python -m ui.catalog"


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    with open(catalog.POT, "rb") as f:
        template = read_po(f)
    po = _po()
    assert _ids(po) == _ids(template), "the .po and the .pot list different messages: run python -m ui.catalog"
    missing, bad, untranslated = [], [], []
    for m in po:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strs = [m.string] if isinstance(m.string, str) else list(m.string)
        if not all(s.strip() for s in strs) or m.fuzzy:
            missing.append(ids[0])
            continue
        want = sorted(PLACEHOLDER.findall(ids[0]))
        for s in strs:
            if sorted(PLACEHOLDER.findall(s)) != want:
                bad.append((ids[0], s))
        if not any(HAN.search(s) for s in strs) and HAN.search(ids[0]) is None:
            untranslated.append(ids[0])
    assert not missing, f"{len(missing)} message(s) without a Chinese translation: {missing[:5]}"
    assert not bad, f"placeholders differ between msgid and msgstr: {bad[:3]}"
    # a msgstr with no Chinese at all is a copy of the English (a few names are allowed)
    allowed = {"Natural Earth (shipped)"}
    assert not [u for u in untranslated if u not in allowed], untranslated[:5]


def test_every_navigation_title_and_section_is_in_the_catalogue():
    import ast

    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    ids = _ids(_po())
    assert {w for section, _f, title, _i in pages for w in (section, title)} <= ids


def test_compiled_catalogue_translates_and_english_is_the_identity():
    zh = i18n.translations("zh")
    assert zh.gettext("Simulator") == "模拟器"
    assert zh.gettext("not a message") == "not a message"
    assert i18n.translations("en").gettext("Simulator") == "Simulator"
    assert i18n.translations("zh") is zh  # compiled once per process, shared read-only


@pytest.mark.parametrize("value, expected", [
    ("zh-CN", "zh"), ("zh", "zh"), ("zh-TW,zh;q=0.9", "zh"), ("en-US,en;q=0.9", "en"),
    ("fr-FR,zh;q=0.8,en;q=0.5", "zh"), ("fr-FR,en;q=0.9,zh;q=0.8", "en"), ("en;q=0.1,zh;q=0.9", "zh"),
    ("fr-FR", None), ("", None), (None, None)])
def test_browser_preference(value, expected):
    assert i18n.from_accept_language(value) == expected


@pytest.mark.parametrize("value, expected", [("zh", "zh"), ("EN", "en"), ("xx", None), ("", None),
                                             (None, None), ("zh-CN", None), (["zh"], None)])
def test_only_en_and_zh_are_valid(value, expected):
    assert i18n.valid(value) == expected


# ------------------------------------------------------------------------------------------ pages
def _app(query=None, page=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"pages/{page}")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if UNEXPECTED in e.value]
    return at


def _text(at) -> str:
    parts = [t.value for t in at.title] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [s.value for s in at.subheader]
    return "\n".join(parts)


def test_home_in_chinese_from_the_link():
    at = _app({"lang": "zh"})
    assert [t.value for t in at.title] == ["区域创新政策模拟器"]
    text = _text(at)
    assert "研究 A：省份" in text and "从哪里开始" in text
    assert any("合成演示数据" in w.value for w in at.warning)
    assert "当前数据" in text and "省份面板（研究 A）：合成演示数据" in text  # the sidebar
    # the citations stay as published (English titles), the DOIs intact
    assert "10.1038/s41598-026-36247-1" in text and "10.1057/s41599-025-05453-z" in text
    assert at.session_state[i18n.LANG_KEY] == "zh"
    assert at.query_params["lang"] in ("zh", ["zh"])  # kept in the address: a reload stays Chinese
    assert not any("尚未翻译" in i.value for i in at.info)


@pytest.mark.parametrize("bad", ["xx", "ZH-cn", "<script>", "fr"])
def test_an_unknown_lang_parameter_is_ignored(bad):
    at = _app({"lang": bad})
    assert [t.value for t in at.title] == ["Regional innovation policy simulator"]
    assert not at.error
    assert at.session_state[i18n.LANG_KEY] == "en"


def test_default_is_english_without_a_parameter():
    at = _app()
    assert [t.value for t in at.title] == ["Regional innovation policy simulator"]
    assert "lang" not in at.query_params


def test_sidebar_switch_changes_the_language_both_ways():
    at = _app()
    at.segmented_control(key=i18n.SWITCH_KEY).set_value("zh").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["区域创新政策模拟器"]
    assert at.query_params["lang"] in ("zh", ["zh"])
    at.segmented_control(key=i18n.SWITCH_KEY).set_value("en").run()
    assert [t.value for t in at.title] == ["Regional innovation policy simulator"]
    assert at.query_params["lang"] in ("en", ["en"])


def _scenario():
    from ui.simulator import PRESETS

    return PRESETS["Western digital infrastructure push"]


def test_switching_language_keeps_the_scenario_and_the_data():
    from ui import simulator as ui_sim
    from ui.state import DATASET_KEY

    sc = _scenario()
    at = _app(sc.to_query_params(), page="simulator.py")
    before = at.session_state[ui_sim.SCENARIO_KEY]
    assert before.indicator_changes == sc.indicator_changes
    data = at.session_state[DATASET_KEY]
    # a control moved by hand after the link was opened: the scenario is no longer the loaded one
    rev = at.session_state[ui_sim.REV_KEY]
    at.slider(key=f"lv_p_{rev}").set_value(45).run()
    before = at.session_state[ui_sim.SCENARIO_KEY]
    assert before.indicator_changes[0].value == 45.0
    s_before = at.query_params["s"]
    at.segmented_control(key=i18n.SWITCH_KEY).set_value("zh").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[i18n.LANG_KEY] == "zh"
    assert at.session_state[ui_sim.SCENARIO_KEY] == before
    assert at.session_state[DATASET_KEY] is data  # the same loaded data, not reloaded
    assert at.query_params["s"] == s_before and at.query_params["lang"] in ("zh", ["zh"])
    assert at.slider(key=f"lv_p_{rev}").value == 45 and at.title[0].value == "模拟器"
    at.segmented_control(key=i18n.SWITCH_KEY).set_value("en").run()
    assert at.session_state[ui_sim.SCENARIO_KEY] == before and at.session_state[DATASET_KEY] is data


def test_a_share_link_made_in_chinese_carries_lang_and_the_scenario():
    from urllib.parse import parse_qs

    from sim.scenario import Scenario

    at = _app({**_scenario().to_query_params(), "lang": "zh"}, page="simulator.py")
    at.segmented_control(key="sim_view").set_value("Share").run()
    assert not at.exception, [e.value for e in at.exception]
    link = next(c.value for c in at.code if "s=" in c.value)
    params = parse_qs(link.split("?", 1)[1])
    assert params["lang"] == ["zh"]
    assert Scenario.from_query_params({"s": params["s"][0]}).indicator_changes == _scenario().indicator_changes


# ------------------------------------------------------------------------------------------ Simulator
def _simulator_zh(preset="Western digital infrastructure push"):
    from ui.simulator import PRESETS

    return _app({**PRESETS[preset].to_query_params(), "lang": "zh"}, page="simulator.py")


def _all_text(at) -> str:
    return _text(at) + "\n" + "\n".join(e.value for e in [*at.info, *at.error, *at.success])


def test_simulator_in_chinese_every_view():
    at = _simulator_zh()
    text = _all_text(at)
    assert at.title[0].value == "模拟器"
    assert "变化了什么" in text and "模型的预测及其原因" in text
    # the summary: Chinese sentences with Chinese province names and the same numbers as in English
    assert "处于高度或极度协调的省份占比" in text
    assert any(f"- {zh}：2027 年耦合协调度 D" in text for zh in ("陕西", "广西", "贵州", "青海", "甘肃", "新疆"))
    assert "coupling coordination D in" not in text and "Share of provinces" not in text
    assert "基准情景：延续已观测到的动态" in text
    assert not any("尚未翻译" in i.value for i in at.info)
    for view in ("Provinces", "Map", "AI clusters", "Compare", "Share", "Class shares"):
        at.segmented_control(key="sim_view").set_value(view).run()
        assert not at.exception, (view, [e.value for e in at.exception])
        assert not [e.value for e in at.error if UNEXPECTED in e.value], view


def test_simulator_numbers_are_the_same_in_both_languages():
    import re as _re

    from ui.simulator import PRESETS

    en = _app(PRESETS["Gansu R&D spending +20 %"].to_query_params(), page="simulator.py")
    zh = _app({**PRESETS["Gansu R&D spending +20 %"].to_query_params(), "lang": "zh"}, page="simulator.py")
    nums = lambda at: _re.findall(r"\d+\.\d+%?|\d+%", " ".join(m.value for m in at.markdown[:2]))  # noqa: E731
    assert nums(en) and nums(en) == nums(zh)


def test_a_solved_target_is_answered_in_chinese():
    at = _simulator_zh("Baseline (no change)")
    at.button(key="goal_solve").click().run()
    assert not at.exception, [e.value for e in at.exception]
    answer = [m.value for m in [*at.success, *at.warning] if "甘肃" in m.value]
    assert answer, [m.value for m in [*at.success, *at.warning]]
    assert "reached if" not in answer[0] and "out of reach" not in answer[0]
    assert any(s.value == "需要做到什么" for s in at.subheader)


def test_sim_messages_stay_english_as_str_and_translate_in_the_ui():
    import pickle

    from sim.messages import Join, Msg, Named, Place

    m = Msg("{a} and {b}: {n} more", a=Place("Gansu"), b=Join([Place("West"), Place("Beijing")]), n="3")
    assert m == "Gansu and West, Beijing: 3 more" and str(m) == m
    assert pickle.loads(pickle.dumps(m)).params == m.params
    assert Named("Average years of education", "平均受教育年限") == "Average years of education"
    with pytest.raises(AttributeError):
        m.msgid = "x"


@pytest.mark.parametrize("page", ["home.py", "data.py", "coupling.py", "spatial.py", "dynamics.py", "clusters.py",
                                  "simulator.py"])
def test_every_page_has_its_title_and_first_heading_in_chinese(page):
    """Every page of the navigation is translated: in Chinese its title has Chinese characters and no
    English word outside the allow-list (the page-by-page notice 'not translated yet' is gone)."""
    at = _app({"lang": "zh"}, page=page)
    assert not at.exception
    assert HAN.search(at.title[0].value), at.title[0].value
    assert "not translated" not in " ".join(i.value for i in at.info)


def test_fonts_for_chinese_are_installed_by_ci_and_asked_of_community_cloud():
    assert "fonts-noto-cjk" in (ROOT / ".ci" / "run").read_text()
    for path in (ROOT / "packages.txt", ROOT / "cloud" / "packages.txt"):
        assert "fonts-noto-cjk" in path.read_text().split()


def test_the_shipped_boundary_credit_is_in_the_catalogue():
    from sim.geo import BOUNDARY_CREDIT

    assert BOUNDARY_CREDIT.msgid in _ids(_po())  # marked where it is written (sim/geo.py), no UI copy
    assert i18n.translations("zh").gettext(BOUNDARY_CREDIT) != BOUNDARY_CREDIT


def test_a_damaged_share_link_is_explained_in_chinese():
    at = _app({"s": "not-a-scenario", "lang": "zh"}, page="simulator.py")
    errors = [e.value for e in at.error]
    assert any("链接中的情景无法使用" in e for e in errors), errors
    assert any("已损坏" in e for e in errors) and not any("damaged" in e for e in errors), errors
    # the same link in English: the English sentence, unchanged
    en = _app({"s": "not-a-scenario"}, page="simulator.py")
    assert any("The scenario in the link is damaged" in e.value for e in en.error)


def test_an_unknown_province_in_a_link_is_reported_in_chinese():
    from sim.scenario import pack_link

    raw = {"indicator_changes": [{"target": "system:inno", "provinces": ["Atlantis"], "value": 10}]}
    at = _app({"s": pack_link(raw), "lang": "zh"}, page="simulator.py")
    errors = " ".join(e.value for e in at.error)
    assert "指标变化第 1 项：未知的省份" in errors and "Atlantis" in errors, errors


def test_the_mlp_collapse_warning_is_in_the_catalogue():
    from sim.mlp import COLLAPSE_MESSAGE
    from ui.coupling import COLLAPSE_MESSAGE as MARKED

    assert MARKED == COLLAPSE_MESSAGE
    zh = i18n.translations("zh").gettext(COLLAPSE_MESSAGE)
    assert zh != COLLAPSE_MESSAGE and zh.format(c_mean=0.999, c_std=0.0001)


def test_simulator_with_the_papers_mlp_warns_in_chinese():
    from sim.scenario import Scenario

    sc = Scenario(coupling_method="paper")
    at = _app({**sc.to_query_params(), "lang": "zh"}, page="simulator.py")
    warnings = " ".join(w.value for w in at.warning)
    assert "论文的 MLP 已坍缩" in warnings and "has collapsed" not in warnings, warnings


def test_coupling_in_chinese_headings_findings_and_the_mlp_comparison():
    at = _app({"lang": "zh"}, page="coupling.py")
    assert [t.value for t in at.title] == ["耦合协调"]
    headers = [h.value for h in at.header]
    assert "各省份的耦合协调度" in headers and "各年份的协调类型" in headers and "技术细节" in headers
    assert "结果说明" in [s.value for s in at.subheader]
    text = _text(at)
    assert "处于高度或极度协调" in text and "如何解读 D" in text
    assert "北京" in text or "江苏" in text or "上海" in text  # province names in Chinese in the findings
    assert not any("尚未翻译" in i.value for i in at.info)
    at.toggle(key="coupling_compare_mlp").set_value(True).run()
    assert not at.exception
    assert "交叉预测 MLP对各省份的排序" in _text(at) or "交叉预测 MLP给出的 D" in _text(at)
    assert [e.label for e in at.expander][:2] == ["MLP 耦合度是否提供信息？诊断", "分布与威尔科克森（Wilcoxon）符号秩检验"]


def test_coupling_findings_in_english_are_unchanged_by_the_catalogue():
    at = _app({"lang": "en"}, page="coupling.py")
    assert [t.value for t in at.title] == ["Coupling"]
    assert "Coupling coordination degree by province" in [h.value for h in at.header]
    assert "are at high or extreme coordination" in _text(at)


def test_sim_texts_marked_in_ui_are_the_same_as_in_sim():
    """Coupling and Spatial show texts written in sim/; ui/ marks copies for the catalogue and translates
    a text only when it is still the same (a changed sim text shows in English, never a stale one)."""
    from sim import density, moran, weights
    from sim.mlp import FOLDS_RULE, METHODS, ROWS_RULE
    from ui import coupling as cp
    from ui import spatial as sp

    assert cp.METHOD_NOTES == METHODS
    assert cp.BANDWIDTH_RULE == density.BANDWIDTH_RULE
    assert (cp.FOLDS_RULE, cp.ROWS_RULE) == (FOLDS_RULE, ROWS_RULE)
    assert sp.QUADRANT_WORDS == moran.QUADRANT_NAMES
    assert sp.P_VALUE_NOTE == moran.P_VALUE_NOTE
    assert sp.PGDP_GUARD_RULE == weights.PGDP_GUARD_RULE
    zh = i18n.translations("zh").gettext
    for text in [*METHODS.values(), density.BANDWIDTH_RULE, FOLDS_RULE, ROWS_RULE, *moran.QUADRANT_NAMES.values(),
                 moran.P_VALUE_NOTE, weights.PGDP_GUARD_RULE]:
        assert zh(text) != text


def test_spatial_in_chinese_headings_findings_and_province_names():
    at = _app({"lang": "zh"}, page="spatial.py")
    assert [t.value for t in at.title] == ["空间格局"]
    headers = [h.value for h in at.header]
    assert "各年份的全局莫兰指数（Moran's I）" in headers and "局部莫兰指数：散点图与 LISA 集聚" in headers
    assert any(h.startswith("达格姆基尼系数（Dagum Gini）分解（东部 / 中部 / 西部") for h in headers), headers
    text = _text(at)
    assert "**热点**" in text and "**冷点**" in text and "莫兰指数（Moran's I）" in text
    assert not any("尚未翻译" in i.value for i in at.info)
    en = _app({"lang": "en"}, page="spatial.py")
    assert "Global Moran's I by year" in [h.value for h in en.header]
    assert "**hot spots**" in _text(en)


def test_dynamics_texts_marked_in_ui_are_the_same_as_in_sim():
    from sim import markov, weights
    from ui import spatial as sp

    assert sp.CLASS_LABELS_FIXED == markov.CLASS_LABELS_FIXED
    assert sp.EMPTY_ROW_RULE == markov.EMPTY_ROW_RULE
    assert sp.ISLAND_RULE == weights.ISLAND_RULE
    message = ("The chain has 2 recurrent classes (classes numbered from 1: {3}; {4}), so its steady state is not "
               "unique: it depends on the starting class. NaN returned; stationary_distributions() gives one "
               "distribution per recurrent class.")
    assert sp.RECURRENT_WARNING.format(n=2, names="{3}; {4}") == message
    assert sp.markov_warning(message) == message  # English outside a session
    assert sp.markov_warning("something else") == "something else"


def test_dynamics_in_chinese_headings_findings_and_tables():
    at = _app({"lang": "zh"}, page="dynamics.py")
    assert [t.value for t in at.title] == ["动态演进"]
    headers = [h.value for h in at.header]
    assert headers[:3] == ["D 的分布如何移动（核密度估计）", "耦合断层预警", "协调等级间的转移（马尔可夫链）"], headers
    text = _text(at)
    assert "**耦合断层预警**" in text and "保持在原等级" in text
    assert [e.label for e in at.expander][-1] == "长期：稳态分布与平均首达时间"
    assert not any("尚未翻译" in i.value for i in at.info)
    en = _app({"lang": "en"}, page="dynamics.py")
    assert "Coupling-fault early warning" in [h.value for h in en.header]
    assert "stay in their class" in _text(en)


def test_fill_merges_a_fragment_under_the_lock(tmp_path, monkeypatch):
    """``python -m ui.catalog --fill F.po``: translations of a fragment land in the catalogue; messages
    the sources no longer mark are not added; the rest of the catalogue is kept."""
    po, pot = tmp_path / "messages.po", tmp_path / "messages.pot"
    po.write_bytes(catalog.PO.read_bytes())
    monkeypatch.setattr(catalog, "PO", po)
    monkeypatch.setattr(catalog, "POT", pot)
    monkeypatch.setattr(catalog, "LOCK", tmp_path / ".lock")
    frag = tmp_path / "frag.po"
    frag.write_text('msgid "Simulator"\nmsgstr "模拟器（新）"\n\nmsgid "no such message anywhere"\n'
                    'msgstr "无"\n', encoding="utf-8")
    n, missing = catalog.update([frag])
    with open(po, "rb") as f:
        cat = read_po(f, locale="zh")
    assert cat["Simulator"].string == "模拟器（新）"
    assert "no such message anywhere" not in cat
    assert missing == 0 and n == len(_ids(cat))
    assert pot.read_bytes() == (ROOT / "locale" / "messages.pot").read_bytes()


@pytest.mark.parametrize("raw, english, chinese", [
    (b'{"type": "Topology"}', "Expected a GeoJSON FeatureCollection", "应为带有 'features' 列表的"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Atlantis"}, '
     b'"geometry": {"type": "Point", "coordinates": [0, 0]}}]}', "Feature 1: geometry must be Polygon",
     "第 1 个要素：几何类型必须为"),
])
def test_a_bad_boundary_file_is_explained_in_the_chosen_language(raw, english, chinese):
    """The Data page's boundary upload: the reader's problems (sim.geo, Msg) in English and in Chinese;
    the shipped boundaries stay in use."""
    for code, expect in (("en", english), ("zh", chinese)):
        at = _app({"lang": code}, page="data.py")
        at.file_uploader(key="upload_boundaries").set_value(("bad.geojson", raw, "application/geo+json")).run()
        assert not at.exception
        cells = [str(v) for d in at.dataframe for v in d.value.iloc[:, 0]]
        assert any(expect in c for c in cells), cells
        assert at.session_state["dataset"].boundaries is None  # the shipped layer stays
