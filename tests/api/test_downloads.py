import io
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pyogrio
import pytest

from tests.conftest import require_binary


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "fgb", "csv"])
def test_download_has_every_feature(client, tmp_path, ctx, fmt):
    r = client.get(f"/collections/parks/download/{fmt}")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="parks.{fmt}"'
    path = tmp_path / f"parks.{fmt}"
    path.write_bytes(r.content)
    if fmt == "csv":
        assert len(r.content.decode("utf-8-sig").splitlines()) > 91
        return
    assert len(pyogrio.read_dataframe(path)) == 91


@pytest.mark.client
def test_downloaded_geopackage_opens_in_gdal_with_crs_and_fields(client, tmp_path):
    ogrinfo = require_binary("ogrinfo")
    path = tmp_path / "counties.gpkg"
    path.write_bytes(client.get("/collections/counties/download/gpkg").content)
    info = subprocess.run([ogrinfo, "-so", str(path), "counties"], capture_output=True,
                          text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert 'ID["EPSG",4326]' in info.stdout or "WGS 84" in info.stdout
    for field in ("adcode: String", "fiveg_tier: String", "parks_count: Integer64",
                  "area_km2: Real"):
        assert field in info.stdout
    assert "Feature Count: 18" in info.stdout


def test_qgis_bundle_holds_gpkg_with_default_style_and_qml(client, tmp_path):
    r = client.get("/collections/counties/download/qgis")
    assert r.headers["content-type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert set(zf.namelist()) == {"counties.gpkg", "counties.qml", "README.txt"}
    qml = ET.fromstring(zf.read("counties.qml").decode().split("\n", 1)[1])
    renderer = qml.find("renderer-v2")
    assert renderer.get("attr") == "layout_unit"
    assert "赣南数谷" in [c.get("value") for c in renderer.iter("category")]
    gpkg = tmp_path / "counties.gpkg"
    gpkg.write_bytes(zf.read("counties.gpkg"))
    with sqlite3.connect(gpkg) as db:
        rows = db.execute("select f_table_name, useAsDefault from layer_styles").fetchall()
    assert rows == [("counties", 1)]


def test_download_colours_match_the_shared_style(client):
    from geo.styles import LAYOUT_UNIT_COLOURS

    zf = zipfile.ZipFile(io.BytesIO(client.get("/collections/counties/download/qgis").content))
    text = zf.read("counties.qml").decode()
    r, g, b = (int(LAYOUT_UNIT_COLOURS["赣南数谷"][i:i + 2], 16) for i in (1, 3, 5))
    assert f"{r},{g},{b}," in text


def test_unknown_download_format_is_422_problem(client):
    r = client.get("/collections/parks/download/shp")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
