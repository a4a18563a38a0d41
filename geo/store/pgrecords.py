"""The PostGIS store's service records: import jobs, target overrides and API keys.

Small single-row reads and writes beside the site tables, the same in shape for every
caller; kept apart from ``postgis.py`` (sites: bulk import, queries, county join) as a base
class of ``PostgisSiteStore``, which provides ``_tx`` (a transaction), ``_frame`` and
``host`` (the instance that stamps its jobs).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import orjson
import pandas as pd
import psycopg
from psycopg.rows import dict_row

from geo.store.base import JOB_COLUMNS, ApiKey, job_from_row, job_values


def now() -> str:
    """A UTC timestamp as every table of the store writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class PgRecords:
    """Jobs, overrides and keys over ``self._tx()`` (see ``PostgisSiteStore``)."""

    host: str

    def _tx(self, operators: Sequence[str] | None = None
            ) -> AbstractContextManager[psycopg.Connection]:
        raise NotImplementedError

    @staticmethod
    def _frame(cur: psycopg.Cursor, columns: Sequence[str] | None = None) -> pd.DataFrame:
        raise NotImplementedError

    # ------------------------------------------------------------------ import jobs

    def save_job(self, job: dict[str, Any]) -> None:
        """Insert or overwrite one import job (``report``/``error`` stored as JSON)."""
        columns = (*JOB_COLUMNS, "host")  # stamped: the instance whose restart fails it
        sets = ", ".join(f"{c}=excluded.{c}" for c in columns[1:])
        with self._tx() as conn:
            conn.execute(f"INSERT INTO import_jobs ({', '.join(columns)}) VALUES "
                         f"({', '.join(['%s'] * len(columns))}) "
                         f"ON CONFLICT (id) DO UPDATE SET {sets}",
                         [*job_values(job), self.host])

    def job(self, job_id: str) -> dict[str, Any] | None:
        """One import job as ``save_job`` took it, or None."""
        with self._tx() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(f"SELECT {', '.join(JOB_COLUMNS)} FROM import_jobs "
                              "WHERE id=%s", (job_id,)).fetchone()
        return None if row is None else job_from_row(row)

    def interrupt_jobs(self, error: dict[str, Any], finished_at: str) -> int:
        """Mark this instance's queued or running jobs failed with ``error``.

        Only ``self.host``'s (and host-less jobs from before migration 4): another app
        host on this database still runs its own.
        """
        with self._tx() as conn:
            return conn.execute(
                "UPDATE import_jobs SET state='failed', phase='finished', finished_at=%s, "
                "error_json=%s WHERE state IN ('queued', 'running') AND "
                "(host=%s OR host IS NULL)",
                (finished_at, orjson.dumps(error).decode(), self.host)).rowcount

    def prune_jobs(self, finished_before: str) -> int:
        """Forget jobs that finished before ``finished_before`` (their batches stay)."""
        with self._tx() as conn:
            return conn.execute("DELETE FROM import_jobs WHERE finished_at < %s",
                                (finished_before,)).rowcount

    # ------------------------------------------------------------------ target overrides

    def record_target_override(self, adcode: str, year: int, value: int | None,
                               previous_value: int | None, actor: str,
                               note: str | None = None) -> None:
        """Append an override (value None = back to the allocation); history is kept."""
        with self._tx() as conn:
            conn.execute("INSERT INTO target_overrides (adcode, year, value, previous_value, "
                         "actor, created_at, note) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                         (adcode, year, value, previous_value, actor, now(), note))

    def target_overrides(self, history: bool = False) -> pd.DataFrame:
        """Overrides: the latest per (adcode, year), or every row with ``history``."""
        latest = "" if history else (
            " WHERE id IN (SELECT max(id) FROM target_overrides GROUP BY adcode, year)")
        columns = ("adcode", "year", "value", "previous_value", "actor", "created_at", "note")
        with self._tx() as conn, conn.cursor() as cur:
            cur.execute(f"SELECT {', '.join(columns)} FROM target_overrides{latest} "
                        "ORDER BY id")
            frame = self._frame(cur, columns)
        for name in ("value", "previous_value"):  # as SQLite reads them: float with NaN
            if frame[name].isna().any():
                frame[name] = frame[name].astype(float)
        return frame

    # ------------------------------------------------------------------ keys

    def create_key(self, role: str, operator: str | None, label: str | None) -> tuple[ApiKey,
                                                                                      str]:
        """Store a new key (hashed) and return it with its secret."""
        secret = "gza_" + secrets.token_urlsafe(32)
        key = ApiKey(uuid.uuid4().hex[:12], role, operator, label, now(), None)
        with self._tx() as conn:
            conn.execute("INSERT INTO api_keys VALUES (%s, %s, %s, %s, %s, %s, NULL)",
                         (key.id, _hash(secret), role, operator, label, key.created_at))
        return key, secret

    def key_for_secret(self, secret: str) -> ApiKey | None:
        """The active key whose secret hashes to the stored hash."""
        with self._tx() as conn:
            row = conn.execute("SELECT id, role, operator, label, created_at, revoked_at "
                               "FROM api_keys WHERE key_hash=%s AND revoked_at IS NULL",
                               (_hash(secret),)).fetchone()
        return ApiKey(*row) if row else None

    def revoke_key(self, key_id: str) -> bool:
        """Revoke ``key_id``; False when unknown or already revoked."""
        with self._tx() as conn:
            return conn.execute("UPDATE api_keys SET revoked_at=%s WHERE id=%s AND "
                                "revoked_at IS NULL", (now(), key_id)).rowcount > 0

    def list_keys(self) -> list[ApiKey]:
        """Every key, newest first."""
        with self._tx() as conn:
            rows = conn.execute("SELECT id, role, operator, label, created_at, revoked_at "
                                "FROM api_keys ORDER BY created_at DESC").fetchall()
        return [ApiKey(*r) for r in rows]
