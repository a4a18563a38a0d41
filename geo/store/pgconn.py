"""Connections and schema version of a PostgreSQL store: the pool, ``db upgrade``, redaction.

Kept apart from ``geo.store.postgis`` (the store's reads and writes) because the CLI's
``db status``/``db upgrade`` need only this, and the pool's fork and transaction rules are
one concern of their own.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.store.migrations import LATEST, POSTGIS, check_version

MIGRATION_LOCK = 0x61746C6173  # pg_advisory_xact_lock key of migrations ("atlas")
POOL_SIZE = 8  # idle connections kept per process


def redact(url: str) -> str:
    """``url`` without its password (for logs and ``db status``)."""
    info = conninfo_to_dict(url)
    if "password" in info:
        info["password"] = "***"
    return make_conninfo(**{k: str(v) for k, v in info.items()
                                             if v is not None})


class Pool:
    """A few open connections per process, handed out one per call (thread-safe).

    A connection is returned idle (no transaction open), so nothing of one call's
    ``SET LOCAL`` scope reaches the next. After a fork the child opens its own.
    """

    def __init__(self, url: str, size: int = POOL_SIZE) -> None:
        self.url = url
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue(size)
        self._pid = os.getpid()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """An autocommit connection for one call; a broken or mid-transaction one is closed."""
        if self._pid != os.getpid():  # forked: the parent's sockets are not ours
            self._idle = queue.LifoQueue(self._idle.maxsize)
            self._pid = os.getpid()
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = psycopg.connect(self.url, autocommit=True)
        try:
            yield conn
        except BaseException:
            conn.close()  # it may be mid-transaction or broken: never reuse
            raise
        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    def close(self) -> None:
        """Close every idle connection (the store is closing)."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def schema_version(url: str) -> int:
    """The migration number a database is at (0: never migrated)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return _version(conn)


def _version(conn: psycopg.Connection) -> int:
    exists = conn.execute("SELECT to_regclass('atlas_schema') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT max(version) FROM atlas_schema").fetchone()
    return int(row[0] or 0) if row else 0


def upgrade(url: str) -> tuple[int, int]:
    """Apply the missing migrations, each in its own transaction; (before, after).

    Serialised by an advisory lock, so workers or admins upgrading at once apply each
    migration once.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        before = _version(conn)
        check_version(before, "postgis", upgrade_allowed=True)
        for number in range(before + 1, LATEST + 1):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
                conn.execute("CREATE TABLE IF NOT EXISTS atlas_schema (version INTEGER "
                             "PRIMARY KEY, applied_at TEXT NOT NULL)")
                if _version(conn) >= number:
                    continue  # another process applied it meanwhile
                conn.execute(POSTGIS[number - 1].encode())
                conn.execute("INSERT INTO atlas_schema VALUES (%s, %s)",
                             [number, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")])
        return before, _version(conn)
