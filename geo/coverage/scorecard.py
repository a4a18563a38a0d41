"""The county scorecard: targets (allocated or overridden), sites, coverage and gaps per county.

One row per county plus the city line. The plan's 5G indicator is 5G基站开通数 (sites on
air), so % of target counts ``on_air`` sites. Sites per 10,000 people need county
population, which no source here has: the value is null and ``sites_per_10k_people_note``
says why, instead of inventing a number (the city-level figure uses the 2020 census of
赣州市). Every numeric column holds a number or null, never a text such as "not
assessable": GIS clients type a column from its values, and one text turns a whole numeric
column into strings in QGIS and GDAL. The reason for a null goes in a ``..._note`` column.
"""

from __future__ import annotations

import numbers

import geopandas as gpd
import pandas as pd

from geo.coverage.analysis import CoverageRun
from geo.coverage.model import CoverageModel
from geo.coverage.targets import (
    FIVEG_CITY,
    TARGET_YEARS,
    AllocationMethod,
    allocate_fiveg,
    allocate_iot,
    effective_targets,
)
from geo.inventory.basis import AUTO, REAL, of_basis, operator_basis, resolve
from geo.inventory.totals import county_totals
from geo.inventory.vocab import OPERATORS

NO_POPULATION = "无县级人口数据：规划与普查来源均未给出区县人口，不推算"
NO_RUN = "覆盖分析尚未完成"
NO_TOWNSHIPS = "无法评估：无乡镇点位（可用 --townships 提供乡镇点位 CSV）"
# the shipped list positions a township only where GeoNames has it (data/townships/README.md)
NO_POSITIONED_TOWNSHIPS = ("无法评估：本区县{total}个乡镇均无点位"
                           "（可用 --townships 提供乡镇点位 CSV）")
NO_REAL_SITES = "该区县尚无运营商报送的真实站点"
# The planner's split: one count column per operator code (sites_cmcc, ...), numbers a GIS
# client can style and sum, beside the readable sites_by_operator text
OPERATOR_SPLIT = tuple(f"sites_{code}" for code in OPERATORS.values())
# An operator key's own columns (own_columns)
MY_COUNTS = ("my_sites_total", "my_planned", "my_built", "my_on_air")


def _pct(a, b) -> float | None:
    return round(100.0 * a / b, 1) if b else None


def _number(value) -> float | None:
    """``value`` as a float, None for a missing or non-numeric one ("not assessable")."""
    # numbers.Real: numpy's int64/float64 too (a stats value may come from numpy)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        return None
    return float(value)


def township_fields(stats: dict) -> dict:
    """Township coverage (乡镇全覆盖): total / positioned / covered counts and the share.

    The share is over the positioned townships only (the shipped list positions about 180 of
    赣州's 310), so the note always says how many it leaves out; null with the reason when
    no township of the county has a point, or before a run.
    """
    pct = _number(stats.get("township_coverage_pct"))
    counts = {k: int(v) if isinstance(v, numbers.Integral) else None for k, v in (
        (k, stats.get(k)) for k in ("townships_total", "townships_positioned",
                                    "townships_covered"))}
    total, placed = counts["townships_total"], counts["townships_positioned"]
    if not stats:
        note: str | None = NO_RUN
    elif pct is None:
        note = NO_TOWNSHIPS if not total else NO_POSITIONED_TOWNSHIPS.format(total=total)
    elif total is not None and placed is not None and total > placed:
        note = (f"按已定位的{placed}个乡镇计算；另有{total - placed}个乡镇无点位，未计入"
                f"（共{total}个）")
    else:
        note = f"按全部{placed}个乡镇计算" if placed is not None else None
    return {"township_coverage_pct": pct, "township_coverage_note": note, **counts}


def flags_for(row: dict) -> str | None:
    """The scorecard's warnings for one county row (None when there are none)."""
    flags = []
    if row["pct_of_target_2025"] is not None and row["pct_of_target_2025"] < 50:
        flags.append("低于2025目标50%")
    if isinstance(row.get("main_urban_coverage_pct"), float) and \
            row["main_urban_coverage_pct"] < 90:
        flags.append("主城区覆盖不足90%")
    if row["synthetic_sites"]:
        flags.append("含合成演示数据")
    if row["target_2025_source"] != "allocated":
        flags.append("目标已人工调整")
    return "；".join(flags) or None


