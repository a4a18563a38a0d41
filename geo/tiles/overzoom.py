"""Server-side overzoom: a z13/z14 tile of a Jiangxi-wide layer cut from its z12 parent.

Rendering the Jiangxi-wide layers only to z12 saves tippecanoe ~35,000 deep tiles nobody
may ask for (bench/README.md); a deep tile is instead made on first request by decoding
the parent, clipping it to the child's quarter or sixteenth plus tippecanoe's buffer,
scaling by 2^dz and re-encoding. That is done here in-process (0.3-0.7 ms per tile)
rather than with tippecanoe's own ``tippecanoe-overzoom``, a subprocess per tile with files
in and out (about 7 ms per tile, measured on the same 560 tiles). Attributes are copied
verbatim; geometry keeps z12 precision (about 2.4 m at this latitude, far below the
~220 m vertex spacing of the boundary data), and shared borders stay shared because both
neighbours come from the same z12 geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry.base import BaseGeometry

from geo.tiles.grid import BUFFER, EXTENT
from geo.tiles.pbf import GeometryWriter, decode_geometry, int_field, len_field, raw_fields


def _ring_area2(ring: Sequence[tuple[int, int]]) -> int:
    """Twice the signed area (surveyor's formula in tile coordinates, y down)."""
    nxt = [*ring[1:], ring[0]]
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, nxt, strict=True))


def _to_shape(gtype: int, parts: list[list[tuple[int, int]]]):
    """A shapely geometry in tile units; MVT v2: a positive-area ring starts a polygon."""
    if gtype == 1:
        return shapely.MultiPoint([p[0] for p in parts])
    if gtype == 2:
        return shapely.MultiLineString([p for p in parts if len(p) >= 2])
    polygons: list[tuple[list, list]] = []
    for ring in parts:
        area = _ring_area2(ring)
        if area > 0:
            polygons.append((ring, []))
        elif area < 0 and polygons:
            polygons[-1][1].append(ring)
    return shapely.MultiPolygon([shapely.Polygon(shell, holes) for shell, holes in polygons])


def _int_coords(coords) -> list[tuple[int, int]]:
    """Coordinates rounded to tile units, consecutive repeats dropped."""
    out: list[tuple[int, int]] = []
    for x, y in coords:
        p = (round(x), round(y))
        if not out or out[-1] != p:
            out.append(p)
    return out


def _encode_shape(gtype: int, geom) -> bytes:
    """MVT geometry of a clipped, scaled shape (rounded; degenerate parts dropped)."""
    writer = GeometryWriter()
    parts = shapely.get_parts(geom)
    if gtype == 1:
        pts = [(round(p.x), round(p.y)) for p in parts if isinstance(p, shapely.Point)]
        if pts:
            writer.points(pts)
    elif gtype == 2:
        for line in parts:
            if isinstance(line, shapely.LineString):
                coords = _int_coords(line.coords)
                if len(coords) >= 2:
                    writer.part(coords, close=False)
    else:
        for poly in parts:
            if not isinstance(poly, shapely.Polygon):
                continue
            shell = _int_coords(poly.exterior.coords)[:-1]
            area = _ring_area2(shell) if len(shell) >= 3 else 0
            if area == 0:
                continue
            writer.part(shell if area > 0 else shell[::-1], close=True)
            for interior in poly.interiors:
                hole = _int_coords(interior.coords)[:-1]
                area = _ring_area2(hole) if len(hole) >= 3 else 0
                if area != 0:
                    writer.part(hole if area < 0 else hole[::-1], close=True)
    return writer.encode()


@dataclass(frozen=True)
class _DecodedLayer:
    """One MVT layer: its name field, the features as shapes and its other fields verbatim."""

    head: bytes
    features: tuple[tuple[bytes, int, BaseGeometry], ...]  # (id/tags fields, type, shape)
    tail: bytes


@lru_cache(maxsize=64)
def _decode_layer(tile: bytes) -> _DecodedLayer:
    """Decode a single-layer tile once (the 4 or 16 children of a parent share it)."""
    head, tail, features = b"", [], []
    for number, layer, _ in raw_fields(tile):
        if number != 3:
            continue
        assert isinstance(layer, bytes)  # Tile.layers: a length-delimited field
        for lnum, value, raw in raw_fields(layer):
            if lnum == 1:
                head = raw
            elif lnum == 2:
                assert isinstance(value, bytes)  # Layer.features: a length-delimited field
                meta, gtype, geometry = [], 0, b""
                for fnum, fvalue, fraw in raw_fields(value):
                    if fnum == 3:
                        assert isinstance(fvalue, int)  # Feature.type: a varint
                        gtype = fvalue
                    elif fnum == 4:
                        assert isinstance(fvalue, bytes)  # Feature.geometry: packed varints
                        geometry = fvalue
                    else:
                        meta.append(fraw)
                if gtype in (1, 2, 3):
                    features.append((b"".join(meta), gtype,
                                     _to_shape(gtype, decode_geometry(geometry))))
            else:
                tail.append(raw)
    return _DecodedLayer(head, tuple(features), b"".join(tail))


def overzoom_layer_tile(parent: bytes, dz: int, col: int, row: int) -> bytes | None:
    """The child ``(col, row)``, ``dz`` zooms below a single-layer MVT tile, or None if empty.

    ``col`` and ``row`` count children inside the parent (0 to 2^dz - 1). Geometry is clipped
    to the child plus ``BUFFER`` units, scaled by 2^dz and rounded; feature ids, attributes,
    keys, values and extent are copied.
    """
    layer = _decode_layer(parent)
    scale = 1 << dz
    size = EXTENT / scale
    x0, y0, margin = col * size, row * size, BUFFER / scale
    rect = (x0 - margin, y0 - margin, x0 + size + margin, y0 + size + margin)
    features = []
    for meta, gtype, shape in layer.features:
        minx, miny, maxx, maxy = shape.bounds
        if minx > rect[2] or maxx < rect[0] or miny > rect[3] or maxy < rect[1]:
            continue
        clipped = shapely.clip_by_rect(shape, *rect)
        if clipped.is_empty:
            continue
        moved = shapely.transform(clipped, lambda c: (c - (x0, y0)) * scale)
        geometry = _encode_shape(gtype, moved)
        if geometry:
            features.append(len_field(2, meta + int_field(3, gtype) + len_field(4, geometry)))
    if not features:
        return None
    return len_field(3, layer.head + b"".join(features) + layer.tail)
