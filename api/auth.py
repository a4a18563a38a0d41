"""API keys on requests: ``Authorization: Bearer <key>`` -> the caller's Principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from geo.access import Principal
from geo.errors import UnauthorizedError


async def get_principal(request: Request) -> Principal | None:
    """The caller, or None for anonymous requests; an unknown or revoked key is a 401."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError("use Authorization: Bearer <key>")
    key = request.app.state.service.store.key_for_secret(secret.strip())
    if key is None:
        raise UnauthorizedError("the API key is unknown or revoked")
    return Principal(key_id=key.id, role=key.role, operator=key.operator)


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
