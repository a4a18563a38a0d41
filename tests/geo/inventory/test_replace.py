"""mode=replace, chunked validation and merge, progress: the store stays whole and exact."""

import sys

import numpy as np
import pandas as pd
import pytest

from geo.errors import InvalidParameterError, InvalidRowsError, UploadRejectedError
from geo.inventory.ingest import import_inventory, validate_chunked
from geo.inventory.locate import CountyLocator
from geo.inventory.read import read_upload
from geo.inventory.validate import validate
from geo.store.base import BatchInfo, SiteQuery
from tests.pg import STORE_KINDS

HEADER = "site_id,lon,lat,type,band,status,commissioned\n"
ROW = "{id},114.93,25.83,macro,n78,on_air,2021-03-01\n"
REPORT_KEYS = {"batch_id", "operator", "rows_read", "stored", "inserted", "updated",
               "unchanged", "rejected", "errors_total", "errors", "reverted_edits"}


def csv(*ids: str, extra: str = "") -> bytes:
    return (HEADER + "".join(ROW.format(id=i) for i in ids) + extra).encode()


@pytest.fixture(params=STORE_KINDS)
def store(request, new_store):
    return new_store(request.param)


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def run(store, locator, data: bytes, mode="all", operator="中国移动", synthetic=False,
        progress=None):
    info = BatchInfo(operator=operator, actor="test", source="synthetic" if synthetic
                     else "cli", filename="f.csv", mode=mode, synthetic=synthetic)
    return import_inventory(store, data, info, locator, 100_000, progress=progress)


def store_module(store):
    """The module of ``store``'s class (its MERGE_CHUNK)."""
    return sys.modules[type(store).__module__]


def ids_of(store, operator, synthetic=None):
    page, _ = store.query(SiteQuery(operators=(operator,), limit=100_000))
    if synthetic is not None:
        page = page[page["synthetic"] == int(synthetic)]
    return set(page["site_id"])


def test_replace_retires_exactly_the_missing_sites(store, locator):
    run(store, locator, csv("A1", "A2", "A3", "A4"))
    run(store, locator, csv("A2", "A9"), operator="中国电信")  # another operator, same ids
    run(store, locator, csv("D1", "D2"), synthetic=True)  # the demo, filed under 中国移动
    report = run(store, locator, csv("A1", "A3", "A5"), mode="replace")
    assert (report.inserted, report.updated, report.unchanged) == (1, 0, 2)
    assert report.retired == ["A2", "A4"] and report.retired_total == 2
    assert ids_of(store, "中国移动", synthetic=False) == {"A1", "A3", "A5"}
    assert ids_of(store, "中国移动", synthetic=True) == {"D1", "D2"}
    assert ids_of(store, "中国电信") == {"A2", "A9"}
    body = report.as_dict()
    assert set(body) == REPORT_KEYS | {"retired", "retired_total"}
    # audited: the batch counts them and keeps each as it was
    batch = store.batch(report.batch_id)
    assert batch["retired"] == 2 and batch["mode"] == "replace"
    kept = store.retired_sites(report.batch_id)
    assert list(kept["site_id"]) == ["A2", "A4"]
    assert set(kept["operator"]) == {"中国移动"} and set(kept["status"]) == {"on_air"}
    assert kept["last_batch_id"].notna().all()
    assert store.batches(("中国移动",), 1)[0]["retired"] == 2


def test_other_modes_keep_their_report_form(store, locator):
    for mode in ("all", "partial"):
        assert set(run(store, locator, csv("A1"), mode=mode).as_dict()) == REPORT_KEYS


def test_replacing_with_the_same_file_changes_nothing(store, locator):
    run(store, locator, csv("A1", "A2"))
    before = store.query(SiteQuery(operators=None))[0]
    report = run(store, locator, csv("A1", "A2"), mode="replace")
    assert (report.unchanged, report.retired, report.retired_total) == (2, [], 0)
    assert store.query(SiteQuery(operators=None))[0].equals(before)


def test_a_replace_with_bad_rows_is_refused_and_changes_nothing(store, locator):
    run(store, locator, csv("A1", "A2", "A3"))
    before = store.query(SiteQuery(operators=None))[0]
    with pytest.raises(InvalidRowsError) as err:
        run(store, locator, csv("A1", extra="A7,121.5,31.2,macro,n78,on_air,\n"),
            mode="replace")
    assert err.value.status == 422 and "替换" in err.value.detail
    assert store.query(SiteQuery(operators=None))[0].equals(before)
    last = store.batches(None, 1)[0]
    assert (last["mode"], last["retired"], last["inserted"]) == ("replace", 0, 0)


def test_a_replace_refused_whole_retires_nothing(store, locator):
    run(store, locator, csv("A1", "A2"))
    for data in (HEADER.encode(), b"\x00\x01binary"):
        with pytest.raises(UploadRejectedError):
            run(store, locator, data, mode="replace")
    assert ids_of(store, "中国移动") == {"A1", "A2"}


