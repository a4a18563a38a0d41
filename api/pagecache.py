"""Answer repeated reads of public plan-layer pages from memory, before FastAPI runs.

Plan layers do not change while the process runs, and QGIS, GDAL and browsers ask for the
same pages again and again (``limit=10&offset=0..90`` while a user scrolls an attribute
table). FastAPI's routing, parameter validation, middleware and the GZip encoder cost many
times more than the page itself, so this ASGI layer keeps each finished ``200`` answer of
``/collections/<plan layer>/items[/<id>]`` and replays it byte for byte.

The key is everything the answer depends on: path, query string, ``Host`` (links are
absolute), whether the client asked for HTML, whether it accepts gzip and its ``Origin``
(CORS). Requests with an ``Authorization`` header are never served from here (an unknown key
must still get its 401), and store-backed collections are never cached. Memory is bounded:
least recently used pages are dropped past ``max_bytes``, so a flood of distinct ``Host``
headers or query strings cannot grow the process.
"""

from __future__ import annotations

import re
from collections import OrderedDict

_ITEMS = re.compile(r"/collections/(?P<cid>[^/]+)/items(?:/[^/]+)?")
MAX_QUERY = 2048
MAX_PAGE = 8 * 1024 * 1024
_SINGLE = {b"host", b"accept", b"accept-encoding", b"origin", b"x-forwarded-host",
           b"x-forwarded-proto"}


class PageCache:
    """ASGI middleware replaying cached public item pages (LRU bounded by bytes)."""

    def __init__(self, app, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[tuple, tuple[list, bytes]] = OrderedDict()

    def _key(self, scope) -> tuple | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        match = _ITEMS.fullmatch(scope["path"])
        if match is None or len(scope["query_string"]) > MAX_QUERY:
            return None
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in headers and name in _SINGLE:
                return None  # a repeated Host/Accept/...: the app reads the first, never cache
            headers.setdefault(name, value)
        if b"authorization" in headers:
            return None
        if not scope["app"].state.service.is_static(match["cid"]):
            return None
        accept = headers.get(b"accept", b"")
        html = b"text/html" in accept and b"json" not in accept
        gzip = b"gzip" in headers.get(b"accept-encoding", b"")
        return (scope["scheme"], scope.get("root_path", ""), scope["path"],
                scope["query_string"], headers.get(b"host"), html, gzip, headers.get(b"origin"))

    async def __call__(self, scope, receive, send) -> None:
        """Replay a cached page, or run the app and keep a cacheable answer."""
        key = self._key(scope)
        if key is None:
            return await self.app(scope, receive, send)
        hit = self._pages.get(key)
        if hit is not None:
            self._pages.move_to_end(key)
            headers, body = hit
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: tuple, start: dict, body: bytes) -> None:
        if start.get("status") != 200 or len(body) > MAX_PAGE:
            return
        self._pages[key] = (list(start.get("headers", [])), body)
        self.size += len(body)
        while self.size > self.max_bytes and self._pages:
            _, (_, dropped) = self._pages.popitem(last=False)
            self.size -= len(dropped)
