"""江西省: the 11 cities with 2020 population, the province's layouts and 一核四副.

Population is a count, so it is drawn as circles whose *area* is proportional to it (a
choropleth of counts would let the big cities' area speak instead). Each province layout is one
toggleable overlay: its member cities dissolved into one shape (members share borders, so a
dissolve of the simplified coverage is exact and sends each border once), with a popup listing
every member's role. The 一核四副 data-centre layout is on by default, with 核/副 symbols by
the cities' seats - the layout names cities, not sites, so the symbols carry the dashed "seat"
outline. Places that are not cities, and layouts named without places, are in the side panel.

The plan's designations (千兆城市, national pilots, 5G bases ...) and network hubs name
cities (or counties), never sites: one 称 / 枢 symbol per city beside its seat lists them
(a county's under its city, with the county named), each with its citation and, when the
place is only implied, that said in Chinese. The corridors the seeds describe by the places
they pass are drawn as dashed schematic lines through those seats, labelled 示意线; a
corridor without named places is not drawn.
"""

from __future__ import annotations

import math
import re

import folium
import geopandas as gpd
import pandas as pd
import shapely
from shapely import wkt

from geo.styles import PARK_TYPE_COLOURS, style_for
from maps.base import (
    MapInputs,
    MapSpec,
    finish,
    geojson_layer,
    new_map,
    popup_html,
    table_html,
)
from maps.elements import (
    BindPopup,
    DivMarker,
    DivMarkers,
    Legend,
    LegendEntry,
    LegendSection,
    SidePanel,
    esc,
)
from maps.geometry import (
    PROVINCE_TOLERANCE_DEG,
    bounds_latlon,
    display_point,
    feature_collection,
    for_display,
    simplify_coverage,
)
from maps.text import missing, wan

NAME = "province"
TITLE = "江西省数字经济空间布局与设区市人口"
DC_LAYOUT = "dc_yihe_sifu"
GANZHOU = "360700"
GANZHOU_LINE = "#d7301f"
POPULATION_COLOUR = "#08519c"
MAX_RADIUS_PX = 30
LEGEND_POPULATIONS = (1_000_000, 4_000_000, 9_000_000)
LAYOUT_LINE = "#d94801"
DC_COLOUR = PARK_TYPE_COLOURS["数据中心"]
DC_GLYPHS = {"一核": "核", "四副": "副"}
# designations and hubs per city: (layer, glyph, group name, offset from the seat in degrees)
PLACE_LAYERS = (("designations", "称", "称号与试点（按设区市）", (-0.14, 0.27)),
                ("hubs", "枢", "网络枢纽与通道（按设区市）", (-0.14, -0.27)))
PLACE_FLAG = "原文只点名城市（或区县），未给出具体位置：符号标在市驻地旁，表示该市的称号/枢纽"
IMPLIED = "（地点为推断）"


def radius_px(population: float, largest: float) -> float:
    """Circle radius with area proportional to population (the largest gets the maximum)."""
    return round(MAX_RADIUS_PX * math.sqrt(population / largest), 1)


def _prefectures_group(inputs: MapInputs, pref: gpd.GeoDataFrame,
                       geoms) -> folium.FeatureGroup:
    fill = style_for("prefectures")
    props, styles = [], {}
    for _, r in pref.iterrows():
        pop = r["population_2020"]
        popup = popup_html(r["name"], [
            ("常住人口（2020年）", f"{pop:,}人（{wan(pop)}）"),
            ("人口来源", r["population_source"]), ("面积", f"{r['area_km2']:,.0f} 平方公里"),
            ("本市规划指标", f"{r['targets_count']}项（各项数值与出处见图层下载与门户指标轨迹）"
             if r["targets_count"] else "")])
        props.append({"id": r["adcode"], "_tip": r["name"], "_popup": popup,
                      "_name": r["name"]})
        ganzhou = r["adcode"] == GANZHOU
        styles[r["adcode"]] = {"fillColor": fill.colour, "fillOpacity": 0.35,
                               "color": GANZHOU_LINE if ganzhou else "#6b6b6b",
                               "weight": 3 if ganzhou else 1, "className": "atlas-prefecture"}
    group = folium.FeatureGroup(name="设区市")
    geojson_layer(feature_collection(for_display(geoms, inputs.gcj02), props), styles,
                  highlight=True, search="设区市").add_to(group)
    return group


