"""What a coverage run needs besides the sites, assembled once for the API, CLI and maps.

The plan's 5G tier per county, the parks that have a position and the township points (the
shipped ``townships`` layer, completed by an optional user file) all come from the build
context and the settings; three callers used to assemble
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
    townships: pd.DataFrame


def placed_parks(ctx: BuildContext) -> pd.DataFrame:
    """Parks with a (county-seat or schematic) point, as id/name/lon/lat/county rows."""
    gdf = ctx.result("parks").gdf
    gdf = gdf[gdf.geometry.notna()]
    return gdf.assign(lon=gdf.geometry.x, lat=gdf.geometry.y)[
        ["id", "name", "lon", "lat", "county_adcode"]].reset_index(drop=True)


def township_points(ctx: BuildContext) -> pd.DataFrame:
    """Every township of 赣州 with its point where one is known, for coverage and the worklist.

    Rows: ``code, name, lon, lat, county_adcode, location_precision`` - the shipped
    ``townships`` layer (310 units; ``lon``/``lat`` NaN for the unpositioned ones, which
    count in a county's total but are never covered) completed by ATLAS_TOWNSHIPS_FILE
    (``--townships``: CSV ``name,lon,lat[,code]``, WGS84). The rule for a user row, in order:
    1. a ``code`` (9 or 12 digits) of a shipped township replaces that township's point;
    2. else its ``name`` equal to a shipped township's name in the county its point lies in
       (the full name, or the name without 镇/乡/街道 when that is unique there) replaces it;
    3. else it is added as a township of its own (no code), in the county its point lies in.
    Replaced or added points carry ``location_precision = user_file``; the user's point is
    trusted for position, the shipped code for the county, so a township never changes
    county. A file without name/lon/lat columns, with a code not in 赣州's list or with
    coordinates that are not numbers is refused (400) before anything is computed.
    """
    gdf = ctx.result("townships").gdf
    shipped = pd.DataFrame({
        "code": gdf["code12"].astype(object), "name": gdf["name"].astype(object),
        "lon": gdf.geometry.x.astype(float), "lat": gdf.geometry.y.astype(float),
        "county_adcode": gdf["county_adcode"].astype(object),
        "location_precision": gdf["location_precision"].astype(object),
    })  # a null geometry's x/y is NaN: unpositioned
    settings = ctx.settings
    if settings.townships_file is None:
        return shipped
    return _complete(ctx, shipped, _read_user_file(settings.townships_file))


def check_townships_file(settings) -> None:
    """Refuse a bad ATLAS_TOWNSHIPS_FILE at start-up instead of at every coverage request.

    Only the file's own shape is checked here (readable, name/lon/lat, numeric coordinates):
    codes and counties need the built layers and are checked when the first run reads it.
    """
    if settings.townships_file is not None:
        _read_user_file(settings.townships_file)


def _read_user_file(path) -> pd.DataFrame:
    """The user's township CSV, checked: name, lon, lat (numbers) and an optional code."""
    from geo.errors import InvalidParameterError

    try:
        frame = pd.read_csv(path, dtype={"code": str, "name": str}, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InvalidParameterError(f"乡镇点位文件无法读取 (townships file unreadable): {exc}",
                                    "townships") from exc
    missing = [c for c in ("name", "lon", "lat") if c not in frame.columns]
    lon = pd.to_numeric(frame.get("lon"), errors="coerce")
    lat = pd.to_numeric(frame.get("lat"), errors="coerce")
    if missing or lon.isna().any() or lat.isna().any() or frame["name"].isna().any():
        raise InvalidParameterError(
            "乡镇点位文件须有 name、lon、lat 列且经纬度为数字 (townships file needs name, lon, "
            f"lat columns with numeric WGS84 coordinates; missing: {missing or 'none'})",
            "townships")
    out = pd.DataFrame({"name": frame["name"].str.strip(), "lon": lon, "lat": lat})
    out["code"] = frame["code"].str.strip() if "code" in frame.columns else None
    return out


def _complete(ctx: BuildContext, shipped: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """Apply the user rows to the shipped list by the rule of ``township_points``."""
    from geo.errors import InvalidParameterError
    from geo.inventory.locate import CountyLocator

    settings = ctx.settings
    out = shipped.copy()
    by_code = {c: i for i, c in enumerate(out["code"])}
    by_code |= {c[:9]: i for c, i in list(by_code.items())}  # the 9-digit form too
    locator = CountyLocator.for_region(settings, settings.inventory_region)
    counties = locator.locate(user["lon"].to_numpy(float), user["lat"].to_numpy(float))
    added = []
    for row, county in zip(user.itertuples(index=False), counties, strict=True):
        code = row.code if isinstance(row.code, str) and row.code else None
        if code is not None and code not in by_code:
            raise InvalidParameterError(f"乡镇代码 {code} 不在赣州乡镇名录中 (unknown township "
                                        "code)", "townships")
        i = by_code[code] if code is not None else _by_name(out, row.name, county)
        if i is None:
            added.append({"code": None, "name": row.name, "lon": row.lon, "lat": row.lat,
                          "county_adcode": county, "location_precision": "user_file"})
        else:
            out.loc[i, ["lon", "lat", "location_precision"]] = [row.lon, row.lat, "user_file"]
    return pd.concat([out, pd.DataFrame(added, columns=out.columns)], ignore_index=True) \
        if added else out


def _by_name(out: pd.DataFrame, name: str, county) -> int | None:
    """Row of the shipped township called ``name`` in ``county`` (full, else bare name)."""
    from geo.layers.townships import split_suffix

    here = out.index[(out["county_adcode"] == county) & out["code"].notna()]
    full = [i for i in here if out.at[i, "name"] == name]
    if len(full) == 1:
        return int(full[0])
    base = split_suffix(name)[0]
    bare = [i for i in here if split_suffix(out.at[i, "name"])[0] == base]
    return int(bare[0]) if len(bare) == 1 else None


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
