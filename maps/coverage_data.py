"""The coverage map's input: the scorecard, gaps, raster and demo sites of one scenario.

The other maps are pure functions of the layers (``BuildContext``). The 5G coverage-gap map
also needs what only the site store and the coverage analysis hold, so that input is made
explicit: ``CoverageMapData``, assembled by ``coverage_map_data(settings, store, ctx,
scenario)`` from the public functions of ``geo.coverage`` (``run_for``, ``county_scorecard``,
``site_radii``) and the ``SiteStore`` interface, and handed to the builder in
``MapInputs.coverage``. The builder then stays a pure function of its inputs.

Commercial sensitivity: operators' real site positions are never put into this object. Only
sites stored as synthetic (``synthetic = 1``, the seeded demo inventory) are read from the
store with their positions, and ``CoverageMapData`` refuses any other row; real sites reach
the map only as county counts (the public scorecard, without the per-operator split).

``CoverageSource`` serves the running service: it re-assembles only when the stored sites or
the target overrides changed (``version``), so a page is rebuilt after an import or a
planner's override and answered from memory otherwise.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.catalog import BuildContext
from geo.coverage.analysis import CoverageRun
from geo.coverage.inputs import run_for
from geo.coverage.model import site_radii, to_metric
from geo.coverage.scorecard import county_scorecard, public_precision
from geo.coverage.targets import TARGET_YEARS
from geo.errors import InvalidParameterError
from geo.inventory.basis import SYNTHETIC_DEMO
from geo.settings import AtlasSettings
from geo.store.base import SiteQuery, SiteStore
from maps.text import zh

SCENARIOS = TARGET_YEARS
DEFAULT_SCENARIO = 2025
CITY_ADCODE = "360700"
SITE_COLUMNS = ("lon", "lat", "type", "status", "band", "operator", "county_adcode",
                "synthetic", "coverage_radius_m")


@dataclass(frozen=True, eq=False)
class CoverageMapData:
    """Everything the coverage map draws besides the layers, for one target year.

    ``card``: the public county scorecard (targets allocated or overridden, sites, % of
    target, coverage and gap statistics; no per-operator split); ``city``: its city line;
    ``gaps``: gap polygons (WGS84); ``cog``: the coverage COG; ``sites``: the synthetic demo
    sites only (lon, lat, type, status, band, operator, county_adcode, synthetic,
    coverage_radius_m). ``version`` changes whenever the stored sites or overrides change.
    """

    scenario: int
    card: gpd.GeoDataFrame
    city: dict
    gaps: gpd.GeoDataFrame
    cog: Path | None  # None (and no gaps) once real sites exist: see the module docstring
    resolution_m: float
    model_text: str
    method_text: str
    sites: pd.DataFrame
    sites_used: int
    sites_total: int
    data_date: str | None = None
    version: str = ""
    # {year: {adcode: [sites in service by the year's end, target]}} for the time slider
    timeline: dict[int, dict[str, list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_scenario(self.scenario)
        if len(self.sites) and not (self.sites["synthetic"].astype(int) == 1).all():
            raise ValueError("CoverageMapData holds synthetic demo sites only: real operator "
                             "sites are commercially sensitive and never drawn")

    @property
    def overridden(self) -> list[str]:
        """Names of the counties whose target for the scenario year a planner overrode."""
        source = self.card[f"target_{self.scenario}_source"]
        return list(self.card.loc[source != "allocated", "name"])

    @property
    def real_sites(self) -> int:
        """Stored operator (non-synthetic) sites, all counties: shown as counts only."""
        return int(self.card["sites_total"].sum() - self.card["synthetic_sites"].sum())


def check_scenario(scenario: int) -> int:
    """``scenario`` if the plan has targets for it, else a 422 ``InvalidParameterError``."""
    if scenario not in SCENARIOS:
        raise InvalidParameterError(
            f"the plan sets 5G targets for {' and '.join(map(str, SCENARIOS))} only", "scenario")
    return scenario


def data_version(store: SiteStore) -> str:
    """Changes whenever the stored sites or the target overrides change."""
    overrides = store.target_overrides()
    digest = hashlib.sha256(overrides.to_json(orient="records").encode()).hexdigest()[:12]
    return f"{store.fingerprint()}|{digest}"


def default_run(settings: AtlasSettings, store: SiteStore, ctx: BuildContext,
                scenario: int) -> CoverageRun:
    """The coverage run with the inputs the service uses (reused while nothing changed)."""
    return run_for(ctx, store, scenario)


def _no_sites() -> pd.DataFrame:
    return pd.DataFrame(columns=list(SITE_COLUMNS))


def synthetic_sites(store: SiteStore, settings: AtlasSettings) -> pd.DataFrame:
    """The stored synthetic demo sites with the radius the coverage model gives each."""
    frame, _ = store.query(SiteQuery(operators=None, limit=10**9,
                                     equals=(("synthetic", 1),)))
    frame = frame[frame["synthetic"].astype(int) == 1]  # never trust a filter with this
    if frame.empty:
        return pd.DataFrame(columns=list(SITE_COLUMNS))
    from geo.boundaries import ganzhou_counties

    counties = ganzhou_counties(settings)
    x, y = to_metric(counties["seat_lon"], counties["seat_lat"])
    seats = dict(zip(counties["adcode"], zip(x, y, strict=True), strict=True))
    radius, _ = site_radii(frame, seats, settings.coverage_model)
    return frame.assign(coverage_radius_m=radius)[list(SITE_COLUMNS)].reset_index(drop=True)


TIMELINE_YEARS = (2020, *TARGET_YEARS)  # the plan's 2020 baseline, then its target years


def timeline(store: SiteStore, card: pd.DataFrame, real: bool) -> dict[int, dict[str, list]]:
    """Per year: each county's on-air sites commissioned by the year's end, and its target.

    Counts follow the run's data basis (real sites only once any exist, else the demo);
    a site without a date counts in every year. The 2020 target is the allocation of the
    plan's 2020 baseline (``alloc_2020``). County counts are aggregates, as in the scorecard.
    """
    frame, _ = store.query(SiteQuery(operators=None, limit=10**9,
                                     equals=(("status", "on_air"),)))
    frame = frame[frame["status"] == "on_air"]
    frame = frame[frame["synthetic"].astype(int) == (0 if real else 1)]
    year = pd.to_numeric(frame["commissioned"].astype(str).str[:4], errors="coerce")
    out: dict[int, dict[str, list]] = {}
    for y in TIMELINE_YEARS:
        counts = frame[(year <= y) | year.isna()].groupby("county_adcode").size()
        column = "alloc_2020" if y == 2020 else f"target_{y}"
        out[y] = {a: [int(counts.get(a, 0)), int(t)]
                  for a, t in zip(card["adcode"], card[column], strict=True)}
    return out


def _latest_import(store: SiteStore) -> str | None:
    batches = store.batches(None, limit=1)
    return str(batches[0]["created_at"])[:10] if batches else None


def coverage_map_data(settings: AtlasSettings, store: SiteStore, ctx: BuildContext,
                      scenario: int = DEFAULT_SCENARIO, *,
                      run: CoverageRun | None = None) -> CoverageMapData:
    """Assemble the coverage map's input (runs the coverage analysis unless ``run`` is given).

    Mirrors the public scorecard of ``/collections/county_scorecard/items``: targets allocated
    by ``settings.allocation`` or overridden by planners, no per-operator split.
    """
    check_scenario(scenario)
    run = run or default_run(settings, store, ctx, scenario)
    version = f"{data_version(store)}|{run.stats.get('fingerprint')}"
    basis = run.stats.get("data_basis", SYNTHETIC_DEMO)
    card, city = county_scorecard(ctx, store, run, operator_detail=False, basis=basis)
    # fine coverage of real sites locates them: a public page gets rounded county numbers
    # only, and no raster or gap outlines, unless the run is of the synthetic demo alone
    real = basis != SYNTHETIC_DEMO
    gaps = gpd.read_file(run.gaps)
    if gaps.crs is None:
        gaps = gaps.set_crs("EPSG:4326")
    if real:
        card, gaps = public_precision(card), gaps.iloc[0:0]
    return CoverageMapData(
        scenario=scenario, card=card, city=city, gaps=gaps,
        cog=None if real else run.cog, resolution_m=float(run.stats["resolution_m"]),
        model_text=str(zh(run.stats["model_text"])),
        method_text=str(zh(settings.allocation.describe("5G"))),
        sites=synthetic_sites(store, settings) if not real else _no_sites(),
        sites_used=int(run.stats["sites_used"]),
        sites_total=int(run.stats["sites_total"]), data_date=_latest_import(store),
        timeline=timeline(store, card, real),
        version=version)


class CoverageSource:
    """``CoverageMapData`` for a running service, re-assembled only when the data changed.

    ``run`` computes the coverage run for a scenario (the service's own, which serialises
    runs); by default ``default_run``.
    """

    def __init__(self, settings: AtlasSettings, store: SiteStore, ctx: BuildContext,
                 run: Callable[[int], CoverageRun] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.ctx = ctx
        self._run = run or (lambda scenario: default_run(settings, store, ctx, scenario))
        self._cache: dict[int, CoverageMapData] = {}
        self._lock = threading.Lock()

    def version(self, scenario: int = DEFAULT_SCENARIO) -> str:
        """The current data version of ``scenario``, without assembling the data.

        Cheap (the store's fingerprint, the overrides and the held run's fingerprint): a
        page stored on disk under this version is answered without the ~1-2 s assembly.
        """
        check_scenario(scenario)
        with self._lock:
            return self._version(self._run(scenario))

    def _version(self, run: CoverageRun) -> str:
        return f"{data_version(self.store)}|{run.stats.get('fingerprint')}"

    def data(self, scenario: int = DEFAULT_SCENARIO) -> CoverageMapData:
        """The current data of ``scenario`` (422 for a year without targets)."""
        check_scenario(scenario)
        with self._lock:
            run = self._run(scenario)
            version = self._version(run)
            cached = self._cache.get(scenario)
            if cached is None or cached.version != version:
                cached = coverage_map_data(self.settings, self.store, self.ctx, scenario,
                                           run=run)
                self._cache[scenario] = cached
            return cached
