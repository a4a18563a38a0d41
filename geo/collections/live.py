"""Store-backed collections: county totals, the coverage scorecard and the gap polygons.

Their rows change with the stored sites (and the coverage runs), so each keeps the
:class:`~geo.features.FeatureIndex` of the current data version and builds a new one when
the version changes. The schema is declared here, once, and every table is conformed to it,
so ``/schema``, GeoJSON, CSV and XLSX agree on every field's type.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import geopandas as gpd
import pyogrio

from geo.catalog import BuildContext
from geo.collections.base import Access, Parameter, Table, TableBacked, View
from geo.coverage.holder import CoverageHolder
from geo.coverage.scorecard import county_scorecard, public_precision
from geo.coverage.targets import TARGET_YEARS
from geo.crs import STORAGE_CRS
from geo.features import FeatureIndex
from geo.inventory import basis
from geo.inventory.totals import TOTAL_COLUMNS, county_totals
from geo.inventory.vocab import SITE_TYPES, STATUSES
from geo.schema import Column, LayerSchema
from geo.store.base import SiteStore

POLYGONS = frozenset({"Polygon", "MultiPolygon"})
SCENARIO = Parameter("scenario", "目标年份 (2023 或 2025)",
                     tuple(str(y) for y in TARGET_YEARS), str(TARGET_YEARS[-1]))
DATA_BASIS = Parameter(
    "data_basis", "统计口径：auto（有真实站点时只用真实站点，否则用合成演示数据）、real、"
    "synthetic_demo", basis.CHOICES, basis.AUTO)


def _c(name: str, dtype: str, title: str, description: str = "", queryable: bool = True):
    return Column(name, dtype, title, description, queryable=queryable)  # type: ignore[arg-type]


class VersionedTables:
    """The tables of the last few data versions (LRU), built once per version."""

    def __init__(self, size: int = 8) -> None:
        self._tables: OrderedDict[Hashable, Table] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Table]) -> Table:
        """The table of ``key``, built by ``build`` the first time."""
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
                return table
        table = build()
        with self._lock:
            self._tables[key] = table
            while len(self._tables) > self._size:
                self._tables.popitem(last=False)
        return table


def conformed_index(cid: str, title: str, schema: LayerSchema,
                    gdf: gpd.GeoDataFrame) -> FeatureIndex:
    """A feature index of ``gdf`` after checking and casting it to ``schema``."""
    return FeatureIndex(cid, title, schema, schema.conform(gdf, cid))


@dataclass
class _LiveBase(TableBacked):
    id: str
    title: str
    description: str
    schema: LayerSchema
    access: Access = "public"
    parameters: tuple[Parameter, ...] = ()
    downloads: bool = False
    tiles: bool = False
    _tables: VersionedTables = field(default_factory=VersionedTables, repr=False)
    _template: FeatureIndex | None = field(default=None, repr=False)

    def template(self) -> FeatureIndex:
        """An empty index with the declared schema (for /schema and /queryables)."""
        if self._template is None:
            empty = gpd.GeoDataFrame({c.name: [] for c in self.schema.columns},
                                     geometry=gpd.GeoSeries([], crs=STORAGE_CRS))
            self._template = conformed_index(self.id, self.title, self.schema, empty)
        return self._template


TOTALS_SCHEMA = LayerSchema(
    columns=(
        _c("adcode", "string", "区县代码"), _c("name", "string", "区县"),
        _c("sites_total", "int", "基站总数"),
        *(_c(f"status_{s}", "int", f"状态 {s}") for s in STATUSES),
        *(_c(f"type_{t}", "int", f"站型 {t}") for t in SITE_TYPES),
        _c("synthetic_sites", "int", "其中合成演示站点"),
    ),
    id_column="adcode", geometry_types=POLYGONS)


@dataclass
class TotalsCollection(_LiveBase):
    """Public county totals of the stored sites by status and type (no operator split)."""

    store: SiteStore | None = None
    ctx: BuildContext | None = None

    def table(self, view: View) -> Table:
        """Totals of the sites stored now, on the requested data basis."""
        assert self.store is not None and self.ctx is not None
        requested = view.params.get("data_basis", basis.AUTO)
        return self._tables.get((self.store.fingerprint(), requested),
                                lambda: self._build(requested))

    def _build(self, requested: str) -> Table:
        assert self.store is not None and self.ctx is not None
        counties = self.ctx.result("counties").gdf
        counts = self.store.county_totals()
        used = basis.resolve(counts, requested)
        frame = county_totals(basis.of_basis(counts, used))
        frame = frame.reindex(counties["adcode"]).fillna(0).astype(int)
        gdf = gpd.GeoDataFrame(
            {"adcode": counties["adcode"].to_numpy(), "name": counties["name"].to_numpy(),
             **{k: frame[k].to_numpy() for k in TOTAL_COLUMNS}},
            geometry=counties.geometry.to_numpy(), crs=counties.crs)
        return Table(conformed_index(self.id, self.title, self.schema, gdf),
                     {"data_basis": used, "data_basis_label": basis.label(used)})


SCORECARD_COLUMNS = (
    _c("adcode", "string", "区县代码"), _c("name", "string", "区县"),
    _c("fiveg_tier", "string", "5G覆盖梯次"), _c("iot_tiers", "string", "物联网部署梯次"),
    _c("sites_total", "int", "基站总数"), _c("sites_on_air", "int", "在网基站"),
    _c("status_built", "int", "已建未开通"), _c("status_planned", "int", "规划"),
    _c("type_macro", "int", "宏站"), _c("type_micro", "int", "微站"),
    _c("type_indoor", "int", "室分"), _c("synthetic_sites", "int", "其中合成演示站点"),
    _c("alloc_2020", "int", "2020基数分配"),
    _c("target_2023", "int", "2023目标"), _c("target_2023_source", "string", "2023目标来源"),
    _c("target_2025", "int", "2025目标"), _c("target_2025_source", "string", "2025目标来源"),
    _c("pct_of_target_2023", "float", "完成2023目标%"),
    _c("pct_of_target_2025", "float", "完成2025目标%"),
    _c("sites_per_10k_people", "float", "每万人基站数", "null: no county population"),
    _c("sites_per_10k_people_note", "string", "每万人基站数说明", "why the value is null",
       queryable=False),
    _c("covered_area_pct", "float", "覆盖面积%"),
    _c("main_urban_coverage_pct", "float", "主城区覆盖%"),
    _c("gap_area_km2", "float", "缺口面积(km²)"),
    _c("required_zone", "string", "要求覆盖范围"),
    _c("township_coverage_pct", "float", "乡镇覆盖%", "null: not assessable (see the note)"),
    _c("township_coverage_note", "string", "乡镇覆盖说明", "why the value is null",
       queryable=False),
    _c("mines_coverage", "string", "矿区覆盖"),
    _c("parks_placed", "int", "已定位园区数"),
    _c("iot_alloc_2023", "int", "物联网终端2023分配"),
    _c("iot_alloc_2025", "int", "物联网终端2025分配"),
    _c("iot_allocation_method", "string", "物联网分配方法", queryable=False),
    _c("iot_priority_areas", "string", "物联网优先部署区域"),
    _c("allocation_method", "string", "5G目标分配方法", queryable=False),
    _c("coverage_model", "string", "覆盖模型", queryable=False),
    _c("flags", "string", "提示"),
)
SCORECARD_SCHEMA = LayerSchema(SCORECARD_COLUMNS, "adcode", POLYGONS)
# Planner-only: the covered-park count moves when one site comes near a (public) park point
# and the per-operator split is commercially sensitive (geo.coverage.scorecard.public_precision).
SCORECARD_PLANNER_SCHEMA = LayerSchema(
    (*SCORECARD_COLUMNS, _c("parks_covered", "int", "已定位园区中已覆盖数"),
     _c("sites_by_operator", "string", "分运营商站点数")),
    "adcode", POLYGONS)


def fine_basis(view: View) -> str:
    """The sites fine coverage (gaps, raster) is computed from for this caller.

    Planners and admins: the requested basis (all real sites once any exist). An operator:
    its own real sites only, whatever it asks, so nothing reveals a competitor's sites.
    """
    principal = view.principal
    if principal is not None and principal.role == "operator" and principal.operator:
        return basis.operator_basis(principal.operator)
    return view.params.get("data_basis", basis.AUTO)


def operator_detail(view: View) -> bool:
    """Planners and admins see the per-operator split (it is commercially sensitive)."""
    return view.principal is not None and view.principal.role in ("planner", "admin")


@dataclass
class ScorecardCollection(_LiveBase):
    """Per county: targets, sites, % of target, covered area and gaps."""

    store: SiteStore | None = None
    ctx: BuildContext | None = None
    coverage: CoverageHolder | None = None

    def table(self, view: View) -> Table:
        """The scorecard of the sites stored now and the newest coverage run."""
        assert self.store is not None and self.coverage is not None
        scenario = int(view.params.get("scenario", SCENARIO.default))
        used = self.coverage.basis(view.params.get("data_basis", basis.AUTO))
        held = self.coverage.get(scenario, used)
        assert held is not None
        detail = operator_detail(view)
        key = (scenario, used, held.run.stats.get("fingerprint"), held.current, detail,
               self.store.fingerprint(), self.store.target_overrides().to_json())
        return self._tables.get(key, lambda: self._build(scenario, held, detail, used))

    def _build(self, scenario: int, held, detail: bool, used: str) -> Table:
        assert self.ctx is not None
        card, city = county_scorecard(self.ctx, self.store, held.run, detail, used)
        if not detail:
            card = public_precision(card)
        schema = SCORECARD_PLANNER_SCHEMA if detail else SCORECARD_SCHEMA
        index = conformed_index(self.id, self.title, schema, card)
        members = {"city": city, "scenario": scenario, "data_basis": used,
                   "data_basis_label": basis.label(used),
                   "coverage_model": held.run.stats["model_text"],
                   "coverage_computed_at": held.computed_at,
                   "coverage_current": held.current, "stale": not held.current}
        return Table(index, members, [city])


GAPS_SCHEMA = LayerSchema(
    columns=(_c("id", "string", "编号"), _c("adcode", "string", "区县代码"),
             _c("gap_kind", "string", "缺口类型"), _c("area_km2", "float", "面积(km²)")),
    id_column="id", geometry_types=POLYGONS)


@dataclass
class GapsCollection(_LiveBase):
    """Uncovered parts of the required zones of the newest coverage run."""

    coverage: CoverageHolder | None = None

    def table(self, view: View) -> Table:
        """Gap polygons of the newest run of the scenario."""
        assert self.coverage is not None
        scenario = int(view.params.get("scenario", SCENARIO.default))
        used = self.coverage.basis(fine_basis(view))
        held = self.coverage.get(scenario, used)
        assert held is not None
        key = (scenario, used, held.run.stats.get("fingerprint"), held.current,
               held.computed_at)
        return self._tables.get(key, lambda: self._build(held, used))

    def _build(self, held, used: str) -> Table:
        gdf = pyogrio.read_dataframe(held.run.gaps)
        index = self.template() if gdf.empty else conformed_index(  # no gaps: full coverage
            self.id, self.title, self.schema, gdf.to_crs(STORAGE_CRS))
        return Table(index, {"data_basis": used, "coverage_computed_at": held.computed_at,
                             "coverage_current": held.current, "stale": not held.current})
