"""sim.data and sim.templates on valid input: encodings, formats, name matching, gap filling,
accepted-with-warning cases, templates and download encoders."""
from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sim import data, schema, templates
from sim.data import DataValidationError, canonical_city, canonical_province

_spec = importlib.util.spec_from_file_location(
    "data_panels", Path(__file__).parent / "fixtures" / "data_panels.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


def _csv(df, name="p.csv", **kw):
    return fx.named(fx.csv_bytes(df, **kw), name)


def _numeric(df):
    return df.drop(columns=["province"]).astype(float).to_numpy()


# --- name matching ------------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("Beijing", "Beijing"), ("beijing", "Beijing"), ("BEIJING", "Beijing"), (" Beijing Shi ", "Beijing"),
    ("北京", "Beijing"), ("北京市", "Beijing"), ("Beijing Municipality", "Beijing"), ("Peking", "Beijing"),
    ("内蒙古", "Inner Mongolia"), ("内蒙古自治区", "Inner Mongolia"), ("Inner Mongolia", "Inner Mongolia"),
    ("Nei Mongol", "Inner Mongolia"), ("Neimenggu", "Inner Mongolia"),
    ("Inner Mongolia Autonomous Region", "Inner Mongolia"),
    ("广西", "Guangxi"), ("广西壮族自治区", "Guangxi"), ("Guangxi Zhuang", "Guangxi"),
    ("Guangxi Zhuang Autonomous Region", "Guangxi"), ("Ningxia Hui", "Ningxia"), ("宁夏回族自治区", "Ningxia"),
    ("Xinjiang Uygur Autonomous Region", "Xinjiang"), ("新疆", "Xinjiang"),
    ("Anhui", "Anhui"), ("Anhui Province", "Anhui"), ("安徽省", "Anhui"),
    # Shaanxi (陕西, capital Xi'an) and Shanxi (山西, capital Taiyuan) must never be confused
    ("Shaanxi", "Shaanxi"), ("陕西", "Shaanxi"), ("陕西省", "Shaanxi"), ("陝西", "Shaanxi"),
    ("Shenxi", "Shaanxi"), ("Shensi", "Shaanxi"), ("CN-SN", "Shaanxi"), ("61", "Shaanxi"), (610000, "Shaanxi"),
    ("Shanxi", "Shanxi"), ("山西", "Shanxi"), ("山西省", "Shanxi"), ("Shansi", "Shanxi"), ("CN-SX", "Shanxi"),
    (14, "Shanxi"),
    ("Tibet", "Tibet"), ("Xizang", "Tibet"), ("西藏自治区", "Tibet"),
    ("Hong Kong", "Hong Kong"), ("香港", "Hong Kong"), ("Macau", "Macao"), ("澳門", "Macao"), ("台湾", "Taiwan"),
    ("廣東", "Guangdong"), ("Heilongjiang", "Heilongjiang"), ("Chongqing Shi", "Chongqing"),
])
def test_canonical_province(text, expected):
    assert canonical_province(text) == expected


@pytest.mark.parametrize("text", ["", "Atlantis", "Shan", "Guangdon", "East", None, "Xi'an", "99"])
def test_canonical_province_unknown_is_none(text):
    assert canonical_province(text) is None


def test_every_registry_name_maps_to_itself():
    for p in schema.provinces(include_not_in_study=True):
        assert canonical_province(p.name) == p.name
        assert canonical_province(p.name_zh) == p.name
        assert canonical_province(p.iso) == p.name
        assert canonical_province(p.gb_code) == p.name


@pytest.mark.parametrize("text,expected", [
    ("Xi'an", "Xi'an"), ("Xian", "Xi'an"), ("Xi An", "Xi'an"), ("西安", "Xi'an"), ("西安市", "Xi'an"),
    ("xi'an city", "Xi'an"), ("Shenzhen", "Shenzhen"), ("深圳市", "Shenzhen"), ("Guilin", "Guilin"),
    ("Jilin", "Jilin"), ("吉林市", "Jilin"),
])
def test_canonical_city(text, expected):
    assert canonical_city(text) == expected


