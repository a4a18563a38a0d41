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

from geo.access import require
from geo.catalog import BuildContext
from geo.collections.base import Access, Parameter, Table, TableBacked, View
from geo.coverage.holder import CoverageHolder
from geo.coverage.model import ALL_BANDS, BAND_CHOICES, CoverageModel
from geo.coverage.recommend.needs import NEEDS
from geo.coverage.scorecard import county_scorecard, public_precision
from geo.coverage.targets import TARGET_YEARS
from geo.coverage.worklist import WorkList, work_list
from geo.crs import STORAGE_CRS
from geo.features import FeatureIndex
from geo.inventory import basis
from geo.inventory.totals import TOTAL_COLUMNS, county_totals
from geo.inventory.vocab import OPERATORS, SITE_TYPES, STATUSES
from geo.labels import FIELDS, SITE_TYPE, STATUS
from geo.schema import Column, LayerSchema
from geo.store.base import SiteStore

POLYGONS = frozenset({"Polygon", "MultiPolygon"})
SCENARIO = Parameter("scenario", "目标年份 (2023 或 2025)",
                     tuple(str(y) for y in TARGET_YEARS), str(TARGET_YEARS[-1]))
DATA_BASIS = Parameter(
    "data_basis", "统计口径：auto（有真实站点时只用真实站点，否则用合成演示数据）、real、"
    "synthetic_demo", basis.CHOICES, basis.AUTO)
BAND = Parameter(
    "band", "频段：all（全部站点，含未标频段的站点，参考半径）或单一频段（只计该频段站点，半径按"
    "频段系数换算，各频段为一次独立计算）。默认系数相对 n78 参考半径，按 3GPP TR 38.901 UMa "
    "NLOS 路损的频率项换算、假设各频段链路预算相同（规划假设，见 docs/coverage.md）：" +
    CoverageModel().band_text(), BAND_CHOICES, ALL_BANDS)


BAND_NOTE = ("频段视图（band=n1…n79）：只计该频段站点，半径 = n78 参考半径 × 频段系数（规划假设："
             "各频段链路预算相同，3GPP TR 38.901 UMa NLOS 路损频率项）：" +
             CoverageModel().band_text() + "。Band views count that band's sites only, at "
             "the n78 reference radii times the band's factor (an assumption, docs/coverage.md).")


def with_band(parameters: tuple[Parameter, ...], description: str) -> tuple[
        tuple[Parameter, ...], str]:
    """``parameters`` plus ``band`` and ``description`` plus the band radii: a collection
    read from coverage runs always offers band views, since the runs it reads are per band
    (the catalog lists the other parameters and writes the rest of the description)."""
    if BAND not in parameters:
        parameters = (*parameters, BAND)
    if BAND_NOTE not in description:
        description = f"{description} {BAND_NOTE}"
    return parameters, description


def _c(name: str, dtype: str, title: str, description: str = "", queryable: bool = True):
    """A column; a coded field gets its Chinese value labels from geo.labels.FIELDS."""
    return Column(name, dtype, title, description, queryable=queryable,  # type: ignore[arg-type]
                  labels=FIELDS.get(name))


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
    _templates: dict[int, tuple[LayerSchema, FeatureIndex]] = field(default_factory=dict,
                                                                     repr=False)

    def schema_for(self, view: View | None) -> LayerSchema:
        """The schema of the table ``view``'s caller gets (one for all, unless overridden)."""
        return self.schema

    def template(self, view: View | None = None) -> FeatureIndex:
        """An empty index with the schema ``view``'s caller gets, for /schema, /queryables
        and validating ``properties``/``sortby``/filters (None: the declared, public one)."""
        schema = self.schema_for(view)
        held = self._templates.get(id(schema))
        if held is None:
            empty = gpd.GeoDataFrame({c.name: [] for c in schema.columns},
                                     geometry=gpd.GeoSeries([], crs=STORAGE_CRS))
            held = self._templates[id(schema)] = (
                schema, conformed_index(self.id, self.title, schema, empty))
        return held[1]


