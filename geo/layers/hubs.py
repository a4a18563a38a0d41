"""网络枢纽与数据中心布局: 骨干直联点, 国际互联网数据专用通道, data-centre siting, 灾备中心.

Drawn like ``designations`` (same schema and code): on the polygon of the city or county the
seed names, or without geometry where it names none (大南昌都市圈, the 韶关 cluster in
Guangdong, unnamed cities).
"""

from __future__ import annotations

import geopandas as gpd

from geo.catalog import BuildContext
from geo.layers.designations import SCHEMA, rows_of
from geo.schema import Layer


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return every network hub and data-centre siting row of the seeds."""
    return rows_of(ctx, "hubs")


LAYER = Layer(
    name="hubs",
    title="网络枢纽与数据中心布局",
    description="Internet exchange points, international data channels, data-centre siting "
    "(一核四副 cities, 东数西算 / 韶关 link, 灾备中心) on the polygon of the named place.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "boundaries/jiangxi_prefectures.geojson",
            "boundaries/jiangxi_province.geojson", "plan/designations.yaml"),
    steps=("one row per hub of designations.yaml",
           "drawn on the named city or county polygon; no place named -> no geometry"),
    build=build,
)
