"""One colour scheme for every place a layer is drawn: web maps, tiles and QGIS styles.

Each layer has a style: either a single colour, or categories of one attribute with a colour
per value (legend labels are the values themselves, which are Chinese). Colours are hex RGB.
Labels have a role too (``LabelStyle``: size, colour, halo, priority, obstacle), read by both
the QGIS styles and the vector-tile style, so the two label the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LAYOUT_UNIT_COLOURS = {
    "赣南数谷": "#d7301f",
    "赣深数字经济牵引带": "#fc8d59",
    "瑞兴于“3+2”振兴发展片区": "#8856a7",
    "会寻安生态经济片区": "#41ab5d",
    "大上崇幸福产业片区": "#3182bd",
}
# Browns: distinct from the basemap's river blue (maps.basemaps.RIVER_COLOUR) and from the
# coverage map's purples/reds/greens, so a tier outline is never read as a river.
FIVEG_TIER_COLOURS = {"全深度覆盖": "#8c510a", "主城区连续覆盖": "#dfc27d", "未点名": "#d9d9d9"}
PARK_TYPE_COLOURS = {
    "产业园区": "#e6550d", "数据中心": "#3182bd", "研究院所": "#756bb1", "实验室": "#9e9ac8",
    "创新平台": "#31a354", "示范区/基地": "#fd8d3c", "农业园区/基地": "#74c476", "矿区": "#636363",
    "物流商贸": "#c49c94", "商圈街区": "#e377c2", "合作区": "#17becf", "文旅区": "#bcbd22",
    "试点": "#fdae6b", "开发区": "#d62728", "公共服务设施": "#8c6d31",
    "重大平台": "#7a0177", "数据交易平台": "#01665e",
}
TARGET_KIND_COLOURS = {"baseline": "#bdbdbd", "target": "#3182bd", "actual": "#31a354"}
IOT_TIER_COLOURS = {"1": "#a50f15", "2": "#fb6a4a", "3": "#fcbba1"}
# Coverage raster: serving-site count per cell (0 = gap, 1, 2, 3+) -> RGBA, for the PNG
# tiles, the exported maps' overlay and their legends.
COVERAGE_COLOURS: dict[int, tuple[int, int, int, int]] = {
    0: (215, 48, 39, 150), 1: (166, 217, 106, 150), 2: (102, 189, 99, 170),
    3: (26, 152, 80, 190)}
OTHER = "#969696"


@dataclass(frozen=True)
class LayerStyle:
    """How a layer is coloured: by ``attribute`` categories, else one ``colour``."""

    colour: str = "#4c9be8"
    attribute: str | None = None
    categories: dict[str, str] = field(default_factory=dict)
    label: str = "name"
    fill_opacity: float = 0.45
    # Polygon outline: colour and width in millimetres (QGIS's unit; tiles convert to px).
    outline: str = "#3c3c3c"
    outline_width: float = 0.3

    def colour_for(self, value: object) -> str:
        """Colour of a feature whose ``attribute`` has ``value``."""
        if self.attribute is None:
            return self.colour
        return self.categories.get(str(value), OTHER)


STYLES: dict[str, LayerStyle] = {
    "counties": LayerStyle(attribute="layout_unit", categories=LAYOUT_UNIT_COLOURS),
    "county_summary": LayerStyle(attribute="layout_unit", categories=LAYOUT_UNIT_COLOURS),
    # The web layout map's unit outline (maps/layout.py: #252525, 2.5 px): units stand
    # apart from the counties they are dissolved from.
    "layout_units": LayerStyle(attribute="name", categories=LAYOUT_UNIT_COLOURS,
                               outline="#252525", outline_width=0.7),
    "prefectures": LayerStyle(colour="#9ecae1"),
    "jiangxi_counties": LayerStyle(colour="#c6dbef", fill_opacity=0.3),
    "functional_zones": LayerStyle(colour="#d7301f", fill_opacity=0.9),
    "parks": LayerStyle(attribute="type_zh", categories=PARK_TYPE_COLOURS, fill_opacity=0.9),
    "fiveg_targets": LayerStyle(attribute="tier", categories=FIVEG_TIER_COLOURS,
                                label="indicator"),
    "iot_zones": LayerStyle(attribute="tier", categories=IOT_TIER_COLOURS, label="place_name"),
    "province_layout": LayerStyle(colour="#fdd0a2", label="place_name"),
    "targets": LayerStyle(attribute="kind", categories=TARGET_KIND_COLOURS, label="indicator",
                          fill_opacity=0.25),
    "designations": LayerStyle(colour="#fdae6b", label="name", fill_opacity=0.3),
    "hubs": LayerStyle(colour="#54278f", label="name", fill_opacity=0.3),
    "corridors": LayerStyle(colour="#d7301f", label="name", fill_opacity=0.7,
                            outline="#d7301f", outline_width=0.2),
}


def style_for(layer: str) -> LayerStyle:
    """The style of ``layer`` (a neutral single colour for layers without one)."""
    return STYLES.get(layer, LayerStyle())


# Debian's fonts-wqy-microhei; QGIS substitutes a system font when it is missing.
LABEL_FONT = "WenQuanYi Micro Hei"


@dataclass(frozen=True)
class LabelStyle:
    """How one layer's labels look and compete: size, colour, priority, obstacle role.

    ``placement`` uses QgsPalLayerSettings.Placement codes: 0 AroundPoint (points),
    1 OverPoint (offset from centroid), 4 Horizontal (anywhere inside, horizontal).
    ``obstacle_type`` is QgsLabelObstacleSettings.ObstacleType: 0 polygon interior,
    1 polygon boundary.
    """

    size: float = 9.0
    colour: str = "#1e1e1e"
    bold: bool = False
    priority: int = 5
    placement: int = 4
    obstacle: bool = False
    obstacle_type: int = 1
    obstacle_factor: float = 1.0
    z_index: float = 0.0
    letter_spacing: float = 0.0
    buffer_mm: float = 0.8
    dist_mm: float = 0.0


# Per-layer label roles; other layers get the default (point or polygon) role.
LABELS: dict[str, LabelStyle] = {
    "counties": LabelStyle(size=9.5, bold=True, priority=10, placement=1, z_index=3),
    "county_summary": LabelStyle(size=9.5, bold=True, priority=10, placement=1, z_index=3),
    "jiangxi_counties": LabelStyle(size=8.5, priority=8, placement=1, z_index=2),
    # Big polygons over the counties: a lighter, spaced, lower-priority name placed wherever
    # it fits, never an obstacle, so it cannot push county names away.
    "layout_units": LabelStyle(size=11.0, colour="#5a2d82", priority=4, placement=4,
                               letter_spacing=1.5, buffer_mm=1.0, z_index=1),
    "parks": LabelStyle(size=7.5, colour="#333333", priority=3, placement=0, obstacle=True,
                        obstacle_type=0, obstacle_factor=0.6, dist_mm=0.8, z_index=4,
                        buffer_mm=0.6),
}
POINT_LABEL = LabelStyle(size=7.5, priority=3, placement=0, obstacle=True, obstacle_type=0,
                         obstacle_factor=0.6, dist_mm=0.8, buffer_mm=0.6)
POLYGON_LABEL = LabelStyle()


def label_for(layer: str | None, point: bool) -> LabelStyle:
    """The label role of ``layer`` (the point or polygon default for layers without one)."""
    default = POINT_LABEL if point else POLYGON_LABEL
    return LABELS.get(layer, default) if layer else default
