"""What a recommendation must cover, and where a new site may stand.

Demand is read from a finished coverage run (its COG of serving-site counts, so the
recommender starts from exactly the coverage the atlas shows) and the same zone rasters the
analysis uses (``geo.coverage.analysis``): the required zone of a county is the whole county
for the 全深度覆盖 tier and its main urban area (主城区, the schematic seat circle) for every
other tier. Each uncovered cell weighs by its kind (``config.RecommendWeights``); a
township point adds its weight to its cell (must-cover demand). Candidates are every cell
of the chosen counties, optionally inside a user mask; a candidate's setting (城区/乡村)
follows the coverage model's rule (within ``urban_radius_m`` of the seat) and so does its
radius. Arrays are cropped to the chosen counties plus one disc of margin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.features import rasterize
from rasterio.windows import Window

from geo.coverage.analysis import FULL_DEPTH_TIER, CoverageRun, tiered_counties, zone_rasters
from geo.coverage.model import ALL_BANDS, CoverageModel, to_metric
from geo.coverage.raster import Grid
from geo.coverage.recommend.config import RecommendWeights
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.errors import InvalidParameterError, ResourceNotFoundError

URBAN, RURAL = 0, 1  # candidate setting classes
SETTING_LABELS = ("城区", "乡村")
# demand kinds of a cell (Problem.zone): 0 none, then these
ZONE_LABELS = {1: "主城区", 2: "全深度覆盖区县其余区域", 3: "其他区域"}
TOWNSHIP_LABEL = "乡镇点位"


@dataclass
class Problem:
    """The cropped arrays of one recommendation (row/col are of the cropped grid)."""

    grid: Grid
    weight: np.ndarray  # float32, initial weighted demand per cell (0 = nothing to gain)
    required: np.ndarray  # bool, cell of a chosen county's required zone
    covered: np.ndarray  # bool, served by an existing site
    county: np.ndarray  # uint8, 1-based county id (0 outside 赣州市)
    candidate: np.ndarray  # bool, a new site may stand here
    setting: np.ndarray  # uint8, URBAN or RURAL
    radii: tuple[float, float]  # radius of a new site by setting (metres)
    counties: pd.DataFrame  # id (1-based), adcode, name, fiveg_tier, seat_x, seat_y
    chosen: tuple[int, ...]  # county ids planned for
    zone: np.ndarray  # uint8 demand kind (ZONE_LABELS), 0 outside the chosen counties
    townships: pd.DataFrame = field(default_factory=pd.DataFrame)  # row, col, county, name

    @property
    def radius_cells(self) -> tuple[int, int]:
        """Kernel half-width (cells) per setting."""
        return tuple(int(math.floor(r / self.grid.res)) for r in self.radii)  # type: ignore

    def county_slices(self, cid: int) -> tuple[slice, slice]:
        """Rows and columns of the cropped grid spanning county ``cid``."""
        rows, cols = np.nonzero(self.county == cid)
        return slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)

    def centre(self, row, col) -> tuple[np.ndarray, np.ndarray]:
        """EPSG:4547 centre of cells."""
        return (self.grid.x0 + (np.asarray(col) + 0.5) * self.grid.res,
                self.grid.y0 - (np.asarray(row) + 0.5) * self.grid.res)


def disc(radius_cells_exact: float) -> np.ndarray:
    """Offsets whose cell centre lies within the radius (in cells) of the centre cell's."""
    k = int(math.floor(radius_cells_exact))
    i, j = np.mgrid[-k:k + 1, -k:k + 1]
    return (i * i + j * j) <= radius_cells_exact ** 2 + 1e-9


def county_ids(counties: gpd.GeoDataFrame, adcodes: Sequence[str] | None) -> tuple[int, ...]:
    """1-based ids of ``adcodes`` (all counties when None); 404 for an unknown one."""
    index = {a: i + 1 for i, a in enumerate(counties["adcode"])}
    if not adcodes:
        return tuple(index.values())
    unknown = [a for a in adcodes if a not in index]
    if unknown:
        raise ResourceNotFoundError(f"没有此区县 unknown county {', '.join(unknown)}: use a "
                                    "赣州市 county adcode (360702 ...)", county=unknown)
    return tuple(sorted({index[a] for a in adcodes}))


