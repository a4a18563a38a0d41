"""How far the greedy can be from optimal, per county: a HiGHS bound, shown with the answer.

Greedy max-coverage is only guaranteed 1 - 1/e (63 %) of the optimum; this measures it.
For county k with p greedy picks, the maximal covering problem (choose p sites in the
county to maximise the weighted demand covered, of what the other counties' picks leave:
a site near a border covers its neighbour's demand too) is solved as an integer program
with HiGHS on a reduced candidate set: the greedy picks plus the best-scoring cell of each
8 x 8-cell tile (top ``candidates`` by initial score). Demand cells with the same set of
covering candidates are aggregated into one row, so the program stays small. HiGHS'
dual bound is an upper bound on the optimum *over that candidate set*; ``ratio_pct`` =
greedy / bound. A second bound holds for *every* cell of the county: greedy value plus the
p largest marginal gains left after the greedy (monotone submodular coverage: OPT ≤ f(S) +
Σ top-p Δ(e|S)); it is looser but assumes nothing about the reduced set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from geo.coverage.recommend.demand import Problem, disc
from geo.coverage.recommend.greedy import Pick, score_window

TILE = 8


@dataclass(frozen=True)
class Certificate:
    """The bound of one county's greedy answer."""

    county: int
    sites: int
    greedy_value: float
    optimum_found: float | None  # best integer solution HiGHS found (reduced set)
    bound: float | None  # HiGHS dual bound (reduced set)
    ratio_pct: float | None  # greedy / bound
    bound_all_candidates: float  # valid over every cell of the county
    ratio_all_candidates_pct: float | None
    candidates: int
    demand_groups: int
    status: str
    seconds: float

    def as_dict(self) -> dict:
        """JSON members."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "county"}


def _county_scores(p: Problem, weight: np.ndarray, cid: int, rows: slice,
                   cols: slice) -> np.ndarray:
    """Scores of county ``cid``'s candidates over ``weight`` (-1 elsewhere), in its box."""
    kernels = [disc(r / p.grid.res) for r in p.radii]
    cand = p.candidate[rows, cols] & (p.county[rows, cols] == cid)
    setting = p.setting[rows, cols]
    out = np.full(cand.shape, -1.0)
    for cls, kernel in enumerate(kernels):
        sel = cand & (setting == cls)
        if sel.any():
            out[sel] = score_window(weight, kernel, rows.start, rows.stop, cols.start,
                                    cols.stop)[sel]
    return out


