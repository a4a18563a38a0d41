"""Site recommendations over HTTP: 202 + poll, files, scope by role, bad input."""

from __future__ import annotations

import io
import time

import pytest

from geo.coverage.recommend.jobs import RecommendationJobs
from geo.inventory.basis import operator_basis

PATH = "/coverage/recommendations"


@pytest.fixture(scope="module")
def keys(app):
    store = app.state.service.store
    return {name: {"Authorization": f"Bearer {store.create_key(role, op, 'rec')[1]}"}
            for name, role, op in [("planner", "planner", None),
                                   ("operator", "operator", "中国电信"),
                                   ("other", "operator", "中国联通")]}


def _poll(client, url, headers, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(url, headers=headers).json()
        if doc["state"] in ("done", "failed"):
            return doc
        time.sleep(0.2)
    raise AssertionError(f"run did not finish: {doc}")


@pytest.fixture(scope="module")
def planned(client, app, keys):
    app.state.service.coverage.wait(2025, "synthetic_demo")
    # the demo basis: the session's app holds other tests' few real sites, which ``auto``
    # would switch to (the >= 98 % certificate below is the demo's, as in test_recommend.py)
    r = client.post(PATH, headers=keys["planner"],
                    json={"counties": ["360722"], "sites": 5, "data_basis": "synthetic_demo"})
    assert r.status_code == 202, r.text
    assert r.headers["location"].endswith(f"{PATH}/{r.json()['id']}")
    return r.headers["location"], _poll(client, r.headers["location"], keys["planner"])


def test_a_planner_run_answers_ranked_sites_summary_and_certificate(planned):
    _, doc = planned
    assert doc["state"] == "done" and doc["type"] == "FeatureCollection"
    assert doc["name"] == "建议新增站址（模型建议）"
    props = [f["properties"] for f in doc["features"]]
    assert [p["rank"] for p in props] == [1, 2, 3, 4, 5]
    assert {"lon", "lat", "lon_gcj02", "lat_gcj02", "gain_km2", "cumulative_coverage_pct",
            "setting", "radius_m", "demand_type"} <= set(props[0])
    assert all(p["adcode"] == "360722" and p["gain_weight"] > 0 for p in props)
    (county,) = doc["counties"]
    assert county["sites_recommended"] == 5
    cert = county["certificate"]
    assert cert["bound"] >= cert["greedy_value"] and county["greedy_within_pct"] >= 98
    assert "coverage_fingerprint" not in doc["about"]


def test_files_have_chinese_headers(client, planned, keys):
    from openpyxl import load_workbook

    url, _ = planned
    csv = client.get(url, params={"f": "csv"}, headers=keys["planner"])
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("排名(rank)")
    xlsx = client.get(url, params={"f": "xlsx"}, headers=keys["planner"])
    sheet = load_workbook(io.BytesIO(xlsx.content))["建议新增站址"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("排名", "rank")
    kml = client.get(url, params={"f": "kml"}, headers=keys["planner"])
    assert kml.content.count(b"<Placemark") == 5
    assert client.get(url, params={"f": "shp"}, headers=keys["planner"]).status_code == 400


def test_another_audience_cannot_read_a_run(client, planned, keys):
    url, _ = planned
    assert client.get(url, headers=keys["operator"]).status_code == 404
    assert client.get(url).status_code == 401
    r = client.get(f"{PATH}/nosuchrun", headers=keys["planner"])
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("body", "status"), [
    ({"counties": ["999999"], "sites": 5}, 404),
    ({"sites": 0}, 400), ({"sites": -3}, 400), ({"sites": 100_001}, 400),
    ({}, 400), ({"sites": 5, "to_full_coverage": True}, 400),
    ({"to_target": 2024}, 400), ({"sites": 5, "scenario": 2030}, 400),
    ({"sites": 5, "mask": {"type": "Point", "coordinates": [114.9, 25.8]}}, 400),
    ({"sites": 5, "mask": {"type": "Polygon", "coordinates": [[[100, 30], [101, 30],
                                                               [101, 31], [100, 30]]]}}, 400),
    ({"sites": 5, "mask": {"type": "Polygon", "coordinates": "x"}}, 400),
    ({"sites": "many"}, 422),
])
def test_bad_input_is_a_problem(client, keys, body, status):
    r = client.post(PATH, headers=keys["planner"], json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_anonymous_may_not_start_a_run(client):
    assert client.post(PATH, json={"sites": 5}).status_code == 401


def test_an_operator_plans_against_its_own_network_only(client, app, keys):
    service = app.state.service
    own = operator_basis("中国电信")
    first = client.post(PATH, headers=keys["operator"], json={"counties": ["360781"],
                                                              "sites": 3})
    if first.status_code == 409:  # its own coverage had never been computed: honest 409
        assert first.headers["content-type"].startswith("application/problem+json")
        service.coverage.wait(2025, own)
        first = client.post(PATH, headers=keys["operator"],
                            json={"counties": ["360781"], "sites": 3,
                                  "data_basis": "synthetic_demo"})
    assert first.status_code == 202, first.text
    doc = _poll(client, first.headers["location"], keys["operator"])
    assert doc["state"] == "done"
    assert doc["about"]["data_basis"] == own  # whatever data_basis it asked for
    assert doc["request"]["coverage_basis"] == own
    assert client.get(first.headers["location"], headers=keys["other"]).status_code == 404
    assert client.get(first.headers["location"], headers=keys["planner"]).status_code == 404


def test_a_crashed_or_stopped_run_never_shows_as_done():
    jobs = RecommendationJobs(queue_cap=4)

    def crash(progress):
        progress("placing", 1, 10)
        raise RuntimeError("boom")

    job = jobs.submit(crash, "planners", {})
    deadline = time.monotonic() + 10
    while jobs.get(job["id"], "planners")["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    failed = jobs.get(job["id"], "planners")
    assert failed["state"] == "failed" and failed["result"] is None
    assert failed["error"]["status"] == 500 and "boom" not in failed["error"]["detail"]

    def slow(progress):
        for i in range(1000):
            progress("placing", i, 1000)
            time.sleep(0.01)
        return "complete"

    running = jobs.submit(slow, "planners", {})
    queued = jobs.submit(slow, "planners", {})
    while jobs.get(running["id"], "planners")["state"] == "queued":
        time.sleep(0.01)
    jobs.close()
    deadline = time.monotonic() + 10
    while jobs.get(running["id"], "planners")["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for j in (running, queued):
        doc = jobs.get(j["id"], "planners")
        assert doc["state"] == "failed" and doc["result"] is None
        assert doc["error"]["slug"] == "recommendation-interrupted"
