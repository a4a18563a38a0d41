"""Everything a request may need, built once in the app's lifespan and exposed typed.

``Service.start`` builds the plan layers and their feature indexes, the catalog of
collections, the tile pyramid (from its cache when present), seeds the demo inventory into an
empty store and starts the first coverage runs in the background. Routers read these
attributes; nothing is created lazily in a request, so two first requests at once cannot
build two tile stores or run tippecanoe twice.
"""

from __future__ import annotations

from geo.catalog import BuildContext
from geo.collections.catalog import Catalog, build_catalog
from geo.collections.layers import LayerCollection
from geo.collections.sites import SitesCollection
from geo.coverage.holder import CoverageHolder
from geo.crs import CRS84_URI
from geo.inventory.demo import seed_demo_if_empty
from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store import SiteStore, open_store
from geo.tiles import TileStore
from maps.coverage_data import CoverageSource
from maps.pages import MapPages


class Service:
    """The state of one app instance."""

    def __init__(self, settings: AtlasSettings, ctx: BuildContext | None = None) -> None:
        self.settings = settings
        self.ctx = ctx or BuildContext(settings)
        self.store: SiteStore = open_store(settings)
        self.locator = CountyLocator.for_region(settings, settings.inventory_region)
        self.tiles = TileStore.for_context(self.ctx)
        self.coverage = CoverageHolder(self.ctx, self.store)
        self.catalog: Catalog = build_catalog(self.ctx, self.store, self.coverage)
        self._static = frozenset(c.id for c in self.catalog
                                 if isinstance(c, LayerCollection) and c.access == "public")
        self.maps = MapPages(self.ctx, CoverageSource(
            settings, self.store, self.ctx, run=lambda scenario: self.coverage.wait(scenario).run))

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
        """Warm every layer's CRS84 bytes, seed the demo, load tiles, start coverage runs."""
        for collection in self.catalog:
            if collection.tiles:
                collection.template().geometry_json(CRS84_URI)
        seed_demo_if_empty(self.store, self.settings, self.locator)
        self.tiles.ensure()
        self.coverage.start()

    def close(self) -> None:
        """Let a running coverage computation finish and stop the worker."""
        self.coverage.close()
