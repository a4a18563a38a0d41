"""PNG pictures of map pages with headless Chromium (Debian's ``/usr/bin/chromium``).

Playwright drives the system Chromium (browsers cannot be downloaded here) with the flags of
``shared/reference/environment.md``. Every request that is not to the loopback interface, a
``file:`` or a ``data:`` URL is aborted, so a picture shows what a planner without internet
sees, and rendering never leaks a request to the outside.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from maps.errors import BrowserUnavailableError

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
SETTLE_MS = 400  # marker-cluster and zoom animations finish within ~250 ms


SHOT_ORIGIN = "http://localhost"  # a served page's origin in a shot: answered by a route


@dataclass(frozen=True)
class Shot:
    """What to photograph: a page (URL or HTML text) and where the PNG goes.

    ``served``: ``html`` is a served page (vendor files under ``/static/vendor``); Chromium
    gets it and the vendor files from a route, without a server, so a thumbnail can be made
    from the page already built for visitors instead of building a self-contained one.
    """

    out: Path
    url: str | None = None
    html: str | None = None
    served: bool = False


def chromium_path() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (loopback, file or data URL)."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "about", "blob"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@contextmanager
def browser() -> Iterator:
    """A headless Chromium (Playwright ``Browser``); ``BrowserUnavailableError`` if absent."""
    path = chromium_path()
    if path is None:
        raise BrowserUnavailableError("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def offline_page(b, width: int = 1280, height: int = 860, scale: float = 1.0):
    """A new page whose requests off this machine are aborted."""
    context = b.new_context(viewport={"width": width, "height": height},
                            device_scale_factor=scale, locale="zh-CN")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if is_local(route.request.url)
               else route.abort("internetdisconnected"))
    return page


def wait_for_map(page) -> None:
    """Wait until Leaflet has drawn the map (panes present), then let animations settle."""
    page.wait_for_selector(".leaflet-overlay-pane, .leaflet-marker-pane", state="attached",
                           timeout=15_000)
    page.wait_for_timeout(SETTLE_MS)


def capture(shots: list[Shot], width: int = 1280, height: int = 860,
            scale: float = 1.0) -> list[Path]:
    """Photograph each page's map element (title block and legend included) to its PNG.

    Runs in a thread of its own: Playwright's sync API refuses a thread that already runs an
    event loop or another Playwright session (a notebook, a test's browser fixture).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_capture, shots, width, height, scale).result()


def _capture(shots: list[Shot], width: int, height: int, scale: float) -> list[Path]:
    written = []
    with browser() as b:
        for shot in shots:
            page = offline_page(b, width, height, scale)
            if shot.html is not None and shot.served:
                _route_served(page, shot.html)
                page.goto(f"{SHOT_ORIGIN}/", wait_until="load")
            elif shot.html is not None:
                page.set_content(shot.html, wait_until="load")
            else:
                page.goto(shot.url, wait_until="load")
            wait_for_map(page)
            shot.out.parent.mkdir(parents=True, exist_ok=True)
            page.locator(".folium-map").screenshot(path=str(shot.out))
            page.context.close()
            written.append(shot.out)
    return written


def _route_served(page, html: str) -> None:
    """Answer ``SHOT_ORIGIN``: ``/`` with ``html``, ``/static/vendor/...`` from the pinned
    npm files (``maps.assets.servable``); anything else there is aborted."""
    from maps.assets import SERVED_PREFIX, servable

    def handle(route) -> None:
        path = urlsplit(route.request.url).path
        if path == "/":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
            return
        target = servable(path[len(SERVED_PREFIX) + 1:]) \
            if path.startswith(f"{SERVED_PREFIX}/") else None
        if target is None:
            route.abort("internetdisconnected")
        else:
            route.fulfill(path=str(target))

    # registered after offline_page's catch-all, so it is tried first
    page.route(lambda url: url.startswith(f"{SHOT_ORIGIN}/"), handle)
