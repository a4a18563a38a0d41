"""The console script as a user runs it: a real subprocess, real files, real ogrinfo."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_binary

CLI = [sys.executable, "-m", "geo.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATLAS_DATA_DIR": str((cwd or Path.cwd()) / "var")}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def test_layers_list_names_every_layer():
    proc = run("layers", "list")
    assert proc.returncode == 0, proc.stderr
    for name in ("counties", "parks", "fiveg_targets", "iot_zones", "province_layout"):
        assert name in proc.stdout


def test_unknown_layer_exits_2_with_one_line():
    proc = run("layers", "export", "nope", "--format", "geojson", "--out", "x.geojson")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown layer 'nope'" in proc.stderr


def test_unknown_format_exits_2_with_one_line(tmp_path):
    proc = run("layers", "export", "counties", "--format", "shp", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown format 'shp'" in proc.stderr


def test_geojson_export_is_rfc7946_with_ids(tmp_path):
    out = tmp_path / "counties.geojson"
    proc = run("layers", "export", "counties", "--format", "geojson", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text("utf-8"))
    assert "crs" not in doc  # RFC 7946: CRS84 implied, no crs member
    ids = [f["id"] for f in doc["features"]]
    assert len(ids) == 18 and len(set(ids)) == 18 and "360702" in ids
    assert doc["features"][0]["properties"]["adcode"] == doc["features"][0]["id"]


def test_csv_export_opens_with_chinese_and_lon_lat(tmp_path):
    out = tmp_path / "parks.csv"
    assert run("layers", "export", "parks", "-f", "csv", "-o", str(out)).returncode == 0
    text = out.read_text("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert {"id", "name", "lon", "lat", "wkt", "location_precision"} <= set(header)
    assert "信丰5G产业园" in text


def test_data_check_passes():
    proc = run("data", "check")
    assert proc.returncode == 0, proc.stderr
    assert "data check passed" in proc.stdout


@pytest.mark.client
@pytest.mark.parametrize(("fmt", "ext"), [("geojson", "geojson"), ("gpkg", "gpkg"), ("fgb", "fgb")])
def test_exports_open_in_ogrinfo(tmp_path, ctx, fmt, ext):
    ogrinfo = require_binary("ogrinfo")
    parks = len(ctx.result("parks").gdf)
    for name, rows in (("counties", 18), ("parks", parks), ("province_layout", None)):
        out = tmp_path / f"{name}.{ext}"
        assert run("layers", "export", name, "-f", fmt, "-o", str(out)).returncode == 0
        info = subprocess.run([ogrinfo, "-so", "-al", str(out)], capture_output=True,
                              text=True, timeout=60)
        assert info.returncode == 0, info.stderr
        assert "WGS 84" in info.stdout or "CRS84" in info.stdout or "4326" in info.stdout
        if rows:
            assert f"Feature Count: {rows}" in info.stdout


def test_build_writes_every_layer_and_one_gpkg(tmp_path):
    proc = run("build", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    from geo.layers import LAYERS

    for name in LAYERS:
        assert (tmp_path / "out" / f"{name}.geojson").stat().st_size > 0
    import pyogrio

    layers = {row[0] for row in pyogrio.list_layers(tmp_path / "out" / "ganzhou_atlas.gpkg")}
    assert layers == set(LAYERS)


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path):
    proc = run("keys", "create", "--role", "operator", "--operator", "中国移动", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("gza_") and " " not in last
    listing = run("keys", "list", cwd=tmp_path)
    assert "中国移动" in listing.stdout and last not in listing.stdout


def test_keys_create_rejects_operator_without_name(tmp_path):
    proc = run("keys", "create", "--role", "operator", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0


def test_sites_import_reports_and_rejects_bad_rows(tmp_path):
    sample = Path(__file__).parent.parent / "examples" / "base_stations_sample.csv"
    proc = run("sites", "import", str(sample), "--operator", "中国电信", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "stored 5" in proc.stdout
    again = run("sites", "import", str(sample), "--operator", "中国电信", cwd=tmp_path)
    assert "unchanged 5" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(sample.read_text("utf-8") + "X-1,121.4,31.2,macro,,on_air,\n", "utf-8")
    proc = run("sites", "import", str(bad), "--operator", "中国电信", cwd=tmp_path)
    assert proc.returncode == 2 and "outside 赣州市" in proc.stderr


def test_keys_revoke_of_an_unknown_key_says_so(tmp_path):
    proc = run("keys", "revoke", "no-such-key", cwd=tmp_path)
    assert proc.returncode == 2 and "no active key 'no-such-key'" in proc.stderr
    assert "site" not in proc.stderr.lower()


def test_demo_clear_and_load_and_the_data_basis(tmp_path):
    """Demo load/clear from the CLI; aggregates switch to real sites once any exist."""
    from geo.catalog import BuildContext
    from geo.coverage.scorecard import county_scorecard
    from geo.settings import AtlasSettings
    from geo.store import open_store

    loaded = run("demo", "load", cwd=tmp_path)
    assert loaded.returncode == 0 and "6,122" in loaded.stdout, loaded.stderr
    settings = AtlasSettings(data_dir=tmp_path / "var")
    ctx, store = BuildContext(settings), open_store(settings)
    card, city = county_scorecard(ctx, store, None, False)
    assert city["data_basis"] == "synthetic_demo" and city["sites_total"] == 6122
    real = tmp_path / "real.csv"
    real.write_text("site_id,lon,lat,type,status\nR-1,114.93,25.83,macro,on_air\n")
    assert run("sites", "import", str(real), "--operator", "中国联通", cwd=tmp_path).returncode == 0
    card, city = county_scorecard(ctx, store, None, False)
    assert city["data_basis"] == "real" and city["sites_total"] == 1
    assert city["synthetic_sites"] == 0
    demo = county_scorecard(ctx, store, None, False, "synthetic_demo")[1]
    assert demo["sites_total"] == 6122  # the demo stays viewable as a scenario
    cleared = run("demo", "clear", cwd=tmp_path)
    assert cleared.returncode == 0 and "6,122" in cleared.stdout
    assert store.count() == 1


def test_serve_refuses_a_bad_townships_file_before_listening(tmp_path):
    """A misconfigured ATLAS_TOWNSHIPS_FILE stops `serve` at once with one line, instead of
    a server whose every coverage request answers 400."""
    bad = tmp_path / "towns.csv"
    bad.write_text("name,lon\n长洛乡,115.1\n", "utf-8")
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "var"),
           "ATLAS_TOWNSHIPS_FILE": str(bad), "ATLAS_PORT": "1"}
    proc = subprocess.run([*CLI, "serve"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "townships file needs name, lon, lat" in proc.stderr
