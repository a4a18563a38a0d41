"""5G覆盖缺口: % of target per county, the coverage raster, gap polygons, demo sites, tiers.

What a planner reads here, for one target year (2023 or 2025, ``MapInputs.coverage``):

* a county choropleth of the share of the year's 5G target reached (sites on air ÷ target).
  County targets are **allocated** from the plan's city totals (the method is printed on the
  map) unless a planner **overrode** them; the popup says which, and by whom;
* the coverage raster (serving-site count per cell: red = no site, greens = 1 / 2 / 3+),
  embedded as one PNG (``maps.raster``) so the page works as a file; it is off by default
  (it would hide the choropleth: most of the city is red at this scale) and listed in the
  layer control;
* the gap polygons of the analysis (uncovered main urban areas; the rest of a 全深度覆盖
  county) and the outlines of the plan's three 5G tiers;
* sites, clustered.

Coverage is a **planning approximation** (a disc per site, radius by type and setting), not
a radio-propagation model: the title block, legend and every popup say so, with the model's
own wording (``run.stats["model_text"]``).

Commercial sensitivity: operators' real site positions are never drawn on these (public)
pages. Only the synthetic demo inventory is drawn, each marker and cluster badge marked 合成
with a dashed outline, and the popup and legend say 合成演示数据; real sites appear only as
county counts in the choropleth popup and the side table (no per-operator split).
``maps.coverage_data.CoverageMapData`` refuses non-synthetic rows, so the builder could
not draw a real site even by mistake.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import shapely
from folium.plugins import MarkerCluster
from folium.raster_layers import ImageOverlay

from geo import labels as geo_labels
from geo.coords import wgs84_to_gcj02
from geo.styles import FIVEG_TIER_COLOURS
from maps.base import (
    CAVEATS,
    MapInputs,
    MapSpec,
    finish,
    geojson_layer,
    new_map,
    popup_html,
    table_html,
)
from maps.coverage_data import CoverageMapData
from maps.coverage_time import (
    NO_TARGET_COLOUR,
    NO_TARGET_LABEL,
    TimeSlider,
    target_source,
)
from maps.elements import (
    DivMarker,
    DivMarkers,
    Legend,
    LegendEntry,
    LegendSection,
    SidePanel,
    SiteMarker,
    SiteMarkers,
    esc,
)
from maps.geometry import (
    DECIMALS,
    GANZHOU_TOLERANCE_DEG,
    bounds_latlon,
    display_point,
    feature_collection,
    for_display,
    polylabel_point,
    simplify_coverage,
    simplify_each,
)
from maps.raster import COLOURS, coverage_overlay, rgba_css
from maps.recommendations import add_recommendation_layer
from maps.text import Chinese, missing, zh

NAME = "coverage"
TITLE = "赣州市5G覆盖缺口与目标完成度"
SYNTHETIC = "合成演示数据"
SYNTHETIC_FLAG = "合成演示数据：由程序按规则生成的示例站点，不是真实基站"
APPROXIMATION = "覆盖为规划近似（每站按类型与城乡取固定半径的圆），不是无线传播模型"
REAL_SITES_NOTE = ("运营商真实站点属商业敏感数据：本图不绘制其位置，仅在区县弹窗与右侧表中"
                   "给出数量（不分运营商）")
RASTER_RESOLUTION_M = 200.0
CHOROPLETH_PANE, RASTER_PANE = "atlas-choropleth", "atlas-raster"
GAP_SIMPLIFY_DEG = 0.0005  # ~50 m, below the analysis' 100 m cells
# % of the year's target reached -> class (sequential purples: clear of the raster's red and
# greens and of the tiers' blues)
PCT_CLASSES: list[tuple[float, str, str]] = [
    (20, "#f2f0f7", "低于20%"), (40, "#cbc9e2", "20%–40%"), (60, "#9e9ac8", "40%–60%"),
    (80, "#756bb1", "60%–80%"), (100, "#54278f", "80%–100%"),
    (float("inf"), "#2d004b", "≥100%（达标）")]
GAP_KINDS = {
    "main_urban": (geo_labels.GAP_KIND["main_urban"], "#b2182b", 0.55, None),
    "full_depth_county": (geo_labels.GAP_KIND["full_depth_county"], "#d6604d", 0.22, "5 4"),
}
TIER_WEIGHTS = {"全深度覆盖": (4.0, None), "主城区连续覆盖": (3.0, None), "未点名": (2.0, "6 5")}
STATUS_COLOURS = {"on_air": "#1f78b4", "built": "#e66101", "planned": "#737373"}
# the legend says which status counts towards coverage; the words are geo.labels'
STATUS_LABELS = {"on_air": f"{geo_labels.STATUS['on_air']}（计入覆盖）",
                 "built": geo_labels.STATUS["built"], "planned": geo_labels.STATUS["planned"]}
WITHHELD = ("站点库含运营商报送的真实站点：公开页面不显示覆盖栅格与缺口面（细粒度覆盖可反推"
            "站址），只显示区县汇总；规划人员可用带密钥的接口查看。")
RASTER_LABELS = {0: "0（缺口）", 1: "1个站点", 2: "2个站点", 3: "3个及以上"}
TYPE_LABELS = geo_labels.SITE_TYPE
REQUIRED_ZONES = geo_labels.REQUIRED_ZONE
NOT_ASSESSABLE = geo_labels.NOT_ASSESSABLE
CLUSTER_ICON = """
    function (cluster) {
        var n = cluster.getChildCount();
        var s = n < 50 ? 32 : (n < 500 ? 38 : 44);
        return L.divIcon({html: '<span><b>' + n + '</b><i>合成</i></span>',
                          className: 'atlas-site-cluster atlas-synthetic',
                          iconSize: L.point(s, s)});
    }
