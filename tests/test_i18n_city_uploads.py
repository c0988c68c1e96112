"""Study B files (city panel, city cooperation links) and their problems in the chosen language (issue 15).

* a malformed city panel and a malformed links file uploaded on the Data page are reported in Chinese in
  Chinese mode (row, column and value named; no English outside the allow-list of
  ``locale/english_left.py`` but the user's own values and the files' column ids) and in English in English
  mode; the data loaded before stay active;
* a city panel the reader accepts but the AI clusters analysis cannot use (a city lacks a year:
  ``sim.clusters`` needs every year) is explained on the AI clusters page in the session's language;
* every validation error of ``sim.clusters`` is a ``sim.messages.Msg`` whose English text is what it was,
  in the catalogue with a Chinese translation, and Chinese through ``tr`` (city names in Chinese).
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from sim import clusters as cl
from sim import schema
from ui import catalog, i18n

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240
_spec = importlib.util.spec_from_file_location("english_left", ROOT / "locale" / "english_left.py")
english_left = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(english_left)
# codes a message may name: the column ids of the Study B files (what the templates and headers contain)
# the shipped city registry's path and the log functions (log(1 + x), log1p), written as in the code
CODES = re.compile(r"\b(?:%s)\b|data/geo/cities\.csv|\blog1p\b|\blog(?=\()" % "|".join(
    sorted({*schema.city_columns(), "city_a", "city_b", "ai_coop", "firm", "ti", "gs", "ep", "cs", "oc"},
           key=len, reverse=True)))
QUOTED = re.compile(r"“[^”]*”|'[^']*'")  # the user's values (and headers) as the messages quote them


def english(text: str) -> list[str]:
    """English words of ``text`` outside the allow-list, the user's quoted values and the files' codes."""
    return english_left.english(CODES.sub("", QUOTED.sub("", text)))


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")


def _demo(name: str) -> pd.DataFrame:
    return pd.read_csv(schema.DATA_DIR / "demo" / name).astype(object)


def _bad_cities() -> pd.DataFrame:
    """Three problems: row 5 'ai_patents' is 很多, row 9 names 火星市 (no such city), row 12 'ip' is -2."""
    c = _demo("cities.csv")
    c.loc[3, "ai_patents"] = "很多"
    c.loc[7, "city"] = "火星市"
    c.loc[10, "ip"] = -2
    return c


def _bad_links() -> pd.DataFrame:
    """Three problems: row 4 links a city with itself, row 7 'ai_coop' is x, the last row repeats row 11's
    pair in the other order."""
    links = _demo("city_links.csv")
    links.loc[2, "city_b"] = links.loc[2, "city_a"]
    links.loc[5, "ai_coop"] = "x"
    again = links.iloc[[9]].rename(columns={"city_a": "city_b", "city_b": "city_a"})
    return pd.concat([links, again], ignore_index=True)


def _app(lang: str | None, page: str = "pages/data.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _upload(at: AppTest, kind: str, name: str, raw: bytes) -> None:
    at.segmented_control(key="upload_kind").set_value(kind).run()
    at.file_uploader(key=f"upload_{kind}").set_value((name, raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]


def _problem_lines(at: AppTest) -> list[str]:
    text = "\n".join(str(m.value) for m in at.markdown).replace("\\", "").replace("\u2060", "")
    return [line[2:] for line in text.splitlines() if line.startswith("- **")]


# ------------------------------------------------------------------------------------------ Data page
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_malformed_city_files_are_reported_in_the_chosen_language(lang):
    at = _app(lang)
    good = at.session_state["dataset"]
    _upload(at, "cities", "城市面板.csv", _csv(_bad_cities()))
    assert at.session_state["dataset"] is good  # nothing loaded: the previous data stay active
    lines = _problem_lines(at)
    errors = " ".join(e.value for e in at.error)
    text = "\n".join(lines)
    if lang == "zh":
        assert "第 5 行 · 列“ai_patents” · 值“很多”" in text and "该值不是数字" in text, text
        assert "第 9 行 · 列“city” · 值“火星市”" in text and "未知的城市“火星市”" in text, text
        assert "第 12 行 · 列“ip” · 值“-2”" in text and "不可能为负值" in text, text
        assert "文件未加载：发现 3 个问题" in errors and "之前的数据继续有效" in errors
        for line in lines:
            assert not english(line), line
        assert not any(english(e.value) for e in at.error)
    else:
        assert "Row 5 · column 'ai_patents' · value '很多'" in text and "The value is not a number" in text, text
        assert "Row 9 · column 'city' · value '火星市'" in text and "Unknown city '火星市'" in text, text
        assert "Row 12 · column 'ip' · value '-2'" in text
        assert "The file was not loaded: 3 problems found" in errors
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in errors)

    _upload(at, "links", "合作联系.csv", _csv(_bad_links()))
    assert at.session_state["dataset"] is good
    lines = _problem_lines(at)
    text = "\n".join(lines)
    last = len(_bad_links()) + 1  # the repeated pair: the file's last row
    if lang == "zh":
        assert "第 4 行 · 列“city_b”" in text and "城市与自身相连" in text, text
        assert "第 7 行 · 列“ai_coop” · 值“x”" in text and "该值不是数字" in text, text
        assert f"第 {last} 行 · 列“city_a”" in text and "已列在第 11 行" in text, text
        assert "鞍山" in text and "北京" in text  # city names in Chinese in the messages
        for line in lines:
            assert not english(line), line
        assert not any(english(e.value) for e in at.error)
    else:
        assert "Row 4 · column 'city_b'" in text and "Row 7 · column 'ai_coop' · value 'x'" in text, text
        assert f"Row {last} · column 'city_a'" in text and "already listed on row 11" in text, text
    # the report follows a switch of the language
    other = "en" if lang == "zh" else "zh"
    at.segmented_control(key=i18n.SWITCH_KEY).set_value(other).run()
    text = "\n".join(_problem_lines(at))
    assert ("Row 7 · column 'ai_coop'" in text) if other == "en" else ("第 7 行 · 列“ai_coop”" in text), text
    assert at.session_state["dataset"] is good


# ------------------------------------------------------------------------------------------ AI clusters page
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_city_panel_with_a_gap_is_explained_on_the_clusters_page_in_the_chosen_language(lang):
    cities = _demo("cities.csv")
    cities = cities[~((cities["city"] == "Beijing") & (cities["year"] == 2015))]
    at = _app(lang)
    _upload(at, "cities", "cities_gap.csv", _csv(cities))
    assert at.session_state["dataset"] is not None and len(at.session_state["dataset"].get("cities")) == len(cities)
    at.switch_page("pages/clusters.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    if lang == "zh":
        assert "城市“北京”缺少 [2015] 年的数据行" in errors, errors
        assert not english(errors), errors
    else:
        assert "city 'Beijing' has no row for year(s) [2015] (needed: every year 2011-2020" in errors, errors


# ------------------------------------------------------------------------------------------ sim.clusters
YEARS2 = (2011, 2012)


def _panel(rows):
    return pd.DataFrame(rows, columns=["city", "year", "ai_patents", "all_patents", "ai_coop_intra"]).assign(
        ip=1.0, ed=1.0, ic=1.0, ie=1.0)


GOOD = _panel([("Beijing", 2011, 1, 10, 0), ("Beijing", 2012, 1, 10, 0),
               ("Shanghai", 2011, 1, 10, 1), ("Shanghai", 2012, 2, 10, 1)])


def _links(rows):
    return pd.DataFrame(rows, columns=["city_a", "city_b", "year", "ai_coop"])


LINK = _links([("Beijing", "Shanghai", 2011, 1)])
# (call, the English message as it was before the messages became Msg)
ERRORS = [
    (lambda: cl.location_quotient(GOOD, (2012, 2011)),
     "years must be (first, last) with first <= last; found (2012, 2011)."),
    (lambda: cl.location_quotient(GOOD.drop(columns="all_patents"), YEARS2),
     "cities_df is missing column(s) ['all_patents']; found ['city', 'year', 'ai_patents', 'ai_coop_intra', "
     "'ip', 'ed', 'ic', 'ie']."),
    (lambda: cl.location_quotient(GOOD.assign(year=[2011, 2011.5, 2011, 2012]), YEARS2),
     "cities_df column 'year' must be an integer year; found '2011.5' for city 'Beijing'."),
    (lambda: cl.location_quotient(pd.concat([GOOD, GOOD.iloc[[0]]]), YEARS2),
     "cities_df has more than one row for city 'Beijing', year 2011."),
    (lambda: cl.location_quotient(GOOD.assign(all_patents=[10, "x", 10, 10]), YEARS2),
     "cities_df column 'all_patents' must be a finite number; found 'x' for city 'Beijing', year 2012."),
    (lambda: cl.location_quotient(GOOD.assign(ai_patents=[1, -1, 1, 1]), YEARS2),
     "cities_df column 'ai_patents' must be >= 0; found -1 for city 'Beijing', year 2012."),
    (lambda: cl.location_quotient(GOOD.drop(index=3), YEARS2),
     "city 'Shanghai' has no row for year(s) [2012] (needed: every year 2011-2012, no gap is filled silently)."),
    (lambda: cl.location_quotient(GOOD.assign(ai_patents=[1, 1, 11, 1]), YEARS2),
     "AI patents exceed all patents for city 'Shanghai', year 2011 (11 > 10); AI patents are a subset."),
    (lambda: cl.identify_clusters(GOOD, _links([("Beijing", "Beijing", 2011, 1)]), years=YEARS2),
     "links_df pairs a city with itself ('Beijing', year 2011); cooperation inside a city belongs in the city "
     "panel's 'ai_coop_intra'."),
    (lambda: cl.identify_clusters(GOOD, _links([("Beijing", "Wuhan", 2011, 1), ("Beijing", "Xiamen", 2011, 1)]),
                                  years=YEARS2),
     "links_df names 2 city(ies) absent from the city panel: ['Wuhan', 'Xiamen']."),
    (lambda: cl.identify_clusters(GOOD, _links([("Beijing", "Shanghai", 2011, 1), ("Shanghai", "Beijing", 2011, 2)]),
                                  years=YEARS2),
     "links_df has more than one row for the pair 'Beijing'-'Shanghai', year 2011 (in either order)."),
    (lambda: cl.identify_clusters(GOOD, LINK.assign(ai_coop=[-2]), years=YEARS2),
     "links_df column 'ai_coop' must be >= 0; found -2 for 'Beijing'-'Shanghai', year 2011."),
    (lambda: cl.cooperation_totals(GOOD, _links([]), ["Wuhan"], YEARS2),
     "cluster(s) ['Wuhan'] not found in the city panel."),
    (lambda: cl.regression_panel(GOOD.assign(ip=0.0), LINK, ["Beijing"], log1p=[], years=YEARS2),
     "IP is 0 for cluster 'Beijing', year 2011, so ln(x) is undefined; use log(1 + x) for it (log1p)."),
    (lambda: cl.scale_threshold(GOOD, 120, years=YEARS2), "percentile must lie in [0, 100]; found 120."),
    (lambda: cl.vif(pd.DataFrame({"a": [1, 2], "b": [1, 2]}), ["a", "b"]),
     "VIF needs more complete rows than regressors; found 2 rows for 2 columns."),
]


def _msgids(value) -> set:
    kind = type(value).__name__
    if kind == "Msg":
        return {value.msgid}.union(*(_msgids(v) for v in value.params.values()))
    if kind == "Join":
        return set().union(*(_msgids(i) for i in value.items)) if value.items else set()
    return set()


def test_sim_clusters_errors_keep_their_english_text_and_translate(monkeypatch):
    with open(catalog.PO, "rb") as f:
        po = {m.id: m.string for m in read_po(f, locale="zh") if m.id}
    caught = []
    for call, text in ERRORS:
        with pytest.raises(ValueError) as err:
            call()
        msg = err.value.args[0]
        assert str(err.value) == text
        assert type(msg).__name__ == "Msg", text
        assert all(po.get(m) for m in _msgids(msg)), _msgids(msg)
        caught.append(msg)
    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    zh = [i18n.tr(m) for m in caught]
    for m, z in zip(caught, zh):
        assert z != str(m) and re.search("[\u4e00-\u9fff]", z), z
        assert not english(z), z
    assert "城市“上海”缺少 [2012] 年的数据行" in zh[6]
    assert zh[9] == "城市合作联系数据中有 2 个城市不在城市面板中：武汉、厦门。"
    assert zh[12] == "城市面板中找不到集群 武汉。"
    monkeypatch.setattr(i18n, "lang", lambda: "en")
    assert [i18n.tr(m) for m in caught] == [text for _call, text in ERRORS]


def test_every_message_marked_in_sim_clusters_has_a_translation():
    import ast

    with open(catalog.PO, "rb") as f:
        po = {m.id: m.string for m in read_po(f, locale="zh") if m.id}
    tree = ast.parse((ROOT / "sim" / "clusters.py").read_text(encoding="utf-8"))
    marked = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "N_"}
    assert len(marked) >= 25
    assert not [m for m in marked if not po.get(m)]
    raised = [n for n in ast.walk(tree) if isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call)
              and getattr(n.exc.func, "id", "") == "ValueError"]
    plain = [ast.unparse(n)[:80] for n in raised
             if not (n.exc.args and isinstance(n.exc.args[0], ast.Call) and getattr(n.exc.args[0].func, "id", "") == "Msg")]
    assert not plain, plain  # every error a Msg

