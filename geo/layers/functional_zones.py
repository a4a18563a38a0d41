"""功能区: 赣州经开区, 赣州蓉江新区 and 赣州高新区 as schematic points.

These are management zones, not county-level divisions, and the seeds give neither their
boundaries nor the district(s) they lie in. Each is drawn as a point placed schematically in
the central city: at a fixed distance and bearing from the 赣州市 seat so the three do not
overlap. ``location_precision`` is ``schematic`` and ``location_note`` says so in Chinese.
"""

from __future__ import annotations

import math

import geopandas as gpd
from shapely.geometry import Point

from geo.admin import GANZHOU_ADCODE
from geo.boundaries import read_level
from geo.catalog import BuildContext
from geo.crs import lonlat_to_metric
from geo.layers.common import CITATION_COLUMNS, POINTS, citation_fields, joined
from geo.schema import Column, Layer, LayerSchema, frame

SCHEMATIC_DISTANCE_M = 4_000
SCHEMATIC_BEARINGS_DEG = {"gz_etdz": 270.0, "rongjiang": 210.0, "gz_hitech": 90.0}
SCHEMATIC_NOTE = (
    "示意位置：规划未给出该管理区的边界和所在区县，"
    "点位按固定方位置于赣州市驻地周边4公里，非实际位置"
)

SCHEMA = LayerSchema(
    columns=(
        Column("id", "string", "代码", nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("kind", "string", "类型"),
        Column("layout_unit", "string", "空间布局单元", queryable=True),
        Column("table2_role", "string", "发展重点(表2)"),
        Column("core_industries", "string", "核心产业"),
        Column("brand", "string", "品牌"),
        Column("fiveg_tier", "string", "5G覆盖梯次"),
        Column("iot_tiers", "string", "物联网部署梯次"),
        Column("location_precision", "string", "位置精度", "always schematic here",
               nullable=False, queryable=True),
        Column("location_note", "string", "位置说明", nullable=False),
        *CITATION_COLUMNS,
    ),
    id_column="id",
    geometry_types=POINTS,
)


def city_seat(ctx: BuildContext) -> tuple[float, float]:
    """Return the 赣州市 seat (lon, lat) from the prefecture boundary file."""
    pref = read_level(ctx.settings, "prefecture").set_index("adcode").loc[GANZHOU_ADCODE]
    return float(pref["seat_lon"]), float(pref["seat_lat"])


def _offset(lon: float, lat: float, bearing_deg: float, distance_m: float) -> Point:
    fwd = lonlat_to_metric()
    x, y = fwd.transform(lon, lat)
    rad = math.radians(bearing_deg)
    x, y = x + distance_m * math.sin(rad), y + distance_m * math.cos(rad)
    return Point(*fwd.transform(x, y, direction="INVERSE"))


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Place the three zones schematically around the city seat."""
    lon, lat = city_seat(ctx)
    rows, geoms = [], []
    for z in ctx.plan.functional_zones:
        rows.append({
            "id": z.id,
            "name": z.name,
            "kind": z.kind,
            "layout_unit": z.layout_unit,
            "table2_role": z.table2_role,
            "core_industries": joined(z.core_industries),
            "brand": z.brand,
            "fiveg_tier": z.fiveg_tier,
            "iot_tiers": ",".join(str(t) for t in sorted(z.iot_tiers)) or None,
            "location_precision": "schematic",
            "location_note": SCHEMATIC_NOTE,
            **citation_fields(z.citations),
        })
        geoms.append(_offset(lon, lat, SCHEMATIC_BEARINGS_DEG[z.id], SCHEMATIC_DISTANCE_M))
    return frame(rows, geoms)


LAYER = Layer(
    name="functional_zones",
    title="功能区(示意位置)",
    description="赣州经开区, 赣州蓉江新区, 赣州高新区: management zones without published "
    "boundaries, drawn as schematic points around the city seat.",
    schema=SCHEMA,
    inputs=("boundaries/jiangxi_prefectures.geojson", "plan/functional_zones.yaml"),
    steps=("place each zone 4 km from the 赣州市 seat at a fixed bearing (schematic)",),
    build=build,
)
