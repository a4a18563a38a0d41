"""8 clients importing 50 batches each, at once, against a real server: no batch lost."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from geo.store.base import SiteQuery
from tests.pg import both_stores_app, module_live_url

app = both_stores_app()  # this module runs on SQLite and on PostGIS
live_url = module_live_url()

CLIENTS, BATCHES, ROWS = 8, 50, 5
HEADER = "site_id,lon,lat,type,band,status,commissioned\n"


def _batch(client_no: int, batch_no: int) -> bytes:
    rows = [f"C{client_no}-B{batch_no}-{i},{114.90 + i * 0.001:.4f},25.83,macro,n78,on_air,"
            for i in range(ROWS)]
    return (HEADER + "\n".join(rows) + "\n").encode()


def _client(url: str, key: str, client_no: int) -> list[int]:
    statuses = []
    with httpx.Client(base_url=url, timeout=120,
                      headers={"Authorization": f"Bearer {key}"}) as http:
        for b in range(BATCHES):
            r = http.post("/imports/base-stations",
                          files={"file": (f"c{client_no}b{b}.csv", _batch(client_no, b))})
            statuses.append(r.status_code)
    return statuses


def test_concurrent_imports_end_with_exactly_the_expected_rows(app, live_url):
    store = app.state.service.store
    _, key = store.create_key("operator", "中国铁塔", "concurrency test")
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: _client(live_url, key, n), range(CLIENTS)))
    assert all(s == 200 for r in results for s in r), results
    _, total = store.query(SiteQuery(operators=("中国铁塔",), limit=1))
    assert total == CLIENTS * BATCHES * ROWS
    ours = [b for b in store.batches(("中国铁塔",), 1000) if b["source"] == "upload"]
    assert len(ours) == CLIENTS * BATCHES and all(b["inserted"] == ROWS for b in ours)
