"""Everything a request may need, built once in the app's lifespan and exposed typed.

``Service(settings)`` builds the plan layers, their feature indexes, the catalog of
collections, the tile store, the coverage holder and the map pages; ``Service.start`` (the
lifespan) seeds the demo inventory into an empty store, starts the first coverage runs and
loads the tile pyramid in the background. Routers read these attributes; nothing is created
lazily in a request, so two first requests at once cannot build two tile stores or run
tippecanoe twice. The Service also owns the background import jobs (``jobs``): their
worker starts with ``start`` and stops with ``close``.

Under ``ganzhou-atlas serve --workers N`` every worker process builds its own Service on
the same data dir. What a client can observe agrees across them: sites, keys and job
states are in the store; a running job's progress is published to ``data_dir/jobs``;
tiles, downloads and coverage runs are built once under inter-process locks
(``geo.cache_lock``) and read back by the others. Per worker by design: the in-memory page
and tile caches (copies of the same immutable bytes), the import queue cap (it bounds that
worker's memory) and the failed-authentication limiter (``api.security``; deploy/README.md).
"""

from __future__ import annotations

import threading

from geo.cache_lock import ServiceLease, build_lock
from geo.catalog import BuildContext
from geo.collections.catalog import Catalog, build_catalog
from geo.collections.layers import LayerCollection
from geo.collections.sites import SitesCollection
from geo.coverage.holder import CoverageHolder
from geo.crs import CRS84_URI
from geo.inventory.demo import seed_demo_if_empty
from geo.inventory.ingest import import_inventory
from geo.inventory.jobs import ImportJobs, Progress
from geo.inventory.locate import CountyLocator
from geo.inventory.sandbox import ReadLimits
from geo.settings import AtlasSettings
from geo.store import SiteStore, open_store
from geo.store.base import BatchInfo, ImportReport
from geo.tiles import TileStore
from maps.coverage_data import CoverageSource
from maps.pages import MapPages

# Background imports: one worker (two imports write one SQLite database in turn anyway)
# and up to four uploads waiting - at most 5 x ATLAS_MAX_UPLOAD_MB held in memory.
IMPORT_WORKERS = 1
IMPORT_QUEUE = 4


class Service:
    """The state of one app instance."""

    def __init__(self, settings: AtlasSettings, ctx: BuildContext | None = None) -> None:
        self.settings = settings
        self.ctx = ctx or BuildContext(settings)
        self.store: SiteStore = open_store(settings)
        self.locator = CountyLocator.for_region(settings, settings.inventory_region)
        self.tiles = TileStore.for_context(self.ctx)
        self.coverage = CoverageHolder(self.ctx, self.store)
        self.ctx.load_stored_layers()  # a restart reads the built layers (geo.layer_cache)
        self.catalog: Catalog = build_catalog(self.ctx, self.store, self.coverage)
        self.ctx.store_layers()
        self._static = frozenset(c.id for c in self.catalog
                                 if isinstance(c, LayerCollection) and c.access == "public")
        self._warming: threading.Thread | None = None
        self.maps = MapPages(self.ctx, CoverageSource(
            settings, self.store, self.ctx, run=self._newest_run))
        # several `serve --workers` share the data dir: the lease and the progress files
        # keep job status the same whichever worker answers (geo.inventory.jobs)
        self.jobs = ImportJobs(self.store, self._import, workers=IMPORT_WORKERS,
                               queue_cap=IMPORT_QUEUE, lease=ServiceLease(settings.data_dir),
                               progress_dir=settings.data_dir / "jobs")

    def _import(self, data: bytes, info: BatchInfo, progress: Progress) -> ImportReport:
        """One upload as the synchronous route imports it (same limits, same report)."""
        s = self.settings
        return import_inventory(self.store, data, info, self.locator, s.max_upload_rows,
                                s.inventory_region,
                                ReadLimits.from_settings(s, s.max_upload_rows), progress)

    def _newest_run(self, scenario: int):
        """The newest finished run for the public map (stale-while-revalidate, like the API)."""
        held = self.coverage.get(scenario)
        assert held is not None  # get() waits only when no run of this basis exists yet
        return held.run

    @property
    def sites(self) -> SitesCollection:
        """The base-station collection (writes go through the store, reads through here)."""
        collection = self.catalog.get("base_stations")
        assert isinstance(collection, SitesCollection)
        return collection

    def is_static(self, cid: str) -> bool:
        """Whether collection ``cid`` is a public plan layer (its pages never change)."""
        return cid in self._static

    def start(self) -> None:
        """Seed the demo, start the coverage runs, and load tiles and layer bytes.

        The tile pyramid (from its cache: ~0.4 s; cold: tippecanoe, ~3 s) and the layers'
        CRS84 bytes load in a background thread so the server accepts requests at once; a
        tile request that comes before they are ready waits on the store's lock (it never
        starts a second build), a page request serialises its own features.
        """
        self.jobs.start()  # first: marks what a previous process left unfinished as failed
        # a bad ATLAS_TOWNSHIPS_FILE (unknown code, ...) stops the start, not every request
        _ = self.coverage.inputs
        with build_lock(self.settings.data_dir / "demo-seed"):  # workers start together
            seed_demo_if_empty(self.store, self.settings, self.locator)
        self.coverage.start()
        self._warming = threading.Thread(target=self._warm, name="warm-up", daemon=True)
        self._warming.start()

    def _warm(self) -> None:
        self.tiles.ensure()
        for collection in self.catalog:
            if collection.tiles:
                collection.template().geometry_json(CRS84_URI)

    def ready(self, timeout: float | None = None) -> bool:
        """Wait (up to ``timeout`` s) until the warm-up finished; whether it has."""
        warming = self._warming
        if warming is not None:
            warming.join(timeout)
        return warming is None or not warming.is_alive()

    def close(self) -> None:
        """Let a running import, the warm-up and a coverage computation finish; stop them.

        Jobs still queued are marked failed (interrupted): their uploads live in memory.
        """
        self.jobs.close()
        self.ready()
        self.coverage.close()
