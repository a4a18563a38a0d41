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
and "stored" cannot disagree after a crash. This assumes one service process per data
directory (how ``ganzhou-atlas serve`` runs).

Progress (``phase``, ``rows_validated``, ``rows_done``) is kept in memory while a job runs:
writing it to the store would wait on the import's own write lock. ``rows_total`` is the
file's row count once it has been read; ``rows_validated`` counts the rows checked so far,
then ``rows_done`` the valid rows written into the import's open transaction (in partial
mode the bad rows are never written, so it ends at the number of valid rows, not at
``rows_total``).

Bounded: ``workers`` threads (1 by default - two imports write one SQLite database in turn
anyway) and at most ``queue_cap`` jobs waiting; past that ``submit`` raises
ServiceBusyError (503 with ``retry_after``). A waiting upload is held in memory, so memory
is bounded by ``(workers + queue_cap) x ATLAS_MAX_UPLOAD_MB``.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from geo.errors import AtlasError, ServiceBusyError
from geo.store.base import BatchInfo, ImportReport, SiteStore

log = logging.getLogger("ganzhou_atlas.jobs")

STATES = ("queued", "running", "done", "failed")
# phase -> what the job is doing; ``finished`` once done or failed
PHASES = ("queued", "reading", "validating", "storing", "finished")
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
                 retry_after_s: int = 30) -> None:
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
        """Mark what a previous process left unfinished as failed, then start the workers."""
        gone = self.store.interrupt_jobs(interrupted("the service restarted"), _now())
        if gone:
            log.warning("%d import job(s) were interrupted by a restart", gone)
        cutoff = datetime.now(UTC) - timedelta(days=KEEP_DAYS)
        self.store.prune_jobs(cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        for i in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"import-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

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
        return self.store.job(job_id)

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

    def _run(self, job_id: str, data: bytes, info: BatchInfo) -> None:
        with self._lock:
            job = self._live.get(job_id)
            if job is None or job["state"] != "queued":  # failed by close() meanwhile
                self._live.pop(job_id, None)
                return
            job.update(state="running", phase="reading", started_at=_now())
        self._save(job)

        def progress(phase: str, done: int, total: int) -> None:
            with self._lock:
                job["phase"] = phase
                if phase == "validating":
                    job["rows_total"] = total
                    job["rows_validated"] = done
                elif phase == "storing":
                    job["rows_done"] = done

        try:
            report = self.work(data, info, progress)
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
