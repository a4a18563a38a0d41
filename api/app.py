"""The application factory: ``uvicorn api.app:create_app --factory``.

No module-level app or settings: tests and the CLI build apps with their own settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from starlette.concurrency import run_in_threadpool

from api.fastpath import TileFastPath
from api.pagecache import PageCache
from api.parameters import reject_unknown_query_parameters
from api.problems import install_problem_handlers
from api.routers import (
    admin,
    collections,
    coverage,
    downloads,
    glyphs,
    import_templates,
    inventory,
    items,
    landing,
    maps,
    metadata,
    recommendations,
    site_exports,
    tiles,
)
from api.security import BodyGuard, SecurityHeaders
from api.service import Service
from geo import __version__
from geo.catalog import BuildContext
from geo.settings import AtlasSettings


def create_app(settings: AtlasSettings | None = None,
               ctx: BuildContext | None = None) -> FastAPI:
    """Build the service for ``settings`` (read from ATLAS_* variables when omitted).

    ``ctx`` is a prebuilt build context (its layers already built) to share between apps,
    e.g. in tests; by default the service makes its own.
    """
    settings = settings or AtlasSettings()
    if ctx is not None:
        ctx = ctx.with_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(app.state.service.start)
        if settings.prepare_pages_at_start:
            root = (settings.public_url or "").rstrip("/")
            # the map pages before the first request (read from disk after a restart, built
            # on a fresh data dir), then the thumbnails in the background (placeholders)
            await run_in_threadpool(app.state.service.maps.prepare_pages_now, root)
            app.state.service.maps.start_background(root)
        yield
        await run_in_threadpool(app.state.service.maps.stop_background)
        await run_in_threadpool(app.state.service.close)

    app = AtlasApp(
        title=landing.TITLE,
        description=landing.DESCRIPTION,
        version=__version__,
        openapi_url=None,  # served as OpenAPI 3.0 JSON at /api by the landing router
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Part 1 /req/core/query-param-unknown: a parameter the route does not define is a 400
        dependencies=[Depends(reject_unknown_query_parameters)],
    )
    app.state.settings = settings
    app.state.service = Service(settings, ctx)
    install_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Browsers on other origins may read public data; never with credentials or a key.
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                       allow_credentials=False, allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=["Accept", "Accept-Language", "Content-Type",
                                      "If-None-Match"])
    app.add_middleware(BodyGuard, settings=settings)  # 401/413/429 before a body is read
    app.add_middleware(SecurityHeaders)
    if settings.trusted_hosts != ["*"]:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.include_router(landing.router, tags=["landing"])
    # before inventory: its /imports/base-stations/{batchId} would take "template.xlsx"
    app.include_router(import_templates.router, tags=["inventory"])
    # before inventory: its /imports/base-stations/{batchId} would take "export.csv"
    app.include_router(site_exports.router, tags=["inventory"])
    app.include_router(inventory.router, tags=["inventory"])
    app.include_router(admin.router, tags=["admin"])
    app.include_router(coverage.router, tags=["coverage"])
    app.include_router(recommendations.router, tags=["coverage"])
    app.include_router(collections.router, tags=["collections"])
    app.include_router(metadata.router, tags=["collections"])
    app.include_router(items.router, tags=["features"])
    app.include_router(downloads.router, tags=["downloads"])
    app.include_router(tiles.router, tags=["tiles"])
    app.include_router(glyphs.router, tags=["tiles"])
    app.include_router(maps.router, tags=["maps"])
    return app


class AtlasApp(FastAPI):
    """FastAPI with the two replay layers outside its whole middleware stack.

    Cached tiles and public plan-layer pages are answered before FastAPI's own outer layers
    (error, telemetry and body-limit middleware) run: they are dict lookups, and those
    layers cost more than the lookup (bench/ceiling.py). Anything they cannot answer goes
    through the full stack, so every error is still problem+json.
    """

    def build_middleware_stack(self):
        """The normal stack, wrapped by the tile fast path and the page cache."""
        return TileFastPath(PageCache(super().build_middleware_stack()))
