"""Errors of the maps package, typed like ``geo.errors`` so the API maps them to problem+json."""

from __future__ import annotations

from geo.errors import AtlasError, InvalidParameterError


class MapNotFoundError(AtlasError):
    """A map name that is not in ``maps.registry.MAPS``."""

    status = 404
    slug = "map-not-found"
    title = "Map not found"


class BasemapUnavailableError(InvalidParameterError):
    """An unknown basemap, or one that needs a setting that is not set (天地图 without a key)."""

    def __init__(self, detail: str, **extensions) -> None:
        super().__init__(detail, "basemap", **extensions)


class VendorAssetsMissingError(AtlasError):
    """The browser libraries (npm packages) are not installed, so no page could load Leaflet."""

    slug = "vendor-assets-missing"
    title = "Browser libraries not installed"


class UnknownAssetError(AtlasError):
    """A folium element asks for a JS/CSS file the project has no local copy of.

    Raised instead of letting the page point at a CDN: a page that needs the internet renders
    blank on an intranet.
    """

    slug = "unknown-asset"
    title = "Map asset without a local copy"


class BrowserUnavailableError(AtlasError):
    """Headless Chromium is not installed, so no PNG (thumbnail, export) can be made."""

    status = 404
    slug = "browser-unavailable"
    title = "PNG rendering unavailable"


class CoverageDataMissingError(AtlasError):
    """A map built from the coverage analysis was asked for without its coverage input.

    A caller's mistake (``MapInputs.coverage`` not given), not the client's.
    """

    slug = "coverage-data-missing"
    title = "Coverage map built without coverage data"
