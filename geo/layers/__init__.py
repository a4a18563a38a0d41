"""The layer registry, written out by hand (no import-time discovery, no env reads)."""

from geo.layers import (
    corridors,
    counties,
    county_summary,
    designations,
    fiveg_targets,
    functional_zones,
    hubs,
    iot_zones,
    jiangxi_counties,
    layout_units,
    parks,
    prefectures,
    province_layout,
    targets,
    townships,
)
from geo.schema import Layer

LAYERS: dict[str, Layer] = {
    m.LAYER.name: m.LAYER
    for m in (
        counties,
        prefectures,
        jiangxi_counties,
        layout_units,
        functional_zones,
        parks,
        fiveg_targets,
        iot_zones,
        province_layout,
        county_summary,
        targets,
        designations,
        hubs,
        corridors,
        townships,
    )
}
