"""园区与平台: every placed park, clustered for the browser and analytically, with honest positions.

No park in the seeds has a surveyed position: a park is drawn at its county's seat or at its
management zone's schematic point (``location_precision``). Such a symbol must not look
surveyed, so the symbol's outline carries the precision - dashed for a county seat, dotted for
a schematic zone point (solid would mean surveyed) - and the popup and legend say it in words.
Parks without a known county (or with several) have no geometry; they are listed in the side
panel, so the map accounts for all of the plan's parks.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from folium.plugins import MarkerCluster

from geo.admin import GANZHOU_COUNTIES
from geo.styles import style_for
from maps.base import (
    MapInputs,
    MapSpec,
    finish,
    geojson_layer,
    new_map,
    popup_html,
    table_html,
)
from maps.clustering import ClusterParams, ParkCluster, cluster_labels, summarise
from maps.elements import (
    DivMarker,
    DivMarkers,
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
from maps.text import PRECISION_FLAGS, PRECISION_LABELS, missing
from maps.townships import township_group

NAME = "parks"
TITLE = "赣州市数字经济园区与平台分布及空间聚类"
HULL_COLOUR = "#525252"
# One Chinese glyph per park type: readable without an icon font, and nothing to download.
TYPE_GLYPHS = {
    "产业园区": "园", "数据中心": "数", "研究院所": "研", "实验室": "实", "创新平台": "创",
    "示范区/基地": "示", "农业园区/基地": "农", "矿区": "矿", "物流商贸": "贸", "商圈街区": "商",
    "合作区": "合", "文旅区": "旅", "试点": "试", "开发区": "开", "公共服务设施": "公",
    "重大平台": "台", "数据交易平台": "易",
}


def park_symbol(type_zh: str, precision: str) -> str:
    """The DivIcon HTML of a park: its type's glyph and colour, outline by precision."""
    colour = style_for("parks").colour_for(type_zh)
    glyph = TYPE_GLYPHS.get(type_zh, "其")
    return (f'<span class="atlas-sym {esc(precision)}" style="--c:{colour}" '
            f'data-precision="{esc(precision)}">{glyph}</span>')


def _park_popup(row, cluster: str) -> str:
    return popup_html(row["name"], [
        ("类型", row["type_zh"]), ("类型说明", row["type_detail"]),
        ("产业方向", row["industry_focus"]), ("级别", row["level"]), ("状态", row["status"]),
        ("所在区县", row["county_name"]), ("所在功能区", row["functional_zone"]),
        ("空间布局单元", row["layout_unit"]), ("别称", row["aliases"]),
        ("空间聚类", cluster), ("备注", row["notes"]),
    ], flags=[PRECISION_FLAGS.get(row["location_precision"], row["location_note"])],
        cite=row["cite"])


def park_markers(inputs: MapInputs, placed: gpd.GeoDataFrame, labels) -> list[DivMarker]:
    """One marker per placed park, in layer order."""
    markers = []
    for (_, row), label in zip(placed.iterrows(), labels, strict=True):
        lat, lon = display_point(row.geometry.x, row.geometry.y, inputs.gcj02)
        cluster = f"聚类{label + 1}" if label >= 0 else "未归入聚类"
        markers.append(DivMarker(
            lat, lon, park_symbol(row["type_zh"], row["location_precision"]), "atlas-park",
            popup=_park_popup(row, cluster),
            tooltip=f"{row['name']}（{PRECISION_LABELS[row['location_precision']]}）",
            key=row["id"], search="园区", name=row["name"]))
    return markers


def _counties_group(inputs: MapInputs, counties: gpd.GeoDataFrame) -> folium.FeatureGroup:
    geoms = simplify_coverage(counties.geometry.values, GANZHOU_TOLERANCE_DEG)
    props = [{"id": a, "_name": n, "_tip": f"{n}｜已定位园区{c}个（区县驻地）"}
             for a, n, c in zip(counties["adcode"], counties["name"], counties["parks_count"],
                                strict=True)]
    styles = {a: {"fillColor": "#f7f7f7", "fillOpacity": 0.6, "color": "#969696",
                  "weight": 1, "className": "atlas-county"} for a in counties["adcode"]}
    group = folium.FeatureGroup(name="区县")
    geojson_layer(feature_collection(for_display(geoms, inputs.gcj02), props),
                  styles, search="区县").add_to(group)
    labels = []
    for name, geom in zip(counties["name"], geoms, strict=True):
        p = polylabel_point(geom)
        lat, lon = display_point(p.x, p.y, inputs.gcj02)
        labels.append(DivMarker(lat, lon, name, "atlas-label small", size=(60, 14), key=name))
    DivMarkers(labels).add_to(group)
    return group


def _cluster_popup(c: ParkCluster, params: ClusterParams) -> str:
    return popup_html(f"聚类{c.label + 1}：{c.count}个园区", [
        ("区县/功能区", "、".join(c.places)),
        ("类型构成", "、".join(f"{t}{n}" for t, n in c.types)),
        ("主要产业方向", "、".join(t for t, _ in c.industries)),
        ("方法", params.describe()),
    ], flags=["园区位置为区县驻地或功能区示意点：聚类反映区县层面的集聚，非园区实际分布"])


