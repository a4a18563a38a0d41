"""Site recommendations over HTTP: start a run, poll it, read the ranked sites.

``POST /coverage/recommendations`` validates the request at once (unknown county 404; a
bad site count, year or mask 400) and answers 202 with the run's id and ``Location``; the
run goes to a bounded background queue (geo.coverage.recommend.jobs). A run needs a coverage
run that reflects the sites stored now: while coverage is being recomputed the answer is 409
with ``retry_after`` (never a recommendation from a coverage that is already out of date).
``GET /coverage/recommendations/map`` (public) answers the coverage map's default plan
(geo.coverage.recommend.public_map): sites only when the coverage run is of the synthetic
demo alone, else a Chinese notice that it is withheld; 202 while it computes.
``GET /coverage/recommendations/{id}`` answers the run's state, and once done the ranked
sites as GeoJSON with the per-county summary and certificates; ``f=csv|xlsx|kml`` the files.

Scope (docs/security.md): a planner or admin plans against all sites of ``data_basis``; an
operator against its own sites only, whatever it asks (``against=public_aggregate`` only
changes the site counts its ``to_target`` quotas start from: the public county totals), so
no answer reveals another operator's positions; a run is readable only by its audience.
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import PrincipalDep
from api.deps import ServiceDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.responses import base_url, json_response
from geo.access import require
from geo.collections.live import BAND
from geo.coverage.analysis import tiered_counties
from geo.coverage.model import ALL_BANDS
from geo.coverage.recommend.demand import county_ids, mask_geometry
from geo.coverage.recommend.jobs import RecommendationJobs, audience
from geo.coverage.recommend.scope import OWN, bases, quotas
from geo.coverage.targets import TARGET_YEARS
from geo.errors import ConflictError, InvalidParameterError, ResourceNotFoundError
from geo.inventory.basis import AUTO, SYNTHETIC_DEMO

if TYPE_CHECKING:
    from geo.coverage.recommend.plan import Mode

# The planner and its exports (scipy.signal, HiGHS: ~0.6 s of imports) load on the first
# recommendation, not at server start.
router = APIRouter(responses=PROBLEM_RESPONSES)
PATH = "/coverage/recommendations"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KML_TYPE = "application/vnd.google-earth.kml+xml"
_JOBS: weakref.WeakKeyDictionary[Any, RecommendationJobs] = weakref.WeakKeyDictionary()


class RecommendationRequest(BaseModel):
    """What to plan: counties, how many sites (exactly one mode), scope and a mask."""

    counties: list[str] | None = Field(None, max_length=18,
                                       description="County adcodes; default all 18")
    sites: int | None = Field(None, description="The next N sites (1-100,000)")
    to_target: int | None = Field(None, description="Per county, the sites it lacks for its "
                                  "5G target of this year (2023 or 2025)")
    to_full_coverage: bool = Field(False, description="Until each required zone is covered")
    scenario: int = Field(2025, description="Coverage scenario (2023 or 2025)")
    band: str = Field("all", description=BAND.description)
    data_basis: str = Field(AUTO, description="Planners: auto | real | synthetic_demo")
    against: Literal["own", "public_aggregate"] = Field(
        OWN, description="Operators: count own sites or the public totals for to_target")
    mask: dict[str, Any] | None = Field(
        None, description="GeoJSON Polygon/MultiPolygon (WGS84) where new sites may stand")


def jobs_of(service) -> RecommendationJobs:
    """The service's recommendation queue (one per service, made on first use)."""
    jobs = _JOBS.get(service)
    if jobs is None:
        config = service.settings.recommend
        jobs = _JOBS.setdefault(service, RecommendationJobs(
            service.settings.data_dir / "recommendations", config.queue_cap,
            config.keep_results))
    return jobs


