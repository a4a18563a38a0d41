"""Stores behind the ``SiteStore`` interface; ``open_store`` picks the configured one."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from geo.settings import AtlasSettings
from geo.store.base import SiteStore
from geo.store.sqlite import SqliteSiteStore


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the service's user only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def database_url(settings: AtlasSettings) -> str | None:
    """``ATLAS_DATABASE_URL`` when set (a ``postgresql://`` URL), else None (SQLite)."""
    if settings.database_url is None:
        return None
    url = settings.database_url.get_secret_value()
    if not url.startswith(POSTGRES_SCHEMES):
        raise ValueError("ATLAS_DATABASE_URL must be a postgresql:// URL (unset it to use the "
                         "embedded SQLite store)")  # the URL itself is not echoed
    return url


def open_store(settings: AtlasSettings) -> SiteStore:
    """PostGIS when ``ATLAS_DATABASE_URL`` is set, else the embedded SQLite store.

    Either is created and migrated on first use when empty (docs/postgis.md: a PostGIS
    database at an older schema waits for ``ganzhou-atlas db upgrade``).
    SQLite lives under ``ATLAS_DATA_DIR``. Operators' sites are commercially sensitive: the
    data dir is 0700 and the database files (with their WAL and shared-memory files) 0600,
    whatever the process umask.
    """
    url = database_url(settings)
    if url is not None:
        from geo.store.postgis import PostgisSiteStore  # psycopg only when configured

        return PostgisSiteStore(url, settings)
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


def schema_status(settings: AtlasSettings) -> tuple[str, str, int, int]:
    """(backend, where - password hidden, version stored, version of the code), unmigrated."""
    from geo.store.migrations import LATEST

    url = database_url(settings)
    if url is not None:
        from geo.store.pgconn import redact, schema_version

        return "postgis", redact(url), schema_version(url), LATEST
    path = settings.store_path
    found = 0
    if path.exists():
        with contextlib.closing(sqlite3.connect(path)) as db:
            found = db.execute("PRAGMA user_version").fetchone()[0]
    return "sqlite", str(path), found, LATEST


def upgrade_store(settings: AtlasSettings) -> tuple[int, int]:
    """Apply the missing migrations of the configured store; (version before, after)."""
    url = database_url(settings)
    if url is not None:
        from geo.store.postgis import PostgisSiteStore, upgrade

        versions = upgrade(url)
        PostgisSiteStore(url, settings).close()  # and the counties of the spatial join
        return versions
    before = schema_status(settings)[2]
    open_store(settings)  # SQLite migrates on open
    return before, schema_status(settings)[2]


__all__ = ["SiteStore", "SqliteSiteStore", "database_url", "open_store", "private_dir",
           "schema_status", "upgrade_store"]
