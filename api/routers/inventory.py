"""Operator base-station inventories over HTTP: bulk import, OGC API Part 4 style single-site
writes, the operator's own sites as a collection, and public county totals.

Access: operators read and write only their own sites (another operator's site answers 404,
so existence is not revealed); planners and admins read all; anonymous callers get 401 here
except on ``base_station_totals``, the county-level aggregate that is public.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import orjson
import pandas as pd
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.auth import PrincipalDep
from api.deps import ServiceDep, SettingsDep
from api.problems import PROBLEM_RESPONSES
from api.responses import GEOJSON, base_url, json_response, live_collection
from geo.access import readable_operators, writable_operator
from geo.crs import CRS84_URI
from geo.errors import (
    ConflictError,
    InvalidParameterError,
    SiteNotFoundError,
    UploadRejectedError,
    UploadTooLargeError,
)
from geo.features import parse_bbox
from geo.inventory.ingest import import_inventory
from geo.inventory.serialize import parse_feature_id, site_feature, site_features
from geo.inventory.totals import county_totals
from geo.store.base import BatchInfo, SiteQuery

router = APIRouter(responses=PROBLEM_RESPONSES)
SITES = "base_stations"
TOTALS = "base_station_totals"
SITE_FILTERS = ("county_adcode", "status", "type", "band", "site_id", "synthetic", "operator")
RESERVED = {"limit", "offset", "bbox", "f", "crs"}
CoordSys = Annotated[Literal["wgs84", "gcj02", "bd09"],
                     Query(description="Coordinate system of the input (converted to WGS84)")]
UPLOAD_DOC = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "CSV, XLSX or GeoJSON inventory"}}}}}},
}


def inventory_collections(root: str) -> list[dict]:
    """Collection documents of the two inventory collections (no counts: they are private)."""
    return [
        live_collection(root, SITES, "5G基站清单(运营商)",
                        "Operators' base stations; needs an API key: operators see their own "
                        "sites, planners all. Synthetic demo sites are flagged."),
        live_collection(root, TOTALS, "5G基站区县汇总",
                        "Public county-level totals of stored base stations by status and "
                        "type (no operator breakdown)."),
    ]


@router.get(f"/collections/{SITES}", operation_id="describeBaseStations",
            summary="Describe the base-station collection")
def describe_sites(request: Request) -> Response:
    """Metadata of the (access-controlled) base-station collection."""
    return json_response(inventory_collections(base_url(request))[0])


@router.get(f"/collections/{TOTALS}", operation_id="describeBaseStationTotals",
            summary="Describe the county totals collection")
def describe_totals(request: Request) -> Response:
    """Metadata of the public county totals collection."""
    return json_response(inventory_collections(base_url(request))[1])


def _filters(request: Request) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in request.query_params.multi_items():
        if name in RESERVED:
            continue
        if name not in SITE_FILTERS:
            raise InvalidParameterError(
                f"unknown parameter {name!r}; filters: {', '.join(SITE_FILTERS)}", name)
        if name == "synthetic":
            value = {"true": "1", "false": "0"}.get(value.lower(), value)
        out.append((name, value))
    return tuple(out)


def _page_links(request: Request, offset: int, limit: int, returned: int, total: int) -> list:
    href = f"{base_url(request)}{request.url.path}"

    def link(rel: str, new_offset: int) -> dict:
        params = {**dict(request.query_params), "offset": str(new_offset), "limit": str(limit)}
        return {"rel": rel, "type": GEOJSON, "href": f"{href}?{urlencode(params)}"}
    links = [{"rel": "self", "type": GEOJSON, "href": str(request.url)}]
    if offset + returned < total:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    return links


@router.get(f"/collections/{SITES}/items", operation_id="getBaseStations",
            summary="Base stations visible to the caller")
def list_sites(
    request: Request, service: ServiceDep, settings: SettingsDep, principal: PrincipalDep,
    limit: Annotated[int | None, Query(ge=1, description="Items per page (clamped)")] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")] = None,
    f: Annotated[Literal["json", "geojson", "csv"] | None, Query()] = None,
    crs: Annotated[str | None, Query(description="Only CRS84 is offered here")] = None,
) -> Response:
    """Operators get their own sites, planners and admins all; filters: ``SITE_FILTERS``."""
    operators = readable_operators(principal)
    if crs not in (None, CRS84_URI):
        raise InvalidParameterError("base stations are served in CRS84 only", "crs")
    size = min(limit or settings.default_limit, settings.max_limit)
    q = SiteQuery(operators=operators, limit=size, offset=offset, equals=_filters(request),
                  bbox=parse_bbox(bbox, CRS84_URI) if bbox else None)
    page, total = service.store.query(q)
    page = service.with_coverage_radius(page)
    if f == "csv":
        return Response(("\ufeff" + page.to_csv(index=False)).encode(),
                        media_type="text/csv; charset=utf-8")
    body = {"type": "FeatureCollection", "numberMatched": total,
            "numberReturned": len(page),
            "links": _page_links(request, offset, size, len(page), total),
            "features": site_features(page)}
    return json_response(body, GEOJSON, headers={"Content-Crs": f"<{CRS84_URI}>"})


def _own_site(service, principal, fid: str, write: bool) -> tuple[str, str, dict]:
    operator, site_id = parse_feature_id(fid)
    allowed = (writable_operator(principal),) if write else readable_operators(principal)
    row = service.store.get(operator, site_id) if allowed is None or operator in allowed \
        else None
    if row is None:
        raise SiteNotFoundError(f"no site {fid!r} among the sites you may "
                                f"{'change' if write else 'read'}")
    return operator, site_id, row


FidPath = Annotated[str, Path(alias="featureId", description="<operator code>:<site_id>")]


@router.get(f"/collections/{SITES}/items/{{featureId}}", operation_id="getBaseStation",
            summary="One base station")
def get_site(service: ServiceDep, principal: PrincipalDep, fid: FidPath) -> Response:
    """One site, if the caller may read it."""
    row = _own_site(service, principal, fid, write=False)[2]
    framed = service.with_coverage_radius(pd.DataFrame([row]))
    return json_response(site_features(framed)[0], GEOJSON)


def _feature_bytes(feature: dict[str, Any], site_id: str | None) -> bytes:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise UploadRejectedError("the body must be a GeoJSON Feature with a Point geometry")
    props = dict(feature.get("properties") or {})
    if site_id is not None:
        if props.get("site_id") not in (None, site_id):
            raise InvalidParameterError("properties.site_id differs from the feature id",
                                        "site_id")
        props["site_id"] = site_id
    props = {k: v for k, v in props.items() if k in
             ("site_id", "type", "band", "status", "commissioned")}
    return orjson.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": feature.get("geometry"), "properties": props}]})


def _write_one(service, settings, principal, data: bytes, coord_sys: str, source: str):
    operator = writable_operator(principal)
    info = BatchInfo(operator=operator, actor=principal.actor, source=source,
                     coord_sys=coord_sys)
    return import_inventory(service.store, data, info, service.locator, 1,
                            settings.inventory_region)


@router.post(f"/collections/{SITES}/items", operation_id="createBaseStation",
             summary="Create one base station", status_code=201)
def create_site(request: Request, service: ServiceDep, settings: SettingsDep,
                principal: PrincipalDep, feature: Annotated[dict, Body()],
                coord_sys: CoordSys = "wgs84") -> Response:
    """Create a site from a GeoJSON Feature (409 if the operator already has that site_id)."""
    operator = writable_operator(principal)
    site_id = str((feature.get("properties") or {}).get("site_id") or "")
    if site_id and service.store.get(operator, site_id) is not None:
        raise ConflictError(f"site {site_id!r} exists; use PUT to replace it")
    _write_one(service, settings, principal, _feature_bytes(feature, None), coord_sys, "api")
    row = service.store.get(operator, site_id)
    out = site_feature(row)
    return json_response(out, GEOJSON, status_code=201, headers={
        "Location": f"{base_url(request)}/collections/{SITES}/items/{out['id']}"})


@router.put(f"/collections/{SITES}/items/{{featureId}}", operation_id="replaceBaseStation",
            summary="Replace one base station")
def replace_site(service: ServiceDep, settings: SettingsDep, principal: PrincipalDep,
                 fid: FidPath, feature: Annotated[dict, Body()],
                 coord_sys: CoordSys = "wgs84") -> Response:
    """Replace a site of the caller's operator with the given Feature."""
    operator, site_id, _ = _own_site(service, principal, fid, write=True)
    _write_one(service, settings, principal, _feature_bytes(feature, site_id), coord_sys, "api")
    return json_response(site_feature(service.store.get(operator, site_id)), GEOJSON)


