"""QGIS 3.22 authenticates with the API key as HTTP Basic password (its only header method).

An operator imports sites; QGIS, configured as the docs say (Basic authcfg, key as password),
loads ``base_stations`` with exactly the count the API reports for that key; a wrong key gets
a 401 and no features. Runs against its own server, so the wrong key's failed attempts do not
count against the session server's rate limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SYSTEM_PYTHON, live_server, require_qgis

pytestmark = [pytest.mark.client, pytest.mark.slow]
PROBE = Path(__file__).parent.parent / "clients" / "qgis_auth_probe.py"
SITES = "\n".join(["site_id,lon,lat,type,band,status,commissioned",
                   *(f"QA{i},{114.90 + i / 50:.3f},{25.80 + i / 80:.3f},macro,n78,on_air,"
                     "2023-06-01" for i in range(7))]) + "\n"


def _status(url: str, header: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": header})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def test_qgis_basic_authcfg_loads_the_operators_sites(app, settings, tmp_path):
    require_qgis()
    store = app.state.service.store
    secret = store.create_key("operator", "中国广电", "qgis-auth")[1]
    operator = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    r = operator.post("/imports/base-stations", files={"file": ("qa.csv", SITES.encode())})
    assert r.status_code == 200, r.text  # the import report
    expected = operator.get("/collections/base_stations/items",
                            params={"limit": 1}).json()["numberMatched"]
    assert expected >= 7
    with live_server(settings.data_dir) as url:
        items = f"{url}/collections/base_stations/items?limit=1"
        wrong = "Basic " + b64encode(b"qgis:not-our-key").decode()
        assert _status(items, "Basic " + b64encode(f"qgis:{secret}".encode()).decode()) == 200
        assert _status(items, wrong) == 401
        home = tmp_path / "home"
        home.mkdir(mode=0o700)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
               "XDG_RUNTIME_DIR": str(home), "QGIS_AUTH_DB_DIR_PATH": str(home)}
        proc = subprocess.run([SYSTEM_PYTHON, str(PROBE), url, "base_stations", secret,
                               "not-our-key"], capture_output=True, text=True, timeout=600,
                              env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["qgis_version"].startswith("3.")
    good = report["good"]
    assert good["valid"] and good["count"] == expected
    assert "site_id" in good["fields"]
    assert not report["bad"]["valid"] or report["bad"]["count"] <= 0
