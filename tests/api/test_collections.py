import pytest
from fastapi.testclient import TestClient

from geo.layers import LAYERS

LIVE = ["base_station_totals", "county_scorecard"]


def _auth(app, role: str, operator: str | None = None) -> dict:
    return {"Authorization": f"Bearer {app.state.service.store.create_key(role, operator, 'l')[1]}"}


def test_collections_list_what_the_caller_may_read(client, app):
    body = client.get("/collections").json()
    ids = [c["id"] for c in body["collections"]]
    assert ids == [*LAYERS, *LIVE]  # anonymous: no base_stations, no coverage_gaps
    assert all("." not in c["id"] for c in body["collections"])
    body = client.get("/collections", headers=_auth(app, "operator", "中国电信")).json()
    assert [c["id"] for c in body["collections"]] == [*LAYERS, "base_stations", *LIVE,
                                                      "coverage_gaps"]
    body = client.get("/collections", headers=_auth(app, "planner")).json()
    assert [c["id"] for c in body["collections"]] == [*LAYERS, "base_stations", *LIVE,
                                                      "coverage_gaps"]


@pytest.mark.parametrize("cid", [*LIVE, "coverage_gaps"])
def test_store_backed_collections_page_filter_and_describe_themselves(client, app, cid):
    if cid == "coverage_gaps":
        client = TestClient(app, headers=_auth(app, "planner"))
    doc = client.get(f"/collections/{cid}").json()
    assert doc["id"] == cid and "http://www.opengis.net/def/crs/EPSG/0/4547" in doc["crs"]
    queryables = client.get(f"/collections/{cid}/queryables").json()["properties"]
    schema = client.get(f"/collections/{cid}/schema").json()["properties"]
    assert "adcode" in queryables and set(queryables) <= set(schema)
    page = client.get(f"/collections/{cid}/items", params={"limit": 2})
    body = page.json()
    assert body["numberReturned"] == min(2, body["numberMatched"])
    assert 'rel="next"' in page.headers["link"]
    one = client.get(f"/collections/{cid}/items",
                     params={"filter": "adcode = '360702'", "limit": 100}).json()
    assert one["numberMatched"] >= 1
    assert {f["properties"]["adcode"] for f in one["features"]} == {"360702"}


@pytest.mark.parametrize("cid", list(LAYERS))
def test_collection_document(client, cid):
    r = client.get(f"/collections/{cid}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["id"] == cid and doc["itemCount"] > 0
    assert "http://www.opengis.net/def/crs/EPSG/0/4490" in doc["crs"]
    rels = {(link["rel"], link["type"]) for link in doc["links"]}
    assert ("items", "application/geo+json") in rels
    assert ("describedby", "application/schema+json") in rels
    assert sum(rel == "enclosure" for rel, _ in rels) >= 4
    tiles = [lk["href"] for lk in doc["links"] if lk["rel"].endswith("tilesets-vector")]
    assert tiles and client.get(tiles[0]).status_code == 200


def test_counties_extent_is_ganzhou(client):
    extent = client.get("/collections/counties").json()["extent"]
    minx, miny, maxx, maxy = extent["spatial"]["bbox"][0]
    assert 113.8 < minx < 114.0 and 27.0 < maxy < 27.3


def test_queryables_are_json_schema(client):
    r = client.get("/collections/counties/queryables")
    assert r.headers["content-type"] == "application/schema+json"
    props = r.json()["properties"]
    assert props["adcode"]["type"] == "string"
    refs = [g["$ref"] for g in props["geometry"].get("oneOf", [props["geometry"]])]
    assert refs and all(r.startswith("https://geojson.org/schema/") for r in refs)


def test_unknown_collection_is_404_problem(client):
    r = client.get("/collections/nope")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 404 and body["instance"] == "/collections/nope"


def test_collection_html_shows_fields_and_map(client):
    r = client.get("/collections/parks?f=html")
    assert "园区与平台" in r.text and "<svg" in r.text and "location_precision" in r.text
