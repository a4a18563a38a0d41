"""What the running service holds: the build context and one feature index per layer.

Everything is built once at start-up (about a second), so no request pays for a layer
build; the indexes serialise features lazily per output CRS and keep the bytes.
"""

from __future__ import annotations

from geo.catalog import BuildContext, get_layer
from geo.features import FeatureIndex
from geo.settings import AtlasSettings


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

    def warm(self) -> None:
        """Build every layer and its CRS84 serialisation up front."""
        from geo.crs import CRS84_URI
        from geo.layers import LAYERS

        for name in LAYERS:
            self.index(name).geometry_json(CRS84_URI)
