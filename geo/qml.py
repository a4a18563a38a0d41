"""QGIS layer styles (.qml) generated from ``geo.styles``, so QGIS matches the web maps.

The XML is the subset QGIS 3.22 reads for a single-symbol or categorized renderer with simple
fill or marker symbols, name labels and field aliases. ``ElementTree`` writes it, so escaping
is right for Chinese category values. Element and attribute names are the ones QGIS 3.22
itself writes (``QgsVectorLayer.exportNamedStyle``), not guesses.

Labels are tuned so the layers an analyst loads together (counties, layout units, parks)
all get labels: without explicit settings QGIS falls back to a placement in which a layout
unit polygon, which covers its member counties, pushed every county label out (0 placed).
Here polygons are labelled horizontally anywhere inside (not "fit inside polygon only"),
points around the point, no polygon layer is an obstacle (a county or layout unit interior
would forbid all labels inside it), park points are small obstacles, and county names win
conflicts (highest priority). In 3.22 the obstacle settings are attributes of the
``<rendering>`` element (``obstacle``, ``obstacleType``, ``obstacleFactor``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from geo.schema import LayerResult
from geo.styles import LABEL_FONT, OTHER, LabelStyle, LayerStyle, label_for, style_for

_SCALE = "3x:0,0,0,0,0,0"


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
                         "outline_color": _rgba(style.outline, 1.0),
                         "outline_width": str(style.outline_width)})


def _renderer(root: ET.Element, style: LayerStyle, point: bool) -> None:
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


def _labeling(root: ET.Element, field_name: str, label: LabelStyle, point: bool) -> None:
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    text = ET.SubElement(settings, "text-style", {
        "fieldName": field_name, "isExpression": "0", "fontFamily": LABEL_FONT,
        # the font has one face: bold is Qt's synthetic weight, not a named style
        "namedStyle": "Regular", "fontSize": str(label.size),
        "fontSizeUnit": "Point", "fontSizeMapUnitScale": _SCALE,
        "fontWeight": "75" if label.bold else "50", "fontItalic": "0",
        "fontLetterSpacing": str(label.letter_spacing), "fontWordSpacing": "0",
        "fontKerning": "1", "textColor": _rgba(label.colour, 1.0), "textOpacity": "1",
        "textOrientation": "horizontal", "multilineHeight": "1", "capitalization": "0",
        "allowHtml": "0", "blendMode": "0", "previewBkgrdColor": "255,255,255,255",
        "useSubstitutions": "0"})
    ET.SubElement(text, "families")
    ET.SubElement(text, "text-buffer", {
        "bufferDraw": "1", "bufferSize": str(label.buffer_mm), "bufferSizeUnits": "MM",
        "bufferSizeMapUnitScale": _SCALE, "bufferColor": "255,255,255,255",
        "bufferOpacity": "0.85", "bufferNoFill": "1", "bufferJoinStyle": "128",
        "bufferBlendMode": "0"})
    ET.SubElement(settings, "text-format", {
        "wrapChar": "", "autoWrapLength": "0", "useMaxLineLengthForAutoWrap": "1",
        "multilineAlign": "3", "addDirectionSymbol": "0", "formatNumbers": "0",
        "decimals": "3", "plussign": "0"})
    ET.SubElement(settings, "placement", {
        "placement": str(label.placement), "layerType": "PointGeometry" if point
        else "PolygonGeometry", "polygonPlacementFlags": "2", "fitInPolygonOnly": "0",
        "centroidInside": "1", "centroidWhole": "0", "quadOffset": "4", "xOffset": "0",
        "yOffset": "0", "offsetType": "0", "offsetUnits": "MM",
        "labelOffsetMapUnitScale": _SCALE, "dist": str(label.dist_mm), "distUnits": "MM",
        "distMapUnitScale": _SCALE, "priority": str(label.priority), "placementFlags": "10",
        "rotationAngle": "0", "rotationUnit": "AngleDegrees", "preserveRotation": "1",
        "predefinedPositionOrder": "TR,TL,BR,BL,R,L,TSR,BSR", "repeatDistance": "0",
        "repeatDistanceUnits": "MM", "repeatDistanceMapUnitScale": _SCALE,
        "overrunDistance": "0", "overrunDistanceUnit": "MM",
        "overrunDistanceMapUnitScale": _SCALE, "maxCurvedCharAngleIn": "25",
        "maxCurvedCharAngleOut": "-25", "geometryGenerator": "",
        "geometryGeneratorEnabled": "0", "geometryGeneratorType": "PointGeometry",
        "lineAnchorType": "0", "lineAnchorPercent": "0.5", "lineAnchorClipping": "0"})
    ET.SubElement(settings, "rendering", {
        "drawLabels": "1", "obstacle": "1" if label.obstacle else "0",
        "obstacleType": str(label.obstacle_type), "obstacleFactor": str(label.obstacle_factor),
        "displayAll": "0", "upsidedownLabels": "0", "labelPerPart": "0", "mergeLines": "0",
        "minFeatureSize": "0", "limitNumLabels": "0", "maxNumLabels": "2000",
        "scaleVisibility": "0", "scaleMin": "0", "scaleMax": "0", "fontLimitPixelSize": "0",
        "fontMinPixelSize": "0", "fontMaxPixelSize": "10000", "zIndex": str(label.z_index),
        "unplacedVisibility": "0"})


def _fields(root: ET.Element, aliases: dict[str, str]) -> None:
    """``<fieldConfiguration>`` and ``<aliases>`` by field name (QGIS matches names first,
    so the style fits the GeoPackage, whose ``fid`` shifts every index, and other sources)."""
    config = ET.SubElement(root, "fieldConfiguration")
    for name in aliases:
        field = ET.SubElement(config, "field", name=name, configurationFlags="None")
        widget = ET.SubElement(ET.SubElement(field, "editWidget", type="TextEdit"), "config")
        ET.SubElement(widget, "Option")
    element = ET.SubElement(root, "aliases")
    for name, title in aliases.items():
        ET.SubElement(element, "alias", field=name, name=title)


def _document(style: LayerStyle, point: bool, label: LabelStyle,
              aliases: dict[str, str] | None) -> str:
    categories = "Symbology|Labeling|Fields" if aliases else "Symbology|Labeling"
    root = ET.Element("qgis", version="3.22.0", styleCategories=categories)
    _renderer(root, style, point)
    _labeling(root, style.label, label, point)
    if aliases:
        _fields(root, aliases)
    ET.SubElement(root, "layerGeometryType").text = "0" if point else "2"
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def qml(style: LayerStyle, point: bool) -> str:
    """Return the .qml document for a layer drawn with ``style`` (generic labels, no aliases).

    Kept for callers that only know the style; ``layer_qml`` is the full layer style.
    """
    return _document(style, point, label_for(None, point), None)


def layer_qml(result: LayerResult) -> str:
    """The .qml of a built layer: its colours, its label role and Chinese field aliases."""
    layer = result.layer
    point = layer.schema.is_points
    label = label_for(layer.name, point)
    aliases = {c.name: c.title for c in layer.schema.columns}
    return _document(style_for(layer.name), point, label, aliases)
