"""The coverage map's time control: 2020 baseline → 2023 → 2025 and a two-year swipe.

Apart from maps/coverage.py (the layers, popups and legend of the page) because the slider
is one piece of its own: a Leaflet control with its script, and the per-year data and
Chinese target sources it carries.
"""

from __future__ import annotations

import re

from branca.element import MacroElement

from geo import labels as geo_labels
from maps.coverage_data import CoverageMapData
from maps.elements import template
from maps.text import Chinese

NO_TARGET_COLOUR, NO_TARGET_LABEL = "#d9d9d9", "目标为0"
_OVERRIDE = re.compile(r"overridden by (?P<actor>.+) at (?P<at>\S+) \(was (?P<was>.*)\)")


class TimeSlider(MacroElement):
    """2020 baseline → 2023 → 2025, and a swipe comparison of two years, without a reload.

    Per year: the sites on air by the year's end (``commissioned``) ÷ the year's county
    target (2020: the allocated baseline). The slider restyles the choropleth, its labels and
    tooltips, and the county popups (rows ``tr[data-yr]``: the year's target, sites and %),
    also a popup that is open while the slider moves. 两年对比 draws a second copy of the
    counties in the other year's colours in a pane of its own, clipped right of a draggable
    divider (Leaflet only, as leaflet-side-by-side does it: CSS ``clip`` of the pane in layer
    coordinates); the labels then show both years' %, its popups the right-hand year's values.
    """

    _template = template("""
        {% macro script(this, kwargs) %}
        (function (map, layer, d) {
            function classOf(p) {
                for (var i = 0; i < d.classes.length; i += 1) {
                    if (p < d.classes[i][0]) { return d.classes[i]; }
                }
                return d.classes[d.classes.length - 1];
            }
            function pctOf(r) { return r && r[1] ? Math.round(1000 * r[0] / r[1]) / 10 : null; }
            function fmt(p) { return p === null ? "—" : p + "%"; }
            function colourOf(r) { var p = pctOf(r); return p === null ? d.none : classOf(p)[1]; }
            var state = {year: null, other: null, popup: null, x: null};
            var twin = null, divider = null, pane = map.createPane("atlas-compare");
            pane.style.zIndex = 360;
            function fillPopup(root, y) {
                if (!root || !y) { return; }
                root.querySelectorAll("tr[data-yr]").forEach(function (tr) {
                    var a = tr.getAttribute("data-county"), r = d.data[y][a];
                    var th = tr.querySelector("th"), td = tr.querySelector("td");
                    if (!r || !th || !td) { return; }
                    var kind = tr.getAttribute("data-yr");
                    if (kind === "target") {
                        th.textContent = y + "年目标";
                        td.textContent = r[1] + "个 · " + d.src[y][a];
                    } else if (kind === "on") {
                        th.textContent = "截至" + y + "年末在网站点（计入完成率）";
                        td.textContent = r[0] + "个";
                    } else {
                        th.textContent = y + "年目标完成率";
                        td.textContent = fmt(pctOf(r));
                    }
                });
            }
            function yearOf(source) {
                return source && source.atlasCompare ? state.other : state.year;
            }
            map.on("popupopen", function (e) {
                state.popup = e.popup;
                fillPopup(e.popup.getElement(), yearOf(e.popup._source));
            });
            map.on("popupclose", function (e) {
                if (state.popup === e.popup) { state.popup = null; }
            });
            function clip() {
                if (!twin) { return; }
                var size = map.getSize(), nw = map.containerPointToLayerPoint([0, 0]);
                var se = map.containerPointToLayerPoint(size);
                if (state.x === null || state.x > size.x) { state.x = Math.round(size.x / 2); }
                var cx = map.containerPointToLayerPoint([state.x, 0]).x;
                pane.style.clip = "rect(" + [nw.y, se.x, se.y, cx].join("px, ") + "px)";
                divider.style.left = state.x + "px";
            }
            function labels(y, other) {
                var rows = d.data[y], more = other ? d.data[other] : null;
                document.querySelectorAll("[data-pct]").forEach(function (e) {
                    var a = e.getAttribute("data-pct"), r = rows[a];
                    if (!r) { return; }
                    e.textContent = more ? fmt(pctOf(r)) + "｜" + fmt(pctOf(more[a])) :
                        (pctOf(r) === null ? "" : pctOf(r) + "%");
                });
            }
            function restyleTwin() {
                if (!twin) { return; }
                var rows = d.data[state.other];
                twin.eachLayer(function (l) {
                    var r = rows[l.feature.id];
                    l.setStyle({fillColor: colourOf(r)});
                    if (l.getTooltip()) {
                        l.setTooltipContent(d.names[l.feature.id] + "｜" + state.other +
                            "年目标完成率 " + fmt(pctOf(r)) + "（右侧）");
                    }
                });
            }
            function startCompare() {
                var byId = {};
                layer.eachLayer(function (l) { if (l.feature) { byId[l.feature.id] = l; } });
                twin = L.geoJSON(layer.toGeoJSON(), {
                    pane: "atlas-compare",
                    style: function () {
                        return {fillOpacity: 0.75, color: "#ffffff", weight: 1,
                                className: "atlas-county atlas-compare"};
                    },
                    onEachFeature: function (f, l) {
                        var m = byId[f.id];
                        l.atlasCompare = true;
                        if (m && m.getPopup()) {
                            l.bindPopup(m.getPopup().getContent(), {maxWidth: 380});
                        }
                        l.bindTooltip(d.names[f.id] || "", {sticky: true});
                    }
                }).addTo(map);
                divider = L.DomUtil.create("div", "atlas-swipe", map.getContainer());
                divider.innerHTML = '<span class="atlas-swipe-handle" title="拖动比较">⇔</span>';
                divider.setAttribute("aria-label", "卷帘分隔线：左右拖动");
                L.DomEvent.disableClickPropagation(divider);
                var handle = divider.querySelector("span");
                handle.addEventListener("pointerdown", function (e) {
                    e.preventDefault();
                    map.dragging.disable();
                    var box = map.getContainer().getBoundingClientRect();
                    function move(ev) {
                        state.x = Math.max(0, Math.min(box.width, ev.clientX - box.left));
                        clip();
                    }
                    function up() {
                        document.removeEventListener("pointermove", move);
                        document.removeEventListener("pointerup", up);
                        map.dragging.enable();
                    }
                    document.addEventListener("pointermove", move);
                    document.addEventListener("pointerup", up);
                });
                map.on("move zoom resize zoomend moveend", clip);
                document.body.classList.add("atlas-comparing");
                restyleTwin();
                clip();
            }
            function stopCompare() {
                if (twin) { map.removeLayer(twin); twin = null; }
                if (divider) { divider.remove(); divider = null; }
                map.off("move zoom resize zoomend moveend", clip);
                pane.style.clip = "";
                document.body.classList.remove("atlas-comparing");
                document.body.removeAttribute("data-atlas-compare");
            }
            var Ctl = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function () {
                    var div = L.DomUtil.create("div", "leaflet-control atlas-box atlas-time");
                    div.innerHTML = '<b>时间：' + d.title + '</b><input type="range" min="0" ' +
                        'max="' + (d.years.length - 1) + '" step="1" value="' + d.start +
                        '" aria-label="年份"><div class="ticks">' + d.years.map(function (y) {
                            return "<span>" + y + "</span>"; }).join("") +
                        '</div><p class="atlas-time-caption"></p>' +
                        '<label class="atlas-compare-toggle"><input type="checkbox" ' +
                        'class="atlas-compare-on"> 两年对比（卷帘）：左为滑块年份，右为 ' +
                        '<select class="atlas-compare-year" aria-label="对比年份">' +
                        d.years.map(function (y) {
                            return '<option value="' + y + '"' + (y === d.other ?
                                " selected" : "") + ">" + y + "年</option>"; }).join("") +
                        "</select></label>";
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    var input = div.querySelector("input[type=range]");
                    var caption = div.querySelector("p");
                    var toggle = div.querySelector(".atlas-compare-on");
                    var select = div.querySelector(".atlas-compare-year");
                    function total(y) {
                        var on = 0, target = 0, rows = d.data[y];
                        Object.keys(rows).forEach(function (a) {
                            on += rows[a][0]; target += rows[a][1]; });
                        return [on, target];
                    }
                    function apply() {
                        var y = d.years[+input.value], rows = d.data[y];
                        state.year = y;
                        state.other = toggle.checked ? +select.value : null;
                        layer.eachLayer(function (l) {
                            var r = l.feature && rows[l.feature.id];
                            if (!r) { return; }
                            l.setStyle({fillColor: colourOf(r)});
                            if (l.getTooltip()) {
                                l.setTooltipContent(d.names[l.feature.id] + "｜" + y +
                                    "年目标完成率 " + fmt(pctOf(r)));
                            }
                        });
                        if (toggle.checked && !twin) { startCompare(); }
                        if (!toggle.checked && twin) { stopCompare(); }
                        restyleTwin();
                        labels(y, state.other);
                        var t = total(y);
                        caption.textContent = y + "年" + d.what[y] + "：在网站点" + t[0] +
                            "个／目标" + t[1] + "个（" + fmt(pctOf(t)) + "）";
                        if (state.other) {
                            var o = total(state.other);
                            caption.textContent = "左：" + caption.textContent + "；右：" +
                                state.other + "年" + d.what[state.other] + "：在网站点" + o[0] +
                                "个／目标" + o[1] + "个（" + fmt(pctOf(o)) + "）";
                            document.body.setAttribute("data-atlas-compare",
                                                       y + "-" + state.other);
                        }
                        if (state.popup && state.popup.isOpen()) {
                            fillPopup(state.popup.getElement(), yearOf(state.popup._source));
                        }
                        document.body.setAttribute("data-atlas-year", String(y));
                    }
                    input.addEventListener("input", apply);
                    toggle.addEventListener("change", apply);
                    select.addEventListener("change", apply);
                    map.whenReady(apply);
                    return div;
                }
            });
            new Ctl().addTo(map);
        })({{ this._parent.get_name() }}, {{ this.layer.get_name() }}, {{ this.data|tojson }});
        {% endmacro %}
    """)

    def __init__(self, layer, data: CoverageMapData,
                 classes: list[tuple[float, str, str]]) -> None:
        super().__init__()
        self._name = "TimeSlider"
        self.layer = layer
        years = sorted(data.timeline)
        start = years.index(data.scenario) if data.scenario in years else len(years) - 1
        self.data = {
            "years": years, "start": start, "title": "2020年基准 → 2023 → 2025",
            "other": years[-1] if start != len(years) - 1 else years[max(start - 1, 0)],
            "data": {str(y): v for y, v in data.timeline.items()},
            "src": {str(y): year_sources(data, y) for y in years},
            "names": dict(zip(data.card["adcode"], data.card["name"], strict=True)),
            "classes": [[min(u, 1e9), c, lab] for u, c, lab in classes],
            "none": NO_TARGET_COLOUR,
            "what": {str(y): "（基准，目标为2020年基数分配）" if y == 2020 else "（目标）"
                     for y in years}}


BASELINE_SOURCE = "2020年基数按区县分配（规划基准）"


def year_sources(data: CoverageMapData, year: int) -> dict[str, str]:
    """Each county's target source for ``year`` in Chinese (the 2020 baseline: allocated)."""
    column = f"target_{year}_source"
    if column not in data.card:
        return dict.fromkeys(data.card["adcode"], BASELINE_SOURCE)
    return {a: str(target_source(s))
            for a, s in zip(data.card["adcode"], data.card[column], strict=True)}


def target_source(source: str) -> str:
    """``allocated`` / ``overridden by ... at ... (was ...)`` in Chinese."""
    if source in geo_labels.TARGET_SOURCE:
        return geo_labels.TARGET_SOURCE[source]
    m = _OVERRIDE.match(source)
    if m is None:
        return Chinese(f"规划人员调整（{source}）")
    return Chinese(f"规划人员调整：{m['actor']}，{m['at'][:10]}，原值{m['was']}")
