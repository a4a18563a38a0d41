"""Re-plan after a site edit without re-running the greedy: replay the previous run.

A site added to the inventory only covers cells, so every candidate's gain can only fall.
Walk the previous run's picks in order, tracking (inside the edit's window only) which cells
the previous run had covered before each pick. For pick i let ``loss`` be the weight of the
cells its disc would have newly covered then that the edit now covers:

* ``loss == 0``: its gain is unchanged while every other candidate's gain is at most what it
  was at step i (the new state has covered all the old state had, plus the edit), so a fresh
  greedy takes it here too: **keep** it.
* ``gain - loss == 0``: all it would have covered is covered by the edit; a fresh greedy never
  takes a site that gains nothing and the covered set stays a superset: **drop** it.
* anything between: the runs part ways here, so the fast path gives up (``None``) and the
  caller runs the greedy afresh.

When every pick is kept or dropped, the state the fresh greedy reaches after the kept picks
has exactly the weights of the previous run's final state with the edit's disc covered (the
dropped discs were covered anyway), so the re-plan is ``final.clone()`` plus the edit (a
local rescore) plus as many new picks as were dropped. With per-county quotas a dropped pick
frees a slot in its county: its county is reopened, and a kept pick ranked after the county
had closed in the previous run is no longer provably the greedy's choice (its candidates
were out of the competition then), so that case also gives up. Cost: one pass over the picks
(the disc tests are vectorised) plus a handful of greedy steps, independent of N's ~ms/pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from geo.coverage.recommend.greedy import EPS, Greedy, Pick


@dataclass(frozen=True)
class Edit:
    """A site added to the inventory: centre (EPSG:4547 metres) and coverage radius."""

    x: float
    y: float
    radius: float


def _window(g: Greedy, edit: Edit) -> tuple[int, int, int, int, np.ndarray]:
    """The box around the edit's disc and the cells (box-relative) whose centres it covers."""
    grid = g.p.grid
    h, w = g.score.shape
    k = int(np.ceil(edit.radius / grid.res)) + 1
    row, col = int((grid.y0 - edit.y) // grid.res), int((edit.x - grid.x0) // grid.res)
    r0, r1, c0, c1 = max(0, row - k), min(h, row + k + 1), max(0, col - k), min(w, col + k + 1)
    r1, c1 = max(r0, r1), max(c0, c1)  # off the grid: an empty window
    rows, cols = np.mgrid[r0:r1, c0:c1]
    cx, cy = grid.x0 + (cols + 0.5) * grid.res, grid.y0 - (rows + 0.5) * grid.res
    return r0, r1, c0, c1, (cx - edit.x) ** 2 + (cy - edit.y) ** 2 <= edit.radius ** 2


def replay(final: Greedy, picks: Sequence[Pick], edit: Edit,
           limit: int) -> tuple[Greedy, list[Pick]] | None:
    """The greedy's picks after ``edit`` from the previous run's ``final`` state (left
    untouched) and its ``picks``, and the new final state; None when the runs part ways
    (the caller then runs the greedy afresh)."""
    if limit < len(picks):
        return None  # fewer sites than the previous run: its final state holds too many
    p = final.p
    r0, r1, c0, c1, covered_now = _window(final, edit)
    if r0 >= r1 or c0 >= c1:
        state = final.clone()
        more = state.run(limit - len(picks))
        return state, list(picks) + [replace(k, rank=len(picks) + k.rank) for k in more]
    base = p.weight[r0:r1, c0:c1].astype(np.float64)
    open_before = base > 0  # cells the previous run had not covered yet, in the window
    reach = np.array([k.shape[0] // 2 for k in final.kernels])
    rows = np.array([k.row for k in picks], dtype=np.int64)
    cols = np.array([k.col for k in picks], dtype=np.int64)
    ks = reach[np.array([k.setting for k in picks], dtype=np.int64)] if len(picks) else rows
    near = ((rows + ks >= r0) & (rows - ks < r1) & (cols + ks >= c0) & (cols - ks < c1))
    dropped: dict[int, int] = {}
    closed_at = _closing_ranks(final, picks)
    kept: list[Pick] = []
    for i, pick in enumerate(picks):
        if dropped and any(pick.rank > closed_at.get(cid, 1 << 62) for cid in dropped):
            return None  # a county with a freed slot competes again: not provable
        if near[i]:
            kernel = final.kernels[pick.setting]
            k = kernel.shape[0] // 2
            a0, a1 = max(r0, pick.row - k), min(r1, pick.row + k + 1)
            b0, b1 = max(c0, pick.col - k), min(c1, pick.col + k + 1)
            sub = kernel[a0 - pick.row + k:a1 - pick.row + k, b0 - pick.col + k:b1 - pick.col + k]
            win = (slice(a0 - r0, a1 - r0), slice(b0 - c0, b1 - c0))
            fresh = sub & open_before[win]
            loss = float(base[win][fresh & covered_now[win]].sum())
            open_before[win] &= ~sub
            if loss > EPS:
                if pick.gain - loss > EPS:
                    return None  # its gain fell but not to zero: the runs part ways
                dropped[pick.county] = dropped.get(pick.county, 0) + 1
                continue
        kept.append(replace(pick, rank=len(kept) + 1))
    state = final.clone()
    state.add_existing(edit.x, edit.y, edit.radius)
    for cid, n in dropped.items():
        state.picked[cid] -= n
        if not state.open_county[cid] and state.picked[cid] < state.quotas.get(cid, 1 << 62):
            state.reopen(cid)
    more = state.run(max(0, limit - len(kept)))
    return state, kept + [replace(k, rank=len(kept) + k.rank) for k in more]


def _closing_ranks(g: Greedy, picks: Sequence[Pick]) -> dict[int, int]:
    """{county: rank of the pick that filled its quota} in the previous run."""
    count: dict[int, int] = {}
    closed: dict[int, int] = {}
    for k in picks:
        count[k.county] = count.get(k.county, 0) + 1
        if k.county in g.quotas and count[k.county] >= g.quotas[k.county]:
            closed.setdefault(k.county, k.rank)
    return closed


def replan(initial: Greedy, final: Greedy, picks: Sequence[Pick], edit: Edit,
           limit: int) -> tuple[Greedy, list[Pick], bool]:
    """(new final state, picks, whether the fast replay served it): ``replay`` when it can
    prove the result, else the greedy afresh from the scored ``initial`` state (left
    untouched) with the edit applied. Either way the picks are the fresh greedy's."""
    fast = replay(final, picks, edit, limit)
    if fast is not None:
        return fast[0], fast[1], True
    state = initial.clone()
    state.add_existing(edit.x, edit.y, edit.radius)
    return state, state.run(limit), False
