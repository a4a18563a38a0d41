"""Object-tree checks of every map: layers, legend entries, bounds, popups, precision flags."""

import folium
import pytest

from geo.styles import IOT_TIER_COLOURS, LAYOUT_UNIT_COLOURS, OTHER, PARK_TYPE_COLOURS
from maps.elements import DivMarkers, TitleBlock
from maps.registry import MAPS
from tests.maps.helpers import (
    geojson_features,
    group_names,
    legend,
    markers,
    of_type,
    side_panel,
    title_block,
)

GANZHOU_BBOX = (113.9, 24.4, 116.7, 27.3)  # lon/lat, a little wider than the city
JIANGXI_BBOX = (113.4, 24.4, 118.6, 30.1)


def inside(bounds, bbox) -> bool:
    (south, west), (north, east) = bounds
    return bbox[0] <= west < east <= bbox[2] and bbox[1] <= south < north <= bbox[3]


@pytest.mark.parametrize("name", list(MAPS))
def test_every_map_has_the_common_furniture(built, name):
    m = built[name]
    assert isinstance(m, folium.Map)
    assert len(of_type(m, folium.LayerControl)) == 1
    assert title_block(m).data_date and title_block(m).sources
    assert legend(m).entries
    rendered = m.get_root().render()
    for needle in ("L.control.scale", "L.control.fullscreen", "L.Control.Measure", "atlas-north"):
        assert needle in rendered, needle


@pytest.mark.parametrize("name", list(MAPS))
def test_every_map_is_fitted_to_its_region(built, name):
    bbox = GANZHOU_BBOX if MAPS[name].region == "ganzhou" else JIANGXI_BBOX
    assert inside(built[name].get_bounds(), bbox)


def test_layout_colours_counties_by_unit_with_cited_popups(built, ctx):
    m = built["layout"]
    counties = geojson_features(m, "atlas-county")
    assert len(counties) == 18
    gdf = ctx.result("counties").gdf.set_index("adcode")
    for f in counties:
        row = gdf.loc[f["id"]]
        assert f["style"]["fillColor"] == LAYOUT_UNIT_COLOURS[row["layout_unit"]]
        assert "发展重点（表2）" in f["popup"]
        # every reference kept for checking, each with its document (maps.cite)
        assert all(f"{ref.strip()}" in f["popup"] for ref in row["cite"].split(";"))
        assert "《赣州市“十四五”数字经济发展规划》" in f["popup"]
    assert len(geojson_features(m, "atlas-unit")) == 5


def test_layout_legend_lists_the_five_units_in_the_shared_colours(built):
    entries = {e.label: e.colour for e in legend(built["layout"]).entries if e.symbol == "fill"}
    assert entries == LAYOUT_UNIT_COLOURS


def test_layout_zones_and_axis_are_flagged_schematic(built):
    m = built["layout"]
    zones = [c for c in of_type(m, folium.CircleMarker) if "atlas-zone" in
             c.options.get("className", "")]
    assert len(zones) == 3
    assert all("atlas-schematic" in z.options["className"] for z in zones)
    axis = [p for p in of_type(m, folium.PolyLine) if "atlas-axis" in
            p.options.get("className", "")]
    assert len(axis) == 1 and len(axis[0].locations) == 5  # MST through 6 belt seats
    assert axis[0].options.get("dashArray")  # dashed: a schematic line
    assert any("示意" in g for g in group_names(m))
    labels = [mk.html for mk in markers(m, "atlas-label")]
    assert sum("（示意）" in t for t in labels) >= 4  # 3 zones + the axis


def test_layout_labels_every_county(built, ctx):
    names = {mk.html for mk in markers(built["layout"], "atlas-label")}
    assert set(ctx.result("counties").gdf["name"]) <= names


def test_parks_draws_every_placed_park_once(built, ctx):
    parks = ctx.result("parks").gdf
    placed = parks[parks.geometry.notna()]
    drawn = markers(built["parks"], "atlas-park")
    assert sorted(mk.key for mk in drawn) == sorted(placed["id"])
    clusters = [d for d in of_type(built["parks"], DivMarkers)
                if type(d._parent).__name__ == "MarkerCluster"]
    assert len(clusters) == 1 and len(clusters[0].markers) == len(placed)


