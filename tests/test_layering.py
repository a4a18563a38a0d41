"""Imports go one way: geo never pulls in the web framework or the map toolkit."""

import subprocess
import sys


def test_geo_does_not_import_fastapi_or_folium():
    code = ("import sys, geo, geo.catalog, geo.layers, geo.export, geo.features, geo.coverage."
            "analysis, geo.inventory.ingest, geo.store, geo.tiles; "
            "bad = [m for m in ('fastapi', 'starlette', 'folium') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