def scorecard(counties: gpd.GeoDataFrame, counts: pd.DataFrame, overrides: pd.DataFrame,
              run: CoverageRun | None, method: AllocationMethod, model: CoverageModel,
              operator_detail: bool,
              priority_areas: dict[str, list[str]] | None = None,
              needs: dict | None = None) -> gpd.GeoDataFrame:
    """Per-county scorecard as a GeoDataFrame over the county polygons.

    ``counties`` is the ``counties`` layer; ``counts`` the store's grouped counts;
    ``operator_detail`` adds the per-operator split (planners only: it is sensitive);
    ``priority_areas`` maps adcode -> the IoT tier-1 places (优先完成部署) in the county;
    ``needs`` the last full-coverage computation of ``run`` (geo.coverage.recommend.needs;
    None: not computed yet, its columns are null with a note).
    """
    from geo.coverage.recommend.needs import need_fields, target_gaps

    targets = effective_targets(allocate_fiveg(counties, method), overrides)
    iot = allocate_iot(counties, method)
    totals = county_totals(counts)
    gaps = target_gaps(targets, totals["status_on_air"])
    stats = {s["adcode"]: s for s in (run.stats["counties"] if run else [])}
    rows = []
    for c in counties.itertuples():
        t = totals.loc[c.adcode] if c.adcode in totals.index else None
        on_air = int(t["status_on_air"]) if t is not None else 0
        tg = targets.loc[c.adcode]
        s = stats.get(c.adcode, {})
        row = {
            "adcode": c.adcode, "name": c.name, "fiveg_tier": c.fiveg_tier,
            "iot_tiers": c.iot_tiers,
            "sites_total": int(t["sites_total"]) if t is not None else 0,
            "sites_on_air": on_air,
            **{k: int(t[k]) if t is not None else 0 for k in (
                "status_built", "status_planned", "type_macro", "type_micro", "type_indoor",
                "synthetic_sites")},
            "alloc_2020": int(tg["alloc_2020"]),
            "target_2023": int(tg["target_2023"]), "target_2023_source": tg["target_2023_source"],
            "target_2025": int(tg["target_2025"]), "target_2025_source": tg["target_2025_source"],
            "pct_of_target_2023": _pct(on_air, tg["target_2023"]),
            "pct_of_target_2025": _pct(on_air, tg["target_2025"]),
            **need_fields(gaps, needs, c.adcode),
            "sites_per_10k_people": None, "sites_per_10k_people_note": NO_POPULATION,
            "covered_area_pct": s.get("covered_area_pct"),
            "main_urban_coverage_pct": s.get("main_urban_coverage_pct"),
            "gap_area_km2": s.get("gap_area_km2"),
            "required_zone": s.get("required_zone"),
            **township_fields(s),
            "mines_coverage": s.get("mines_coverage", "not assessable"),
            "parks_placed": s.get("parks_placed"), "parks_covered": s.get("parks_covered"),
            "iot_alloc_2023": int(iot.loc[c.adcode, "iot_alloc_2023"]),
            "iot_alloc_2025": int(iot.loc[c.adcode, "iot_alloc_2025"]),
            "iot_allocation_method": method.describe("物联网"),
            "iot_priority_areas": "、".join((priority_areas or {}).get(c.adcode, [])) or None,
            "allocation_method": method.describe("5G"),
            "coverage_model": model.describe(),
        }
        if operator_detail:
            mine = counts[counts["county_adcode"] == c.adcode].groupby("operator")["n"].sum()
            row["sites_by_operator"] = "、".join(f"{o}{n}" for o, n in mine.items()) or None
            row.update({f"sites_{code}": int(mine.get(name, 0))
                        for name, code in OPERATORS.items()})
        row["flags"] = flags_for(row)
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry=list(counties.geometry), crs=counties.crs)


def city_line(card: gpd.GeoDataFrame, population: int | None) -> dict:
    """The 赣州市 total: plan figures, sum of county targets and the difference."""
    on_air = int(card["sites_on_air"].sum())
    out = {"name": "赣州市合计", "sites_total": int(card["sites_total"].sum()),
           "sites_on_air": on_air, "synthetic_sites": int(card["synthetic_sites"].sum())}
    for year in TARGET_YEARS:
        total = int(card[f"target_{year}"].sum())
        out[f"plan_{year}"] = FIVEG_CITY[year]
        out[f"target_{year}"] = total
        out[f"difference_from_plan_{year}"] = total - FIVEG_CITY[year]
        out[f"pct_of_plan_{year}"] = _pct(on_air, FIVEG_CITY[year])
    out["sites_per_10k_people"] = round(on_air / population * 10_000, 2) if population \
        else None
    out["population_source"] = "第七次全国人口普查 2020 (赣州市)" if population else None
    return out


