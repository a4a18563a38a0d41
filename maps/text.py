"""Chinese wording shared by the maps: tier names, numbers in 万, precision notes."""

from __future__ import annotations

import math

import pandas as pd

IOT_TIER_NAMES = {"1": "第一梯次·优先完成部署", "2": "第二梯次·着重部署", "3": "第三梯次·逐步部署"}
PRECISION_LABELS = {
    "precise": "实际位置",
    "county_seat": "位置为区县驻地（仅表示所属区县）",
    "functional_zone_schematic": "位置为功能区示意点",
    "schematic": "示意位置",
}
PRECISION_FLAGS = {
    "county_seat": "位置为区县驻地：仅表示所属区县，非园区实际位置",
    "functional_zone_schematic": "位置为所在功能区的示意点，非园区实际位置",
}


def iot_tiers_text(tiers: object) -> str:
    """``"1,3"`` -> ``"第一梯次·优先完成部署、第三梯次·逐步部署"`` (empty when none)."""
    if not isinstance(tiers, str) or not tiers:
        return ""
    return "、".join(IOT_TIER_NAMES.get(t.strip(), t) for t in tiers.split(","))


def wan(value: float) -> str:
    """A count in 万 when large (2,800,000 -> ``280万``), else as an integer."""
    if value >= 10_000:
        text = f"{value / 10_000:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return f"{value:,.0f}"


def missing(value: object) -> bool:
    """Whether a cell is empty: None, pandas NA, NaN or an empty string."""
    if value is None or value is pd.NA or value == "":
        return True
    return isinstance(value, float) and math.isnan(value)


def or_default(value: object, default: str) -> object:
    """The value, or ``default`` when it is missing."""
    return default if missing(value) else value
