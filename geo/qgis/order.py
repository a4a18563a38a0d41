"""Draw order and first visibility of the plan layers in the QGIS project.

Points go on top (they would vanish under any fill), Ganzhou's thematic polygons next, then
its base polygons (counties, the layout units) and Jiangxi-wide polygons (prefectures,
province layouts) at the bottom as context. Only a readable set is switched on at first:
every plan polygon layer is semi-transparent, and ten of them stacked would be mud. The
others are in the layer tree, one click away.
"""

from __future__ import annotations

from collections.abc import Iterable

from geo.schema import LayerResult

# Ganzhou's base polygons: under the thematic ones, above the Jiangxi-wide context.
BASE = ("counties", "layout_units")
# Jiangxi-wide polygons, at the very bottom; the last one is drawn first.
PROVINCE = ("province_layout", "jiangxi_counties", "prefectures")
# Switched on when the project opens, and drawn in the print layout's map.
SHOWN = ("functional_zones", "parks", "counties", "prefectures")


def is_point(result: LayerResult) -> bool:
    """Whether the layer holds points only (drawn with markers, on top)."""
    return result.layer.schema.is_points


def _rank(result: LayerResult) -> tuple[int, int]:
    name = result.layer.name
    if is_point(result):
        return (0, 0)
    if name in BASE:
        return (2, BASE.index(name))
    if name in PROVINCE:
        return (3, PROVINCE.index(name))
    return (1, 0)


def draw_order(results: Iterable[LayerResult]) -> list[LayerResult]:
    """The layers top first (the layer tree's order); registry order within a rank."""
    return sorted(results, key=_rank)  # sorted is stable: registry order breaks ties


def shown(result: LayerResult) -> bool:
    """Whether the layer is switched on at first (and drawn in the layout's map)."""
    return result.layer.name in SHOWN
