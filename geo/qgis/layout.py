"""The print layout of the project: an A4 landscape sheet ready to export or print.

Title, the map (the layers switched on at first, over Ganzhou's extent), a legend of those
layers, a scale bar in kilometres, a north arrow (QGIS's built-in SVG) and a block with the
data sources and the boundary caveat (审图号 before any public release). Items are written
with the attributes QGIS 3.22 itself writes for them; the ones left out take QGIS's defaults.
Item uuids derive from their role, so the same inputs give the same project bytes.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from pyproj import Transformer

from geo.qgis.crs import DATA_CRS, PROJECT_CRS, spatialrefsys

TITLE = "赣州市数字经济空间布局"
FONT = "Noto Sans CJK SC"  # Qt substitutes an installed CJK font where it is missing
NORTH_ARROW = ":/images/north_arrows/layout_default_north_arrow.svg"
PAGE = (297.0, 210.0)  # A4 landscape, mm
MAP = (8.0, 22.0, 194.0, 180.0)  # x, y, width, height in mm
PANEL_X = 208.0  # the right-hand column: legend, then the sources
PANEL_W = PAGE[0] - PANEL_X - 8.0
NOTES = (
    "标注“示意”的点、圆仅示意所属区域，不代表实际位置或边界。",
    "边界仅供内部规划参考；公开发布前须核实数据权属并取得审图号。",
    "Boundaries: internal planning use only; a 审图号 (map-review number) is required before "
    "any public release.",
)
# QGraphicsItem::UserType (65536) + QgsLayoutItemRegistry ids
PAGE_TYPE, MAP_TYPE, PICTURE_TYPE, LABEL_TYPE, LEGEND_TYPE, SCALEBAR_TYPE = (
    65638, 65639, 65640, 65641, 65642, 65646)
ALIGN_LEFT, ALIGN_HCENTER, ALIGN_TOP, ALIGN_VCENTER = 1, 4, 32, 128


@dataclass(frozen=True)
class MapLayer:
    """A layer of the layout's map and legend, as the project declares it."""

    id: str
    name: str
    source: str
    provider: str


def _uuid(role: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"ganzhou-atlas/layout/{role}")) + "}"


def _font(family: str, size: float, bold: bool = False) -> str:
    """A QFont description string (family, point size, -1, hint, weight, italic, ...)."""
    return f"{family},{size:g},-1,5,{75 if bold else 50},0,0,0,0,0"


def _colour(parent: ET.Element, tag: str, rgba: tuple[int, int, int, int]) -> None:
    r, g, b, a = rgba
    ET.SubElement(parent, tag, red=str(r), green=str(g), blue=str(b), alpha=str(a))


def _item(parent: ET.Element, kind: int, role: str, box: Sequence[float], z: int,
          frame: bool = False, background: bool = False, **attrs: str) -> ET.Element:
    x, y, w, h = box
    item = ET.SubElement(parent, "LayoutItem", {
        "type": str(kind), "uuid": _uuid(role), "templateUuid": _uuid(role), "id": role,
        "position": f"{x:g},{y:g},mm", "positionOnPage": f"{x:g},{y:g},mm",
        "size": f"{w:g},{h:g},mm", "zValue": str(z), "referencePoint": "0",
        "frame": "true" if frame else "false",
        "background": "true" if background else "false", "visibility": "1",
        "outlineWidthM": "0.3,mm", "frameJoinStyle": "miter", "positionLock": "false",
        "itemRotation": "0", "opacity": "1", "blendMode": "0", "excludeFromExports": "0",
        "groupUuid": "", **attrs})
    _colour(item, "FrameColor", (60, 60, 60, 255))
    _colour(item, "BackgroundColor", (255, 255, 255, 255))
    return item


def _label(parent: ET.Element, role: str, box: Sequence[float], z: int, text: str,
           size: float, bold: bool = False, halign: int = ALIGN_LEFT,
           valign: int = ALIGN_TOP) -> ET.Element:
    item = _item(parent, LABEL_TYPE, role, box, z, labelText=text, htmlState="0",
                 halign=str(halign), valign=str(valign), marginX="1", marginY="1")
    ET.SubElement(item, "LabelFont", description=_font(FONT, size, bold), style="")
    _colour(item, "FontColor", (30, 30, 30, 255))
    return item


