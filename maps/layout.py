"""一谷一带三片区: counties coloured by layout unit, the zones and the 赣深 axis (flagged 示意).

What a planner reads here: which unit each county belongs to and what 表2 asks of it (popup
with role, core industries, tiers and the seed citations), the three management zones the plan
names without boundaries (hollow dotted markers labelled 示意), and the north-south axis of the
赣深数字经济牵引带. The plan draws no such line: the axis is the shortest network through the
belt counties' seats (a minimum spanning tree), so it has no invented bends and is labelled 示意.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import pdist, squareform

from geo.crs import lonlat_to_metric
from geo.styles import LAYOUT_UNIT_COLOURS, style_for
from maps.base import (
    MapInputs,
    MapSpec,
    finish,
    geojson_layer,
    new_map,
    popup_html,
    searchable,
)
from maps.elements import (
    BindPopup,
    DivMarker,
    DivMarkers,
    Legend,
    LegendEntry,
    LegendSection,
)
from maps.geometry import (
    GANZHOU_TOLERANCE_DEG,
    bounds_latlon,
    display_point,
    feature_collection,
    for_display,
    polylabel_point,
    simplify_coverage,
)
from maps.text import iot_tiers_text, or_default
from maps.townships import township_group

NAME = "layout"
TITLE = "赣州市数字经济空间布局：一谷一带三片区"
BELT_ID = "ganshen_belt"
UNIT_LINE = "#252525"
AXIS_LABEL = "赣深数字经济牵引带发展轴（示意）"


def county_geometry(inputs: MapInputs, counties: gpd.GeoDataFrame) -> np.ndarray:
    """The county coverage, simplified together (WGS84; shift with ``for_display``)."""
    return simplify_coverage(counties.geometry.values, GANZHOU_TOLERANCE_DEG)


def _county_popup(row) -> str:
    return popup_html(row["name"], [
        ("空间布局单元", row["layout_unit"]), ("发展重点（表2）", row["table2_role"]),
        ("核心产业", row["core_industries"]), ("品牌", row["brand"]),
        ("5G覆盖梯次", row["fiveg_tier"]), ("物联网部署梯次", iot_tiers_text(row["iot_tiers"])),
        ("已定位园区数", row["parks_count"]),
    ], cite=row["cite"])


def _counties_group(inputs: MapInputs, counties: gpd.GeoDataFrame, geoms) -> folium.FeatureGroup:
    opacity = style_for("counties").fill_opacity
    props, styles = [], {}
    for _, row in counties.iterrows():
        props.append({"id": row["adcode"], "_popup": _county_popup(row), "_name": row["name"],
                      "_tip": f"{row['name']}｜{row['layout_unit']}"})
        styles[row["adcode"]] = {"fillColor": LAYOUT_UNIT_COLOURS[row["layout_unit"]],
                                 "fillOpacity": opacity, "color": "#ffffff", "weight": 1,
                                 "className": "atlas-county"}
    group = folium.FeatureGroup(name="区县（按布局单元着色）")
    geojson_layer(feature_collection(for_display(geoms, inputs.gcj02), props), styles,
                  highlight=True, search="区县").add_to(group)
    return group


def _units_group(inputs: MapInputs, units: gpd.GeoDataFrame, counties: gpd.GeoDataFrame,
                 geoms) -> folium.FeatureGroup:
    by_code = dict(zip(counties["adcode"], geoms, strict=True))
    props, styles, outlines = [], {}, []
    for _, u in units.iterrows():
        outlines.append(shapely.union_all([by_code[a] for a in u["member_adcodes"].split(",")]))
        props.append({"id": u["id"], "_tip": u["name"], "_name": u["name"],
                      "_popup": popup_html(u["name"], [
            ("类型", u["kind"]), ("主题", u["theme"]), ("规划表述", u["description"]),
            ("成员区县", u["member_counties"]), ("成员功能区", u["member_functional_zones"]),
            ("表示方式", u["representation"])], cite=u["cite"])})
        styles[u["id"]] = {"fill": False, "color": UNIT_LINE, "weight": 2.5,
                           "className": "atlas-unit"}
    group = folium.FeatureGroup(name="布局单元边界")
    geojson_layer(feature_collection(for_display(outlines, inputs.gcj02), props),
                  styles, search="布局单元").add_to(group)
    return group


def _labels_group(inputs: MapInputs, counties: gpd.GeoDataFrame, geoms) -> folium.FeatureGroup:
    markers = []
    for name, geom in zip(counties["name"], geoms, strict=True):
        p = polylabel_point(geom)
        lat, lon = display_point(p.x, p.y, inputs.gcj02)
        markers.append(DivMarker(lat, lon, name, "atlas-label", size=(64, 16), key=name))
    group = folium.FeatureGroup(name="区县名称")
    DivMarkers(markers).add_to(group)
    return group


def _zones_group(inputs: MapInputs, zones: gpd.GeoDataFrame) -> folium.FeatureGroup:
    colour = style_for("functional_zones").colour
    group = folium.FeatureGroup(name="功能区（示意位置）")
    labels = []
    for _, z in zones.iterrows():
        lat, lon = display_point(z.geometry.x, z.geometry.y, inputs.gcj02)
        popup = popup_html(f"{z['name']}（示意位置）", [
            ("所属布局单元", or_default(z["layout_unit"], "未列入一谷一带三片区")),
            ("发展重点（表2）", z["table2_role"]), ("核心产业", z["core_industries"]),
            ("品牌", z["brand"]), ("物联网部署梯次", iot_tiers_text(z["iot_tiers"]))],
            flags=[z["location_note"]], cite=z["cite"])
        marker = folium.CircleMarker([lat, lon], radius=9, color=colour, weight=2.5,
                                     dash_array="3 3", fill=True, fill_color="#ffffff",
                                     fill_opacity=0.85, class_name="atlas-zone atlas-schematic")
        marker.add_child(BindPopup(popup, f"{z['name']}（示意）")).add_to(group)
        searchable(marker, "功能区", z["name"])
        # the label sits just south of the marker: the three zones are 4 km apart
        labels.append(DivMarker(lat - 0.03, lon, f"{z['name']}（示意）",
                                "atlas-label small schematic detail", size=(120, 14),
                                key=z["id"]))
    # below zoom 10 the three zones coincide on screen: one label stands in for them
    lat = min(m.lat for m in labels) - 0.04
    lon = sum(m.lon for m in labels) / len(labels)
    labels.append(DivMarker(lat, lon, "功能区（示意）", "atlas-label small schematic overview",
                            size=(100, 14), key="zones"))
    DivMarkers(labels).add_to(group)
    return group


def axis_segments(seats_lonlat: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Edges of the minimum spanning tree through the seats (distances in EPSG:4547)."""
    fwd = lonlat_to_metric()
    xy = np.column_stack(fwd.transform(*np.array(seats_lonlat).T))
    tree = minimum_spanning_tree(squareform(pdist(xy))).tocoo()
    return sorted((int(min(i, j)), int(max(i, j))) for i, j in zip(tree.row, tree.col,
                                                                    strict=True))


