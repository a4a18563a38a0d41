"""Read the shipped boundary files and check the invariants the rest of the project assumes.

The files in ``data/boundaries/`` are produced once by ``scripts/extract_boundaries.py``; at
run time they are only read. ``check`` is what ``ganzhou-atlas data check`` runs: checksums
against the data README, geometry validity, exact county coverage, unions equal to the
parent polygons, the official code list and Ganzhou's area.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo.admin import GANZHOU_ADCODE, GANZHOU_COUNTIES, JIANGXI_PREFECTURES
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.settings import AtlasSettings

FILES = {
    "province": "jiangxi_province.geojson",
    "prefecture": "jiangxi_prefectures.geojson",
    "county": "jiangxi_counties.geojson",
}
GANZHOU_AREA_KM2 = 39_377.0  # expected area; tolerance 0.1 %
_SHA_LINE = re.compile(r"`(?P<name>[\w.]+\.geojson)`.*?`(?P<sha>[0-9a-f]{64})`")


def boundary_path(settings: AtlasSettings, level: str) -> Path:
    """Path of the shipped file for ``level`` (province, prefecture or county)."""
    return settings.boundaries_dir / FILES[level]


@lru_cache(maxsize=8)
def _read(path: Path, mtime_ns: int) -> gpd.GeoDataFrame:
    gdf = pyogrio.read_dataframe(path)
    return gdf.set_crs(STORAGE_CRS, allow_override=True)


def read_level(settings: AtlasSettings, level: str) -> gpd.GeoDataFrame:
    """Return a copy of the boundary frame for ``level`` (cached per file version)."""
    path = boundary_path(settings, level)
    return _read(path, path.stat().st_mtime_ns).copy()


def ganzhou_counties(settings: AtlasSettings) -> gpd.GeoDataFrame:
    """The 18 county-level units of 赣州市, ordered by adcode."""
    gdf = read_level(settings, "county")
    gdf = gdf[gdf["parent_adcode"] == GANZHOU_ADCODE]
    return gdf.sort_values("adcode").reset_index(drop=True)


def documented_checksums(settings: AtlasSettings) -> dict[str, str]:
    """Parse ``file -> sha256`` from the data README's table."""
    text = (settings.boundaries_dir / "README.md").read_text("utf-8")
    return {m["name"]: m["sha"] for m in _SHA_LINE.finditer(text)}


def check(settings: AtlasSettings) -> list[str]:
    """Return every broken invariant of the shipped boundaries (empty list when all hold)."""
    problems = _checksum_problems(settings)
    if problems:
        return problems  # the files are not the documented ones: the rest would mislead
    levels = {lvl: read_level(settings, lvl) for lvl in FILES}
    for lvl, gdf in levels.items():
        if not gdf.geometry.is_valid.all():
            problems.append(f"{lvl}: invalid geometries")
    problems += _code_problems(levels)
    problems += _coverage_problems(levels)
    return problems


def _checksum_problems(settings: AtlasSettings) -> list[str]:
    documented = documented_checksums(settings)
    problems = []
    for name in FILES.values():
        path = settings.boundaries_dir / name
        if name not in documented:
            problems.append(f"{name}: no sha256 in data/boundaries/README.md")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != documented[name]:
            problems.append(f"{name}: sha256 differs from data/boundaries/README.md")
    return problems


def _code_problems(levels: dict[str, gpd.GeoDataFrame]) -> list[str]:
    problems = []
    counties = levels["county"]
    gz = counties[counties["parent_adcode"] == GANZHOU_ADCODE]
    if dict(zip(gz["adcode"], gz["name"], strict=True)) != GANZHOU_COUNTIES:
        problems.append("Ganzhou counties differ from the official GB/T 2260 list")
    pref = levels["prefecture"]
    if dict(zip(pref["adcode"], pref["name"], strict=True)) != JIANGXI_PREFECTURES:
        problems.append("Jiangxi prefectures differ from the official list")
    if len(counties) != 100:
        problems.append(f"expected 100 Jiangxi county-level units, found {len(counties)}")
    return problems


def _coverage_problems(levels: dict[str, gpd.GeoDataFrame]) -> list[str]:
    problems = []
    counties, prefectures = levels["county"], levels["prefecture"]
    if not shapely.coverage_is_valid(np.asarray(counties.geometry.values)):
        problems.append("county polygons overlap or leave gaps between neighbours")
    for adcode, parent in zip(prefectures["adcode"], prefectures.geometry, strict=True):
        members = counties[counties["parent_adcode"] == adcode].geometry
        if not shapely.union_all(members.values).equals(parent):
            problems.append(f"union of the counties of {adcode} differs from its polygon")
    province = levels["province"].geometry.iloc[0]
    if not shapely.union_all(prefectures.geometry.values).equals(province):
        problems.append("union of the prefectures differs from the province polygon")
    gz = prefectures[prefectures["adcode"] == GANZHOU_ADCODE].to_crs(METRIC_CRS)
    area = float(gz.area.sum()) / 1e6
    if abs(area - GANZHOU_AREA_KM2) > GANZHOU_AREA_KM2 * 0.001:
        problems.append(f"Ganzhou area {area:.1f} km2 is not 39,377 km2 +- 0.1 %")
    return problems
