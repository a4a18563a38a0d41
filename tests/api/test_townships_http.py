"""Townships over HTTP: the collection with its precision, tiles, and 乡镇全覆盖 in the scorecard
and the gap work list on the session's demo inventory."""

from __future__ import annotations

import io

import mapbox_vector_tile
import morecantile
import openpyxl
import pytest
import shapely

from geo.layers.townships import read_shipped

ITEMS = "/collections/townships/items"
SCORE = "/collections/county_scorecard/items"
GAPS = "/collections/coverage_gaps/items"
COUNTS = ("townships_total", "townships_positioned", "townships_covered")


@pytest.fixture(scope="module")
def shipped(settings):
    return read_shipped(settings)


@pytest.fixture(scope="module")
def planner(app):
    key = app.state.service.store.create_key("planner", None, "townships")[1]
    return {"Authorization": f"Bearer {key}"}


def test_items_serve_all_310_with_their_precision(client, shipped):
    r = client.get(ITEMS, params={"limit": 1000})
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    body = r.json()
    assert body["numberMatched"] == len(body["features"]) == 310
    by_id = {f["id"]: f for f in body["features"]}
    expected = shipped.set_index("code12")
    for code, f in by_id.items():
        p = f["properties"]
        assert p["location_precision"] == expected.at[code, "location_precision"]
        if p["location_precision"] == "none":
            assert f["geometry"] is None and p["geonameid"] is None
        else:
            assert f["geometry"]["coordinates"] == [expected.at[code, "lon"],
                                                    expected.at[code, "lat"]]
            assert isinstance(p["geonameid"], int)
    assert body["features"][0]["geometry"] is not None  # the first page types the layer


def test_filter_by_precision_and_one_unpositioned_item(client):
    none = client.get(ITEMS, params={"location_precision": "none", "limit": 1000}).json()
    assert none["numberMatched"] > 0
    assert all(f["geometry"] is None for f in none["features"])
    r = client.get(f"{ITEMS}/360702001000")  # 解放街道, 章贡区: no GeoNames point
    assert r.status_code == 200
    assert r.json()["geometry"] is None and r.json()["properties"]["name"] == "解放街道"
    assert client.get(f"{ITEMS}/360702999000").status_code == 404


def test_collection_title_and_queryables_are_chinese_first(client):
    c = client.get("/collections/townships").json()
    assert c["title"] == "乡镇（街道）"
    q = client.get("/collections/townships/queryables").json()["properties"]
    assert {"code12", "name", "county_adcode", "kind", "location_precision"} <= set(q)


def test_a_tile_over_anyuan_holds_its_positioned_townships(client, shipped):
    wmq = morecantile.tms.get("WebMercatorQuad")
    tile = wmq.tile(115.4, 25.4, 8)
    r = client.get(f"/tiles/townships/8/{tile.x}/{tile.y}.mvt")
    assert r.status_code == 200
    features = mapbox_vector_tile.decode(r.content)["townships"]["features"]
    box = shapely.box(*wmq.bounds(tile))
    placed = shipped[shipped["location_precision"] == "geonames_point"]

    def within(area) -> set[str]:
        return {c for c, x, y in zip(placed["code12"], placed["lon"], placed["lat"],
                                     strict=True) if area.contains(shapely.Point(x, y))}

    drawn = {f["properties"]["code12"] for f in features}
    # every point of the tile, plus those of its buffer (a tile draws a margin around it)
    assert within(box) <= drawn <= within(box.buffer(0.2 * box.length / 4))
    assert len(within(box)) > 20


def _card(client, headers=None) -> dict[str, dict]:
    """The scorecard of the synthetic demo: the session's app holds other tests' real sites,
    and ``auto`` would switch to those few once any exist."""
    body = client.get(SCORE, params={"limit": 100, "data_basis": "synthetic_demo"},
                      headers=headers).json()
    return {f["id"]: f["properties"] for f in body["features"]}


