"""Who may do what with inventories: roles, the caller's identity and the checks.

Roles: ``operator`` reads and writes its own sites and reads county totals; ``planner``
reads every site and the aggregates (and edits county targets); ``admin`` manages keys.
Anonymous callers see the public plan layers and county-level aggregates only. The API maps
missing or unknown keys to 401 and a known key without the right role to 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.errors import ForbiddenError, UnauthorizedError

ROLES = ("admin", "planner", "operator")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller (``None`` stands for anonymous where a Principal is optional)."""

    key_id: str
    role: str
    operator: str | None

    @property
    def actor(self) -> str:
        """How the caller is recorded in batches."""
        return f"key:{self.key_id}"


def require(principal: Principal | None, *roles: str) -> Principal:
    """Return the principal if it has one of ``roles``; else 401 (anonymous) or 403."""
    if principal is None:
        raise UnauthorizedError("this resource needs an API key: Authorization: Bearer <key>")
    if principal.role not in roles:
        raise ForbiddenError(f"role {principal.role!r} may not do this; needs {' or '.join(roles)}")
    return principal


def readable_operators(principal: Principal | None) -> tuple[str, ...] | None:
    """Operators whose sites the caller may read: None = all (planner/admin)."""
    p = require(principal, "operator", "planner", "admin")
    if p.role != "operator":
        return None
    assert p.operator is not None  # operator keys always name one (CLI and admin API check)
    return (p.operator,)


def writable_operator(principal: Principal | None) -> str:
    """The one operator whose sites the caller may change (operators only)."""
    return require(principal, "operator").operator or ""