def map_extent(bounds: Sequence[float], box: Sequence[float] = MAP,
               margin: float = 0.04) -> tuple[float, float, float, float]:
    """The map item's extent in the project CRS: ``bounds`` (lon/lat) with a margin, widened
    to the item's aspect ratio so nothing is cut off."""
    to_project = Transformer.from_crs(DATA_CRS, PROJECT_CRS, always_xy=True)
    left, bottom, right, top = bounds
    minx, miny, maxx, maxy = to_project.transform_bounds(left, bottom, right, top)
    w, h = (maxx - minx) * (1 + 2 * margin), (maxy - miny) * (1 + 2 * margin)
    aspect = box[2] / box[3]
    w, h = max(w, h * aspect), max(h, w / aspect)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _map(parent: ET.Element, layers: Sequence[MapLayer], extent: Sequence[float],
         blocking: Sequence[str]) -> None:
    item = _item(parent, MAP_TYPE, "map", MAP, 2, frame=True, background=True,
                 keepLayerSet="true", drawCanvasItems="true", mapRotation="0",
                 labelMargin="0,mm", mapFlags="0", followPreset="false", followPresetName="",
                 isTemporal="0")
    xmin, ymin, xmax, ymax = (f"{v:.3f}" for v in extent)
    ET.SubElement(item, "Extent", xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax)
    spatialrefsys(ET.SubElement(item, "crs"), PROJECT_CRS)
    layer_set = ET.SubElement(item, "LayerSet")
    for layer in layers:
        ET.SubElement(layer_set, "Layer", name=layer.name, source=layer.source,
                      provider=layer.provider).text = layer.id
    ET.SubElement(item, "AtlasMap", atlasDriven="0", scalingMode="2", margin="0.1")
    # labels keep clear of the items drawn over the map (north arrow, scale bar)
    block = ET.SubElement(item, "labelBlockingItems")
    for role in blocking:
        ET.SubElement(block, "item", uuid=_uuid(role))


def _legend(parent: ET.Element, layers: Sequence[MapLayer], box: Sequence[float]) -> None:
    item = _item(parent, LEGEND_TYPE, "legend", box, 3, background=True, title="图例",
                 map_uuid=_uuid("map"), columnCount="2", splitLayer="1",
                 equalColumnWidth="0", resizeToContents="0", symbolWidth="5",
                 symbolHeight="3", boxSpace="1.5", columnSpace="2", lineSpacing="0.5",
                 titleAlignment="1", symbolAlignment="1", fontColor="#1e1e1e",
                 legendFilterByAtlas="0", wrapChar="", rasterBorder="1",
                 rasterBorderColor="0,0,0,255", rasterBorderWidth="0", wmsLegendWidth="50",
                 wmsLegendHeight="25", minSymbolSize="0", maxSymbolSize="0")
    styles = ET.SubElement(item, "styles")
    for name, size, top, bold in (("title", 11, 0, True), ("group", 9, 2, True),
                                  ("subgroup", 8, 1.5, True), ("symbol", 7, 1, False),
                                  ("symbolLabel", 7, 1, False)):
        style = ET.SubElement(styles, "style", name=name, alignment="1", indent="0",
                              marginTop=f"{top:g}", marginLeft="1.5" if name == "symbolLabel"
                              else "0")
        ET.SubElement(style, "styleFont", description=_font(FONT, size, bold), style="")
    # a custom legend tree: only the layers of the map, not every layer of the project
    tree = ET.SubElement(item, "layer-tree-group")
    ET.SubElement(ET.SubElement(tree, "customproperties"), "Option")
    for layer in layers:
        node = ET.SubElement(tree, "layer-tree-layer", id=layer.id, name=layer.name,
                             source=layer.source, providerKey=layer.provider,
                             checked="Qt::Checked", expanded="1", legend_exp="",
                             patch_size="-1,-1", legend_split_behavior="0")
        ET.SubElement(ET.SubElement(node, "customproperties"), "Option")