def _pool(scores: np.ndarray, limit: int) -> np.ndarray:
    """Flat indices (in the box) of the best cell of each TILE x TILE tile, top ``limit``."""
    h, w = scores.shape
    th, tw = -(-h // TILE), -(-w // TILE)
    padded = np.full((th * TILE, tw * TILE), -1.0)
    padded[:h, :w] = scores
    tiles = padded.reshape(th, TILE, tw, TILE).transpose(0, 2, 1, 3).reshape(th, tw, -1)
    arg = tiles.argmax(axis=2)
    best = np.take_along_axis(tiles, arg[..., None], axis=2)[..., 0]
    ti, tj = np.nonzero(best > 0)
    order = np.argsort(-best[ti, tj], kind="stable")[:limit]
    ti, tj, a = ti[order], tj[order], arg[ti[order], tj[order]]
    r, c = ti * TILE + a // TILE, tj * TILE + a % TILE
    return r * w + c


def _coverage_matrix(p: Problem, weight: np.ndarray, cand: np.ndarray, rows: slice,
                     cols: slice) -> sparse.csc_matrix:
    """candidates x box cells: 1 where a candidate's disc covers a demand cell."""
    h, w = weight.shape
    kernels = [disc(r / p.grid.res) for r in p.radii]
    offsets = [np.argwhere(k) - k.shape[0] // 2 for k in kernels]
    setting = p.setting[rows, cols].ravel()[cand]
    r, c = np.divmod(cand, w)
    demand = np.ascontiguousarray(weight).ravel()
    ii, jj = [], []
    for j in range(len(cand)):
        off = offsets[int(setting[j])]
        rr, cc = r[j] + off[:, 0], c[j] + off[:, 1]
        ok = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
        flat = rr[ok] * w + cc[ok]
        flat = flat[demand[flat] > 0]
        ii.append(np.full(len(flat), j))
        jj.append(flat)
    i_all, j_all = np.concatenate(ii), np.concatenate(jj)
    return sparse.csc_matrix((np.ones(len(i_all)), (i_all, j_all)), shape=(len(cand), h * w))


def _groups(cover: sparse.csc_matrix, weight: np.ndarray):
    """Aggregate demand cells covered by the same candidates: (matrix cand x group, w)."""
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 1 << 40, size=(2, cover.shape[0]), dtype=np.int64)
    cols = np.flatnonzero(np.diff(cover.indptr) > 0)
    sub = cover[:, cols]
    sig = np.stack([sub.T.astype(np.int64) @ keys[0], sub.T.astype(np.int64) @ keys[1]], 1)
    _, first, inverse = np.unique(sig, axis=0, return_index=True, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=np.ascontiguousarray(weight).ravel()[cols])
    return sub[:, first], w


def _model(matrix: sparse.csc_matrix, w: np.ndarray, p_sites: int,
           integer: bool) -> highspy.HighsLp:
    """max Σ_j c_j x_j + Σ w_g y_g : y_g ≤ Σ_{j covers g} x_j, Σ x_j ≤ p, 0 ≤ x, y ≤ 1
    (x integer). A group only one candidate covers needs no y: its weight is that
    candidate's c_j (at the optimum y_g = x_j), which removes most rows."""
    single = np.diff(matrix.indptr) == 1  # csc: one covering candidate per group column
    own = np.bincount(matrix.indices[matrix.indptr[:-1][single]], weights=w[single],
                      minlength=matrix.shape[0])
    matrix, w = matrix[:, ~single], w[~single]
    n_cand, n_grp = matrix.shape
    a = sparse.vstack([sparse.hstack([-matrix.T, sparse.identity(n_grp)]),
                       sparse.hstack([np.ones((1, n_cand)), sparse.csr_matrix((1, n_grp))])]
                      ).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cand + n_grp, n_grp + 1
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.r_[own, w]
    lp.col_lower_ = np.zeros(n_cand + n_grp)
    lp.col_upper_ = np.ones(n_cand + n_grp)
    lp.row_lower_ = np.full(n_grp + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.r_[np.zeros(n_grp), float(p_sites)]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cand + \
            [highspy.HighsVarType.kContinuous] * n_grp
    return lp


def _highs(lp: highspy.HighsLp, seconds: float,
           start: np.ndarray | None = None) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(seconds))
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        h.setSolution(solution)
    h.run()
    return h


def solve_mclp(matrix: sparse.csc_matrix, w: np.ndarray, p_sites: int, seconds: float,
               start: np.ndarray | None = None) -> tuple[float | None, float | None, str]:
    """(best integer value found, upper bound, status) of the maximal covering program.

    The LP relaxation's optimum (time limit 10 x ``seconds``) is an upper bound on the
    integer optimum; the MIP run (``seconds``, started from ``start``: the greedy's 0/1
    choice of candidates) finds integer solutions and may tighten the bound further.
    """
    relaxed = _highs(_model(matrix, w, p_sites, integer=False), 10 * seconds)
    bound = float(relaxed.getInfo().objective_function_value) \
        if relaxed.getModelStatus() == highspy.HighsModelStatus.kOptimal else None
    if start is not None:
        multi = np.diff(matrix.indptr) > 1
        covered = (matrix[:, multi].T @ start.astype(float)) > 0
        start = np.r_[start.astype(float), covered.astype(float)]
    h = _highs(_model(matrix, w, p_sites, integer=True), seconds, start)
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    found = float(info.objective_function_value) if info.primal_solution_status else None
    if np.isfinite(info.mip_dual_bound) and found is not None:
        bound = float(info.mip_dual_bound) if bound is None else min(bound,
                                                                     float(info.mip_dual_bound))
    return found, bound, status


def certify(p: Problem, picks: Sequence[Pick], cid: int, candidates: int = 150,
            seconds: float = 0.25) -> Certificate | None:
    """The certificate of county ``cid``'s picks (None when it got none)."""
    import time

    mine = [k for k in picks if k.county == cid]
    if not mine:
        return None
    t0 = time.perf_counter()
    rows, cols = p.county_slices(cid)
    kmax = max(k.shape[0] // 2 for k in (disc(r / p.grid.res) for r in p.radii))
    h, w = p.weight.shape
    rows = slice(max(0, rows.start - kmax), min(h, rows.stop + kmax))
    cols = slice(max(0, cols.start - kmax), min(w, cols.stop + kmax))
    weight = _left_by_others(p, picks, cid)
    box_w = cols.stop - cols.start
    pick_flat = np.array([(k.row - rows.start) * box_w + (k.col - cols.start) for k in mine])
    scores = _county_scores(p, weight, cid, rows, cols)
    pool = np.unique(np.r_[pick_flat, _pool(scores, candidates)])
    box_weight = weight[rows, cols]
    cover = _coverage_matrix(p, box_weight, pool, rows, cols)
    chosen = np.isin(pool, pick_flat)
    covered = np.asarray(cover[chosen].sum(axis=0)).ravel() > 0
    greedy_value = float(box_weight.ravel()[covered].sum())
    matrix, w = _groups(cover, box_weight)
    found, bound, status = solve_mclp(matrix, w, len(mine), seconds, chosen)
    left = box_weight.copy().ravel()
    left[covered] = 0.0
    gains = _county_scores(p, _full(p, rows, cols, left.reshape(box_weight.shape)), cid,
                           rows, cols)
    top = np.sort(gains[gains > 0])[::-1][:len(mine)]
    bound_all = greedy_value + float(top.sum())
    return Certificate(
        cid, len(mine), round(greedy_value, 3), None if found is None else round(found, 3),
        None if bound is None else round(bound, 3),
        round(100 * greedy_value / bound, 2) if bound else None, round(bound_all, 3),
        round(100 * greedy_value / bound_all, 2) if bound_all else None, len(pool), len(w),
        status, round(time.perf_counter() - t0, 3))


def _left_by_others(p: Problem, picks: Sequence[Pick], cid: int) -> np.ndarray:
    """The demand county ``cid``'s picks compete for: every chosen county's demand (a pick
    near a border covers its neighbour's too, and the greedy counts it) minus what the
    other counties' picks cover, as the greedy saw it."""
    weight = p.weight.astype(np.float64)
    kernels = [disc(r / p.grid.res) for r in p.radii]
    for k in picks:
        if k.county != cid:
            kernel = kernels[k.setting]
            half = kernel.shape[0] // 2
            weight[k.row - half:k.row + half + 1, k.col - half:k.col + half + 1][kernel] = 0.0
    return weight


def _full(p: Problem, rows: slice, cols: slice, box: np.ndarray) -> np.ndarray:
    """``box`` placed in a zero array of the problem's shape (score_window reads that)."""
    out = np.zeros(p.weight.shape)
    out[rows, cols] = box
    return out
