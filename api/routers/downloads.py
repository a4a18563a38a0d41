"""Bulk downloads per collection: GeoJSON, GeoPackage, FlatGeobuf, CSV and a QGIS bundle."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from api.deps import ServiceDep, SettingsDep
from api.problems import PROBLEM_RESPONSES
from geo.downloads import download_path
from geo.formats import DOWNLOADS

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.get("/collections/{collectionId}/download/{format}", operation_id="downloadCollection",
            summary="Download a whole collection", response_class=FileResponse,
            responses={200: {"content": {f.media_type: {} for f in DOWNLOADS.values()}}})
def download(
    service: ServiceDep,
    collection_id: Annotated[str, Path(alias="collectionId", description="Plan layer id")],
    settings: SettingsDep,
    fmt: Annotated[Literal["geojson", "gpkg", "fgb", "csv", "qgis"],
                   Path(alias="format", description="File format")],
) -> FileResponse:
    """The whole collection as one file (built on first request, then cached)."""
    result = service.catalog.layer(collection_id).index.result
    assert result is not None
    path = download_path(result, fmt, settings)
    return FileResponse(path, media_type=DOWNLOADS[fmt].media_type, filename=path.name,
                        headers={"Cache-Control": "public, max-age=3600"})
