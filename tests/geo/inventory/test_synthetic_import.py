"""A synthetic inventory through the whole import path: bulk load, re-import, update."""

import sqlite3

import pytest

from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.inventory.synthetic import synthetic_inventory
from geo.store.base import BatchInfo, SiteQuery
from geo.store.sqlite import BULK_MIN_ROWS, SITE_INDEXES, SqliteSiteStore


@pytest.fixture(scope="module")
def csv_bytes(settings):
    sites = synthetic_inventory(settings, total=BULK_MIN_ROWS + 5_000, seed=7)
    # unsorted on purpose: the store sorts by site_id itself
    return sites.drop(columns="operator").sample(frac=1, random_state=1) \
        .to_csv(index=False).encode()


def _import(store, settings, data):
    info = BatchInfo("中国移动", "test", "cli")
    return import_inventory(store, data, info, CountyLocator.for_region(settings), 10**6)


def test_bulk_load_then_reimport_then_update(settings, tmp_path, csv_bytes):
    store = SqliteSiteStore(tmp_path / "atlas.sqlite")
    n = BULK_MIN_ROWS + 5_000
    first = _import(store, settings, csv_bytes)  # empty store: indexes rebuilt after the load
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (n, 0, 0, 0)
    with sqlite3.connect(store.path) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        plan = " ".join(r[3] for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM sites WHERE lon BETWEEN 114 AND 115"))
    assert {name for name, _ in SITE_INDEXES} <= names and "sites_lonlat" in plan
    assert store.integrity_ok()
    again = _import(store, settings, csv_bytes)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, n)
    changed = csv_bytes.replace(b",on_air,", b",built,", 1)
    third = _import(store, settings, changed)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, n - 1)
    page, total = store.query(SiteQuery(operators=("中国移动",), limit=3))
    assert total == n and list(page["site_id"]) == sorted(page["site_id"])
    assert store.county_totals()["n"].sum() == n
