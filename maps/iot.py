"""物联网部署: the plan's three deployment tiers, its terminal and agri-IoT base targets, the bases.

Tiers 2 and 3 name whole counties and are drawn as the county polygons. Tier 1 names places
without boundaries (the central city, management zones, parks); ``iot_zones`` gives them
schematic circles, which are drawn dashed and labelled 示意 so nobody reads a circle as a
boundary. City-wide targets have no place: they go into a box on the map, with citations.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely

from geo.styles import IOT_TIER_COLOURS, style_for
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
    DivMarker,
    DivMarkers,
    HtmlControl,
    Legend,
    LegendEntry,
    LegendSection,
    SidePanel,
    esc,
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
from maps.parks import park_symbol
from maps.text import IOT_TIER_NAMES, PRECISION_FLAGS, PRECISION_LABELS, missing, wan
from maps.townships import township_group

NAME = "iot"
TITLE = "赣州市物联网部署梯次与目标"
AGRI_TYPE = "农业园区/基地"
FISHERY_ID = "other-fishery_iot"
FISHERY_COLOUR = "#238b45"


def _tier_style(tier: str) -> dict:
    base = {"fillColor": IOT_TIER_COLOURS[tier], "color": IOT_TIER_COLOURS[tier],
            "fillOpacity": style_for("iot_zones").fill_opacity,
            "weight": 1.5, "className": f"atlas-iot-tier{tier}"}
    if tier == "1":  # schematic circles: dashed outline, lighter fill
        base.update(weight=2.5, dashArray="6 4", fillOpacity=0.25,
                    className="atlas-iot-tier1 atlas-schematic")
    return base


def _tier_popup(row) -> str:
    schematic = row["geometry_precision"] == "schematic_circle"
    title = f"{row['place_name']}（示意范围）" if schematic else row["place_name"]
    return popup_html(title, [("部署梯次", IOT_TIER_NAMES[str(row["tier"])]),
                              ("地点类型", row["place_kind"]), ("规划表述", row["text"])],
                      flags=[row["geometry_note"]], cite=row["cite"])


def _county_tiers_group(inputs: MapInputs, counties: gpd.GeoDataFrame, geoms,
                        rows: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Tiers 2 and 3 name whole counties, each county once: one layer coloured by tier."""
    tier_of = {r["adcodes"]: r for _, r in rows.iterrows()}
    props, styles, labels = [], {}, []
    for adcode, name, geom in zip(counties["adcode"], counties["name"], geoms, strict=True):
        r = tier_of.get(adcode)
        if r is None:
            styles[adcode] = {"fillColor": "#ffffff", "fillOpacity": 0.2, "color": "#737373",
                              "weight": 1, "className": "atlas-county"}
            props.append({"id": adcode, "_tip": name, "_name": name})
        else:
            tier = str(r["tier"])
            styles[adcode] = {**_tier_style(tier), "color": "#737373", "weight": 1,
                              "className": f"atlas-county atlas-iot-tier{tier}"}
            props.append({"id": adcode, "_popup": _tier_popup(r), "_name": name,
                          "_tip": f"{name}｜{IOT_TIER_NAMES[tier]}"})
        p = polylabel_point(geom)
        lat, lon = display_point(p.x, p.y, inputs.gcj02)
        labels.append(DivMarker(lat, lon, name, "atlas-label small", size=(60, 14), key=name))
    group = folium.FeatureGroup(name="第二、三梯次（区县范围）")
    geojson_layer(feature_collection(for_display(geoms, inputs.gcj02), props),
                  styles, search="区县").add_to(group)
    DivMarkers(labels).add_to(group)
    return group


