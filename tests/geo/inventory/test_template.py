"""The downloadable templates: what the importer accepts, filled in as an operator would."""

import io
import os
import subprocess
import sys

import openpyxl
import pytest

from geo.inventory import template
from geo.inventory.aliases import COLUMN_LABELS, canonical_value
from geo.inventory.locate import CountyLocator
from geo.inventory.read import read_upload
from geo.inventory.template import EXAMPLE_ROW, template_bytes
from geo.inventory.validate import validate
from geo.inventory.vocab import BANDS, CSV_COLUMNS, SITE_TYPES, STATUSES


@pytest.fixture(scope="module")
def locator(settings):
    return CountyLocator.for_region(settings)


def book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def fill(data: bytes, rows: list[list[object]]) -> bytes:
    """The template with ``rows`` typed in from row 3, saved as Excel would."""
    wb = book(data)
    for r, row in enumerate(rows, start=template.FIRST_DATA_ROW):
        for c, value in enumerate(row, start=1):
            wb[template.DATA_SHEET].cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def example_from_rules_sheet(data: bytes) -> list[object]:
    rules = list(book(data)[template.RULES_SHEET].iter_rows(values_only=True))
    header = [COLUMN_LABELS[c] for c in CSV_COLUMNS]
    at = next(i for i, r in enumerate(rules) if list(r[:len(header)]) == header)
    return list(rules[at + 1][:len(header)])


def test_xlsx_has_two_header_rows_and_the_rules_sheet():
    wb = book(template_bytes("xlsx"))
    assert wb.sheetnames == [template.DATA_SHEET, template.RULES_SHEET]
    rows = list(wb[template.DATA_SHEET].iter_rows(values_only=True))
    assert rows == [tuple(COLUMN_LABELS[c] for c in CSV_COLUMNS), tuple(CSV_COLUMNS)]
    text = "\n".join(str(v) for r in wb[template.RULES_SHEET].iter_rows(values_only=True)
                     for v in r if v is not None)
    for needle in ("wgs84", "gcj02", "bd09", "YYYY-MM-DD", "站址编号", "宏站", "3.5G",
                   "n77 或 n78"):
        assert needle in text, needle
    sheet = wb[template.DATA_SHEET]
    assert sheet.freeze_panes == "A3" and sheet.column_dimensions["A"].width == 22


def test_drop_downs_offer_labels_the_importer_maps():
    sheet = book(template_bytes("xlsx"))[template.DATA_SHEET]
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1.strip('"').split(",")
             for dv in sheet.data_validations.dataValidation}
    letter = {c: "ABCDEFG"[i] for i, c in enumerate(CSV_COLUMNS)}
    assert [canonical_value("type", v) for v in lists[letter["type"]]] == list(SITE_TYPES)
    assert [canonical_value("status", v) for v in lists[letter["status"]]] == list(STATUSES)
    assert lists[letter["band"]] == list(BANDS)


def test_template_is_deterministic():
    first = template_bytes("xlsx")
    template._xlsx.cache_clear()
    assert template_bytes("xlsx") == first  # fixed timestamps: cacheable by its bytes


def test_blank_template_is_a_header_without_rows():
    from geo.errors import UploadRejectedError

    for fmt in template.TEMPLATE_FORMATS:
        with pytest.raises(UploadRejectedError, match="no rows"):
            read_upload(template_bytes(fmt), 10)


def test_filled_template_round_trips_with_the_example_row(locator):
    example = example_from_rules_sheet(template_bytes("xlsx"))
    assert example[0] == EXAMPLE_ROW["site_id"]
    data = fill(template_bytes("xlsx"), [example, ["GZ-0002", 115.0, 25.9, "室分", "", "规划",
                                                   None]])
    table = read_upload(data, 100)
    v = validate(table, "wgs84", locator)
    assert v.errors == [] and table.rows.tolist() == [3, 4]
    first = v.sites.iloc[0]
    assert (first["site_id"], first["type"], first["band"], first["status"],
            first["commissioned"]) == ("GZ-0001", "macro", "n78", "on_air", "2021-03-01")
    assert v.sites.iloc[1]["type"] == "indoor"


def test_filled_csv_template_round_trips(locator):
    data = template_bytes("csv") + "C1,114.93,25.83,微站,2.6G,已建,2021/3/1\r\n".encode()
    v = validate(read_upload(data, 10), "wgs84", locator)
    assert v.errors == [] and v.sites["row"].tolist() == [3]
    assert v.sites[["type", "band", "status"]].iloc[0].tolist() == ["micro", "n41", "built"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cli_template_writes_a_file_the_importer_reads(tmp_path, fmt):
    out = tmp_path / f"t.{fmt}"
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "var")}
    proc = subprocess.run([sys.executable, "-m", "geo.cli", "sites", "template", "--format",
                           fmt, "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == template_bytes(fmt)
    assert str(out) in proc.stdout.replace("\n", "")
