"""Open the downloaded atlas bundle in real QGIS (headless); run with Debian's /usr/bin/python3.

Usage: qgis_project_probe.py FOLDER  (FOLDER = atlas.zip unzipped; prints one JSON object)
Reads FOLDER/atlas.qgz as an analyst would (``QgsProject.read``), reports every layer (valid,
count, renderer, aliases, metadata), the print layout's items, exports the layout to PNG and
renders the layout map's extent to count the labels QGIS's labeling engine placed.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsLayoutExporter,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsMapLayerType,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSizeF  # noqa: E402
from qgis.PyQt.QtGui import QImage  # noqa: E402


def _vector(layer) -> dict:
    fields = layer.fields()
    meta = layer.metadata()
    return {
        "name": layer.name(), "provider": layer.providerType(), "valid": layer.isValid(),
        "source": layer.source(),
        "count": layer.featureCount() if layer.isValid() else -1,
        "renderer": layer.renderer().type() if layer.renderer() else None,
        "labels": layer.labelsEnabled(),
        "aliases": {fields[i].name(): layer.attributeAlias(i) for i in range(len(fields))},
        "metadata": {"title": meta.title(), "abstract": meta.abstract(),
                     "licenses": meta.licenses(), "keywords": meta.keywords(),
                     "links": [link.url for link in meta.links()]},
    }


def _layers(project) -> dict:
    out = {}
    for lid, layer in project.mapLayers().items():
        if layer.type() == QgsMapLayerType.VectorLayer:
            out[lid] = _vector(layer)
        else:
            out[lid] = {"name": layer.name(), "provider": layer.providerType(),
                        "valid": layer.isValid(), "source": layer.source()}
        node = project.layerTreeRoot().findLayer(lid)
        out[lid]["visible"] = bool(node and node.isVisible())
        out[lid]["group"] = node.parent().name() if node and node.parent() else None
    return out


def _colours(path: str) -> int:
    image = QImage(path).convertToFormat(QImage.Format_RGB32)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    data = bytes(ptr)
    return len({data[i:i + 4] for i in range(0, len(data), 16)})  # every 4th pixel


def _labels(project, map_item) -> dict:
    """Render the layout map's layers over its extent and read the labeling results."""
    dpi = 150
    size = QSizeF(map_item.rect().width() * dpi / 25.4, map_item.rect().height() * dpi / 25.4)
    settings = map_item.mapSettings(map_item.extent(), size, dpi, True)
    settings.setFlag(QgsMapSettings.DrawLabeling, True)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    results = job.takeLabelingResults()
    per_layer: dict = {}
    for label in results.labelsWithinRect(settings.visibleExtent()):
        layer = project.mapLayer(label.layerID)
        name = layer.name() if layer else label.layerID
        per_layer.setdefault(name, []).append(label.labelText)
    return {name: sorted(texts) for name, texts in per_layer.items()}


def _layout(project, folder: str) -> dict:
    manager = project.layoutManager()
    layouts = manager.printLayouts()
    if not layouts:
        return {"count": 0}
    layout = layouts[0]
    items = [i for i in layout.items() if isinstance(i, QgsLayoutItem)]
    maps = [i for i in items if isinstance(i, QgsLayoutItemMap)]
    labels = [i.text() for i in items if isinstance(i, QgsLayoutItemLabel)]
    pictures = [i.picturePath() for i in items if isinstance(i, QgsLayoutItemPicture)]
    legends = [i for i in items if isinstance(i, QgsLayoutItemLegend)]
    bars = [i for i in items if isinstance(i, QgsLayoutItemScaleBar)]
    page = layout.pageCollection().page(0)
    png = os.path.join(folder, "layout.png")
    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 100
    status = exporter.exportToImage(png, settings)
    out = {
        "count": len(layouts), "name": layout.name(),
        "page_mm": [page.pageSize().width(), page.pageSize().height()],
        "labels": labels, "pictures": pictures, "maps": len(maps), "legends": len(legends),
        "scalebars": [{"units": b.unitLabel(), "linked": b.linkedMap() is not None}
                      for b in bars],
        "legend_layers": [n.name() for n in legends[0].model().rootGroup().findLayers()]
        if legends else [],
        "export_status": int(status), "png": png,
        "png_colours": _colours(png) if status == QgsLayoutExporter.Success else 0,
    }
    if maps:
        m = maps[0]
        out["map"] = {"layers": [layer.name() for layer in m.layers()],
                      "crs": m.crs().authid(), "scale": round(m.scale()),
                      "blocking": [i.id() for i in items if m.isLabelBlockingItem(i)]}
        out["map_labels"] = _labels(project, m)
    return out


def main() -> None:
    """Open FOLDER/atlas.qgz and FOLDER/atlas.gpkg; print what QGIS sees as JSON."""
    folder = sys.argv[1]
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    read = project.read(os.path.join(folder, "atlas.qgz"))
    out = {"qgis_version": __import__("qgis.core").core.Qgis.QGIS_VERSION, "read": read,
           "crs": project.crs().authid(), "title": project.title(),
           "layers": _layers(project), "layout": _layout(project, folder)}
    direct = QgsVectorLayer(os.path.join(folder, "atlas.gpkg") + "|layername=counties",
                            "counties", "ogr")
    out["gpkg_direct"] = _vector(direct)
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    # QGIS 3.22's exitQgis() can segfault while tearing down network providers; the report
    # is already printed, so leave without it.
    os._exit(0)


if __name__ == "__main__":
    main()