"""


SITES_FROM_ZOOM = 10  # the city-wide view shows the counties' % of target, sites from here


def pct_classes(values) -> list[tuple[float, str, str]]:
    """Quantile classes (up to five) of the actual % values, and ≥100% as its own class.

    Fixed 20-point classes put most counties into one or two colours; quantiles of the
    values shown (all years of the time slider together, so that one legend fits every
    year) separate them. Falls back to ``PCT_CLASSES`` with fewer than five distinct values.
    """
    vals = sorted({round(float(v), 1) for v in values
                   if v is not None and not missing(v) and v != NOT_ASSESSABLE and v < 100})
    if len(vals) < 5:
        return PCT_CLASSES
    breaks = sorted({round(float(q), 1) for q in np.quantile(vals, [0.2, 0.4, 0.6, 0.8, 1])})
    ramp = [c for _, c, _ in PCT_CLASSES[:5]]
    colours = [ramp[round(i * (len(ramp) - 1) / max(len(breaks) - 1, 1))]
               for i in range(len(breaks))]
    classes, low = [], vals[0]
    for i, (b, colour) in enumerate(zip(breaks, colours, strict=True)):
        upper = 100.0 if i == len(breaks) - 1 else b + 0.05
        classes.append((upper, colour, f"{low:g}%–{b:g}%"))
        low = round(b + 0.1, 1)
    return [*classes, PCT_CLASSES[-1]]


def pct_style(pct: float | None,
              classes: list[tuple[float, str, str]] = PCT_CLASSES) -> tuple[str, str]:
    """Colour and legend label of a county's % of target."""
    if pct is None or missing(pct) or pct == NOT_ASSESSABLE:
        return NO_TARGET_COLOUR, NO_TARGET_LABEL
    for upper, colour, label in classes:
        if pct < upper:
            return colour, label
    raise AssertionError("unreachable: the last class is unbounded")


def timeline_pcts(data: CoverageMapData) -> list[float]:
    """Every county's % of target in every year of the time slider (for the classes)."""
    return [round(100 * n / t, 1) for rows in data.timeline.values()
            for n, t in rows.values() if t]


def _fmt(value: object, unit: str = "") -> str:
    if value is None or missing(value):
        return ""
    if value == NOT_ASSESSABLE:
        return geo_labels.ASSESSABLE[NOT_ASSESSABLE]
    return f"{value}{unit}"


def _township(row) -> str:
    """The share of positioned townships covered and, beside it, what it leaves out."""
    pct, note = row["township_coverage_pct"], row.get("township_coverage_note") or ""
    if pct is None or missing(pct):
        return note
    return f"{_fmt(pct, '%')}（{note}）" if note else _fmt(pct, "%")


def _parks(row) -> str:
    """"k/n" placed parks covered; the placed count alone where the covered one is withheld."""
    placed, covered = row.get("parks_placed"), row.get("parks_covered")
    if placed is None or missing(placed):
        return ""
    if covered is None or missing(covered):
        return f"已定位{int(placed)}个（覆盖数不公开）"
    return f"{int(covered)}/{int(placed)}"