def _axis_group(inputs: MapInputs, units: gpd.GeoDataFrame,
                counties: gpd.GeoDataFrame) -> folium.FeatureGroup:
    belt = units.set_index("id").loc[BELT_ID]
    seats = counties.set_index("adcode").loc[belt["member_adcodes"].split(",")]
    lonlat = list(zip(seats["seat_lon"], seats["seat_lat"], strict=True))
    points = [display_point(lon, lat, inputs.gcj02) for lon, lat in lonlat]
    lines = [[points[i], points[j]] for i, j in axis_segments(lonlat)]
    group = folium.FeatureGroup(name=AXIS_LABEL)
    popup = popup_html(AXIS_LABEL, [("成员区县", belt["member_counties"])],
                       flags=["示意：连接牵引带各区县驻地的最短连线，规划未给出具体走向"],
                       cite=belt["cite"])
    folium.PolyLine(lines, color="#7f2704", weight=4, opacity=0.9, dash_array="10 7",
                    class_name="atlas-axis atlas-schematic").add_child(
        BindPopup(popup, AXIS_LABEL)).add_to(group)
    # the label runs beside the axis, east of its middle, clear of the county names
    lat = sum(p[0] for p in points) / len(points)
    lon = max(p[1] for p in points) + 0.3
    DivMarkers([DivMarker(lat, lon, AXIS_LABEL.replace("（", "<br>（"), "atlas-label schematic",
                          size=(150, 32), key="axis")]).add_to(group)
    return group


def _legend() -> Legend:
    units = LegendSection("一谷一带三片区", [LegendEntry(name, "fill", colour)
                                             for name, colour in LAYOUT_UNIT_COLOURS.items()])
    other = LegendSection("其他要素", [
        LegendEntry("布局单元边界", "line", UNIT_LINE),
        LegendEntry("功能区（示意位置）", "circle", style_for("functional_zones").colour,
                    dashed=True, hollow=True),
        LegendEntry(AXIS_LABEL, "line", "#7f2704", dashed=True),
    ])
    return Legend([units, other], notes=[
        "赣南数谷含章贡区及赣州经开区、赣州蓉江新区；两功能区无公布边界，以示意点表示。",
        "点击区县查看表2发展重点、核心产业、梯次与出处。"])


def build(inputs: MapInputs) -> folium.Map:
    """The layout map; a pure function of the layers and the chosen basemap."""
    ctx = inputs.ctx
    counties = ctx.result("counties").gdf
    units = ctx.result("layout_units").gdf
    zones = ctx.result("functional_zones").gdf
    geoms = county_geometry(inputs, counties)
    m = new_map(inputs, bounds_latlon(for_display(geoms, inputs.gcj02)), TITLE,
                "赣州市“十四五”数字经济发展规划 · 空间布局", inputs.sources())
    for group in (_counties_group(inputs, counties, geoms),
                  _units_group(inputs, units, counties, geoms),
                  _axis_group(inputs, units, counties),
                  _zones_group(inputs, zones),
                  _labels_group(inputs, counties, geoms)):
        group.add_to(m)
    township_group(inputs).add_to(m)
    return finish(m, _legend())

SPEC = MapSpec(NAME, TITLE, "18个区县按布局单元着色；功能区与赣深牵引带发展轴（示意）；"
               "弹窗含表2发展重点、梯次与出处", "ganzhou", build, nav="空间布局",
               collections=("counties", "layout_units", "functional_zones", "townships"))
