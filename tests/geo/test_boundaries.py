import numpy as np
import shapely

from geo import boundaries
from geo.admin import GANZHOU_COUNTIES, JIANGXI_PREFECTURES
from geo.crs import METRIC_CRS


def test_shipped_boundaries_pass_every_invariant(settings):
    assert boundaries.check(settings) == []


def test_ganzhou_has_exactly_the_official_18_codes_and_names(settings):
    gz = boundaries.ganzhou_counties(settings)
    assert dict(zip(gz["adcode"], gz["name"], strict=True)) == GANZHOU_COUNTIES
    assert gz["adcode"].map(type).eq(str).all()


def test_counties_form_an_exact_coverage_equal_to_the_city(settings):
    gz = boundaries.ganzhou_counties(settings)
    assert gz.geometry.is_valid.all()
    assert shapely.coverage_is_valid(np.asarray(gz.geometry.values))
    city = boundaries.read_level(settings, "prefecture").set_index("adcode").geometry["360700"]
    union = shapely.union_all(gz.geometry.values)
    assert shapely.symmetric_difference(union, city).area == 0


def test_no_overlap_between_neighbours(settings):
    gz = boundaries.ganzhou_counties(settings)
    geoms = list(gz.geometry)
    overlap = sum(
        geoms[i].intersection(geoms[j]).area
        for i in range(len(geoms)) for j in range(i + 1, len(geoms))
    )
    assert overlap == 0


def test_ganzhou_area_is_39377_km2_within_0_1_percent(settings):
    gz = boundaries.ganzhou_counties(settings)
    area = gz.to_crs(METRIC_CRS).area.sum() / 1e6
    assert abs(area - 39_377) <= 39.377
    assert abs(gz["area_km2"].sum() - area) < 0.01


def test_jiangxi_has_11_cities_and_100_counties(settings):
    pref = boundaries.read_level(settings, "prefecture")
    assert dict(zip(pref["adcode"], pref["name"], strict=True)) == JIANGXI_PREFECTURES
    assert len(boundaries.read_level(settings, "county")) == 100


def test_every_seat_lies_inside_its_own_polygon(settings):
    for level in ("prefecture", "county"):
        gdf = boundaries.read_level(settings, level)
        seats = shapely.points(gdf["seat_lon"], gdf["seat_lat"])
        assert shapely.contains(np.asarray(gdf.geometry.values), seats).all(), level


def test_coordinates_have_at_most_six_decimals(settings):
    coords = shapely.get_coordinates(boundaries.ganzhou_counties(settings).geometry.values)
    assert np.allclose(coords, np.round(coords, 6), atol=1e-12, rtol=0)


def test_checksum_mismatch_is_reported(settings, tmp_path):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(settings.boundaries_dir, copy / "boundaries")
    with open(copy / "boundaries" / "jiangxi_counties.geojson", "a", encoding="utf-8") as f:
        f.write(" ")
    tampered = settings.model_copy(update={"shipped_data_dir": copy})
    problems = boundaries.check(tampered)
    assert problems == ["jiangxi_counties.geojson: sha256 differs from data/boundaries/README.md"]
