"""One colour scheme for every place a layer is drawn: web maps, tiles and QGIS styles.

Each layer has a style: either a single colour, or categories of one attribute with a colour
per value (legend labels are the values themselves, which are Chinese). Colours are hex RGB.
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
FIVEG_TIER_COLOURS = {"全深度覆盖": "#08519c", "主城区连续覆盖": "#6baed6", "未点名": "#d9d9d9"}
PARK_TYPE_COLOURS = {
    "产业园区": "#e6550d", "数据中心": "#3182bd", "研究院所": "#756bb1", "实验室": "#9e9ac8",
    "创新平台": "#31a354", "示范区/基地": "#fd8d3c", "农业园区/基地": "#74c476", "矿区": "#636363",
    "物流商贸": "#c49c94", "商圈街区": "#e377c2", "合作区": "#17becf", "文旅区": "#bcbd22",
    "试点": "#fdae6b", "开发区": "#d62728", "公共服务设施": "#8c6d31",
}
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

    def colour_for(self, value: object) -> str:
        """Colour of a feature whose ``attribute`` has ``value``."""
        if self.attribute is None:
            return self.colour
        return self.categories.get(str(value), OTHER)


STYLES: dict[str, LayerStyle] = {
    "counties": LayerStyle(attribute="layout_unit", categories=LAYOUT_UNIT_COLOURS),
    "county_summary": LayerStyle(attribute="layout_unit", categories=LAYOUT_UNIT_COLOURS),
    "layout_units": LayerStyle(attribute="name", categories=LAYOUT_UNIT_COLOURS),
    "prefectures": LayerStyle(colour="#9ecae1"),
    "jiangxi_counties": LayerStyle(colour="#c6dbef", fill_opacity=0.3),
    "functional_zones": LayerStyle(colour="#d7301f", fill_opacity=0.9),
    "parks": LayerStyle(attribute="type_zh", categories=PARK_TYPE_COLOURS, fill_opacity=0.9),
    "fiveg_targets": LayerStyle(attribute="tier", categories=FIVEG_TIER_COLOURS,
                                label="indicator"),
    "iot_zones": LayerStyle(attribute="tier", categories=IOT_TIER_COLOURS, label="place_name"),
    "province_layout": LayerStyle(colour="#fdd0a2", label="place_name"),
}


def style_for(layer: str) -> LayerStyle:
    """The style of ``layer`` (a neutral single colour for layers without one)."""
    return STYLES.get(layer, LayerStyle())
