"""Find the county of many points fast: the spatial join behind every stored site.

A site's county is derived here, never read from the input. Points on a shared border
belong to the first county (by adcode) that contains them, so every point gets at most one
county; points outside all polygons get ``None``. The result is exactly that of testing each
point with ``contains_xy`` against the counties in adcode order (the exact test below); a
grid makes it fast:

* a grid of ~1 km cells over the counties' extent. A cell is a *border* cell when a polygon
  ring (outer or hole) passes through it or one of its eight neighbours: the rings are
  sampled at half a cell, so no ring can cross a cell without a sample nearby. Every other
  cell lies wholly inside the same counties (or none), so its centre's county is the county
  of every point in it: one array lookup per point. Cells are classified lazily, once per
  locator, only where points fall;
* the exact test, for points in border cells (a few per cent of a city's sites): for each
  county polygon, the remaining points inside its bounding box are tested with a prepared
  ``contains_xy`` (GEOS).

A locator made by ``for_region`` also knows its counties' names and, for 赣州市, the rest of
江西省 (``surroundings``, built on first use): a point just outside the city is reported
with the county it did fall in, which tells a wrong coordinate from a neighbour's site.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import numpy as np
import shapely

from geo.admin import JIANGXI_PREFECTURES
from geo.boundaries import ganzhou_counties, read_level
from geo.settings import AtlasSettings

CELL_DEG = 0.01  # grid cell (~1 km); all of 江西省 is ~540 x 590 cells
_UNKNOWN, _EXACT, _NONE = -1, -2, -3  # cell states; >= 0 is the index of a county


class CountyLocator:
    """Point-in-polygon over a fixed set of county polygons."""

    def __init__(self, adcodes: list[str], polygons: list,
                 names: Mapping[str, str] | None = None,
                 surroundings: Callable[[], CountyLocator] | None = None) -> None:
        self.adcodes = np.asarray(adcodes, dtype=object)
        self.names = dict(names or {})  # adcode -> "吉安市遂川县"
        self._surroundings_factory = surroundings
        self._surroundings: CountyLocator | None = None
        self.polygons = list(polygons)
        for p in self.polygons:
            shapely.prepare(p)
        self.bounds = np.array([p.bounds for p in self.polygons], dtype=float).reshape(-1, 4)
        if len(self.polygons):
            self._x0, self._y0 = self.bounds[:, 0].min(), self.bounds[:, 1].min()
            self._nx = int((self.bounds[:, 2].max() - self._x0) // CELL_DEG) + 1
            self._ny = int((self.bounds[:, 3].max() - self._y0) // CELL_DEG) + 1
        else:
            self._x0 = self._y0 = 0.0
            self._nx = self._ny = 0
        self._border = self._border_cells()
        self._cells = np.full(self._nx * self._ny, _UNKNOWN, dtype=np.int32)
        self._lock = threading.Lock()

    @classmethod
    def for_region(cls, settings: AtlasSettings, region: str = "ganzhou") -> CountyLocator:
        """Locator over Ganzhou's 18 counties (default) or all 100 of Jiangxi."""
        gdf = ganzhou_counties(settings) if region == "ganzhou" else read_level(settings,
                                                                               "county")
        gdf = gdf.sort_values("adcode")
        names = {a: JIANGXI_PREFECTURES.get(p, "") + n if p != a else n for a, n, p in
                 zip(gdf["adcode"], gdf["name"], gdf["parent_adcode"], strict=True)}
        wider = (lambda: cls.for_region(settings, "jiangxi")) if region == "ganzhou" else None
        return cls(list(gdf["adcode"]), list(gdf.geometry), names, wider)

    def surroundings(self) -> CountyLocator | None:
        """The locator of the wider region (江西省 around 赣州市), or None; built once."""
        if self._surroundings is None and self._surroundings_factory is not None:
            with self._lock:
                if self._surroundings is None:
                    self._surroundings = self._surroundings_factory()
        return self._surroundings

    @property
    def extent(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) of all counties, or None without counties."""
        if not len(self.polygons):
            return None
        b = self.bounds
        return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), \
            float(b[:, 3].max())

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Adcode of the county containing each point, or None."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out = np.full(len(lon), None, dtype=object)
        if len(lon) == 0 or not self.polygons:
            return out
        cell = self._cell_of(lon, lat)
        state = np.full(len(lon), _EXACT, dtype=np.int32)
        on_grid = cell >= 0
        state[on_grid] = self._states(cell[on_grid])
        exact = np.flatnonzero(state == _EXACT)
        state[exact] = self._exact(lon[exact], lat[exact])
        found = state >= 0
        out[found] = self.adcodes[state[found]]
        return out

    # ------------------------------------------------------------------ grid

    def _cell_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Grid cell index of each point; -1 off the grid (or NaN)."""
        with np.errstate(invalid="ignore"):
            ix = np.floor((lon - self._x0) / CELL_DEG)
            iy = np.floor((lat - self._y0) / CELL_DEG)
            ok = (ix >= 0) & (ix < self._nx) & (iy >= 0) & (iy < self._ny)
        cell = np.full(len(lon), -1, dtype=np.int64)
        cell[ok] = iy[ok].astype(np.int64) * self._nx + ix[ok].astype(np.int64)
        return cell

    def _border_cells(self) -> np.ndarray:
        """Flat mask of the cells a ring passes through or next to (3 x 3 neighbourhood)."""
        mask = np.zeros((self._ny + 2, self._nx + 2), dtype=bool)  # one cell of margin
        if self.polygons:
            rings = shapely.get_rings(shapely.get_parts(np.array(self.polygons, dtype=object)))
            xy, ring = shapely.get_coordinates(rings, return_index=True)
            same = ring[1:] == ring[:-1]
            a, b = xy[:-1][same], xy[1:][same]
            # samples at most half a cell apart (per axis), both ends included
            n = (np.ceil(np.abs(b - a).max(axis=1) / (CELL_DEG / 2)) + 1).astype(np.int64)
            seg = np.repeat(np.arange(len(a)), n)
            k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
            t = (k / np.maximum(n - 1, 1)[seg])[:, None]
            p = a[seg] + t * (b - a)[seg]
            ix = np.clip((p[:, 0] - self._x0) // CELL_DEG, 0, self._nx - 1).astype(np.int64)
            iy = np.clip((p[:, 1] - self._y0) // CELL_DEG, 0, self._ny - 1).astype(np.int64)
            mask[iy + 1, ix + 1] = True
        grown = np.zeros_like(mask)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                grown[1:-1, 1:-1] |= mask[1 + dy:mask.shape[0] - 1 + dy,
                                          1 + dx:mask.shape[1] - 1 + dx]
        return grown[1:-1, 1:-1].reshape(-1)

    def _states(self, cells: np.ndarray) -> np.ndarray:
        """State of each cell, classifying the cells not seen before."""
        states = self._cells[cells]
        if (states == _UNKNOWN).any():
            with self._lock:
                new = np.unique(cells[self._cells[cells] == _UNKNOWN])
                if len(new):
                    self._cells[new] = self._classify(new)
            states = self._cells[cells]
        return states

    def _classify(self, cells: np.ndarray) -> np.ndarray:
        """_EXACT for border cells; else the county of the cell centre (or _NONE)."""
        states = np.full(len(cells), _EXACT, dtype=np.int32)
        inner = np.flatnonzero(~self._border[cells])
        iy, ix = np.divmod(cells[inner], self._nx)
        county = self._exact(self._x0 + (ix + 0.5) * CELL_DEG, self._y0 + (iy + 0.5) * CELL_DEG)
        states[inner] = np.where(county >= 0, county, _NONE)
        return states

    # ------------------------------------------------------------------ exact test

    def _exact(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index of the first county (in adcode order) containing each point, or -1."""
        out = np.full(len(lon), -1, dtype=np.int32)
        todo = np.ones(len(lon), dtype=bool)
        for i, (poly, (x0, y0, x1, y1)) in enumerate(zip(self.polygons, self.bounds,
                                                         strict=True)):
            candidates = np.flatnonzero(todo & (lon >= x0) & (lon <= x1) & (lat >= y0)
                                        & (lat <= y1))
            if len(candidates) == 0:
                continue
            hits = candidates[shapely.contains_xy(poly, lon[candidates], lat[candidates])]
            out[hits] = i
            todo[hits] = False
        return out