TOTALS_SCHEMA = LayerSchema(
    columns=(
        _c("adcode", "string", "区县代码"), _c("name", "string", "区县"),
        _c("sites_total", "int", "基站总数"),
        *(_c(f"status_{s}", "int", f"{STATUS[s]}站点数") for s in STATUSES),
        *(_c(f"type_{t}", "int", f"{SITE_TYPE[t]}站点数") for t in SITE_TYPES),
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
    _c("township_coverage_pct", "float", "乡镇覆盖%",
       "share of the *positioned* townships covered; null: none positioned (see the note)"),
    _c("township_coverage_note", "string", "乡镇覆盖说明",
       "how many townships the share leaves out (unpositioned), or why it is null",
       queryable=False),
    _c("townships_total", "int", "乡镇总数", "township-level units of the county (2023 list)"),
    _c("townships_positioned", "int", "已定位乡镇数", "with a GeoNames or user-file point"),
    _c("townships_covered", "int", "已覆盖乡镇数", "positioned townships inside coverage"),
    _c("mines_coverage", "string", "矿区覆盖"),
    *(_c(f"sites_needed_{kind}_{year}", "int", f"{year}{label}还需新增站数", why)
      for year in TARGET_YEARS for kind, label, why in (
          ("target", "达标", "the year's target minus the sites on air (0 once reached)"),
          ("full_coverage", "满覆盖", "new macro sites the recommender's greedy placement "
           "needs to cover the required zone; null until computed (see the note)"))),
    _c("sites_needed_note", "string", "新增站数说明",
       "how the two numbers are computed, or why full coverage is still null",
       queryable=False),
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
     _c("sites_by_operator", "string", "分运营商站点数"),
     *(_c(f"sites_{code}", "int", f"{name}站点数") for name, code in OPERATORS.items())),
    "adcode", POLYGONS)
# An operator key: the public columns plus its own (geo.coverage.scorecard.own_columns), never
# a competitor's counts
SCORECARD_OPERATOR_SCHEMA = LayerSchema(
    (*SCORECARD_COLUMNS,
     _c("my_sites_total", "int", "本运营商站点数"), _c("my_planned", "int", "本运营商规划站点"),
     _c("my_built", "int", "本运营商已建未开通"), _c("my_on_air", "int", "本运营商在网站点"),
     _c("my_share_pct", "float", "本运营商占全县真实站点%", "null: no real site in the county"),
     _c("my_share_note", "string", "占比说明", "why the value is null", queryable=False),
     _c("my_covered_area_pct", "float", "本运营商站点覆盖面积%",
        "from a coverage run of the operator's own sites only"),
     _c("my_coverage_note", "string", "本运营商覆盖说明", "why the value is null",
        queryable=False)),
    "adcode", POLYGONS)
SCORECARD_SCHEMAS = {"public": SCORECARD_SCHEMA, "operator": SCORECARD_OPERATOR_SCHEMA,
                     "planner": SCORECARD_PLANNER_SCHEMA}


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


def audience(view: View | None) -> str:
    """Whose columns a caller gets: ``planner`` (planners, admins), ``operator`` (an operator
    key: public columns plus its own) or ``public``."""
    principal = view.principal if view is not None else None
    if principal is not None and principal.role in ("planner", "admin"):
        return "planner"
    if principal is not None and principal.role == "operator" and principal.operator:
        return "operator"
    return "public"


@dataclass
class ScorecardCollection(_LiveBase):
    """Per county: targets, sites, % of target, covered area and gaps."""

    store: SiteStore | None = None
    ctx: BuildContext | None = None
    coverage: CoverageHolder | None = None

    def __post_init__(self) -> None:
        self.parameters, self.description = with_band(self.parameters, self.description)

    def schema_for(self, view: View | None) -> LayerSchema:
        """Public columns; an operator key adds its own, a planner key the operator split."""
        return SCORECARD_SCHEMAS[audience(view)]

    def table(self, view: View) -> Table:
        """The scorecard of the sites stored now and the newest coverage run (of a band).

        A band view of real sites splits county coverage by operator (n41 is 中国移动's
        alone, n28 mostly 中国广电's), and that split is the planners' only (docs/
        security.md): other callers get a band view of the synthetic demo only.
        """
        assert self.store is not None and self.coverage is not None
        scenario = int(view.params.get("scenario", SCENARIO.default))
        used = self.coverage.basis(view.params.get("data_basis", basis.AUTO))
        band = view.params.get("band", ALL_BANDS)
        if band != ALL_BANDS and used != basis.SYNTHETIC_DEMO:
            require(view.principal, "planner", "admin")
        held = self.coverage.get(scenario, used, band)
        assert held is not None
        role = audience(view)
        operator = view.principal.operator if role == "operator" and view.principal else None
        # an operator's own columns come from the run of its own sites (its fine basis)
        own = self.coverage.get(scenario, fine_basis(view), band) if operator else None
        key = (scenario, used, band, held.run.stats.get("fingerprint"), held.current, role,
               operator, own and (own.run.stats.get("fingerprint"), own.current),
               self.store.fingerprint(), self.store.target_overrides().to_json(),
               NEEDS.state(held.run))
        return self._tables.get(key, lambda: self._build(scenario, held, role, used,
                                                         operator, own))

    def _build(self, scenario: int, held, role: str, used: str, operator: str | None = None,
               own=None) -> Table:
        assert self.ctx is not None
        detail = role == "planner"
        card, city = county_scorecard(self.ctx, self.store, held.run, detail, used,
                                      operator=operator, own_run=own.run if own else None)
        if not detail:
            card = public_precision(card)
        index = conformed_index(self.id, self.title, SCORECARD_SCHEMAS[role], card)
        members = {"city": city, "scenario": scenario, "data_basis": used,
                   "data_basis_label": basis.label(used),
                   "band": held.run.stats.get("band", ALL_BANDS),
                   "coverage_model": held.run.stats["model_text"],
                   "coverage_computed_at": held.computed_at,
                   "coverage_current": held.current, "stale": not held.current}
        if own is not None and operator is not None:
            members.update({"own_coverage_basis": basis.operator_basis(operator),
                            "own_coverage_computed_at": own.computed_at,
                            "own_coverage_current": own.current})
        return Table(index, members, [city])


