"""Metadata page of a plan layer: licence, sources with links, keywords (HTML or JSON).

The collection document's ``license`` link points here, because the plan layers' licence is
a statement (public government documents; Amap-derived boundaries needing a 审图号), not a
licence text published somewhere else; the page says it and lists what each source is.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import PrincipalDep
from api.deps import CollectionDep
from api.html import render
from api.problems import PROBLEM_RESPONSES
from api.responses import HTML, JSON, base_url, json_response, wants_html
from geo.collections.base import Collection, check_access
from geo.errors import LayerNotFoundError
from geo.metadata import LayerMetadata, layer_metadata

router = APIRouter(responses=PROBLEM_RESPONSES)
FormatParam = Annotated[Literal["json", "html"] | None, Query(description="json or html")]


def metadata_of(collection: Collection) -> LayerMetadata | None:
    """Metadata of a plan-layer collection; None for live collections (no built layer)."""
    result = collection.template().result
    return layer_metadata(result) if result is not None else None


def metadata_href(root: str, collection_id: str) -> str:
    """The HTML metadata page of a collection (the target of its ``license`` link)."""
    return f"{root}/collections/{collection_id}/metadata?f=html"


@router.get("/collections/{collectionId}/metadata", operation_id="getCollectionMetadata",
            summary="Licence and sources of a collection")
def metadata(request: Request, collection: CollectionDep, principal: PrincipalDep,
             f: FormatParam = None) -> Response:
    """Licence, sources (seed documents with cited lines, boundary and census origins), keywords."""
    check_access(collection, principal)
    meta = metadata_of(collection)
    if meta is None:
        raise LayerNotFoundError(f"collection {collection.id!r} has no layer metadata "
                                 "(it is computed live)")
    root = base_url(request)
    href = f"{root}/collections/{collection.id}"
    body = {"id": collection.id, **meta.as_dict(), "links": [
        {"rel": "self", "type": JSON, "title": "元数据 (JSON)", "href": f"{href}/metadata?f=json"},
        {"rel": "alternate", "type": HTML, "title": "元数据 (HTML)",
         "href": metadata_href(root, collection.id)},
        {"rel": "collection", "type": JSON, "title": meta.title, "href": href}]}
    if wants_html(request, f):
        return render(request, "metadata.html", m=body)
    return json_response(body)
