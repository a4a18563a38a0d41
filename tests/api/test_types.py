"""Types agree everywhere, GeoJSON side: what ``/schema`` calls a number arrives as one.

A numeric column that carries a text for "no data" (or a number written as a text) turns into
a string column in every GIS client, so each property is checked against its JSON Schema type
in the items of every collection, for anonymous callers and for a planner (who also reads
``base_stations``). GDAL's view of the same columns is in test_gdal_types.py.
"""

from __future__ import annotations

import pytest

from geo.collections.live import SCORECARD_SCHEMA
from geo.coverage.scorecard import NO_RUN, NO_TOWNSHIPS, township_fields
from geo.export import csvt_line
from geo.layers import LAYERS
from geo.tabular import csvt_href

PYTHON_TYPES = {"integer": (int,), "number": (int, float), "boolean": (bool,), "string": (str,)}
SAMPLED_PAGE = 10  # the first page QGIS 3.22 and GDAL 3.6 type an OAPIF layer's fields from


@pytest.fixture(scope="module")
def planner(app):
    store = app.state.service.store
    return {"Authorization": f"Bearer {store.create_key('planner', None, 'types')[1]}"}


def _ids(client, headers=None) -> list[str]:
    return [c["id"] for c in client.get("/collections", headers=headers).json()["collections"]]


def _typed(client, cid: str, headers=None) -> tuple[dict[str, str], list[dict]]:
    schema = client.get(f"/collections/{cid}/schema", headers=headers).json()["properties"]
    types = {n: p["type"] for n, p in schema.items() if "type" in p}  # geometry is a $ref
    r = client.get(f"/collections/{cid}/items", params={"limit": 10_000}, headers=headers)
    assert r.status_code == 200, (cid, r.text[:300])
    return types, [f["properties"] for f in r.json()["features"]]


def _wrong(types: dict[str, str], rows: list[dict]) -> list[tuple]:
    bad = []
    for row in rows:
        for name, value in row.items():
            kind = types.get(name)
            if kind is None or value is None:
                continue
            ok = isinstance(value, PYTHON_TYPES[kind])
            if kind in ("integer", "number") and isinstance(value, bool):
                ok = False  # a bool is an int in Python, not a number in JSON
            if kind == "integer" and isinstance(value, float):
                ok = False  # 2023.0 is typed Real by GDAL and QGIS
            if not ok:
                bad.append((name, kind, value))
    return bad


def test_anonymous_collections_are_the_public_ones(client):
    ids = _ids(client)
    assert "base_stations" not in ids and "coverage_gaps" not in ids  # key only: not listed
    assert {*LAYERS, "base_station_totals", "county_scorecard"} <= set(ids)


@pytest.mark.parametrize("who", ["anonymous", "planner"])
def test_every_property_has_its_schema_type(client, planner, who):
    headers = planner if who == "planner" else None
    checked = 0
    for cid in _ids(client, headers):
        types, rows = _typed(client, cid, headers)
        assert _wrong(types, rows) == [], cid
        checked += 1
    assert checked >= len(LAYERS) + (4 if who == "planner" else 2)


def test_the_first_page_types_every_numeric_column_that_has_a_value(client):
    """QGIS 3.22 and GDAL 3.6 read ``items?limit=10`` to type fields: a numeric column whose
    values all sit after that page arrives as strings there (iot_zones year/value did)."""
    for cid in _ids(client):
        types, rows = _typed(client, cid)
        for name, kind in types.items():
            if kind not in ("integer", "number", "boolean"):
                continue
            if any(r.get(name) is not None for r in rows):
                assert any(r.get(name) is not None for r in rows[:SAMPLED_PAGE]), (cid, name)


def test_iot_zone_targets_are_numbers(client):
    rows = {r["id"]: r for r in _typed(client, "iot_zones")[1]}
    assert rows["terminals-2025"]["year"] == 2025 and rows["terminals-2025"]["value"] == 2_800_000
    assert rows["terminals-2025"]["text"] == "280万个"  # the seed's wording, verbatim
    assert isinstance(rows["agri_bases-2020"]["value"], float)


