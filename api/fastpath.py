"""Serve already-rendered vector tiles before FastAPI's routing and middleware run.

A cached tile is a dict lookup, but FastAPI's router and the app-wide GZip/CORS middleware
cost several times more than that (bench/README.md). This outermost ASGI layer answers a
``GET``/``HEAD`` for a tile whose layer set is already rendered with the very answer the
tiles router gives (``api.tile_http.tile_reply``: 200/204/304, ETag, Cache-Control, gzip
when accepted), plus the CORS header the app's CORSMiddleware would have added.
Anything else - first request of a layer set, an overzoomed tile not computed yet, an
unknown layer, an invalid or out-of-range address (on the OGC path: outside the
collection's tileMatrixSetLimits) - goes on to the app unchanged, so every error is still
problem+json. On that way back a tile response's ``Vary`` is de-duplicated: the router sets
``Vary: Accept-Encoding`` itself and the app's GZipMiddleware appends its own to a large,
unencoded body. Both ways end with one ``Vary: Accept-Encoding, Origin`` (``Origin`` alone on
a 204), ``Origin`` being what the app's CORSMiddleware adds to every simple response.
"""

from __future__ import annotations

import re

from api.tile_http import layer_names, tile_reply
from geo.errors import AtlasError
from geo.tiles import MISSING, Tile, check_tile, tile_key, within_limits

_XYZ = re.compile(r"/tiles/(?P<layers>[^/]+)/(?P<z>\d{1,2})/(?P<x>\d{1,6})/(?P<y>\d{1,6})\.mvt")
_OGC = re.compile(r"/collections/(?P<layers>[^/,]+)/tiles/WebMercatorQuad/"
                  r"(?P<z>\d{1,2})/(?P<y>\d{1,6})/(?P<x>\d{1,6})")


def merge_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Raw ASGI headers with every ``Vary`` merged into one, each token once."""
    tokens: dict[str, str] = {}
    out = []
    for name, value in headers:
        if name.lower() == b"vary":
            for token in value.decode("latin-1").split(","):
                if token.strip():
                    tokens.setdefault(token.strip().lower(), token.strip())
        else:
            out.append((name, value))
    if tokens:
        out.append((b"vary", ", ".join(tokens.values()).encode("latin-1")))
    return out


class TileFastPath:
    """ASGI middleware: answer cached tiles directly, pass everything else through."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        if any(name == b"authorization" for name, _ in scope["headers"]):
            return await self.app(scope, receive, send)  # the key must be checked (401/429)
        path = scope["path"]
        ogc = False
        match = _XYZ.fullmatch(path)
        if match is None:
            match = _OGC.fullmatch(path)
            ogc = match is not None
        if match is None:
            return await self.app(scope, receive, send)
        store = scope["app"].state.service.tiles
        tile_found = self._lookup(store, match, ogc) if store is not None else False
        if tile_found is False:
            return await self.app(scope, receive, self._merging_vary(send))
        await self._respond(scope, send, tile_found)

    @staticmethod
    def _merging_vary(send):
        async def wrapped(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = merge_vary(list(message.get("headers", ())))
            await send(message)

        return wrapped

    @staticmethod
    def _lookup(store, match, ogc: bool) -> Tile | None | bool:
        """The tile (None = empty tile), or False when the app must handle the request."""
        try:
            names = layer_names(match["layers"])
            z, x, y = int(match["z"]), int(match["x"]), int(match["y"])
            check_tile(z, x, y)
        except AtlasError:
            return False
        if ogc:
            limits = store.cached_limits(names[0])
            if limits is MISSING or not within_limits(limits, z, x, y):
                return False
        index = store.cached_index(names)
        if index is None:
            return False
        tile = index.lookup(z, tile_key(z, x, y))
        return False if tile is MISSING else tile

    @staticmethod
    async def _respond(scope, send, tile: Tile | None) -> None:
        request_headers = dict(scope["headers"])
        status, headers, body = tile_reply(tile, request_headers, vary_origin=True)
        origins = scope["app"].state.settings.cors_origins
        origin = request_headers.get(b"origin")
        if origin is not None and ("*" in origins or origin.decode() in origins):
            headers.append((b"access-control-allow-origin",
                            b"*" if "*" in origins else origin))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})
