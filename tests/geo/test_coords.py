import numpy as np
import pytest

from geo.coords import (
    bd09_to_wgs84,
    gcj02_to_wgs84,
    gcj02_to_wgs84_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

M_PER_DEG = 111_320.0


@pytest.fixture
def ganzhou_points():
    rng = np.random.default_rng(7)
    return rng.uniform(113.9, 116.7, 5000), rng.uniform(24.4, 27.3, 5000)


def test_gcj02_offset_is_hundreds_of_metres_in_ganzhou(ganzhou_points):
    lon, lat = ganzhou_points
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift_m = np.hypot(glon - lon, glat - lat) * M_PER_DEG
    assert 100 < shift_m.min() and shift_m.max() < 1000


def test_gcj02_inverse_round_trips_below_one_centimetre(ganzhou_points):
    lon, lat = ganzhou_points
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    err_m = np.hypot(back[0] - lon, back[1] - lat) * M_PER_DEG
    assert err_m.max() < 0.01


def test_bd09_inverse_round_trips_below_one_centimetre(ganzhou_points):
    lon, lat = ganzhou_points
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    err_m = np.hypot(back[0] - lon, back[1] - lat) * M_PER_DEG
    assert err_m.max() < 0.01


def test_known_gcj02_value():
    # 赣州市 seat as published by Amap (GCJ-02) maps back ~500 m south-west in WGS84.
    lon, lat = gcj02_to_wgs84(114.933546, 25.830694)
    assert 114.92 < float(lon) < 114.935 and 25.83 < float(lat) < 25.835


def test_geometry_conversion_keeps_shared_vertices_shared():
    from shapely.geometry import Polygon

    a = Polygon([(115, 25), (115.1, 25), (115.1, 25.1), (115, 25.1)])
    b = Polygon([(115.1, 25), (115.2, 25), (115.2, 25.1), (115.1, 25.1)])
    ca, cb = gcj02_to_wgs84_geometry(a), gcj02_to_wgs84_geometry(b)
    assert ca.intersection(cb).length > 0 and ca.intersection(cb).area == 0
