"""The store for many workers and whole-province inventories: PostgreSQL with PostGIS.

Same behaviour as ``SqliteSiteStore`` (the tests run against both), with what a shared
database adds:

* **County join in the database.** A batch is binary-``COPY``-ed into a temp staging
  table and each site's county found there with ``ST_Contains`` against the shipped
  counties (``_county_join``): the county validation named is confirmed, any other point
  searched in the counties' GiST index, with the locator's rule (the first county by adcode
  containing the point, among the configured region's). Stored counties therefore equal
  the SQLite store's, which keeps validation's (``geo.inventory.locate``).
* **Whole batch or nothing, under concurrency.** Stage, locate and merge run in one
  transaction; the merge takes a transaction-level advisory lock per operator, so two
  batches of one operator queue (their insert/update counts stay exact) while batches of
  different operators merge in parallel (their rows never overlap). A killed client's
  transaction is rolled back by the server.
* **Operator isolation in the database.** A read or write on behalf of operators runs as
  the role ``atlas_operator`` (``SET LOCAL ROLE``: not superuser, not owner) with
  ``atlas.operator`` set for that transaction only; row-level security policies (``FORCE``d
  on the owner too) then return and accept only those operators' rows, even for a query
  that forgets its ``WHERE operator``. "On behalf of" is ``SiteQuery.operators`` (and the
  ``operator``/``operators`` argument of the other calls): a tuple scopes, None (planner,
  admin) reads as the owner. ``scoped`` hands out such a connection.
* **Index-backed reads.** bbox by ``geom && envelope`` (GiST; an operator-scoped bbox via
  ``atlas_sites_in_bbox``, see ``_source``); pages ordered by the primary key; a deep
  page finds its keys by an index-only scan first (deferred join), so ``limit``/``offset``
  keep their meaning without fetching the skipped rows.

Schema versions are ``geo.store.migrations.POSTGIS``. An empty database is migrated on
first open (like SQLite); a database at an older version is refused until
``ganzhou-atlas db upgrade`` (``upgrade()``), because several workers share it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import orjson
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.rows import dict_row

from geo.admin import GANZHOU_ADCODE
from geo.boundaries import read_level
from geo.errors import ConflictError
from geo.settings import AtlasSettings
from geo.store.base import (
    RETIRED_COLUMNS,
    BatchInfo,
    ImportReport,
    SiteQuery,
    StoreProgress,
    instance_id,
)
from geo.store.migrations import LATEST, OPERATOR_ROLE, check_version
from geo.store.pgconn import MIGRATION_LOCK, Pool, redact, schema_version, upgrade
from geo.store.pgcopy import copy_chunks
from geo.store.pgrecords import PgRecords
from geo.store.pgrecords import now as _now

SITE_COLUMNS = ("operator", "site_id", "lon", "lat", "type", "band", "status",
                "commissioned", "county_adcode", "synthetic", "created_at", "updated_at",
                "batch_id")
STAGED = ("site_id", "lon", "lat", "type", "band", "status", "commissioned",
          "county_adcode", "synthetic")
QUERYABLE = {"site_id", "type", "band", "status", "county_adcode", "synthetic", "operator"}
_COMPARED = ("lon", "lat", "type", "band", "status", "commissioned", "county_adcode",
             "synthetic")
BATCH_COLUMNS = ("id", "operator", "actor", "created_at", "source", "filename", "coord_sys",
                 "mode", "rows_read", "inserted", "updated", "unchanged", "rejected",
                 "retired", "synthetic", "job_id")
# The secondary indexes of ``sites`` (migration 1), dropped and rebuilt by a bulk load.
SITE_INDEXES = (("sites_county", "(county_adcode)"), ("sites_geom", "USING gist (geom)"),
                ("sites_batch", "(batch_id)"))
BULK_MIN_ROWS = 10_000
MERGE_CHUNK = 50_000  # staged rows per INSERT ... ON CONFLICT (progress after each)
MAX_LISTED = 1000
SCOPE_SEPARATOR = "\x1f"  # between operators in atlas.operator (atlas_scope() splits on it)


class PostgisSiteStore(PgRecords):
    """``SiteStore`` over one PostgreSQL database with PostGIS (``ATLAS_DATABASE_URL``)."""

    def __init__(self, url: str, settings: AtlasSettings, migrate_empty: bool = True,
                 host: str | None = None) -> None:
        self.url = url
        self.settings = settings
        # whose import jobs a restart fails: several app hosts share this database
        self.host = host or instance_id(settings.data_dir)
        self.region = settings.inventory_region
        self._pool = Pool(url)
        self._counties_lock = threading.Lock()
        found = schema_version(url)
        if found == 0 and migrate_empty:
            upgrade(url)
        else:
            check_version(found, "postgis", upgrade_allowed=False)
        self._load_counties()

    def __repr__(self) -> str:  # never the password
        return f"PostgisSiteStore({redact(self.url)!r})"

    def close(self) -> None:
        """Close the idle pooled connections."""
        self._pool.close()

    # ------------------------------------------------------------------ connections

    @contextmanager
    def _tx(self, operators: Sequence[str] | None = None) -> Iterator[psycopg.Connection]:
        """One transaction, committed whole or rolled back whole; scoped to ``operators``.

        Scoped: ``SET LOCAL ROLE atlas_operator`` and ``atlas.operator`` for this
        transaction only, so row-level security admits only those operators' rows.
        """
        with self._pool.connection() as conn, conn.transaction():
            if operators is not None:  # one round trip: SET LOCAL ROLE and the scope
                conn.execute("SELECT set_config('role', %s, true), "
                             "set_config('atlas.operator', %s, true)",
                             [OPERATOR_ROLE, SCOPE_SEPARATOR.join(operators)])
            yield conn

    @contextmanager
    def scoped(self, operator: str) -> Iterator[psycopg.Connection]:
        """A connection in a transaction acting for ``operator`` (rolled back after).

        What every operator-scoped call of this store runs on; exposed so tests (and an
        admin's console) can check what raw SQL sees there.
        """
        with self._pool.connection() as conn:
            conn.execute("BEGIN")
            try:
                conn.execute(f"SET LOCAL ROLE {OPERATOR_ROLE}")
                conn.execute("SELECT set_config('atlas.operator', %s, true)", [operator])
                yield conn
            finally:
                conn.execute("ROLLBACK")

    def schema_version(self) -> tuple[int, int]:
        """(version stored, version of the code)."""
        return schema_version(self.url), LATEST

    # ------------------------------------------------------------------ counties

    def _load_counties(self) -> None:
        """Fill ``counties`` from the shipped boundaries once; read whether they overlap."""
        with self._counties_lock, self._tx() as conn:
            meta = conn.execute("SELECT partition FROM counties_meta").fetchone()
            if meta is None:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK + 1])
                meta = conn.execute("SELECT partition FROM counties_meta").fetchone()
            if meta is None:
                meta = (self._fill_counties(conn),)
        self._partition = bool(meta[0])

    def _fill_counties(self, conn: psycopg.Connection) -> bool:
        gdf = read_level(self.settings, "county").sort_values("adcode")
        with conn.cursor() as cur, cur.copy(
                "COPY counties (adcode, parent_adcode, name, geom) FROM STDIN") as copy:
            for adcode, parent, name, geom in zip(gdf["adcode"], gdf["parent_adcode"],
                                                  gdf["name"], gdf.geometry, strict=True):
                multi = shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom
                copy.write_row((adcode, parent, name,
                                "SRID=4326;" + shapely.to_wkb(multi, hex=True)))
        conn.execute("ANALYZE counties")
        row = conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM counties a JOIN counties b ON a.adcode < "
            "b.adcode AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, 'T********'))"
        ).fetchone()
        partition = bool(row and row[0])
        conn.execute("INSERT INTO counties_meta VALUES (%s, %s)", [_now(), partition])
        return partition

    def _region_filter(self, alias: str) -> sql.Composable:
        if self.region == "ganzhou":
            return sql.SQL("AND {}.parent_adcode = {}").format(sql.Identifier(alias),
                                                              sql.Literal(GANZHOU_ADCODE))
        return sql.SQL("")

    def locate(self, lon: np.ndarray, lat: np.ndarray,
               hints: np.ndarray | None = None) -> np.ndarray:
        """The county the database gives each point (None outside): ``upsert_batch``'s join.

        ``hints``: the counties validation found (as ``upsert_batch`` passes them), default
        none - then every point takes the index search.
        """
        n = len(lon)
        frame = pd.DataFrame({"site_id": [f"{i:012d}" for i in range(n)], "lon": lon,
                              "lat": lat, "type": "", "status": "",
                              "county_adcode": [None] * n if hints is None else hints})
        with self._tx() as conn:
            self._stage(conn, frame, BatchInfo(operator="", actor="", source="locate"))
            rows = conn.execute("SELECT n, county_adcode FROM located").fetchall()
        out = np.full(n, None, dtype=object)
        for number, county in rows:
            out[number - 1] = county
        return out

    # ------------------------------------------------------------------ batches and sites

    @staticmethod
    def _insert_batch(conn: psycopg.Connection, info: BatchInfo) -> str:
        batch_id = uuid.uuid4().hex
        conn.execute(
            "INSERT INTO batches (id, operator, actor, created_at, source, filename, coord_sys,"
            " mode, synthetic, job_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (batch_id, info.operator, info.actor, _now(), info.source, info.filename,
             info.coord_sys, info.mode, int(info.synthetic), info.job_id))
        return batch_id

    def upsert_batch(self, sites: pd.DataFrame, info: BatchInfo, rows_read: int,
                     errors: list[dict], rejected: int | None = None,
                     progress: StoreProgress | None = None,
                     complete_job: bool = False) -> ImportReport:
        """Insert new and update changed sites of ``info.operator`` in one transaction.

        Staged by ``COPY`` and located before the operator's merge lock is taken (another
        batch of the same operator waits only for the merge).
        """
        rejected = len({e["row"] for e in errors}) if rejected is None else rejected
        replace = info.mode == "replace" and len(sites) > 0
        with self._tx((info.operator,)) as conn:
            n = self._stage(conn, sites, info)
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                         ["atlas.sites/" + info.operator])
            batch_id = self._insert_batch(conn, info)
            inserted, updated, unchanged, reverted = self._merge(
                conn, n, info.operator, batch_id, create=info.mode == "create",
                progress=progress)
            retired, retired_total = (type(self)._retire(conn, info.operator, batch_id)
                                      if replace else (None, 0))
            conn.execute(
                "UPDATE batches SET rows_read=%s, inserted=%s, updated=%s, unchanged=%s, "
                "rejected=%s, errors_json=%s, retired=%s WHERE id=%s",
                (rows_read, inserted, updated, unchanged, rejected,
                 orjson.dumps(errors[:MAX_LISTED]).decode(), retired_total, batch_id))
            report = ImportReport(batch_id, info.operator, rows_read, inserted, updated,
                                  unchanged, rejected, errors, reverted, retired,
                                  retired_total)
            if complete_job and info.job_id:
                conn.execute(
                    "UPDATE import_jobs SET state='done', phase='finished', finished_at=%s, "
                    "batch_id=%s, rows_total=%s, rows_validated=%s, rows_done=%s, "
                    "report_json=%s WHERE id=%s",
                    (_now(), batch_id, rows_read, rows_read, n,
                     orjson.dumps(report.as_dict()).decode(), info.job_id))
        return report

    def _stage(self, conn: psycopg.Connection, sites: pd.DataFrame, info: BatchInfo) -> int:
        """Binary-COPY the validated rows into ``incoming``; locate them into ``located``.

        ``located`` holds each row's point and the county the database finds for it
        (``_county_join``), numbered by site_id (``n``): the merge goes in key order, in
        chunks of ``n``. Both tables are dropped at commit or rollback.
        """
        conn.execute("CREATE TEMP TABLE incoming (site_id text COLLATE \"C\", lon float8, "
                     "lat float8, type text, band text, status text, commissioned text, "
                     "hint text COLLATE \"C\", synthetic integer) ON COMMIT DROP")
        n = len(sites)
        if n:
            frame = sites.reindex(columns=list(STAGED[:-1]))
            columns: list[tuple[str, np.ndarray]] = []
            for name in STAGED[:-1]:
                values = frame[name].to_numpy(dtype=object, copy=True)
                values[pd.isna(values)] = None
                kind = "float8" if name in ("lon", "lat") else "text"
                columns.append((kind, values.astype(float) if kind == "float8" else values))
            columns.append(("int4", np.full(n, int(info.synthetic), dtype=np.int32)))
            with conn.cursor() as cur, cur.copy(
                    "COPY incoming FROM STDIN (FORMAT binary)") as copy:
                for chunk in copy_chunks(columns):
                    copy.write(chunk)
        conn.execute(self._county_join())
        conn.execute("CREATE UNIQUE INDEX ON located (n)")
        return n

    def _county_join(self) -> sql.Composed:
        """``CREATE TEMP TABLE located``: each staged row with its point and county.

        The join: the county named by validation (``hint``: ``geo.inventory.locate``) is
        confirmed with ``ST_Contains`` (hash join on adcode; rows sorted by it, so PostGIS
        reuses each county's prepared polygon instead of rebuilding it per row). A row whose
        county is not confirmed gets the first county by adcode that contains it, from the
        GiST index. Shipped counties do not overlap (checked at load, ``partition``), so
        the confirmed county is that first county too: the locator's rule, exactly. Were
        they to overlap, every row would take the index search.
        """
        search = sql.SQL(
            "(SELECT min(c2.adcode) FROM counties c2 WHERE c2.geom && i.geom "
            "AND ST_Contains(c2.geom, i.geom) {region})").format(
                region=self._region_filter("c2"))
        confirm: sql.Composable = sql.SQL(
            "c.adcode = i.hint AND ST_Contains(c.geom, i.geom) {region}").format(
                region=self._region_filter("c")) if self._partition else sql.SQL("false")
        return sql.SQL(
            "CREATE TEMP TABLE located ON COMMIT DROP AS SELECT row_number() OVER "
            "(ORDER BY i.site_id) AS n, i.site_id, i.lon, i.lat, i.type, i.band, i.status, "
            "i.commissioned, coalesce(c.adcode, {search}) AS county_adcode, i.synthetic, "
            "i.geom FROM (SELECT *, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM "
            "incoming ORDER BY hint) i LEFT JOIN counties c ON {confirm}").format(
                search=search, confirm=confirm)

    @staticmethod
    def _retire(conn: psycopg.Connection, operator: str, batch_id: str
                ) -> tuple[list[str], int]:
        """Delete ``operator``'s stored real sites that ``located`` lacks; (first ids, count)."""
        missing = ("operator=%s AND synthetic=0 AND NOT EXISTS (SELECT 1 FROM located i "
                   "WHERE i.site_id = sites.site_id)")
        columns = ", ".join(RETIRED_COLUMNS)
        conn.execute(f"INSERT INTO retired_sites (batch_id, {columns}, last_batch_id) "
                     f"SELECT %s, {columns}, batch_id FROM sites WHERE {missing}",
                     (batch_id, operator))
        total = conn.execute(f"DELETE FROM sites WHERE {missing}", (operator,)).rowcount
        listed = [r[0] for r in conn.execute(
            "SELECT site_id FROM retired_sites WHERE batch_id=%s ORDER BY site_id LIMIT %s",
            (batch_id, MAX_LISTED))]
        return listed, total

    @staticmethod
    def _merge(conn: psycopg.Connection, n: int, operator: str, batch_id: str,
               create: bool = False, progress: StoreProgress | None = None
               ) -> tuple[int, int, int, list[str]]:
        """Upsert the ``n`` located rows; (inserted, updated, unchanged, reverted edits).

        As ``SqliteSiteStore._merge``: one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE
        changed`` per chunk; a count of the ids already stored splits the result.
        """
        row = conn.execute(
            "SELECT count(*) FROM located i JOIN sites s ON s.operator=%s AND "
            "s.site_id=i.site_id", (operator,)).fetchone() if n else None
        existing = int(row[0]) if row else 0
        if create and existing:
            raise ConflictError("the site exists; use PUT to replace it")
        differs = " OR ".join(f"s.{c} IS DISTINCT FROM i.{c}" for c in _COMPARED)
        reverted = [r[0] for r in conn.execute(
            "SELECT s.site_id FROM located i JOIN sites s ON s.operator=%s AND "
            "s.site_id=i.site_id JOIN batches b ON b.id=s.batch_id WHERE b.source='api' "
            f"AND b.id<>%s AND ({differs}) ORDER BY s.site_id LIMIT {MAX_LISTED}",
            (operator, batch_id))] if existing else []
        now = _now()
        changed = " OR ".join(f"sites.{c} IS DISTINCT FROM excluded.{c}" for c in _COMPARED)
        sets = ", ".join(f"{c}=excluded.{c}" for c in (*_COMPARED, "geom"))
        # none of the rows is stored (and the operator's lock keeps it so): a plain INSERT,
        # without the speculative insertion of ON CONFLICT
        upsert = "" if existing == 0 else (
            f" ON CONFLICT (operator, site_id) DO UPDATE SET {sets}, "
            f"updated_at=excluded.updated_at, batch_id=excluded.batch_id WHERE {changed}")
        statement = (
            "INSERT INTO sites (operator, site_id, lon, lat, type, band, status, "
            "commissioned, county_adcode, synthetic, created_at, updated_at, batch_id, geom) "
            "SELECT %s, site_id, lon, lat, type, band, status, commissioned, county_adcode, "
            "synthetic, %s, %s, %s, geom FROM located WHERE n > %s AND n <= %s ORDER BY n"
            + upsert)
        rebuild = PostgisSiteStore._bulk_load(conn, n)
        if rebuild:  # as the owner (the operator role may not), then back to the scope
            conn.execute("RESET ROLE")
            for name, _ in SITE_INDEXES:
                conn.execute(f"DROP INDEX {name}")
            conn.execute(f"SET LOCAL ROLE {OPERATOR_ROLE}")
        written = 0
        for start in range(0, n, MERGE_CHUNK):
            stop = min(start + MERGE_CHUNK, n)
            cur = conn.execute(statement, (operator, now, now, batch_id, start, stop))
            written += max(cur.rowcount, 0)
            if progress is not None:
                progress(stop, n)
        if rebuild:  # and fresh statistics, or the planner pages a bbox by primary key
            conn.execute("RESET ROLE")
            for name, definition in SITE_INDEXES:
                conn.execute(f"CREATE INDEX {name} ON sites {definition}")
            conn.execute("ANALYZE sites")
            conn.execute(f"SET LOCAL ROLE {OPERATOR_ROLE}")
        inserted = n - existing
        updated = written - inserted
        return inserted, updated, existing - updated, reverted

    @staticmethod
    def _bulk_load(conn: psycopg.Connection, incoming: int) -> bool:
        """True when ``incoming`` rows outnumber all stored sites (counted up to that).

        Then the secondary indexes are dropped and rebuilt once after the load, in the
        batch's transaction (``DROP INDEX`` locks ``sites`` until commit: a first load, or
        one that doubles the store, is worth a pause of readers; any other batch is not).
        """
        if incoming < BULK_MIN_ROWS:
            return False
        row = conn.execute("SELECT count(*) FROM (SELECT 1 FROM sites LIMIT %s) s",
                           (incoming,)).fetchone()
        return row is not None and int(row[0]) < incoming

    def delete_synthetic(self, actor: str) -> int:
        """Delete every synthetic demo site in one transaction (one batch per operator)."""
        with self._tx() as conn:
            conn.execute("LOCK TABLE sites IN SHARE ROW EXCLUSIVE MODE")
            counts = conn.execute("SELECT operator, count(*) FROM sites WHERE synthetic=1 "
                                  "GROUP BY operator ORDER BY operator").fetchall()
            for operator, n in counts:
                batch_id = self._insert_batch(conn, BatchInfo(
                    operator=operator, actor=actor, source="synthetic", mode="delete",
                    synthetic=True))
                conn.execute("UPDATE batches SET rows_read=%s, updated=%s WHERE id=%s",
                             (n, n, batch_id))
            return conn.execute("DELETE FROM sites WHERE synthetic=1").rowcount

    def batch(self, batch_id: str) -> dict | None:
        """One batch with its stored errors (first 1,000), or None."""
        with self._tx() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute("SELECT * FROM batches WHERE id=%s", (batch_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["errors"] = orjson.loads(out.pop("errors_json") or "[]")
        return out

    def delete(self, operator: str, site_id: str, info: BatchInfo) -> bool:
        """Delete one site (recorded as a batch); False when it did not exist.

        Kept in ``retired_sites`` under the delete's batch, as a replace batch keeps what
        it retires (``SqliteSiteStore.delete``).
        """
        columns = ", ".join(RETIRED_COLUMNS)
        with self._tx((operator, info.operator)) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                         ["atlas.sites/" + operator])
            batch_id = self._insert_batch(conn, info)
            conn.execute(f"INSERT INTO retired_sites (batch_id, {columns}, last_batch_id) "
                         f"SELECT %s, {columns}, batch_id FROM sites WHERE operator=%s AND "
                         "site_id=%s", (batch_id, operator, site_id))
            gone = conn.execute("DELETE FROM sites WHERE operator=%s AND site_id=%s",
                                (operator, site_id)).rowcount
            conn.execute("UPDATE batches SET rows_read=1, updated=%s, retired=%s WHERE id=%s",
                         (gone, gone, batch_id))
        return gone > 0

    @staticmethod
    def _where(q: SiteQuery) -> tuple[str, list]:
        clauses: list[str] = []
        params: list[object] = []
        if q.operators is not None:
            clauses.append("operator = ANY(%s)")
            params.append(list(q.operators))
        if q.bbox is not None and q.operators is None:  # scoped: see _source
            clauses.append("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
            params += [float(v) for v in q.bbox]
        for name, value in q.equals:
            if name not in QUERYABLE:
                raise KeyError(name)
            clauses.append(f"{name}::text = %s::text")
            params.append(str(value))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _source(q: SiteQuery) -> tuple[str, list]:
        """The relation a query reads: ``sites``, or a scoped bbox's index-backed function.

        Under the operator role row-level security would keep the GiST index from a bbox
        (PostGIS's && is not LEAKPROOF); ``atlas_sites_in_bbox`` (migration 1) reads the
        bbox by index as the owner and applies the same scope as the policy.
        """
        if q.bbox is not None and q.operators is not None:
            return "atlas_sites_in_bbox(%s, %s, %s, %s)", [float(v) for v in q.bbox]
        return "sites", []

    @staticmethod
    def _frame(cur: psycopg.Cursor, columns: Sequence[str] | None = None) -> pd.DataFrame:
        names = list(columns) if columns else [d.name for d in cur.description or []]
        return pd.DataFrame(cur.fetchall(), columns=names)

    def query(self, q: SiteQuery) -> tuple[pd.DataFrame, int]:
        """One page of sites (ordered by operator, site_id) and the total matched."""
        where, params = self._where(q)
        source, source_params = self._source(q)
        with self._tx(q.operators) as conn, conn.cursor() as cur:
            if source != "sites":
                return self._bbox_page(cur, q, source, [*source_params, *params], where)
            row = cur.execute(f"SELECT count(*) FROM sites s{where}", params).fetchone()
            total = int(row[0]) if row else 0
            # a deep page finds its keys by an index-only scan first
            columns = ", ".join(f"s.{c}" for c in SITE_COLUMNS)
            cur.execute(
                f"SELECT {columns} FROM sites s JOIN (SELECT operator, site_id FROM "
                f"sites{where} ORDER BY operator, site_id LIMIT %s OFFSET %s) k "
                "ON s.operator = k.operator AND s.site_id = k.site_id "
                "ORDER BY s.operator, s.site_id", [*params, q.limit, q.offset])
            page = self._frame(cur, SITE_COLUMNS)
        return page, total

    @staticmethod
    def _bbox_page(cur: psycopg.Cursor, q: SiteQuery, source: str, params: list,
                   where: str) -> tuple[pd.DataFrame, int]:
        """A scoped bbox's page and total from one call of ``atlas_sites_in_bbox``.

        The function is ``SECURITY DEFINER``, so PostgreSQL cannot inline it: each call
        reads the whole bbox by index into a tuplestore. The total rides on the page as
        ``count(*) OVER ()`` instead of a second call (the bench's bbox p99 was two such
        reads); only a page past the end, which has no row to carry it, counts apart.
        """
        cur.execute(f"SELECT {', '.join(SITE_COLUMNS)}, count(*) OVER () FROM {source} "
                    f"s{where} ORDER BY operator, site_id LIMIT %s OFFSET %s",
                    [*params, q.limit, q.offset])
        rows = cur.fetchall()
        if rows:
            total = int(rows[0][-1])
        elif q.offset == 0:
            total = 0
        else:
            row = cur.execute(f"SELECT count(*) FROM {source} s{where}", params).fetchone()
            total = int(row[0]) if row else 0
        page = pd.DataFrame([r[:-1] for r in rows], columns=list(SITE_COLUMNS))
        return page, total

    def get(self, operator: str, site_id: str) -> dict | None:
        """One site as a dict, or None."""
        columns = ", ".join(SITE_COLUMNS)
        with self._tx((operator,)) as conn, \
                conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(f"SELECT {columns} FROM sites WHERE operator=%s AND "
                              "site_id=%s", (operator, site_id)).fetchone()
        return dict(row) if row else None

    def county_totals(self, operators: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Counts per county, status, type and synthetic flag."""
        where, params = self._where(SiteQuery(operators=operators))
        with self._tx(operators) as conn, conn.cursor() as cur:
            cur.execute(
                f"SELECT county_adcode, operator, status, type, synthetic, count(*) AS n "
                f"FROM sites{where} GROUP BY county_adcode, operator, status, type, synthetic",
                params)
            return self._frame(cur, ("county_adcode", "operator", "status", "type",
                                     "synthetic", "n"))

    def batches(self, operators: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        """Recent batches, newest first (errors omitted; counts kept)."""
        where, params = self._where(SiteQuery(operators=operators))
        with self._tx(operators) as conn, \
                conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(f"SELECT {', '.join(BATCH_COLUMNS)} FROM batches{where} "
                               "ORDER BY created_at DESC LIMIT %s", [*params, limit]).fetchall()
        return [dict(r) for r in rows]

    def count(self) -> int:
        """Number of stored sites."""
        with self._tx() as conn:
            row = conn.execute("SELECT count(*) FROM sites").fetchone()
        return int(row[0]) if row else 0

    def fingerprint(self) -> str:
        """Changes whenever the stored sites change (count, latest update, batches)."""
        with self._tx() as conn:
            n, last = conn.execute("SELECT count(*), max(updated_at) FROM sites").fetchone() \
                or (0, None)
            deleted = (conn.execute("SELECT count(*) FROM batches").fetchone() or (0,))[0]
        return f"{n}:{last}:{deleted}"

    def retired_sites(self, batch_id: str) -> pd.DataFrame:
        """The sites a replace or single-site delete batch retired, as stored before it."""
        with self._tx() as conn, conn.cursor() as cur:
            cur.execute("SELECT * FROM retired_sites WHERE batch_id=%s ORDER BY site_id",
                        [batch_id])
            return self._frame(cur)

    def integrity_ok(self) -> bool:
        """The store's own invariants hold: every point is its lon/lat, every county known.

        (Pages and indexes are PostgreSQL's: its WAL makes a crash roll back whole.)
        """
        with self._tx() as conn:
            row = conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM sites WHERE ST_X(geom) <> lon OR "
                "ST_Y(geom) <> lat OR county_adcode IS NULL)").fetchone()
        return bool(row and row[0])
