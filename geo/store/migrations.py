"""Numbered schema migrations of both stores, kept side by side so a number means one change.

Migration *n* of SQLite and migration *n* of PostGIS make the same logical schema: the
numbers are what a data dir or database records (SQLite ``PRAGMA user_version``, PostGIS
table ``atlas_schema``), so an existing SQLite data dir keeps its number and meaning. A
new change appends one script to **both** tuples; ``LATEST`` is their common length.

PostGIS-only objects (geometry column and GiST index, the counties table of the spatial
join, the ``atlas_operator`` role and row-level security) are created in the migration that
creates the table they belong to.
"""

from __future__ import annotations

from geo.errors import StoreSchemaError

SQLITE: tuple[str, ...] = (
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
    # mode=replace retires (deletes) the sites a file lacks: each is kept here as it was,
    # with the batch that retired it, so the deletion can be audited and undone by hand.
    # Import jobs (Prefer: respond-async) keep their state here so a status URL outlives
    # a restart.
    """
    ALTER TABLE batches ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE batches ADD COLUMN job_id TEXT;
    CREATE TABLE retired_sites (
        batch_id TEXT NOT NULL REFERENCES batches(id), operator TEXT NOT NULL,
        site_id TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL, type TEXT NOT NULL,
        band TEXT, status TEXT NOT NULL, commissioned TEXT, county_adcode TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_batch_id TEXT NOT NULL,
        PRIMARY KEY (batch_id, site_id)
    ) WITHOUT ROWID;
    CREATE INDEX retired_sites_site ON retired_sites (operator, site_id);
    CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY, operator TEXT NOT NULL, actor TEXT NOT NULL, filename TEXT,
        mode TEXT NOT NULL, coord_sys TEXT NOT NULL, state TEXT NOT NULL, phase TEXT,
        rows_total INTEGER, rows_validated INTEGER NOT NULL DEFAULT 0,
        rows_done INTEGER NOT NULL DEFAULT 0, submitted_at TEXT NOT NULL, started_at TEXT,
        finished_at TEXT, batch_id TEXT, report_json TEXT, error_json TEXT
    );
    CREATE INDEX import_jobs_state ON import_jobs (state);
    """,
    # Several app hosts may share one store (PostGIS): each job records the instance that
    # runs it (``geo.store.base.instance_id``), so a restart fails only its own unfinished
    # jobs. Jobs from before this migration have none and are failed by any restart.
    """
    ALTER TABLE import_jobs ADD COLUMN host TEXT;
    CREATE INDEX import_jobs_host ON import_jobs (host, state);
    """,
)

# The role a transaction takes on when it acts for one operator (``SET LOCAL ROLE``): not a
# superuser, not the tables' owner, so PostgreSQL applies the row-level security policies.
OPERATOR_ROLE = "atlas_operator"

