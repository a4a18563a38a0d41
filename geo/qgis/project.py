"""The ``.qgs`` document: every public plan layer from ``atlas.gpkg``, styled, plus the live
service and the print layout.

Local layers point at the GeoPackage by a relative path (``./atlas.gpkg|layername=...``), so
the unzipped folder can move anywhere; each ``<maplayer>`` carries the layer's QML (renderer,
labels, Chinese field aliases ...) and its metadata, so the project looks the same without
reading the GeoPackage's ``layer_styles``. A second, switched-off group reads the same
layers from the running service (OGC API - Features, one vector-tile layer), for analysts
who want the newest data rather than the downloaded copy.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from geo.metadata import LayerMetadata
from geo.qgis import layout, tiles
from geo.qgis.crs import DATA_CRS, PROJECT_CRS, spatialrefsys
from geo.qgis.order import draw_order, is_point, shown
from geo.qgis.qmd import DOCTYPE, QGIS_VERSION, fill
from geo.schema import LayerResult

LOCAL_GROUP = "规划图层 (atlas.gpkg)"
LIVE_GROUP = "在线服务 (需连接服务)"
TILES_NAME = "矢量瓦片 (在线)"
TILES_ID = "atlas_vector_tiles"
ABSTRACT = ("赣州市及江西省数字经济规划图层（一谷一带三片区、园区、5G 与物联网目标），"
            "每条规划事实引用原文。")
# maplayer children this module writes itself; a QML child of the same name is not copied
_OWN = {"extent", "wgs84extent", "id", "datasource", "keywordList", "layername", "srs",
        "resourceMetadata", "provider", "map-layer-style-manager"}


@dataclass(frozen=True)
class PlanLayer:
    """A public plan layer with its complete QML style and its readable metadata."""

    result: LayerResult
    qml: str
    meta: LayerMetadata

    @property
    def name(self) -> str:
        """The layer (and GeoPackage table, and collection) name."""
        return self.result.layer.name

    def style(self) -> ET.Element:
        """The QML document's root (``<qgis>``)."""
        return ET.fromstring(self.qml)


def layer_id(name: str, kind: str) -> str:
    """The project's id of layer ``name`` read through ``kind`` (``gpkg`` or ``oapif``).

    QGIS 3.22 keeps an id from the project only if it is longer than ten characters
    (``QgsMapLayer::readLayerXml``) and silently makes up a new one otherwise, which would
    cut the layer out of the layout's map and legend: hence the prefix.
    """
    return f"atlas_{name}_{kind}"


def gpkg_source(gpkg: str, name: str) -> str:
    """The relative OGR datasource of table ``name`` (resolved beside the project file)."""
    return f"./{gpkg}|layername={name}"


def uri_value(value: str) -> str:
    """``value`` quoted as QGIS's ``QgsDataSourceUri`` reads a key='value' pair.

    ``QgsDataSourceUri::escape`` backslash-escapes ``\\`` and ``'`` inside the quotes, so a
    service URL behind a proxy path with a quote (or a query such as ``?a=1&b=2``) stays one
    value instead of ending the ``url`` key early.
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def oapif_source(service_url: str, name: str) -> str:
    """The OAPIF datasource of collection ``name`` (QGIS's WFS provider, OGC API mode)."""
    return f"url={uri_value(service_url)} typename={uri_value(name)}"


def _bounds(result: LayerResult) -> tuple[float, float, float, float]:
    geoms = result.gdf.geometry.dropna()
    minx, miny, maxx, maxy = geoms.total_bounds if not geoms.empty else (0, 0, 0, 0)
    return float(minx), float(miny), float(maxx), float(maxy)


def _box(parent: ET.Element, tag: str, bounds: Sequence[float]) -> None:
    box = ET.SubElement(parent, tag)
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), bounds, strict=True):
        ET.SubElement(box, key).text = f"{value:.6f}"


def _geometry(result: LayerResult) -> tuple[str, str]:
    """(geometry, wkbType) attributes of a ``<maplayer>``."""
    if is_point(result):
        return "Point", "Point"
    return "Polygon", "MultiPolygon"