def _hulls_group(inputs: MapInputs, clusters: list[ParkCluster],
                 params: ClusterParams) -> folium.FeatureGroup:
    props = [{"id": f"c{c.label}", "_popup": _cluster_popup(c, params),
              "_tip": f"聚类{c.label + 1}：{c.count}个园区"} for c in clusters]
    styles = {f"c{c.label}": {"color": HULL_COLOUR, "weight": 2.5, "dashArray": "7 4",
                              "fillColor": HULL_COLOUR, "fillOpacity": 0.15,
                              "className": "atlas-cluster-hull"} for c in clusters}
    group = folium.FeatureGroup(name="园区空间聚类范围（DBSCAN）")
    geoms = for_display([c.hull for c in clusters], inputs.gcj02)
    geojson_layer(feature_collection(geoms, props), styles).add_to(group)
    labels = []
    for c, geom in zip(clusters, geoms, strict=True):
        minx, _, maxx, maxy = geom.bounds
        labels.append(DivMarker(maxy + 0.03, (minx + maxx) / 2, f"聚类{c.label + 1}（{c.count}个）",
                                "atlas-label small", size=(90, 14), key=f"c{c.label}"))
    DivMarkers(labels).add_to(group)
    return group


def _unplaced_rows(unplaced: gpd.GeoDataFrame) -> list[list[object]]:
    rows = []
    for _, r in unplaced.iterrows():
        codes = [] if missing(r["county_adcodes"]) else str(r["county_adcodes"]).split(",")
        counties = "、".join(GANZHOU_COUNTIES.get(c, c) for c in codes)
        where = f"涉及：{counties}" if counties else "规划未说明所在区县"
        rows.append([r["name"], r["type_zh"], where, r["cite"]])
    return rows


def side_panel(clusters: list[ParkCluster], params: ClusterParams,
               unplaced: gpd.GeoDataFrame) -> SidePanel:
    """Cluster summaries and the table of parks that have no position on the map."""
    cluster_rows = [[f"聚类{c.label + 1}", c.count, "、".join(c.places),
                     "、".join(f"{t}{n}" for t, n in c.types),
                     "、".join(t for t, _ in c.industries)] for c in clusters]
    content = (
        f"<h2>空间聚类汇总</h2><p>{esc(params.describe())}。园区位置为区县驻地或功能区示意点，"
        "聚类反映区县层面的集聚。</p>"
        + table_html(["聚类", "园区数", "区县/功能区", "类型构成", "主要产业方向"], cluster_rows)
        + f"<h2>未定位园区（{len(unplaced)}个）</h2><p>规划未给出所在区县，或涉及多个区县，"
        "无法确定点位，故不在图上绘制：</p>"
        + table_html(["名称", "类型", "区县情况", "出处"], _unplaced_rows(unplaced),
                     cite_column=3))
    return SidePanel(content)


def _legend(placed: gpd.GeoDataFrame, params: ClusterParams) -> Legend:
    # every type drawn, in the glyph table's order (a type without a colour of its own in
    # geo.styles is drawn, and listed, in the shared "other" grey)
    shown = set(placed["type_zh"])
    present = [t for t in TYPE_GLYPHS if t in shown]
    present += sorted(shown - set(present))
    colour = style_for("parks").colour_for
    types = LegendSection("园区类型（符号字与颜色）", [
        LegendEntry(t, "glyph", colour(t), glyph=TYPE_GLYPHS.get(t, "其"), precision="type")
        for t in present], columns=2)
    precisions = [p for p in ("county_seat", "county_seat_implied", "functional_zone_schematic",
                              "functional_zone_schematic_implied")
                  if p in set(placed["location_precision"])]
    precision = LegendSection("位置精度（符号边框）", [
        LegendEntry(PRECISION_LABELS[p], "glyph", "#525252", glyph="园", precision=p)
        for p in precisions])
    other = LegendSection("聚类", [
        LegendEntry("聚合显示（数字为该处园区数，放大后展开）", "circle", "#6ecc39"),
        LegendEntry("空间聚类范围（DBSCAN）", "fill", HULL_COLOUR, dashed=True, hollow=True),
    ])
    return Legend([types, precision, other], notes=[
        "图上符号为圆形；实线边框表示实测位置，本图园区均无实测坐标。", params.describe() + "。"])


def build(inputs: MapInputs, params: ClusterParams | None = None) -> folium.Map:
    """The parks map: clustered markers, DBSCAN hulls and the table of unplaced parks."""
    params = params or ClusterParams()
    counties = inputs.ctx.result("counties").gdf
    parks = inputs.ctx.result("parks").gdf
    placed = parks[parks.geometry.notna()]
    unplaced = parks[parks.geometry.isna()]
    labels = cluster_labels(placed, params)
    clusters = summarise(placed, labels, params)
    bounds = bounds_latlon(for_display(counties.geometry.values, inputs.gcj02))
    m = new_map(inputs, bounds, TITLE, f"规划点名园区{len(parks)}个：图上{len(placed)}个，"
                f"未定位{len(unplaced)}个（见右侧表）", inputs.sources())
    _counties_group(inputs, counties).add_to(m)
    _hulls_group(inputs, clusters, params).add_to(m)
    cluster_group = MarkerCluster(name="园区与平台（聚合显示）", options={
        "maxClusterRadius": 40, "showCoverageOnHover": False, "spiderfyOnMaxZoom": True})
    DivMarkers(park_markers(inputs, placed, labels)).add_to(cluster_group)
    cluster_group.add_to(m)
    township_group(inputs).add_to(m)
    return finish(m, _legend(placed, params), side_panel(clusters, params, unplaced))


def _build(inputs: MapInputs) -> folium.Map:
    return build(inputs)


SPEC = MapSpec(NAME, TITLE, "已定位园区按类型着色（聚合显示），DBSCAN空间聚类范围及汇总，"
               "位置精度（区县驻地/示意点）明示；未定位园区列表", "ganzhou", _build,
               nav="园区与平台", collections=("parks", "counties", "townships"))
