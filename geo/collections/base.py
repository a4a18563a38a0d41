"""One protocol for every collection the service publishes.

Plan layers (built once from the cited plan data) and store-backed collections (the
operators' base stations, their county totals, the coverage scorecard and gaps) look the
same to a client: schema, queryables, extent, CRS list, an access rule, pages of features
and single features. Each collection implements :class:`Collection`; the API has one
collections router and one items router over the :class:`~geo.collections.catalog.Catalog`,
so paging, bbox, CRS, CQL2, formats and access checks exist once.

A collection answers a request through a :class:`View` (who asks, with which
collection-specific parameters such as ``scenario``) and returns a :class:`Table`: a
:class:`~geo.features.FeatureIndex` of the rows that caller may see, plus top-level members
(the scorecard's city line). Paging and filtering then run on the index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from geo.access import Principal, require
from geo.errors import InvalidParameterError
from geo.features import FeatureIndex, ItemsQuery, Page

Access = Literal["public", "key", "planner"]  # planner: planners and admins only


@dataclass(frozen=True)
class Parameter:
    """A collection-specific query parameter of the items path (e.g. ``scenario``)."""

    name: str
    description: str
    choices: tuple[str, ...]
    default: str

    def parse(self, value: str | None) -> str:
        """The given value, or the default; a value outside ``choices`` is a 400 naming it."""
        if value is None:
            return self.default
        if value not in self.choices:
            raise InvalidParameterError(
                f"{self.name} must be one of {', '.join(self.choices)}", self.name)
        return value


@dataclass(frozen=True)
class View:
    """Who is asking and with which collection parameters (already validated)."""

    principal: Principal | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """The rows a view may see, and members to add to a page (e.g. the city line)."""

    index: FeatureIndex
    members: dict = field(default_factory=dict)
    summary_rows: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class FeaturePage:
    """A page cut from a table."""

    table: Table
    page: Page


class Collection(Protocol):
    """What every published collection provides."""

    # read-only, so that both dataclass fields and properties (LayerCollection) qualify
    @property
    def id(self) -> str:
        """The collection id in URLs."""
        ...

    @property
    def title(self) -> str:
        """Human-readable title."""
        ...

    @property
    def description(self) -> str:
        """What the collection holds and where it comes from."""
        ...

    access: Access
    parameters: tuple[Parameter, ...]
    downloads: bool  # whole-collection files (GeoPackage, QGIS bundle, ...)
    tiles: bool  # vector tiles

    def template(self, view: View | None = None) -> FeatureIndex:
        """An index whose schema describes what ``view``'s caller gets (None: the declared,
        public description) - no access check, no rows needed."""
        ...

    def table(self, view: View) -> Table:
        """The rows ``view`` may see."""
        ...

    def select(self, view: View, query: ItemsQuery) -> FeaturePage:
        """One page of the rows ``view`` may see (401/403 for callers without access)."""
        ...

    def feature(self, view: View, fid: str) -> tuple[Table, int]:
        """One feature: its table and row (404 when absent or not readable)."""
        ...


def check_access(collection: Collection, principal: Principal | None) -> None:
    """401/403 for callers who may not read ``collection``."""
    if collection.access == "key":
        require(principal, "operator", "planner", "admin")
    elif collection.access == "planner":
        require(principal, "planner", "admin")


def visible(collection: Collection, principal: Principal | None) -> bool:
    """Whether the caller may read ``collection`` (collections lists hide the rest)."""
    if collection.access == "planner":
        return principal is not None and principal.role in ("planner", "admin")
    return collection.access == "public" or principal is not None


class TableBacked:
    """``select`` and ``feature`` over ``table(view)``: what most collections need."""

    def select(self, view: View, query: ItemsQuery) -> FeaturePage:
        """The page of ``query`` over the rows ``view`` may see."""
        check_access(self, view.principal)  # type: ignore[arg-type]
        table = self.table(view)  # type: ignore[attr-defined]
        return FeaturePage(table, table.index.select(query))

    def feature(self, view: View, fid: str) -> tuple[Table, int]:
        """The table holding feature ``fid`` and its row (404 when absent)."""
        check_access(self, view.principal)  # type: ignore[arg-type]
        table = self.table(view)  # type: ignore[attr-defined]
        return table, table.index.feature(fid)
