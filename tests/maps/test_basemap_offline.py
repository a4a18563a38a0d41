"""The offline basemap in Chromium with the network cut: rivers drawn, nothing fails.

The default basemap is drawn from the shipped ``data/basemap`` files embedded in the page
(``maps.basemaps.OfflineBasemap``): no request leaves 127.0.0.1 and none fails. An online
basemap with the network cut shows the Chinese notice instead of a silent beige canvas, and
天地图 without a key is a Chinese page, not a JSON error. The checks that need no browser
(what the page embeds) are at the end, unmarked.
"""

from __future__ import annotations

import json
import warnings
from urllib.parse import urlsplit

import numpy as np
import pytest
import rasterio
import shapely
from shapely.geometry import shape

from geo.boundaries import read_level
from maps.assets import AssetMode, render
from maps.basemaps import (
    OFFLINE_LAYER_NAME,
    RIVER_COLOUR,
    OfflineBasemap,
    offline_basemap_data,
)
from maps.registry import build_map
from tests.maps.helpers import URL, of_type
from tests.maps.test_browser import offline

ZHANGGONG = (25.83, 114.93)  # lat, lon: 章贡区, the city seat
MAP_OF = "() => Object.values(window).find(v => v instanceof L.Map)"


@pytest.fixture(scope="module")
def live(maps_live_url):
    """The live server with the pages these tests open built once (the coverage page waits
    for the first coverage run, longer than a browser navigation's timeout)."""
    import urllib.request

    for path in ("/maps/coverage", "/maps/layout", "/maps/province",
                 "/maps/coverage?basemap=osm"):
        urllib.request.urlopen(f"{maps_live_url}{path}", timeout=600).close()
    return maps_live_url


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _pixels(png) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(png) as src:
            return np.moveaxis(src.read()[:3].astype(float), 0, -1)  # rows, cols, rgb


def _ganzhou(settings):
    counties = read_level(settings, "county")
    return shapely.union_all(counties[counties["parent_adcode"] == "360700"].geometry.values)


def _river_points(settings, step: float = 0.004) -> list[list[float]]:
    """[lat, lon] every ``step`` degrees along the shipped rivers, inside 赣州市 only."""
    rivers = json.loads((settings.shipped_data_dir / "basemap" / "rivers.geojson")
                        .read_text("utf-8"))
    city = _ganzhou(settings)
    out = []
    for f in rivers["features"]:
        for part in shapely.get_parts(shapely.intersection(shape(f["geometry"]), city)):
            if part.geom_type != "LineString":
                continue
            for d in np.arange(0, part.length, step):
                p = part.interpolate(d)
                out.append([p.y, p.x])
    return out


PROJECT = f"""([points, selector]) => {{
    const map = ({MAP_OF})();
    const box = map.getContainer().getBoundingClientRect();
    const covered = [...document.querySelectorAll(selector)].map(e => e.getBoundingClientRect())
        .map(r => [r.left - box.left, r.top - box.top, r.right - box.left, r.bottom - box.top]);
    const size = map.getSize();
    return points.map(p => map.latLngToContainerPoint(p)).filter(c =>
        c.x >= 3 && c.y >= 3 && c.x < size.x - 3 && c.y < size.y - 3 &&
        !covered.some(r => c.x >= r[0] - 3 && c.x <= r[2] + 3 && c.y >= r[1] - 3 &&
                           c.y <= r[3] + 3)).map(c => [Math.round(c.x), Math.round(c.y)]);
}}"""


@pytest.mark.client
def test_coverage_map_at_z10_shows_rivers_inside_ganzhou(chromium_browser, live,
                                                        screenshots_dir, settings):
    page, watch = offline(chromium_browser)
    page.goto(f"{live}/maps/coverage", wait_until="load")
    page.wait_for_function("window.atlasBasemapMs !== undefined", timeout=15_000)
    page.evaluate(f"() => ({MAP_OF})().setView([{ZHANGGONG[0]}, {ZHANGGONG[1]}], 10, "
                  "{animate: false})")
    page.wait_for_timeout(500)
    assert page.evaluate(f"() => ({MAP_OF})().getZoom()") == 10
    shot = screenshots_dir / "basemap_coverage_z10.png"
    page.locator(".folium-map").screenshot(path=str(shot))  # pixel == container point
    rgb = _pixels(shot)
    # where the shipped rivers run inside 赣州 (and no control covers the map), a pixel
    # within 2 px has the river colour: drawn above the choropleth, not tinted by it
    points = page.evaluate(PROJECT, [_river_points(settings),
                                     ".leaflet-control, .leaflet-marker-icon"])
    assert len(points) >= 50, "too few river points in view"
    river = _rgb(RIVER_COLOUR)
    hits = sum(bool((np.abs(rgb[y - 2:y + 3, x - 2:x + 3] - river).max(axis=2) <= 16).any())
               for x, y in points)
    # the rest lie under the gap polygons, tier lines and labels of the overlay pane (z 400)
    assert hits >= 50 and hits >= 0.2 * len(points), f"river colour at {hits} of {len(points)}"
    assert page.locator("path.atlas-bm-river").count() >= 1
    assert watch.errors == [] and watch.failed == []
    page.context.close()


