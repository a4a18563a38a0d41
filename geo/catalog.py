"""Build layers on demand, once each, with their dependencies.

Layers depend on each other (the county summary counts parks, the layout units dissolve
counties), so a build goes through one ``BuildContext`` that caches every result. The API
keeps one context for the life of the process; the CLI makes one per command.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from geo.citations import SeedLibrary
from geo.errors import DataIntegrityError, LayerNotFoundError
from geo.plan import PlanData, load_plan
from geo.schema import Layer, LayerResult
from geo.settings import AtlasSettings


@dataclass
class BuildContext:
    """Shared inputs of one build: settings, the plan data and built layers."""

    settings: AtlasSettings
    _results: dict[str, LayerResult] = field(default_factory=dict, repr=False)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    # geo.layer_cache: the inputs' digest and the layers already on disk under it
    _digest: str | None = field(default=None, repr=False)
    _stored: frozenset[str] = field(default=frozenset(), repr=False)
    _built: set[str] = field(default_factory=set, repr=False)  # built here, not given

    @property
    def _building(self) -> list[str]:
        """Layers being built in this thread, innermost last."""
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        return self._local.stack

    @cached_property
    def plan(self) -> PlanData:
        """The cited plan data from ``data/plan``."""
        return load_plan(self.settings.plan_dir)

    @cached_property
    def seeds(self) -> SeedLibrary:
        """The shipped seed copies, for checking citations."""
        return SeedLibrary(self.settings.plan_dir / "seeds")

    def with_settings(self, settings: AtlasSettings) -> BuildContext:
        """A context for ``settings`` that reuses the layers built here.

        Layers depend only on the shipped data, so apps with other data dirs (tests, the
        CLI beside a server) can share them; a different shipped data dir builds afresh.
        """
        if settings is self.settings:
            return self
        if settings.shipped_data_dir != self.settings.shipped_data_dir:
            return BuildContext(settings)
        return BuildContext(settings, self._results)

    def layers_digest(self) -> str:
        """Hash of what the layers are built from (``geo.layer_cache``), computed once."""
        if self._digest is None:
            from geo.layer_cache import layers_digest

            self._digest = layers_digest(self.settings)
        return self._digest

    def load_stored_layers(self) -> list[str]:
        """Take the layers a previous process stored for these inputs (``geo.layer_cache``);
        returns their names. Layers built afterwards are stored by ``store_layers``."""
        from geo.layer_cache import cache_path, load_layers
        from geo.layers import LAYERS

        if set(LAYERS) <= set(self._results):  # all in memory already (shared context)
            return []
        stored = load_layers(cache_path(self.settings, self.layers_digest()))
        fresh = {n: r for n, r in stored.items() if n not in self._results}
        self._results.update(fresh)
        self._stored = frozenset(stored)
        return sorted(fresh)

    def store_layers(self) -> None:
        """Store the built layers for the next process, if any was built since loading."""
        from geo.layer_cache import cache_path, store_layers

        if self._built <= self._stored:  # nothing built here that the file lacks
            return
        store_layers(cache_path(self.settings, self.layers_digest()), self._results)
        self._stored = frozenset(self._results)

    def result(self, name: str) -> LayerResult:
        """Return the built layer ``name``, building it (and its inputs) on first use."""
        if self._building:
            reader = get_layer(self._building[-1])
            if name not in reader.depends_on:
                raise DataIntegrityError(
                    f"layer {reader.name!r} reads {name!r} without declaring it in depends_on",
                    layer=reader.name)
        if name not in self._results:
            self._building.append(name)
            try:
                self._results[name] = get_layer(name).build_result(self)
                self._built.add(name)
            finally:
                self._building.pop()
        return self._results[name]


def get_layer(name: str) -> Layer:
    """Look a layer up in the registry or raise ``LayerNotFoundError``."""
    from geo.layers import LAYERS

    try:
        return LAYERS[name]
    except KeyError:
        raise LayerNotFoundError(
            f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}", layer=name
        ) from None
