"""The 5G coverage-gap map: its input, object tree, raster overlay and the site policy."""

import base64
import io
import math
import warnings

import folium
import numpy as np
import pandas as pd
import pytest
import rasterio
from folium.plugins import MarkerCluster
from folium.raster_layers import ImageOverlay
from rasterio.io import MemoryFile

from geo.coords import wgs84_to_gcj02
from geo.errors import InvalidParameterError
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo
from geo.store.sqlite import SqliteSiteStore
from geo.styles import FIVEG_TIER_COLOURS
from maps.base import MapOptions
from maps.coverage import (
    PCT_CLASSES,
    SYNTHETIC,
    pct_classes,
    pct_style,
    target_source,
    timeline_pcts,
)
from maps.coverage_data import (
    SITE_COLUMNS,
    CoverageMapData,
    CoverageSource,
    coverage_map_data,
    default_run,
)
from maps.elements import SiteMarkers
from maps.errors import CoverageDataMissingError
from maps.raster import COLOURS, coverage_overlay, rgba_css
from maps.registry import build_map
from tests.maps.helpers import geojson_features, legend, of_type, side_panel, title_block

GANZHOU_BBOX = (113.9, 24.4, 116.7, 27.3)


@pytest.fixture(scope="module")
def m(built):
    return built["coverage"]


@pytest.fixture(scope="module")
def gaode(ctx, coverage_data):
    return build_map("coverage", ctx, MapOptions(basemap="gaode"), coverage_data)


