"""Built map pages and thumbnails for a running service, made once and kept.

A page is a pure function of (map, basemap, URL root) over layers that do not change while the
process runs, so each is built on first request (well under a second) and kept in memory.
Thumbnails are PNGs made by headless Chromium from the offline page, cached on disk under
``data_dir/cache/maps`` by a hash of the page, so a data change makes new ones.
"""

from __future__ import annotations

import threading
from pathlib import Path

from geo.catalog import BuildContext
from maps.assets import AssetMode
from maps.base import MapOptions
from maps.basemaps import NONE, available
from maps.registry import get_map
from maps.render import content_hash, page
from maps.screenshot import Shot, capture, chromium_path

THUMB_SIZE = (1200, 800)
THUMB_SCALE = 0.4  # 480 x 320 px


class MapPages:
    """Cache of rendered pages and thumbnails over one build context."""

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self._pages: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()
        self._thumb_lock = threading.Lock()

    @property
    def thumbnail_dir(self) -> Path:
        """Where thumbnails are kept."""
        return self.ctx.settings.data_dir / "cache" / "maps"

    def basemaps(self) -> list[str]:
        """The basemap ids offered with the context's settings."""
        return available(self.ctx.settings)

    def html(self, name: str, basemap: str = NONE, root: str = "") -> str:
        """The served page of ``name`` (assets under ``{root}/static/vendor``)."""
        get_map(name)  # 404 before any work
        key = (name, basemap, root)
        with self._lock:
            if key not in self._pages:
                links = {b: f"{root}/maps/{name}?basemap={b}" for b in self.basemaps()}
                options = MapOptions(basemap=basemap, basemap_links=links)
                self._pages[key] = page(name, self.ctx, options, AssetMode.served(root))
            return self._pages[key]

    def thumbnails_possible(self) -> bool:
        """Whether thumbnails can be shown: Chromium installed, or some already made."""
        return chromium_path() is not None or any(self.thumbnail_dir.glob("*.png"))

    def thumbnail(self, name: str) -> Path:
        """The PNG thumbnail of ``name`` (offline page), made on first request."""
        get_map(name)
        key = (name, NONE, "inline")
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page(name, self.ctx, MapOptions(), AssetMode.inline())
            html = self._pages[key]
        target = self.thumbnail_dir / f"{name}-{content_hash(html)}.png"
        with self._thumb_lock:
            if not target.is_file():
                tmp = target.with_suffix(".tmp.png")
                capture([Shot(tmp, html=html)], *THUMB_SIZE, scale=THUMB_SCALE)
                tmp.replace(target)
        return target
