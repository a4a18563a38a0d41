"""Landing page, conformance declaration, the OpenAPI document and its HTML description."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from api.auth import PrincipalDep
from api.deps import ServiceDep
from api.html import render
from api.models import Conformance, LandingPage
from api.openapi import openapi_30
from api.responses import GEOJSON, HTML, JSON, OPENAPI_JSON, base_url, json_response, wants_html
from geo.formats import DOWNLOADS
from geo.settings import REPO_ROOT
from maps.coverage_data import SCENARIOS
from maps.registry import MAPS
from maps.trajectories import by_group, trajectories

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
def landing(request: Request, service: ServiceDep, principal: PrincipalDep,
            f: FormatParam = None) -> Response:
    """Links to the API description, conformance and the collections.

    A browser (``Accept: text/html``, or ``?f=html``) gets the portal home: the maps with
    thumbnails (a placeholder until one is made: the page never waits for Chromium), the
    layers with their downloads, the county scorecard, the API and the QGIS steps.
    """
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
        return _portal(request, body, service, principal)
    return json_response(body)


def _portal(request: Request, body: dict, service, principal) -> Response:
    """The portal home: maps with thumbnails, layers with downloads, scorecard, API, QGIS."""
    pages = service.maps
    maps = [{"spec": m, "thumbnail": pages.cached_thumbnail(m.name) is not None}
            for m in MAPS.values()]
    collections = service.catalog.visible(principal)
    layers = [c for c in collections if c.downloads]
    others = [c for c in collections if not c.downloads]
    return render(request, "landing.html", body=body, maps=maps, layers=layers,
                  others=others, formats=list(DOWNLOADS.values()),
                  qgis_steps=qgis_steps(), scenarios=SCENARIOS,
                  charts=trajectory_charts(service.ctx))


Charts = list[tuple[str, list[tuple[str, str, Markup]]]]
_CHARTS: dict[int, tuple[object, Charts]] = {}  # id(targets layer) -> (layer, charts)


def trajectory_charts(ctx) -> Charts:
    """Per group: (scope, indicator（unit）, SVG) of each indicator's trajectory, made once
    per targets layer (the plan layers do not change while the process runs)."""
    result = ctx.result("targets")
    held = _CHARTS.get(id(result))
    if held is None or held[0] is not result:
        items = trajectories(result.gdf)
        charts = [(group, [(t.scope, t.title, Markup(t.svg())) for t in members])
                  for group, members in by_group(items)]
        if len(_CHARTS) >= 4:  # test processes build a few contexts; keep the newest
            _CHARTS.clear()
        held = _CHARTS[id(result)] = (result, charts)
    return held[1]


_QGIS_DOC = REPO_ROOT / "docs" / "qgis.md"
_FALLBACK_STEPS = (
    "下载 <code>/downloads/atlas.zip</code>，完整解压到任意文件夹（<code>atlas.qgz</code> 与 "
    "<code>atlas.gpkg</code> 须在同一文件夹）。",
    "双击 <code>atlas.qgz</code>，或在 QGIS 中「项目 &gt; 打开」。",
    "打印布局：「项目 &gt; 布局 &gt; 赣州市数字经济空间布局」，「布局 &gt; 导出为 PDF / 图像」。",
)


def qgis_steps(path: Path = _QGIS_DOC) -> list[Markup]:
    """The Chinese QGIS steps of docs/qgis.md (section 步骤（中文）) as HTML list items."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return [Markup(s) for s in _FALLBACK_STEPS]
    section = text.split("## 步骤（中文）", 1)[-1].split("\n## ", 1)[0]
    steps: list[str] = []
    for line in section.splitlines():
        if re.match(r"^\d+\.\s", line):
            steps.append(line.split(".", 1)[1].strip())
        elif line.startswith("   ") and steps:
            steps[-1] += line.strip()
    out = []
    for step in steps:
        h = str(escape(step))
        h = re.sub(r"`([^`]+)`", r"<code>\1</code>", h)
        h = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", h)
        out.append(Markup(h))
    return out or [Markup(s) for s in _FALLBACK_STEPS]


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
