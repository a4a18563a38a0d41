"""物联网部署: the plan's three IoT deployment tiers, terminal targets and agri-IoT bases.

Tier 1 names places without boundaries (赣州中心城区, management zones, parks); they are drawn
as schematic circles and say so in ``geometry_precision`` / ``geometry_note``. Tiers 2 and 3
name counties ("key areas" / "core areas" within them are not delineated), drawn as the county
polygons. City-wide targets (移动物联网终端 250万/280万, 农业物联网基地 89/100/120) are drawn
on the 赣州市 polygon.

The city-wide figures come first, then the tiers: QGIS 3.22 and GDAL 3.6 type an OGC API
layer's fields from its first page (``limit=10``), and a first page of tier rows alone (no
``year`` or ``value``) made both columns strings there. With the five figure rows first,
that page holds a ``tier``, a ``year`` and a ``value`` (tests/api/test_types.py checks every
collection for this).
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from geo.catalog import BuildContext
from geo.citations import Citation
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.layers.common import CITATION_COLUMNS, POLYGONS, Areas, citation_fields
from geo.layers.functional_zones import city_seat
from geo.schema import Column, Layer, LayerSchema, frame

CENTRAL_CITY_RADIUS_M = 8_000
PLACE_RADIUS_M = 2_000
CITY_NOTE = "赣州市全市范围(规划未分解到区县)"

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False),
        Column("kind", "string", "类别", "deployment_area / target / other", nullable=False,
               queryable=True),
        Column("tier", "int", "部署梯次", "1 优先 / 2 着重 / 3 逐步", queryable=True),
        Column("tier_name", "string", "梯次名称"),
        Column("place_name", "string", "地点", queryable=True),
        Column("place_kind", "string", "地点类型", "area / functional_zone / park / county"),
        Column("adcodes", "string", "涉及区县代码", queryable=True),
        Column("park_id", "string", "园区编号"),
        Column("basis", "string", "依据", "stated / implied"),
        Column("indicator", "string", "指标"),
        Column("year", "int", "年份", queryable=True),
        Column("value", "float", "数值"),
        Column("unit", "string", "单位"),
        Column("property", "string", "指标属性"),
        Column("text", "string", "规划表述"),
        Column("geometry_precision", "string", "图形精度",
               "county_polygon / city_polygon / schematic_circle / none", nullable=False,
               queryable=True),
        Column("geometry_note", "string", "图形说明", nullable=False),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
    geometry_required=False,
    temporal="year",  # the plan year a target is for: ``datetime`` selects on it
)


def _circle(point: Point, radius_m: float):
    return gpd.GeoSeries([point], crs=STORAGE_CRS).to_crs(METRIC_CRS).buffer(
        radius_m, quad_segs=16).to_crs(STORAGE_CRS).iloc[0]


class _Placer:
    """Decide the drawn geometry of one tier place, and say how precise it is."""

    def __init__(self, ctx: BuildContext, areas: Areas) -> None:
        self.areas = areas
        self.seat = Point(*city_seat(ctx))
        fz = ctx.result("functional_zones").gdf
        self.zones = dict(zip(fz["id"], fz.geometry, strict=True))
        parks = ctx.result("parks").gdf
        self.parks = dict(zip(parks["id"], parks.geometry, strict=True))

    def place(self, p: dict):
        kind = p["kind"]
        if kind == "county":
            return self.areas.counties[p["adcode"]], "county_polygon", \
                "区县内关键/核心区域未划定：以全县范围表示"
        if kind == "area":
            return _circle(self.seat, CENTRAL_CITY_RADIUS_M), "schematic_circle", \
                "中心城区范围规划未界定：以赣州市驻地为圆心8公里的示意圆"
        if kind == "functional_zone":
            return _circle(self.zones[p["zone_id"]], PLACE_RADIUS_M), "schematic_circle", \
                "功能区无公布边界：以其示意点为圆心2公里的示意圆"
        point = self.parks.get(p.get("park_id"))
        if point is None:
            return None, "none", "规划未给出该园区所在区县：不绘制图形"
        return _circle(point, PLACE_RADIUS_M), "schematic_circle", \
            "园区位置未给出：以其所在区县驻地或功能区示意点为圆心2公里的示意圆"


def _tier_rows(ctx: BuildContext, placer: _Placer) -> tuple[list, list]:
    rows, geoms = [], []
    for t in ctx.plan.targets["iot"]["deployment_tiers"]:
        cites = citation_fields([Citation.model_validate(c) for c in t["citations"]])
        for i, p in enumerate(t["places"]):
            geom, precision, note = placer.place(p)
            rows.append({
                "id": f"tier{t['tier']}-{i + 1:02d}", "kind": "deployment_area",
                "tier": t["tier"], "tier_name": t["name"], "place_name": p["name"],
                "place_kind": p["kind"], "adcodes": p.get("adcode"), "park_id": p.get("park_id"),
                "basis": p.get("basis", "stated"), "text": t.get("goal"),
                "geometry_precision": precision, "geometry_note": note, **cites,
            })
            geoms.append(geom)
    return rows, geoms


def _target_rows(ctx: BuildContext, areas: Areas) -> tuple[list, list]:
    iot = ctx.plan.targets["iot"]
    figures = [("terminals", "移动物联网终端用户数", r) for r in iot["terminals"]]
    figures += [("agri_bases", "农业物联网基地数量", r) for r in iot["agri_iot_bases"]]
    rows = [{
        "id": f"{key}-{r['year']}", "kind": "target", "indicator": indicator,
        "year": r["year"], "value": r["value"], "unit": r["unit"],
        "property": r.get("property"), "text": r.get("value_as_stated"),
        "geometry_precision": "city_polygon", "geometry_note": CITY_NOTE,
        **citation_fields([Citation.model_validate(c) for c in r["citations"]]),
    } for key, indicator, r in figures]
    return rows, [areas.city] * len(rows)


def _other_rows(ctx: BuildContext, areas: Areas) -> tuple[list, list]:
    rows, geoms = [], []
    for o in ctx.plan.targets["iot"]["other"]:
        known = o.get("county_adcodes") or []
        rows.append({
            "id": f"other-{o['id']}", "kind": "other", "year": o.get("year"), "text": o["text"],
            "adcodes": ",".join(known) or None,
            "park_id": ",".join(o.get("park_ids") or []) or None,
            "geometry_precision": "county_polygon" if known else "city_polygon",
            "geometry_note": "所涉区县多边形" if known else CITY_NOTE,
            **citation_fields([Citation.model_validate(c) for c in o["citations"]]),
        })
        geoms.append(areas.union(known) if known else areas.city)
    return rows, geoms


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return the city-wide IoT figures, the deployment areas per tier, then other goals."""
    areas = Areas(ctx)
    rows, geoms = [], []
    for part_rows, part_geoms in (_target_rows(ctx, areas), _tier_rows(ctx, _Placer(ctx, areas)),
                                  _other_rows(ctx, areas)):
        rows += part_rows
        geoms += part_geoms
    gdf = frame(rows, geoms)
    for col in SCHEMA.names:
        if col not in gdf.columns:
            gdf[col] = None
    return gdf


LAYER = Layer(
    name="iot_zones",
    title="物联网部署梯次与目标",
    description="The plan's three IoT deployment tiers (schematic where no boundary exists), "
    "mobile IoT terminal targets and agricultural IoT bases.",
    schema=SCHEMA,
    depends_on=("functional_zones", "parks"),
    inputs=("boundaries/jiangxi_counties.geojson", "boundaries/jiangxi_prefectures.geojson",
            "plan/targets.yaml", "plan/parks.yaml", "plan/functional_zones.yaml"),
    steps=("tier 1 places as schematic circles", "tiers 2-3 as county polygons",
           "city-wide figures on the 赣州市 polygon"),
    build=build,
)
