"""Built layers kept on disk between processes, so a restart does not rebuild them.

Every layer is a pure function of the ``geo`` code and the shipped data (the registry's
contract), so the built frames are stored once under
``data_dir/cache/layers/<digest>.pickle``, keyed by a hash of exactly those inputs
(``layers_digest``), and a new process - a restart, or each ``serve --workers`` worker -
loads them in ~0.2 s instead of building them (~1.5 s, most of a cached start-up).

The file lives in the service's own data dir, which only the service writes (the same
trust as its SQLite store); a file that cannot be read back (truncated, another Python) is
ignored and the layers are built as before. Only the newest file is kept.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path

from geo.schema import LayerResult
from geo.settings import AtlasSettings

log = logging.getLogger(__name__)
_GEO = Path(__file__).resolve().parent


def layers_digest(settings: AtlasSettings) -> str:
    """Hash of what the layers are built from: the ``geo`` code and the shipped data files
    (~0.05 s to read)."""
    digest = hashlib.sha256()
    shipped = settings.shipped_data_dir
    files = sorted(p for p in shipped.rglob("*") if p.is_file()) if shipped.is_dir() else []
    for path in sorted(_GEO.rglob("*.py")) + files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_path(settings: AtlasSettings, digest: str) -> Path:
    """Where the layers built from ``digest``'s inputs are kept."""
    return settings.data_dir / "cache" / "layers" / f"{digest[:24]}.pickle"


def load_layers(path: Path) -> dict[str, LayerResult]:
    """The stored layers, or {} when there are none or the file cannot be read back."""
    try:
        with path.open("rb") as fh:
            stored = pickle.load(fh)
    except FileNotFoundError:
        return {}
    except Exception:  # noqa: BLE001 - any unreadable cache just means building again
        log.warning("ignoring unreadable layer cache %s", path, exc_info=True)
        return {}
    from geo.catalog import get_layer
    from geo.errors import LayerNotFoundError

    out = {}
    try:
        for name, (gdf, provenance) in stored.items():
            try:  # this process's layer definitions; the frames and provenance from the file
                out[name] = LayerResult(get_layer(name), gdf, provenance)
            except LayerNotFoundError:
                continue
    except (AttributeError, TypeError, ValueError):  # not the shape store_layers writes
        log.warning("ignoring a layer cache of another shape: %s", path)
        return {}
    return out

def store_layers(path: Path, results: dict[str, LayerResult]) -> None:
    """Write ``results`` atomically (temp file + rename) and drop older digests' files."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump({n: (r.gdf, r.provenance) for n, r in results.items()}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob("*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only data dir: build at every start, as before
        log.warning("could not store the layer cache under %s", path.parent, exc_info=True)
