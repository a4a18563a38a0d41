"""An operator's own sites exported in the import format and imported back unchanged."""

import csv
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.coords import gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geo.inventory.export import export_frame
from geo.inventory.vocab import CSV_COLUMNS
from tests.pg import both_stores_app, module_client

app = both_stores_app()  # this module runs on SQLite and on PostGIS
client = module_client()

EXPORT = "/imports/base-stations/export"
OPERATOR = "中国铁塔"
# ids with 汉字, '#', '(', '.', '-' inside; bands and dates present and absent
ROWS = [
    ("EXP-001", 114.9312345, 25.8301234, "macro", "n78", "on_air", "2021-06-01"),
    ("EXP-002", 114.9405678, 25.8456789, "micro", "", "built", ""),
    ("章贡#3(东)", 114.9521111, 25.8612222, "indoor", "n41", "planned", ""),
    ("EXP.4-a_b", 115.0034567, 25.8123456, "macro", "n1", "on_air", "2023-12-31"),
    ("5G-000005", 114.8876543, 25.7998765, "micro", "n28", "on_air", "2020-01-15"),
]


@pytest.fixture(scope="module")
def keys(app):
    store = app.state.service.store
    made = {name: store.create_key(role, op, "export")[1] for name, role, op in [
        ("tower", "operator", OPERATOR), ("cmcc", "operator", "中国移动"),
        ("planner", "planner", None)]}
    return {name: {"Authorization": f"Bearer {key}"} for name, key in made.items()}


@pytest.fixture(scope="module")
def stored(client, keys):
    """The operator's sites, imported once from a WGS84 CSV."""
    body = "site_id,lon,lat,type,band,status,commissioned\n" + "".join(
        ",".join(map(str, r)) + "\n" for r in ROWS)
    r = client.post("/imports/base-stations", headers=keys["tower"],
                    files={"file": ("sites.csv", body.encode())})
    assert r.status_code == 200, r.text
    return r.json()


def _reimport(client, keys, name: str, data: bytes, coord_sys: str) -> dict:
    r = client.post("/imports/base-stations", headers=keys["tower"],
                    params={"coord_sys": coord_sys}, files={"file": (name, data)})
    assert r.status_code == 200, r.text
    return r.json()


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the 汉字 right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_route_answers_before_the_batch_route(client, keys, stored):
    """``export.csv`` is not taken for a batch id by ``/imports/base-stations/{batchId}``."""
    for suffix, media in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")):
        r = client.get(f"{EXPORT}.{suffix}", headers=keys["tower"])
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
        assert "base_stations_tower_wgs84" in r.headers["content-disposition"]
        assert "no-store" in r.headers["cache-control"]


@pytest.mark.parametrize("coord_sys", ["wgs84", "gcj02", "bd09"])
def test_csv_export_reimports_unchanged(client, keys, stored, coord_sys):
    r = client.get(f"{EXPORT}.csv", headers=keys["tower"], params={"coord_sys": coord_sys})
    assert r.status_code == 200, r.text
    rows = _csv_rows(r.content)
    assert tuple(rows[0]) == CSV_COLUMNS  # exactly the import columns
    n = len(rows) - 1
    assert n >= len(ROWS) and not any(row[0].startswith("SYN-") for row in rows[1:])
    report = _reimport(client, keys, "export.csv", r.content, coord_sys)
    assert (report["rows_read"], report["unchanged"]) == (n, n)
    assert report["inserted"] == report["updated"] == report["rejected"] == 0


@pytest.mark.parametrize("coord_sys", ["wgs84", "gcj02"])
def test_xlsx_export_reimports_unchanged(client, keys, stored, coord_sys):
    r = client.get(f"{EXPORT}.xlsx", headers=keys["tower"], params={"coord_sys": coord_sys})
    assert r.status_code == 200, r.text
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == CSV_COLUMNS
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    # numbers, not text; a whole-degree position (another test's 115, 26) reads back as int
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool)
               for row in data for v in (row[1], row[2]))
    report = _reimport(client, keys, "export.xlsx", r.content, coord_sys)
    assert (report["rows_read"], report["unchanged"]) == (len(data), len(data))
    assert report["inserted"] == report["updated"] == 0


