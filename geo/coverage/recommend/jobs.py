"""Recommendation runs in the background: a bounded queue, one worker, runs kept on disk.

A run over all 18 counties takes seconds, so ``POST /coverage/recommendations`` answers 202
with an id and a worker runs it (the same ``recommend`` the CLI runs). States: ``queued``
-> ``running`` -> ``done`` | ``failed``.

Runs live under ``root`` (``data_dir/recommendations/<id>/``) so that a restart keeps them
and every worker of ``serve --workers N`` reads every run, whichever worker a poll lands on:
``status.json`` is the run's document, replaced atomically (temp file + ``os.replace``) at
each change; ``result.pkl`` is written completely (also temp + replace) *before* the status
says ``done``, so no reader ever sees a partial result as done. A run records the process
that owns it (pid and that process's start time, so a recycled pid is not mistaken for it):
a reader that finds a run ``queued`` or ``running`` whose owner is gone reports it
``failed`` (interrupted), and so does the service closing. The result file is a pickle of
the ``Recommendation`` (exact frames, so a restart answers byte-identical GeoJSON); the data
dir is written by this service alone, like its SQLite store. At most ``queue_cap`` runs wait
in a process (then 503 with ``retry_after``); the last ``keep`` finished runs are kept (the
oldest finished are pruned).

Who may read a run: its result is computed from the coverage its caller may see, so an
operator's run is visible to keys of the same operator only, and a planner's or admin's
to planners and admins only (anyone else gets 404, as for a run that does not exist).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import queue
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.errors import AtlasError, ServiceBusyError

log = logging.getLogger("ganzhou_atlas.recommend")
Progress = Callable[[str, int, int], None]
Work = Callable[[Progress], Any]
_ID = re.compile(r"[0-9a-f]{32}")
STATUS, RESULT = "status.json", "result.pkl"
PROGRESS_SAVE_S = 0.5  # how stale a poll's progress count may be
_PRIVATE = ("owner", "pid", "proc_start")  # kept on disk, never answered


class Interrupted(AtlasError):
    """The service stopped while the run was queued or running: nothing of it is kept."""

    status = 503
    slug = "recommendation-interrupted"
    title = "Recommendation interrupted"


def audience(role: str, operator: str | None) -> str:
    """Who may read a run started by this caller."""
    return f"operator:{operator}" if role == "operator" else "planners"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def process_start(pid: int) -> str | None:
    """The start time (clock ticks since boot) of process ``pid``; None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, after the parenthesised name


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error(exc: BaseException) -> dict:
    if isinstance(exc, AtlasError):
        return {"status": exc.status, "slug": exc.slug, "title": exc.title,
                "detail": exc.detail}
    return {"status": 500, "slug": "internal-error", "title": "Internal error",
            "detail": "选址计算失败，已记录日志 (the run failed; it has been logged)"}


_GONE = _error(Interrupted("处理该计算的服务进程已停止，选址未完成 (the process running it "
                           "stopped; nothing of it was kept)"))


