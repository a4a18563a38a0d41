"""Rasterise site discs onto a metric grid: how many sites serve each cell.

A cell is served by a site when the cell's centre lies within the site's radius of the site's
true position (not snapped to the grid), so covered area is unbiased at any resolution. Sites
are processed per radius class with a precomputed block of cell offsets; the hits are summed
with ``numpy.bincount`` in chunks, which keeps a 200,000-site run within memory and seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from affine import Affine

CHUNK_HITS = 12_000_000  # offsets x sites evaluated per chunk


@dataclass(frozen=True)
class Grid:
    """A north-up grid in EPSG:4547: top-left corner, cell size, shape."""

    x0: float
    y0: float
    res: float
    width: int
    height: int

    @classmethod
    def covering(cls, bounds: tuple[float, float, float, float], res: float) -> Grid:
        """The grid aligned to multiples of ``res`` that covers ``bounds`` (minx, miny, ...)."""
        minx, miny, maxx, maxy = bounds
        x0, y0 = math.floor(minx / res) * res, math.ceil(maxy / res) * res
        width = int(math.ceil((maxx - x0) / res))
        height = int(math.ceil((y0 - miny) / res))
        return cls(x0, y0, res, width, height)

    @property
    def transform(self) -> Affine:
        """Affine transform for rasterio."""
        return Affine(self.res, 0, self.x0, 0, -self.res, self.y0)

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell."""
        return self.res * self.res / 1e6


def serving_counts(grid: Grid, x: np.ndarray, y: np.ndarray, radius: np.ndarray,
                   progress=None) -> np.ndarray:
    """Number of sites serving each cell (uint16, shape height x width)."""
    total = np.zeros(grid.width * grid.height, dtype=np.int64)
    classes = [r for r in np.unique(radius) if r > 0]
    for r in classes:
        sel = radius == r
        _add_discs(total, grid, x[sel], y[sel], float(r))
        if progress:
            progress(int(sel.sum()))
    return np.minimum(total, np.iinfo(np.uint16).max).astype(np.uint16).reshape(
        grid.height, grid.width)


def _add_discs(total: np.ndarray, grid: Grid, x: np.ndarray, y: np.ndarray, r: float) -> None:
    k = int(math.ceil(r / grid.res)) + 1
    grid_i, grid_j = np.meshgrid(np.arange(-k, k + 1), np.arange(-k, k + 1), indexing="ij")
    di, dj = grid_i.ravel(), grid_j.ravel()
    col = np.floor((x - grid.x0) / grid.res).astype(np.int64)
    row = np.floor((grid.y0 - y) / grid.res).astype(np.int64)
    per_chunk = max(1, CHUNK_HITS // len(di))
    for s in range(0, len(x), per_chunk):
        cols = col[s:s + per_chunk, None] + dj[None, :]
        rows = row[s:s + per_chunk, None] + di[None, :]
        cx = grid.x0 + (cols + 0.5) * grid.res
        cy = grid.y0 - (rows + 0.5) * grid.res
        hit = (cx - x[s:s + per_chunk, None]) ** 2 + (cy - y[s:s + per_chunk, None]) ** 2 <= r * r
        hit &= (rows >= 0) & (rows < grid.height) & (cols >= 0) & (cols < grid.width)
        flat = rows[hit] * grid.width + cols[hit]
        total += np.bincount(flat, minlength=total.size)
