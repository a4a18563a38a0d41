"""Coverage targets and gaps over HTTP: scorecard, targets and overrides, raster tiles, COG,
gap polygons.

The first request after sites change runs the analysis (a few seconds for the demo
inventory); later requests reuse it. County-level numbers are public; the per-operator split
of the scorecard is for planners and admins only.
"""

from __future__ import annotations

import io
from typing import Annotated, Literal

import numpy as np
import orjson
import pandas as pd
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import PrincipalDep
from api.deps import ServiceDep, SettingsDep
from api.problems import PROBLEM_RESPONSES
from api.responses import GEOJSON, base_url, json_response, live_collection
from geo.access import Principal, require
from geo.admin import GANZHOU_COUNTIES
from geo.coverage.scorecard import city_line, scorecard
from geo.coverage.targets import FIVEG_CITY, allocate_fiveg, effective_targets
from geo.errors import InvalidParameterError

router = APIRouter(responses=PROBLEM_RESPONSES)
SCORECARD = "county_scorecard"
GAPS = "coverage_gaps"
Scenario = Annotated[int, Query(ge=2023, le=2025, description="Target year: 2023 or 2025",
                                 examples=[2025])]
TARGET_YEARS = (2023, 2025)


def _year(value: int, parameter: str) -> int:
    if value not in TARGET_YEARS:
        raise InvalidParameterError("the plan sets targets for 2023 and 2025 only", parameter)
    return value
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# serving-site count (0 = gap, 1, 2, 3+) -> RGBA
COLOURS = {0: (215, 48, 39, 150), 1: (166, 217, 106, 150), 2: (102, 189, 99, 170),
           3: (26, 152, 80, 190)}


def coverage_collections(root: str) -> list[dict]:
    """Collection documents of the scorecard and the gap polygons."""
    return [
        live_collection(root, SCORECARD, "区县5G目标与覆盖评估",
                        "Per county: allocated/overridden targets, sites, % of target, covered "
                        "area, gaps (planning approximation)."),
        live_collection(root, GAPS, "5G覆盖缺口",
                        "Uncovered parts of the required zones (main urban areas; whole county "
                        "for the 全深度覆盖 tier)."),
    ]


def _operator_detail(principal: Principal | None) -> bool:
    return principal is not None and principal.role in ("planner", "admin")


def _card(service, principal, scenario: int):
    run = service.coverage(scenario)
    counties = service.ctx.result("counties").gdf
    iot = service.ctx.result("iot_zones").gdf
    tier1 = iot[(iot["tier"] == 1) & iot["adcodes"].notna()]
    priority = tier1.groupby("adcodes")["place_name"].apply(list).to_dict()
    card = scorecard(counties, service.store.county_totals(), service.store.target_overrides(),
                     run, service.settings.allocation, service.settings.coverage_model,
                     _operator_detail(principal), priority)
    pop = service.ctx.plan.population.set_index("adcode")["population_2020_census"]
    return card, city_line(card, int(pop["360700"])), run


@router.get(f"/collections/{SCORECARD}", operation_id="describeScorecard",
            summary="Describe the county scorecard collection")
def describe_scorecard(request: Request) -> Response:
    """Metadata of the scorecard collection."""
    return json_response(coverage_collections(base_url(request))[0])


@router.get(f"/collections/{GAPS}", operation_id="describeGaps",
            summary="Describe the coverage gaps collection")
def describe_gaps(request: Request) -> Response:
    """Metadata of the gaps collection."""
    return json_response(coverage_collections(base_url(request))[1])


@router.get(f"/collections/{SCORECARD}/items", operation_id="getScorecard",
            summary="County scorecard (GeoJSON, CSV or XLSX)")
