"""The live vector-tile layer of the project: its tile URL and a renderer with the QML symbols.

QGIS draws a vector-tile layer with a "basic" renderer: a list of styles, each a symbol for
one source layer and geometry type, optionally filtered by an expression. Reusing each
layer's QML symbols (one style per category, filtered on the category's attribute when the
tiles carry it) makes the tiles look like the GeoPackage layers instead of QGIS's random
default colours.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from geo.qgis.order import draw_order, is_point, shown
from geo.schema import LayerResult
from geo.tiles import MAX_ZOOM, MIN_ZOOM
from geo.tiles.pyramid import tile_columns


@dataclass(frozen=True)
class TileSource:
    """One source layer of the tile set: the built layer and its parsed QML root."""

    result: LayerResult
    qml: ET.Element


def tile_set(results: Iterable[LayerResult]) -> list[LayerResult]:
    """The layers of the live tile layer: those shown at first, bottom first (draw order)."""
    return [r for r in reversed(draw_order(results)) if shown(r)]


def xyz_url(service_url: str, names: Sequence[str]) -> str:
    """The XYZ template of the layer set ``names`` on the service."""
    return f"{service_url}/tiles/{','.join(names)}/{{z}}/{{x}}/{{y}}.mvt"


def xyz_source(service_url: str, names: Sequence[str]) -> str:
    """The vector-tile datasource QGIS 3.22 opens (``type=xyz``, as tests/clients probe).

    The string is a URL query (``QgsDataSourceUri::setEncodedUri`` reads it with ``QUrlQuery``,
    fully decoded), so ``%``, ``&``, ``=``, ``#`` and ``+`` inside the template are
    percent-encoded: a service URL with its own query would otherwise split into keys.
    """
    url = quote(xyz_url(service_url, names), safe=":/{},?;@!$'()*~._-")
    return f"type=xyz&url={url}&zmin={MIN_ZOOM}&zmax={MAX_ZOOM}"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _styles_of(source: TileSource) -> list[tuple[str, str, ET.Element]]:
    """(label, filter expression, symbol) per drawn class of one layer."""
    renderer = source.qml.find("renderer-v2")
    if renderer is None:
        return []
    symbols = {s.get("name"): s for s in renderer.iter("symbol")
               if s.get("name") is not None}
    attr = renderer.get("attr")
    categories = renderer.find("categories")
    if renderer.get("type") != "categorizedSymbol" or categories is None or not attr \
            or attr not in tile_columns(source.result):
        first = next(iter(symbols.values()), None)
        return [] if first is None else [(source.result.layer.title, "", first)]
    out, values = [], []
    field = '"' + attr.replace('"', '""') + '"'
    for cat in categories.findall("category"):
        symbol = symbols.get(cat.get("symbol"))
        value = cat.get("value") or ""
        if symbol is None:
            continue
        if value:
            values.append(_quote(value))
            out.append((cat.get("label") or value, f"{field} = {_quote(value)}", symbol))
        else:  # the catch-all class: anything not listed
            listed = ", ".join(values) or "''"
            out.append((cat.get("label") or "其他",
                        f"coalesce({field}, '') NOT IN ({listed})", symbol))
    return out


def renderer(sources: Sequence[TileSource]) -> ET.Element:
    """``<renderer type="basic">``: ``sources`` bottom first (drawn in this order)."""
    root = ET.Element("renderer", type="basic")
    styles = ET.SubElement(root, "styles")
    for source in sources:
        geometry = "0" if is_point(source.result) else "2"
        for label, expression, symbol in _styles_of(source):
            style = ET.SubElement(styles, "style", {
                "name": f"{source.result.layer.title}: {label}", "layer": source.result.layer.name,
                "geometry": geometry, "expression": expression, "enabled": "1",
                "min-zoom": "-1", "max-zoom": "-1"})
            drawn = copy.deepcopy(symbol)
            drawn.set("name", "0")
            ET.SubElement(style, "symbols").append(drawn)
    return root