def _decode(png: bytes) -> np.ndarray:
    """Palette indices of a PNG (GDAL's PNG driver reads paletted images as indices)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with MemoryFile(io.BytesIO(png)) as f, f.open() as src:
            return src.read(1)


def _png_classes(data_uri: str) -> np.ndarray:
    return _decode(base64.b64decode(data_uri.split(",", 1)[1]))


def _overlay(m) -> ImageOverlay:
    found = [o for o in of_type(m, ImageOverlay)
             if o.options.get("className") == "atlas-coverage-raster"]
    assert len(found) == 1
    return found[0]


def _sites(m) -> SiteMarkers:
    found = of_type(m, SiteMarkers)
    assert len(found) == 1 and isinstance(found[0]._parent, MarkerCluster)
    return found[0]


def test_choropleth_colours_all_18_counties_by_pct_of_target(m, coverage_data):
    counties = geojson_features(m, "atlas-choropleth")
    assert len(counties) == 18
    card = coverage_data.card.set_index("adcode")
    classes = _classes(coverage_data, 2025)
    for f in counties:
        row = card.loc[f["id"]]
        assert f["style"]["fillColor"] == pct_style(row["pct_of_target_2025"], classes)[0]
        assert "2025年目标" in f["popup"] and "目标完成率" in f["popup"]
        assert target_source(row["target_2025_source"]) in f["popup"]
        real = row["sites_total"] - row["synthetic_sites"]
        assert f"其中运营商报送站点</th><td>{real}个（仅公开数量" in f["popup"]
        assert "出处" in f["popup"]
    assert any("分配值" in f["popup"] for f in counties)


def _classes(data, year):
    return pct_classes([*data.card[f"pct_of_target_{year}"], *timeline_pcts(data)])


def test_quantile_classes_separate_the_counties_and_are_stated(coverage_data):
    classes = _classes(coverage_data, 2025)
    assert len(classes) == 6 and classes[-1] == PCT_CLASSES[-1]  # five quantiles + 达标
    used = {pct_style(p, classes)[0] for p in coverage_data.card["pct_of_target_2025"]}
    assert len(used) >= 3  # fixed 20-point classes gave one or two colours
    uppers = [u for u, _, _ in classes]
    assert uppers == sorted(uppers)


def test_pct_classes_cover_every_value():
    assert pct_style(0)[1] == PCT_CLASSES[0][2]
    assert pct_style(99.9)[1] == PCT_CLASSES[-2][2]
    assert pct_style(100)[1] == PCT_CLASSES[-1][2] and pct_style(None)[1] == "目标为0"


def test_raster_overlay_is_an_embedded_png_in_the_tile_colours(m, coverage_data):
    overlay = _overlay(m)
    assert overlay.url.startswith("data:image/png;base64,")
    assert overlay.show is False  # over the choropleth it would hide it: off by default
    assert overlay.options["pane"] == "atlas-raster"
    (south, west), (north, east) = overlay.bounds
    assert GANZHOU_BBOX[0] < west < east < GANZHOU_BBOX[2]
    assert GANZHOU_BBOX[1] < south < north < GANZHOU_BBOX[3]
    classes = _png_classes(overlay.url)
    assert set(np.unique(classes)) == {0, 1, 2, 3, 4}  # outside, gap, 1, 2, 3+
    # ~200 m pixels: the city is ~270 km across
    assert 1000 < classes.shape[1] < 1800
    ov = coverage_overlay(coverage_data.cog, 200)
    assert len(ov.png) < 100 * 1024


def test_raster_colours_are_the_coverage_tiles_colours(coverage_data):
    from geo.coverage.tiles import coverage_png_tile

    with MemoryFile(coverage_png_tile(coverage_data.cog, 8, 209, 108)) as f, f.open() as src:
        rgba = src.read()
    seen = {tuple(int(v) for v in rgba[:, i, j]) for i in range(0, 256, 8)
            for j in range(0, 256, 8) if rgba[3, i, j]}
    assert seen and seen <= set(COLOURS.values())


def test_gaode_shifts_raster_sites_and_gaps_to_gcj02(m, gaode, coverage_data):
    plain_b, gcj_b = _overlay(m).bounds, _overlay(gaode).bounds
    for (lat1, lon1), (lat2, lon2) in zip(plain_b, gcj_b, strict=True):
        metres = math.hypot((lon2 - lon1) * 100_000, (lat2 - lat1) * 111_000)
        assert 300 < metres < 900
    plain, shifted = _sites(m).sites[0], _sites(gaode).sites[0]
    lon, lat = wgs84_to_gcj02(np.array([plain.lon]), np.array([plain.lat]))
    assert abs(shifted.lon - lon[0]) < 2e-5 and abs(shifted.lat - lat[0]) < 2e-5
    gaps_plain = geojson_features(m, "atlas-gap")[0]["feature"]["geometry"]["coordinates"]
    gaps_gcj = geojson_features(gaode, "atlas-gap")[0]["feature"]["geometry"]["coordinates"]
    assert gaps_plain != gaps_gcj
    assert "GCJ-02" in title_block(gaode).basemap_note


def test_gcj02_raster_is_resampled_not_just_moved(coverage_data):
    """Each GCJ-02 pixel holds the class of the WGS84 pixel under it (inverse shift)."""
    from pyproj import Transformer

    from geo.coords import gcj02_to_wgs84

    plain = coverage_overlay(coverage_data.cog, 200, gcj02=False)
    gcj = coverage_overlay(coverage_data.cog, 200, gcj02=True)
    a, b = _decode(plain.png), _decode(gcj.png)
    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, b.shape[0], 4000), rng.integers(0, b.shape[1], 4000)

    def grid(overlay):
        (s, w), (n, e) = overlay.bounds
        (x0, x1), (y0, y1) = merc.transform([w, e], [s, n])
        return x0, y1, (x1 - x0) / overlay.width, (y1 - y0) / overlay.height

    gx0, gy1, gdx, gdy = grid(gcj)
    lon, lat = merc.transform(gx0 + (cols + 0.5) * gdx, gy1 - (rows + 0.5) * gdy,
                              direction="INVERSE")
    x, y = merc.transform(*gcj02_to_wgs84(np.asarray(lon), np.asarray(lat)))
    px0, py1, pdx, pdy = grid(plain)
    r = np.floor((py1 - np.asarray(y)) / pdy).astype(int)
    c = np.floor((np.asarray(x) - px0) / pdx).astype(int)
    ok = (r >= 0) & (r < a.shape[0]) & (c >= 0) & (c < a.shape[1])
    agree = (a[r[ok], c[ok]] == b[rows[ok], cols[ok]]).mean()
    assert agree > 0.97  # only cells on class edges may differ


def test_gap_polygons_from_the_analysis(m, coverage_data):
    gaps = geojson_features(m, "atlas-gap")
    assert len(gaps) == len(coverage_data.gaps) > 0
    kinds = {g["style"]["className"].split()[-1] for g in gaps}
    assert kinds <= {"atlas-gap-main_urban", "atlas-gap-full_depth_county"}
    assert all("平方公里" in g["tip"] and "规划近似" in g["popup"] for g in gaps)


def test_tier_outlines_in_the_shared_colours(m):
    tiers = geojson_features(m, "atlas-tier")
    assert {t["id"] for t in tiers} == {f"tier-{t}" for t in FIVEG_TIER_COLOURS}
    for t in tiers:
        assert t["style"]["color"] == FIVEG_TIER_COLOURS[t["id"].removeprefix("tier-")]
        assert t["style"]["fill"] is False


def test_only_synthetic_sites_are_drawn_clustered_and_marked(m, coverage_data, site_store):
    element = _sites(m)
    synthetic = int(site_store.county_totals().query("synthetic == 1")["n"].sum())
    assert len(element.sites) == len(coverage_data.sites) == synthetic == 6122
    data = element.data
    assert len(data["y"]) == len(data["x"]) == len(data["k"]) == synthetic
    assert SYNTHETIC in data["flag"]
    rendered = m.get_root().render()
    assert "合成演示站点" in rendered and "atlas-synthetic" in rendered
    cluster = element._parent
    assert "合成" in cluster.icon_create_function and SYNTHETIC in cluster.layer_name


def test_legend_names_the_scenario_year_and_every_layer(m, coverage_data):
    lg = legend(m)
    titles = [s.title for s in lg.sections]
    assert any("2025年目标完成率" in t for t in titles)
    fills = {e.colour for e in lg.entries if e.symbol == "fill"}
    assert {c for _, c, _ in _classes(coverage_data, 2025)} <= fills
    assert any("分位数分级" in t for t in titles)
    assert {rgba_css(c) for c in COLOURS.values()} <= fills
    lines = {e.label: e.colour for e in lg.entries if e.symbol == "line"}
    assert lines == FIVEG_TIER_COLOURS
    assert any(SYNTHETIC in s.title for s in lg.sections)
    assert all(e.precision.startswith("synthetic") for e in lg.entries if e.symbol == "glyph")
    notes = " ".join(lg.notes)
    assert "情景：2025年目标" in notes and coverage_data.model_text in notes
    assert "分配值" in notes


def test_title_block_and_side_panel_state_approximation_targets_and_sites(m, coverage_data):
    tb = title_block(m)
    assert "2025年目标情景" in tb.subtitle and "2020" in tb.data_date
    assert any(coverage_data.model_text in s for s in tb.sources)
    assert "规划近似" in tb.html and SYNTHETIC in tb.html and "不绘制位置" in tb.html
    content = side_panel(m).content
    for text in ("赣州市合计", coverage_data.method_text, coverage_data.model_text,
                 "运营商报送", "真实站点属商业敏感数据"):
        assert text in content.replace("&quot;", '"'), text


def test_layer_control_lists_every_layer(m):
    names = [layer.layer_name for layer in of_type(m, folium.map.Layer)
             if getattr(layer, "control", False) and layer.overlay]
    for needle in ("目标完成率", "覆盖栅格", "覆盖梯次", "覆盖缺口", SYNTHETIC):
        assert any(needle in n for n in names), needle


def test_the_map_needs_its_coverage_input(ctx):
    with pytest.raises(CoverageDataMissingError):
        build_map("coverage", ctx)


def test_2023_scenario_and_unknown_years(settings, ctx, site_store):
    run = default_run(settings, site_store, ctx, 2023)
    data = coverage_map_data(settings, site_store, ctx, 2023, run=run)
    m23 = build_map("coverage", ctx, coverage=data)
    assert any("2023年目标完成率" in s.title for s in legend(m23).sections)
    card = data.card.set_index("adcode")
    classes = _classes(data, 2023)
    for f in geojson_features(m23, "atlas-choropleth"):
        assert f["style"]["fillColor"] == pct_style(card.loc[f["id"], "pct_of_target_2023"],
                                                    classes)[0]
    with pytest.raises(InvalidParameterError) as err:
        coverage_map_data(settings, site_store, ctx, 2024, run=run)
    assert err.value.status == 400 and err.value.parameter == "scenario"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, settings, ctx, site_store):
    """A store with one real operator site, two synthetic ones and a planner's override."""
    other = AtlasSettings(data_dir=tmp_path_factory.mktemp("mixed"), demo_inventory=False)
    store = SqliteSiteStore(other.store_path)
    locator = CountyLocator.for_region(other)
    real = "site_id,lon,lat,type,band,status,commissioned\nR1,114.9387,25.8512,macro,n78,on_air,\n"
    demo = ("site_id,lon,lat,type,band,status,commissioned\n"
            "S1,114.95,25.86,macro,n78,on_air,\nS2,115.01,25.9,micro,n78,built,\n")
    import_inventory(store, real.encode(), BatchInfo("中国移动", "t", "cli"), locator, 100)
    import_inventory(store, demo.encode(), BatchInfo("中国电信", "t", "synthetic",
                                                     synthetic=True), locator, 100)
    store.record_target_override("360702", 2025, 1234, 999, "planner-x")
    mine = ctx.with_settings(other)
    return coverage_map_data(other, store, mine, 2025, run=default_run(other, store, mine, 2025))


