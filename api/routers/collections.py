"""Collections: their metadata, queryables and schema, for every collection of the catalog."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import PrincipalDep
from api.deps import CollectionDep, ServiceDep
from api.html import render
from api.models import CollectionDocument, Collections
from api.problems import PROBLEM_RESPONSES
from api.responses import GEOJSON, HTML, JSON, SCHEMA_JSON, base_url, json_response, wants_html
from api.routers.metadata import metadata_href
from geo.collections.base import Collection, View, check_access
from geo.crs import CRS84_URI, OUTPUT_CRS
from geo.formats import DOWNLOADS
from geo.metadata import layer_metadata
from geo.preview import svg_preview
from geo.temporal import TRS
from geo.temporal import extent as temporal_extent

router = APIRouter(responses=PROBLEM_RESPONSES)
FormatParam = Annotated[Literal["json", "html"] | None, Query(description="json or html")]


def describe(collection: Collection, root: str) -> dict:
    """The collection document (OGC API - Features Part 1 ``collection``)."""
    href = f"{root}/collections/{collection.id}"
    template = collection.template()
    links = [
        {"rel": "self", "type": JSON, "title": "本集合 (JSON)", "href": f"{href}?f=json"},
        {"rel": "alternate", "type": HTML, "title": "本集合 (HTML)", "href": f"{href}?f=html"},
        {"rel": "items", "type": GEOJSON, "title": "要素 (GeoJSON)", "href": f"{href}/items"},
        {"rel": "items", "type": HTML, "title": "要素 (HTML)", "href": f"{href}/items?f=html"},
        {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": SCHEMA_JSON,
         "title": "可筛选字段", "href": f"{href}/queryables"},
        # GDAL 3.6 matches rel="describedBy" case-sensitively and wants a Feature schema
        {"rel": "describedBy", "type": SCHEMA_JSON, "title": "要素结构 (GeoJSON Feature)",
         "href": f"{href}/feature-schema"},
        {"rel": "describedby", "type": SCHEMA_JSON, "title": "要素结构 (JSON Schema)",
         "href": f"{href}/schema"},
    ]
    doc: dict = {"id": collection.id, "title": collection.title,
                 "description": collection.description, "itemType": "feature",
                 "crs": list(OUTPUT_CRS), "storageCrs": CRS84_URI, "links": links}
    result = template.result
    if result is not None:
        meta = layer_metadata(result)
        page = metadata_href(root, collection.id)
        doc["keywords"] = list(meta.keywords)
        links.append({"rel": "license", "type": HTML, "title": meta.licence,
                      "href": meta.licence_url or f"{page}#licence"})
        links.append({"rel": "describedby", "type": HTML, "title": "元数据：来源与许可",
                      "href": page})
        links += [{"rel": "related", "type": HTML, "title": f"来源：{s.title}", "href": s.href}
                  for s in meta.sources if s.href]
        doc["itemCount"] = len(template.ids)
        if template.extent:
            doc["extent"] = {"spatial": {"bbox": [template.extent], "crs": CRS84_URI}}
            bounds = template.temporal_bounds()
            if bounds is not None and (interval := temporal_extent(bounds)) is not None:
                doc["extent"]["temporal"] = {"interval": [interval], "trs": TRS}
    if collection.tiles:
        links += [
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": JSON,
             "title": "矢量瓦片集 (WebMercatorQuad)", "href": f"{href}/tiles"},
            {"rel": "related", "type": JSON, "title": "TileJSON (矢量瓦片)",
             "href": f"{root}/tiles/{collection.id}/tilejson.json"}]
    if collection.downloads:
        links += [{"rel": "enclosure", "type": f.media_type, "title": f"下载：{f.title}",
                   "href": f"{href}/download/{f.name}"} for f in DOWNLOADS.values()]
    if collection.access != "public":
        doc["access"] = "API key required (Authorization: Bearer <key>)"
    return doc


@router.get("/collections", operation_id="getCollections", summary="List collections",
            responses={200: {"model": Collections}})
def collections(request: Request, service: ServiceDep, principal: PrincipalDep,
                f: FormatParam = None) -> Response:
    """Every collection the caller may read (anonymous callers do not see base_stations)."""
    root = base_url(request)
    body = {
        "links": [
            {"rel": "self", "type": JSON, "title": "数据集合", "href": f"{root}/collections"},
        ],
        "collections": [describe(c, root) for c in service.catalog.visible(principal)],
        "crs": list(OUTPUT_CRS),
    }
    if wants_html(request, f):
        return render(request, "collections.html", body=body)
    return json_response(body)


@router.get("/collections/{collectionId}", operation_id="describeCollection",
            summary="Describe a collection", responses={200: {"model": CollectionDocument}})
def collection(request: Request, collection: CollectionDep, principal: PrincipalDep,
               f: FormatParam = None) -> Response:
    """Metadata of one collection: extent, CRS list, links to items and downloads."""
    check_access(collection, principal)
    body = describe(collection, base_url(request))
    if wants_html(request, f):
        template = collection.template(View(principal))
        provenance = template.result.provenance.as_dict() if template.result else None
        meta = layer_metadata(template.result) if template.result else None
        return render(request, "collection.html", c=body, columns=template.schema.columns,
                      provenance=provenance, meta=meta,
                      svg=svg_preview(list(template.geometries)))
    return json_response(body)


@router.get("/collections/{collectionId}/queryables", operation_id="getQueryables",
            summary="Queryable properties")
def queryables(request: Request, collection: CollectionDep,
               principal: PrincipalDep) -> Response:
    """Properties usable in ``filter`` (CQL2) and as equality filters (``?adcode=360702``)."""
    check_access(collection, principal)
    uri = f"{base_url(request)}/collections/{collection.id}/queryables"
    return json_response(
        collection.template(View(principal)).json_schema(uri, only_queryable=True),
                         SCHEMA_JSON)


@router.get("/collections/{collectionId}/schema", operation_id="getSchema",
            summary="Feature schema")
def schema(request: Request, collection: CollectionDep, principal: PrincipalDep) -> Response:
    """JSON Schema of the features' properties (GDAL reads it for field types)."""
    check_access(collection, principal)
    uri = f"{base_url(request)}/collections/{collection.id}/schema"
    return json_response(
        collection.template(View(principal)).json_schema(uri, only_queryable=False),
                         SCHEMA_JSON)


@router.get("/collections/{collectionId}/feature-schema", operation_id="getFeatureSchema",
            summary="GeoJSON Feature schema (for GDAL)")
def feature_schema(request: Request, collection: CollectionDep,
                   principal: PrincipalDep) -> Response:
    """JSON Schema of a whole Feature: GDAL's OAPIF driver types its fields from it."""
    check_access(collection, principal)
    uri = f"{base_url(request)}/collections/{collection.id}/feature-schema"
    return json_response(collection.template(View(principal)).feature_schema(uri),
                         SCHEMA_JSON)