def test_scorecard_counts_townships_total_positioned_covered(client, planner, shipped):
    card = _card(client, planner)
    assert len(card) == 18
    totals = shipped.groupby("county_adcode").size()
    placed = shipped[shipped["location_precision"] == "geonames_point"] \
        .groupby("county_adcode").size()
    for adcode, row in card.items():
        assert row["townships_total"] == totals[adcode]
        assert row["townships_positioned"] == placed.get(adcode, 0)
        assert 0 <= row["townships_covered"] <= row["townships_positioned"]
        if row["townships_positioned"]:
            assert row["township_coverage_pct"] == round(
                100 * row["townships_covered"] / row["townships_positioned"], 2)
            left_out = row["townships_total"] - row["townships_positioned"]
            if left_out:  # the note says how many the share leaves out
                assert f"另有{left_out}个乡镇无点位" in row["township_coverage_note"]
        else:
            assert row["township_coverage_pct"] is None
            assert f"{row['townships_total']}个乡镇均无点位" in row["township_coverage_note"]
    assert sum(r["townships_total"] for r in card.values()) == 310
    # the demo inventory covers some positioned townships, and not all of them
    covered = sum(r["townships_covered"] for r in card.values())
    assert 0 < covered < sum(r["townships_positioned"] for r in card.values())
    assert card["360702"]["township_coverage_pct"] is None  # 章贡区: 17 街道, none positioned


def test_public_scorecard_has_the_counts_and_a_rounded_share(client):
    for row in _card(client).values():
        assert all(isinstance(row[k], int) for k in COUNTS)
        pct = row["township_coverage_pct"]
        assert pct is None or pct == float(round(pct))


def test_scorecard_schema_csv_and_xlsx_carry_the_integer_columns(client):
    schema = client.get("/collections/county_scorecard/schema").json()["properties"]
    assert all(schema[k]["type"] == "integer" for k in COUNTS)
    csv_text = client.get(SCORE, params={"f": "csv"}).content.decode("utf-8-sig")
    assert all(k in csv_text.splitlines()[0] for k in COUNTS)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(SCORE, params={"f": "xlsx"}).content)
                                   ).active
    titles = [c.value for c in sheet[1]]
    names = [c.value for c in sheet[2]]
    col = names.index("townships_total")
    assert titles[col] == "乡镇总数"
    assert all(isinstance(sheet.cell(r, col + 1).value, int) for r in range(3, 21))


def test_the_gap_work_list_names_gaps_by_township_by_default(client, planner, shipped):
    gaps = client.get(GAPS, params={"limit": 10_000}, headers=planner).json()["features"]
    placed = set(shipped.loc[shipped["location_precision"] == "geonames_point",
                             "county_adcode"])
    names = set(shipped["name"])
    in_placed = [g["properties"] for g in gaps if g["properties"]["adcode"] in placed]
    assert in_placed and all(p["township"] in names for p in in_placed)
    # a county without any positioned township: null, and the note says why
    others = [g["properties"] for g in gaps if g["properties"]["adcode"] not in placed]
    assert all(p["township"] is None and "无已定位" in p["township_note"] for p in others)


def test_a_townships_file_with_an_unknown_code_stops_the_start(settings, ctx, tmp_path):
    """A deployment misconfigured with a bad ATLAS_TOWNSHIPS_FILE fails its start-up with the
    reason, instead of starting and answering 400 to every coverage request."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from geo.errors import InvalidParameterError

    path = tmp_path / "towns.csv"
    path.write_text("name,lon,lat,code\n某镇,115.0,25.8,360799999\n", "utf-8")
    local = settings.model_copy(update={"townships_file": path,
                                        "data_dir": tmp_path / "var"})
    app = create_app(local, ctx.with_settings(local))
    with pytest.raises(InvalidParameterError, match="unknown township code"):
        with TestClient(app):
            pass
