"""Every map in headless Chromium with the network cut: no errors, right counts, not blank.

Requests to anything but 127.0.0.1 (and file:/data: URLs) are aborted, as on an intranet
without internet; a page that needed a CDN would log errors and fail requests here. DOM counts
are checked against the object tree (SVG paths by class, marker elements, cluster badges).
Screenshots go to ``out/screenshots/`` (CI artefacts).
"""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlsplit

import pytest
import rasterio

from maps.registry import MAPS
from maps.render import export
from maps.screenshot import wait_for_map
from tests.maps.helpers import geojson_features, markers

pytestmark = pytest.mark.client
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a3e6e3a70000000049454e44ae426082")


def _selectors(built, name: str) -> dict[str, int]:
    """Expected DOM counts of a map, read from its object tree."""
    m = built[name]
    paths = {"layout": ["atlas-county", "atlas-unit"], "parks": ["atlas-county",
             "atlas-cluster-hull"], "iot": ["atlas-iot-tier1", "atlas-iot-tier2",
             "atlas-iot-tier3"], "province": ["atlas-prefecture"],
             "coverage": ["atlas-choropleth", "atlas-tier", "atlas-gap"]}.get(name, [])
    expected = {f"path.{c}": len(geojson_features(m, c)) for c in paths}
    if name == "layout":
        expected |= {"path.atlas-zone": 3, "path.atlas-axis": 1}
    if name == "iot":
        expected[".leaflet-marker-icon.atlas-agri"] = len(markers(m, "atlas-agri"))
    if name == "province":
        expected |= {"path.atlas-population": 11, "path.atlas-layout": 1,
                     ".leaflet-marker-icon.atlas-dc": len(markers(m, "atlas-dc"))}
    if name == "coverage":
        expected |= {"path.atlas-choropleth": 18, "img.atlas-coverage-raster": 0}  # off
    return expected