def test_a_replace_failing_in_its_transaction_changes_nothing(store, locator, monkeypatch):
    run(store, locator, csv("A1", "A2", "A3"))
    before = store.query(SiteQuery(operators=None))[0]
    batches = len(store.batches(None))
    original = type(store)._retire

    def retire_then_fail(db, operator, batch_id):
        original(db, operator, batch_id)  # the sites are deleted in the transaction ...
        raise RuntimeError("disk full")   # ... and then the write fails

    monkeypatch.setattr(type(store), "_retire", staticmethod(retire_then_fail))
    with pytest.raises(RuntimeError):
        run(store, locator, csv("A1", "A8"), mode="replace")
    assert store.query(SiteQuery(operators=None))[0].equals(before)
    assert len(store.batches(None)) == batches  # not even the batch row
    assert store.integrity_ok()


def test_partial_replace_does_not_exist(store, locator):
    with pytest.raises(InvalidParameterError) as err:
        run(store, locator, csv("A1"), mode="partial+replace")
    assert "replace" in err.value.detail


def test_the_retired_list_is_capped_and_the_total_is_exact(store, locator):
    run(store, locator, csv(*[f"S{i:05d}" for i in range(1500)]))
    report = run(store, locator, csv("S00000"), mode="replace")
    assert report.retired_total == 1499 and len(report.retired) == 1000
    assert report.retired[0] == "S00001"
    assert len(store.retired_sites(report.batch_id)) == 1499


def _messy_table(n: int, seed: int) -> bytes:
    """A file with every kind of row error and ids repeated near and far."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"X{i}" for i in rng.integers(0, n // 2, n)], dtype=object)
    ids[rng.random(n) < 0.05] = ""
    ids[rng.random(n) < 0.03] = "=BAD"
    frame = pd.DataFrame({
        "site_id": [f" {v} " if rng.random() < 0.1 else v for v in ids],
        "lon": rng.choice(["114.93", "115.0", "abc", "121.5", ""], n, p=[.5, .3, .1, .05, .05]),
        "lat": rng.choice(["25.83", "25.9", "95"], n, p=[.6, .35, .05]),
        "type": rng.choice(["macro", "MICRO", "tower"], n, p=[.6, .3, .1]),
        "band": rng.choice(["n78", "", "n99"], n, p=[.6, .3, .1]),
        "status": rng.choice(["on_air", "built", "dead"], n, p=[.6, .3, .1]),
        "commissioned": rng.choice(["2021-03-01", "", "2021-13-01"], n, p=[.6, .3, .1])})
    return frame.to_csv(index=False).encode()


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


@pytest.mark.parametrize("chunk_rows", [1, 7, 64])
def test_chunked_validation_equals_one_validation(locator, chunk_rows):
    table = read_upload(_messy_table(500, chunk_rows), 10_000)
    whole = validate(table, "gcj02", locator)
    seen = []
    chunked = validate_chunked(table, "gcj02", locator, chunk_rows=chunk_rows,
                               progress=lambda phase, done, total: seen.append(done))
    assert chunked.errors == whole.errors
    # the same values; a column's dtype and missing marker may differ (pandas infers str
    # only for a column of strings, and a chunk's band may be all empty): the store reads
    # both as NULL
    pd.testing.assert_frame_equal(_plain(chunked.sites), _plain(whole.sites))
    assert chunked.rows_read == whole.rows_read == 500
    assert seen == sorted(seen) and seen[-1] == 500 and len(seen) == -(-500 // chunk_rows)


def test_progress_counts_validated_then_stored_rows(store, locator, monkeypatch):
    monkeypatch.setattr(store_module(store), "MERGE_CHUNK", 300)
    monkeypatch.setattr("geo.inventory.ingest.CHUNK_ROWS", 250)
    calls = []
    ids = [f"P{i:04d}" for i in range(1000)]
    report = run(store, locator, csv(*ids), progress=lambda *a: calls.append(a))
    assert report.inserted == 1000
    assert [c for c in calls if c[0] == "validating"] == [
        ("validating", n, 1000) for n in (250, 500, 750, 1000)]
    assert [c for c in calls if c[0] == "storing"] == [
        ("storing", n, 1000) for n in (300, 600, 900, 1000)]


def test_chunked_merge_of_an_unsorted_file_counts_exactly(store, locator, monkeypatch):
    monkeypatch.setattr(store_module(store), "MERGE_CHUNK", 3)
    rng = np.random.default_rng(3)
    ids = [f"U{i:03d}" for i in rng.permutation(40)]
    assert run(store, locator, csv(*ids[:25])).inserted == 25
    changed = csv(*ids).decode().replace(f"{ids[0]},114.93", f"{ids[0]},114.94").encode()
    report = run(store, locator, changed)
    assert (report.inserted, report.updated, report.unchanged) == (15, 1, 24)
    assert ids_of(store, "中国移动") == set(ids)
    assert store.get("中国移动", ids[0])["lon"] == pytest.approx(114.94)


def test_cli_progress_bars_follow_both_phases():
    from geo.cli import _with_progress_bars, out

    calls = []

    def run(progress):
        for phase, total in (("validating", 30), ("storing", 20)):
            for done in range(10, total + 1, 10):
                progress(phase, done, total)
                calls.append((phase, done))
        return "report"

    with out.capture():
        assert _with_progress_bars("f.csv", run) == "report"
    assert calls[-1] == ("storing", 20) and len(calls) == 5
