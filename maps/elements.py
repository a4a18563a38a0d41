"""Map elements folium lacks or gets wrong offline: title block, legend, north arrow, panels.

Each is a small branca ``MacroElement`` whose content is built in Python (escaped there) and
whose facts stay readable on the object (``Legend.entries``, ``DivMarkers.markers``), so tests
check the object tree instead of parsing HTML. Leaflet controls are made with
``L.Control.extend`` in a few lines of inline script: no plugin, nothing to download.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from branca.element import Figure, MacroElement
from folium.plugins import MeasureControl
from folium.template import Template as FoliumTemplate
from jinja2 import Environment, Template

from maps.text import missing

# ``tojson`` in these templates writes Chinese as UTF-8, not \uXXXX escapes (half the bytes
# of a popup), compactly; it still escapes <, >, & and ' so the JSON is safe inside <script>.
_ENV = Environment()
_ENV.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}


def template(source: str) -> Template:
    """A Jinja template whose ``tojson`` keeps Chinese readable and compact."""
    return _ENV.from_string(source)

CSS_FILE = Path(__file__).with_name("atlas.css")
Position = Literal["topleft", "topright", "bottomleft", "bottomright"]


def esc(value: object) -> str:
    """HTML-escaped text of a value (None and NA become an empty string)."""
    if missing(value):
        return ""
    return html.escape(str(value))


class PageStyle(MacroElement):
    """The atlas stylesheet inlined into the page head, plus a ``<title>`` and ``lang``."""

    _template = template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}")

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "PageStyle"
        self.css = CSS_FILE.read_text(encoding="utf-8")
        self.title = title

    def render(self, **kwargs) -> None:
        """Set the page title, then add the stylesheet to the head (MacroElement's header)."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "PageStyle must be added to a map in a Figure"
        figure.title = html.escape(self.title)
        super().render(**kwargs)


class HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML (clicks and scrolls do not reach the map)."""

    _template = template("""
        {% macro script(this, kwargs) %}
        (function () {
            var Ctl = L.Control.extend({
                options: {position: {{ this.position|tojson }}},
                onAdd: function () {
                    var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                    div.innerHTML = {{ this.html|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                }
            });
            new Ctl().addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, content: str, position: Position, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = content
        self.position = position
        self.css_class = f"leaflet-control atlas-box {css_class}"


class TitleBlock(HtmlControl):
    """Title, subtitle, data date, sources and the basemap note (with 高德, the GCJ-02 shift)."""

    def __init__(self, title: str, subtitle: str, data_date: str, sources: list[str],
                 basemap_note: str, caveats: list[str] = (), basemap_links: str = "") -> None:
        self.title = title
        self.subtitle = subtitle
        self.data_date = data_date
        self.sources = list(sources)
        self.basemap_note = basemap_note
        items = "".join(f"<li>{esc(s)}</li>" for s in self.sources)
        notes = "".join(f'<p class="note">{esc(c)}</p>' for c in caveats)
        content = (
            f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(subtitle)}</p>"
            f"<p>数据日期：{esc(data_date)}</p>"
            f'<p class="note basemap-note">{esc(basemap_note)}</p>{basemap_links}'
            f"<details><summary>资料来源（{len(self.sources)}项）</summary><ol>{items}</ol>"
            f"</details>{notes}"
        )
        super().__init__(content, "topright", "atlas-title")


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a symbol and its Chinese label."""

    label: str
    symbol: Literal["fill", "line", "glyph", "circle"]
    colour: str
    dashed: bool = False
    hollow: bool = False
    glyph: str = ""
    precision: str = "precise"
    size: int = 12


@dataclass
class LegendSection:
    """A titled group of legend rows (``columns=2`` for long lists of short labels)."""

    title: str
    entries: list[LegendEntry] = field(default_factory=list)
    columns: int = 1


def _symbol_html(e: LegendEntry) -> str:
    dash = "dashed" if e.dashed else "solid"
    if e.symbol == "fill":
        fill = "transparent" if e.hollow else e.colour
        return (f'<span class="fill" style="background:{fill};border:2px {dash} {e.colour};'
                f'opacity:.85"></span>')
    if e.symbol == "line":
        return f'<span class="line" style="border-top:3px {dash} {e.colour}"></span>'
    if e.symbol == "circle":
        fill = "transparent" if e.hollow else e.colour
        return (f'<span style="width:{e.size}px;height:{e.size}px;border-radius:50%;'
                f'background:{fill};border:2px {dash} {e.colour};flex:none"></span>')
    return (f'<span class="atlas-sym {esc(e.precision)}" style="--c:{e.colour};width:20px;'
            f'height:20px;font-size:11px">{esc(e.glyph)}</span>')


class Legend(HtmlControl):
    """The map's legend (bottom right); ``sections`` keep the entries for tests."""

    def __init__(self, sections: list[LegendSection], notes: list[str] = ()) -> None:
        self.sections = [s for s in sections if s.entries]
        self.notes = list(notes)
        parts = ["<h2>图例</h2>"]
        for s in self.sections:
            rows = "".join(f'<div class="row"><span class="sym" style="min-width:'
                           f'{max(26, e.size + 4)}px">{_symbol_html(e)}</span>'
                           f"<span>{esc(e.label)}</span></div>" for e in s.entries)
            grid = ' class="cols"' if s.columns == 2 else ""
            parts.append(f"<h3>{esc(s.title)}</h3><div{grid}>{rows}</div>")
        parts += [f'<p class="note">{esc(n)}</p>' for n in self.notes]
        super().__init__("".join(parts), "bottomright", "atlas-legend")

    @property
    def entries(self) -> list[LegendEntry]:
        """Every entry of every section, in order."""
        return [e for s in self.sections for e in s.entries]


NORTH_ARROW_SVG = (
    '<svg width="22" height="30" viewBox="0 0 22 30" aria-hidden="true">'
    '<polygon points="11,1 20,28 11,21" fill="#1f2933"/>'
    '<polygon points="11,1 2,28 11,21" fill="#fff" stroke="#1f2933" stroke-width="1"/></svg>'
)


class NorthArrow(HtmlControl):
    """A north arrow: Leaflet's Web Mercator maps are always north-up, so it is fixed."""

    def __init__(self) -> None:
        super().__init__(f'{NORTH_ARROW_SVG}<span>北</span>', "bottomleft", "atlas-north")


class SidePanel(MacroElement):
    """Tables that belong beside the map (e.g. parks with no known county); narrows the map."""

    _template = template("""
        {% macro header(this, kwargs) %}
        <style>
        @media screen {
        #{{ this.map_name }}{position:absolute!important;top:0;left:0;bottom:0;
            right:{{ this.width }}px;width:auto!important;height:auto!important}
        }
        .atlas-side{--atlas-side-w:{{ this.width }}px}
        @media screen and (max-width:800px) { #{{ this.map_name }} { right:0; bottom:40% } }
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <aside class="atlas-side" aria-label="附表">{{ this.content }}</aside>
        {% endmacro %}
    """)

    def __init__(self, content: str, width: int = 380) -> None:
        super().__init__()
        self._name = "SidePanel"
        self.content = content
        self.width = width

    @property
    def map_name(self) -> str:
        """The id of the map div this panel sits beside."""
        return self._parent.get_name()


@dataclass(frozen=True)
class DivMarker:
    """A point drawn as HTML (a glyph in a disc, or a text label), with popup and tooltip."""

    lat: float
    lon: float
    html: str
    css_class: str
    size: tuple[int, int] = (24, 24)
    popup: str = ""
    tooltip: str = ""
    key: str = ""
    search: str = ""  # a kind (园区, ...): the marker goes into the page's search box
    name: str = ""  # the name searched for

    def as_js(self) -> dict:
        """The compact dict the inline script reads."""
        d = {"lat": self.lat, "lon": self.lon, "h": self.html, "c": self.css_class,
             "s": list(self.size)}
        if self.popup:
            d["p"] = self.popup
        if self.tooltip:
            d["t"] = self.tooltip
        if self.search and self.key:
            d["k"] = self.key
        return d


class DivMarkers(MacroElement):
    """Many DivIcon markers added to the parent group (FeatureGroup or MarkerCluster).

    One data array and one loop instead of a folium Marker + DivIcon + Popup per point: a
    third of the bytes, no jQuery popup parsing, and the markers stay inspectable here.
    """

    _template = template("""
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            {{ this.data|tojson }}.forEach(function (d) {
                var icon = L.divIcon({className: d.c, html: d.h, iconSize: d.s,
                                      iconAnchor: [d.s[0] / 2, d.s[1] / 2]});
                var m = L.marker([d.lat, d.lon], {icon: icon, keyboard: false,
                                                  interactive: !!(d.p || d.t)});
                if (d.p) { m.bindPopup(d.p, {maxWidth: 380}); }
                if (d.t) { m.bindTooltip(d.t, {direction: "top", offset: [0, -10]}); }
                if (d.k) { (window.atlasMarkers = window.atlasMarkers || {})[d.k] = m; }
                group.addLayer(m);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, markers: list[DivMarker]) -> None:
        super().__init__()
        self._name = "DivMarkers"
        self.markers = list(markers)

    @property
    def data(self) -> list[dict]:
        """The markers as the inline script's array."""
        return [m.as_js() for m in self.markers]


class AttributionPrefix(MacroElement):
    """Replace Leaflet's linked attribution prefix by plain text (no outside link)."""

    _template = template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "AttributionPrefix"


class BindPopup(MacroElement):
    """Bind an HTML popup and a tooltip to the parent layer (folium.Popup would need jQuery)."""

    _template = template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }}, {maxWidth: 380})
            .bindTooltip({{ this.tooltip|tojson }}, {direction: "top"});
        {% endmacro %}
    """)

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "BindPopup"
        self.popup = popup
        self.tooltip = tooltip


class Measure(MeasureControl):
    """folium's MeasureControl with its Leaflet >= 1.8 fix, minus the comment holding a URL.

    leaflet-measure 3.1 re-centres the map on every click with Leaflet 1.8+ (upstream issue
    171); the fix turns off the capture marker's autopan. The comment is dropped so that a
    generated page holds no outside URL at all.
    """

    _template = FoliumTemplate("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new L.Control.Measure(
                {{ this.options|tojavascript }});
            {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
            L.Control.Measure.include({
                _setCaptureMarkerIcon: function () {
                    this._captureMarker.options.autoPanOnFocus = false;
                    this._captureMarker.setIcon(
                        L.divIcon({iconSize: this._map.getSize().multiplyBy(2)}));
                },
            });
        {% endmacro %}
    """)


class ScaleBar(MacroElement):
    """A metric-only scale bar (kilometres / metres; no miles)."""

    _template = template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, maxWidth: 160})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ScaleBar"