class Watch:
    """Console errors, page errors, failed requests and every URL a page asked for.

    ``cancelled`` keeps requests the page itself gave up (Leaflet drops the tiles of the
    first view when ``fitBounds`` zooms): not failures, but only tiles may be cancelled.
    """

    def __init__(self, page) -> None:
        self.errors, self.failed, self.urls, self.cancelled = [], [], [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", self._failed)
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("response", lambda r: self.failed.append(r.url) if r.status >= 400 else None)

    def _failed(self, request) -> None:
        cancelled = request.failure == "net::ERR_ABORTED" and request.resource_type == "image"
        (self.cancelled if cancelled else self.failed).append(request.url)


def offline(browser, width=1280, height=860):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()

    def route(r):
        host = urlsplit(r.request.url).hostname
        if urlsplit(r.request.url).scheme in ("file", "data") or host == "127.0.0.1":
            return r.continue_()
        return r.abort("internetdisconnected")

    page.route("**/*", route)
    return page, Watch(page)


def not_blank(png) -> float:
    """Standard deviation of the screenshot's RGB values (a blank page is ~0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(png) as src:
            rgb = src.read()[:3].astype(float)
    return float(rgb.std())


@pytest.mark.parametrize("name", list(MAPS))
def test_map_loads_offline_with_expected_features(chromium_browser, maps_live_url, built, name,
                                                  screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/{name}", wait_until="load")
    wait_for_map(page)
    assert watch.errors == [] and watch.failed == []
    assert {urlsplit(u).hostname for u in watch.urls} == {"127.0.0.1"}
    for selector, count in _selectors(built, name).items():
        assert page.locator(selector).count() == count, selector
    for control in (".leaflet-control-scale", ".leaflet-control-layers", ".atlas-north",
                    ".atlas-title", ".atlas-legend", ".leaflet-control-measure",
                    ".leaflet-control-zoom-fullscreen"):
        assert page.locator(control).count() == 1, control
    shot = screenshots_dir / f"{name}.png"
    page.locator(".folium-map").screenshot(path=str(shot))
    assert not_blank(shot) > 20
    page.context.close()


def test_every_placed_park_is_a_marker_or_in_a_cluster_badge(chromium_browser, maps_live_url,
                                                             built):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/parks", wait_until="load")
    wait_for_map(page)
    badges = page.eval_on_selector_all(".marker-cluster span",
                                       "els => els.map(e => +e.textContent)")
    single = page.locator(".leaflet-marker-icon.atlas-park").count()
    assert sum(badges) + single == len(markers(built["parks"], "atlas-park"))
    assert page.locator(".atlas-sym.county_seat").count() >= 1  # dashed: a seat, not surveyed
    assert "未定位园区" in page.locator(".atlas-side").inner_text()
    assert watch.errors == []
    page.context.close()


def test_clicking_a_county_opens_its_cited_popup(chromium_browser, maps_live_url):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/layout", wait_until="load")
    wait_for_map(page)
    page.locator("path.atlas-county").nth(10).click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert "发展重点（表2）" in popup.inner_text() and "出处" in popup.inner_text()
    page.locator(".leaflet-control-measure").hover()  # expands the measure panel
    assert page.locator(".leaflet-control-measure .js-start").is_visible()
    assert watch.errors == []
    page.context.close()


@pytest.mark.parametrize("self_contained", [True, False])
def test_exported_files_open_offline_from_disk(chromium_browser, ctx, coverage_data, tmp_path,
                                               self_contained):
    written = export(ctx, tmp_path, self_contained=self_contained, coverage=coverage_data)
    for e in written:
        page, watch = offline(chromium_browser)
        page.goto(e.html.resolve().as_uri(), wait_until="load")
        wait_for_map(page)
        assert watch.errors == [] and watch.failed == [], e.name
        assert all(urlsplit(u).scheme in ("file", "data") for u in watch.urls), e.name
        assert page.locator("path").count() > 0
        page.context.close()


def test_gaode_page_loads_tiles_only_from_gaode(chromium_browser, maps_live_url):
    page, watch = offline(chromium_browser)
    tiles = []

    def fake_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG_1PX)

    page.route(re.compile(r"https://webrd0[1-4]\.is\.autonavi\.com/.*"), fake_tile)
    page.goto(f"{maps_live_url}/maps/layout?basemap=gaode", wait_until="load")
    wait_for_map(page)
    assert tiles and watch.errors == [] and watch.failed == []
    assert len(watch.cancelled) < len(tiles)  # some tiles of the first view, never all
    hosts = {urlsplit(u).hostname for u in watch.urls} - {"127.0.0.1"}
    assert hosts <= {f"webrd0{i}.is.autonavi.com" for i in range(1, 5)}
    assert "GCJ-02" in page.locator(".atlas-title").inner_text()
    page.context.close()


def test_png_export_pictures_each_map(chromium_browser, ctx, tmp_path):
    written = export(ctx, tmp_path, self_contained=True, png=True, names=["iot"])
    assert written[0].png is not None and not_blank(written[0].png) > 20
    assert "iot.png" in (tmp_path / "index.html").read_text(encoding="utf-8")


def _synthetic_sites(built) -> int:
    from maps.elements import SiteMarkers
    from tests.maps.helpers import of_type

    return len(of_type(built["coverage"], SiteMarkers)[0].sites)


FIND_CLUSTER = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let group = null;
    map.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) { group = l; } });
    return [map, group];
}"""


def test_coverage_map_sites_raster_and_popups(chromium_browser, maps_live_url, built,
                                              screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    wait_for_map(page)
    n = _synthetic_sites(built)
    # every synthetic site is a marker or counted in a cluster badge (badges say 合成)
    page.wait_for_function(
        f"""() => {{
            const b = [...document.querySelectorAll(".atlas-site-cluster b")]
                .reduce((s, e) => s + +e.textContent, 0);
            return b + document.querySelectorAll(".leaflet-marker-icon.atlas-site").length
                === {n};
        }}""", timeout=15_000)
    badges = page.locator(".atlas-site-cluster")
    assert badges.count() >= 10 and "合成" in badges.first.inner_text()
    # the county popup gives targets and real sites as counts only
    page.locator("path.atlas-choropleth").nth(3).click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert "2025年目标" in text and "运营商报送站点" in text and "规划近似" in text
    # a site's popup says it is synthetic
    page.evaluate(f"""() => {{
        const [map, group] = ({FIND_CLUSTER})();
        map.closePopup();
        const site = group.getLayers()[0];
        group.zoomToShowLayer(site, () => site.openPopup());
    }}""")
    page.locator(".leaflet-popup-content", has_text="合成演示站点").wait_for(timeout=10_000)
    assert "合成演示数据" in page.locator(".leaflet-popup-content").inner_text()
    # the raster overlay: off by default, on from the layer control, drawn from a data: URL
    page.evaluate(f"() => {{ const [map] = ({FIND_CLUSTER})(); map.closePopup(); }}")
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    wait_for_map(page)
    assert page.locator("img.atlas-coverage-raster").count() == 0
    page.locator(".leaflet-control-layers-overlays label", has_text="覆盖栅格").click()
    raster = page.locator("img.atlas-coverage-raster")
    raster.wait_for(timeout=5_000)
    page.wait_for_function("() => document.querySelector('img.atlas-coverage-raster')"
                           ".naturalWidth > 1000", timeout=5_000)
    # the legend and the layer control do not overlap at 1280 x 860
    legend_box = page.locator(".atlas-legend").bounding_box()
    layers_box = page.locator(".leaflet-control-layers").bounding_box()
    assert layers_box["y"] + layers_box["height"] <= legend_box["y"]
    assert watch.errors == [] and watch.failed == []
    assert {urlsplit(u).hostname for u in watch.urls} <= {"127.0.0.1", None}
    shot = screenshots_dir / "coverage_raster.png"
    page.locator(".folium-map").screenshot(path=str(shot))
    assert not_blank(shot) > 20
    page.context.close()


def test_coverage_map_with_gaode_loads_tiles_only_from_gaode(chromium_browser, maps_live_url):
    page, watch = offline(chromium_browser)
    page.route(re.compile(r"https://webrd0[1-4]\.is\.autonavi\.com/.*"),
               lambda route: route.fulfill(status=200, content_type="image/png", body=PNG_1PX))
    page.goto(f"{maps_live_url}/maps/coverage?basemap=gaode&scenario=2023", wait_until="load")
    wait_for_map(page)
    assert watch.errors == [] and watch.failed == []
    hosts = {urlsplit(u).hostname for u in watch.urls} - {"127.0.0.1", None}
    assert hosts <= {f"webrd0{i}.is.autonavi.com" for i in range(1, 5)}
    assert "2023年目标情景" in page.locator(".atlas-title").inner_text()
    assert page.locator("path.atlas-choropleth").count() == 18
    page.context.close()
