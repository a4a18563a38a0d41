"""Operators' own spellings get in: Chinese and alternative headers and values, in every kind
of file, mapped through the one table of geo.inventory.aliases (which the docs show)."""

import datetime as dt
import re
from pathlib import Path

import orjson
import pandas as pd
import pytest

from geo.errors import UploadRejectedError
from geo.inventory import aliases
from geo.inventory.aliases import ambiguous_band, canonical_column, canonical_value, key
from geo.inventory.locate import CountyLocator
from geo.inventory.read import read_upload
from geo.inventory.validate import validate
from geo.inventory.vocab import BANDS, CSV_COLUMNS, SITE_TYPES, STATUSES
from tests.geo.inventory.excel import excel_workbook

DOC = Path(__file__).resolve().parents[3] / "docs" / "inventory.md"
CHINESE_HEADER = ["站址编号", "经度", "纬度", "站型", "频段", "状态", "开通日期"]


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def check(data: bytes, locator, coord_sys="wgs84"):
    return validate(read_upload(data, 1000), coord_sys, locator)


def values(column: pd.Series) -> list:
    """A column as a list, empty cells as None (pandas may hold them as NaN)."""
    return [None if pd.isna(v) else v for v in column]


def test_docs_show_exactly_the_alias_table():
    text = DOC.read_text("utf-8")
    found = re.search(r"<!-- aliases:begin.*?-->\n(.*?)<!-- aliases:end -->", text, re.DOTALL)
    assert found, "docs/inventory.md lacks the <!-- aliases:begin/end --> block"
    assert found.group(1) == aliases.markdown(), \
        "docs/inventory.md differs from geo.inventory.aliases: paste " \
        "`python -m geo.inventory.aliases` between the markers"


def test_every_spelling_means_one_thing():
    seen: dict[str, str] = {}
    for column, spellings in aliases.header_spellings().items():
        for spelling in spellings:
            assert seen.setdefault(key(spelling), column) == column, spelling
            assert canonical_column(spelling) == column
    for column, canonical in (("type", SITE_TYPES), ("status", STATUSES), ("band", BANDS)):
        spelled = aliases.value_spellings(column)
        assert tuple(spelled) == canonical
        values: dict[str, str] = {}
        for value, spellings in spelled.items():
            for spelling in spellings:
                assert values.setdefault(key(spelling), value) == value, spelling
                assert canonical_value(column, spelling) == value, spelling


@pytest.mark.parametrize(("header", "column"), [
    ("站址编号", "site_id"), ("站号", "site_id"), ("基站编号", "site_id"), ("站点编号", "site_id"),
    ("Site ID", "site_id"), (" SITE_ID ", "site_id"), ("ｓｉｔｅ＿ｉｄ", "site_id"),
    ("站址编号*", "site_id"), ("经度", "lon"), ("LNG", "lon"), ("Longitude", "lon"),
    ("x", "lon"), ("经度（WGS84）", "lon"), ("经度(°)", "lon"), ("纬度", "lat"), ("Y", "lat"),
    ("站型", "type"), ("基站类型", "type"), ("频率", "band"), ("建设状态", "status"),
    ("入网日期", "commissioned"), ("开通时间", "commissioned"), ("county_adcode", None),
    ("区县", None), ("", None),
])
def test_headers_are_matched_case_width_and_space_insensitively(header, column):
    assert canonical_column(header) == column


@pytest.mark.parametrize(("column", "text", "value"), [
    ("type", "宏站", "macro"), ("type", "宏基站", "macro"), ("type", "微站", "micro"),
    ("type", "小站", "micro"), ("type", "室分", "indoor"), ("type", "室内分布", "indoor"),
    ("type", " MACRO ", "macro"), ("status", "规划", "planned"), ("status", "待建", "planned"),
    ("status", "在建", "planned"), ("status", "已建", "built"), ("status", "在网", "on_air"),
    ("status", "已开通", "on_air"), ("status", "On Air", "on_air"), ("band", "N78", "n78"),
    ("band", "3.5G", "n78"), ("band", "3.5GHz", "n78"), ("band", "3.5 ghz", "n78"),
    ("band", "3500MHz", "n78"), ("band", "2.6G", "n41"), ("band", "700M", "n28"),
    ("band", "700MHz", "n28"), ("band", "2.1G", "n1"), ("band", "4.9G", "n79"),
    ("band", "３．５Ｇ", "n78"),
])
def test_values_are_mapped_to_the_canonical_vocabulary(column, text, value):
    assert canonical_value(column, text) == value


def test_only_unambiguous_bands_are_mapped():
    assert ambiguous_band("3.3G") == ("n77", "n78") and ambiguous_band("3.5G") is None
    assert canonical_value("band", "3.3G") not in BANDS
    assert canonical_value("band", "1.8G") not in BANDS  # n3: not a 5G band of the plan


def test_chinese_csv_is_stored_canonical(locator):
    data = (",".join(CHINESE_HEADER) + "\n"
            "赣-001,114.93,25.83,宏站,3.5G,在网,2021/3/1\n"
            "赣-002,115.0,25.9,室分,,在建,\n"
            "赣-003,114.95,25.85,微基站,2.6G,已建,2022年10月8日\n").encode("gb18030")
    v = check(data, locator)
    assert v.errors == []
    sites = v.sites.set_index("site_id")
    assert sites["type"].tolist() == ["macro", "indoor", "micro"]
    assert sites["status"].tolist() == ["on_air", "planned", "built"]
    assert values(sites["band"]) == ["n78", None, "n41"]
    assert values(sites["commissioned"]) == ["2021-03-01", None, "2022-10-08"]


