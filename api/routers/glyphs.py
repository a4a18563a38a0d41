"""``/fonts/{fontstack}/{range}.pbf``: the style's ``glyphs`` URL, answered locally.

See ``geo.tiles.glyphs`` for why the ranges are empty and what draws the Chinese labels.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.problems import PROBLEM_RESPONSES
from geo.errors import ResourceNotFoundError
from geo.tiles.glyphs import empty_glyphs, parse_range

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.get("/fonts/{fontstack}/{fontrange}.pbf", operation_id="getGlyphs",
            summary="Glyph range of the vector-tile style (empty: labels use local fonts)")
def glyphs(request: Request, fontstack: str, fontrange: str) -> Response:
    """A valid, empty glyph PBF for an aligned 256-codepoint range such as ``0-255``."""
    bounds = parse_range(fontrange)
    if bounds is None or len(fontstack) > 200:
        raise ResourceNotFoundError(f"没有此字形区间 no such glyph range: {fontrange!r}",
                                    fontrange=fontrange)
    return Response(empty_glyphs(fontstack, *bounds), media_type="application/x-protobuf",
                    headers={"Cache-Control": "public, max-age=86400"})