async def scorecard_items(service: ServiceDep, principal: PrincipalDep,
                          scenario: Scenario = 2025,
                          f: Annotated[Literal["json", "geojson", "csv", "xlsx"] | None,
                                       Query()] = None) -> Response:
    """One feature per county with targets, sites, coverage and gaps; ``city`` totals."""
    scenario = _year(scenario, "scenario")
    card, city, run = await run_in_threadpool(_card, service, principal, scenario)
    if f in ("csv", "xlsx"):
        table = pd.concat([pd.DataFrame(card.drop(columns="geometry")),
                           pd.DataFrame([city])], ignore_index=True)
        if f == "csv":
            return Response(("\ufeff" + table.to_csv(index=False)).encode(),
                            media_type="text/csv; charset=utf-8", headers={
                                "Content-Disposition": 'attachment; filename="scorecard.csv"'})
        buf = io.BytesIO()
        table.to_excel(buf, index=False, sheet_name="区县评估", engine="openpyxl")
        return Response(buf.getvalue(), media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="scorecard.xlsx"'})
    features = orjson.loads(card.to_json(drop_id=True))["features"]
    for feat, adcode in zip(features, card["adcode"], strict=True):
        feat["id"] = adcode
    return json_response({"type": "FeatureCollection", "numberMatched": len(features),
                          "numberReturned": len(features), "city": city,
                          "scenario": scenario, "coverage_model": run.stats["model_text"],
                          "features": features}, GEOJSON)


@router.get(f"/collections/{GAPS}/items", operation_id="getGaps", summary="Coverage gaps")
async def gaps(service: ServiceDep, scenario: Scenario = 2025,
               adcode: Annotated[str | None, Query(description="One county")] = None) -> Response:
    """Gap polygons of the current run (optionally one county)."""
    run = await run_in_threadpool(service.coverage, _year(scenario, "scenario"))
    doc = orjson.loads(run.gaps.read_bytes())
    feats = [f for f in doc["features"] if adcode is None or f["properties"]["adcode"] == adcode]
    for feat in feats:
        feat["id"] = feat["properties"]["id"]
    return json_response({"type": "FeatureCollection", "numberMatched": len(feats),
                          "numberReturned": len(feats), "features": feats}, GEOJSON)


@router.get("/coverage/run", operation_id="getCoverageRun", summary="The current coverage run")
async def coverage_run(service: ServiceDep, scenario: Scenario = 2025) -> Response:
    """Model, resolution, sites used and per-county statistics of the current run."""
    run = await run_in_threadpool(service.coverage, _year(scenario, "scenario"))
    return json_response({k: v for k, v in run.stats.items() if k != "fingerprint"})


@router.get("/coverage/coverage.tif", operation_id="getCoverageCOG",
            summary="Coverage raster (Cloud-Optimized GeoTIFF)", response_class=FileResponse)
async def coverage_cog(service: ServiceDep, scenario: Scenario = 2025) -> FileResponse:
    """Serving-site count per cell, EPSG:4547, 65535 outside 赣州市."""
    run = await run_in_threadpool(service.coverage, _year(scenario, "scenario"))
    return FileResponse(run.cog, media_type="image/tiff; application=geotiff; "
                        "profile=cloud-optimized", filename=f"coverage_{scenario}.tif")


def _png_tile(path, z: int, x: int, y: int) -> bytes | None:
    from rio_tiler.errors import TileOutsideBounds
    from rio_tiler.io import Reader
    from rio_tiler.utils import render

    try:
        with Reader(str(path)) as src:
            img = src.tile(x, y, z, resampling_method="nearest")
    except TileOutsideBounds:
        return None
    data = np.clip(img.data[0], 0, 3).astype("uint8")
    mask = np.where(img.array.mask[0], 0, 255).astype("uint8")
    if not mask.any():
        return None
    return render(data[None], mask=mask, img_format="PNG", colormap=COLOURS)


@router.get("/coverage/tiles/{z}/{x}/{y}.png", operation_id="getCoverageTile",
            summary="Coverage raster tile (PNG, Web Mercator)")
async def coverage_tile(service: ServiceDep, z: Annotated[int, Path(ge=0, le=18)],
                        x: Annotated[int, Path(ge=0)], y: Annotated[int, Path(ge=0)],
                        scenario: Scenario = 2025) -> Response:
    """Red = gap, greens = served by 1, 2, 3+ sites; 204 outside 赣州市."""
    if x >= 2 ** z or y >= 2 ** z:
        raise InvalidParameterError(f"tile {z}/{x}/{y} does not exist", "x")
    run = await run_in_threadpool(service.coverage, _year(scenario, "scenario"))
    png = await run_in_threadpool(_png_tile, run.cog, z, x, y)
    if png is None:
        return Response(status_code=204)
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "public, max-age=300"})


def _targets_doc(service) -> dict:
    counties = service.ctx.result("counties").gdf
    alloc = allocate_fiveg(counties, service.settings.allocation)
    eff = effective_targets(alloc, service.store.target_overrides())
    rows = [{"adcode": a, "name": GANZHOU_COUNTIES[a], **{k: (int(v) if isinstance(
        v, (int, np.integer)) else v) for k, v in r.items()}} for a, r in eff.iterrows()]
    city = {f"plan_{y}": FIVEG_CITY[y] for y in (2023, 2025)}
    for y in (2023, 2025):
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
            summary="Override a county target (planner)")
def override_target(service: ServiceDep, principal: PrincipalDep,
                    adcode: Annotated[str, Path(description="County adcode")],
                    year: Annotated[int, Path(ge=2023, le=2025)],
                    body: Annotated[Override, Body()]) -> Response:
    """Record who set which value when, keeping the previous one; answers the new targets."""
    p = require(principal, "planner", "admin")
    _year(year, "year")
    if adcode not in GANZHOU_COUNTIES:
        raise InvalidParameterError(f"{adcode!r} is not a 赣州市 county code", "adcode")
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
