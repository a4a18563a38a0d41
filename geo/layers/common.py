"""Column definitions and helpers shared by several layer modules."""

from __future__ import annotations

import orjson

from geo.citations import Citation, refs
from geo.schema import Column

ADMIN_COLUMNS: tuple[Column, ...] = (
    Column("adcode", "string", "行政区划代码", "GB/T 2260 six-digit code", nullable=False,
           queryable=True),
    Column("name", "string", "名称", nullable=False, queryable=True),
    Column("level", "string", "级别", "province / prefecture / county", nullable=False),
    Column("parent_adcode", "string", "上级代码", queryable=True),
    Column("seat_lon", "float", "驻地经度", "seat of government, WGS84"),
    Column("seat_lat", "float", "驻地纬度", "seat of government, WGS84"),
    Column("seat_source", "string", "驻地来源"),
    Column("area_km2", "float", "面积(平方公里)", "computed in EPSG:4547"),
)

CITATION_COLUMNS: tuple[Column, ...] = (
    Column("cite", "string", "出处", "seed file prefix and lines, e.g. 000:554", nullable=False),
    Column("citations", "string", "出处原文(JSON)",
           "JSON list of {src, lines, quote, field}: verbatim seed quotes", nullable=False),
)

POLYGONS = frozenset({"Polygon", "MultiPolygon"})
POINTS = frozenset({"Point"})


def citation_fields(citations: list[Citation]) -> dict[str, str]:
    """Return the ``cite`` and ``citations`` values for a row."""
    return {
        "cite": refs(citations),
        "citations": orjson.dumps(
            [c.model_dump(exclude_none=True) for c in citations]
        ).decode(),
    }


def joined(values: list[str] | None) -> str | None:
    """Join a list of Chinese terms with the enumeration comma, None when empty."""
    return "、".join(values) if values else None


class Areas:
    """Polygons that target and zone rows are drawn on: city, province, county unions."""

    def __init__(self, ctx) -> None:
        from geo.boundaries import ganzhou_counties, read_level

        self.counties = ganzhou_counties(ctx.settings).set_index("adcode").geometry
        prefectures = read_level(ctx.settings, "prefecture").set_index("adcode").geometry
        self.city = prefectures["360700"]
        self.province = read_level(ctx.settings, "province").geometry.iloc[0]

    def union(self, adcodes: list[str]):
        """Dissolve the polygons of the given Ganzhou counties (exact shared borders)."""
        import shapely

        return shapely.union_all(self.counties.loc[adcodes].values)
