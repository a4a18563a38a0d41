"""Coverage analysis time and memory: how it grows with sites and with resolution.

Usage: .venv/bin/python bench/coverage.py [--sites 6122 20000 200000] [--res 50 100 250]
       .venv/bin/python bench/coverage.py --quick   (CI smoke run: 1k and 4k sites at 500 m)

Each point runs in a fresh interpreter over a store filled with the seeded synthetic
generator (import time excluded): the full `coverage run` - read sites, radii, raster,
zonal statistics, gap polygons, COG. The baseline measured in the same run is the raster
step alone for the smallest site count (the irreducible part); ratios are printed against
it. Targets: 20k sites < 5 s, 200k < 30 s at 100 m on this 2-core machine.
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
import pandas as pd
from geo.catalog import BuildContext
from geo.coverage.analysis import run_coverage, all_sites
from geo.coverage.model import CoverageModel, site_radii, to_metric
from geo.coverage.raster import Grid, serving_counts
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.inventory.synthetic import synthetic_inventory
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo
from geo.store.sqlite import SqliteSiteStore
n, res, data_dir = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
settings = AtlasSettings(data_dir=data_dir, demo_inventory=False)
store = SqliteSiteStore(settings.store_path)
sites = synthetic_inventory(settings, total=n, seed=n)
import_inventory(store, sites.drop(columns="operator").to_csv(index=False).encode(),
                 BatchInfo("中国移动", "bench", "cli"), CountyLocator.for_region(settings),
                 10_000_000)
ctx = BuildContext(settings)
tiers = {a: c.fiveg_tier for a, c in ctx.plan.counties.items()}
parks = pd.DataFrame(columns=["id", "name", "lon", "lat", "county_adcode"])
t = time.perf_counter()
run = run_coverage(settings, store, tiers, parks, 2025, res, CoverageModel())
total = time.perf_counter() - t
print(json.dumps({"seconds": total, "cells": run.stats["grid"]["width"] *
                  run.stats["grid"]["height"], "sites_used": run.stats["sites_used"],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(n: int, res: float) -> dict:
    """One run in a fresh interpreter and data dir."""
    with tempfile.TemporaryDirectory() as data_dir:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(res), data_dir],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the growth curve with sites (at 100 m) and with resolution (at 20k sites)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[6122, 20_000, 200_000])
    parser.add_argument("--res", type=float, nargs="+", default=[50, 100, 250])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): 1,000 and "
                             "4,000 sites at 500 m, no resolution sweep")
    args = parser.parse_args()
    cell, sweep = (500.0, []) if args.quick else (100.0, args.res)
    sites = [1_000, 4_000] if args.quick else args.sites
    base = None
    print("sites      res  cells        seconds  x first  peak MB")
    points = [(n, cell) for n in sites] + [(20_000, r) for r in sweep if r != cell]
    for n, res in points:
        m = measure(n, res)
        base = base or m["seconds"]
        print(f"{n:>7,} {res:>5g} m {m['cells']:>11,} {m['seconds']:>8.2f} "
              f"{m['seconds'] / base:>7.2f}x {m['peak_mb']:>8,.0f}", flush=True)
        if (n, res) == (sites[-1], cell):
            last = m["seconds"]
    print(f"ratio {sites[-1]:,} / {sites[0]:,} sites at {cell:g} m: {last / base:.2f}x")


if __name__ == "__main__":
    main()
