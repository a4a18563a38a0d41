import pandas as pd
import pytest

from geo.coverage.targets import (
    FIVEG_CITY,
    AllocationMethod,
    allocate_fiveg,
    allocate_iot,
    effective_targets,
    largest_remainder,
)


@pytest.fixture(scope="module")
def counties(ctx):
    return ctx.result("counties").gdf


def test_allocation_adds_up_to_the_plan_exactly(counties):
    alloc = allocate_fiveg(counties, AllocationMethod())
    for year, total in FIVEG_CITY.items():
        assert alloc[f"alloc_{year}"].sum() == total
        assert (alloc[f"alloc_{year}"] > 0).all()
    assert allocate_iot(counties, AllocationMethod())["iot_alloc_2025"].sum() == 2_800_000


def test_tier_weight_raises_a_full_depth_county(counties):
    flat = allocate_fiveg(counties, AllocationMethod(tier_weight=0, area_weight=0.8))
    tiered = allocate_fiveg(counties, AllocationMethod(tier_weight=0.6, area_weight=0.2))
    # 章贡区 is small but named 全深度覆盖: more tier weight gives it more sites
    assert tiered.loc["360702", "alloc_2025"] > flat.loc["360702", "alloc_2025"]


def test_method_is_described_in_chinese():
    text = AllocationMethod().describe("5G")
    assert "面积" in text and "全深度覆盖×1.5" in text and "县级人口无数据" in text


def test_largest_remainder_is_exact():
    assert largest_remainder(pd.Series([1, 1, 1]).to_numpy(float), 10).tolist() == [4, 3, 3]


def test_override_replaces_allocation_and_says_who(counties):
    alloc = allocate_fiveg(counties, AllocationMethod())
    overrides = pd.DataFrame([{"adcode": "360702", "year": 2025, "value": 999,
                               "previous_value": int(alloc.loc["360702", "alloc_2025"]),
                               "actor": "key:abc", "created_at": "2026-11-22T00:00:00Z"}])
    eff = effective_targets(alloc, overrides)
    assert eff.loc["360702", "target_2025"] == 999
    assert "key:abc" in eff.loc["360702", "target_2025_source"]
    assert eff.loc["360703", "target_2025_source"] == "allocated"
