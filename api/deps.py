"""Dependencies shared by the routers (Annotated aliases keep handler signatures short)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from api.service import Service
from geo.collections.base import Collection
from geo.settings import AtlasSettings


async def get_service(request: Request) -> Service:
    """The app's service object."""
    return request.app.state.service


async def get_settings(request: Request) -> AtlasSettings:
    """The app's settings."""
    return request.app.state.settings


ServiceDep = Annotated[Service, Depends(get_service)]
SettingsDep = Annotated[AtlasSettings, Depends(get_settings)]


async def get_collection(
    service: ServiceDep,
    collection_id: Annotated[str, Path(alias="collectionId", description="Collection id",
                                       examples=["counties"])],
) -> Collection:
    """Resolve the path's collection id in the catalog (404 when unknown)."""
    return service.catalog.get(collection_id)


CollectionDep = Annotated[Collection, Depends(get_collection)]
