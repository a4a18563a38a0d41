"""The tile store the service owns: every layer's pyramid in memory, layer sets on demand.

A cached tile must be a dict lookup (the HTTP fast path reads ``cached_index`` without a
lock), so the store renders everything once (``geo.tiles.pyramid``) and keeps it. A
multi-layer tile is the concatenation of single-layer tiles (protobuf messages concatenate
into one tile with several layers), built once per layer set and kept for the 32 most
recent sets. Tiles beyond a layer's native zoom are overzoomed from their ancestor on first
request (``geo.tiles.overzoom``) and kept, also when empty; an empty tile with no ancestor
is not kept, so requests anywhere on Earth cannot fill memory.

The offline basemap's layers (``geo.tiles.basemap``: rivers, borders, neighbouring
provinces, seats) are tiled by a second, separate run into ``cache_dir/basemap`` (so the
plan layers' cache and statistics stay as they were) and kept beside the plan layers:
``basemap`` in a layer list stands for all of them, and they combine with plan layers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from geo.catalog import BuildContext, get_layer
from geo.errors import InvalidParameterError
from geo.schema import LayerResult
from geo.tiles.basemap import BASEMAP_LAYERS, basemap_results, expand
from geo.tiles.grid import Limits, check_tile, layer_bounds, limits_of, tile_key
from geo.tiles.overzoom import overzoom_layer_tile
from geo.tiles.pyramid import DETAIL_LAYER, PyramidStats, native_maxzooms, render_pyramid
from geo.tiles.tile import MISSING, Missing, Tile, TileIndex

_SET_CACHE_SIZE = 32


def parse_layer_list(text: str) -> tuple[str, ...]:
    """Split ``counties,parks`` into known layer names (order kept, repeats dropped).

    ``basemap`` expands to every basemap layer (``geo.tiles.basemap.BASEMAP_LAYERS``).
    """
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",")))
    if not names or "" in names:
        raise InvalidParameterError("layers must be a comma-separated list of layer names",
                                    "layers")
    names = expand(names)
    for name in names:
        if name not in BASEMAP_LAYERS:
            get_layer(name)  # LayerNotFoundError (404) for unknown names
    return names


@dataclass
class TileStore:
    """Every layer's tile pyramid in memory, rendered once on first use (thread-safe)."""

    ctx: BuildContext
    cache_dir: Path
    stats: PyramidStats | None = None
    basemap_stats: PyramidStats | None = None
    _basemap: dict[str, LayerResult] = field(default_factory=dict, repr=False)
    _layers: dict[str, TileIndex] = field(default_factory=dict, repr=False)
    _sets: OrderedDict[tuple[str, ...], TileIndex] = field(
        default_factory=OrderedDict, repr=False)
    _maxzooms: dict[str, int] = field(default_factory=dict, repr=False)
    _limits: dict[str, Limits | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_context(cls, ctx: BuildContext) -> TileStore:
        """A store caching under ``data_dir/cache/tiles`` of the context's settings."""
        return cls(ctx, Path(ctx.settings.data_dir) / "cache" / "tiles")

    @property
    def ready(self) -> bool:
        """Whether the pyramid has been rendered."""
        return self.stats is not None

    def result(self, name: str) -> LayerResult:
        """The built layer ``name``: a plan layer (the context's) or a basemap layer."""
        if name in BASEMAP_LAYERS:
            if not self._basemap:
                self._basemap = basemap_results(self.ctx)
            return self._basemap[name]
        return self.ctx.result(name)

    def maxzoom(self, name: str) -> int:
        """Native maximum zoom of a layer (14, or 12 when it reaches beyond Ganzhou)."""
        found = self._maxzooms.get(name)
        if found is None:
            from geo.layers import LAYERS

            detail = (layer_bounds([self.ctx.result(DETAIL_LAYER)])
                      if DETAIL_LAYER in LAYERS else None)
            found = self._maxzooms[name] = native_maxzooms(
                [self.result(name)], detail)[name]
        return found

    def limits(self, name: str) -> Limits | None:
        """The layer's tile ranges per zoom (its ``tileMatrixSetLimits``)."""
        if name not in self._limits:
            self._limits[name] = limits_of(layer_bounds([self.result(name)]))
        return self._limits[name]

    def cached_limits(self, name: str) -> Limits | None | Missing:
        """``limits(name)`` if already computed, else ``MISSING`` (no work, no locking)."""
        return self._limits.get(name, MISSING)

    def ensure(self) -> PyramidStats:
        """Render (or load from the cache) every layer's pyramid, once per store.

        The plan layers' statistics are returned; the basemap's are ``basemap_stats``.
        """
        with self._lock:
            if self.stats is None:
                from geo.layers import LAYERS

                results = [self.ctx.result(name) for name in LAYERS]
                maxzooms = {name: self.maxzoom(name) for name in LAYERS}
                layers, stats = render_pyramid(results, self.cache_dir, maxzooms)
                names = list(BASEMAP_LAYERS)
                basemap, self.basemap_stats = render_pyramid(
                    [self.result(n) for n in names], self.cache_dir / "basemap",
                    {n: self.maxzoom(n) for n in names})
                self._layers = {**layers, **basemap}
                for name in self._layers:
                    self.limits(name)
                self.stats = stats
            return self.stats

    def cached_index(self, names: tuple[str, ...]) -> TileIndex | None:
        """The tile index of a layer set if it is already built (no work, no locking)."""
        if len(names) == 1:
            return self._layers.get(names[0])
        return self._sets.get(names)

    def index(self, names: tuple[str, ...]) -> TileIndex:
        """Tile index of a layer set: one layer's own, or the concatenation built once."""
        self.ensure()
        found = self.cached_index(names)
        if found is not None:
            return found
        with self._lock:
            if names not in self._sets:
                self._sets[names] = self._combine(names)
                while len(self._sets) > _SET_CACHE_SIZE:
                    self._sets.popitem(last=False)
            return self._sets[names]

    def _combine(self, names: tuple[str, ...]) -> TileIndex:
        parts = [self._layers[n] for n in names]
        complete = min(p.complete_to for p in parts)
        combos: dict[tuple[int, ...], Tile] = {}
        out = TileIndex(complete_to=complete)
        for key in set().union(*parts):
            if key >> 58 > complete:  # overzoomed tiles: combined on demand
                continue
            tiles = [t for p in parts if (t := p.get(key)) is not None]
            ident = tuple(id(t) for t in tiles)
            tile = combos.get(ident)
            if tile is None:
                tile = combos[ident] = (tiles[0] if len(tiles) == 1 else
                                        Tile(b"".join(t.data for t in tiles)))
            out[key] = tile
        return out

    def tile(self, names: tuple[str, ...], z: int, x: int, y: int) -> Tile | None:
        """The tile ``z/x/y`` of a layer set; None when it is empty; 404 error when invalid.

        Beyond a layer's native zoom the tile is overzoomed from its ancestor once and kept.
        """
        check_tile(z, x, y)
        index = self.index(names)
        key = tile_key(z, x, y)
        found = index.lookup(z, key)
        if not isinstance(found, Missing):
            return found
        parts = [t for n in names if (t := self._layer_tile(n, z, x, y, key)) is not None]
        if not parts:
            return None  # not kept: empty tiles anywhere on Earth must not fill memory
        tile = parts[0] if len(parts) == 1 else Tile(b"".join(t.data for t in parts))
        index[key] = tile
        return tile

    def _layer_tile(self, name: str, z: int, x: int, y: int, key: int) -> Tile | None:
        """One layer's tile; an overzoomed one is kept (also when empty) if it has a parent."""
        index = self._layers[name]
        found = index.lookup(z, key)
        if isinstance(found, Missing):
            base = index.complete_to
            dz = z - base
            parent = index.get(tile_key(base, x >> dz, y >> dz))
            if parent is None:
                return None
            data = overzoom_layer_tile(parent.data, dz, x & ((1 << dz) - 1), y & ((1 << dz) - 1))
            found = index[key] = None if data is None else Tile(data)
        return found
