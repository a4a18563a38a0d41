"""The datasource strings of the QGIS project, decoded by QGIS's own QgsDataSourceUri.

A service URL with a quote, a backslash or its own query (``?a=1&b=2``, as behind some
intranet proxies) must come back whole from QGIS's parser; before the escaping it ended the
``url`` key early (OAPIF) or split into extra keys (vector tiles).
"""

import json
import subprocess

import pytest

from geo.qgis.project import oapif_source
from geo.qgis.tiles import xyz_source, xyz_url
from geo.tiles import MAX_ZOOM
from tests.conftest import require_qgis

URLS = ["http://127.0.0.1:8000",
        "http://gis.example.internal/atlas?proxy=1&token=a%2Fb",
        "http://h/o'brien\\share/atlas",
        "http://h/地图/atlas#x+y"]

DECODE = r"""
import json, sys
from qgis.core import QgsDataSourceUri
out = []
for oapif, xyz in json.loads(sys.stdin.read()):
    a = QgsDataSourceUri(oapif)
    b = QgsDataSourceUri()
    b.setEncodedUri(xyz)
    out.append([a.param("url"), a.param("typename"), b.param("type"), b.param("url"),
                b.param("zmax")])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def decoded():
    python = require_qgis()
    sources = [[oapif_source(url, "parks"), xyz_source(url, ["counties", "parks"])]
               for url in URLS]
    done = subprocess.run([python, "-c", DECODE], input=json.dumps(sources),
                          capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("i", range(len(URLS)))
def test_qgis_reads_the_oapif_url_back_whole(decoded, i):
    url, typename = decoded[i][:2]
    assert (url, typename) == (URLS[i], "parks")


@pytest.mark.parametrize("i", range(len(URLS)))
def test_qgis_reads_the_tile_template_back_whole(decoded, i):
    kind, url, zmax = decoded[i][2:]
    assert kind == "xyz"
    assert url == xyz_url(URLS[i], ["counties", "parks"])
    assert zmax == str(MAX_ZOOM)
