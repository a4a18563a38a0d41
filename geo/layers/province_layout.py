"""江西省数字经济布局: Jiangxi's province-level layouts joined to the prefecture polygons.

One row per (layout, member city) with the city's role, cited by the sentence about that city
(``members[].citations``; the layout's own citations only where a member has none); places in
a layout that are not
prefecture cities (赣江新区, development zones) and layouts the seeds name without places
are kept as rows without geometry, flagged in ``location_precision``.
"""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import read_level
from geo.catalog import BuildContext
from geo.citations import Citation
from geo.layers.common import CITATION_COLUMNS, POLYGONS, citation_fields
from geo.schema import Column, Layer, LayerSchema, frame

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "编号", nullable=False),
        Column("layout_id", "string", "布局代码", nullable=False, queryable=True),
        Column("layout_name", "string", "布局名称", nullable=False, queryable=True),
        Column("source_doc", "string", "出处文件", queryable=True),
        Column("kind", "string", "类型"),
        Column("adcode", "string", "设区市代码", queryable=True),
        Column("place_name", "string", "地区", nullable=False, queryable=True),
        Column("role", "string", "角色"),
        Column("text", "string", "规划表述"),
        Column("location_precision", "string", "位置精度",
               "prefecture_polygon / not_a_prefecture / named_only", nullable=False),
        Column("notes", "string", "备注"),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POLYGONS,
    geometry_required=False,
)


def _row(layout: dict, place: str, cites: list[dict] | None = None, **values) -> dict:
    citations = [Citation.model_validate(c) for c in cites or layout["citations"]]
    return {
        "layout_id": layout["id"],
        "layout_name": layout["name"],
        "source_doc": layout.get("source_doc"),
        "kind": layout.get("kind"),
        "place_name": place,
        "notes": layout.get("notes"),
        **values,
        **citation_fields(citations),
    }


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Expand every layout into rows per member city (or place)."""
    polygons = read_level(ctx.settings, "prefecture").set_index("adcode").geometry
    rows, geoms = [], []
    for layout in ctx.plan.province["layouts"]:
        members = layout.get("members") or []
        others = layout.get("places_not_cities") or []
        for i, m in enumerate(members):
            rows.append(_row(layout, m["name"], m.get("citations"),
                             id=f"{layout['id']}-{m['adcode']}-{i}",
                             adcode=m["adcode"], role=m.get("role"), text=m.get("text"),
                             location_precision="prefecture_polygon"))
            geoms.append(polygons[m["adcode"]])
        for i, p in enumerate(others):
            rows.append(_row(layout, p["name"], id=f"{layout['id']}-x{i}", adcode=None,
                             role=p.get("role"), text=p.get("text"),
                             location_precision="not_a_prefecture"))
            geoms.append(None)
        if not members and not others:
            rows.append(_row(layout, "江西省", id=f"{layout['id']}-named", adcode=None, role=None,
                             text=None, location_precision="named_only"))
            geoms.append(None)
    return frame(rows, geoms)


LAYER = Layer(
    name="province_layout",
    title="江西省数字经济空间布局",
    description="Jiangxi's province-level digital-economy layouts (一核三基地, 承接转移示范区, "
    "特色产业集聚区, 一核四副 data centres, 京九电子信息产业带 ...) by prefecture city.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_prefectures.geojson", "plan/province.yaml"),
    steps=("one row per layout member, joined to the prefecture polygon",
           "non-city places and unnamed layouts kept without geometry"),
    build=build,
)
