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


def test_portal_charts_each_indicator_trajectory_with_units_and_cited_points(client, ctx):
    import re

    from maps.trajectories import trajectories

    r = client.get("/", headers={"Accept": "text/html"})
    assert "规划指标轨迹（基准 → 目标）" in r.text
    targets = ctx.result("targets").gdf
    items = trajectories(targets)
    assert len(items) >= 40 and r.text.count('<svg class="trajectory"') == len(items)
    # 赣州's core digital-economy value added: 2020 baseline 241.2 -> 2025 target 500 亿元
    core = next(t for t in items if t.scope == "赣州市" and t.indicator == "数字经济核心产业增加值")
    assert core.title == "数字经济核心产业增加值（亿元）" and core.title in r.text
    years = [p.year for p in core.points]
    assert years == sorted(years) and years[0] == 2020 and years[-1] == 2025
    assert (core.points[0].kind, core.points[0].value) == ("baseline", 241.2)
    assert (core.points[-1].kind, core.points[-1].value) == ("target", 500.0)
    svg = core.svg()
    tips = re.findall(r"<title>([^<]+)</title>", svg)
    assert len(tips) == len(core.points)
    assert tips[0].startswith("2020年基准：241.2") and "出处：" in tips[0] and "000:353" in tips[0]
    assert all("出处：《" in t for t in tips)  # a document short title, not a bare line ref
    # every point of every chart is one figure of the layer, with its citation
    for t in items:
        for p in t.points:
            rows = targets[(targets["indicator"] == t.indicator) & (targets["year"] == p.year)
                           & (targets["scope_name"] == t.scope)]
            assert p.value in set(rows["value"]) and p.cite in set(rows["cite"])
    assert "undefined" not in r.text and "NaN" not in svg


def test_an_invalid_api_key_on_the_portal_is_a_401_problem_for_json_clients(client):
    r = client.get("/", headers={"Accept": "application/json",
                                 "Authorization": "Bearer not-a-key"})
    assert r.status_code == 401 and "WWW-Authenticate" in r.headers
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401 and "unknown or revoked" in r.json()["detail"]
