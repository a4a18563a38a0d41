"""The map registry, written out by hand like ``geo.layers.LAYERS``.

A map is a ``MapSpec`` (``maps.base``): a name (the URL segment and file name), Chinese title
and summary, and a ``build`` function of its inputs only: the layers and options, plus, for a
spec with ``needs_coverage`` (the 5G coverage-gap map), the store-backed
``maps.coverage_data.CoverageMapData``. A new map is a module with a ``SPEC`` added to the
tuple below; the API routes, the index page, the CLI export, the tests over ``MAPS`` and the
benchmark pick it up.
"""

from __future__ import annotations

import folium

from geo.catalog import BuildContext
from maps import coverage, iot, layout, parks, province
from maps.base import MapInputs, MapOptions, MapSpec
from maps.coverage_data import CoverageMapData
from maps.errors import MapNotFoundError

MAPS: dict[str, MapSpec] = {m.SPEC.name: m.SPEC for m in (layout, parks, iot, province,
                                                          coverage)}


def get_map(name: str) -> MapSpec:
    """Look a map up or raise ``MapNotFoundError`` (404)."""
    try:
        return MAPS[name]
    except KeyError:
        raise MapNotFoundError(f"unknown map {name!r}; known maps: {', '.join(MAPS)}",
                               map=name) from None


def build_map(name: str, ctx: BuildContext, options: MapOptions | None = None,
              coverage: CoverageMapData | None = None) -> folium.Map:
    """Build map ``name`` from the context's layers with ``options`` (default: no basemap).

    ``coverage`` is needed by the maps with ``needs_coverage`` (``CoverageDataMissingError``
    without it) and ignored by the others.
    """
    spec = get_map(name)
    inputs = MapInputs.of(ctx, options or MapOptions(),
                          coverage if spec.needs_coverage else None)
    if spec.needs_coverage:
        inputs.require_coverage()
    inputs.spec = spec
    return spec.build(inputs)
