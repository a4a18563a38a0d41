"""Run the coverage analysis: raster, zonal statistics per county, gap polygons, COG.

Inputs: the stored sites (all operators), the county polygons and seats, the plan's 5G tiers
and the placed parks. Outputs (under
``<ATLAS_DATA_DIR>/coverage/<scenario>-<res>m-<basis>[-<band>]/<fingerprint hash>/``):
``coverage.tif`` (Cloud-Optimized GeoTIFF, EPSG:4547, serving-site count per cell, 65535
outside 赣州市), ``stats.json`` (per-county numbers) and ``gaps.geojson`` (uncovered parts of
the required zones). A run is reused while the stored sites, model and resolution are the
same (``fingerprint``). A band view (``band=n28`` ...: only that band's sites, at its radius,
geo.coverage.model) is a run of its own: the band is in the folder name and the fingerprint,
so two bands' files can never be mistaken for one another; ``all`` keeps the folder name it
had before bands existed, so a new process still finds (and serves, stale) the previous run.

Required zones (what a gap is a gap *of*): every county's main urban area (主城区, a
schematic circle of ``urban_radius_m`` around the seat - the plans name it for every tier),
and for the counties of the 全深度覆盖 tier the whole county (the plan asks coverage down
to townships there). Township coverage (乡镇全覆盖) is counted at the township points
(``geo.coverage.inputs.township_points``: the shipped GeoNames points, completed by a user
file); the share is over the positioned townships, beside the total and positioned counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.features import rasterize, shapes

from geo.boundaries import ganzhou_counties
from geo.coverage.model import ALL_BANDS, CoverageModel, site_radii, to_metric
from geo.coverage.raster import Grid, serving_counts
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.inventory.basis import AUTO, SYNTHETIC_DEMO, basis_operator, of_basis, resolve_for
from geo.store.base import SiteQuery, SiteStore

NODATA = 65535
FULL_DEPTH_TIER = "全深度覆盖"
NOT_ASSESSABLE = "not assessable"


@dataclass(frozen=True)
class CoverageRun:
    """Where a finished run lives and its per-county statistics."""

    folder: Path
    stats: dict

    @property
    def cog(self) -> Path:
        """The Cloud-Optimized GeoTIFF of serving-site counts."""
        return self.folder / "coverage.tif"

    @property
    def gaps(self) -> Path:
        """The gap polygons (GeoJSON, WGS84)."""
        return self.folder / "gaps.geojson"


def run_folder(data_dir: Path, scenario: int, resolution: float,
               basis: str = SYNTHETIC_DEMO, band: str = ALL_BANDS) -> Path:
    """The folder of a scenario/resolution/data-basis(/band) run."""
    suffix = "" if band == ALL_BANDS else f"-{band}"
    return data_dir / "coverage" / f"{scenario}-{resolution:g}m-{basis}{suffix}"


def load_run(folder: Path) -> CoverageRun | None:
    """A finished run in ``folder``, or None."""
    stats = folder / "stats.json"
    if not stats.exists():
        return None
    return CoverageRun(folder, json.loads(stats.read_text("utf-8")))


KEEP_RUNS = 2  # per scenario/resolution/basis/band: the current run and the one it replaced


def _runs(base: Path) -> list[Path]:
    """Finished run folders under ``base``, newest first."""
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if (p / "stats.json").is_file()]
    return sorted(found, key=lambda p: (p / "stats.json").stat().st_mtime, reverse=True)


def latest_run(base: Path) -> CoverageRun | None:
    """The newest finished run under ``base`` (whatever its fingerprint), or None."""
    runs = _runs(base)
    return load_run(runs[0]) if runs else None


def all_sites(store: SiteStore, basis: str = AUTO) -> pd.DataFrame:
    """Every stored site of ``basis`` (all operators) for the analysis."""
    basis = resolve_for(store, basis)
    wanted = "1" if basis == SYNTHETIC_DEMO else "0"
    operator = basis_operator(basis)
    frame, total = store.query(SiteQuery(operators=None if operator is None else (operator,),
                                         limit=10**9, equals=(("synthetic", wanted),)))
    return of_basis(frame, basis)  # never trust a filter with this


def tiered_counties(settings, tiers: Mapping[str, str]) -> gpd.GeoDataFrame:
    """赣州's counties in the metric CRS with their seat (metric) and 5G tier: the county
    order every raster of a run (and the recommender's demand) numbers counties by."""
    gdf = ganzhou_counties(settings).to_crs(METRIC_CRS)
    gdf["seat_x"], gdf["seat_y"] = to_metric(gdf["seat_lon"], gdf["seat_lat"])
    gdf["fiveg_tier"] = gdf["adcode"].map(tiers)
    return gdf.reset_index(drop=True)


def zone_rasters(grid: Grid, counties: gpd.GeoDataFrame, model: CoverageModel):
    """County ids (1-based, ``tiered_counties`` order) and the main-urban mask on ``grid``:
    shared with the recommender so its demand zones are exactly the run's."""
    shape = (grid.height, grid.width)
    county_id = rasterize(((g, i + 1) for i, g in enumerate(counties.geometry)), out_shape=shape,
                          transform=grid.transform, fill=0, dtype="uint8")
    urban_discs = shapely.buffer(shapely.points(counties["seat_x"], counties["seat_y"]),
                                 model.urban_radius_m, quad_segs=32)
    urban = rasterize(((d.intersection(g), i + 1) for i, (d, g) in enumerate(
        zip(urban_discs, counties.geometry, strict=True))), out_shape=shape,
        transform=grid.transform, fill=0, dtype="uint8")
    return county_id, urban


def _point_coverage(counts: np.ndarray, grid: Grid, x, y) -> np.ndarray:
    col = np.floor((np.asarray(x) - grid.x0) / grid.res).astype(int)
    row = np.floor((grid.y0 - np.asarray(y)) / grid.res).astype(int)
    inside = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
    out = np.zeros(len(col), dtype=bool)
    out[inside] = counts[row[inside], col[inside]] > 0
    return out


def _zone_counts(counts, county_id, urban, counties) -> dict[str, np.ndarray]:
    """Cells per county id for each zone, by one ``bincount`` each (no per-county masks)."""
    n = len(counties) + 1
    covered = counts > 0
    full = np.isin(county_id, [i + 1 for i, t in enumerate(counties["fiveg_tier"])
                               if t == FULL_DEPTH_TIER])
    return {
        "cells": np.bincount(county_id.ravel(), minlength=n),
        "covered": np.bincount(county_id[covered], minlength=n),
        "urban": np.bincount(urban.ravel(), minlength=n),
        "urban_covered": np.bincount(urban[covered], minlength=n),
        "full_gap": np.bincount(county_id[full & ~covered], minlength=n),
    }


def _county_stats(i: int, c, z: dict, grid, parks, townships) -> dict:
    k = i + 1
    full_depth = c.fiveg_tier == FULL_DEPTH_TIER
    gap_cells = z["full_gap"][k] if full_depth else z["urban"][k] - z["urban_covered"][k]
    p = parks[parks["county_adcode"] == c.adcode]
    towns = _township_counts(townships, c.adcode)
    return {
        "adcode": c.adcode, "name": c.name, "fiveg_tier": c.fiveg_tier,
        "cells": int(z["cells"][k]),
        "covered_area_km2": round(float(z["covered"][k] * grid.cell_area_km2), 3),
        "covered_area_pct": round(100 * float(z["covered"][k]) / max(1, z["cells"][k]), 2),
        "main_urban_coverage_pct": round(100 * float(z["urban_covered"][k])
                                         / max(1, z["urban"][k]), 2),
        "gap_area_km2": round(float(gap_cells * grid.cell_area_km2), 3),
        "required_zone": "whole county (全深度覆盖)" if full_depth
        else "main urban area (主城区, schematic)",
        "parks_placed": int(len(p)), "parks_covered": int(p["covered"].sum()),
        **towns,
        "mines_coverage": NOT_ASSESSABLE,
    }


def _township_counts(townships: pd.DataFrame | None, adcode: str) -> dict:
    """乡镇全覆盖 of one county: townships total / positioned / covered and the share covered.

    The share is over the *positioned* townships only (an unpositioned one can be neither
    covered nor uncovered); ``townships_total - townships_positioned`` says how many it
    leaves out, so the number is never read as covering the whole list.
    """
    if townships is None:
        return {"townships_total": None, "townships_positioned": None,
                "townships_covered": None, "township_coverage_pct": NOT_ASSESSABLE}
    t = townships[townships["county_adcode"] == adcode]
    placed = int(_positioned(t).sum())
    covered = int(t["covered"].sum())
    return {"townships_total": int(len(t)), "townships_positioned": placed,
            "townships_covered": covered,
            "township_coverage_pct": round(100 * covered / placed, 2) if placed
            else NOT_ASSESSABLE}


def _positioned(townships: pd.DataFrame) -> pd.Series:
    return townships["lon"].notna() & townships["lat"].notna()


def _township_coverage(counts: np.ndarray, grid: Grid, townships: pd.DataFrame) -> np.ndarray:
    """Covered flag per township; an unpositioned one (NaN lon/lat) is never covered."""
    placed = _positioned(townships).to_numpy()
    out = np.zeros(len(townships), dtype=bool)
    out[placed] = _point_coverage(counts, grid, *to_metric(townships["lon"][placed],
                                                           townships["lat"][placed]))
    return out


def _gap_features(counts, county_id, urban, grid, counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    full = np.isin(county_id, [i + 1 for i, t in enumerate(counties["fiveg_tier"])
                               if t == FULL_DEPTH_TIER])
    gap_kind = np.zeros(counts.shape, dtype="uint8")
    gap_kind[(urban > 0) & (counts == 0)] = 1  # main urban gap
    gap_kind[full & (counts == 0) & (gap_kind == 0)] = 2  # rest of a full-depth county
    label = np.where(gap_kind > 0, county_id.astype("int32") * 4 + gap_kind, 0)
    rows, geoms = [], []
    for geom, value in shapes(label.astype("int32"), mask=label > 0, transform=grid.transform):
        cid, kind = divmod(int(value), 4)
        poly = shapely.geometry.shape(geom)
        rows.append({"adcode": counties["adcode"].iloc[cid - 1],
                     "gap_kind": "main_urban" if kind == 1 else "full_depth_county",
                     "area_km2": round(poly.area / 1e6, 4)})
        geoms.append(poly.simplify(grid.res / 2))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=METRIC_CRS).to_crs(STORAGE_CRS)
    gdf.insert(0, "id", [f"gap-{i + 1}" for i in range(len(gdf))])
    return gdf


def _write_cog(counts: np.ndarray, county_id: np.ndarray, grid: Grid, path: Path) -> None:
    data = np.where(county_id > 0, counts, NODATA).astype("uint16")
    profile = {"driver": "COG", "width": grid.width, "height": grid.height, "count": 1,
               "dtype": "uint16", "crs": METRIC_CRS, "transform": grid.transform,
               "nodata": NODATA, "compress": "deflate", "blocksize": 512,
               "overview_resampling": "nearest"}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        dst.update_tags(description="serving 5G sites per cell (planning approximation)")


def run_fingerprint(sites: str, model: CoverageModel, resolution: float,
                    townships: pd.DataFrame | None, basis: str = SYNTHETIC_DEMO,
                    band: str = ALL_BANDS) -> str:
    """What a run depends on (``sites``: the store's fingerprint): a stored run with the
    same fingerprint is still current. The band is part of it, so runs never mix."""
    return f"{sites}|{model.model_dump_json()}|{resolution}|" \
           f"{_townships_digest(townships)}|{basis}|band={band}"


def _townships_digest(townships: pd.DataFrame | None) -> str:
    """The township points as part of a run's fingerprint: a moved or added point (a user
    file that overrides a shipped one keeps the count) makes the stored run stale."""
    if townships is None:
        return "0"
    digest = hashlib.sha256()
    for col in ("lon", "lat"):  # raw float bytes: NaN (unpositioned) hashes like any value
        digest.update(np.ascontiguousarray(townships[col].to_numpy(float)).tobytes())
    for col in ("name", "county_adcode"):
        if col in townships.columns:
            digest.update("\x1f".join(map(str, townships[col])).encode())
    return f"{len(townships)}:{digest.hexdigest()[:16]}"


def run_coverage(settings, store: SiteStore, tiers: Mapping[str, str], parks: pd.DataFrame,
                 scenario: int = 2025, resolution: float = 100.0,
                 model: CoverageModel | None = None, townships: pd.DataFrame | None = None,
                 progress: Callable[[str], None] | None = None,
                 basis: str = AUTO, band: str = ALL_BANDS) -> CoverageRun:
    """Compute (or reuse) the coverage run for the stored sites of ``basis``.

    ``basis``: ``auto`` (real sites once any exist, else the demo), ``real`` or
    ``synthetic_demo`` (geo.inventory.basis); ``band``: ``all`` or one band (only its
    sites, at its radius: geo.coverage.model).
    """
    model = model or CoverageModel()
    basis = resolve_for(store, basis)
    model.factor(band)  # an unknown band is a 400 here, before anything is computed
    base = run_folder(settings.data_dir, scenario, resolution, basis, band)
    fingerprint = run_fingerprint(store.fingerprint(), model, resolution, townships, basis,
                                  band)
    # one folder per fingerprint: a new run never replaces files a reader of the previous
    # (stale-while-revalidate) run may be streaming; the previous run is kept as well
    folder = base / hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    done = load_run(folder)
    if done is not None and done.stats.get("fingerprint") == fingerprint:
        return done
    say = progress or (lambda _msg: None)
    counties = tiered_counties(settings, tiers)
    grid = Grid.covering(tuple(counties.total_bounds), resolution)
    say("sites")
    sites = all_sites(store, basis)
    seats = dict(zip(counties["adcode"], zip(counties["seat_x"], counties["seat_y"],
                                             strict=True), strict=True))
    radius, _ = site_radii(sites, seats, model, band)
    x, y = to_metric(sites["lon"], sites["lat"])
    say("raster")
    counts = serving_counts(grid, x, y, radius)
    county_id, urban = zone_rasters(grid, counties, model)
    say("statistics")
    parks = parks.assign(covered=_point_coverage(counts, grid, *to_metric(parks["lon"],
                                                                           parks["lat"])))
    if townships is not None:
        townships = townships.assign(covered=_township_coverage(counts, grid, townships))
    zones = _zone_counts(counts, county_id, urban, counties)
    stats = [_county_stats(i, c, zones, grid, parks, townships)
             for i, c in enumerate(counties.itertuples())]
    say("gaps")
    gaps = _gap_features(counts, county_id, urban, grid, counties)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=settings.data_dir))
    _write_cog(counts, county_id, grid, tmp / "coverage.tif")
    gaps.to_file(tmp / "gaps.geojson", driver="GeoJSON")
    meta = {"fingerprint": fingerprint, "scenario": scenario, "resolution_m": resolution,
            "data_basis": basis, "band": band, "band_factor": model.factor(band),
            "model": model.model_dump(), "model_text": model.describe(band),
            "sites_used": int((radius > 0).sum()), "sites_total": int(len(sites)),
            "grid": {"width": grid.width, "height": grid.height, "crs": METRIC_CRS},
            "counties": stats}
    (tmp / "stats.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, folder)
    for old in _runs(base)[KEEP_RUNS:]:
        shutil.rmtree(old, ignore_errors=True)
    return CoverageRun(folder, meta)
