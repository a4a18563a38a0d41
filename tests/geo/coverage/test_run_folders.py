"""A new coverage run never replaces the files of the run readers may still be streaming."""

from __future__ import annotations

import pandas as pd

from geo.coverage.analysis import KEEP_RUNS, latest_run, run_coverage, run_folder
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo
from geo.store.sqlite import SqliteSiteStore


def test_each_fingerprint_has_its_own_folder_and_old_ones_are_pruned(tmp_path):
    settings = AtlasSettings(data_dir=tmp_path, demo_inventory=False)
    store = SqliteSiteStore(settings.store_path)
    locator = CountyLocator.for_region(settings)
    tiers = {"360702": "全深度覆盖"}
    parks = pd.DataFrame(columns=["id", "name", "lon", "lat", "county_adcode"])
    runs = []
    for i in range(KEEP_RUNS + 2):
        csv = f"site_id,lon,lat,type,status\nF-{i},114.93,25.83,macro,on_air\n".encode()
        import_inventory(store, csv, BatchInfo("中国移动", "t", "cli"), locator, 10)
        runs.append(run_coverage(settings, store, tiers, parks, 2025, 1000.0))
    first, last = runs[0], runs[-1]
    assert len({r.folder for r in runs}) == len(runs)  # one folder per fingerprint
    assert last.cog.is_file() and runs[-2].cog.is_file()  # the previous run is still there
    assert not first.folder.exists()  # older ones pruned
    base = run_folder(tmp_path, 2025, 1000.0, "real")
    assert latest_run(base).folder == last.folder
    assert run_coverage(settings, store, tiers, parks, 2025, 1000.0).folder == last.folder
