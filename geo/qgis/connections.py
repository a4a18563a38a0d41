"""Connection files for QGIS's Data Source Manager (*Load connections* / 导入连接).

The element and attribute names are what QGIS 3.22's ``QgsManageConnectionsDialog`` writes
and reads: ``<qgsWFSConnections>`` of ``<wfs>`` (``version="OGC_API_FEATURES"`` selects the
OGC API - Features client) and ``<qgsVectorTileConnections>`` of ``<vectortile>`` with the
XYZ template and the offline MapLibre style (``styleUrl``), which QGIS applies when a layer
is added from the connection.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from geo.qgis.tiles import xyz_url
from geo.tiles import MAX_ZOOM, MIN_ZOOM

NAME = "赣州数字经济空间图谱"
WFS_FILE = "qgis_oapif_connection.xml"
TILES_FILE = "qgis_vectortile_connection.xml"


def _document(root: ET.Element) -> str:
    ET.indent(root)
    return "<!DOCTYPE connections>\n" + ET.tostring(root, encoding="unicode") + "\n"


def wfs_connections(service_url: str) -> str:
    """One OGC API - Features connection to the service (anonymous)."""
    root = ET.Element("qgsWFSConnections", version="1.0")
    ET.SubElement(root, "wfs", name=NAME, url=service_url, version="OGC_API_FEATURES",
                  maxnumfeatures="", pagesize="", pagingenabled="true",
                  ignoreAxisOrientation="false", invertAxisOrientation="false",
                  username="", password="", authcfg="", referer="")
    return _document(root)


def vector_tile_connections(service_url: str, names: Sequence[str]) -> str:
    """One XYZ vector-tile connection for the layer set ``names`` (drawn bottom first)."""
    root = ET.Element("qgsVectorTileConnections", version="1.0")
    ET.SubElement(root, "vectortile", name=NAME, url=xyz_url(service_url, names),
                  zmin=str(MIN_ZOOM), zmax=str(MAX_ZOOM), serviceType="", authcfg="",
                  username="", password="", referer="",
                  styleUrl=f"{service_url}/tiles/{','.join(names)}/style.json")
    return _document(root)