def _population_group(inputs: MapInputs, pref: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="2020年常住人口（圆面积与人口成正比）")
    largest = float(pref["population_2020"].max())
    labels = []
    for _, r in pref.iterrows():
        pop = float(r["population_2020"])
        lat, lon = display_point(r["seat_lon"], r["seat_lat"], inputs.gcj02)
        circle = folium.CircleMarker([lat, lon], radius=radius_px(pop, largest),
                                     color="#ffffff", weight=1, fill=True,
                                     fill_color=POPULATION_COLOUR, fill_opacity=0.55,
                                     class_name="atlas-population")
        circle.add_child(BindPopup(popup_html(r["name"], [
            ("常住人口（2020年）", f"{int(pop):,}人"), ("来源", r["population_source"])]),
            f"{r['name']}：{wan(pop)}人")).add_to(group)
        labels.append(DivMarker(lat - 0.2, lon, f"{esc(r['name'])}<br>{wan(pop)}人",
                                "atlas-label small", size=(80, 28), key=r["adcode"]))
    DivMarkers(labels).add_to(group)
    return group


def short_layout_names(layouts: gpd.GeoDataFrame) -> dict[str, str]:
    """Layer-control names: the layout name without its bracketed remark, if still unique."""
    names = layouts.groupby("layout_id", sort=False)["layout_name"].first()
    short = {k: re.sub(r"（[^（）]*）$", "", v).strip() for k, v in names.items()}
    if len(set(short.values())) < len(short):
        return dict(names)
    return short


def _layout_popup(rows: gpd.GeoDataFrame) -> str:
    first = rows.iloc[0]
    members = "；".join(f"{r['place_name']}：{r['role']}" if not missing(r["role"])
                       else r["place_name"] for _, r in rows.iterrows())
    return popup_html(first["layout_name"], [("类型", first["kind"]), ("成员及角色", members),
                                             ("备注", first["notes"])], cite=first["cite"])


def _layout_groups(inputs: MapInputs, layouts: gpd.GeoDataFrame,
                   by_code: dict) -> list[folium.FeatureGroup]:
    fill = style_for("province_layout")
    groups = []
    placed = layouts[layouts["location_precision"] == "prefecture_polygon"]
    short_names = short_layout_names(placed)
    for layout_id, rows in placed.groupby("layout_id", sort=False):
        shape = shapely.union_all([by_code[a] for a in rows["adcode"]])
        fc = feature_collection(for_display([shape], inputs.gcj02), [{
            "id": layout_id, "_popup": _layout_popup(rows), "_tip": rows["layout_name"].iloc[0],
            "_name": short_names[layout_id]}])
        style = {layout_id: {"fillColor": fill.colour, "fillOpacity": 0.75,
                             "color": LAYOUT_LINE, "weight": 2.5,
                             "className": f"atlas-layout atlas-layout-{layout_id}"}}
        group = folium.FeatureGroup(name=f"布局：{short_names[layout_id]}",
                                    show=layout_id == DC_LAYOUT)
        geojson_layer(fc, style, search="省级布局").add_to(group)
        if layout_id == DC_LAYOUT:
            _dc_markers(inputs, rows).add_to(group)
        groups.append(group)
    return groups


def _dc_markers(inputs: MapInputs, rows: gpd.GeoDataFrame) -> DivMarkers:
    pref = inputs.ctx.result("prefectures").gdf.set_index("adcode")
    markers = []
    for _, r in rows.iterrows():
        seat = pref.loc[r["adcode"]]
        lat, lon = display_point(seat["seat_lon"], seat["seat_lat"], inputs.gcj02)
        glyph = DC_GLYPHS.get(r["role"], "数")
        core = " core" if glyph == "核" else ""
        markers.append(DivMarker(
            lat + 0.12, lon + 0.25,
            f'<span class="atlas-sym county_seat{core}" style="--c:{DC_COLOUR}">{glyph}</span>',
            "atlas-dc", size=(30, 30) if core else (24, 24),
            popup=popup_html(f"{r['place_name']}：数据中心{r['role']}", [("布局", r["layout_name"]),
                                                                       ("备注", r["notes"])],
                             flags=["符号位于市驻地，表示该设区市的布局角色，非数据中心位置"],
                             cite=r["cite"]),
            tooltip=f"{r['place_name']}（{r['role']}）", key=r["adcode"]))
    return DivMarkers(markers)


