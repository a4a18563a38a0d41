"""What the PostGIS store adds: the county join in the database, row-level security,
migrations, concurrent batches and a client killed mid-COPY (the shared store tests run
against it too: test_store.py, test_replace.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely

from geo.boundaries import ganzhou_counties
from geo.errors import StoreSchemaError
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.store import migrations, open_store
from geo.store.base import BatchInfo, SiteQuery
from geo.store.postgis import PostgisSiteStore, schema_version, upgrade
from tests.pg import postgis_settings, raw_rows

HEADER = "site_id,lon,lat,type,band,status,commissioned\n"


@pytest.fixture
def store(new_store):
    return new_store("postgis")


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def run(store, locator, ids, operator="中国移动", lon=114.93):
    rows = "".join(f"{i},{lon},25.83,macro,n78,on_air,2021-03-01\n" for i in ids)
    info = BatchInfo(operator=operator, actor="test", source="cli", filename="f.csv")
    return import_inventory(store, (HEADER + rows).encode(), info, locator, 100_000)


# ---------------------------------------------------------------------- county join

def _border_points(settings, rng):
    """Points on, next to and around the counties' shared borders (the hard cases)."""
    gdf = ganzhou_counties(settings)
    xy = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(gdf.geometry.values)))
    pick = xy[rng.choice(len(xy), 3000, replace=False)]
    following = xy[np.minimum(rng.choice(len(xy), 3000, replace=False) + 1, len(xy) - 1)]
    middle = (pick + np.roll(pick, 1, axis=0)) / 2
    mids = (xy[:-1][::40] + xy[1:][::40]) / 2  # on an edge (up to rounding)
    jitter = pick + rng.normal(0, 1e-5, pick.shape)
    near = pick + rng.normal(0, 1e-9, pick.shape)
    return np.vstack([pick, following, middle, mids, jitter, near])


def test_the_county_join_in_the_database_equals_the_python_locator(store, locator, settings):
    rng = np.random.default_rng(16)
    x0, y0, x1, y1 = locator.extent
    inside = np.column_stack([rng.uniform(x0 - 0.2, x1 + 0.2, 20_000),
                              rng.uniform(y0 - 0.2, y1 + 0.2, 20_000)])
    points = np.vstack([inside, _border_points(settings, rng)])
    lon, lat = points[:, 0], points[:, 1]
    expected = locator.locate(lon, lat)
    assert (expected == None).sum() > 1000 and len(set(expected) - {None}) == 18  # noqa: E711
    wrong = np.where(expected == None, "360702", None)  # noqa: E711 - hints to ignore
    wrong[::7] = "360733"  # and wrong hints for sites that are inside
    for hints in (expected, None, wrong):
        found = store.locate(lon, lat, hints)
        assert (found == expected).all(), np.flatnonzero(found != expected)[:10]


def test_stored_counties_are_the_databases_join(store, locator):
    run(store, locator, ["A1"], lon=115.0)
    [(county, x, y)] = raw_rows(store, "SELECT county_adcode, ST_X(geom), ST_Y(geom) FROM sites")
    assert county == locator.locate(np.array([115.0]), np.array([25.83]))[0]
    assert (x, y) == (115.0, 25.83)


# ---------------------------------------------------------------------- row-level security

def test_an_operators_connection_sees_only_its_rows_even_without_a_filter(store, locator):
    run(store, locator, ["A1", "A2"], operator="中国移动")
    run(store, locator, ["B1"], operator="中国电信")
    with store.scoped("中国移动") as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == "atlas_operator"
        rows = conn.execute("SELECT * FROM sites").fetchall()
        assert len(rows) == 2
        assert {r[0] for r in conn.execute("SELECT operator FROM batches")} == {"中国移动"}
        assert conn.execute("UPDATE sites SET status='built'").rowcount == 2  # only its own
        # the index-backed bbox read (owner's rights) keeps the same scope
        everywhere = "SELECT operator FROM atlas_sites_in_bbox(0, 0, 180, 90)"
        assert [r[0] for r in conn.execute(everywhere)] == ["中国移动"] * 2
    with store.scoped("中国电信") as conn, \
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        conn.execute("INSERT INTO batches (id, operator, actor, created_at, source) VALUES "
                     "('x', '中国移动', 'x', 'now', 'cli')")
    with store.scoped("") as conn:  # a scope that names nobody sees nothing
        assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 0
        assert conn.execute(everywhere).fetchall() == []
    box = (114.9, 25.8, 115.1, 26.0)
    page, total = store.query(SiteQuery(operators=("中国电信",), bbox=box))
    assert total == 1 and list(page["site_id"]) == ["B1"]
    assert store.query(SiteQuery(operators=None, bbox=box))[1] == 3
    assert store.query(SiteQuery(operators=("中国电信",)))[1] == 1
    assert store.query(SiteQuery(operators=None))[1] == 3
    assert store.get("中国电信", "A1") is None and store.get("中国移动", "A1")


