"""The map registry, written out by hand like ``geo.layers.LAYERS``.

A map is a ``MapSpec`` (``maps.base``): a name (the URL segment and file name), Chinese title
and summary, and a ``build`` function of the layers and options only. A new map (the 5G
coverage-gap map, once its analysis layer exists) is a module with a ``SPEC`` added to the
tuple below; the API routes, the index page, the CLI export, the tests over ``MAPS`` and the
benchmark pick it up.
"""

from __future__ import annotations

import folium

from geo.catalog import BuildContext
from maps import iot, layout, parks, province
from maps.base import MapInputs, MapOptions, MapSpec
from maps.errors import MapNotFoundError

MAPS: dict[str, MapSpec] = {m.SPEC.name: m.SPEC for m in (layout, parks, iot, province)}


def get_map(name: str) -> MapSpec:
    """Look a map up or raise ``MapNotFoundError`` (404)."""
    try:
        return MAPS[name]
    except KeyError:
        raise MapNotFoundError(f"unknown map {name!r}; known maps: {', '.join(MAPS)}",
                               map=name) from None


def build_map(name: str, ctx: BuildContext, options: MapOptions | None = None) -> folium.Map:
    """Build map ``name`` from the context's layers with ``options`` (default: no basemap)."""
    return get_map(name).build(MapInputs.of(ctx, options or MapOptions()))
