"""App factory for the browser tests: the real app, plus the maps router if not yet included."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.routers import maps


def with_maps(app: FastAPI) -> FastAPI:
    """Include the maps router unless ``create_app`` already does."""
    if not any(getattr(r, "path", "") == "/maps/{name}" for r in app.routes):
        app.include_router(maps.router, tags=["maps"])
    return app


def create_app_with_maps() -> FastAPI:
    """``uvicorn --factory tests.maps.server:create_app_with_maps`` (settings from ATLAS_*)."""
    return with_maps(create_app())