def test_the_app_role_is_not_a_superuser_and_row_level_security_is_forced(store):
    [(superuser, bypass)] = raw_rows(store, "SELECT rolsuper, rolbypassrls FROM pg_roles "
                                            "WHERE rolname = current_user")
    assert not superuser and not bypass
    forced = dict(raw_rows(store, "SELECT relname, relforcerowsecurity FROM pg_class WHERE "
                                  "relname IN ('sites', 'batches', 'retired_sites', "
                                  "'import_jobs')"))
    assert forced == dict.fromkeys(("sites", "batches", "retired_sites", "import_jobs"), True)


def test_the_store_never_shows_the_password(store):
    assert "atlas-test-password" not in repr(store)


# ---------------------------------------------------------------------- migrations

def test_an_empty_database_is_migrated_on_first_open_and_reopening_changes_nothing(
        pg_cluster, settings):
    url = pg_cluster.empty_database()
    assert schema_version(url) == 0
    PostgisSiteStore(url, settings).close()
    store = PostgisSiteStore(url, settings)
    assert store.schema_version() == (migrations.LATEST, migrations.LATEST)
    assert store.integrity_ok() and store.count() == 0
    assert raw_rows(store, "SELECT count(*) FROM counties")[0][0] == 100


def test_an_older_schema_is_refused_until_db_upgrade(pg_cluster, settings):
    url = pg_cluster.empty_database()
    with psycopg.connect(url, autocommit=True) as conn:  # a database at version 2
        conn.execute("CREATE TABLE atlas_schema (version INTEGER PRIMARY KEY, "
                     "applied_at TEXT NOT NULL)")
        for number, script in enumerate(migrations.POSTGIS[:2], start=1):
            conn.execute(script.encode())
            conn.execute("INSERT INTO atlas_schema VALUES (%s, 'then')", [number])
    with pytest.raises(StoreSchemaError, match="ganzhou-atlas db upgrade") as err:
        PostgisSiteStore(url, settings)
    assert err.value.extensions["found"] == 2 and err.value.status == 503
    with ThreadPoolExecutor(2) as pool:  # two admins at once: each migration applied once
        results = list(pool.map(lambda _: upgrade(url), range(2)))
    assert {r[1] for r in results} == {migrations.LATEST}
    assert PostgisSiteStore(url, settings).schema_version()[0] == migrations.LATEST


def test_a_newer_schema_is_refused(store, settings):
    with psycopg.connect(store.url, autocommit=True) as conn:
        conn.execute("INSERT INTO atlas_schema VALUES (%s, 'future')", [migrations.LATEST + 1])
    with pytest.raises(StoreSchemaError, match="newer"):
        PostgisSiteStore(store.url, settings)
    with pytest.raises(StoreSchemaError):
        upgrade(store.url)


def test_open_store_picks_postgis_when_the_database_url_is_set(store, settings):
    picked = open_store(postgis_settings(settings, store.url))
    assert isinstance(picked, PostgisSiteStore)
    picked.close()
    with pytest.raises(ValueError, match="postgresql://") as err:
        open_store(postgis_settings(settings, "mysql://root:secret@db/atlas"))
    assert "secret" not in str(err.value)


# ---------------------------------------------------------------------- concurrency

CLIENTS, BATCHES, ROWS = 8, 50, 5
OPERATORS = ("中国移动", "中国电信", "中国联通", "中国铁塔")


