"""`ganzhou-atlas serve --workers 2`: two real worker processes on one fresh data dir.

What must hold across processes (issue 16): the tile pyramid, a download and each coverage
run are built once (the build logs of ``geo.cache_lock`` count them), the others read the
result; an import job submitted to one worker has the same status on the other; and the
same request gets the same bytes from either worker.

Which worker answers a connection is the kernel's choice, so the test finds out: it looks
up, in ``/proc/net/tcp``, the server end of its own connection and which worker process
holds that socket. Requests are then sent on a connection known to reach a given worker.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from geo.cache_lock import ServiceLease, build_log
from geo.errors import InvalidParameterError
from geo.inventory.ingest import import_inventory
from geo.inventory.jobs import ImportJobs
from geo.inventory.locate import CountyLocator
from geo.inventory.synthetic import synthetic_inventory
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo
from geo.store.sqlite import SqliteSiteStore

ROOT = Path(__file__).resolve().parents[2]
SITES = 400
TILE = "/tiles/counties/8/209/109.mvt"
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(),
                                reason="needs Linux /proc to tell the workers apart")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _server_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server end of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote, inode = parts[1], parts[2], parts[9]
        if int(local.split(":")[1], 16) == server_port and \
                int(remote.split(":")[1], 16) == client_port:
            return inode
    return None


class Workers:
    """The running service: its port, data dir and worker process ids."""

    def __init__(self, proc: subprocess.Popen, port: int, data_dir: Path) -> None:
        self.proc, self.port, self.data_dir = proc, port, data_dir
        self.pids = [c for c in _children(proc.pid)
                     if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")
                     and "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text(
                         errors="replace")]

    def worker_of(self, conn: http.client.HTTPConnection) -> int | None:
        """The worker holding the server end of ``conn`` (after one request on it)."""
        assert conn.sock is not None
        inode = _server_inode(self.port, conn.sock.getsockname()[1])
        return next((pid for pid in self.pids if inode in _socket_inodes(pid)), None)

    def connection_to(self, pid: int, tries: int = 200) -> http.client.HTTPConnection:
        """A keep-alive connection that the worker ``pid`` accepted."""
        for _ in range(tries):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            conn.request("GET", "/conformance")
            conn.getresponse().read()
            if self.worker_of(conn) == pid:
                return conn
            conn.close()
        raise AssertionError(f"no connection reached worker {pid} in {tries} tries")


    def ask(self, pid: int, method: str, path: str, headers: dict | None = None,
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request answered by worker ``pid`` (on a fresh connection: an idle one may
        have passed uvicorn's keep-alive timeout)."""
        conn = self.connection_to(pid)
        try:
            conn.request(method, path, body=body,
                         headers={"Host": "atlas.test", **(headers or {})})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


def get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    conn.request("GET", path, headers={"Host": "atlas.test", **(headers or {})})
    r = conn.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    """``serve --workers 2`` over a fresh data dir holding SITES real sites and two keys."""
    data_dir = tmp_path_factory.mktemp("workers") / "var"
    settings = AtlasSettings(data_dir=data_dir, demo_inventory=False)
    store = SqliteSiteStore(settings.store_path)
    sites = synthetic_inventory(settings, total=SITES, seed=16)
    import_inventory(store, sites.drop(columns="operator").to_csv(index=False).encode(),
                     BatchInfo("中国移动", "test", "cli"), CountyLocator.for_region(settings),
                     10_000)
    keys = {"planner": store.create_key("planner", None, "workers")[1],
            "cmcc": store.create_key("operator", "中国移动", "workers")[1]}
    port = _free_port()
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir), "ATLAS_DEMO_INVENTORY": "false"}
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "serve", "--workers", "2",
                             "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 180
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/conformance")
            assert conn.getresponse().status == 200
            conn.close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"serve --workers 2 did not start: "
                            f"{(data_dir / 'server.log').read_text()[-800:]}")
            time.sleep(0.2)
    running = Workers(proc, port, data_dir)
    try:
        assert len(running.pids) == 2, running.pids
        yield running, {k: {"Authorization": f"Bearer {v}"} for k, v in keys.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=180)
        log.close()


def test_each_worker_answers_the_same_bytes(workers):
    running, _ = workers
    answers = []
    for pid in running.pids:
        conn = running.connection_to(pid)
        answers.append([_comparable(*get(conn, path)) for path in (
            "/collections/counties/items?limit=3", TILE, "/collections/parks")])
        conn.close()
    assert answers[0] == answers[1]
    assert all(status == 200 for status, _, _ in answers[0])


def _comparable(status: int, headers: dict[str, str], body: bytes) -> tuple:
    """Status, ETag and body; a JSON page without its ``timeStamp`` (when it was made)."""
    if headers.get("content-type", "").endswith("json"):
        page = json.loads(body)
        page.pop("timeStamp", None)
        return status, headers.get("etag"), page
    return status, headers.get("etag"), body


