"""Media types and JSON responses with the exact Content-Type clients check."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

JSON = "application/json"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"
CSV = "text/csv"


def json_response(body: Any, media_type: str = JSON, headers: dict | None = None,
                  status_code: int = 200) -> Response:
    """Serialise with orjson and set the media type exactly."""
    return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY),
                    media_type=media_type, headers=headers,
                    status_code=status_code)


def base_url(request: Request) -> str:
    """Root URL for links: ATLAS_PUBLIC_URL when set, else the request's own base."""
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def wants_html(request: Request, f: str | None) -> bool:
    """Decide the representation: ``f`` wins; otherwise a browser's Accept picks HTML."""
    if f is not None:
        return f == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept
