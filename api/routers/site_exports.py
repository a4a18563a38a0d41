"""An operator's own sites as CSV or XLSX in the import format (geo.inventory.export).

``GET /imports/base-stations/export.csv`` and ``.xlsx``: the operator's key exports its own
real sites; a planner (or admin) key names the operator with ``operator=`` (name or code) -
there is no all-operators export, because the file is the import format, which is one
operator's list. This router must be included before the inventory router, whose
``/imports/base-stations/{batchId}`` would otherwise take ``export.csv`` for a batch id.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.auth import PrincipalDep
from api.deps import ServiceDep
from api.problems import problem_responses
from geo.access import Principal, require
from geo.errors import ForbiddenError, InvalidParameterError
from geo.formats import XLSX
from geo.inventory import export

router = APIRouter(responses=problem_responses(400, 401, 403, 429))
CoordSys = Annotated[Literal["wgs84", "gcj02", "bd09"], Query(
    description="坐标系 Coordinate system of the positions written (converted from the "
                "stored WGS84); import the file again with the same coord_sys")]
Operator = Annotated[str | None, Query(
    max_length=40, description="运营商 (name or code, e.g. 中国移动 or cmcc): required for "
                               "planner/admin keys; an operator key exports its own sites")]


def _operator(principal: Principal | None, requested: str | None) -> str:
    """Whose sites: the operator key's own; a planner's choice (required)."""
    p = require(principal, "operator", "planner", "admin")
    if p.role == "operator":
        assert p.operator is not None  # operator keys always name one
        if requested is not None and export.resolve_operator(requested) != p.operator:
            raise ForbiddenError("运营商密钥只能导出本运营商的站点 an operator key exports "
                                 "only its own sites")
        return p.operator
    if requested is None:
        raise InvalidParameterError("规划人员须用 operator= 指定运营商 planner keys must "
                                    "choose the operator (operator=中国移动 or cmcc)",
                                    "operator")
    return export.resolve_operator(requested)


def _export(service, principal, operator: str | None, coord_sys: str):
    name = _operator(principal, operator)
    return name, export.export_frame(export.own_sites(service.store, name), coord_sys)


DOC = ("The caller's own real sites (planners: operator=) in the import format; importing "
       "the file again with the same coord_sys changes nothing.")


@router.get("/imports/base-stations/export.csv", operation_id="exportBaseStationsCsv",
            summary="Export an operator's sites as CSV (import format)", description=DOC,
            response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def export_csv(service: ServiceDep, principal: PrincipalDep, coord_sys: CoordSys = "wgs84",
               operator: Operator = None) -> Response:
    """CSV (UTF-8 with BOM) of the sites, exactly the import columns."""
    name, frame = _export(service, principal, operator, coord_sys)
    return Response(export.csv_bytes(frame, coord_sys), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename="
                             f'"{export.filename(name, coord_sys, "csv")}"',
                             "Cache-Control": "private, no-store"})


@router.get("/imports/base-stations/export.xlsx", operation_id="exportBaseStationsXlsx",
            summary="Export an operator's sites as XLSX (import format)", description=DOC,
            response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
def export_xlsx(service: ServiceDep, principal: PrincipalDep, coord_sys: CoordSys = "wgs84",
                operator: Operator = None) -> Response:
    """XLSX of the sites: first sheet in the import format, a second explaining it."""
    name, frame = _export(service, principal, operator, coord_sys)
    return Response(export.xlsx_bytes(frame, coord_sys), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename="
                             f'"{export.filename(name, coord_sys, "xlsx")}"',
                             "Cache-Control": "private, no-store"})
