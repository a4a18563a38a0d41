"""The public map's default plan: 建议新增站址（模型建议） for every county, fetched as JSON.

The coverage page is near its size limit, so it does not inline the sites: its layer fetches
this document (``GET /coverage/recommendations/map``). The default plan is ``to_target`` of
the scenario's year for all 18 counties, planner scope, computed once per coverage run in
the background and written beside the run (``<run folder>/recommend_map_<year>.json``,
keyed by the run's fingerprint and the targets' quotas), so every worker and a restarted
process answer it at once.

Disclosure (docs/security.md): the public coverage map withholds everything derived from
real operators' positions unless the coverage run is of the synthetic demo sites alone (the
rule of ``maps.coverage_data``). Sites placed around real sites would show where those are,
so when the run's basis is not ``synthetic_demo`` the document says so in Chinese and
planners are pointed at ``POST /coverage/recommendations`` with a key; nothing is computed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from geo.coverage.analysis import CoverageRun
from geo.coverage.recommend.needs import write_beside_run
from geo.inventory.basis import SYNTHETIC_DEMO

log = logging.getLogger("ganzhou_atlas.recommend")
READY, COMPUTING, WITHHELD, FAILED = "ready", "computing", "withheld", "failed"
RETRY_AFTER_S = 5
COMPUTING_TEXT = "正在计算…（建议站址在后台按当前覆盖分析计算，稍后自动刷新）"
WITHHELD_TEXT = ("公开地图不提供建议新增站址：当前覆盖分析基于真实运营商站址，建议站址会反映真实"
                 "站址位置。规划人员请使用规划密钥调用 POST /coverage/recommendations 计算。")
FAILED_TEXT = "建议站址计算失败，已记录日志"
SYNTHETIC_TEXT = "示意：基于合成演示站点（非真实运营商站址）计算的模型建议"


def _label() -> dict:
    from geo.coverage.recommend.plan import CAVEAT, LABEL

    return {"label": LABEL, "caveat": CAVEAT}


def withheld(scenario: int) -> dict:
    """The public answer when the coverage run involves real operators' sites."""
    return {**_label(), "state": WITHHELD, "scenario": scenario, "message": WITHHELD_TEXT,
            "planner_endpoint": "POST /coverage/recommendations"}


def computing(scenario: int) -> dict:
    """The answer while the default plan (or its coverage run) is being computed."""
    return {**_label(), "state": COMPUTING, "scenario": scenario, "message": COMPUTING_TEXT,
            "retry_after": RETRY_AFTER_S}


def document(rec, scenario: int) -> dict:
    """The map's document of a finished default plan (sites GeoJSON + county rows)."""
    from geo.coverage.recommend.export import site_features

    counties = []
    for r in rec.counties.itertuples():
        quota = r.sites_quota if r.sites_quota == r.sites_quota else None  # NaN: none
        counties.append({
            "adcode": r.adcode, "county": r.county,
            "sites_recommended": int(r.sites_recommended),
            "still_needed": None if quota is None else int(quota),
            "still_needed_text": "—" if quota is None else f"还需 {int(quota)} 站",
            "coverage_before_pct": float(r.coverage_before_pct),
            "coverage_after_pct": float(r.coverage_after_pct),
            "stop_reason": r.stop_reason})
    return {**_label(), "state": READY, "scenario": scenario, "target_year": scenario,
            "synthetic": True, "synthetic_note": SYNTHETIC_TEXT,
            "mode": "to_target", "weights_text": rec.about.get("weights_text"),
            "coverage_fingerprint": rec.about.get("coverage_fingerprint"),
            "computed_at": rec.about.get("computed_at"),
            "sites": site_features(rec), "counties": counties}


Compute = Callable[[CoverageRun], dict]


class MapPlans:
    """The default plan per coverage run, computed in the background, cached on disk."""

    def __init__(self) -> None:
        self._done: dict[str, dict] = {}
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def get(self, run: CoverageRun, scenario: int, compute: Compute, version: str = "") -> dict:
        """The map document of ``run``: ready, withheld, failed, or computing (started now
        in the background). ``compute(run)`` makes the ready document; ``version`` names
        what else it depends on (the targets' quotas), beside the run's fingerprint."""
        if run.stats.get("data_basis") != SYNTHETIC_DEMO:
            return withheld(scenario)
        version = f"{scenario}|{run.stats.get('fingerprint')}|{version}"
        key = f"{run.folder}|{version}"
        if key in self._done:
            return self._done[key]
        stored = run.folder / f"recommend_map_{scenario}.json"
        try:
            doc = json.loads(stored.read_text("utf-8"))
        except (OSError, ValueError):
            doc = None
        if doc is not None and doc.get("version") == version:
            self._done[key] = doc
            return doc
        with self._lock:
            if key not in self._pending:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="recommend-map")
                self._pending[key] = self._pool.submit(self._compute, key, stored, version,
                                                       scenario, lambda: compute(run))
        return computing(scenario)

    def wait(self, run: CoverageRun, scenario: int, compute: Compute,
             version: str = "") -> dict:
        """As ``get``, but waits for a computation (tests, exports)."""
        doc = self.get(run, scenario, compute, version)
        with self._lock:
            futures = list(self._pending.values())
        for future in futures:
            future.result()
        return self.get(run, scenario, compute, version) if futures else doc

    def _compute(self, key: str, path: Path, version: str, scenario: int,
                 compute: Callable[[], dict]) -> None:
        try:
            doc = {**compute(), "version": version}
        except Exception:  # noqa: BLE001 - logged; the map says it failed
            log.exception("the map's default plan (%s) failed", key)
            doc = {**_label(), "state": FAILED, "scenario": scenario, "message": FAILED_TEXT}
        else:
            write_beside_run(path, doc)
        with self._lock:
            self._done[key] = doc
            self._pending.pop(key, None)

    def close(self) -> None:
        """Stop the worker (waits for a running computation)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


MAP_PLANS = MapPlans()  # one per process: runs are shared by every caller of a data dir
