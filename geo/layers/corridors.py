"""走廊与线路: 赣深高铁, 京九高铁线一轴, 赣深数字经济走廊, 中欧班列, 赣州—香港直通车 ...

The seeds trace none of these routes. Where a seed names the places along one (the 赣深高铁
belt's six counties, the four cities of the 京九 axis, 吉安 and 赣州 for the 赣深 digital
corridor), the corridor is drawn as a **schematic** line through those places' seats, north
to south, widened to a 3 km band so that every client (QGIS project, tiles, downloads) draws it
like the other polygon layers; ``schematic_line_wkt`` keeps the line itself. Routes with no
named places (班列, 直通车, 沪昆 axis, demonstration roads) are rows without geometry.
``location_note`` says, in Chinese, that the line is schematic and not the real route.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.catalog import BuildContext
from geo.citations import Citation
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.layers.common import CITATION_COLUMNS, POLYGONS, citation_fields, joined
from geo.layers.scopes import Scopes
from geo.schema import Column, Layer, LayerSchema, frame

BAND_HALF_WIDTH_M = 1_500

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("kind", "string", "类别", nullable=False, queryable=True),
        Column("status", "string", "状态"),
        Column("via", "string", "途经地点（原文点名）"),
        Column("via_adcodes", "string", "途经地点代码"),
        Column("via_level", "string", "途经地点层级", "county / city / none"),
        Column("place_basis", "string", "地点依据", "stated / implied / not_stated",
               nullable=False),
        Column("geometry_precision", "string", "图形精度", "schematic / none", nullable=False,
               queryable=True),
        Column("location_note", "string", "位置说明", nullable=False),
        Column("schematic_line_wkt", "string", "示意线(WKT)",
               "the schematic line through the seats, WGS84; the geometry is a 3 km band"),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
    geometry_required=False,
)


def _band(line: shapely.LineString):
    series = gpd.GeoSeries([line], crs=STORAGE_CRS).to_crs(METRIC_CRS)
    return series.buffer(BAND_HALF_WIDTH_M, quad_segs=8).to_crs(STORAGE_CRS).iloc[0]


def _line(scopes: Scopes, adcodes: list[str]) -> shapely.LineString:
    """Seats ordered north to south (the seeds describe both corridors as 南北纵向)."""
    seats = sorted((scopes.seat(a) for a in adcodes), key=lambda p: -p.y)
    return shapely.LineString(seats)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return every corridor; schematic bands only where the seed names the places along it."""
    scopes = Scopes(ctx)
    rows, geoms = [], []
    for r in ctx.plan.raw("designations")["corridors"]:
        line = _line(scopes, r["via_adcodes"]) if r["drawing"] == "schematic" else None
        rows.append({
            "id": r["id"], "name": r["name"], "kind": r["kind"], "status": r.get("status"),
            "via": joined(r["via"]), "via_adcodes": ",".join(r["via_adcodes"]) or None,
            "via_level": r["via_level"], "place_basis": r["place_basis"],
            "geometry_precision": "schematic" if line is not None else "none",
            "location_note": r["location_note"],
            "schematic_line_wkt": shapely.to_wkt(line, rounding_precision=5) if line else None,
            **citation_fields([Citation.model_validate(c) for c in r["citations"]]),
        })
        geoms.append(_band(line) if line is not None else None)
    return frame(rows, geoms)


LAYER = Layer(
    name="corridors",
    title="走廊与线路(示意)",
    description="赣深高铁, the 京九 axis and the 赣深 digital corridor as schematic bands through "
    "the seats of the places the seeds name; trains, trucks and roads without a route as rows.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "boundaries/jiangxi_prefectures.geojson",
            "plan/designations.yaml"),
    steps=("schematic line through the named places' seats, north to south",
           "3 km band around it (polygon, drawn by every client)",
           "routes without named places kept without geometry"),
    build=build,
)
