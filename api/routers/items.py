"""Features of any collection: paged, filtered, sorted and reprojected GeoJSON (HTML, CSV, XLSX).

One items route for the whole catalog, so paging links (in the body and as ``Link``
headers), bbox, CRS, CQL2, ``limit``, formats and access checks exist once. Store-backed
collections answer through the same ``Collection.select``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

import orjson
import pandas as pd
import shapely
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.auth import PrincipalDep
from api.deps import CollectionDep, SettingsDep
from api.html import render
from api.models import FeatureCollectionPage
from api.parameters import reject_unknown, validates_own_query
from api.problems import PROBLEM_RESPONSES
from api.responses import CSV, GEOJSON, HTML, JSON, base_url, wants_html
from geo.collections.base import Collection, FeaturePage, View
from geo.crs import CRS84_URI, parse_crs_uri
from geo.errors import InvalidParameterError
from geo.features import FeatureIndex, ItemsQuery, parse_bbox, parse_sortby
from geo.filters import parse_cql2_text
from geo.formats import XLSX
from geo.preview import svg_preview
from geo.tabular import csv_bytes, csvt_href, xlsx_bytes
from geo.temporal import parse_datetime

router = APIRouter(responses=PROBLEM_RESPONSES)
RESERVED = {"limit", "offset", "bbox", "bbox-crs", "crs", "properties", "sortby", "f",
            "filter", "filter-lang", "filter-crs", "datetime"}
UNSUPPORTED = {"q", "resulttype"}
FEATURE_PARAMETERS = {"crs", "f"}
HTML_COLUMNS = 8
MAX_PARAMETERS = 64  # repeated equality filters beyond this are an attack, not a query

ItemsFormat = Annotated[Literal["json", "geojson", "html", "csv", "xlsx"] | None,
                        Query(description="json (GeoJSON), html, csv or xlsx")]


def _cql(index: FeatureIndex, text: str | None, lang: str | None, crs: str | None):
    if text is None:
        return None
    if (lang or "cql2-text") != "cql2-text":
        raise InvalidParameterError("only filter-lang=cql2-text is supported", "filter-lang")
    if crs is not None and parse_crs_uri(crs, "filter-crs") != CRS84_URI:
        raise InvalidParameterError("spatial literals must be CRS84 (lon, lat)", "filter-crs")
    return parse_cql2_text(text, set(index.queryables()))


def _view(request: Request, collection: Collection, principal) -> View:
    params = {p.name: p.parse(request.query_params.get(p.name)) for p in collection.parameters}
    return View(principal, params)


def _query(request: Request, collection: Collection, settings, view: View) -> ItemsQuery:
    """Validate every parameter into an ItemsQuery; unknown parameters are named (against
    the columns this caller gets: a planner's scorecard has more)."""
    index = collection.template(view)
    params = request.query_params
    own = {p.name for p in collection.parameters}
    filters = []
    queryables = index.queryables()
    if len(params.multi_items()) > MAX_PARAMETERS:
        raise InvalidParameterError(
            f"at most {MAX_PARAMETERS} query parameters; combine conditions in one CQL2 "
            "filter", "filter")
    for name, value in params.multi_items():
        if name in RESERVED or name in own:
            continue
        if name in UNSUPPORTED:
            raise InvalidParameterError(f"parameter {name!r} is not supported here", name)
        if name not in queryables:
            raise InvalidParameterError(
                f"unknown parameter {name!r}; queryables: {', '.join(queryables)}", name)
        filters.append((name, value))
    selected = None
    if (properties := params.get("properties")) is not None:
        selected = tuple(p for p in (s.strip() for s in properties.split(",")) if p)
        unknown = [p for p in selected if p not in index.columns]
        if unknown:
            raise InvalidParameterError(f"unknown properties {unknown}", "properties")
    bbox, bbox_crs, crs, sortby = (params.get(k) for k in ("bbox", "bbox-crs", "crs", "sortby"))
    return ItemsQuery(
        # /req/core/fc-limit-response-1: a limit above the maximum is the maximum, no error
        limit=min(_int(params, "limit", settings.default_limit, 1, None), settings.max_limit),
        offset=_int(params, "offset", 0, 0),
        bbox=parse_bbox(bbox, parse_crs_uri(bbox_crs or CRS84_URI, "bbox-crs")) if bbox else None,
        crs=parse_crs_uri(crs, "crs") if crs else CRS84_URI,
        properties=selected,
        sortby=parse_sortby(sortby, index.columns) if sortby else (),
        filters=tuple(filters),
        cql=_cql(index, params.get("filter"), params.get("filter-lang"),
                 params.get("filter-crs")),
        datetime=parse_datetime(when) if (when := params.get("datetime")) is not None else None,
    )


def _int(params, name: str, default: int, minimum: int, maximum: int | None = 10**9) -> int:
    text = params.get(name)
    if text is None:
        return default
    if len(text) > 30:  # int() of a huge digit string is slow; no valid value is this long
        raise InvalidParameterError(f"{name} 须为整数 must be an integer", name)
    try:
        value = int(text)
    except ValueError:
        raise InvalidParameterError(f"{name} 须为整数 must be an integer", name) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise InvalidParameterError(
            f"{name} 须在 {minimum} 与 {maximum or '∞'} 之间 must be between {minimum} and "
            f"{maximum or 'unbounded'}", name)
    return value


def _link(request: Request, rel: str, media: str, title: str, **updates) -> dict:
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in updates.items()})
    href = f"{base_url(request)}{request.url.path}"
    return {"rel": rel, "type": media, "title": title,
            "href": f"{href}?{urlencode(params)}" if params else href}


