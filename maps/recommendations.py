"""The "建议新增站址（模型建议）" layer: ranked recommended sites, the discs they add and a
per-county "还需 N 站" table, fetched as JSON by the page.

The coverage page is near its size limit, so the sites are not inlined: the layer's script
fetches the public default plan (``GET /coverage/recommendations/map``, see
geo.coverage.recommend.public_map) and draws it when the overlay is on. Every state of that
document has its Chinese text on the page: ``ready`` (markers, L.circle discs, table),
``computing`` ("正在计算…", fetched again after ``retry_after`` s), ``withheld`` (the public
map does not show positions derived from real operators' sites) and ``failed``. A page
opened without its server (an exported file) cannot fetch: it says so instead of failing
silently; an export may pass the document as ``inline`` instead.

Everything says it is a model recommendation (the overlay's name, every popup and tooltip,
the table's heading and the caveat): the sites come from a greedy placement on a
disc-coverage planning approximation, not from a survey.
"""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.coverage.recommend.config import CAVEAT, LABEL

COLOUR = "#6a3d9a"  # purple: distinct from the coverage greens and the gap reds
MAX_MARKERS = 2_000  # a page stays usable; the files hold every site
TEXT = {
    "label": LABEL, "caveat": CAVEAT, "computing": "正在计算…",
    "offline": "无法获取建议新增站址数据：本页面未连接地图服务（例如离线打开的导出文件），"
               "请在线打开地图查看",
    "failed": "建议站址计算失败，已记录日志",
    "heading": "达到目标站数所需（按规划目标年）", "county": "区县", "recommended": "建议站数",
    "needed": "还需", "coverage": "必须覆盖区域覆盖率", "rank": "第{n}名",
    "setting": "位置类型", "radius": "覆盖半径", "gain": "新增覆盖", "demand": "覆盖的需求",
    "county_pct": "本区县累计覆盖率", "tip": "建议站址 #{n} {county}（模型建议）",
    "more": "页面只显示前 {n} 个建议站址，完整列表请下载",
}


