"""Upload bombs against a real server process (uvicorn, as deployed).

Before the fix one 1.9 KB XLSX (a cell at XFD1048576) aborted the server process, a cell at
BXX100000 took minutes and gigabytes, and a CSV with 10^6 columns kept a core busy for
minutes. Now every one must answer a 4xx problem+json naming the problem, within seconds,
while the server's peak RSS grows by less than 200 MB (the workbook is parsed in a limited
worker process), the stored sites do not change, the batch is recorded as rejected, and the
server still answers afterwards.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from geo.store.sqlite import SqliteSiteStore
from tests.conftest import live_server_process
from tests.geo.inventory.test_bombs import (
    BOMBS,
    GOOD_ROWS,
    HEAD,
    MAX_RSS_GROWTH_MB,
    MAX_SECONDS,
    far_cell,
    implicit_positions,
    sheet,
    workbook,
)

ATTACKS = {**BOMBS, "implicit_positions_memory": (implicit_positions, 413, "of memory")}
SEED_CSV = (",".join(HEAD) + "\nS1,114.93,25.83,macro,n78,on_air,2021-03-01\n"
            "S2,115.0,25.9,micro,,built,\n").encode()


def _status(pid: int) -> dict[str, int]:
    with open(f"/proc/{pid}/status") as f:
        return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in f)
                if k in ("VmRSS", "VmHWM")}


def _reset_peak(pid: int) -> bool:
    """Reset VmHWM (peak RSS) to the current RSS; False where the kernel does not allow it."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A uvicorn process on its own data dir, an operator key and two seeded batches."""
    data_dir = tmp_path_factory.mktemp("bombs")
    _, key = SqliteSiteStore(data_dir / "atlas.sqlite").create_key("operator", "中国联通", "bombs")
    with live_server_process(data_dir, ATLAS_DEMO_INVENTORY="false") as (url, proc), \
            httpx.Client(base_url=url, timeout=120,
                         headers={"Authorization": f"Bearer {key}"}) as http:
        seeded = [http.post("/imports/base-stations", files={"file": ("seed.csv", SEED_CSV)}),
                  http.post("/imports/base-stations", files={"file": (
                      "seed.xlsx", workbook(sheet(GOOD_ROWS.replace(">A1<", ">X1<"))))})]
        assert [r.status_code for r in seeded] == [200, 200], [r.text for r in seeded]
        assert [r.json()["inserted"] for r in seeded] == [2, 1]
        yield proc, http


def _sites(http: httpx.Client) -> list[dict]:
    r = http.get("/collections/base_stations/items", params={"limit": 1000})
    assert r.status_code == 200
    return sorted(r.json()["features"], key=lambda f: f["id"])


def _batch_ids(http: httpx.Client) -> set[str]:
    return {b["id"] for b in http.get("/imports/base-stations").json()["batches"]}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_upload_bomb_is_a_4xx_and_the_server_stays_small_and_alive(server, name):
    proc, http = server
    build, status, phrase = ATTACKS[name]
    data = build()
    sites, batches = _sites(http), _batch_ids(http)
    exact_peak = _reset_peak(proc.pid)
    before = _status(proc.pid)["VmRSS"]
    start = time.monotonic()
    r = http.post("/imports/base-stations",
                  files={"file": ("bomb.csv" if "csv" in name else "bomb.xlsx", data)})
    seconds = time.monotonic() - start
    after = _status(proc.pid)
    growth_mb = ((after["VmHWM"] if exact_peak else after["VmRSS"]) - before) / 1024
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert phrase in body["detail"] and body["status"] == status, body
    assert seconds < MAX_SECONDS, seconds
    assert growth_mb < MAX_RSS_GROWTH_MB, growth_mb
    assert proc.poll() is None, "the server process died"
    assert http.get("/conformance").status_code == 200
    assert _sites(http) == sites, "a refused upload changed the stored sites"
    assert _batch_ids(http) - batches == {body["batch_id"]}, "the rejected batch is not recorded"


def test_simultaneous_bombs_leave_the_server_answering(server):
    proc, http = server
    attacks = [far_cell("XFD1048576"), implicit_positions(), far_cell("BXX100000")] * 2
    with ThreadPoolExecutor(len(attacks)) as pool:
        codes = list(pool.map(lambda d: http.post(
            "/imports/base-stations", files={"file": ("b.xlsx", d)}).status_code, attacks))
    assert all(c in (413, 503) for c in codes), codes
    assert proc.poll() is None and http.get("/conformance").status_code == 200
    good = http.post("/imports/base-stations", files={"file": ("again.csv", SEED_CSV)})
    assert good.status_code == 200 and good.json()["unchanged"] == 2