def _mode(body: RecommendationRequest, service, counted: str) -> Mode:
    from geo.coverage.recommend.plan import Mode

    given = [n for n, v in (("sites", body.sites), ("to_target", body.to_target),
                            ("to_full_coverage", body.to_full_coverage or None))
             if v is not None]
    if len(given) != 1:
        raise InvalidParameterError("须且只能给出 sites、to_target、to_full_coverage 之一 "
                                    "(give exactly one of them)", "sites")
    if body.sites is not None:
        return Mode("sites", sites=body.sites)
    if body.to_target is not None:
        if body.to_target not in TARGET_YEARS:
            raise InvalidParameterError("the plan sets targets for 2023 and 2025 only",
                                        "to_target")
        return Mode("to_target", quotas=quotas(service.ctx, service.store, body.to_target,
                                               counted), year=body.to_target)
    return Mode("to_full_coverage")


def _start(service, principal, body: RecommendationRequest) -> dict:
    caller = require(principal, "operator", "planner", "admin")
    operator = caller.operator if caller.role == "operator" else None
    if body.scenario not in TARGET_YEARS:
        raise InvalidParameterError("scenario must be 2023 or 2025", "scenario")
    band = BAND.parse(body.band)
    used, counted = bases(service.store, operator, body.against,
                          body.data_basis if operator is None else AUTO)
    settings = service.settings
    inputs = service.coverage.inputs
    counties = tiered_counties(settings, inputs.tiers)
    county_ids(counties, body.counties)  # 404 for an unknown county, before anything runs
    mask_geometry(body.mask, counties)  # 400 for a bad mask
    mode = _mode(body, service, counted)
    held = service.coverage.get(body.scenario, used, band, wait=False)
    if held is None or not held.current:
        raise ConflictError("覆盖分析正在重新计算，请稍后重试 (coverage is being recomputed for "
                            "the sites stored now; retry shortly)", retry_after=10)
    run = held.run

    def work(progress):
        from geo.coverage.recommend.plan import recommend

        return recommend(settings, run, inputs.tiers, settings.coverage_model, mode,
                         inputs.townships, body.counties, body.mask, band, settings.recommend,
                         True, progress)

    scope = {"coverage_basis": used, "quota_basis": counted if mode.kind == "to_target"
             else None, "operator": operator}
    request = {**body.model_dump(exclude={"mask"}), "mask": body.mask is not None, **scope}
    return jobs_of(service).submit(work, audience(caller.role, operator), request)


def _document(request: Request, job: dict) -> dict:
    from geo.coverage.recommend.export import county_rows, site_features

    url = f"{base_url(request)}{PATH}/{job['id']}"
    doc = {k: v for k, v in job.items() if k not in ("owner", "result")}
    doc["links"] = [{"rel": "self", "href": url, "type": "application/json"}]
    if job["state"] == "done":
        rec = job["result"]
        doc["links"] += [{"rel": "alternate", "href": f"{url}?f={f}", "type": t}
                         for f, t in (("csv", "text/csv"), ("xlsx", XLSX_TYPE),
                                      ("kml", KML_TYPE))]
        about = {k: v for k, v in rec.about.items() if k != "coverage_fingerprint"}
        doc = {**site_features(rec), **doc, "about": about, "counties": county_rows(rec)}
    return doc


@router.post(PATH, operation_id="startRecommendation", status_code=202,
             summary="Start a site recommendation run (planner; operator: own network)",
             responses={202: {"description": "queued; poll the Location"},
                        **problem_responses(401, 403, 404, 409, 413, 503)})
async def start_recommendation(request: Request, service: ServiceDep,
                               principal: PrincipalDep,
                               body: Annotated[RecommendationRequest, Body()]) -> Response:
    """建议新增站址（模型建议）：validate, queue, answer 202 with the run's id."""
    job = await run_in_threadpool(_start, service, principal, body)
    doc = _document(request, job)
    return json_response(doc, status_code=202, headers={"Location": doc["links"][0]["href"]})


@router.get(f"{PATH}/map", operation_id="getRecommendationMap",
            summary="Public: the coverage map's default plan (建议新增站址, demo data only)",
            responses={202: {"description": "computing; retry after ``retry_after`` s"},
                       **problem_responses(400)})
