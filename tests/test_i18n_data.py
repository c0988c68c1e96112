"""The Data page and every upload problem in Chinese and English (issue 15).

* the Data page with ``?lang=zh`` shows no English word outside the allow-list of
  ``locale/english_left.py`` (titles, texts, controls, their help and options, status lines);
* a province panel with Chinese yearbook headers and Chinese province names that has problems (a cell
  that is not a number, an unknown province) is reported in Chinese in Chinese mode, naming row,
  column and value, and in English in English mode; the data loaded before stay active;
* a reader's message (``sim.messages.Msg``) is English as ``str`` and Chinese through ``tr``;
* every message template the readers produce is in the catalogue with a Chinese translation.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from sim import data, schema
from sim.templates import chinese_header
from ui import catalog, i18n
from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240
_spec = importlib.util.spec_from_file_location("english_left", ROOT / "locale" / "english_left.py")
english_left = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(english_left)


def english(text: str) -> list[str]:
    return english_left.english(text, "data.py")  # with the column ids of the upload files


# ------------------------------------------------------------------------------------------ fixtures
def _chinese_panel() -> pd.DataFrame:
    """The demo province panel with yearbook headers (地区, 年份, 名称(单位), 人均GDP(元)) and Chinese
    province names (北京市, 内蒙古自治区, ...)."""
    demo = pd.read_csv(schema.DATA_DIR / "demo" / "provinces.csv")
    zh = {p.name: p.name_zh for p in schema.provinces()}
    demo["province"] = demo["province"].map(zh)
    demo.columns = chinese_header()
    return demo


def _malformed() -> tuple[pd.DataFrame, str]:
    """Three problems: row 5 has '不详' in an indicator cell, row 9 names an unknown province 火星省, so
    the province meant there (北京) lacks a year."""
    panel = _chinese_panel().astype(object)
    column = panel.columns[4]
    panel.loc[3, column] = "不详"  # file row 5 (header = row 1)
    panel.loc[7, "地区"] = "火星省"  # file row 9
    return panel, column


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")


def _data_page(lang: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> list[str]:
    return english_left._texts(at)


def _unescape(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")


def _markdown(at) -> str:
    return _unescape("\n".join(str(m.value) for m in at.markdown))


# ------------------------------------------------------------------------------------------ the page
def test_the_data_page_in_chinese_has_no_english_outside_the_allow_list():
    at = _data_page("zh")
    left = {" ".join(t.split())[:120]: english(t) for t in _texts(at) if english(t)}
    assert not left, left
    texts = " ".join(_texts(at))
    assert at.title[0].value == "数据"
    assert "合成演示数据——非官方统计" in texts  # the demo is still clearly labelled synthetic
    assert "省份面板（研究 A）——合成演示数据，330 行" in texts
    assert "本页面尚未翻译成中文" not in texts
    assert UNEXPECTED not in texts


def test_the_data_page_in_english_is_unchanged():
    at = _data_page(None)
    texts = " ".join(_texts(at))
    for phrase in ("Province panel (Study A) — synthetic demo, 330 rows",
                   "SYNTHETIC demo data — not official statistics.", "What are you uploading?",
                   "Boundaries: Natural Earth (public domain)"):
        assert phrase in texts, phrase
    assert not any("\u4e00" <= c <= "\u9fff" for c in at.title[0].value)


# ------------------------------------------------------------------------------------------ uploads
def test_the_chinese_panel_loads_as_it_is():
    frame = data.read_province_panel(_csv(_chinese_panel()))
    assert frame.shape == (330, 38) and frame["province"].iloc[0] == "Beijing"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_malformed_chinese_upload_is_reported_in_the_chosen_language(lang):
    panel, column = _malformed()
    at = _data_page(lang)
    good = at.session_state["dataset"]
    at.file_uploader(key="upload_provinces").set_value(("年鉴数据.csv", _csv(panel), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["dataset"] is good  # nothing loaded: the previous data stay active
    text = _markdown(at)
    errors = " ".join(e.value for e in at.error)
    if lang == "zh":
        assert f"第 5 行 · 列“{column}” · 值“不详”" in text and "该值不是数字" in text, text
        assert "第 9 行 · 列“地区” · 值“火星省”" in text and "未知的省份“火星省”" in text, text
        assert "文件未加载：发现 3 个问题" in errors and "之前的数据继续有效" in errors
        for line in text.splitlines():  # each problem line: no English outside the allow-list
            assert not english(line), line
        assert not any(english(e.value) for e in at.error)
        assert "下载问题清单（CSV）" in [b.label for b in at.get("download_button")]
    else:
        assert f"Row 5 · column '{column}' · value '不详'" in text and "The value is not a number" in text
        assert "Row 9 · column '地区' · value '火星省'" in text and "Unknown province '火星省'" in text
        assert "The file was not loaded: 3 problems found" in errors
    # the report follows a switch of the language
    other = "en" if lang == "zh" else "zh"
    at.segmented_control(key=i18n.SWITCH_KEY).set_value(other).run()
    text = _markdown(at)
    assert ("Unknown province '火星省'" in text) if other == "en" else ("未知的省份“火星省”" in text), text
    assert at.session_state["dataset"] is good


def test_the_problem_table_and_csv_have_translated_labels_and_the_users_values(monkeypatch):
    from ui import problems as up

    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    monkeypatch.setattr(up, "lang", lambda: "zh")
    panel, column = _malformed()
    with pytest.raises(data.DataValidationError) as err:
        data.read_province_panel(_csv(panel))
    frame = up.problems_frame(up.as_dicts(err.value), up.translator("zh"))
    assert list(frame.columns) == ["行", "列", "数值", "问题"]
    assert {"不详", "火星省"} <= set(frame["数值"]) and column in set(frame["列"])
    assert all(not english(m) for m in frame["问题"]), list(frame["问题"])


# ------------------------------------------------------------------------------------------ messages
def _messages(err) -> list:
    return [p.message for p in err.problems]


def _msgids(value) -> set:
    """Every msgid in a Msg, its nested Msgs and Joins."""
    kind = type(value).__name__
    if kind == "Msg":
        out = {value.msgid}
        for v in value.params.values():
            out |= _msgids(v)
        return out
    if kind == "Join":
        return set().union(*(_msgids(i) for i in value.items)) if value.items else set()
    return set()


def test_a_readers_message_is_english_as_str_and_chinese_through_tr(monkeypatch):
    panel, column = _malformed()
    with pytest.raises(data.DataValidationError) as err:
        data.read_province_panel(_csv(panel))
    msgs = _messages(err.value)
    assert [p.row for p in err.value.problems] == [5, 9, None]
    assert str(msgs[0]).startswith("The value is not a number; expected a number in ")
    assert str(msgs[1]) == ("Unknown province '火星省'. Use the English, pinyin or Chinese name "
                            "(e.g. Inner Mongolia, 内蒙古).")
    assert "Row 9, column '地区', value '火星省': Unknown province" in str(err.value)  # the exception's text: English
    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    for m in msgs:
        zh = i18n.tr(m)
        assert zh != str(m) and not english(zh), zh
    assert i18n.tr(msgs[0]).startswith("该值不是数字")
    assert i18n.tr(msgs[1]).startswith("未知的省份“火星省”。")
    assert i18n.tr(msgs[2]).startswith("北京 缺少 2019 年的数据行") and "可能指的是第 9 行" in i18n.tr(msgs[2])
    monkeypatch.setattr(i18n, "lang", lambda: "en")
    assert [i18n.tr(m) for m in msgs] == [str(m) for m in msgs]


def _malformed_uploads():
    """(reader, bytes, name) of a range of malformed uploads: every kind of problem the readers report."""
    from sim.indicators import read_indicator_sheet
    from sim.units import read_units_sheet

    panel = _chinese_panel()
    out = [(data.read_province_panel, b"", "a.csv"), (data.read_province_panel, b"\x00\x01" * 300, "b.csv"),
           (data.read_province_panel, "地区,年份\n".encode(), "c.csv"), (data.read_province_panel, b"x", "d.xls"),
           (data.read_province_panel, b"x", "e.pdf")]
    p = panel.astype(object)
    p.loc[0, "年份"] = "二〇一二"
    p.loc[1, "年份"] = 1800
    p.loc[2, p.columns[3]] = -5
    p.loc[3, p.columns[5]] = ""
    p.loc[4, "地区"] = "Atlantis"
    p.loc[5, p.columns[6]] = "1,5"
    p["未知列"] = 1
    out.append((data.read_province_panel, _csv(p), "f.csv"))
    out.append((data.read_province_panel, _csv(panel.drop(columns=["人均GDP(元)", panel.columns[7]])), "g.csv"))
    few = panel[panel["年份"] <= 2013]
    out.append((data.read_province_panel, _csv(few[few["地区"].isin(few["地区"].unique()[:3])]), "h.csv"))
    holes = panel.drop(index=[5, 40, 41])
    out.append((data.read_province_panel, _csv(holes), "i.csv"))
    const = panel.copy()
    const[const.columns[3]] = 1.0
    out.append((data.read_province_panel, _csv(const), "j.csv"))
    dup = pd.concat([panel, panel.iloc[[0]]])
    out.append((data.read_province_panel, _csv(dup), "k.csv"))
    cities = pd.read_csv(schema.DATA_DIR / "demo" / "cities.csv").astype(object)
    cities.loc[0, "city"] = "不存在市"
    cities.loc[1, "ai_patents"] = 10 ** 9
    out.append((data.read_city_panel, _csv(cities), "l.csv"))
    links = pd.read_csv(schema.DATA_DIR / "demo" / "city_links.csv").astype(object)
    links.loc[0, "city_b"] = links.loc[0, "city_a"]
    out.append((data.read_city_links, _csv(pd.concat([links, links.iloc[[1]]])), "m.csv"))
    sheet = pd.DataFrame({"id": ["a", "a", "year"], "system": ["economy", "nqpf", "inno"], "direction": ["+", "?", "-"]})
    out.append((read_indicator_sheet, _csv(sheet), "n.csv"))
    units = pd.DataFrame({"单位": ["甲", "甲", "乙", "丙"], "纬度": [30, 31, "北", 100], "经度": [120, 120, 121, ""]})
    out.append((read_units_sheet, _csv(units), "o.csv"))
    return out


def test_every_message_template_of_the_readers_is_in_the_catalogue_with_a_translation():
    with open(catalog.PO, "rb") as f:
        po = {m.id: m.string for m in read_po(f, locale="zh") if m.id}
    seen: set = set()
    for reader, raw, name in _malformed_uploads():
        import io

        buf = io.BytesIO(raw)
        buf.name = name
        with pytest.raises(data.DataValidationError) as err:
            reader(buf)
        for m in _messages(err.value):
            assert type(m).__name__ == "Msg", (name, m)
            seen |= _msgids(m)
    # warnings of accepted uploads are messages as well
    ok = data.read_province_panel(_csv(_chinese_panel().assign(区域="东部")))
    for w in ok.attrs["warnings"]:
        assert type(w).__name__ == "Msg", w
        seen |= _msgids(w)
    assert len(seen) >= 20, seen
    missing = [m for m in seen if not po.get(m)]
    assert not missing, missing
