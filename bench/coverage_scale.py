"""Coverage at Jiangxi scale: 20k -> 100k -> 1M sites over all 100 counties at 100 m.

Usage: .venv/bin/python bench/coverage_scale.py [--sites 20000 100000 1000000] [--res 100]
       .venv/bin/python bench/coverage_scale.py --quick   (CI smoke run: 2k and 8k at 1000 m)

The service's coverage run covers 赣州市 (18 counties, 8 M cells at 100 m; bench/coverage.py).
A province-wide inventory (``ATLAS_INVENTORY_REGION=jiangxi``, ~100k sites of five
operators) needs the same analysis over 江西省: 167,092 km², ≈ 16.7 M cells inside the
province at 100 m (the bounding box is larger). This bench runs the service's own steps -
radii (``site_radii``), exact disc rasterisation (``serving_counts``), the county and urban
zone rasters and their per-county counts, the gap polygons and the COG - on the grid of
the 100 Jiangxi counties, each point in a fresh interpreter (peak RSS is that point's).

Sites are synthetic (the seeded generator's rule: area-weighted per county, 55% in a
Gaussian cluster round the seat, types and statuses by the generator's shares), drawn
province-wide and labelled synthetic; generating them is not timed, reading them from a
store is not part of it either (bench/inventory.py measures imports). The baseline is the
first point of the same run; ratios are against it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np, pandas as pd
from pyproj import Transformer
from geo.boundaries import read_level
from geo.catalog import BuildContext
from geo.coverage.analysis import _gap_features, _write_cog, _zone_counts, zone_rasters
from geo.coverage.model import CoverageModel, site_radii, to_metric
from geo.coverage.raster import Grid, serving_counts
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.inventory.synthetic import STATUS_P, TYPE_P, _allocate, _points_in
from geo.settings import AtlasSettings

n, res, out = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
settings = AtlasSettings(data_dir=out)
counties = read_level(settings, "county").sort_values("adcode").reset_index(drop=True)
tiers = {a: c.fiveg_tier for a, c in BuildContext(settings).plan.counties.items()}
rng = np.random.default_rng(n)
to_gk = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
to_ll = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
frames = []
for (_, c), k in zip(counties.iterrows(), _allocate(counties["area_km2"].to_numpy(), n)):
    pts = _points_in(c.geometry, (c.seat_lon, c.seat_lat), int(k), rng, to_gk,
                     to_ll).reshape(-1, 2)
    frames.append(pd.DataFrame({"lon": pts[:, 0], "lat": pts[:, 1], "county_adcode": c.adcode}))
sites = pd.concat(frames, ignore_index=True)
sites["type"] = rng.choice(list(TYPE_P), len(sites), p=list(TYPE_P.values()))
sites["status"] = rng.choice(list(STATUS_P), len(sites), p=list(STATUS_P.values()))
model = CoverageModel()
steps = {}
t = t0 = time.perf_counter()
def step(name):
    global t
    now = time.perf_counter(); steps[name] = now - t; t = now
gdf = counties.to_crs(METRIC_CRS)
gdf["seat_x"], gdf["seat_y"] = to_metric(gdf["seat_lon"], gdf["seat_lat"])
gdf["fiveg_tier"] = gdf["adcode"].map(tiers).fillna("未点名")
grid = Grid.covering(tuple(gdf.total_bounds), res)
seats = dict(zip(gdf["adcode"], zip(gdf["seat_x"], gdf["seat_y"])))
radius, _ = site_radii(sites, seats, model)
x, y = to_metric(sites["lon"], sites["lat"])
step("radii")
counts = serving_counts(grid, x, y, radius)
step("raster")
county_id, urban = zone_rasters(grid, gdf, model)
zones = _zone_counts(counts, county_id, urban, gdf)
step("zones")
gaps = _gap_features(counts, county_id, urban, grid, gdf)
step("gaps")
_write_cog(counts, county_id, grid, out / "coverage.tif")
step("cog")
inside = int(zones["cells"][1:].sum())
print(json.dumps({"seconds": time.perf_counter() - t0, "steps": steps,
                  "cells": grid.width * grid.height, "inside": inside,
                  "covered_pct": 100 * float(zones["covered"][1:].sum()) / inside,
                  "sites_used": int((radius > 0).sum()), "gaps": len(gaps),
                  "cog_mb": (out / "coverage.tif").stat().st_size / 2**20,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(n: int, res: float) -> dict:
    """One point in a fresh interpreter and output dir."""
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, "-c", CHILD, str(n), str(res), out],
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{n:,} sites at {res:g} m failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the growth with sites at one resolution, province-wide."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[20_000, 100_000, 1_000_000])
    parser.add_argument("--res", type=float, default=100.0)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): 2,000 and "
                             "8,000 sites at 1000 m")
    args = parser.parse_args()
    sites, res = ([2_000, 8_000], 1000.0) if args.quick else (args.sites, args.res)
    print("Jiangxi (100 counties), synthetic sites; seconds per step; peak RSS per point")
    print(f"{'sites':>9} {'res':>6} {'bbox cells':>11} {'inside':>11} {'radii':>6} "
          f"{'raster':>7} {'zones':>6} {'gaps':>6} {'cog':>5} {'total s':>8} {'x first':>7} "
          f"{'peak MB':>8} {'covered':>7}")
    base = last = None
    for n in sites:
        m = measure(n, res)
        base = base or m["seconds"]
        last = m["seconds"]
        s = m["steps"]
        print(f"{n:>9,} {res:>4g} m {m['cells']:>11,} {m['inside']:>11,} {s['radii']:6.2f} "
              f"{s['raster']:7.2f} {s['zones']:6.2f} {s['gaps']:6.2f} {s['cog']:5.2f} "
              f"{m['seconds']:8.2f} {m['seconds'] / base:6.2f}x {m['peak_mb']:8,.0f} "
              f"{m['covered_pct']:6.1f}%", flush=True)
    assert base is not None and last is not None
    print(f"ratio {sites[-1]:,} / {sites[0]:,} sites at {res:g} m province-wide: "
          f"{last / base:.2f}x")


if __name__ == "__main__":
    main()
