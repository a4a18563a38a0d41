"""Map benchmark: build time and page weight of every registered map.

    .venv/bin/python bench/maps.py [--repeat 5]
    .venv/bin/python bench/maps.py --quick   (CI smoke run: one build each, 250 m coverage)

Layers are built first (once, as the running service does at start-up), so the times are
the maps' own: folium object tree, geometry simplification / GCJ shift, and HTML rendering.
For each map it prints the median and worst of ``--repeat`` builds (target: < 1 s for the
Ganzhou maps), the served page (HTML only; the vendor files are cached by the browser), the
same gzip-compressed (what the API sends), the vendor files a first visit loads, and the
self-contained export (everything inlined; the file a planner e-mails). Limit: 2 MB a page.

The coverage map also needs the site store and a coverage run: the demo inventory is loaded
into a fresh store and the run made once (its time is printed, not counted, as the service
reuses a run until the sites change); each timed build of that map then includes assembling
its input (scorecard, gaps, demo sites: ``coverage_map_data``) as well as warping the raster
(the first build; later ones reuse the warped PNG, as the service does).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT = 2 * 1024 * 1024


def kb(n: int) -> str:
    """Bytes as KB with a thousands separator."""
    return f"{n / 1024:,.0f} KB"


def vendor_bytes(names: set[str]) -> int:
    """Bytes of the vendor files a page references (JS/CSS, not the CSS images)."""
    from maps.assets import NODE_MODULES, vendor_files

    return sum((NODE_MODULES / f.rel).stat().st_size for f in vendor_files() if f.rel in names)


def main() -> None:
    """Time and weigh every map; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): one build "
                             "per map, coverage run at 250 m")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    import re

    from geo.catalog import BuildContext
    from geo.inventory.locate import CountyLocator
    from geo.inventory.synthetic import load_synthetic
    from geo.layers import LAYERS
    from geo.settings import AtlasSettings
    from geo.store import open_store
    from maps.assets import AssetMode
    from maps.base import MapOptions
    from maps.coverage_data import coverage_map_data, default_run
    from maps.registry import MAPS
    from maps.render import page

    settings = AtlasSettings(data_dir=Path(tempfile.mkdtemp(prefix="atlas-bench-")),
                             **({"coverage_resolution_m": 250} if args.quick else {}))
    ctx = BuildContext(settings)
    t0 = time.perf_counter()
    for name in LAYERS:
        ctx.result(name)
    print(f"layers built in {time.perf_counter() - t0:.2f} s (not counted below)")
    store = open_store(settings)
    n = load_synthetic(store, settings, CountyLocator.for_region(settings))
    t0 = time.perf_counter()
    default_run(settings, store, ctx, 2025)
    print(f"coverage run of {n:,} demo sites in {time.perf_counter() - t0:.2f} s "
          "(once; not counted below)\n")

    def coverage():
        return coverage_map_data(settings, store, ctx, 2025)

    print("| map | build + render, median (worst) | served HTML | gzip | + vendor JS/CSS "
          "| self-contained |")
    print("| --- | --- | --- | --- | --- | --- |")
    largest, slowest = (0, ""), (0.0, "")
    for name, spec in MAPS.items():
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            data = coverage() if spec.needs_coverage else None
            html = page(name, ctx, MapOptions(), AssetMode.served(), data)
            times.append(time.perf_counter() - t)
        served = len(html.encode())
        refs = set(re.findall(r'/static/vendor/([^"]+)"', html))
        inline = len(page(name, ctx, MapOptions(), AssetMode.inline(), data).encode())
        flag = "" if inline < LIMIT else " **over 2 MB**"
        print(f"| {name} ({spec.region}) | {statistics.median(times):.2f} s "
              f"({max(times):.2f} s) | {kb(served)} | {kb(len(gzip.compress(html.encode())))} "
              f"| {kb(vendor_bytes(refs))} | {kb(inline)}{flag} |", flush=True)
        largest = max(largest, (inline, name))
        if spec.region != "jiangxi":
            slowest = max(slowest, (statistics.median(times), name))
    print(f"\nratio largest page / 2 MB limit: {largest[0] / LIMIT:.2f} ({largest[1]}, "
          f"self-contained); slowest Ganzhou map / 1 s target: {slowest[0]:.2f} "
          f"({slowest[1]}, median build)")


if __name__ == "__main__":
    main()
