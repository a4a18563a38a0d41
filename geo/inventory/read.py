"""Read an uploaded inventory file (CSV, XLSX/XLS or GeoJSON) into a table of strings.

The kind of file is decided from its bytes, not its name (operators rename files): a ZIP
(XLSX) or OLE2 (XLS) signature is a workbook, text starting with ``{`` is GeoJSON, other text
is CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it on Chinese Windows).
Values stay strings here; ``validate`` decides what they mean. ``row`` numbers are what the
operator sees: the spreadsheet row (header = row 1) or the feature's position in GeoJSON.

Every reader is bounded by ``ReadLimits`` (rows, columns, characters per cell) before it
builds anything large: a CSV's header is counted before pandas sees the file and pandas stops
after ``max_rows + 1`` rows; a workbook is read in a limited worker process (``sandbox``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import orjson
import pandas as pd

from geo.errors import UploadRejectedError, UploadTooLargeError
from geo.inventory.sandbox import ReadLimits, cell_text, read_workbook
from geo.inventory.vocab import CSV_COLUMNS, REQUIRED_COLUMNS

__all__ = ["RawTable", "ReadLimits", "detect_kind", "read_upload"]

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


def read_upload(data: bytes, max_rows: int, limits: ReadLimits | None = None) -> RawTable:
    """Parse ``data`` into a RawTable within ``limits`` (with ``max_rows`` rows).

    Raises UploadRejectedError (unreadable) or UploadTooLargeError (over a limit).
    """
    limits = replace(limits or ReadLimits(), max_rows=max_rows)
    if not data or data.isspace():
        raise UploadRejectedError("the file is empty")
    kind = detect_kind(data)
    readers: dict[str, Callable[[bytes, ReadLimits], tuple[pd.DataFrame, pd.Series]]] = {
        "csv": _read_csv, "xlsx": partial(_read_workbook, kind="xlsx"),
        "xls": partial(_read_workbook, kind="xls"), "geojson": _read_geojson}
    reader = readers[kind]
    frame, rows = reader(data, limits)
    if len(frame) == 0:
        raise UploadRejectedError("the file has a header but no rows")
    if len(frame) > max_rows:
        raise _too_many_rows(f"{len(frame):,}", max_rows, rows=len(frame))
    table = RawTable(kind, _conform_columns(frame), rows)
    # the workbook reader checked its cells already; a CSV without quotes whose lines are
    # all short (in bytes, so in characters) cannot hold a long cell
    if kind == "geojson" or (kind == "csv" and (b'"' in data or _longest_line(data) >
                                                 limits.max_cell_chars)):
        _check_cell_lengths(table, limits.max_cell_chars)
    return table


def _longest_line(data: bytes, chunk: int = 1 << 24) -> int:
    """Length in bytes of the longest line (vectorised, 16 MiB at a time)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    last, longest = -1, 0
    for start in range(0, len(buf), chunk):
        ends = np.flatnonzero(buf[start:start + chunk] == 10) + start
        if len(ends):
            longest = max(longest, int(ends[0]) - last - 1,
                          int(np.diff(ends).max(initial=1)) - 1)
            last = int(ends[-1])
    return max(longest, len(buf) - last - 1)


def _too_many_rows(count: str, max_rows: int, **extensions) -> UploadTooLargeError:
    return UploadTooLargeError(f"the file has {count} rows; the limit is {max_rows:,} per "
                               "upload", max_rows=max_rows, limit="max_upload_rows",
                               **extensions)


def _check_cell_lengths(table: RawTable, limit: int) -> None:
    """Refuse the file if a cell is longer than ``limit`` characters (row-level errors)."""
    errors = []
    for column in table.frame.columns:
        lengths = table.frame[column].str.len()
        if lengths.max() > limit:
            where = (lengths > limit).to_numpy()
            errors += [{"row": int(row), "column": column, "value": value[:64] + "...",
                        "reason": f"longer than {limit:,} characters ({len(value):,})"}
                       for row, value in zip(table.rows.to_numpy()[where],
                                             table.frame[column].to_numpy()[where],
                                             strict=True)]
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise UploadTooLargeError(f"{len(errors):,} cells are longer than {limit:,} "
                                  "characters", limit="max_cell_chars", errors=errors[:1000])


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


