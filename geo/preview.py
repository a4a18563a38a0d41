"""Small SVG previews of features for the HTML pages (no JavaScript, no basemap, offline).

Coordinates are CRS84; the preview uses an equirectangular projection scaled by cos(latitude)
so Ganzhou does not look stretched. Geometries are simplified to about a pixel first.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

WIDTH = 480


def svg_preview(geometries: list, width: int = WIDTH) -> str | None:
    """Return an ``<svg>`` element drawing the geometries, or None if there are none."""
    present = [g for g in geometries if g is not None and not g.is_empty]
    if not present:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    kx = math.cos(math.radians((miny + maxy) / 2))
    span_x = max((maxx - minx) * kx, 1e-3)
    span_y = max(maxy - miny, 1e-3)
    height = max(120, min(480, int(width * span_y / span_x)))
    scale = min(width / span_x, height / span_y) * 0.95
    pad_x = (width - span_x * scale) / 2
    pad_y = (height - span_y * scale) / 2

    def to_svg(coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - minx) * kx * scale + pad_x
        y = height - ((coords[:, 1] - miny) * scale + pad_y)
        return np.column_stack([x, y])

    shapes = []
    for g in present:
        g = shapely.transform(g.simplify(1.0 / scale), to_svg)
        if g.geom_type in ("Point", "MultiPoint"):
            for p in getattr(g, "geoms", [g]):
                shapes.append(f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="4" class="pt"/>')
            continue
        d = []
        for poly in getattr(g, "geoms", [g]):
            for ring in [poly.exterior, *poly.interiors]:
                pts = " L".join(f"{x:.1f},{y:.1f}" for x, y in ring.coords)
                d.append(f"M{pts}Z")
        shapes.append(f'<path d="{" ".join(d)}" class="pg"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img">{"".join(shapes)}</svg>')
