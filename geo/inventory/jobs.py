"""Import jobs: a big inventory imported in the background, with its progress and outcome.

Why: a 200,000-row upload takes seconds to store (longer on a busy machine), and an HTTP
client or proxy that times out meanwhile cannot tell whether the batch was stored. With
``Prefer: respond-async`` the API answers 202 at once with a status URL, and a bounded
worker here runs the same ``import_inventory`` the synchronous form runs, so both give the
same report.

States: ``queued`` -> ``running`` -> ``done`` | ``failed``. Each transition is written to
the store (``import_jobs`` table), so a status URL outlives the process: a job that was
queued or running when the process stopped is marked ``failed`` (``import-interrupted``)
when the next one starts - its upload was held in memory only and its transaction rolled
back, so nothing of it was stored and the operator uploads it again. A job that finished
is marked ``done`` by the store in the very transaction that stores its batch, so "done"
and "stored" cannot disagree after a crash.

Several workers (``serve --workers N``) share one data dir: each holds a
``geo.cache_lock.ServiceLease``, and only the first one to start fails the jobs left
unfinished (a worker starting while others run leaves their live jobs alone). A job whose
worker process dies while the others keep running stays ``running`` in the store until the
whole service restarts.

Progress (``phase``, ``rows_validated``, ``rows_done``) is kept in memory while a job runs:
writing it to the store would wait on the import's own write lock. With ``progress_dir``
the running worker also writes it, throttled, to ``<progress_dir>/<job id>.json``, so a
status request answered by another worker reads the same progress. ``rows_total`` is the
file's row count once it has been read; ``rows_validated`` counts the rows checked so far,
then ``rows_done`` the valid rows written into the import's open transaction (in partial
mode the bad rows are never written, so it ends at the number of valid rows, not at
``rows_total``).

Bounded: ``workers`` threads (1 by default - two imports write one SQLite database in turn
anyway) and at most ``queue_cap`` jobs waiting; past that ``submit`` raises
ServiceBusyError (503 with ``retry_after``). A waiting upload is held in memory, so memory
is bounded by ``(workers + queue_cap) x ATLAS_MAX_UPLOAD_MB``. The cap is per service
worker on purpose (it bounds that process's memory): N workers hold at most N x
``queue_cap`` uploads, and a 503 from one worker says that worker is full.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from geo.cache_lock import ServiceLease
from geo.errors import AtlasError, ServiceBusyError
from geo.store.base import BatchInfo, ImportReport, SiteStore

log = logging.getLogger("ganzhou_atlas.jobs")

STATES = ("queued", "running", "done", "failed")
# phase -> what the job is doing; ``finished`` once done or failed
PHASES = ("queued", "reading", "validating", "storing", "finished")
# what a running job publishes for the other workers, at most every PUBLISH_EVERY_S
LIVE_FIELDS = ("state", "phase", "rows_total", "rows_validated", "rows_done", "started_at")
PUBLISH_EVERY_S = 0.5
KEEP_DAYS = 30  # finished jobs older than this are pruned when the service starts

Progress = Callable[[str, int, int], None]  # (phase, rows done, rows of that phase)
Work = Callable[[bytes, BatchInfo, Progress], ImportReport]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_of(exc: BaseException) -> dict[str, Any]:
    """The problem members of a failed job (``status``, ``slug``, ``title``, ``detail`` ...).

    The web layer adds ``type`` and ``instance``; an unexpected exception is never echoed
    (it is logged with its traceback instead).
    """
    if isinstance(exc, AtlasError):
        return {"status": exc.status, "slug": exc.slug, "title": exc.title,
                "detail": exc.detail, **exc.extensions}
    return {"status": 500, "slug": "internal-error", "title": "Internal error",
            "detail": "导入失败，已记录日志 (the import failed unexpectedly; it has been logged)"}


def interrupted(why: str) -> dict[str, Any]:
    """The error of a job the service stopped before it finished (nothing of it stored)."""
    return {"status": 503, "slug": "import-interrupted", "title": "Import interrupted",
            "detail": f"导入被中断，未写入任何数据，请重新上传 (the import was interrupted: {why}; "
                      "nothing of it was stored - upload the file again)"}


class ImportJobs:
    """A bounded queue of import jobs and the worker threads that run them."""

    def __init__(self, store: SiteStore, work: Work, workers: int = 1, queue_cap: int = 4,
                 retry_after_s: int = 30, lease: ServiceLease | None = None,
                 progress_dir: Path | None = None) -> None:
        self.lease = lease
        self.progress_dir = progress_dir
        self.store = store
        self.work = work
        self.workers = workers
        self.queue_cap = queue_cap
        self.retry_after_s = retry_after_s
        self._queue: queue.Queue[tuple[str, bytes, BatchInfo] | None] = queue.Queue()
        self._live: dict[str, dict[str, Any]] = {}  # this process's queued and running jobs
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def start(self) -> None:
        """Mark what a previous process left unfinished as failed, then start the workers.

        With a lease, only the first worker of the service does (see the module docstring).
        """
        if self.lease is None:
            self._interrupt_leftovers()
        else:
            self.lease.acquire(when_first=self._interrupt_leftovers)
        for i in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"import-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _interrupt_leftovers(self) -> None:
        gone = self.store.interrupt_jobs(interrupted("the service restarted"), _now())
        if gone:
            log.warning("%d import job(s) were interrupted by a restart", gone)
        if self.progress_dir is not None:
            for stale in self.progress_dir.glob("*.json"):
                stale.unlink(missing_ok=True)
        cutoff = datetime.now(UTC) - timedelta(days=KEEP_DAYS)
        self.store.prune_jobs(cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))

    def _progress_file(self, job_id: str) -> Path | None:
        return None if self.progress_dir is None else self.progress_dir / f"{job_id}.json"

    def _publish(self, job: dict[str, Any]) -> None:
        """Write ``job``'s live progress for the other workers (renamed into place)."""
        path = self._progress_file(job["id"])
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({k: job[k] for k in LIVE_FIELDS}), "utf-8")
            os.replace(tmp, path)
        except OSError:  # progress is a courtesy; the import goes on
            log.warning("could not publish the progress of import job %s", job["id"])

    def _published(self, job: dict[str, Any]) -> dict[str, Any]:
        """``job`` from the store with the live progress another worker published."""
        path = self._progress_file(job["id"])
        if path is None or job["state"] not in ("queued", "running"):
            return job
        try:
            live = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return job
        return {**job, **{k: live[k] for k in LIVE_FIELDS if k in live}}

    def submit(self, data: bytes, info: BatchInfo) -> dict[str, Any]:
        """Queue one import; return the job's status document (state ``queued``).

        Raises ServiceBusyError when ``queue_cap`` jobs wait already or the service stops.
        """
        job_id = uuid.uuid4().hex
        job: dict[str, Any] = {
            "id": job_id, "operator": info.operator, "actor": info.actor,
            "filename": info.filename, "mode": info.mode, "coord_sys": info.coord_sys,
            "state": "queued", "phase": "queued", "rows_total": None, "rows_validated": 0,
            "rows_done": 0, "submitted_at": _now(), "started_at": None, "finished_at": None,
            "batch_id": None, "report": None, "error": None}
        with self._lock:
            if self._closed or not self._threads:
                raise ServiceBusyError("服务正在停止，请稍后重试 (the service is stopping; retry "
                                       "shortly)", retry_after=self.retry_after_s)
            waiting = sum(1 for j in self._live.values() if j["state"] == "queued")
            if waiting >= self.queue_cap:
                raise ServiceBusyError(
                    f"导入队列已满，请稍后重试 (the import queue is full: {waiting} jobs wait; "
                    f"retry in {self.retry_after_s} s)", retry_after=self.retry_after_s)
            self._live[job_id] = job
        try:
            self.store.save_job(dict(job))  # before it can run: a restart then says failed
        except BaseException:
            with self._lock:
                del self._live[job_id]
            raise
        self._queue.put((job_id, data, replace(info, job_id=job_id)))
        return dict(job)

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job's status document (live progress while it runs here), or None."""
        with self._lock:
            live = self._live.get(job_id)
            if live is not None:
                return dict(live)
        stored = self.store.job(job_id)
        return None if stored is None else self._published(stored)

    def pending(self) -> int:
        """Jobs of this process still queued or running."""
        with self._lock:
            return len(self._live)

    def close(self, timeout: float | None = None) -> None:
        """Take no more jobs; fail the queued ones; let a running import finish; stop."""
        with self._lock:
            self._closed = True
            queued = [j for j in self._live.values() if j["state"] == "queued"]
            for job in queued:
                job.update(state="failed", phase="finished", finished_at=_now(),
                           error=interrupted("the service stopped before the job started"))
        for job in queued:
            self._save(job)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        if self.lease is not None:
            self.lease.release()

    # ------------------------------------------------------------------ workers

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._run(*item)

    def _save(self, job: dict[str, Any]) -> None:
        try:
            self.store.save_job(dict(job))
        except Exception:  # the store is down: the job stays as last recorded
            log.exception("could not record import job %s", job["id"])

    def _progress_of(self, job: dict[str, Any]) -> Progress:
        """The progress callback of a running ``job`` (memory, and throttled to its file)."""
        published = [time.monotonic(), job["phase"]]

        def progress(phase: str, done: int, total: int) -> None:
            with self._lock:
                job["phase"] = phase
                if phase == "validating":
                    job["rows_total"] = total
                    job["rows_validated"] = done
                elif phase == "storing":
                    job["rows_done"] = done
                now = time.monotonic()
                due = phase != published[1] or now - published[0] >= PUBLISH_EVERY_S
                if due:
                    published[:] = [now, phase]
                snapshot = dict(job) if due else None
            if snapshot is not None:
                self._publish(snapshot)

        return progress

    def _run(self, job_id: str, data: bytes, info: BatchInfo) -> None:
        with self._lock:
            job = self._live.get(job_id)
            if job is None or job["state"] != "queued":  # failed by close() meanwhile
                self._live.pop(job_id, None)
                return
            job.update(state="running", phase="reading", started_at=_now())
        self._save(job)
        self._publish(job)
        try:
            report = self.work(data, info, self._progress_of(job))
        except BaseException as exc:  # noqa: BLE001 - every failure is the job's outcome
            if not isinstance(exc, AtlasError):
                log.error("import job %s failed", job_id, exc_info=exc)
            with self._lock:
                job.update(state="failed", phase="finished", finished_at=_now(),
                           error=error_of(exc))
            self._save(job)
            if not isinstance(exc, Exception):
                raise
        else:
            stored = self.store.job(job_id)  # the store marked it done with the batch
            if stored is None or stored["state"] != "done":
                with self._lock:
                    job.update(state="done", phase="finished", finished_at=_now(),
                               batch_id=report.batch_id, report=report.as_dict(),
                               rows_done=report.stored + report.unchanged)
                self._save(job)
        finally:
            with self._lock:
                self._live.pop(job_id, None)
            path = self._progress_file(job_id)
            if path is not None:
                path.unlink(missing_ok=True)