def test_eight_clients_times_fifty_batches_end_with_the_exact_row_count(store, locator):
    def client(number: int) -> list[int]:
        operator = OPERATORS[number % len(OPERATORS)]  # two clients per operator
        done = []
        for b in range(BATCHES):
            ids = [f"C{number}-B{b}-{i}" for i in range(ROWS)]
            done.append(run(store, locator, ids, operator=operator).inserted)
        return done

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    assert all(n == ROWS for r in results for n in r)
    assert store.count() == CLIENTS * BATCHES * ROWS
    for operator in OPERATORS:
        assert store.query(SiteQuery(operators=(operator,), limit=1))[1] == \
            2 * BATCHES * ROWS
        assert len(store.batches((operator,), 1000)) == 2 * BATCHES


def test_same_ids_from_two_clients_of_one_operator_count_once(store, locator):
    ids = [f"S{i}" for i in range(200)]
    barrier = threading.Barrier(2)

    def client(_: int):
        barrier.wait()
        return run(store, locator, ids)

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(client, range(2)))
    assert sorted((r.inserted, r.unchanged) for r in reports) == [(0, 200), (200, 0)]


# ---------------------------------------------------------------------- SIGKILL mid-COPY

KILL_ROWS = 200_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "site_id": [f"K{i:07d}" for i in range(KILL_ROWS)],
        "lon": rng.uniform(114.6, 115.2, KILL_ROWS).round(6),
        "lat": rng.uniform(25.4, 26.0, KILL_ROWS).round(6),
        "type": "macro", "band": "n78", "status": "on_air", "commissioned": "2022-05-01"})
    path = tmp_path_factory.mktemp("pgkill") / "big.csv"
    frame.to_csv(path, index=False)
    return path


def _phase(admin, database: str) -> str | None:
    """What the importer's backend is doing: 'copy', 'merge' or None."""
    copying = admin.execute("SELECT count(*) FROM pg_stat_progress_copy p JOIN "
                            "pg_stat_database d ON d.datid = p.datid WHERE d.datname = %s "
                            "AND p.tuples_processed > 0", [database]).fetchone()[0]
    if copying:
        return "copy"
    merging = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND "
                            "query LIKE 'INSERT INTO sites%%' AND state = 'active'",
                            [database]).fetchone()[0]
    return "merge" if merging else None


@pytest.mark.parametrize("phase", ["copy", "merge"])
def test_a_client_killed_mid_copy_or_merge_leaves_the_whole_batch_or_nothing(
        store, big_csv, tmp_path, pg_cluster, phase, locator):
    database = store.url.rsplit("/", 1)[1]
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path), "ATLAS_DEMO_INVENTORY": "false",
           "ATLAS_DATABASE_URL": store.url}
    proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "sites", "import", str(big_csv),
                             "--operator", "中国移动"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    seen = None
    with psycopg.connect(pg_cluster.admin_url, autocommit=True) as admin:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            seen = _phase(admin, database)
            if seen == phase:
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND "
                            "state <> 'idle'", [database]).fetchone()[0]:
            time.sleep(0.05)  # the server rolls the orphaned transaction back
    assert seen == phase, f"the import finished before its {phase} phase was seen"
    total = store.query(SiteQuery(operators=("中国移动",), limit=1))[1]
    assert total == 0  # killed before COMMIT: nothing
    assert store.batches(None) == [] and store.integrity_ok()
    assert raw_rows(store, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                           "database = (SELECT oid FROM pg_database WHERE datname = "
                           "current_database())") == [(0,)]
    assert run(store, locator, ["after"]).inserted == 1  # the operator is not locked out


# ---------------------------------------------------------------------- CLI

def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


@pytest.mark.parametrize("kind", ["sqlite", "postgis"])
def test_db_status_and_upgrade_on_both_stores(kind, tmp_path, pg_cluster):
    env = {"ATLAS_DATA_DIR": str(tmp_path)}
    if kind == "postgis":
        env["ATLAS_DATABASE_URL"] = pg_cluster.empty_database()
    before = _cli("db", "status", **env)
    assert before.returncode == 0 and f"{kind} " in before.stdout
    assert f"schema 0 of {migrations.LATEST} (empty)" in before.stdout
    assert "atlas-test-password" not in before.stdout + before.stderr
    upgraded = _cli("db", "upgrade", **env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"schema 0 -> {migrations.LATEST}" in upgraded.stdout
    after = _cli("db", "status", **env)
    assert after.returncode == 0 and "up to date" in after.stdout
    assert "nothing to do" in _cli("db", "upgrade", **env).stdout
