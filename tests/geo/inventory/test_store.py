import pytest

from geo.errors import InvalidRowsError, UploadRejectedError
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.store.base import BatchInfo, SiteQuery
from geo.store.sqlite import SqliteSiteStore
from tests.pg import STORE_KINDS, raw_rows

CSV = ("site_id,lon,lat,type,band,status,commissioned\n"
       "A1,114.93,25.83,macro,n78,on_air,2021-03-01\nA2,115.0,25.9,micro,,built,\n")
BAD_ROW = "A3,121.5,31.2,macro,n78,on_air,\n"


@pytest.fixture(params=STORE_KINDS)
def store(request, new_store):
    return new_store(request.param)


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def run(store, locator, data, mode="all", operator="中国移动"):
    info = BatchInfo(operator=operator, actor="test", source="cli", filename="f.csv", mode=mode)
    return import_inventory(store, data.encode(), info, locator, 1000)


def test_reimporting_the_same_file_changes_nothing(store, locator):
    first = run(store, locator, CSV)
    before = store.query(SiteQuery(operators=None))[0]
    second = run(store, locator, CSV)
    after = store.query(SiteQuery(operators=None))[0]
    assert (first.inserted, second.inserted, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert after.equals(before)  # updated_at and batch_id untouched


def test_changed_rows_are_updated(store, locator):
    run(store, locator, CSV)
    report = run(store, locator, CSV.replace("built", "on_air"))
    assert (report.updated, report.unchanged) == (1, 1)
    assert store.get("中国移动", "A2")["status"] == "on_air"


def test_default_mode_rejects_the_whole_batch_and_records_it(store, locator):
    run(store, locator, CSV)
    with pytest.raises(InvalidRowsError) as err:
        run(store, locator, CSV.replace("A2", "A9").replace("built", "on_air") + BAD_ROW)
    assert err.value.extensions["errors"][0]["row"] == 4
    assert store.get("中国移动", "A9") is None and store.count() == 2
    last = store.batches(None, 1)[0]
    assert last["rejected"] == 3 and last["inserted"] == 0


def test_partial_mode_stores_the_good_rows(store, locator):
    report = run(store, locator, CSV + BAD_ROW, mode="partial")
    assert (report.inserted, report.rejected) == (2, 1)
    assert report.as_dict()["errors"][0]["column"] == "lon"


def test_operators_are_separate_namespaces(store, locator):
    run(store, locator, CSV, operator="中国移动")
    run(store, locator, CSV, operator="中国电信")
    assert store.count() == 4
    page, total = store.query(SiteQuery(operators=("中国电信",)))
    assert total == 2 and set(page["operator"]) == {"中国电信"}


def test_county_column_in_input_is_refused_not_trusted(store, locator):
    data = CSV.replace("commissioned\n", "commissioned,county_adcode\n", 1)
    with pytest.raises(UploadRejectedError) as err:
        run(store, locator, data)
    assert err.value.extensions["unknown_columns"] == ["county_adcode"]


def test_migrations_are_idempotent(tmp_path):
    SqliteSiteStore(tmp_path / "a.sqlite")
    store = SqliteSiteStore(tmp_path / "a.sqlite")
    assert store.integrity_ok() and store.count() == 0


def test_keys_are_stored_hashed_and_revocable(store):
    key, secret = store.create_key("operator", "中国移动", "x")
    assert store.key_for_secret(secret).operator == "中国移动"
    stored = raw_rows(store, "select key_hash from api_keys")[0][0]
    assert secret not in stored
    assert store.revoke_key(key.id) and store.key_for_secret(secret) is None


def test_synthetic_inventory_is_seeded_urban_and_rural(settings):
    import numpy as np

    from geo.boundaries import ganzhou_counties
    from geo.coverage.model import to_metric
    from geo.inventory.synthetic import URBAN_SHARE, synthetic_inventory

    a = synthetic_inventory(settings, total=2000, seed=1)
    b = synthetic_inventory(settings, total=2000, seed=1)
    assert a.equals(b) and len(a) == 2000
    counties = ganzhou_counties(settings).set_index("adcode")
    seat = dict(zip(counties.index, zip(*to_metric(counties["seat_lon"], counties["seat_lat"]),
                                        strict=True), strict=True))
    x, y = to_metric(a["lon"], a["lat"])
    sx = np.array([seat[c][0] for c in a["site_id"].str[4:6].map(lambda k: "3607" + k)])
    sy = np.array([seat[c][1] for c in a["site_id"].str[4:6].map(lambda k: "3607" + k)])
    near = (np.hypot(x - sx, y - sy) < 8_000).mean()
    assert URBAN_SHARE - 0.1 < near < URBAN_SHARE + 0.25  # the rest is spread over the county


def test_a_single_site_delete_keeps_the_site_as_retired(store, locator):
    first = run(store, locator, CSV)
    before = store.get("中国移动", "A2")
    info = BatchInfo(operator="中国移动", actor="api", source="api", mode="delete")
    assert store.delete("中国移动", "A2", info)
    assert store.get("中国移动", "A2") is None and store.count() == 1
    batch = store.batches(None, 1)[0]
    assert (batch["mode"], batch["updated"], batch["retired"]) == ("delete", 1, 1)
    kept = store.retired_sites(batch["id"])
    assert kept["site_id"].tolist() == ["A2"]
    row = kept.iloc[0]
    assert (row["operator"], row["status"], row["county_adcode"], row["last_batch_id"]) == \
        ("中国移动", before["status"], before["county_adcode"], first.batch_id)
    assert row["lon"] == pytest.approx(115.0) and row["lat"] == pytest.approx(25.9)


def test_deleting_a_missing_site_retires_nothing(store, locator):
    run(store, locator, CSV)
    info = BatchInfo(operator="中国移动", actor="api", source="api", mode="delete")
    assert not store.delete("中国移动", "NOPE", info)
    batch = store.batches(None, 1)[0]
    assert (batch["updated"], batch["retired"]) == (0, 0)
    assert store.retired_sites(batch["id"]).empty and store.count() == 2


def test_a_scoped_bbox_page_keeps_its_total_past_the_last_row(store, locator):
    run(store, locator, CSV)
    run(store, locator, CSV, operator="中国电信")  # same points, another operator
    bbox = (114.9, 25.8, 115.1, 26.0)
    for offset, limit, ids in ((0, 100, ["A1", "A2"]), (1, 1, ["A2"]), (5, 10, [])):
        page, total = store.query(SiteQuery(operators=("中国移动",), bbox=bbox,
                                            offset=offset, limit=limit))
        assert total == 2 and page["site_id"].tolist() == ids
        assert set(page["operator"]) <= {"中国移动"}
    page, total = store.query(SiteQuery(operators=("中国移动",), bbox=(100, 10, 101, 11)))
    assert total == 0 and page.empty
