"""Read an uploaded inventory file (CSV, XLSX/XLS or GeoJSON) into a table of strings.

The kind of file is decided from its bytes, not its name (operators rename files): a ZIP
(XLSX) or OLE2 (XLS) signature is a workbook, text starting with ``{`` is GeoJSON, other text
is CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it on Chinese Windows).
Values stay strings here; ``validate`` decides what they mean. ``row`` numbers are what the
operator sees: the spreadsheet row (header = row 1) or the feature's position in GeoJSON.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import orjson
import pandas as pd

from geo.errors import UploadRejectedError, UploadTooLargeError
from geo.inventory.vocab import CSV_COLUMNS, REQUIRED_COLUMNS

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class RawTable:
    """Rows as strings plus the source row number of each."""

    kind: str
    frame: pd.DataFrame  # columns: CSV_COLUMNS (missing optional ones filled with "")
    rows: pd.Series  # source row numbers, aligned with frame


def detect_kind(data: bytes) -> str:
    """Return ``xlsx``, ``xls``, ``geojson`` or ``csv`` from the first bytes."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xls"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    if b"\x00" in data[:4096]:
        raise UploadRejectedError("the file is neither CSV, XLSX nor GeoJSON (binary content)")
    return "csv"


def read_upload(data: bytes, max_rows: int) -> RawTable:
    """Parse ``data`` into a RawTable; raise UploadRejectedError / UploadTooLargeError."""
    if not data.strip():
        raise UploadRejectedError("the file is empty")
    kind = detect_kind(data)
    reader = {"csv": _read_csv, "xlsx": _read_workbook, "xls": _read_workbook,
              "geojson": _read_geojson}[kind]
    frame, rows = reader(data)
    if len(frame) == 0:
        raise UploadRejectedError("the file has a header but no rows")
    if len(frame) > max_rows:
        raise UploadTooLargeError(
            f"the file has {len(frame):,} rows; the limit is {max_rows:,} per upload",
            rows=len(frame), max_rows=max_rows)
    return RawTable(kind, _conform_columns(frame), rows)


def _conform_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    unknown = [c for c in frame.columns if c not in CSV_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if unknown or missing:
        raise UploadRejectedError(
            "columns do not match the inventory format "
            f"(expected {','.join(CSV_COLUMNS)})",
            missing_columns=missing, unknown_columns=unknown,
            errors=[{"row": 1, "column": c, "value": None, "reason": "missing column"}
                    for c in missing]
            + [{"row": 1, "column": c, "value": c, "reason": "unknown column"} for c in unknown],
        )
    if frame.columns.duplicated().any():
        raise UploadRejectedError("a column name appears twice in the header")
    for column in CSV_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame[list(CSV_COLUMNS)].reset_index(drop=True)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejectedError("the CSV is neither UTF-8 nor GB18030 text")


def _read_csv(data: bytes) -> tuple[pd.DataFrame, pd.Series]:
    text = _decode(data)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=True, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:200]
        raise UploadRejectedError(f"the CSV cannot be parsed: {reason}") from None
    return frame, pd.Series(range(2, len(frame) + 2))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_workbook(data: bytes) -> tuple[pd.DataFrame, pd.Series]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise UploadRejectedError(f"the workbook cannot be read: {type(exc).__name__}") from None
    sheet = [row for row in sheet if any(_cell(v) for v in row)]
    if not sheet:
        raise UploadRejectedError("the first sheet of the workbook is empty")
    header = [_cell(v) for v in sheet[0]]
    body = [[_cell(v) for v in row] + [""] * (len(header) - len(row)) for row in sheet[1:]]
    frame = pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=str)
    return frame, pd.Series(range(2, len(frame) + 2))


def _read_geojson(data: bytes) -> tuple[pd.DataFrame, pd.Series]:
    try:
        doc = orjson.loads(data.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        raise UploadRejectedError("the GeoJSON is not valid JSON") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise UploadRejectedError("GeoJSON must be a FeatureCollection with a features list")
    records = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        record = {k: _cell(v) for k, v in (props or {}).items()} if isinstance(props, dict) \
            else {}
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        is_point = isinstance(geom, dict) and geom.get("type") == "Point" \
            and isinstance(coords, list) and len(coords) >= 2
        record["lon"] = _cell(coords[0]) if is_point else "not a Point geometry"
        record["lat"] = _cell(coords[1]) if is_point else "not a Point geometry"
        records.append(record)
    columns = list(dict.fromkeys(["site_id", "lon", "lat", *(k for r in records for k in r)]))
    frame = pd.DataFrame([[r.get(c, "") for c in columns] for r in records], columns=columns,
                         dtype=str)
    return frame, pd.Series(range(1, len(frame) + 1))