def test_the_tile_pyramid_and_a_download_are_built_once(workers):
    running, _ = workers
    results: list[tuple[int, str, bytes]] = []

    def client(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=120)
        status, headers, body = get(conn, path)
        results.append((status, headers.get("etag", ""), body))
        conn.close()

    paths = [TILE] * 6 + ["/collections/counties/download/gpkg"] * 6
    threads = [threading.Thread(target=client, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tiles = {r for r in results if r[2][:2] != b"SQ"}
    assert {r[0] for r in results} == {200}
    assert len(tiles) == 1  # one tile, one ETag, from whichever worker
    assert len({r[2] for r in results if r[2][:2] == b"SQ"}) == 1  # one GeoPackage
    cache = running.data_dir / "cache"
    pyramid = [line for line in build_log(cache / "tiles") if "tile pyramid" in line]
    assert len(pyramid) == 1, pyramid
    assert len(build_log(cache / "tiles" / "basemap")) == 1
    downloads = [line for folder in (cache / "downloads").iterdir() if folder.is_dir()
                 for line in build_log(folder) if "counties.gpkg" in line]
    assert len(downloads) == 1, downloads


def _coverage_builds(running: Workers, scenario: int) -> list[str]:
    return [line for line in build_log(running.data_dir / "coverage")
            if f"coverage {scenario}-" in line]


def _wait_for_sites(running: Workers, pid: int, headers, total: int,
                    timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = running.ask(pid, "GET", "/coverage/run?scenario=2025", headers)
        assert status == 200, body
        run = json.loads(body)
        if run["sites_total"] == total:
            return run
        assert time.monotonic() < deadline, f"coverage still has {run['sites_total']} sites"
        time.sleep(0.5)


def test_one_coverage_run_per_change_shared_by_both_workers(workers):
    running, keys = workers
    runs = [_wait_for_sites(running, pid, keys["planner"], SITES) for pid in running.pids]
    assert runs[0] == runs[1]
    for scenario in (2023, 2025):  # the start-up of two workers: one run each
        assert len(_coverage_builds(running, scenario)) == 1
    site = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.95, 25.85]},
            "properties": {"site_id": "WORKERS-1", "type": "macro", "status": "on_air"}}
    status, _, body = running.ask(running.pids[0], "POST", "/collections/base_stations/items",
                                  {**keys["cmcc"], "Content-Type": "application/json"},
                                  json.dumps(site).encode())
    assert status == 201, body
    runs = [_wait_for_sites(running, pid, keys["planner"], SITES + 1)
            for pid in running.pids]
    assert runs[0] == runs[1]
    assert len(_coverage_builds(running, 2025)) == 2  # the change, computed once
    assert len(_coverage_builds(running, 2023)) == 1  # not asked for since: not recomputed


def test_an_import_job_reads_the_same_on_both_workers(workers):
    running, keys = workers
    a, b = running.pids
    body, boundary = _multipart(b"site_id,lon,lat,type,band,status,commissioned\n"
                                b"JOB-W1,114.93,25.83,macro,n41,on_air,2021-03-01\n")
    status, _, answer = running.ask(a, "POST", "/imports/base-stations", {
        **keys["cmcc"], "Prefer": "respond-async",
        "Content-Type": f"multipart/form-data; boundary={boundary}"}, body)
    job = json.loads(answer)
    assert status == 202, job
    path = f"/imports/base-stations/jobs/{job['id']}"
    status, _, seen = running.ask(b, "GET", path, keys["cmcc"])  # the other worker knows it
    assert status == 200 and json.loads(seen)["id"] == job["id"]
    deadline = time.monotonic() + 120
    while json.loads(running.ask(a, "GET", path, keys["cmcc"])[2])["state"] not in (
            "done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    docs = [json.loads(running.ask(pid, "GET", path, keys["cmcc"])[2]) for pid in (a, b)]
    assert docs[0] == docs[1] and docs[0]["state"] == "done", docs
    assert docs[0]["report"]["inserted"] == 1


def _multipart(data: bytes) -> tuple[bytes, str]:
    boundary = "atlas-workers-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"inventory.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + \
        data + f"\r\n--{boundary}--\r\n".encode()
    return body, boundary


def test_only_the_first_worker_fails_the_jobs_left_unfinished(tmp_path):
    first, second = ServiceLease(tmp_path), ServiceLease(tmp_path)
    calls: list[str] = []
    assert first.acquire(lambda: calls.append("first"))
    assert not second.acquire(lambda: calls.append("second"))  # the first one still runs
    assert calls == ["first"]
    first.release()
    second.release()
    again = ServiceLease(tmp_path)
    assert again.acquire()  # everyone stopped: the next start is first again
    again.release()


def test_a_running_jobs_progress_is_read_by_the_other_worker(tmp_path):
    """Two workers' job queues on one store: B answers with A's live progress."""
    store = SqliteSiteStore(tmp_path / "atlas.sqlite")
    started, release = threading.Event(), threading.Event()

    def work(data, info, progress):
        progress("validating", 7, 10)
        started.set()
        release.wait(30)
        raise InvalidParameterError("stop here", "file")

    progress_dir = tmp_path / "jobs"
    a, b = (ImportJobs(store, work, lease=ServiceLease(tmp_path), progress_dir=progress_dir)
            for _ in range(2))
    a.start()
    b.start()
    try:
        job = a.submit(b"x", BatchInfo("中国移动", "test", "upload"))
        assert started.wait(30)
        seen = b.get(job["id"])
        assert seen is not None and seen["state"] == "running"
        assert (seen["phase"], seen["rows_validated"], seen["rows_total"]) == (
            "validating", 7, 10)
        assert seen["rows_validated"] == a.get(job["id"])["rows_validated"]
        release.set()
        deadline = time.monotonic() + 30
        while a.pending():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert a.get(job["id"]) == b.get(job["id"])
        assert b.get(job["id"])["state"] == "failed"
        assert not list(progress_dir.glob("*.json"))  # nothing left once it finished
    finally:
        release.set()
        a.close()
        b.close()
