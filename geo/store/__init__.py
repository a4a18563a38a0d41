"""Stores behind the ``SiteStore`` interface; ``open_store`` picks the configured one."""

from __future__ import annotations

from geo.settings import AtlasSettings
from geo.store.base import SiteStore
from geo.store.sqlite import SqliteSiteStore


def open_store(settings: AtlasSettings) -> SiteStore:
    """The embedded SQLite store under ``ATLAS_DATA_DIR`` (created and migrated on first use)."""
    return SqliteSiteStore(settings.store_path)


__all__ = ["SiteStore", "SqliteSiteStore", "open_store"]