def test_positions_are_converted_from_the_stored_wgs84(client, keys, stored):
    by_sys = {}
    for coord_sys in ("wgs84", "gcj02", "bd09"):
        rows = _csv_rows(client.get(f"{EXPORT}.csv", headers=keys["tower"],
                                    params={"coord_sys": coord_sys}).content)[1:]
        by_sys[coord_sys] = {r[0]: (float(r[1]), float(r[2])) for r in rows}
    lon, lat = by_sys["wgs84"]["EXP-001"]
    assert (lon, lat) == (ROWS[0][1], ROWS[0][2])
    g = wgs84_to_gcj02(lon, lat)
    assert by_sys["gcj02"]["EXP-001"] == pytest.approx((float(g[0]), float(g[1])), abs=1e-9)
    b = wgs84_to_bd09(lon, lat)
    assert by_sys["bd09"]["EXP-001"] == pytest.approx((float(b[0]), float(b[1])), abs=1e-9)
    assert abs(by_sys["gcj02"]["EXP-001"][0] - lon) > 1e-3  # GCJ-02 moves it by ~100s of m


def test_the_datum_round_trip_error_is_far_below_a_metre():
    """Forward offset written with 10 decimals, then the importer's inverse: < 1 mm."""
    rng = np.random.default_rng(7)
    lon = np.round(rng.uniform(113.9, 116.6, 5000), 7)
    lat = np.round(rng.uniform(24.5, 27.2, 5000), 7)
    glon, glat = (np.round(v, 10) for v in wgs84_to_gcj02(lon, lat))
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    metres = np.hypot((back_lon - lon) * np.cos(np.radians(lat)), back_lat - lat) * 111_320
    assert metres.max() < 1e-3
    assert (np.round(back_lon, 7) == lon).all() and (np.round(back_lat, 7) == lat).all()


def test_who_may_export_what(client, keys, stored):
    assert client.get(f"{EXPORT}.csv").status_code == 401
    r = client.get(f"{EXPORT}.csv", headers=keys["planner"])
    assert r.status_code == 400 and r.json()["parameter"] == "operator"
    for chosen in ("tower", OPERATOR):
        r = client.get(f"{EXPORT}.csv", headers=keys["planner"], params={"operator": chosen})
        assert r.status_code == 200
        assert {row[0] for row in _csv_rows(r.content)[1:]} >= {row[0] for row in ROWS}
    r = client.get(f"{EXPORT}.csv", headers=keys["planner"], params={"operator": "nope"})
    assert r.status_code == 400 and r.json()["parameter"] == "operator"
    # an operator never gets another's sites, not even by naming it
    r = client.get(f"{EXPORT}.csv", headers=keys["cmcc"], params={"operator": "tower"})
    assert r.status_code == 403
    own = _csv_rows(client.get(f"{EXPORT}.csv", headers=keys["cmcc"]).content)
    assert not {row[0] for row in own[1:]} & {row[0] for row in ROWS}
    assert client.get(f"{EXPORT}.csv", headers=keys["tower"],
                      params={"coord_sys": "utm"}).status_code == 400


def test_the_synthetic_demo_is_never_exported(client, keys):
    """The seeded demo is filed under every operator's name; it is not theirs to export."""
    r = client.get(f"{EXPORT}.csv", headers=keys["planner"], params={"operator": "中国移动"})
    assert not any(row[0].startswith("SYN-") for row in _csv_rows(r.content)[1:])


def test_only_ids_the_importer_refuses_are_neutralised():
    sites = pd.DataFrame({"site_id": ["A-1", "-A1", "=1+1", "站#1"], "lon": [114.9] * 4,
                          "lat": [25.8] * 4, "type": ["macro"] * 4, "band": [None] * 4,
                          "status": ["on_air"] * 4, "commissioned": [None] * 4})
    ids = export_frame(sites, "wgs84")["site_id"].tolist()
    assert ids == ["A-1", "'-A1", "'=1+1", "站#1"]
