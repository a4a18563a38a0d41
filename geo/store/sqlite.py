"""The embedded default store: one SQLite database (WAL) under ``ATLAS_DATA_DIR``.

Why SQLite: zero set-up on a planner's machine, and its transactions give exactly the
guarantee the inventory needs - a batch is written whole or not at all, even if the process
is killed mid-import (the write-ahead log is rolled back on next open). Writers queue on the
database lock (``busy_timeout``); readers never block in WAL mode.

Schema changes are numbered migrations applied on open (``PRAGMA user_version``).
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

import numpy as np
import orjson
import pandas as pd

from geo.errors import ConflictError
from geo.store.base import ApiKey, BatchInfo, ImportReport, SiteQuery

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE batches (
        id TEXT PRIMARY KEY, operator TEXT NOT NULL, actor TEXT NOT NULL,
        created_at TEXT NOT NULL, source TEXT NOT NULL, filename TEXT, coord_sys TEXT,
        mode TEXT, rows_read INTEGER NOT NULL DEFAULT 0, inserted INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0, errors_json TEXT,
        synthetic INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE sites (
        operator TEXT NOT NULL, site_id TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
        type TEXT NOT NULL, band TEXT, status TEXT NOT NULL, commissioned TEXT,
        county_adcode TEXT NOT NULL, synthetic INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        PRIMARY KEY (operator, site_id)
    ) WITHOUT ROWID;
    CREATE INDEX sites_county ON sites (county_adcode);
    CREATE INDEX sites_lonlat ON sites (lon, lat);
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
        operator TEXT, label TEXT, created_at TEXT NOT NULL, revoked_at TEXT
    );
    """,
    """
    CREATE TABLE target_overrides (
        id INTEGER PRIMARY KEY AUTOINCREMENT, adcode TEXT NOT NULL, year INTEGER NOT NULL,
        value INTEGER, previous_value INTEGER, actor TEXT NOT NULL, created_at TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX target_overrides_key ON target_overrides (adcode, year, id);
    """,
)
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


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(secret: str) -> str:
    # Keys are 256-bit random tokens: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