POSTGIS: tuple[str, ...] = (
    f"""
    CREATE EXTENSION IF NOT EXISTS postgis;
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OPERATOR_ROLE}') THEN
            CREATE ROLE {OPERATOR_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
        IF NOT pg_has_role(current_user, '{OPERATOR_ROLE}', 'MEMBER') THEN
            EXECUTE format('GRANT {OPERATOR_ROLE} TO %I', current_user);
        END IF;
    END $$;
    -- the operators a transaction acts for (set_config('atlas.operator', ..., true)),
    -- separated by U+001F; unset or empty = none, so a forgotten scope returns no rows
    CREATE FUNCTION atlas_scope() RETURNS text[] LANGUAGE sql STABLE AS
        $$ SELECT string_to_array(nullif(current_setting('atlas.operator', true), ''),
                                  chr(31)) $$;
    CREATE TABLE batches (
        id TEXT PRIMARY KEY, operator TEXT COLLATE "C" NOT NULL, actor TEXT NOT NULL,
        created_at TEXT NOT NULL, source TEXT NOT NULL, filename TEXT, coord_sys TEXT,
        mode TEXT, rows_read INTEGER NOT NULL DEFAULT 0, inserted INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0, errors_json TEXT,
        synthetic INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX batches_created ON batches (created_at);
    CREATE TABLE sites (
        operator TEXT COLLATE "C" NOT NULL, site_id TEXT COLLATE "C" NOT NULL,
        lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
        type TEXT NOT NULL, band TEXT, status TEXT NOT NULL, commissioned TEXT,
        county_adcode TEXT COLLATE "C" NOT NULL, synthetic INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        geom geometry(Point, 4326) NOT NULL,
        PRIMARY KEY (operator, site_id)
    );
    CREATE INDEX sites_county ON sites (county_adcode);
    CREATE INDEX sites_geom ON sites USING gist (geom);
    CREATE INDEX sites_batch ON sites (batch_id);
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
        operator TEXT, label TEXT, created_at TEXT NOT NULL, revoked_at TEXT
    );
    -- the shipped county boundaries, filled on first open; partition: no two overlap
    CREATE TABLE counties (
        adcode TEXT COLLATE "C" PRIMARY KEY, parent_adcode TEXT NOT NULL, name TEXT NOT NULL,
        geom geometry(MultiPolygon, 4326) NOT NULL
    );
    CREATE INDEX counties_geom ON counties USING gist (geom);
    CREATE TABLE counties_meta (loaded_at TEXT NOT NULL, partition BOOLEAN NOT NULL);
    ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
    ALTER TABLE sites FORCE ROW LEVEL SECURITY;
    ALTER TABLE batches ENABLE ROW LEVEL SECURITY;
    ALTER TABLE batches FORCE ROW LEVEL SECURITY;
    CREATE POLICY owner_all ON sites TO CURRENT_USER USING (true) WITH CHECK (true);
    CREATE POLICY owner_all ON batches TO CURRENT_USER USING (true) WITH CHECK (true);
    CREATE POLICY operator_scope ON sites TO {OPERATOR_ROLE}
        USING (operator = ANY (atlas_scope())) WITH CHECK (operator = ANY (atlas_scope()));
    CREATE POLICY operator_scope ON batches TO {OPERATOR_ROLE}
        USING (operator = ANY (atlas_scope())) WITH CHECK (operator = ANY (atlas_scope()));
    GRANT SELECT, INSERT, UPDATE, DELETE ON sites, batches TO {OPERATOR_ROLE};
    -- Row-level security evaluates its policy before any non-LEAKPROOF condition, and
    -- PostGIS's && is not LEAKPROOF: under the operator role a bbox would scan all the
    -- operator's rows instead of the GiST index. This function reads a bbox as the owner
    -- (index scan) and applies the scope itself, with the policy's own expression: it
    -- returns nothing outside atlas_scope(), and nothing at all without one.
    CREATE FUNCTION atlas_sites_in_bbox(x0 float8, y0 float8, x1 float8, y1 float8)
        RETURNS SETOF sites LANGUAGE sql STABLE SECURITY DEFINER ROWS 1000
        SET search_path = public, pg_temp AS
        $$ SELECT * FROM sites s WHERE s.geom && ST_MakeEnvelope(x0, y0, x1, y1, 4326)
             AND s.operator = ANY (atlas_scope()) $$;
    REVOKE ALL ON FUNCTION atlas_sites_in_bbox(float8, float8, float8, float8) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION atlas_sites_in_bbox(float8, float8, float8, float8)
        TO {OPERATOR_ROLE};
    GRANT SELECT ON counties, counties_meta TO {OPERATOR_ROLE};
    """,
    """
    CREATE TABLE target_overrides (
        id BIGSERIAL PRIMARY KEY, adcode TEXT NOT NULL, year INTEGER NOT NULL,
        value INTEGER, previous_value INTEGER, actor TEXT NOT NULL, created_at TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX target_overrides_key ON target_overrides (adcode, year, id);
    """,
    f"""
    ALTER TABLE batches ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE batches ADD COLUMN job_id TEXT;
    CREATE TABLE retired_sites (
        batch_id TEXT NOT NULL REFERENCES batches(id), operator TEXT COLLATE "C" NOT NULL,
        site_id TEXT COLLATE "C" NOT NULL, lon DOUBLE PRECISION NOT NULL,
        lat DOUBLE PRECISION NOT NULL, type TEXT NOT NULL,
        band TEXT, status TEXT NOT NULL, commissioned TEXT, county_adcode TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_batch_id TEXT NOT NULL,
        PRIMARY KEY (batch_id, site_id)
    );
    CREATE INDEX retired_sites_site ON retired_sites (operator, site_id);
    CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY, operator TEXT COLLATE "C" NOT NULL, actor TEXT NOT NULL,
        filename TEXT, mode TEXT NOT NULL, coord_sys TEXT NOT NULL, state TEXT NOT NULL,
        phase TEXT, rows_total INTEGER, rows_validated INTEGER NOT NULL DEFAULT 0,
        rows_done INTEGER NOT NULL DEFAULT 0, submitted_at TEXT NOT NULL, started_at TEXT,
        finished_at TEXT, batch_id TEXT, report_json TEXT, error_json TEXT
    );
    CREATE INDEX import_jobs_state ON import_jobs (state);
    ALTER TABLE retired_sites ENABLE ROW LEVEL SECURITY;
    ALTER TABLE retired_sites FORCE ROW LEVEL SECURITY;
    ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY;
    ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY;
    CREATE POLICY owner_all ON retired_sites TO CURRENT_USER USING (true) WITH CHECK (true);
    CREATE POLICY owner_all ON import_jobs TO CURRENT_USER USING (true) WITH CHECK (true);
    CREATE POLICY operator_scope ON retired_sites TO {OPERATOR_ROLE}
        USING (operator = ANY (atlas_scope())) WITH CHECK (operator = ANY (atlas_scope()));
    CREATE POLICY operator_scope ON import_jobs TO {OPERATOR_ROLE}
        USING (operator = ANY (atlas_scope())) WITH CHECK (operator = ANY (atlas_scope()));
    GRANT SELECT, INSERT, DELETE ON retired_sites TO {OPERATOR_ROLE};
    GRANT SELECT, UPDATE ON import_jobs TO {OPERATOR_ROLE};
    """,
    """
    ALTER TABLE import_jobs ADD COLUMN host TEXT;
    CREATE INDEX import_jobs_host ON import_jobs (host, state);
    """,
)

