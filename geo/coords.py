"""Convert between WGS84 and the obfuscated Chinese web-map datums GCJ-02 and BD-09.

Amap (高德), Tencent and most Chinese web tools publish GCJ-02 coordinates, Baidu publishes
BD-09. PROJ deliberately does not implement either (OSGeo/PROJ#982), so the forward formulas
live here. The inverse has no closed form: the usual one-step inverse leaves metres of error
(cnmaps' leaves up to 2.55 m in Ganzhou), so we solve ``forward(w) == g`` by fixed-point
iteration, which converges below 1 mm in three or four steps. Because each vertex is converted
independently, neighbouring polygons that share vertices keep sharing them exactly.

All functions are vectorised over numpy arrays and return ``(lon, lat)`` arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # Krasovsky semi-major axis used by the GCJ-02 algorithm
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0

Array = NDArray[np.float64]


def _transform_lat(x: Array, y: Array) -> Array:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: Array, y: Array) -> Array:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Apply the GCJ-02 forward offset (exact, as published implementations do)."""
    x, y = _as_arrays(lon, lat)
    dlat = _transform_lat(x - 105.0, y - 35.0)
    dlon = _transform_lon(x - 105.0, y - 35.0)
    radlat = y / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return x + dlon, y + dlat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Apply Baidu's BD-09 offset to GCJ-02 coordinates."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Convert WGS84 to BD-09 (GCJ-02 then Baidu's offset)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(forward, lon: ArrayLike, lat: ArrayLike, tol_deg: float, max_iter: int):
    """Solve ``forward(w) == target`` for w by fixed-point iteration on the offset."""
    tx, ty = _as_arrays(lon, lat)
    wx, wy = tx.copy(), ty.copy()
    for _ in range(max_iter):
        fx, fy = forward(wx, wy)
        dx, dy = fx - tx, fy - ty
        wx, wy = wx - dx, wy - dy
        if max(np.max(np.abs(dx), initial=0.0), np.max(np.abs(dy), initial=0.0)) < tol_deg:
            break
    return wx, wy


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol_deg: float = 1e-10, max_iter: int = 10
) -> tuple[Array, Array]:
    """Invert GCJ-02 to WGS84 iteratively (round-trip error far below 1 cm)."""
    return _invert(wgs84_to_gcj02, lon, lat, tol_deg, max_iter)


def bd09_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol_deg: float = 1e-10, max_iter: int = 15
) -> tuple[Array, Array]:
    """Invert BD-09 to WGS84 iteratively."""
    return _invert(wgs84_to_bd09, lon, lat, tol_deg, max_iter)


def gcj02_to_wgs84_geometry(geom):
    """Return a shapely geometry with every vertex converted from GCJ-02 to WGS84."""
    import shapely

    def _fn(coords: Array) -> Array:
        x, y = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _fn)