def _place_popup(city: str, rows: pd.DataFrame, what: str) -> str:
    """One city's designations (or hubs): name, kind, status, county, implication; cites."""
    items = []
    for _, r in rows.iterrows():
        where = "" if r["place_level"] == "city" or missing(r["place_name"]) \
            else f"（{r['place_name']}）"
        implied = IMPLIED if r["place_basis"] == "implied" else ""
        detail = "｜".join(str(v) for v in (r["kind"], r["level"], r["status"])
                          if v is not None and not missing(v))
        items.append((f"{r['name']}{where}{implied}", f"{detail}（{r['cite']}）"))
    notes = sorted({r["location_note"] for _, r in rows.iterrows()
                    if r["place_basis"] == "implied" and not missing(r["location_note"])})
    return popup_html(f"{city}：{what}（{len(rows)}项）", items,
                      flags=[PLACE_FLAG, *notes],
                      cite="; ".join(dict.fromkeys(c for c in rows["cite"] if c)))


def _place_markers(inputs: MapInputs, pref: gpd.GeoDataFrame) -> list[folium.FeatureGroup]:
    """Designations and hubs, one symbol per city beside its seat (see the module text)."""
    seats = pref.set_index("adcode")
    groups = []
    for layer, glyph, name, (dlat, dlon) in PLACE_LAYERS:
        rows = inputs.ctx.result(layer).gdf
        rows = rows[rows["adcode"].notna()].copy()
        rows["city"] = rows["adcode"].str[:4] + "00"
        rows = rows[rows["city"].isin(seats.index)]
        colour = style_for(layer).colour
        marks = []
        for city, members in rows.groupby("city", sort=True):
            seat = seats.loc[city]
            lat, lon = display_point(seat["seat_lon"], seat["seat_lat"], inputs.gcj02)
            implied = " implied" if (members["place_basis"] == "implied").all() else ""
            marks.append(DivMarker(
                lat + dlat, lon + dlon,
                f'<span class="atlas-sym county_seat{implied}" style="--c:{colour}">{glyph}'
                f"<i>{len(members)}</i></span>", f"atlas-{layer}", size=(26, 26),
                popup=_place_popup(seat["name"], members, name.split("（")[0]),
                tooltip=f"{seat['name']}：{name.split('（')[0]}{len(members)}项",
                key=f"{layer}-{city}"))
        group = folium.FeatureGroup(name=name, show=layer == "designations")
        DivMarkers(marks).add_to(group)
        groups.append(group)
    return groups


def _corridors_group(inputs: MapInputs) -> folium.FeatureGroup:
    """The corridors with named places: dashed schematic lines through their seats."""
    rows = inputs.ctx.result("corridors").gdf
    rows = rows[rows["schematic_line_wkt"].notna()]
    colour = style_for("corridors").colour
    props, styles, lines = [], {}, []
    for _, r in rows.iterrows():
        lines.append(wkt.loads(r["schematic_line_wkt"]))
        props.append({"id": r["id"], "_tip": f"{r['name']}（示意线）", "_popup": popup_html(
            r["name"], [("类型", r["kind"]), ("状态", r["status"]), ("途经", r["via"])],
            flags=[r["location_note"]], cite=r["cite"])})
        styles[r["id"]] = {"color": colour, "weight": 3, "opacity": 0.85, "dashArray": "8 6",
                           "className": "atlas-corridor"}
    group = folium.FeatureGroup(name="走廊与产业带（示意线）")
    if lines:
        geojson_layer(feature_collection(for_display(lines, inputs.gcj02), props),
                      styles).add_to(group)
    return group


def unplaced_places(inputs: MapInputs) -> list[list[object]]:
    """Designations and hubs of the whole province or of no named place: table rows."""
    pref = set(inputs.ctx.result("prefectures").gdf["adcode"])
    rows = []
    for layer, what in (("designations", "称号与试点"), ("hubs", "网络枢纽与通道")):
        gdf = inputs.ctx.result(layer).gdf
        city = gdf["adcode"].fillna("").str[:4] + "00"
        for _, r in gdf[~city.isin(pref)].iterrows():
            where = "全省（不绘制符号）" if r["place_level"] == "province" else \
                "未点名地点（不绘制）"
            rows.append([r["name"], what, where, r["cite"]])
    return rows


