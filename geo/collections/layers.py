"""A plan layer as a collection: built once at start-up, public, with downloads and tiles."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.collections.base import Access, Parameter, Table, TableBacked, View
from geo.features import FeatureIndex


@dataclass
class LayerCollection(TableBacked):
    """One registered plan layer (``geo.layers.LAYERS``)."""

    index: FeatureIndex
    access: Access = "public"
    parameters: tuple[Parameter, ...] = ()
    downloads: bool = True
    tiles: bool = True
    _table: Table | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        """The layer name."""
        return self.index.name

    @property
    def title(self) -> str:
        """Chinese title of the layer."""
        return self.index.title

    @property
    def description(self) -> str:
        """What the layer shows and where it comes from."""
        assert self.index.result is not None
        return self.index.result.layer.description

    def template(self, view: View | None = None) -> FeatureIndex:
        """The layer's own index (the same for every caller)."""
        return self.index

    def table(self, view: View) -> Table:
        """Every row (the layer is public and the same for everyone)."""
        if self._table is None:
            self._table = Table(self.index)
        return self._table
