"""QGIS 3.22 headless opens the one-click project from the live service, as an analyst would.

Downloads ``/downloads/atlas.zip`` from the real server, unzips it and runs
tests/clients/qgis_project_probe.py with the system Python (where QGIS's bindings live):
every layer valid with its count, styled, with Chinese aliases and metadata; the print
layout with its items, exported to PNG; the county labels QGIS's labeling engine places on
the layout map; the live OGC API - Features layers valid while the service runs.
"""

import io
import json
import os
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from geo.layers import LAYERS
from geo.qgis.project import layer_id
from geo.qml import layer_qml
from tests.conftest import SYSTEM_PYTHON, require_qgis

pytestmark = pytest.mark.client
PROBE = Path(__file__).parent.parent / "clients" / "qgis_project_probe.py"
COUNTY_LAYER = "赣州市县级行政区"


@pytest.fixture(scope="module")
def bundle_dir(live_url, tmp_path_factory):
    require_qgis()
    with urllib.request.urlopen(f"{live_url}/downloads/atlas.zip", timeout=300) as r:
        assert r.headers["Content-Type"] == "application/zip"
        data = r.read()
    folder = tmp_path_factory.mktemp("atlas_qgis")
    folder.chmod(0o700)
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return folder


@pytest.fixture(scope="module")
def report(bundle_dir):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(bundle_dir)}
    proc = subprocess.run([SYSTEM_PYTHON, str(PROBE), str(bundle_dir)], capture_output=True,
                          text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_project_opens(report):
    assert report["read"] and report["crs"] == "EPSG:4547"
    assert report["title"] == "赣州市数字经济空间布局"


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_gpkg_layer_is_valid_with_its_count_style_aliases_and_metadata(report, ctx,
                                                                              name):
    got = report["layers"][layer_id(name, "gpkg")]
    result = ctx.result(name)
    assert got["valid"] and got["provider"] == "ogr" and got["source"].endswith(
        f"atlas.gpkg|layername={name}")
    assert got["count"] == len(result.gdf)
    generated = ET.fromstring(layer_qml(result)).find("renderer-v2").get("type")
    assert got["renderer"] == generated
    assert got["labels"]
    for column in result.layer.schema.columns:
        assert got["aliases"][column.name] == column.title
    assert got["metadata"]["title"] == result.layer.title
    assert got["metadata"]["abstract"].startswith(result.layer.title)


def test_gpkg_opened_alone_is_styled_with_metadata_from_gpkg_metadata(report):
    got = report["gpkg_direct"]
    assert got["valid"] and got["count"] == 18 and got["renderer"] == "categorizedSymbol"
    assert got["aliases"]["adcode"] == "行政区划代码"
    # IDENTIFIER gives only the title; abstract and licence come from the gpkg_metadata row
    assert got["metadata"]["abstract"].startswith("赣州市县级行政区：")
    assert any("审图号" in licence for licence in got["metadata"]["licenses"])


def test_layers_start_in_a_sensible_draw_order(report):
    local = [v for v in report["layers"].values() if v["group"] == "规划图层 (atlas.gpkg)"]
    assert len(local) == len(LAYERS)
    shown = {v["name"] for v in local if v["visible"]}
    assert shown == {"功能区(示意位置)", "园区与平台", "赣州市县级行政区", "江西省设区市"}


def test_print_layout_has_every_item(report):
    lay = report["layout"]
    assert lay["count"] == 1 and lay["page_mm"] == [297.0, 210.0]
    assert "赣州市数字经济空间布局" in lay["labels"]
    assert any("审图号" in text for text in lay["labels"])
    assert lay["pictures"] == [":/images/north_arrows/layout_default_north_arrow.svg"]
    assert lay["maps"] == 1 and lay["legends"] == 1
    assert lay["scalebars"] == [{"units": "公里", "linked": True}]
    assert lay["map"]["crs"] == "EPSG:4547"
    assert COUNTY_LAYER in lay["map"]["layers"] and COUNTY_LAYER in lay["legend_layers"]
    assert set(lay["map"]["blocking"]) == {"north_arrow", "scalebar"}


def test_layout_exports_a_non_blank_png(report):
    lay = report["layout"]
    assert lay["export_status"] == 0  # QgsLayoutExporter.Success
    assert lay["png_colours"] > 500, lay["png_colours"]


def test_every_county_label_is_placed_on_the_layout_map(report, ctx):
    placed = report["layout"]["map_labels"]
    counties = set(ctx.result("counties").gdf["name"])
    counts = {layer: len(texts) for layer, texts in placed.items()}
    assert set(placed.get(COUNTY_LAYER, [])) == counties and len(counties) == 18, counts


@pytest.mark.parametrize("name", list(LAYERS))
def test_live_oapif_layers_are_valid_while_the_service_runs(report, ctx, name):
    got = report["layers"][layer_id(name, "oapif")]
    assert got["valid"] and got["provider"] == "OAPIF"
    assert got["group"] == "在线服务 (需连接服务)" and not got["visible"]
    assert got["aliases"][ctx.result(name).layer.schema.id_column]


def test_live_vector_tile_layer_is_valid(report):
    tiles = report["layers"]["atlas_vector_tiles"]
    assert tiles["valid"] and tiles["provider"] == "vectortile"