def _scale_bar(parent: ET.Element, box: Sequence[float]) -> None:
    _item(parent, SCALEBAR_TYPE, "scalebar", box, 5, background=True, mapUuid=_uuid("map"),
          style="Single Box", unitType="km", unitLabel="公里", numSegments="2",
          numSegmentsLeft="0", numUnitsPerSegment="25", numSubdivisions="1",
          segmentSizeMode="0", numMapUnitsPerScaleBarUnit="1", height="2.5",
          labelBarSpace="2", boxContentSpace="1", alignment="0", minBarWidth="50",
          maxBarWidth="150", outlineWidth="0.3", lineJoinStyle="miter",
          lineCapStyle="square", labelVerticalPlacement="0", labelHorizontalPlacement="0",
          subdivisionsHeight="1.5")


def _north_arrow(parent: ET.Element, box: Sequence[float]) -> None:
    _item(parent, PICTURE_TYPE, "north_arrow", box, 6, file=NORTH_ARROW, mode="0",
          resizeMode="0", anchorPoint="0", northMode="0", northOffset="0",
          mapUuid=_uuid("map"), pictureRotation="0", pictureWidth=f"{box[2]:g}",
          pictureHeight=f"{box[3]:g}", svgFillColor="30,30,30,255",
          svgBorderColor="255,255,255,255", svgBorderWidth="0.2")


def _sources_text(sources: Sequence[str], crs_name: str) -> str:
    lines = ["数据来源 Sources:", *(f"· {s}" for s in sources), "", *NOTES,
             f"坐标系 CRS: {crs_name}；数据 WGS 84 (EPSG:4326)。"]
    return "\n".join(lines)


def layout(layers: Sequence[MapLayer], bounds: Sequence[float], sources: Sequence[str],
           version: str) -> ET.Element:
    """The ``<Layout>`` element: ``layers`` top first, ``bounds`` the lon/lat box to frame,
    ``sources`` the source titles for the text block."""
    root = ET.Element("Layout", name=TITLE, units="mm", printResolution="300",
                      worldFileMap="")
    ET.SubElement(root, "Snapper", snapToGrid="0", snapToGuides="1", snapToItems="1",
                  tolerance="5")
    ET.SubElement(root, "Grid", resolution="10", resUnits="mm", offsetX="0", offsetY="0",
                  offsetUnits="mm")
    pages = ET.SubElement(root, "PageCollection")
    _item(pages, PAGE_TYPE, "page", (0, 0, *PAGE), 0, background=True)
    ET.SubElement(pages, "GuideCollection", visible="1")
    x, y, w, h = MAP
    _label(root, "title", (x, 6, PAGE[0] - 2 * x, 13), 1, TITLE, 22, bold=True,
           halign=ALIGN_HCENTER, valign=ALIGN_VCENTER)
    _map(root, layers, map_extent(bounds), blocking=("north_arrow", "scalebar"))
    _north_arrow(root, (x + w - 16, y + 3, 12, 18))
    _scale_bar(root, (x + 3, y + h - 14, 60, 11))
    _legend(root, layers, (PANEL_X, y, PANEL_W, 112))
    _label(root, "sources", (PANEL_X, y + 115, PANEL_W, h - 115), 4,
           _sources_text(sources, "CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547)"),
           6.5)
    _label(root, "credit", (PANEL_X, y + h + 1, PANEL_W, 6), 4,
           f"ganzhou-atlas {version} · 赣州数字经济空间图谱", 6)
    custom = ET.SubElement(ET.SubElement(root, "customproperties"), "Option", type="Map")
    ET.SubElement(custom, "Option", type="bool", name="singleFile", value="true")
    ET.SubElement(root, "Atlas", enabled="0", coverageLayer="", hideCoverage="0",
                  filenamePattern="'output_'||@atlas_featurenumber", pageNameExpression="",
                  sortFeatures="0", filterFeatures="0")
    return root
