"""Vector tiles over HTTP: real pyramid (tippecanoe), decoded with mapbox_vector_tile."""

import gzip

import mapbox_vector_tile
import morecantile
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from api.app import create_app
from geo.tiles import TileStore

MVT = "application/vnd.mapbox-vector-tile"
WMQ = morecantile.tms.get("WebMercatorQuad")
ZHANGGONG = (114.93, 25.83)  # 章贡区, the prefecture seat


@pytest.fixture(scope="module")
def tc(settings, ctx):
    app = create_app(settings, ctx)  # includes the tiles router
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
    assert doc["version"] == 8 and "sprite" not in doc
    assert doc["glyphs"] == "http://testserver/fonts/{fontstack}/{range}.pbf"  # this server
    assert doc["sources"]["atlas"] == {
        "type": "vector", "url": "http://testserver/tiles/counties,parks/tilejson.json"}
    kinds = {(lyr.get("source-layer"), lyr["type"]) for lyr in doc["layers"]}
    assert {("counties", "fill"), ("counties", "line"), ("parks", "circle")} <= kinds
    assert {"counties-label", "parks-label"} <= {lyr["id"] for lyr in doc["layers"]}


def test_style_colours_are_the_maps_and_qgis_colours(tc):
    from geo.styles import LAYOUT_UNIT_COLOURS, PARK_TYPE_COLOURS

    doc = tc.get("/tiles/counties,parks/style.json").json()
    by_id = {lyr["id"]: lyr for lyr in doc["layers"]}
    fill = by_id["counties-fill"]["paint"]["fill-color"]
    assert fill[:2] == ["match", ["to-string", ["get", "layout_unit"]]]
    assert dict(zip(fill[2:-1:2], fill[3:-1:2], strict=True)) == LAYOUT_UNIT_COLOURS
    circle = by_id["parks-circle"]["paint"]["circle-color"]
    assert set(circle[3:-1:2]) == set(PARK_TYPE_COLOURS.values())


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
    first = tc.app.state.service.tiles
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


# ----------------------------------------------------------------- overzoomed province layers

JIANGXI_WIDE = ("prefectures", "jiangxi_counties", "fiveg_targets", "province_layout", "targets",
                "designations", "hubs", "corridors")


def decode_layer(content, name):
    return mapbox_vector_tile.decode(content)[name]["features"]


def test_jiangxi_wide_layers_are_rendered_to_z12_and_ganzhou_ones_to_z14(tc):
    stats = tc.app.state.service.tiles.ensure()
    assert {n for n, z in stats.maxzooms.items() if z == 12} == set(JIANGXI_WIDE)
    assert stats.maxzooms["counties"] == stats.maxzooms["parks"] == 14


@pytest.mark.parametrize("path", ["/tiles/jiangxi_counties/{z}/{x}/{y}.mvt",
                                  "/collections/jiangxi_counties/tiles/WebMercatorQuad/{z}/{y}/{x}"])
def test_z14_tile_over_zhanggong_for_jiangxi_counties_holds_its_county(tc, path):
    z, x, y = xyz(14)
    r = tc.get(path.format(z=z, x=x, y=y))
    assert r.status_code == 200 and r.headers["content-type"] == MVT
    (feature,) = decode_layer(r.content, "jiangxi_counties")
    assert feature["properties"]["adcode"] == "360702"
    assert feature["properties"]["name"] == "章贡区"
    assert shape(feature["geometry"]).area > 0.99 * 4096 ** 2  # the tile lies inside it
    again = tc.get(path.format(z=z, x=x, y=y))  # now kept: served by the fast path
    assert again.content == r.content and again.headers["etag"] == r.headers["etag"]


