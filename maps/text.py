"""Chinese wording shared by the maps: tier names, numbers in 万, precision notes."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pandas as pd

from geo import labels

IOT_TIER_NAMES = labels.IOT_TIER  # one label table for maps and exports (geo.labels)
PRECISION_LABELS = {
    "precise": "实际位置",
    "county_seat": "位置为区县驻地（仅表示所属区县）",
    "functional_zone_schematic": "位置为功能区示意点",
    "schematic": "示意位置",
    "county_seat_implied": "位置为推断所在区县的驻地（所在区县为推断）",
    "functional_zone_schematic_implied": "位置为推断所在功能区的示意点（所在功能区为推断）",
}
PRECISION_FLAGS = {
    "county_seat": "位置为区县驻地：仅表示所属区县，非园区实际位置",
    "functional_zone_schematic": "位置为所在功能区的示意点，非园区实际位置",
    "county_seat_implied": "位置为推断所在区县的驻地：所在区县为推断（原文未直接写明），"
                           "非园区实际位置",
    "functional_zone_schematic_implied": "位置为推断所在功能区的示意点：所在功能区为推断"
                                         "（原文未直接写明），非园区实际位置",
}


class Chinese(str):
    """Text already meant for display as it is (``zh`` leaves it alone): e.g. a planner's
    name in an override note, which may be written in Latin letters."""

    __slots__ = ()


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


# Latin tokens that are names or technical terms planners read as they are (5G is "G").
LATIN_TERMS = frozenset({
    "PCB", "AI", "VR", "AR", "XR", "DBSCAN", "EPSG", "CSV", "GCJ", "WGS", "NB", "IoT", "LTE",
    "Cat", "QGIS", "GIS", "GPKG", "XLSX", "PNG", "PDF", "GeoJSON", "API", "OGC", "GDAL",
    "IDC", "ICT", "IT", "CIM", "BIM", "APP", "LED", "OLED", "Mini", "Micro", "GDP", "BDS",
    "IPv", "SaaS", "PaaS", "IaaS", "AIoT", "ETC", "OpenStreetMap", "Leaflet", "cnmaps", "km",
    "GSHHG", "WDBII", "GMT", "LGPL", "MIT", "CC", "BY", "ODbL", "BaaS", "GNSS", "TPS", "mMTC",
    "PFlops", "SDN", "TSN", "IPTV", "OTT", "NFV", "MEC", "RFID", "CPU", "GPU", "EB", "PB",
    # terms the seeds' own sentences use (quoted in the citations of the province map)
    "FTTH", "PON", "OLT", "OXC", "Wi", "Fi", "eMTC", "Gbps", "PH",
    "GeoNames",  # the townships' position source, named as a source is
})
_LATIN = re.compile(r"[A-Za-z]{2,}")
# Phrases of the data notes with a Chinese reading (applied before the English is dropped)
_PHRASES = (
    ("故 county_adcodes 为空", "故未填所在区县"),
    ("仅计状态 on_air 的站点", "仅计在网站点"),
    ("（可用 --townships 提供乡镇点位 CSV）", ""),
)
_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_BARE_REF = re.compile(r"^(专栏|附件|表)\S{0,3}$")
_PARTS = re.compile(r"\s*(?:[;；]|[()（）]|—|(?<=[.。])\s+|\s+(?=[(（]))\s*")


def english_words(text: str) -> list[str]:
    """Latin words of ``text`` that a planner would read as English (names, terms excepted)."""
    return [w for w in _LATIN.findall(text) if w not in LATIN_TERMS]


@lru_cache(maxsize=1)
def _display_table() -> dict[str, str]:
    tables = [*labels.FIELDS.values(), *labels.DISPLAY_FIELDS.values()]
    return {k: v for t in tables for k, v in t.items()}


@lru_cache(maxsize=8192)
def _zh(text: str) -> str:
    known = _display_table().get(text)
    if known is not None:
        return known
    for english, chinese in _PHRASES:
        text = text.replace(english, chinese)
    text = _CODE.sub(lambda m: _display_table().get(m[0], m[0]), text)  # on_air -> 在网
    if not english_words(text):
        return text
    # internal notes: keep the Chinese parts (sentences, bracketed Chinese), drop English
    parts = [p.strip(" ,，:：'\"") for p in _PARTS.split(text)]
    kept = [p for p in parts if p and re.search(r"[\u4e00-\u9fff]", p) and not english_words(p)
            and not _BARE_REF.match(p)]
    return "；".join(dict.fromkeys(kept))


def zh(value: object) -> object:
    """The Chinese display text of a value shown on a page.

    A coded or transcribed value with a label in ``geo.labels`` gets that label; other text
    keeps its Chinese parts only (internal English notes of ``data/plan`` never reach a
    planner); numbers stay numbers; missing values become "".
    """
    if missing(value):
        return ""
    if not isinstance(value, str) or isinstance(value, Chinese):
        return value
    return _zh(value)
