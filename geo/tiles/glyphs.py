"""Glyph ranges for the MapLibre style, answered locally and empty (no font server, no SDFs).

The style spec requires ``glyphs`` once a layer has ``text-field``, and nothing may come
from the internet. No maintained glyph generator installs offline (npm ``fontnik`` fetches
a prebuilt binary, ``tiny-sdf`` needs a browser canvas; PyPI has none), so the server
answers every range with a valid, empty glyph PBF instead of shipping fonts:

* MapLibre GL JS draws CJK ideographs itself from a local font (its
  ``localIdeographFontFamily`` option, on by default) and never asks for those ranges; the
  other ranges come back empty, so Latin letters and digits in a name are not drawn there;
* QGIS's MapBox GL converter ignores ``glyphs`` and maps ``text-font`` to an installed font.

The PBF is ``glyphs { fontstack { name, range } }`` of MapLibre's glyphs.proto.
"""

from __future__ import annotations

import re

RANGE_SIZE = 256
_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field (wire type 2)."""
    size, out = len(payload), bytearray()
    while True:
        byte = size & 0x7F
        size >>= 7
        out.append(byte | 0x80 if size else byte)
        if not size:
            break
    return bytes([number << 3 | 2]) + bytes(out) + payload


def parse_range(value: str) -> tuple[int, int] | None:
    """``"0-255"`` -> (0, 255) for an aligned 256-codepoint range in the BMP, else None."""
    m = _RANGE.match(value)
    if m is None:
        return None
    start, end = int(m[1]), int(m[2])
    if start % RANGE_SIZE or end != start + RANGE_SIZE - 1 or end > 0xFFFF:
        return None
    return start, end


def empty_glyphs(fontstack: str, start: int, end: int) -> bytes:
    """A glyphs PBF holding the fontstack and range with no glyphs."""
    stack = _field(1, fontstack.encode()) + _field(2, f"{start}-{end}".encode())
    return _field(1, stack)
