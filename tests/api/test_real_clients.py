"""GDAL's OAPIF driver against a real uvicorn server: what GIS staff actually run."""

import subprocess

import numpy as np
import pyogrio
import pytest
import shapely

from geo.layers import LAYERS
from tests.conftest import require_binary

pytestmark = pytest.mark.client


def test_ogrinfo_lists_every_collection_with_right_counts(live_url, ctx):
    ogrinfo = require_binary("ogrinfo")
    listing = subprocess.run([ogrinfo, "-ro", "-so", f"OAPIF:{live_url}/"], capture_output=True,
                             text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    for name in LAYERS:
        assert f": {name} (title:" in listing.stdout
        info = subprocess.run([ogrinfo, "-ro", "-so", f"OAPIF:{live_url}/", name],
                              capture_output=True, text=True, timeout=120)
        assert f"Feature Count: {len(ctx.result(name).gdf)}" in info.stdout, name


def test_gdal_reads_every_feature_through_paging(live_url, ctx):
    for name in ("jiangxi_counties", "parks", "iot_zones"):
        gdf = pyogrio.read_dataframe(f"OAPIF:{live_url}/", layer=name)
        assert len(gdf) == len(ctx.result(name).gdf), name


def test_epsg4490_read_equals_crs84_within_1e9_degrees(live_url):
    crs84 = pyogrio.read_dataframe(f"OAPIF:{live_url}/", layer="counties")
    cgcs = pyogrio.read_dataframe(f"OAPIF:{live_url}/", layer="counties", CRS="EPSG:4490")
    assert cgcs.crs.to_epsg() == 4490
    a = shapely.get_coordinates(crs84.geometry.values)
    b = shapely.get_coordinates(cgcs.geometry.values)
    assert a.shape == b.shape and np.abs(a - b).max() <= 1e-9
