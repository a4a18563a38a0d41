"""Coverage over HTTP as planners and operators use it."""

import io

import openpyxl
import pytest
import rasterio

from tests.pg import both_stores_app, module_client

app = both_stores_app()  # this module runs on SQLite and on PostGIS
client = module_client()
SCORE = "/collections/county_scorecard/items"


@pytest.fixture(scope="module")
def keys(app):
    store = app.state.service.store
    return {name: {"Authorization": f"Bearer {store.create_key(role, op, 'cov')[1]}"}
            for name, role, op in [("planner", "planner", None),
                                   ("operator", "operator", "中国联通")]}


def test_scorecard_has_the_required_fields_and_city_line(client):
    r = client.get(SCORE)
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    body = r.json()
    props = body["features"][0]["properties"]
    for field in ("adcode", "sites_total", "target_2023", "target_2025", "pct_of_target_2025",
                  "covered_area_pct", "gap_area_km2", "allocation_method", "flags"):
        assert field in props
    assert len(body["features"]) == 18
    assert body["city"]["plan_2025"] == 20000 and "difference_from_plan_2025" in body["city"]
    assert "规划近似" in body["coverage_model"]
    assert "sites_by_operator" not in props  # anonymous: no operator split
    by_id = {f["id"]: f["properties"] for f in body["features"]}
    assert "信丰 5G 产业园" in by_id["360722"]["iot_priority_areas"]
    assert sum(p["iot_alloc_2025"] for p in by_id.values()) == 2_800_000


def test_operator_split_only_for_planners(client, keys):
    planner = client.get(SCORE, headers=keys["planner"]).json()["features"][0]["properties"]
    operator = client.get(SCORE, headers=keys["operator"]).json()["features"][0]["properties"]
    assert "sites_by_operator" in planner and "sites_by_operator" not in operator


def test_csv_and_xlsx_exports_include_the_city_total(client):
    csv = client.get(SCORE, params={"f": "csv"}).content.decode("utf-8-sig")
    assert "赣州市合计" in csv.splitlines()[-1]
    xlsx = client.get(SCORE, params={"f": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    # row 1 Chinese titles, row 2 field names, 18 counties and the city line
    assert sheet.max_row == 21 and sheet["A1"].value == "区县代码" and sheet["A2"].value == "adcode"


def test_planner_override_is_recorded_and_the_city_difference_shows(client, keys):
    before = client.get("/coverage/targets").json()
    old = {c["adcode"]: c for c in before["counties"]}["360783"]["target_2025"]
    r = client.put("/coverage/targets/360783/2025", json={"value": old + 100, "note": "test"},
                   headers=keys["planner"])
    assert r.status_code == 200
    assert r.json()["city"]["difference_from_plan_2025"] == 100
    hist = client.get("/coverage/targets/history").json()["overrides"][-1]
    assert (hist["adcode"], hist["value"], hist["previous_value"]) == ("360783", old + 100, old)
    assert hist["actor"].startswith("key:") and hist["created_at"]
    row = [f for f in client.get(SCORE).json()["features"] if f["id"] == "360783"][0]
    assert row["properties"]["target_2025_source"].startswith("overridden by key:")
    client.put("/coverage/targets/360783/2025", json={"value": None}, headers=keys["planner"])
    assert client.get("/coverage/targets").json()["city"]["difference_from_plan_2025"] == 0


def test_only_planners_override(client, keys):
    assert client.put("/coverage/targets/360702/2025", json={"value": 1}).status_code == 401
    r = client.put("/coverage/targets/360702/2025", json={"value": 1}, headers=keys["operator"])
    assert r.status_code == 403
    r = client.put("/coverage/targets/999999/2025", json={"value": 1}, headers=keys["planner"])
    assert r.status_code == 404  # no such target: a path naming nothing


def test_raster_tiles_and_cog(client, keys, tmp_path):
    assert client.get("/coverage/tiles/8/209/108.png").status_code == 401  # planners only
    r = client.get("/coverage/tiles/8/209/108.png", headers=keys["planner"])
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/coverage/tiles/3/0/0.png", headers=keys["planner"]).status_code == 204
    cog = tmp_path / "c.tif"
    cog.write_bytes(client.get("/coverage/coverage.tif", headers=keys["planner"]).content)
    with rasterio.open(cog) as src:
        assert src.crs.to_epsg() == 4547


def test_every_served_site_carries_its_radius(client, keys):
    body = client.get("/collections/base_stations/items", params={"limit": 50},
                      headers=keys["planner"]).json()
    for f in body["features"]:
        p = f["properties"]
        assert p["coverage_setting"] in ("urban", "rural")
        assert p["coverage_radius_m"] in (0, 150, 500, 2000)


def test_gap_polygons_collection(client, keys):
    body = client.get("/collections/coverage_gaps/items", params={"adcode": "360702"},
                      headers=keys["planner"]).json()
    assert body["numberMatched"] > 0
    assert {f["properties"]["adcode"] for f in body["features"]} == {"360702"}
