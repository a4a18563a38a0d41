"""The file formats the atlas hands out, with their suffixes, media types and titles.

One table for the collection documents' download links, the download route and the writers,
so a format is added or renamed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

GEOJSON = "application/geo+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FileFormat:
    """A whole-collection download format."""

    name: str
    suffix: str
    media_type: str
    title: str


DOWNLOADS: dict[str, FileFormat] = {f.name: f for f in (
    FileFormat("gpkg", ".gpkg", "application/geopackage+sqlite3", "GeoPackage"),
    FileFormat("fgb", ".fgb", "application/flatgeobuf", "FlatGeobuf"),
    FileFormat("geojson", ".geojson", GEOJSON, "GeoJSON"),
    FileFormat("csv", ".csv", "text/csv; charset=utf-8", "CSV"),
    # GDAL's CSV driver (and QGIS) reads name.csvt beside name.csv for the column types
    FileFormat("csvt", ".csvt", "text/plain; charset=utf-8",
               "CSV 字段类型 (.csvt，与 CSV 放在同一目录，QGIS/GDAL 据此识别数值列)"),
    FileFormat("qgis", "_qgis.zip", "application/zip", "QGIS 工程包 (GeoPackage + .qml 样式)"),
)}
