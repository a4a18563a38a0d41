"""The "建议新增站址（模型建议）" layer: ranked recommended sites, the discs they add and a
per-county "还需 N 站" table, on any Folium map.

Everything here says it is a model recommendation (the group's name, every popup, the
table's heading): the sites come from a greedy placement on a disc-coverage planning
approximation, not from a survey. ``add_recommendations(fmap, rec)`` adds the layer; the
coverage map calls it with the recommendation it was given (maps/coverage.py owns that).
"""

from __future__ import annotations

import folium
from branca.element import Element

from geo.coverage.recommend.plan import CAVEAT, LABEL, Recommendation
from maps.base import popup_html
from maps.elements import esc

COLOUR = "#6a3d9a"  # purple: distinct from the coverage greens and the gap reds
MAX_MARKERS = 2_000  # a page stays usable; the files hold every site


def _need(row, mode: str) -> int:
    if mode == "to_target" and row.sites_quota is not None and row.sites_quota == row.sites_quota:
        return int(row.sites_quota)
    return int(row.sites_recommended)


def county_table(rec: Recommendation) -> str:
    """The per-county table (HTML): sites recommended and "还需 N 站"."""
    mode = rec.about.get("mode", "sites")
    heading = {"to_target": "达到目标站数", "to_full_coverage": "必须覆盖区域全覆盖",
               "sites": "本次建议"}.get(mode, "本次建议")
    rows = "".join(
        f"<tr><td>{esc(r.county)}</td><td>{r.sites_recommended}</td>"
        f"<td>还需 {_need(r, mode)} 站</td><td>{r.coverage_before_pct:g}% → "
        f"{r.coverage_after_pct:g}%</td></tr>" for r in rec.counties.itertuples())
    return (f'<div class="atlas-recommend-table" style="position:absolute;bottom:24px;'
            f'left:10px;z-index:800;background:#fff;padding:6px 8px;max-height:40%;'
            f'overflow:auto;font-size:12px;border:1px solid {COLOUR}">'
            f"<b>{esc(LABEL)}：{esc(heading)}</b><table><tr><th>区县</th><th>建议站数</th>"
            f"<th>还需</th><th>必须覆盖区域覆盖率</th></tr>{rows}</table>"
            f"<small>{esc(CAVEAT)}</small></div>")


def add_recommendations(fmap: folium.Map, rec: Recommendation,
                        gcj02: bool = False) -> folium.FeatureGroup:
    """Add the recommendation layer (markers, discs, county table) to ``fmap``; return it.

    ``gcj02``: the basemap is in GCJ-02 (高德/腾讯), so positions are shifted like every
    other layer of such a map.
    """
    group = folium.FeatureGroup(name=LABEL, show=True)
    lon_col, lat_col = ("lon_gcj02", "lat_gcj02") if gcj02 else ("lon", "lat")
    for r in rec.sites.head(MAX_MARKERS).itertuples():
        where = (float(getattr(r, lat_col)), float(getattr(r, lon_col)))
        popup = popup_html(f"{LABEL} 第{r.rank}名：{r.county}", [
            ("位置类型", f"{r.setting_label}宏站，覆盖半径 {r.radius_m:g} 米"),
            ("新增覆盖", f"{r.gain_km2:g} 平方公里（必须覆盖区域）"),
            ("覆盖的需求", r.demand_type),
            ("本区县累计覆盖率", f"{r.county_coverage_pct:g}%"),
            ("WGS84", f"{r.lon:.6f}, {r.lat:.6f}"),
            ("GCJ-02", f"{r.lon_gcj02:.6f}, {r.lat_gcj02:.6f}")], flags=[CAVEAT])
        folium.Circle(where, radius=float(r.radius_m), color=COLOUR, weight=1,
                      fill=True, fill_opacity=0.12, dash_array="4 4").add_to(group)
        folium.Marker(where, tooltip=f"建议站址 #{r.rank} {r.county}（模型建议）",
                      popup=folium.Popup(popup, max_width=320),
                      icon=folium.DivIcon(
                          html=f'<div class="atlas-recommend-rank" style="background:{COLOUR};'
                               f'color:#fff;border-radius:9px;font-size:10px;padding:1px 4px;'
                               f'white-space:nowrap">{r.rank}</div>')).add_to(group)
    group.add_to(fmap)
    fmap.get_root().html.add_child(Element(county_table(rec)))
    return group
