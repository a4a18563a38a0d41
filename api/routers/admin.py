"""API keys over HTTP, for admins: list, create (secret shown once), revoke."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import PrincipalDep
from api.deps import ServiceDep
from api.problems import WRITE_PROBLEM_RESPONSES
from api.responses import json_response
from geo.access import require
from geo.errors import InvalidBodyError, KeyNotFoundError
from geo.inventory.ingest import check_operator

router = APIRouter(prefix="/admin/keys", responses=WRITE_PROBLEM_RESPONSES)


class NewKey(BaseModel):
    """Body of a key creation."""

    role: Literal["admin", "planner", "operator"]
    operator: str | None = Field(None, max_length=32)
    label: str | None = Field(None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


@router.get("", operation_id="listKeys", summary="List API keys (admin)")
def list_keys(service: ServiceDep, principal: PrincipalDep) -> Response:
    """Every key without its secret."""
    require(principal, "admin")
    return json_response({"keys": [k.__dict__ for k in service.store.list_keys()]})


@router.post("", operation_id="createKey", summary="Create an API key (admin)",
             status_code=201)
def create_key(service: ServiceDep, principal: PrincipalDep,
               body: Annotated[NewKey, Body()]) -> Response:
    """Create a key; the secret is in the answer and nowhere else."""
    require(principal, "admin")
    if body.role == "operator" and not body.operator:
        raise InvalidBodyError("operator keys need an operator", "operator")
    operator = check_operator(body.operator, InvalidBodyError) if body.role == "operator" else None
    key, secret = service.store.create_key(body.role, operator, body.label)
    return json_response({**key.__dict__, "key": secret}, status_code=201,
                         headers={"Cache-Control": "no-store"})


@router.delete("/{keyId}", operation_id="revokeKey", summary="Revoke an API key (admin)",
               status_code=204)
def revoke_key(service: ServiceDep, principal: PrincipalDep,
               key_id: Annotated[str, Path(alias="keyId")]) -> Response:
    """Revoke a key; 404 if unknown or already revoked."""
    require(principal, "admin")
    if not service.store.revoke_key(key_id):
        raise KeyNotFoundError(f"no active key {key_id!r}")
    return Response(status_code=204)
