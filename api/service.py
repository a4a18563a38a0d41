"""What the running service holds: the build context and one feature index per layer.

Everything is built once at start-up (about a second), so no request pays for a layer
build; the indexes serialise features lazily per output CRS and keep the bytes.
"""

from __future__ import annotations

from functools import cached_property

from geo.catalog import BuildContext, get_layer
from geo.features import FeatureIndex
from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store import SiteStore, open_store


class Service:
    """Layers and their feature indexes for one app instance."""

    def __init__(self, settings: AtlasSettings) -> None:
        self.settings = settings
        self.ctx = BuildContext(settings)
        self._indexes: dict[str, FeatureIndex] = {}

    def index(self, name: str) -> FeatureIndex:
        """Feature index of collection ``name`` (404 problem when unknown)."""
        if name not in self._indexes:
            get_layer(name)  # raises LayerNotFoundError for unknown names
            self._indexes[name] = FeatureIndex(self.ctx.result(name))
        return self._indexes[name]

    @cached_property
    def store(self) -> SiteStore:
        """The inventory store (SQLite under ATLAS_DATA_DIR, created on first use)."""
        return open_store(self.settings)

    @cached_property
    def locator(self) -> CountyLocator:
        """Point-in-county lookup for the configured inventory region."""
        return CountyLocator.for_region(self.settings, self.settings.inventory_region)

    def seed_demo_inventory(self) -> int:
        """Load the synthetic inventory into an empty store when the settings ask for it."""
        from geo.inventory.synthetic import load_synthetic

        if not self.settings.demo_inventory or self.store.count() > 0:
            return 0
        return load_synthetic(self.store, self.settings, self.locator)

    def warm(self) -> None:
        """Build every layer and its CRS84 serialisation up front."""
        from geo.crs import CRS84_URI
        from geo.layers import LAYERS

        for name in LAYERS:
            self.index(name).geometry_json(CRS84_URI)
