"""The one GeoPackage of the atlas: every public plan layer, styled, with its metadata.

GDAL writes the tables (``geo.export.write_gpkg_layer``); two extra records per table make
QGIS show the layer as the atlas means it when the file is opened on its own:

* its default style in ``layer_styles`` (``geo.downloads.embed_style``), applied on load;
* its metadata in the GeoPackage metadata extension (``gpkg_metadata`` +
  ``gpkg_metadata_reference``), as a QGIS metadata document (``md_standard_uri``
  ``http://mrcc.com/qgis.dtd``), which QGIS's OGR provider reads as the layer's metadata.
  GDAL only writes its own ``http://gdal.org`` records, so these rows are written with
  sqlite3, in the tables and extension rows GDAL itself creates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from geo.downloads import embed_style
from geo.export import write_gpkg_layer
from geo.schema import LayerResult

QGIS_METADATA_URI = "http://mrcc.com/qgis.dtd"
_EXTENSION = "http://www.geopackage.org/spec120/#extension_metadata"
_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC "
    "NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, "
    "mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
    "table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL "
    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, "
    "md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES "
    "gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES "
    "gpkg_metadata(id))",
)


def embed_metadata(gpkg: Path, table: str, document: str) -> None:
    """Store the QGIS metadata ``document`` (a ``.qmd`` text) as ``table``'s metadata."""
    # closing(): the connection context manager only commits; the file must be released
    with closing(sqlite3.connect(gpkg)) as db, db:
        for ddl in _DDL:
            db.execute(ddl)
        for name in ("gpkg_metadata", "gpkg_metadata_reference"):
            known = db.execute("SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
                               "extension_name = 'gpkg_metadata'", (name,)).fetchone()
            if known is None:
                db.execute("INSERT INTO gpkg_extensions (table_name, column_name, "
                           "extension_name, definition, scope) VALUES (?, NULL, "
                           "'gpkg_metadata', ?, 'read-write')", (name, _EXTENSION))
        cursor = db.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, "
                            "metadata) VALUES ('dataset', ?, 'text/xml', ?)",
                            (QGIS_METADATA_URI, document))
        db.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                   "md_file_id) VALUES ('table', ?, ?)", (table, cursor.lastrowid))


def write_atlas_gpkg(results: Sequence[LayerResult], path: Path,
                     style: Callable[[LayerResult], str],
                     metadata: Callable[[LayerResult], str]) -> Path:
    """Write every layer of ``results`` to ``path`` with ``style(result)`` (QML) as its
    default style and ``metadata(result)`` (``.qmd``) as its metadata."""
    path.unlink(missing_ok=True)
    for result in results:
        write_gpkg_layer(result, path)
    for result in results:
        embed_style(path, result.layer.name, style(result))
        embed_metadata(path, result.layer.name, metadata(result))
    return path
