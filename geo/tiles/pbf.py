"""The Mapbox Vector Tile protobuf, read and written by hand at the byte level.

A generic protobuf library would decode every feature into objects and encode them back;
the pyramid only needs to copy tippecanoe's geometry bytes verbatim into per-layer
features and to swap in a few attributes, which is string concatenation. So this module
knows just the MVT 2.1 fields it touches: a field scanner, varint and length-delimited
writers, ``Value`` messages, the per-layer ``LayerEncoder`` and the geometry command
integers (MoveTo/LineTo/ClosePath with zigzag deltas). Nothing here knows about shapely.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from geo.tiles.grid import EXTENT


def _varint_slow(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


SMALL_VARINTS = [_varint_slow(n) for n in range(1 << 14)]  # every tag and most lengths


def varint(n: int) -> bytes:
    """The base-128 varint encoding of a non-negative int."""
    return SMALL_VARINTS[n] if n < 16384 else _varint_slow(n)


def len_field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return SMALL_VARINTS[number << 3 | 2] + varint(len(payload)) + payload


def int_field(number: int, value: int) -> bytes:
    """A varint field (wire type 0)."""
    return SMALL_VARINTS[number << 3] + varint(value)


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The varint starting at ``pos`` and the position after it."""
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def fields(buf: bytes, raw: bool = False) -> Iterable[tuple]:
    """(field number, value) pairs of one message; length-delimited values as bytes.

    With ``raw`` each pair also carries the field's own encoded bytes (for re-emitting it).
    """
    pos, end = 0, len(buf)
    while pos < end:
        start = pos
        tag, pos = read_varint(buf, pos)
        wire = tag & 7
        value: int | bytes
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 2:
            size, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = buf[pos:pos + size], pos + size
        else:  # pragma: no cover - groups are not used by MVT
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield (tag >> 3, value, buf[start:pos]) if raw else (tag >> 3, value)


def raw_fields(buf: bytes) -> Iterable[tuple[int, int | bytes, bytes]]:
    """(field number, value, the field's own bytes) of one message."""
    return fields(buf, raw=True)


def shape_features(tile: bytes) -> list[tuple[int, int, bytes]]:
    """(shape id, geometry type, packed geometry) of every feature of a tippecanoe tile."""
    out = []
    for number, layer in fields(tile):
        if number != 3:
            continue
        for lnum, feature in fields(layer):
            if lnum != 2:
                continue
            fid = gtype = 0
            geometry = b""
            for fnum, value in fields(feature):
                if fnum == 1:
                    fid = value
                elif fnum == 3:
                    gtype = value
                elif fnum == 4:
                    geometry = value
            out.append((fid, gtype, geometry))
    return out


def value_message(value: str | int | float | bool) -> bytes:
    """An MVT ``Value``: string, bool, int64 (sint64 when negative) or double."""
    if isinstance(value, bool):
        return int_field(7, int(value))
    if isinstance(value, int):
        return int_field(4, value) if value >= 0 else int_field(6, (value << 1) ^ (value >> 63))
    if isinstance(value, float):
        return SMALL_VARINTS[3 << 3 | 1] + struct.pack("<d", value)
    return len_field(1, str(value).encode())


