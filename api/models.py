"""Pydantic models of the JSON documents the API returns.

The routes build their bodies with orjson (fast, exact media types), so these models do not
serialise anything: they give the OpenAPI document real schemas (``responses={200: {"model":
...}}``) and let the tests validate every body against the same definition
(``tests/api/test_response_models.py``). ``extra="forbid"`` where the document is ours
alone, so a member added to a body without its schema fails a test.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Link(_Strict):
    """A web link (OGC API Common)."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None
    templated: bool | None = None


class LandingPage(_Strict):
    """``/``: title, description and the links to API, conformance and data."""

    title: str
    description: str
    links: list[Link]


class Conformance(_Strict):
    """``/conformance``: the conformance classes implemented (and tested)."""

    conformsTo: list[str]


class SpatialExtent(_Strict):
    """Bounding box of a collection, CRS84."""

    bbox: list[list[float]]
    crs: str


class TemporalExtent(_Strict):
    """First and last instant of a collection's temporal property (RFC 3339, UTC)."""

    interval: list[list[str | None]]
    trs: str


class Extent(_Strict):
    """A collection's extent."""

    spatial: SpatialExtent
    temporal: TemporalExtent | None = Field(
        None, description="for collections with a temporal property (``datetime`` selects)")


class CollectionDocument(_Strict):
    """``/collections/{id}``: one collection of the catalog."""

    id: str
    title: str
    description: str
    itemType: Literal["feature"]
    crs: list[str]
    storageCrs: str
    links: list[Link]
    keywords: list[str] | None = Field(None, description="Chinese and English keywords")
    itemCount: int | None = None
    extent: Extent | None = None
    access: str | None = Field(None, description="set when an API key is needed")


class Collections(_Strict):
    """``/collections``: every collection the caller may read."""

    links: list[Link]
    collections: list[CollectionDocument]
    crs: list[str]


class FeatureCollectionPage(BaseModel):
    """``/collections/{id}/items``: one page (collection-specific members are allowed)."""

    type: Literal["FeatureCollection"]
    numberMatched: int
    numberReturned: int
    timeStamp: str
    links: list[Link]
    features: list[dict[str, Any]]


class ImportReport(_Strict):
    """``POST /imports/base-stations``: what one batch did."""

    batch_id: str
    operator: str
    rows_read: int
    stored: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors_total: int
    errors: list[dict[str, Any]]
    reverted_edits: list[str] = Field(
        default_factory=list, description="sites whose single-site API edit this import undid")
    retired: list[str] | None = Field(
        None, description="mode=replace only: the first 1,000 stored sites (by site_id) the "
                          "file lacked, which the import retired (deleted; kept for audit)")
    retired_total: int | None = Field(None, description="mode=replace only: how many retired")


class ImportJob(_Strict):
    """``/imports/base-stations/jobs/{jobId}``: an import run in the background."""

    id: str
    operator: str
    actor: str
    filename: str | None
    mode: str
    coord_sys: str
    state: Literal["queued", "running", "done", "failed"]
    phase: str | None = Field(None, description="queued, reading, validating, storing, "
                                                "finished")
    rows_total: int | None = Field(None, description="rows in the file, once it was read")
    rows_validated: int
    rows_done: int = Field(description="rows written into the import's transaction so far")
    submitted_at: str
    started_at: str | None
    finished_at: str | None
    batch_id: str | None
    report: ImportReport | None = Field(None, description="when done: the synchronous report")
    error: dict[str, Any] | None = Field(None, description="when failed: a problem document")
    links: list[Link]
