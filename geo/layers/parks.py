"""园区与平台: every named park, base, data centre, platform and mine in the seeds.

Positions are never invented. A park gets a point only where one can be derived honestly:
- its county is stated and it is the only one -> the county seat
  (``location_precision = county_seat``: the park is somewhere in that county);
- it lies in a management zone -> that zone's schematic point (``functional_zone_schematic``).
Where the county or zone is only *implied* (deduced from nearby text), the precision carries
``_implied`` (``county_seat_implied`` / ``functional_zone_schematic_implied``) so maps can
draw it apart from a stated one, and ``location_note`` says the implication in Chinese.
Everything else (several or candidate counties, or none stated, or a park the data marks
``no_point`` such as 赣州高新区) stays as a row without geometry (``multi_county`` /
``unknown``), so the table is complete and nothing is dropped.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from geo.admin import GANZHOU_COUNTIES
from geo.boundaries import ganzhou_counties
from geo.catalog import BuildContext
from geo.layers.common import CITATION_COLUMNS, POINTS, citation_fields, joined
from geo.plan import Park
from geo.schema import Column, Layer, LayerSchema, frame

PRECISION_NOTES = {
    "county_seat": "位置为所在区县驻地，仅表示所属区县，非园区实际位置",
    "county_seat_implied": "位置为所在区县驻地（位置依据为推断，非原文直接写明），非园区实际位置",
    "functional_zone_schematic": "位置为所在功能区的示意点，非园区实际位置",
    "functional_zone_schematic_implied": (
        "位置为所在功能区的示意点（位置依据为推断，非原文直接写明），非园区实际位置"),
    "multi_county": "涉及多个区县，规划未给出具体位置，不绘制点位",
    "unknown": "规划未说明所在区县，不绘制点位",
}

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("aliases", "string", "别称"),
        Column("type", "string", "类型代码", queryable=True),
        Column("type_zh", "string", "类型", queryable=True),
        Column("type_detail", "string", "类型说明"),
        Column("industry_focus", "string", "产业方向"),
        Column("level", "string", "级别"),
        Column("status", "string", "状态"),
        Column("county_adcode", "string", "所在区县代码", "set only when one county is known",
               queryable=True),
        Column("county_name", "string", "所在区县", queryable=True),
        Column("county_adcodes", "string", "涉及区县代码", "all stated/candidate counties"),
        Column("county_basis", "string", "区县依据", "stated / implied / not_stated / unit_level",
               queryable=True),
        Column("county_scope", "string", "区县范围", "single / multiple / candidates / unknown"),
        Column("functional_zone", "string", "所在功能区", queryable=True),
        Column("layout_unit", "string", "空间布局单元", queryable=True),
        Column("location_precision", "string", "位置精度",
               "county_seat / county_seat_implied / functional_zone_schematic / "
               "functional_zone_schematic_implied / multi_county / unknown",
               nullable=False, queryable=True),
        Column("location_note", "string", "位置说明", nullable=False),
        Column("notes", "string", "备注"),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POINTS,
    geometry_required=False,
)


def _placement(park: Park, seats: dict, zones: dict) -> tuple[str, Point | None]:
    implied = "_implied" if park.county_basis == "implied" else ""
    if park.no_point:
        return "unknown", None
    if park.county_scope == "single" and len(park.county_adcodes) == 1:
        return "county_seat" + implied, seats[park.county_adcodes[0]]
    if park.functional_zone and not park.county_adcodes:
        return "functional_zone_schematic" + implied, zones[park.functional_zone]
    if park.county_adcodes:
        return "multi_county", None
    return "unknown", None


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return all parks; point geometry only where honestly derivable."""
    counties = ganzhou_counties(ctx.settings)
    seats = {
        a: Point(x, y)
        for a, x, y in zip(counties["adcode"], counties["seat_lon"], counties["seat_lat"],
                           strict=True)
    }
    fz = ctx.result("functional_zones").gdf
    zones = dict(zip(fz["name"], fz.geometry, strict=True))
    rows, geoms = [], []
    for p in ctx.plan.parks:
        precision, geom = _placement(p, seats, zones)
        single = p.county_adcodes[0] if precision.startswith("county_seat") else None
        note = PRECISION_NOTES[precision]
        if p.location_basis_note:  # why implied, or why no point: the reason replaces "unknown"
            drawn = geom is not None
            note = f"{note}；{p.location_basis_note}" if drawn else p.location_basis_note
        rows.append({
            "id": p.id,
            "name": p.name,
            "aliases": joined(p.aliases),
            "type": p.type,
            "type_zh": p.type_zh,
            "type_detail": p.type_detail,
            "industry_focus": joined(p.industry_focus),
            "level": p.level,
            "status": p.status,
            "county_adcode": single,
            "county_name": GANZHOU_COUNTIES.get(single) if single else None,
            "county_adcodes": ",".join(p.county_adcodes) or None,
            "county_basis": p.county_basis,
            "county_scope": p.county_scope,
            "functional_zone": p.functional_zone,
            "layout_unit": p.layout_unit,
            "location_precision": precision,
            "location_note": note,
            "notes": p.notes,
            **citation_fields(p.citations),
        })
        geoms.append(geom)
    return frame(rows, geoms)


LAYER = Layer(
    name="parks",
    title="园区与平台",
    description="Named parks, bases, data centres, platforms and mines; a point only where "
    "the seeds give the county (at its seat) or the management zone (schematic).",
    schema=SCHEMA,
    depends_on=("functional_zones",),
    inputs=("boundaries/jiangxi_counties.geojson", "plan/parks.yaml",
            "plan/functional_zones.yaml"),
    steps=("place single-county parks at the county seat", "place zone parks at the zone's "
           "schematic point", "keep the rest as rows without geometry"),
    build=build,
)
