"""Attacks from the trust issue, performed against a real app: each must get a 4xx problem,
leave the store as it was, and not grow the server.

A dedicated app with small body limits (so the oversize cases stay fast), sharing the
session's built layers.
"""

from __future__ import annotations

import gc
import io
import select
import socket
import time

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer
from rasterio.io import MemoryFile

from api.app import create_app
from geo.settings import AtlasSettings

SITES = "/collections/base_stations/items"


@pytest.fixture(scope="module")
def tc(tmp_path_factory, ctx):
    settings = AtlasSettings(data_dir=tmp_path_factory.mktemp("attacks"), max_upload_mb=0.5,
                             max_json_body_kb=16, auth_failures_per_minute=10)
    with TestClient(create_app(settings, ctx), client=("10.9.9.9", 5000)) as client:
        yield client


@pytest.fixture(scope="module")
def keys(tc):
    store = tc.app.state.service.store
    return {name: {"Authorization": f"Bearer {store.create_key(role, op, 'atk')[1]}"}
            for name, role, op in [("cucc", "operator", "中国联通"),
                                   ("cmcc", "operator", "中国移动"),
                                   ("planner", "planner", None)]}


def _feature(site_id: str, lon: float = 114.93, lat: float = 25.83) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"site_id": site_id, "type": "macro", "status": "on_air",
                           "band": "n78"}}


