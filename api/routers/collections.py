"""Collections: their metadata, queryables and schema (one collection per layer)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import CollectionDep, ServiceDep
from api.html import render
from api.problems import PROBLEM_RESPONSES
from api.responses import (
    GEOJSON,
    HTML,
    JSON,
    SCHEMA_JSON,
    base_url,
    json_response,
    wants_html,
)
from api.routers.coverage import coverage_collections
from api.routers.inventory import inventory_collections
from geo.crs import CRS84_URI, OUTPUT_CRS
from geo.features import FeatureIndex
from geo.preview import svg_preview

router = APIRouter(responses=PROBLEM_RESPONSES)
FormatParam = Annotated[Literal["json", "html"] | None, Query(description="json or html")]
DOWNLOADS = (("gpkg", "application/geopackage+sqlite3", "GeoPackage"),
             ("fgb", "application/flatgeobuf", "FlatGeobuf"),
             ("geojson", GEOJSON, "GeoJSON"),
             ("csv", "text/csv", "CSV"),
             ("qgis", "application/zip", "QGIS 工程包 (GeoPackage + .qml 样式)"))


def describe(index: FeatureIndex, root: str) -> dict:
    """The collection document for one layer."""
    layer = index.result.layer
    href = f"{root}/collections/{layer.name}"
    links = [
        {"rel": "self", "type": JSON, "title": "本集合 (JSON)", "href": f"{href}?f=json"},
        {"rel": "alternate", "type": HTML, "title": "本集合 (HTML)", "href": f"{href}?f=html"},
        {"rel": "items", "type": GEOJSON, "title": "要素 (GeoJSON)", "href": f"{href}/items"},
        {"rel": "items", "type": HTML, "title": "要素 (HTML)", "href": f"{href}/items?f=html"},
        {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": SCHEMA_JSON,
         "title": "可筛选字段", "href": f"{href}/queryables"},
        {"rel": "describedby", "type": SCHEMA_JSON, "title": "要素结构 (JSON Schema)",
         "href": f"{href}/schema"},
        {"rel": "license", "type": "text/plain", "title": layer.licence,
         "href": f"{root}/api.html"},
        {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": JSON,
         "title": "矢量瓦片集 (WebMercatorQuad)", "href": f"{href}/tiles"},
        {"rel": "related", "type": JSON, "title": "TileJSON (矢量瓦片)",
         "href": f"{root}/tiles/{layer.name}/tilejson.json"},
    ]
    links += [{"rel": "enclosure", "type": mt, "title": f"下载：{title}",
               "href": f"{href}/download/{fmt}"} for fmt, mt, title in DOWNLOADS]
    doc = {
        "id": layer.name,
        "title": layer.title,
        "description": layer.description,
        "itemType": "feature",
        "itemCount": len(index.ids),
        "crs": list(OUTPUT_CRS),
        "storageCrs": CRS84_URI,
        "links": links,
    }
    if index.extent:
        doc["extent"] = {"spatial": {"bbox": [index.extent], "crs": CRS84_URI}}
    return doc


@router.get("/collections", operation_id="getCollections", summary="List collections")
def collections(request: Request, service: ServiceDep, f: FormatParam = None) -> Response:
    """Every layer as an OGC API collection."""
    from geo.layers import LAYERS

    root = base_url(request)
    body = {
        "links": [
            {"rel": "self", "type": JSON, "title": "数据集合", "href": f"{root}/collections"},
        ],
        "collections": [describe(service.index(n), root) for n in LAYERS]
        + inventory_collections(root) + coverage_collections(root),
        "crs": list(OUTPUT_CRS),
    }
    if wants_html(request, f):
        return render(request, "collections.html", body=body)
    return json_response(body)


@router.get("/collections/{collectionId}", operation_id="describeCollection",
            summary="Describe a collection")
def collection(request: Request, index: CollectionDep, f: FormatParam = None) -> Response:
    """Metadata of one collection: extent, CRS list, links to items and downloads."""
    body = describe(index, base_url(request))
    if wants_html(request, f):
        return render(request, "collection.html", c=body,
                      columns=index.result.layer.schema.columns,
                      provenance=index.result.provenance.as_dict(),
                      svg=svg_preview(list(index.geometries)))
    return json_response(body)


@router.get("/collections/{collectionId}/queryables", operation_id="getQueryables",
            summary="Queryable properties")
def queryables(request: Request, index: CollectionDep) -> Response:
    """Properties usable as equality filters on the items path (``?adcode=360702``)."""
    uri = f"{base_url(request)}/collections/{index.name}/queryables"
    return json_response(index.json_schema(uri, only_queryable=True), SCHEMA_JSON)


@router.get("/collections/{collectionId}/schema", operation_id="getSchema",
            summary="Feature schema")
def schema(request: Request, index: CollectionDep) -> Response:
    """JSON Schema of the features' properties (GDAL reads it for field types)."""
    uri = f"{base_url(request)}/collections/{index.name}/schema"
    return json_response(index.json_schema(uri, only_queryable=False), SCHEMA_JSON)
