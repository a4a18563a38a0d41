"""The coverage model: which radius each site gets, and why.

A site is *urban* when it lies within ``urban_radius_m`` of its county's seat (the same
schematic circle used as the county's main urban area, 主城区), else *rural*. Radii by type
and setting are configurable; indoor sites add no outdoor coverage. Only sites whose status
is in ``counted_statuses`` (default: on_air) provide coverage. Distances are in EPSG:4547.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from geo.crs import lonlat_to_metric

_TO_GK = lonlat_to_metric()


class CoverageModel(BaseModel):
    """Radii (metres) by site type and setting, and the urban rule."""

    urban_macro_m: float = Field(500, gt=0)
    rural_macro_m: float = Field(2000, gt=0)
    urban_micro_m: float = Field(150, gt=0)
    rural_micro_m: float = Field(150, gt=0)
    indoor_m: float = Field(0, ge=0, description="outdoor coverage of indoor sites")
    urban_radius_m: float = Field(3000, gt=0, description="schematic 主城区 radius at the seat")
    counted_statuses: tuple[str, ...] = ("on_air",)

    def describe(self) -> str:
        """One line a planner can read next to the results."""
        return (f"覆盖模型(规划近似)：宏站城区{self.urban_macro_m:g}米/"
                f"乡村{self.rural_macro_m:g}米，微站{self.urban_micro_m:g}米，"
                f"室分不计室外覆盖；距区县驻地{self.urban_radius_m:g}米内为城区；"
                f"仅计状态 {'/'.join(self.counted_statuses)} 的站点")


def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat -> EPSG:4547 metres."""
    x, y = _TO_GK.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def site_radii(sites: pd.DataFrame, seats: dict[str, tuple[float, float]],
               model: CoverageModel) -> tuple[np.ndarray, np.ndarray]:
    """Return (radius_m, urban flag) per site; radius 0 where the site gives no coverage.

    ``sites`` needs lon, lat, type, status, county_adcode; ``seats`` maps adcode -> (x, y)
    in EPSG:4547.
    """
    x, y = to_metric(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
    seat = np.array([seats.get(a, (np.nan, np.nan)) for a in sites["county_adcode"]])
    seat = seat.reshape(-1, 2)
    urban = np.hypot(x - seat[:, 0], y - seat[:, 1]) <= model.urban_radius_m
    kind = sites["type"].to_numpy(str)
    radius = np.select(
        [kind == "macro", kind == "micro", kind == "indoor"],
        [np.where(urban, model.urban_macro_m, model.rural_macro_m),
         np.where(urban, model.urban_micro_m, model.rural_micro_m),
         np.full(len(kind), model.indoor_m)], default=0.0)
    counted = sites["status"].isin(model.counted_statuses).to_numpy()
    return np.where(counted, radius, 0.0), urban