@pytest.mark.parametrize("z", [13, 14])
def test_overzoomed_borders_stay_shared_and_match_the_native_counties(tc, ctx, z):
    """Overzoomed jiangxi_counties on a 章贡区 border tile: valid, seamless, same as counties.

    The tile holds the point 30% of the way along 章贡区's boundary.
    """
    zhanggong = ctx.result("counties").gdf.set_index("adcode").geometry["360702"]
    point = zhanggong.boundary.interpolate(0.3, normalized=True)
    z, x, y = xyz(z, (point.x, point.y))
    over = {f["properties"]["adcode"]: shape(f["geometry"]) for f in
            decode_layer(get_tile(tc, "jiangxi_counties", z, x, y).content, "jiangxi_counties")}
    native = {f["properties"]["adcode"]: shape(f["geometry"]) for f in
              decode_layer(get_tile(tc, "counties", z, x, y).content, "counties")}
    assert "360702" in over and len(over) >= 2 and set(over) == set(native)
    assert all(p.is_valid for p in over.values())
    box = shapely.box(0, 0, 4096, 4096)
    clipped = [p.intersection(box) for p in over.values()]
    assert sum(p.area for p in clipped) - shapely.union_all(clipped).area < 5  # no overlaps
    for adcode, poly in over.items():  # z12 precision: under 2 tile units off on average
        diff = poly.intersection(box).symmetric_difference(native[adcode].intersection(box))
        assert diff.area < 2 * native[adcode].intersection(box).boundary.length


def test_layer_set_mixing_native_and_overzoomed_layers(tc):
    z, x, y = xyz(14)
    r = get_tile(tc, "counties,jiangxi_counties,parks", z, x, y)
    decoded = mapbox_vector_tile.decode(r.content)
    assert list(decoded)[:2] == ["counties", "jiangxi_counties"]
    assert [f["properties"]["adcode"] for f in decoded["jiangxi_counties"]["features"]] == [
        "360702"]


def test_overzoomed_tile_outside_jiangxi_data_is_204_and_not_kept(tc):
    store = tc.app.state.service.tiles
    store.ensure()
    index = store.cached_index(("jiangxi_counties",))
    size = len(index)
    for x in range(3):
        assert get_tile(tc, "jiangxi_counties", 14, x, 0).status_code == 204
        assert get_tile(tc, "jiangxi_counties,prefectures", 13, x, 0).status_code == 204
    assert len(index) == size  # no parent at z12: nothing to remember


def test_tilejson_declares_native_maxzoom_per_layer(tc):
    doc = tc.get("/tiles/jiangxi_counties/tilejson.json").json()
    assert doc["maxzoom"] == 12 and doc["vector_layers"][0]["maxzoom"] == 12
    doc = tc.get("/tiles/counties,jiangxi_counties/tilejson.json").json()
    assert doc["maxzoom"] == 14
    assert {v["id"]: v["maxzoom"] for v in doc["vector_layers"]} == {
        "counties": 14, "jiangxi_counties": 12}


def test_overzoom_keeps_attributes_and_clips_to_the_child():
    from geo.tiles import overzoom_layer_tile

    parent = mapbox_vector_tile.encode(
        [{"name": "t", "features": [
            {"geometry": "POLYGON ((0 0, 4096 0, 4096 4096, 0 4096, 0 0))",
             "properties": {"name": "全图", "n": 3}, "id": 7},
            {"geometry": "POINT (100 100)", "properties": {"name": "点"}, "id": 8},
            {"geometry": "POINT (4000 4000)", "properties": {"name": "远点"}, "id": 9}]}],
        default_options={"y_coord_down": True})
    child = overzoom_layer_tile(parent, 2, 0, 0)  # the top-left sixteenth
    layer = mapbox_vector_tile.decode(child, default_options={"y_coord_down": True})["t"]
    assert layer["extent"] == 4096
    by_id = {f["id"]: f for f in layer["features"]}
    assert set(by_id) == {7, 8}  # the far point is outside the child + buffer
    assert by_id[7]["properties"] == {"name": "全图", "n": 3}
    assert shape(by_id[7]["geometry"]).bounds == (0, 0, 4176, 4176)  # child + 80 buffer
    assert by_id[8]["geometry"]["coordinates"] == [400, 400]
    corner = mapbox_vector_tile.decode(overzoom_layer_tile(parent, 2, 3, 3),
                                       default_options={"y_coord_down": True})["t"]
    assert {f["id"]: f["geometry"]["coordinates"] for f in corner["features"]}[9] == [3712, 3712]