def _maplayer(parent: ET.Element, layer: PlanLayer, layer_id: str, title: str, source: str,
              provider: str, encoding: str) -> None:
    style = layer.style()
    geometry, wkb = _geometry(layer.result)
    attrs = {k: v for k, v in style.attrib.items() if k != "version"}
    el = ET.SubElement(parent, "maplayer", {**attrs, "type": "vector", "geometry": geometry,
                                            "wkbType": wkb})
    bounds = _bounds(layer.result)
    _box(el, "extent", bounds)
    _box(el, "wgs84extent", bounds)
    ET.SubElement(el, "id").text = layer_id
    ET.SubElement(el, "datasource").text = source
    words = ET.SubElement(el, "keywordList")
    for word in layer.meta.keywords:
        ET.SubElement(words, "value").text = word
    ET.SubElement(el, "layername").text = title
    spatialrefsys(ET.SubElement(el, "srs"), DATA_CRS)
    fill(ET.SubElement(el, "resourceMetadata"), layer.result, layer.meta)
    ET.SubElement(el, "provider", encoding=encoding).text = provider
    manager = ET.SubElement(el, "map-layer-style-manager", current="default")
    ET.SubElement(manager, "map-layer-style", name="default")
    for child in style:
        if child.tag not in _OWN:
            el.append(copy.deepcopy(child))


def _tile_layer(parent: ET.Element, layer_id: str, source: str,
                sources: Sequence[tiles.TileSource]) -> None:
    el = ET.SubElement(parent, "maplayer", type="vector-tile", hasScaleBasedVisibilityFlag="0",
                       minScale="1e+08", maxScale="0", styleCategories="AllStyleCategories")
    ET.SubElement(el, "id").text = layer_id
    ET.SubElement(el, "datasource").text = source
    ET.SubElement(el, "layername").text = TILES_NAME
    spatialrefsys(ET.SubElement(el, "srs"), "EPSG:3857")
    ET.SubElement(el, "provider").text = "vectortile"
    el.append(tiles.renderer(sources))
    ET.SubElement(el, "blendMode").text = "0"
    ET.SubElement(el, "layerOpacity").text = "1"


def _tree_layer(parent: ET.Element, layer_id: str, name: str, source: str, provider: str,
                checked: bool) -> None:
    node = ET.SubElement(parent, "layer-tree-layer", id=layer_id, name=name, source=source,
                         providerKey=provider, checked="Qt::Checked" if checked
                         else "Qt::Unchecked", expanded="1" if checked else "0",
                         legend_exp="", patch_size="-1,-1", legend_split_behavior="0")
    ET.SubElement(ET.SubElement(node, "customproperties"), "Option")


def _group(parent: ET.Element, name: str, checked: bool) -> ET.Element:
    group = ET.SubElement(parent, "layer-tree-group", name=name, expanded="1",
                          checked="Qt::Checked" if checked else "Qt::Unchecked")
    ET.SubElement(ET.SubElement(group, "customproperties"), "Option")
    return group


def _view(root: ET.Element, extent: Sequence[float]) -> None:
    """Open the canvas on Ganzhou (the layout map's extent, in the project CRS)."""
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters"
    xmin, ymin, xmax, ymax = (f"{v:.3f}" for v in extent)
    box = ET.SubElement(canvas, "extent")
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), (xmin, ymin, xmax, ymax),
                          strict=True):
        ET.SubElement(box, key).text = value
    ET.SubElement(canvas, "rotation").text = "0"
    spatialrefsys(ET.SubElement(canvas, "destinationsrs"), PROJECT_CRS)
    settings = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    ET.SubElement(settings, "Scales")
    default = ET.SubElement(settings, "DefaultViewExtent", xmin=xmin, ymin=ymin, xmax=xmax,
                            ymax=ymax)
    spatialrefsys(default, PROJECT_CRS)


