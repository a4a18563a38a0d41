"""Features of a collection: paged, filtered, sorted and reprojected GeoJSON (or HTML, CSV)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

import orjson
import pandas as pd
import shapely
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.deps import CollectionDep, SettingsDep
from api.html import render
from api.problems import PROBLEM_RESPONSES
from api.responses import CSV, GEOJSON, HTML, JSON, base_url, json_response, wants_html
from geo.crs import CRS84_URI, parse_crs_uri
from geo.errors import InvalidParameterError
from geo.features import FeatureIndex, ItemsQuery, parse_bbox, parse_sortby
from geo.filters import parse_cql2_text
from geo.preview import svg_preview

router = APIRouter(responses=PROBLEM_RESPONSES)
RESERVED = {"limit", "offset", "bbox", "bbox-crs", "crs", "properties", "sortby", "f",
            "filter", "filter-lang", "filter-crs"}
UNSUPPORTED = {"datetime", "q", "resulttype"}
HTML_COLUMNS = 8

ItemsFormat = Annotated[Literal["json", "geojson", "html", "csv"] | None,
                        Query(description="json (GeoJSON), html or csv")]


def _cql(index: FeatureIndex, text: str | None, lang: str | None, crs: str | None):
    if text is None:
        return None
    if (lang or "cql2-text") != "cql2-text":
        raise InvalidParameterError("only filter-lang=cql2-text is supported", "filter-lang")
    if crs is not None and parse_crs_uri(crs, "filter-crs") != CRS84_URI:
        raise InvalidParameterError("spatial literals must be CRS84 (lon, lat)", "filter-crs")
    return parse_cql2_text(text, set(index.queryables()))


def _query(request: Request, index: FeatureIndex, settings, limit: int | None, offset: int,
           bbox: str | None, bbox_crs: str | None, crs: str | None, properties: str | None,
           sortby: str | None) -> ItemsQuery:
    """Validate every parameter into an ItemsQuery; unknown parameters are named in a 422."""
    filters = []
    queryables = index.queryables()
    for name, value in request.query_params.multi_items():
        if name in RESERVED:
            continue
        if name in UNSUPPORTED:
            raise InvalidParameterError(f"parameter {name!r} is not supported here", name)
        if name not in queryables:
            raise InvalidParameterError(
                f"unknown parameter {name!r}; queryables: {', '.join(queryables)}", name)
        filters.append((name, value))
    selected = None
    if properties is not None:
        selected = tuple(p for p in (s.strip() for s in properties.split(",")) if p)
        unknown = [p for p in selected if p not in index.columns]
        if unknown:
            raise InvalidParameterError(f"unknown properties {unknown}", "properties")
    return ItemsQuery(
        limit=min(limit or settings.default_limit, settings.max_limit),
        offset=offset,
        bbox=parse_bbox(bbox, parse_crs_uri(bbox_crs or CRS84_URI, "bbox-crs")) if bbox else None,
        crs=parse_crs_uri(crs, "crs") if crs else CRS84_URI,
        properties=selected,
        sortby=parse_sortby(sortby, index.columns) if sortby else (),
        filters=tuple(filters),
        cql=_cql(index, request.query_params.get("filter"),
                 request.query_params.get("filter-lang"), request.query_params.get("filter-crs")),
    )


def _link(request: Request, rel: str, media: str, title: str, **updates) -> dict:
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in updates.items()})
    href = f"{base_url(request)}{request.url.path}"
    return {"rel": rel, "type": media, "title": title,
            "href": f"{href}?{urlencode(params)}" if params else href}


def _links(request: Request, q: ItemsQuery, returned: int, matched: int) -> list[dict]:
    links = [_link(request, "self", GEOJSON, "本页"),
             _link(request, "alternate", HTML, "本页 (HTML)", f="html"),
             {"rel": "collection", "type": JSON, "title": "所属集合",
              "href": f"{base_url(request)}{request.url.path.rsplit('/items', 1)[0]}"}]
    if q.offset + returned < matched:
        links.append(_link(request, "next", GEOJSON, "下一页", offset=q.offset + q.limit,
                           limit=q.limit))
    if q.offset > 0:
        links.append(_link(request, "prev", GEOJSON, "上一页",
                           offset=max(0, q.offset - q.limit), limit=q.limit))
    return links


def _csv(index: FeatureIndex, positions, properties) -> Response:
    frame = index.frame.iloc[positions]
    if properties is not None:
        frame = frame[list(properties)]
    frame = frame.assign(wkt=[None if index.geometries[i] is None else
                              shapely.to_wkt(index.geometries[i], rounding_precision=6)
                              for i in positions])
    buf = io.StringIO()
    pd.DataFrame(frame).to_csv(buf, index=False)
    return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), media_type=f"{CSV}; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{index.name}.csv"'})


def _html(request: Request, index: FeatureIndex, positions, matched: int, links) -> Response:
    cols = [c for c in index.columns if c not in ("citations",)][:HTML_COLUMNS]
    id_col = index.result.layer.schema.id_column
    cols = [id_col, *[c for c in cols if c != id_col]][:HTML_COLUMNS]
    rows = [[index.records[i][c] for c in cols] for i in positions]
    headers = [index.columns[c].title for c in cols]
    return render(request, "items.html", cid=index.name, title=index.result.layer.title,
                  matched=matched, rows=rows, headers=headers, links=links,
                  svg=svg_preview([index.geometries[i] for i in positions]))


@router.get("/collections/{collectionId}/items", operation_id="getFeatures",
            summary="Features of a collection",
            response_class=Response,
            responses={200: {"content": {GEOJSON: {}, HTML: {}, CSV: {}}}})
def items(
    request: Request,
    index: CollectionDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(ge=1, description="Items per page; clamped to the max")]
    = None,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip")] = 0,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs axis order",
                                      examples=["114.5,25.5,115.2,26.0"])] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", description="CRS of bbox")] = None,
    crs: Annotated[str | None, Query(description="Output CRS URI (see the collection's crs)")]
    = None,
    properties: Annotated[str | None, Query(description="Comma-separated properties")] = None,
    sortby: Annotated[str | None, Query(description="+prop or -prop, comma-separated")] = None,
    f: ItemsFormat = None,
    filter_: Annotated[str | None, Query(
        alias="filter", description="CQL2 text over the queryables, e.g. "
        "layout_unit = '赣南数谷' OR S_INTERSECTS(geometry, BBOX(114.9,25.8,115,25.9))",
    )] = None,
    filter_lang: Annotated[Literal["cql2-text"] | None, Query(alias="filter-lang")] = None,
    filter_crs: Annotated[str | None, Query(alias="filter-crs",
                                            description="CRS of spatial literals (CRS84)")]
    = None,
) -> Response:
    """Features as GeoJSON; equality filters (``?adcode=360702``) and CQL2 ``filter``."""
    q = _query(request, index, settings, limit, offset, bbox, bbox_crs, crs, properties, sortby)
    page = index.select(q)
    returned = len(page.positions)
    links = _links(request, q, returned, page.number_matched)
    if f == "csv":
        return _csv(index, page.positions, q.properties)
    if wants_html(request, f):
        return _html(request, index, page.positions, page.number_matched, links)
    head = orjson.dumps({
        "type": "FeatureCollection",
        "numberMatched": page.number_matched,
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    })
    parts = [head[:-1], b',"features":[']
    for n, i in enumerate(page.positions):
        if n:
            parts.append(b",")
        parts.append(index.feature_bytes(int(i), q.crs, q.properties))
    parts.append(b"]}")
    body = b"".join(parts)  # one copy of a multi-MB page, not three
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{q.crs}>"})


@router.get("/collections/{collectionId}/items/{featureId}", operation_id="getFeature",
            summary="One feature", response_class=Response,
            responses={200: {"content": {GEOJSON: {}, HTML: {}}}})
def feature(
    request: Request,
    index: CollectionDep,
    feature_id: Annotated[str, Path(alias="featureId", description="Feature id")],
    crs: Annotated[str | None, Query(description="Output CRS URI")] = None,
    f: Annotated[Literal["json", "geojson", "html"] | None, Query()] = None,
) -> Response:
    """One feature by id."""
    i = index.feature(feature_id)
    target = parse_crs_uri(crs, "crs") if crs else CRS84_URI
    if wants_html(request, f):
        props = [(k, index.columns[k].title, v) for k, v in index.records[i].items()]
        return render(request, "feature.html", cid=index.name, fid=feature_id,
                      name=index.records[i].get("name"), props=props,
                      svg=svg_preview([index.geometries[i]]))
    root = f"{base_url(request)}/collections/{index.name}"
    links = orjson.dumps([
        {"rel": "self", "type": GEOJSON, "href": f"{root}/items/{feature_id}"},
        {"rel": "alternate", "type": HTML, "href": f"{root}/items/{feature_id}?f=html"},
        {"rel": "collection", "type": JSON, "href": root},
    ])
    body = index.feature_bytes(i, target, None)[:-1] + b',"links":' + links + b"}"
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{target}>"})


__all__ = ["router", "json_response"]
