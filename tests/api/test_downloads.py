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
        assert len(r.content.decode("utf-8-sig").splitlines()) > len(ctx.result("parks").gdf)
        return
    assert len(pyogrio.read_dataframe(path)) == len(ctx.result("parks").gdf)


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


def test_unknown_download_format_is_a_404_problem(client):
    """A format outside the path's enumeration names no resource."""
    r = client.get("/collections/parks/download/shp")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


# The whole atlas for QGIS: /downloads/atlas.gpkg, atlas.qgz, atlas.zip (geo/qgis/)


def test_atlas_gpkg_holds_every_public_layer_with_its_style(client, tmp_path, ctx):
    from geo.layers import LAYERS

    r = client.get("/downloads/atlas.gpkg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geopackage+sqlite3"
    assert r.headers["content-disposition"] == 'attachment; filename="atlas.gpkg"'
    path = tmp_path / "atlas.gpkg"
    path.write_bytes(r.content)
    counts = {name: pyogrio.read_info(path, layer=name)["features"]
              for name, _ in pyogrio.list_layers(path)}
    # GDAL lists the style table as an attribute table too (as in a GeoPackage QGIS styled)
    assert counts.pop("layer_styles") == len(LAYERS)
    assert counts == {name: len(ctx.result(name).gdf) for name in LAYERS}
    with sqlite3.connect(path) as db:
        styles = dict(db.execute("SELECT f_table_name, useAsDefault FROM layer_styles"))
        described = {t for (t,) in db.execute("SELECT table_name FROM gpkg_metadata_reference")}
    assert styles == dict.fromkeys(LAYERS, 1) and described == set(LAYERS)


@pytest.mark.client
def test_atlas_gpkg_opens_in_gdal_with_every_layer_and_the_style_rows(client, tmp_path, ctx):
    from geo.layers import LAYERS

    ogrinfo = require_binary("ogrinfo")
    path = tmp_path / "atlas.gpkg"
    path.write_bytes(client.get("/downloads/atlas.gpkg").content)
    for name in LAYERS:
        info = subprocess.run([ogrinfo, "-so", str(path), name], capture_output=True,
                              text=True, timeout=60)
        assert info.returncode == 0, info.stderr
        assert f"Feature Count: {len(ctx.result(name).gdf)}\n" in info.stdout
    styles = subprocess.run([ogrinfo, str(path), "-sql", "SELECT f_table_name, useAsDefault "
                             "FROM layer_styles"], capture_output=True, text=True, timeout=60)
    assert styles.returncode == 0, styles.stderr
    assert styles.stdout.count("useAsDefault (Integer(Boolean)) = 1\n") == len(LAYERS)
    for name in LAYERS:
        assert f"f_table_name (String) = {name}\n" in styles.stdout


def test_atlas_qgz_is_a_project_on_the_request_base_url(client):
    r = client.get("/downloads/atlas.qgz")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == 'attachment; filename="atlas.qgz"'
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert zf.namelist() == ["atlas.qgs"]
    qgs = ET.fromstring(zf.read("atlas.qgs").decode())
    sources = [m.findtext("datasource") for m in qgs.iter("maplayer")]
    assert "./atlas.gpkg|layername=counties" in sources
    assert "url='http://testserver' typename='counties'" in sources


def test_atlas_zip_bundles_project_gpkg_metadata_connections_and_readme(client):
    from geo.layers import LAYERS

    r = client.get("/downloads/atlas.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(r.content)).namelist())
    assert names == {"atlas.qgz", "atlas.gpkg", "README.txt", "qgis_oapif_connection.xml",
                     "qgis_vectortile_connection.xml",
                     *(f"metadata/{name}.qmd" for name in LAYERS)}
    readme = zipfile.ZipFile(io.BytesIO(r.content)).read("README.txt").decode()
    assert "审图号" in readme and "http://testserver" in readme


def test_atlas_downloads_are_built_once_then_served_from_the_cache(client):
    first = client.get("/downloads/atlas.zip")
    again = client.get("/downloads/atlas.zip")
    assert first.headers["etag"] == again.headers["etag"]
    assert first.headers["last-modified"] == again.headers["last-modified"]


def test_atlas_downloads_are_in_openapi_with_their_media_types(client):
    paths = client.get("/api").json()["paths"]
    for path, media_type in (("/downloads/atlas.gpkg", "application/geopackage+sqlite3"),
                             ("/downloads/atlas.qgz", "application/zip"),
                             ("/downloads/atlas.zip", "application/zip")):
        responses = paths[path]["get"]["responses"]
        assert media_type in responses["200"]["content"]
        assert "application/problem+json" in str(responses)


@pytest.mark.parametrize("layer", ["parks", "counties"])
def test_download_csv_columns_are_the_schema_then_wkt_then_lon_lat(client, layer):
    """The documented column order (README, downloads): a program reading the CSV by
    position (and the .csvt sidecar, typed by position) relies on it."""
    import csv

    schema = client.get(f"/collections/{layer}/schema").json()
    expected = [p for p in schema["properties"] if schema["properties"][p].get("x-ogc-role")
                != "primary-geometry"]
    text = client.get(f"/collections/{layer}/download/csv").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    tail = ["wkt", "lon", "lat"] if layer == "parks" else ["wkt"]
    assert header == expected + tail
