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
def demo_settings(tmp_path_factory) -> AtlasSettings:
    """A data dir holding the demo inventory only (the API tests add real sites to theirs,
    and a store with real sites gets no public raster or gaps)."""
    return AtlasSettings(data_dir=tmp_path_factory.mktemp("maps-demo"))


@pytest.fixture(scope="session")
def site_store(demo_settings):
    """A site store holding the demo inventory (as the app's start-up loads it)."""
    from geo.inventory.demo import seed_demo_if_empty
    from geo.store import open_store

    store = open_store(demo_settings)
    seed_demo_if_empty(store, demo_settings)
    return store


@pytest.fixture(scope="session")
def coverage_data(demo_settings, ctx, site_store):
    """The coverage map's input for 2025 (runs the coverage analysis once, then reuses it)."""
    from maps.coverage_data import coverage_map_data

    return coverage_map_data(demo_settings, site_store, ctx.with_settings(demo_settings), 2025)


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
def maps_live_url(demo_settings, site_store):
    """The real app on loopback over the demo-only data dir (real sites would withhold the
    coverage raster and gaps from the public page, docs/security.md)."""
    from tests.conftest import live_server

    with live_server(demo_settings.data_dir) as url:
        yield url


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
