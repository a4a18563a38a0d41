"""规划指标: every numeric figure of the five seeds, one row each, drawn on its scope.

A figure is a baseline, target or actual value of one indicator in one year, for the
province, a prefecture city, a county or a park; it is drawn on the polygon of that scope
(the province, the city, the county, or for a park the county the seed places it in), never
on a point. ``value`` is in ``unit`` as the seed states it; ``value_as_stated`` and
``comparator`` keep the seed's wording (约 / 超过 / 以上 / ranges). Source:
``data/plan/targets_all.yaml`` (scripts/transcribe_figures.py), each row cited with a quote
that contains the number. ``datetime`` selects on ``year``.
"""

from __future__ import annotations

import geopandas as gpd

from geo.catalog import BuildContext
from geo.citations import Citation
from geo.layers.common import CITATION_COLUMNS, POLYGONS, citation_fields
from geo.layers.scopes import PRECISION, Scopes
from geo.schema import Column, Layer, LayerSchema, frame

GEOMETRY_NOTES = {
    "province": "江西省全省范围",
    "city": "设区市全市范围（规划未分解到区县）",
    "county": "县级行政区范围",
    "park": "园区所在县级行政区范围（园区位置和边界未给出）",
}

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False, queryable=True),
        Column("group", "string", "指标组代码", nullable=False, queryable=True),
        Column("group_zh", "string", "指标组", nullable=False),
        Column("indicator", "string", "指标", nullable=False, queryable=True),
        Column("unit", "string", "单位", "as the seed states it (万个, 亿元, % ...)"),
        Column("value", "float", "数值", "in ``unit``", nullable=False),
        Column("value_as_stated", "string", "原文数值", nullable=False),
        Column("comparator", "string", "数值关系", "= / > / >= / < / <= / ≈ / range / increase",
               nullable=False),
        Column("year", "int", "年份", nullable=False, queryable=True),
        Column("kind", "string", "性质", "baseline / target / actual", nullable=False,
               queryable=True),
        Column("property", "string", "指标属性", "预期性 / 约束性"),
        Column("scope", "string", "范围", "province / city / county / park", nullable=False,
               queryable=True),
        Column("scope_name", "string", "范围名称", nullable=False, queryable=True),
        Column("adcode", "string", "行政区划代码", nullable=False, queryable=True),
        Column("park_id", "string", "园区编号"),
        Column("source_kind", "string", "出处类型", "指标表 / 测算表 / 正文 / 专栏"),
        Column("note", "string", "说明"),
        Column("geometry_precision", "string", "图形精度",
               "province_polygon / city_polygon / county_polygon", nullable=False,
               queryable=True),
        Column("geometry_note", "string", "图形说明", nullable=False),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
    temporal="year",  # the plan year a figure is for: ``datetime`` selects on it
)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return every figure of ``targets_all.yaml`` on the polygon of its scope."""
    scopes = Scopes(ctx)
    rows, geoms = [], []
    for f in ctx.plan.raw("targets_all")["figures"]:
        level = scopes.level_of(f["adcode"])
        cites = [Citation.model_validate(c) for c in f["citations"]]
        rows.append({
            **{k: f.get(k) for k in SCHEMA.names if k in f},
            "geometry_precision": PRECISION[level],
            "geometry_note": GEOMETRY_NOTES["park" if f["scope"] == "park" else level],
            **citation_fields(cites),
        })
        geoms.append(scopes.polygon(f["adcode"]))
    return frame(rows, geoms)


LAYER = Layer(
    name="targets",
    title="规划指标与数值",
    description="Every numeric figure of the five seeds (baselines, targets, actuals of Ganzhou "
    "and Jiangxi) as one row each, drawn on the polygon of its scope, each cited.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "boundaries/jiangxi_prefectures.geojson",
            "boundaries/jiangxi_province.geojson", "plan/targets_all.yaml"),
    steps=("one row per figure of targets_all.yaml",
           "drawn on the province, city or county polygon of its scope (a park: its county)"),
    build=build,
)
