"""The analyst's desk: one QGIS project and one styled GeoPackage of every public plan layer.

QGIS is not a dependency of the service: the project (``.qgs`` inside a ``.qgz``), its print
layout, the layer metadata (``.qmd``) and the connection files are written as XML with
ElementTree in the shapes QGIS 3.22 reads, and the tests open the result in a real QGIS.

* ``order``        - which layers are drawn on top and which are shown at first;
* ``crs``          - the ``<spatialrefsys>`` blocks QGIS reads a CRS from;
* ``qmd``          - layer metadata as QGIS metadata XML (``.qmd``, the GPKG, the project);
* ``gpkg``         - the one GeoPackage, each table with its default style and metadata;
* ``layout``       - the print layout (title, map, legend, scale bar, north arrow, sources);
* ``project``      - the ``.qgs`` document: local layers, the live-service group, the layout;
* ``connections``  - connection files for QGIS's Data Source Manager;
* ``readme``       - the bundle's README (Chinese, then English);
* ``bundle``       - builds and caches ``atlas.gpkg``, ``atlas.qgz`` and ``atlas.zip``.
"""
