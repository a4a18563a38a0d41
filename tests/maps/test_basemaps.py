"""Basemap choice: offline default, 天地图 only with a key, 高德 shifts overlays to GCJ-02."""

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from maps.base import MapOptions
from maps.basemaps import available, get_basemap
from maps.errors import BasemapUnavailableError
from maps.registry import build_map
from tests.maps.helpers import geojson_features, title_block

GEOD = Geod(ellps="WGS84")


def test_tianditu_is_offered_only_with_a_key(settings, keyed_ctx):
    assert "tianditu" not in available(settings)
    assert available(keyed_ctx.settings) == ["none", "osm", "tianditu", "gaode"]
    with pytest.raises(BasemapUnavailableError) as err:
        get_basemap("tianditu", settings)
    assert err.value.status == 400 and err.value.parameter == "basemap"


def test_unknown_basemap_is_400(settings):
    with pytest.raises(BasemapUnavailableError):
        get_basemap("google", settings)


def test_offline_basemap_has_no_tiles(settings):
    b = get_basemap("none", settings)
    assert b.tiles == () and b.hosts == frozenset() and not b.gcj02


def _first_vertex(m):
    f = geojson_features(m, "atlas-county")[0]["feature"]
    return shapely.get_coordinates(shape(f["geometry"]))[0]


def test_gaode_shifts_overlays_to_gcj02_and_says_so(ctx):
    plain = build_map("layout", ctx)
    gaode = build_map("layout", ctx, MapOptions(basemap="gaode"))
    (lon1, lat1), (lon2, lat2) = _first_vertex(plain), _first_vertex(gaode)
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    assert 300 < metres < 900  # the GCJ-02 offset in Ganzhou is about 600 m
    assert "GCJ-02" in title_block(gaode).basemap_note
    assert gaode.get_bounds() != plain.get_bounds()


def test_osm_and_tianditu_keep_wgs84(keyed_ctx, ctx):
    plain = _first_vertex(build_map("layout", ctx))
    for basemap in ("osm", "tianditu"):
        m = build_map("layout", keyed_ctx, MapOptions(basemap=basemap))
        assert list(_first_vertex(m)) == list(plain)
