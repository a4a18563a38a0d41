"""Background imports (Prefer: respond-async): progress, same report as sync, privacy,
a bounded queue, and status URLs that outlive a restart."""

import threading
import time
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.models import ImportJob, ImportReport
from geo.inventory.jobs import ImportJobs
from geo.settings import AtlasSettings
from tests.pg import STORE_KINDS, backend_settings, reopen

IMPORTS = "/imports/base-stations"
ASYNC = {"Prefer": "respond-async"}
SMALL = (b"site_id,lon,lat,type,band,status,commissioned\n"
         b"JOB-1,114.93,25.83,macro,n41,on_air,2021-03-01\n"
         b"JOB-2,115.00,25.90,micro,n79,built,\n")
BAD = SMALL + b"JOB-3,121.5,31.2,macro,n41,on_air,\n"


@pytest.fixture(scope="module", params=STORE_KINDS)
def settings_jobs(request, settings, tmp_path_factory):
    root = tmp_path_factory.mktemp("jobs")
    return backend_settings(request, AtlasSettings(data_dir=root / "var", out_dir=root / "out",
                                                   demo_inventory=False), tmp_path_factory)


@pytest.fixture(scope="module")
def atlas(settings_jobs, ctx):
    """An app of its own (its store holds only this module's imports)."""
    app = create_app(settings_jobs, ctx)
    with TestClient(app) as client:
        yield app, client


@pytest.fixture(scope="module")
def keys(atlas):
    app, _ = atlas
    store = app.state.service.store
    made = {name: store.create_key(role, op, "jobs")[1] for name, role, op in [
        ("cmcc", "operator", "中国移动"), ("cmcc2", "operator", "中国移动"),
        ("cucc", "operator", "中国联通"), ("tower", "operator", "中国铁塔"),
        ("ctcc", "operator", "中国电信"), ("planner", "planner", None),
        ("admin", "admin", None)]}
    return {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}


def submit(client, headers, data: bytes, **params):
    r = client.post(IMPORTS, headers={**headers, **ASYNC}, params=params,
                    files={"file": ("inventory.csv", data)})
    assert r.status_code == 202, r.text
    return r