def test_no_data_is_null_with_a_reason(client):
    rows = _typed(client, "county_scorecard")[1]
    assert len(rows) == 18
    for r in rows:
        assert r["sites_per_10k_people"] is None
        assert "无县级人口数据" in r["sites_per_10k_people_note"]
        # 乡镇全覆盖 over the positioned shipped townships: counts are ints, the share a
        # number or null, and the note always says what it leaves out (or why it is null)
        assert isinstance(r["townships_total"], int) and r["townships_total"] > 0
        assert 0 <= r["townships_covered"] <= r["townships_positioned"] <= r["townships_total"]
        assert r["township_coverage_pct"] is None or isinstance(r["township_coverage_pct"],
                                                                float)
        assert "乡镇" in r["township_coverage_note"]
        assert isinstance(r["parks_placed"], int) and "parks_covered" not in r  # withheld
    columns = {c.name: c for c in SCORECARD_SCHEMA.columns}
    assert columns["sites_per_10k_people"].dtype == "float"
    assert columns["sites_per_10k_people_note"].title == "每万人基站数说明"


def test_township_coverage_is_a_number_or_null_with_why():
    none = {"townships_total": None, "townships_positioned": None, "townships_covered": None}
    assert township_fields({"township_coverage_pct": 87.5}) == {
        "township_coverage_pct": 87.5, "township_coverage_note": None, **none}
    assert township_fields({"township_coverage_pct": "not assessable"}) == {
        "township_coverage_pct": None, "township_coverage_note": NO_TOWNSHIPS, **none}
    # the share is over the positioned townships; the note says how many it leaves out
    counted = township_fields({"township_coverage_pct": 87.5, "townships_total": 10,
                               "townships_positioned": 8, "townships_covered": 7})
    assert (counted["townships_covered"], counted["township_coverage_pct"]) == (7, 87.5)
    assert "另有2个乡镇无点位" in counted["township_coverage_note"]
    unplaced = township_fields({"township_coverage_pct": "not assessable",
                                "townships_total": 17, "townships_positioned": 0,
                                "townships_covered": 0})
    assert unplaced["township_coverage_pct"] is None
    assert "17个乡镇均无点位" in unplaced["township_coverage_note"]
    assert township_fields({})["township_coverage_note"] == NO_RUN  # no coverage run yet


def test_planners_read_the_covered_park_count_as_a_number(client, planner):
    rows = _typed(client, "county_scorecard", planner)[1]
    assert all(isinstance(r["parks_covered"], int) for r in rows)
    assert all(r["parks_covered"] <= r["parks_placed"] for r in rows)


def test_csvt_download_types_the_download_csv_by_position(client, ctx):
    for name in LAYERS:
        result = ctx.result(name)
        r = client.get(f"/collections/{name}/download/csvt")
        assert r.status_code == 200, name
        line = r.text.strip()
        assert line == csvt_line(result)
        header = client.get(f"/collections/{name}/download/csv").text.lstrip("\ufeff")
        columns = header.splitlines()[0].split(",")
        types = [t.strip('"') for t in line.split(",")]
        assert len(types) == len(columns), name
        for column, kind in zip(columns, types, strict=True):
            expected = {"wkt": "WKT", "lon": "Real", "lat": "Real"}.get(column)
            if expected is None:
                dtype = result.layer.schema.column(column).dtype
                expected = {"string": "String", "int": "Integer", "float": "Real",
                            "bool": "Integer(Boolean)"}[dtype]
            assert kind == expected or (kind, expected) == ("Integer64", "Integer"), column


def test_csvt_link_points_items_csv_at_the_sidecar(app):
    catalog = app.state.service.catalog
    assert csvt_href(catalog.get("parks"), "http://x") == \
        "http://x/collections/parks/download/csvt"
    assert csvt_href(catalog.get("parks"), "http://x", ("name",)) is None  # other columns
    assert csvt_href(catalog.get("county_scorecard"), "http://x") is None  # no downloads


def test_items_csv_answer_links_its_sidecar(client):
    r = client.get("/collections/parks/items", params={"f": "csv", "limit": 5})
    assert r.status_code == 200
    href = r.headers["link"].split(">")[0].lstrip("<")
    assert href.endswith("/collections/parks/download/csvt")
    sidecar = client.get(href.replace("http://testserver", ""))
    assert sidecar.status_code == 200 and sidecar.text.startswith('"')
    header = r.text.splitlines()[0].lstrip("\ufeff").split(",")
    assert len(sidecar.text.strip().split(",")) >= len(header)
