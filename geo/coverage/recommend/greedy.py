"""Greedy max-coverage: pick sites one by one by marginal weighted demand covered.

The whole grid is scored once by FFT convolution (``scipy.signal.fftconvolve``) of the
demand with each setting's disc, in blocks so memory stays bounded. After each pick only
the cells whose disc can reach the newly covered cells (within the two radii) are rescored,
and a per-tile running maximum finds the next best cell without scanning the grid, so a
pick costs about a millisecond. The gain of a pick is recomputed exactly from the demand
before it is taken (the FFT's rounding never picks a zero-gain cell). Stops at ``limit``
sites, when every county has its quota (``quotas``), or when no candidate gains anything
(full coverage of what candidates can reach). Existing sites stay fixed: demand starts
from today's coverage.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from geo.coverage.recommend.demand import Problem, disc

TILE = 32  # cells per side of a running-maximum tile
BLOCK = 1024  # rows/cols per block of the initial FFT scoring
EPS = 1e-4  # a gain below this is rounding noise


@dataclass(frozen=True)
class Pick:
    """One recommended site."""

    rank: int
    row: int
    col: int
    county: int
    setting: int
    gain: float  # weighted demand newly covered
    gain_cells: int  # required-zone cells newly covered
    towns: int  # township points newly covered
    cells_by_county: tuple[tuple[int, int], ...]  # (county id, required cells newly covered)
    kinds: tuple[int, ...]  # cells with demand newly covered, per zone kind 1..3


def score_window(weight: np.ndarray, kernel: np.ndarray, r0: int, r1: int, c0: int,
                 c1: int) -> np.ndarray:
    """Demand under ``kernel`` centred on each cell of rows r0:r1, cols c0:c1."""
    k = kernel.shape[0] // 2
    h, w = weight.shape
    pr0, pr1, pc0, pc1 = r0 - k, r1 + k, c0 - k, c1 + k
    src = weight[max(0, pr0):min(h, pr1), max(0, pc0):min(w, pc1)].astype(np.float64)
    if (pr0, pc0, pr1, pc1) != (max(0, pr0), max(0, pc0), min(h, pr1), min(w, pc1)):
        src = np.pad(src, ((max(0, -pr0), max(0, pr1 - h)), (max(0, -pc0), max(0, pc1 - w))))
    if not src.any():
        return np.zeros((r1 - r0, c1 - c0))
    out = fftconvolve(src, kernel.astype(np.float64), mode="valid")
    out[out < EPS] = 0.0
    return out


class Greedy:
    """The greedy state over one ``Problem``: demand left, scores and tile maxima."""

    def __init__(self, problem: Problem, quotas: Mapping[int, int] | None = None) -> None:
        self.p = problem
        self.weight = problem.weight.copy()
        self.open_required = problem.required & ~problem.covered
        self.kernels = [disc(r / problem.grid.res) for r in problem.radii]
        self.kmax = max(k.shape[0] // 2 for k in self.kernels)
        self.quotas = dict(quotas or {})
        self.open_county = np.ones(256, dtype=bool)  # False once a county has its quota
        self.picked: dict[int, int] = {}
        self.town_open = np.zeros(problem.weight.shape, dtype=np.int32)
        if len(problem.townships):
            towns = problem.townships
            free = ~problem.covered[towns["row"], towns["col"]]
            np.add.at(self.town_open, (towns["row"][free], towns["col"][free]), 1)
        h, w = self.weight.shape
        self.score = np.full((h, w), -1.0, dtype=np.float32)
        for r0 in range(0, h, BLOCK):
            for c0 in range(0, w, BLOCK):
                self._rescore(r0, min(h, r0 + BLOCK), c0, min(w, c0 + BLOCK))
        for cid, quota in self.quotas.items():
            if quota <= 0:
                self._close(cid)
        th, tw = -(-h // TILE), -(-w // TILE)
        padded = np.full((th * TILE, tw * TILE), -1.0, dtype=np.float32)
        padded[:h, :w] = self.score
        self.tile_max = padded.reshape(th, TILE, tw, TILE).max(axis=(1, 3))

    def _rescore(self, r0: int, r1: int, c0: int, c1: int) -> None:
        cand = self.p.candidate[r0:r1, c0:c1] & self.open_county[self.p.county[r0:r1, c0:c1]]
        if not cand.any():
            return
        setting = self.p.setting[r0:r1, c0:c1]
        out = np.full(cand.shape, -1.0, dtype=np.float32)
        for cls, kernel in enumerate(self.kernels):
            sel = cand & (setting == cls)
            if sel.any():
                out[sel] = score_window(self.weight, kernel, r0, r1, c0, c1)[sel]
        self.score[r0:r1, c0:c1] = np.where(cand, out, -1.0)

    def _retile(self, r0: int, r1: int, c0: int, c1: int) -> None:
        h, w = self.score.shape
        for ti in range(r0 // TILE, (r1 - 1) // TILE + 1):
            for tj in range(c0 // TILE, (c1 - 1) // TILE + 1):
                block = self.score[ti * TILE:min(h, (ti + 1) * TILE),
                                   tj * TILE:min(w, (tj + 1) * TILE)]
                self.tile_max[ti, tj] = block.max()

    def _close(self, cid: int) -> None:
        """No more sites in county ``cid`` (its quota is reached)."""
        self.open_county[cid] = False
        rows, cols = self.p.county_slices(cid)
        view = self.score[rows, cols]
        view[self.p.county[rows, cols] == cid] = -1.0
        if hasattr(self, "tile_max"):
            self._retile(rows.start, rows.stop, cols.start, cols.stop)

    def reopen(self, cid: int) -> None:
        """County ``cid`` takes sites again (a re-plan freed a slot of its quota)."""
        self.open_county[cid] = True
        rows, cols = self.p.county_slices(cid)
        self._rescore(rows.start, rows.stop, cols.start, cols.stop)
        self._retile(rows.start, rows.stop, cols.start, cols.stop)

    def _best(self) -> tuple[int, int] | None:
        t = int(np.argmax(self.tile_max))
        ti, tj = divmod(t, self.tile_max.shape[1])
        if self.tile_max[ti, tj] <= EPS:
            return None
        block = self.score[ti * TILE:(ti + 1) * TILE, tj * TILE:(tj + 1) * TILE]
        bi, bj = divmod(int(np.argmax(block)), block.shape[1])
        return ti * TILE + bi, tj * TILE + bj

    def step(self, rank: int) -> Pick | None:
        """Take the best site, or None when nothing is left to gain."""
        while (best := self._best()) is not None:
            row, col = best
            cls = int(self.p.setting[row, col])
            kernel = self.kernels[cls]
            k = kernel.shape[0] // 2
            rows, cols = slice(row - k, row + k + 1), slice(col - k, col + k + 1)
            hit = kernel & (self.weight[rows, cols] > 0)
            gain = float(self.weight[rows, cols][hit].sum(dtype=np.float64))
            if gain > EPS:
                return self._take(rank, row, col, cls, gain, rows, cols, kernel)
            self.score[row, col] = 0.0  # rounding noise: this cell gains nothing
            self._retile(row, row + 1, col, col + 1)
        return None

    def _take(self, rank, row, col, cls, gain, rows, cols, kernel) -> Pick:
        newly = self.open_required[rows, cols] & kernel
        ids = np.bincount(self.p.county[rows, cols][newly])
        by_county = tuple((int(i), int(n)) for i, n in enumerate(ids) if n)
        towns = int(self.town_open[rows, cols][kernel].sum())
        gained = kernel & (self.weight[rows, cols] > 0)
        kinds = np.bincount(self.p.zone[rows, cols][gained], minlength=4)
        self.weight[rows, cols][kernel] = 0.0
        self.open_required[rows, cols][kernel] = False
        self.town_open[rows, cols][kernel] = 0
        h, w = self.score.shape
        reach = kernel.shape[0] // 2 + self.kmax
        r0, r1 = max(0, row - reach), min(h, row + reach + 1)
        c0, c1 = max(0, col - reach), min(w, col + reach + 1)
        self._rescore(r0, r1, c0, c1)
        self._retile(r0, r1, c0, c1)
        cid = int(self.p.county[row, col])
        self.picked[cid] = self.picked.get(cid, 0) + 1
        if cid in self.quotas and self.picked[cid] >= self.quotas[cid]:
            self._close(cid)
        return Pick(rank, row, col, cid, cls, gain, int(ids.sum()), towns, by_county,
                    tuple(int(n) for n in kinds[1:4]))

    def clone(self) -> Greedy:
        """An independent copy of this state (re-plan from it without scoring again)."""
        other = copy.copy(self)
        for name in ("weight", "open_required", "town_open", "score", "tile_max"):
            setattr(other, name, getattr(self, name).copy())
        other.picked, other.quotas = dict(self.picked), dict(self.quotas)
        other.open_county = self.open_county.copy()
        return other

    def add_existing(self, x: float, y: float, radius: float) -> None:
        """A site added to the inventory at (x, y) EPSG:4547: the cells whose centre lies
        within ``radius`` are covered now (the rule of geo.coverage.raster); only the scores
        it can change are recomputed, so a re-plan after one site edit needs no new scoring
        of the grid."""
        g = self.p.grid
        h, w = self.score.shape
        k = int(math.ceil(radius / g.res)) + 1
        row, col = int((g.y0 - y) // g.res), int((x - g.x0) // g.res)
        r0, r1, c0, c1 = max(0, row - k), min(h, row + k + 1), max(0, col - k), \
            min(w, col + k + 1)
        if r0 >= r1 or c0 >= c1:
            return
        rows, cols = np.mgrid[r0:r1, c0:c1]
        cx, cy = g.x0 + (cols + 0.5) * g.res, g.y0 - (rows + 0.5) * g.res
        hit = (cx - x) ** 2 + (cy - y) ** 2 <= radius * radius
        for array in (self.weight, self.open_required, self.town_open):
            array[rows[hit], cols[hit]] = 0
        reach = k + self.kmax
        box = (max(0, row - reach), min(h, row + reach + 1), max(0, col - reach),
               min(w, col + reach + 1))
        self._rescore(*box)
        self._retile(*box)

    def run(self, limit: int, progress: Callable[[int], None] | None = None) -> list[Pick]:
        """Up to ``limit`` picks in order (fewer when nothing is left to gain)."""
        picks: list[Pick] = []
        while len(picks) < limit:
            pick = self.step(len(picks) + 1)
            if pick is None:
                break
            picks.append(pick)
            if progress is not None and len(picks) % 25 == 0:
                progress(len(picks))
        if progress is not None:
            progress(len(picks))
        return picks
