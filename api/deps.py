"""Dependencies shared by the routers (Annotated aliases keep handler signatures short)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from api.service import Service
from geo.features import FeatureIndex
from geo.settings import AtlasSettings


def get_service(request: Request) -> Service:
    """The app's service object."""
    return request.app.state.service


def get_settings(request: Request) -> AtlasSettings:
    """The app's settings."""
    return request.app.state.settings


ServiceDep = Annotated[Service, Depends(get_service)]
SettingsDep = Annotated[AtlasSettings, Depends(get_settings)]


def get_collection(
    service: ServiceDep,
    collection_id: Annotated[str, Path(alias="collectionId", description="Collection id",
                                       examples=["counties"])],
) -> FeatureIndex:
    """Resolve the path's collection id to its feature index (404 when unknown)."""
    return service.index(collection_id)


CollectionDep = Annotated[FeatureIndex, Depends(get_collection)]
