"""Row errors that say what to fix: a stable code beside a Chinese reason (English beside it),
swapped coordinates, the row of a duplicate's first occurrence, where an outside point is."""

import numpy as np
import pytest

from geo.boundaries import ganzhou_counties
from geo.coords import wgs84_to_gcj02
from geo.inventory.locate import CountyLocator
from geo.inventory.read import read_upload
from geo.inventory.validate import validate
from tests.geo.inventory.excel import excel_workbook

HEADER = "site_id,lon,lat,type,band,status,commissioned\n"
GOOD = HEADER + "A1,114.93,25.83,macro,n78,on_air,2021-03-01\nA2,115.0,25.9,micro,,built,\n"
CODES = {"not_a_number", "out_of_range", "swapped_coordinates", "no_wgs84_position",
         "outside_region", "missing_site_id", "site_id_too_long", "site_id_characters",
         "duplicate_site_id", "unknown_type", "unknown_status", "unknown_band",
         "ambiguous_band", "invalid_date"}


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def errors(text: str, locator, coord_sys="wgs84", region="ganzhou"):
    return validate(read_upload(text.encode(), 1000), coord_sys, locator, region).errors


def chinese_first(reason: str) -> bool:
    return "\u4e00" <= reason[0] <= "\u9fff" and "(" in reason


@pytest.mark.parametrize("line", [
    "A9,abc,25.8,macro,n78,on_air,", "A9,114.9,95,macro,n78,on_air,",
    "A9,121.5,31.2,macro,n78,on_air,", "A9,114.9,25.8,tower,n78,on_air,",
    "A9,114.9,25.8,macro,n99,on_air,", "A9,114.9,25.8,macro,3.3G,on_air,",
    "A9,114.9,25.8,macro,n78,live,", "A9,114.9,25.8,macro,n78,on_air,21/03/2021",
    ",114.9,25.8,macro,n78,on_air,", "A1,114.9,25.8,macro,n78,on_air,",
    "=A9,114.9,25.8,macro,n78,on_air,", "A" * 70 + ",114.9,25.8,macro,n78,on_air,",
    "A9,25.83,114.93,macro,n78,on_air,",
])
def test_every_error_has_row_column_value_code_and_a_chinese_first_reason(locator, line):
    (err,) = errors(GOOD + line + "\n", locator)
    assert set(err) == {"row", "column", "value", "code", "reason"}
    assert err["row"] == 4 and err["code"] in CODES
    assert chinese_first(err["reason"]), err["reason"]


def test_swapped_coordinates_are_named_as_such(locator):
    (err,) = errors(GOOD + "A9,25.83,114.93,macro,,on_air,\n", locator)
    assert (err["row"], err["column"], err["value"], err["code"]) == \
        (4, "lon", "25.83", "swapped_coordinates")
    assert err["reason"].startswith("经纬度可能颠倒") and "lon/lat look swapped" in err["reason"]


def test_swapped_gcj02_pair_is_checked_in_its_own_system(locator):
    lon, lat = wgs84_to_gcj02(np.array([114.93]), np.array([25.83]))
    (err,) = errors(HEADER + f"A1,{lat[0]:.7f},{lon[0]:.7f},macro,,on_air,\n", locator, "gcj02")
    assert err["code"] == "swapped_coordinates"


def test_a_plain_out_of_range_latitude_is_still_out_of_range(locator):
    (err,) = errors(HEADER + "A1,114.93,95,macro,,on_air,\n", locator)
    assert (err["column"], err["code"]) == ("lat", "out_of_range")


def test_duplicate_names_the_row_of_the_first_occurrence(locator):
    found = errors(GOOD + "A3,114.9,25.8,macro,,on_air,\nA1,114.9,25.8,macro,,on_air,\n"
                   "A1,114.9,25.8,macro,,on_air,\nA3,114.9,25.8,macro,,on_air,\n", locator)
    assert [(e["row"], e["code"]) for e in found] == [(5, "duplicate_site_id"),
                                                     (6, "duplicate_site_id"),
                                                     (7, "duplicate_site_id")]
    assert [e["reason"][:12] for e in found] == ["站址编号与第 2 行重复", "站址编号与第 2 行重复",
                                                 "站址编号与第 4 行重复"]
    assert "first in row 4" in found[2]["reason"]


def test_duplicate_rows_count_the_templates_second_header_row(locator):
    data = ("站址编号,经度,纬度,站型,状态\nsite_id,lon,lat,type,status\n"
            "A1,114.93,25.83,宏站,在网\nA1,114.93,25.83,宏站,在网\n").encode()
    (err,) = validate(read_upload(data, 10), "wgs84", locator).errors
    assert err["row"] == 4 and "第 3 行" in err["reason"]


def test_excel_row_numbers_follow_the_sheet(locator):
    data = excel_workbook([["站址编号", "经度", "纬度", "站型", "状态"],
                           ["site_id", "lon", "lat", "type", "status"],
                           ["A1", 114.93, 25.83, "宏站", "在网"], [None] * 5,
                           ["A1", 25.83, 114.93, "宏站", "在网"]])
    found = validate(read_upload(data, 10), "wgs84", locator).errors
    assert [(e["row"], e["code"]) for e in found] == [(5, "swapped_coordinates"),
                                                     (5, "duplicate_site_id")]
    assert "第 3 行" in found[1]["reason"]


def test_a_point_just_outside_names_the_county_it_fell_in(locator):
    (err,) = errors(HEADER + "A1,114.30,26.30,macro,,on_air,\n", locator)  # 遂川县, 吉安市
    assert err["code"] == "outside_region"
    assert err["reason"].startswith("点位不在赣州市内：位于吉安市遂川县")
    assert "point is outside 赣州市" in err["reason"] and "(360827)" in err["reason"]


@pytest.mark.parametrize(("lon", "lat", "zh", "en"), [
    (121.5, 31.2, "江西省外、赣州市以东北", "outside 江西省, north-east of 赣州市"),
    (113.3, 23.1, "江西省外、赣州市以西南", "outside 江西省, south-west of 赣州市"),
    (116.3, 24.6, "江西省外", "outside 江西省"),  # in Ganzhou's extent, in 广东省
])
def test_outside_jiangxi_says_so_and_the_side(locator, lon, lat, zh, en):
    (err,) = errors(HEADER + f"A1,{lon},{lat},macro,,on_air,\n", locator)
    assert err["code"] == "outside_region"
    assert err["reason"].startswith(f"点位不在赣州市内：位于{zh} (")
    assert f"; it is {en})" in err["reason"]


def test_jiangxi_region_and_a_bare_locator_describe_the_side(settings):
    jiangxi = CountyLocator.for_region(settings, "jiangxi")
    (err,) = errors(HEADER + "A1,121.5,31.2,macro,,on_air,\n", jiangxi, region="jiangxi")
    assert err["reason"].startswith("点位不在江西省内：位于江西省以东北 (")
    gdf = ganzhou_counties(settings)
    bare = CountyLocator(list(gdf["adcode"]), list(gdf.geometry))  # no names, no surroundings
    (err,) = errors(HEADER + "A1,114.30,26.30,macro,,on_air,\n", bare)
    assert err["reason"] == "点位不在赣州市内 (point is outside 赣州市 (after wgs84 -> WGS84))"
