"""Coverage over HTTP: targets and overrides, the run's statistics, raster tiles and COG,
and the gap work list (XLSX, KML) for field teams.

The scorecard and the gap polygons are collections of the catalog (one items router serves
them); the work-list files are the ``coverage_gaps`` collection's rows, so they follow its
access rule (a key; an operator's are computed from its own sites) and can never differ from
it. Coverage runs are computed in the background by the service's ``CoverageHolder``; a
request reads the newest finished run and never runs one itself. Every coverage route takes
``band`` (``all`` or one band: its sites only, at its radius - an assumption stated in the
run's ``model_text`` and docs/coverage.md).
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from api.auth import PrincipalDep
from api.deps import ServiceDep, SettingsDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.responses import json_response
from geo.access import require
from geo.admin import GANZHOU_COUNTIES
from geo.collections.base import View, check_access
from geo.collections.live import BAND, DATA_BASIS, GapTable, fine_basis
from geo.coverage.targets import FIVEG_CITY, TARGET_YEARS, allocate_fiveg, effective_targets
from geo.coverage.tiles import coverage_png_tile
from geo.coverage.worklist import WorkList, worklist_about, worklist_kml, worklist_xlsx
from geo.errors import InvalidParameterError, ResourceNotFoundError, TileOutOfRangeError

router = APIRouter(responses=PROBLEM_RESPONSES)
Scenario = Annotated[int, Query(ge=2023, le=2025, description="Target year: 2023 or 2025",
                                 examples=[2025])]
Band = Annotated[str, Query(description=BAND.description, examples=["n28"],
                            json_schema_extra={"enum": list(BAND.choices)})]
DataBasis = Annotated[str, Query(description=DATA_BASIS.description,
                                 json_schema_extra={"enum": list(DATA_BASIS.choices)})]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KML_TYPE = "application/vnd.google-earth.kml+xml"


def _run(service, scenario: int, principal, band: str = BAND.default):
    """The newest finished run (the holder refreshes a stale one in the background).

    The run's raster, tiles and statistics need a key: computed from every operator's real
    sites, a cell-level difference of two answers locates a new site (docs/security.md).
    Planners and admins get the run of all sites; an operator the run of its own sites.
    """
    caller = require(principal, "operator", "planner", "admin")
    view = View(caller)
    held = service.coverage.get(scenario, fine_basis(view), BAND.parse(band))
    return held.run


def _year(value: int, parameter: str) -> int:
    if value not in TARGET_YEARS:
        raise InvalidParameterError("the plan sets targets for 2023 and 2025 only", parameter)
    return value


@router.get("/coverage/run", operation_id="getCoverageRun",
            summary="The current coverage run (API key; an operator sees its own sites)",
            responses=problem_responses(401))
def coverage_run(service: ServiceDep, principal: PrincipalDep,
                 scenario: Scenario = 2025, band: Band = BAND.default) -> Response:
    """Model, resolution, sites used and per-county statistics of the current run."""
    run = _run(service, _year(scenario, "scenario"), principal, band)
    return json_response({k: v for k, v in run.stats.items() if k != "fingerprint"})


@router.get("/coverage/coverage.tif", operation_id="getCoverageCOG",
            summary="Coverage raster (Cloud-Optimized GeoTIFF; API key)",
            response_class=FileResponse, responses=problem_responses(401))
def coverage_cog(service: ServiceDep, principal: PrincipalDep,
                 scenario: Scenario = 2025, band: Band = BAND.default) -> FileResponse:
    """Serving-site count per cell, EPSG:4547, 65535 outside 赣州市."""
    run = _run(service, _year(scenario, "scenario"), principal, band)
    suffix = "" if band == BAND.default else f"_{band}"
    return FileResponse(run.cog, media_type="image/tiff; application=geotiff; "
                        "profile=cloud-optimized", filename=f"coverage_{scenario}{suffix}.tif")


@router.get("/coverage/tiles/{z}/{x}/{y}.png", operation_id="getCoverageTile",
            summary="Coverage raster tile (PNG, Web Mercator; API key)",
            responses=problem_responses(401))
def coverage_tile(service: ServiceDep, principal: PrincipalDep,
                  z: Annotated[int, Path(ge=0, le=18)],
                        x: Annotated[int, Path(ge=0)], y: Annotated[int, Path(ge=0)],
                        scenario: Scenario = 2025, band: Band = BAND.default) -> Response:
    """Red = gap, greens = served by 1, 2, 3+ sites; 204 outside 赣州市."""
    if x >= 2 ** z or y >= 2 ** z:
        raise TileOutOfRangeError(f"瓦片不存在 tile {z}/{x}/{y} does not exist")
    run = _run(service, _year(scenario, "scenario"), principal, band)
    png = coverage_png_tile(run.cog, z, x, y)
    if png is None:
        return Response(status_code=204)
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})


def _worklist(service, principal, scenario: int, data_basis: str,
              band: str) -> tuple[GapTable, WorkList]:
    """The ``coverage_gaps`` table this caller may read (401 without a key), its work list."""
    collection = service.catalog.get("coverage_gaps")
    check_access(collection, principal)
    view = View(principal, {"scenario": str(_year(scenario, "scenario")),
                            "data_basis": DATA_BASIS.parse(data_basis),
                            "band": BAND.parse(band)})
    table = collection.table(view)
    assert isinstance(table, GapTable) and table.worklist is not None
    return table, table.worklist


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/coverage/gaps/worklist.xlsx", operation_id="getGapWorklistXlsx",
            summary="Gap work list as XLSX (API key; an operator sees its own sites)",
            response_class=Response, responses=problem_responses(401))
def gap_worklist_xlsx(service: ServiceDep, principal: PrincipalDep,
                      scenario: Scenario = 2025, data_basis: DataBasis = DATA_BASIS.default,
                      band: Band = BAND.default) -> Response:
    """缺口工作清单：一行一个缺口（排名、区县、乡镇、梯次、面积、WGS84 与 GCJ-02 中心点）."""
    table, worklist = _worklist(service, principal, scenario, data_basis, band)
    content = worklist_xlsx(worklist, worklist_about(table.members))
    return _attachment(content, XLSX_TYPE, f"gap_worklist_{scenario}_{band}.xlsx")


@router.get("/coverage/gaps/worklist.kml", operation_id="getGapWorklistKml",
            summary="Gap work list as KML for field teams (API key; operator: own sites)",
            response_class=Response, responses=problem_responses(401))
def gap_worklist_kml(service: ServiceDep, principal: PrincipalDep,
                     scenario: Scenario = 2025, data_basis: DataBasis = DATA_BASIS.default,
                     band: Band = BAND.default) -> Response:
    """每个缺口一个 Placemark（中文名称与说明，WGS84 面），供奥维、Google Earth 等使用."""
    _, worklist = _worklist(service, principal, scenario, data_basis, band)
    content = worklist_kml(worklist, f"5G覆盖缺口工作清单 {scenario} {band}")
    return _attachment(content, KML_TYPE, f"gap_worklist_{scenario}_{band}.kml")


def _targets_doc(service) -> dict:
    counties = service.ctx.result("counties").gdf
    alloc = allocate_fiveg(counties, service.settings.allocation)
    eff = effective_targets(alloc, service.store.target_overrides())
    rows = [{"adcode": a, "name": GANZHOU_COUNTIES[a], **{k: (int(v) if isinstance(
        v, (int, np.integer)) else v) for k, v in r.items()}} for a, r in eff.iterrows()]
    city = {f"plan_{y}": FIVEG_CITY[y] for y in TARGET_YEARS}
    for y in TARGET_YEARS:
        city[f"sum_{y}"] = int(eff[f"target_{y}"].sum())
        city[f"difference_from_plan_{y}"] = city[f"sum_{y}"] - FIVEG_CITY[y]
    return {"method": service.settings.allocation.describe("5G"), "allocated": True,
            "city": city, "counties": rows}


@router.get("/coverage/targets", operation_id="getTargets",
            summary="County 5G targets: allocation, overrides, city totals")
def targets(service: ServiceDep) -> Response:
    """Every county's allocated and effective targets, and the city check."""
    return json_response(_targets_doc(service))


