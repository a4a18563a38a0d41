"""Vector tiles: OGC API - Tiles per collection, XYZ tiles per layer set, TileJSON, style.

Every tile comes from the in-memory pyramid of ``geo.tiles.TileStore`` (rendered once, on
the first tile request of the process, in a worker thread). A tile request is a dict lookup:
the handlers are ``async`` and do no other work. The answer is built by
``api.tile_http.tile_reply``, shared with the ASGI fast path so both ways in agree:

* ``200`` ``application/vnd.mapbox-vector-tile`` with a strong ``ETag`` and
  ``Cache-Control: public, max-age=86400``; gzip-encoded (kept after the first time) when
  the client accepts gzip and the tile is at least 1 KiB, identical bytes otherwise;
* ``304`` for a matching ``If-None-Match``;
* ``204`` (no body) for a tile of the pyramid with no features;
* ``404`` problem+json for an unknown layer and for a tile outside zoom 0-14 or outside
  the zoom's matrix (``tile-out-of-range``); on the OGC path also for a tile outside the
  collection's ``tileMatrixSetLimits`` (OGC API - Tiles /req/core/tc-error).

Jiangxi-wide layers are rendered to z12 only; their z13/z14 tiles are overzoomed from the
z12 parent on first request (in a worker thread) and then kept, so the fast path serves
them afterwards. TileJSON declares each layer's native maximum zoom in ``vector_layers``.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.problems import PROBLEM_RESPONSES
from api.responses import JSON, base_url, json_response
from api.tile_http import layer_names, tile_reply
from geo.catalog import get_layer
from geo.errors import ResourceNotFoundError, TileOutOfRangeError
from geo.schema import LayerResult
from geo.tiles import (
    MAX_ZOOM,
    MIN_ZOOM,
    MISSING,
    MVT_MEDIA_TYPE,
    TILE_MATRIX_SET,
    TILE_MATRIX_SET_URI,
    Tile,
    TileStore,
    check_tile,
    geometry_kind,
    layer_bounds,
    style,
    tile_key,
    tile_matrix_limits,
    tilejson,
    within_limits,
)

router = APIRouter(responses=PROBLEM_RESPONSES)
_INTEGER = re.compile(r"-?[0-9]{1,12}")
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILE_RESPONSES: dict[int | str, dict] = {
    200: {"description": "Mapbox Vector Tile",
          "content": {MVT_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
    204: {"description": "The tile is inside the pyramid but holds no features"},
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
}


def tile_store(request: Request) -> TileStore:
    """The app's tile store (built by the service at start-up)."""
    return request.app.state.service.tiles


def _int_param(request: Request, name: str) -> int:
    value = request.path_params[name]
    if not _INTEGER.fullmatch(value):
        raise ResourceNotFoundError(f"瓦片坐标须为整数 {name} must be an integer, not "
                                    f"{value!r}", segment=name)
    return int(value)


async def _tile(request: Request, names: tuple[str, ...], z: int, x: int, y: int,
                ogc: bool = False) -> Response:
    check_tile(z, x, y)
    store = tile_store(request)
    if ogc and not within_limits(store.limits(names[0]), z, x, y):
        raise TileOutOfRangeError(
            f"tile {z}/{y}/{x} (matrix/row/col) is outside the tileMatrixSetLimits of "
            f"collection {names[0]!r}", zoom=z, row=y, column=x)
    index = store.cached_index(names)
    tile = MISSING if index is None else index.lookup(z, tile_key(z, x, y))
    if tile is MISSING:  # first request of the process or layer set, or an overzoomed tile
        tile = await run_in_threadpool(store.tile, names, z, x, y)
    return tile_response(request, tile)


def tile_response(request: Request, tile: Tile | None) -> Response:
    """The shared tile answer (``api.tile_http.tile_reply``) as a Starlette response."""
    status, headers, body = tile_reply(tile, dict(request.scope["headers"]))
    response = Response(body, status_code=status)
    response.raw_headers = headers
    return response


# The tile handlers take the bare Request and read their path parameters themselves: FastAPI's
# per-parameter validation costs more than the whole lookup. The parameters are documented
# through ``openapi_extra`` instead, with the same names and types.
def _path_param(name: str, description: str, example: int | str, integer: bool = True) -> dict:
    schema = {"type": "integer"} if integer else {"type": "string"}
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema, "example": example}


_ZOOMS = f"{MIN_ZOOM}-{MAX_ZOOM}"
OGC_TILE_PARAMS = [
    _path_param("collectionId", "Collection id", "counties", integer=False),
    _path_param("tileMatrix", f"Tile matrix (zoom level) of WebMercatorQuad, {_ZOOMS}", 8),
    _path_param("tileRow", "Row (y, from the north)", 108),
    _path_param("tileCol", "Column (x, from the west)", 209),
]
XYZ_TILE_PARAMS = [
    _path_param("layers", "Comma-separated layer names; one MVT layer each, in this order",
                "counties,parks", integer=False),
    _path_param("z", f"Zoom level, {_ZOOMS}", 8),
    _path_param("x", "Column, from the west", 209),
    _path_param("y", "Row, from the north", 108),
]


