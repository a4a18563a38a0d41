"""What the running service holds: the build context and one feature index per layer.

Everything is built once at start-up (about a second), so no request pays for a layer
build; the indexes serialise features lazily per output CRS and keep the bytes.
"""

from __future__ import annotations

import threading
from functools import cached_property

from geo.catalog import BuildContext, get_layer
from geo.features import FeatureIndex
from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store import SiteStore, open_store


class Service:
    """Layers and their feature indexes for one app instance."""

    def __init__(self, settings: AtlasSettings) -> None:
        self.settings = settings
        self.ctx = BuildContext(settings)
        self._indexes: dict[str, FeatureIndex] = {}
        self._coverage_lock = threading.Lock()

    def index(self, name: str) -> FeatureIndex:
        """Feature index of collection ``name`` (404 problem when unknown)."""
        if name not in self._indexes:
            get_layer(name)  # raises LayerNotFoundError for unknown names
            self._indexes[name] = FeatureIndex(self.ctx.result(name))
        return self._indexes[name]

    @cached_property
    def store(self) -> SiteStore:
        """The inventory store (SQLite under ATLAS_DATA_DIR, created on first use)."""
        return open_store(self.settings)

    @cached_property
    def locator(self) -> CountyLocator:
        """Point-in-county lookup for the configured inventory region."""
        return CountyLocator.for_region(self.settings, self.settings.inventory_region)

    def seed_demo_inventory(self) -> int:
        """Load the synthetic inventory into an empty store when the settings ask for it."""
        from geo.inventory.synthetic import load_synthetic

        if not self.settings.demo_inventory or self.store.count() > 0:
            return 0
        return load_synthetic(self.store, self.settings, self.locator)

    def coverage(self, scenario: int = 2025, resolution: float | None = None):
        """The coverage run for the stored sites (computed on first use, then reused)."""
        from geo.coverage.analysis import run_coverage

        with self._coverage_lock:
            return run_coverage(self.settings, self.store, self.fiveg_tiers(),
                                self.placed_parks(), scenario,
                                resolution or self.settings.coverage_resolution_m,
                                self.settings.coverage_model, self.townships())

    @cached_property
    def _seats_metric(self) -> dict[str, tuple[float, float]]:
        from geo.boundaries import ganzhou_counties
        from geo.coverage.model import to_metric

        gdf = ganzhou_counties(self.settings)
        x, y = to_metric(gdf["seat_lon"], gdf["seat_lat"])
        return dict(zip(gdf["adcode"], zip(x, y, strict=True), strict=True))

    def with_coverage_radius(self, sites):
        """Add the radius the coverage model gives each site, and its setting."""
        from geo.coverage.model import site_radii

        if sites.empty:
            return sites.assign(coverage_radius_m=[], coverage_setting=[])
        radius, urban = site_radii(sites, self._seats_metric, self.settings.coverage_model)
        return sites.assign(coverage_radius_m=radius,
                            coverage_setting=["urban" if u else "rural" for u in urban])

    def fiveg_tiers(self) -> dict[str, str]:
        """The plan's 5G tier per county adcode."""
        return {a: c.fiveg_tier for a, c in self.ctx.plan.counties.items()}

    def placed_parks(self):
        """Parks with a (county-seat or schematic) point, as lon/lat/county rows."""
        gdf = self.ctx.result("parks").gdf
        gdf = gdf[gdf.geometry.notna()]
        return gdf.assign(lon=gdf.geometry.x, lat=gdf.geometry.y)[
            ["id", "name", "lon", "lat", "county_adcode"]].reset_index(drop=True)

    def townships(self):
        """Township points from ATLAS_TOWNSHIPS_FILE (name, lon, lat), or None."""
        import pandas as pd

        path = self.settings.townships_file
        if path is None:
            return None
        frame = pd.read_csv(path)
        frame["county_adcode"] = self.locator.locate(frame["lon"].to_numpy(float),
                                                     frame["lat"].to_numpy(float))
        return frame

    def warm(self) -> None:
        """Build every layer and its CRS84 serialisation up front."""
        from geo.crs import CRS84_URI
        from geo.layers import LAYERS

        for name in LAYERS:
            self.index(name).geometry_json(CRS84_URI)
