"""The ``<spatialrefsys>`` block QGIS reads a CRS from (projects, layers, metadata).

QGIS 3.22 resolves the block by its WKT when ``srsid`` is 0 (its internal ids are private to
its own ``srs.db``), so pyproj's WKT2 plus the authority id is all it needs; the other
children are written for people and older readers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

from pyproj import CRS

from geo.crs import METRIC_CRS, STORAGE_CRS

# The project is drawn in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), the metric
# CRS the atlas measures in, so the layout's scale bar reads in kilometres; data stay WGS84.
PROJECT_CRS = METRIC_CRS
DATA_CRS = STORAGE_CRS


@lru_cache(maxsize=8)
def _facts(authid: str) -> tuple[tuple[str, str], ...]:
    crs = CRS.from_user_input(authid)
    return (
        ("wkt", crs.to_wkt("WKT2_2019")),
        ("proj4", ""),
        ("srsid", "0"),
        ("srid", authid.split(":")[1]),
        ("authid", authid),
        ("description", crs.name),
        ("projectionacronym", ""),
        ("ellipsoidacronym", ""),
        ("geographicflag", "true" if crs.is_geographic else "false"),
    )


def spatialrefsys(parent: ET.Element, authid: str) -> ET.Element:
    """Append ``<spatialrefsys>`` for ``authid`` (``EPSG:n``) to ``parent`` and return it."""
    srs = ET.SubElement(parent, "spatialrefsys")
    for tag, text in _facts(authid):
        ET.SubElement(srs, tag).text = text
    return srs

