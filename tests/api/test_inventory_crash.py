"""SIGKILL in the middle of a large import leaves the whole batch or none of it."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from api.app import create_app
from geo.settings import AtlasSettings
from geo.store.base import SiteQuery
from geo.store.sqlite import SqliteSiteStore

ROWS = 200_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "site_id": [f"K{i:07d}" for i in range(ROWS)],
        "lon": rng.uniform(114.6, 115.2, ROWS).round(6),
        "lat": rng.uniform(25.4, 26.0, ROWS).round(6),
        "type": "macro", "band": "n78", "status": "on_air", "commissioned": "2022-05-01"})
    path = tmp_path_factory.mktemp("crash") / "big.csv"
    frame.to_csv(path, index=False)
    return path


def _wal_busy(data_dir) -> bool:
    wal = data_dir / "atlas.sqlite-wal"
    return wal.exists() and wal.stat().st_size > 1_000_000


@pytest.mark.parametrize("kill_after_s", [0.0, 0.6, 1.5])
def test_killed_import_is_all_or_nothing(tmp_path, big_csv, kill_after_s):
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path), "ATLAS_DEMO_INVENTORY": "false"}
    SqliteSiteStore(tmp_path / "atlas.sqlite")  # created before the importer starts
    proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "sites", "import", str(big_csv),
                             "--operator", "中国移动"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _wal_busy(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the transaction is writing
    time.sleep(kill_after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = SqliteSiteStore(tmp_path / "atlas.sqlite")
    assert store.integrity_ok()
    _, total = store.query(SiteQuery(operators=("中国移动",), limit=1))
    assert total in (0, ROWS)
    assert len(store.batches(None)) == (1 if total else 0)
    settings = AtlasSettings(data_dir=tmp_path, demo_inventory=False)
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings)) as client:
        assert client.get("/collections/base_station_totals/items").status_code == 200