@pytest.mark.client
@pytest.mark.parametrize("name", ["coverage", "layout", "province"])
def test_default_basemap_makes_no_failed_request(chromium_browser, live, name):
    page, watch = offline(chromium_browser)
    page.goto(f"{live}/maps/{name}", wait_until="load")
    page.wait_for_function("window.atlasBasemapMs !== undefined", timeout=15_000)
    for zoom in (9, 11, 13):  # zooming in requests nothing either: the data is in the page
        page.evaluate(f"() => ({MAP_OF})().setView([{ZHANGGONG[0]}, {ZHANGGONG[1]}], {zoom}, "
                      "{animate: false})")
        page.wait_for_timeout(200)
    assert watch.errors == [] and watch.failed == [] and watch.cancelled == []
    assert {urlsplit(u).hostname for u in watch.urls} <= {"127.0.0.1", None}
    assert page.locator("path.atlas-bm-admin").count() >= 2
    assert page.locator(".atlas-basemap-notice").count() == 0
    page.context.close()


@pytest.mark.client
def test_online_basemap_without_network_shows_the_chinese_notice(chromium_browser, live,
                                                                 screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{live}/maps/coverage?basemap=osm", wait_until="load")
    notice = page.locator(".atlas-basemap-notice")
    notice.wait_for(state="visible", timeout=15_000)
    text = notice.inner_text()
    assert "在线底图无法加载（内网无互联网）" in text and "OpenStreetMap" in text
    assert notice.locator("a", has_text="离线底图").get_attribute("href").endswith(
        "/maps/coverage?basemap=none&scenario=2025")
    assert any("tile.openstreetmap.org" in u for u in watch.failed)  # the cut requests
    page.locator(".folium-map").screenshot(path=str(screenshots_dir / "basemap_notice.png"))
    page.context.close()


@pytest.mark.client
def test_tianditu_without_key_is_a_chinese_page(chromium_browser, live):
    page, _ = offline(chromium_browser)
    response = page.goto(f"{live}/maps/layout?basemap=tianditu", wait_until="load")
    assert response.status == 400
    assert "text/html" in response.headers["content-type"]
    assert "天地图需要密钥" in page.locator(".atlas-basemap-unavailable").inner_text()
    assert page.locator("a", has_text="离线底图").count() == 1
    page.context.close()


# ----------------------------------------------------------------- without a browser
def test_the_page_embeds_the_basemap_and_no_url(ctx):
    m = build_map("layout", ctx)
    (layer,) = of_type(m, OfflineBasemap)
    html = render(m, AssetMode.inline())
    assert layer.data_json in html and not URL.findall(layer.data_json)
    data = json.loads(layer.data_json)
    assert set(data["rivers"]) == {"2", "3", "4"} and set(data["admin"]) == {
        "province", "prefecture", "county"}
    assert {p[0] for p in data["places"]["prefecture"]} >= {"赣州市", "吉安市"}
    assert {p[0] for p in data["provinces"]} == {"广东省", "福建省", "湖南省"}
    # listed in the layer control (folium writes the name with ASCII escapes)
    assert json.dumps(OFFLINE_LAYER_NAME) in html and html.count(layer.get_name()) >= 3


def test_online_basemaps_embed_no_offline_basemap(keyed_ctx):
    for basemap in ("osm", "gaode", "tianditu"):
        from maps.base import MapOptions

        m = build_map("layout", keyed_ctx, MapOptions(basemap=basemap))
        assert of_type(m, OfflineBasemap) == []


def test_basemap_data_is_clipped_to_the_page_window(settings):
    ganzhou = [[24.48, 113.9], [27.16, 116.65]]
    data = offline_basemap_data(settings, ganzhou)
    scale = data["scale"]
    for lines in [data["neighbours"], *data["admin"].values(), *data["rivers"].values()]:
        for line in lines:
            xy = np.cumsum(np.array(line).reshape(-1, 2), axis=0) / scale
            assert xy[:, 0].min() >= 112.9 - 1e-5 and xy[:, 0].max() <= 117.65 + 1e-5
            assert xy[:, 1].min() >= 23.48 - 1e-5 and xy[:, 1].max() <= 28.16 + 1e-5
    assert "九江市" not in {p[0] for p in data["places"]["prefecture"]}  # far north: outside
    # the decoded rivers are the shipped ones (same vertices to 1e-5 degree)
    rivers = json.loads((settings.shipped_data_dir / "basemap" / "rivers.geojson").read_text())
    shipped = sum(len(shape(f["geometry"]).coords) for f in rivers["features"])
    embedded = sum(len(line) // 2 for lines in data["rivers"].values() for line in lines)
    assert 0.95 * shipped <= embedded <= shipped