def test_real_sites_are_counted_never_drawn(mixed, ctx):
    # once a real site exists the map is on the real basis: no demo sites mixed in either
    assert mixed.sites.empty and mixed.city["data_basis"] == "real"
    assert mixed.real_sites == 1 and int(mixed.card["synthetic_sites"].sum()) == 0
    assert mixed.cog is None and mixed.gaps.empty  # fine coverage would locate R1
    assert mixed.card["parks_covered"].isna().all()  # public precision on the public map
    assert all(v is None or float(v).is_integer() for v in mixed.card["covered_area_pct"])
    m = build_map("coverage", ctx, coverage=mixed)
    assert not of_type(m, ImageOverlay) and not geojson_features(m, "atlas-gap")
    assert "[114.9387, 25.8512]" not in m.get_root().render()
    assert "25.8512" not in m.get_root().render()
    popup = {f["id"]: f["popup"] for f in geojson_features(m, "atlas-choropleth")}["360702"]
    assert "其中运营商报送站点</th><td>1个" in popup
    with pytest.raises(ValueError, match="synthetic"):
        CoverageMapData(**{**mixed.__dict__, "sites": pd.DataFrame(
            [{**dict.fromkeys(SITE_COLUMNS, 0), "lon": 114.9387, "lat": 25.8512}])})


