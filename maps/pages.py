"""Built map pages and thumbnails for a running service, made once and kept.

A page is a pure function of (map, basemap, URL root) over layers that do not change while the
process runs, so each is built on first request (well under a second) and kept in memory.
The coverage map also depends on the site store and the target overrides: its pages are kept
per (scenario, data version) and rebuilt once after an import or an override
(``maps.coverage_data.CoverageSource``). Thumbnails are PNGs made by headless Chromium
from the offline page, cached on disk under ``data_dir/cache/maps`` by a hash of the page,
so a data change makes new ones.
"""

from __future__ import annotations

import threading
from pathlib import Path

from geo.catalog import BuildContext
from maps.assets import AssetMode
from maps.base import MapOptions
from maps.basemaps import NONE, available
from maps.coverage_data import DEFAULT_SCENARIO, SCENARIOS, CoverageMapData, CoverageSource
from maps.errors import CoverageDataMissingError
from maps.registry import get_map
from maps.render import content_hash, page
from maps.screenshot import Shot, capture, chromium_path

THUMB_SIZE = (1200, 800)
THUMB_SCALE = 0.4  # 480 x 320 px


class MapPages:
    """Cache of rendered pages and thumbnails over one build context (and coverage source)."""

    def __init__(self, ctx: BuildContext, coverage: CoverageSource | None = None) -> None:
        self.ctx = ctx
        self.coverage = coverage
        self._pages: dict[tuple, str] = {}
        self._coverage_version: str | None = None
        self._lock = threading.Lock()
        self._thumb_lock = threading.Lock()

    def _coverage_data(self, name: str, scenario: int) -> CoverageMapData | None:
        """The coverage input of ``name`` (None for maps without); drops outdated pages."""
        if not get_map(name).needs_coverage:
            return None
        if self.coverage is None:
            raise CoverageDataMissingError(f"map {name!r} needs a coverage source", map=name)
        data = self.coverage.data(scenario)
        with self._lock:
            if data.version != self._coverage_version:
                self._pages = {k: v for k, v in self._pages.items() if len(k) == 3}
                self._coverage_version = data.version
        return data

    @staticmethod
    def _key(name: str, basemap: str, root: str, data: CoverageMapData | None) -> tuple:
        return (name, basemap, root) if data is None else \
            (name, basemap, root, data.scenario, data.version)

    @property
    def thumbnail_dir(self) -> Path:
        """Where thumbnails are kept."""
        return self.ctx.settings.data_dir / "cache" / "maps"

    def basemaps(self) -> list[str]:
        """The basemap ids offered with the context's settings."""
        return available(self.ctx.settings)

    def html(self, name: str, basemap: str = NONE, root: str = "",
             scenario: int = DEFAULT_SCENARIO) -> str:
        """The served page of ``name`` (assets under ``{root}/static/vendor``).

        ``scenario`` (target year) matters only to maps that need coverage data.
        """
        get_map(name)  # 404 before any work
        data = self._coverage_data(name, scenario)
        key = self._key(name, basemap, root, data)
        with self._lock:
            if key not in self._pages:
                query = "" if data is None else f"&scenario={data.scenario}"
                links = {b: f"{root}/maps/{name}?basemap={b}{query}" for b in self.basemaps()}
                years = {} if data is None else {
                    y: f"{root}/maps/{name}?basemap={basemap}&scenario={y}" for y in SCENARIOS}
                options = MapOptions(basemap=basemap, basemap_links=links, scenario_links=years,
                                     site_root=root)
                self._pages[key] = page(name, self.ctx, options, AssetMode.served(root), data)
            return self._pages[key]

    def thumbnails_possible(self) -> bool:
        """Whether thumbnails can be shown: Chromium installed, or some already made."""
        return chromium_path() is not None or any(self.thumbnail_dir.glob("*.png"))

    def cached_thumbnail(self, name: str) -> Path | None:
        """The newest thumbnail of ``name`` already on disk, or None: never builds anything.

        The portal shows a placeholder until one exists (``prepare_thumbnails`` makes them,
        e.g. in a start-up thread), so it never waits for Chromium or a coverage run.
        """
        found = [p for p in self.thumbnail_dir.glob(f"{name}-*.png")
                 if not p.name.endswith(".tmp.png")]
        return max(found, key=lambda p: p.stat().st_mtime, default=None)

    def prepare_thumbnails(self) -> list[Path]:
        """Make every map's thumbnail now (slow: Chromium; for a background thread)."""
        from maps.registry import MAPS

        if chromium_path() is None:
            return []
        return [self.thumbnail(name) for name in MAPS]

    def thumbnail(self, name: str) -> Path:
        """The PNG thumbnail of ``name`` (offline page), made on first request."""
        get_map(name)
        data = self._coverage_data(name, DEFAULT_SCENARIO)
        key = self._key(name, NONE, "inline", data)
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page(name, self.ctx, MapOptions(), AssetMode.inline(), data)
            html = self._pages[key]
        target = self.thumbnail_dir / f"{name}-{content_hash(html)}.png"
        with self._thumb_lock:
            if not target.is_file():
                tmp = target.with_suffix(".tmp.png")
                capture([Shot(tmp, html=html)], *THUMB_SIZE, scale=THUMB_SCALE)
                tmp.replace(target)
        return target
