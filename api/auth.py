"""API keys on requests: ``Authorization: Bearer <key>`` (or Basic) -> the caller's Principal.

QGIS 3.22 has no way to send an API key header to an OGC API - Features server; its
authentication methods are Basic, OAuth2 and PKI. So a key is also accepted as the
*password* of HTTP Basic credentials (RFC 7617; any user name), which QGIS sends from a
Basic ``authcfg`` on every request. A 401 offers both schemes (RFC 9110 §11.6.1).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request

from geo.access import Principal
from geo.errors import UnauthorizedError
from geo.store.base import ApiKey, SiteStore

KEY_STATE = "api_key"  # where api.security.BodyGuard leaves the key it has checked
REALM = "ganzhou-atlas"
# Two WWW-Authenticate fields, one challenge each: some clients read only the first.
CHALLENGES = (f'Bearer realm="{REALM}"', f'Basic realm="{REALM}", charset="UTF-8"')
MAX_CREDENTIALS = 1024  # longer Authorization values are not a key of ours


def secret_of(header: str) -> str | None:
    """The key an ``Authorization`` value carries: the Bearer token or the Basic password."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if not value or len(value) > MAX_CREDENTIALS:
        return None
    if scheme.lower() == "bearer":
        return value
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, colon, password = decoded.partition(":")
        return (password.strip() or None) if colon else None
    return None


def key_of(store: SiteStore, header: str) -> ApiKey | None:
    """The active key an ``Authorization`` header (Bearer, or Basic password) names, or None."""
    secret = secret_of(header)
    return None if secret is None else store.key_for_secret(secret)


async def get_principal(request: Request) -> Principal | None:
    """The caller, or None for anonymous requests; an unknown or revoked key is a 401.

    The key was looked up once already, before the body was read (``BodyGuard``); that
    result is reused, so a request hashes and queries its key once.
    """
    header = request.headers.get("authorization")
    if not header:
        return None
    key = request.scope.get("state", {}).get(KEY_STATE) or key_of(
        request.app.state.service.store, header)
    if key is None:
        raise UnauthorizedError("the API key is unknown or revoked; use "
                                "Authorization: Bearer <key> (or Basic, key as password)")
    return Principal(key_id=key.id, role=key.role, operator=key.operator)


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
