"""QGIS layer styles (.qml) generated from ``geo.styles``, so QGIS matches the web maps.

The XML is the subset QGIS 3.x reads for a single-symbol or categorized renderer with simple
fill or marker symbols and name labels. ``ElementTree`` writes it, so escaping is right for
Chinese category values.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from geo.styles import OTHER, LayerStyle


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in values.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=v)


def _symbol(parent: ET.Element, name: str, colour: str, style: LayerStyle, point: bool) -> None:
    kind = "marker" if point else "fill"
    sym = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1",
                        force_rhr="0")
    layer = ET.SubElement(sym, "layer", {"enabled": "1", "locked": "0", "pass": "0",
                                         "class": "SimpleMarker" if point else "SimpleFill"})
    if point:
        _options(layer, {"color": _rgba(colour, 1.0), "name": "circle", "size": "2.6",
                         "outline_color": "255,255,255,255", "outline_width": "0.3"})
    else:
        _options(layer, {"color": _rgba(colour, style.fill_opacity), "style": "solid",
                         "outline_color": "60,60,60,255", "outline_width": "0.3"})


def qml(style: LayerStyle, point: bool) -> str:
    """Return the .qml document for a layer drawn with ``style``."""
    root = ET.Element("qgis", version="3.22.0", styleCategories="Symbology|Labeling")
    if style.attribute:
        renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol",
                                 attr=style.attribute, symbollevels="0", forceraster="0",
                                 enableorderby="0")
        cats = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        items = [*style.categories.items(), ("", OTHER)]
        for i, (value, colour) in enumerate(items):
            ET.SubElement(cats, "category", render="true", value=value, symbol=str(i),
                          label=value or "其他")
            _symbol(symbols, str(i), colour, style, point)
    else:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0",
                                 forceraster="0", enableorderby="0")
        _symbol(ET.SubElement(renderer, "symbols"), "0", style.colour, style, point)
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", fieldName=style.label, fontSize="9",
                  textColor="30,30,30,255", fontFamily="Noto Sans CJK SC")
    ET.SubElement(root, "layerGeometryType").text = "0" if point else "2"
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"