def _check_csv_shape(text: str, limits: ReadLimits) -> None:
    """Count the fields of the header and first row on a bounded prefix, before pandas.

    pandas allocates per column, and a first row wider than the header makes it build an
    index of the extra fields (10^6 fields: minutes of CPU); later rows that are too wide
    fail fast in its tokenizer.
    """
    cap = 2 * limits.max_columns * (limits.max_cell_chars + 3)
    prefix = text if len(text) <= cap else text[: text.rfind("\n", 0, cap) + 1]
    records = []
    try:
        for record in csv.reader(io.StringIO(prefix, newline=""), skipinitialspace=True):
            if record:
                records.append(record)
            if len(records) == 3:
                break
    except csv.Error:
        raise UploadRejectedError("the CSV is malformed (a quote or line break out of "
                                  "place near the start)") from None
    # a cut prefix must hold two records before the last (possibly cut) one
    if len(prefix) < len(text) and len(records) < 3:
        what = "the first line is" if not records else "the first lines are"
        raise UploadTooLargeError(
            f"{what} longer than {cap:,} characters: a row may have at most "
            f"{limits.max_columns} columns of {limits.max_cell_chars:,} characters",
            limit="max_upload_columns")
    header = len(records[0]) if records else 0
    if header > limits.max_columns:
        raise UploadTooLargeError(
            f"the header has {header:,} columns; the limit is {limits.max_columns}",
            limit="max_upload_columns")
    if len(records) > 1 and len(records[1]) > header:
        reason = f"{len(records[1]):,} fields; the header has {header}"
        raise UploadRejectedError(f"the first row has {reason}", errors=[
            {"row": 2, "column": None, "value": None, "reason": reason}])


def _read_csv(data: bytes, limits: ReadLimits) -> tuple[pd.DataFrame, pd.Series]:
    text = _decode(data)
    _check_csv_shape(text, limits)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=True, engine="c", nrows=limits.max_rows + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:200]
        raise UploadRejectedError(f"the CSV cannot be parsed: {reason}") from None
    if len(frame) > limits.max_rows:
        raise _too_many_rows(f"more than {limits.max_rows:,}", limits.max_rows)
    return frame, pd.Series(range(2, len(frame) + 2))


def _read_workbook(data: bytes, limits: ReadLimits, kind: str
                   ) -> tuple[pd.DataFrame, pd.Series]:
    header, rows, numbers = read_workbook(data, kind, limits)
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=str)
    frame.columns = header
    return frame, pd.Series(numbers, dtype="int64")


def _read_geojson(data: bytes, limits: ReadLimits) -> tuple[pd.DataFrame, pd.Series]:
    try:
        doc = orjson.loads(data.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        raise UploadRejectedError("the GeoJSON is not valid JSON") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise UploadRejectedError("GeoJSON must be a FeatureCollection with a features list")
    if len(features) > limits.max_rows:
        raise _too_many_rows(f"{len(features):,}", limits.max_rows, rows=len(features))
    records: list[dict[str, str]] = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(props, dict) and len(props) > limits.max_columns:
            raise UploadTooLargeError(
                f"feature {len(records) + 1:,} has {len(props):,} properties; the limit is "
                f"{limits.max_columns} columns", limit="max_upload_columns")
        record = {k: cell_text(v) for k, v in (props or {}).items()} if isinstance(props, dict) \
            else {}
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if isinstance(geom, dict) and geom.get("type") == "Point" \
                and isinstance(coords, list) and len(coords) >= 2:
            record["lon"], record["lat"] = cell_text(coords[0]), cell_text(coords[1])
        else:
            record["lon"] = record["lat"] = "not a Point geometry"
        records.append(record)
    columns = list(dict.fromkeys(["site_id", "lon", "lat", *(k for r in records for k in r)]))
    if len(columns) > limits.max_columns:
        raise UploadTooLargeError(
            f"the features have {len(columns):,} distinct properties; the limit is "
            f"{limits.max_columns} columns", limit="max_upload_columns")
    frame = pd.DataFrame([[r.get(c, "") for c in columns] for r in records], columns=columns,
                         dtype=str)
    return frame, pd.Series(range(1, len(frame) + 1))
