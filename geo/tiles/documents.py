"""The JSON documents that let map clients find and draw the tiles: TileJSON, style, limits.

They are plain dicts built from the layer results, with absolute URLs passed in by the web
layer, so the library can describe a tileset without knowing about requests. TileJSON
declares each layer's native maximum zoom, so a client overzooms a Jiangxi-wide layer
itself past z12 (the server still answers z13-14); the style's ``glyphs`` is this server's
own (empty) glyph route and it has no sprites, so it works offline.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from geo.metadata import layer_metadata
from geo.schema import LayerResult
from geo.styles import LABEL_FONT, OTHER, LabelStyle, LayerStyle, label_for, style_for
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


def attribution(results: Sequence[LayerResult]) -> str:
    """TileJSON ``attribution``: the readable licences, then every source (HTML links).

    TileJSON allows HTML here and MapLibre shows it in the map's attribution control, so
    sources with a page are links; titles are escaped, de-duplicated across the set.
    """
    metas = [layer_metadata(r) for r in results]
    licences = " ".join(dict.fromkeys(html.escape(m.licence) for m in metas))
    sources = dict.fromkeys(
        f'<a href="{html.escape(s.href)}">{html.escape(s.title)}</a>' if s.href
        else html.escape(s.title) for m in metas for s in m.sources)
    return f"{licences} 来源：{'；'.join(sources)}"


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
        "attribution": attribution(results),
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


def _px(mm: float) -> float:
    """Millimetres (QGIS's unit in ``geo.styles``) to CSS pixels at 96 dpi."""
    return round(mm * 96 / 25.4, 2)


def _text_font(label: LabelStyle) -> list[str]:
    """MapLibre fontstack; QGIS's converter splits it into the family and its style.

    WenQuanYi Micro Hei has only a Regular face (a "Bold" stack is reported missing by the
    converter), so bold names are not asked for here.
    """
    return [f"{LABEL_FONT} Regular"]


def _symbol_layer(lid: str, scheme: LayerStyle, label: LabelStyle, kind: str) -> dict:
    """A ``symbol`` layer with the same text role as the layer's QML labels."""
    size = round(label.size * 96 / 72, 1)  # points -> px
    layout: dict = {"text-field": ["get", scheme.label],
                    "text-font": _text_font(label), "text-size": size,
                    # lower keys are placed first: the QML priority, inverted
                    "symbol-sort-key": 10 - label.priority,
                    "text-letter-spacing": round(label.letter_spacing / label.size, 3)}
    if kind == "point":
        layout |= {"text-anchor": "top", "text-offset": [0, round(0.5 + label.dist_mm / 4, 2)]}
    return {"id": f"{lid}-label", "type": "symbol", "source": "atlas", "source-layer": lid,
            "layout": layout,
            "paint": {"text-color": label.colour, "text-halo-color": "#ffffff",
                      "text-halo-width": _px(label.buffer_mm)}}


def _geometry_layers(r: LayerResult) -> list[dict]:
    lid = r.layer.name
    scheme = style_for(lid)
    color = _colour_expression(scheme)
    src = {"source": "atlas", "source-layer": lid}
    kind = geometry_kind(r)
    if kind == "polygon":
        return [{"id": f"{lid}-fill", "type": "fill", **src,
                 "paint": {"fill-color": color, "fill-opacity": scheme.fill_opacity}},
                {"id": f"{lid}-line", "type": "line", **src,
                 "paint": {"line-color": scheme.outline,
                           "line-width": _px(scheme.outline_width)}}]
    if kind == "line":
        return [{"id": f"{lid}-line", "type": "line", **src,
                 "paint": {"line-color": color, "line-width": _px(scheme.outline_width)}}]
    return [{"id": f"{lid}-circle", "type": "circle", **src,
             "paint": {"circle-color": color, "circle-radius": 4,
                       "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}}]


def style(results: Sequence[LayerResult], tilejson_url: str, name: str,
          glyphs_url: str | None = None) -> dict:
    """A MapLibre style (v8) drawing and labelling each layer; nothing from the internet.

    Everything comes from ``geo.styles`` (the web maps' and the QGIS styles' scheme): fill
    colours (a ``match`` on the category attribute), outlines, and the label role of the
    QML labels (size, colour, halo, priority). Label layers come after every geometry layer,
    lowest priority first, because MapLibre places the topmost symbols first. ``glyphs``
    is this server's ``/fonts`` route (``geo.tiles.glyphs``); by default it is derived from
    ``tilejson_url``, which is ``<root>/tiles/<layers>/tilejson.json``.
    """
    if glyphs_url is None:
        glyphs_url = tilejson_url.rsplit("/tiles/", 1)[0] + "/fonts/{fontstack}/{range}.pbf"
    layers: list[dict] = [{"id": "background", "type": "background",
                           "paint": {"background-color": "#f6f5f0"}}]
    labels = []
    for r in results:
        layers += _geometry_layers(r)
        kind = geometry_kind(r)
        label = label_for(r.layer.name, kind == "point")
        if style_for(r.layer.name).label in r.layer.schema.names:
            labels.append((label.priority, _symbol_layer(r.layer.name, style_for(r.layer.name),
                                                         label, kind)))
    layers += [layer for _, layer in sorted(labels, key=lambda pair: pair[0])]
    return {"version": 8, "name": name, "center": _center(layer_bounds(results)), "zoom": 7,
            "glyphs": glyphs_url,
            "sources": {"atlas": {"type": "vector", "url": tilejson_url}},
            "layers": layers}
