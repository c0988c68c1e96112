"""Malformed uploads: each case must raise DataValidationError with one specific Problem.

Every case starts from a valid small panel (tests/fixtures/data_panels.py), breaks one thing, and
asserts the Problem's row (spreadsheet numbering: header = row 1, so frame index i is row i + 2),
column, value and a keyword of its message.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sim import data

_spec = importlib.util.spec_from_file_location(
    "data_panels", Path(__file__).parent / "fixtures" / "data_panels.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


def _csv(df, name="panel.csv", **kw):
    return fx.named(fx.csv_bytes(df, **kw), name)


def _prov(mutate, name="provinces.csv"):
    def build():
        df = fx.province_frame()
        out = mutate(df)
        return _csv(df if out is None else out, name)
    return build


def _kind(kind, mutate):
    def build():
        df = fx.FRAMES[kind]()
        out = mutate(df)
        return _csv(df if out is None else out, f"{kind}.csv")
    return build


def _set(i, col, v):
    def m(df):
        df.loc[i, col] = v
    return m


def _xlsx_with(mutate):
    def build():
        import io

        import openpyxl
        wb = openpyxl.load_workbook(io.BytesIO(fx.xlsx_bytes(fx.province_frame())))
        mutate(wb.active)
        buf = io.BytesIO()
        wb.save(buf)
        return fx.named(buf.getvalue(), "p.xlsx")
    return build


def _too_few_provinces(df):
    return df[df["province"].isin(["Beijing", "Tianjin", "Hebei"])]


def _drop_row(i):
    return lambda df: df.drop(index=i)


def _duplicate_row(i):
    def m(df):
        import pandas as pd
        return pd.concat([df, df.loc[[i]]], ignore_index=True)
    return m


def _constant(df):
    df["uhv_lines"] = 7


def _two_years(df):
    return df[df["year"].isin([2020, 2021])]


def _extra_year_for_one(df):
    import pandas as pd
    extra = df.loc[[0]].copy()
    extra["year"] = 2011
    return pd.concat([extra, df], ignore_index=True)


def _rename(old, new):
    return lambda df: df.rename(columns={old: new})


def _wide(df):
    out = df[df["year"] == 2012][["province", "rd_exp"]].copy()
    for y in (2013, 2014, 2015):
        out[str(y)] = 1.0
    return out


def _index_column(df):
    df.insert(0, "", range(len(df)))


def _extra_cells(df):
    raw = fx.csv_bytes(df).decode().splitlines()
    raw[5] = raw[5] + ",99,oops"
    return fx.named("\n".join(raw).encode(), "p.csv")


def _duplicate_column(df):
    df["Internal expenditure of R&D funds"] = df["rd_exp"]


def _reversed_pair(df):
    import pandas as pd
    r = df.loc[[0]].copy()
    r["city_a"], r["city_b"] = df.loc[0, "city_b"], df.loc[0, "city_a"]
    return pd.concat([df, r], ignore_index=True)


def _two_sheets():
    import io

    import pandas as pd
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        xw.book.create_sheet("Sheet1")
        fx.province_frame().to_excel(xw, sheet_name="panel", index=False)
    return buf.getvalue()


def _raw(raw, name):
    return lambda: fx.named(raw, name)


N_PROV = len(fx.province_frame())
C = fx.city_names(8)

# (id, kind, build, read kwargs, expected (row, column, value, keyword))
CASES = [
    ("empty-file", "provinces", _raw(b"", "p.csv"), {}, (None, None, None, "empty")),
    ("whitespace-file", "provinces", _raw(b"  \n\n \r\n", "p.csv"), {}, (None, None, None, "empty")),
    ("header-only", "provinces", _prov(lambda df: df.iloc[:0]), {}, (None, None, None, "no data rows")),
    ("binary", "provinces", _raw(bytes(range(256)) * 8, "p.csv"), {}, (None, None, None, "binary")),
    ("unsupported-extension", "provinces", _raw(b"{}", "p.json"), {}, (None, None, ".json", "unsupported")),
    ("legacy-xls", "provinces", _raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "p.xls"), {},
     (None, None, ".xls", "save it as .xlsx")),
    ("corrupt-xlsx", "provinces", _raw(b"PK\x03\x04garbage" * 20, "p.xlsx"), {},
     (None, None, None, "cannot be read as an excel")),
    ("wrong-sheet", "provinces", lambda: fx.named(fx.xlsx_bytes(fx.province_frame(), "panel"), "p.xlsx"),
     {"sheet": "panal"}, (None, None, "panal", "did you mean 'panel'")),
    ("empty-first-sheet", "provinces", lambda: fx.named(_two_sheets(), "p.xlsx"), {},
     (None, None, "Sheet1", "sheets with content: panel")),
    ("missing-column", "provinces", _prov(lambda df: df.drop(columns="rd_exp")), {},
     (None, "rd_exp", None, "missing required column")),
    ("misspelt-column-missing", "provinces", _prov(_rename("rd_exp", "rd_expp")), {},
     (None, "rd_exp", None, "the file has 'rd_expp'")),
    ("misspelt-column-unknown", "provinces", _prov(_rename("rd_exp", "rd_expp")), {},
     (None, "rd_expp", None, "did you mean 'rd_exp'")),
    ("unknown-column", "provinces", _prov(lambda df: df.assign(notes="x")), {},
     (None, "notes", None, "unknown column")),
    ("duplicate-column", "provinces", _prov(_duplicate_column), {},
     (None, "Internal expenditure of R&D funds", None, "duplicate column")),
    ("headerless-index", "provinces", _prov(_index_column), {}, (None, "(column A)", None, "no header")),
    ("wide-format", "provinces", _prov(_wide), {}, (None, "2013", None, "one column per year")),
    ("extra-cells", "provinces", lambda: _extra_cells(fx.province_frame()), {},
     (6, None, "99, oops", "cells but the header only")),
    ("unknown-province", "provinces", _prov(_set(3, "province", "Guangdon")), {},
     (5, "province", "Guangdon", "did you mean 'guangdong'")),
    ("missing-province", "provinces", _prov(_set(4, "province", "")), {}, (6, "province", "", "missing")),
    ("duplicate-province-year", "provinces", _prov(_duplicate_row(2)), {},
     (N_PROV + 2, "province", "Beijing", "already on row 4")),
    ("non-numeric", "provinces", _prov(_set(7, "rd_exp", "abc")), {}, (9, "rd_exp", "abc", "not a number")),
    ("decimal-comma", "provinces", _prov(_set(8, "rd_fte", "1,5")), {}, (10, "rd_fte", "1,5", "decimal comma")),
    ("infinite", "provinces", _prov(_set(8, "rd_fte", "inf")), {}, (10, "rd_fte", "inf", "not a number")),
    ("percent-sign-wrong-column", "provinces", _prov(_set(9, "rd_exp", "12%")), {},
     (11, "rd_exp", "12%", "not measured in percent")),
    ("negative-spending", "provinces", _prov(_set(10, "rd_exp", -3.5)), {}, (12, "rd_exp", "-3.5", "negative")),
    ("negative-share", "provinces", _prov(_set(11, "ecommerce_firm_share", -1)), {},
     (13, "ecommerce_firm_share", "-1", "negative")),
    ("forest-cover-over-100", "provinces", _prov(_set(12, "forest_cover", 120)), {},
     (14, "forest_cover", "120", "0-100")),
    ("index-over-100", "provinces", _prov(_set(13, "enterprise_digitization", 150.5)), {},
     (15, "enterprise_digitization", "150.5", "0-100")),
    ("gdp-zero", "provinces", _prov(_set(14, "gdp_per_capita", 0)), {}, (16, "gdp_per_capita", "0", "above 0")),
    ("year-fraction", "provinces", _prov(_set(15, "year", "2015.5")), {}, (17, "year", "2015.5", "whole number")),
    ("year-out-of-range", "provinces", _prov(_set(16, "year", 1890)), {}, (18, "year", "1890", "1990-2100")),
    ("year-text", "provinces", _prov(_set(17, "year", "last year")), {}, (19, "year", "last year", "whole number")),
    ("year-missing", "provinces", _prov(_set(18, "year", "")), {}, (20, "year", "", "missing")),
    ("gap-row", "provinces", _prov(_drop_row(14)), {}, (None, "province", "Tianjin", "no rows for 2015")),
    ("empty-cell", "provinces", _prov(_set(20, "software_revenue", "")), {},
     (22, "software_revenue", "", "empty cell")),
    ("na-cell", "provinces", _prov(_set(21, "software_revenue", "NA")), {},
     (23, "software_revenue", "", "empty cell")),
    ("constant-indicator", "provinces", _prov(_constant), {}, (None, "uhv_lines", "7", "same value in every row")),
    ("too-few-years", "provinces", _prov(_two_years), {}, (None, "year", None, "at least 3 consecutive years")),
    ("too-few-provinces", "provinces", _prov(_too_few_provinces), {}, (None, "province", None, "at least 5")),
    ("unbalanced-extra-year", "provinces", _prov(_extra_year_for_one), {},
     (None, "year", "2011", "only 1 of 30 provinces")),
    ("year-missing-everywhere", "provinces", _prov(lambda df: df[df["year"] != 2016]), {},
     (None, "year", "2016", "years must be consecutive")),
    ("xlsx-date-year", "provinces", _xlsx_with(lambda ws: ws.cell(3, 2, dt.datetime(2013, 1, 1))), {},
     (3, "year", "2013-01-01T00:00:00", "is a date")),
    ("xlsx-bool-number", "provinces", _xlsx_with(lambda ws: ws.cell(4, 3, True)), {},
     (4, "edu_years", "TRUE", "true/false")),
    ("xlsx-error-cell", "provinces", _xlsx_with(lambda ws: ws.cell(5, 4, "#DIV/0!")), {},
     (5, "tertiary_emp_share", "#DIV/0!", "not a number")),
    # city panel
    ("city-unknown", "cities", _kind("cities", _set(0, "city", "Gotham")), {}, (2, "city", "Gotham", "unknown city")),
    ("city-ambiguous", "cities", _kind("cities", _set(0, "city", "Suzhou")), {},
     (2, "city", "Suzhou", "could be any of")),
    ("city-ai-above-all", "cities", _kind("cities", _set(5, "ai_patents", 10 ** 6)), {},
     (7, "ai_patents", "1000000", "subset of all patents")),
    ("city-negative-policies", "cities", _kind("cities", _set(6, "ip", -1)), {}, (8, "ip", "-1", "negative")),
    ("city-too-few", "cities", _kind("cities", lambda df: df[df["city"].isin(C[:3])]), {},
     (None, "city", None, "at least 5")),
    ("city-duplicate", "cities", _kind("cities", _duplicate_row(0)), {}, (82, "city", C[0], "already on row 2")),
    ("city-empty-cell", "cities", _kind("cities", _set(3, "ie", "")), {}, (5, "ie", "", "empty cell")),
    # links
    ("link-self", "links", _kind("links", _set(2, "city_b", fx.city_names(5)[0])), {},
     (4, "city_b", fx.city_names(5)[0], "linked to itself")),
    ("link-reversed-duplicate", "links", _kind("links", _reversed_pair), {},
     (52, "city_a", f"{fx.city_names(5)[1]} - {fx.city_names(5)[0]}", "already listed on row 2")),
    ("link-unknown-city", "links", _kind("links", _set(1, "city_a", "Atlantis")), {},
     (3, "city_a", "Atlantis", "unknown city")),
    ("link-negative", "links", _kind("links", _set(4, "ai_coop", -2)), {}, (6, "ai_coop", "-2", "negative")),
    # firms
    ("firm-unknown-city", "firms", _kind("firms", _set(0, "city", "Springfield")), {},
     (2, "city", "Springfield", "unknown city")),
    ("firm-negative-turnover", "firms", _kind("firms", _set(1, "oc", -0.4)), {}, (3, "oc", "-0.4", "negative")),
    ("firm-duplicate", "firms", _kind("firms", _duplicate_row(0)), {}, (56, "firm", "000001", "already on row 2")),
    ("firm-missing-id", "firms", _kind("firms", _set(2, "firm", "")), {}, (4, "firm", "", "missing")),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_reports_the_specific_problem(case):
    _, kind, build, kwargs, (row, column, value, keyword) = case
    with pytest.raises(data.DataValidationError) as info:
        data.read_panel(kind, build(), **kwargs)
    problems = info.value.problems
    match = [p for p in problems if p.row == row and p.column == column and p.value == value
             and keyword.lower() in p.message.lower()]
    assert match, "expected ({}, {}, {}, ~{}) among:\n{}".format(
        row, column, value, keyword, "\n".join(repr(p) for p in problems))
    assert keyword.lower() in str(info.value).lower()  # the readable report carries it too


def test_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_every_problem_is_collected_in_one_pass():
    df = fx.province_frame()
    df.loc[0, "province"] = "Narnia"
    df.loc[1, "rd_exp"] = "n/a?"
    df.loc[2, "forest_cover"] = 101
    df.loc[3, "year"] = 3000
    df = df.rename(columns={"uhv_lines": "uhv lines count"})
    with pytest.raises(data.DataValidationError) as info:
        data.read_province_panel(_csv(df))
    got = {(p.row, p.column) for p in info.value.problems}
    assert {(2, "province"), (3, "rd_exp"), (4, "forest_cover"), (5, "year"), (None, "uhv_lines"),
            (None, "uhv lines count")} <= got
    table = info.value.to_frame()
    assert list(table.columns) == ["row", "column", "value", "problem"]
    assert len(table) == len(info.value.problems)


def test_row_numbers_count_blank_lines_as_excel_does():
    raw = fx.csv_bytes(fx.province_frame()).decode().split("\n")
    raw.insert(1, "")  # a blank line after the header: the first data row is now row 3
    raw[2] = raw[2].replace("Beijing", "Bejing")
    with pytest.raises(data.DataValidationError) as info:
        data.read_province_panel(fx.named("\n".join(raw).encode(), "p.csv"))
    assert [(p.row, p.value) for p in info.value.problems if p.column == "province"][0] == (3, "Bejing")


def test_fill_gaps_refuses_a_column_with_nothing_to_interpolate_from():
    df = fx.province_frame()
    df.loc[df["province"] == "Gansu", "rd_exp"] = ""
    with pytest.raises(data.DataValidationError) as info:
        data.read_province_panel(_csv(df), fill_gaps=True)
    assert [(p.column, p.value) for p in info.value.problems] == [("rd_exp", "Gansu")]
    assert "nothing to interpolate" in info.value.problems[0].message


def test_message_is_readable_and_bounded():
    df = fx.province_frame()
    df["rd_exp"] = "x"  # 330 problems
    with pytest.raises(data.DataValidationError) as info:
        data.read_province_panel(_csv(df))
    err = info.value
    assert len(err.problems) >= 330
    text = str(err)
    assert text.startswith(f"{len(err.problems)} problems in p") or "problems in" in text.splitlines()[0]
    assert "... and" in text and text.count("\n  - ") == data.MAX_PROBLEMS_SHOWN
    assert "Row 2, column 'rd_exp', value 'x': The value is not a number" in text
    assert np.all([isinstance(p, data.Problem) for p in err.problems])
