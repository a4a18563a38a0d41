"""Operator base-station inventories over HTTP: bulk import and OGC API Part 4 style
single-site writes. Reads go through the catalog (``geo.collections.sites``) and the one
items router.

Access: operators write only their own sites (another operator's site answers 404, so
existence is not revealed); anonymous callers get 401.

A big upload may be imported in the background: ``Prefer: respond-async`` (RFC 7240) is
answered 202 with a job to poll (``geo.inventory.jobs``); without it the import runs while
the request waits and answers its report, as it always did.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.auth import PrincipalDep
from api.deps import ServiceDep, SettingsDep
from api.models import ImportJob, ImportReport
from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA, WRITE_PROBLEM_RESPONSES
from api.responses import GEOJSON, JSON, base_url, json_response
from geo.access import readable_operators, writable_operator
from geo.errors import (
    BatchNotFoundError,
    InvalidBodyError,
    ResourceNotFoundError,
    SiteNotFoundError,
    UploadRejectedError,
    UploadTooLargeError,
)
from geo.inventory.ingest import import_inventory
from geo.inventory.sandbox import ReadLimits
from geo.inventory.serialize import parse_feature_id, site_feature
from geo.store.base import BatchInfo

router = APIRouter(responses=WRITE_PROBLEM_RESPONSES)
SITES = "base_stations"
CoordSys = Annotated[Literal["wgs84", "gcj02", "bd09"],
                     Query(description="Coordinate system of the input (converted to WGS84)")]
UPLOAD_DOC = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "CSV, XLSX or GeoJSON inventory"}}}}}},
}


def _own_site(service, principal, fid: str, write: bool) -> tuple[str, str, dict]:
    operator, site_id = parse_feature_id(fid)
    allowed = (writable_operator(principal),) if write else readable_operators(principal)
    row = service.store.get(operator, site_id) if allowed is None or operator in allowed \
        else None
    if row is None or (allowed is not None and row.get("synthetic")):
        raise SiteNotFoundError(f"no site {fid!r} among the sites you may "
                                f"{'change' if write else 'read'}")
    return operator, site_id, row


FidPath = Annotated[str, Path(alias="featureId", description="<operator code>:<site_id>")]


def _feature_bytes(feature: dict[str, Any], site_id: str | None) -> bytes:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise UploadRejectedError("the body must be a GeoJSON Feature with a Point geometry")
    if not isinstance(feature.get("properties"), dict):
        raise UploadRejectedError("properties must be a JSON object")
    if not isinstance(feature["properties"].get("site_id", ""), str):
        raise InvalidBodyError("site_id must be a JSON string", "site_id")
    props = dict(feature.get("properties") or {})
    if site_id is not None:
        if props.get("site_id") not in (None, site_id):
            raise InvalidBodyError("properties.site_id differs from the feature id",
                                        "site_id")
        props["site_id"] = site_id
    props = {k: v for k, v in props.items() if k in
             ("site_id", "type", "band", "status", "commissioned")}
    return orjson.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": feature.get("geometry"), "properties": props}]})


def _write_one(service, settings, principal, data: bytes, coord_sys: str, source: str,
               mode: str = "all"):
    operator = writable_operator(principal)
    info = BatchInfo(operator=operator, actor=principal.actor, source=source,
                     coord_sys=coord_sys, mode=mode)
    return import_inventory(service.store, data, info, service.locator, 1,
                            settings.inventory_region, ReadLimits.from_settings(settings, 1))


@router.post(f"/collections/{SITES}/items", operation_id="createBaseStation",
             summary="Create one base station", status_code=201)
def create_site(request: Request, service: ServiceDep, settings: SettingsDep,
                principal: PrincipalDep, feature: Annotated[dict, Body()],
                coord_sys: CoordSys = "wgs84") -> Response:
    """Create a site from a GeoJSON Feature (409 if the operator already has that site_id)."""
    operator = writable_operator(principal)
    data = _feature_bytes(feature, None)  # validates the shape first (4xx, never a 500)
    # the id as the import stores it (trimmed once, here and in validation alike); the
    # store refuses an existing id inside the write transaction (409), so concurrent
    # creates of one id cannot all succeed
    site_id = str(feature["properties"].get("site_id") or "").strip()
    _write_one(service, settings, principal, data, coord_sys, "api", mode="create")
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


PATCHABLE = ("type", "band", "status", "commissioned")
FILENAME_MAX = 200


def _safe_name(name: str | None) -> str | None:
    """An uploaded file's name as recorded in its batch: no control characters, bounded."""
    if not name:
        return None
    return "".join(c for c in name if c.isprintable())[:FILENAME_MAX] or None


