"""Read an uploaded inventory file (CSV, XLSX/XLS or GeoJSON) into a table of strings.

The kind of file is decided from its bytes, not its name (operators rename files): a ZIP
(XLSX) or OLE2 (XLS) signature is a workbook, text starting with ``{`` is GeoJSON, other text
is CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it on Chinese Windows).
Values stay strings here; ``validate`` decides what they mean. ``row`` numbers are what the
operator sees: the spreadsheet row (header = row 1) or the feature's position in GeoJSON.

Headers are conformed in one place, ``_conform_columns``, for every kind of file: each
header is looked up in the alias table (``aliases``: 站址编号 -> ``site_id``, 经度 -> ``lon``,
...), so a CSV, a workbook and GeoJSON properties accept the same spellings. A second header
row right under the first (the template's field-name row ``site_id, lon, ...``) is dropped;
its row number stays counted. Empty columns without a header (a formatted column right of
the data) are dropped too. Any other header is refused, naming the closest accepted one.

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
from geo.inventory.aliases import COLUMN_LABELS, canonical_column, closest_header
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
        raise UploadRejectedError("文件不是 CSV、XLSX 或 GeoJSON (the file is neither CSV, XLSX "
                                  "nor GeoJSON (binary content))")
    return "csv"


def read_upload(data: bytes, max_rows: int, limits: ReadLimits | None = None) -> RawTable:
    """Parse ``data`` into a RawTable within ``limits`` (with ``max_rows`` rows).

    Raises UploadRejectedError (unreadable) or UploadTooLargeError (over a limit).
    """
    limits = replace(limits or ReadLimits(), max_rows=max_rows)
    if not data or data.isspace():
        raise UploadRejectedError("文件为空 (the file is empty)")
    kind = detect_kind(data)
    readers: dict[str, Callable[[bytes, ReadLimits], tuple[pd.DataFrame, pd.Series]]] = {
        "csv": _read_csv, "xlsx": partial(_read_workbook, kind="xlsx"),
        "xls": partial(_read_workbook, kind="xls"), "geojson": _read_geojson}
    reader = readers[kind]
    frame, rows = reader(data, limits)
    if len(frame) > max_rows:
        raise _too_many_rows(f"{len(frame):,}", max_rows, rows=len(frame))
    if len(frame):
        frame, rows = _conform_columns(frame, rows.reset_index(drop=True))
    if len(frame) == 0:
        raise UploadRejectedError("文件只有表头，没有数据行 (the file has a header but no rows)")
    table = RawTable(kind, frame, rows)
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
    return UploadTooLargeError(f"行数超过上限 (the file has {count} rows; the limit is "
                               f"{max_rows:,} per upload)", max_rows=max_rows,
                               limit="max_upload_rows", **extensions)


def _check_cell_lengths(table: RawTable, limit: int) -> None:
    """Refuse the file if a cell is longer than ``limit`` characters (row-level errors)."""
    errors = []
    for column in table.frame.columns:
        lengths = table.frame[column].str.len()
        if lengths.max() > limit:
            where = (lengths > limit).to_numpy()
            errors += [{"row": int(row), "column": column, "value": value[:64] + "...",
                        "code": "cell_too_long",
                        "reason": f"单元格超过 {limit:,} 个字符 (longer than {limit:,} "
                                  f"characters ({len(value):,}))"}
                       for row, value in zip(table.rows.to_numpy()[where],
                                             table.frame[column].to_numpy()[where],
                                             strict=True)]
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise UploadTooLargeError(f"{len(errors):,} 个单元格过长 ({len(errors):,} cells are "
                                  f"longer than {limit:,} characters)", limit="max_cell_chars",
                                  errors=errors[:1000])


def _header_error(column: str | None, value: str | None, code: str, reason: str,
                  **more) -> dict:
    return {"row": 1, "column": column, "value": value, "code": code, "reason": reason, **more}


def _unnamed(header: str) -> bool:
    """An empty header cell (pandas names it ``Unnamed: 3``; a workbook gives "")."""
    return header == "" or (header.startswith("Unnamed: ") and header[9:].isdigit())


def _unknown_column(header: str) -> dict:
    closest = closest_header(header[:200])
    shown = header if len(header) <= 64 else header[:64] + "…"
    hint = f"，是否指 {closest}？" if closest else ""
    hint_en = f"; did you mean {closest}?" if closest else ""
    return _header_error(shown, shown, "unknown_column",
                         f"未知列 {shown}{hint} (unknown column {shown!r}{hint_en})",
                         closest=closest)


def _conform_columns(frame: pd.DataFrame, rows: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Rename the headers to the canonical columns (``aliases``); refuse what cannot be.

    Also drops a second header row (the template's field names) and empty unnamed columns.
    """
    headers = [str(c).strip() for c in frame.columns]
    frame.columns = range(len(headers))
    keep, errors = [], []
    for i, header in enumerate(headers):
        if _unnamed(header):
            if frame[i].str.strip().eq("").all():
                continue  # formatting right of the data, not a column
            errors.append(_header_error(None, None, "column_without_header",
                                        f"第 {i + 1} 列有数据但没有表头 (column {i + 1} has "
                                        "data but no header)"))
            continue
        keep.append(i)
    canonical = {i: canonical_column(headers[i]) for i in keep}
    errors += [_unknown_column(headers[i]) for i in keep if canonical[i] is None]
    missing = [c for c in REQUIRED_COLUMNS if c not in canonical.values()]
    errors += [_header_error(c, None, "missing_column",
                             f"缺少必填列 {COLUMN_LABELS[c]} ({c}) (missing column {c})")
               for c in missing]
    seen: dict[str, str] = {}
    for i in keep:
        name = canonical[i]
        if name is not None and name in seen:
            errors.append(_header_error(name, headers[i], "duplicate_column",
                                        f"列 {seen[name]} 与 {headers[i]} 都表示 {name} "
                                        f"(columns {seen[name]!r} and {headers[i]!r} both "
                                        f"mean {name})"))
        elif name is not None:
            seen[name] = headers[i]
    if errors:
        unknown = [headers[i] for i in keep if canonical[i] is None]
        raise UploadRejectedError(
            "表头不符合基站清单格式 (columns do not match the inventory format; expected "
            f"{','.join(CSV_COLUMNS)} or their Chinese names, see the template)",
            missing_columns=missing, unknown_columns=unknown, errors=errors)
    frame = frame[keep]
    frame.columns = [canonical[i] for i in keep]
    for column in CSV_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame[list(CSV_COLUMNS)].reset_index(drop=True)
    if _is_header_row(frame.iloc[0]):
        return frame.iloc[1:].reset_index(drop=True), rows.iloc[1:].reset_index(drop=True)
    return frame, rows


