import io

import geopandas as gpd
import numpy as np
import openpyxl
import orjson
import pytest

from geo.boundaries import ganzhou_counties
from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo.errors import UploadRejectedError, UploadTooLargeError
from geo.inventory.locate import CountyLocator
from geo.inventory.read import read_upload
from geo.inventory.validate import validate

HEADER = "site_id,lon,lat,type,band,status,commissioned\n"
GOOD = HEADER + "A1,114.93,25.83,macro,n78,on_air,2021-03-01\nA2,115.0,25.9,micro,,built,\n"


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def check(data: bytes, locator, coord_sys="wgs84"):
    return validate(read_upload(data, 1000), coord_sys, locator)


def test_good_csv_gets_counties_from_the_spatial_join(locator):
    v = check(GOOD.encode(), locator)
    assert v.errors == [] and list(v.sites["county_adcode"]) == ["360702", "360704"]


def test_gb18030_csv_from_chinese_excel(locator):
    data = (HEADER + "站点一,114.93,25.83,macro,n78,on_air,\n").encode("gb18030")
    assert check(data, locator).sites["site_id"].tolist() == ["站点一"]


def test_xlsx_and_geojson_read_like_csv(locator):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in GOOD.strip().splitlines():
        ws.append([float(c) if c.replace(".", "").isdigit() and "." in c else c
                   for c in line.split(",")])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = check(buf.getvalue(), locator)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.93, 25.83]},
         "properties": {"site_id": "A1", "type": "macro", "status": "on_air"}}]}
    gj = check(orjson.dumps(fc), locator)
    assert xlsx.errors == [] and len(xlsx.sites) == 2
    assert gj.errors == [] and gj.sites["county_adcode"].tolist() == ["360702"]


@pytest.mark.parametrize(("line", "column", "reason"), [
    ("A9,abc,25.8,macro,n78,on_air,", "lon", "not a number"),
    ("A9,114.9,95,macro,n78,on_air,", "lat", "out of range"),
    ("A9,121.5,31.2,macro,n78,on_air,", "lon", "outside 赣州市"),
    ("A9,114.9,25.8,tower,n78,on_air,", "type", "unknown type"),
    ("A9,114.9,25.8,macro,n99,on_air,", "band", "unknown band"),
    ("A9,114.9,25.8,macro,n78,live,", "status", "unknown status"),
    ("A9,114.9,25.8,macro,n78,on_air,21/03/2021", "commissioned", "not a date"),
    (",114.9,25.8,macro,n78,on_air,", "site_id", "missing site_id"),
    ("A1,114.9,25.8,macro,n78,on_air,", "site_id", "duplicate"),
])
def test_row_level_errors_name_row_column_value_reason(locator, line, column, reason):
    v = check((GOOD + line + "\n").encode(), locator)
    assert len(v.sites) == 2
    (err,) = [e for e in v.errors if e["column"] == column]
    assert err["row"] == 4 and reason in err["reason"]


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00", b"", b"  \n",
                                  b"site_id,lon\nA,1\n", b"a,b,c\n1,2,3\n", b"{not json",
                                  b'{"type": "Feature"}', b"PK\x03\x04broken zip"])
def test_unreadable_files_are_rejected_whole(data):
    with pytest.raises(UploadRejectedError):
        read_upload(data, 1000)


def test_row_limit(locator):
    with pytest.raises(UploadTooLargeError):
        read_upload(GOOD.encode(), 1)


@pytest.mark.parametrize(("coord_sys", "forward"), [("gcj02", wgs84_to_gcj02),
                                                      ("bd09", wgs84_to_bd09)])
def test_declared_coordinate_system_is_converted_before_the_join(locator, coord_sys, forward):
    lon, lat = forward(np.array([114.9352]), np.array([25.8318]))
    data = (HEADER + f"A1,{lon[0]:.9f},{lat[0]:.9f},macro,,on_air,\n").encode()
    site = check(data, locator, coord_sys).sites.iloc[0]
    assert site["lon"] == pytest.approx(114.9352, abs=1e-7)
    assert site["lat"] == pytest.approx(25.8318, abs=1e-7)


def test_county_join_equals_a_plain_geopandas_sjoin(settings, locator):
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(113.9, 116.7, 20_000), rng.uniform(24.4, 27.3, 20_000)
    ours = locator.locate(lon, lat)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    joined = gpd.sjoin(pts, ganzhou_counties(settings)[["adcode", "geometry"]],
                       predicate="within", how="left")
    theirs = joined[~joined.index.duplicated()]["adcode"]
    assert len(theirs) == len(ours)
    assert np.array_equal(np.where(ours == None, "-", ours),  # noqa: E711
                          theirs.fillna("-").to_numpy(object))
