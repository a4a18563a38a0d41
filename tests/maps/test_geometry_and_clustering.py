"""Display geometry (coverage simplification, GCJ-02 shift) and the DBSCAN clustering."""

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point

from maps.clustering import ClusterParams, cluster_labels, summarise
from maps.geometry import (
    GANZHOU_TOLERANCE_DEG,
    display_point,
    for_display,
    polylabel_point,
    simplify_coverage,
)
from maps.layout import axis_segments


def test_simplified_counties_stay_a_valid_coverage_and_shrink(ctx):
    geoms = ctx.result("counties").gdf.geometry.values
    simple = simplify_coverage(geoms, GANZHOU_TOLERANCE_DEG)
    assert shapely.coverage_is_valid(simple)
    assert shapely.get_num_coordinates(simple).sum() < 0.6 * shapely.get_num_coordinates(
        geoms).sum()
    rounded = for_display(simple, gcj02=False)
    assert shapely.coverage_is_valid(rounded)


def test_display_point_is_lat_lon_and_rounded():
    lat, lon = display_point(114.9164691, 25.8210112, gcj02=False)
    assert (lat, lon) == (25.82101, 114.91647)


def test_polylabel_lies_inside_every_county(ctx):
    for geom in ctx.result("counties").gdf.geometry:
        assert geom.contains(polylabel_point(geom))


def _points(xy_km):
    to_lonlat = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)
    base_x, base_y = 500_000, 2_860_000
    pts = [Point(*to_lonlat.transform(base_x + x * 1000, base_y + y * 1000)) for x, y in xy_km]
    return gpd.GeoDataFrame({
        "id": [f"p{i}" for i in range(len(pts))], "type_zh": ["产业园区"] * len(pts),
        "industry_focus": ["信创、软件"] * len(pts), "county_name": ["章贡区"] * len(pts),
        "functional_zone": [None] * len(pts)}, geometry=pts, crs="EPSG:4326")


def test_dbscan_finds_groups_in_metres_and_leaves_noise():
    parks = _points([(0, 0), (0, 0), (1, 0), (0, 2), (60, 0), (61, 0), (60, 1), (60, 0),
                     (200, 200)])
    labels = cluster_labels(parks, ClusterParams(eps_m=5_000, min_samples=3))
    assert len(set(labels) - {-1}) == 2 and labels[-1] == -1
    clusters = summarise(parks, labels, ClusterParams(eps_m=5_000, min_samples=3))
    assert [c.count for c in clusters] == [4, 4]
    assert clusters[0].industries[0] == ("信创", 4) and clusters[0].places == ["章贡区"]
    for c in clusters:
        members = parks[parks["id"].isin(c.park_ids)]
        assert all(c.hull.contains(p) for p in members.geometry)


def test_cluster_parameters_are_printed_in_chinese():
    text = ClusterParams(eps_m=15_000, min_samples=4).describe()
    assert "EPSG:4547" in text and "15公里" in text and "最少点数4" in text


def test_axis_is_a_spanning_tree_through_the_seats():
    seats = [(115.0, 25.86), (114.76, 25.66), (114.92, 25.39), (114.79, 24.91),
             (115.02, 24.79), (114.53, 24.75)]
    edges = axis_segments(seats)
    assert len(edges) == len(seats) - 1
    assert set(np.unique(np.array(edges))) == set(range(len(seats)))
