"""Mapbox Vector Tiles (z0-14, WebMercatorQuad) for every layer, pre-rendered into memory.

Serving a cached tile has to cost a dict lookup, so the whole pyramid is rendered once by
tippecanoe and kept; the work is split by job:

* ``grid`` - the WebMercatorQuad addressing (zoom range, tile keys, matrix limits);
* ``tile`` - the values passed around: ``Tile`` (bytes + ETag), ``TileIndex``, ``MISSING``;
* ``pbf`` - the MVT protobuf read and written at the byte level;
* ``pyramid`` - the tippecanoe run over de-duplicated shapes and the per-layer re-encode;
* ``overzoom`` - z13/z14 tiles of Jiangxi-wide layers cut from their z12 parent on demand;
* ``store`` - ``TileStore``, owned by the service: the pyramid, layer sets, overzoom cache;
* ``documents`` - TileJSON, MapLibre style and tileMatrixSetLimits;
* ``basemap`` - the offline basemap's layers (``data/basemap``), tiled as the ``basemap`` set.

The names below are the package's public surface. Nothing here imports the web framework.
"""

from geo.tiles.basemap import BASEMAP_LAYERS, BASEMAP_SET
from geo.tiles.documents import geometry_kind, style, tile_fields, tile_matrix_limits, tilejson
from geo.tiles.grid import (
    BUFFER,
    EXTENT,
    MAX_ZOOM,
    MIN_ZOOM,
    TILE_MATRIX_SET,
    TILE_MATRIX_SET_URI,
    Limits,
    check_tile,
    layer_bounds,
    limits_of,
    lonlat_to_tile,
    tile_key,
    within_limits,
)
from geo.tiles.overzoom import overzoom_layer_tile
from geo.tiles.pyramid import (
    DETAIL_LAYER,
    OVERZOOM_BASE,
    PyramidStats,
    native_maxzooms,
    render_pyramid,
    tile_columns,
    tippecanoe_path,
)
from geo.tiles.store import TileStore, parse_layer_list
from geo.tiles.tile import GZIP_MIN_BYTES, MISSING, MVT_MEDIA_TYPE, Missing, Tile, TileIndex

__all__ = [
    "BASEMAP_LAYERS", "BASEMAP_SET", "BUFFER", "DETAIL_LAYER", "EXTENT", "GZIP_MIN_BYTES",
    "MAX_ZOOM", "MIN_ZOOM", "MISSING",
    "MVT_MEDIA_TYPE", "OVERZOOM_BASE", "TILE_MATRIX_SET", "TILE_MATRIX_SET_URI", "Limits",
    "Missing", "PyramidStats", "Tile", "TileIndex", "TileStore", "check_tile",
    "geometry_kind", "layer_bounds", "limits_of", "lonlat_to_tile", "native_maxzooms",
    "overzoom_layer_tile", "parse_layer_list", "render_pyramid", "style", "tile_columns",
    "tile_fields", "tile_key", "tile_matrix_limits", "tilejson", "tippecanoe_path",
    "within_limits",
]
