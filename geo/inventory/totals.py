"""County totals of stored sites: the public aggregate (no operator breakdown)."""

from __future__ import annotations

import pandas as pd

from geo.inventory.vocab import SITE_TYPES, STATUSES

TOTAL_COLUMNS = ("sites_total", *(f"status_{s}" for s in STATUSES),
                 *(f"type_{t}" for t in SITE_TYPES), "synthetic_sites")


def county_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Pivot ``county_adcode, status, type, synthetic, n`` rows into one row per county."""
    if counts.empty:
        return pd.DataFrame(columns=list(TOTAL_COLUMNS))
    by = counts.groupby("county_adcode")
    out = pd.DataFrame({"sites_total": by["n"].sum()})
    for status in STATUSES:
        out[f"status_{status}"] = counts[counts["status"] == status].groupby(
            "county_adcode")["n"].sum()
    for kind in SITE_TYPES:
        out[f"type_{kind}"] = counts[counts["type"] == kind].groupby("county_adcode")["n"].sum()
    out["synthetic_sites"] = counts[counts["synthetic"] == 1].groupby("county_adcode")["n"].sum()
    return out.fillna(0).astype(int)[list(TOTAL_COLUMNS)]
