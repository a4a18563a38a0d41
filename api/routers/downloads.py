"""Bulk downloads per collection: GeoJSON, GeoPackage, FlatGeobuf, CSV and a QGIS bundle."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from api.deps import CollectionDep, SettingsDep
from api.problems import PROBLEM_RESPONSES
from geo.downloads import download_path

router = APIRouter(responses=PROBLEM_RESPONSES)
MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "fgb": "application/flatgeobuf",
    "csv": "text/csv; charset=utf-8",
    "qgis": "application/zip",
}


@router.get("/collections/{collectionId}/download/{format}", operation_id="downloadCollection",
            summary="Download a whole collection", response_class=FileResponse,
            responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}})
def download(
    index: CollectionDep,
    settings: SettingsDep,
    fmt: Annotated[Literal["geojson", "gpkg", "fgb", "csv", "qgis"],
                   Path(alias="format", description="File format")],
) -> FileResponse:
    """The whole collection as one file (built on first request, then cached)."""
    path = download_path(index.result, fmt, settings)
    return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=path.name,
                        headers={"Cache-Control": "public, max-age=3600"})
