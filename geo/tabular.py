"""CSV and XLSX tables of features, safe to open in a spreadsheet.

Site ids and other texts come from operators; a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is run as a formula by Excel, LibreOffice and WPS (OWASP
"CSV injection"), so such texts are written with a leading apostrophe, in CSV and XLSX
alike. Numbers stay numbers. CSV is UTF-8 with a BOM so Excel reads Chinese correctly.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from geo.collections.base import Collection

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_MAX = 32_767  # Excel's limit on the characters of one cell


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


def xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """An XLSX workbook of ``frame`` on sheet ``sheet``, formula-neutralised."""
    safe = _safe(frame)
    for name in safe.columns:
        if safe[name].dtype == object:
            safe[name] = safe[name].map(
                lambda v: v[:XLSX_CELL_MAX] if isinstance(v, str) else v)
    buf = io.BytesIO()
    safe.to_excel(buf, index=False, sheet_name=sheet[:31], engine="openpyxl")
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
