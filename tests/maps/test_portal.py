"""The portal in headless Chromium with the network cut: home, maps, tables, print, PNG.

``/`` for a browser is the portal (Chinese): every map with a thumbnail or a placeholder
(never waiting for one), the layers with their downloads, the county scorecard, the API and
QGIS steps; JSON clients still get the OGC landing document. Every page has the same
header (home and every map). Screenshots go to ``out/screenshots/`` (CI artefacts).
"""

from __future__ import annotations

import re

import httpx
import pytest

from maps.registry import MAPS
from maps.screenshot import wait_for_map
from tests.maps.test_browser import not_blank, offline

pytestmark = pytest.mark.client


def test_json_clients_still_get_the_ogc_landing_document(maps_live_url):
    r = httpx.get(f"{maps_live_url}/", headers={"accept": "application/json"})
    assert r.headers["content-type"] == "application/json"
    assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in r.json()["links"]}


def test_portal_links_every_map_layers_downloads_and_qgis(chromium_browser, maps_live_url,
                                                          screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/", wait_until="load")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    for name in MAPS:
        card = page.locator(f'.card[data-map="{name}"]')
        assert card.locator(f'h3 a[href$="/maps/{name}"]').count() == 1, name
        # a thumbnail when one is made, else a placeholder: the page never waits for it
        assert card.locator("img.thumb, .thumb.placeholder").count() == 1, name
    assert page.locator('a[href$="/downloads/atlas.zip"]').count() >= 1
    assert page.locator('a[href*="/collections/counties/download/gpkg"]').count() == 1
    assert page.locator('a[href*="/collections/county_scorecard/items"]').count() >= 1
    assert page.locator("#qgis + ol li").count() >= 3
    assert "atlas.qgz" in page.locator("#qgis + ol").inner_text()
    assert not re.search(r"\b(industrial|existing|county-level|prefecture)\b",
                         page.locator("main").inner_text())
    assert watch.errors == [] and watch.failed == []
    page.screenshot(path=str(screenshots_dir / "portal.png"), full_page=True)
    page.context.close()


def test_every_page_has_the_header_home_and_maps(chromium_browser, maps_live_url):
    page, watch = offline(chromium_browser)
    for path in ["/collections?f=html", "/collections/counties?f=html"]:
        page.goto(f"{maps_live_url}{path}", wait_until="load")
        header = page.locator("header.atlas-site")
        assert header.locator("a.home").count() == 1, path
        assert header.locator("nav a").count() == len(MAPS), path
    for name in MAPS:
        page.goto(f"{maps_live_url}/maps/{name}", wait_until="load")
        wait_for_map(page)
        header = page.locator("header.atlas-site")
        assert header.locator("a.home").get_attribute("href") == "/", name
        hrefs = header.locator("nav a").evaluate_all("els => els.map(e => e.pathname)")
        assert hrefs == [f"/maps/{n}" for n in MAPS], name
        assert header.locator('nav a[aria-current="page"]').inner_text() == \
            MAPS[name].short_title
        # the header does not hide the top of the map
        assert page.locator(".folium-map").bounding_box()["y"] >= \
            header.bounding_box()["height"] - 1
    page.locator("header.atlas-site a.home").click()
    page.wait_for_load_state("load")
    assert page.locator(".card").count() == len(MAPS)  # home is the portal
    assert watch.errors == [] and watch.failed == []
    page.context.close()


def _column(page, index: int) -> list[str]:
    return page.eval_on_selector_all(
        ".atlas-side table.atlas-table tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{index}].textContent)")


def _number(text: str) -> float:
    return float(re.match(r"[-\d.]+", text.replace(",", ""))[0])


def test_coverage_table_sorts_and_filters(chromium_browser, maps_live_url, screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    wait_for_map(page)
    heads = page.locator(".atlas-side table.atlas-table thead th")
    names = heads.all_inner_texts()
    for wanted in ("完成率", "差额(站)", "缺口面积(平方公里)"):
        col = next(i for i, h in enumerate(names) if h.startswith(wanted))
        heads.nth(col).click()
        values = [_number(v) for v in _column(page, col)]
        assert values == sorted(values), wanted
        assert heads.nth(col).get_attribute("aria-sort") == "ascending"
        heads.nth(col).click()
        values = [_number(v) for v in _column(page, col)]
        assert values == sorted(values, reverse=True), wanted
    # the city total stays below the sorted counties
    assert "赣州市合计" in page.locator(".atlas-side tfoot").inner_text()
    page.locator(".atlas-side .atlas-filter").first.fill("章贡")
    assert _column(page, 0) == ["章贡区"]
    page.locator(".atlas-side .atlas-filter").first.fill("")
    assert len(_column(page, 0)) == 18
    # a long table scrolls sideways instead of wrapping a character per line
    height = page.locator(".atlas-side tbody tr").first.bounding_box()["height"]
    assert height < 40
    assert watch.errors == []
    page.locator(".atlas-side").screenshot(path=str(screenshots_dir / "coverage_table.png"))
    page.context.close()


@pytest.mark.parametrize("name", ["layout", "coverage"])
def test_print_view_keeps_legend_scale_north_sources_and_drops_controls(
        chromium_browser, maps_live_url, screenshots_dir, name):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/{name}", wait_until="load")
    wait_for_map(page)
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(300)
    for hidden in (".leaflet-control-zoom", ".leaflet-control-layers", "header.atlas-site",
                   ".leaflet-control-measure"):
        assert not page.locator(hidden).is_visible(), hidden
    for shown in (".atlas-title", ".atlas-legend", ".leaflet-control-scale", ".atlas-north"):
        assert page.locator(shown).is_visible(), shown
    assert page.locator(".atlas-title details").first.get_attribute("open") is not None
    if name == "coverage":  # the side table is laid out below the map
        map_box = page.locator(".folium-map").bounding_box()
        side_box = page.locator(".atlas-side").bounding_box()
        assert side_box["y"] >= map_box["y"] + map_box["height"] - 1
    shot = screenshots_dir / f"{name}_print.png"
    page.screenshot(path=str(shot), full_page=True)
    assert not_blank(shot) > 20
    assert watch.errors == []
    page.context.close()


def test_png_export_downloads_a_picture_without_zoom_buttons(chromium_browser, maps_live_url,
                                                             screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/layout", wait_until="load")
    wait_for_map(page)
    seen = []
    page.on("console", lambda m: seen.append(m.text))
    with page.expect_download(timeout=60_000) as info:
        page.locator("header.atlas-site .atlas-png").click()
        # while the picture is taken the zoom buttons are gone
        page.wait_for_function("() => document.body.classList.contains('atlas-export') || "
                               "document.body.hasAttribute('data-atlas-png')")
    download = info.value
    assert download.suggested_filename == "layout.png"
    target = screenshots_dir / "layout_export.png"
    download.save_as(str(target))
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert not_blank(target) > 20
    assert not page.evaluate("() => document.body.classList.contains('atlas-export')")
    assert watch.errors == [] and watch.failed == []
    page.context.close()


def test_download_menu_lists_the_layers_of_the_map(chromium_browser, maps_live_url):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/parks", wait_until="load")
    wait_for_map(page)
    page.locator(".atlas-downloads summary").click()
    links = page.locator(".atlas-downloads a").evaluate_all(
        "els => els.map(e => e.pathname + e.search)")
    assert "/collections/parks/download/gpkg" in links
    assert "/collections/parks/download/geojson" in links
    assert "/collections/parks/items?limit=10000&f=xlsx" in links
    assert "/downloads/atlas.zip" in links
    for link in links[:4]:
        assert httpx.get(f"{maps_live_url}{link}").status_code == 200, link
    page.context.close()


def test_time_slider_changes_the_pct_without_a_reload_and_sites_wait_for_zoom_10(
        chromium_browser, maps_live_url, coverage_data, screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    wait_for_map(page)
    page.evaluate("() => { window.atlasStay = 1; }")  # gone if the page navigated
    label = page.locator('[data-pct="360702"]').first
    fill = "() => { let c; atlasMap.eachLayer(l => { if (l.feature && l.feature.id === " \
           "'360702' && l.options.fillColor) { c = l.options.fillColor; } }); return c; }"
    assert page.evaluate("() => document.body.getAttribute('data-atlas-year')") == "2025"
    shown_2025, colour_2025 = label.inner_text(), page.evaluate(fill)
    on, target = coverage_data.timeline[2020]["360702"]
    page.locator(".atlas-time input[type=range]").fill("0")
    assert page.evaluate("() => document.body.getAttribute('data-atlas-year')") == "2020"
    assert label.inner_text() == f"{round(100 * on / target, 1):g}%" != shown_2025
    assert page.evaluate(fill) != colour_2025
    assert "2020年" in page.locator(".atlas-time-caption").inner_text()
    page.locator(".atlas-time input[type=range]").fill("1")
    assert page.evaluate("() => document.body.getAttribute('data-atlas-year')") == "2023"
    assert page.evaluate("() => window.atlasStay") == 1
    # the city-wide view is readable: site badges only from zoom 10 on
    assert not page.locator(".atlas-site-cluster").first.is_visible()
    page.locator(".folium-map").screenshot(path=str(screenshots_dir / "coverage_2023.png"))
    page.evaluate("() => atlasMap.setView([25.85, 114.93], 11, {animate: false})")
    page.wait_for_timeout(500)
    assert page.locator(".atlas-site-cluster, .leaflet-marker-icon.atlas-site").first \
        .is_visible()
    assert watch.errors == []
    page.context.close()


OPEN_COUNTY = """([id, twin]) => { let done = false; atlasMap.eachLayer(l => {
    if (!done && l.feature && l.feature.id === id && l.getPopup && l.getPopup()
        && !!l.atlasCompare === twin) { l.openPopup(); done = true; } }); return done; }"""
COMPARE_PANE_FILLS = """() => Array.from(document.querySelectorAll(
    '.leaflet-atlas-compare-pane path.atlas-compare')).map(p => p.getAttribute('fill'))"""


def _pct(row: list[int]) -> str:
    return f"{round(100 * row[0] / row[1], 1):g}%"


def test_county_popup_follows_the_time_slider_while_open(chromium_browser, maps_live_url,
                                                         coverage_data):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    wait_for_map(page)
    assert page.evaluate(OPEN_COUNTY, ["360702", False])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    on, target = coverage_data.timeline[2025]["360702"]
    assert f"2025年目标完成率\t{_pct([on, target])}" in popup.inner_text()
    page.locator(".atlas-time input[type=range]").fill("0")  # the popup stays open
    text = popup.inner_text()
    on20, target20 = coverage_data.timeline[2020]["360702"]
    assert f"2020年目标\t{target20}个" in text and f"截至2020年末在网站点（计入完成率）\t{on20}个" \
        in text and f"2020年目标完成率\t{_pct([on20, target20])}" in text
    assert "2025年" not in popup.locator("table").inner_text()
    # a popup opened after the slider moved shows the slider's year too
    page.evaluate("() => atlasMap.closePopup()")
    page.locator(".atlas-time input[type=range]").fill("1")
    assert page.evaluate(OPEN_COUNTY, ["360702", False])
    assert "2023年目标完成率" in page.locator(".leaflet-popup-content").inner_text()
    assert watch.errors == []
    page.context.close()


def test_two_year_swipe_compares_2023_with_2025_without_a_reload(
        chromium_browser, maps_live_url, coverage_data, screenshots_dir):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/coverage", wait_until="load")
    wait_for_map(page)
    page.evaluate("() => { window.atlasStay = 1; }")  # gone if the page navigated
    page.locator(".atlas-time input[type=range]").fill("1")  # left: 2023
    page.locator(".atlas-compare-year").select_option("2025")
    page.locator(".atlas-compare-on").check()
    assert page.evaluate("() => document.body.getAttribute('data-atlas-compare')") \
        == "2023-2025"
    # both years' % for one county, side by side in its label
    y23, y25 = (coverage_data.timeline[y]["360702"] for y in (2023, 2025))
    assert _pct(y23) != _pct(y25)
    label = page.locator('[data-pct="360702"]').first
    assert label.inner_text() == f"{_pct(y23)}｜{_pct(y25)}"
    # the right half: a clipped copy of the 18 counties in the 2025 colours
    fills = page.evaluate(COMPARE_PANE_FILLS)
    assert len(fills) == 18
    clip = page.evaluate("() => document.querySelector('.leaflet-atlas-compare-pane')"
                         ".style.clip")
    assert clip.startswith("rect(")
    left = page.evaluate("""() => { const c = {}; atlasMap.eachLayer(l => { if (l.feature
        && !l.atlasCompare && (l.options.className || '').includes('atlas-choropleth')) {
        c[l.feature.id] = l.options.fillColor; } }); return c; }""")
    right = page.evaluate("""() => { const c = {}; atlasMap.eachLayer(l => { if (l.feature
        && l.atlasCompare) { c[l.feature.id] = l.options.fillColor; } }); return c; }""")
    assert set(left) == set(right) and left != right
    # the right half's popup gives the 2025 values, the left's the 2023 ones
    assert page.evaluate(OPEN_COUNTY, ["360702", True])
    assert f"2025年目标完成率\t{_pct(y25)}" in page.locator(".leaflet-popup-content").inner_text()
    page.evaluate("() => atlasMap.closePopup()")
    assert page.evaluate(OPEN_COUNTY, ["360702", False])
    assert f"2023年目标完成率\t{_pct(y23)}" in page.locator(".leaflet-popup-content").inner_text()
    page.evaluate("() => atlasMap.closePopup()")
    # dragging the divider moves the clip
    handle = page.locator(".atlas-swipe-handle")
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 200, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert page.evaluate("() => document.querySelector('.leaflet-atlas-compare-pane')"
                         ".style.clip") != clip
    page.locator(".folium-map").screenshot(path=str(screenshots_dir / "coverage_compare.png"))
    page.locator(".atlas-compare-on").uncheck()
    assert page.evaluate(COMPARE_PANE_FILLS) == []
    assert label.inner_text() == _pct(y23)
    assert page.evaluate("() => window.atlasStay") == 1
    assert watch.errors == []
    page.context.close()