def _circles_group(inputs: MapInputs, rows: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Tier 1: schematic circles around places without boundaries, labelled 示意."""
    props, labels = [], []
    central = rows.loc[rows["place_kind"] == "area", "geometry"]
    centre = central.iloc[0].buffer(0.02) if len(central) else None
    for _, r in rows.iterrows():
        c = r.geometry.centroid
        lat, lon = display_point(c.x, c.y, inputs.gcj02)
        # the 2 km circles inside the central city pile up city-wide: labels from zoom 10
        inside = centre is not None and r["place_kind"] != "area" and c.within(centre)
        labels.append(DivMarker(lat, lon, f"{r['place_name']}（示意）",
                                "atlas-label small schematic" + (" detail" if inside else ""),
                                size=(130, 14), key=r["id"]))
        props.append({"id": r["id"], "_popup": _tier_popup(r), "_tip": r["place_name"],
                      "_name": r["place_name"]})
    styles = {p["id"]: _tier_style("1") for p in props}
    group = folium.FeatureGroup(name=IOT_TIER_NAMES["1"] + "（示意圆）")
    geojson_layer(feature_collection(for_display(list(rows.geometry), inputs.gcj02), props),
                  styles, search="第一梯次地点").add_to(group)
    DivMarkers(labels).add_to(group)
    return group


def _agri_group(inputs: MapInputs, parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                county_geoms: dict) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="农业物联网相关基地")
    bases = parks[(parks["type_zh"] == AGRI_TYPE) & parks.geometry.notna()]
    markers = []
    for _, b in bases.iterrows():
        lat, lon = display_point(b.geometry.x, b.geometry.y, inputs.gcj02)
        precision = b["location_precision"]
        markers.append(DivMarker(
            lat, lon, park_symbol(b["type_zh"], precision), "atlas-park atlas-agri",
            popup=popup_html(b["name"], [("产业方向", b["industry_focus"]),
                                         ("所在区县", b["county_name"])],
                             flags=[PRECISION_FLAGS.get(precision, b["location_note"])],
                             cite=b["cite"]),
            tooltip=f"{b['name']}（{PRECISION_LABELS[precision]}）", key=b["id"],
            search="园区", name=b["name"]))
    DivMarkers(markers).add_to(group)
    fishery = zones[zones["id"] == FISHERY_ID]
    for _, f in fishery.iterrows():
        geom = [shapely.union_all([county_geoms[a] for a in str(f["adcodes"]).split(",")])]
        props = [{"id": FISHERY_ID, "_tip": "渔业物联网项目所涉区县",
                  "_popup": popup_html("渔业物联网项目（所涉区县）", [("规划表述", f["text"])],
                                       flags=["规划未给出项目位置：以所涉区县范围表示"],
                                       cite=f["cite"])}]
        styles = {p["id"]: {"fill": False, "color": FISHERY_COLOUR, "weight": 2.5,
                            "dashArray": "2 5", "className": "atlas-fishery"} for p in props}
        geojson_layer(feature_collection(for_display(geom, inputs.gcj02), props),
                      styles).add_to(group)
    return group


def targets_box(targets: gpd.GeoDataFrame) -> HtmlControl:
    """The city-wide figures (terminals, agri-IoT bases) by year, with their citations."""
    rows = []
    for indicator, part in targets.groupby("indicator", sort=False):
        cells = "；".join(f"{int(r['year'])}年 {wan(r['value'])}{esc(r['unit'])}"
                         for _, r in part.sort_values("year").iterrows())
        prop = part["property"].dropna()
        kind = f"（{esc(prop.iloc[0])}）" if len(prop) else ""
        rows.append(f"<tr><th>{esc(indicator)}{kind}</th></tr><tr><td>{cells}"
                    f'<br><span class="note">出处：{esc(part["cite"].iloc[0])}</span></td></tr>')
    content = f"<h2>全市目标（赣州市）</h2><table>{''.join(rows)}</table>"
    return HtmlControl(content, "bottomright", "atlas-targets")


def side_panel(zones: gpd.GeoDataFrame) -> SidePanel:
    """Every tier place (drawn or not) and the plan's other IoT measures, cited."""
    areas = zones[zones["kind"] == "deployment_area"]
    tier_rows = [[IOT_TIER_NAMES[str(r["tier"])], r["place_name"], r["geometry_note"],
                  r["cite"]] for _, r in areas.iterrows()]
    other = zones[zones["kind"] == "other"]
    other_rows = [[("" if missing(r["year"]) else f"{int(r['year'])}年 ") + str(r["text"]),
                   r["cite"]] for _, r in other.iterrows()]
    content = ("<h2>部署梯次与地点</h2><p>第二、三梯次以区县范围表示；第一梯次地点无公布边界，"
               "以示意圆表示，未给出位置的不绘制。</p>"
               + table_html(["梯次", "地点", "图形说明", "出处"], tier_rows, cite_column=3)
               + "<h2>其他物联网部署任务</h2>"
               + table_html(["规划表述", "出处"], other_rows, cite_column=1))
    return SidePanel(content)


def _legend() -> Legend:
    tiers = LegendSection("部署梯次", [
        LegendEntry(IOT_TIER_NAMES["1"] + "（示意圆）", "fill", IOT_TIER_COLOURS["1"],
                    dashed=True),
        LegendEntry(IOT_TIER_NAMES["2"] + "（区县）", "fill", IOT_TIER_COLOURS["2"]),
        LegendEntry(IOT_TIER_NAMES["3"] + "（区县）", "fill", IOT_TIER_COLOURS["3"]),
    ])
    agri = LegendSection("农业物联网", [
        LegendEntry("农业园区/基地（" + PRECISION_LABELS["county_seat"] + "）", "glyph",
                    style_for("parks").colour_for(AGRI_TYPE), glyph="农",
                    precision="county_seat"),
        LegendEntry("渔业物联网项目所涉区县", "line", FISHERY_COLOUR, dashed=True),
    ])
    return Legend([tiers, agri], notes=["示意圆不代表规划边界；第二、三梯次的关键/核心区域"
                                        "规划未划定，以全县范围表示。"])


def build(inputs: MapInputs) -> folium.Map:
    """The IoT map: tiers, agri-IoT bases and fishery counties, targets box, side tables."""
    counties = inputs.ctx.result("counties").gdf
    zones = inputs.ctx.result("iot_zones").gdf
    parks = inputs.ctx.result("parks").gdf
    geoms = simplify_coverage(counties.geometry.values, GANZHOU_TOLERANCE_DEG)
    county_geoms = dict(zip(counties["adcode"], geoms, strict=True))
    m = new_map(inputs, bounds_latlon(for_display(geoms, inputs.gcj02)), TITLE,
                "赣州市“十四五”数字经济发展规划 · 物联网部署与目标", inputs.sources())
    areas = zones[(zones["kind"] == "deployment_area") & zones.geometry.notna()]
    by_county = areas["geometry_precision"] == "county_polygon"
    _county_tiers_group(inputs, counties, geoms, areas[by_county]).add_to(m)
    _circles_group(inputs, areas[~by_county]).add_to(m)  # on top: they sit inside counties
    _agri_group(inputs, parks, zones, county_geoms).add_to(m)
    targets_box(zones[zones["kind"] == "target"]).add_to(m)
    township_group(inputs).add_to(m)
    return finish(m, _legend(), side_panel(zones))


SPEC = MapSpec(NAME, TITLE, "三个部署梯次（第一梯次为示意圆）、移动物联网终端与农业物联网基地目标、"
               "农业物联网相关基地", "ganzhou", build, nav="物联网",
               collections=("iot_zones", "counties", "parks", "townships"))
