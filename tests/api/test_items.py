import pytest

ITEMS = "/collections/{}/items"


def get(client, cid, **params):
    return client.get(ITEMS.format(cid), params=params)


def test_items_are_geojson_with_counts_and_ids(client):
    r = get(client, "counties", limit=5)
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    assert r.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = r.json()
    assert body["numberMatched"] == 18 and body["numberReturned"] == 5
    assert all(isinstance(f["id"], str) for f in body["features"])


def test_paging_follows_next_links_to_every_feature(client):
    seen, url = [], ITEMS.format("jiangxi_counties") + "?limit=30"
    while url:
        body = client.get(url).json()
        seen += [f["id"] for f in body["features"]]
        nxt = [link for link in body["links"] if link["rel"] == "next"]
        assert all(link["type"] == "application/geo+json" for link in nxt)
        url = nxt[0]["href"] if nxt else None
    assert len(seen) == len(set(seen)) == 100


def test_too_large_limit_is_clamped(client, settings, ctx):
    body = get(client, "parks", limit=10**9).json()
    assert body["numberReturned"] == min(len(ctx.result("parks").gdf), settings.max_limit)


@pytest.mark.parametrize(("param", "value"), [("limit", "0"), ("limit", "x"), ("offset", "-1"),
                                              ("bbox", "1,2,3"), ("bbox", "a,b,c,d"),
                                              ("crs", "EPSG:9999"), ("bbox-crs", "foo"),
                                              ("sortby", "-nope"), ("properties", "nope"),
                                              ("unknown_param", "1")])
def test_bad_parameters_are_400_naming_the_parameter(client, param, value):
    """Part 1 /req/core/query-param-invalid and /req/core/query-param-unknown: 400."""
    params = {param: value}
    if param == "bbox-crs":
        params["bbox"] = "114,25,115,26"
    r = get(client, "counties", **params)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["parameter"] == param


def test_equality_filters_on_queryables(client):
    body = get(client, "counties", layout_unit="赣南数谷").json()
    assert [f["properties"]["name"] for f in body["features"]] == ["章贡区"]
    body = get(client, "counties", adcode="360702").json()
    assert body["numberMatched"] == 1
    body = get(client, "parks", county_adcode="360722").json()
    assert body["numberMatched"] == 5


def test_bbox_selects_intersecting_features(client):
    # a small box around the 章贡区 seat
    body = get(client, "counties", bbox="114.90,25.80,114.95,25.85").json()
    assert "360702" in [f["id"] for f in body["features"]]
    assert body["numberMatched"] <= 3


def test_bbox_in_epsg4490_uses_lat_lon_order(client):
    crs84 = get(client, "counties", bbox="114.90,25.80,114.95,25.85").json()
    cgcs = get(client, "counties", bbox="25.80,114.90,25.85,114.95",
               **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4490"}).json()
    assert [f["id"] for f in cgcs["features"]] == [f["id"] for f in crs84["features"]]


def test_epsg4490_output_is_lat_lon(client):
    a = client.get(ITEMS.format("functional_zones") + "/gz_etdz").json()
    b = client.get(ITEMS.format("functional_zones") + "/gz_etdz",
                   params={"crs": "http://www.opengis.net/def/crs/EPSG/0/4490"})
    assert b.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4490>"
    lon, lat = a["geometry"]["coordinates"]
    assert b.json()["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-9)


def test_sortby_and_properties(client):
    body = get(client, "counties", sortby="-area_km2", properties="name,area_km2").json()
    areas = [f["properties"]["area_km2"] for f in body["features"]]
    assert areas == sorted(areas, reverse=True)
    assert set(body["features"][0]["properties"]) == {"name", "area_km2"}


def test_rows_without_geometry_are_served_with_null_geometry(client):
    body = get(client, "parks", location_precision="unknown").json()
    assert body["numberMatched"] > 0
    assert all(f["geometry"] is None for f in body["features"])


def test_single_feature_and_404(client):
    r = client.get(ITEMS.format("counties") + "/360702")
    assert r.status_code == 200 and r.json()["properties"]["name"] == "章贡区"
    r = client.get(ITEMS.format("counties") + "/999999")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_csv_and_html_representations(client):
    r = get(client, "parks", f="csv", limit=5)
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.decode("utf-8-sig").splitlines()[0].startswith("id,name")
    r = get(client, "parks", f="html", limit=5)
    assert "园区与平台" in r.text and "下一页" in r.text


@pytest.mark.parametrize(("cql", "expected"), [
    ("layout_unit = '赣南数谷'", {"360702"}),
    ("\"adcode\" = '360702' OR adcode = '360703'", {"360702", "360703"}),
    ("fiveg_tier <> '未点名' AND NOT (layout_unit = '赣深数字经济牵引带')",
     {"360702", "360723", "360724", "360725", "360781"}),
    ("iot_tiers IS NULL", set()),
    ("S_INTERSECTS(geometry, POINT(114.935 25.832))", {"360702"}),
    ("S_INTERSECTS(geometry, BBOX(114.9,25.8,115.0,25.9)) AND fiveg_tier = '全深度覆盖'",
     {"360702", "360704"}),
])
def test_cql2_text_filters(client, cql, expected):
    body = get(client, "counties", filter=cql, limit=100).json()
    assert {f["id"] for f in body["features"]} == expected
    assert body["numberMatched"] == len(expected)


@pytest.mark.parametrize(("params", "parameter"), [
    ({"filter": "adcode = "}, "filter"),
    ({"filter": "nope > 100"}, "filter"),  # not a queryable
    ({"filter": "adcode > 5"}, "filter"),  # text compared with a number
    ({"filter": "adcode = '1'", "filter-lang": "cql2-json"}, "filter-lang"),
    ({"filter": "adcode = '1'", "filter-crs": "EPSG:3857"}, "filter-crs"),
])
def test_bad_cql2_is_400_naming_the_parameter(client, params, parameter):
    r = get(client, "counties", **params)
    assert r.status_code == 400 and r.json()["parameter"] == parameter