@router.get("/collections/{collectionId}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}",
            operation_id=".collection.vector.getTile", summary="Vector tile of a collection",
            response_class=Response, responses=TILE_RESPONSES,
            openapi_extra={"parameters": OGC_TILE_PARAMS})
async def collection_tile(request: Request) -> Response:
    """One WebMercatorQuad tile (row = y, column = x) of a collection as MVT."""
    names = (get_layer(request.path_params["collectionId"]).name,)  # 404 when unknown
    return await _tile(request, names, _int_param(request, "tileMatrix"),
                       _int_param(request, "tileCol"), _int_param(request, "tileRow"), ogc=True)


@router.get("/tiles/{layers}/{z}/{x}/{y}.mvt", operation_id="getVectorTile",
            summary="Vector tile of one or more layers (XYZ)", response_class=Response,
            responses=TILE_RESPONSES, openapi_extra={"parameters": XYZ_TILE_PARAMS})
async def xyz_tile(request: Request) -> Response:
    """Tile ``z/x/y`` with one MVT layer per name of the comma-separated ``layers``."""
    return await _tile(request, layer_names(request.path_params["layers"]),
                       _int_param(request, "z"), _int_param(request, "x"),
                       _int_param(request, "y"))


def _results(request: Request, names: tuple[str, ...]) -> list[LayerResult]:
    store = tile_store(request)  # plan layers and the basemap's (not collections)
    return [store.result(n) for n in names]


@router.get("/tiles/{layers}/tilejson.json", operation_id="getTileJSON",
            summary="TileJSON of a layer set")
def tilejson_doc(request: Request, layers: str) -> Response:
    """TileJSON 3.0.0: absolute tile URL template, bounds, fields, per-layer native maxzoom."""
    names = layer_names(layers)
    url = f"{base_url(request)}/tiles/{','.join(names)}/{{z}}/{{x}}/{{y}}.mvt"
    store = tile_store(request)
    maxzooms = {n: store.maxzoom(n) for n in names}
    return json_response(tilejson(_results(request, names), url, ",".join(names), maxzooms))


@router.get("/tiles/{layers}/style.json", operation_id="getStyle",
            summary="MapLibre style of a layer set")
def style_doc(request: Request, layers: str) -> Response:
    """A MapLibre GL style drawing and labelling the layers (local glyphs, no sprites)."""
    names = layer_names(layers)
    url = f"{base_url(request)}/tiles/{','.join(names)}/tilejson.json"
    return json_response(style(_results(request, names), url, ",".join(names)))


def _tileset(request: Request, result: LayerResult) -> dict:
    name = result.layer.name
    href = f"{base_url(request)}/collections/{name}/tiles/{TILE_MATRIX_SET}"
    return {
        "title": f"{result.layer.title} (MVT, {TILE_MATRIX_SET})",
        "dataType": "vector",
        "crs": WEB_MERCATOR,
        "tileMatrixSetURI": TILE_MATRIX_SET_URI,
        "links": [
            {"rel": "self", "type": JSON, "title": "Tileset metadata", "href": href},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "type": JSON,
             "title": TILE_MATRIX_SET,
             "href": "https://schemas.opengis.net/tms/2.0/json/examples/tilematrixset/"
                     "WebMercatorQuad.json"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/geodata", "type": JSON,
             "title": result.layer.title,
             "href": f"{base_url(request)}/collections/{name}"},
            {"rel": "item", "type": MVT_MEDIA_TYPE, "templated": True,
             "title": "Tiles (Mapbox Vector Tile)",
             "href": f"{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"},
        ],
    }


@router.get("/collections/{collectionId}/tiles", operation_id=".collection.vector.getTileSetsList",
            summary="Tilesets of a collection")
def tilesets(request: Request, collectionId: str) -> Response:
    """OGC API - Tiles tileset list: one vector tileset in WebMercatorQuad."""
    result = request.app.state.service.ctx.result(collectionId)  # 404 when unknown
    href = f"{base_url(request)}/collections/{collectionId}/tiles"
    return json_response({"links": [{"rel": "self", "type": JSON, "href": href}],
                          "tilesets": [_tileset(request, result)]})


@router.get("/collections/{collectionId}/tiles/WebMercatorQuad",
            operation_id=".collection.vector.getTileSet",
            summary="Tileset metadata of a collection")
def tileset(request: Request, collectionId: str) -> Response:
    """Tileset metadata: zoom limits, tile matrix limits and the layer it holds."""
    result = request.app.state.service.ctx.result(collectionId)  # 404 when unknown
    bounds = layer_bounds([result])
    doc = _tileset(request, result)
    doc["tileMatrixSetLimits"] = tile_matrix_limits(bounds)
    doc["boundingBox"] = {"lowerLeft": bounds[:2], "upperRight": bounds[2:],
                          "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    doc["layers"] = [{"id": collectionId, "title": result.layer.title, "dataType": "vector",
                      "geometryDimension": {"polygon": 2, "line": 1, "point": 0}[
                          geometry_kind(result)],
                      "minTileMatrix": str(MIN_ZOOM), "maxTileMatrix": str(MAX_ZOOM)}]
    return json_response(doc)
