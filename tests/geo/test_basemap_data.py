"""The shipped offline basemap (data/basemap): counts, extents, checksums, schemas (no gmt)."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import shapely
from shapely.geometry import shape

from geo.checks import basemap_problems
from geo.settings import AtlasSettings
from geo.tiles.basemap import (
    BASEMAP_LAYERS,
    FILES,
    basemap_dir,
    basemap_results,
    checksum_problems,
    documented_checksums,
    expand,
)


def _fc(settings, name: str) -> dict:
    return json.loads((basemap_dir(settings) / name).read_text("utf-8"))


def _bounds(fc: dict) -> tuple[float, ...]:
    return shapely.GeometryCollection([shape(f["geometry"]) for f in fc["features"]]).bounds


def test_readme_documents_every_file_and_the_checksums_match(settings):
    assert set(documented_checksums(settings)) == set(FILES)
    assert checksum_problems(settings) == []
    for name, sha in documented_checksums(settings).items():
        data = (basemap_dir(settings) / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert f"| {len(data):,} |" in (basemap_dir(settings) / "README.md").read_text("utf-8")


def test_rivers_are_the_gshhg_classes_inside_the_extraction_box(settings):
    fc = _fc(settings, "rivers.geojson")
    levels = [f["properties"]["wdbii_level"] for f in fc["features"]]
    assert len(levels) == 19 and set(levels) == {2, 3, 4}
    w, s, e, n = _bounds(fc)
    assert 113.5 <= w and s >= 24.2 and e <= 117.0 and n <= 27.5
    assert w < 113.6 and e > 116.9  # clipped at the box, not short of it
    assert all(f["geometry"]["type"] == "LineString" for f in fc["features"])
    vertices = sum(len(f["geometry"]["coordinates"]) for f in fc["features"])
    assert vertices == 1232


def test_rivers_cross_ganzhou_city(settings):
    from geo.boundaries import ganzhou_counties

    city = shapely.union_all(ganzhou_counties(settings).geometry.values)
    rivers = [shape(f["geometry"]) for f in _fc(settings, "rivers.geojson")["features"]]
    inside = shapely.length(shapely.intersection(shapely.MultiLineString(rivers), city))
    assert inside > 5  # degrees of river length inside 赣州 (the 赣江 system)


def test_admin_lines_cover_jiangxi_once_per_level(settings):
    fc = _fc(settings, "admin_lines.geojson")
    assert [f["properties"]["level"] for f in fc["features"]] == [
        "province", "prefecture", "county"]
    province = shape(json.loads((settings.boundaries_dir / "jiangxi_province.geojson")
                                .read_text("utf-8"))["features"][0]["geometry"])
    lines = {f["properties"]["level"]: shape(f["geometry"]) for f in fc["features"]}
    # the province border follows Jiangxi's outline (simplified by about 20 m)
    assert lines["province"].hausdorff_distance(province.boundary) < 0.002
    assert abs(lines["province"].length - province.boundary.length) / province.length < 0.05
    for level in ("prefecture", "county"):
        assert province.buffer(1e-6).contains(lines[level])
        assert not lines[level].intersection(lines["province"]).length  # each edge once
    assert _bounds(fc) == pytest.approx(province.bounds, abs=1e-3)


def test_neighbouring_provinces_and_places(settings):
    fc = _fc(settings, "neighbour_provinces.geojson")
    assert {f["properties"]["name"] for f in fc["features"]} == {
        "湖南省", "湖北省", "安徽省", "浙江省", "福建省", "广东省"}
    w, s, e, n = _bounds(fc)
    assert w >= 112.0 and s >= 23.5 and e <= 120.0 and n <= 31.0
    places = _fc(settings, "places.geojson")["features"]
    levels = [p["properties"]["level"] for p in places]
    assert levels.count("prefecture") == 11 and levels.count("county") == 100
    names = {p["properties"]["name"] for p in places}
    assert {"赣州市", "章贡区", "于都县", "龙南市"} <= names


def test_every_basemap_layer_builds_to_its_schema(ctx):
    results = basemap_results(ctx)
    assert list(results) == list(BASEMAP_LAYERS)
    assert len(results["basemap_places"].gdf) == 111
    assert results["basemap_rivers"].provenance.sources[0].path == "basemap/rivers.geojson"


def test_the_basemap_set_expands_to_its_layers():
    assert expand(("basemap",)) == tuple(BASEMAP_LAYERS)
    assert expand(("counties", "basemap", "basemap_rivers"))[:2] == (
        "counties", "basemap_neighbours")


def test_data_check_reports_a_changed_basemap_file(tmp_path, settings):
    shipped = tmp_path / "shipped"
    shutil.copytree(settings.shipped_data_dir / "basemap", shipped / "basemap")
    (shipped / "basemap" / "rivers.geojson").write_text("{}", "utf-8")
    other = AtlasSettings(data_dir=tmp_path / "var", shipped_data_dir=shipped)
    assert checksum_problems(other) == [
        "rivers.geojson: sha256 differs from data/basemap/README.md"]


def test_data_check_includes_the_basemap(ctx):
    assert basemap_problems(ctx) == []
