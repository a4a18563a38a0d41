"""Vector tiles over HTTP: real pyramid (tippecanoe), decoded with mapbox_vector_tile."""

import gzip

import mapbox_vector_tile
import morecantile
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from api.app import create_app
from api.routers import tiles
from geo.tiles import TileStore

MVT = "application/vnd.mapbox-vector-tile"
WMQ = morecantile.tms.get("WebMercatorQuad")
ZHANGGONG = (114.93, 25.83)  # 章贡区, the prefecture seat


@pytest.fixture(scope="module")
def tc(settings):
    app = create_app(settings)
    if not any(getattr(r, "path", "").startswith("/tiles/") for r in app.routes):
        app.include_router(tiles.router, tags=["tiles"])
    with TestClient(app) as c:
        yield c


def xyz(z, lonlat=ZHANGGONG):
    t = WMQ.tile(*lonlat, z)
    return z, t.x, t.y


def get_tile(tc, layers, z, x, y, **headers):
    return tc.get(f"/tiles/{layers}/{z}/{x}/{y}.mvt", headers=headers)


def test_z8_tile_over_zhanggong_holds_its_county(tc):
    r = get_tile(tc, "counties", *xyz(8))
    assert r.status_code == 200 and r.headers["content-type"] == MVT
    assert r.headers["cache-control"] == "public, max-age=86400"
    layer = mapbox_vector_tile.decode(r.content)["counties"]
    props = {f["properties"]["adcode"]: f["properties"] for f in layer["features"]}
    assert props["360702"]["name"] == "章贡区"
    assert "citations" not in props["360702"] and "cite" not in props["360702"]


def test_multi_layer_tile_has_one_layer_per_name(tc):
    decoded = mapbox_vector_tile.decode(get_tile(tc, "counties,parks", *xyz(8)).content)
    assert list(decoded) == ["counties", "parks"]
    assert all(f["geometry"]["type"] == "Point" for f in decoded["parks"]["features"])


def test_empty_tile_is_204_without_body(tc):
    r = get_tile(tc, "counties,parks", 5, 0, 0)
    assert r.status_code == 204 and r.content == b""


