"""Both stores side by side: bulk import with the county join, and bbox pages on the result.

Usage: .venv/bin/python bench/store.py [--rows 1000000 5000000]
       .venv/bin/python bench/store.py --quick   (smoke run: 20,000 rows)

Each (store, size) runs in a fresh subprocess, so its peak RSS is that import's own. The
input is a validated inventory (what ``import_inventory`` hands the store: sites spread
over central 赣州市, county named by the Python locator), generated in the child before
the clock starts; the clock covers ``store.upsert_batch`` only - for PostGIS the binary
COPY into staging, the county join in the database (``ST_Contains``), the merge and the
index rebuild, one transaction; for SQLite its temp-table staging and merge. Then 200
random bbox pages (0.05 deg square, ~5 x 5 km, 100 items, the base_stations items route's
query) give p50/p99 latency on the store just filled. The PostgreSQL server is a
throw-away cluster (tests/pg.py) with fsync off, as in the tests: the figures are the
store's work, not the disk's. Targets (issue 16): PostGIS >= 100,000 rows/s for 1M rows
with the join, client peak < 1 GB; bbox page p99 < 50 ms on 1M rows.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np, pandas as pd
from pydantic import SecretStr
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo, SiteQuery
from geo.inventory.locate import CountyLocator
kind, rows, data_dir, url = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
settings = AtlasSettings(data_dir=data_dir)
rng = np.random.default_rng(rows)
n = int(rows * 1.05) + 100
lon = rng.uniform(114.6, 115.3, n).round(6)
lat = rng.uniform(25.4, 26.1, n).round(6)
county = CountyLocator.for_region(settings).locate(lon, lat)
keep = np.flatnonzero(county != None)[:rows]
sites = pd.DataFrame({"site_id": [f"B{i:08d}" for i in range(len(keep))],
                      "type": rng.choice(["macro", "micro", "indoor"], len(keep)),
                      "band": rng.choice(["n41", "n78", None], len(keep)),
                      "status": "on_air", "commissioned": "2022-05-01",
                      "lon": lon[keep], "lat": lat[keep], "county_adcode": county[keep]})
if kind == "postgis":
    from geo.store.postgis import PostgisSiteStore
    store = PostgisSiteStore(url, settings)
else:
    from geo.store.sqlite import SqliteSiteStore
    store = SqliteSiteStore(settings.store_path)
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage.ru_utime + usage.ru_stime
t = time.perf_counter()
report = store.upsert_batch(sites, BatchInfo("中国移动", "bench", "cli"), len(sites), [])
seconds = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu0
assert report.inserted == len(sites) == store.count(), (report, store.count())
lat_ms = []
for _ in range(200):
    x, y = rng.uniform(114.6, 115.25), rng.uniform(25.4, 26.05)
    t0 = time.perf_counter()
    page, total = store.query(SiteQuery(operators=("中国移动",), limit=100,
                                        bbox=(x, y, x + 0.05, y + 0.05)))
    lat_ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"rows": report.inserted, "seconds": seconds, "cpu": cpu,
                  "peak_mb": usage.ru_maxrss / 1024,
                  "p50_ms": float(np.percentile(lat_ms, 50)),
                  "p99_ms": float(np.percentile(lat_ms, 99))}))
"""


def _child(kind: str, rows: int, folder: Path, url: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(rows), str(folder), url],
                          capture_output=True, text=True, cwd=ROOT, timeout=3600)
    if done.returncode:
        raise SystemExit(f"{kind} {rows:,} rows failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure every size on both stores and print a table and the ratio line."""
    from tests.pg import APP_ROLE, TEMPLATE, Cluster, _bindir, _postgis_installed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--quick", action="store_true", help="20,000 rows (smoke run)")
    args = parser.parse_args()
    sizes = [20_000] if args.quick else args.rows
    bindir = _bindir()
    if bindir is None or not _postgis_installed(bindir):
        raise SystemExit("PostgreSQL 15 + PostGIS 3 not installed (apt-get install "
                         "postgresql-15-postgis-3)")
    cluster = Cluster(bindir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the cluster on kill too
    try:
        from geo.settings import AtlasSettings
        from geo.store.postgis import PostgisSiteStore

        cluster.sql(f"CREATE DATABASE {TEMPLATE} OWNER {APP_ROLE}")
        cluster.sql("CREATE EXTENSION postgis", TEMPLATE)
        PostgisSiteStore(cluster.url(TEMPLATE), AtlasSettings()).close()
        print(f"{'store':<8} {'rows':>10} {'seconds':>8} {'cpu s':>7} {'rows/s':>9} "
              f"{'peak MB':>8} {'bbox p50':>9} {'p99 ms':>7}")
        results: dict[tuple[str, int], dict] = {}
        for rows in sizes:
            for kind in ("sqlite", "postgis"):
                with tempfile.TemporaryDirectory() as folder:
                    url = cluster.new_database() if kind == "postgis" else ""
                    r = _child(kind, rows, Path(folder), url)
                    if url:
                        cluster.sql(f"DROP DATABASE {url.rsplit('/', 1)[1]}")
                results[kind, rows] = r
                print(f"{kind:<8} {r['rows']:>10,} {r['seconds']:>8.1f} {r['cpu']:>7.1f} "
                      f"{r['rows'] / r['seconds']:>9,.0f} {r['peak_mb']:>8.0f} "
                      f"{r['p50_ms']:>9.1f} {r['p99_ms']:>7.1f}", flush=True)
        first = sizes[0]
        pg, lite = results["postgis", first], results["sqlite", first]
        print(f"ratio postgis/sqlite import rows/s at {first:,} rows: "
              f"{(pg['rows'] / pg['seconds']) / (lite['rows'] / lite['seconds']):.2f}x")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