class RecommendationLayer(MacroElement):
    """The script that fills ``group`` from the fetched (or inline) document."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this.map_name }}, group = {{ this.group.get_name() }};
  var T = {{ this.text }}, url = {{ this.url }}, inline = {{ this.inline }};
  var gcj = {{ this.gcj02 }}, colour = {{ this.colour }}, most = {{ this.most }};
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  var box = L.control({position: "bottomleft"});
  box.onAdd = function () {
    var d = L.DomUtil.create("div", "atlas-recommend-box");
    d.style.cssText = "background:#fff;padding:6px 8px;max-height:40vh;overflow:auto;" +
      "font-size:12px;max-width:420px;border:1px solid " + colour;
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  // the county table goes into the page's side panel when it has one (a map control of
  // 18 rows would cover the counties a planner clicks), else into a control on the map
  var side = document.querySelector("aside.atlas-side"), held = null;
  function place() {
    if (!side) { box.addTo(map); return box.getContainer(); }
    if (!held) {
      held = document.createElement("div");
      held.className = "atlas-recommend-box";
      held.style.cssText = "margin-top:10px;border-top:2px solid " + colour;
    }
    if (!held.parentNode) { side.appendChild(held); }
    return held;
  }
  function unplace() {
    if (!side) { box.remove(); } else if (held && held.parentNode) { held.remove(); }
  }
  function show(html) {
    if (map.hasLayer(group)) { place().innerHTML = html; }
    box.html = html;
  }
  map.on("overlayadd", function (e) {
    if (e.layer === group && box.html) { place().innerHTML = box.html; }
  });
  map.on("overlayremove", function (e) { if (e.layer === group) { unplace(); } });
  function notice(text) {
    show('<b>' + esc(T.label) + '</b><p class="atlas-recommend-notice">' + esc(text) + '</p>');
  }
  function draw(doc) {
    group.clearLayers();
    var feats = (doc.sites && doc.sites.features) || [];
    feats.slice(0, most).forEach(function (f) {
      var p = f.properties;
      var at = gcj ? [p.lat_gcj02, p.lon_gcj02] : [p.lat, p.lon];
      // the disc only shows reach: clicks go through to the county under it
      L.circle(at, {radius: p.radius_m, color: colour, weight: 1, fill: true,
                    fillOpacity: 0.12, dashArray: "4 4", interactive: false}).addTo(group);
      var rows = [[T.setting, p.setting_label + "宏站"], [T.radius, p.radius_m + " 米"],
                  [T.gain, p.gain_km2 + " 平方公里"], [T.demand, p.demand_type],
                  [T.county_pct, p.county_coverage_pct + "%"],
                  ["WGS84", p.lon.toFixed(6) + ", " + p.lat.toFixed(6)],
                  ["GCJ-02", p.lon_gcj02.toFixed(6) + ", " + p.lat_gcj02.toFixed(6)]];
      var popup = '<div class="atlas-popup"><h4>' + esc(T.label) + " " +
        esc(T.rank.replace("{n}", p.rank)) + "：" + esc(p.county) + '</h4><p class="flag">' +
        esc(T.caveat) + (doc.synthetic_note ? "<br>" + esc(doc.synthetic_note) : "") +
        "</p><table>" + rows.map(function (r) {
          return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
        }).join("") + "</table></div>";
      L.marker(at, {icon: L.divIcon({className: "atlas-recommend-marker", iconSize: null,
        html: '<div class="atlas-recommend-rank" style="background:' + colour +
              ';color:#fff;border-radius:9px;font-size:10px;padding:1px 4px;' +
              'white-space:nowrap">' + p.rank + "</div>"})})
        .bindTooltip(T.tip.replace("{n}", p.rank).replace("{county}", p.county))
        .bindPopup(popup, {maxWidth: 320}).addTo(group);
    });
    var rows = (doc.counties || []).map(function (c) {
      return "<tr><td>" + esc(c.county) + "</td><td>" + esc(c.sites_recommended) +
        "</td><td>" + esc(c.still_needed_text) + "</td><td>" + esc(c.coverage_before_pct) +
        "% → " + esc(c.coverage_after_pct) + "%</td></tr>";
    }).join("");
    show("<b>" + esc(T.label) + "：" + esc(T.heading) + " " + esc(doc.target_year) +
      '</b><table class="atlas-recommend-table"><tr><th>' + esc(T.county) + "</th><th>" +
      esc(T.recommended) + "</th><th>" + esc(T.needed) + "</th><th>" + esc(T.coverage) +
      "</th></tr>" + rows + "</table>" +
      (feats.length > most ? "<p>" + esc(T.more.replace("{n}", most)) + "</p>" : "") +
      "<small>" + esc(T.caveat) + (doc.synthetic_note ? "；" + esc(doc.synthetic_note) : "") +
      "</small>");
  }
  function take(doc) {
    if (doc.state === "ready") { draw(doc); return; }
    group.clearLayers();
    if (doc.state === "computing") {
      notice(T.computing);
      if (url && !inline) { setTimeout(load, 1000 * (doc.retry_after || 5)); }
      return;
    }
    notice(doc.message || T.failed);
  }
  function load() {
    fetch(url, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(take)
      .catch(function () { group.clearLayers(); notice(T.offline); });
  }
  // an exported page opened as a file has no service to ask (and a fetch from file://
  // would only log a browser error): say so instead
  if (inline) { take(inline); }
  else if (url && /^https?:$/.test(location.protocol)) { load(); }
  else { notice(T.offline); }
})();
{% endmacro %}
""")

    def __init__(self, fmap: folium.Map, group: folium.FeatureGroup, url: str, gcj02: bool,
                 inline: dict | None) -> None:
        super().__init__()
        self._name = "RecommendationLayer"
        self.map_name = fmap.get_name()
        self.group = group
        self.url = json.dumps(url)
        self.inline = json.dumps(inline, ensure_ascii=False).replace("</", "<\\/")
        self.gcj02 = json.dumps(bool(gcj02))
        self.text = json.dumps(TEXT, ensure_ascii=False)
        self.colour = json.dumps(COLOUR)
        self.most = MAX_MARKERS


def add_recommendation_layer(fmap: folium.Map, url: str, gcj02: bool = False,
                             inline: dict | None = None,
                             show: bool = True) -> folium.FeatureGroup:
    """Add the toggleable "建议新增站址（模型建议）" overlay to ``fmap``; return its group.

    ``url``: the map document (``/coverage/recommendations/map?scenario=YEAR``); ``gcj02``:
    the basemap is in GCJ-02 (高德/腾讯), so positions use the shifted coordinates like every
    other layer of such a map; ``inline``: the document itself, embedded instead of fetched
    (an export without a server); ``show``: drawn when the page opens (else switched on
    from the layer control).
    """
    group = folium.FeatureGroup(name=LABEL, show=show)
    group.add_to(fmap)
    fmap.add_child(RecommendationLayer(fmap, group, url, gcj02, inline))
    return group
