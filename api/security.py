"""Request guards and response headers that hold for every route.

``BodyGuard`` authenticates a write before its body is read and caps every body while it
streams: every ``POST``/``PUT``/``PATCH``/``DELETE`` of this API needs an API key, so a
request without a valid one is answered 401 at once (an anonymous 300 MB JSON body costs
nothing), and a body longer than its limit - declared by ``Content-Length`` or counted while
a chunked upload streams - is answered 413 before the application sees any of it. Failed
authentications are counted per client address; past the limit every request from that
address that carries a key gets 429 with ``Retry-After`` (the key itself is never logged).
Behind a reverse proxy on loopback uvicorn takes the client address from
``X-Forwarded-For`` (it trusts 127.0.0.1), so the limiter counts real callers; the count is
per worker process (``serve --workers N`` allows up to N times the limit), so keep nginx's
``limit_req`` in front (deploy/nginx). A browser's refusal is a Chinese page
(``api.refusal``), every other client's RFC 9457 problem+json.

``SecurityHeaders`` adds ``X-Content-Type-Options: nosniff`` everywhere, a
Content-Security-Policy that allows only this origin (inline and evaluated scripts are
Folium's and its plugins', all from this origin) (plus, on a map page, the chosen online
basemap's tile hosts, which the map router sets) and ``frame-ancestors 'none'`` on HTML, and
``Cache-Control: no-store`` on every answer to an authenticated request, so no proxy or
browser cache keeps an operator's data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

import orjson

from api.auth import CHALLENGES, KEY_STATE, key_of
from api.refusal import browser_wants_html, refusal_page
from geo.settings import AtlasSettings

log = logging.getLogger("ganzhou_atlas.api")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_TRACKED = 10_000  # client addresses whose failed authentications are remembered
UPLOAD_PREFIX = "/imports/"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' "
       "'unsafe-inline'; img-src 'self' data: blob:{hosts}; connect-src 'self'; font-src "
       "'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def csp(tile_hosts: frozenset[str] = frozenset()) -> str:
    """The page policy; ``tile_hosts`` are the online basemap's hosts a map may load."""
    return CSP.format(hosts="".join(f" https://{h}" for h in sorted(tile_hosts)))


async def _problem(send, status: int, title: str, detail: str, path: str,
                   headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = orjson.dumps({"type": f"/problems/{title.lower().replace(' ', '-')}",
                         "title": title, "status": status, "detail": detail,
                         "instance": path})
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _page(send, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = refusal_page(status, detail)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class FailedAuthLimiter:
    """Sliding one-minute window of failed authentications per client address."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _window(self, client: str, now: float) -> deque[float]:
        window = self._failures.setdefault(client, deque())
        while window and now - window[0] > 60:
            window.popleft()
        return window

    def blocked_for(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: not blocked)."""
        with self._lock:
            now = time.monotonic()
            window = self._window(client, now)
            if len(window) < self.per_minute:
                return 0
            return max(1, int(60 - (now - window[0])) + 1)

    def failed(self, client: str) -> None:
        """Record one failed authentication of ``client``."""
        with self._lock:
            now = time.monotonic()
            self._window(client, now).append(now)
            if len(self._failures) > MAX_TRACKED:  # an address flood: drop expired windows,
                for key in list(self._failures):   # then the oldest, to stay bounded
                    if not self._window(key, now):
                        del self._failures[key]
                while len(self._failures) > MAX_TRACKED // 2:
                    del self._failures[next(iter(self._failures))]


class BodyGuard:
    """ASGI middleware: rate-limit failed keys, authenticate writes, cap bodies."""

    def __init__(self, app, settings: AtlasSettings) -> None:
        self.app = app
        self.settings = settings
        self.limiter = FailedAuthLimiter(settings.auth_failures_per_minute)

    def _limit(self, path: str) -> int:
        if path.startswith(UPLOAD_PREFIX):
            return int(self.settings.max_upload_mb * 1024 * 1024) + 64 * 1024  # multipart
        return int(self.settings.max_json_body_kb * 1024)

    def _refusal(self, scope, headers: dict) -> tuple | None:
        """(status, title, detail, extra headers) when the request is refused up front."""
        client = (scope.get("client") or ("?", 0))[0]
        auth = headers.get(b"authorization")
        challenge = [(b"www-authenticate", c.encode()) for c in CHALLENGES]
        if auth is not None:
            wait = self.limiter.blocked_for(client)
            if wait:
                return (429, "Too Many Requests", "too many failed authentications from this "
                        "address; try again later", [(b"retry-after", str(wait).encode())])
            key = key_of(scope["app"].state.service.store, auth.decode("latin-1"))
            if key is None:
                self.limiter.failed(client)
                log.warning("failed authentication from %s on %s %s", client,
                            scope["method"], scope["path"])
                return 401, "Unauthorized", "the API key is unknown or revoked", challenge
            scope.setdefault("state", {})[KEY_STATE] = key  # get_principal reuses it
        elif scope["method"] in WRITE_METHODS:
            return (401, "Unauthorized", "writes need an API key: Authorization: Bearer <key>",
                    challenge)
        if scope["method"] in WRITE_METHODS:
            limit = self._limit(scope["path"])
            declared = headers.get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                return 413, "Content Too Large", f"the body exceeds {limit:,} bytes", []
        return None

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            if browser_wants_html(scope, headers):
                return await _page(send, refusal[0], refusal[2], refusal[3])
            return await _problem(send, *refusal[:3], scope["path"], refusal[3])
        if scope["method"] not in WRITE_METHODS:
            return await self.app(scope, receive, send)
        limit = self._limit(scope["path"])
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                return await _problem(send, 413, "Content Too Large",
                                      f"the body exceeds {limit:,} bytes", scope["path"])
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeaders:
    """ASGI middleware adding the hardening headers (see the module docstring)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        authenticated = any(k == b"authorization" for k, _ in scope["headers"])

        async def add_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    if b"content-security-policy" not in names:
                        headers.append((b"content-security-policy", csp().encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                if authenticated:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add_headers)