# ----------------------------------------------------------------- headers and OGC API - Tiles


def vary_tokens(response):
    (value,) = response.headers.get_list("vary")  # one Vary header
    tokens = [t.strip() for t in value.split(",")]
    assert len(tokens) == len(set(tokens)), value  # each token once
    return set(tokens)


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_router_and_fast_path_send_one_vary_each_token_once(tc, encoding):
    """The router's own Vary plus GZipMiddleware's used to read 'Accept-Encoding, Accept-Encoding'.

    A layer set's first tile goes through the router (and the app's middleware); the next
    request is answered by the fast path. Both carry the same single Vary.
    """
    names = "iot_zones,counties" if encoding == "gzip" else "parks,layout_units,counties"
    headers = {"Accept-Encoding": encoding}
    first = get_tile(tc, names, *xyz(8), **headers)  # router: set not rendered yet
    assert first.status_code == 200 and len(first.content) >= 1024
    again = get_tile(tc, names, *xyz(8), **headers)  # fast path
    assert vary_tokens(first) == vary_tokens(again) == {"Accept-Encoding", "Origin"}
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]


def test_overzoomed_first_tile_through_the_router_has_one_vary(tc):
    z, x, y = xyz(13, (115.5, 25.2))
    r = get_tile(tc, "fiveg_targets", z, x, y, **{"Accept-Encoding": "identity"})
    assert r.status_code in (200, 204)
    assert vary_tokens(r) <= {"Accept-Encoding", "Origin"}


@pytest.mark.parametrize("warm", [False, True])
def test_ogc_tile_outside_the_tile_matrix_set_limits_is_404(tc, warm):
    """/req/core/tc-error: outside the declared limits is 404; the XYZ path answers 204."""
    limits = tc.get("/collections/counties/tiles/WebMercatorQuad").json()["tileMatrixSetLimits"]
    z5 = next(lim for lim in limits if lim["tileMatrix"] == "5")
    row, col = z5["minTileRow"], z5["minTileCol"] - 1
    if warm:
        tc.app.state.service.tiles.ensure()  # limits known: the fast path checks them too
    r = tc.get(f"/collections/counties/tiles/WebMercatorQuad/5/{row}/{col}")
    assert r.status_code == 404 and r.json()["type"] == "/problems/tile-out-of-range"
    assert get_tile(tc, "counties", 5, col, row).status_code == 204
    inside = tc.get(f"/collections/counties/tiles/WebMercatorQuad/5/{row}/{col + 1}")
    assert inside.status_code in (200, 204)


def test_ogc_path_takes_one_collection_not_a_layer_list(tc):
    r = tc.get("/collections/counties,parks/tiles/WebMercatorQuad/8/108/209")
    assert r.status_code == 404 and r.json()["type"] == "/problems/layer-not-found"


TILES_CONF = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/"
TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"


def test_conformance_declares_the_tiles_classes_implemented_here(tc):
    classes = tc.get("/conformance").json()["conformsTo"]
    declared = {c.removeprefix(TILES_CONF) for c in classes if c.startswith(TILES_CONF)}
    assert declared == {"core", "tileset", "tilesets-list", "geodata-tilesets", "mvt", "oas30"}


