"""QGIS 3.22 headless, as GIS staff use it: OAPIF layers, XYZ vector tiles, the QGIS bundle."""

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from geo.layers import LAYERS
from tests.conftest import SYSTEM_PYTHON, require_qgis

pytestmark = pytest.mark.client
PROBE = Path(__file__).parent.parent / "clients" / "qgis_probe.py"
LIVE = ("county_scorecard", "base_station_totals", "coverage_gaps")  # store-backed


@pytest.fixture(scope="module")
def qgis_report(live_url, tmp_path_factory):
    require_qgis()
    import urllib.request

    with urllib.request.urlopen(f"{live_url}/collections/counties/download/qgis") as r:
        bundle = zipfile.ZipFile(io.BytesIO(r.read()))
    folder = tmp_path_factory.mktemp("qgis")
    folder.chmod(0o700)
    bundle.extractall(folder)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(folder)}
    proc = subprocess.run([SYSTEM_PYTHON, str(PROBE), live_url, str(folder / "counties.gpkg"),
                           ",".join([*LAYERS, *LIVE])], capture_output=True, text=True, timeout=600,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(LAYERS))
def test_qgis_loads_collection_with_count_and_geometry_type(qgis_report, ctx, name):
    got = qgis_report["collections"][name]
    gdf = ctx.result(name).gdf
    assert got["valid"] and got["count"] == len(gdf)
    expected = "Point" if set(gdf.geometry.dropna().geom_type) == {"Point"} else "MultiPolygon"
    assert got["geometry"] == expected
    assert "name" in got["fields"] or "place_name" in got["fields"] or "indicator" in got["fields"]


def test_qgis_loads_xyz_vector_tiles(qgis_report):
    assert qgis_report["tiles"]["valid"]


def test_qgis_applies_the_bundled_style(qgis_report):
    gpkg = qgis_report["gpkg"]
    assert gpkg["valid"] and gpkg["count"] == 18 and gpkg["crs"] == "EPSG:4326"
    assert gpkg["renderer"] == "categorizedSymbol"


def test_qgis_filters_with_cql2(qgis_report):
    assert qgis_report["subset"] == ["360702", "360703", "360704", "360783"]


def test_qgis_loads_the_store_backed_collections(qgis_report):
    got = qgis_report["collections"]
    assert got["county_scorecard"]["valid"] and got["county_scorecard"]["count"] == 18
    assert got["base_station_totals"]["count"] == 18
    # API key only (docs/security.md): an anonymous QGIS cannot load the gap outlines
    assert not got["coverage_gaps"]["valid"] or got["coverage_gaps"]["count"] <= 0
    assert "pct_of_target_2025" in got["county_scorecard"]["fields"]
