"""Serve already-rendered vector tiles before FastAPI's routing and middleware run.

A cached tile is a dict lookup, but FastAPI's router and the app-wide GZip/CORS middleware
cost several times more than that (bench/README.md). This outermost ASGI layer answers a
``GET``/``HEAD`` for a tile whose layer set is already rendered, with the same status codes
and headers as the tiles router (200/204/304, ETag, Cache-Control, gzip when accepted, CORS).
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

from api.routers.tiles import CACHE_CONTROL, _etag_matches, _layer_names, within_limits
from geo.errors import AtlasError
from geo.tiles import GZIP_MIN_BYTES, MISSING, MVT_MEDIA_TYPE, Tile, check_tile, tile_key

_XYZ = re.compile(r"/tiles/(?P<layers>[^/]+)/(?P<z>\d{1,2})/(?P<x>\d{1,6})/(?P<y>\d{1,6})\.mvt")
_OGC = re.compile(r"/collections/(?P<layers>[^/,]+)/tiles/WebMercatorQuad/"
                  r"(?P<z>\d{1,2})/(?P<y>\d{1,6})/(?P<x>\d{1,6})")
_MVT = MVT_MEDIA_TYPE.encode()
_VARY_TILE = b"Accept-Encoding, Origin"
_VARY_EMPTY = b"Origin"


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
        path = scope["path"]
        ogc = False
        match = _XYZ.fullmatch(path)
        if match is None:
            match = _OGC.fullmatch(path)
            ogc = match is not None
        if match is None:
            return await self.app(scope, receive, send)
        store = getattr(scope["app"].state, "tile_store", None)
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
            names = _layer_names(match["layers"])
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
        headers = [(b"cache-control", CACHE_CONTROL.encode())]
        origins = scope["app"].state.settings.cors_origins
        origin = request_headers.get(b"origin")
        if origin is not None and ("*" in origins or origin.decode() in origins):
            headers.append((b"access-control-allow-origin",
                            b"*" if "*" in origins else origin))
        if tile is None:
            headers.append((b"vary", _VARY_EMPTY))
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        gz = len(tile.data) >= GZIP_MIN_BYTES and b"gzip" in request_headers.get(
            b"accept-encoding", b"")
        etag = tile.gzip_etag if gz else tile.etag
        headers += [(b"etag", etag.encode()), (b"vary", _VARY_TILE)]
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