def _is_header_row(first: pd.Series) -> bool:
    """Whether the first data row repeats the header (every required column at least).

    The template's second row holds the field names under the Chinese ones; no site can
    look like that, since its lon and lat would not be numbers.
    """
    cells = {c: str(first[c]).strip() for c in CSV_COLUMNS}
    return all(canonical_column(cells[c]) == c for c in REQUIRED_COLUMNS) and \
        all(v == "" or canonical_column(v) == c for c, v in cells.items())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejectedError("CSV 编码无法识别 (the CSV is neither UTF-8 nor GB18030 text)")


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
        raise UploadRejectedError("CSV 格式错误 (the CSV is malformed (a quote or line break "
                                  "out of place near the start))") from None
    # a cut prefix must hold two records before the last (possibly cut) one
    if len(prefix) < len(text) and len(records) < 3:
        what = "the first line is" if not records else "the first lines are"
        raise UploadTooLargeError(
            f"行过长 ({what} longer than {cap:,} characters: a row may have at most "
            f"{limits.max_columns} columns of {limits.max_cell_chars:,} characters)",
            limit="max_upload_columns")
    header = len(records[0]) if records else 0
    if header > limits.max_columns:
        raise UploadTooLargeError(
            f"表头列数超过上限 (the header has {header:,} columns; the limit is "
            f"{limits.max_columns})",
            limit="max_upload_columns")
    if len(records) > 1 and len(records[1]) > header:
        reason = (f"第一行有 {len(records[1]):,} 个字段，表头只有 {header} 个 "
                  f"({len(records[1]):,} fields; the header has {header})")
        raise UploadRejectedError(f"the first row has too many fields: {reason}", errors=[
            {"row": 2, "column": None, "value": None, "code": "too_many_fields",
             "reason": reason}])


