"""PNG tiles of the coverage raster (Web Mercator XYZ), for web maps and QGIS.

rio-tiler reads the tile window from the COG (nearest neighbour: the values are counts) and
renders it in the one coverage palette of ``geo.styles``; cells outside 赣州市 are
transparent and a tile with no cell inside is None (the API answers 204).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geo.styles import COVERAGE_COLOURS


def coverage_png_tile(cog: Path, z: int, x: int, y: int) -> bytes | None:
    """The PNG of tile z/x/y of ``cog``, or None when the tile holds no cell of the city."""
    from rio_tiler.errors import TileOutsideBounds
    from rio_tiler.io import Reader
    from rio_tiler.utils import render

    try:
        with Reader(str(cog)) as src:
            img = src.tile(x, y, z, resampling_method="nearest")
    except TileOutsideBounds:
        return None
    data = np.clip(img.data[0], 0, 3).astype("uint8")
    mask = np.where(img.array.mask[0], 0, 255).astype("uint8")
    if not mask.any():
        return None
    return render(data[None], mask=mask, img_format="PNG", colormap=COVERAGE_COLOURS)
