"""Inter-process locks for the shared data dir, so N service workers build a file once.

``ganzhou-atlas serve --workers N`` runs N processes on one ``ATLAS_DATA_DIR``. Whatever
they cache there (the tile pyramid, downloads, the QGIS bundle, map thumbnails, coverage
runs) is built by whichever worker asks first; the others must wait for that build and then
read its result instead of starting their own. A ``threading.Lock`` covers one process
only, so every such build site takes a file lock (``filelock``: ``flock`` on Linux, released
by the kernel when a process dies, so a killed worker never leaves a stale lock) beside its
target, re-checks whether the target appeared while it waited, and only then builds into a
temporary name that is atomically renamed into place.

Each build that really runs appends one line to ``builds.log`` in its cache folder (what,
which process, how long), so an operator - and the multi-worker tests - can see that one
start-up of four workers built the pyramid once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

LOCK_SUFFIX = ".lock"
BUILD_LOG = "builds.log"


def lock_path(target: Path) -> Path:
    """The lock file guarding ``target`` (a sibling; a folder's lock sits beside it)."""
    return target.with_name(target.name + LOCK_SUFFIX)


@contextmanager
def build_lock(target: Path, timeout: float = -1) -> Iterator[None]:
    """Hold the inter-process lock of ``target`` (``timeout`` s; -1 waits for ever).

    Re-check the target inside: another process may have built it while this one waited.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock_path(target), timeout=timeout):
        yield


def log_build(log_dir: Path, what: str, seconds: float) -> None:
    """Append one line for a build that ran (not for one read from the cache)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = f"{stamp}\tpid={os.getpid()}\t{what}\t{seconds:.3f}s\n"
    # O_APPEND writes of one short line are atomic across processes
    fd = os.open(log_dir / BUILD_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def build_log(log_dir: Path) -> list[str]:
    """The builds recorded under ``log_dir`` (one line each, oldest first)."""
    path = log_dir / BUILD_LOG
    return path.read_text("utf-8").splitlines() if path.is_file() else []


class ServiceLease:
    """A shared ``flock`` every service process holds on its data dir while it runs.

    Why: at start-up a process marks import jobs a previous process left queued or running
    as failed (their uploads lived in that process's memory). With several workers, a worker
    that starts while another runs must not fail the other's live jobs: ``acquire`` tells
    whether this process found no other holder (it got the lock exclusively first, then
    keeps it shared). The kernel drops the lock when a process dies.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "service.lock"
        self._fd: int | None = None

    def acquire(self, when_first: Callable[[], object] | None = None) -> bool:
        """Hold the lease; True when no other live process held it.

        ``when_first`` runs while this first process still holds the lock exclusively, so a
        worker starting meanwhile waits until it is done (then joins, shared).
        """
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(fd, fcntl.LOCK_SH)  # others run: join them
            return False
        try:
            if when_first is not None:
                when_first()
        finally:
            fcntl.flock(fd, fcntl.LOCK_SH)  # downgrade: later workers join
        return True

    def release(self) -> None:
        """Give the lease up (closing the descriptor drops the lock)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
