"""Fixtures for the map tests: built maps, a live server with the maps router, Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

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


class KeyedSettings(AtlasSettings):
    """AtlasSettings with the 天地图 key field the maps read (until AtlasSettings has it)."""

    tianditu_key: str | None = None


TIANDITU_KEY = "test-key-0123"


@pytest.fixture(scope="session")
def keyed_ctx(settings) -> BuildContext:
    """A build context whose settings carry a 天地图 key."""
    return BuildContext(KeyedSettings(data_dir=settings.data_dir, out_dir=settings.out_dir,
                                      tianditu_key=TIANDITU_KEY))


def build_with(ctx, name: str, basemap: str, coverage=None):
    """Build ``name`` with another basemap."""
    return build_map(name, ctx, MapOptions(basemap=basemap), coverage)


@pytest.fixture(scope="session")
def maps_live_url(settings):
    """A real uvicorn process on loopback serving the app with the maps router."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ATLAS_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tests.maps.server:create_app_with_maps", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/maps/", timeout=5).close()
            break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"uvicorn did not start: {proc.stderr.read()[:500]}") from exc
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


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
