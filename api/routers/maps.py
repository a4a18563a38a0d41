"""Interactive maps: an index with thumbnails, one page per map, and the vendored JS/CSS.

The pages load Leaflet and its plugins from ``/static/vendor`` (npm packages installed by
``make install``), never from a CDN, so they work on an intranet without internet. A page is
built once per (map, basemap) and kept (``maps.pages.MapPages``); thumbnails are made lazily
by headless Chromium and the index simply leaves them out when Chromium is not installed.
The 5G coverage-gap map is built from the service's site store and coverage run as well
(``maps.coverage_data.CoverageSource``); ``?scenario=2023|2025`` picks its target year.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api.html import render
from api.problems import PROBLEM_RESPONSES
from api.responses import base_url
from api.security import csp
from maps.assets import servable
from maps.basemaps import TITLES, get_basemap, unavailable_page
from maps.coverage_data import DEFAULT_SCENARIO, SCENARIOS
from maps.errors import BasemapUnavailableError, MapNotFoundError
from maps.pages import MapPages
from maps.registry import MAPS, get_map

router = APIRouter(responses=PROBLEM_RESPONSES)
CACHE_CONTROL = "public, max-age=86400"
MapName = Annotated[str, Path(description="Map name: " + ", ".join(MAPS), examples=["layout"])]
Basemap = Annotated[str, Query(
    description="Basemap: none (offline, default) | osm | tianditu (needs ATLAS_TIANDITU_KEY) | "
                "gaode (overlays shifted to GCJ-02). Unknown or unconfigured: 422.",
    examples=["none"])]
Scenario = Annotated[int, Query(
    description="Target year of the coverage map: 2023 or 2025 (other maps ignore it).",
    examples=[DEFAULT_SCENARIO])]


def map_pages(request: Request) -> MapPages:
    """The service's page cache (built with the service)."""
    return request.app.state.service.maps


def page_root(request: Request) -> str:
    """URL root written into pages: ATLAS_PUBLIC_URL, else root-relative links.

    Never the client's ``Host`` header: pages are cached per root, and a root taken from the
    request would let any client add cache entries (and point assets at its own host).
    """
    configured = request.app.state.settings.public_url
    return configured.rstrip("/") if configured else ""


@router.get("/maps", include_in_schema=False)
def maps_redirect(request: Request) -> RedirectResponse:
    """``/maps`` -> ``/maps/``."""
    return RedirectResponse(f"{base_url(request)}/maps/", status_code=308)


@router.get("/maps/", operation_id="listMaps", summary="Map index (HTML, with thumbnails)",
            response_class=HTMLResponse)
def maps_index(request: Request) -> HTMLResponse:
    """Every registered map with its summary, basemap links and (with Chromium) a thumbnail."""
    pages = map_pages(request)
    return render(request, "maps_index.html", maps=list(MAPS.values()),
                  basemaps=[(b, TITLES[b]) for b in pages.basemaps()],
                  thumbnails=pages.thumbnails_possible(), scenarios=SCENARIOS)


@router.get("/maps/{name}", operation_id="getMap", summary="An interactive map (HTML)",
            response_class=HTMLResponse)
def map_page(request: Request, name: MapName, basemap: Basemap = "none",
             scenario: Scenario = DEFAULT_SCENARIO) -> HTMLResponse:
    """The map page; it references only this server and the chosen basemap's tiles.

    An unknown or unconfigured basemap (天地图 without a key) is a 400: a Chinese HTML page
    for a browser (``Accept: text/html``), problem+json for every other client.
    """
    get_map(name)  # 404 for an unknown map before any basemap problem
    try:
        hosts = get_basemap(basemap, request.app.state.settings).hosts
    except BasemapUnavailableError as exc:
        if "text/html" not in request.headers.get("accept", ""):
            raise
        pages = map_pages(request)
        links = {b: f"{page_root(request)}/maps/{name}?basemap={b}" for b in pages.basemaps()}
        return HTMLResponse(unavailable_page(exc, links), status_code=exc.status)
    headers = {"Content-Security-Policy": csp(hosts), "Vary": "Accept-Encoding"}
    pages = map_pages(request)
    if "gzip" in request.headers.get("accept-encoding", ""):  # compressed once, kept
        body = pages.gzipped(name, basemap, page_root(request), scenario)
        return HTMLResponse(body, headers={**headers, "Content-Encoding": "gzip"})
    return HTMLResponse(pages.html(name, basemap, page_root(request), scenario),
                        headers=headers)


@router.get("/maps/{name}/thumbnail.png", operation_id="getMapThumbnail",
            summary="Thumbnail of a map (PNG, made by headless Chromium)",
            response_class=FileResponse, responses={200: {"content": {"image/png": {}}}})
def map_thumbnail(request: Request, name: MapName) -> FileResponse:
    """A 480x320 PNG of the offline map; 404 problem when Chromium is not installed."""
    path = map_pages(request).thumbnail(name)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": CACHE_CONTROL})


@router.get("/static/vendor/{path:path}", include_in_schema=False)
def vendor_file(path: str) -> Response:
    """A file of the pinned npm packages (Leaflet, plugins, their CSS images)."""
    target = servable(path) if "\x00" not in path and len(path) < 512 else None
    if target is None:
        raise MapNotFoundError(f"no vendored file {path!r}", path=path)
    return FileResponse(target, headers={"Cache-Control": CACHE_CONTROL})