def _patch_properties(patch: Any) -> dict:
    """The properties a PATCH changes: ``{"properties": {...}}`` or the flat ``{...}`` form.

    Anything else (an unknown field, a non-object) is a 400 rather than a 200 that changed
    nothing.
    """
    if not isinstance(patch, dict):
        raise UploadRejectedError("the body must be a JSON object")
    if "properties" in patch or "geometry" in patch or patch.get("type") == "Feature":
        changes = patch.get("properties") or {}
        if not isinstance(changes, dict):
            raise UploadRejectedError("properties must be a JSON object")
    else:
        changes = patch
    unknown = sorted(set(changes) - set(PATCHABLE) - {"site_id"})
    if unknown:
        raise InvalidBodyError(
            f"cannot change {', '.join(unknown)}; patchable: {', '.join(PATCHABLE)}",
            unknown[0])
    if not changes and not patch.get("geometry"):
        raise InvalidBodyError("the patch changes nothing", "properties")
    return {k: v for k, v in changes.items() if k in PATCHABLE}


@router.patch(f"/collections/{SITES}/items/{{featureId}}", operation_id="updateBaseStation",
              summary="Update some properties of one base station")
def update_site(service: ServiceDep, settings: SettingsDep, principal: PrincipalDep,
                fid: FidPath, patch: Annotated[dict, Body()],
                coord_sys: CoordSys = "wgs84") -> Response:
    """Merge the given properties (and geometry, if any) into the stored site."""
    operator, site_id, row = _own_site(service, principal, fid, write=True)
    current = {k: row[k] for k in ("type", "band", "status", "commissioned")}
    changes = _patch_properties(patch)
    props = {**current, **changes}
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
                                                      actor=principal.actor, source="api",
                                                      mode="delete"))
    return Response(status_code=204)


IMPORTS = "/imports/base-stations"
JOB_FIELDS = ("id", "operator", "actor", "filename", "mode", "coord_sys", "state", "phase",
              "rows_total", "rows_validated", "rows_done", "submitted_at", "started_at",
              "finished_at", "batch_id", "report", "error")