def own_columns(card: gpd.GeoDataFrame, counts: pd.DataFrame, operator: str,
                own_run: CoverageRun | None) -> gpd.GeoDataFrame:
    """``card`` plus one operator's own columns: its sites by status, its share of the
    county's real sites and the area its own sites cover.

    ``counts`` are the store's grouped counts of *all* sites; only the operator's own real
    sites are counted, and the share divides by the county's real-site total, which the
    public totals show anyway (``data_basis=real``), so nothing here says anything about a
    competitor that the public aggregates do not. ``own_run`` is the coverage run of the
    operator's own sites (basis ``operator-<code>``): exact, since it is its own data.
    """
    mine = county_totals(of_basis(counts, operator_basis(operator)))
    real = county_totals(of_basis(counts, REAL))
    stats = {s["adcode"]: s for s in (own_run.stats["counties"] if own_run else [])}
    out = card.copy()

    def count(table: pd.DataFrame, adcode: str, column: str) -> int:
        return int(table.loc[adcode, column]) if adcode in table.index else 0

    columns: dict[str, list] = {name: [] for name in (
        *MY_COUNTS, "my_share_pct", "my_share_note", "my_covered_area_pct",
        "my_coverage_note")}
    for adcode in card["adcode"]:
        total = count(mine, adcode, "sites_total")
        county_real = count(real, adcode, "sites_total")
        for name, source in zip(MY_COUNTS, ("sites_total", "status_planned", "status_built",
                                            "status_on_air"), strict=True):
            columns[name].append(count(mine, adcode, source))
        columns["my_share_pct"].append(_pct(total, county_real))
        columns["my_share_note"].append(None if county_real else NO_REAL_SITES)
        covered = _number(stats.get(adcode, {}).get("covered_area_pct"))
        columns["my_covered_area_pct"].append(covered)
        columns["my_coverage_note"].append(None if covered is not None else NO_RUN)
    for name, values in columns.items():
        out[name] = values
    return out


def own_city_line(card: gpd.GeoDataFrame, counts: pd.DataFrame) -> dict:
    """The operator's own totals over the card's counties, for the city line."""
    out: dict[str, int | float | None] = {name: int(card[name].sum()) for name in MY_COUNTS}
    real = county_totals(of_basis(counts, REAL))
    county_real = int(real["sites_total"].reindex(card["adcode"]).fillna(0).sum())
    out["my_share_pct"] = _pct(int(card["my_sites_total"].sum()), county_real)
    return out


def county_scorecard(ctx, store, run: CoverageRun | None, operator_detail: bool,
                     basis: str = AUTO, operator: str | None = None,
                     own_run: CoverageRun | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """The scorecard and city line of ``store``'s sites, as the API, CLI and maps show it.

    ``ctx`` is the build context (counties, IoT tier-1 places, 2020 census); ``run`` the
    coverage run to read area statistics from (None: not computed yet); ``basis`` which
    sites count (``auto``: real ones once any exist, geo.inventory.basis). ``operator``
    (an operator key's caller) adds its own columns (``own_columns``) from ``own_run``.
    """
    stored = store.county_totals()
    basis = resolve(stored, basis)
    counts = of_basis(stored, basis)
    settings = ctx.settings
    counties = ctx.result("counties").gdf
    iot = ctx.result("iot_zones").gdf
    tier1 = iot[(iot["tier"] == 1) & iot["adcodes"].notna()]
    priority = tier1.groupby("adcodes")["place_name"].apply(list).to_dict()
    from geo.coverage.inputs import coverage_inputs
    from geo.coverage.recommend.needs import NEEDS

    needs = NEEDS.get(settings, run, lambda: coverage_inputs(ctx))  # never waits
    card = scorecard(counties, counts, store.target_overrides(), run,
                     settings.allocation, settings.coverage_model, operator_detail, priority,
                     needs)
    pop = ctx.plan.population.set_index("adcode")["population_2020_census"]
    city = {**city_line(card, int(pop["360700"])), "data_basis": basis}
    if operator_detail:
        city.update({name: int(card[name].sum()) for name in OPERATOR_SPLIT})
    if operator is not None:
        card = own_columns(card, stored, operator, own_run)
        city.update(own_city_line(card, stored))
    return card, city


def public_precision(card: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The scorecard as callers without a planner key see it: area figures rounded.

    Covered-area percentages to whole percent and gap areas to whole km², so comparing two
    answers never reveals where one new site went (a site covers well under 1 % of a
    county); counts and % of target stay exact (they are county aggregates already).
    """
    out = card.copy()
    # the township share moves when a site comes near a township: rounded like the areas
    for name in ("covered_area_pct", "main_urban_coverage_pct", "gap_area_km2",
                 "township_coverage_pct"):
        out[name] = out[name].map(lambda v: None if v is None or v != v else float(round(v)))
    # the count of covered parks changes when a site comes near one (public) park point: it
    # is withheld (only the planners' schema has the column)
    out["parks_covered"] = None
    out["flags"] = [flags_for(row) for row in out.to_dict("records")]  # from the rounded values
    return out
