"""Landing page, conformance declaration, the OpenAPI document and its HTML description."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.html import render
from api.models import Conformance, LandingPage
from api.openapi import openapi_30
from api.responses import GEOJSON, HTML, JSON, OPENAPI_JSON, base_url, json_response, wants_html

router = APIRouter()

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    # OGC API - Tiles: /collections/{id}/tiles (list), .../WebMercatorQuad (tileset), MVT tiles
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
]
TITLE = "赣州数字经济空间图谱"
DESCRIPTION = (
    "赣州市及江西省数字经济规划空间数据服务（OGC API – Features）："
    "一谷一带三片区、园区、5G与物联网目标。"
)

FormatParam = Annotated[Literal["json", "html"] | None, Query(description="json or html")]


@router.get("/", operation_id="getLandingPage", summary="Landing page",
            responses={200: {"model": LandingPage}})
def landing(request: Request, f: FormatParam = None) -> Response:
    """Links to the API description, conformance and the collections."""
    root = base_url(request)
    body = {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            {"rel": "self", "type": JSON, "title": "本页 (JSON)", "href": f"{root}/?f=json"},
            {"rel": "alternate", "type": HTML, "title": "本页 (HTML)", "href": f"{root}/?f=html"},
            {"rel": "service-desc", "type": OPENAPI_JSON, "title": "OpenAPI 3.0",
             "href": f"{root}/api"},
            {"rel": "service-doc", "type": HTML, "title": "接口说明", "href": f"{root}/api.html"},
            {"rel": "conformance", "type": JSON, "title": "符合性声明",
             "href": f"{root}/conformance"},
            {"rel": "data", "type": JSON, "title": "数据集合", "href": f"{root}/collections"},
        ],
    }
    if wants_html(request, f):
        return render(request, "landing.html", body=body)
    return json_response(body)


@router.get("/conformance", operation_id="getConformance", summary="Conformance classes",
            responses={200: {"model": Conformance}})
def conformance(request: Request, f: FormatParam = None) -> Response:
    """The conformance classes this server implements (and tests)."""
    body = {"conformsTo": CONFORMANCE}
    if wants_html(request, f):
        return render(request, "conformance.html", body=body)
    return json_response(body)


@router.get("/api", operation_id="getOpenAPI", summary="OpenAPI 3.0 document")
def api_document(request: Request) -> Response:
    """The OpenAPI 3.0 description of this service, as JSON."""
    return json_response(openapi_30(request.app), OPENAPI_JSON)


@router.get("/api.html", operation_id="getAPIDoc", summary="API description (HTML)")
def api_html(request: Request) -> Response:
    """A readable list of the operations (offline: no Swagger UI from a CDN)."""
    doc = openapi_30(request.app)
    ops = [
        {"method": m.upper(), "path": p, "summary": o.get("summary", ""),
         "description": (o.get("description") or "").split("\n")[0]}
        for p, item in doc["paths"].items() for m, o in item.items()
    ]
    return render(request, "apidoc.html", ops=ops, geojson=GEOJSON)