def year_rows(row, year: int) -> str:
    """The popup rows of the year shown (target, sites on air, %), which the slider rewrites.

    Written for the page's scenario year; ``TimeSlider`` refills them (``tr[data-yr]``)
    with the slider's (or, in the comparison's right half, the other) year's values.
    """
    adcode = esc(row["adcode"])
    cells = [("target", f"{year}年目标", Chinese(
                 f"{row[f'target_{year}']}个 · {target_source(row[f'target_{year}_source'])}")),
             ("on", "在网站点（计入完成率）", f"{row['sites_on_air']}个"),
             ("pct", f"{year}年目标完成率", _fmt(row[f"pct_of_target_{year}"], "%"))]
    return "".join(f'<tr data-yr="{kind}" data-county="{adcode}"><th>{esc(k)}</th>'
                   f"<td>{esc(zh(v))}</td></tr>" for kind, k, v in cells)


def _county_popup(row, year: int, cites: str) -> str:
    real = int(row["sites_total"]) - int(row["synthetic_sites"])
    return popup_html(row["name"], [
        ("5G覆盖梯次", row["fiveg_tier"]),
        ("站点库合计", f"{row['sites_total']}个（已建未开通{row['status_built']}，"
                       f"规划{row['status_planned']}）"),
        (f"其中{SYNTHETIC}", f"{row['synthetic_sites']}个"),
        ("其中运营商报送站点", f"{real}个（仅公开数量，不绘制位置）"),
        ("覆盖面积占比（规划近似）", _fmt(row["covered_area_pct"], "%")),
        ("主城区覆盖率（规划近似）", _fmt(row["main_urban_coverage_pct"], "%")),
        ("须覆盖区域", REQUIRED_ZONES.get(row["required_zone"], row["required_zone"])),
        ("覆盖缺口面积", _fmt(row["gap_area_km2"], " 平方公里")),
        ("已定位园区覆盖", _parks(row)),
        ("乡镇全覆盖", _township(row)),
        ("矿区覆盖", "无法评估（规划只点名矿区，无位置）"),
        ("物联网优先部署区域", row["iot_priority_areas"]),
    ], flags=[f for f in (row["flags"] or "").split("；") if f], cite=cites,
        lead_rows=year_rows(row, year))


def _tier_cites(inputs: MapInputs) -> tuple[dict[str, pd.Series], dict[int, str]]:
    targets = inputs.ctx.result("fiveg_targets").gdf
    tiers = {r["tier"]: r for _, r in targets[targets["scope"] == "tier"].iterrows()}
    years = {int(r["year"]): r["cite"] for _, r in
             targets[targets["id"].str.startswith("city-")].iterrows()}
    return tiers, years


def _choropleth(inputs: MapInputs, data: CoverageMapData, geoms, cite: str, classes):
    year = data.scenario
    props, styles, labels = [], {}, []
    for (_, row), geom in zip(data.card.iterrows(), geoms, strict=True):
        pct = row[f"pct_of_target_{year}"]
        colour, _ = pct_style(pct, classes)
        props.append({"id": row["adcode"], "_popup": _county_popup(row, year, cite),
                      "_name": row["name"],
                      "_tip": f"{row['name']}｜{year}年目标完成率 {_fmt(pct, '%') or '—'}"})
        styles[row["adcode"]] = {"fillColor": colour, "fillOpacity": 0.75, "color": "#ffffff",
                                 "weight": 1, "className": "atlas-county atlas-choropleth"}
        p = polylabel_point(geom)
        lat, lon = display_point(p.x, p.y, inputs.gcj02)
        text = (f"{esc(row['name'])}<br><span data-pct=\"{esc(row['adcode'])}\">"
                f"{esc(_fmt(pct, '%'))}</span>")
        labels.append(DivMarker(lat, lon, text, "atlas-label small atlas-pct-label",
                                size=(64, 28), key=row["adcode"]))
    group = folium.FeatureGroup(name=f"{year}年目标完成率（区县）")
    layer = geojson_layer(feature_collection(for_display(geoms, inputs.gcj02), props), styles,
                          highlight=True, pane=CHOROPLETH_PANE, search="区县")
    layer.add_to(group)
    label_group = folium.FeatureGroup(name="区县名称与完成率")
    DivMarkers(labels).add_to(label_group)
    return group, label_group, layer


