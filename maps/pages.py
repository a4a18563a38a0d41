"""Built map pages and thumbnails for a running service, made once and kept.

A page is a pure function of (map, basemap, URL root) over layers that do not change while the
process runs, so each is built once and kept in memory, and on disk under
``data_dir/cache/maps/pages`` by a hash of everything it depends on (``inputs_digest``: the
maps' and layers' code, the shipped data, the vendored versions; the coverage data
version), so a restart answers its first visitors from the stored page instead of building
it (1-3 s a page). ``prepare_pages_now`` makes them all before the server accepts its first
request (one worker builds each page under a file lock, the others read it), then
``start_background`` makes the thumbnails.
The coverage map also depends on the site store and the target overrides: its pages are kept
per (scenario, data version) and rebuilt once after an import or an override
(``maps.coverage_data.CoverageSource``). Thumbnails are PNGs made by headless Chromium
from the served offline-basemap page (its vendor files routed inside Chromium), cached on
disk under ``data_dir/cache/maps`` by the same hash as the
stored pages, so a data change makes new ones and a restart finds them without building a
page (a build holds the GIL while the first requests wait).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import os
import threading
from pathlib import Path

from geo.cache_lock import build_lock, lock_path
from geo.catalog import BuildContext
from maps.assets import AssetMode
from maps.base import MapOptions
from maps.basemaps import NONE, available
from maps.coverage_data import DEFAULT_SCENARIO, SCENARIOS, CoverageMapData, CoverageSource
from maps.errors import CoverageDataMissingError
from maps.registry import get_map
from maps.render import page
from maps.screenshot import Shot, capture, chromium_path

GZIP_LEVEL = 9  # once per page, so the smallest
KEEP_PAGES = 12  # stored pages per map (basemaps x years x the last data versions)
THUMB_SIZE = (1200, 800)
THUMB_SCALE = 0.4  # 480 x 320 px
BACKGROUND_NICE = 10  # thumbnails yield the CPU to requests (Linux: per thread, inherited)
BACKGROUND_DELAY_S = 1.0  # let the first requests after start be answered first
STOP_WAIT_S = 20.0  # a shutdown waits at most this long for a thumbnail being made
log = logging.getLogger(__name__)
# one background preparation per process at a time (test processes start many apps)
_PREPARING = threading.Lock()


def inputs_digest(ctx: BuildContext) -> str:
    """Hash of what every page is made from: what the layers are built from
    (``geo.layer_cache.layers_digest``: the ``geo`` code and the shipped data), the code and
    assets of ``maps``, and the vendored npm versions. Reading them takes ~0.05 s; hashing
    the built layers took ~2 s."""
    from geo.layer_cache import layers_digest
    from geo.settings import REPO_ROOT

    digest = hashlib.sha256(layers_digest(ctx.settings).encode())
    here = Path(__file__).parent
    code = [*here.glob("*.py"), *here.glob("*.css"), *here.glob("*.js")]
    lock = REPO_ROOT / "package-lock.json"
    for path in sorted(code) + ([lock] if lock.is_file() else []):
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class MapPages:
    """Cache of rendered pages and thumbnails over one build context (and coverage source)."""

    def __init__(self, ctx: BuildContext, coverage: CoverageSource | None = None) -> None:
        self.ctx = ctx
        self.coverage = coverage
        self._pages: dict[tuple, str] = {}
        self._gzipped: dict[tuple, bytes] = {}  # the same pages compressed (gzipped())
        self._held_version: str | None = None
        self._lock = threading.Lock()
        self._thumb_lock = threading.Lock()
        self._stop = threading.Event()
        self._background: threading.Thread | None = None
        self._building: dict[tuple, threading.Lock] = {}
        self._inputs_digest: str | None = None

    def _coverage_version(self, name: str, scenario: int) -> str | None:
        """The coverage data version ``name``'s page depends on (None for maps without);
        drops the pages of outdated versions. Cheap: nothing is assembled."""
        if not get_map(name).needs_coverage:
            return None
        if self.coverage is None:
            raise CoverageDataMissingError(f"map {name!r} needs a coverage source", map=name)
        version = self.coverage.version(scenario)
        with self._lock:
            if version != self._held_version:
                self._pages = {k: v for k, v in self._pages.items() if len(k) == 3}
                self._held_version = version
        return version

    def _coverage_data(self, key: tuple) -> CoverageMapData | None:
        """The assembled coverage input of a page key (None for maps without coverage)."""
        if len(key) == 3 or self.coverage is None:
            return None
        return self.coverage.data(key[3])

    @staticmethod
    def _key(name: str, basemap: str, root: str, scenario: int,
             version: str | None) -> tuple:
        return (name, basemap, root) if version is None else \
            (name, basemap, root, scenario, version)

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
        return self._page(name, basemap, root, scenario)[1]

    def gzipped(self, name: str, basemap: str = NONE, root: str = "",
                scenario: int = DEFAULT_SCENARIO) -> bytes:
        """The served page of ``name``, gzip-compressed once and kept (what browsers get).

        Compressing a 1-1.6 MB page on every visit took 0.1-0.2 s of the first byte;
        ``prepare_pages`` makes these at start with the pages.
        """
        key, html = self._page(name, basemap, root, scenario)
        with self._lock:
            held = self._gzipped.get(key)
        if held is None:
            held = gzip.compress(html.encode("utf-8"), GZIP_LEVEL, mtime=0)
            with self._lock:
                self._gzipped = {k: v for k, v in self._gzipped.items() if k in self._pages}
                self._gzipped[key] = held
        return held

    def _page(self, name: str, basemap: str, root: str, scenario: int) -> tuple[tuple, str]:
        """(key, page) of ``name``: from memory, from disk, or built (one builder a page)."""
        get_map(name)  # 404 before any work
        key = self._key(name, basemap, root, scenario, self._coverage_version(name, scenario))
        with self._lock:
            found = self._pages.get(key)
            building = self._building.setdefault(key, threading.Lock())
        if found is not None:
            return key, found
        # one builder per page; other pages build (or are answered) meanwhile
        with building:
            found = self._pages.get(key)
            if found is None:
                found = self._stored_or_built(key, name, basemap, root)
                with self._lock:
                    self._pages[key] = found
        with self._lock:
            self._building.pop(key, None)
        return key, found

    def _stored_or_built(self, key: tuple, name: str, basemap: str, root: str) -> str:
        """The page from the disk cache of a previous process, else built (and stored).

        The coverage input is assembled only when the page has to be built: a restart with
        the data unchanged answers the coverage page from disk.
        """
        path = self.page_dir / f"{name}-{self._page_digest(key)}.html"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
        with contextlib.ExitStack() as held:
            # `serve --workers N` start together: one worker builds a page, the others read it
            with contextlib.suppress(OSError):  # a read-only data dir: each builds its own
                held.enter_context(build_lock(path))
                with contextlib.suppress(OSError):
                    return path.read_text(encoding="utf-8")
            return self._built(path, key, name, basemap, root)

    def _built(self, path: Path, key: tuple, name: str, basemap: str, root: str) -> str:
        """Build the page of ``key`` and store it at ``path`` (kept in memory if it cannot)."""
        data = self._coverage_data(key)
        query = "" if data is None else f"&scenario={data.scenario}"
        links = {b: f"{root}/maps/{name}?basemap={b}{query}" for b in self.basemaps()}
        years = {} if data is None else {
            y: f"{root}/maps/{name}?basemap={basemap}&scenario={y}" for y in SCENARIOS}
        options = MapOptions(basemap=basemap, basemap_links=links, scenario_links=years,
                             site_root=root)
        html = page(name, self.ctx, options, AssetMode.served(root), data)
        with contextlib.suppress(OSError):  # a read-only data dir: memory only
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
            tmp.write_text(html, encoding="utf-8")
            tmp.replace(path)
            self._prune(name)
        return html

    @property
    def page_dir(self) -> Path:
        """Where built pages are kept for the next process (``data_dir/cache/maps/pages``)."""
        return self.thumbnail_dir / "pages"

    def _prune(self, name: str) -> None:
        """Keep the newest ``KEEP_PAGES`` stored pages of ``name`` (old data versions go)."""
        stored = sorted(self.page_dir.glob(f"{name}-*.html"), key=lambda p: p.stat().st_mtime)
        for old in stored[:-KEEP_PAGES]:
            old.unlink(missing_ok=True)
            lock_path(old).unlink(missing_ok=True)

    def _page_digest(self, key: tuple) -> str:
        """What a page depends on: its key (map, basemap, root, coverage version) and
        ``inputs_digest`` (code, shipped data, vendored versions)."""
        with self._lock:
            inputs = self._inputs_digest
        if inputs is None:
            inputs = inputs_digest(self.ctx)
            with self._lock:
                self._inputs_digest = inputs
        return hashlib.sha256(repr((key, inputs)).encode()).hexdigest()[:20]

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
        """Make every map's thumbnail now (slow: Chromium; for a background thread).

        Stops between two thumbnails once ``stop_background`` was called.
        """
        from maps.registry import MAPS

        if chromium_path() is None:
            return []
        made: list[Path] = []
        for name in MAPS:
            if self._stop.is_set():
                break
            made.append(self.thumbnail(name))
        return made

    def prepare_pages(self, root: str = "") -> list[str]:
        """Build every map's served page (offline basemap) now, the coverage map per year.

        The coverage pages wait for the coverage result (the service's first runs) and
        assemble the map's input: done here, in the background, a planner's first visit
        finds the page built.
        """
        from maps.registry import MAPS

        built: list[str] = []
        # the coverage map first: its input (scorecard, gaps, sites) is assembled per process,
        # the other pages usually come from the disk cache at once
        for name, spec in sorted(MAPS.items(), key=lambda item: not item[1].needs_coverage):
            if spec.needs_coverage and self.coverage is None:
                continue
            for scenario in (SCENARIOS if spec.needs_coverage else (DEFAULT_SCENARIO,)):
                if self._stop.is_set():
                    return built
                self.gzipped(name, NONE, root, scenario)
                built.append(f"{name}@{scenario}" if spec.needs_coverage else name)
        return built

    def prepare_pages_now(self, root: str = "") -> list[str]:
        """``prepare_pages`` at server start, before the first request is accepted.

        Why before and not in the background: on a fresh data dir a page built while the
        first coverage runs, the tile pyramid and the layers' bytes are made (all at start,
        all holding the GIL in turn) took 6-8 s instead of its 0.7 s alone, so a planner's
        first visit waited. Done first it adds ~10 s to a fresh start (target 60 s); after a
        restart the pages come from disk (~0.1 s). A failure only means a slower first
        visit: it is logged, and the server starts.
        """
        try:
            return self.prepare_pages(root)
        except Exception:
            log.exception("preparing the map pages at start failed")
            return []

    def start_background(self, root: str = "") -> threading.Thread:
        """Prepare the pages and then the thumbnails in a daemon thread (server start).

        The thread runs at a lower priority (``BACKGROUND_NICE``), after a short delay, and
        one at a time per process; the portal shows a placeholder for a thumbnail not made
        yet, so nothing waits for it. ``stop_background`` ends it at shutdown.
        """
        self._stop.clear()
        thread = threading.Thread(target=self._prepare, args=(root,), name="maps-prepare",
                                  daemon=True)
        self._background = thread
        thread.start()
        return thread

    def _prepare(self, root: str) -> None:
        if self._stop.wait(BACKGROUND_DELAY_S):
            return
        with _PREPARING:
            try:
                self.prepare_pages(root)
                with contextlib.suppress(OSError):  # not permitted: stay at normal priority
                    os.nice(BACKGROUND_NICE)  # this thread only (Linux) and its Chromium
                self.prepare_thumbnails()
            except Exception:  # a failed preparation only means a slower first visit
                log.exception("preparing map pages and thumbnails in the background failed")

    def background_done(self, timeout: float | None = None) -> bool:
        """Wait (up to ``timeout`` s) for the background preparation; whether it ended."""
        thread = self._background
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def stop_background(self) -> None:
        """Ask the background preparation to stop; wait briefly for a thumbnail in progress."""
        self._stop.set()
        self.background_done(STOP_WAIT_S)

    def thumbnail(self, name: str) -> Path:
        """The PNG thumbnail of ``name`` (served page, offline basemap), made on first request."""
        get_map(name)
        key = self._key(name, NONE, "inline", DEFAULT_SCENARIO,
                        self._coverage_version(name, DEFAULT_SCENARIO))
        # named by what the page is made from, so a restart finds it without building the
        # page (a Python-heavy build that would hold the GIL while first requests wait)
        target = self.thumbnail_dir / f"{name}-{self._page_digest(key)}.png"
        if target.is_file():
            return target
        # the thread lock for this process's threads, the file lock for other workers
        with self._thumb_lock, build_lock(target):
            if not target.is_file():
                # the served page visitors get (kept in memory or on disk), its vendor files
                # routed inside Chromium: building a self-contained page here held the GIL
                # for 1-2 s a map while the first visitors after a start waited
                html = self.html(name, NONE, "", DEFAULT_SCENARIO)
                tmp = target.with_suffix(".tmp.png")
                capture([Shot(tmp, html=html, served=True)], *THUMB_SIZE, scale=THUMB_SCALE)
                tmp.replace(target)
        return target
