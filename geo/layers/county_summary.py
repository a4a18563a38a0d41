"""区县汇总: one row per Ganzhou county with its plan attributes and counts per layer.

This is the table planners and operators ask for first ("what does the plan say about my
county, and how much of it is there?"), so it repeats the key attributes of ``counties`` and
adds how many features of every other layer name the county.
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd

from geo.catalog import BuildContext
from geo.layers.common import POLYGONS
from geo.schema import Column, Layer, LayerSchema

KEPT = ("adcode", "name", "kind", "layout_unit", "fiveg_tier", "iot_tiers", "core_industries",
        "table2_role", "seat_lon", "seat_lat", "area_km2", "cite")

SCHEMA = LayerSchema(
    columns=(
        Column("adcode", "string", "行政区划代码", nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("kind", "string", "类型"),
        Column("layout_unit", "string", "空间布局单元", queryable=True),
        Column("fiveg_tier", "string", "5G覆盖梯次", queryable=True),
        Column("iot_tiers", "string", "物联网部署梯次"),
        Column("core_industries", "string", "核心产业"),
        Column("table2_role", "string", "发展重点(表2)"),
        Column("seat_lon", "float", "驻地经度"),
        Column("seat_lat", "float", "驻地纬度"),
        Column("area_km2", "float", "面积(平方公里)"),
        Column("parks_placed", "int", "园区数(点位在本区县)", nullable=False),
        Column("parks_mentioned", "int", "园区数(涉及本区县，含多区县/候选)", nullable=False),
        Column("parks_by_type", "string", "园区类型构成"),
        Column("fiveg_target_rows", "int", "5G目标图层要素数", nullable=False),
        Column("iot_zone_rows", "int", "物联网图层要素数", nullable=False),
        Column("cite", "string", "出处", nullable=False),
    ),
    id_column="adcode",
    geometry_types=POLYGONS,
)


def _mentions(values, adcode: str) -> int:
    return int(sum(isinstance(v, str) and adcode in v.split(",") for v in values))


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Summarise every county across the plan layers."""
    counties = ctx.result("counties").gdf
    parks = ctx.result("parks").gdf
    fiveg = ctx.result("fiveg_targets").gdf
    iot = ctx.result("iot_zones").gdf
    gdf = counties[[*KEPT, "geometry"]].copy()
    placed = parks[parks["county_adcode"].notna()]
    gdf["parks_placed"] = [int((placed["county_adcode"] == a).sum()) for a in gdf["adcode"]]
    gdf["parks_mentioned"] = [_mentions(parks["county_adcodes"], a) for a in gdf["adcode"]]
    gdf["parks_by_type"] = [
        "、".join(f"{t}{n}" for t, n in Counter(placed.loc[placed["county_adcode"] == a,
                                                          "type_zh"]).most_common()) or None
        for a in gdf["adcode"]
    ]
    gdf["fiveg_target_rows"] = [_mentions(fiveg["adcodes"], a) for a in gdf["adcode"]]
    gdf["iot_zone_rows"] = [_mentions(iot["adcodes"], a) for a in gdf["adcode"]]
    return gdf


LAYER = Layer(
    name="county_summary",
    title="区县汇总",
    description="One row per Ganzhou county: plan attributes and counts from every layer.",
    schema=SCHEMA,
    depends_on=("counties", "parks", "fiveg_targets", "iot_zones"),
    inputs=("boundaries/jiangxi_counties.geojson", "plan/counties.yaml", "plan/parks.yaml",
            "plan/targets.yaml"),
    steps=("take counties", "count parks, 5G target and IoT rows naming each county"),
    build=build,
)