def _raster(inputs: MapInputs, data: CoverageMapData) -> ImageOverlay:
    overlay = coverage_overlay(data.cog, RASTER_RESOLUTION_M, inputs.gcj02)
    return ImageOverlay(overlay.data_uri, overlay.bounds,
                        name=f"覆盖栅格（服务站点数，{overlay.resolution_m:g}米）",
                        show=False, pane=RASTER_PANE, className="atlas-coverage-raster",
                        interactive=False, alt="5G覆盖栅格（规划近似）")


def _tiers_group(inputs: MapInputs, data: CoverageMapData, geoms, tiers) -> folium.FeatureGroup:
    by_code = dict(zip(data.card["adcode"], geoms, strict=True))
    props, styles, shapes = [], {}, []
    for tier, colour in FIVEG_TIER_COLOURS.items():
        members = data.card[data.card["fiveg_tier"] == tier]
        if members.empty:
            continue
        shapes.append(shapely.union_all([by_code[a] for a in members["adcode"]]))
        row = tiers.get(tier)
        weight, dash = TIER_WEIGHTS.get(tier, (2.0, None))
        fid = f"tier-{tier}"
        props.append({"id": fid, "_tip": f"5G覆盖梯次：{tier}", "_popup": popup_html(
            f"5G覆盖梯次：{tier}", [
                ("规划表述", None if row is None else row["text"]),
                ("区县", "、".join(members["name"])),
                ("名单", None if row is None or not row["list_is_open"] else
                 "规划名单以“等”结尾，未点名不等于不覆盖")],
            cite=None if row is None else row["cite"])})
        styles[fid] = {"fill": False, "color": colour, "weight": weight, "opacity": 0.95,
                       "className": "atlas-tier", **({"dashArray": dash} if dash else {})}
    group = folium.FeatureGroup(name="5G覆盖梯次边界")
    geojson_layer(feature_collection(for_display(shapes, inputs.gcj02), props),
                  styles).add_to(group)
    return group


def _gaps_group(inputs: MapInputs, data: CoverageMapData) -> folium.FeatureGroup:
    gaps = data.gaps
    names = dict(zip(data.card["adcode"], data.card["name"], strict=True))
    geoms = simplify_each(list(gaps.geometry), GAP_SIMPLIFY_DEG)
    props, styles = [], {}
    for _, g in gaps.iterrows():
        label, colour, opacity, dash = GAP_KINDS.get(g["gap_kind"], (g["gap_kind"], "#b2182b",
                                                                      0.4, None))
        county = names.get(g["adcode"], g["adcode"])
        props.append({"id": g["id"], "_tip": f"{county}｜{label} {g['area_km2']:.2f} 平方公里",
                      "_popup": popup_html(f"{county}：{label}", [
                          ("面积", f"{g['area_km2']:.2f} 平方公里"),
                          ("含义", "须覆盖区域内无任何在网站点覆盖的部分"),
                          ("须覆盖区域", "主城区（驻地周边示意范围）" if g["gap_kind"] ==
                           "main_urban" else "全县（全深度覆盖梯次）")],
                          flags=[APPROXIMATION])})
        styles[g["id"]] = {"color": colour, "weight": 1.5 if dash is None else 1,
                           "fillColor": colour, "fillOpacity": opacity,
                           "className": f"atlas-gap atlas-gap-{g['gap_kind']}",
                           **({"dashArray": dash} if dash else {})}
    group = folium.FeatureGroup(name="覆盖缺口")
    geojson_layer(feature_collection(for_display(geoms, inputs.gcj02), props),
                  styles).add_to(group)
    return group


def site_markers(inputs: MapInputs, data: CoverageMapData) -> list[SiteMarker]:
    """One marker per synthetic demo site (shifted to GCJ-02 for 高德)."""
    sites = data.sites
    lon, lat = sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)
    if inputs.gcj02 and len(sites):
        lon, lat = wgs84_to_gcj02(lon, lat)
    names = dict(zip(data.card["adcode"], data.card["name"], strict=True))
    return [SiteMarker(round(float(y), DECIMALS), round(float(x), DECIMALS), t, s, o,
                       "" if missing(b) else str(b), names.get(c, c), float(r))
            for x, y, t, s, o, b, c, r in zip(
                np.asarray(lon), np.asarray(lat), sites["type"], sites["status"],
                sites["operator"], sites["band"], sites["county_adcode"],
                sites["coverage_radius_m"], strict=True)]