def _rss_mb() -> float:
    """The process's resident memory now (not its peak), in MB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def _problem(r, status: int) -> None:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")


def test_unauthenticated_writes_are_refused_before_the_body(tc):
    for method, path in [("POST", SITES), ("PUT", "/coverage/targets/360702/2025"),
                         ("POST", "/admin/keys"), ("POST", "/imports/base-stations")]:
        def body():
            yield b"{" * 65536
            raise AssertionError("the body was read before the 401")
        _problem(tc.request(method, path, content=body()), 401)


def test_declared_and_chunked_oversize_bodies_get_413(tc, keys):
    count = tc.app.state.service.store.count()
    r = tc.post(SITES, content=b"{" * 100, headers={**keys["cucc"],
                                                    "content-length": str(300 * 2**20)})
    _problem(r, 413)

    def chunks():  # no Content-Length: counted while it streams
        for _ in range(64):
            yield b" " * 65536
    _problem(tc.post(SITES, content=chunks(), headers=keys["cucc"]), 413)
    _problem(tc.post("/imports/base-stations", content=chunks(), headers={
        **keys["cucc"], "content-type": "multipart/form-data; boundary=x"}), 413)
    assert tc.app.state.service.store.count() == count


def test_unauthenticated_300mb_body_on_a_live_server(live_url):
    host, port = live_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /collections/base_stations/items HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 314572800\r\n\r\n{")
        t0 = time.monotonic()
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401") and time.monotonic() - t0 < 5


def test_failed_keys_are_rate_limited(tc):
    guesser = TestClient(tc.app, client=("10.8.8.8", 5000))  # its own address
    bad = {"Authorization": "Bearer not-a-key"}
    codes = [guesser.get("/collections", headers=bad).status_code for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[-1] == 429
    r = guesser.get("/collections", headers=bad)
    assert int(r.headers["retry-after"]) > 0
    assert tc.get("/collections").status_code == 200  # other addresses are not affected


def test_host_header_flood_does_not_grow_the_page_cache(tc):
    pages = tc.app.state.service.maps
    tc.get("/maps/layout")
    before = len(pages._pages)
    rss = _rss_mb()
    for i in range(40):
        r = tc.get("/maps/layout", headers={"host": f"evil{i}.example"})
        assert r.status_code == 200 and f"evil{i}" not in r.text
    assert len(pages._pages) == before
    gc.collect()
    assert _rss_mb() - rss < 200


def test_fine_coverage_outputs_need_a_key_and_show_an_operator_only_its_own(tc, keys):
    for path in ("/coverage/coverage.tif", "/coverage/tiles/8/209/108.png", "/coverage/run",
                 "/collections/coverage_gaps/items"):
        _problem(tc.get(path), 401)
    ids = [c["id"] for c in tc.get("/collections").json()["collections"]]
    assert "coverage_gaps" not in ids and "base_stations" not in ids
    mine = tc.post(SITES, json=_feature("OWN-1", 115.5, 26.5), headers=keys["cmcc"])
    assert mine.status_code == 201, mine.text
    other = tc.post(SITES, json=_feature("OTHER-1", 114.60, 25.40), headers=keys["cucc"])
    assert other.status_code == 201, other.text
    tc.app.state.service.coverage.wait(2025)
    run = tc.get("/coverage/run", headers=keys["cmcc"]).json()
    own = tc.app.state.service.store.county_totals()
    own = own[(own["operator"] == "中国移动") & (own["synthetic"] == 0)]["n"].sum()
    assert run["data_basis"] == "operator-cmcc" and run["sites_total"] == own
    planner = tc.get("/coverage/run", headers=keys["planner"]).json()
    assert planner["data_basis"] == "real" and planner["sites_total"] > run["sites_total"]
    with MemoryFile(tc.get("/coverage/coverage.tif", headers=keys["cmcc"]).content) as f, \
            f.open() as src:
        x, y = Transformer.from_crs("EPSG:4326", src.crs, always_xy=True).transform(114.6, 25.4)
        row, col = src.index(x, y)
        assert src.read(1)[row, col] == 0  # the competitor's site serves nothing here


def test_difference_attack_on_public_outputs_finds_no_position(tc, keys):
    """Diff every public coverage output before and after one real site: only county
    counts may change, and no public page carries a raster or gap outline any more."""
    def public():
        card = tc.get("/collections/county_scorecard/items").json()["features"]
        page = tc.get("/maps/coverage").text
        return card, page
    before_card, _ = public()
    r = tc.post(SITES, json=_feature("DIFF-1", 114.9601, 25.8512), headers=keys["cucc"])
    assert r.status_code == 201, r.text
    tc.app.state.service.coverage.wait(2025)
    after_card, page = public()
    for b, a in zip(before_card, after_card, strict=True):
        assert b["geometry"] == a["geometry"]
        for name in ("covered_area_pct", "main_urban_coverage_pct", "gap_area_km2"):
            assert a["properties"][name] is None or float(a["properties"][name]).is_integer()
    assert "atlas-coverage-raster" not in page and "atlas-gap" not in page
    assert "114.9601" not in page and "25.8512" not in page


def test_spreadsheet_formulas_are_neutralised_in_exports(tc, keys):
    r = tc.post(SITES, json=_feature("=HYPERLINK(\"http://x\")"), headers=keys["cmcc"])
    if r.status_code != 201:  # refused at import: also safe
        assert 400 <= r.status_code < 500
        return
    csv = tc.get(SITES, params={"f": "csv", "limit": 10000},
                 headers=keys["planner"]).content.decode("utf-8-sig")
    assert '"=HYPERLINK' not in csv and ",=HYPERLINK" not in csv
    book = openpyxl.load_workbook(io.BytesIO(tc.get(
        SITES, params={"f": "xlsx", "limit": 10000}, headers=keys["planner"]).content))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


@pytest.mark.parametrize("params", [
    {"filter": " AND ".join(["name = 'x'"] * 1000)},
    {"filter": " OR ".join(["name = 'x'"] * 300)},
    [("name", "x")] * 999,
])
def test_oversized_queries_are_400_not_500(tc, params):
    r = tc.get("/collections/counties/items", params=params)
    _problem(r, 400 if r.status_code == 400 else 422)
    assert "Error" not in r.json()["detail"]


def test_client_mistakes_are_4xx(tc, keys):
    assert tc.get("/static/vendor/leaflet/dist/x%00.png").status_code == 404
    for body in ({"type": "Feature", "geometry": None, "properties": "oops"},
                 {"type": "Feature", "geometry": None, "properties": ["a"]}):
        r = tc.post(SITES, json=body, headers=keys["cucc"])
        assert 400 <= r.status_code < 500, r.text


def test_flat_patch_changes_the_site(tc, keys):
    r = tc.post(SITES, json=_feature("FLAT-1"), headers=keys["cucc"])
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    r = tc.patch(f"{SITES}/{fid}", json={"status": "built"}, headers=keys["cucc"])
    assert r.status_code == 200 and r.json()["properties"]["status"] == "built"
    _problem(tc.patch(f"{SITES}/{fid}", json={"colour": "red"}, headers=keys["cucc"]), 422)


def test_security_headers(tc, keys):
    page = tc.get("/maps/layout")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    osm = tc.get("/maps/layout", params={"basemap": "osm"}).headers["content-security-policy"]
    assert "tile.openstreetmap.org" in osm
    mine = tc.get(SITES, headers=keys["cucc"])
    assert mine.headers["cache-control"] == "no-store"
    cors = tc.get(SITES, headers={**keys["cucc"], "origin": "https://evil.example"})
    assert cors.headers.get("access-control-allow-credentials") != "true"


def test_store_files_are_owner_only(tc):
    import os
    import stat

    data = tc.app.state.service.settings.data_dir
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    db = tc.app.state.service.settings.store_path
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_stored_texts_are_bounded(tc, keys):
    admin = tc.app.state.service.store.create_key("admin", None, "atk")[1]
    r = tc.post("/admin/keys", json={"role": "planner", "label": "x" * 5000},
                headers={"Authorization": f"Bearer {admin}"})
    _problem(r, 422)
    r = tc.put("/coverage/targets/360702/2025", json={"value": 1, "note": "n" * 5000},
               headers=keys["planner"])
    _problem(r, 422)
    r = tc.post("/imports/base-stations", headers=keys["cucc"], files={"file": (
        "\u202e" + "f" * 300 + ".csv", b"site_id,lon,lat,type,status\nLEN-1,114.93,25.83,"
        b"macro,on_air\n")})
    assert r.status_code == 200, r.text
    batch = tc.get("/imports/base-stations", headers=keys["cucc"]).json()["batches"][0]
    assert len(batch["filename"]) <= 200 and "\u202e" not in batch["filename"]


def test_concurrent_creates_of_one_id_give_one_201(tc, keys):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: tc.post(SITES, json=_feature("RACE-1"),
                                                headers=keys["cucc"]).status_code, range(20)))
    assert codes.count(201) == 1 and codes.count(409) == 19, codes


def test_ids_are_normalised_once_and_refused_when_unsafe(tc, keys):
    assert tc.post(SITES, json=_feature("SP-1"), headers=keys["cucc"]).status_code == 201
    r = tc.post(SITES, json=_feature(" SP-1 "), headers=keys["cucc"])
    _problem(r, 409)  # the same id once trimmed: a conflict, not an overwrite or a 500
    for bad in ("=1+1", "+1+1", "@SUM(1+1)", "-1+1", "=HYPERLINK(\"x\")", "=cmd|' /C calc'!A0",
                "SP\u202e1", "A\u2028B", "A\u0085B", "A\x7fB"):
        r = tc.post(SITES, json=_feature(bad), headers=keys["cucc"])
        _problem(r, 422)
        assert r.json()["errors"][0]["column"] == "site_id"


@pytest.mark.parametrize("coord_sys,lon,lat", [("bd09", 180, 90), ("gcj02", -180, -90)])
def test_unconvertible_points_are_row_errors(tc, keys, coord_sys, lon, lat):
    r = tc.post(SITES, params={"coord_sys": coord_sys}, json=_feature("NAN-1", lon, lat),
                headers=keys["cucc"])
    _problem(r, 422)


def test_errors_do_not_echo_huge_values_and_batches_can_be_read_back(tc, keys):
    big = "x" * 900
    r = tc.post("/imports/base-stations", headers=keys["cucc"], files={"file": (
        "e.csv", f"site_id,lon,lat,type,status\nE-1,{big},25.83,macro,on_air\n".encode())})
    _problem(r, 422)
    body = r.json()
    assert len(r.content) < 5000 and len(str(body["errors"][0]["value"])) < 150
    stored = tc.get(f"/imports/base-stations/{body['batch_id']}", headers=keys["cucc"]).json()
    assert stored["errors"] and len(str(stored["errors"][0]["value"])) < 150
    _problem(tc.get(f"/imports/base-stations/{body['batch_id']}", headers=keys["cmcc"]), 404)


def test_reimport_reports_the_api_edits_it_reverts(tc, keys):
    csv = b"site_id,lon,lat,type,status\nREV-1,114.93,25.83,macro,on_air\n"
    files = {"file": ("r.csv", csv)}
    assert tc.post("/imports/base-stations", headers=keys["cucc"], files=files).status_code == 200
    r = tc.patch(f"{SITES}/cucc:REV-1", json={"status": "built"}, headers=keys["cucc"])
    assert r.status_code == 200
    again = tc.post("/imports/base-stations", headers=keys["cucc"], files=files).json()
    assert again["reverted_edits"] == ["REV-1"] and again["updated"] == 1
    assert tc.delete(f"{SITES}/cucc:REV-1", headers=keys["cucc"]).status_code == 204
    modes = [b["mode"] for b in tc.get("/imports/base-stations", headers=keys["cucc"])
             .json()["batches"]]
    assert "delete" in modes


def test_page_cache_replays_exactly_stays_bounded_and_never_answers_keys(tc):
    first = tc.get("/collections/counties/items", params={"limit": 2})
    again = tc.get("/collections/counties/items", params={"limit": 2})
    assert again.content == first.content and again.headers["link"] == first.headers["link"]
    assert again.headers["x-content-type-options"] == "nosniff"
    bad = tc.get("/collections/counties/items", params={"limit": 2},
                 headers={"Authorization": "Bearer nope"})
    _problem(bad, 401)
    cache = tc.app.middleware_stack.app  # TileFastPath(PageCache(...))
    cache.max_bytes = 2 * 1024 * 1024
    for i in range(40):
        r = tc.get("/collections/counties/items", params={"limit": 18},
                   headers={"host": f"flood{i}.example"})
        assert r.status_code == 200
    assert cache.size <= cache.max_bytes


def _server_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def test_chunked_1gb_upload_is_cut_off_while_streaming(tmp_path):
    """A chunked upload without Content-Length: the live server answers 413 once the
    limit is passed, its memory stays flat, nothing reaches the disk, and it still answers."""
    from geo.store import open_store
    from tests.conftest import live_server_process

    settings = AtlasSettings(data_dir=tmp_path / "var", demo_inventory=False)
    key = open_store(settings).create_key("operator", "中国铁塔", "chunk")[1]
    with live_server_process(settings.data_dir) as (url, proc):
        host, port = url.removeprefix("http://").split(":")
        before = _server_rss_mb(proc.pid)
        # what the started server keeps on disk (its store, the built-layer cache, ...)
        on_disk = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
        chunk = b"x" * (1 << 20)
        sent = 0
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(b"POST /imports/base-stations HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + key.encode() + b"\r\n"
                      b"Content-Type: multipart/form-data; boundary=b\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            answer = b""
            try:
                while sent < 1024 and not answer:  # up to 1 GiB, 1 MiB a chunk
                    s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                    sent += 1
                    if select.select([s], [], [], 0)[0]:  # the server has answered
                        answer = s.recv(4096)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed: what we want
            if not answer:
                s.settimeout(30)
                answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 200  # cut off near the 50 MB limit, not after 1 GiB
        assert _server_rss_mb(proc.pid) - before < 200
        spooled = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) - on_disk
        assert spooled < 50 * 2**20  # the upload was not spooled to disk
        import urllib.request

        with urllib.request.urlopen(f"{url}/conformance", timeout=10) as r:
            assert r.status == 200


def test_an_operators_cog_does_not_change_when_a_competitor_adds_a_site(tc, keys):
    """The difference attack with an operator key: diff your own COG before and after a
    competitor's new site; nothing changes, so nothing is located."""
    def cells() -> bytes:
        tc.app.state.service.coverage.wait(2025, "operator-cmcc")
        r = tc.get("/coverage/coverage.tif", headers=keys["cmcc"])
        assert r.status_code == 200
        with MemoryFile(r.content) as f, f.open() as src:
            return src.read(1).tobytes()
    assert tc.post(SITES, json=_feature("MINE-9", 115.2, 26.2),
                   headers=keys["cmcc"]).status_code == 201
    before = cells()
    r = tc.post(SITES, json=_feature("THEIRS-9", 114.95, 25.86), headers=keys["cucc"])
    assert r.status_code == 201, r.text
    assert cells() == before


