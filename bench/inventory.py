"""Inventory import throughput and peak memory: 100k and 1M-row CSVs.

Usage: .venv/bin/python bench/inventory.py [--rows 100000 1000000]
       .venv/bin/python bench/inventory.py --quick   (CI smoke run: 20,000 rows)

Each size runs in a fresh subprocess (so peak RSS is that import's own): the full path of
`ganzhou-atlas sites import` - read, validate, GCJ/WGS handling, county join, one SQLite
transaction - into an empty store. The baseline measured in the same run is a bare
``pandas.read_csv`` of the same file (the floor any importer pays); the ratio says how much
the validation, join and write add. Targets: >= 50,000 rows/s, < 2 GB peak for 1M rows.
CPU seconds (user + system) are printed too: on a shared machine they are the steadier
figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pandas as pd
from geo.settings import AtlasSettings
from geo.store.sqlite import SqliteSiteStore
from geo.store.base import BatchInfo
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
path, data_dir, what = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage.ru_utime + usage.ru_stime
t = time.perf_counter()
if what == "baseline":
    rows = len(pd.read_csv(path, dtype=str, keep_default_na=False))
else:
    settings = AtlasSettings(data_dir=data_dir)
    store = SqliteSiteStore(settings.store_path)
    report = import_inventory(store, path.read_bytes(), BatchInfo("中国移动", "bench", "cli"),
                              CountyLocator.for_region(settings), 5_000_000)
    rows = report.inserted
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t,
                  "cpu": usage.ru_utime + usage.ru_stime - cpu0,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""


def make_csv(rows: int, folder: Path) -> Path:
    """A valid inventory of ``rows`` sites spread over central Ganzhou."""
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame({
        "site_id": [f"B{i:08d}" for i in range(rows)],
        "lon": rng.uniform(114.6, 115.3, rows).round(6),
        "lat": rng.uniform(25.4, 26.1, rows).round(6),
        "type": rng.choice(["macro", "micro", "indoor"], rows),
        "band": rng.choice(["n41", "n78", "n79", ""], rows),
        "status": rng.choice(["on_air", "built", "planned"], rows),
        "commissioned": "2022-06-01"})
    path = folder / f"inventory_{rows}.csv"
    frame.to_csv(path, index=False)
    return path


def run(path: Path, what: str) -> dict:
    """Run one measurement in a fresh interpreter."""
    with tempfile.TemporaryDirectory() as data_dir:
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), data_dir, what],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure every size and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): 20,000 rows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in [20_000] if args.quick else args.rows:
            path = make_csv(rows, Path(tmp))
            base, full = run(path, "baseline"), run(path, "import")
            assert full["rows"] == rows, full
            rate = rows / full["seconds"]
            print(f"{rows:>9,} rows ({path.stat().st_size / 1e6:.0f} MB): import "
                  f"{full['seconds']:.2f} s (cpu {full['cpu']:.2f} s) = {rate:,.0f} rows/s "
                  f"(target >= 50,000: {rate / 50_000:.2f}x), peak {full['peak_mb']:,.0f} MB; "
                  f"baseline read_csv {base['seconds']:.2f} s (cpu {base['cpu']:.2f} s), peak "
                  f"{base['peak_mb']:,.0f} MB; import/baseline time "
                  f"{full['seconds'] / base['seconds']:.1f}x", flush=True)


if __name__ == "__main__":
    main()
