"""The "建议新增站址（模型建议）" layer in headless Chromium with the network cut: the fetched
document's ranked markers, discs and "还需 N 站" table; the withheld, computing and
no-server notices in Chinese."""

from __future__ import annotations

import json

import folium
import pandas as pd
import pytest

from geo.coverage.recommend.export import SITE_COLUMNS
from geo.coverage.recommend.plan import LABEL, Recommendation
from geo.coverage.recommend.public_map import computing, document, withheld
from maps.assets import AssetMode, render
from maps.recommendations import add_recommendation_layer
from tests.maps.test_browser import offline

ORIGIN = "http://127.0.0.1:9"  # answered by page.route below, never by a socket
DOC_URL = f"{ORIGIN}/coverage/recommendations/map?scenario=2025"


def _doc(n: int = 3) -> dict:
    """A ready document, made by the endpoint's own ``document`` from a recommendation."""
    sites = pd.DataFrame([{c.name: 0 for c in SITE_COLUMNS} for _ in range(n)])
    sites["rank"] = range(1, n + 1)
    sites["adcode"], sites["county"] = "360702", "章贡区"
    sites["lon"] = sites["lon_gcj02"] = [114.90 + 0.02 * i for i in range(n)]
    sites["lat"] = sites["lat_gcj02"] = 25.85
    sites["setting"], sites["setting_label"], sites["radius_m"] = "urban", "城区", 600.0
    sites["demand_type"] = "主城区"
    counties = pd.DataFrame([
        {"adcode": "360702", "county": "章贡区", "sites_recommended": n, "sites_quota": n + 4,
         "coverage_before_pct": 80.0, "coverage_after_pct": 90.0, "stop_reason": "x"},
        {"adcode": "360703", "county": "南康区", "sites_recommended": 0, "sites_quota": 0,
         "coverage_before_pct": 100.0, "coverage_after_pct": 100.0, "stop_reason": "x"}])
    return document(Recommendation(sites, counties, {}), 2025)


def _page(inline: dict | None = None) -> str:
    fmap = folium.Map(location=[25.85, 114.93], zoom_start=12, tiles=None)
    add_recommendation_layer(fmap, DOC_URL, inline=inline)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return render(fmap, AssetMode.inline())


def _open(browser, answer: dict | None, status: int = 200):
    """The page served at ORIGIN, its document answered with ``answer`` (network cut)."""
    page, watch = offline(browser)
    html = _page()

    def serve(route):
        if route.request.url.startswith(f"{ORIGIN}/coverage/"):
            return route.fulfill(status=status, content_type="application/json",
                                 body=json.dumps(answer, ensure_ascii=False))
        return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/map.html", wait_until="load")
    return page, watch


def test_the_layer_draws_ranked_markers_discs_and_the_county_table(chromium_browser):
    page, watch = _open(chromium_browser, _doc(3))
    page.wait_for_selector(".atlas-recommend-table")
    assert page.locator(".atlas-recommend-rank").all_inner_texts() == ["1", "2", "3"]
    # the discs (L.circle), not interactive: a click goes through to the county below
    assert page.locator(".leaflet-overlay-pane path").count() == 3
    assert page.locator("path.leaflet-interactive").count() == 0
    table = page.locator(".atlas-recommend-box").inner_text()
    assert "还需 7 站" in table and "还需 0 站" in table and "章贡区" in table
    assert "模型建议" in table and "合成演示站点" in table
    assert LABEL in page.locator(".leaflet-control-layers-overlays").inner_text()
    page.locator(".leaflet-control-layers-overlays input").first.uncheck()  # toggleable
    assert page.locator(".atlas-recommend-rank").count() == 0
    assert page.locator(".atlas-recommend-box").count() == 0
    assert watch.errors == []
    page.context.close()


@pytest.mark.parametrize(("answer", "status", "text"), [
    (withheld(2025), 200, "公开地图不提供建议新增站址"),
    (computing(2025), 202, "正在计算…"),
])
def test_withheld_and_computing_show_a_chinese_notice_and_no_markers(chromium_browser, answer,
                                                                      status, text):
    page, watch = _open(chromium_browser, answer, status)
    page.wait_for_selector(".atlas-recommend-notice")
    assert text in page.locator(".atlas-recommend-notice").inner_text()
    assert page.locator(".atlas-recommend-rank").count() == 0
    assert watch.errors == []
    page.context.close()


def test_a_page_opened_as_a_file_says_it_cannot_fetch(chromium_browser, tmp_path):
    path = tmp_path / "export.html"
    path.write_text(_page(), "utf-8")
    page, _ = offline(chromium_browser)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".atlas-recommend-notice")
    assert "未连接地图服务" in page.locator(".atlas-recommend-notice").inner_text()
    assert page.locator(".atlas-recommend-rank").count() == 0
    page.context.close()


def test_an_inline_document_needs_no_server(chromium_browser, tmp_path):
    path = tmp_path / "export.html"
    path.write_text(_page(inline=_doc(2)), "utf-8")
    page, watch = offline(chromium_browser)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".atlas-recommend-table")
    assert page.locator(".atlas-recommend-rank").count() == 2
    assert watch.failed == []
    page.context.close()


@pytest.mark.client
def test_the_coverage_page_offers_the_layer_off_and_draws_it_when_switched_on(
        chromium_browser, maps_live_url):
    """On the real coverage page (demo-only store): the layer is in the layer control and off
    at first (its ~1,000 markers would cover the county labels); switched on it draws the
    ranked sites of the default plan and puts the "还需 N 站" table in the side panel, and a
    county under a disc still opens its own popup."""
    from tests.maps.test_browser import offline

    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
    assert page.locator(".atlas-recommend-rank").count() == 0
    page.locator(".leaflet-control-layers-overlays label", has_text=LABEL).click()
    page.wait_for_selector(".atlas-recommend-rank", state="attached", timeout=90_000)
    table = page.locator("aside.atlas-side .atlas-recommend-box")
    table.wait_for(timeout=10_000)
    text = table.inner_text()
    assert "还需" in text and "章贡区" in text and "合成" in text
    assert page.locator(".atlas-recommend-rank").count() > 18
    page.locator("path.atlas-choropleth").nth(3).click(force=True)
    page.locator(".leaflet-popup-content", has_text="目标").wait_for(timeout=5_000)
    assert watch.errors == [] and watch.failed == []
