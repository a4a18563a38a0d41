"""The application factory: ``uvicorn api.app:create_app --factory``.

No module-level app or settings: tests and the CLI build apps with their own settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from api.fastpath import TileFastPath
from api.problems import install_problem_handlers
from api.routers import (
    admin,
    collections,
    coverage,
    downloads,
    inventory,
    items,
    landing,
    maps,
    tiles,
)
from api.service import Service
from geo import __version__
from geo.settings import AtlasSettings


def create_app(settings: AtlasSettings | None = None) -> FastAPI:
    """Build the service for ``settings`` (read from ATLAS_* variables when omitted)."""
    settings = settings or AtlasSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service.warm()
        app.state.service.seed_demo_inventory()
        yield

    app = FastAPI(
        title=landing.TITLE,
        description=landing.DESCRIPTION,
        version=__version__,
        openapi_url=None,  # served as OpenAPI 3.0 JSON at /api by the landing router
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = Service(settings)
    install_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                       allow_methods=["GET", "HEAD", "OPTIONS"], allow_headers=["*"])
    app.include_router(landing.router, tags=["landing"])
    # inventory paths first: /collections/base_stations/... must win over {collectionId}
    app.include_router(inventory.router, tags=["inventory"])
    app.include_router(admin.router, tags=["admin"])
    app.include_router(coverage.router, tags=["coverage"])
    app.include_router(collections.router, tags=["collections"])
    app.include_router(items.router, tags=["features"])
    app.include_router(downloads.router, tags=["downloads"])
    app.include_router(tiles.router, tags=["tiles"])
    app.include_router(maps.router, tags=["maps"])
    app.add_middleware(TileFastPath)  # added last = outermost: cached tiles skip the rest
    return app
