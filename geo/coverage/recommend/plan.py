"""One recommendation: from a finished coverage run to ranked sites, a county summary and
certificates.

Modes (``Mode``): ``sites`` (the next N sites over the chosen counties, ranked by marginal
gain wherever they fall), ``to_target`` (per county, as many sites as it lacks to reach its
5G target of a year, ``quotas``) and ``to_full_coverage`` (until no candidate gains anything:
the required zones are covered as far as the candidates reach). Whatever the mode, a site
that would gain nothing is never recommended, so a county whose required zone fills up
before its quota stops there (``stop_reason`` says so).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.coords import wgs84_to_gcj02
from geo.coverage.analysis import FULL_DEPTH_TIER, CoverageRun
from geo.coverage.model import ALL_BANDS, CoverageModel
from geo.coverage.recommend.certificate import Certificate, certify
from geo.coverage.recommend.config import CAVEAT, LABEL, MAX_SITES, RecommendSettings
from geo.coverage.recommend.demand import (
    SETTING_LABELS,
    TOWNSHIP_LABEL,
    ZONE_LABELS,
    Problem,
    build_problem,
)
from geo.coverage.recommend.greedy import Greedy, Pick
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.errors import InvalidParameterError

_TO_LONLAT = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
MODES = ("sites", "to_target", "to_full_coverage")


@dataclass(frozen=True)
class Mode:
    """What to stop at: ``sites`` N, ``to_target`` quotas by adcode, or full coverage."""

    kind: str
    sites: int | None = None
    quotas: Mapping[str, int] | None = None
    year: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in MODES:
            raise InvalidParameterError(f"mode must be one of {', '.join(MODES)}", "mode")
        if self.kind == "sites" and (self.sites is None or not 0 < self.sites <= MAX_SITES):
            raise InvalidParameterError(f"站点数须为 1-{MAX_SITES:,} (sites must be 1 to "
                                        f"{MAX_SITES:,})", "sites")


@dataclass
class Recommendation:
    """Ranked sites, the per-county summary and what they were computed from."""

    sites: pd.DataFrame
    counties: pd.DataFrame
    about: dict = field(default_factory=dict)


def _demand_type(pick: Pick) -> str:
    kinds = [TOWNSHIP_LABEL] if pick.towns else []
    kinds += [ZONE_LABELS[i + 1] for i, n in enumerate(pick.kinds) if n]
    return "+".join(kinds) or "无"


def _site_rows(p: Problem, picks: Sequence[Pick]) -> pd.DataFrame:
    area = p.grid.cell_area_km2
    required = np.bincount(p.county[p.required], minlength=len(p.counties) + 1)
    done = np.bincount(p.county[p.required & p.covered], minlength=len(p.counties) + 1)
    total_required = max(1, int(required[list(p.chosen)].sum()))
    total_done = int(done[list(p.chosen)].sum())
    rows = []
    for k in picks:
        for cid, n in k.cells_by_county:
            done[cid] += n
        total_done += k.gain_cells
        c = p.counties.iloc[k.county - 1]
        rows.append({
            "rank": k.rank, "adcode": c.adcode, "county": c["name"],
            "setting": ["urban", "rural"][k.setting], "setting_label": SETTING_LABELS[k.setting],
            "radius_m": p.radii[k.setting], "gain_km2": round(k.gain_cells * area, 4),
            "gain_weight": round(k.gain, 3), "townships_covered": k.towns,
            "demand_type": _demand_type(k),
            "county_coverage_pct": round(100 * done[k.county] / max(1, required[k.county]), 3),
            "cumulative_coverage_pct": round(100 * total_done / total_required, 3),
            "row": k.row, "col": k.col})
    frame = pd.DataFrame(rows, columns=[
        "rank", "adcode", "county", "setting", "setting_label", "radius_m", "gain_km2",
        "gain_weight", "townships_covered", "demand_type", "county_coverage_pct",
        "cumulative_coverage_pct", "row", "col"])
    x, y = p.centre(frame["row"].to_numpy(int), frame["col"].to_numpy(int))
    lon, lat = _TO_LONLAT.transform(x, y)
    glon, glat = wgs84_to_gcj02(lon, lat)
    frame.insert(3, "lon", np.round(lon, 6))
    frame.insert(4, "lat", np.round(lat, 6))
    frame.insert(5, "lon_gcj02", np.round(glon, 6))
    frame.insert(6, "lat_gcj02", np.round(glat, 6))
    frame["x"], frame["y"] = x, y
    return frame.drop(columns=["row", "col"])


def _stop(cid: int, p: Problem, g: Greedy, mode: Mode, quotas: Mapping[int, int],
          limit_hit: bool) -> str:
    open_left = bool((g.open_required & (p.county == cid)).any())
    if mode.kind == "to_target" and g.picked.get(cid, 0) >= quotas.get(cid, 0):
        return "已达目标站数 (target count reached)"
    if not open_left:
        return "必须覆盖区域已全覆盖 (required zone fully covered)"
    if limit_hit:
        return "已达建议站点数 (site count reached)"
    return "剩余缺口候选站址无法覆盖 (no candidate reaches what is left)"


def _county_rows(p: Problem, g: Greedy, picks: Sequence[Pick], mode: Mode,
                 quotas: Mapping[int, int], certs: Mapping[int, Certificate | None],
                 limit_hit: bool) -> pd.DataFrame:
    area = p.grid.cell_area_km2
    rows = []
    for cid in p.chosen:
        c = p.counties.iloc[cid - 1]
        inside = p.county == cid
        required = int((p.required & inside).sum())
        before = int((p.required & p.covered & inside).sum())
        after = required - int((g.open_required & inside).sum())
        towns = p.townships[p.townships["county"] == cid] if len(p.townships) else None
        cert = certs.get(cid)
        rows.append({
            "adcode": c.adcode, "county": c["name"], "fiveg_tier": c.fiveg_tier,
            "required_zone": "全域（全深度覆盖）" if c.fiveg_tier == FULL_DEPTH_TIER
            else "主城区（示意范围）",
            "sites_recommended": int(g.picked.get(cid, 0)),
            "sites_quota": quotas.get(cid) if mode.kind == "to_target" else None,
            "required_km2": round(required * area, 3),
            "coverage_before_pct": round(100 * before / max(1, required), 2),
            "coverage_after_pct": round(100 * after / max(1, required), 2),
            "gap_left_km2": round((required - after) * area, 3),
            "gain_km2": round(sum(n for k in picks for i, n in k.cells_by_county if i == cid)
                              * area, 3),
            "townships_positioned": None if towns is None else int(len(towns)),
            "stop_reason": _stop(cid, p, g, mode, quotas, limit_hit),
            "greedy_within_pct": None if cert is None else cert.ratio_pct,
            "certificate": None if cert is None else cert.as_dict()})
    return pd.DataFrame(rows)


def recommend(settings, run: CoverageRun, tiers: Mapping[str, str], model: CoverageModel,
              mode: Mode, townships: pd.DataFrame | None = None,
              adcodes: Sequence[str] | None = None, mask: Mapping | None = None,
              band: str = ALL_BANDS, config: RecommendSettings | None = None,
              certificates: bool = True,
              progress: Callable[[str, int, int], None] | None = None) -> Recommendation:
    """Ranked new sites for ``adcodes`` (all counties when None) over ``run``'s coverage."""
    config = config or RecommendSettings()
    p = build_problem(settings, run, tiers, model, config.weights, townships, adcodes, mask,
                      band)
    index = dict(zip(p.counties["adcode"], p.counties["id"], strict=True))
    quotas = {index[a]: int(max(0, n)) for a, n in (mode.quotas or {}).items() if a in index
              and index[a] in p.chosen}
    if mode.kind == "to_target":
        quotas = {cid: quotas.get(cid, 0) for cid in p.chosen}
    limit = (mode.sites if mode.kind == "sites" else
             min(MAX_SITES, sum(quotas.values())) if mode.kind == "to_target" else MAX_SITES)
    say = progress or (lambda _phase, _done, _total: None)
    say("scoring", 0, int(limit or 0))
    greedy = Greedy(p, quotas if mode.kind == "to_target" else None)
    picks = greedy.run(int(limit or 0), lambda n: say("placing", n, int(limit or 0)))
    certs: dict[int, Certificate | None] = {}
    if certificates:
        placed = sorted({k.county for k in picks})
        for i, cid in enumerate(placed):
            say("certificate", i, len(placed))
            certs[cid] = certify(p, picks, cid, config.certificate_candidates,
                                 config.certificate_seconds)
        say("certificate", len(placed), len(placed))
    sites = _site_rows(p, picks)
    counties = _county_rows(p, greedy, picks, mode, quotas, certs, len(picks) >= (limit or 0))
    about = {"label": LABEL, "caveat": CAVEAT, "mode": mode.kind, "sites_requested": mode.sites,
             "target_year": mode.year, "sites_recommended": len(picks),
             "scenario": run.stats.get("scenario"), "data_basis": run.stats.get("data_basis"),
             "band": band, "resolution_m": p.grid.res,
             "coverage_model": run.stats.get("model_text"),
             "coverage_fingerprint": run.stats.get("fingerprint"),
             "weights": config.weights.model_dump(), "weights_text": config.weights.describe(),
             "new_site_radii_m": {"urban": p.radii[0], "rural": p.radii[1]},
             "computed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return Recommendation(sites, counties, about)
