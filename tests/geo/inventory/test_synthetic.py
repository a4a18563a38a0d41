"""The seeded synthetic generator: every point lies inside its county as written (rounded)."""

import numpy as np
import pandas as pd
import shapely

from geo.boundaries import ganzhou_counties
from geo.inventory.locate import CountyLocator
from geo.inventory.synthetic import BASELINE_2020, SEED, synthetic_inventory


def test_200k_points_all_inside_their_county_after_rounding(settings):
    # Seed 200000 is what `bench/coverage.py --sites 200000` uses; before rounding came first,
    # its row 84106 (lon 114.921819) rounded out of 赣州市 and the import refused the file.
    sites = synthetic_inventory(settings, total=200_000, seed=200_000)
    assert len(sites) == 200_000 and sites["site_id"].is_unique
    # What the importer sees: the CSV text parsed back, as validate() does.
    lon = pd.to_numeric(sites["lon"].astype(str)).to_numpy(float)
    lat = pd.to_numeric(sites["lat"].astype(str)).to_numpy(float)
    assert np.array_equal(lon, np.round(lon, 6)) and np.array_equal(lat, np.round(lat, 6))
    counties = ganzhou_counties(settings)
    city = shapely.union_all(counties.geometry.to_numpy())
    shapely.prepare(city)
    outside = np.flatnonzero(~shapely.contains_xy(city, lon, lat))
    assert outside.size == 0, sites.iloc[outside[:5]]
    # ... and each in the county its id names (SYN-<last two adcode digits>-n).
    located = CountyLocator.for_region(settings).locate(lon, lat)
    named = sites["site_id"].str.slice(4, 6).to_numpy()
    assert (np.array([a[-2:] for a in located]) == named).all()


def test_demo_inventory_is_deterministic(settings):
    a = synthetic_inventory(settings, total=BASELINE_2020, seed=SEED)
    b = synthetic_inventory(settings, total=BASELINE_2020, seed=SEED)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == BASELINE_2020
