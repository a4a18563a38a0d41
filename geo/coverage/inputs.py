"""What a coverage run needs besides the sites, assembled once for the API, CLI and maps.

The plan's 5G tier per county, the parks that have a position and (optionally) township
points all come from the build context and the settings; three callers used to assemble
them three ways (and the CLI ignored ``inventory_region``), so they live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from geo.catalog import BuildContext
from geo.coverage.analysis import CoverageRun, run_coverage
from geo.coverage.model import ALL_BANDS
from geo.inventory.basis import AUTO, resolve_for
from geo.store.base import SiteStore


@dataclass(frozen=True)
class CoverageInputs:
    """The plan-side inputs of a run."""

    tiers: Mapping[str, str]
    parks: pd.DataFrame
    townships: pd.DataFrame | None


def placed_parks(ctx: BuildContext) -> pd.DataFrame:
    """Parks with a (county-seat or schematic) point, as id/name/lon/lat/county rows."""
    gdf = ctx.result("parks").gdf
    gdf = gdf[gdf.geometry.notna()]
    return gdf.assign(lon=gdf.geometry.x, lat=gdf.geometry.y)[
        ["id", "name", "lon", "lat", "county_adcode"]].reset_index(drop=True)


def township_points(ctx: BuildContext) -> pd.DataFrame | None:
    """Township points from ATLAS_TOWNSHIPS_FILE (name, lon, lat) with their county, or None."""
    from geo.inventory.locate import CountyLocator

    settings = ctx.settings
    if settings.townships_file is None:
        return None
    frame = pd.read_csv(settings.townships_file)
    locator = CountyLocator.for_region(settings, settings.inventory_region)
    frame["county_adcode"] = locator.locate(frame["lon"].to_numpy(float),
                                            frame["lat"].to_numpy(float))
    return frame


def coverage_inputs(ctx: BuildContext) -> CoverageInputs:
    """Tiers, placed parks and township points for ``ctx``'s settings."""
    tiers = {a: c.fiveg_tier for a, c in ctx.plan.counties.items()}
    return CoverageInputs(tiers, placed_parks(ctx), township_points(ctx))


def run_for(ctx: BuildContext, store: SiteStore, scenario: int,
            resolution: float | None = None,
            progress: Callable[[str], None] | None = None,
            inputs: CoverageInputs | None = None, basis: str = AUTO,
            band: str = ALL_BANDS) -> CoverageRun:
    """The coverage run of ``store``'s sites with the service's inputs (reused when unchanged).

    ``basis``: ``auto`` (real sites once any exist, else the demo), ``real`` or
    ``synthetic_demo`` (geo.inventory.basis); ``band``: ``all`` or one band's sites.
    """
    settings = ctx.settings
    inputs = inputs or coverage_inputs(ctx)
    return run_coverage(settings, store, inputs.tiers, inputs.parks, scenario,
                        resolution or settings.coverage_resolution_m, settings.coverage_model,
                        inputs.townships, progress, resolve_for(store, basis), band)