def _sites_group(inputs: MapInputs, data: CoverageMapData) -> MarkerCluster:
    cluster = MarkerCluster(name=f"站点（{SYNTHETIC}）",
                            icon_create_function=CLUSTER_ICON, options={
                                "maxClusterRadius": 50, "showCoverageOnHover": False,
                                "spiderfyOnMaxZoom": True, "chunkedLoading": True,
                                "disableClusteringAtZoom": 16})
    labels = {"type": TYPE_LABELS, "status": STATUS_LABELS}
    SiteMarkers(site_markers(inputs, data), STATUS_COLOURS, labels,
                SYNTHETIC_FLAG).add_to(cluster)
    return cluster


def side_panel(data: CoverageMapData) -> SidePanel:
    """The scorecard beside the map: target, source, sites, % and gap per county; city line."""
    year, city = data.scenario, data.city
    rows = []
    for _, r in data.card.iterrows():
        source = "分配" if r[f"target_{year}_source"] == "allocated" else "调整"
        target = int(r[f"target_{year}"])
        rows.append([r["name"], r["fiveg_tier"], r["sites_on_air"], f"{target}（{source}）",
                     _fmt(r[f"pct_of_target_{year}"], "%"),
                     max(target - int(r["sites_on_air"]), 0),
                     _fmt(r["main_urban_coverage_pct"], "%"), _fmt(r["gap_area_km2"])])
    total = ["赣州市合计", "", city["sites_on_air"], city[f"target_{year}"],
             _fmt(city[f"pct_of_plan_{year}"], "%"),
             max(int(city[f"target_{year}"]) - int(city["sites_on_air"]), 0), "", ""]
    diff = city[f"difference_from_plan_{year}"]
    overridden = data.overridden
    content = (
        f"<h2>{year}年目标完成情况（区县）</h2>"
        f"<p>规划{year}年全市目标{city[f'plan_{year}']}个（5G基站开通数）；区县目标合计"
        f"{city[f'target_{year}']}个，与规划相差{diff:+d}个。</p>"
        + "<p>点击表头排序（完成率、差额、缺口面积等）；表上方输入框可筛选。</p>"
        + table_html(["区县", "梯次", "在网站点", f"{year}年目标", "完成率", "差额(站)",
                      "主城区覆盖", "缺口面积(平方公里)"], rows, foot=[total])
        + f"<p>目标来源：{esc(data.method_text)}。"
        + (f"规划人员已调整：{esc('、'.join(overridden))}（弹窗含调整人、时间与原值）。"
           if overridden else "目前无人工调整。")
        + f"</p><p>{esc(data.model_text)}。{esc(APPROXIMATION)}。</p>"
        + f"<p>站点：库中{int(data.card['sites_total'].sum())}个，其中{SYNTHETIC}"
          f"{int(data.card['synthetic_sites'].sum())}个、运营商报送{data.real_sites}个。"
          f"{esc(REAL_SITES_NOTE)}。</p>")
    return SidePanel(content)


def _legend(data: CoverageMapData, classes=PCT_CLASSES) -> Legend:
    year = data.scenario
    present = {pct_style(p, classes)[1] for p in data.card[f"pct_of_target_{year}"]}
    method = "按实际值分位数分级" if classes is not PCT_CLASSES else "等间距分级"
    pct = LegendSection(f"{year}年目标完成率（在网站点÷目标；{method}）", [
        *(LegendEntry(label, "fill", colour) for _, colour, label in classes),
        *([LegendEntry(NO_TARGET_LABEL, "fill", NO_TARGET_COLOUR)]
          if NO_TARGET_LABEL in present else [])], columns=2)
    tiers = LegendSection("5G覆盖梯次（边界）", [
        LegendEntry(t, "line", c, dashed=TIER_WEIGHTS.get(t, (0, None))[1] is not None)
        for t, c in FIVEG_TIER_COLOURS.items()], columns=2)
    gaps = LegendSection("覆盖缺口（须覆盖区域内无站点覆盖）", [
        LegendEntry(label, "fill", colour, dashed=dash is not None)
        for label, colour, _, dash in GAP_KINDS.values()], columns=2)
    raster = LegendSection("覆盖栅格（服务站点数；默认关闭）", [
        LegendEntry(RASTER_LABELS[k], "fill", rgba_css(COLOURS[k])) for k in sorted(COLOURS)],
        columns=2)
    sites = LegendSection(f"5G站点：{SYNTHETIC}（非真实站点；{SITES_FROM_ZOOM}级起显示）", [
        *(LegendEntry(STATUS_LABELS[s], "glyph", c, glyph="合", precision="synthetic")
          for s, c in STATUS_COLOURS.items()),
        LegendEntry("聚合（站点数）", "glyph", "#525252", glyph="合",
                    precision="synthetic cluster")], columns=2)
    overridden = data.overridden
    notes = [
        f"情景：{year}年目标（规划全市{data.city[f'plan_{year}']}个）；区县目标为分配值"
        + (f"，{'、'.join(overridden)}为规划人员调整值" if overridden else "")
        + "（方法见右侧表）。" + data.model_text + "。",
    ]
    if data.cog is None:
        notes.append(WITHHELD)
        return Legend([pct, tiers, sites], notes=notes)
    return Legend([pct, tiers, gaps, raster, sites], notes=notes)


