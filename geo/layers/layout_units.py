"""一谷一带三片区: the five layout units as dissolved polygons of their member counties.

赣南数谷's members include two management zones with no published boundary (赣州经开区,
赣州蓉江新区); its polygon is only 章贡区, and ``representation`` says how each member is
shown (the zones are schematic points in the ``functional_zones`` layer).
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.boundaries import ganzhou_counties
from geo.catalog import BuildContext
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.layers.common import CITATION_COLUMNS, POLYGONS, citation_fields, joined
from geo.schema import Column, Layer, LayerSchema, frame

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "代码", nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("name_variants", "string", "别称"),
        Column("kind", "string", "类型", "一谷 / 一带 / 片区", queryable=True),
        Column("theme", "string", "主题"),
        Column("description", "string", "规划表述"),
        Column("member_counties", "string", "成员区县"),
        Column("member_adcodes", "string", "成员代码"),
        Column("member_functional_zones", "string", "成员功能区"),
        Column("representation", "string", "表示方式",
               "how each member is drawn: county polygon or schematic point"),
        Column("area_km2", "float", "面积(平方公里)", "of the drawn county polygons, EPSG:4547"),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Dissolve member county polygons per layout unit."""
    counties = ganzhou_counties(ctx.settings).set_index("adcode")
    rows, geoms = [], []
    for unit in ctx.plan.layout_units:
        members = counties.loc[unit.member_counties]
        geom = shapely.union_all(members.geometry.values)
        names = list(members["name"])
        representation = "区县多边形: " + "、".join(names)
        if unit.member_functional_zones:
            representation += "；无公布边界、以示意点表示(见功能区图层): " + "、".join(
                unit.member_functional_zones
            )
        rows.append({
            "id": unit.id,
            "name": unit.name,
            "name_variants": joined(unit.name_variants),
            "kind": unit.kind,
            "theme": unit.theme,
            "description": unit.description,
            "member_counties": joined(names),
            "member_adcodes": ",".join(unit.member_counties),
            "member_functional_zones": joined(unit.member_functional_zones),
            "representation": representation,
            **citation_fields(unit.citations),
        })
        geoms.append(geom)
    gdf = frame(rows, geoms, STORAGE_CRS)
    gdf["area_km2"] = (gdf.to_crs(METRIC_CRS).area / 1e6).round(3)
    return gdf


LAYER = Layer(
    name="layout_units",
    title="一谷一带三片区",
    description="The five units of Ganzhou's 一谷一带三片区 layout, dissolved from counties.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "plan/layout_units.yaml"),
    steps=("dissolve member county polygons (shared borders stay exact)",),
    build=build,
)
