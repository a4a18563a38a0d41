"""The controlled vocabulary of a site inventory (documented in docs/inventory.md)."""

from __future__ import annotations

# Operator display names (the value of --operator and of the key's operator) -> short code
# used in feature ids, e.g. "cmcc:GZ-0001".
OPERATORS: dict[str, str] = {
    "中国移动": "cmcc",
    "中国联通": "cucc",
    "中国电信": "ctcc",
    "中国广电": "cbn",
    "中国铁塔": "tower",
}
SITE_TYPES = ("macro", "micro", "indoor")
STATUSES = ("planned", "built", "on_air")
# 5G NR bands in use in China: n1 (2.1 GHz, 电信/联通), n28 (700 MHz, 广电/移动),
# n41 (2.6 GHz, 移动), n77/n78 (3.3-3.6 GHz, 电信/联通), n79 (4.9 GHz, 移动/广电).
BANDS = ("n1", "n28", "n41", "n77", "n78", "n79")
COORD_SYSTEMS = ("wgs84", "gcj02", "bd09")
CSV_COLUMNS = ("site_id", "lon", "lat", "type", "band", "status", "commissioned")
REQUIRED_COLUMNS = ("site_id", "lon", "lat", "type", "status")
SITE_ID_MAX = 64


def operator_code(operator: str) -> str:
    """Short code of an operator name (KeyError for unknown names)."""
    return OPERATORS[operator]
