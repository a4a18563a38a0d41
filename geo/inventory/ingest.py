"""One import: read, validate, then store - all or nothing unless partial mode is asked for.

``mode="all"`` (default): any bad row rejects the whole batch; nothing changes, and the
rejected batch is still recorded with its errors - so is a file refused whole (unreadable,
or over a limit of ``ReadLimits``: rows, columns, cell length, workbook reader memory/time).
``mode="partial"``: the good rows are stored and the bad ones reported. Re-importing the same
file changes nothing (upsert on operator + site_id, unchanged rows untouched).
"""

from __future__ import annotations

from geo.errors import (
    InvalidParameterError,
    InvalidRowsError,
    UploadRejectedError,
    UploadTooLargeError,
)
from geo.inventory.locate import CountyLocator
from geo.inventory.read import ReadLimits, read_upload
from geo.inventory.validate import validate
from geo.inventory.vocab import OPERATORS
from geo.store.base import BatchInfo, ImportReport, SiteStore

MODES = ("all", "partial", "create")  # create: like all, and every site must be new
MAX_REPORTED_ERRORS = 1000


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
                     limits: ReadLimits | None = None) -> ImportReport:
    """Import one file for ``info.operator``; raise InvalidRowsError in mode "all".

    ``limits`` bounds the read (``ReadLimits.from_settings``; default: the settings'
    defaults); ``max_rows`` always sets its row limit.
    """
    check_operator(info.operator)
    if info.mode not in MODES:
        raise InvalidParameterError(f"mode must be one of {', '.join(MODES)}", "mode")
    try:
        table = read_upload(data, max_rows, limits)
    except (UploadRejectedError, UploadTooLargeError) as exc:
        errors = exc.extensions.get("errors") or [
            {"row": None, "column": None, "value": None, "reason": exc.detail}]
        report = store.upsert_batch(_empty(), info, 0, errors, rejected=0)
        exc.extensions.setdefault("batch_id", report.batch_id)
        raise
    checked = validate(table, info.coord_sys, locator, region)
    if checked.errors and info.mode != "partial":
        report = store.upsert_batch(checked.sites.iloc[0:0], info, checked.rows_read,
                                    checked.errors, rejected=checked.rows_read)
        rows_bad = len({e["row"] for e in checked.errors})
        raise InvalidRowsError(
            f"{rows_bad:,} of {checked.rows_read:,} rows failed validation; nothing was "
            "stored (use mode=partial to store the valid rows)",
            batch_id=report.batch_id, rows_read=checked.rows_read, rows_invalid=rows_bad,
            errors_total=len(checked.errors), errors=checked.errors[:MAX_REPORTED_ERRORS])
    return store.upsert_batch(checked.sites, info, checked.rows_read, checked.errors)


def _empty():
    import pandas as pd

    return pd.DataFrame(columns=["site_id"])