def test_tilesets_list_and_tileset_have_the_required_members(tc):
    """/req/tilesets-list/tileset-links and /req/tileset/description (TMS 2.0 tileSet.json)."""
    collection = tc.get("/collections/jiangxi_counties").json()
    (tiles_link,) = [lk for lk in collection["links"]
                     if lk["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"]
    listing = tc.get(tiles_link["href"]).json()
    (entry,) = listing["tilesets"]
    assert {"dataType", "crs", "links", "tileMatrixSetURI"} <= set(entry)
    rels = {lk["rel"]: lk for lk in entry["links"]}
    assert {"self", TILING_SCHEME} <= set(rels)
    full = tc.get(rels["self"]["href"]).json()
    assert full["dataType"] == "vector" and full["crs"].endswith("/EPSG/0/3857")
    item = next(lk for lk in full["links"] if lk["rel"] == "item")
    assert item["templated"] is True and item["type"] == MVT
    assert {"{tileMatrix}", "{tileRow}", "{tileCol}"} <= set(
        part for part in item["href"].split("/") if part.startswith("{"))
    assert [lim["tileMatrix"] for lim in full["tileMatrixSetLimits"]] == [
        str(z) for z in range(15)]
    (layer,) = full["layers"]
    assert layer["id"] == "jiangxi_counties" and layer["dataType"] == "vector"
    z, x, y = xyz(14)
    tile = tc.get(item["href"].format(tileMatrix=z, tileRow=y, tileCol=x))
    assert tile.status_code == 200 and decode_layer(tile.content, "jiangxi_counties")


def test_openapi_operation_ids_follow_the_tiles_oas30_suffixes(tc):
    """/req/oas30/operation-id (Table 11) and /req/oas30/completeness."""
    paths = tc.get("/api").json()["paths"]
    base = "/collections/{collectionId}/tiles"
    expected = {base: ".collection.vector.getTileSetsList",
                f"{base}/WebMercatorQuad": ".collection.vector.getTileSet",
                f"{base}/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}":
                    ".collection.vector.getTile"}
    for path, suffix in expected.items():
        assert paths[path]["get"]["operationId"].endswith(suffix), path
    tile_params = {p["name"] for p in paths[list(expected)[2]]["get"]["parameters"]}
    assert {"collectionId", "tileMatrix", "tileRow", "tileCol"} <= tile_params


# ----------------------------------------------------------------- the offline basemap set
BASEMAP = ("basemap_neighbours", "basemap_admin", "basemap_rivers", "basemap_places")


def test_basemap_set_tile_over_zhanggong_has_rivers_and_seats(tc):
    for z in (8, 10, 14):  # z14 is overzoomed from z12
        r = get_tile(tc, "basemap", *xyz(z))
        assert r.status_code == 200 and r.headers["content-type"] == MVT
        decoded = mapbox_vector_tile.decode(r.content)
        assert set(decoded) <= set(BASEMAP) and decoded["basemap_rivers"]["features"]
    places = mapbox_vector_tile.decode(get_tile(tc, "basemap_places", *xyz(8)).content)
    names = {f["properties"]["name"] for f in places["basemap_places"]["features"]}
    assert {"赣州市", "章贡区"} <= names
    rivers = mapbox_vector_tile.decode(get_tile(tc, "basemap_rivers", *xyz(10)).content)
    assert {f["properties"]["kind"] for f in rivers["basemap_rivers"]["features"]} <= {
        "其他主要河流", "其他河流", "小河流"}


def test_basemap_layers_combine_with_plan_layers_and_stay_out_of_collections(tc):
    decoded = mapbox_vector_tile.decode(get_tile(tc, "basemap,counties", *xyz(8)).content)
    assert list(decoded)[-1] == "counties" and "basemap_rivers" in decoded
    ids = {c["id"] for c in tc.get("/collections").json()["collections"]}
    assert not ids & set(BASEMAP)
    assert tc.get("/collections/basemap_rivers").status_code == 404
    doc = tc.get("/tiles/basemap/tilejson.json").json()
    assert [v["id"] for v in doc["vector_layers"]] == list(BASEMAP)
    assert doc["maxzoom"] == 12 and "GSHHG" in doc["attribution"]
    store = tc.app.state.service.tiles
    assert store.basemap_stats is not None and set(store.basemap_stats.maxzooms) == set(BASEMAP)
