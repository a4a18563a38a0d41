"""Independent checks of the coverage run against plain geopandas/shapely computations."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from geo.boundaries import ganzhou_counties
from geo.coverage.analysis import all_sites, run_coverage
from geo.coverage.model import CoverageModel, site_radii, to_metric
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.inventory.synthetic import synthetic_inventory
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo
from geo.store.sqlite import SqliteSiteStore
from tests.pg import STORE_KINDS


@pytest.fixture(scope="module", params=STORE_KINDS)
def run(request, tmp_path_factory, ctx):
    """One coverage run over 1,500 imported sites, on SQLite and on PostGIS."""
    settings = AtlasSettings(data_dir=tmp_path_factory.mktemp("cov"), demo_inventory=False)
    if request.param == "postgis":
        from geo.store.postgis import PostgisSiteStore

        store = PostgisSiteStore(request.getfixturevalue("pg_cluster").new_database(),
                                 settings)
    else:
        store = SqliteSiteStore(settings.store_path)
    sites = synthetic_inventory(settings, total=1500, seed=7)
    data = sites.drop(columns="operator").to_csv(index=False).encode()
    import_inventory(store, data, BatchInfo("中国移动", "t", "cli"),
                     CountyLocator.for_region(settings), 10_000)
    tiers = {a: c.fiveg_tier for a, c in ctx.plan.counties.items()}
    parks = pd.DataFrame(columns=["id", "name", "lon", "lat", "county_adcode"])
    towns = pd.DataFrame({"name": ["a", "b"], "lon": [114.935, 116.0],
                          "lat": [25.832, 26.9], "county_adcode": ["360702", "360730"]})
    result = run_coverage(settings, store, tiers, parks, 2025, 100.0, CoverageModel(), towns)
    return settings, store, result


def test_site_counts_per_county_equal_a_plain_sjoin(run):
    settings, store, _ = run
    sites = all_sites(store)
    pts = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
                           crs=4326)
    joined = gpd.sjoin(pts, ganzhou_counties(settings)[["adcode", "geometry"]],
                       predicate="within")
    theirs = joined.groupby("adcode").size()
    ours = store.county_totals().groupby("county_adcode")["n"].sum()
    assert ours.sort_index().to_dict() == theirs.sort_index().to_dict()


def test_covered_area_agrees_with_a_vector_union_within_1_percent(run):
    settings, store, result = run
    sites = all_sites(store)
    counties = ganzhou_counties(settings).to_crs(4547).set_index("adcode")
    seats = dict(zip(counties.index, zip(*to_metric(counties["seat_lon"],
                                                     counties["seat_lat"]), strict=True),
                     strict=True))
    radius, _ = site_radii(sites, seats, CoverageModel())
    x, y = to_metric(sites["lon"], sites["lat"])
    keep = radius > 0
    discs = shapely.union_all(shapely.buffer(shapely.points(x[keep], y[keep]), radius[keep],
                                             quad_segs=32))
    for stat in result.stats["counties"]:
        county = counties.geometry[stat["adcode"]]
        vector_pct = 100 * discs.intersection(county).area / county.area
        assert abs(stat["covered_area_pct"] - vector_pct) <= 1.0, stat["name"]


def test_cog_is_cloud_optimized_in_cgcs2000_gk(run):
    _, _, result = run
    with rasterio.open(result.cog) as src:
        assert src.crs.to_epsg() == 4547 and src.res == (100.0, 100.0)
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.overviews(1)
        assert src.nodata == 65535 and src.width * src.height > 4_000_000


def test_gaps_and_not_assessable_are_honest(run):
    _, _, result = run
    gaps = gpd.read_file(result.gaps)
    assert set(gaps["gap_kind"]) <= {"main_urban", "full_depth_county"} and len(gaps) > 0
    by_county = {s["adcode"]: s for s in result.stats["counties"]}
    assert all(s["mines_coverage"] == "not assessable" for s in by_county.values())
    assert by_county["360702"]["township_coverage_pct"] in (0.0, 100.0)
    assert by_county["360722"]["township_coverage_pct"] == "not assessable"
    total_gap = gaps.groupby("adcode")["area_km2"].sum()
    for adcode, km2 in total_gap.items():
        assert abs(km2 - by_county[adcode]["gap_area_km2"]) < 0.02 * km2 + 0.1


def test_radius_rules(ctx):
    model = CoverageModel()
    seats = {"360702": to_metric([114.935], [25.832])}
    seats = {"360702": (float(seats["360702"][0][0]), float(seats["360702"][1][0]))}
    sites = pd.DataFrame({"lon": [114.935, 114.935, 115.2, 114.935, 114.935],
                          "lat": [25.832, 25.832, 26.1, 25.832, 25.832],
                          "type": ["macro", "micro", "macro", "indoor", "macro"],
                          "status": ["on_air", "on_air", "on_air", "on_air", "planned"],
                          "county_adcode": ["360702"] * 5})
    radius, urban = site_radii(sites, seats, model)
    assert radius.tolist() == [500, 150, 2000, 0, 0]
    assert urban.tolist() == [True, True, False, True, True]
    assert np.all(radius >= 0)
