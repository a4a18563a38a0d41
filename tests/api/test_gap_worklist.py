"""The gap work list over HTTP (XLSX, KML, the coverage_gaps collection) and band views.

Access is that of ``coverage_gaps``: a key is required, and an operator's list is computed
from its own sites only (docs/security.md). The session app holds the demo inventory; the
operator case runs on an app of its own with real sites of two operators.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.coverage.worklist import XLSX_HEADERS
from geo.inventory.basis import label as basis_label
from geo.inventory.ingest import import_inventory
from geo.store.base import BatchInfo

XLSX = "/coverage/gaps/worklist.xlsx"
KML = "/coverage/gaps/worklist.kml"
GAPS = "/collections/coverage_gaps/items"


def _key(app, role: str, operator: str | None = None) -> dict:
    key = app.state.service.store.create_key(role, operator, "worklist")[1]
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def planner(app):
    return _key(app, "planner")


def _sheet(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book["缺口工作清单"].iter_rows(values_only=True))
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    return rows[0], rows[1:], about


def test_anonymous_callers_get_401(client):
    for path in (XLSX, KML):
        r = client.get(path)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert client.get(GAPS).status_code == 401


def test_collection_xlsx_and_kml_are_the_same_ranked_list(client, planner, tmp_path):
    page = client.get(GAPS, params={"limit": 10_000}, headers=planner).json()
    features = page["features"]
    assert features and page["numberMatched"] == len(features)
    props = [f["properties"] for f in features]
    assert [p["rank"] for p in sorted(props, key=lambda p: p["rank"])] == \
        list(range(1, len(props) + 1))
    first = min(props, key=lambda p: p["rank"])
    assert first["county"] and first["name"].startswith("第1名 ")
    assert first["fiveg_tier"] == "全深度覆盖"  # the plan's tier ranks first
    for member in ("gap_min_area_km2", "slivers_merged", "slivers_dropped", "gaps_in_run"):
        assert member in page
    assert page["gaps_in_run"] == len(features) + page["slivers_merged"] + \
        page["slivers_dropped"]
    schema = client.get("/collections/coverage_gaps/schema", headers=planner).json()
    assert {"rank", "county", "township", "name", "centre_lon_gcj02"} <= \
        set(schema["properties"])

    r = client.get(XLSX, headers=planner)
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in r.headers["content-disposition"]
    header, rows, about = _sheet(r.content)
    assert list(header) == list(XLSX_HEADERS.values()) and len(rows) == len(features)
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    assert all(isinstance(row[8], float | int) for row in rows)  # 面积(km²)
    # the session store holds the demo, plus real sites once other tests imported some
    assert about["频段"] == "all" and about["统计口径"] == basis_label(page["data_basis"])

    r = client.get(KML, headers=planner)
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.google-earth.kml+xml")
    assert r.text.count("<Placemark") == len(features)
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo:
        path = tmp_path / "gaps.kml"
        path.write_bytes(r.content)
        out = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(path)], capture_output=True,
                             text=True, check=True).stdout
        assert f"Feature Count: {len(features)}" in out


def test_band_views_are_runs_of_their_own(client, planner):
    pages = {band: client.get(GAPS, params={"band": band, "limit": 1}, headers=planner).json()
             for band in ("all", "n28", "n78")}
    assert {b: p["band"] for b, p in pages.items()} == {"all": "all", "n28": "n28",
                                                        "n78": "n78"}
    assert "仅 n28 频段站点" in pages["n28"]["coverage_model"]
    runs = {band: client.get("/coverage/run", params={"band": band}, headers=planner).json()
            for band in ("n28", "n78")}
    assert runs["n28"]["band"] == "n28" and runs["n78"]["band"] == "n78"
    cog = {band: client.get("/coverage/coverage.tif", params={"band": band},
                            headers=planner).content for band in ("n28", "n78")}
    assert cog["n28"] != cog["n78"]
    tile = client.get("/coverage/tiles/8/209/108.png", params={"band": "n28"},
                      headers=planner)
    assert tile.status_code == 200
    assert client.get(GAPS, params={"band": "n5"}, headers=planner).status_code == 400
    assert client.get(XLSX, params={"band": "n5"}, headers=planner).status_code == 400
    # the public scorecard may show a band view of the demo (no real site is involved)
    card = client.get("/collections/county_scorecard/items",
                      params={"band": "n28", "data_basis": "synthetic_demo"}).json()
    assert card["band"] == "n28" and "n28" in card["coverage_model"]


@pytest.mark.slow
def test_an_operator_gets_the_list_of_its_own_sites(settings, ctx, tmp_path):
    own = settings.model_copy(update={"data_dir": tmp_path / "var", "demo_inventory": False,
                                      "coverage_resolution_m": 500.0})
    app = create_app(own, ctx)
    with TestClient(app) as client:
        service = app.state.service
        for operator, lon in (("中国联通", 114.93), ("中国移动", 114.95)):
            csv = f"site_id,lon,lat,type,band,status\nW-1,{lon},25.83,macro,n78,on_air\n"
            import_inventory(service.store, csv.encode(), BatchInfo(operator, "t", "cli"),
                             service.locator, 10)
        operator, planner = _key(app, "operator", "中国联通"), _key(app, "planner")
        mine = client.get(GAPS, params={"data_basis": "real", "adcode": "360702",
                                        "limit": 1000}, headers=operator).json()
        everyone = client.get(GAPS, params={"adcode": "360702", "limit": 1000},
                              headers=planner).json()
        assert mine["data_basis"] == "operator-cucc" and everyone["data_basis"] == "real"

        def area(page):
            return sum(f["properties"]["area_km2"] for f in page["features"])

        assert area(mine) > area(everyone)  # 中国移动's site closes gaps 联通 must not see
        _, rows, about = _sheet(client.get(XLSX, headers=operator).content)
        assert about["统计口径"] == "中国联通自己的真实站点"
        assert len(rows) == client.get(GAPS, headers=operator).json()["numberMatched"]
        assert client.get(KML, headers=operator).status_code == 200
        # a band view of real sites' county coverage splits it by operator: planners only
        card = "/collections/county_scorecard/items"
        assert client.get(card, params={"band": "n78"}).status_code == 401
        assert client.get(card, params={"band": "n78"}, headers=operator).status_code == 403
        assert client.get(card, params={"band": "n78"}, headers=planner).status_code == 200
        assert client.get(card, headers=operator).status_code == 200
