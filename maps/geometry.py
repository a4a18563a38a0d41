"""Geometry prepared for the browser: simplified, shifted for 高德, rounded, as GeoJSON dicts.

The shipped county polygons hold 27,000 vertices (660 KB of GeoJSON); a page embeds them
simplified instead of sending megabytes (or needing a tile server, which an e-mailed HTML file
does not have). ``shapely.coverage_simplify`` simplifies the whole coverage at once, so
neighbouring counties keep sharing every border vertex: no slivers or gaps at any zoom.
Layout-unit outlines are dissolved from the *simplified* counties for the same reason.

Order matters: simplify in WGS84, then shift to GCJ-02 (per vertex, so shared vertices stay
shared), then round to 5 decimals (about 1 m).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.ops import polylabel

from geo.coords import wgs84_to_gcj02

GANZHOU_TOLERANCE_DEG = 0.001  # ~100 m: below a pixel up to zoom 11
PROVINCE_TOLERANCE_DEG = 0.005  # ~500 m: below a pixel up to zoom 9
DECIMALS = 5


def simplify_coverage(geoms: Sequence, tolerance: float) -> np.ndarray:
    """Simplify polygons that form a coverage together, keeping shared borders shared."""
    return shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance)


def simplify_each(geoms: Sequence, tolerance: float) -> np.ndarray:
    """Simplify unrelated geometries one by one (circles, hulls), keeping them valid."""
    return shapely.simplify(np.asarray(geoms, dtype=object), tolerance, preserve_topology=True)


def _gcj(coords: np.ndarray) -> np.ndarray:
    x, y = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def for_display(geoms: Sequence, gcj02: bool) -> np.ndarray:
    """Shift to GCJ-02 when the basemap needs it, then round to ``DECIMALS``."""
    arr = np.asarray(geoms, dtype=object)
    if gcj02:
        arr = shapely.transform(arr, _gcj)
    return shapely.transform(arr, lambda c: np.round(c, DECIMALS))


def display_point(lon: float, lat: float, gcj02: bool) -> tuple[float, float]:
    """A point as folium wants it: ``(lat, lon)``, shifted and rounded like the polygons."""
    p = for_display([shapely.Point(lon, lat)], gcj02)[0]
    return round(p.y, DECIMALS), round(p.x, DECIMALS)


def feature_collection(geoms: Iterable, properties: Iterable[dict]) -> dict:
    """A GeoJSON FeatureCollection; each feature gets an ``id`` (folium keys styles by it)."""
    features = []
    for i, (geom, props) in enumerate(zip(geoms, properties, strict=True)):
        features.append({"type": "Feature", "id": str(props.get("id", i)),
                         "properties": props, "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def bounds_latlon(geoms: Sequence) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the geometries, as folium's fit_bounds wants."""
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def polylabel_point(geom) -> shapely.Point:
    """Where a polygon's name goes: the pole of inaccessibility (inside, away from edges)."""
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    return polylabel(geom, tolerance=0.005)
