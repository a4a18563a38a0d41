"""Bulk downloads: per collection (GeoJSON, GeoPackage, FlatGeobuf, CSV, a QGIS bundle) and
the whole atlas for QGIS (one styled GeoPackage, a project with a print layout, the bundle)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from api.deps import ServiceDep, SettingsDep
from api.problems import PROBLEM_RESPONSES
from api.responses import base_url
from api.service import Service
from geo.collections.layers import LayerCollection
from geo.downloads import download_path
from geo.formats import DOWNLOADS
from geo.qgis import bundle
from geo.schema import LayerResult

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.get("/collections/{collectionId}/download/{format}", operation_id="downloadCollection",
            summary="Download a whole collection", response_class=FileResponse,
            responses={200: {"content": {f.media_type: {} for f in DOWNLOADS.values()}}})
def download(
    service: ServiceDep,
    collection_id: Annotated[str, Path(alias="collectionId", description="Plan layer id")],
    settings: SettingsDep,
    fmt: Annotated[Literal[tuple(DOWNLOADS)],  # every format of geo.formats.DOWNLOADS
                   Path(alias="format", description="File format")],
) -> FileResponse:
    """The whole collection as one file (built on first request, then cached)."""
    result = service.catalog.layer(collection_id).index.result
    assert result is not None
    path = download_path(result, fmt, settings)
    return FileResponse(path, media_type=DOWNLOADS[fmt].media_type, filename=path.name,
                        headers={"Cache-Control": "public, max-age=3600"})


GPKG_MEDIA_TYPE = DOWNLOADS["gpkg"].media_type
ZIP_MEDIA_TYPE = "application/zip"  # a .qgz is a zip holding one .qgs
_CACHING = {"Cache-Control": "public, max-age=3600"}


def _binary(media_type: str, description: str) -> dict[int | str, dict]:
    return {200: {"description": description,
                  "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}


def _public_layers(service: Service) -> list[LayerResult]:
    """Every public plan layer of the catalog, in registry order."""
    out = []
    for collection in service.catalog:
        if isinstance(collection, LayerCollection) and collection.access == "public":
            assert collection.index.result is not None
            out.append(collection.index.result)
    return out


@router.get("/downloads/atlas.gpkg", operation_id="downloadAtlasGeoPackage",
            summary="Every public plan layer in one styled GeoPackage",
            response_class=FileResponse,
            responses=_binary(GPKG_MEDIA_TYPE, "GeoPackage: one table per layer, each with "
                              "its default QGIS style (layer_styles) and metadata"))
def atlas_gpkg(service: ServiceDep, settings: SettingsDep) -> FileResponse:
    """Every public plan layer in one GeoPackage; QGIS applies each table's style on load."""
    path = bundle.atlas_gpkg(_public_layers(service), settings)
    return FileResponse(path, media_type=GPKG_MEDIA_TYPE, filename=bundle.GPKG,
                        headers=_CACHING)


@router.get("/downloads/atlas.qgz", operation_id="downloadAtlasQgisProject",
            summary="QGIS project of the atlas (layers from atlas.gpkg, print layout)",
            response_class=FileResponse,
            responses=_binary(ZIP_MEDIA_TYPE, "QGIS project (.qgz); open it next to "
                              "atlas.gpkg (or download atlas.zip, which holds both)"))
def atlas_qgz(request: Request, service: ServiceDep, settings: SettingsDep) -> FileResponse:
    """The project: styled layers read from ``./atlas.gpkg``, a live group on this service."""
    path = bundle.atlas_qgz(_public_layers(service), settings, base_url(request))
    return FileResponse(path, media_type=ZIP_MEDIA_TYPE, filename=bundle.QGZ,
                        headers=_CACHING)


@router.get("/downloads/atlas.zip", operation_id="downloadAtlasQgisBundle",
            summary="QGIS bundle: project, GeoPackage, metadata, connections, README",
            response_class=FileResponse,
            responses=_binary(ZIP_MEDIA_TYPE, "Zip of atlas.qgz, atlas.gpkg, metadata/*.qmd, "
                              "QGIS connection files and README.txt"))
def atlas_zip(request: Request, service: ServiceDep, settings: SettingsDep) -> FileResponse:
    """Everything an analyst needs to open the atlas in QGIS, in one download."""
    path = bundle.atlas_zip(_public_layers(service), settings, base_url(request))
    return FileResponse(path, media_type=ZIP_MEDIA_TYPE, filename=bundle.ZIP,
                        headers=_CACHING)
