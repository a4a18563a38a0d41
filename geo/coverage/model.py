"""The coverage model: which radius each site gets, and why.

A site is *urban* when it lies within ``urban_radius_m`` of its county's seat (the same
schematic circle used as the county's main urban area, 主城区), else *rural*. Radii by type
and setting are configurable; indoor sites add no outdoor coverage. Only sites whose status
is in ``counted_statuses`` (default: on_air) provide coverage. Distances are in EPSG:4547.

Bands (an assumption, stated wherever a band view is shown). The radii by type and setting
are read as figures of the reference band n78 (3.5 GHz, the band most of China's 5G sites
use). A band view (``band=n28`` ...) counts only the sites of that band and scales their
radius by ``band_factors[band]``. The default factor is what equal path loss gives in
3GPP TR 38.901 (Table 7.4.1-1, UMa NLOS: PL = 13.54 + 39.08 log10(d) + 20 log10(fc)):
``d ∝ fc^(-20/39.08)``, so ``factor = (3500 MHz / fc) ^ 0.512`` at each band's downlink
centre in China (RMa NLOS gives an exponent of 0.518 for a 35 m mast: the same to two
digits). It assumes the *same link budget* on every band; massive MIMO (64T64R on n41/n78/
n79 vs 2-4 antennas on n1/n28), bandwidth and uplink limits narrow the low bands' advantage
in practice, so the factors are an upper bound on the difference, to be replaced by an
operator's planning figures (``ATLAS_COVERAGE_MODEL``, e.g. ``{"band_factors": {"n28":
1.8}}``). ``band=all`` is every site at the reference radii, band or not (the established
band-agnostic model, and the radius the ``base_stations`` collection shows);
``band_radii_in_all`` switches it to each site's band radius (sites without a band keep the
reference radius) - a change of every published figure, so it is off by default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator

from geo.crs import lonlat_to_metric
from geo.errors import InvalidParameterError
from geo.inventory.vocab import BANDS

_TO_GK = lonlat_to_metric()

ALL_BANDS = "all"
BAND_CHOICES = (ALL_BANDS, *BANDS)
REFERENCE_BAND = "n78"
REFERENCE_MHZ = 3500.0
# Downlink centre frequencies of the bands as allocated in China (MHz): n1 2110-2170,
# n28 758-788 (广电/移动 2x30 MHz), n41 2515-2675 (移动), n77 3300-3400 (indoor, shared),
# n78 3400-3600 (电信/联通), n79 4800-4960 (移动/广电).
BAND_CENTRE_MHZ = {"n1": 2140.0, "n28": 773.0, "n41": 2595.0, "n77": 3350.0,
                   "n78": 3500.0, "n79": 4880.0}
# 3GPP TR 38.901 Table 7.4.1-1, UMa NLOS: frequency and distance coefficients (dB/decade)
FREQUENCY_DB, DISTANCE_DB = 20.0, 39.08


def band_factor(centre_mhz: float) -> float:
    """Radius relative to n78 at equal path loss (TR 38.901 UMa NLOS), to two digits."""
    return round((REFERENCE_MHZ / centre_mhz) ** (FREQUENCY_DB / DISTANCE_DB), 2)


DEFAULT_BAND_FACTORS = {band: band_factor(mhz) for band, mhz in BAND_CENTRE_MHZ.items()}


class CoverageModel(BaseModel):
    """Radii (metres) by site type and setting, the urban rule and the band factors."""

    urban_macro_m: float = Field(500, gt=0)
    rural_macro_m: float = Field(2000, gt=0)
    urban_micro_m: float = Field(150, gt=0)
    rural_micro_m: float = Field(150, gt=0)
    indoor_m: float = Field(0, ge=0, description="outdoor coverage of indoor sites")
    urban_radius_m: float = Field(3000, gt=0, description="schematic 主城区 radius at the seat")
    counted_statuses: tuple[str, ...] = ("on_air",)
    band_factors: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_BAND_FACTORS),
        description="radius factor per band relative to the n78 reference radii")
    band_radii_in_all: bool = Field(
        False, description="band=all uses each site's band radius (else the reference radii)")

    @field_validator("band_factors")
    @classmethod
    def _known_bands(cls, value: dict[str, float]) -> dict[str, float]:
        """Only the vocabulary's bands, positive; a partial override keeps the other defaults."""
        unknown = sorted(set(value) - set(BANDS))
        if unknown:
            raise ValueError(f"unknown bands {unknown}; use {', '.join(BANDS)}")
        if any(not v > 0 for v in value.values()):
            raise ValueError("band factors must be positive")
        return {**DEFAULT_BAND_FACTORS, **value}

    def factor(self, band: str) -> float:
        """The radius factor of a band view (1 for ``all``); 400 for an unknown band."""
        if band == ALL_BANDS:
            return 1.0
        if band not in self.band_factors:
            raise InvalidParameterError(f"band must be one of {', '.join(BAND_CHOICES)}",
                                        "band")
        return self.band_factors[band]

    def describe(self, band: str = ALL_BANDS) -> str:
        """One line a planner can read next to the results (of ``band``'s view)."""
        text = (f"覆盖模型(规划近似)：宏站城区{self.urban_macro_m:g}米/"
                f"乡村{self.rural_macro_m:g}米，微站{self.urban_micro_m:g}米，"
                f"室分不计室外覆盖；距区县驻地{self.urban_radius_m:g}米内为城区；"
                f"仅计状态 {'/'.join(self.counted_statuses)} 的站点")
        if band == ALL_BANDS:
            return text + ("；全部频段（含未标频段站点）" + (
                "，各站按其频段系数" if self.band_radii_in_all else "，按参考半径(n78)"))
        f = self.factor(band)
        return (text + f"；仅 {band} 频段站点，半径为参考频段 n78 的 {f:g} 倍（宏站城区"
                f"{self.urban_macro_m * f:g}米/乡村{self.rural_macro_m * f:g}米）。假设：各频段"
                f"链路预算相同，按 3GPP TR 38.901 UMa NLOS 路损的频率项换算，未计大规模天线"
                f"增益与上行受限，低频优势为上限估计")

    def band_text(self) -> str:
        """Each band's factor and macro radii, for descriptions and docs."""
        return "；".join(f"{b} ×{f:g}（宏站城区{self.urban_macro_m * f:.0f}米/乡村"
                        f"{self.rural_macro_m * f:.0f}米）" for b, f in self.band_factors.items())


def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat -> EPSG:4547 metres."""
    x, y = _TO_GK.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def site_radii(sites: pd.DataFrame, seats: dict[str, tuple[float, float]],
               model: CoverageModel,
               band: str = ALL_BANDS) -> tuple[np.ndarray, np.ndarray]:
    """Return (radius_m, urban flag) per site; radius 0 where the site gives no coverage.

    ``sites`` needs lon, lat, type, status, county_adcode (and band for a band view);
    ``seats`` maps adcode -> (x, y) in EPSG:4547. ``band``: ``all`` (every site), or one
    band, whose sites alone get a radius (scaled by its factor): the filter lives here, so
    no caller can count another band's site or a site without a band.
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
    site_band = sites["band"].to_numpy(object) if "band" in sites else \
        np.full(len(sites), None, dtype=object)
    if band != ALL_BANDS:
        counted = counted & (site_band == band)  # to_numpy() may be read-only
        radius = radius * model.factor(band)
    elif model.band_radii_in_all:
        radius = radius * np.array([model.band_factors.get(b, 1.0) if isinstance(b, str)
                                    else 1.0 for b in site_band])
    return np.where(counted, radius, 0.0), urban
