"""Drive real QGIS (headless) against the service; run with Debian's /usr/bin/python3.

Usage: qgis_probe.py URL GPKG  (prints one JSON object)
QGIS's Python bindings only import in the system interpreter, so the test suite runs this
file as a subprocess and asserts on its output.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsVectorLayer,
    QgsVectorTileLayer,
    QgsWkbTypes,
)


def main() -> None:
    """Load every collection through OAPIF, the XYZ vector tiles and a styled GeoPackage."""
    url, gpkg, names = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    app = QgsApplication([], False)
    app.initQgis()
    out = {"collections": {}, "qgis_version": __import__("qgis.core").core.Qgis.QGIS_VERSION}
    for name in names:
        layer = QgsVectorLayer(f"url='{url}' typename='{name}'", name, "OAPIF")
        out["collections"][name] = {
            "valid": layer.isValid(),
            "count": sum(1 for _ in layer.getFeatures()) if layer.isValid() else -1,
            "geometry": QgsWkbTypes.displayString(layer.wkbType()),
            "fields": [f.name() for f in layer.fields()],
        }
    subset = QgsVectorLayer(f"url='{url}' typename='counties'", "subset", "OAPIF")
    subset.setSubsetString("\"fiveg_tier\" = '全深度覆盖'")
    out["subset"] = sorted(f["adcode"] for f in subset.getFeatures())
    tiles = QgsVectorTileLayer(
        f"type=xyz&url={url}/tiles/counties/{{z}}/{{x}}/{{y}}.mvt&zmin=0&zmax=14", "tiles")
    out["tiles"] = {"valid": tiles.isValid(), "max_zoom": tiles.sourceMaxZoom()}
    styled = QgsVectorLayer(f"{gpkg}|layername=counties", "counties", "ogr")
    out["gpkg"] = {"valid": styled.isValid(), "count": styled.featureCount(),
                   "renderer": styled.renderer().type() if styled.renderer() else None,
                   "crs": styled.crs().authid()}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    # QGIS 3.22's exitQgis() can segfault while tearing down network providers; the report
    # is already printed, so leave without it.
    os._exit(0)


if __name__ == "__main__":
    main()