def _read_csv(data: bytes, limits: ReadLimits) -> tuple[pd.DataFrame, pd.Series]:
    text = _decode(data)
    _check_csv_shape(text, limits)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=True, engine="c", nrows=limits.max_rows + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:200]
        raise UploadRejectedError(f"CSV 无法解析 (the CSV cannot be parsed: {reason})") from None
    if len(frame) > limits.max_rows:
        raise _too_many_rows(f"more than {limits.max_rows:,}", limits.max_rows)
    return frame, pd.Series(range(2, len(frame) + 2))


def _read_workbook(data: bytes, limits: ReadLimits, kind: str
                   ) -> tuple[pd.DataFrame, pd.Series]:
    try:
        header, rows, numbers = read_workbook(data, kind, limits)
    except UploadTooLargeError as exc:  # the worker's cell errors name the sheet's header
        for error in exc.extensions.get("errors") or []:
            error["column"] = canonical_column(str(error.get("column"))) or error.get("column")
            error.setdefault("code", "cell_too_long")
        raise
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=str)
    frame.columns = header
    return frame, pd.Series(numbers, dtype="int64")


def _read_geojson(data: bytes, limits: ReadLimits) -> tuple[pd.DataFrame, pd.Series]:
    try:
        doc = orjson.loads(data.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        raise UploadRejectedError("GeoJSON 不是有效的 JSON (the GeoJSON is not valid JSON)") \
            from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise UploadRejectedError("GeoJSON 须为含 features 的 FeatureCollection (GeoJSON must "
                                  "be a FeatureCollection with a features list)")
    if len(features) > limits.max_rows:
        raise _too_many_rows(f"{len(features):,}", limits.max_rows, rows=len(features))
    records: list[dict[str, str]] = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(props, dict) and len(props) > limits.max_columns:
            raise UploadTooLargeError(
                f"属性过多 (feature {len(records) + 1:,} has {len(props):,} properties; the "
                f"limit is {limits.max_columns} columns)", limit="max_upload_columns")
        # a position property (lon, 经度, x ...) gives way to the geometry, as it always did
        record = {k: cell_text(v) for k, v in props.items()
                  if canonical_column(k) not in ("lon", "lat")} if isinstance(props, dict) \
            else {}
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if isinstance(geom, dict) and geom.get("type") == "Point" \
                and isinstance(coords, list) and len(coords) >= 2:
            record["lon"], record["lat"] = cell_text(coords[0]), cell_text(coords[1])
        else:
            record["lon"] = record["lat"] = "not a Point geometry"
        records.append(record)
    keys = list(dict.fromkeys(k for r in records for k in r))
    # site_id is always a column (an unnamed feature is a row error), unless an alias names it
    seed = [] if any(canonical_column(k) == "site_id" for k in keys) else ["site_id"]
    columns = list(dict.fromkeys([*seed, "lon", "lat", *keys]))
    if len(columns) > limits.max_columns:
        raise UploadTooLargeError(
            f"属性过多 (the features have {len(columns):,} distinct properties; the limit "
            f"is {limits.max_columns} columns)", limit="max_upload_columns")
    frame = pd.DataFrame([[r.get(c, "") for c in columns] for r in records], columns=columns,
                         dtype=str)
    return frame, pd.Series(range(1, len(frame) + 1))
