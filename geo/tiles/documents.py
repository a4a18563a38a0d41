"""The JSON documents that let map clients find and draw the tiles: TileJSON, style, limits.

They are plain dicts built from the layer results, with absolute URLs passed in by the web
layer, so the library can describe a tileset without knowing about requests. TileJSON
declares each layer's native maximum zoom, so a client overzooms a Jiangxi-wide layer
itself past z12 (the server still answers z13-14); the style needs no glyphs or sprites,
so it works offline.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.schema import LayerResult
from geo.styles import OTHER, LayerStyle, style_for
from geo.tiles.grid import MAX_ZOOM, MIN_ZOOM, layer_bounds, limits_of
from geo.tiles.pyramid import tile_columns


def tile_fields(result: LayerResult) -> dict[str, str]:
    """TileJSON ``fields`` of a layer: attribute name -> its Chinese title."""
    schema = result.layer.schema
    return {name: schema.column(name).title for name in tile_columns(result)}


def geometry_kind(result: LayerResult) -> str:
    """``polygon``, ``line`` or ``point``: how a style draws the layer."""
    types = result.layer.schema.geometry_types
    if types & {"Polygon", "MultiPolygon"}:
        return "polygon"
    if types & {"LineString", "MultiLineString"}:
        return "line"
    return "point"


def tile_matrix_limits(bounds: Sequence[float]) -> list[dict]:
    """OGC ``tileMatrixSetLimits`` of a lon/lat box for zooms 0-14."""
    return [{"tileMatrix": str(z), "minTileRow": y0, "maxTileRow": y1,
             "minTileCol": x0, "maxTileCol": x1}
            for z, (x0, y0, x1, y1) in enumerate(limits_of(bounds) or ())]


def _center(bounds: Sequence[float]) -> list[float]:
    return [round((bounds[0] + bounds[2]) / 2, 4), round((bounds[1] + bounds[3]) / 2, 4)]


def tilejson(results: Sequence[LayerResult], tiles_url: str, name: str,
             maxzooms: dict[str, int] | None = None) -> dict:
    """TileJSON 3.0.0 for a layer set, ``tiles_url`` being the absolute URL template.

    ``maxzooms`` holds each layer's native maximum zoom (default 14): the ``vector_layers``
    entry declares it, and the set's ``maxzoom`` is the highest of them, so a client
    overzooms a Jiangxi-wide layer itself (the server still answers z13-14 with the
    overzoomed tile).
    """
    bounds = layer_bounds(results)
    zooms = {r.layer.name: (maxzooms or {}).get(r.layer.name, MAX_ZOOM) for r in results}
    return {
        "tilejson": "3.0.0",
        "name": name,
        "description": "、".join(r.layer.title for r in results),
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": MIN_ZOOM,
        "maxzoom": max(zooms.values()),
        "bounds": bounds,
        "center": [*_center(bounds), 7],
        "attribution": " ".join(dict.fromkeys(r.layer.licence for r in results)),
        "vector_layers": [
            {"id": r.layer.name, "description": r.layer.title, "minzoom": MIN_ZOOM,
             "maxzoom": zooms[r.layer.name], "fields": tile_fields(r)} for r in results],
    }


def _colour_expression(scheme: LayerStyle) -> str | list:
    """One colour, or ``["match", ["to-string", ["get", attr]], v1, c1, ..., other]``."""
    if scheme.attribute is None or not scheme.categories:
        return scheme.colour
    pairs = [x for value, colour in scheme.categories.items() for x in (value, colour)]
    return ["match", ["to-string", ["get", scheme.attribute]], *pairs, OTHER]


def style(results: Sequence[LayerResult], tilejson_url: str, name: str) -> dict:
    """A MapLibre style (v8) drawing each layer; no glyphs or sprites, so it works offline.

    Colours come from ``geo.styles`` (the web maps' and the QGIS styles' scheme): a layer
    coloured by categories gets a ``match`` expression on its attribute.
    """
    layers: list[dict] = [{"id": "background", "type": "background",
                           "paint": {"background-color": "#f6f5f0"}}]
    for r in results:
        lid = r.layer.name
        scheme = style_for(lid)
        color = _colour_expression(scheme)
        src = {"source": "atlas", "source-layer": lid}
        kind = geometry_kind(r)
        if kind == "polygon":
            layers.append({"id": f"{lid}-fill", "type": "fill", **src,
                           "paint": {"fill-color": color,
                                     "fill-opacity": scheme.fill_opacity}})
        if kind in ("polygon", "line"):
            layers.append({"id": f"{lid}-line", "type": "line", **src,
                           "paint": {"line-color": color, "line-width": 1}})
        if kind == "point":
            layers.append({"id": f"{lid}-circle", "type": "circle", **src,
                           "paint": {"circle-color": color, "circle-radius": 4,
                                     "circle-stroke-color": "#ffffff",
                                     "circle-stroke-width": 1}})
    return {"version": 8, "name": name, "center": _center(layer_bounds(results)), "zoom": 7,
            "sources": {"atlas": {"type": "vector", "url": tilejson_url}},
            "layers": layers}