def test_etag_round_trip(tc):
    for enc in ("identity", "gzip"):
        r = get_tile(tc, "counties", *xyz(8), **{"Accept-Encoding": enc})
        etag = r.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
        again = get_tile(tc, "counties", *xyz(8), **{"Accept-Encoding": enc,
                                                      "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag


def test_identity_and_gzip_clients_get_the_same_tile(tc):
    plain = get_tile(tc, "counties", *xyz(8), **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with tc.stream("GET", "/tiles/counties/{}/{}/{}.mvt".format(*xyz(8)),
                   headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers["content-encoding"] == "gzip"
        raw = b"".join(r.iter_raw())
    assert gzip.decompress(raw) == plain.content
    assert mapbox_vector_tile.decode(plain.content)["counties"]["features"]


def test_ogc_and_xyz_paths_serve_the_same_bytes(tc):
    z, x, y = xyz(9)
    ogc = tc.get(f"/collections/counties/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert ogc.status_code == 200 and ogc.headers["content-type"] == MVT
    assert ogc.content == get_tile(tc, "counties", z, x, y).content


@pytest.mark.parametrize("path", ["/tiles/nope/0/0/0.mvt", "/tiles/counties,nope/0/0/0.mvt",
                                  "/collections/nope/tiles/WebMercatorQuad/0/0/0",
                                  "/tiles/nope/tilejson.json", "/collections/nope/tiles"])
def test_unknown_layer_is_404_problem(tc, path):
    r = tc.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/layer-not-found"


@pytest.mark.parametrize("path", ["/tiles/counties/15/0/0.mvt", "/tiles/counties/-1/0/0.mvt",
                                  "/tiles/counties/3/8/0.mvt", "/tiles/counties/3/0/8.mvt",
                                  "/collections/counties/tiles/WebMercatorQuad/2/4/0"])
def test_out_of_range_tile_is_404_problem(tc, path):
    r = tc.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/tile-out-of-range"


def test_tilejson(tc):
    doc = tc.get("/tiles/counties,parks/tilejson.json").json()
    assert doc["tilejson"] == "3.0.0" and (doc["minzoom"], doc["maxzoom"]) == (0, 14)
    assert doc["tiles"] == ["http://testserver/tiles/counties,parks/{z}/{x}/{y}.mvt"]
    west, south, east, north = doc["bounds"]
    assert 113.8 < west < 114.0 and 27.0 < north < 27.3
    layers = {v["id"]: v for v in doc["vector_layers"]}
    assert list(layers) == ["counties", "parks"]
    assert {"adcode", "name"} <= set(layers["counties"]["fields"])


def test_style_is_offline_maplibre_style(tc):
    doc = tc.get("/tiles/counties,parks/style.json").json()
    assert doc["version"] == 8 and "glyphs" not in doc and "sprite" not in doc
    assert doc["sources"]["atlas"] == {
        "type": "vector", "url": "http://testserver/tiles/counties,parks/tilejson.json"}
    kinds = {(lyr.get("source-layer"), lyr["type"]) for lyr in doc["layers"]}
    assert {("counties", "fill"), ("counties", "line"), ("parks", "circle")} <= kinds
    assert all(lyr["type"] != "symbol" for lyr in doc["layers"])


def test_collection_tilesets(tc):
    doc = tc.get("/collections/counties/tiles").json()
    (tileset,) = doc["tilesets"]
    assert tileset["dataType"] == "vector" and tileset["tileMatrixSetURI"].endswith(
        "/WebMercatorQuad")
    item = next(link for link in tileset["links"] if link["rel"] == "item")
    assert item["templated"] and item["href"].endswith(
        "/collections/counties/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    meta = tc.get("/collections/counties/tiles/WebMercatorQuad").json()
    assert meta["tileMatrixSetLimits"][8]["minTileCol"] <= xyz(8)[1]


@pytest.mark.parametrize("z", [4, 6, 8])
def test_neighbouring_counties_share_their_simplified_borders(tc, z):
    """Overlaps and gaps between simplified counties stay below 5 square tile units.

    Simplifying each county on its own leaves hundreds of square units of slivers here.
    """
    layer = mapbox_vector_tile.decode(get_tile(tc, "counties", *xyz(z)).content)["counties"]
    polys = [shape(f["geometry"]) for f in layer["features"]]
    assert len(polys) >= 7 and all(p.is_valid for p in polys)
    union = shapely.union_all(polys)
    assert sum(p.area for p in polys) - union.area < 5
    parts = getattr(union, "geoms", [union])
    assert sum(shapely.Polygon(ring).area for p in parts for ring in p.interiors) < 5


def test_pyramid_is_reloaded_from_the_cache(tc, ctx):
    first = tc.app.state.tile_store
    again = TileStore(ctx, first.cache_dir)
    stats = again.ensure()
    assert stats.from_cache and stats.tiles == first.stats.tiles
    key = next(iter(first.index(("counties",))))
    assert again.index(("counties",))[key].data == first.index(("counties",))[key].data


def test_fast_path_answers_like_the_router(client):
    """Once a layer set is rendered, the ASGI fast path serves it with the same contract."""
    first = client.get("/tiles/counties/8/209/108.mvt")  # renders if needed (router)
    again = client.get("/tiles/counties/8/209/108.mvt", headers={"Origin": "http://x"})
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert again.headers["access-control-allow-origin"] == "*"
    assert client.get("/tiles/counties/5/0/0.mvt").status_code == 204
    cached = client.get("/tiles/counties/8/209/108.mvt",
                        headers={"If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304
    bad = client.get("/tiles/counties/15/0/0.mvt")
    assert bad.status_code == 404 and bad.headers["content-type"] == "application/problem+json"
