"""A seeded synthetic base-station inventory, so a fresh install shows real-looking data.

About 6,122 sites (the plan's 2020 baseline, 000:355), spread over the 18 counties in
proportion to area with extra weight on the 5G tier the plan names (全深度覆盖 > 主城区连续覆盖
> 未点名), and denser around county seats (urban share drawn near the seat, the rest uniform
inside the county). Every site is stored with ``synthetic = 1`` and every API response and
map marks it; nothing here claims to be a real site.

Coordinates are rounded to ``DECIMALS`` (~0.1 m) *before* the containment test, and the
rejects resampled, so a stored point is inside its county exactly as written: a point drawn
inside the polygon can round to the far side of the border (e.g. row 84106 of the 200k
bench inventory), and the import would then refuse the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.boundaries import ganzhou_counties
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.settings import AtlasSettings

BASELINE_2020 = 6122
DECIMALS = 6  # as written to CSV; containment is tested on the rounded value
SEED = 20201231
OPERATOR_SHARES = {"中国移动": 0.42, "中国电信": 0.24, "中国联通": 0.24, "中国广电": 0.10}
TIER_WEIGHT = {"全深度覆盖": 2.0, "主城区连续覆盖": 1.3, "未点名": 1.0}
URBAN_SHARE = 0.55
URBAN_SIGMA_M = 2_500
TYPE_P = {"macro": 0.7, "micro": 0.2, "indoor": 0.1}
STATUS_P = {"on_air": 0.8, "built": 0.12, "planned": 0.08}
BAND_BY_OPERATOR = {"中国移动": ["n41", "n79"], "中国电信": ["n78", "n1"],
                    "中国联通": ["n78", "n1"], "中国广电": ["n28", "n79"]}


def _allocate(weights: np.ndarray, total: int) -> np.ndarray:
    raw = weights / weights.sum() * total
    counts = np.floor(raw).astype(int)
    counts[np.argsort(raw - counts)[::-1][: total - counts.sum()]] += 1
    return counts


def _points_in(poly, seat_xy, n: int, rng: np.random.Generator, to_gk, to_ll) -> np.ndarray:
    """n points inside ``poly`` after rounding: a Gaussian seat cluster plus uniform rural ones."""
    n_urban = int(round(n * URBAN_SHARE))
    sx, sy = to_gk.transform(*seat_xy)
    out: list[tuple[float, float]] = []
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    while len(out) < n:
        urban = len(out) < n_urban
        need = (n_urban if urban else n) - len(out)
        if urban:
            gx = rng.normal(sx, URBAN_SIGMA_M, need * 2)
            gy = rng.normal(sy, URBAN_SIGMA_M, need * 2)
            lon, lat = to_ll.transform(gx, gy)
        else:
            lon = rng.uniform(minx, maxx, need * 3)
            lat = rng.uniform(miny, maxy, need * 3)
        lon, lat = np.round(lon, DECIMALS), np.round(lat, DECIMALS)
        keep = shapely.contains_xy(poly, lon, lat)  # on the rounded value: what is stored
        found = list(zip(lon[keep], lat[keep], strict=True))
        out += found[:need]  # the urban draw must not eat the rural share
    return np.array(out[:n])


def synthetic_inventory(settings: AtlasSettings, total: int = BASELINE_2020,
                        seed: int = SEED, tiers: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return a deterministic synthetic inventory (one row per site, with ``operator``)."""
    rng = np.random.default_rng(seed)
    counties = ganzhou_counties(settings)
    tiers = tiers or {}
    weights = counties["area_km2"].to_numpy() * np.array(
        [TIER_WEIGHT.get(tiers.get(a, "未点名"), 1.0) for a in counties["adcode"]])
    per_county = _allocate(weights, total)
    to_gk = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
    to_ll = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
    frames = []
    for (_, c), n in zip(counties.iterrows(), per_county, strict=True):
        pts = _points_in(c.geometry, (c.seat_lon, c.seat_lat), int(n), rng, to_gk, to_ll)
        frames.append(pd.DataFrame({"lon": pts[:, 0], "lat": pts[:, 1], "county": c.adcode}))
    sites = pd.concat(frames, ignore_index=True)
    operators = list(OPERATOR_SHARES)
    sites["operator"] = rng.choice(operators, len(sites), p=list(OPERATOR_SHARES.values()))
    sites["type"] = rng.choice(list(TYPE_P), len(sites), p=list(TYPE_P.values()))
    sites["status"] = rng.choice(list(STATUS_P), len(sites), p=list(STATUS_P.values()))
    sites["band"] = [BAND_BY_OPERATOR[o][rng.integers(2)] for o in sites["operator"]]
    days = rng.integers(0, 365 * 2, len(sites))
    sites["commissioned"] = (pd.Timestamp("2019-06-06") + pd.to_timedelta(days, "D")) \
        .strftime("%Y-%m-%d")
    sites.loc[sites["status"] == "planned", "commissioned"] = ""
    sites["site_id"] = [f"SYN-{c[-2:]}-{i:05d}" for i, c in enumerate(sites["county"])]
    return sites.drop(columns="county")


def load_synthetic(store, settings: AtlasSettings, locator) -> int:
    """Validate and store the synthetic inventory, one batch per operator; return sites stored."""
    from geo.inventory.read import RawTable
    from geo.inventory.validate import validate
    from geo.inventory.vocab import CSV_COLUMNS
    from geo.plan import load_plan
    from geo.store.base import BatchInfo

    tiers = {a: c.fiveg_tier for a, c in load_plan(settings.plan_dir).counties.items()}
    sites = synthetic_inventory(settings, tiers=tiers)
    stored = 0
    for operator, group in sites.groupby("operator", sort=True):
        frame = group[list(CSV_COLUMNS)].astype(str).reset_index(drop=True)
        table = RawTable("synthetic", frame, pd.Series(range(2, len(frame) + 2)))
        checked = validate(table, "wgs84", locator, settings.inventory_region)
        info = BatchInfo(operator=str(operator), actor="ganzhou-atlas demo", source="synthetic",
                         filename="synthetic (seeded generator)", synthetic=True)
        stored += store.upsert_batch(checked.sites, info, checked.rows_read,
                                     checked.errors).stored
    return stored