def wait(client, headers, path: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(path, headers=headers).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {path} did not finish: {job}")


def test_async_import_answers_202_with_a_job_to_poll(atlas, keys):
    _, client = atlas
    r = submit(client, keys["cmcc"], SMALL)
    assert r.headers["preference-applied"] == "respond-async"
    path = urlsplit(r.headers["location"]).path
    assert path == f"{IMPORTS}/jobs/{r.json()['id']}"
    assert r.json()["state"] in ("queued", "running", "done")
    job = wait(client, keys["cmcc"], path)
    assert job["state"] == "done" and job["error"] is None
    assert job["report"]["inserted"] == 2 and job["rows_done"] == job["rows_total"] == 2
    assert job["started_at"] <= job["finished_at"]
    batch = client.get(f"{IMPORTS}/{job['batch_id']}", headers=keys["cmcc"]).json()
    assert batch["job_id"] == job["id"] and batch["inserted"] == 2
    assert {link["rel"] for link in job["links"]} == {"self", "related"}
    ImportJob.model_validate(job)
    ImportJob.model_validate(r.json())


def test_other_preferences_keep_the_synchronous_answer(atlas, keys):
    _, client = atlas
    for _ in range(2):  # the second one finds both sites stored
        r = client.post(IMPORTS, headers={**keys["cmcc"], "Prefer": "return=minimal"},
                        files={"file": ("a.csv", SMALL)})
    assert r.status_code == 200 and "preference-applied" not in r.headers
    assert r.json()["unchanged"] == 2 and "retired" not in r.json()
    r = client.post(IMPORTS, headers={**keys["cmcc"], "Prefer": "wait=5, RESPOND-ASYNC"},
                    files={"file": ("a.csv", SMALL)})
    assert r.status_code == 202
    wait(client, keys["cmcc"], urlsplit(r.headers["location"]).path)


def test_a_synchronous_replace_reports_what_it_retired(atlas, keys):
    _, client = atlas
    first = client.post(IMPORTS, headers=keys["ctcc"], files={"file": ("a.csv", SMALL)})
    assert first.status_code == 200
    r = client.post(IMPORTS, headers=keys["ctcc"], params={"mode": "replace"},
                    files={"file": ("b.csv", SMALL.rsplit(b"JOB-2", 1)[0])})
    assert r.status_code == 200, r.text
    assert (r.json()["retired"], r.json()["retired_total"]) == (["JOB-2"], 1)
    ImportReport.model_validate(r.json())
    assert client.get("/collections/base_stations/items/ctcc:JOB-2",
                      headers=keys["ctcc"]).status_code == 404


def test_job_status_is_private_per_operator(atlas, keys):
    _, client = atlas
    path = urlsplit(submit(client, keys["cmcc"], SMALL).headers["location"]).path
    wait(client, keys["cmcc"], path)
    for who in ("cmcc2", "planner", "admin"):  # the same operator's other key; overseers
        assert client.get(path, headers=keys[who]).status_code == 200, who
    other = client.get(path, headers=keys["cucc"])
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    unknown = client.get(f"{IMPORTS}/jobs/{'0' * 32}", headers=keys["cmcc"])
    assert unknown.status_code == 404  # the same answer: another's job is not revealed
    assert unknown.json()["type"] == other.json()["type"] == "/problems/not-found"
    assert client.get(path).status_code == 401


def test_a_refused_file_ends_as_a_failed_job_with_its_problem(atlas, keys):
    _, client = atlas
    path = urlsplit(submit(client, keys["cucc"], BAD).headers["location"]).path
    job = wait(client, keys["cucc"], path)
    assert job["state"] == "failed" and job["report"] is None
    problem = job["error"]
    assert (problem["type"], problem["status"]) == ("/problems/invalid-rows", 422)
    assert problem["errors"][0]["row"] == 4 and problem["instance"] == path
    replace = wait(client, keys["cucc"], urlsplit(submit(
        client, keys["cucc"], BAD, mode="replace").headers["location"]).path)
    assert replace["error"]["status"] == 422 and "替换" in replace["error"]["detail"]


def _inventory(rows: int, seed: int) -> bytes:
    """A CSV of ``rows`` sites, a few of them outside Ganzhou (partial mode reports them)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(114.6, 115.3, rows).round(6)
    lon[rng.choice(rows, 25, replace=False)] = 121.5
    frame = pd.DataFrame({
        "site_id": [f"J{i:07d}" for i in range(rows)], "lon": lon,
        "lat": rng.uniform(25.4, 26.1, rows).round(6),
        "type": rng.choice(["macro", "micro", "indoor"], rows),
        "band": rng.choice(["n41", "n78", ""], rows),
        "status": rng.choice(["on_air", "built", "planned"], rows),
        "commissioned": "2022-06-01"})
    return frame.to_csv(index=False).encode()


@pytest.mark.slow
def test_async_100k_import_reports_progress_and_the_sync_report(atlas, keys):
    _, client = atlas
    data = _inventory(100_000, 1)
    started = time.perf_counter()
    path = urlsplit(submit(client, keys["tower"], data, mode="partial").headers[
        "location"]).path
    seen = []
    while True:
        job = client.get(path, headers=keys["tower"]).json()
        seen.append(job)
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    assert job["state"] == "done", job["error"]
    running = [j for j in seen if j["state"] == "running"]
    done = [j["rows_done"] for j in seen]
    validated = [j["rows_validated"] for j in seen]
    assert done == sorted(done) and validated == sorted(validated)
    assert any(0 < j["rows_done"] < 99_975 for j in running), [
        (j["phase"], j["rows_validated"], j["rows_done"]) for j in seen]
    assert {j["rows_total"] for j in running if j["phase"] == "storing"} == {100_000}
    assert (job["rows_total"], job["rows_validated"], job["rows_done"]) == (
        100_000, 100_000, 99_975)
    sync = client.post(IMPORTS, headers=keys["ctcc"], params={"mode": "partial"},
                       files={"file": ("inventory.csv", data)})
    assert sync.status_code == 200
    mine = {k: v for k, v in job["report"].items() if k not in ("batch_id", "operator")}
    theirs = {k: v for k, v in sync.json().items() if k not in ("batch_id", "operator")}
    assert mine == theirs and mine["inserted"] == 99_975 and mine["errors_total"] == 25
    assert elapsed < 60, f"async 100k import took {elapsed:.1f} s"


@pytest.fixture
def blocked(atlas, monkeypatch):
    """The job worker stuck in its import until the test lets it go."""
    app, _ = atlas
    jobs = app.state.service.jobs
    gate, entered = threading.Event(), threading.Event()
    real = jobs.work

    def work(data, info, progress):
        entered.set()
        if not gate.wait(60):
            raise RuntimeError("test gate never opened")
        return real(data, info, progress)

    monkeypatch.setattr(jobs, "work", work)
    yield entered
    gate.set()
    deadline = time.monotonic() + 60
    while jobs.pending() and time.monotonic() < deadline:  # the next test starts idle
        time.sleep(0.01)


def test_a_full_queue_answers_503_with_retry_after(atlas, keys, blocked):
    app, client = atlas
    jobs = app.state.service.jobs
    first = urlsplit(submit(client, keys["cmcc"], SMALL).headers["location"]).path
    assert blocked.wait(30)
    waiting = [submit(client, keys["cmcc"], SMALL) for _ in range(jobs.queue_cap)]
    assert {r.json()["state"] for r in waiting} == {"queued"}
    r = client.post(IMPORTS, headers={**keys["cmcc"], **ASYNC},
                    files={"file": ("a.csv", SMALL)})
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/service-busy" and r.json()["retry_after"] > 0
    assert r.headers["retry-after"] == str(r.json()["retry_after"])
    sync = client.post(IMPORTS, headers=keys["cmcc"], files={"file": ("a.csv", SMALL)})
    assert sync.status_code == 200  # the synchronous form does not queue
    assert client.get(first, headers=keys["cmcc"]).json()["state"] == "running"


def test_a_restart_reports_unfinished_jobs_as_failed(atlas, keys, blocked, monkeypatch):
    app, client = atlas
    service = app.state.service
    running = urlsplit(submit(client, keys["cmcc"], SMALL).headers["location"]).path
    assert blocked.wait(30)
    queued = urlsplit(submit(client, keys["cmcc"], SMALL).headers["location"]).path
    assert client.get(running, headers=keys["cmcc"]).json()["state"] == "running"
    # what a new process on the same data dir has: the store, and none of the old memory
    # (a second whole app would cost a coverage run; Service.start starts its jobs first)
    restarted = ImportJobs(reopen(service.store, service.settings), service._import)
    restarted.start()
    old = service.jobs
    monkeypatch.setattr(service, "jobs", restarted)
    try:
        for path in (running, queued):
            job = client.get(path, headers=keys["cmcc"])
            assert job.status_code == 200
            body = job.json()
            assert body["state"] == "failed" and body["finished_at"]
            assert body["error"]["type"] == "/problems/import-interrupted"
            assert body["error"]["status"] == 503 and "重新上传" in body["error"]["detail"]
    finally:
        monkeypatch.setattr(service, "jobs", old)
        restarted.close()
