"""CSV and XLSX tables of features, safe to open in a spreadsheet.

Site ids and other texts come from operators; a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is run as a formula by Excel, LibreOffice and WPS (OWASP
"CSV injection"), so such texts are written with a leading apostrophe, in CSV and XLSX
alike. Numbers stay numbers. CSV is UTF-8 with a BOM so Excel reads Chinese correctly.

The XLSX is for people (the CSV is for GIS tools): given the schema, row 1 holds the Chinese
column titles and row 2 the field names (so a column can still be matched to the API and
the CSV), coded values are shown with their Chinese labels (``geo.labels``), numbers are
number cells, and a missing number is an empty cell - never a text, which would turn the
column into text for a pivot table or a sum. Why a number is missing is said in the row's
``note`` column (or the schema's own ``..._note`` column next to it).
"""

from __future__ import annotations

import io
import math
import numbers
from typing import TYPE_CHECKING

import pandas as pd

from geo.labels import FIELD_TITLES, label

if TYPE_CHECKING:
    from geo.collections.base import Collection
    from geo.schema import Column, LayerSchema

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_MAX = 32_767  # Excel's limit on the characters of one cell
NOTE_COLUMN = "note"
NOTE_TITLE = "说明"
NO_DATA = "无数据"
SUMMARY_ROW = "汇总行：只填写可汇总的字段"
WIDTH_MIN, WIDTH_MAX = 6, 60


def neutralise(value: object) -> object:
    """``value``, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].map(neutralise)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 (with BOM) CSV of ``frame``, formula-neutralised."""
    return ("\ufeff" + _safe(frame).to_csv(index=False)).encode("utf-8")


def xlsx_bytes(frame: pd.DataFrame, sheet: str, schema: LayerSchema | None = None) -> bytes:
    """An XLSX workbook of ``frame`` on sheet ``sheet``, formula-neutralised.

    With the collection's ``schema``: the layout for people (module docstring). Without
    one, the plain table with one header row of field names (nothing to title it with).
    """
    if schema is None:
        safe = _safe(frame)
        for name in safe.columns:
            if safe[name].dtype == object:
                safe[name] = safe[name].map(
                    lambda v: v[:XLSX_CELL_MAX] if isinstance(v, str) else v)
        buf = io.BytesIO()
        safe.to_excel(buf, index=False, sheet_name=sheet[:31], engine="openpyxl")
        return buf.getvalue()
    return _human_xlsx(frame, sheet, schema)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _number(value: object, dtype: str) -> int | float | None:
    """A number cell's value; None (an empty cell) for no data or a value that is no number."""
    if _missing(value) or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return int(float(value)) if dtype == "int" else float(value)


def _text(value: object, column: Column | None) -> object:
    if _missing(value):
        return None
    if isinstance(value, bool) or (column is not None and column.dtype == "bool"):
        return "是" if bool(value) else "否"
    if isinstance(value, numbers.Real):  # a column the schema does not declare
        return value
    text = neutralise(label(str(value), column.labels if column is not None else None))
    return text[:XLSX_CELL_MAX] if isinstance(text, str) else text


def _width(values: list[object]) -> float:
    """Column width in Excel units: 汉字 count twice, bounded."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values
                   if v is not None), default=0)
    return max(WIDTH_MIN, min(WIDTH_MAX, longest + 2))


def _rows(frame: pd.DataFrame, schema: LayerSchema) -> tuple[list[list[object]], list[str]]:
    """The cells of every row, and the row's note (appended when any row has one)."""
    declared = {c.name: c for c in schema.columns}
    names = [str(n) for n in frame.columns]
    numeric = {n: declared[n] for n in names
               if n in declared and declared[n].dtype in ("int", "float")}
    explained = {n for n in numeric if f"{n}_note" in names}  # its own note column says why
    id_column = schema.id_column if schema.id_column in names else None
    rows: list[list[object]] = []
    notes: list[str | None] = []
    for record in frame.to_dict("records"):
        row: list[object] = []
        empty: list[str] = []
        for n in names:
            if n in numeric:
                row.append(_number(record[n], numeric[n].dtype))
                if row[-1] is None and n not in explained:
                    empty.append(numeric[n].title)
            else:
                row.append(_text(record[n], declared.get(n)))
        rows.append(row)
        if id_column is not None and _missing(record[id_column]):
            notes.append(SUMMARY_ROW)  # e.g. the scorecard's city line
        else:
            notes.append(f"{NO_DATA}：{'、'.join(empty)}" if empty else None)
    if any(notes):
        for row, note in zip(rows, notes, strict=True):
            row.append(note)
        names.append(NOTE_COLUMN)
    return rows, names


def _human_xlsx(frame: pd.DataFrame, sheet: str, schema: LayerSchema) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    declared = {c.name: c for c in schema.columns}
    rows, names = _rows(frame, schema)
    titles = [NOTE_TITLE if n == NOTE_COLUMN else
              declared[n].title if n in declared else FIELD_TITLES.get(n, n) for n in names]
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(titles)
    ws.append(names)
    for row in rows:
        ws.append(row)
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for cell in ws[1]:
        cell.font = bold
    for cell in ws[2]:
        cell.font = grey
    ws.freeze_panes = "A3"
    for j, n in enumerate(names, start=1):
        dtype = declared[n].dtype if n in declared else None
        if dtype in ("int", "float"):
            for (cell,) in ws.iter_rows(min_row=3, min_col=j, max_col=j):
                cell.number_format = "0" if dtype == "int" else "General"
        values = [titles[j - 1], n, *(r[j - 1] for r in rows[:1000])]
        ws.column_dimensions[get_column_letter(j)].width = _width(values)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def csvt_href(collection: Collection, root: str,
              properties: tuple[str, ...] | None = None) -> str | None:
    """The URL of the ``.csvt`` sidecar that types ``items?f=csv`` (None when none fits).

    The sidecar (geo.export.csvt_line) types the columns by position; the items CSV of a
    plan layer has the schema's columns and ``wkt``, a prefix of the download CSV's, so the
    sidecar fits it. With ``properties`` chosen the columns are another list, and store-backed
    collections have no downloads: no sidecar then.
    """
    if not collection.downloads or properties is not None:
        return None
    return f"{root}/collections/{collection.id}/download/csvt"