def page_links(request: Request, q: ItemsQuery, returned: int, matched: int) -> list[dict]:
    """self, alternate, collection, next and prev links of an items page."""
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


def link_header(links: list[dict]) -> str:
    """The links as an RFC 8288 ``Link`` header (for header-driven clients)."""
    return ", ".join(f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"'
                     for link in links if link["rel"] in ("self", "alternate", "next", "prev"))


def _csvt_link(collection: Collection, request: Request, q: ItemsQuery) -> dict[str, str]:
    """``Link`` to the CSV's ``.csvt`` sidecar (QGIS/GDAL type the columns from it).

    Header values are Latin-1 (RFC 9110 §5.5): the Chinese title goes in ``title*`` as
    RFC 8187 UTF-8 percent-encoding (RFC 8288 §3), with an ASCII ``title`` beside it.
    """
    href = csvt_href(collection, base_url(request), q.properties)
    if href is None:
        return {}
    return {"Link": f'<{href}>; rel="describedby"; type="text/plain"; '
                    f'title="CSV field types (.csvt)"; title*=UTF-8\'\'{quote("CSV 字段类型")}'}


def _table(fp: FeaturePage, q: ItemsQuery, with_geometry: bool) -> pd.DataFrame:
    index, positions = fp.table.index, fp.page.positions
    frame = index.frame.iloc[positions]
    if q.properties is not None:
        frame = frame[list(q.properties)]
    frame = pd.DataFrame(frame)
    if with_geometry:
        frame = frame.assign(wkt=[None if index.geometries[i] is None else
                                  shapely.to_wkt(index.geometries[i], rounding_precision=6)
                                  for i in positions])
    whole = q.offset == 0 and not (q.filters or q.cql is not None or q.bbox)
    if fp.table.summary_rows and whole:
        frame = pd.concat([frame, pd.DataFrame(fp.table.summary_rows)], ignore_index=True)
    return frame


