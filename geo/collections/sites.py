"""The operators' base stations as a collection: access-controlled, paged in the store.

Operators read only their own real sites (the synthetic demo sites filed under their name
are not theirs), planners and admins all, demo sites flagged; anonymous callers get a 401
(the collection is not even listed for them). A plain page (equality filters on the store's
indexed columns, bbox, limit/offset) is answered by the store itself, so a large inventory
is never loaded to serve ten features; a CQL2 filter or a sort runs on the caller's whole
visible table, built once per data version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.access import readable_operators
from geo.collections.base import Access, FeaturePage, Parameter, Table, View, check_access
from geo.collections.live import VersionedTables, _c, conformed_index
from geo.coverage.model import CoverageModel, site_radii, to_metric
from geo.crs import STORAGE_CRS
from geo.errors import SiteNotFoundError
from geo.features import FeatureIndex, ItemsQuery, Page
from geo.inventory import basis
from geo.inventory.serialize import PROPERTIES, feature_id, parse_feature_id
from geo.schema import LayerSchema
from geo.store.base import SiteQuery, SiteStore

STORE_FILTERS = ("site_id", "type", "band", "status", "county_adcode", "synthetic", "operator")
_TITLES = {"operator": "运营商", "site_id": "站址编号", "type": "站型", "band": "频段",
           "status": "状态", "commissioned": "开通日期", "county_adcode": "区县代码",
           "county_name": "区县", "synthetic": "合成演示数据", "created_at": "创建时间",
           "updated_at": "更新时间", "batch_id": "导入批次", "coverage_radius_m": "覆盖半径(m)",
           "coverage_setting": "覆盖场景"}
_TYPES = {"synthetic": "bool", "coverage_radius_m": "float"}
_NOT_QUERYABLE = {"created_at", "updated_at", "batch_id", "coverage_radius_m", "county_name"}
SITES_SCHEMA = LayerSchema(
    columns=(_c("id", "string", "要素编号", queryable=False),
             *(_c(name, _TYPES.get(name, "string"), _TITLES[name],
                  queryable=name not in _NOT_QUERYABLE) for name in PROPERTIES)),
    id_column="id", geometry_types=frozenset({"Point"}), temporal="commissioned")


def _own_only(operators: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    """An operator's own listing never holds the synthetic demo sites filed under its name."""
    return () if operators is None else (("synthetic", "0"),)


@dataclass
class SitesCollection:
    """Stored base stations, as far as the caller may read them."""

    store: SiteStore
    seats_lonlat: dict[str, tuple[float, float]]
    model: CoverageModel
    id: str = "base_stations"
    title: str = "5G基站清单(运营商)"
    description: str = ("Operators' base stations; needs an API key: operators see their own "
                        "sites, planners all. Synthetic demo sites are flagged.")
    schema: LayerSchema = SITES_SCHEMA
    access: Access = "key"
    parameters: tuple[Parameter, ...] = ()
    downloads: bool = False
    tiles: bool = False
    _tables: VersionedTables = field(default_factory=VersionedTables, repr=False)

    @cached_property
    def _seats_metric(self) -> dict[str, tuple[float, float]]:
        adcodes = list(self.seats_lonlat)
        lon = np.array([self.seats_lonlat[a][0] for a in adcodes], dtype=float)
        lat = np.array([self.seats_lonlat[a][1] for a in adcodes], dtype=float)
        x, y = to_metric(lon, lat)
        return dict(zip(adcodes, zip(x, y, strict=True), strict=True))

    def template(self, view: View | None = None) -> FeatureIndex:
        """An empty index with the declared schema (the same columns for every caller)."""
        return self._index(pd.DataFrame(columns=["operator", "site_id", "lon", "lat"]))

    def with_coverage_radius(self, sites: pd.DataFrame) -> pd.DataFrame:
        """Add the radius the coverage model gives each site, and its setting."""
        if sites.empty:
            return sites.assign(coverage_radius_m=pd.Series(dtype=float),
                                coverage_setting=pd.Series(dtype=object))
        radius, urban = site_radii(sites, self._seats_metric, self.model)
        return sites.assign(coverage_radius_m=radius,
                            coverage_setting=["urban" if u else "rural" for u in urban])

    def _index(self, rows: pd.DataFrame) -> FeatureIndex:
        from geo.admin import GANZHOU_COUNTIES

        rows = self.with_coverage_radius(rows.reset_index(drop=True))
        props = {name: rows[name] if name in rows else pd.Series([None] * len(rows),
                                                                  dtype=object)
                 for name in PROPERTIES}
        props["county_name"] = rows.get("county_adcode", pd.Series(dtype=object)).map(
            lambda a: GANZHOU_COUNTIES.get(a, a))
        props["synthetic"] = rows.get("synthetic", pd.Series(dtype=int)).astype(bool)
        ids = [feature_id(o, s) for o, s in zip(rows["operator"], rows["site_id"],
                                                strict=True)]
        geometry = gpd.points_from_xy(rows["lon"].astype(float), rows["lat"].astype(float),
                                      crs=STORAGE_CRS)
        gdf = gpd.GeoDataFrame({"id": ids, **{k: v.to_numpy() for k, v in props.items()}},
                               geometry=geometry, crs=STORAGE_CRS)
        return conformed_index(self.id, self.title, self.schema, gdf)

    def table(self, view: View) -> Table:
        """Every site the caller may read (built once per data version and scope)."""
        operators = readable_operators(view.principal)
        key = (operators, self.store.fingerprint())
        return self._tables.get(key, lambda: Table(self._index(self._all(operators))))

    def _all(self, operators) -> pd.DataFrame:
        frame, _ = self.store.query(SiteQuery(operators=operators, limit=10**9,
                                              equals=_own_only(operators)))
        return frame if operators is None else basis.of_basis(frame, basis.REAL)

    def select(self, view: View, query: ItemsQuery) -> FeaturePage:
        """A page: pushed down to the store when it can answer it, else over the table."""
        check_access(self, view.principal)
        if query.cql is not None or query.sortby or query.datetime is not None or \
                any(name not in STORE_FILTERS for name, _ in query.filters):
            table = self.table(view)
            return FeaturePage(table, table.index.select(query))
        equals = tuple((n, {"true": "1", "false": "0"}.get(v.lower(), v) if n == "synthetic"
                        else v) for n, v in query.filters)
        operators = readable_operators(view.principal)
        frame, total = self.store.query(SiteQuery(
            operators=operators, limit=query.limit, offset=query.offset, bbox=query.bbox,
            equals=equals + _own_only(operators)))
        index = self._index(frame)
        return FeaturePage(Table(index), Page(np.arange(len(index.ids)), total))

    def feature(self, view: View, fid: str) -> tuple[Table, int]:
        """One site the caller may read (another operator's site is a 404, like a missing one)."""
        check_access(self, view.principal)
        operator, site_id = parse_feature_id(fid)
        allowed = readable_operators(view.principal)
        row = self.store.get(operator, site_id) \
            if allowed is None or operator in allowed else None
        if row is None or (allowed is not None and row.get("synthetic")):
            raise SiteNotFoundError(f"no site {fid!r} among the sites you may read")
        return Table(self._index(pd.DataFrame([row]))), 0
