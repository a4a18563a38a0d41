"""5G目标: the plan's 5G base-station targets, coverage tiers and coverage goals.

City figures (6,122 in 2020, 15,000 by 2023, 20,000 by 2025) are drawn on the 赣州市
polygon, tiers on the dissolved polygons of the counties they name, province figures on the
Jiangxi polygon. The tier lists end with 等, so counties in neither list form a third row,
未点名 ("not named"), which is not the same as "not covered".

Per-county allocation of the city targets belongs to the telecom work: ``allocated`` and
``allocation_method`` are the room left for it (false / empty for every plan figure here).
"""

from __future__ import annotations

import geopandas as gpd

from geo.catalog import BuildContext
from geo.citations import Citation
from geo.layers.common import CITATION_COLUMNS, POLYGONS, Areas, citation_fields
from geo.plan import FIVEG_TIER_NOT_NAMED
from geo.schema import Column, Layer, LayerSchema, frame

INDICATOR = "5G基站开通数"
MINE_NOTE = "矿区所在区县多边形(矿区具体位置未给出)"
MINE_UNKNOWN_NOTE = "规划未给出矿区所在区县：以全市范围表示"
NOT_NAMED_TEXT = "两份梯次名单均以“等”结尾，以下区县未被点名；未点名不等于不覆盖"

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False),
        Column("scope", "string", "范围",
               "city / tier / coverage_goal / named_mine / city_other / province",
               nullable=False, queryable=True),
        Column("indicator", "string", "指标"),
        Column("tier", "string", "覆盖梯次", queryable=True),
        Column("year", "int", "年份", queryable=True),
        Column("value", "float", "数值"),
        Column("unit", "string", "单位"),
        Column("kind", "string", "性质", "baseline / target / goal"),
        Column("property", "string", "指标属性", "预期性 / 约束性"),
        Column("text", "string", "规划表述"),
        Column("note", "string", "说明"),
        Column("adcodes", "string", "涉及区县代码"),
        Column("list_is_open", "bool", "名单是否以“等”结尾"),
        Column("allocated", "bool", "是否为分配值", "false: plan figure, not an allocation",
               nullable=False),
        Column("allocation_method", "string", "分配方法"),
        Column("geometry_note", "string", "图形说明", nullable=False),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
    temporal="year",  # the plan year a target is for: ``datetime`` selects on it
)


def _cites(raw: list[dict]) -> list[Citation]:
    return [Citation.model_validate(c) for c in raw]


def _row(id_: str, scope: str, raw: dict, geometry_note: str, **values) -> dict:
    base = {
        "id": id_, "scope": scope, "indicator": None, "tier": None, "year": raw.get("year"),
        "value": raw.get("value"), "unit": raw.get("unit"), "kind": raw.get("kind"),
        "property": raw.get("property"), "text": raw.get("text") or raw.get("goal"),
        "note": raw.get("note"), "adcodes": ",".join(raw.get("county_adcodes") or []) or None,
        "list_is_open": raw.get("list_is_open"), "allocated": False, "allocation_method": None,
        "geometry_note": geometry_note,
    }
    return {**base, **values, **citation_fields(_cites(raw["citations"]))}


def _tier_rows(ctx: BuildContext, areas: Areas, tiers: list[dict]) -> tuple[list, list]:
    rows, geoms = [], []
    for t in tiers:
        rows.append(_row(f"tier-{t['tier']}", "tier", t, "所点名区县的行政区多边形合并",
                         indicator="5G覆盖梯次", tier=t["tier"]))
        geoms.append(areas.union(t["county_adcodes"]))
    not_named = [a for a, c in ctx.plan.counties.items() if c.fiveg_tier == FIVEG_TIER_NOT_NAMED]
    raw = {"county_adcodes": not_named, "text": NOT_NAMED_TEXT, "list_is_open": False,
           "citations": [c for t in tiers for c in t["citations"]]}
    rows.append(_row(f"tier-{FIVEG_TIER_NOT_NAMED}", "tier", raw, "未点名区县的行政区多边形合并",
                     indicator="5G覆盖梯次", tier=FIVEG_TIER_NOT_NAMED))
    geoms.append(areas.union(not_named))
    return rows, geoms


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return every 5G figure and tier of the plans as polygon rows."""
    areas = Areas(ctx)
    fiveg = ctx.plan.targets["fiveg"]
    city_note = "赣州市全市范围(规划未分解到区县)"
    rows = [_row(f"city-{r['year']}", "city", r, city_note, indicator=INDICATOR)
            for r in fiveg["city"]]
    geoms = [areas.city] * len(rows)
    tier_rows, tier_geoms = _tier_rows(ctx, areas, fiveg["coverage_tiers"])
    rows += tier_rows
    geoms += tier_geoms
    for g in fiveg["coverage_goals"]:
        rows.append(_row(f"goal-{g['id']}", "coverage_goal", g, city_note))
        geoms.append(areas.city)
    for m in fiveg["named_mines"]:
        known = m.get("county_adcodes") or []
        note = MINE_NOTE if known else MINE_UNKNOWN_NOTE
        rows.append(_row(f"mine-{m['park_id']}", "named_mine", {**m, "text": m["name"]}, note,
                         indicator="矿区5G覆盖"))
        geoms.append(areas.union(known) if known else areas.city)
    for o in fiveg["other"]:
        known = o.get("county_adcodes") or []
        rows.append(_row(f"other-{o['id']}", "city_other", o,
                         "所涉区县多边形" if known else city_note))
        geoms.append(areas.union(known) if known else areas.city)
    for p in ctx.plan.targets["province"]["fiveg"]:
        rows.append(_row(p["id"], "province", p, "江西省全省范围"))
        geoms.append(areas.province)
    return frame(rows, geoms)


LAYER = Layer(
    name="fiveg_targets",
    title="5G建设目标与覆盖梯次",
    description="Ganzhou's 5G base-station baseline and targets, coverage tiers (incl. 未点名), "
    "coverage goals, named mines and Jiangxi's 5G figures.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_counties.geojson", "boundaries/jiangxi_prefectures.geojson",
            "boundaries/jiangxi_province.geojson", "plan/targets.yaml", "plan/counties.yaml"),
    steps=("city and goal rows on the 赣州市 polygon", "tiers on dissolved county polygons",
           "province rows on the Jiangxi polygon"),
    build=build,
)
