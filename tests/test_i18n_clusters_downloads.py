"""CSV downloads of the AI clusters page in the session's language (issue 15), as commit 516b45d did for
Coupling, Spatial patterns and Dynamics: in Chinese the headers of the on-screen tables (the same label
dicts), words and city names in Chinese, numbers unchanged, UTF-8 with BOM; in English the frame as it is
(column ids as headers). The files are built after the run, outside the session, as Streamlit's deferred
downloads are, and are still in Chinese."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import clusters as uc

ROOT = Path(__file__).resolve().parent.parent
BOM = b"\xef\xbb\xbf"
HAN = re.compile("[\u4e00-\u9fff]")
CODES = {"IP", "NC", "TI", "ED", "IC", "IE", "n", "VIF"}  # symbols of the paper kept as headers
SECTIONS = {  # section -> the files it offers
    "Cooperation (Table 1)": {"table1_cooperation.csv"},
    "Network centrality": {"nc_ranking.csv"},
    "Descriptive statistics (Tables 2-3)": {"table2_descriptive.csv", "table3_correlations.csv", "vif.csv"},
    "Policy effect: system GMM (Table 4)": {"table4_system_gmm.csv", "instrument_sets.csv"},
    "Moderation by centrality (Fig. 4)": {"moderation_fig4.csv"},
    "Threshold sensitivity (Fig. 5)": {"threshold_sensitivity.csv"},
    "Mechanism: subsidies (Table 5)": {"table5_mediation.csv"},
    "Negative binomial (Table 6)": {"table6_negative_binomial.csv"},
    "Placebo test (Fig. 6)": {"placebo_ip_coefficients.csv"},
}


def _run_sections(lang: str, seen: dict) -> dict:
    """The bytes of every CSV the page offers in ``lang``, built after each run (outside the session)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/clusters.py")
    at.run()
    files = {}
    for section in SECTIONS:
        seen.clear()
        at.button_group(key=uc.CL_SECTION).set_value(section).run()
        if section == "Placebo test (Fig. 6)":
            at.number_input(key=uc.PL_REPS).set_value(100).run()
            at.button(key=uc.PL_RUN).click().run()
        assert not at.exception, (section, [e.value for e in at.exception])
        built = {k: (v() if callable(v) else v) for k, v in seen.items() if k and k.endswith(".csv")}
        assert SECTIONS[section] <= set(built), (section, set(built))
        files.update(built)
    return files


def _frame(raw: bytes) -> pd.DataFrame:
    assert raw.startswith(BOM)
    return pd.read_csv(io.BytesIO(raw[len(BOM):]), encoding="utf-8", dtype=str, keep_default_na=False)


def test_clusters_csv_downloads_in_chinese_and_english(download_buttons):
    zh = _run_sections("zh", download_buttons)
    for name in set().union(*SECTIONS.values()):
        raw = zh[name]
        assert raw.startswith(BOM), name  # Excel on a Chinese Windows reads UTF-8
        header = list(_frame(raw).columns)
        untranslated = [c for c in header if not HAN.search(c) and c not in CODES]
        assert not untranslated, (name, header)
    t1 = _frame(zh["table1_cooperation.csv"])
    assert {"集群", "排名（本数据）"} <= set(t1.columns) and "北京" in set(t1["集群"]), list(t1.columns)
    assert "北京" in set(_frame(zh["nc_ranking.csv"])["集群"])
    mod = _frame(zh["moderation_fig4.csv"])
    assert "论文的系数" in set(mod["来源"]) and any("高 NC" in v for v in mod["NC 水平"])
    t4 = _frame(zh["table4_system_gmm.csv"])
    assert {"模型", "变量"} <= set(t4.columns) and {"L.TI", "常数项", "观测值", "Hansen 检验 p 值"} <= set(t4["变量"]), \
        set(t4["变量"])
    assert list(_frame(zh["placebo_ip_coefficients.csv"]).columns) == ["重复序号", "IP 系数"]
    sens = _frame(zh["threshold_sensitivity.csv"])
    assert any("北京" in v for v in sens["人工智能集群（城市）"])

    en = _run_sections("en", download_buttons)
    for name in zh:
        assert en[name].startswith(BOM), name
        header = list(_frame(en[name]).columns)
        assert not any(HAN.search(c) for c in header), (name, header)
    assert list(_frame(en["table1_cooperation.csv"]).columns)[:2] == ["rank", "cluster"]
    assert "Beijing" in set(_frame(en["table1_cooperation.csv"])["cluster"])
    assert list(_frame(en["moderation_fig4.csv"]).columns) == ["nc_level", "NC", "IP", "TI_pred", "slope", "source",
                                                                "line"]
    # numbers are written the same in both languages
    z, e = _frame(zh["table2_descriptive.csv"]), _frame(en["table2_descriptive.csv"])
    assert z.iloc[:, 1:].values.tolist() == e.iloc[:, 1:].values.tolist()


def test_every_clusters_download_is_labelled_outside_a_session():
    """Outside a session (English) the frame is returned as it is: the ids stay for scripts."""
    df = pd.DataFrame({"rank": [1], "cluster": ["Beijing"]})
    assert uc.download_frame(df, "table1_cooperation.csv") is df