class ZoomClasses(MacroElement):
    """Mark the map container ``atlas-zoom-low``/``-high`` so CSS can switch labels by zoom.

    Labels of things a few kilometres apart (the three management zones) would pile up at
    the city-wide zoom; they carry ``detail`` and show from ``threshold`` on, while an
    ``overview`` label stands in for them below it.
    """

    _template = template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            function band() {
                var low = map.getZoom() < {{ this.threshold }};
                L.DomUtil[low ? "addClass" : "removeClass"](map.getContainer(), "atlas-zoom-low");
                L.DomUtil[low ? "removeClass" : "addClass"](map.getContainer(), "atlas-zoom-high");
            }
            map.on("zoomend", band);
            map.whenReady(band);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, threshold: int = 10) -> None:
        super().__init__()
        self._name = "ZoomClasses"
        self.threshold = threshold


class FeaturePopups(MacroElement):
    """Popups and tooltips of a GeoJSON layer's features, keyed by feature id.

    Kept out of the GeoJSON properties on purpose: folium writes those with ASCII escapes
    (every Chinese character six bytes), while this table is written as UTF-8.
    """

    _template = template("""
        {% macro script(this, kwargs) %}
        (function (layer, table) {
            layer.eachLayer(function (l) {
                var p = table[l.feature.id];
                if (!p) { return; }
                if (p.p) { l.bindPopup(p.p, {maxWidth: 380}); }
                if (p.t) { l.bindTooltip(p.t, {sticky: true}); }
            });
        })({{ this._parent.get_name() }}, {{ this.table|tojson }});
        {% endmacro %}
    """)

    def __init__(self, popups: dict[str, str], tooltips: dict[str, str]) -> None:
        super().__init__()
        self._name = "FeaturePopups"
        self.popups = popups
        self.tooltips = tooltips

    @property
    def table(self) -> dict[str, dict[str, str]]:
        """``{id: {"p": popup, "t": tooltip}}`` as the script reads it."""
        ids = dict.fromkeys([*self.popups, *self.tooltips])
        return {i: {k: v for k, v in (("p", self.popups.get(i)), ("t", self.tooltips.get(i)))
                    if v} for i in ids}


