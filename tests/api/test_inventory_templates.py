"""Operators' real spreadsheets through the real HTTP routes: the template round trip, an
Excel-made workbook with Chinese headers and values, and the errors a bad header gets."""

import datetime as dt
import io

import openpyxl
import pytest

from geo.inventory import template
from tests.geo.inventory.excel import excel_workbook, shared_strings

SITES = "/collections/base_stations/items"
XLSX = template.TEMPLATE_FORMATS["xlsx"]


@pytest.fixture(scope="module")
def key(app):
    secret = app.state.service.store.create_key("operator", "中国铁塔", "templates")[1]
    return {"Authorization": f"Bearer {secret}"}


def stored(client, key, site_id: str) -> dict:
    r = client.get(f"{SITES}/tower:{site_id}", headers=key)
    assert r.status_code == 200, r.text
    return r.json()["properties"]


def upload(client, key, name: str, data: bytes, **params):
    return client.post("/imports/base-stations", headers=key, params=params,
                       files={"file": (name, data)})


def route_paths(routes) -> list[str]:
    """Every route path in matching order (FastAPI may keep included routers as entries)."""
    out: list[str] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += route_paths(inner.routes) if inner is not None else [getattr(route, "path", "")]
    return out


def test_template_routes_come_before_the_batch_route(app, client):
    paths = route_paths(app.routes)
    assert paths.index("/imports/base-stations/template.{format}") < \
        paths.index("/imports/base-stations/{batchId}")
    # the proof by behaviour: {batchId} would answer an anonymous caller 401, not the file
    r = client.get("/imports/base-stations/template.xlsx")  # public: no key
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert r.content == template.template_bytes("xlsx")
    assert 'filename="base_stations_template.xlsx"' in r.headers["content-disposition"]
    assert "public" in r.headers["cache-control"] and r.headers["etag"]
    csv = client.get("/imports/base-stations/template.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert client.get("/imports/base-stations/template.pdf").status_code == 404


def test_downloaded_template_filled_in_imports_with_no_errors(client, key):
    r = client.get("/imports/base-stations/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = wb[template.DATA_SHEET]
    rows = [["TPL-1", 114.9352, 25.8318, "宏站", "n78", "在网", dt.date(2021, 3, 1)],
            ["TPL-2", 115.0, 25.9, "室分", None, "已建未开通", None]]
    for i, row in enumerate(rows, start=template.FIRST_DATA_ROW):
        for j, value in enumerate(row, start=1):
            sheet.cell(row=i, column=j, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    report = upload(client, key, "filled.xlsx", shared_strings(buf.getvalue()))
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["rows_read"], body["inserted"], body["errors"]) == (2, 2, [])
    one = stored(client, key, "TPL-1")
    assert (one["type"], one["band"], one["status"], one["commissioned"]) == \
        ("macro", "n78", "on_air", "2021-03-01")
    two = stored(client, key, "TPL-2")
    assert (two["type"], two["band"], two["status"]) == ("indoor", None, "built")


def test_excel_workbook_with_chinese_headers_and_values_imports(client, key):
    data = excel_workbook([
        ["基站编号", "经度(GCJ02)", "纬度", "基站类型", "频率", "建设状态", "入网日期"],
        ["XL-1", 114.9352, 25.8318, "宏基站", "3.5GHz", "已开通", dt.datetime(2022, 6, 30)],
        ["XL-2", 115.0, 25.9, "小站", "700M", "在建", None],
    ])
    r = upload(client, key, "移动基站清单.xlsx", data, coord_sys="gcj02")
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 2
    one = stored(client, key, "XL-1")
    assert (one["type"], one["band"], one["status"], one["commissioned"]) == \
        ("macro", "n78", "on_air", "2022-06-30")
    assert one["county_adcode"] == "360702"
    two = stored(client, key, "XL-2")
    assert (two["type"], two["band"], two["status"]) == ("micro", "n28", "planned")


def test_unknown_header_is_a_422_problem_naming_the_closest(client, key):
    data = "站址编码,经度,纬度,站型,状态\nU-1,114.93,25.83,宏站,在网\n".encode()
    r = upload(client, key, "bad.csv", data)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"] == "/problems/upload-rejected"
    assert body["unknown_columns"] == ["站址编码"] and body["missing_columns"] == ["site_id"]
    unknown = next(e for e in body["errors"] if e["code"] == "unknown_column")
    assert unknown["closest"] == "站址编号 (site_id)" and "站址编号" in unknown["reason"]


def test_row_errors_over_http_carry_codes(client, key):
    data = ("站址编号,经度,纬度,站型,状态\nE-1,25.83,114.93,宏站,在网\n"
            "E-2,114.93,25.83,宏站,在网\nE-2,114.93,25.83,宏站,在网\n").encode()
    r = upload(client, key, "rows.csv", data)
    assert r.status_code == 422, r.text
    assert [(e["row"], e["code"]) for e in r.json()["errors"]] == [
        (2, "swapped_coordinates"), (4, "duplicate_site_id")]
    assert "与第 3 行重复" in r.json()["errors"][1]["reason"]
