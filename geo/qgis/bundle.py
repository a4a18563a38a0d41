"""Build and cache ``atlas.gpkg``, ``atlas.qgz`` and ``atlas.zip`` (or write them to a folder).

Files live under ``<ATLAS_DATA_DIR>/cache/downloads/atlas-<version>/``: the version hashes
every layer's rows (``geo.downloads.fingerprint``) and the source of the modules that write
the files, so a data or code change never serves a stale file. The GeoPackage does not
depend on the service URL and is built once per version; the project and the zip name the
service (its live layers and connections), so they sit in one sub-folder per service URL,
and only the newest few of those are kept (a request's Host header chooses the URL unless
ATLAS_PUBLIC_URL is set, and each variant holds a copy of the GeoPackage). Each file is
renamed into place once complete (``geo.downloads.cached``); a lock keeps two first
requests in one process from building the same file twice, and an inter-process lock over
one version's variants (``_variants_held``) keeps one worker's pruning from removing a
folder another worker is building into.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from geo import __version__, qml
from geo.cache_lock import build_lock
from geo.downloads import cached, code_digest, fingerprint
from geo.errors import ServiceBusyError
from geo.metadata import layer_metadata
from geo.qgis import connections
from geo.qgis.gpkg import write_atlas_gpkg
from geo.qgis.project import PlanLayer, project
from geo.qgis.qmd import qmd
from geo.qgis.readme import readme
from geo.qgis.tiles import tile_set
from geo.schema import LayerResult
from geo.settings import SHIPPED_DATA_DIR, AtlasSettings

GPKG, QGZ, ZIP = "atlas.gpkg", "atlas.qgz", "atlas.zip"
QGS = "atlas.qgs"
MAX_SERVICE_VARIANTS = 4
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = (*sorted((_PACKAGE / "qgis").glob("*.py")), *(_PACKAGE / name for name in (
    "qml.py", "metadata.py", "styles.py", "export.py", "downloads.py", "schema.py")))
_LOCK = threading.Lock()  # threads of one process; _variants_held adds the workers
# A variant may still be streaming to a client for a while after it was built: it is not
# pruned before this age, and while every variant is younger a new Host is refused (503).
VARIANT_MIN_AGE_S = 600


def version(results: Sequence[LayerResult]) -> str:
    """The cache version of the atlas built from ``results``."""
    digest = hashlib.sha256(code_digest(_CODE).encode())
    sources = SHIPPED_DATA_DIR / "plan" / "sources.yaml"  # seed titles in the metadata
    if sources.exists():
        digest.update(sources.read_bytes())
    for result in results:
        digest.update(f"{result.layer.name}:{fingerprint(result)};".encode())
    return digest.hexdigest()[:16]


def _folder(results: Sequence[LayerResult], settings: AtlasSettings) -> Path:
    return settings.data_dir / "cache" / "downloads" / f"atlas-{version(results)}"


def plan_layers(results: Sequence[LayerResult]) -> list[PlanLayer]:
    """The layers with their complete style (``geo.qml``) and metadata (``geo.metadata``)."""
    return [PlanLayer(r, qml.layer_qml(r), layer_metadata(r)) for r in results]


def _write_gpkg(results: Sequence[LayerResult], path: Path) -> Path:
    return write_atlas_gpkg(results, path, qml.layer_qml, qmd)


def _write_qgz(results: Sequence[LayerResult], service_url: str, path: Path) -> Path:
    text = project(plan_layers(results), service_url, __version__, gpkg=GPKG)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(QGS, text)
    return path


def _extras(results: Sequence[LayerResult], service_url: str) -> dict[str, str]:
    """The small text files of the bundle: metadata, connections, README."""
    files = {f"metadata/{r.layer.name}.qmd": qmd(r) for r in results}
    files[connections.WFS_FILE] = connections.wfs_connections(service_url)
    files[connections.TILES_FILE] = connections.vector_tile_connections(
        service_url, [r.layer.name for r in tile_set(results)])
    files["README.txt"] = readme(results, service_url, __version__)
    return files


def atlas_gpkg(results: Sequence[LayerResult], settings: AtlasSettings) -> Path:
    """The cached GeoPackage of every layer in ``results`` (built on first use)."""
    target = _folder(results, settings) / GPKG
    with _LOCK:
        return cached(target, lambda tmp: _write_gpkg(results, tmp / GPKG))


def _variant(results: Sequence[LayerResult], settings: AtlasSettings, service_url: str) -> Path:
    """The folder of ``service_url``'s project and bundle (the live layers point there).

    Without ``ATLAS_PUBLIC_URL`` the URL comes from the request's Host, which a client
    chooses: at most ``MAX_SERVICE_VARIANTS`` are kept, and a new one is refused while all
    kept ones are younger than ``VARIANT_MIN_AGE_S`` (cycling Host headers cannot make the
    server rebuild bundles or delete a file being sent).
    """
    key = hashlib.sha256(service_url.encode()).hexdigest()[:12]
    folder = _folder(results, settings) / key
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        _make_room(folder.parent)
        folder.mkdir()
    return folder


def _make_room(parent: Path) -> None:
    """Drop the oldest variants beyond the cap, never one younger than the minimum age."""
    variants = sorted((p for p in parent.iterdir() if p.is_dir()),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    excess = variants[MAX_SERVICE_VARIANTS - 1:]
    now = time.time()
    if any(now - p.stat().st_mtime < VARIANT_MIN_AGE_S for p in excess):
        raise ServiceBusyError(
            f"最近已为 {MAX_SERVICE_VARIANTS} 个不同的服务地址生成工程包，请稍后再试，"
            "或由管理员设置 ATLAS_PUBLIC_URL (bundles for too many service addresses were "
            "built recently; set ATLAS_PUBLIC_URL)", retry_after=VARIANT_MIN_AGE_S)
    for old in excess:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _variants_held(results: Sequence[LayerResult], settings: AtlasSettings) -> Iterator[None]:
    """Hold this version's variants, in this process (threads) and across service workers.

    Creating a variant may prune the oldest ones (``_make_room``); without a lock shared by
    the workers, one worker could remove the folder another is still building its project
    or zip into.
    """
    with _LOCK, build_lock(_folder(results, settings) / "variants"):
        yield


def _qgz(results: Sequence[LayerResult], settings: AtlasSettings, service_url: str) -> Path:
    """The project of ``service_url`` (the caller holds ``_variants_held``)."""
    folder = _variant(results, settings, service_url)
    return cached(folder / QGZ, lambda tmp: _write_qgz(results, service_url, tmp / QGZ))


def atlas_qgz(results: Sequence[LayerResult], settings: AtlasSettings,
              service_url: str) -> Path:
    """The cached project for ``service_url`` (its live layers point there)."""
    with _variants_held(results, settings):
        return _qgz(results, settings, service_url)


def atlas_zip(results: Sequence[LayerResult], settings: AtlasSettings,
              service_url: str) -> Path:
    """The cached bundle: project, GeoPackage, metadata, connections, README."""
    gpkg = atlas_gpkg(results, settings)  # one per version, never pruned with a variant
    with _variants_held(results, settings):  # no prune between the project and the zip
        qgz = _qgz(results, settings, service_url)

        def build(tmp: Path) -> Path:
            path = tmp / ZIP
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(qgz, QGZ)
                zf.write(gpkg, GPKG)
                for name, text in _extras(results, service_url).items():
                    zf.writestr(name, text)
            return path

        return cached(qgz.parent / ZIP, build)


def write_bundle(results: Sequence[LayerResult], folder: Path, service_url: str) -> list[Path]:
    """Write the bundle's files, unzipped, into ``folder`` (the CLI's export); returns them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (GPKG, QGZ):
        (folder / name).unlink(missing_ok=True)  # a fresh export, never an older copy
    written = [cached(folder / GPKG, lambda tmp: _write_gpkg(results, tmp / GPKG)),
               cached(folder / QGZ, lambda tmp: _write_qgz(results, service_url, tmp / QGZ))]
    for name, text in _extras(results, service_url).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
