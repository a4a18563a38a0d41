"""API keys on requests: ``Authorization: Bearer <key>`` -> the caller's Principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from geo.access import Principal
from geo.errors import UnauthorizedError
from geo.store.base import ApiKey, SiteStore

KEY_STATE = "api_key"  # where api.security.BodyGuard leaves the key it has checked


def key_of(store: SiteStore, header: str) -> ApiKey | None:
    """The active key an ``Authorization: Bearer <key>`` header names, or None."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return store.key_for_secret(secret.strip())


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
                                "Authorization: Bearer <key>")
    return Principal(key_id=key.id, role=key.role, operator=key.operator)


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
