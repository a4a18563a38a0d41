"""Analytic clustering of the placed parks: DBSCAN in EPSG:4547, hulls and per-cluster summaries.

DBSCAN rather than HDBSCAN: park positions are county seats and schematic zone points, so many
parks share one coordinate, and a fixed neighbourhood radius in kilometres (``eps``) is a
parameter a planner can read off the map and argue with; HDBSCAN's density hierarchy over
stacked duplicates is neither stable nor explainable. Distances are metres in CGCS2000 /
3-degree Gauss-Kruger CM 114E (EPSG:4547), never degrees or Web Mercator.

Because positions are only as precise as a county seat, a cluster says "these counties/zones
hold many of the plan's parks", not where within them; the map says so next to the parameters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import METRIC_CRS, STORAGE_CRS
from maps.text import missing

NOISE = -1


@dataclass(frozen=True)
class ClusterParams:
    """DBSCAN parameters (shown on the map).

    A hull is drawn as the members' convex hull buffered by half the neighbourhood radius:
    the reach within which DBSCAN linked them (and a cluster at one seat stays visible).
    """

    eps_m: float = 15_000
    min_samples: int = 4

    @property
    def hull_buffer_m(self) -> float:
        """How far a drawn hull reaches beyond its outermost members."""
        return self.eps_m / 2

    def describe(self) -> str:
        """The parameters in Chinese, as the legend and the side panel print them."""
        return (f"DBSCAN聚类（坐标系EPSG:4547，邻域半径{self.eps_m / 1000:g}公里，"
                f"最少点数{self.min_samples}）")


@dataclass(frozen=True)
class ParkCluster:
    """One cluster: its hull (WGS84) and what it holds."""

    label: int
    hull: shapely.Polygon
    count: int
    types: list[tuple[str, int]]
    industries: list[tuple[str, int]]
    places: list[str]
    park_ids: list[str]


def _terms(text: object) -> list[str]:
    if missing(text):
        return []
    cleaned = str(text).replace("（", "(").split("(")[0]
    return [t.strip() for t in cleaned.replace("，", "、").replace(",", "、").split("、")
            if t.strip()]


def cluster_labels(parks: gpd.GeoDataFrame, params: ClusterParams) -> np.ndarray:
    """DBSCAN label per placed park (``-1`` = not in any cluster), in ``parks`` order."""
    metric = parks.to_crs(METRIC_CRS).geometry
    xy = np.column_stack([metric.x, metric.y])
    from sklearn.cluster import DBSCAN  # here, not at import: sklearn takes ~1 s to import

    return DBSCAN(eps=params.eps_m, min_samples=params.min_samples).fit_predict(xy)


def _hull(members: gpd.GeoDataFrame, params: ClusterParams) -> shapely.Polygon:
    metric = members.to_crs(METRIC_CRS).geometry
    hull = shapely.MultiPoint(list(metric.values)).convex_hull.buffer(
        params.hull_buffer_m, quad_segs=8)
    return gpd.GeoSeries([hull], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]


def summarise(parks: gpd.GeoDataFrame, labels: np.ndarray,
              params: ClusterParams) -> list[ParkCluster]:
    """One ``ParkCluster`` per label, largest first."""
    out = []
    for label in sorted(set(labels) - {NOISE}):
        members = parks[labels == label]
        places = members["county_name"].where(members["county_name"].notna(),
                                              members["functional_zone"])
        industries = Counter(t for text in members["industry_focus"] for t in _terms(text))
        out.append(ParkCluster(
            label=int(label), hull=_hull(members, params), count=len(members),
            types=Counter(members["type_zh"].dropna()).most_common(),
            industries=industries.most_common(6),
            places=list(dict.fromkeys(p for p in places if not missing(p))),
            park_ids=list(members["id"]),
        ))
    return sorted(out, key=lambda c: -c.count)
