"""The service's coverage results: computed in the background, served stale-while-revalidate.

A coverage run takes seconds (more for a province-size inventory), so requests do not wait
on recomputes: the holder answers with the newest finished run of a scenario and data basis
(from memory, or from the run folder a previous process left on disk) and, when the stored
sites have changed since, starts one background recompute. A reader waits only when no run
of that basis has ever finished: on a brand-new data dir (the start-up already began it),
the first time an operator asks for its own fine coverage, and the first read after the
first real site switches the basis from the demo to real sites.

Runs are held per (scenario, basis, band). The start-up computes ``band=all`` only: six
band views of two scenarios would be twelve more runs on a shared machine for views few
callers ask for, so a band's first request waits for its run (about as long as an
``all`` run of that band's sites, seconds on a city-size inventory).

Several service workers (``ganzhou-atlas serve --workers N``) share one data dir and hold
one holder each. A recompute takes the run key's inter-process lock (``geo.cache_lock``)
and, inside it, first looks for a finished run folder of the current fingerprint: the
worker that gets the lock first computes, the others wait and then load its folder. A
worker whose run in memory went stale also looks on disk before starting a recompute, so a
change is computed once, not once per worker. Each run really computed appends a line to
``<data_dir>/coverage/builds.log``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from geo.cache_lock import build_lock, log_build
from geo.catalog import BuildContext
from geo.coverage.analysis import CoverageRun, latest_run, run_fingerprint, run_folder
from geo.coverage.inputs import CoverageInputs, coverage_inputs, run_for
from geo.coverage.model import ALL_BANDS
from geo.coverage.targets import TARGET_YEARS
from geo.inventory.basis import AUTO, resolve_for
from geo.store.base import SiteStore

SCENARIOS = TARGET_YEARS
RunKey = tuple[int, str, str]  # scenario, resolved basis, band


@dataclass(frozen=True)
class HeldRun:
    """A finished run and whether it reflects the sites stored now."""

    run: CoverageRun
    current: bool
    computed_at: str


class CoverageHolder:
    """Latest coverage run per scenario, refreshed by one background worker."""

    def __init__(self, ctx: BuildContext, store: SiteStore) -> None:
        self.ctx = ctx
        self.store = store
        self._inputs: CoverageInputs | None = None
        self._runs: dict[RunKey, HeldRun] = {}
        self._pending: dict[RunKey, Future] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._auto_basis: tuple[str, str] | None = None  # (store fingerprint, basis)

    @property
    def inputs(self) -> CoverageInputs:
        """Tiers, parks and townships (read once)."""
        if self._inputs is None:
            self._inputs = coverage_inputs(self.ctx)
        return self._inputs

    def _key(self, scenario: int, basis: str, band: str) -> tuple[RunKey, str]:
        """(scenario, resolved basis, band) and the run fingerprint, from one store
        fingerprint."""
        sites = self.store.fingerprint()
        resolved = self.basis(basis, sites)
        self.ctx.settings.coverage_model.factor(band)  # 400 for an unknown band
        key = (scenario, resolved, band)
        return key, self._fingerprint(key, sites)

    def _fingerprint(self, key: RunKey, sites: str) -> str:
        settings = self.ctx.settings
        return run_fingerprint(sites, settings.coverage_model, settings.coverage_resolution_m,
                               self.inputs.townships, key[1], key[2])

    def _base(self, key: RunKey) -> Path:
        """The folder of ``key``'s runs (shared by every worker on this data dir)."""
        settings = self.ctx.settings
        return run_folder(settings.data_dir, key[0], settings.coverage_resolution_m, key[1],
                          key[2])

    def _on_disk(self, key: RunKey, fingerprint: str) -> CoverageRun | None:
        """The newest finished run of ``key`` on disk if it has ``fingerprint``."""
        run = latest_run(self._base(key))
        return run if run is not None and run.stats.get("fingerprint") == fingerprint else None

    def _compute(self, key: RunKey) -> HeldRun:
        scenario, basis, band = key
        base = self._base(key)
        with build_lock(base):  # one worker computes; the others wait, then load its run
            run = self._on_disk(key, self._fingerprint(key, self.store.fingerprint()))
            if run is None:
                t0 = time.perf_counter()
                run = run_for(self.ctx, self.store, scenario, inputs=self.inputs, basis=basis,
                              band=band)
                log_build(base.parent, f"coverage {base.name} {run.folder.name}",
                          time.perf_counter() - t0)
        held = HeldRun(run, True, _mtime(run))
        with self._lock:
            self._runs[key] = held
            self._pending.pop(key, None)
        return held

    def basis(self, requested: str = AUTO, fingerprint: str | None = None) -> str:
        """The data basis ``requested`` stands for now (``auto``: real once any exist).

        ``auto`` needs the store's grouped counts (a scan of every site); the answer is kept
        per store fingerprint, so tile and page requests do not repeat the scan.
        """
        if requested != AUTO:
            return resolve_for(self.store, requested)
        fingerprint = fingerprint or self.store.fingerprint()
        cached = self._auto_basis
        if cached is None or cached[0] != fingerprint:
            cached = self._auto_basis = (fingerprint, resolve_for(self.store, AUTO))
        return cached[1]

    def refresh(self, scenario: int, basis: str = AUTO, band: str = ALL_BANDS) -> Future:
        """Start a background recompute unless one is already running for it."""
        key = (scenario, self.basis(basis), band)
        with self._lock:
            future = self._pending.get(key)
            if future is None or future.done():
                if self._pool is None:  # first use, or after close() (a restarted app)
                    self._pool = ThreadPoolExecutor(max_workers=1,
                                                    thread_name_prefix="coverage")
                future = self._pending[key] = self._pool.submit(self._compute, key)
            return future

    def start(self) -> None:
        """Load what a previous process left and refresh every scenario in the background."""
        for scenario in SCENARIOS:
            self.get(scenario, wait=False)

    def get(self, scenario: int, basis: str = AUTO, band: str = ALL_BANDS,
            wait: bool = True) -> HeldRun | None:
        """The newest run of ``scenario`` on ``basis`` and ``band``; a stale one triggers a
        refresh."""
        key, fingerprint = self._key(scenario, basis, band)
        held = self._runs.get(key)
        if held is None or held.run.stats.get("fingerprint") != fingerprint:
            # what a previous process, or another worker, left (current or not)
            on_disk = latest_run(self._base(key))
            if on_disk is not None and (held is None or on_disk.stats.get(
                    "fingerprint") == fingerprint):
                held = HeldRun(on_disk, False, _mtime(on_disk))
        if held is not None and held.run.stats.get("fingerprint") == fingerprint:
            if not held.current:
                held = HeldRun(held.run, True, held.computed_at)
            self._runs[key] = held
            return held
        future = self.refresh(scenario, key[1], band)
        if held is not None:
            self._runs.setdefault(key, held)
            return HeldRun(held.run, False, held.computed_at)
        return future.result() if wait else None

    def wait(self, scenario: int, basis: str = AUTO, band: str = ALL_BANDS) -> HeldRun:
        """A run that reflects the sites stored now (CLI, tests, exports)."""
        held = self.get(scenario, basis, band)
        if held is not None and held.current:
            return held
        return self.refresh(scenario, basis, band).result()

    def close(self) -> None:
        """Stop the background worker (waits for a running recompute)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._pending.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _mtime(run: CoverageRun) -> str:
    stamp = (run.folder / "stats.json").stat().st_mtime
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
