"""国家与省级称号、试点和具名企业: what the seeds designate, and where (only if they say).

Each row is a designation (示范城市, 试点, 科创城, 数字乡村试点, 新型智慧城市 ...) or a named
enterprise with the place the seed gives it. The place is drawn as its whole administrative
polygon (province, prefecture city or county); a designation whose seed names no place, or a
place outside Jiangxi, is a row without geometry (``geometry_precision = none``).
``location_note`` says in Chinese what the drawing means. Source:
``data/plan/designations.yaml`` (scripts/transcribe_places.py).

``hubs`` (network hubs, data-centre siting) is built by the same code from its own section.
"""

from __future__ import annotations

import geopandas as gpd

from geo.catalog import BuildContext
from geo.citations import Citation
from geo.layers.common import CITATION_COLUMNS, POLYGONS, citation_fields
from geo.layers.scopes import PRECISION, Scopes
from geo.schema import Column, Layer, LayerSchema, frame

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("kind", "string", "类别", nullable=False, queryable=True),
        Column("level", "string", "级别", "国家级 / 省级 ..."),
        Column("status", "string", "状态"),
        Column("place_name", "string", "地点（原文）", queryable=True),
        Column("holder", "string", "承载主体（原文）"),
        Column("place_level", "string", "地点层级", "province / city / county / none",
               nullable=False, queryable=True),
        Column("adcode", "string", "行政区划代码", queryable=True),
        Column("place_basis", "string", "地点依据", "stated / implied / not_stated",
               nullable=False),
        Column("geometry_precision", "string", "图形精度",
               "province_polygon / city_polygon / county_polygon / none", nullable=False,
               queryable=True),
        Column("location_note", "string", "位置说明", nullable=False),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
    geometry_required=False,
)


def rows_of(ctx: BuildContext, section: str) -> gpd.GeoDataFrame:
    """Rows of one section of ``designations.yaml`` on their place polygons."""
    scopes = Scopes(ctx)
    rows, geoms = [], []
    for r in ctx.plan.raw("designations")[section]:
        cites = [Citation.model_validate(c) for c in r["citations"]]
        rows.append({
            **{k: r.get(k) for k in SCHEMA.names if k in r},
            "geometry_precision": PRECISION[r["place_level"]],
            **citation_fields(cites),
        })
        geoms.append(scopes.polygon(r["adcode"]))
    return frame(rows, geoms)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return every designation and named enterprise of the seeds."""
    return rows_of(ctx, "designations")


LAYER = Layer(
    name="designations",
    title="称号、试点与具名企业",
    description="National and provincial designations, pilots, 科创城, digital-village pilots, "
    "新型智慧城市 and named enterprises, on the polygon of the place the seed names (else none).",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "boundaries/jiangxi_prefectures.geojson",
            "boundaries/jiangxi_province.geojson", "plan/designations.yaml"),
    steps=("one row per designation of designations.yaml",
           "drawn on the named province, city or county polygon; no place named -> no geometry"),
    build=build,
)
