"""Bulk downloads of a layer, written once into the data dir and reused.

Files live under ``<ATLAS_DATA_DIR>/cache/downloads/<version>/`` where the version hashes the
layer's built rows and geometries and the source of the modules that write the files (not
just the package version string, which a code change need not bump), so a data or code
change never serves a stale file. Files are written to a temporary name and renamed
(``cached``, also used by ``geo.qgis.bundle``), so a reader never sees a half-written one.
The QGIS bundle is a zip of the GeoPackage (with the style stored in its ``layer_styles``
table, which QGIS applies on load) plus the same style as a ``.qml`` file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo import __version__
from geo.cache_lock import build_lock, log_build
from geo.errors import UnsupportedFormatError
from geo.export import FORMATS, write
from geo.formats import DOWNLOADS
from geo.qml import layer_qml
from geo.schema import LayerResult
from geo.settings import AtlasSettings

DOWNLOAD_FORMATS = tuple(DOWNLOADS)
SUFFIX = {name: f.suffix for name, f in DOWNLOADS.items()}


_WRITERS = ("export.py", "downloads.py", "qml.py", "styles.py", "schema.py")
# Results are immutable and live as long as the process; each one's rows are hashed once
# (keyed by identity, the result kept alive with its digest, as in geo.metadata).
_FINGERPRINTS: dict[int, tuple[LayerResult, str]] = {}


def fingerprint(result: LayerResult) -> str:
    """A digest of the layer's built rows and geometries (what every download is made of)."""
    hit = _FINGERPRINTS.get(id(result))
    if hit is not None and hit[0] is result:
        return hit[1]
    gdf = result.gdf
    digest = hashlib.sha256(pd.util.hash_pandas_object(
        pd.DataFrame(gdf.drop(columns="geometry")).astype(str), index=False).to_numpy()
        .tobytes())
    digest.update(b"".join(g.wkb if g is not None else b"-" for g in gdf.geometry))
    _FINGERPRINTS[id(result)] = (result, digest.hexdigest())
    return digest.hexdigest()


def code_digest(paths: Iterable[Path]) -> str:
    """A digest of the package version and the source of the modules that write a file."""
    digest = hashlib.sha256(__version__.encode())
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _version(result: LayerResult) -> str:
    writers = code_digest(Path(__file__).parent / name for name in _WRITERS)
    return hashlib.sha256(f"{writers}{fingerprint(result)}".encode()).hexdigest()[:16]


def cached(target: Path, build: Callable[[Path], Path]) -> Path:
    """Return ``target``, first calling ``build(tmp_dir)`` and renaming the file it returns
    into place if it does not exist yet (so a reader never sees a half-written file).

    The build holds ``target``'s inter-process lock (``geo.cache_lock``): when several
    service workers ask for the same new file at once, one builds it and the others wait
    and return it.
    """
    if not target.exists():
        with build_lock(target):
            if not target.exists():
                t0 = time.perf_counter()
                with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
                    os.replace(build(Path(tmp)), target)
                log_build(target.parent, target.name, time.perf_counter() - t0)
    return target


def download_path(result: LayerResult, fmt: str, settings: AtlasSettings) -> Path:
    """Return the file for ``fmt``, creating it on first request."""
    if fmt not in DOWNLOAD_FORMATS:
        raise UnsupportedFormatError(
            f"unknown download format {fmt!r}; choose one of {', '.join(DOWNLOAD_FORMATS)}",
            format=fmt,
        )
    folder = settings.data_dir / "cache" / "downloads" / _version(result)
    return cached(folder / f"{result.layer.name}{SUFFIX[fmt]}",
                  lambda tmp: _build(result, fmt, tmp))


def _build(result: LayerResult, fmt: str, tmp: Path) -> Path:
    if fmt != "qgis":
        return write(result, fmt, tmp / f"{result.layer.name}{FORMATS[fmt]}")
    name = result.layer.name
    gpkg = write(result, "gpkg", tmp / f"{name}.gpkg")
    style = layer_qml(result)
    embed_style(gpkg, name, style)
    bundle = tmp / f"{name}_qgis.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(gpkg, f"{name}.gpkg")
        zf.writestr(f"{name}.qml", style)
        zf.writestr("README.txt", _readme(result))
    return bundle


def embed_style(gpkg: Path, table: str, style_qml: str) -> None:
    """Store ``style_qml`` as the default style of ``table`` (QGIS's layer_styles table)."""
    # closing(): the connection context manager only commits; the file must be released
    with closing(sqlite3.connect(gpkg)) as db, db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
            "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
            "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
            "update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"
        )
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, 'ganzhou-atlas', ?)",
            (table, table, style_qml, "与网页地图一致的样式",
             datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")),
        )


def _readme(result: LayerResult) -> str:
    prov = result.provenance.as_dict()
    sources = "\n".join(f"- {s['path']} (sha256 {s['sha256']})" for s in prov["sources"])
    return (
        f"{result.layer.title} ({result.layer.name})\n{result.layer.description}\n\n"
        f"在 QGIS 中打开 {result.layer.name}.gpkg 即自动应用样式；"
        f"也可加载 {result.layer.name}.qml。\n"
        f"坐标系：WGS 84 (EPSG:4326)。\n\nSources:\n{sources}\nSteps: {'; '.join(prov['steps'])}\n"
        f"Licence: {prov['licence']}\nGenerated: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