def test_city_homonyms_need_disambiguation():
    assert canonical_city("Suzhou") is None  # 苏州 (Jiangsu) or 宿州 (Anhui)
    assert canonical_city("苏州") != canonical_city("宿州")
    assert canonical_city("Suzhou, Anhui") == canonical_city("宿州")
    assert canonical_city("江苏苏州") == canonical_city("苏州")
    assert canonical_city("Atlantis") is None


# --- valid province panels ------------------------------------------------------------------
def test_valid_panel_round_trips_exactly():
    src = fx.province_frame()
    df = data.read_province_panel(_csv(src))
    assert list(df.columns) == schema.province_columns()
    assert df.shape == (330, 38)
    assert df["year"].dtype == np.int64
    assert all(df[c].dtype == np.float64 for c in schema.province_columns()[2:])
    np.testing.assert_array_equal(_numeric(df), _numeric(src))
    assert df.attrs["warnings"] == [] and df.attrs["filled"] == [] and df.attrs["renamed"] == []


def test_output_is_sorted_by_gb_code_then_year():
    src = fx.province_frame().sample(frac=1.0, random_state=3)
    df = data.read_province_panel(_csv(src))
    assert list(dict.fromkeys(df["province"])) == schema.province_names()
    assert df.groupby("province", sort=False)["year"].apply(lambda s: s.is_monotonic_increasing).all()