def mask_geometry(mask: Mapping | None, counties: gpd.GeoDataFrame):
    """A user mask (GeoJSON Polygon/MultiPolygon, or a Feature of one, WGS84) in EPSG:4547.

    400 unless it is a valid polygon that overlaps 赣州市.
    """
    if mask is None:
        return None
    geometry = mask.get("geometry") if mask.get("type") == "Feature" else mask
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # noqa: BLE001 - any unreadable GeoJSON is the client's
        raise InvalidParameterError(f"mask 不是有效的 GeoJSON 面 (not a GeoJSON polygon: "
                                    f"{type(exc).__name__})", "mask") from exc
    if shape.geom_type not in ("Polygon", "MultiPolygon") or shape.is_empty \
            or not shape.is_valid:
        raise InvalidParameterError("mask 须为有效的面 (Polygon/MultiPolygon, WGS84 经纬度)",
                                    "mask")
    metric = gpd.GeoSeries([shape], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    if not metric.intersects(shapely.union_all(counties.geometry.to_numpy())):
        raise InvalidParameterError("mask 不在赣州市范围内 (the mask does not overlap 赣州市)",
                                    "mask")
    return metric


def _crop(full: Grid, bounds, margin: int) -> tuple[Grid, Window]:
    """The sub-grid over ``bounds`` plus ``margin`` cells on every side (it may reach past
    the run's grid: read boundless, so a disc at the edge never leaves the arrays)."""
    minx, miny, maxx, maxy = bounds
    c0 = int(math.floor((minx - full.x0) / full.res)) - margin
    r0 = int(math.floor((full.y0 - maxy) / full.res)) - margin
    c1 = int(math.ceil((maxx - full.x0) / full.res)) + margin
    r1 = int(math.ceil((full.y0 - miny) / full.res)) + margin
    grid = Grid(full.x0 + c0 * full.res, full.y0 - r0 * full.res, full.res, c1 - c0, r1 - r0)
    return grid, Window(c0, r0, c1 - c0, r1 - r0)


def _read(src, window: Window) -> np.ndarray:
    """The window of band 1, zeros past the raster's edge (a boundless read is far slower)."""
    out = np.zeros((int(window.height), int(window.width)), dtype=np.uint16)
    r0, c0 = max(0, int(window.row_off)), max(0, int(window.col_off))
    r1 = min(src.height, int(window.row_off + window.height))
    c1 = min(src.width, int(window.col_off + window.width))
    if r1 > r0 and c1 > c0:
        out[r0 - int(window.row_off):r1 - int(window.row_off),
            c0 - int(window.col_off):c1 - int(window.col_off)] = src.read(
            1, window=Window(c0, r0, c1 - c0, r1 - r0))
    return out


def _member(county: np.ndarray, ids) -> np.ndarray:
    """``county`` in ``ids`` by a lookup table (np.isin sorts the whole raster)."""
    table = np.zeros(256, dtype=bool)
    table[list(ids)] = True
    return table[county]


def _weights(zones, county, covered, tiers, chosen, w: RecommendWeights) -> np.ndarray:
    urban = zones > 0
    full = _member(county, [i + 1 for i, t in enumerate(tiers) if t == FULL_DEPTH_TIER])
    weight = np.where(urban, w.main_urban, np.where(full, w.full_depth_rest, w.other))
    weight = np.where(_member(county, chosen) & ~covered, weight, 0.0)
    return weight.astype(np.float32)


def _townships(townships: pd.DataFrame | None, grid: Grid, county: np.ndarray,
               chosen: tuple[int, ...]) -> pd.DataFrame:
    empty = pd.DataFrame({"row": [], "col": [], "county": [], "name": []})
    if townships is None or not len(townships):
        return empty
    t = townships.dropna(subset=["lon", "lat"])
    x, y = to_metric(t["lon"].to_numpy(float), t["lat"].to_numpy(float))
    col = np.floor((x - grid.x0) / grid.res).astype(int)
    row = np.floor((grid.y0 - y) / grid.res).astype(int)
    inside = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
    out = pd.DataFrame({"row": row[inside], "col": col[inside],
                        "name": t["name"].to_numpy(object)[inside]})
    out["county"] = county[out["row"], out["col"]]
    return out[out["county"].isin(chosen)].reset_index(drop=True)


def _settings(grid: Grid, county: np.ndarray, counties: gpd.GeoDataFrame,
              chosen: tuple[int, ...], urban_radius_m: float) -> np.ndarray:
    """URBAN where a cell centre lies within ``urban_radius_m`` of its own county's seat
    (the rule ``site_radii`` applies to a site), else RURAL; computed around each seat."""
    setting = np.full(county.shape, RURAL, dtype=np.uint8)
    k = int(math.ceil(urban_radius_m / grid.res)) + 1
    for cid in chosen:
        sx, sy = counties["seat_x"].iloc[cid - 1], counties["seat_y"].iloc[cid - 1]
        r, c = int((grid.y0 - sy) // grid.res), int((sx - grid.x0) // grid.res)
        r0, c0 = max(0, r - k), max(0, c - k)
        rows, cols = np.mgrid[r0:min(grid.height, r + k + 1), c0:min(grid.width, c + k + 1)]
        cx, cy = grid.x0 + (cols + 0.5) * grid.res, grid.y0 - (rows + 0.5) * grid.res
        near = (np.hypot(cx - sx, cy - sy) <= urban_radius_m) & (county[rows, cols] == cid)
        setting[rows[near], cols[near]] = URBAN
    return setting


def build_problem(settings, run: CoverageRun, tiers: Mapping[str, str],
                  model: CoverageModel, weights: RecommendWeights,
                  townships: pd.DataFrame | None = None,
                  adcodes: Sequence[str] | None = None, mask: Mapping | None = None,
                  band: str = ALL_BANDS) -> Problem:
    """The demand and candidates of ``adcodes`` (all counties when None) over ``run``."""
    counties = tiered_counties(settings, tiers)
    chosen = county_ids(counties, adcodes)
    masked = mask_geometry(mask, counties)
    factor = model.factor(band)
    radii = (model.urban_macro_m * factor, model.rural_macro_m * factor)
    with rasterio.open(run.cog) as src:
        t = src.transform
        full = Grid(t.c, t.f, t.a, src.width, src.height)
        margin = int(math.ceil(max(radii) / full.res)) + 2
        bounds = counties.iloc[[i - 1 for i in chosen]].total_bounds
        grid, window = _crop(full, tuple(bounds), margin)
        counts = _read(src, window)
    county, zones = zone_rasters(grid, counties, model)
    covered = (counts > 0) & (county > 0)
    weight = _weights(zones, county, covered, list(counties["fiveg_tier"]), chosen, weights)
    full_depth = _member(county, [i + 1 for i, t in enumerate(counties["fiveg_tier"])
                                  if t == FULL_DEPTH_TIER])
    candidate = _member(county, chosen)
    required = candidate & ((zones > 0) | full_depth)
    if masked is not None:
        candidate &= rasterize([(masked, 1)], out_shape=county.shape, transform=grid.transform,
                               fill=0, dtype="uint8").astype(bool)
        if not candidate.any():
            raise InvalidParameterError("mask 与所选区县没有重叠的栅格 (the mask leaves no "
                                        "candidate cell in the chosen counties)", "mask")
    setting = _settings(grid, county, counties, chosen, model.urban_radius_m)
    towns = _townships(townships, grid, county, chosen)
    if len(towns):
        free = ~covered[towns["row"], towns["col"]]
        np.add.at(weight, (towns["row"][free], towns["col"][free]), weights.township)
    zone = np.where(zones > 0, 1, np.where(full_depth, 2, 3)).astype(np.uint8)
    zone[~_member(county, chosen)] = 0
    table = pd.DataFrame({"id": np.arange(1, len(counties) + 1), "adcode": counties["adcode"],
                          "name": counties["name"], "fiveg_tier": counties["fiveg_tier"],
                          "seat_x": counties["seat_x"], "seat_y": counties["seat_y"]})
    return Problem(grid, weight, required, covered, county, candidate, setting, radii, table,
                   chosen, zone, towns)
