"""Site recommendations over HTTP: 202 + poll, files, scope by role, bad input."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
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


def test_a_crashed_or_stopped_run_never_shows_as_done(tmp_path):
    jobs = RecommendationJobs(tmp_path, queue_cap=4)

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


def test_a_run_is_read_by_another_app_on_the_same_data_dir(planned, keys, settings, ctx):
    """A second service over the data dir (another worker, or the service restarted) answers
    the finished run with identical GeoJSON."""
    url, doc = planned
    with TestClient(create_app(settings, ctx)) as other:
        again = other.get(url, headers=keys["planner"])
        assert again.status_code == 200
        assert again.headers["content-type"].startswith("application/geo+json")
        assert again.json()["features"] == doc["features"]
        assert again.json()["counties"] == doc["counties"]
        assert other.get(url, headers=keys["operator"]).status_code == 404  # audience kept


CRASHING = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from geo.coverage.recommend.jobs import RecommendationJobs

    jobs = RecommendationJobs(Path(sys.argv[1]))

    def slow(progress):
        for i in range(100_000):
            progress("placing", i, 100_000)
            time.sleep(0.01)

    job = jobs.submit(slow, "planners", {})
    while jobs.get(job["id"], "planners")["state"] != "running":
        time.sleep(0.01)
    print(job["id"], flush=True)
    time.sleep(600)
""")


def test_a_run_whose_process_was_killed_reads_back_as_failed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", CRASHING, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        job_id = proc.stdout.readline().strip()
        status = json.loads((tmp_path / job_id / "status.json").read_text())
        assert status["state"] == "running"  # on disk, as the process left it
        reader = RecommendationJobs(tmp_path)
        assert reader.get(job_id, "planners")["state"] == "running"  # its owner is alive
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    doc = reader.get(job_id, "planners")
    assert doc["state"] == "failed" and doc["result"] is None
    assert doc["error"]["slug"] == "recommendation-interrupted"
    assert not (tmp_path / job_id / "result.pkl").exists()
    assert reader.get(job_id, "operator:中国电信") is None  # audience rules still hold
    assert reader.get("../" + job_id, "planners") is None


def test_only_the_newest_finished_runs_are_kept(tmp_path):
    jobs = RecommendationJobs(tmp_path, queue_cap=8, keep=2)
    ids = []
    for n in range(4):
        ids.append(jobs.submit(lambda _progress, n=n: n, "planners", {})["id"])
        deadline = time.monotonic() + 10
        while jobs.get(ids[-1], "planners")["state"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.01)
    time.sleep(0.2)  # the last prune runs after the status says done
    assert [jobs.get(i, "planners") is None for i in ids] == [True, True, False, False]
    assert jobs.get(ids[-1], "planners")["result"] == 3


MAP = f"{PATH}/map"


def _map_doc(tc, scenario=2025, timeout=300):
    """The public map document once it is computed (202 answers meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = tc.get(MAP, params={"scenario": scenario})
        if r.status_code != 202:
            return r
        doc = r.json()
        assert doc["state"] == "computing" and doc["message"].startswith("正在计算")
        assert int(r.headers["retry-after"]) == doc["retry_after"] > 0
        time.sleep(0.3)
    raise AssertionError("the map's plan did not finish")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, ctx):
    """An app of its own: the demo inventory alone, until the test stores a real site."""
    from geo.settings import AtlasSettings

    settings = AtlasSettings(data_dir=tmp_path_factory.mktemp("recmap"))
    with TestClient(create_app(settings, ctx)) as tc:
        yield tc


def test_the_public_map_plan_shows_demo_sites_and_withholds_once_a_real_site_exists(fresh):
    tc = fresh
    tc.app.state.service.coverage.wait(2025)
    r = _map_doc(tc)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["state"] == "ready" and doc["synthetic"] is True
    assert doc["label"] == "建议新增站址（模型建议）" and "模型建议" in doc["caveat"]
    assert "合成演示站点" in doc["synthetic_note"]
    assert "coverage_fingerprint" not in doc and "version" not in doc
    props = [f["properties"] for f in doc["sites"]["features"]]
    assert props and [p["rank"] for p in props] == list(range(1, len(props) + 1))
    assert {"lon", "lat", "lon_gcj02", "lat_gcj02", "radius_m", "gain_km2", "county"} <= \
        set(props[0])
    assert len(doc["counties"]) == 18
    for row in doc["counties"]:
        assert row["still_needed_text"] == f"还需 {row['still_needed']} 站"
        assert row["sites_recommended"] <= row["still_needed"]  # to_target never exceeds it
        assert row["sites_recommended"] == sum(p["adcode"] == row["adcode"] for p in props)
    assert _map_doc(tc).json() == doc  # computed once per coverage run, then answered
    assert tc.get(MAP, params={"scenario": 2030}).status_code == 400

    operator = {"Authorization": "Bearer "
                + tc.app.state.service.store.create_key("operator", "中国联通", "m")[1]}
    site = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.9601, 25.8512]},
            "properties": {"site_id": "REAL-MAP-1", "type": "macro", "status": "on_air",
                           "band": "n78"}}
    r = tc.post("/collections/base_stations/items", json=site, headers=operator)
    assert r.status_code == 201, r.text
    tc.app.state.service.coverage.wait(2025)
    r = _map_doc(tc)
    assert r.status_code == 200
    held = r.json()
    assert held["state"] == "withheld" and "公开地图不提供" in held["message"]
    assert "POST /coverage/recommendations" in held["message"]
    assert "sites" not in held and "counties" not in held
    assert "114.96" not in r.text and "25.85" not in r.text  # nothing positions a site