def get_recommendation_map(service: ServiceDep, scenario: Annotated[int, Query(
        description="Target year of the default plan (2023 or 2025)")] = 2025) -> Response:
    """建议新增站址（模型建议）for the public coverage map: ``to_target`` of ``scenario`` for
    all 18 counties; withheld unless the coverage run is of the synthetic demo alone."""
    from geo.coverage.recommend.public_map import COMPUTING, MAP_PLANS, computing

    if scenario not in TARGET_YEARS:
        raise InvalidParameterError("scenario must be 2023 or 2025", "scenario")
    held = service.coverage.get(scenario, AUTO, ALL_BANDS, wait=False)
    if held is None or not held.current:
        doc = computing(scenario)
    else:
        doc = MAP_PLANS.get(held.run, scenario, *_map_plan(service, scenario, held.run))
    # failed is a state of the document like the scorecard's needs (200, its message says
    # so); a new coverage run computes it again
    status = 202 if doc["state"] == COMPUTING else 200
    headers = {"Retry-After": str(doc["retry_after"])} if "retry_after" in doc else None
    # the fingerprints say when the inventory changed: not for the public (as in the runs)
    public = {k: v for k, v in doc.items() if k not in ("version", "coverage_fingerprint")}
    return json_response(public, status_code=status, headers=headers)


def _map_plan(service, scenario: int, run) -> tuple[Any, str]:
    """(compute the default plan of ``run``, the version of the quotas it stops at)."""
    if run.stats.get("data_basis") != SYNTHETIC_DEMO:
        return (lambda _run: {}), ""  # withheld: nothing is computed
    goal = quotas(service.ctx, service.store, scenario, SYNTHETIC_DEMO)
    settings, inputs = service.settings, service.coverage.inputs

    def compute(run) -> dict:
        from geo.coverage.recommend.plan import Mode, recommend
        from geo.coverage.recommend.public_map import document

        rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                        Mode("to_target", quotas=goal, year=scenario), inputs.townships,
                        band=ALL_BANDS, config=settings.recommend, certificates=False)
        return document(rec, scenario)

    return compute, json.dumps(goal, sort_keys=True)


@router.get(f"{PATH}/{{run_id}}", operation_id="getRecommendation",
            summary="A recommendation run: state, then ranked sites (GeoJSON, CSV, XLSX, KML)",
            responses=problem_responses(401, 403, 404, 409))
def get_recommendation(request: Request, service: ServiceDep, principal: PrincipalDep,
                       run_id: Annotated[str, Path(max_length=64)],
                       f: Annotated[Literal["json", "csv", "xlsx", "kml"], Query(
                           description="json (GeoJSON + summary), csv, xlsx or kml")] = "json",
                       ) -> Response:
    """The run's state; once done the sites, the county summary and the certificates."""
    caller = require(principal, "operator", "planner", "admin")
    operator = caller.operator if caller.role == "operator" else None
    job = jobs_of(service).get(run_id, audience(caller.role, operator))
    if job is None:
        raise ResourceNotFoundError(f"没有此选址计算 no recommendation run {run_id!r} (only "
                                    "the newest finished runs are kept)")
    if f == "json":
        return json_response(_document(request, job),
                             media_type="application/geo+json" if job["state"] == "done"
                             else "application/json")
    if job["state"] != "done":
        raise ConflictError(f"选址计算尚未完成 (the run is {job['state']}; files exist once it "
                            "is done)", state=job["state"])
    from geo.coverage.recommend.export import to_csv, to_kml, to_xlsx

    rec = job["result"]
    name = f"recommendation_{run_id[:8]}"
    if f == "csv":
        content, media = to_csv(rec), "text/csv; charset=utf-8"
    elif f == "xlsx":
        content, media = to_xlsx(rec, {**rec.about, "scope": str(job["request"])}), XLSX_TYPE
    else:
        content, media = to_kml(rec), KML_TYPE
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}.{f}"'})
