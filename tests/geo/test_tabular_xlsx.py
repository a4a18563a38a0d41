"""The XLSX for people: Chinese titles over field names, Chinese values, number cells."""

import io

import openpyxl
import pandas as pd

from geo.labels import FIELDS, IOT_TIER, STATUS, label
from geo.schema import Column, LayerSchema
from geo.tabular import NOTE_COLUMN, xlsx_bytes

SCHEMA = LayerSchema(
    columns=(Column("id", "string", "编号"), Column("status", "string", "状态", labels=STATUS),
             Column("iot_tiers", "string", "物联网部署梯次", labels=IOT_TIER),
             Column("sites", "int", "基站数"), Column("pct", "float", "覆盖面积%"),
             Column("share", "float", "份额%"), Column("share_note", "string", "份额说明"),
             Column("synthetic", "bool", "合成演示数据"), Column("remark", "string", "备注")),
    id_column="id", geometry_types=frozenset({"Point"}))
FRAME = pd.DataFrame({
    "id": ["a", "b", None], "status": ["on_air", "planned", None],
    "iot_tiers": ["1,3", None, None], "sites": [3, 0, 3], "pct": [12.5, None, None],
    "share": [None, 50.0, None], "share_note": ["县内无真实站点", None, None],
    "synthetic": [False, True, None], "remark": ["=HYPERLINK(1)", "普通", None],
    "plan_2025": [None, None, 20000]}, dtype=object)


def _sheet(frame=FRAME, schema=SCHEMA):
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, "t", schema))).active


def _cells(sheet):
    header = [c.value for c in sheet[2]]
    return header, [dict(zip(header, [c.value for c in row], strict=True))
                    for row in sheet.iter_rows(min_row=3)]


def test_row_one_is_chinese_titles_row_two_field_names_and_the_header_is_frozen():
    sheet = _sheet()
    titles = [c.value for c in sheet[1]]
    assert titles[:4] == ["编号", "状态", "物联网部署梯次", "基站数"]
    assert "规划2025全市目标" in titles  # a city-line field beside the schema
    header, _ = _cells(sheet)
    assert header[:4] == ["id", "status", "iot_tiers", "sites"] and header[-1] == NOTE_COLUMN
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width


def test_values_are_chinese_and_numbers_are_number_cells():
    _, rows = _cells(_sheet())
    a, b, city = rows
    assert (a["status"], b["status"]) == ("在网", "规划")
    assert a["iot_tiers"] == "第一梯次·优先完成部署、第三梯次·逐步部署"
    assert (a["synthetic"], b["synthetic"]) == ("否", "是")
    assert isinstance(a["sites"], int) and isinstance(a["pct"], float)
    assert city["plan_2025"] == 20000
    assert a["remark"] == "'=HYPERLINK(1)"  # formula neutralised


def test_no_data_is_an_empty_cell_and_the_note_says_which():
    _, rows = _cells(_sheet())
    a, b, city = rows
    assert b["pct"] is None and a["share"] is None  # never a text in a number column
    assert "覆盖面积%" in b[NOTE_COLUMN]
    assert a[NOTE_COLUMN] is None  # share is explained by its own share_note column
    assert city[NOTE_COLUMN].startswith("汇总行")
    for row in rows:
        for name in ("sites", "pct", "share"):
            assert row[name] is None or isinstance(row[name], int | float)


def test_without_a_schema_the_plain_table():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(FRAME, "t"))).active
    assert [c.value for c in sheet[1]][:2] == ["id", "status"]
    assert sheet["B2"].value == "on_air"


def test_one_label_table_for_maps_and_exports():
    from maps.coverage import STATUS_LABELS, TYPE_LABELS
    from maps.text import IOT_TIER_NAMES

    assert IOT_TIER_NAMES is IOT_TIER and TYPE_LABELS is FIELDS["type"]
    assert all(STATUS_LABELS[k].startswith(v) for k, v in STATUS.items())
    assert label("2,9", IOT_TIER) == "2,9" and label(3, STATUS) == 3  # unknown: as it is
