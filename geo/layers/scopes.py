"""Administrative polygons that plan rows are drawn on: province, prefecture city, county.

Used by the ``targets``, ``designations``, ``hubs`` and ``corridors`` layers: a row names a
place by adcode (or none), and is drawn on that place's whole polygon, never on a point.
"""

from __future__ import annotations

import shapely

from geo.admin import JIANGXI_ADCODE

PRECISION = {"province": "province_polygon", "city": "city_polygon", "county": "county_polygon",
             "none": "none"}


class Scopes:
    """Province, prefecture and county polygons (and seats) keyed by adcode."""

    def __init__(self, ctx) -> None:
        from geo.boundaries import read_level

        self.province = read_level(ctx.settings, "province").geometry.iloc[0]
        self.cities = read_level(ctx.settings, "prefecture").set_index("adcode")
        self.counties = read_level(ctx.settings, "county").set_index("adcode")

    def level_of(self, adcode: str | None) -> str:
        """``province``, ``city``, ``county`` or ``none`` for an adcode."""
        if not adcode:
            return "none"
        if adcode == JIANGXI_ADCODE:
            return "province"
        return "city" if adcode in self.cities.index else "county"

    def polygon(self, adcode: str | None):
        """The polygon of ``adcode`` (None for no place)."""
        level = self.level_of(adcode)
        if level == "none":
            return None
        if level == "province":
            return self.province
        frame = self.cities if level == "city" else self.counties
        return frame.geometry[adcode]

    def seat(self, adcode: str) -> shapely.Point:
        """The seat of government of a city or county (from the boundary file)."""
        frame = self.cities if adcode in self.cities.index else self.counties
        row = frame.loc[adcode]
        return shapely.Point(float(row["seat_lon"]), float(row["seat_lat"]))
