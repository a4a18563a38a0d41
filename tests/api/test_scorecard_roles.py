"""The county scorecard per role: an operator's own columns, the planner's split, the public."""

import io

import openpyxl
import pytest

from geo.inventory.vocab import OPERATORS
from tests.pg import both_stores_app, module_client

app = both_stores_app()  # this module runs on SQLite and on PostGIS
client = module_client()

SCORE = "/collections/county_scorecard"
SPLIT = [f"sites_{code}" for code in OPERATORS.values()]
MINE = ["my_sites_total", "my_planned", "my_built", "my_on_air", "my_share_pct",
        "my_covered_area_pct"]
COUNTY = "360702"  # 章贡区
ME, OTHER = "中国电信", "中国广电"
MY_ROWS = [("SC-1", 114.9312, 25.8301, "on_air"), ("SC-2", 114.9405, 25.8456, "on_air"),
           ("SC-3", 114.9521, 25.8612, "built"), ("SC-4", 114.9001, 25.8203, "planned")]


@pytest.fixture(scope="module")
def keys(app):
    store = app.state.service.store
    made = {name: store.create_key(role, op, "roles")[1] for name, role, op in [
        ("me", "operator", ME), ("other", "operator", OTHER), ("planner", "planner", None)]}
    return {name: {"Authorization": f"Bearer {key}"} for name, key in made.items()}


@pytest.fixture(scope="module")
def stored(client, keys):
    body = "site_id,lon,lat,type,status\n" + "".join(
        f"{i},{x},{y},macro,{s}\n" for i, x, y, s in MY_ROWS)
    r = client.post("/imports/base-stations", headers=keys["me"],
                    files={"file": ("mine.csv", body.encode())})
    assert r.status_code == 200, r.text


def _rows(client, headers=None, **params):
    r = client.get(f"{SCORE}/items", headers=headers or {}, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    return {f["id"]: f["properties"] for f in body["features"]}, body


def _store_counts(app, operator=None):
    """Real-site counts of one county from the store (None: every operator)."""
    counts = app.state.service.store.county_totals()
    real = counts[(counts["synthetic"] == 0) & (counts["county_adcode"] == COUNTY)]
    if operator is not None:
        real = real[real["operator"] == operator]
    return real


def test_an_operator_sees_its_own_columns_and_no_competitor_split(client, app, keys, stored):
    rows, body = _rows(client, keys["me"])
    mine = rows[COUNTY]
    assert set(MINE) <= set(mine) and not set(SPLIT) & set(mine)
    assert "sites_by_operator" not in mine and "parks_covered" not in mine
    own = _store_counts(app, ME)
    for status in ("planned", "built", "on_air"):
        assert mine[f"my_{status}"] == int(own.loc[own["status"] == status, "n"].sum())
    assert mine["my_sites_total"] == int(own["n"].sum()) >= len(MY_ROWS)
    county_real = int(_store_counts(app)["n"].sum())
    assert mine["my_share_pct"] == round(100 * mine["my_sites_total"] / county_real, 1)
    assert 0 < mine["my_covered_area_pct"] <= 100  # from the run of its own sites
    assert body["own_coverage_basis"] == "operator-ctcc"
    assert body["city"]["my_sites_total"] == sum(r["my_sites_total"] for r in rows.values())
    # the public columns stay as precise as for anyone without a planner key
    assert all(r["covered_area_pct"] is None or float(r["covered_area_pct"]).is_integer()
               for r in rows.values())


def test_another_operators_site_changes_none_of_my_columns(client, app, keys, stored):
    before, _ = _rows(client, keys["me"])
    r = client.post("/collections/base_stations/items", headers=keys["other"], json={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [114.9333, 25.8333]},
        "properties": {"site_id": "ROLE-OTHER-1", "type": "macro", "status": "on_air"}})
    assert r.status_code == 201, r.text
    app.state.service.coverage.wait(2025)
    after, _ = _rows(client, keys["me"])
    for adcode, row in after.items():
        for name in ("my_sites_total", "my_planned", "my_built", "my_on_air",
                     "my_covered_area_pct"):
            assert row[name] == before[adcode][name], (adcode, name)
    assert after[COUNTY]["sites_total"] == before[COUNTY]["sites_total"] + 1  # public count


def test_the_planner_gets_the_split_as_numbers(client, app, keys, stored):
    rows, body = _rows(client, keys["planner"])
    row = rows[COUNTY]
    assert not set(MINE) & set(row)
    assert all(isinstance(row[c], int) for c in SPLIT)
    real = _store_counts(app)
    for name, code in OPERATORS.items():
        assert row[f"sites_{code}"] == int(real.loc[real["operator"] == name, "n"].sum())
    assert sum(row[c] for c in SPLIT) == row["sites_total"]  # basis: real sites
    assert body["city"]["sites_ctcc"] == sum(r["sites_ctcc"] for r in rows.values())


def test_anonymous_gets_neither_and_stays_rounded(client, stored):
    rows, body = _rows(client)
    for row in rows.values():
        assert not (set(MINE) | set(SPLIT) | {"sites_by_operator"}) & set(row)
        for name in ("covered_area_pct", "main_urban_coverage_pct", "gap_area_km2"):
            assert row[name] is None or float(row[name]).is_integer()
    assert "own_coverage_basis" not in body and "my_sites_total" not in body["city"]


@pytest.mark.parametrize("who", [None, "me", "planner"])
def test_schema_and_queryables_describe_what_the_caller_gets(client, keys, stored, who):
    headers = keys[who] if who else {}
    rows, _ = _rows(client, headers)
    got = set(next(iter(rows.values())))
    schema = client.get(f"{SCORE}/schema", headers=headers).json()["properties"]
    assert set(schema) - {"geometry"} == got
    queryables = client.get(f"{SCORE}/queryables", headers=headers).json()["properties"]
    if who == "me":
        assert "my_on_air" in queryables and "sites_ctcc" not in queryables
        assert client.get(f"{SCORE}/items", headers=headers,
                          params={"filter": "my_on_air > 0"}).status_code == 200
    if who == "planner":
        assert "sites_ctcc" in queryables
        assert client.get(f"{SCORE}/items", headers=headers,
                          params={"properties": "name,sites_ctcc"}).status_code == 200
    if who is None:
        assert client.get(f"{SCORE}/items", params={"filter": "my_on_air > 0"}
                          ).status_code == 400


def test_the_xlsx_is_for_people(client, keys, stored):
    r = client.get(f"{SCORE}/items", headers=keys["me"], params={"f": "xlsx"})
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    titles, names = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert titles[:2] == ["区县代码", "区县"] and names[:2] == ["adcode", "name"]
    assert "本运营商在网站点" in titles and "my_on_air" in names
    rows = [dict(zip(names, [c.value for c in row], strict=True))
            for row in sheet.iter_rows(min_row=3)]
    county = next(r for r in rows if r["adcode"] == COUNTY)
    assert isinstance(county["sites_total"], int) and isinstance(county["my_on_air"], int)
    assert isinstance(county["pct_of_target_2025"], float)
    assert county["mines_coverage"] == "无法评估"  # enum values in Chinese
    assert rows[-1]["name"] == "赣州市合计"
    for row in rows:
        for name in ("sites_total", "covered_area_pct", "my_share_pct"):
            assert row[name] is None or isinstance(row[name], int | float)
