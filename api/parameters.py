"""Unknown query parameters are a 400 on every route (OGC API - Features Part 1, §7.5).

``/req/core/query-param-unknown``: "The server SHALL respond with a response with the status
code 400, if the request URI includes a query parameter that is not specified in the API
definition." A route's API definition is the set of query parameters FastAPI documents for
it (its own and its dependencies'), so that set is what is accepted. The items route also
accepts each collection's queryables as filters; it checks its parameters itself
(``validates_own_query``) against the collection's definition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from geo.errors import InvalidParameterError

F = TypeVar("F", bound=Callable)
_OWN_CHECK = "__atlas_validates_own_query__"
_DECLARED = "_atlas_declared_query_parameters"  # cached on the route object itself
_OPEN = frozenset({"*"})  # the route checks its own parameters


def validates_own_query(endpoint: F) -> F:
    """Mark an endpoint that rejects unknown parameters itself (its set depends on the path)."""
    setattr(endpoint, _OWN_CHECK, True)
    return endpoint


def declared_query_parameters(route: APIRoute) -> frozenset[str] | None:
    """The query parameter names ``route`` documents, or None when it checks its own."""
    names = route.__dict__.get(_DECLARED)
    if names is None:
        names = _OPEN if getattr(route.endpoint, _OWN_CHECK, False) \
            else frozenset(_query_names(route.dependant))
        route.__dict__[_DECLARED] = names
    return None if names is _OPEN else names


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """Raise a 400 naming the first query parameter the route does not define."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = declared_query_parameters(route)
    if allowed is not None:
        reject_unknown(request, allowed)


def reject_unknown(request: Request, allowed: set[str] | frozenset[str]) -> None:
    """Raise a 400 naming the first query parameter not in ``allowed``."""
    for name in request.query_params:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "无 none"
            raise InvalidParameterError(
                f"未定义的查询参数 {name!r}；此操作可用：{known} (unknown query parameter; "
                "this operation defines the ones listed)", name)
