"""Serve already-rendered vector tiles before FastAPI's routing and middleware run.

A cached tile is a dict lookup, but FastAPI's router and the app-wide GZip/CORS middleware
cost several times more than that (bench/README.md). This outermost ASGI layer answers a
``GET``/``HEAD`` for a tile whose layer set is already rendered, with the same status codes
and headers as the tiles router (200/204/304, ETag, Cache-Control, gzip when accepted, CORS).
Anything else - first request of a layer set, an unknown layer, an invalid or out-of-range
address - goes on to the app unchanged, so every error is still problem+json.
"""

from __future__ import annotations

import re

from api.routers.tiles import CACHE_CONTROL, _etag_matches, _layer_names
from geo.errors import AtlasError
from geo.tiles import GZIP_MIN_BYTES, MVT_MEDIA_TYPE, Tile, check_tile, tile_key

_XYZ = re.compile(r"/tiles/(?P<layers>[^/]+)/(?P<z>\d{1,2})/(?P<x>\d{1,6})/(?P<y>\d{1,6})\.mvt")
_OGC = re.compile(r"/collections/(?P<layers>[^/]+)/tiles/WebMercatorQuad/"
                  r"(?P<z>\d{1,2})/(?P<y>\d{1,6})/(?P<x>\d{1,6})")
_MVT = MVT_MEDIA_TYPE.encode()


class TileFastPath:
    """ASGI middleware: answer cached tiles directly, pass everything else through."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        path = scope["path"]
        match = _XYZ.fullmatch(path) or _OGC.fullmatch(path)
        store = getattr(scope["app"].state, "tile_store", None) if match else None
        tile_found = self._lookup(store, match) if store is not None else False
        if tile_found is False:
            return await self.app(scope, receive, send)
        await self._respond(scope, send, tile_found)

    @staticmethod
    def _lookup(store, match) -> Tile | None | bool:
        """The tile (None = empty tile), or False when the app must handle the request."""
        try:
            names = _layer_names(match["layers"])
            z, x, y = int(match["z"]), int(match["x"]), int(match["y"])
            check_tile(z, x, y)
        except AtlasError:
            return False
        index = store.cached_index(names)
        if index is None:
            return False
        return index.get(tile_key(z, x, y))

    @staticmethod
    async def _respond(scope, send, tile: Tile | None) -> None:
        request_headers = dict(scope["headers"])
        headers = [(b"cache-control", CACHE_CONTROL.encode())]
        origins = scope["app"].state.settings.cors_origins
        origin = request_headers.get(b"origin")
        if origin is not None and ("*" in origins or origin.decode() in origins):
            headers.append((b"access-control-allow-origin",
                            b"*" if "*" in origins else origin))
        if tile is None:
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        gz = len(tile.data) >= GZIP_MIN_BYTES and b"gzip" in request_headers.get(
            b"accept-encoding", b"")
        etag = tile.gzip_etag if gz else tile.etag
        headers += [(b"etag", etag.encode()), (b"vary", b"Accept-Encoding")]
        match = request_headers.get(b"if-none-match")
        if match is not None and _etag_matches(match.decode("latin-1"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = tile.gzipped if gz else tile.data
        if gz:
            headers.append((b"content-encoding", b"gzip"))
        headers += [(b"content-type", _MVT), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})
