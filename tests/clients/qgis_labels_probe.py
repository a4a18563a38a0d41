"""Render styled GeoPackages in real QGIS (headless) and count the labels it places.

Usage: qgis_labels_probe.py FOLDER [STYLE_JSON] [PNG]  (prints one JSON object)
FOLDER holds counties.gpkg, layout_units.gpkg and parks.gpkg, each with its QML as the
default style; QGIS applies it on load, renders the three layers together over their extent
at 1600x1200 and reports, per layer, how many labels the engine placed, the field aliases
and the font it resolved. With STYLE_JSON, the MapLibre style is also converted with
QgsMapBoxGlStyleConverter. Run with Debian's /usr/bin/python3 (QGIS's bindings).
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsMapBoxGlStyleConverter,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QFontInfo  # noqa: E402

NAMES = ("parks", "counties", "layout_units")  # drawing order: first is on top


def _layer_report(layer: QgsVectorLayer) -> dict:
    settings = layer.labeling().settings() if layer.labeling() else None
    font = settings.format().font() if settings else None
    return {
        "valid": layer.isValid(), "count": layer.featureCount(),
        "labels_enabled": layer.labelsEnabled(),
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
        "font": font.family() if font else None,
        "font_resolved": QFontInfo(font).family() if font else None,
        "priority": settings.priority if settings else None,
    }


def _render(layers: list, png: str | None) -> dict:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[1].crs())
    extent = layers[1].extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(1600, 1200))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    if png:
        job.renderedImage().save(png)
    results = job.takeLabelingResults()
    labels = results.allLabels() if hasattr(results, "allLabels") else \
        results.labelsWithinRect(settings.visibleExtent())
    by_id = {layer.id(): layer.name() for layer in layers}
    placed: dict[str, list[str]] = {layer.name(): [] for layer in layers}
    unplaced: dict[str, int] = {layer.name(): 0 for layer in layers}
    for label in labels:
        name = by_id.get(label.layerID)
        if name is None:
            continue
        if getattr(label, "isUnplaced", False):
            unplaced[name] += 1
        else:
            placed[name].append(label.labelText)
    return {"placed": {k: len(v) for k, v in placed.items()},
            "texts": {k: sorted(set(v)) for k, v in placed.items()}, "unplaced": unplaced}


def _convert(style_json: str) -> dict:
    converter = QgsMapBoxGlStyleConverter()
    status = converter.convert(json.loads(Path(style_json).read_text("utf-8")))
    labeling = converter.labeling()
    renderer = converter.renderer()
    return {
        "success": status == QgsMapBoxGlStyleConverter.Success,
        "error": converter.errorMessage(), "warnings": list(converter.warnings()),
        "renderer_styles": len(renderer.styles()) if renderer else 0,
        "labeling_styles": [s.styleName() for s in labeling.styles()] if labeling else [],
    }


def main() -> None:
    """Load, render, count; print the report."""
    folder = Path(sys.argv[1])
    style_json = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    png = sys.argv[3] if len(sys.argv) > 3 else None
    app = QgsApplication([], False)
    app.initQgis()
    layers = [QgsVectorLayer(f"{folder / (n + '.gpkg')}|layername={n}", n, "ogr") for n in NAMES]
    out = {"qgis_version": __import__("qgis.core").core.Qgis.QGIS_VERSION,
           "layers": {layer.name(): _layer_report(layer) for layer in layers},
           "labels": _render(layers, png)}
    if style_json:
        out["mapbox_gl"] = _convert(style_json)
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22's exitQgis() can segfault on teardown; the report is out


if __name__ == "__main__":
    main()
