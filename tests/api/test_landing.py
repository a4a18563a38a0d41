from api.responses import OPENAPI_JSON


def test_landing_links_what_qgis_and_gdal_need(client):
    r = client.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    rels = {link["rel"]: link for link in r.json()["links"]}
    assert rels["service-desc"]["type"] == OPENAPI_JSON
    assert rels["service-desc"]["href"].endswith("/api")
    assert rels["data"]["href"].endswith("/collections")
    assert {"self", "service-doc", "conformance"} <= set(rels)


def test_openapi_is_30_json_with_limit_component_refd_from_items(client, settings):
    r = client.get("/api")
    assert r.headers["content-type"] == OPENAPI_JSON
    doc = r.json()
    assert doc["openapi"].startswith("3.0")
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert limit["default"] == settings.default_limit and limit["maximum"] == settings.max_limit
    params = doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/limit"} in params
    assert "anyOf" not in r.text or '"type":"null"' not in r.text


def test_conformance_declares_only_what_is_implemented(client):
    classes = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    # QGIS filters server-side only when all four of these are declared (and they are tested)
    for c in ("ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter",
              "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/cql2-text"):
        assert f"http://www.opengis.net/spec/{c}" in classes
    assert not any("advanced-comparison" in c or "cql2-json" in c for c in classes)


def test_html_landing_is_chinese_and_offline(client):
    r = client.get("/", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    assert "赣州数字经济空间图谱" in r.text
    assert "http" not in r.text.split("<body>")[0].replace("http-equiv", "")
