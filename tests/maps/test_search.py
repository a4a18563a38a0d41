"""The search box of every map: names and 拼音 initials, zoom to the feature, open its popup."""

from __future__ import annotations

import pytest

from maps.chrome import pinyin_keys, search_entries
from maps.registry import MAPS
from maps.screenshot import wait_for_map
from tests.maps.test_browser import offline


def test_pinyin_initials_and_full_pinyin_are_computed_server_side():
    assert pinyin_keys("章贡区") == ("zgq", "zhanggongqu")
    assert pinyin_keys("赣州经开区")[0] == "gzjkq"
    assert pinyin_keys("5G产业园")[0] == "5gcyy"


@pytest.mark.parametrize(("name", "kinds"), [
    ("layout", {"区县", "布局单元", "功能区", "乡镇"}), ("parks", {"区县", "园区", "乡镇"}),
    ("iot", {"区县", "第一梯次地点", "园区", "乡镇"}), ("province", {"设区市", "省级布局"}),
    ("coverage", {"区县"})])
def test_every_map_indexes_its_features(built, name, kinds):
    entries = search_entries(built[name])
    assert {e.kind for e in entries} == kinds
    names = {e.name for e in entries}
    if name != "province":
        assert "章贡区" in names
    else:
        assert "赣州市" in names


def test_every_placed_park_is_searchable(built):
    from tests.maps.helpers import markers

    parks = {m.name for m in markers(built["parks"], "atlas-park")}
    assert parks <= {e.name for e in search_entries(built["parks"])}


def _search(page, query: str) -> list[str]:
    page.fill("#atlas-search", query)
    page.wait_for_timeout(100)
    return page.locator("#atlas-search-results li").all_inner_texts()


@pytest.mark.client
@pytest.mark.parametrize("name", ["layout", "coverage"])
@pytest.mark.parametrize("query", ["章贡", "zgq"])
def test_search_finds_zhanggong_zooms_and_opens_its_popup(chromium_browser, maps_live_url,
                                                          screenshots_dir, name, query):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/{name}", wait_until="load")
    wait_for_map(page)
    before = page.evaluate("() => atlasMap.getZoom()")
    hits = _search(page, query)
    assert hits and hits[0].startswith("章贡区"), hits
    page.locator("#atlas-search-results li").first.dispatch_event("mousedown")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert popup.inner_text().startswith("章贡区")
    assert page.evaluate("() => atlasMap.getZoom()") > before
    centre = page.evaluate("() => atlasMap.getCenter()")
    assert 114.8 < centre["lng"] < 115.1 and 25.7 < centre["lat"] < 26.0
    assert watch.errors == []
    page.screenshot(path=str(screenshots_dir / f"{name}_search_{query}.png"))
    page.context.close()


@pytest.mark.client
def test_search_finds_a_park_inside_the_clusters_and_says_when_nothing_matches(
        chromium_browser, maps_live_url):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/parks", wait_until="load")
    wait_for_map(page)
    hits = _search(page, "赣州大数据产业园")
    assert hits[0].startswith("赣州大数据产业园")
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content", has_text="赣州大数据产业园").wait_for(timeout=10_000)
    assert _search(page, "不存在的地名") == ["未找到匹配的要素"]
    assert watch.errors == []
    page.context.close()


@pytest.mark.client
def test_search_switches_on_a_hidden_layer(chromium_browser, maps_live_url, built):
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/province", wait_until="load")
    wait_for_map(page)
    hidden = [e.name for e in search_entries(built["province"]) if e.kind == "省级布局"]
    before = page.locator("path.atlas-layout").count()
    _search(page, hidden[-1])
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for(timeout=5_000)
    assert page.locator("path.atlas-layout").count() > before
    assert watch.errors == []
    page.context.close()


def test_maps_registry_names_every_map_in_the_header():
    assert all(m.short_title and len(m.short_title) <= 8 for m in MAPS.values())


def test_every_township_is_searchable_the_unpositioned_marked_without_a_position(built, ctx):
    rows = ctx.result("townships").gdf
    placed = rows.geometry.notna() & ~rows.geometry.is_empty
    for name in ("layout", "parks", "iot"):
        entries = {e.name: e for e in search_entries(built[name]) if e.kind == "乡镇"}
        assert set(entries) == set(rows["name"])
        for _, r in rows.iterrows():
            e = entries[r["name"]]
            if placed[_]:
                assert e.marker == f"township-{r['code12']}" and not e.unplaced
            elif list(rows["name"]).count(r["name"]) == 1:
                assert e.unplaced.startswith("无位置") and not (e.marker or e.layer)


def test_township_dots_sit_at_their_geonames_points_and_say_so(built, ctx):
    from tests.maps.helpers import markers

    rows = ctx.result("townships").gdf.set_index("code12")
    dots = markers(built["layout"], "atlas-township")
    assert len(dots) == int((rows.geometry.notna() & ~rows.geometry.is_empty).sum())
    for mk in dots:
        r = rows.loc[mk.key.removeprefix("township-")]
        assert (round(r.geometry.y, 5), round(r.geometry.x, 5)) == (mk.lat, mk.lon)
        assert "GeoNames 地名点" in mk.popup and r["county_name"] in mk.popup


@pytest.mark.client
def test_search_zooms_to_a_township_and_lists_an_unpositioned_one_without_zooming(
        chromium_browser, maps_live_url, ctx, screenshots_dir):
    rows = ctx.result("townships").gdf
    placed = rows.geometry.notna() & ~rows.geometry.is_empty
    names = list(rows["name"])
    town = next(r for _, r in rows[placed].iterrows() if names.count(r["name"]) == 1)
    lost = next(r for _, r in rows[~placed].iterrows() if names.count(r["name"]) == 1)
    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/layout", wait_until="load")
    wait_for_map(page)
    before = page.evaluate("() => [atlasMap.getZoom(), atlasMap.getCenter()]")
    hits = _search(page, lost["name"])
    assert any(h.startswith(lost["name"]) and "无位置" in h for h in hits), hits
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.body.getAttribute('data-atlas-unplaced')") \
        == lost["name"]
    assert page.evaluate("() => [atlasMap.getZoom(), atlasMap.getCenter()]") == before
    assert page.locator(".leaflet-popup-content").count() == 0
    hits = _search(page, town["name"])
    assert hits[0].startswith(town["name"]) and "无位置" not in hits[0]
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert popup.inner_text().startswith(town["name"]) and "GeoNames" in popup.inner_text()
    assert page.evaluate("() => atlasMap.getZoom()") >= 12
    centre = page.evaluate("() => atlasMap.getCenter()")
    assert abs(centre["lng"] - town.geometry.x) < 0.01 and abs(centre["lat"] - town.geometry.y) \
        < 0.01
    assert page.locator(".atlas-township").first.is_visible()
    page.screenshot(path=str(screenshots_dir / "layout_search_township.png"))
    assert watch.errors == []
    page.context.close()