@dataclass
class LayerEncoder:
    """Writes one layer's ``Layer`` message from the shape features of a tile.

    Every row drawn with a shape becomes a feature carrying the shape's geometry bytes; the
    id is the row number + 1 (stable across tiles, usable for feature-state). Keys and values
    tables hold only what the tile's rows use; they depend on the set of rows alone, so they
    are built once per row set and reused by every tile showing the same rows.
    """

    name: str
    keys: list[bytes]
    rows_by_shape: dict[int, list[int]]
    props: list[tuple[tuple[int, bytes], ...]]  # per row: (key index, Value message)
    _row_sets: dict[tuple[int, ...], tuple[list[bytes], bytes]] = field(default_factory=dict)

    def _tables(self, rows: tuple[int, ...]) -> tuple[list[bytes], bytes]:
        """Per-row feature header (id + tags) and the keys/values/extent/version tail."""
        keys: dict[int, int] = {}
        values: dict[bytes, int] = {}
        heads = []
        for row in rows:
            tags = bytearray()
            for k, v in self.props[row]:
                tags += varint(keys.setdefault(k, len(keys)))
                tags += varint(values.setdefault(v, len(values)))
            heads.append(int_field(1, row + 1) + len_field(2, bytes(tags)))
        tail = b"".join([*(len_field(3, self.keys[k]) for k in keys),
                         *(len_field(4, v) for v in values),
                         int_field(5, EXTENT), int_field(15, 2)])
        return heads, tail

    def encode(self, shapes: Sequence[tuple[int, int, bytes]]) -> bytes | None:
        """The ``Tile`` message holding this layer's features, or None when it has none."""
        items = sorted((row, gtype, geom) for sid, gtype, geom in shapes
                       for row in self.rows_by_shape.get(sid, ()))
        if not items:
            return None
        rows = tuple(i[0] for i in items)
        tables = self._row_sets.get(rows)
        if tables is None:
            tables = self._row_sets[rows] = self._tables(rows)
        heads, tail = tables
        parts = [len_field(1, self.name.encode())]
        for head, (_, gtype, geom) in zip(heads, items, strict=True):
            parts.append(len_field(2, b"".join((head, SMALL_VARINTS[24], SMALL_VARINTS[gtype],
                                                len_field(4, geom)))))
        parts.append(tail)
        return len_field(3, b"".join(parts))


# --------------------------------------------------------------------------- geometry


def _packed_varints(buf: bytes) -> list[int]:
    out = []
    pos, end = 0, len(buf)
    while pos < end:
        b = buf[pos]
        if b < 0x80:
            out.append(b)
            pos += 1
        else:
            value, pos = read_varint(buf, pos)
            out.append(value)
    return out


def decode_geometry(geometry: bytes) -> list[list[tuple[int, int]]]:
    """The MoveTo-started parts (points, lines or rings) of an MVT geometry, tile units."""
    ints = _packed_varints(geometry)
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    n = len(ints)
    while i < n:
        command = ints[i]
        op, count = command & 7, command >> 3
        i += 1
        if op == 7:  # ClosePath
            continue
        for _ in range(count):
            dx, dy = ints[i], ints[i + 1]
            i += 2
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            if op == 1:
                parts.append([(x, y)])
            else:
                parts[-1].append((x, y))
    return parts


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


class GeometryWriter:
    """MVT geometry commands with the cursor carried across parts."""

    def __init__(self) -> None:
        self.ints: list[int] = []
        self.x = self.y = 0

    def part(self, coords: Sequence[tuple[int, int]], close: bool) -> None:
        """A line or ring: MoveTo the first point, LineTo the rest, ClosePath if ``close``."""
        out = self.ints
        for j, (x, y) in enumerate(coords):
            if j == 0:
                out.append(1 << 3 | 1)  # MoveTo, 1
            elif j == 1:
                out.append((len(coords) - 1) << 3 | 2)  # LineTo, n - 1
            out.append(_zigzag(x - self.x))
            out.append(_zigzag(y - self.y))
            self.x, self.y = x, y
        if close:
            out.append(1 << 3 | 7)  # ClosePath

    def points(self, coords: Sequence[tuple[int, int]]) -> None:
        """One MoveTo with every point (a multipoint)."""
        self.ints.append(len(coords) << 3 | 1)
        for x, y in coords:
            self.ints += (_zigzag(x - self.x), _zigzag(y - self.y))
            self.x, self.y = x, y

    def encode(self) -> bytes:
        """The packed command integers (the feature's ``geometry`` field payload)."""
        return b"".join(varint(v) for v in self.ints)
