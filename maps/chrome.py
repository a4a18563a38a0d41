"""What every atlas page shares around its map: the site header, search, downloads and print.

* ``header_html`` is the one site header (a way home and to every map) of the portal, the
  collection pages and every map page: the API templates and the maps both call it.
* ``SiteChrome`` puts that header on a map page with a search box (county, park, layout
  unit, ... by name or by 拼音 initials: "zgq" finds 章贡区), a download menu of the layers
  the map shows (through the service's routes; not offered in exported files, which have
  no server) and print / PNG buttons. Its script also makes the side tables sortable and
  filterable and sets the page up for printing (title, legend, scale, north arrow and
  sources kept; zoom, layer and search controls hidden; the side table below the map).
* ``SearchEntry`` is one searchable feature; the builders mark features searchable
  (``maps.base.geojson_layer(search=...)``, ``DivMarker.search``) and ``SiteChrome``
  collects them from the finished map, computing the pinyin server-side (pypinyin).

Nothing here loads anything from outside: the PNG export uses the vendored html-to-image.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

from branca.element import MacroElement
from folium.elements import JSCSSMixin

from maps.elements import template

HEADER_HEIGHT_PX = 40
SITE_TITLE = "赣州数字经济空间图谱"
# Titles of the store-backed collections a map may offer for download (plan layers take
# theirs from geo.layers.LAYERS)
STORE_COLLECTION_TITLES = {"county_scorecard": "区县5G目标与覆盖评估",
                           "coverage_gaps": "5G覆盖缺口"}

HEADER_CSS = f"""
.atlas-site{{position:fixed;top:0;left:0;right:0;height:{HEADER_HEIGHT_PX}px;z-index:2000;
 box-sizing:border-box;display:flex;align-items:center;gap:14px;padding:0 12px;
 background:#174a7c;color:#fff;font:13px/1.3 "Microsoft YaHei","PingFang SC",
 "Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;white-space:nowrap}}
.atlas-site a{{color:#fff;text-decoration:none}}
.atlas-site a:hover{{text-decoration:underline}}
.atlas-site .home{{font-weight:700;font-size:15px}}
.atlas-site nav{{display:flex;gap:10px;overflow-x:auto;min-width:0}}
.atlas-site nav a{{opacity:.85}}
.atlas-site nav a[aria-current]{{opacity:1;font-weight:700;border-bottom:2px solid #fff}}
.atlas-site .more{{margin-left:auto;display:flex;gap:10px;align-items:center}}
.atlas-site-page{{padding-top:{HEADER_HEIGHT_PX}px}}
"""


@dataclass(frozen=True)
class SiteLinks:
    """Where the header links to: a served site (``root``) or exported files (``root=None``).

    Served pages link ``{root}/``, ``{root}/maps/{name}`` and the API; exported files link
    ``index.html`` and ``{name}.html`` next to them and offer no downloads.
    """

    root: str | None = None

    @property
    def served(self) -> bool:
        """Whether the page is answered by the service (its routes exist)."""
        return self.root is not None

    @property
    def home(self) -> str:
        """The portal (or the exported index)."""
        return "index.html" if self.root is None else f"{self.root}/"

    def map(self, name: str) -> str:
        """The page of map ``name``."""
        return f"{name}.html" if self.root is None else f"{self.root}/maps/{name}"


def _maps() -> list[tuple[str, str]]:
    from maps.registry import MAPS  # the registry imports every builder, which import this

    return [(m.name, m.short_title) for m in MAPS.values()]


def header_html(links: SiteLinks, current: str = "", extra: str = "") -> str:
    """The site header: home, every map (``current`` marked), data and API links."""
    e = html.escape
    items = "".join(
        f'<a href="{e(links.map(n))}"' + (' aria-current="page"' if n == current else "")
        + f">{e(t)}</a>" for n, t in _maps())
    more = ""
    if links.served:
        more = (f'<a href="{e(links.home)}#layers">数据与下载</a>'
                f'<a href="{e(links.root or "")}/collections?f=html">数据集合</a>'
                f'<a href="{e(links.home)}#api">接口与QGIS</a>')
    return (f'<header class="atlas-site" role="banner"><a class="home" href="{e(links.home)}" '
            f'title="返回首页">{SITE_TITLE}</a><nav aria-label="地图">{items}</nav>'
            f'<span class="more">{extra}{more}</span></header>')


@lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case: 章贡区 -> ("zgq", "zhanggongqu").

    Latin letters and digits in the name are kept as they are (5G -> "5g").
    """
    from pypinyin import Style, lazy_pinyin

    full = lazy_pinyin(name, errors=lambda s: list(s))
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return ("".join(initials).lower().replace(" ", ""),
            "".join(full).lower().replace(" ", ""))


@dataclass(frozen=True)
class SearchEntry:
    """A searchable feature: its name, kind (区县, 园区, ...) and how the page finds it.

    ``layer`` is the JS variable of a GeoJSON layer (with ``fid``), of a single vector
    layer (no ``fid``), or empty for a DivMarker registered under ``marker``; ``group``
    is the variable of the overlay group to switch on before showing it.
    """

    name: str
    kind: str
    layer: str = ""
    fid: str = ""
    marker: str = ""
    group: str = ""
    unplaced: str = ""  # a feature without a position: listed with this note, never zoomed to

    def as_js(self) -> dict:
        """The compact dict the search script reads."""
        initials, full = pinyin_keys(self.name)
        d = {"n": self.name, "k": self.kind, "p": initials, "f": full}
        for key, value in (("l", self.layer), ("i", self.fid), ("m", self.marker),
                           ("g", self.group), ("u", self.unplaced)):
            if value:
                d[key] = value
        return d


def _walk(element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def search_entries(m) -> list[SearchEntry]:
    """Every searchable feature of map ``m``, in map order, without duplicates by name+kind.

    GeoJSON layers carry ``atlas_search`` = (kind, {fid: name}); single layers (circle
    markers, lines) ``atlas_search`` = (kind, name); ``DivMarkers`` their markers' ``search``.
    """
    import folium

    from maps.elements import DivMarkers

    entries: dict[tuple[str, str], SearchEntry] = {}

    def group_of(el) -> str:
        p = el._parent
        while p is not None and not isinstance(p, folium.Map):
            if isinstance(p, folium.FeatureGroup):
                return p.get_name()
            p = getattr(p, "_parent", None)
        return ""

    for el in _walk(m):
        spec = getattr(el, "atlas_search", None)
        if isinstance(el, DivMarkers):
            for mk in el.markers:
                if mk.search and mk.key:
                    entries.setdefault((mk.name, mk.search), SearchEntry(
                        mk.name, mk.search, marker=mk.key, group=group_of(el)))
        elif spec and isinstance(spec[1], dict):
            for fid, name in spec[1].items():
                entries.setdefault((name, spec[0]), SearchEntry(
                    name, spec[0], layer=el.get_name(), fid=str(fid), group=group_of(el)))
        elif spec:
            entries.setdefault((spec[1], spec[0]), SearchEntry(
                spec[1], spec[0], layer=el.get_name(), group=group_of(el)))
        for name, kind, note in getattr(el, "atlas_search_unplaced", ()):
            entries.setdefault((name, kind), SearchEntry(name, kind, unplaced=note))
    return list(entries.values())


@dataclass(frozen=True)
class Download:
    """One layer a map shows, offered for download in the formats its routes answer."""

    collection: str
    title: str
    whole_file: bool  # plan layers: /download/{gpkg,geojson,csv}; others: items?f=

    def links(self, root: str, query: str = "") -> list[tuple[str, str]]:
        """(format label, URL) pairs."""
        base = f"{root}/collections/{self.collection}"
        items = f"{base}/items?limit=10000{query}"
        if self.whole_file:
            return [("GeoJSON", f"{base}/download/geojson"), ("GPKG", f"{base}/download/gpkg"),
                    ("CSV", f"{base}/download/csv"), ("XLSX", f"{items}&f=xlsx")]
        return [("GeoJSON", f"{items}&f=geojson"), ("CSV", f"{items}&f=csv"),
                ("XLSX", f"{items}&f=xlsx")]


def downloads_of(collections: tuple[str, ...]) -> list[Download]:
    """The ``Download`` of each collection id (plan layers by their registry title)."""
    from geo.layers import LAYERS

    out = []
    for c in collections:
        if c in LAYERS:
            out.append(Download(c, LAYERS[c].title, True))
        else:
            out.append(Download(c, STORE_COLLECTION_TITLES.get(c, c), False))
    return out


def _downloads_html(links: SiteLinks, downloads: list[Download], query: str) -> str:
    if not links.served or not downloads:
        return ""
    e = html.escape
    rows = "".join(
        f"<li><b>{e(d.title)}</b> " + " ".join(
            f'<a href="{e(u)}" download>{e(label)}</a>' for label, u in
            d.links(links.root or "", query)) + "</li>" for d in downloads)
    everything = (f'<li><a href="{e(links.root or "")}/downloads/atlas.zip" download>'
                  "全部图层（QGIS 工程包）</a></li>")
    return (f'<details class="atlas-downloads"><summary>下载数据</summary>'
            f"<ul>{rows}{everything}</ul></details>")


class HtmlToImage(JSCSSMixin, MacroElement):
    """Loads the vendored html-to-image (PNG export of the map from the browser)."""

    default_js = [("html_to_image", "html-to-image/dist/html-to-image.js")]
    _template = template("")

    def __init__(self) -> None:
        super().__init__()
        self._name = "HtmlToImage"


class SiteChrome(MacroElement):
    """Header, search, downloads, print/PNG and table behaviour of one map page."""

    _template = template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.header }}{% endmacro %}
        {% macro script(this, kwargs) %}
        window.atlasMap = {{ this._parent.get_name() }};
        {{ this.js }}
        atlasChrome(window.atlasMap, {{ this.index|tojson }}, {{ this.file_name|tojson }});
        {% endmacro %}
    """)

    def __init__(self, name: str, title: str, links: SiteLinks,
                 downloads: list[Download], query: str = "") -> None:
        super().__init__()
        self._name = "SiteChrome"
        self.map_name = name
        self.title = title
        self.links = links
        self.downloads = downloads
        self.css = HEADER_CSS
        self.file_name = f"{name}.png"
        tools = (_downloads_html(links, downloads, query)
                 + '<button type="button" class="atlas-print" title="打印（含图例、比例尺、'
                   '指北针与资料来源）">打印</button>'
                   '<button type="button" class="atlas-png" title="导出当前视图为PNG图片">'
                   "导出PNG</button>")
        search = ('<span class="atlas-search"><input type="search" id="atlas-search" '
                  'placeholder="搜索区县、乡镇、园区…（可用拼音首字母）" '
                  'aria-label="搜索地图要素" autocomplete="off">'
                  '<ul id="atlas-search-results" role="listbox" hidden></ul></span>')
        self.header = header_html(links, name, search + tools)
        self.js = CHROME_JS

    @property
    def entries(self) -> list[SearchEntry]:
        """The searchable features of the finished map."""
        return search_entries(self._parent)

    @property
    def index(self) -> list[dict]:
        """The search index as the script reads it."""
        return [e.as_js() for e in self.entries]


CHROME_JS = r"""
function atlasChrome(map, index, fileName) {
    var input = document.getElementById("atlas-search");
    var list = document.getElementById("atlas-search-results");
    function norm(s) { return String(s).toLowerCase().replace(/\s+/g, ""); }
    function find(q) {
        q = norm(q);
        if (!q) { return []; }
        var hits = [];
        index.forEach(function (e) {
            var n = norm(e.n), s = n.indexOf(q) === 0 ? 0 : n.indexOf(q) > 0 ? 1 :
                e.p.indexOf(q) === 0 ? 2 : e.f.indexOf(q) === 0 ? 3 :
                e.p.indexOf(q) > 0 ? 4 : -1;
            if (s >= 0) { hits.push([s, e]); }
        });
        hits.sort(function (a, b) { return a[0] - b[0] || a[1].n.length - b[1].n.length; });
        return hits.slice(0, 12).map(function (h) { return h[1]; });
    }
    function layerOf(e) {
        if (e.m) { return (window.atlasMarkers || {})[e.m]; }
        var layer = window[e.l], found = null;
        if (!layer) { return null; }
        if (e.i === undefined) { return layer; }
        layer.eachLayer(function (l) {
            if (l.feature && String(l.feature.id) === e.i) { found = l; }
        });
        return found;
    }
    function open(l) {
        var at = l.getLatLng ? l.getLatLng() : (l.getCenter ? l.getCenter() : null);
        if (l.getPopup && l.getPopup()) { l.openPopup(at); }
        else if (l.getTooltip && l.getTooltip()) { l.openTooltip(at); }
    }
    function pick(e) {
        if (e.u) {  // no position in the data: say so, stay where the map is
            list.hidden = true;
            input.value = e.n;
            document.body.setAttribute("data-atlas-picked", e.n);
            document.body.setAttribute("data-atlas-unplaced", e.n);
            return;
        }
        document.body.removeAttribute("data-atlas-unplaced");
        var group = e.g && window[e.g];
        if (group && !map.hasLayer(group)) { map.addLayer(group); }
        var l = layerOf(e);
        if (!l) { return; }
        map.closePopup();
        if (l.__parent && l.__parent._group && l.__parent._group.zoomToShowLayer) {
            l.__parent._group.zoomToShowLayer(l, function () { open(l); });
        } else if (l.getBounds) {
            map.fitBounds(l.getBounds(), {maxZoom: 11, padding: [30, 30], animate: false});
            open(l);
        } else {
            map.setView(l.getLatLng(), Math.max(map.getZoom(), 12), {animate: false});
            open(l);
        }
        list.hidden = true;
        input.value = e.n;
        document.body.setAttribute("data-atlas-picked", e.n);
    }
    function show(hits) {
        list.innerHTML = "";
        hits.forEach(function (e, i) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.textContent = e.n;
            var k = document.createElement("small");
            k.textContent = e.u ? e.k + " · " + e.u : e.k;
            if (e.u) { li.className = "unplaced"; }
            li.appendChild(k);
            li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(e); });
            list.appendChild(li);
        });
        if (!hits.length && input.value) {
            var none = document.createElement("li");
            none.className = "none";
            none.textContent = "未找到匹配的要素";
            list.appendChild(none);
        }
        list.hidden = !input.value;
    }
    if (input) {
        input.addEventListener("input", function () { show(find(input.value)); });
        input.addEventListener("keydown", function (ev) {
            if (ev.key === "Enter") { var h = find(input.value); if (h.length) { pick(h[0]); } }
            if (ev.key === "Escape") { list.hidden = true; }
        });
        input.addEventListener("blur", function () { list.hidden = true; });
    }
    // print and PNG: expand the sources, hide the interactive controls (CSS), resize the map
    var opened = [];
    function prepare(on) {
        document.body.classList.toggle("atlas-export", on);
        if (on) {
            opened = [].slice.call(document.querySelectorAll(".atlas-title details:not([open])"));
            opened.forEach(function (d) { d.open = true; });
        } else {
            opened.forEach(function (d) { d.open = false; });
        }
        map.invalidateSize({animate: false});
    }
    window.addEventListener("beforeprint", function () { prepare(true); });
    window.addEventListener("afterprint", function () { prepare(false); });
    var printBtn = document.querySelector(".atlas-print");
    if (printBtn) { printBtn.addEventListener("click", function () { window.print(); }); }
    var pngBtn = document.querySelector(".atlas-png");
    if (pngBtn) {
        pngBtn.addEventListener("click", function () {
            prepare(true);
            var node = map.getContainer();
            pngBtn.disabled = true;
            window.htmlToImage.toPng(node, {skipFonts: true, backgroundColor: "#ffffff",
                    pixelRatio: 1, filter: function (el) {
                        return !(el.classList && (el.classList.contains("leaflet-control-zoom")
                            || el.classList.contains("leaflet-control-layers")));
                    }})
                .then(function (url) {
                    var a = document.createElement("a");
                    a.href = url;
                    a.download = fileName;
                    document.body.appendChild(a);
                    a.click();
                    a.remove();
                    document.body.setAttribute("data-atlas-png", String(url.length));
                })
                .catch(function () { alert("导出PNG失败，请使用“打印”另存为PDF。"); })
                .then(function () { prepare(false); pngBtn.disabled = false; });
        });
    }
    atlasTables(document);
}

function atlasTables(root) {
    function value(cell) {
        var t = (cell.getAttribute("data-sort") || cell.textContent).trim();
        var m = t.replace(/,/g, "").match(/^[+-−]?\d+(\.\d+)?/);
        return m ? parseFloat(m[0].replace("−", "-")) : t;
    }
    function compare(a, b) {
        var an = typeof a === "number", bn = typeof b === "number";
        if (an && bn) { return a - b; }
        if (an !== bn) { return an ? -1 : 1; }
        if (a === "" || b === "") { return a === "" ? 1 : -1; }
        return a.localeCompare(b, "zh-CN");
    }
    [].forEach.call(root.querySelectorAll("table.atlas-table"), function (table) {
        var body = table.tBodies[0];
        if (!body) { return; }
        var heads = table.tHead ? table.tHead.rows[0].cells : [];
        [].forEach.call(heads, function (th, col) {
            th.classList.add("sortable");
            th.setAttribute("tabindex", "0");
            th.setAttribute("aria-sort", "none");
            th.title = "点击排序";
            function sort() {
                var asc = th.getAttribute("aria-sort") !== "ascending";
                [].forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
                th.setAttribute("aria-sort", asc ? "ascending" : "descending");
                var rows = [].slice.call(body.rows);
                rows.sort(function (r1, r2) {
                    var c = compare(value(r1.cells[col]), value(r2.cells[col]));
                    return asc ? c : -c;
                });
                rows.forEach(function (r) { body.appendChild(r); });
            }
            th.addEventListener("click", sort);
            th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { sort(); } });
        });
        if (body.rows.length >= 6) {
            var box = document.createElement("input");
            box.type = "search";
            box.className = "atlas-filter";
            box.placeholder = "筛选本表（输入任意文字）";
            box.setAttribute("aria-label", "筛选本表");
            box.addEventListener("input", function () {
                var q = box.value.trim().toLowerCase();
                [].forEach.call(body.rows, function (r) {
                    r.hidden = q && r.textContent.toLowerCase().indexOf(q) < 0;
                });
            });
            var wrap = table.parentNode.classList.contains("atlas-table-wrap") ?
                table.parentNode : table;
            wrap.parentNode.insertBefore(box, wrap);
        }
    });
}
"""