class RecommendationJobs:
    """The bounded queue of recommendation runs, the worker thread and the runs on disk."""

    def __init__(self, root: Path, queue_cap: int = 2, keep: int = 32,
                 retry_after_s: int = 30) -> None:
        self.root = Path(root)
        self.queue_cap = queue_cap
        self.keep = keep
        self.retry_after_s = retry_after_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._work: dict[str, Work] = {}
        self._mine: dict[str, dict[str, Any]] = {}  # this process's queued/running runs
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._pid = os.getpid()
        self._start = process_start(self._pid)

    def _save(self, job: dict[str, Any]) -> None:
        _write_atomic(self.root / job["id"] / STATUS,
                      json.dumps(job, ensure_ascii=False, default=str).encode())

    def submit(self, work: Work, owner: str, request: dict) -> dict[str, Any]:
        """Queue ``work``; the run's status document (``queued``). 503 when the queue is full."""
        job_id = uuid.uuid4().hex
        with self._lock:
            if self._closed:
                raise ServiceBusyError("服务正在停止，请稍后重试 (the service is stopping)",
                                       retry_after=self.retry_after_s)
            waiting = sum(1 for j in self._mine.values() if j["state"] == "queued")
            if waiting >= self.queue_cap:
                raise ServiceBusyError(
                    f"选址计算队列已满，请稍后重试 (the recommendation queue is full: {waiting} "
                    f"runs wait; retry in {self.retry_after_s} s)",
                    retry_after=self.retry_after_s)
            job = {"id": job_id, "state": "queued", "phase": "queued", "done": 0,
                   "total": None, "owner": owner, "request": request,
                   "submitted_at": _now(), "started_at": None, "finished_at": None,
                   "error": None, "pid": self._pid, "proc_start": self._start}
            (self.root / job_id).mkdir(parents=True)
            self._save(job)
            self._mine[job_id] = job
            self._work[job_id] = work
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True,
                                                name="recommendations")
                self._thread.start()
        self._queue.put(job_id)
        return self.get(job_id, owner) or {}

    def _read(self, job_id: str) -> dict[str, Any] | None:
        if not _ID.fullmatch(job_id):
            return None
        try:
            job = json.loads((self.root / job_id / STATUS).read_text())
        except (OSError, ValueError):
            return None  # no such run (or pruned meanwhile)
        if job["state"] in ("queued", "running") and process_start(job["pid"]) != \
                job["proc_start"]:
            job.update(state="failed", phase="finished", error=_GONE)  # its owner died
        return job

    def get(self, job_id: str, owner: str) -> dict[str, Any] | None:
        """The run's document (with ``result`` once done) if ``owner`` may read it."""
        job = self._read(job_id)
        if job is None or job["owner"] != owner:
            return None
        job["result"] = None
        if job["state"] == "done":
            try:
                job["result"] = pickle.loads((self.root / job_id / RESULT).read_bytes())
            except OSError:
                return None  # pruned between the two reads
        return {k: v for k, v in job.items() if k not in ("pid", "proc_start")}

    def close(self) -> None:
        """Take no more runs; fail the queued ones; interrupt the running one."""
        with self._lock:
            self._closed = True
            for job in self._mine.values():
                if job["state"] == "queued":
                    self._fail(job, Interrupted("服务已停止，选址未计算 (the service stopped "
                                                "before the run started)"))
        self._queue.put(None)

    def _fail(self, job: dict, exc: BaseException) -> None:
        job.update(state="failed", phase="finished", finished_at=_now(), error=_error(exc))
        self._save(job)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            self._run(job_id)

    def _run(self, job_id: str) -> None:
        with self._lock:
            job = self._mine[job_id]
            work = self._work.pop(job_id)
            if job["state"] != "queued":
                self._mine.pop(job_id)
                return
            job.update(state="running", phase="starting", started_at=_now())
            self._save(job)

        saved = [time.monotonic()]

        def progress(phase: str, done: int, total: int) -> None:
            with self._lock:
                if self._closed:
                    raise Interrupted("服务已停止，选址计算被中断 (the service stopped during "
                                      "the run; nothing of it was kept)")
                changed = phase != job["phase"]
                job.update(phase=phase, done=done, total=total)
                # each save is a fsync'd file: a new phase always, counts at most every
                # PROGRESS_SAVE_S (a 100,000-site run reports 4,000 times)
                if changed or time.monotonic() - saved[0] >= PROGRESS_SAVE_S:
                    self._save(job)
                    saved[0] = time.monotonic()

        try:
            result = work(progress)
            _write_atomic(self.root / job_id / RESULT, pickle.dumps(result))
        except BaseException as exc:  # noqa: BLE001 - every failure is the run's outcome
            if not isinstance(exc, AtlasError):
                log.error("recommendation %s failed", job_id, exc_info=exc)
            with self._lock:
                self._fail(job, exc)
            if not isinstance(exc, Exception):
                raise
        else:
            with self._lock:  # the result is complete on disk before the status says done
                job.update(state="done", phase="finished", finished_at=_now())
                self._save(job)
        finally:
            with self._lock:
                self._mine.pop(job_id, None)
            self._prune()

    def _prune(self) -> None:
        """Keep the newest ``keep`` finished runs (of every worker) on disk."""
        finished = []
        for path in self.root.iterdir() if self.root.is_dir() else ():
            job = self._read(path.name)
            if job is not None and job["state"] in ("done", "failed"):
                finished.append((job.get("finished_at") or job["submitted_at"], path))
        finished.sort()
        for _, path in finished[:max(0, len(finished) - self.keep)]:
            shutil.rmtree(path, ignore_errors=True)