def _properties(root: ET.Element) -> None:
    props = ET.SubElement(root, "properties")
    # QGIS 3.22 reads <projectCrs> only when this flag is set (else the project has no CRS)
    srs = ET.SubElement(props, "SpatialRefSys")
    ET.SubElement(srs, "ProjectionsEnabled", type="int").text = "1"
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    gui = ET.SubElement(props, "Gui")
    for part, value in (("Red", 246), ("Green", 245), ("Blue", 240)):
        ET.SubElement(gui, f"CanvasColor{part}Part", type="int").text = str(value)
    measure = ET.SubElement(props, "Measurement")
    ET.SubElement(measure, "DistanceUnits", type="QString").text = "km"
    ET.SubElement(measure, "AreaUnits", type="QString").text = "km2"


def _sources(layers: Sequence[PlanLayer]) -> list[str]:
    """Every distinct source title of the layers, in first-seen order."""
    return list(dict.fromkeys(s.title for layer in layers for s in layer.meta.sources))


def project(layers: Sequence[PlanLayer], service_url: str, version: str,
            gpkg: str = "atlas.gpkg") -> str:
    """The ``.qgs`` text for ``layers`` (any order: drawn by ``order.draw_order``)."""
    by_name = {layer.name: layer for layer in layers}
    ordered = [by_name[r.layer.name] for r in draw_order(layer.result for layer in layers)]
    root = ET.Element("qgis", version=QGIS_VERSION, projectname=layout.TITLE)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = layout.TITLE
    for tag in ("autotransaction", "evaluateDefaultValues", "trust"):
        ET.SubElement(root, tag, active="0")
    spatialrefsys(ET.SubElement(root, "projectCrs"), PROJECT_CRS)

    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(ET.SubElement(tree, "customproperties"), "Option")
    local = _group(tree, LOCAL_GROUP, checked=True)
    live = _group(tree, LIVE_GROUP, checked=False)
    project_layers = ET.SubElement(root, "projectlayers")
    order: list[str] = []
    in_map: list[layout.MapLayer] = []
    for layer in ordered:
        lid, title = layer_id(layer.name, "gpkg"), layer.result.layer.title
        source = gpkg_source(gpkg, layer.name)
        _tree_layer(local, lid, title, source, "ogr", shown(layer.result))
        _maplayer(project_layers, layer, lid, title, source, "ogr", "UTF-8")
        order.append(lid)
        if shown(layer.result):
            in_map.append(layout.MapLayer(lid, title, source, "ogr"))
    for layer in ordered:
        lid, title = layer_id(layer.name, "oapif"), f"{layer.result.layer.title} (在线)"
        source = oapif_source(service_url, layer.name)
        _tree_layer(live, lid, title, source, "OAPIF", True)
        _maplayer(project_layers, layer, lid, title, source, "OAPIF", "")
        order.append(lid)
    tile_layers = [by_name[r.layer.name] for r in tiles.tile_set(layer.result for layer in layers)]
    tile_source = tiles.xyz_source(service_url, [layer.name for layer in tile_layers])
    _tree_layer(live, TILES_ID, TILES_NAME, tile_source, "vectortile", False)
    _tile_layer(project_layers, TILES_ID, tile_source,
                [tiles.TileSource(layer.result, layer.style()) for layer in tile_layers])
    order.append(TILES_ID)
    custom = ET.SubElement(tree, "custom-order", enabled="0")
    for lid in order:
        ET.SubElement(custom, "item").text = lid
    layer_order = ET.SubElement(root, "layerorder")
    for lid in order:
        ET.SubElement(layer_order, "layer", id=lid)

    _properties(root)
    meta = ET.SubElement(root, "projectMetadata")
    for tag, text in (("identifier", "ganzhou-atlas"), ("parentidentifier", ""),
                      ("language", "zho"), ("type", "project"), ("title", layout.TITLE),
                      ("abstract", ABSTRACT), ("author", "ganzhou-atlas")):
        ET.SubElement(meta, tag).text = text
    ET.SubElement(meta, "links")
    ganzhou = next((layer for layer in ordered if layer.name == "counties"), ordered[0])
    layouts = ET.SubElement(root, "Layouts")
    layouts.append(layout.layout(in_map, _bounds(ganzhou.result), _sources(ordered), version))
    _view(root, layout.map_extent(_bounds(ganzhou.result)))
    ET.indent(root, space=" ")
    return f"{DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"
