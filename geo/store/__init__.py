"""Stores behind the ``SiteStore`` interface; ``open_store`` picks the configured one."""

from __future__ import annotations

import os
from pathlib import Path

from geo.settings import AtlasSettings
from geo.store.base import SiteStore
from geo.store.sqlite import SqliteSiteStore


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the service's user only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def open_store(settings: AtlasSettings) -> SiteStore:
    """The embedded SQLite store under ``ATLAS_DATA_DIR`` (created and migrated on first use).

    Operators' sites are commercially sensitive: the data dir is 0700 and the database files
    (with their WAL and shared-memory files) 0600, whatever the process umask.
    """
    private_dir(settings.store_path.parent)
    old = os.umask(0o077)
    try:
        store = SqliteSiteStore(settings.store_path)
    finally:
        os.umask(old)
    for suffix in ("", "-wal", "-shm"):
        target = Path(f"{settings.store_path}{suffix}")
        if target.exists():
            os.chmod(target, 0o600)
    return store


__all__ = ["SiteStore", "SqliteSiteStore", "open_store", "private_dir"]
