"""How many new sites each county still needs, for the scorecard (2023 and 2025).

Two numbers per county and year, side by side: (a) to reach its 5G target count (the
allocated or overridden target minus the sites on air: plain arithmetic, always current)
and (b) to cover its required zone fully (the greedy run to full coverage, seconds for the
city). (b) must never make the scorecard wait, so it is held like the coverage runs: the
scorecard reads the last finished computation for the coverage run it shows, and a
missing one is started in the background (null and ``NEEDS_PENDING`` until it lands). A
finished computation is written beside the run (``<run folder>/recommend_needs.json``), so a
restarted process serves it at once. Today's sites and the required zones do not depend on
the year, so (b) is the same for 2023 and 2025 under the current model; both columns are
kept so year-specific zones can fill them differently.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from geo.coverage.analysis import CoverageRun
from geo.coverage.recommend.config import RecommendSettings
from geo.coverage.targets import TARGET_YEARS

log = logging.getLogger("ganzhou_atlas.recommend")
NEEDS_FILE = "recommend_needs.json"
NEEDS_PENDING = "满覆盖所需站数正在后台计算（覆盖分析完成后自动计算），请稍后刷新"
NEEDS_FAILED = "满覆盖所需站数计算失败，已记录日志"
NEEDS_NOTE = ("达标所需站数 = 目标站数 − 已开通站数；满覆盖所需站数 = 模型建议（贪心选址）覆盖"
              "必须覆盖区域所需的新增宏站数，规划近似")
NEED_COLUMNS = tuple(f"sites_needed_{kind}_{year}" for year in TARGET_YEARS
                     for kind in ("target", "full_coverage"))


def target_gaps(targets: pd.DataFrame, on_air: pd.Series) -> dict[int, dict[str, int]]:
    """{year: {adcode: new sites to reach the target}} (0 once the target is met)."""
    have = on_air.reindex(targets.index).fillna(0).astype(int)
    return {year: {a: int(max(0, t - have[a])) for a, t in targets[f"target_{year}"].items()}
            for year in TARGET_YEARS}


def full_coverage_needs(settings, run: CoverageRun, inputs, config: RecommendSettings
                        ) -> dict[str, int]:
    """{adcode: new sites until nothing in its required zone is left uncovered}."""
    from geo.coverage.recommend.plan import Mode, recommend

    band = run.stats.get("band", "all")
    rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                    Mode("to_full_coverage"), inputs.townships, band=band, config=config,
                    certificates=False)
    return {r.adcode: int(r.sites_recommended) for r in rec.counties.itertuples()}


class NeedsHolder:
    """The last full-coverage computation per coverage run, computed in the background."""

    def __init__(self) -> None:
        self._done: dict[str, dict[str, int] | None] = {}  # run folder -> needs (None: failed)
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def get(self, settings, run: CoverageRun | None, inputs_of) -> dict | None:
        """The needs of ``run`` ({"counties": {adcode: n}}), or None while they compute.

        ``inputs_of()`` gives the coverage inputs (tiers, townships), called only when a
        computation starts.
        """
        if run is None:
            return None
        key = str(run.folder)
        if key in self._done:
            return {"counties": self._done[key]} if self._done[key] is not None else \
                {"counties": None, "failed": True}
        stored = run.folder / NEEDS_FILE
        if stored.is_file():
            doc = json.loads(stored.read_text("utf-8"))
            if doc.get("fingerprint") == run.stats.get("fingerprint"):
                self._done[key] = doc["counties"]
                return {"counties": doc["counties"]}
        self.schedule(settings, run, inputs_of)
        return None

    def state(self, run: CoverageRun | None) -> str:
        """``done``, ``failed`` or ``pending`` for ``run`` (part of a table cache key, so a
        scorecard built while the needs were pending is rebuilt once they land)."""
        if run is None:
            return "pending"
        done = self._done.get(str(run.folder), "pending")
        return done if isinstance(done, str) else "done" if done is not None else "failed"

    def schedule(self, settings, run: CoverageRun, inputs_of) -> Future:
        """Start the computation of ``run``'s needs unless it runs already."""
        key = str(run.folder)
        with self._lock:
            future = self._pending.get(key)
            if future is None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="recommend-needs")
                future = self._pending[key] = self._pool.submit(self._compute, settings, run,
                                                                inputs_of)
            return future

    def _compute(self, settings, run: CoverageRun, inputs_of) -> dict[str, int] | None:
        key = str(run.folder)
        try:
            needs = full_coverage_needs(settings, run, inputs_of(), settings.recommend)
        except Exception:  # noqa: BLE001 - logged; the scorecard says it failed
            log.exception("full-coverage needs of %s failed", key)
            needs = None
        else:
            write_beside_run(run.folder / NEEDS_FILE, {"fingerprint": run.stats.get("fingerprint"),
                                             "counties": needs})
        with self._lock:
            self._done[key] = needs
            self._pending.pop(key, None)
        return needs

    def close(self) -> None:
        """Stop the worker (waits for a running computation)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def write_beside_run(path: Path, doc: dict) -> None:
    """Write ``doc`` as JSON beside a coverage run, atomically (a reader never sees half a
    file); a run folder pruned meanwhile is skipped. Shared with ``public_map``."""
    if not path.parent.is_dir():
        return
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


NEEDS = NeedsHolder()  # one per process: runs are shared by every caller of a data dir


def need_fields(gaps: dict[int, dict[str, int]], needs: dict | None, adcode: str) -> dict:
    """The scorecard's four sites-needed columns and their note for one county."""
    full = (needs or {}).get("counties")
    row: dict = {}
    for year in TARGET_YEARS:
        row[f"sites_needed_target_{year}"] = gaps[year].get(adcode)
        row[f"sites_needed_full_coverage_{year}"] = None if full is None else full.get(adcode)
    failed = needs is not None and needs.get("failed")
    row["sites_needed_note"] = NEEDS_FAILED if failed else \
        NEEDS_PENDING if full is None else NEEDS_NOTE
    return row