class SqliteSiteStore:
    """``SiteStore`` over one SQLite file."""

    def __init__(self, path: Path, busy_timeout_s: float = 60.0) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
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
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

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
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            db.execute("BEGIN IMMEDIATE")
            if db.execute("PRAGMA user_version").fetchone()[0] >= number:
                db.execute("ROLLBACK")  # another process migrated meanwhile
                continue
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version={number}")
            db.execute("COMMIT")

    # ------------------------------------------------------------------ batches and sites

    def _insert_batch(self, db: sqlite3.Connection, info: BatchInfo) -> str:
        batch_id = uuid.uuid4().hex
        db.execute(
            "INSERT INTO batches (id, operator, actor, created_at, source, filename, coord_sys,"
            " mode, synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, info.operator, info.actor, _now(), info.source, info.filename,
             info.coord_sys, info.mode, int(info.synthetic)))
        return batch_id

    def upsert_batch(self, sites: pd.DataFrame, info: BatchInfo, rows_read: int,
                     errors: list[dict], rejected: int | None = None) -> ImportReport:
        """Insert new and update changed sites of ``info.operator`` in one transaction.

        A batch rejected whole is recorded too: call with no sites and ``rejected`` set.
        """
        rows = self._rows(sites, info)
        rejected = len({e["row"] for e in errors}) if rejected is None else rejected
        with self._write() as db:
            batch_id = self._insert_batch(db, info)
            inserted, updated, unchanged, reverted = self._merge(
                db, rows, info.operator, batch_id, create=info.mode == "create")
            db.execute(
                "UPDATE batches SET rows_read=?, inserted=?, updated=?, unchanged=?, "
                "rejected=?, errors_json=? WHERE id=?",
                (rows_read, inserted, updated, unchanged, rejected,
                 orjson.dumps(errors[:1000]).decode(), batch_id))
        return ImportReport(batch_id, info.operator, rows_read, inserted, updated, unchanged,
                            rejected, errors, reverted)

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
    def _insert_incoming(db: sqlite3.Connection, rows: np.ndarray) -> None:
        """Fill ``temp.incoming`` with ``rows``, ``INSERT_CHUNK`` rows per statement."""
        width = rows.shape[1]
        values = "(" + ", ".join("?" * width) + ")"
        flat = np.ascontiguousarray(rows).reshape(-1)
        full = len(rows) // INSERT_CHUNK * INSERT_CHUNK
        if full:
            step = INSERT_CHUNK * width
            db.executemany("INSERT INTO incoming VALUES " + ", ".join([values] * INSERT_CHUNK),
                           (flat[i:i + step].tolist() for i in range(0, full * width, step)))
        if full < len(rows):
            db.execute("INSERT INTO incoming VALUES " + ", ".join([values] * (len(rows) - full)),
                       flat[full * width:].tolist())

    @staticmethod
    def _merge(db: sqlite3.Connection, rows: np.ndarray, operator: str,
               batch_id: str, create: bool = False) -> tuple[int, int, int, list[str]]:
        """Upsert ``rows``; return (inserted, updated, unchanged, reverted API edits).

        ``create``: the rows must all be new; an id already stored raises ConflictError
        inside the transaction (so concurrent creates of one id give one 201 and 409s).
        A reverted edit is a stored site last written by a single-site API call that this
        batch changes again (a monthly re-import undoing an engineer's fix says so).

        One ``INSERT ... ON CONFLICT DO UPDATE ... WHERE changed`` writes new and changed
        rows and skips identical ones; a count of the ids already stored splits the result:
        changes = inserted + updated and existing = updated + unchanged. The rows come in
        through a temp table (multi-row INSERTs); a batch larger than the stored table is a
        bulk load (secondary indexes rebuilt after it, see ``SITE_INDEXES``).
        """
        db.execute("PRAGMA temp_store=MEMORY")
        db.execute("CREATE TEMP TABLE incoming (site_id TEXT, lon REAL, lat REAL, type TEXT, "
                   "band TEXT, status TEXT, commissioned TEXT, county_adcode TEXT, "
                   "synthetic INTEGER)")
        try:
            SqliteSiteStore._insert_incoming(db, rows)
            existing = db.execute(
                "SELECT count(*) FROM incoming i JOIN sites s ON s.operator=? AND "
                "s.site_id=i.site_id", (operator,)).fetchone()[0] if len(rows) else 0
            if create and existing:
                raise ConflictError("the site exists; use PUT to replace it")
            differs = " OR ".join(f"s.{c} IS NOT i.{c}" for c in _COMPARED)
            reverted = [r[0] for r in db.execute(
                "SELECT s.site_id FROM incoming i JOIN sites s ON s.operator=? AND "
                "s.site_id=i.site_id JOIN batches b ON b.id=s.batch_id WHERE b.source='api' "
                f"AND b.id<>? AND ({differs}) ORDER BY s.site_id LIMIT 1000",
                (operator, batch_id))] if existing else []
            now = _now()
            # In key order the table's B-tree is filled page by page, not at random places:
            # sort (in SQLite) unless the file came sorted already (str order = BINARY order).
            order = "" if pd.Index(rows[:, 0]).is_monotonic_increasing else "ORDER BY site_id "
            changed = " OR ".join(f"sites.{c} IS NOT excluded.{c}" for c in _COMPARED)
            sets = ", ".join(f"{c}=excluded.{c}" for c in _COMPARED)
            rebuild = SqliteSiteStore._bulk_load(db, len(rows))
            if rebuild:
                for name, _ in SITE_INDEXES:
                    db.execute(f"DROP INDEX {name}")
            cur = db.execute(
                "INSERT INTO sites (operator, site_id, lon, lat, type, band, status, "
                "commissioned, county_adcode, synthetic, created_at, updated_at, batch_id) "
                "SELECT ?, site_id, lon, lat, type, band, status, commissioned, county_adcode, "
                f"synthetic, ?, ?, ? FROM incoming WHERE true {order}"
                f"ON CONFLICT (operator, site_id) DO UPDATE SET {sets}, "
                f"updated_at=excluded.updated_at, batch_id=excluded.batch_id WHERE {changed}",
                (operator, now, now, batch_id))
            written = max(cur.rowcount, 0)
            if rebuild:
                for name, columns in SITE_INDEXES:
                    db.execute(f"CREATE INDEX {name} ON sites ({columns})")
        finally:
            db.execute("DROP TABLE temp.incoming")
        inserted = len(rows) - existing
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
        """Delete one site (recorded as a batch); False when it did not exist."""
        with self._write() as db:
            batch_id = self._insert_batch(db, info)
            gone = db.execute("DELETE FROM sites WHERE operator=? AND site_id=?",
                              (operator, site_id)).rowcount
            db.execute("UPDATE batches SET rows_read=1, updated=? WHERE id=?", (gone, batch_id))
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
                f"rows_read, inserted, updated, unchanged, rejected, synthetic FROM batches"
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