def test_gbk_csv_with_chinese_names_and_headers():
    src = fx.province_frame()
    zh = {p.name: p.name_zh for p in schema.provinces()}
    src["province"] = src["province"].map(zh)
    src = src.rename(columns={"province": "省份", "year": "年份"})
    raw = fx.csv_bytes(src, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK bytes
    df = data.read_province_panel(fx.named(raw, "省份数据.csv"))
    assert set(df["province"]) == set(schema.province_names())
    assert ("省份", "province") in df.attrs["renamed"] and ("年份", "year") in df.attrs["renamed"]
    assert any("GB18030" in w for w in df.attrs["warnings"])


def test_gb18030_short_names_and_mixed_spellings():
    src = fx.province_frame()
    spell = {"Inner Mongolia": "内蒙古", "Guangxi": "Guangxi Zhuang", "Shaanxi": "陕西", "Shanxi": "山西",
             "Beijing": "beijing shi"}
    src["province"] = src["province"].replace(spell)
    df = data.read_province_panel(fx.named(fx.csv_bytes(src, encoding="gb18030"), "p.csv"))
    np.testing.assert_array_equal(_numeric(df), _numeric(fx.province_frame()))
    assert df.loc[df["province"] == "Shaanxi", "rd_exp"].tolist() == \
        fx.province_frame().query("province == 'Shaanxi'")["rd_exp"].tolist()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings(encoding):
    src = fx.province_frame()
    src["province"] = src["province"].map({p.name: p.name_zh for p in schema.provinces()})
    raw = fx.csv_bytes(src, encoding=encoding)
    assert raw[:2] in (b"\xef\xbb", b"\xff\xfe", b"\xfe\xff")
    df = data.read_province_panel(fx.named(raw, "p.csv"))
    np.testing.assert_array_equal(_numeric(df), _numeric(fx.province_frame()))


@pytest.mark.parametrize("sep,name", [(";", "p.csv"), ("\t", "p.tsv"), ("\t", "p.txt")])
def test_other_delimiters(sep, name):
    df = data.read_province_panel(fx.named(fx.csv_bytes(fx.province_frame(), sep=sep), name))
    np.testing.assert_array_equal(_numeric(df), _numeric(fx.province_frame()))


def test_xlsx_round_trip_and_sheet_choice():
    src = fx.province_frame()
    raw = templates.to_excel_bytes({"notes": pd.DataFrame({"x": ["not data"]}), "panel": src})
    df = data.read_province_panel(fx.named(raw, "book.xlsx"), sheet="panel")
    np.testing.assert_array_equal(_numeric(df), _numeric(src))
    assert data.read_province_panel(fx.named(raw, "book.xlsx"), sheet=" PANEL ").shape == (330, 38)
    with pytest.raises(DataValidationError) as info:
        data.read_province_panel(fx.named(raw, "book.xlsx"))  # first sheet is "notes"
    assert any(p.column == "province" and "missing required" in p.message.lower()
               for p in info.value.problems)


def test_sources_path_bytes_dataframe_and_nameless(tmp_path):
    src = fx.province_frame()
    p = tmp_path / "panel.csv"
    p.write_bytes(fx.csv_bytes(src))
    expected = _numeric(src)
    for source in (p, str(p), fx.csv_bytes(src), fx.xlsx_bytes(src), src, io.BytesIO(fx.xlsx_bytes(src))):
        np.testing.assert_array_equal(_numeric(data.read_province_panel(source)), expected)
    with pytest.raises(DataValidationError, match="not found"):
        data.read_province_panel(tmp_path / "missing.csv")


def test_excel_workbook_named_csv_is_read_with_a_warning():
    df = data.read_province_panel(fx.named(fx.xlsx_bytes(fx.province_frame()), "p.csv"))
    assert df.shape == (330, 38)
    assert any("Excel workbook" in w for w in df.attrs["warnings"])


def test_headers_by_paper_name_units_and_spacing():
    src = fx.province_frame()
    names = {i.id: i.name for i in schema.indicators()}
    ren = {k: f"  {v.upper()}  " for k, v in names.items()}
    ren["rd_exp"] = "rd exp (100 million yuan)"
    ren["gdp_per_capita"] = "GDP-per-capita"
    ren["year"] = "Year"
    df = data.read_province_panel(_csv(src.rename(columns=ren)))
    assert list(df.columns) == schema.province_columns()
    np.testing.assert_array_equal(_numeric(df), _numeric(src))
    assert len(df.attrs["renamed"]) == 37


def test_not_analysed_provinces_are_left_out_with_a_warning():
    src = fx.province_frame()
    tibet = src[src["province"] == "Beijing"].assign(province="西藏")
    hk = src[src["province"] == "Beijing"].assign(province="Hong Kong")
    df = data.read_province_panel(_csv(pd.concat([src, tibet, hk])))
    assert df.shape == (330, 38)
    assert set(df["province"]) == set(schema.province_names())
    w = " ".join(df.attrs["warnings"])
    assert "11 rows of Tibet left out" in w and "11 rows of Hong Kong left out" in w


def test_thousands_separators_and_percent_signs_are_converted():
    src = fx.province_frame()
    src.loc[0, "rd_exp"] = "1,234.5"
    src.loc[1, "rd_exp"] = "12,345,678"
    src.loc[2, "forest_cover"] = "45.5%"
    src.loc[3, "mobile_subscribers"] = "２３４"  # full-width digits
    df = data.read_province_panel(_csv(src))
    assert df.loc[0, "rd_exp"] == 1234.5 and df.loc[1, "rd_exp"] == 12345678.0
    assert df.loc[2, "forest_cover"] == 45.5 and df.loc[3, "mobile_subscribers"] == 234.0
    w = " ".join(df.attrs["warnings"])
    assert "'rd_exp': 2 values with thousands separators" in w
    assert "'forest_cover': 1 value with a percent sign" in w


def test_descriptive_columns_are_ignored_with_a_warning():
    src = fx.province_frame()
    src.insert(1, "region", "East")
    src.insert(2, "gb_code", 11)
    df = data.read_province_panel(_csv(src))
    assert list(df.columns) == schema.province_columns()
    assert "Columns not used and ignored: 'region', 'gb_code'." in df.attrs["warnings"]


def test_percent_column_that_looks_like_fractions_warns():
    src = fx.province_frame()
    src["forest_cover"] = src["forest_cover"].astype(float) / 100
    df = data.read_province_panel(_csv(src))
    assert any("'forest_cover' is in percent" in w for w in df.attrs["warnings"])


def test_subset_of_provinces_warns():
    src = fx.province_frame(provinces=schema.province_names()[:6])
    df = data.read_province_panel(_csv(src))
    assert df.shape == (66, 38)
    assert "6 of 30 provinces" in " ".join(df.attrs["warnings"])


# --- gap filling (linear within the province, flat at the ends) -------------------------------
def test_fill_gaps_interpolates_and_reports_exactly():
    src = fx.province_frame()
    g = src.index[src["province"] == "Gansu"]
    y = dict(zip(src.loc[g, "year"], g))
    full = src.copy()
    src = src.drop(index=[y[2015], y[2016]])  # two interior years missing entirely
    src.loc[y[2012], "rd_exp"] = ""  # an edge cell
    src.loc[y[2019], "forest_cover"] = "NA"  # an interior cell
    with pytest.raises(DataValidationError) as info:
        data.read_province_panel(_csv(src))
    assert {p.value for p in info.value.problems} == {"Gansu", ""}
    df = data.read_province_panel(_csv(src), fill_gaps=True)
    assert df.shape == (330, 38)
    gansu = df[df["province"] == "Gansu"].set_index("year")
    full_g = full.loc[g].set_index("year")
    for c in schema.province_columns()[2:]:
        a, b = float(full_g.at[2014, c]), float(full_g.at[2017, c])
        assert gansu.at[2015, c] == pytest.approx(a + (b - a) / 3)
        assert gansu.at[2016, c] == pytest.approx(a + 2 * (b - a) / 3)
    assert gansu.at[2012, "rd_exp"] == float(full_g.at[2013, "rd_exp"])  # carried flat
    fc = full_g["forest_cover"].astype(float)
    assert gansu.at[2019, "forest_cover"] == pytest.approx((fc[2018] + fc[2020]) / 2)
    cols = schema.province_columns()[2:]
    expected = sorted([("Gansu", 2012, "rd_exp"), ("Gansu", 2019, "forest_cover")]
                      + [("Gansu", yy, c) for yy in (2015, 2016) for c in cols],
                      key=lambda t: (t[1], t[2]))
    assert sorted(df.attrs["filled"], key=lambda t: (t[1], t[2])) == expected
    untouched = df[df["province"] != "Gansu"]
    np.testing.assert_array_equal(_numeric(untouched), _numeric(full[full["province"] != "Gansu"]))
    assert any("Gap filling: 74 cells" in w for w in df.attrs["warnings"])


def test_fill_gaps_carries_the_last_year_forward():
    src = fx.province_frame()
    drop = src.index[(src["province"] == "Hainan") & (src["year"] >= 2021)]
    kept = src.loc[(src["province"] == "Hainan") & (src["year"] == 2020), "rd_exp"].iloc[0]
    df = data.read_province_panel(_csv(src.drop(index=drop)), fill_gaps=True)
    h = df[df["province"] == "Hainan"].set_index("year")
    assert h.at[2021, "rd_exp"] == h.at[2022, "rd_exp"] == float(kept)


# --- the other panels -----------------------------------------------------------------------
def test_city_panel_with_chinese_names_and_gaps_warns():
    src = fx.city_frame()
    zh = pd.read_csv(data._city_file(), dtype=str).set_index("city")["city_zh"]
    src["city"] = src["city"].map(zh)
    src = src.drop(index=[3, 4])
    df = data.read_city_panel(fx.named(fx.csv_bytes(src, encoding="gbk"), "c.csv"))
    assert list(df.columns) == schema.city_columns()
    assert set(df["city"]) == set(fx.city_names(8))
    assert any("Unbalanced panel: 1 city" in w for w in df.attrs["warnings"])
    assert df["year"].dtype == np.int64


def test_links_are_normalised_to_one_order():
    src = fx.links_frame()
    src.loc[0, ["city_a", "city_b"]] = [src.loc[0, "city_b"], src.loc[0, "city_a"]]
    df = data.read_city_links(_csv(src))
    assert (df["city_a"] < df["city_b"]).all()
    assert len(df) == len(src)
    assert df[["city_a", "city_b", "year"]].equals(
        df[["city_a", "city_b", "year"]].sort_values(["city_a", "city_b", "year"]).reset_index(drop=True))


def test_firm_ids_keep_leading_zeros_and_moves_warn():
    src = fx.firms_frame()
    src.loc[1, "city"] = fx.city_names(3)[1]
    df = data.read_firm_panel(_csv(src))
    assert df["firm"].iloc[0] == "000001"
    assert any("1 firm listed in more than one city" in w for w in df.attrs["warnings"])
    df2 = data.read_firm_panel(fx.named(fx.xlsx_bytes(fx.firms_frame()), "f.xlsx"))
    assert df2["firm"].iloc[0] == "000001"  # stored as text in the workbook


DEMO = {"provinces": "provinces.csv", "cities": "cities.csv", "links": "city_links.csv", "firms": "firms.csv"}


@pytest.mark.parametrize("kind", list(DEMO))
def test_demo_files_load_clean(kind):
    path = schema.DATA_DIR / "demo" / DEMO[kind]
    df = data.read_panel(kind, path)
    assert len(df) > 0 and list(df.columns) == [c.name for c in data.column_specs(kind)]
    assert df.attrs["filled"] == []
    if kind == "provinces":
        assert df.shape == (330, 38) and df.attrs["warnings"] == []


# --- errors and problems ----------------------------------------------------------------------
def test_problem_text_and_dict():
    p = data.Problem(7, "rd_exp", "abc", "The value is not a number.")
    assert str(p) == "Row 7, column 'rd_exp', value 'abc': The value is not a number."
    assert str(data.Problem(None, None, None, "The file is empty.")) == "The file is empty."
    assert p.to_dict() == {"row": 7, "column": "rd_exp", "value": "abc", "problem": "The value is not a number."}
    err = DataValidationError([p], "x.csv")
    assert isinstance(err, ValueError) and str(err).startswith("1 problem in x.csv:")


def test_unknown_kind_is_a_value_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        data.column_specs("villages")


# --- templates and downloads ------------------------------------------------------------------
@pytest.mark.parametrize("kind", data.KINDS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_header_is_recognised_and_only_rows_are_missing(kind, fmt):
    raw = templates.template(kind, fmt)
    with pytest.raises(DataValidationError) as info:
        data.read_panel(kind, fx.named(raw, f"t.{fmt}"))
    assert [p.message for p in info.value.problems] == ["The file has a header but no data rows."]
    if fmt == "csv":
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw.decode("utf-8-sig").strip().split(",") == [c.name for c in data.column_specs(kind)]


@pytest.mark.parametrize("kind", data.KINDS)
def test_filled_xlsx_template_loads(kind):
    wb = openpyxl.load_workbook(io.BytesIO(templates.template(kind, "xlsx")))
    # the province template also carries Chinese yearbook headers and the indicator sheet (issue 12)
    assert wb.sheetnames == (["data", "data_zh", "indicators", "README", "names"] if kind == "provinces"
                             else ["data", "README", "names"])
    ws = wb["data"]
    header = [c.value for c in ws[1]]
    for row in fx.FRAMES[kind]().itertuples(index=False):
        ws.append([getattr(row, h) for h in header])
    readme = " ".join(str(c.value) for r in wb["README"].iter_rows() for c in r if c.value is not None)
    assert all(c.name in readme for c in data.column_specs(kind))
    buf = io.BytesIO()
    wb.save(buf)
    df = data.read_panel(kind, fx.named(buf.getvalue(), "filled.xlsx"))
    assert len(df) == len(fx.FRAMES[kind]())


def test_named_template_functions():
    assert templates.province_template() == templates.template("provinces", "csv")
    assert templates.city_template("xlsx")[:2] == b"PK"
    assert templates.links_template().decode("utf-8-sig").startswith("city_a,city_b,year,ai_coop")
    assert templates.firms_template().decode("utf-8-sig").startswith("firm,city,year,ti")
    with pytest.raises(ValueError):
        templates.template("provinces", "pdf")


def test_schema_table():
    t = templates.schema_table("provinces")
    assert list(t.columns) == ["column", "name_zh", "unit", "unit_zh", "system", "direction", "description",
                               "required", "source", "also_accepted"]
    zh = dict(zip(t["column"], t["name_zh"] + "(" + t["unit_zh"] + ")"))
    assert zh["rd_exp"] == "R&D经费内部支出(亿元)"
    assert set(t.loc[t["system"] != "", "source"]) == {"not stated in the paper"}
    assert t["column"].tolist() == schema.province_columns() and t["required"].all()
    units = dict(zip(t["column"], t["unit"]))
    assert units["rd_exp"] == "100 million yuan" and units["forest_cover"] == "%"
    c = templates.schema_table("cities")
    assert dict(zip(c["column"], c["unit"]))["ie"] == "10,000 yuan"


def test_csv_bytes_have_bom_and_keep_chinese():
    df = pd.DataFrame({"province": ["北京市", "陕西省"], "x": [1.5, 2.0]})
    raw = templates.to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert back["province"].tolist() == ["北京市", "陕西省"] and list(back.columns) == ["province", "x"]


def test_excel_bytes_sheet_names_are_made_valid():
    frames = {"a/b": pd.DataFrame({"x": [1]}), "A/B": pd.DataFrame({"x": [2]}),
              "x" * 40: pd.DataFrame({"y": ["中文"]})}
    wb = openpyxl.load_workbook(io.BytesIO(templates.to_excel_bytes(frames)))
    assert wb.sheetnames == ["a_b", "A_B (2)", "x" * 31]
    assert wb["x" * 31]["A2"].value == "中文"
    with pytest.raises(ValueError):
        templates.to_excel_bytes({})


def test_title_rows_above_the_header_are_skipped_with_a_note():
    src = fx.province_frame()
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        src.to_excel(xw, sheet_name="Sheet1", index=False, startrow=2)
        xw.sheets["Sheet1"]["A1"] = "2012-2022 省级面板数据 (provincial panel)"
    df = data.read_province_panel(fx.named(buf.getvalue(), "titled.xlsx"))
    np.testing.assert_array_equal(_numeric(df), _numeric(src))
    assert "Row 1 above the header (row 3) was skipped as a title." in df.attrs["warnings"]
    with pytest.raises(DataValidationError) as info:
        raw = buf.getvalue()
        wb = openpyxl.load_workbook(io.BytesIO(raw))
        wb.active["T4"] = "bad"  # rd_exp is column T; the first data row is row 4
        out = io.BytesIO()
        wb.save(out)
        data.read_province_panel(fx.named(out.getvalue(), "titled.xlsx"))
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(4, "rd_exp", "bad")]


def test_traditional_character_names():
    trad = ("北京 天津 河北 山西 內蒙古自治區 遼寧 吉林 黑龍江 上海 江蘇 浙江 安徽 福建 江西 山東 河南 湖北 湖南 "
            "廣東 廣西壯族自治區 海南 重慶 四川 貴州 雲南 西藏 陝西 甘肅 青海 寧夏回族自治區 新疆維吾爾自治區").split()
    names = [p.name for p in schema.provinces(include_not_in_study=True)]
    assert [canonical_province(t) for t in trad] == names


def test_intra_city_cooperation_above_ai_patents_warns_with_examples():
    src = fx.city_frame()
    src.loc[0, "ai_coop_intra"] = int(src.loc[0, "ai_patents"]) + 1
    df = data.read_city_panel(_csv(src))
    first = fx.city_names(1)[0]
    assert any(w.startswith("1 city-year with more intra-city") and f"(e.g. {first} 2011)" in w
               for w in df.attrs["warnings"])


def test_cross_check_between_study_b_files():
    cities = data.read_city_panel(_csv(fx.city_frame(n_cities=6)))
    links = data.read_city_links(_csv(fx.links_frame(years=range(2018, 2023))))
    firms = data.read_firm_panel(_csv(fx.firms_frame()))
    assert data.cross_check({"cities": cities, "firms": firms}) == []
    assert data.cross_check({"links": links}) == []
    small = cities[cities["city"] != fx.city_names(5)[4]]
    notes = data.cross_check({"cities": small, "links": links, "firms": firms})
    assert notes == [f"1 city of the link file has no row in the city panel: {fx.city_names(5)[4]}.",
                     "The link file has years outside the city panel (2011-2020): 2021-2022."]


def test_dataframe_source_with_pandas_missing_values():
    src = fx.province_frame()
    src.loc[0, "rd_exp"] = pd.NA
    src.loc[1, "rd_exp"] = np.nan
    src.loc[2, "province"] = np.nan
    with pytest.raises(DataValidationError) as info:
        data.read_province_panel(src)
    got = {(p.row, p.column, p.value) for p in info.value.problems if p.row is not None}
    assert got == {(2, "rd_exp", ""), (3, "rd_exp", ""), (4, "province", "")}


def test_a_bare_homonym_is_read_as_the_canonical_city_with_a_note():
    src = fx.city_frame()
    first = fx.city_names(1)[0]
    src["city"] = src["city"].replace({first: "Fuzhou"})
    df = data.read_city_panel(_csv(src))
    assert "Fuzhou" in set(df["city"]) and canonical_city("福州") == "Fuzhou"
    notes = [w for w in df.attrs["warnings"] if w.startswith("'Fuzhou' is taken to be Fuzhou (福州)")]
    assert len(notes) == 1 and canonical_city("抚州") in notes[0]
