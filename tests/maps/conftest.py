"""Fixtures for the map tests: built maps, a live server with the maps router, Chromium."""

from __future__ import annotations

import pytest

from geo.catalog import BuildContext
from geo.settings import REPO_ROOT, AtlasSettings
from maps.base import MapOptions
from maps.registry import MAPS, build_map
from tests.conftest import require_binary

SCREENSHOTS = REPO_ROOT / "out" / "screenshots"


@pytest.fixture(scope="session")
def site_store(settings):
    """The session's site store, holding the demo inventory (as the app's start-up loads it)."""
    from geo.inventory.locate import CountyLocator
    from geo.inventory.synthetic import load_synthetic
    from geo.store import open_store

    store = open_store(settings)
    if store.count() == 0:
        load_synthetic(store, settings, CountyLocator.for_region(settings))
    return store


@pytest.fixture(scope="session")
def coverage_data(settings, ctx, site_store):
    """The coverage map's input for 2025 (runs the coverage analysis once, then reuses it)."""
    from maps.coverage_data import coverage_map_data

    return coverage_map_data(settings, site_store, ctx, 2025)


@pytest.fixture(scope="session")
def built(ctx, coverage_data) -> dict:
    """Every registered map built once with the default (offline) options."""
    return {name: build_map(name, ctx, coverage=coverage_data) for name in MAPS}


TIANDITU_KEY = "test-key-0123"


@pytest.fixture(scope="session")
def keyed_ctx(settings) -> BuildContext:
    """A build context whose settings carry a 天地图 key."""
    return BuildContext(AtlasSettings(data_dir=settings.data_dir, out_dir=settings.out_dir,
                                      tianditu_key=TIANDITU_KEY))


def build_with(ctx, name: str, basemap: str, coverage=None):
    """Build ``name`` with another basemap."""
    return build_map(name, ctx, MapOptions(basemap=basemap), coverage)


@pytest.fixture(scope="session")
def maps_live_url(live_url):
    """The real app (maps router included by ``create_app``) on loopback."""
    return live_url


@pytest.fixture(scope="session")
def chromium_browser():
    """Headless Debian Chromium through Playwright (skips locally without it, fails on CI)."""
    require_binary("chromium")
    from maps.screenshot import browser

    with browser() as b:
        yield b


@pytest.fixture(scope="session")
def screenshots_dir():
    """Where the browser tests leave their screenshots (CI artefacts)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