def side_panel(layouts: gpd.GeoDataFrame, places: list[list[object]] = ()) -> SidePanel:
    """Every layout with its members; places without a city polygon are marked."""
    rows = []
    for _, r in layouts.iterrows():
        where = {"prefecture_polygon": "设区市范围", "not_a_prefecture": "非设区市（未绘制）",
                 "named_only": "仅提名称（未绘制）"}[r["location_precision"]]
        rows.append([r["layout_name"], r["place_name"], r["role"], where, r["cite"]])
    content = ("<h2>江西省数字经济空间布局</h2><p>各布局为图层控制中的独立图层（默认显示"
               "“一核四副”数据中心布局）。非设区市的地点与仅提名称的布局不绘制：</p>"
               + table_html(["布局", "地区", "角色", "图上表示", "出处"], rows, cite_column=4))
    if places:
        content += ("<h2>全省层面与未点名地点的称号、枢纽</h2><p>原文针对全省或未点名具体城市，"
                    "图上不绘制符号：</p>"
                    + table_html(["名称", "类别", "图上表示", "出处"], list(places),
                                 cite_column=3))
    return SidePanel(content, width=360)


def _legend(largest: float) -> Legend:
    population = LegendSection("2020年常住人口（圆面积与人口成正比）", [
        LegendEntry(f"{wan(p)}人", "circle", POPULATION_COLOUR,
                    size=round(2 * radius_px(p, largest))) for p in LEGEND_POPULATIONS])
    layouts = LegendSection("布局", [
        LegendEntry("布局成员设区市（在图层控制中切换）", "fill",
                    style_for("province_layout").colour),
        LegendEntry("“一核四副”数据中心：核", "glyph", DC_COLOUR, glyph="核",
                    precision="county_seat"),
        LegendEntry("“一核四副”数据中心：副", "glyph", DC_COLOUR, glyph="副",
                    precision="county_seat"),
        LegendEntry("赣州市", "line", GANZHOU_LINE),
    ])
    places = LegendSection("称号、枢纽与走廊（数字为项数）", [
        LegendEntry("称号与试点（千兆城市、国家级试点等）", "glyph",
                    style_for("designations").colour, glyph="称", precision="county_seat"),
        LegendEntry("网络枢纽与通道", "glyph", style_for("hubs").colour, glyph="枢",
                    precision="county_seat"),
        LegendEntry("走廊与产业带（示意线，非实际线路）", "line", style_for("corridors").colour,
                    dashed=True)])
    return Legend([population, layouts, places], notes=[
        "核/副、称/枢符号标在市驻地旁，仅表示设区市的布局角色或称号，非具体位置。",
        "“两备”为建议，种子文本未定义，不绘制。"])


def build(inputs: MapInputs) -> folium.Map:
    """The province map: cities, layout overlays, population circles, 一核四副, side table."""
    pref = inputs.ctx.result("prefectures").gdf
    layouts = inputs.ctx.result("province_layout").gdf
    geoms = simplify_coverage(pref.geometry.values, PROVINCE_TOLERANCE_DEG)
    m = new_map(inputs, bounds_latlon(for_display(geoms, inputs.gcj02)), TITLE,
                "江西省“十四五”数字经济发展规划、白皮书等 · 设区市尺度",
                inputs.sources("人口：江西省第七次全国人口普查公报（第一号），2021-05-26"))
    _prefectures_group(inputs, pref, geoms).add_to(m)
    by_code = dict(zip(pref["adcode"], geoms, strict=True))
    for group in _layout_groups(inputs, layouts, by_code):
        group.add_to(m)
    _population_group(inputs, pref).add_to(m)
    _corridors_group(inputs).add_to(m)
    for group in _place_markers(inputs, pref):
        group.add_to(m)
    return finish(m, _legend(float(pref["population_2020"].max())),
                  side_panel(layouts, unplaced_places(inputs)))


SPEC = MapSpec(NAME, TITLE, "11个设区市及2020年人口（比例圆）；省级数字经济布局（可切换）与"
               "“一核四副”数据中心布局", "jiangxi", build, nav="江西省布局",
               collections=("prefectures", "province_layout", "designations", "hubs",
                            "corridors"))
