"""Types agree everywhere, GDAL side: the real ``ogr2ogr``/``ogrinfo`` against a real server.

``ogr2ogr -f GPKG all.gpkg OAPIF:<url>`` copies every collection an anonymous caller can read
in one command (no ``-skipfailures``), each with its feature count, and every field GDAL
creates has the type ``/collections/{id}/schema`` gives it; the downloaded GeoPackage,
FlatGeobuf and CSV (read with its ``.csvt`` sidecar beside it) of every plan layer too.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from geo.layers import LAYERS
from tests.conftest import require_binary

pytestmark = pytest.mark.client

# JSON Schema type -> the OGR field types that are that type
OGR_TYPES = {"integer": {"Integer", "Integer64"}, "number": {"Real"},
             "boolean": {"Integer(Boolean)"}, "string": {"String"}}
FIELD = re.compile(r"^(?P<name>[^\s:][^:]*): (?P<type>[A-Za-z0-9]+(?:\([A-Za-z0-9]+\))?) "
                   r"\(\d+\.\d+\)")
CSV_GEOMETRY = {"wkt", "lon", "lat"}  # the CSV's geometry columns (typed WKT/Real by .csvt)


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def ogr_layers(ogrinfo: str, source: str) -> dict[str, dict]:
    """``{layer: {"count": n, "fields": {name: type}}}`` parsed from ``ogrinfo -so -al``."""
    proc = subprocess.run([ogrinfo, "-ro", "-so", "-al", source], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    layers: dict[str, dict] = {}
    current: dict = {}
    for line in proc.stdout.splitlines():
        if line.startswith("Layer name: "):
            current = layers.setdefault(line.removeprefix("Layer name: "), {"fields": {}})
        elif line.startswith("Feature Count: "):
            current["count"] = int(line.removeprefix("Feature Count: "))
        elif m := FIELD.match(line):
            current["fields"][m["name"]] = m["type"]
    return layers


def schema_types(url: str, cid: str) -> dict[str, str]:
    """Property name -> JSON Schema type (the geometry, a ``$ref``, left out)."""
    props = _get(f"{url}/collections/{cid}/schema")["properties"]
    return {n: p["type"] for n, p in props.items() if "type" in p}


def mismatches(fields: dict[str, str], types: dict[str, str],
               skip: set[str] = frozenset()) -> list[tuple[str, str, str]]:
    """Columns whose OGR type is not the schema's (or that GDAL did not create)."""
    return [(name, kind, fields.get(name, "missing")) for name, kind in types.items()
            if name not in skip and fields.get(name) not in OGR_TYPES[kind]]


@pytest.fixture(scope="module")
def public(live_url) -> dict[str, dict]:
    """Per anonymous collection: its schema types, served rows and the all-null columns."""
    out = {}
    for c in _get(f"{live_url}/collections")["collections"]:
        items = _get(f"{live_url}/collections/{c['id']}/items?limit=10000")
        rows = [f["properties"] for f in items["features"]]
        types = schema_types(live_url, c["id"])
        out[c["id"]] = {"types": types, "count": items["numberMatched"],
                        "null": {n for n in types if all(r.get(n) is None for r in rows)}}
    return out


@pytest.fixture(scope="module")
def copied(live_url, tmp_path_factory, public) -> dict[str, dict]:
    """The whole service, copied anonymously in one ogr2ogr call, as ogrinfo reads it."""
    ogr2ogr = require_binary("ogr2ogr")
    ogrinfo = require_binary("ogrinfo")
    target = tmp_path_factory.mktemp("gdal_copy") / "all.gpkg"
    proc = subprocess.run([ogr2ogr, "-f", "GPKG", str(target), f"OAPIF:{live_url}/"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return ogr_layers(ogrinfo, str(target))


def test_ogr2ogr_copies_every_public_collection_with_its_count(copied, public, ctx):
    assert set(copied) == set(public)
    assert "base_stations" not in copied and "coverage_gaps" not in copied  # key only
    assert set(LAYERS) <= set(copied)
    for name, layer in copied.items():
        assert layer["count"] == public[name]["count"], name
        if name in LAYERS:
            assert layer["count"] == len(ctx.result(name).gdf), name


def test_copied_field_types_are_the_schema_types(copied, public):
    """Every column, also one null in every served row: GDAL reads the describedBy schema."""
    for name, layer in copied.items():
        assert mismatches(layer["fields"], public[name]["types"]) == [], name


def test_some_numeric_column_is_null_in_every_row(public):
    """The case the schema link exists for is really in the data (else the test above
    would pass on sampling alone)."""
    assert any(p["types"][n] != "string" for p in public.values() for n in p["null"])


def _download(url: str, path: Path) -> Path:
    with urllib.request.urlopen(url, timeout=120) as r:
        path.write_bytes(r.read())
    return path


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "csv"])
def test_downloads_have_the_schema_types(live_url, tmp_path, fmt, ctx):
    ogrinfo = require_binary("ogrinfo")
    for name in LAYERS:
        base = f"{live_url}/collections/{name}/download"
        path = _download(f"{base}/{fmt}", tmp_path / f"{name}.{fmt}")
        if fmt == "csv":  # GDAL reads name.csvt beside name.csv
            _download(f"{base}/csvt", tmp_path / f"{name}.csvt")
        layers = ogr_layers(ogrinfo, str(path))
        assert list(layers) == [name], (name, fmt)
        layer = layers[name]
        assert layer["count"] == len(ctx.result(name).gdf), (name, fmt)
        types = schema_types(live_url, name)
        assert mismatches(layer["fields"], types) == [], (name, fmt)
        if fmt == "csv":
            assert set(layer["fields"]) - set(types) <= CSV_GEOMETRY, name
            assert all(layer["fields"][c] == "Real" for c in ("lon", "lat")
                       if c in layer["fields"]), name