def _scenario_links(inputs: MapInputs, year: int) -> str:
    links = inputs.options.scenario_links
    if not links:
        return ""
    parts = [f"<b>{y}年</b>" if y == year else f'<a href="{esc(href)}">{y}年</a>'
             for y, href in sorted(links.items())]
    return f'<p class="basemaps">目标情景：{"".join(parts)}</p>'


def build(inputs: MapInputs) -> folium.Map:
    """The 5G coverage-gap map of ``inputs.coverage``'s scenario; pure function of inputs."""
    data = inputs.require_coverage()
    year, city = data.scenario, data.city
    counties = inputs.ctx.result("counties").gdf.set_index("adcode").loc[data.card["adcode"]]
    geoms = simplify_coverage(counties.geometry.values, GANZHOU_TOLERANCE_DEG)
    tiers, year_cites = _tier_cites(inputs)
    cite = f"目标 {year_cites.get(year, '')}；梯次 {tiers['全深度覆盖']['cite']}" \
        if "全深度覆盖" in tiers else year_cites.get(year, "")
    subtitle = (f"{year}年目标情景 · 全市完成{_fmt(city[f'pct_of_plan_{year}'], '%')}"
                f"（{city['sites_on_air']}/{city[f'plan_{year}']}个）")
    data_date = (f"站点库{data.data_date or '（空）'}（最近一次导入）；规划文本2021—2022年；"
                 "人口2020年七普；边界2026-11-22提取")
    caveats = (CAVEATS[1], f"覆盖为规划近似；图上站点均为{SYNTHETIC}，真实站点不绘制位置。")
    sources = inputs.sources("5G站点：站点库（运营商报送与合成演示数据；公开页面只绘制合成"
                             "演示数据）", "覆盖分析：" + data.model_text,
                             "区县目标：" + data.method_text)
    m = new_map(inputs, bounds_latlon(for_display(geoms, inputs.gcj02)), TITLE, subtitle,
                sources, data_date=data_date, caveats=caveats,
                links=_scenario_links(inputs, year))
    folium.map.CustomPane(CHOROPLETH_PANE, z_index=350, pointer_events=True).add_to(m)
    folium.map.CustomPane(RASTER_PANE, z_index=380, pointer_events=False).add_to(m)
    classes = pct_classes([*data.card[f"pct_of_target_{year}"], *timeline_pcts(data)])
    choropleth, labels, counties_layer = _choropleth(inputs, data, geoms, cite, classes)
    fine = [] if data.cog is None else [_raster(inputs, data), _gaps_group(inputs, data)]
    for layer in (choropleth, *fine, _tiers_group(inputs, data, geoms, tiers), labels,
                  _sites_group(inputs, data)):
        layer.add_to(m)
    # fetched after first paint from the service (the page is near its size limit); an
    # exported file has no service and says so in Chinese instead. Off at first: ~1,000
    # ranked markers would cover the county names and percentages the map is read by.
    root = inputs.options.site_root or ""
    add_recommendation_layer(m, f"{root}/coverage/recommendations/map?scenario={year}",
                             gcj02=inputs.gcj02, show=False)
    if data.timeline:
        TimeSlider(counties_layer, data, classes).add_to(m)
    return finish(m, _legend(data, classes), side_panel(data))


SPEC = MapSpec(NAME, TITLE, "区县5G目标完成率（分配或调整后的目标）、覆盖栅格与缺口、5G梯次；"
               "站点为合成演示数据（聚合显示），真实站点仅示区县数量；覆盖为规划近似",
               "ganzhou", build, needs_coverage=True, nav="5G覆盖缺口",
               collections=("county_scorecard", "fiveg_targets", "counties"))
