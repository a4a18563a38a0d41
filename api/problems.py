"""RFC 9457 problem details: the only place where exceptions become HTTP responses.

Library errors carry their status, slug and title as class attributes; request validation
errors become 400 (query), 404 (path) or 422 (body) with the offending parameter named;
unknown routes keep their status; any other exception is a 500 with a fixed detail - never
``str(exc)``, never a stack trace.
"""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import CHALLENGES
from geo.errors import AtlasError

log = logging.getLogger("ganzhou_atlas.api")
PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 406: "Not acceptable", 413: "Content too large",
           415: "Unsupported media type", 422: "Invalid request body"}


def problem(request: Request, status: int, slug: str, title: str, detail: str,
            **extensions) -> Response:
    """Build an ``application/problem+json`` response."""
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extensions}
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append({"parameter": loc[-1] if loc else None, "in": loc[0] if loc else None,
                    "reason": err.get("msg", "invalid")})
    return out


def validation_status(errors: list[dict]) -> tuple[int, str, str]:
    """Status, slug and title of a failed request validation, by where the fault is.

    A body the service cannot use is 422 (RFC 9110 §15.5.21); a bad path segment names a
    resource that does not exist (404); a bad query parameter or header is 400, as OGC API -
    Features Part 1 ``/req/core/query-param-invalid`` requires.
    """
    where = {e["in"] for e in errors}
    if "body" in where:
        return 422, "invalid-body", "Invalid request body"
    if where == {"path"}:
        return 404, "http-404", "Not found"
    return 400, "invalid-parameter", "Invalid parameter"


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(AtlasError)
    async def _atlas(request: Request, exc: AtlasError) -> Response:
        # 503 is "busy, retry" (a full queue), not a fault of ours
        level = logging.ERROR if exc.status >= 500 and exc.status != 503 else logging.INFO
        log.log(level, "%s %s -> %s %s", request.method, request.url.path, exc.status, exc.slug)
        response = problem(request, exc.status, exc.slug, exc.title, exc.detail,
                           **exc.extensions)
        if exc.status == 401:
            for challenge in CHALLENGES:
                response.headers.append("WWW-Authenticate", challenge)
        retry = exc.extensions.get("retry_after")
        if retry is not None:  # 503 busy / 429: when to try again (RFC 9110 §10.2.3)
            response.headers["Retry-After"] = str(int(retry))
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        names = ", ".join(e["parameter"] for e in errors if e["parameter"])
        status, slug, title = validation_status(errors)
        return problem(request, status, slug, title,
                       f"invalid value for: {names}" if names else "invalid request",
                       parameter=errors[0]["parameter"] if errors else None, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(status, "error")
        response = problem(request, status, f"http-{status}", _TITLES.get(status, "Error"),
                           detail)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(request, 500, "internal-error", "Internal error",
                       "the server failed to handle this request; it has been logged")


PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "instance": {"type": "string"},
                   "parameter": {"type": "string", "nullable": True,
                                 "description": "the query parameter or field at fault"},
                   "errors": {"type": "array", "items": {"type": "object"},
                              "description": "row- or field-level errors"}},
}
PROBLEM_TITLES = {
    400: "Invalid or unknown query parameter (the parameter is named)",
    401: "Unauthorized: no, unknown or revoked API key",
    403: "Forbidden: the key's role may not do this",
    404: "Not found",
    409: "Conflict with what is stored",
    413: "Content too large",
    422: "Invalid request body (the field is named)",
    429: "Too many failed authentications from this address (Retry-After)",
    503: "Busy: a bounded queue is full; retry after Retry-After seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` for the problem documents a route really returns."""
    return {s: {"description": PROBLEM_TITLES[s],
                "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}} for s in statuses}


# Reads: any key sent is checked (401/429); unknown ids 404; bad query parameters 400.
PROBLEM_RESPONSES = problem_responses(400, 401, 404, 429)
# Writes: a key is required and its role checked; bodies are capped (413) and checked (422).
WRITE_PROBLEM_RESPONSES = problem_responses(400, 401, 403, 404, 409, 413, 422, 429)
