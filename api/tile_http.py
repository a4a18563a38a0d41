"""A tile's HTTP answer, computed in one place for the tiles router and the ASGI fast path.

The same tile is answered by two ways in: the outermost ASGI layer (``api.fastpath``) once
it is cached, and the router (with the app's middleware) before that. A client must not be
able to tell them apart - same status, ETag, encoding, caching and ``Vary`` - so both call
``tile_reply``, which works on raw ASGI header bytes (what the fast path has; no
Starlette objects, to keep it fast) and returns status, header list and body:

* ``200`` with the tile bytes, gzip-encoded (the copy kept on the tile) when the client
  accepts gzip and the tile is at least ``GZIP_MIN_BYTES``, a strong ETag per encoding;
* ``304`` with no body for a matching ``If-None-Match``;
* ``204`` with no body for an empty tile;
* ``Cache-Control: public, max-age=86400`` on all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from geo.tiles import GZIP_MIN_BYTES, MVT_MEDIA_TYPE, Tile, parse_layer_list

CACHE_CONTROL = "public, max-age=86400"
_CACHE = (b"cache-control", CACHE_CONTROL.encode())
_MVT = (b"content-type", MVT_MEDIA_TYPE.encode())
_GZIP = (b"content-encoding", b"gzip")
_NOSNIFF = (b"x-content-type-options", b"nosniff")  # as api.security adds to every answer
# CORSMiddleware appends ``Origin`` to every Vary; a caller answering without it adds it here
_VARY = {False: (b"vary", b"Accept-Encoding"), True: (b"vary", b"Accept-Encoding, Origin")}
_VARY_EMPTY = {False: (), True: ((b"vary", b"Origin"),)}

TileReply = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, raw headers, body


@lru_cache(maxsize=512)
def layer_names(text: str) -> tuple[str, ...]:
    """``parse_layer_list`` of a path segment, cached (the same few sets are asked again)."""
    return parse_layer_list(text)


def etag_matches(header: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` value matches ``etag`` (weak comparison, ``*``)."""
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def tile_reply(tile: Tile | None, request_headers: Mapping[bytes, bytes],
               vary_origin: bool = False) -> TileReply:
    """Status, raw response headers and body answering a request for ``tile``.

    ``request_headers`` maps lower-case raw header names to values (``dict(scope["headers"])``).
    ``vary_origin`` adds ``Origin`` to ``Vary``, for a caller that bypasses CORSMiddleware.
    """
    if tile is None:
        return 204, [_CACHE, _NOSNIFF, *_VARY_EMPTY[vary_origin]], b""
    gz = len(tile.data) >= GZIP_MIN_BYTES and b"gzip" in request_headers.get(
        b"accept-encoding", b"")
    etag = tile.gzip_etag if gz else tile.etag
    headers = [_CACHE, _NOSNIFF, (b"etag", etag.encode()), _VARY[vary_origin]]
    match = request_headers.get(b"if-none-match")
    if match is not None and etag_matches(match.decode("latin-1"), etag):
        return 304, headers, b""
    if gz:
        body = tile.gzipped
        headers.append(_GZIP)
    else:
        body = tile.data
    headers += [_MVT, (b"content-length", str(len(body)).encode())]
    return 200, headers, body