class Override(BaseModel):
    """A planner's override of one county target (``value`` null reverts)."""

    value: int | None = Field(None, ge=0, le=1_000_000)
    note: str | None = Field(None, max_length=500)


@router.put("/coverage/targets/{adcode}/{year}", operation_id="overrideTarget",
            summary="Override a county target (planner)",
            responses=problem_responses(403, 413))
def override_target(service: ServiceDep, principal: PrincipalDep,
                    adcode: Annotated[str, Path(description="County adcode")],
                    year: Annotated[int, Path(ge=2023, le=2025)],
                    body: Annotated[Override, Body()]) -> Response:
    """Record who set which value when, keeping the previous one; answers the new targets."""
    p = require(principal, "planner", "admin")
    if year not in TARGET_YEARS or adcode not in GANZHOU_COUNTIES:
        raise ResourceNotFoundError(f"没有此目标 no target {adcode}/{year}: the plan sets 赣州市 "
                                    "county targets for 2023 and 2025 only")
    before = {r["adcode"]: r for r in _targets_doc(service)["counties"]}[adcode]
    service.store.record_target_override(adcode, year, body.value,
                                         before[f"target_{year}"], p.actor, body.note)
    return json_response(_targets_doc(service))


@router.get("/coverage/targets/history", operation_id="getTargetHistory",
            summary="Every override ever made")
def target_history(service: ServiceDep, settings: SettingsDep) -> Response:
    """Override history: county, year, value, previous value, who, when, note."""
    frame = service.store.target_overrides(history=True)
    frame = frame.astype(object).where(frame.notna(), None)
    return json_response({"overrides": frame.to_dict("records")})