def test_parks_show_location_precision_in_symbol_and_popup(built, ctx):
    parks = ctx.result("parks").gdf.set_index("id")
    for mk in markers(built["parks"], "atlas-park"):
        precision = parks.loc[mk.key, "location_precision"]
        assert f'class="atlas-sym {precision}"' in mk.html
        assert "precise" not in mk.html  # no park has a surveyed position
        if precision == "county_seat":
            assert "位置为区县驻地" in mk.popup
        elif precision == "county_seat_implied":
            assert "推断所在区县的驻地" in mk.popup
        else:
            assert "示意点" in mk.popup


def test_parks_legend_uses_the_shared_type_colours(built):
    entries = legend(built["parks"]).entries
    types = {e.label: e.colour for e in entries if e.symbol == "glyph" and
             e.precision == "type"}
    assert types and all(PARK_TYPE_COLOURS.get(t, OTHER) == c for t, c in types.items())
    assert any("区县驻地" in e.label and e.precision == "county_seat" for e in entries)
    assert any("邻域半径" in n and "最少点数" in n for n in legend(built["parks"]).notes)


def test_parks_hulls_match_the_clusters(built, ctx):
    from maps.clustering import ClusterParams, cluster_labels

    parks = ctx.result("parks").gdf
    placed = parks[parks.geometry.notna()]
    n = len(set(cluster_labels(placed, ClusterParams())) - {-1})
    hulls = geojson_features(built["parks"], "atlas-cluster-hull")
    assert len(hulls) == n >= 2
    assert all("个园区" in h["popup"] for h in hulls)


def test_parks_without_position_are_listed_beside_the_map(built, ctx):
    parks = ctx.result("parks").gdf
    unplaced = parks[parks.geometry.isna()]
    content = side_panel(built["parks"]).content
    assert f"未定位园区（{len(unplaced)}个）" in content
    for name in unplaced["name"]:
        assert name.replace("&", "&amp;").replace("“", "“") in content


def test_iot_tiers_counties_circles_and_targets(built, ctx):
    m = built["iot"]
    zones = ctx.result("iot_zones").gdf
    areas = zones[(zones["kind"] == "deployment_area") & zones.geometry.notna()]
    for tier in ("1", "2", "3"):
        drawn = geojson_features(m, f"atlas-iot-tier{tier}")
        assert len(drawn) == (areas["tier"].astype(str) == tier).sum()
        assert all(f["style"]["fillColor"] == IOT_TIER_COLOURS[tier] for f in drawn)
    tier1 = geojson_features(m, "atlas-iot-tier1")
    assert all("示意" in f["popup"] for f in tier1)
    fills = {e.colour for e in legend(m).entries if e.symbol == "fill"}
    assert fills == set(IOT_TIER_COLOURS.values())
    rendered = m.get_root().render()
    for figure in ("250万个", "280万个", "89个", "100个", "120个"):
        assert figure in rendered


def test_iot_shows_agricultural_bases_with_their_precision(built):
    agri = markers(built["iot"], "atlas-agri")
    assert len(agri) >= 2
    assert all("county_seat" in mk.html and "区县驻地" in mk.popup for mk in agri)


def test_province_cities_population_and_data_centre_layout(built, ctx):
    m = built["province"]
    assert len(geojson_features(m, "atlas-prefecture")) == 11
    circles = [c for c in of_type(m, folium.CircleMarker)
               if "atlas-population" in c.options.get("className", "")]
    assert len(circles) == 11
    dc = markers(m, "atlas-dc")
    assert sorted(">核<" in mk.html for mk in dc) == [False] * 4 + [True]
    layouts = ctx.result("province_layout").gdf
    drawn = layouts[layouts["location_precision"] == "prefecture_polygon"]["layout_id"]
    assert len(geojson_features(m, "atlas-layout")) == drawn.nunique()
    assert "一核四副" in side_panel(m).content


