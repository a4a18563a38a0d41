"""Fuzzed uploads (CSV, XLSX, GeoJSON): never a 5xx, never a partial batch in default mode."""

import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from api.app import create_app
from geo.store.base import SiteQuery
from tests.pg import STORE_KINDS, backend_settings

COLUMNS = ["site_id", "lon", "lat", "type", "band", "status", "commissioned"]
cell = st.one_of(
    st.sampled_from(["macro", "micro", "indoor", "on_air", "built", "planned", "n78", "n41",
                     "", "2021-03-01", "114.93", "25.83", "115.2", "26.1", "NaN", "-1e308",
                     "1e400", "站点", '"', ",", "\n", "0x1F"]),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
row = st.lists(cell, min_size=5, max_size=9)
header = st.one_of(st.just(COLUMNS), st.permutations(COLUMNS),
                   st.lists(st.sampled_from([*COLUMNS, "county", "x", ""]), max_size=8))
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module", params=STORE_KINDS)
def fuzz(request, tmp_path_factory, ctx):
    """An app of its own with an empty store, on SQLite and on PostGIS."""
    base = request.getfixturevalue("settings")  # the conftest's (``settings`` is hypothesis')
    app = create_app(backend_settings(request, base, tmp_path_factory,
                                      demo_inventory=False), ctx)
    with TestClient(app) as client:
        _, key = app.state.service.store.create_key("operator", "中国广电", "fuzz")
        yield client, {"Authorization": f"Bearer {key}"}, app.state.service.store


def _post(fuzz, name: str, data: bytes, mode: str = "all"):
    client, headers, store = fuzz
    before = store.query(SiteQuery(operators=None, limit=1))[1]
    r = client.post("/imports/base-stations", params={"mode": mode}, headers=headers,
                    files={"file": (name, data)})
    after = store.query(SiteQuery(operators=None, limit=1))[1]
    assert r.status_code < 500, r.text
    if r.status_code != 200:
        assert r.headers["content-type"] == "application/problem+json"
        assert after == before, "a rejected batch changed the store"
    else:
        body = r.json()
        assert body["rejected"] == 0 or mode == "partial"
        assert after - before == body["inserted"]
    return r


@FUZZ
@given(head=header, rows=st.lists(row, max_size=6))
def test_fuzzed_csv(fuzz, head, rows):
    text = "\n".join(",".join(r) for r in [head, *rows])
    _post(fuzz, "f.csv", text.encode("utf-8", "surrogatepass")[:20000])


@FUZZ
@given(head=header, rows=st.lists(row, max_size=5), mode=st.sampled_from(["all", "partial"]))
def test_fuzzed_xlsx(fuzz, head, rows, mode):
    wb = openpyxl.Workbook()
    for r in [head, *rows]:  # Excel itself cannot hold control characters
        wb.active.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    _post(fuzz, "f.xlsx", buf.getvalue(), mode)


json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False),
                                    st.text(max_size=8), st.integers()),
                          lambda c: st.lists(c, max_size=3) | st.dictionaries(
                              st.sampled_from([*COLUMNS, "type", "coordinates", "geometry",
                                               "properties", "features"]), c, max_size=4),
                          max_leaves=12)


@FUZZ
@given(features=st.lists(st.fixed_dictionaries({
    "type": st.just("Feature"),
    "geometry": st.one_of(json_value, st.fixed_dictionaries({
        "type": st.sampled_from(["Point", "LineString"]),
        "coordinates": st.lists(st.floats(-200, 200), min_size=0, max_size=3)})),
    "properties": st.one_of(json_value, st.dictionaries(st.sampled_from(COLUMNS), cell))}),
    max_size=5))
def test_fuzzed_geojson(fuzz, features):
    # stdlib json: it also writes integers beyond 64 bits, which the server must refuse cleanly
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    _post(fuzz, "f.geojson", body.encode("utf-8", "surrogatepass"))


def test_multipart_without_file_field_is_422_naming_it(fuzz):
    client, headers, _ = fuzz
    r = client.post("/imports/base-stations", headers=headers, data={"other": "x"})
    assert r.status_code == 422 and r.json()["parameter"] == "file"


def test_oversized_upload_is_413(fuzz, monkeypatch):
    client, headers, _ = fuzz
    monkeypatch.setattr(client.app.state.settings, "max_upload_mb", 0.001)
    r = client.post("/imports/base-stations", headers=headers,
                    files={"file": ("big.csv", b"site_id,lon\n" + b"x" * 5000)})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