def test_repeated_headers_are_never_cached():
    from api.pagecache import PageCache

    class _State:
        class service:  # noqa: N801 - a stand-in for the app's service
            @staticmethod
            def is_static(cid):
                return True

    class _App:
        state = _State

    cache = PageCache(app=None)
    scope = {"type": "http", "method": "GET", "scheme": "http", "root_path": "",
             "path": "/collections/counties/items", "query_string": b"", "app": _App,
             "headers": [(b"host", b"evil.example"), (b"host", b"api.example")]}
    assert cache._key(scope) is None
    scope["headers"] = [(b"host", b"api.example"), (b"accept", b"text/html"),
                        (b"accept", b"application/json")]
    assert cache._key(scope) is None
    scope["headers"] = [(b"host", b"api.example")]
    assert cache._key(scope) is not None


def test_the_failed_auth_limiter_stays_bounded():
    from api.security import MAX_TRACKED, FailedAuthLimiter

    limiter = FailedAuthLimiter(10)
    for i in range(MAX_TRACKED + 2_000):
        limiter.failed(f"2001:db8::{i:x}")
    assert len(limiter._failures) <= MAX_TRACKED


def test_a_numeric_site_id_is_a_4xx_not_a_500(tc, keys):
    body = _feature("x")
    body["properties"]["site_id"] = 12.0
    _problem(tc.post(SITES, json=body, headers=keys["cucc"]), 422)
