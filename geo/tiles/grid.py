"""The WebMercatorQuad grid the pyramid is cut on: zoom range, tile keys, lon/lat to tiles.

Every other tiles module, and the HTTP layer in front of them, validates addresses and
computes matrix limits here, so "which tiles exist" has exactly one answer. A tile address
is packed into one int (``tile_key``) because every tile index is a plain dict and a
cached tile request is a single lookup.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from geo.errors import TileOutOfRangeError
from geo.schema import LayerResult

MIN_ZOOM = 0
MAX_ZOOM = 14
EXTENT = 4096  # tile units per tile side
BUFFER = 80  # tippecanoe's default buffer: 5 of 256 pixels = 80 of 4096 tile units
TILE_MATRIX_SET = "WebMercatorQuad"
TILE_MATRIX_SET_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"

Limits = tuple[tuple[int, int, int, int], ...]  # per zoom: min col, min row, max col, max row


def tile_key(z: int, x: int, y: int) -> int:
    """Pack a tile address into one int (the dict key of every tile index)."""
    return (z << 58) | (x << 29) | y


def check_tile(z: int, x: int, y: int) -> None:
    """Raise ``TileOutOfRangeError`` unless ``z/x/y`` is a tile of the served pyramid."""
    if not MIN_ZOOM <= z <= MAX_ZOOM:
        raise TileOutOfRangeError(
            f"zoom {z} is outside the served range {MIN_ZOOM}-{MAX_ZOOM}", zoom=z)
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise TileOutOfRangeError(
            f"tile {z}/{x}/{y} does not exist: column and row must be within 0-{n - 1}",
            zoom=z, column=x, row=y)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """WebMercatorQuad column and row of the tile holding ``lon, lat`` at zoom ``z``."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    s = math.sin(math.radians(lat))
    y = int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def layer_bounds(results: Iterable[LayerResult]) -> list[float]:
    """Lon/lat bounds of the non-null geometries of ``results``."""
    boxes = [r.gdf.geometry.dropna().total_bounds for r in results]
    return [round(float(f(b[i] for b in boxes)), 6) for i, f in enumerate((min, min, max, max))]


def limits_of(bounds: Sequence[float]) -> Limits | None:
    """Tile column/row ranges per zoom 0-14 of a lon/lat box (None when it has no extent)."""
    if not all(math.isfinite(v) for v in bounds):
        return None
    out = []
    for z in range(MIN_ZOOM, MAX_ZOOM + 1):
        x0, y0 = lonlat_to_tile(bounds[0], bounds[3], z)
        x1, y1 = lonlat_to_tile(bounds[2], bounds[1], z)
        out.append((x0, y0, x1, y1))
    return tuple(out)


def within_limits(limits: Limits | None, z: int, x: int, y: int) -> bool:
    """Whether tile ``z/x/y`` lies inside a collection's ``tileMatrixSetLimits``."""
    if limits is None:
        return True
    x0, y0, x1, y1 = limits[z]
    return x0 <= x <= x1 and y0 <= y <= y1