def test_alternative_english_headers_in_any_order(locator):
    data = (b"Longitude,Latitude,Site ID,Site Type,Status\n"
            b"114.93,25.83,A1,Macro,ON_AIR\n")
    site = check(data, locator).sites.iloc[0]
    assert (site["site_id"], site["lon"], site["type"], site["status"]) == \
        ("A1", 114.93, "macro", "on_air")


def test_excel_workbook_with_chinese_headers_values_and_a_date_cell(locator):
    data = excel_workbook([CHINESE_HEADER,
                           ["赣-001", 114.93, 25.83, "宏站", "n78", "在网", dt.date(2021, 3, 1)],
                           ["赣-002", 115.0, 25.9, "微站", "700M", "规划", None]])
    table = read_upload(data, 1000)
    v = validate(table, "wgs84", locator)
    assert v.errors == [] and table.rows.tolist() == [2, 3]
    assert values(v.sites["commissioned"]) == ["2021-03-01", None]
    assert v.sites["band"].tolist() == ["n78", "n28"]


def test_geojson_properties_take_the_same_aliases(locator):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.93, 25.83]},
         "properties": {"站址编号": "G1", "站型": "宏站", "状态": "在网", "频段": "3.5G",
                        "经度": "ignored: the geometry is the position"}}]}
    v = check(orjson.dumps(fc), locator)
    assert v.errors == []
    assert v.sites[["site_id", "type", "status", "band"]].iloc[0].tolist() == \
        ["G1", "macro", "on_air", "n78"]


def test_a_second_header_row_is_skipped_and_rows_keep_their_numbers(locator):
    data = (",".join(CHINESE_HEADER) + "\n" + ",".join(CSV_COLUMNS) + "\n"
            "A1,114.93,25.83,宏站,,在网,\nA2,abc,25.83,宏站,,在网,\n").encode()
    v = check(data, locator)
    assert v.sites["row"].tolist() == [3] and v.rows_read == 2
    (error,) = v.errors
    assert (error["row"], error["column"], error["code"]) == (4, "lon", "not_a_number")


def test_empty_unnamed_columns_are_dropped_but_unnamed_data_is_refused(locator):
    v = check(b"site_id,lon,lat,type,status,\nA1,114.93,25.83,macro,on_air,\n", locator)
    assert v.errors == [] and len(v.sites) == 1
    with pytest.raises(UploadRejectedError) as err:
        read_upload(b"site_id,lon,lat,type,status,\nA1,114.93,25.83,macro,on_air,x\n", 10)
    assert [e["code"] for e in err.value.extensions["errors"]] == ["column_without_header"]


def test_unknown_header_names_the_closest_accepted_one():
    with pytest.raises(UploadRejectedError) as err:
        read_upload("站址,经度,纬度,站型,状态\nA1,114.93,25.83,宏站,在网\n".encode(), 10)
    exc = err.value
    assert exc.extensions["unknown_columns"] == ["站址"]
    assert exc.extensions["missing_columns"] == ["site_id"]
    unknown = next(e for e in exc.extensions["errors"] if e["code"] == "unknown_column")
    assert unknown["closest"] == "站址编号 (site_id)"
    assert unknown["reason"].startswith("未知列 站址，是否指 站址编号 (site_id)？")
    assert "did you mean 站址编号 (site_id)?" in unknown["reason"]
    missing = next(e for e in exc.extensions["errors"] if e["code"] == "missing_column")
    assert missing["reason"].startswith("缺少必填列 站址编号")


def test_two_headers_meaning_one_column_are_refused():
    with pytest.raises(UploadRejectedError) as err:
        read_upload("站址编号,站号,经度,纬度,站型,状态\nA,B,114.9,25.8,宏站,在网\n".encode(), 10)
    (error,) = err.value.extensions["errors"]
    assert error["code"] == "duplicate_column" and "站址编号" in error["reason"]


def test_ambiguous_and_unknown_bands_are_row_errors_naming_the_choices(locator):
    data = (b"site_id,lon,lat,type,band,status\n"
            b"A1,114.93,25.83,macro,3.3G,on_air\nA2,114.93,25.83,macro,1.8G,on_air\n")
    first, second = check(data, locator).errors
    assert (first["row"], first["code"]) == (2, "ambiguous_band")
    assert "n77 或 n78" in first["reason"] and "n77 or n78" in first["reason"]
    assert (second["row"], second["code"], second["value"]) == (3, "unknown_band", "1.8G")


def test_a_long_cell_under_a_chinese_header_names_the_canonical_column():
    from geo.errors import UploadTooLargeError

    data = excel_workbook([CHINESE_HEADER[:5] + ["状态"], ["A1", 114.9, 25.8, "宏站", "",
                                                           "在网" * 600]])
    with pytest.raises(UploadTooLargeError) as err:
        read_upload(data, 10)
    (error,) = err.value.extensions["errors"]
    assert (error["row"], error["column"], error["code"]) == (2, "status", "cell_too_long")