GAPS_SCHEMA = LayerSchema(
    columns=(_c("id", "string", "编号", "gap-<rank>: changes with the ranking"),
             _c("rank", "int", "排名", "by required tier (全深度覆盖 > 主城区连续覆盖 > 县城), "
                "then area"),
             _c("adcode", "string", "区县代码"), _c("county", "string", "区县"),
             _c("township", "string", "乡镇", "null: no township points (see the note)"),
             _c("township_note", "string", "乡镇说明", "how the township was chosen, or why "
                "there is none", queryable=False),
             _c("fiveg_tier", "string", "5G覆盖梯次"), _c("tier_label", "string", "要求梯次"),
             _c("gap_kind", "string", "缺口类型"), _c("gap_kind_label", "string", "缺口类型说明"),
             _c("area_km2", "float", "面积(km²)", "including the slivers merged into it"),
             _c("merged_slivers", "int", "并入碎片数"),
             _c("centre_lon", "float", "中心经度(WGS84)", "centroid, or a point inside "
                "when the centroid is not"),
             _c("centre_lat", "float", "中心纬度(WGS84)"),
             _c("centre_lon_gcj02", "float", "中心经度(GCJ-02)", "for 高德/腾讯 maps"),
             _c("centre_lat_gcj02", "float", "中心纬度(GCJ-02)"),
             _c("name", "string", "名称")),
    id_column="id", geometry_types=POLYGONS)


@dataclass
class GapTable(Table):
    """The gaps collection's table and the work list it was built from (the exports')."""

    worklist: WorkList | None = None


@dataclass
class GapsCollection(_LiveBase):
    """The work list of the newest coverage run's gaps: uncovered parts of the required
    zones, ranked and named, slivers merged or dropped (geo.coverage.worklist)."""

    coverage: CoverageHolder | None = None

    def __post_init__(self) -> None:
        self.parameters, self.description = with_band(self.parameters, self.description)

    def table(self, view: View) -> GapTable:
        """Gap work list of the newest run of the scenario and band, on the caller's basis."""
        assert self.coverage is not None
        scenario = int(view.params.get("scenario", SCENARIO.default))
        band = view.params.get("band", ALL_BANDS)
        used = self.coverage.basis(fine_basis(view))
        held = self.coverage.get(scenario, used, band)
        assert held is not None
        key = (scenario, used, band, held.run.stats.get("fingerprint"), held.current,
               held.computed_at)
        table = self._tables.get(key, lambda: self._build(scenario, held, used, band))
        assert isinstance(table, GapTable)
        return table

    def _build(self, scenario: int, held, used: str, band: str) -> GapTable:
        assert self.coverage is not None
        inputs = self.coverage.inputs
        gaps = pyogrio.read_dataframe(held.run.gaps)
        # half a cell: the run simplified the polygons by that much (geo.coverage.worklist)
        wl = work_list(gaps if gaps.empty else gaps.to_crs(STORAGE_CRS), inputs.tiers,
                       inputs.townships, self.coverage.ctx.settings.gap_min_area_km2,
                       touch_m=float(held.run.stats.get("resolution_m", 100.0)) / 2)
        index = self.template() if wl.gaps.empty else conformed_index(  # none: full coverage
            self.id, self.title, self.schema, wl.gaps)
        members = {"scenario": scenario, "data_basis": used,
                   "data_basis_label": basis.label(used), "band": band,
                   "coverage_model": held.run.stats.get("model_text"),
                   "coverage_computed_at": held.computed_at,
                   "coverage_current": held.current, "stale": not held.current,
                   **wl.members()}
        return GapTable(index, members, worklist=wl)