def test_overridden_targets_are_shown_as_such(mixed, ctx):
    assert mixed.overridden == ["章贡区"]
    m = build_map("coverage", ctx, coverage=mixed)
    popup = {f["id"]: f["popup"] for f in geojson_features(m, "atlas-choropleth")}["360702"]
    assert "1234个 · 规划人员调整：planner-x" in popup and "原值999" in popup
    assert "章贡区为规划人员调整值" in " ".join(legend(m).notes)
    assert "规划人员已调整：章贡区" in side_panel(m).content


def test_coverage_source_reassembles_only_when_data_change(settings, ctx, tmp_path):
    other = AtlasSettings(data_dir=tmp_path, demo_inventory=False)
    store = SqliteSiteStore(other.store_path)
    calls = []

    def run(scenario):
        calls.append(scenario)
        return default_run(settings, SqliteSiteStore(settings.store_path), ctx, scenario)

    source = CoverageSource(other, store, ctx, run=run)
    first = source.data(2025)
    assert source.data(2025) is first and set(calls) == {2025}
    store.record_target_override("360703", 2025, 10, None, "p")
    second = source.data(2025)
    assert second is not first and second.version != first.version
    assert second.overridden == ["南康区"]


def test_no_plan_colour_is_the_river_blue():
    """A tier outline or hub drawn in the basemap's river colour reads as a river."""
    from geo.styles import STYLES
    from maps.basemaps import RIVER_COLOUR

    plan = {*FIVEG_TIER_COLOURS.values(), *(s.colour for s in STYLES.values())}
    for style in STYLES.values():
        plan |= set((style.categories or {}).values())
    assert RIVER_COLOUR.lower() not in {c.lower() for c in plan if c}
