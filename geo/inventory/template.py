"""The blank inventory templates an operator downloads, fills in and uploads (XLSX, CSV).

Most import failures are spreadsheets that were never meant for this service; a template the
importer is guaranteed to accept (tests round-trip it) removes most of them. The XLSX is
what an operator fills in by hand:

* sheet ``基站清单`` (the first sheet, the one the importer reads): header row 1 in Chinese,
  row 2 the field names (``site_id`` ...; the importer recognises and skips a second header
  row), data from row 3; drop-downs for 站型, 频段 and 状态 in the Chinese labels the
  importer maps; ``site_id`` formatted as text, so ``0012`` keeps its zeros; the date column
  as a date;
* sheet ``说明`` (rules): required columns, every accepted header and value spelling (from
  ``aliases``, so the sheet never disagrees with the importer), coordinate systems, the date
  format, and the example row. The example lives here and not on the data sheet, so an
  operator who forgets to delete it cannot import a fake site.

Both files are byte-for-byte deterministic (fixed timestamps in the zip and the document
properties), so a server or proxy may cache them; they are built once per process.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import lru_cache

from geo.inventory.aliases import (
    BAND_AMBIGUOUS,
    COLUMN_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    header_spellings,
    value_spellings,
)
from geo.inventory.vocab import BANDS, COORD_SYSTEMS, CSV_COLUMNS, REQUIRED_COLUMNS

__all__ = ["EXAMPLE_ROW", "TEMPLATE_FORMATS", "template_bytes"]

TEMPLATE_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
DATA_SHEET, RULES_SHEET = "基站清单", "说明"
FIRST_DATA_ROW = 3  # after the Chinese header and the field-name row
VALIDATED_ROWS = 200_000  # drop-downs reach as far as an upload may (ATLAS_MAX_UPLOAD_ROWS)
FIXED_TIME = dt.datetime(2025, 1, 1)  # the files' timestamps: deterministic bytes
EXAMPLE_ROW = {"site_id": "GZ-0001", "lon": 114.9352, "lat": 25.8318, "type": TYPE_LABELS["macro"],
               "band": "n78", "status": STATUS_LABELS["on_air"],
               "commissioned": dt.date(2021, 3, 1)}
_WIDTHS = {"site_id": 22, "lon": 14, "lat": 14, "type": 12, "band": 10, "status": 14,
           "commissioned": 14}
_FORMATS = {"site_id": "@", "lon": "0.000000", "lat": "0.000000", "commissioned": "yyyy-mm-dd"}
_NOTES = {
    "site_id": "运营商自己的站址编号，文件内不可重复；≤ 64 个字符：字母、数字、汉字和 - _ . # ( )，"
               "以字母、数字或汉字开头 (the operator's own id, unique in the file)",
    "lon": "经度，十进制度，坐标系在导入时选择 (decimal degrees in the chosen coord_sys)",
    "lat": "纬度，十进制度 (decimal degrees)",
    "type": "站型 (site type)",
    "band": "5G 频段，可留空 (NR band, may be empty)",
    "status": "建设状态 (status)",
    "commissioned": "开通日期 YYYY-MM-DD，可留空 (date in service, may be empty)",
}


def template_bytes(fmt: str) -> bytes:
    """The template in ``fmt`` (``xlsx`` or ``csv``; KeyError otherwise), cached."""
    return {"xlsx": _xlsx, "csv": _csv}[fmt]()


@lru_cache(maxsize=1)
def _csv() -> bytes:
    """UTF-8 with BOM and CRLF, as Excel saves CSV: it opens with the Chinese intact."""
    rows = [[COLUMN_LABELS[c] for c in CSV_COLUMNS], list(CSV_COLUMNS)]
    return ("\ufeff" + "".join(",".join(r) + "\r\n" for r in rows)).encode("utf-8")


def _choices(labels: dict[str, str]) -> str:
    return '"' + ",".join(labels.values()) + '"'


@lru_cache(maxsize=1)
def _xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.properties.creator = "ganzhou-atlas"
    book.properties.title = "基站清单导入模板 (base-station inventory template)"
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.active
    sheet.title = DATA_SHEET
    required = PatternFill("solid", fgColor="FCE4D6")
    optional = PatternFill("solid", fgColor="E2EFDA")
    letters = {c: get_column_letter(i) for i, c in enumerate(CSV_COLUMNS, start=1)}
    for i, column in enumerate(CSV_COLUMNS, start=1):
        label = sheet.cell(row=1, column=i, value=COLUMN_LABELS[column])
        label.font = Font(bold=True)
        label.fill = required if column in REQUIRED_COLUMNS else optional
        label.alignment = Alignment(horizontal="center")
        name = sheet.cell(row=2, column=i, value=column)
        name.font = Font(italic=True, color="808080")
        name.alignment = Alignment(horizontal="center")
        dimension = sheet.column_dimensions[letters[column]]
        dimension.width = _WIDTHS[column]
        if column in _FORMATS:
            dimension.number_format = _FORMATS[column]
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    last = FIRST_DATA_ROW + VALIDATED_ROWS - 1
    for column, choices in (("type", _choices(TYPE_LABELS)),
                            ("band", '"' + ",".join(BANDS) + '"'),
                            ("status", _choices(STATUS_LABELS))):
        # a warning, not a stop: the other accepted spellings (macro, 宏基站, 3.5G) may be
        # typed or pasted in too
        check = DataValidation(type="list", formula1=choices, allow_blank=True,
                               errorStyle="warning", showErrorMessage=True,
                               errorTitle="不在列表中 (not in the list)",
                               error="请从下拉列表选择，或见“说明”页接受的写法 "
                                     "(choose from the list or see the 说明 sheet)",
                               promptTitle=COLUMN_LABELS[column], prompt=_NOTES[column][:250],
                               showInputMessage=True)
        check.add(f"{letters[column]}{FIRST_DATA_ROW}:{letters[column]}{last}")
        sheet.add_data_validation(check)
    _rules_sheet(book.create_sheet(RULES_SHEET), Font)
    buf = io.BytesIO()
    book.save(buf)
    return _fixed_zip(buf.getvalue())


def _rules_sheet(sheet, font) -> None:
    """The 说明 sheet: what the importer accepts, from the same tables it uses."""
    rows: list[list[object]] = [
        ["基站清单导入说明 (how to fill in the inventory)"],
        ["只读取第一个工作表“基站清单”；第 1 行中文表头、第 2 行字段名可保留，"
         "从第 3 行起每行一个站址。"
         "(Only the first sheet is read; keep the two header rows and fill one site per row "
         "from row 3.)"],
        [],
        ["列 (column)", "字段 (field)", "必填 (required)", "说明 (rule)",
         "接受的表头写法 (accepted headers)"],
    ]
    for column, spellings in header_spellings().items():
        rows.append([COLUMN_LABELS[column], column,
                     "是 (yes)" if column in REQUIRED_COLUMNS else "否 (no)", _NOTES[column],
                     "、".join(spellings)])
    rows += [[], ["取值 (values)", "字段值 (stored as)", "接受的写法 (accepted spellings)"]]
    for column in ("type", "status", "band"):
        for value, spellings in value_spellings(column).items():
            rows.append([COLUMN_LABELS[column], value, "、".join(spellings)])
    for mhz, bands in BAND_AMBIGUOUS.items():
        rows.append([COLUMN_LABELS["band"], "—", f"{mhz / 1000:g}G 不明确（{' 或 '.join(bands)}），"
                     f"请写频段号 (ambiguous: write the band, {' or '.join(bands)})"])
    rows += [
        [],
        ["坐标系 (coordinate systems)", "导入时选择 coord_sys：" + "、".join(COORD_SYSTEMS)
         + "（wgs84 = GPS；gcj02 = 高德/腾讯；bd09 = 百度），入库前统一转换为 WGS84 "
         "(chosen at import; converted to WGS84)"],
        ["日期 (dates)", "开通日期写 YYYY-MM-DD（如 2021-03-01），也接受 2021/3/1、"
         "2021年3月1日 和 Excel 日期单元格；"
         "1990–2100 (a date cell or year-first text)"],
        ["区县 (county)", "不要填写区县：区县由坐标的空间位置推导 (the county is derived from the "
         "position; no county column)"],
        [],
        ["示例 (example)：仅供参考，本页不会被导入 (for reference only: this sheet is "
         "never imported)"],
        [COLUMN_LABELS[c] for c in CSV_COLUMNS],
        [EXAMPLE_ROW[c] for c in CSV_COLUMNS],
    ]
    for row in rows:
        sheet.append(row)
    for cell in (sheet["A1"], sheet["A4"], sheet[f"A{len(rows) - 2}"]):
        cell.font = font(bold=True)
    sheet.cell(row=len(rows), column=CSV_COLUMNS.index("commissioned") + 1).number_format = \
        "yyyy-mm-dd"
    for letter, width in zip("ABCDE", (18, 16, 40, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook with every timestamp fixed (openpyxl stamps "now" on save)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()
