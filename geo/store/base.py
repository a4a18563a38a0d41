"""The repository interface for base-station inventories and API keys.

Callers (CLI, API, coverage analysis) use only this interface, so a PostGIS store can be
added beside the embedded SQLite one without touching them. Every write is one transaction
and is recorded as a batch (who, when, what file, counts, errors).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson
import pandas as pd

SITE_FIELDS = ("site_id", "lon", "lat", "type", "band", "status", "commissioned")
# The columns of the import_jobs and retired_sites tables, the same in every store.
JOB_COLUMNS = ("id", "operator", "actor", "filename", "mode", "coord_sys", "state", "phase",
               "rows_total", "rows_validated", "rows_done", "submitted_at", "started_at",
               "finished_at", "batch_id", "report_json", "error_json")
RETIRED_COLUMNS = ("operator", "site_id", "lon", "lat", "type", "band", "status",
                   "commissioned", "county_adcode", "created_at", "updated_at")
_JOB_JSON = ("report", "error")


def instance_id(data_dir: Path) -> str:
    """Who runs an import job: this host and its data dir (``import_jobs.host``).

    The start-up step that fails unfinished jobs is per data dir (its lease lives there):
    several app hosts on one PostGIS store each have their own, so a restart of one must
    not fail the jobs another is still running.
    """
    return f"{socket.gethostname()}:{Path(data_dir).resolve()}"


def job_values(job: Mapping[str, Any]) -> list:
    """One import job's row in ``JOB_COLUMNS`` order (``report``/``error`` as JSON text)."""
    row = {**job, **{f"{name}_json": None if job.get(name) is None
                     else orjson.dumps(job[name]).decode() for name in _JOB_JSON}}
    return [row.get(c) for c in JOB_COLUMNS]


def job_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The job dict ``save_job`` took, back from its stored row."""
    out = dict(row)
    for name in _JOB_JSON:
        raw = out.pop(f"{name}_json")
        out[name] = None if raw is None else orjson.loads(raw)
    return out


@dataclass(frozen=True)
class BatchInfo:
    """Who is writing what: recorded with every write."""

    operator: str
    actor: str
    source: str  # "upload", "cli", "api", "synthetic"
    filename: str | None = None
    coord_sys: str = "wgs84"
    mode: str = "all"  # all | partial | replace | create (single-site API) | delete
    synthetic: bool = False
    job_id: str | None = None  # the import job (Prefer: respond-async) that wrote it


# Called with (rows written into the open transaction so far, rows to write).
StoreProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportReport:
    """What one batch did."""

    batch_id: str
    operator: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[dict] = field(default_factory=list)
    reverted_edits: list[str] = field(default_factory=list)  # API edits this batch undid
    # mode "replace": the stored sites missing from the file, which the batch deleted
    # (first 1,000 by site_id; None for every other mode, whose report has no such member)
    retired: list[str] | None = None
    retired_total: int = 0

    @property
    def stored(self) -> int:
        """Rows written (new or changed)."""
        return self.inserted + self.updated

    def as_dict(self, max_errors: int = 1000) -> dict:
        """JSON form; the error list is capped, ``errors_total`` says how many there were.

        ``retired``/``retired_total`` appear only in a replace's report, so the report of
        every other mode keeps the form it always had.
        """
        out = {"batch_id": self.batch_id, "operator": self.operator,
               "rows_read": self.rows_read, "stored": self.stored, "inserted": self.inserted,
               "updated": self.updated, "unchanged": self.unchanged,
               "rejected": self.rejected, "errors_total": len(self.errors),
               "errors": self.errors[:max_errors], "reverted_edits": self.reverted_edits}
        if self.retired is not None:
            out["retired"] = self.retired[:max_errors]
            out["retired_total"] = self.retired_total
        return out


@dataclass(frozen=True)
class SiteQuery:
    """A read of sites. ``operators`` None means every operator (planner/admin)."""

    operators: tuple[str, ...] | None
    limit: int = 100
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    equals: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the secret itself)."""

    id: str
    role: str
    operator: str | None
    label: str | None
    created_at: str
    revoked_at: str | None


class SiteStore(Protocol):
    """What every inventory store provides."""

    def upsert_batch(self, sites: pd.DataFrame, info: BatchInfo, rows_read: int,
                     errors: list[dict], rejected: int | None = None,
                     progress: StoreProgress | None = None,
                     complete_job: bool = False) -> ImportReport:
        """Insert new and update changed sites of one operator in one transaction.

        ``info.mode == "replace"``: also delete (retire) the operator's stored non-synthetic
        sites that ``sites`` lacks, in the same transaction, keeping a copy of each for
        audit. ``complete_job``: mark ``info.job_id`` done in that transaction too.
        """
        ...

    def query(self, q: SiteQuery) -> tuple[pd.DataFrame, int]:
        """Sites matching ``q`` (one page) and the total number matched."""
        ...

    def get(self, operator: str, site_id: str) -> dict | None:
        """One site, or None."""
        ...

    def delete(self, operator: str, site_id: str, info: BatchInfo) -> bool:
        """Delete one site; False if it did not exist."""
        ...

    def count(self) -> int:
        """Number of stored sites."""
        ...

    def fingerprint(self) -> str:
        """A value that changes whenever the stored sites change."""
        ...

    def record_target_override(self, adcode: str, year: int, value: int | None,
                               previous_value: int | None, actor: str,
                               note: str | None = None) -> None:
        """Append a planner's override of a county target (None reverts)."""
        ...

    def target_overrides(self, history: bool = False) -> pd.DataFrame:
        """Latest override per (adcode, year), or the whole history."""
        ...

    def county_totals(self, operators: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Counts per county by status, type and synthetic flag."""
        ...

    def batches(self, operators: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        """Recent batches, newest first."""
        ...

    def batch(self, batch_id: str) -> dict | None:
        """One batch with its stored errors, or None."""
        ...

    def delete_synthetic(self, actor: str) -> int:
        """Delete every synthetic demo site (one transaction); return how many."""
        ...

    def retired_sites(self, batch_id: str) -> pd.DataFrame:
        """The sites a replace or delete batch retired, as they were stored before it."""
        ...

    def save_job(self, job: dict[str, Any]) -> None:
        """Insert or overwrite one import job's status (``geo.inventory.jobs``)."""
        ...

    def job(self, job_id: str) -> dict[str, Any] | None:
        """One import job's status, or None."""
        ...

    def interrupt_jobs(self, error: dict[str, Any], finished_at: str) -> int:
        """Mark this instance's queued or running jobs failed with ``error``; how many."""
        ...

    def prune_jobs(self, finished_before: str) -> int:
        """Forget jobs that finished before ``finished_before``; return how many."""
        ...

    def create_key(self, role: str, operator: str | None, label: str | None) -> tuple[ApiKey,
                                                                                      str]:
        """Store a new key; return it and the secret (shown once)."""
        ...

    def key_for_secret(self, secret: str) -> ApiKey | None:
        """The active key with this secret, or None."""
        ...

    def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; False if unknown or already revoked."""
        ...

    def list_keys(self) -> list[ApiKey]:
        """All keys, newest first."""
        ...
