"""Layer metadata in QGIS's own XML (``.qmd``), from ``geo.metadata``.

QGIS shows this in a layer's *Properties > Metadata* (ISO 19115 fields: title, abstract,
keywords, links, licences, constraints, CRS, extent). The same children go three ways: a
``.qmd`` file next to the data, the ``gpkg_metadata`` row QGIS's OGR provider reads from a
GeoPackage, and each layer's ``<resourceMetadata>`` in the project. The element names and
their order are what ``QgsLayerMetadata::writeMetadataXml`` writes in 3.22 (``<license>`` and
``<rights>`` directly under the root, one element per entry), which ``readMetadataXml`` reads.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from geo.metadata import LayerMetadata, layer_metadata
from geo.qgis.crs import DATA_CRS, spatialrefsys
from geo.schema import LayerResult

DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
QGIS_VERSION = "3.22.0"
# The release caveat of the boundaries (data/boundaries/README.md), worded as on the maps.
BOUNDARY_CAVEAT = "边界仅供内部规划参考；公开发布前须核实数据权属并取得审图号。"
BOUNDARY_CAVEAT_EN = ("Boundaries are for internal planning only; before any public release "
                      "check the upstream rights and obtain the map-review number (审图号).")
TOPICS = ("planningCadastre", "economy")  # ISO 19115 MD_TopicCategoryCode
DISTRIBUTOR = "赣州数字经济空间图谱 (ganzhou-atlas)"


def _text(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    el.text = text
    return el


def uses_boundaries(result: LayerResult) -> bool:
    """Whether the layer is drawn on the Amap-derived boundaries (and so needs the caveat)."""
    return any(p.startswith("boundaries/") for p in result.layer.inputs)


def fill(parent: ET.Element, result: LayerResult, meta: LayerMetadata | None = None) -> None:
    """Append the metadata children of ``result`` to ``parent`` (``<qgis>`` or
    ``<resourceMetadata>``)."""
    meta = meta or layer_metadata(result)
    _text(parent, "identifier", result.layer.name)
    _text(parent, "parentidentifier", "ganzhou-atlas")
    _text(parent, "language", "zho")
    _text(parent, "type", "dataset")
    _text(parent, "title", meta.title)
    _text(parent, "abstract", meta.abstract)
    topics = ET.SubElement(parent, "keywords", vocabulary="gmd:topicCategory")
    for topic in TOPICS:
        _text(topics, "keyword", topic)
    words = ET.SubElement(parent, "keywords", vocabulary="ganzhou-atlas")
    for word in meta.keywords:
        _text(words, "keyword", word)
    contact = ET.SubElement(parent, "contact")
    for tag, text in (("name", ""), ("organization", DISTRIBUTOR), ("position", ""),
                      ("voice", ""), ("fax", ""), ("email", ""), ("role", "distributor")):
        _text(contact, tag, text)
    links = ET.SubElement(parent, "links")
    for source in meta.sources:
        ET.SubElement(links, "link", name=source.title, type="WWW:LINK",
                      url=source.href or "", description=source.detail, format="",
                      mimeType="", size="")
    _text(parent, "fees", "")
    if uses_boundaries(result):
        _text(parent, "constraints", f"{BOUNDARY_CAVEAT} {BOUNDARY_CAVEAT_EN}", type="release")
    if meta.sources:  # attribution: who the rows and shapes come from
        _text(parent, "rights", "来源 / Sources: " + "；".join(s.title for s in meta.sources))
    _text(parent, "license", meta.licence)
    if meta.licence_url:
        _text(parent, "license", meta.licence_url)
    _text(parent, "encoding", "UTF-8")
    spatialrefsys(ET.SubElement(parent, "crs"), DATA_CRS)
    _extent(ET.SubElement(parent, "extent"), result)


def _extent(parent: ET.Element, result: LayerResult) -> None:
    geoms = result.gdf.geometry.dropna()
    if geoms.empty:
        return
    minx, miny, maxx, maxy = (f"{v:.6f}" for v in geoms.total_bounds)
    ET.SubElement(parent, "spatial", dimensions="2", crs=DATA_CRS, minx=minx, miny=miny,
                  maxx=maxx, maxy=maxy, minz="0", maxz="0")


def qmd(result: LayerResult, meta: LayerMetadata | None = None) -> str:
    """The ``.qmd`` document of ``result`` (what QGIS's *Load Metadata* opens)."""
    root = ET.Element("qgis", version=QGIS_VERSION)
    fill(root, result, meta)
    ET.indent(root)
    return f"{DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"
