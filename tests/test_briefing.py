"""The briefing to take away: self-contained HTML read from the same result the page shows."""
import datetime as dt
import re

from sim import simulate as S
from sim.scenario import IndicatorChange, LinkEdit, PolicyChange, Scenario
from ui.briefing import briefing_html, changes_in_words


def test_briefing_carries_the_summary_chart_tables_and_provenance(demo_base):
    sc = Scenario(name="West <b>push</b>", horizon=5, n_paths=2000,
                  indicator_changes=(IndicatorChange("system:inno", ("West",), 2023, "pct", 60.0),),
                  policy_changes=(PolicyChange(("Guilin",), 2021, 20.0),),
                  link_edits=(LinkEdit("Guilin", "Shenzhen", "add", 100.0),))
    res = S.simulate(demo_base, sc)
    doc = briefing_html(res, ["Province panel (Study A): SYNTHETIC demo (330 rows)"], "?s=abc",
                        today=dt.date(2026, 11, 30))
    import html

    text = html.unescape(doc)
    for line in res.summary:  # every summary line, as the page shows it
        assert line in text
    assert "Synthetic demo data." in doc and "2026-11-30" in doc and "projection to 2027" in doc
    assert "<svg" in doc and doc.count("<polyline") == 2  # baseline and scenario lines
    assert "Provinces that move, 2027" in doc and "AI clusters, 2027" in doc
    assert "West &lt;b&gt;push&lt;/b&gt;" in doc and "<b>push</b>" not in doc  # user text escaped
    # self-contained: nothing is fetched when it opens
    assert "<script" not in doc and not re.search(r"\bsrc=", doc) and "<link" not in doc
    assert "?s=abc" in doc


def test_changes_in_words():
    sc = Scenario(indicator_changes=(IndicatorChange("rd_exp", ("Gansu",), 2025, "pct", 20.0, 5.0),),
                  link_edits=(LinkEdit("Guilin", "Shenzhen", "remove"),))
    from sim import schema

    name = {i.id: i.name for i in schema.indicators()}["rd_exp"]
    assert changes_in_words(sc) == [f"{name[0].upper()}{name[1:]} in Gansu: +20 % from 2025, then +5 % a year.",
                                    "Cooperation Guilin-Shenzhen: link removed."]
    assert changes_in_words(Scenario()) == ["No changes: the baseline."]


def test_downloads_carry_provenance_scenario_and_rounded_values(demo_base):
    from sim.templates import to_excel_bytes
    from ui.briefing import export_tables

    sc = Scenario(name="x", horizon=3, n_paths=500,
                  indicator_changes=(IndicatorChange("system:inno", ("Gansu",), 2023, "pct", 30.0),))
    res = S.simulate(demo_base, sc)
    tabs = export_tables(res, ["Province panel (Study A): SYNTHETIC demo (330 rows)"], "?s=abc")
    about = dict(zip(tabs["about"]["item"], tabs["about"]["value"]))
    assert about["data"].startswith("SYNTHETIC") and about["share link"] == "?s=abc"
    assert "column D_baseline" in about
    scen = tabs["scenario"]
    assert Scenario.from_json(scen.loc[scen["item"] == "json", "value"].iloc[0]) == sc
    d = tabs["coupling_D"]["D_scenario"]
    assert (d == d.round(6)).all() and len(d) == len(res.d_table())
    assert to_excel_bytes(tabs)[:2] == b"PK"  # an xlsx (zip) workbook with every sheet