@router.patch(f"/collections/{SITES}/items/{{featureId}}", operation_id="updateBaseStation",
              summary="Update some properties of one base station")
def update_site(service: ServiceDep, settings: SettingsDep, principal: PrincipalDep,
                fid: FidPath, patch: Annotated[dict, Body()],
                coord_sys: CoordSys = "wgs84") -> Response:
    """Merge the given properties (and geometry, if any) into the stored site."""
    operator, site_id, row = _own_site(service, principal, fid, write=True)
    current = {k: row[k] for k in ("type", "band", "status", "commissioned")}
    props = {**current, **((patch.get("properties") or {}) if isinstance(patch, dict) else {})}
    geometry = patch.get("geometry") if isinstance(patch, dict) and patch.get("geometry") \
        else {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
    if geometry is not patch.get("geometry"):
        coord_sys = "wgs84"  # the stored position is WGS84 whatever the patch says
    feature = {"type": "Feature", "geometry": geometry, "properties": props}
    _write_one(service, settings, principal, _feature_bytes(feature, site_id), coord_sys, "api")
    return json_response(site_feature(service.store.get(operator, site_id)), GEOJSON)


@router.delete(f"/collections/{SITES}/items/{{featureId}}", operation_id="deleteBaseStation",
               summary="Delete one base station", status_code=204)
def delete_site(service: ServiceDep, principal: PrincipalDep, fid: FidPath) -> Response:
    """Delete a site of the caller's operator."""
    operator, site_id, _ = _own_site(service, principal, fid, write=True)
    service.store.delete(operator, site_id, BatchInfo(operator=operator,
                                                      actor=principal.actor, source="api"))
    return Response(status_code=204)


@router.post("/imports/base-stations", operation_id="importBaseStations",
             summary="Import a base-station inventory (CSV, XLSX or GeoJSON)",
             openapi_extra=UPLOAD_DOC)
async def import_sites(request: Request, service: ServiceDep, settings: SettingsDep,
                       principal: PrincipalDep, coord_sys: CoordSys = "wgs84",
                       mode: Annotated[Literal["all", "partial"], Query(
                           description="all: any bad row rejects the batch; partial: store "
                                       "the good rows")] = "all") -> Response:
    """Validate and upsert the operator's file; answers an import report."""
    operator = writable_operator(principal)
    limit = int(settings.max_upload_mb * 1024 * 1024)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise UploadTooLargeError(f"uploads are limited to {settings.max_upload_mb:g} MB")
    try:
        form = await request.form(max_files=1, max_fields=8, max_part_size=limit)
    except Exception:  # starlette raises MultiPartException/AssertionError on bad bodies
        raise UploadRejectedError("send the file as multipart/form-data field 'file'") \
            from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidParameterError("multipart field 'file' (the inventory) is missing", "file")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLargeError(f"uploads are limited to {settings.max_upload_mb:g} MB")
    info = BatchInfo(operator=operator, actor=principal.actor, source="upload",
                     filename=upload.filename, coord_sys=coord_sys, mode=mode)
    report = await run_in_threadpool(import_inventory, service.store, data, info,
                                     service.locator, settings.max_upload_rows,
                                     settings.inventory_region)
    return json_response(report.as_dict())


@router.get("/imports/base-stations", operation_id="listImports",
            summary="Recent import batches visible to the caller")
def list_imports(service: ServiceDep, principal: PrincipalDep,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Batches of the caller's operator (planners/admins: all)."""
    return json_response({"batches": service.store.batches(readable_operators(principal),
                                                           limit)})


@router.get(f"/collections/{TOTALS}/items", operation_id="getBaseStationTotals",
            summary="Base stations per county (public aggregate)")
def totals(request: Request, service: ServiceDep) -> Response:
    """County polygons with site counts by status and type, across all operators."""
    counties = service.index("counties")
    frame = county_totals(service.store.county_totals())
    features = []
    for i, adcode in enumerate(counties.ids):
        record = frame.loc[adcode].to_dict() if adcode in frame.index else {}
        features.append(b'{"type":"Feature","id":%s,"geometry":%s,"properties":%s}' % (
            orjson.dumps(adcode), counties.geometry_json(CRS84_URI)[i], orjson.dumps(
                {"adcode": adcode, "name": counties.records[i]["name"],
                 **{k: int(v) for k, v in record.items()}})))
    head = orjson.dumps({"type": "FeatureCollection", "numberMatched": len(features),
                         "numberReturned": len(features),
                         "links": [{"rel": "self", "type": GEOJSON, "href": str(request.url)}]})
    return Response(head[:-1] + b',"features":[' + b",".join(features) + b"]}",
                    media_type=GEOJSON)


