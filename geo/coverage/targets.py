"""Allocate the plan's city-wide targets to the 18 counties, and apply planners' overrides.

The plans give city totals only (5G: 6,122 in 2020, 15,000 by 2023, 20,000 by 2025; IoT
terminals 250万 / 280万) - never a county split. Every county number here is therefore an
*allocation*: a weighted share of the city total, rounded by largest remainder so the
counties add up to the plan figure exactly. The method is configurable and written next to
every number. County population would be a natural weight, but no county-level census
figure is available to the project (only prefecture totals), so it is not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

FIVEG_CITY = {2020: 6122, 2023: 15000, 2025: 20000}  # 000:443 (表1), 000:355
TARGET_YEARS = (2023, 2025)  # the years the plan sets 5G targets for (the scenarios)
IOT_TERMINALS_CITY = {2023: 2_500_000, 2025: 2_800_000}  # 000:444 (表1)


class AllocationMethod(BaseModel):
    """share_i ∝ area_weight·area share + tier_weight·tier share + equal_weight/18."""

    area_weight: float = Field(0.5, ge=0)
    tier_weight: float = Field(0.3, ge=0)
    equal_weight: float = Field(0.2, ge=0)
    fiveg_tier_factors: dict[str, float] = {"全深度覆盖": 1.5, "主城区连续覆盖": 1.2,
                                            "未点名": 1.0}
    iot_tier_factors: dict[int, float] = {1: 1.5, 2: 1.3, 3: 1.0}

    def describe(self, kind: str = "5G") -> str:
        """The method as one Chinese sentence (shown with every allocated number)."""
        factors = (self.fiveg_tier_factors if kind == "5G" else
                   {f"第{k}梯次": v for k, v in self.iot_tier_factors.items()})
        text = "、".join(f"{k}×{v:g}" for k, v in factors.items())
        return (f"按权重分配：面积占比×{self.area_weight:g} + {kind}梯次系数占比×"
                f"{self.tier_weight:g}（{text}）+ 平均×{self.equal_weight:g}；"
                "最大余数法取整，合计等于规划总数；县级人口无数据未使用")


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer shares of ``total`` proportional to ``weights`` that sum to ``total``."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _shares(area: np.ndarray, factor: np.ndarray, m: AllocationMethod) -> np.ndarray:
    n = len(area)
    return (m.area_weight * area / area.sum() + m.tier_weight * factor / factor.sum()
            + m.equal_weight / n)


def allocate_fiveg(counties: pd.DataFrame, method: AllocationMethod) -> pd.DataFrame:
    """Allocated 5G targets per county (columns alloc_2020, alloc_2023, alloc_2025).

    ``counties`` needs adcode, area_km2, fiveg_tier.
    """
    factor = counties["fiveg_tier"].map(method.fiveg_tier_factors).fillna(1.0).to_numpy()
    shares = _shares(counties["area_km2"].to_numpy(float), factor, method)
    out = pd.DataFrame({"adcode": counties["adcode"].to_numpy()})
    for year, total in FIVEG_CITY.items():
        out[f"alloc_{year}"] = largest_remainder(shares, total)
    return out.set_index("adcode")


def allocate_iot(counties: pd.DataFrame, method: AllocationMethod) -> pd.DataFrame:
    """Allocated IoT terminal targets per county (iot_alloc_2023, iot_alloc_2025).

    ``counties`` needs adcode, area_km2, iot_tiers ("1,3" strings): the best (lowest) tier
    a county appears in sets its factor.
    """
    best = counties["iot_tiers"].fillna("3").map(lambda t: min(int(v) for v in t.split(",")))
    factor = best.map(method.iot_tier_factors).fillna(1.0).to_numpy()
    shares = _shares(counties["area_km2"].to_numpy(float), factor, method)
    out = pd.DataFrame({"adcode": counties["adcode"].to_numpy()})
    for year, total in IOT_TERMINALS_CITY.items():
        out[f"iot_alloc_{year}"] = largest_remainder(shares, total)
    return out.set_index("adcode")


def effective_targets(alloc: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """Targets per county and year after overrides, with where each number came from.

    ``overrides`` has the latest row per (adcode, year): value (None = reverted), actor,
    created_at, previous_value.
    """
    out = alloc.copy()
    for year in TARGET_YEARS:
        out[f"target_{year}"] = out[f"alloc_{year}"]
        out[f"target_{year}_source"] = "allocated"
        rows = overrides[(overrides["year"] == year) & overrides["value"].notna()] \
            if not overrides.empty else overrides
        for r in rows.itertuples():
            if r.adcode in out.index:
                out.loc[r.adcode, f"target_{year}"] = int(r.value)
                out.loc[r.adcode, f"target_{year}_source"] = \
                    f"overridden by {r.actor} at {r.created_at} (was {r.previous_value})"
    return out
