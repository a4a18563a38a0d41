"""Recommendation runs in the background: a bounded queue, one worker, results in memory.

A run over all 18 counties takes seconds, so ``POST /coverage/recommendations`` answers 202
with an id and a worker runs it (the same ``recommend`` the CLI runs). States: ``queued``
-> ``running`` -> ``done`` | ``failed``. A result is attached in one assignment when the run
has finished, so a run that crashes or is stopped (the service closing fails what is queued
and interrupts what runs, at its next progress report) is ``failed`` and never shows a
partial result. At most ``queue_cap`` runs wait (then 503 with ``retry_after``), the last
``keep`` finished runs are kept; runs live in this process only (a restart forgets them:
the status URL then answers 404, and the run is asked for again).

Who may read a run: its result is computed from the coverage its caller may see, so an
operator's run is visible to keys of the same operator only, and a planner's or admin's
to planners and admins only (anyone else gets 404, as for a run that does not exist).
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from geo.errors import AtlasError, ServiceBusyError

log = logging.getLogger("ganzhou_atlas.recommend")
Progress = Callable[[str, int, int], None]
Work = Callable[[Progress], Any]


class Interrupted(AtlasError):
    """The service stopped while the run was queued or running: nothing of it is kept."""

    status = 503
    slug = "recommendation-interrupted"
    title = "Recommendation interrupted"


def audience(role: str, operator: str | None) -> str:
    """Who may read a run started by this caller."""
    return f"operator:{operator}" if role == "operator" else "planners"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RecommendationJobs:
    """The bounded queue of recommendation runs and the worker thread."""

    def __init__(self, queue_cap: int = 2, keep: int = 32, retry_after_s: int = 30) -> None:
        self.queue_cap = queue_cap
        self.keep = keep
        self.retry_after_s = retry_after_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._jobs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._work: dict[str, Work] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, work: Work, owner: str, request: dict) -> dict[str, Any]:
        """Queue ``work``; the run's status document (``queued``). 503 when the queue is full."""
        job_id = uuid.uuid4().hex
        with self._lock:
            if self._closed:
                raise ServiceBusyError("服务正在停止，请稍后重试 (the service is stopping)",
                                       retry_after=self.retry_after_s)
            waiting = sum(1 for j in self._jobs.values() if j["state"] == "queued")
            if waiting >= self.queue_cap:
                raise ServiceBusyError(
                    f"选址计算队列已满，请稍后重试 (the recommendation queue is full: {waiting} "
                    f"runs wait; retry in {self.retry_after_s} s)",
                    retry_after=self.retry_after_s)
            self._jobs[job_id] = {
                "id": job_id, "state": "queued", "phase": "queued", "done": 0, "total": None,
                "owner": owner, "request": request, "submitted_at": _now(),
                "started_at": None, "finished_at": None, "error": None, "result": None}
            self._work[job_id] = work
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True,
                                                name="recommendations")
                self._thread.start()
        self._queue.put(job_id)
        return self.get(job_id, owner) or {}

    def get(self, job_id: str, owner: str) -> dict[str, Any] | None:
        """A copy of the run's document if ``owner`` may read it, else None."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job["owner"] != owner:
                return None
            return dict(job)

    def close(self) -> None:
        """Take no more runs; fail the queued ones; interrupt the running one."""
        with self._lock:
            self._closed = True
            for job in self._jobs.values():
                if job["state"] == "queued":
                    self._fail(job, Interrupted("服务已停止，选址未计算 (the service stopped "
                                                "before the run started)"))
        self._queue.put(None)

    def _fail(self, job: dict, exc: BaseException) -> None:
        if isinstance(exc, AtlasError):
            error = {"status": exc.status, "slug": exc.slug, "title": exc.title,
                     "detail": exc.detail}
        else:
            error = {"status": 500, "slug": "internal-error", "title": "Internal error",
                     "detail": "选址计算失败，已记录日志 (the run failed; it has been logged)"}
        job.update(state="failed", phase="finished", finished_at=_now(), error=error,
                   result=None)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            self._run(job_id)

    def _run(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs[job_id]
            work = self._work.pop(job_id)
            if job["state"] != "queued":
                return
            job.update(state="running", phase="starting", started_at=_now())

        def progress(phase: str, done: int, total: int) -> None:
            with self._lock:
                if self._closed:
                    raise Interrupted("服务已停止，选址计算被中断 (the service stopped during "
                                      "the run; nothing of it was kept)")
                job.update(phase=phase, done=done, total=total)

        try:
            result = work(progress)
        except BaseException as exc:  # noqa: BLE001 - every failure is the run's outcome
            if not isinstance(exc, AtlasError):
                log.error("recommendation %s failed", job_id, exc_info=exc)
            with self._lock:
                self._fail(job, exc)
            if not isinstance(exc, Exception):
                raise
        else:
            with self._lock:  # one assignment: never a partial result marked done
                job.update(state="done", phase="finished", finished_at=_now(), result=result)
        finally:
            self._prune()

    def _prune(self) -> None:
        with self._lock:
            finished = [k for k, j in self._jobs.items() if j["state"] in ("done", "failed")]
            for key in finished[:max(0, len(finished) - self.keep)]:
                del self._jobs[key]