BUSY_RESPONSE = {"description": "Prefer: respond-async and the import queue is full "
                                "(Retry-After)",
                 "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}


def prefers_async(values: list[str] | None) -> bool:
    """Whether ``Prefer`` header values ask for ``respond-async`` (RFC 7240 §4.1).

    Preferences are comma-separated, each a case-insensitive token with optional ``=value``
    and ``;`` parameters (``respond-async, wait=10``); an unknown one is ignored.
    """
    for value in values or ():
        for preference in value.split(","):
            token = preference.split(";", 1)[0].split("=", 1)[0].strip().lower()
            if token == "respond-async":
                return True
    return False


def _job_url(request: Request, job_id: str) -> str:
    return f"{base_url(request)}{IMPORTS}/jobs/{job_id}"


def _job_document(request: Request, job: dict[str, Any]) -> dict[str, Any]:
    """The public form of a job: its fields, a failure as a problem document, links."""
    out = {k: job.get(k) for k in JOB_FIELDS}
    url = _job_url(request, job["id"])
    if out["error"] is not None:
        members = dict(out["error"])
        slug = members.pop("slug", "internal-error")
        out["error"] = {"type": f"/problems/{slug}", "title": members.pop("title", "Error"),
                        "status": members.pop("status", 500),
                        "detail": members.pop("detail", ""),
                        "instance": f"{IMPORTS}/jobs/{job['id']}", **members}
    links = [{"href": url, "rel": "self", "type": JSON, "title": "this import job"}]
    if out["batch_id"]:
        links.append({"href": f"{base_url(request)}{IMPORTS}/{out['batch_id']}",
                      "rel": "related", "type": JSON, "title": "the import batch"})
    out["links"] = links
    return out


@router.post(IMPORTS, operation_id="importBaseStations",
             summary="Import a base-station inventory (CSV, XLSX or GeoJSON)",
             responses={200: {"model": ImportReport},
                        202: {"model": ImportJob, "description": "Prefer: respond-async: "
                              "queued; poll the Location (a job)"},
                        503: BUSY_RESPONSE},
             openapi_extra=UPLOAD_DOC)
async def import_sites(request: Request, service: ServiceDep, settings: SettingsDep,
                       principal: PrincipalDep, coord_sys: CoordSys = "wgs84",
                       mode: Annotated[Literal["all", "partial", "replace"], Query(
                           description="all: any bad row rejects the batch; partial: store "
                                       "the good rows; replace: like all, and the operator's "
                                       "stored sites missing from the file are retired "
                                       "(deleted, kept for audit)")] = "all",
                       prefer: Annotated[list[str] | None, Header(
                           description="respond-async (RFC 7240): answer 202 at once and "
                                       "import in the background")] = None) -> Response:
    """Validate and upsert the operator's file; answers an import report (or a job: 202)."""
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
        raise InvalidBodyError("multipart field 'file' (the inventory) is missing", "file")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLargeError(f"uploads are limited to {settings.max_upload_mb:g} MB")
    info = BatchInfo(operator=operator, actor=principal.actor, source="upload",
                     filename=_safe_name(upload.filename), coord_sys=coord_sys, mode=mode)
    if prefers_async(prefer):
        job = await run_in_threadpool(service.jobs.submit, data, info)
        return json_response(_job_document(request, job), status_code=202, headers={
            "Location": _job_url(request, job["id"]), "Preference-Applied": "respond-async"})
    report = await run_in_threadpool(
        import_inventory, service.store, data, info, service.locator,
        settings.max_upload_rows, settings.inventory_region,
        ReadLimits.from_settings(settings, settings.max_upload_rows))
    return json_response(report.as_dict())


@router.get(f"{IMPORTS}/jobs/{{jobId}}", operation_id="getImportJob",
            summary="One background import: state, progress, report or problem",
            responses={200: {"model": ImportJob}})
def get_import_job(request: Request, service: ServiceDep, principal: PrincipalDep,
                   job_id: Annotated[str, Path(alias="jobId", max_length=64)]) -> Response:
    """A job of the caller's operator (planners/admins: any); another's is a 404."""
    operators = readable_operators(principal)
    job = service.jobs.get(job_id)
    if job is None or (operators is not None and job["operator"] not in operators):
        raise ResourceNotFoundError(f"没有这个导入任务 (no import job {job_id!r} among yours)")
    return json_response(_job_document(request, job))


@router.get("/imports/base-stations/{batchId}", operation_id="getImport",
            summary="One import batch with its stored errors")
def get_import(service: ServiceDep, principal: PrincipalDep,
               batch_id: Annotated[str, Path(alias="batchId", max_length=64)]) -> Response:
    """A batch of the caller's operator (planners/admins: any); another's is a 404."""
    operators = readable_operators(principal)
    batch = service.store.batch(batch_id)
    if batch is None or (operators is not None and (batch["operator"] not in operators
                                                    or batch.get("synthetic"))):
        raise BatchNotFoundError(f"no import batch {batch_id!r} among yours")
    return json_response(batch)


@router.get("/imports/base-stations", operation_id="listImports",
            summary="Recent import batches visible to the caller")
def list_imports(service: ServiceDep, principal: PrincipalDep,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Batches of the caller's operator (planners/admins: all)."""
    operators = readable_operators(principal)
    batches = service.store.batches(operators, limit)
    if operators is not None:  # the demo's batches are not the operator's
        batches = [b for b in batches if not b.get("synthetic")]
    return json_response({"batches": batches})
