"""The maps over HTTP: index, pages per basemap, vendored assets, problems, thumbnails."""

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from maps.registry import MAPS


@pytest.fixture(scope="module")
def mc(settings, ctx):
    with TestClient(create_app(settings, ctx)) as c:
        yield c


def test_index_lists_every_map_with_basemap_links(mc):
    r = mc.get("/maps/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for spec in MAPS.values():
        assert spec.title in r.text and f"/maps/{spec.name}?basemap=gaode" in r.text
    assert "basemap=tianditu" not in r.text  # no key configured


def test_maps_without_slash_redirects(mc):
    r = mc.get("/maps", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"].endswith("/maps/")


@pytest.mark.parametrize("name", list(MAPS))
def test_every_page_loads_only_served_assets(mc, name):
    r = mc.get(f"/maps/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]*/static/vendor/[^"]+)"', r.text)  # root-relative
    assert len(assets) >= 7  # leaflet, jquery, fullscreen, measure (JS + CSS)
    for url in assets:
        a = mc.get(url)
        assert a.status_code == 200, url
    assert "https://" not in r.text


def test_page_links_the_other_basemaps(mc):
    r = mc.get("/maps/layout?basemap=osm")
    assert "tile.openstreetmap.org" in r.text
    assert "/maps/layout?basemap=none" in r.text and "/maps/layout?basemap=gaode" in r.text


@pytest.mark.parametrize("query", ["basemap=google", "basemap=tianditu"])
def test_unavailable_basemap_is_a_400_problem(mc, query):
    r = mc.get(f"/maps/layout?{query}")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["parameter"] == "basemap"


def test_unknown_map_is_a_404_problem(mc):
    r = mc.get("/maps/nope")
    assert r.status_code == 404 and r.json()["type"] == "/problems/map-not-found"


@pytest.mark.parametrize("path", ["../package.json", "leaflet/package.json", "lodash/lodash.js",
                                  "leaflet/dist/../../../pyproject.toml"])
def test_vendor_route_serves_nothing_else(mc, path):
    r = mc.get(f"/static/vendor/{path}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_vendor_files_are_cached_by_browsers(mc):
    r = mc.get("/static/vendor/leaflet/dist/leaflet.css")
    assert r.status_code == 200 and "max-age" in r.headers["cache-control"]
    assert r.headers["content-type"].startswith("text/css")


@pytest.mark.skipif(shutil.which("chromium") is not None, reason="Chromium is installed")
def test_thumbnail_without_chromium_is_a_404_problem(mc):
    r = mc.get("/maps/layout/thumbnail.png")
    assert r.status_code == 404 and r.json()["type"] == "/problems/browser-unavailable"


@pytest.mark.client
def test_thumbnail_is_a_png_made_by_chromium(mc):
    from tests.conftest import require_binary

    require_binary("chromium")
    r = mc.get("/maps/layout/thumbnail.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "thumbnail.png" in mc.get("/maps/").text


def test_coverage_page_per_scenario_with_links(mc):
    r = mc.get("/maps/coverage")
    assert r.status_code == 200 and "2025年目标情景" in r.text
    amp = "\\u0026amp;"  # the title block's HTML sits in a JSON string
    assert f"/maps/coverage?basemap=gaode{amp}scenario=2025" in r.text
    assert f"/maps/coverage?basemap=none{amp}scenario=2023" in r.text
    r23 = mc.get("/maps/coverage?scenario=2023")
    assert r23.status_code == 200 and "2023年目标情景" in r23.text
    assert "scenario=2023" in mc.get("/maps/").text


def test_unknown_scenario_is_a_400_problem(mc):
    r = mc.get("/maps/coverage?scenario=2024")
    assert r.status_code == 400 and r.json()["parameter"] == "scenario"
    assert mc.get("/maps/layout?scenario=2024").status_code == 200  # other maps ignore it


def test_coverage_page_follows_a_planner_override(mc):
    store = mc.app.state.service.store
    headers = {"Authorization": f"Bearer {store.create_key('planner', None, 'maps')[1]}"}
    before = mc.get("/maps/coverage?scenario=2023").text
    old = {c["adcode"]: c for c in mc.get("/coverage/targets").json()["counties"]}[
        "360730"]["target_2023"]
    r = mc.put("/coverage/targets/360730/2023", json={"value": old + 7}, headers=headers)
    assert r.status_code == 200
    try:
        after = mc.get("/maps/coverage?scenario=2023").text
        assert after != before and "宁都县为规划人员调整值" in after
        assert f"{old + 7}个 · 规划人员调整" in after
    finally:  # revert: other tests read the same store
        mc.put("/coverage/targets/360730/2023", json={"value": None}, headers=headers)
    assert "宁都县为规划人员调整值" not in mc.get("/maps/coverage?scenario=2023").text


def test_a_map_page_is_sent_compressed_once_not_per_visit(mc, monkeypatch):
    """Browsers get the page gzip-compressed, compressed once and kept (on every visit it
    took 0.1-0.2 s of the first byte); a client that does not accept gzip gets it plain."""
    import gzip

    first = mc.get("/maps/iot", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in first.headers["vary"].lower()
    assert first.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in first.headers
    calls: list[int] = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = mc.get("/maps/iot", headers={"Accept-Encoding": "gzip"})
    assert again.text == first.text and calls == []  # the kept copy, not recompressed
    plain = mc.get("/maps/iot", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == first.text and "<html" in plain.text[:300].lower()  # one gzip layer
