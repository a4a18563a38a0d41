"""Several app hosts on one store: a restart fails only its own unfinished import jobs
(``import_jobs.host``, migration 4). Both stores; the PostGIS case is the real one - two
hosts with their own data dirs on one database."""

from __future__ import annotations

import threading

import pytest

from geo.inventory.jobs import ImportJobs
from geo.store.base import BatchInfo, instance_id
from geo.store.postgis import PostgisSiteStore
from geo.store.sqlite import SqliteSiteStore
from tests.pg import STORE_KINDS, raw_rows


@pytest.fixture(params=STORE_KINDS)
def store(request, new_store):
    return new_store(request.param)


def on_host(store, settings, host: str):
    """Another store object on ``store``'s database, as the app on ``host`` opens it."""
    if isinstance(store, SqliteSiteStore):
        return SqliteSiteStore(store.path, host=host)
    return PostgisSiteStore(store.url, settings, host=host)


def _job(jobs: ImportJobs, job_id: str) -> dict:
    job = jobs.store.job(job_id)
    assert job is not None
    return job


def test_a_restart_fails_only_its_own_hosts_jobs(store, settings):
    gate, entered = threading.Event(), threading.Event()

    def work(data, info, progress):
        entered.set()
        if not gate.wait(60):
            raise RuntimeError("test gate never opened")
        raise RuntimeError("released by the test")

    a = ImportJobs(on_host(store, settings, "host-a:/srv/a"), work)
    a.start()
    try:
        info = BatchInfo(operator="中国移动", actor="test", source="upload", filename="a.csv")
        running = a.submit(b"site_id\n", info)["id"]
        assert entered.wait(30)
        queued = a.submit(b"site_id\n", info)["id"]
        assert {r[0] for r in raw_rows(store, "SELECT host FROM import_jobs")} == \
            {"host-a:/srv/a"}

        # host B (its own data dir, same database) restarts: A's jobs are not its own
        b = ImportJobs(on_host(store, settings, "host-b:/srv/b"), work)
        b.start()
        b.close()
        assert _job(a, running)["state"] == "running"
        assert _job(a, queued)["state"] == "queued"

        # host A restarts (a new process on its data dir): now they are failed
        again = ImportJobs(on_host(store, settings, "host-a:/srv/a"), work)
        again.start()
        again.close()
        for job_id in (running, queued):
            job = _job(a, job_id)
            assert job["state"] == "failed"
            assert job["error"]["slug"] == "import-interrupted"
    finally:
        gate.set()
        a.close(timeout=30)


def test_jobs_from_before_the_host_column_are_failed_by_any_restart(store, settings):
    jobs = ImportJobs(on_host(store, settings, "host-a:/srv/a"), lambda *a: None)
    job = {"id": "old", "operator": "中国移动", "actor": "test", "filename": None,
           "mode": "all", "coord_sys": "wgs84", "state": "running", "phase": "merging",
           "rows_total": None, "rows_validated": 0, "rows_done": 0,
           "submitted_at": "2026-01-01T00:00:00.000000Z", "started_at": None,
           "finished_at": None, "batch_id": None, "report": None, "error": None}
    jobs.store.save_job(job)
    if isinstance(store, SqliteSiteStore):  # as a row written by schema 3 has it
        import contextlib
        import sqlite3

        with contextlib.closing(sqlite3.connect(store.path)) as db, db:
            db.execute("UPDATE import_jobs SET host = NULL")
    else:
        import psycopg

        with psycopg.connect(store.url) as conn:
            conn.execute("UPDATE import_jobs SET host = NULL")
    assert jobs.store.interrupt_jobs({"slug": "x"}, "2026-01-02T00:00:00.000000Z") == 1
    assert _job(jobs, "old")["state"] == "failed"


def test_the_default_host_is_this_machine_and_data_dir(tmp_path, settings):
    assert SqliteSiteStore(tmp_path / "atlas.sqlite").host == instance_id(tmp_path)
    assert instance_id(tmp_path) != instance_id(tmp_path / "other")