def test_province_designations_hubs_and_corridors_by_their_named_places(built, ctx):
    m = built["province"]
    for layer, glyph in (("designations", "称"), ("hubs", "枢")):
        rows = ctx.result(layer).gdf
        city = rows["adcode"].fillna("").str[:4] + "00"
        placed = rows[city.isin(set(ctx.result("prefectures").gdf["adcode"]))]
        cities = set(placed["adcode"].str[:4] + "00")
        for name in rows.loc[~rows.index.isin(placed.index), "name"]:  # province, unnamed
            assert name in side_panel(m).content
        drawn = markers(m, f"atlas-{layer}")
        assert {mk.key.split("-")[-1] for mk in drawn} == cities
        # every placed row is in its city's popup, with its own citation, none drawn twice
        assert sum(int(mk.html.split("<i>")[1].split("<")[0]) for mk in drawn) == len(placed)
        for _, r in placed.iterrows():
            popup = next(mk.popup for mk in drawn if mk.key == f"{layer}-{r['adcode'][:4]}00")
            assert r["name"] in popup and f"（{r['cite']}）" in popup
            if r["place_basis"] == "implied":
                assert f"{r['name']}" in popup and "地点为推断" in popup
        assert all(f">{glyph}<i>" in mk.html and "未给出具体位置" in mk.popup for mk in drawn)
    ganzhou = next(mk for mk in markers(m, "atlas-designations") if mk.key.endswith("360700"))
    assert "国家区块链创新应用综合性试点城市" in ganzhou.popup
    corridors = ctx.result("corridors").gdf
    lines = geojson_features(m, "atlas-corridor")
    assert {f["id"] for f in lines} == set(corridors.loc[corridors["schematic_line_wkt"]
                                                         .notna(), "id"])
    assert all("示意线" in f["tip"] and f["style"]["dashArray"] for f in lines)
    assert any("赣深高铁" in f["tip"] for f in lines)
    assert "走廊与产业带（示意线）" in group_names(m)


def test_chinese_title_block_with_sources_and_date(built):
    for m in built.values():
        tb = of_type(m, TitleBlock)[0]
        assert tb.title and any("赣州市“十四五”数字经济发展规划" in s for s in tb.sources)
        assert "2020" in tb.data_date
        assert "离线" in tb.basemap_note


def test_geojson_carries_geometry_and_ids_only(built):
    for m in built.values():
        for g in of_type(m, folium.GeoJson):
            for f in g.data["features"]:
                assert set(f["properties"]) <= {"id"}


def test_every_park_type_drawn_has_its_own_glyph_and_a_legend_entry(built, ctx):
    from maps.parks import TYPE_GLYPHS

    parks = ctx.result("parks").gdf
    placed = set(parks.loc[parks.geometry.notna() & ~parks.geometry.is_empty, "type_zh"])
    assert {"重大平台", "数据交易平台"} <= set(parks["type_zh"])
    assert set(parks["type_zh"]) <= set(TYPE_GLYPHS)  # none drawn as the catch-all 其
    assert len(set(TYPE_GLYPHS.values())) == len(TYPE_GLYPHS)
    glyphs = {e.label: e.glyph for e in legend(built["parks"]).entries
              if e.symbol == "glyph" and e.precision == "type"}
    assert set(glyphs) == placed and all(glyphs[t] == TYPE_GLYPHS[t] for t in placed)
    for mk in markers(built["parks"], "atlas-park"):
        assert ">其</span>" not in mk.html


def test_cities_and_counties_carry_the_figures_that_are_theirs(built, ctx):
    targets = ctx.result("targets").gdf
    pref = ctx.result("prefectures").gdf.set_index("adcode")
    for adcode, row in pref.iterrows():
        own = targets[(targets["scope"] == "city") & (targets["adcode"] == adcode)]
        assert row["targets_count"] == len(own)
        for _, t in own.iterrows():
            assert f"{t['indicator']}：{int(t['year'])}年" in row["targets_summary"]
            assert f"{t['value_as_stated']}（{t['cite']}）" in row["targets_summary"]
    assert pref.loc["360700", "targets_count"] >= 100  # 赣州's own plan
    assert pref.loc["360200", "targets_count"] == 0  # no city-scope figure for 景德镇
    counties = ctx.result("counties").gdf.set_index("adcode")
    # 信丰's 5G industrial park figures are 信丰's; the city's are never copied down
    assert counties.loc["360722", "targets_count"] == 2
    assert "信丰5G产业园总产值" in counties.loc["360722", "targets_summary"]
    assert counties["targets_count"].sum() == int(targets["scope"].isin(("county", "park"))
                                                  .sum())
    popups = {f["id"]: f["popup"] for f in geojson_features(built["province"],
                                                            "atlas-prefecture")}
    assert f"{pref.loc['360700', 'targets_count']}项" in popups["360700"]
