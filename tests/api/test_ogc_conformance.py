"""OGC API - Features Part 1 requirements, one test per requirement, from the requirement texts.

Quoted requirements are from OGC 17-069r4 (Part 1: Core 1.0.1); each test performs what
the requirement describes against the real app and asserts what it says the server SHALL do.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.layers import LAYERS

PUBLIC_LIVE = ["base_station_totals", "county_scorecard"]
KEYED = ["base_stations", "coverage_gaps"]
PROBLEM = "application/problem+json"


def _key(app, role: str, operator: str | None = None) -> str:
    return app.state.service.store.create_key(role, operator, "conformance")[1]


@pytest.fixture(scope="module")
def planner(app):
    """A client with a planner key: it may read every collection."""
    return TestClient(app, headers={"Authorization": f"Bearer {_key(app, 'planner')}"})


def _problem(r, status: int, parameter: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    if parameter is not None:
        assert body["parameter"] == parameter
    return body


# /req/core/query-param-unknown: "The server SHALL respond with a response with the status
# code 400, if the request URI includes a query parameter that is not specified in the API
# definition."
@pytest.mark.parametrize("path", [
    "/", "/conformance", "/api", "/collections", "/collections/counties",
    "/collections/counties/items", "/collections/counties/items/360702",
    "/collections/counties/queryables", "/collections/counties/schema",
    "/collections/county_scorecard/items", "/collections/base_station_totals/items/360702",
])
def test_unknown_query_parameter_is_400_on_every_read(client, path):
    _problem(client.get(path, params={"colour": "red"}), 400, "colour")


def test_unknown_parameter_is_400_on_keyed_collections_too(planner):
    for cid in KEYED:
        _problem(planner.get(f"/collections/{cid}/items", params={"colour": "red"}), 400,
                 "colour")


def test_every_parameter_the_server_accepts_is_in_the_api_definition(client):
    """The converse: what the OpenAPI document declares for an items path is accepted."""
    doc = client.get("/api").json()
    components = doc["components"]["parameters"]
    op = doc["paths"]["/collections/counties/items"]["get"]
    names = [components[p["$ref"].rsplit("/", 1)[-1]]["name"] if "$ref" in p else p["name"]
             for p in op["parameters"]]
    assert {"limit", "bbox", "datetime", "adcode", "fiveg_tier"} <= set(names)
    queryables = client.get("/collections/counties/queryables").json()["properties"]
    assert set(queryables) - {"geometry"} <= set(names)  # geometry: CQL2 only
    for name in ("adcode", "layout_unit", "offset"):
        assert client.get("/collections/counties/items", params={name: "0"}).status_code \
            == 200


# /req/core/query-param-invalid: "The server SHALL respond with a response with the status
# code 400, if the request URI includes a query parameter that has an invalid value."
@pytest.mark.parametrize(("param", "value"), [
    ("limit", "0"), ("limit", "ten"), ("offset", "-1"), ("bbox", "1,2,3"),
    ("bbox", "1,2,3,4,5"), ("bbox", "a,b,c,d"), ("bbox", "114,25,9,116,27,1"),
    ("datetime", "yesterday"), ("datetime", "2023-01-01T00:00:00"),  # no offset: not RFC 3339
    ("datetime", "../.."), ("datetime", "2024-01-01T00:00:00Z/2023-01-01T00:00:00Z"),
    ("crs", "EPSG:9999"), ("f", "shapefile"), ("filter", "adcode = "),
])
def test_invalid_parameter_value_is_400_naming_it(client, param, value):
    _problem(client.get("/collections/counties/items", params={param: value}), 400, param)


def test_invalid_collection_parameter_is_400(client):
    _problem(client.get("/collections/county_scorecard/items", params={"scenario": "2024"}),
             400, "scenario")


def test_bodies_stay_422(app):
    """422 is for bodies only: a well-formed request whose content cannot be used."""
    operator = TestClient(app, headers={"Authorization":
                                        f"Bearer {_key(app, 'operator', '中国联通')}"})
    _problem(operator.patch("/collections/base_stations/items/cucc:nope",
                            json={"status": "on_air"}), 404)  # no such site: not a body fault
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115, 25.8]},
               "properties": {"site_id": 17}}
    _problem(operator.post("/collections/base_stations/items", json=feature), 422, "site_id")


# /req/core/fc-bbox-response: "Only features that have a spatial geometry that intersects the
# bounding box SHALL be part of the result set".
def test_bbox_selects_by_geometry_not_envelope(client, ctx):
    gdf = ctx.result("counties").gdf
    for _, row in gdf.iterrows():
        geom = row.geometry
        x0, y0, x1, y1 = geom.bounds
        xs, ys = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
        for x, y in zip(xs.ravel(), ys.ravel(), strict=True):
            box = shapely.box(x - 0.001, y - 0.001, x + 0.001, y + 0.001)
            if not geom.intersects(box) and box.within(shapely.box(x0, y0, x1, y1)):
                hits = client.get("/collections/counties/items", params={
                    "bbox": ",".join(f"{v:.6f}" for v in box.bounds), "limit": 100}).json()
                ids = {f["id"] for f in hits["features"]}
                assert str(row["adcode"]) not in ids
                expected = {str(a) for a, g in zip(gdf["adcode"], gdf.geometry, strict=True)
                            if g.intersects(box)}
                assert ids == expected
                return
    pytest.fail("no county with an envelope corner outside its polygon")


def test_bbox_with_six_numbers_is_the_2d_box(client):
    four = client.get("/collections/counties/items",
                      params={"bbox": "114.8,25.7,115.1,26.0", "limit": 100}).json()
    six = client.get("/collections/counties/items",
                     params={"bbox": "114.8,25.7,-100,115.1,26.0,3000", "limit": 100}).json()
    assert four["numberMatched"] == six["numberMatched"] > 0


# /req/core/fc-time-response: "Only features that have a temporal geometry that intersects
# the temporal information in the datetime parameter SHALL be part of the result set".
def test_datetime_selects_features_whose_time_intersects(app, planner):
    operator = TestClient(app, headers={"Authorization":
                                        f"Bearer {_key(app, 'operator', '中国铁塔')}"})
    rows = [{"site_id": f"T{i}", "lon": 114.93 + i / 100, "lat": 25.83, "type": "macro",
             "band": "n78", "status": "on_air", "commissioned": day}
            for i, day in enumerate(["2021-03-01", "2022-07-15", "2023-12-31", ""])]
    csv = "site_id,lon,lat,type,band,status,commissioned\n" + "".join(
        ",".join(str(r[k]) for k in ("site_id", "lon", "lat", "type", "band", "status",
                                     "commissioned")) + "\n" for r in rows)
    r = operator.post("/imports/base-stations", files={"file": ("t.csv", csv.encode())})
    assert r.status_code == 200, r.text  # the import report

    def ids(when: str) -> set[str]:
        body = operator.get("/collections/base_stations/items",
                            params={"datetime": when, "limit": 1000}).json()
        mine = {r["site_id"] for r in rows}  # other tests may import for this operator too
        return {f["properties"]["site_id"] for f in body["features"]} & mine

    assert ids("2022-07-15") == {"T1"}
    assert ids("2022-07-15T08:00:00+08:00") == {"T1"}  # 00:00 UTC on that day
    assert ids("2022-07-14T23:00:00Z") == set()
    assert ids("2022-01-01T00:00:00Z/..") == {"T1", "T2"}
    assert ids("../2022-12-31T23:59:59Z") == {"T0", "T1"}
    assert ids("2021-01-01T00:00:00Z/2023-12-31T00:00:00Z") == {"T0", "T1", "T2"}
    assert "T3" not in ids("0001-01-01T00:00:00Z/..")  # no time: never selected


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00",
                                   "2023-02-30", "2023-01-01T00:00:00Z\nx"])
def test_datetime_at_the_calendar_edges_is_400_not_500(client, value):
    _problem(client.get("/collections/iot_zones/items", params={"datetime": value}), 400,
             "datetime")


def test_limit_above_the_maximum_is_the_maximum(client, settings):
    """/req/core/fc-limit-response-1: the server uses its maximum, without an error."""
    body = client.get("/collections/parks/items", params={"limit": 10**12}).json()
    assert body["numberReturned"] == min(settings.max_limit, body["numberMatched"])


def test_a_second_app_keeps_its_own_parameter_definitions(settings, ctx):
    """Routes of two apps (as in tests, or a reload) never share allowed-parameter sets."""
    from api.app import create_app

    first, second = (TestClient(create_app(settings, ctx)) for _ in range(2))
    for c in (first, second):
        _problem(c.get("/collections", params={"limit": "1"}), 400, "limit")
        assert c.get("/collections", params={"f": "json"}).status_code == 200


def test_datetime_on_a_collection_without_time_selects_nothing(client):
    body = client.get("/collections/counties/items",
                      params={"datetime": "2023-01-01T00:00:00Z/.."}).json()
    assert body["numberMatched"] == 0 and body["features"] == []


# /req/core/fc-limit-response-1 and /rec/core/fc-next-1: limit and paging on EVERY collection.
@pytest.mark.parametrize("cid", [*LAYERS, *PUBLIC_LIVE, *KEYED])
def test_limit_and_paging_links_on_every_collection(planner, cid):
    first = planner.get(f"/collections/{cid}/items", params={"limit": 1})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["numberReturned"] == min(1, body["numberMatched"]) == len(body["features"])
    header = _links(first.headers["link"])
    assert {"self", "alternate"} <= set(header)
    if body["numberMatched"] > 1:
        assert "next" in header
        second = planner.get(header["next"].replace("http://testserver", ""))
        assert second.status_code == 200
        assert "prev" in _links(second.headers["link"])
        assert second.json()["features"][0]["id"] != body["features"][0]["id"]
    assert {lk["rel"] for lk in body["links"]} >= {"self", "alternate"}


def _links(header: str) -> dict[str, str]:
    """RFC 8288 ``Link`` header -> {rel: href}."""
    return {m.group(2): m.group(1) for m in re.finditer(r'<([^>]*)>\s*;[^,]*?rel="([^"]+)"',
                                                        header)}


# The Part 1 OpenAPI fragments (openapi/parameters/*.yaml) on every items path.
def test_standard_parameters_are_declared_as_the_fragments_do(client):
    doc = client.get("/api").json()
    params = doc["components"]["parameters"]
    bbox = params["bbox"]
    assert (bbox["in"], bbox["style"], bbox["explode"], bbox["required"]) == (
        "query", "form", False, False)
    assert bbox["schema"]["type"] == "array" and bbox["schema"]["items"] == {"type": "number"}
    assert bbox["schema"]["oneOf"] == [{"minItems": 4, "maxItems": 4},
                                       {"minItems": 6, "maxItems": 6}]
    assert params["datetime"]["schema"] == {"type": "string"}
    assert (params["datetime"]["style"], params["datetime"]["explode"]) == ("form", False)
    limit = params["limit"]["schema"]
    assert limit["type"] == "integer" and limit["minimum"] == 1 and limit["default"] >= 1
    items_paths = [p for p in doc["paths"] if p.endswith("/items")]
    expected = {"/collections/{collectionId}/items",
                *(f"/collections/{c}/items" for c in [*LAYERS, *PUBLIC_LIVE, *KEYED])}
    assert expected <= set(items_paths)
    for path in expected:
        refs = {p.get("$ref") for p in doc["paths"][path]["get"]["parameters"]}
        for name in ("limit", "bbox", "datetime"):
            assert f"#/components/parameters/{name}" in refs, (path, name)
        for p in doc["paths"][path]["get"]["parameters"]:
            if p.get("in") == "query":
                assert (p["style"], p["explode"]) == ("form", False), (path, p["name"])


def test_keyed_collections_declare_their_security(client):
    doc = client.get("/api").json()
    assert {"apiKeyBearer", "apiKeyBasic"} <= set(doc["components"]["securitySchemes"])
    op = doc["paths"]["/collections/base_stations/items"]["get"]
    assert {} not in op["security"]
    assert {} in doc["paths"]["/collections/counties/items"]["get"]["security"]


# HTTP Basic (RFC 7617) with the key as the password, for QGIS 3.22.
def test_basic_credentials_with_the_key_as_password(app):
    secret = _key(app, "operator", "中国移动")
    bearer = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    want = bearer.get("/collections/base_stations/items", params={"limit": 5}).json()
    got = TestClient(app).get("/collections/base_stations/items", params={"limit": 5},
                              auth=("qgis", secret))
    assert got.status_code == 200
    assert got.json()["numberMatched"] == want["numberMatched"]
    assert "no-store" in got.headers["cache-control"]


@pytest.mark.parametrize("header", [
    "Basic " + base64.b64encode(b"qgis:not-a-key").decode(),
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Basic !!!not-base64!!!",
    "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "Basic " + "A" * 5000,
])
def test_bad_basic_credentials_are_401_with_both_challenges(app, header):
    r = TestClient(app).get("/collections/base_stations/items",
                            headers={"Authorization": header})
    _problem(r, 401)
    challenges = r.headers.get_list("www-authenticate")
    assert any(c.startswith("Bearer ") for c in challenges)
    assert any(c.startswith("Basic ") for c in challenges)


# Issue 11: numeric queryables compare (CQL2 Basic: binary comparison on numbers).
@pytest.mark.parametrize(("cid", "column"), [
    ("counties", "area_km2"), ("county_scorecard", "pct_of_target_2025"),
    ("county_summary", "area_km2"), ("iot_zones", "year")])
def test_numeric_queryables_filter_with_comparisons(client, cid, column):
    queryables = client.get(f"/collections/{cid}/queryables").json()["properties"]
    assert queryables[column]["type"] in ("number", "integer")
    every = client.get(f"/collections/{cid}/items", params={"limit": 1000}).json()["features"]
    values = sorted(v for f in every if (v := f["properties"][column]) is not None)
    threshold = values[len(values) // 2]  # the median: some rows above, some not
    want = {f["id"] for f in every
            if f["properties"][column] is not None and f["properties"][column] > threshold}
    got = client.get(f"/collections/{cid}/items",
                     params={"filter": f"{column} > {threshold}", "limit": 1000}).json()
    assert {f["id"] for f in got["features"]} == want
    assert len(got["features"]) < len(every)


@pytest.mark.parametrize("cid", ["iot_zones", "fiveg_targets"])
def test_plan_years_are_the_temporal_property(client, ctx, cid):
    """A target for 2023 spans that calendar year; the collection's extent says so."""
    doc = client.get(f"/collections/{cid}").json()
    years = sorted({int(y) for y in ctx.result(cid).gdf["year"].dropna()})
    assert doc["extent"]["temporal"]["interval"] == [
        [f"{years[0]}-01-01T00:00:00Z", f"{years[-1]}-12-31T23:59:59Z"]]
    body = client.get(f"/collections/{cid}/items",
                      params={"datetime": "2023-06-01T00:00:00Z", "limit": 1000}).json()
    assert body["numberMatched"] > 0
    assert {f["properties"]["year"] for f in body["features"]} == {2023}
