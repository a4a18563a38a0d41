"""The values the pyramid is made of: one encoded ``Tile`` and the ``TileIndex`` holding them.

They sit below the renderer, the overzoom and the store so that all three, and the HTTP
fast path, share one notion of a tile: bytes plus a strong ETag computed once, and an
index that tells "empty" (``None``) apart from "not computed yet" (``MISSING``).
"""

from __future__ import annotations

import gzip
import hashlib

from geo.tiles.grid import MAX_ZOOM

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
GZIP_MIN_BYTES = 1024  # the app's GZipMiddleware threshold: smaller tiles go out as they are


class Tile:
    """One encoded tile: the protobuf bytes, their strong ETag and, on demand, a gzip copy."""

    __slots__ = ("data", "etag", "_gz")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'
        self._gz: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        """The bytes gzip-compressed (computed on first use, then kept)."""
        if self._gz is None:
            self._gz = gzip.compress(self.data, compresslevel=6, mtime=0)
        return self._gz

    @property
    def gzip_etag(self) -> str:
        """Strong ETag of the gzip-encoded representation."""
        return self.etag[:-1] + '-gz"'


class Missing:
    """Type of ``MISSING``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()  # TileIndex.lookup: "not computed yet" (as opposed to None = empty)


class TileIndex(dict):
    """``{tile key: Tile}`` of one layer or layer set, complete up to ``complete_to``.

    Up to that zoom a missing key is an empty tile. Deeper tiles are overzoomed on demand
    and stored here, ``None`` standing for an empty one.
    """

    __slots__ = ("complete_to",)

    def __init__(self, tiles: dict[int, Tile | None] | None = None,
                 complete_to: int = MAX_ZOOM) -> None:
        super().__init__(tiles or {})
        self.complete_to = complete_to

    def lookup(self, z: int, key: int) -> Tile | None | Missing:
        """The tile, None when it is empty, ``MISSING`` when it still has to be overzoomed."""
        if z <= self.complete_to:
            return self.get(key)
        return self.get(key, MISSING)
