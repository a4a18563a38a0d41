"""The embedded default store: one SQLite database (WAL) under ``ATLAS_DATA_DIR``.

Why SQLite: zero set-up on a planner's machine, and its transactions give exactly the
guarantee the inventory needs - a batch is written whole or not at all, even if the process
is killed mid-import (the write-ahead log is rolled back on next open). Writers queue on the
database lock (``busy_timeout``); readers never block in WAL mode.

Schema changes are the numbered migrations of ``geo.store.migrations`` (``PRAGMA user_version``),
applied on open: an embedded store upgrades itself. A schema newer than the code is refused
(``StoreSchemaError``).

A batch is merged in chunks of ``MERGE_CHUNK`` rows inside its one transaction, so a caller
can be told how far it got (import jobs' ``rows_done``) without giving up all-or-nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from geo.errors import ConflictError
from geo.store.base import (
    JOB_COLUMNS,
    RETIRED_COLUMNS,
    ApiKey,
    BatchInfo,
    ImportReport,
    SiteQuery,
    StoreProgress,
    instance_id,
    job_from_row,
    job_values,
)
from geo.store.migrations import LATEST, SQLITE, check_version, statements

SITE_COLUMNS = ("site_id", "lon", "lat", "type", "band", "status", "commissioned",
                "county_adcode", "synthetic")
QUERYABLE = {"site_id", "type", "band", "status", "county_adcode", "synthetic", "operator"}
_COMPARED = ("lon", "lat", "type", "band", "status", "commissioned", "county_adcode",
             "synthetic")
CACHE_KIB = 262_144  # page cache for big imports (256 MiB)
# Rows per INSERT of the incoming sites: one statement of 100 x 9 parameters (under the 999
# of old SQLite builds) costs much less per row than one statement per row.
INSERT_CHUNK = 100
# The secondary indexes of ``sites`` (as created by the first migration). A batch bigger than
# the whole table is loaded without them and they are rebuilt once, sorted, in the same
# transaction: faster than a million random inserts into each, and denser.
SITE_INDEXES = (("sites_county", "county_adcode"), ("sites_lonlat", "lon, lat"))
BULK_MIN_ROWS = 10_000
# Rows per INSERT ... SELECT of the merge (one transaction still): progress is reported
# after each, and a sorted chunk costs what the same rows cost in one statement.
MERGE_CHUNK = 10_000
MAX_LISTED = 1000  # errors, reverted edits and retired ids kept with a batch / in a report


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(secret: str) -> str:
    # Keys are 256-bit random tokens: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


class SqliteSiteStore:
    """``SiteStore`` over one SQLite file."""

    def __init__(self, path: Path, busy_timeout_s: float = 60.0,
                 host: str | None = None) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.host = host or instance_id(path.parent)  # whose import jobs a restart fails
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            self._migrate(db)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed whole, or rolled back whole."""
        db = self._connect()
        try:
            with self._transaction(db):
                yield db
        finally:
            db.close()

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        """One IMMEDIATE transaction on an open connection (its temp tables stay usable)."""
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        check_version(version, "sqlite", upgrade_allowed=True)
        for number, script in enumerate(SQLITE[version:], start=version + 1):
            db.execute("BEGIN IMMEDIATE")
            if db.execute("PRAGMA user_version").fetchone()[0] >= number:
                db.execute("ROLLBACK")  # another process migrated meanwhile
                continue
            for statement in statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version={number}")
            db.execute("COMMIT")

    def schema_version(self) -> tuple[int, int]:
        """(version stored, version of the code)."""
        with self._read() as db:
            return db.execute("PRAGMA user_version").fetchone()[0], LATEST

    # ------------------------------------------------------------------ batches and sites

    def _insert_batch(self, db: sqlite3.Connection, info: BatchInfo) -> str:
        batch_id = uuid.uuid4().hex
        db.execute(
            "INSERT INTO batches (id, operator, actor, created_at, source, filename, coord_sys,"
            " mode, synthetic, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, info.operator, info.actor, _now(), info.source, info.filename,
             info.coord_sys, info.mode, int(info.synthetic), info.job_id))
        return batch_id

    def upsert_batch(self, sites: pd.DataFrame, info: BatchInfo, rows_read: int,
                     errors: list[dict], rejected: int | None = None,
                     progress: StoreProgress | None = None,
                     complete_job: bool = False) -> ImportReport:
        """Insert new and update changed sites of ``info.operator`` in one transaction.

        A batch rejected whole is recorded too: call with no sites and ``rejected`` set.
        Mode ``replace`` also retires the operator's sites missing from ``sites`` (see
        ``_retire``) in that transaction. The rows are staged in a temp table before the
        write lock is taken (other writers wait only for the merge); ``progress`` is called
        after each merged chunk. ``complete_job`` marks ``info.job_id`` done, with this
        report, in the same transaction: a job is "done" exactly when its batch is stored.
        """
        rows = self._rows(sites, info)
        rejected = len({e["row"] for e in errors}) if rejected is None else rejected
        # a batch recorded with no rows (a file refused whole) never retires anything
        replace = info.mode == "replace" and len(rows) > 0
        db = self._connect()
        try:
            self._stage(db, rows)
            with self._transaction(db):
                batch_id = self._insert_batch(db, info)
                inserted, updated, unchanged, reverted = self._merge(
                    db, len(rows), info.operator, batch_id, create=info.mode == "create",
                    progress=progress)
                retired, retired_total = (self._retire(db, info.operator, batch_id)
                                          if replace else (None, 0))
                db.execute(
                    "UPDATE batches SET rows_read=?, inserted=?, updated=?, unchanged=?, "
                    "rejected=?, errors_json=?, retired=? WHERE id=?",
                    (rows_read, inserted, updated, unchanged, rejected,
                     orjson.dumps(errors[:MAX_LISTED]).decode(), retired_total, batch_id))
                report = ImportReport(batch_id, info.operator, rows_read, inserted, updated,
                                      unchanged, rejected, errors, reverted, retired,
                                      retired_total)
                if complete_job and info.job_id:
                    db.execute(
                        "UPDATE import_jobs SET state='done', phase='finished', finished_at=?, "
                        "batch_id=?, rows_total=?, rows_validated=?, rows_done=?, "
                        "report_json=? WHERE id=?",
                        (_now(), batch_id, rows_read, rows_read, len(rows),
                         orjson.dumps(report.as_dict()).decode(), info.job_id))
        finally:
            db.close()  # temp.incoming goes with the connection
        return report

    @staticmethod
    def _rows(sites: pd.DataFrame, info: BatchInfo) -> np.ndarray:
        """The sites as an (n, 9) object array in ``SITE_COLUMNS`` order; missing = None."""
        frame = sites.reindex(columns=list(SITE_COLUMNS[:-1]))
        rows = np.empty((len(frame), len(SITE_COLUMNS)), dtype=object)
        for j, column in enumerate(frame.columns):
            values = frame[column].to_numpy(dtype=object)  # Python str / float / int / None
            missing = pd.isna(values)
            if missing.any():
                values = values.copy()
                values[missing] = None
            rows[:, j] = values
        rows[:, -1] = int(info.synthetic)
        return rows

    @staticmethod
    def _insert_incoming(db: sqlite3.Connection, rows: np.ndarray, table: str) -> None:
        """Fill temp ``table`` with ``rows``, ``INSERT_CHUNK`` rows per statement."""
        width = rows.shape[1]
        values = "(" + ", ".join("?" * width) + ")"
        flat = np.ascontiguousarray(rows).reshape(-1)
        full = len(rows) // INSERT_CHUNK * INSERT_CHUNK
        if full:
            step = INSERT_CHUNK * width
            db.executemany(f"INSERT INTO {table} VALUES " + ", ".join([values] * INSERT_CHUNK),
                           (flat[i:i + step].tolist() for i in range(0, full * width, step)))
        if full < len(rows):
            db.execute(f"INSERT INTO {table} VALUES "
                       + ", ".join([values] * (len(rows) - full)), flat[full * width:].tolist())

    @staticmethod
    def _stage(db: sqlite3.Connection, rows: np.ndarray) -> None:
        """Fill ``temp.incoming`` with ``rows`` in site_id order (rowid 1..n = key order).

        In key order the merge fills the table's B-tree page by page, not at random places,
        and rowid ranges of ``incoming`` are key ranges, so the merge can go in chunks. A
        file that came sorted is kept as it is (str order = BINARY order); otherwise SQLite
        sorts it (much faster than sorting a million Python strings).
        """
        db.execute("PRAGMA temp_store=MEMORY")
        columns = ("site_id TEXT, lon REAL, lat REAL, type TEXT, band TEXT, status TEXT, "
                   "commissioned TEXT, county_adcode TEXT, synthetic INTEGER")
        db.execute(f"CREATE TEMP TABLE incoming ({columns})")
        if not len(rows) or pd.Index(rows[:, 0]).is_monotonic_increasing:
            SqliteSiteStore._insert_incoming(db, rows, "incoming")
            return
        db.execute(f"CREATE TEMP TABLE unsorted ({columns})")
        SqliteSiteStore._insert_incoming(db, rows, "unsorted")
        db.execute("INSERT INTO incoming SELECT * FROM unsorted ORDER BY site_id")
        db.execute("DROP TABLE temp.unsorted")

    @staticmethod
    def _retire(db: sqlite3.Connection, operator: str, batch_id: str
                ) -> tuple[list[str], int]:
        """Delete ``operator``'s stored sites that ``incoming`` lacks; (first ids, count).

        Only the operator's own real sites: another operator's and the synthetic demo's
        (``synthetic=1``, filed under real operators' names) are never touched. Each
        retired site is first copied to ``retired_sites`` with this batch's id.
        """
        missing = ("operator=? AND synthetic=0 AND site_id NOT IN "
                   "(SELECT site_id FROM temp.incoming)")
        columns = ", ".join(RETIRED_COLUMNS)
        db.execute(f"INSERT INTO retired_sites (batch_id, {columns}, last_batch_id) "
                   f"SELECT ?, {columns}, batch_id FROM sites WHERE {missing}",
                   (batch_id, operator))
        total = db.execute(f"DELETE FROM sites WHERE {missing}", (operator,)).rowcount
        listed = [r[0] for r in db.execute(
            "SELECT site_id FROM retired_sites WHERE batch_id=? ORDER BY site_id LIMIT ?",
            (batch_id, MAX_LISTED))]
        return listed, total

    @staticmethod
    def _merge(db: sqlite3.Connection, n: int, operator: str, batch_id: str,
               create: bool = False, progress: StoreProgress | None = None
               ) -> tuple[int, int, int, list[str]]:
        """Upsert the ``n`` staged rows; return (inserted, updated, unchanged, reverted edits).

        ``create``: the rows must all be new; an id already stored raises ConflictError
        inside the transaction (so concurrent creates of one id give one 201 and 409s).
        A reverted edit is a stored site last written by a single-site API call that this
        batch changes again (a monthly re-import undoing an engineer's fix says so).

        One ``INSERT ... ON CONFLICT DO UPDATE ... WHERE changed`` per chunk of
        ``MERGE_CHUNK`` staged rows (rowid ranges of ``incoming``, which ``_stage`` filled in
        key order) writes new and changed rows and skips identical ones; a count of the ids
        already stored splits the result: changes = inserted + updated and existing =
        updated + unchanged. A batch larger than the stored table is a bulk load (secondary
        indexes rebuilt after it, see ``SITE_INDEXES``).
        """
        existing = db.execute(
            "SELECT count(*) FROM incoming i JOIN sites s ON s.operator=? AND "
            "s.site_id=i.site_id", (operator,)).fetchone()[0] if n else 0
        if create and existing:
            raise ConflictError("the site exists; use PUT to replace it")
        differs = " OR ".join(f"s.{c} IS NOT i.{c}" for c in _COMPARED)
        reverted = [r[0] for r in db.execute(
            "SELECT s.site_id FROM incoming i JOIN sites s ON s.operator=? AND "
            "s.site_id=i.site_id JOIN batches b ON b.id=s.batch_id WHERE b.source='api' "
            f"AND b.id<>? AND ({differs}) ORDER BY s.site_id LIMIT {MAX_LISTED}",
            (operator, batch_id))] if existing else []
        now = _now()
        changed = " OR ".join(f"sites.{c} IS NOT excluded.{c}" for c in _COMPARED)
        sets = ", ".join(f"{c}=excluded.{c}" for c in _COMPARED)
        rebuild = SqliteSiteStore._bulk_load(db, n)
        if rebuild:
            for name, _ in SITE_INDEXES:
                db.execute(f"DROP INDEX {name}")
        statement = (
            "INSERT INTO sites (operator, site_id, lon, lat, type, band, status, "
            "commissioned, county_adcode, synthetic, created_at, updated_at, batch_id) "
            "SELECT ?, site_id, lon, lat, type, band, status, commissioned, county_adcode, "
            "synthetic, ?, ?, ? FROM incoming WHERE rowid > ? AND rowid <= ? ORDER BY rowid "
            f"ON CONFLICT (operator, site_id) DO UPDATE SET {sets}, "
            f"updated_at=excluded.updated_at, batch_id=excluded.batch_id WHERE {changed}")
        written = 0
        for start in range(0, n, MERGE_CHUNK):
            stop = min(start + MERGE_CHUNK, n)
            cur = db.execute(statement, (operator, now, now, batch_id, start, stop))
            written += max(cur.rowcount, 0)
            if progress is not None:
                progress(stop, n)
        if rebuild:
            for name, columns in SITE_INDEXES:
                db.execute(f"CREATE INDEX {name} ON sites ({columns})")
        inserted = n - existing
        updated = written - inserted
        return inserted, updated, existing - updated, reverted

    @staticmethod
    def _bulk_load(db: sqlite3.Connection, incoming: int) -> bool:
        """True when ``incoming`` rows outnumber all stored sites (counted up to that)."""
        if incoming < BULK_MIN_ROWS:
            return False
        stored = db.execute("SELECT count(*) FROM (SELECT 1 FROM sites LIMIT ?)",
                            (incoming,)).fetchone()[0]
        return stored < incoming

    def delete_synthetic(self, actor: str) -> int:
        """Delete every synthetic demo site in one transaction; return how many went.

        Recorded as one batch per operator the demo was filed under (mode ``delete``)."""
        with self._write() as db:
            counts = db.execute("SELECT operator, count(*) FROM sites WHERE synthetic=1 "
                                "GROUP BY operator").fetchall()
            for operator, n in counts:
                batch_id = self._insert_batch(db, BatchInfo(
                    operator=operator, actor=actor, source="synthetic", mode="delete",
                    synthetic=True))
                db.execute("UPDATE batches SET rows_read=?, updated=? WHERE id=?",
                           (n, n, batch_id))
            gone = db.execute("DELETE FROM sites WHERE synthetic=1").rowcount
        return gone

    def batch(self, batch_id: str) -> dict | None:
        """One batch with its stored errors (first 1,000), or None."""
        with self._read() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM batches WHERE id=?", (batch_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["errors"] = orjson.loads(out.pop("errors_json") or "[]")
        return out

    def delete(self, operator: str, site_id: str, info: BatchInfo) -> bool:
        """Delete one site (recorded as a batch); False when it did not exist.

        The site is kept in ``retired_sites`` under the delete's batch, as a replace
        batch keeps the sites it retires: every deletion of a site can be audited and
        undone by hand, whichever way it was made.
        """
        columns = ", ".join(RETIRED_COLUMNS)
        with self._write() as db:
            batch_id = self._insert_batch(db, info)
            db.execute(f"INSERT INTO retired_sites (batch_id, {columns}, last_batch_id) "
                       f"SELECT ?, {columns}, batch_id FROM sites WHERE operator=? AND "
                       "site_id=?", (batch_id, operator, site_id))
            gone = db.execute("DELETE FROM sites WHERE operator=? AND site_id=?",
                              (operator, site_id)).rowcount
            db.execute("UPDATE batches SET rows_read=1, updated=?, retired=? WHERE id=?",
                       (gone, gone, batch_id))
        return gone > 0

    def _where(self, q: SiteQuery) -> tuple[str, list]:
        clauses: list[str] = []
        params: list[object] = []
        if q.operators is not None:
            clauses.append(f"operator IN ({','.join('?' * len(q.operators))})")
            params += list(q.operators)
        if q.bbox is not None:
            clauses.append("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?")
            x0, y0, x1, y1 = q.bbox
            params += [x0, x1, y0, y1]
        for name, value in q.equals:
            if name not in QUERYABLE:
                raise KeyError(name)
            clauses.append(f"{name} = ?")
            params.append(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def query(self, q: SiteQuery) -> tuple[pd.DataFrame, int]:
        """One page of sites (ordered by operator, site_id) and the total matched."""
        where, params = self._where(q)
        with self._read() as db:
            total = db.execute(f"SELECT count(*) FROM sites{where}", params).fetchone()[0]
            page = pd.read_sql_query(
                f"SELECT * FROM sites{where} ORDER BY operator, site_id LIMIT ? OFFSET ?", db,
                params=[*params, q.limit, q.offset])
        return page, int(total)

    def get(self, operator: str, site_id: str) -> dict | None:
        """One site as a dict, or None."""
        with self._read() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM sites WHERE operator=? AND site_id=?",
                             (operator, site_id)).fetchone()
        return dict(row) if row else None

    def county_totals(self, operators: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Counts per county, status, type and synthetic flag."""
        where, params = self._where(SiteQuery(operators=operators))
        with self._read() as db:
            return pd.read_sql_query(
                f"SELECT county_adcode, operator, status, type, synthetic, count(*) AS n "
                f"FROM sites{where} GROUP BY county_adcode, operator, status, type, synthetic",
                db, params=params)

    def batches(self, operators: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        """Recent batches, newest first (errors omitted; counts kept)."""
        where, params = self._where(SiteQuery(operators=operators))
        with self._read() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                f"SELECT id, operator, actor, created_at, source, filename, coord_sys, mode, "
                f"rows_read, inserted, updated, unchanged, rejected, retired, synthetic, job_id "
                f"FROM batches"
                f"{where} ORDER BY created_at DESC LIMIT ?", [*params, limit]).fetchall()
        return [dict(r) for r in rows]

    def count(self) -> int:
        """Number of stored sites."""
        with self._read() as db:
            return db.execute("SELECT count(*) FROM sites").fetchone()[0]

    def fingerprint(self) -> str:
        """Changes whenever the stored sites change (count and latest update)."""
        with self._read() as db:
            n, last = db.execute("SELECT count(*), max(updated_at) FROM sites").fetchone()
            deleted = db.execute("SELECT count(*) FROM batches").fetchone()[0]
        return f"{n}:{last}:{deleted}"

    def retired_sites(self, batch_id: str) -> pd.DataFrame:
        """The sites a replace or single-site delete batch retired, as stored before it."""
        with self._read() as db:
            return pd.read_sql_query(
                "SELECT * FROM retired_sites WHERE batch_id=? ORDER BY site_id", db,
                params=[batch_id])

    # ------------------------------------------------------------------ import jobs

    def save_job(self, job: dict[str, Any]) -> None:
        """Insert or overwrite one import job (``report``/``error`` stored as JSON).

        Stamped with this instance (``host``): the one whose restart fails it.
        """
        with self._write() as db:
            db.execute(f"INSERT OR REPLACE INTO import_jobs ({', '.join(JOB_COLUMNS)}, host) "
                       f"VALUES ({', '.join('?' * (len(JOB_COLUMNS) + 1))})",
                       [*job_values(job), self.host])

    def job(self, job_id: str) -> dict[str, Any] | None:
        """One import job as ``save_job`` took it, or None."""
        with self._read() as db:
            db.row_factory = sqlite3.Row
            row = db.execute(f"SELECT {', '.join(JOB_COLUMNS)} FROM import_jobs WHERE id=?",
                             (job_id,)).fetchone()
        return None if row is None else job_from_row(row)

    def interrupt_jobs(self, error: dict[str, Any], finished_at: str) -> int:
        """Mark this instance's queued or running jobs failed with ``error`` (a restart
        lost them); jobs saved before migration 4 have no host and are failed too."""
        with self._write() as db:
            return db.execute(
                "UPDATE import_jobs SET state='failed', phase='finished', finished_at=?, "
                "error_json=? WHERE state IN ('queued', 'running') AND "
                "(host=? OR host IS NULL)",
                (finished_at, orjson.dumps(error).decode(), self.host)).rowcount

    def prune_jobs(self, finished_before: str) -> int:
        """Forget jobs that finished before ``finished_before`` (their batches stay)."""
        with self._write() as db:
            return db.execute("DELETE FROM import_jobs WHERE finished_at < ?",
                              (finished_before,)).rowcount

    # ------------------------------------------------------------------ target overrides

    def record_target_override(self, adcode: str, year: int, value: int | None,
                               previous_value: int | None, actor: str,
                               note: str | None = None) -> None:
        """Append an override (value None = back to the allocation); history is kept."""
        with self._write() as db:
            db.execute("INSERT INTO target_overrides (adcode, year, value, previous_value, "
                       "actor, created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (adcode, year, value, previous_value, actor, _now(), note))

    def target_overrides(self, history: bool = False) -> pd.DataFrame:
        """Overrides: the latest per (adcode, year), or every row with ``history``."""
        latest = "" if history else (
            " WHERE id IN (SELECT max(id) FROM target_overrides GROUP BY adcode, year)")
        with self._read() as db:
            return pd.read_sql_query(
                "SELECT adcode, year, value, previous_value, actor, created_at, note FROM "
                f"target_overrides{latest} ORDER BY id", db)

    # ------------------------------------------------------------------ keys

    def create_key(self, role: str, operator: str | None, label: str | None) -> tuple[ApiKey,
                                                                                      str]:
        """Store a new key (hashed) and return it with its secret."""
        secret = "gza_" + secrets.token_urlsafe(32)
        key = ApiKey(uuid.uuid4().hex[:12], role, operator, label, _now(), None)
        with self._write() as db:
            db.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, NULL)",
                       (key.id, _hash(secret), role, operator, label, key.created_at))
        return key, secret

    def key_for_secret(self, secret: str) -> ApiKey | None:
        """The active key whose secret hashes to the stored hash."""
        with self._read() as db:
            row = db.execute("SELECT id, role, operator, label, created_at, revoked_at FROM "
                             "api_keys WHERE key_hash=? AND revoked_at IS NULL",
                             (_hash(secret),)).fetchone()
        return ApiKey(*row) if row else None

    def revoke_key(self, key_id: str) -> bool:
        """Revoke ``key_id``; False when unknown or already revoked."""
        with self._write() as db:
            return db.execute("UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS "
                              "NULL", (_now(), key_id)).rowcount > 0

    def list_keys(self) -> list[ApiKey]:
        """Every key, newest first."""
        with self._read() as db:
            rows = db.execute("SELECT id, role, operator, label, created_at, revoked_at FROM "
                              "api_keys ORDER BY created_at DESC").fetchall()
        return [ApiKey(*r) for r in rows]

    def integrity_ok(self) -> bool:
        """Run SQLite's integrity check (used after crash tests and at start-up)."""
        with self._read() as db:
            return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
