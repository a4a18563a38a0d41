"""One import: read, validate, then store - all or nothing unless partial mode is asked for.

``mode="all"`` (default): any bad row rejects the whole batch; nothing changes, and the
rejected batch is still recorded with its errors - so is a file refused whole (unreadable,
or over a limit of ``ReadLimits``: rows, columns, cell length, workbook reader memory/time).
``mode="partial"``: the good rows are stored and the bad ones reported. Re-importing the same
file changes nothing (upsert on operator + site_id, unchanged rows untouched).
``mode="replace"``: like ``all``, and afterwards the operator's stored sites are exactly the
file's: its real (non-synthetic) sites missing from the file are retired (deleted, a copy of
each kept with the batch) in the same transaction. Replace is all-or-nothing by nature -
there is no partial replace, because a row refused for a typo would make a live site look
missing and retire it.

Validation runs in chunks of ``CHUNK_ROWS`` rows and the store merges in chunks, so a
``progress`` callback hears how far a big import got; the chunks change neither the result
(``validate_chunked`` equals one ``validate`` of the whole table) nor the single transaction
that stores it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.errors import (
    InvalidParameterError,
    InvalidRowsError,
    UploadRejectedError,
    UploadTooLargeError,
)
from geo.inventory.locate import CountyLocator
from geo.inventory.read import RawTable, ReadLimits, read_upload
from geo.inventory.validate import Validated, validate
from geo.inventory.vocab import OPERATORS
from geo.store.base import BatchInfo, ImportReport, SiteStore

MODES = ("all", "partial", "replace", "create")  # create: like all, every site must be new
UPLOAD_MODES = ("all", "partial", "replace")  # what an operator may ask for
MAX_REPORTED_ERRORS = 1000
CHUNK_ROWS = 10_000  # rows per validation chunk (and per progress report)

# (phase, rows done in that phase, rows that phase has): "validating" the file's rows,
# then "storing" its valid rows
Progress = Callable[[str, int, int], None]


def check_operator(operator: str, error: type[InvalidParameterError] = InvalidParameterError
                   ) -> str:
    """Return ``operator`` if it is a known operator name, else raise ``error``.

    The default is the 400 of a bad query parameter; callers checking a body field pass
    ``InvalidBodyError`` (422).
    """
    if operator not in OPERATORS:
        raise error(
            f"unknown operator {operator!r}; one of {', '.join(OPERATORS)}", "operator")
    return operator


def import_inventory(store: SiteStore, data: bytes, info: BatchInfo, locator: CountyLocator,
                     max_rows: int, region: str = "ganzhou",
                     limits: ReadLimits | None = None,
                     progress: Progress | None = None) -> ImportReport:
    """Import one file for ``info.operator``; raise InvalidRowsError in modes all/replace.

    ``limits`` bounds the read (``ReadLimits.from_settings``; default: the settings'
    defaults); ``max_rows`` always sets its row limit. ``progress`` is called after every
    validated chunk (phase ``validating``) and every stored chunk (``storing``); an import
    job (``info.job_id``) is marked done by the store in the transaction that stores it.
    """
    check_operator(info.operator)
    if info.mode not in MODES:
        raise InvalidParameterError(f"mode must be one of {', '.join(UPLOAD_MODES)}", "mode")
    try:
        table = read_upload(data, max_rows, limits)
    except (UploadRejectedError, UploadTooLargeError) as exc:
        errors = exc.extensions.get("errors") or [
            {"row": None, "column": None, "value": None, "reason": exc.detail}]
        report = store.upsert_batch(_empty(), info, 0, errors, rejected=0)
        exc.extensions.setdefault("batch_id", report.batch_id)
        raise
    checked = validate_chunked(table, info.coord_sys, locator, region, progress=progress)
    if checked.errors and info.mode != "partial":
        report = store.upsert_batch(checked.sites.iloc[0:0], info, checked.rows_read,
                                    checked.errors, rejected=checked.rows_read)
        rows_bad = len({e["row"] for e in checked.errors})
        hint = ("替换模式需要无错误的文件，未做任何更改 (a replace needs a file without errors; "
                "nothing was stored or retired)" if info.mode == "replace" else
                "未做任何更改；可用 mode=partial 只存入有效行 (nothing was stored; use "
                "mode=partial to store the valid rows)")
        raise InvalidRowsError(
            f"{checked.rows_read:,} 行中有 {rows_bad:,} 行未通过校验 ({rows_bad:,} of "
            f"{checked.rows_read:,} rows failed validation); {hint}",
            batch_id=report.batch_id, rows_read=checked.rows_read, rows_invalid=rows_bad,
            errors_total=len(checked.errors), errors=checked.errors[:MAX_REPORTED_ERRORS])

    def stored(done: int, total: int) -> None:
        if progress is not None:
            progress("storing", done, total)

    return store.upsert_batch(checked.sites, info, checked.rows_read, checked.errors,
                              progress=stored, complete_job=info.job_id is not None)


def validate_chunked(table: RawTable, coord_sys: str, locator: CountyLocator,
                     region: str = "ganzhou", chunk_rows: int | None = None,
                     progress: Progress | None = None) -> Validated:
    """``validate`` in chunks of ``chunk_rows`` rows, with the result of one whole call.

    Every check is row-local except "duplicate site_id within the file" (whose reason names
    the first row): a chunk sees only its own rows, so the rows of every id that occurs in
    more than one chunk are validated again together (a small table), and their errors and
    verdicts are taken from there - in ``validate``'s own words and order, whatever they
    are. The rows of any other id give one chunk the same result as the whole file.
    """
    chunk_rows = chunk_rows or CHUNK_ROWS
    n = len(table.frame)
    frame = table.frame.reset_index(drop=True)
    rows = table.rows.reset_index(drop=True)
    parts: list[pd.DataFrame] = []
    errors: list[dict] = []
    for start in range(0, max(n, 1), chunk_rows):
        stop = min(start + chunk_rows, n)
        part = validate(RawTable(table.kind, frame.iloc[start:stop], rows.iloc[start:stop]),
                        coord_sys, locator, region)
        parts.append(part.sites)
        errors += part.errors
        if progress is not None:
            progress("validating", stop, n)
    if len(parts) == 1:
        return Validated(sites=parts[0], errors=errors, rows_read=n)
    # chunks whose every row failed are left out: their empty frames have no dtypes to give
    sites = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    errors.sort(key=lambda e: (e["row"], e["column"]))  # stable, as validate's own sort
    sites, errors = _ids_across_chunks(table.kind, frame, rows, chunk_rows, sites, errors,
                                       coord_sys, locator, region)
    return Validated(sites=sites, errors=errors, rows_read=n)


def _ids_across_chunks(kind: str, frame: pd.DataFrame, rows: pd.Series, chunk_rows: int,
                       sites: pd.DataFrame, errors: list[dict], coord_sys: str,
                       locator: CountyLocator, region: str
                       ) -> tuple[pd.DataFrame, list[dict]]:
    """Redo the rows whose id occurs in more than one chunk (see validate_chunked)."""
    raw = frame["site_id"].to_numpy(dtype=object)  # (iterating the pandas column is slow)
    ids = pd.Series([v.strip() if isinstance(v, str) else v for v in raw], dtype=object)
    chunk = np.arange(len(ids)) // chunk_rows
    named = (ids != "") & ids.notna()
    repeated = ids.duplicated(keep="first") & named
    if not repeated.any():  # the normal case: every id once
        return sites, errors
    in_chunk = pd.DataFrame({"id": ids, "chunk": chunk}).duplicated(keep="first") & named
    # a row that repeats an id but is the first of it in its chunk: that id spans chunks
    cross = (repeated & ~in_chunk).to_numpy()
    if not cross.any():
        return sites, errors
    involved = ids.isin(set(ids[cross])).to_numpy()
    again = validate(RawTable(kind, frame[involved].reset_index(drop=True),
                              rows[involved].reset_index(drop=True)),
                     coord_sys, locator, region)
    redo = {int(r) for r in rows[involved]}
    merged = [e for e in errors if e["row"] not in redo] + again.errors
    merged.sort(key=lambda e: (e["row"], e["column"]))  # stable: validate's order kept
    good = set(again.sites["row"].tolist())
    keep = ~sites["row"].isin(redo) | sites["row"].isin(good)
    return sites[keep].reset_index(drop=True), merged


def _empty():
    return pd.DataFrame(columns=["site_id"])