if len(SQLITE) != len(POSTGIS):  # pragma: no cover - a change added to one backend only
    raise RuntimeError("geo.store.migrations: SQLITE and POSTGIS must have the same numbers")
LATEST = len(SQLITE)


def check_version(found: int, backend: str, upgrade_allowed: bool) -> None:
    """Raise ``StoreSchemaError`` when a stored schema cannot be used by this code.

    Newer than the code: always (an older release must not write a schema it does not
    know). Older: unless the caller is about to upgrade it (``upgrade_allowed``).
    """
    if found > LATEST:
        raise StoreSchemaError(
            f"数据库结构版本 {found} 比程序 ({LATEST}) 新，请升级 ganzhou-atlas "
            f"(the {backend} store's schema {found} is newer than this code's {LATEST}; "
            "upgrade ganzhou-atlas)", found=found, expected=LATEST, backend=backend)
    if found < LATEST and not upgrade_allowed:
        raise StoreSchemaError(
            f"数据库结构版本 {found} 过旧 (需要 {LATEST})，请运行 `ganzhou-atlas db upgrade` "
            f"(the {backend} store's schema {found} is older than this code's {LATEST}; "
            "run `ganzhou-atlas db upgrade`)", found=found, expected=LATEST, backend=backend)


def statements(script: str) -> list[str]:
    """The statements of a SQLite script (split on ``;``: no script has one in a literal)."""
    return [s for s in script.split(";") if s.strip()]
