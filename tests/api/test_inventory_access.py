"""An operator can neither read nor alter another operator's sites, through any route."""

import pytest

from tests.pg import both_stores_app, module_client

app = both_stores_app()  # this module runs on SQLite and on PostGIS
client = module_client()

CSV = ("site_id,lon,lat,type,band,status,commissioned\n"
       "ISO-1,114.93,25.83,macro,n41,on_air,2021-03-01\n"
       "ISO-2,115.00,25.90,micro,n79,built,\n")
SITES = "/collections/base_stations/items"


@pytest.fixture(scope="module")
def keys(app, client):
    store = app.state.service.store
    made = {name: store.create_key(role, op, "test")[1] for name, role, op in [
        ("cmcc", "operator", "中国移动"), ("cucc", "operator", "中国联通"),
        ("planner", "planner", None), ("admin", "admin", None)]}
    headers = {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}
    r = client.post("/imports/base-stations", headers=headers["cmcc"],
                    files={"file": ("own.csv", CSV.encode())})
    assert r.status_code == 200, r.text
    return headers


def test_operator_lists_only_own_sites(client, keys):
    body = client.get(SITES, params={"limit": 10000}, headers=keys["cmcc"]).json()
    assert {f["properties"]["site_id"] for f in body["features"]} >= {"ISO-1", "ISO-2"}
    assert {f["properties"]["operator"] for f in body["features"]} == {"中国移动"}
    assert not any(f["properties"]["synthetic"] for f in body["features"])


def test_demo_sites_filed_under_an_operator_are_not_its_own(client, keys, app):
    """The demo inventory names real operators; a real 中国联通 key lists none of it."""
    demo = app.state.service.store.county_totals()
    assert int(demo.loc[(demo["operator"] == "中国联通") & (demo["synthetic"] == 1), "n"].sum())
    body = client.get(SITES, params={"limit": 10000}, headers=keys["cucc"]).json()
    assert not any(f["properties"]["synthetic"] for f in body["features"])
    cql = client.get(SITES, params={"filter": "synthetic = true"}, headers=keys["cucc"]).json()
    assert cql["numberMatched"] == 0
    batches = client.get("/imports/base-stations", headers=keys["cucc"]).json()["batches"]
    assert not any(b["synthetic"] for b in batches)
    planner = client.get(SITES, params={"synthetic": "true", "limit": 1},
                         headers=keys["planner"]).json()
    assert planner["numberMatched"] > 0  # planners still see the demo, flagged


@pytest.mark.parametrize("params", [{"operator": "中国移动"}, {"site_id": "ISO-1"},
                                    {"bbox": "114.9,25.8,115.1,26.0", "limit": "10000"},
                                    {"county_adcode": "360702", "limit": "10000"}])
def test_filters_never_reach_other_operators(client, keys, params):
    body = client.get(SITES, params=params, headers=keys["cucc"]).json()
    assert all(f["properties"]["operator"] == "中国联通" for f in body["features"])
    assert "ISO-1" not in [f["properties"]["site_id"] for f in body["features"]]


def test_single_item_of_another_operator_is_404(client, keys):
    assert client.get(f"{SITES}/cmcc:ISO-1", headers=keys["cmcc"]).status_code == 200
    r = client.get(f"{SITES}/cmcc:ISO-1", headers=keys["cucc"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_operator_cannot_change_a_site(client, keys, method):
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.9, 25.8]},
               "properties": {"type": "micro", "status": "planned"}}
    kwargs = {} if method == "delete" else {"json": feature}
    r = getattr(client, method)(f"{SITES}/cmcc:ISO-2", headers=keys["cucc"], **kwargs)
    assert r.status_code == 404
    site = client.get(f"{SITES}/cmcc:ISO-2", headers=keys["cmcc"]).json()
    assert site["properties"]["status"] == "built"


def test_import_writes_only_under_the_callers_operator(client, keys):
    r = client.post("/imports/base-stations", headers=keys["cucc"],
                    files={"file": ("x.csv", CSV.encode())})
    assert r.status_code == 200 and r.json()["operator"] == "中国联通"
    mine = client.get(f"{SITES}/cmcc:ISO-2", headers=keys["cmcc"]).json()
    assert mine["properties"]["status"] == "built"
    batches = client.get("/imports/base-stations", headers=keys["cucc"]).json()["batches"]
    assert {b["operator"] for b in batches} == {"中国联通"}


def test_tiles_and_downloads_do_not_expose_sites(client, keys):
    for path in ("/tiles/base_stations/8/209/108.mvt", "/collections/base_stations/download/csv",
                 "/collections/base_stations/tiles/WebMercatorQuad/8/108/209"):
        r = client.get(path, headers=keys["cucc"])
        assert r.status_code in (404, 405), path
        assert b"ISO-1" not in r.content


def test_planner_reads_all_but_cannot_write(client, keys):
    body = client.get(SITES, params={"site_id": "ISO-1"}, headers=keys["planner"]).json()
    assert body["numberMatched"] == 2  # 中国移动's and 中国联通's ISO-1
    r = client.post("/imports/base-stations", headers=keys["planner"],
                    files={"file": ("x.csv", CSV.encode())})
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"


def test_anonymous_gets_401_but_sees_county_totals(client, keys):
    r = client.get(SITES)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert client.get(SITES, headers={"Authorization": "Bearer nope"}).status_code == 401
    totals = client.get("/collections/base_station_totals/items").json()
    props = totals["features"][0]["properties"]
    assert len(totals["features"]) == 18 and "sites_total" in props
    assert not any("operator" in k for k in props)


def test_admin_manages_keys_others_may_not(client, keys):
    assert client.get("/admin/keys", headers=keys["cmcc"]).status_code == 403
    r = client.post("/admin/keys", headers=keys["admin"],
                    json={"role": "operator", "operator": "中国电信"})
    assert r.status_code == 201
    new = {"Authorization": f"Bearer {r.json()['key']}"}
    assert client.get(SITES, params={"limit": 1}, headers=new).status_code == 200
    assert client.delete(f"/admin/keys/{r.json()['id']}", headers=keys["admin"]).status_code \
        == 204
    assert client.get(SITES, headers=new).status_code == 401


def test_synthetic_sites_are_marked(client, keys):
    body = client.get(SITES, params={"synthetic": "true", "limit": 5},
                      headers=keys["planner"]).json()
    assert body["numberMatched"] >= 6000
    assert all(f["properties"]["synthetic"] is True for f in body["features"])


def test_create_and_bad_feature(client, keys):
    good = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.95, 25.85]},
            "properties": {"site_id": "NEW-1", "type": "micro", "status": "built"}}
    r = client.post(SITES, json=good, headers=keys["cmcc"])
    assert r.status_code == 201 and r.headers["location"].endswith("/cmcc:NEW-1")
    assert client.post(SITES, json=good, headers=keys["cmcc"]).status_code == 409
    bad = {**good, "properties": {**good["properties"], "site_id": "NEW-2", "type": "x"}}
    r = client.post(SITES, json=bad, headers=keys["cmcc"])
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "type"
