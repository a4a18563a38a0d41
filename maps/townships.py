"""乡镇（街道） on the Ganzhou maps: names at their GeoNames points, and all of them in search.

The ``townships`` layer has the 310 township-level units; a unit with a GeoNames match has
that point (``location_precision = geonames_point``: the place the town is named after, not
the unit's area), the others none. The positioned ones are drawn as small labelled dots from
zoom 10 on (CSS ``atlas-zoom-low`` hides them city-wide, where they would pile up), each
popup saying where the position comes from; every unit goes into the page's search box
(kind 乡镇), the unpositioned ones marked 无位置: picking one says so and never zooms to a
place the data does not give.
"""

from __future__ import annotations

import folium

from maps.base import MapInputs, popup_html
from maps.elements import DivMarker, DivMarkers, esc
from maps.geometry import DECIMALS, display_point

KIND = "乡镇"
GROUP_NAME = "乡镇（街道）名称（GeoNames点位，10级起显示）"
UNPLACED_NOTE = "无位置"


def township_group(inputs: MapInputs) -> folium.FeatureGroup:
    """Labelled dots of the positioned townships; the others searchable as 无位置."""
    rows = inputs.ctx.result("townships").gdf
    placed = rows.geometry.notna() & ~rows.geometry.is_empty
    marks = []
    for _, r in rows[placed].iterrows():
        lat, lon = display_point(r.geometry.x, r.geometry.y, inputs.gcj02)
        marks.append(DivMarker(
            round(lat, DECIMALS), round(lon, DECIMALS),
            f'<i class="dot"></i><b>{esc(r["name"])}</b>', "atlas-label small atlas-township",
            size=(72, 28),  # the dot at the icon's centre (the point), the name below it
            popup=popup_html(r["name"], [("所在区县", r["county_name"]), ("类别", r["kind"]),
                                         ("统计用区划代码", r["code12"])],
                             flags=[r["location_note"]]),
            key=f"township-{r['code12']}", search=KIND, name=r["name"]))
    group = folium.FeatureGroup(name=GROUP_NAME)
    DivMarkers(marks).add_to(group)
    group.atlas_search_unplaced = [  # type: ignore[attr-defined]
        (r["name"], KIND, f"{UNPLACED_NOTE}（{r['county_name']}）")
        for _, r in rows[~placed].iterrows()]
    return group