def _html(request: Request, fp: FeaturePage, links) -> Response:
    index = fp.table.index
    id_col = index.schema.id_column
    cols = [c for c in index.columns if c not in ("citations", id_col)]
    cols = [id_col, *cols][:HTML_COLUMNS]
    rows = [[index.records[i][c] for c in cols] for i in fp.page.positions]
    headers = [index.columns[c].title for c in cols]
    return render(request, "items.html", cid=index.name, title=index.title,
                  matched=fp.page.number_matched, rows=rows, headers=headers, links=links,
                  svg=svg_preview([index.geometries[i] for i in fp.page.positions]))


def _geojson(fp: FeaturePage, q: ItemsQuery, links: list[dict]) -> bytes:
    index, positions = fp.table.index, fp.page.positions
    head = orjson.dumps({
        "type": "FeatureCollection",
        "numberMatched": fp.page.number_matched,
        "numberReturned": len(positions),
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **fp.table.members,
        "links": links,
    })
    features = b",".join(index.feature_bytes(int(i), q.crs, q.properties) for i in positions)
    return b"".join((head[:-1], b',"features":[', features, b"]}"))


@router.get("/collections/{collectionId}/items", operation_id="getFeatures",
            summary="Features of a collection",
            response_class=Response,
            responses={200: {"content": {GEOJSON: {"schema": {
                "$ref": "#/components/schemas/FeatureCollectionPage"}}, HTML: {}, CSV: {},
                XLSX: {}}, "model": FeatureCollectionPage}})
@validates_own_query
def items(
    request: Request,
    collection: CollectionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    limit: Annotated[int | None, Query(ge=1, description="Items per page; clamped to the max")]
    = None,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip")] = 0,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs axis order",
                                      examples=["114.5,25.5,115.2,26.0"])] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", description="CRS of bbox")] = None,
    datetime_: Annotated[str | None, Query(alias="datetime", description="RFC 3339 instant "
                                           "or interval (see components.parameters)")] = None,
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
    """Features as GeoJSON; equality filters (``?adcode=360702``) and CQL2 ``filter``.

    The declared parameters document the route (OpenAPI); the values are read and
    validated once, by ``_query``, from the query string.
    """
    view = _view(request, collection, principal)
    q = _query(request, collection, settings, view)
    fp = collection.select(view, q)
    links = page_links(request, q, len(fp.page.positions), fp.page.number_matched)
    private = {"Cache-Control": "private, no-store"} if collection.access != "public" else {}
    name = fp.table.index.name
    if f == "csv":
        return Response(csv_bytes(_table(fp, q, True)), media_type=f"{CSV}; charset=utf-8",
                        headers={"Content-Disposition": f'inline; filename="{name}.csv"',
                                 **private, **_csvt_link(collection, request, q)})
    if f == "xlsx":
        return Response(xlsx_bytes(_table(fp, q, False), name, fp.table.index.schema),
                        media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{name}.xlsx"', **private})
    if wants_html(request, f):
        return _html(request, fp, links)
    return Response(_geojson(fp, q, links), media_type=GEOJSON,
                    headers={"Content-Crs": f"<{q.crs}>", "Link": link_header(links),
                             **private})


@router.get("/collections/{collectionId}/items/{featureId}", operation_id="getFeature",
            summary="One feature", response_class=Response,
            responses={200: {"content": {GEOJSON: {}, HTML: {}}}})
@validates_own_query
def feature(
    request: Request,
    collection: CollectionDep,
    principal: PrincipalDep,
    feature_id: Annotated[str, Path(alias="featureId", description="Feature id")],
    crs: Annotated[str | None, Query(description="Output CRS URI")] = None,
    f: Annotated[Literal["json", "geojson", "html"] | None, Query()] = None,
) -> Response:
    """One feature by id."""
    reject_unknown(request, FEATURE_PARAMETERS | {p.name for p in collection.parameters})
    table, i = collection.feature(_view(request, collection, principal), feature_id)
    index = table.index
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
    headers = {"Content-Crs": f"<{target}>"}
    if collection.access != "public":
        headers["Cache-Control"] = "private, no-store"
    return Response(body, media_type=GEOJSON, headers=headers)
