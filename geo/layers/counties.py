"""赣州市县级行政区: the 18 county polygons joined to their plan attributes.

The join is by adcode to ``data/plan/counties.yaml`` (表2 发展重点, layout unit, tiers).
``fiveg_tier`` keeps the plan's three states apart: a county named in the 全深度覆盖 list,
one named in the 主城区连续覆盖 list, and one not named in either (未点名) - the plan's lists
end with 等, so "not named" is not "no".

The plan's figures (``targets`` layer) that are a county's own join it: today those of the
parks placed in it (the seeds set no figure for a county as a whole); the city-wide figures
stay with the city (``prefectures``), never copied down to each county.
"""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import ganzhou_counties
from geo.catalog import BuildContext
from geo.layers.common import ADMIN_COLUMNS, CITATION_COLUMNS, POLYGONS, citation_fields, joined
from geo.plan import FIVEG_TIER_NOT_NAMED
from geo.schema import Column, Layer, LayerSchema

KIND_ZH = {"baseline": "基准", "actual": "实际", "target": "目标"}
TARGET_COLUMNS = (
    Column("targets_count", "int", "规划指标数", "figures of the targets layer that are this "
           "unit's own (its scope or a park placed in it)", nullable=False, queryable=True),
    Column("targets_summary", "string", "规划指标", "each figure: indicator, year, baseline / "
           "target, value as stated, citation; ；-separated"),
    Column("targets_cite", "string", "规划指标出处", "the figures' seed references"),
)


def target_fields(figures) -> dict:
    """``targets_*`` values of one unit from its rows of the ``targets`` layer (in order)."""
    items, cites = [], []
    for _, r in figures.iterrows():
        items.append(f"{r['indicator']}：{int(r['year'])}年{KIND_ZH.get(r['kind'], '')}"
                     f"{r['value_as_stated']}（{r['cite']}）")
        cites += [c.strip() for c in str(r["cite"]).split(";") if c.strip()]
    return {"targets_count": len(items), "targets_summary": "；".join(items) or None,
            "targets_cite": "; ".join(dict.fromkeys(cites)) or None}

SCHEMA = LayerSchema(
    columns=(
        *ADMIN_COLUMNS,
        Column("kind", "string", "类型", "区 / 县 / 县级市"),
        Column("layout_unit", "string", "空间布局单元", "一谷一带三片区 unit", nullable=False,
               queryable=True),
        Column("layout_unit_id", "string", "布局单元代码", nullable=False, queryable=True),
        Column("table2_role", "string", "发展重点(表2)", "verbatim 表2 text", nullable=False),
        Column("core_industries", "string", "核心产业"),
        Column("brand", "string", "品牌"),
        Column("fiveg_tier", "string", "5G覆盖梯次",
               "全深度覆盖 / 主城区连续覆盖 / 未点名 (not named in either list; not 'no')",
               nullable=False, queryable=True),
        Column("fiveg_tier_named", "bool", "5G梯次是否点名", nullable=False),
        Column("iot_tiers", "string", "物联网部署梯次", "1 优先 / 2 着重 / 3 逐步", queryable=True),
        Column("iot_tier_basis", "string", "物联网梯次依据", "stated / implied"),
        Column("thematic_roles", "string", "专栏定位"),
        Column("parks_count", "int", "园区数", "named parks placed in this county",
               nullable=False),
        *TARGET_COLUMNS,
        *CITATION_COLUMNS,
    ),
    id_column="adcode",
    geometry_types=POLYGONS,
)


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Join the county polygons to the plan's county attributes."""
    gdf = ganzhou_counties(ctx.settings)
    units = {u.name: u.id for u in ctx.plan.layout_units}
    parks = ctx.plan.parks
    targets = ctx.result("targets").gdf
    own = targets[targets["scope"].isin(("county", "park"))]
    rows = []
    for adcode in gdf["adcode"]:
        c = ctx.plan.counties[adcode]
        rows.append({
            "kind": c.kind,
            "layout_unit": c.layout_unit,
            "layout_unit_id": units[c.layout_unit],
            "table2_role": c.table2_role,
            "core_industries": joined(c.core_industries),
            "brand": c.brand,
            "fiveg_tier": c.fiveg_tier,
            "fiveg_tier_named": c.fiveg_tier != FIVEG_TIER_NOT_NAMED,
            "iot_tiers": ",".join(str(t) for t in sorted(c.iot_tiers)) or None,
            "iot_tier_basis": c.iot_tier_basis,
            "thematic_roles": "；".join(f"{r.source}: {r.role}" for r in c.thematic_roles) or None,
            "parks_count": sum(
                adcode in p.county_adcodes and p.county_scope in ("single", "multiple")
                for p in parks
            ),
            **target_fields(own[own["adcode"] == adcode]),
            **citation_fields(c.citations),
        })
    for key in rows[0]:
        gdf[key] = [r[key] for r in rows]
    return gdf


LAYER = Layer(
    name="counties",
    title="赣州市县级行政区",
    description="赣州市's 18 county-level units with 表2 roles, layout unit, 5G and IoT tiers.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "plan/counties.yaml", "plan/parks.yaml",
            "plan/layout_units.yaml", "plan/targets_all.yaml"),
    steps=("filter parent_adcode 360700", "join plan/counties.yaml by adcode",
           "count parks whose county is stated or implied",
           "join the figures of the targets layer of its parks (scope county or park)"),
    build=build,
    depends_on=("targets",),
)
