"""The inventory templates: ``GET /imports/base-stations/template.xlsx`` and ``template.csv``.

Public (a blank form reveals nothing) and immutable for a release, so they are cacheable.
The app registers this router before the inventory router: its
``/imports/base-stations/{batchId}`` would otherwise take ``template.xlsx`` for a batch id
and answer 404.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.problems import PROBLEM_RESPONSES
from geo.inventory.template import TEMPLATE_FORMATS, template_bytes

router = APIRouter(responses=PROBLEM_RESPONSES)
FILENAME = "base_stations_template"


@router.get("/imports/base-stations/template.{format}", operation_id="getImportTemplate",
            summary="Blank base-station inventory template (XLSX or CSV) the importer accepts",
            response_class=Response,
            responses={200: {"content": {m: {} for m in TEMPLATE_FORMATS.values()}}})
async def import_template(
    fmt: Annotated[Literal["xlsx", "csv"],
                   Path(alias="format", description="xlsx (with drop-downs and a rules "
                                                    "sheet) or csv")],
) -> Response:
    """The template file; the same bytes for every request of a release."""
    data = await run_in_threadpool(template_bytes, fmt)  # built once, then cached
    return Response(data, media_type=TEMPLATE_FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{FILENAME}.{fmt}"',
        "Cache-Control": "public, max-age=86400",
        "ETag": f'"{hashlib.sha256(data).hexdigest()[:32]}"'})