@dataclass(frozen=True)
class SiteMarker:
    """One synthetic demo site as drawn (lat/lon already shifted for the basemap)."""

    lat: float
    lon: float
    type: str
    status: str
    operator: str
    band: str
    county: str
    radius_m: float


class SiteMarkers(MacroElement):
    """Thousands of synthetic demo sites added to the parent cluster in one call.

    A folium Marker and popup per site would cost hundreds of bytes each (megabytes for the
    demo inventory); here the page carries columns - integer lat/lon offsets of 1e-4 degree
    (~10 m: demo points), an index into a small table of (type, status, operator, band,
    radius) and a county index - about 17 bytes a site, and the script builds the markers
    and (lazily) their popups. Every
    marker, cluster badge and popup says 合成演示数据: nothing here is a real site.
    A cluster group gets its markers once it is on the map: added before, Leaflet.markercluster
    compares each one with all queued so far (quadratic; the coverage page's largest script
    cost in a Chromium profile).
    """

    SCALE = 10_000
    _template = template("""
        {% macro script(this, kwargs) %}
        (function (group, d) {
            var labels = d.labels, layers = [], icons = {};
            function esc(s) {
                return String(s).replace(/[&<>"]/g, function (c) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
            }
            function icon(k) {
                if (!icons[k]) {
                    var s = d.kinds[k][1];
                    icons[k] = L.divIcon({className: "atlas-site atlas-synthetic " + s,
                        html: '<span class="atlas-sym synthetic" style="--c:' + d.colours[s] +
                              '">合</span>', iconSize: [16, 16], iconAnchor: [8, 8]});
                }
                return icons[k];
            }
            function popup(k, c) {
                var t = d.kinds[k], rows = [["类型", labels.type[t[0]]],
                    ["状态", labels.status[t[1]]], ["运营商（合成）", t[2]], ["频段", t[3]],
                    ["区县", d.counties[c]],
                    ["模型覆盖半径", t[4] > 0 ? t[4] + " 米" : "不计室外覆盖"]];
                return '<div class="atlas-popup"><h4>合成演示站点</h4><p class="flag">' +
                    esc(d.flag) + '</p><table>' + rows.map(function (r) {
                        return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
                    }).join("") + "</table></div>";
            }
            for (var i = 0; i < d.y.length; i += 1) {
                (function (k, c) {
                    var m = L.marker([d.lat0 + d.y[i] / d.scale, d.lon0 + d.x[i] / d.scale],
                                     {icon: icon(k), keyboard: false});
                    m.bindPopup(function () { return popup(k, c); }, {maxWidth: 320});
                    layers.push(m);
                })(d.k[i], d.c[i]);
            }
            function add() {
                if (group.addLayers) { group.addLayers(layers); }
                else { layers.forEach(function (m) { group.addLayer(m); }); }
            }
            // a cluster group not yet on the map checks each new marker against every one
            // queued before it (hasLayer: O(n^2), ~0.4 s for the demo sites in Chromium);
            // on the map it clusters them in chunks after the first paint
            if (group.addLayers && !group._map) { group.once("add", add); } else { add(); }
        })({{ this._parent.get_name() }}, {{ this.data|tojson }});
        {% endmacro %}
    """)

    def __init__(self, sites: list[SiteMarker], colours: dict[str, str],
                 labels: dict[str, dict[str, str]], flag: str) -> None:
        super().__init__()
        self._name = "SiteMarkers"
        self.sites = list(sites)
        self.colours = colours
        self.labels = labels
        self.flag = flag

    @property
    def data(self) -> dict:
        """The columns the inline script reads."""
        kinds: dict[tuple, int] = {}
        counties: dict[str, int] = {}
        lat0 = min((s.lat for s in self.sites), default=0.0)
        lon0 = min((s.lon for s in self.sites), default=0.0)
        lat0, lon0 = (float(int(v * 100)) / 100 for v in (lat0, lon0))
        y, x, k, c = [], [], [], []
        for s in self.sites:
            kind = (s.type, s.status, s.operator, s.band, round(s.radius_m))
            k.append(kinds.setdefault(kind, len(kinds)))
            c.append(counties.setdefault(s.county, len(counties)))
            y.append(round((s.lat - lat0) * self.SCALE))
            x.append(round((s.lon - lon0) * self.SCALE))
        return {"lat0": lat0, "lon0": lon0, "scale": self.SCALE, "y": y, "x": x, "k": k,
                "c": c, "kinds": [list(t) for t in kinds], "counties": list(counties),
                "colours": self.colours, "labels": self.labels, "flag": self.flag}
