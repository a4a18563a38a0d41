"""Stored sites as GeoJSON features, the same for the API, downloads and exports.

Feature ids are ``<operator code>:<site_id>`` (e.g. ``cmcc:GZ-0001``): operators choose their
own site ids, so the id must say whose site it is. ``synthetic`` is always present so a
demo site can never pass for a real one.
"""

from __future__ import annotations

import pandas as pd

from geo.admin import GANZHOU_COUNTIES
from geo.errors import SiteNotFoundError
from geo.inventory.vocab import OPERATORS

CODE_TO_OPERATOR = {code: name for name, code in OPERATORS.items()}
PROPERTIES = ("operator", "site_id", "type", "band", "status", "commissioned",
              "county_adcode", "county_name", "synthetic", "created_at", "updated_at",
              "batch_id", "coverage_radius_m", "coverage_setting")


def feature_id(operator: str, site_id: str) -> str:
    """Public id of a site."""
    return f"{OPERATORS[operator]}:{site_id}"


def parse_feature_id(fid: str) -> tuple[str, str]:
    """``cmcc:GZ-1`` -> (中国移动, GZ-1); unknown forms are a 404."""
    code, sep, site_id = fid.partition(":")
    if not sep or code not in CODE_TO_OPERATOR or not site_id:
        raise SiteNotFoundError(f"no site {fid!r} (ids look like cmcc:<site_id>)")
    return CODE_TO_OPERATOR[code], site_id


def site_feature(row: dict) -> dict:
    """One stored row as a GeoJSON Feature."""
    props = {k: row.get(k) for k in PROPERTIES}
    props["county_name"] = GANZHOU_COUNTIES.get(row["county_adcode"], row["county_adcode"])
    props["synthetic"] = bool(row.get("synthetic"))
    return {"type": "Feature", "id": feature_id(row["operator"], row["site_id"]),
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": props}


def site_features(frame: pd.DataFrame) -> list[dict]:
    """Every row of a query page as a Feature."""
    frame = frame.astype(object).where(frame.notna(), None)
    return [site_feature(r) for r in frame.to_dict("records")]
