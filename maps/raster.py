"""The coverage raster as an image a page can carry: warped to Web Mercator, coloured, PNG.

An exported page has no tile server behind it, so the coverage COG (EPSG:4547, 100 m,
serving-site count per cell, 65535 outside 赣州市) is warped once to EPSG:3857 at about
``resolution_m`` on the ground (200 m: ~20 KB of PNG for the whole city, where the COG is
2,700 x 3,000 cells), classed 0 / 1 / 2 / 3+ serving sites in the colours of the coverage
tiles (``geo.styles.COVERAGE_COLOURS``, the one palette), and written as an 8-bit paletted PNG with
transparency (a few lines of ``zlib``; no imaging library needed). Leaflet's
``L.imageOverlay`` stretches it over its lat/lon bounds, linearly in Web Mercator, which is
exactly the grid it was warped to.

高德 (GCJ-02): the image is resampled onto a Web Mercator grid in GCJ-02 coordinates: every
output pixel looks up the WGS84 pixel under it (exact inverse GCJ-02 shift on a coarse grid
of control points every 16 pixels, bilinear in between: far below a pixel), so the overlay
lines up with the 高德 tiles like every vector overlay does. Shifting only the image corners
would leave up to 70 m of error across the city.

Warping takes ~0.1-0.2 s; results are kept per (file, modification time, resolution, datum).
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from pyproj import Transformer
from rasterio.warp import Resampling, reproject, transform_bounds

from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.styles import COVERAGE_COLOURS

NODATA = 65535
WEB_MERCATOR = "EPSG:3857"
DEFAULT_RESOLUTION_M = 200.0
COLOURS = COVERAGE_COLOURS  # serving-site count (0 = gap, 1, 2, 3+) -> RGBA
CONTROL_STEP = 16  # px between exact GCJ-02 control points
_TO_LL = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)
_TO_MERC = Transformer.from_crs("EPSG:4326", WEB_MERCATOR, always_xy=True)


def rgba_css(rgba: tuple[int, int, int, int]) -> str:
    """A palette colour as CSS (for the legend)."""
    r, g, b, a = rgba
    return f"rgba({r},{g},{b},{a / 255:.2f})"


@dataclass(frozen=True)
class RasterOverlay:
    """A coloured coverage image and where it goes: ``[[south, west], [north, east]]``."""

    png: bytes
    bounds: list[list[float]]
    width: int
    height: int
    resolution_m: float
    gcj02: bool

    @property
    def data_uri(self) -> str:
        """The PNG as a ``data:`` URL (no request, works from a file)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


def paletted_png(index: np.ndarray, palette: list[tuple[int, int, int, int]]) -> bytes:
    """An 8-bit paletted PNG (PLTE + tRNS) of ``index`` (uint8 rows x cols)."""
    height, width = index.shape
    raw = np.zeros((height, width + 1), dtype=np.uint8)  # filter byte 0 per row
    raw[:, 1:] = index

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"PLTE", b"".join(bytes(c[:3]) for c in palette))
            + chunk(b"tRNS", bytes(c[3] for c in palette))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9)) + chunk(b"IEND", b""))


def classes(counts: np.ndarray) -> np.ndarray:
    """Palette index per cell: 0 transparent (outside), 1 + min(count, 3) inside."""
    return np.where(counts == NODATA, 0, np.minimum(counts, 3) + 1).astype(np.uint8)


def palette() -> list[tuple[int, int, int, int]]:
    """Transparent, then the colours of 0 / 1 / 2 / 3+ serving sites."""
    return [(0, 0, 0, 0), *(COLOURS[k] for k in sorted(COLOURS))]


def _warp(cog: Path, resolution_m: float) -> tuple[np.ndarray, Affine]:
    """The COG on a Web Mercator grid of ~``resolution_m`` ground metres (nearest)."""
    with rasterio.open(cog) as src:
        _, south, _, north = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
        minx, miny, maxx, maxy = transform_bounds(src.crs, WEB_MERCATOR, *src.bounds)
        # Mercator metres are 1/cos(lat) ground metres: size pixels at the middle latitude
        res = resolution_m / math.cos(math.radians((south + north) / 2))
        x0, y1 = math.floor(minx / res) * res, math.ceil(maxy / res) * res
        width = math.ceil((maxx - x0) / res)
        height = math.ceil((y1 - miny) / res)
        transform = Affine(res, 0, x0, 0, -res, y1)
        out = np.full((height, width), NODATA, dtype=np.uint16)
        reproject(rasterio.band(src, 1), out, dst_transform=transform, dst_crs=WEB_MERCATOR,
                  src_nodata=NODATA, dst_nodata=NODATA, resampling=Resampling.nearest)
    return out, transform


def _corners_lonlat(transform: Affine, width: int, height: int) -> tuple[float, ...]:
    (x0, y1), (x1, y0) = transform * (0, 0), transform * (width, height)
    (west, east), (north, south) = _TO_LL.transform([x0, x1], [y1, y0])
    return west, south, east, north


def _to_gcj02(index: np.ndarray, transform: Affine) -> tuple[np.ndarray, Affine]:
    """Resample a WGS84 Web Mercator image onto a Web Mercator grid in GCJ-02."""
    height, width = index.shape
    res = transform.a
    # GCJ-02 bounds: the WGS84 outline's edges shifted (sampled densely)
    west, south, east, north = _corners_lonlat(transform, width, height)
    t = np.linspace(0, 1, 64)
    lon = np.concatenate([west + (east - west) * t, np.full(64, east),
                          west + (east - west) * t, np.full(64, west)])
    lat = np.concatenate([np.full(64, south), south + (north - south) * t,
                          np.full(64, north), south + (north - south) * t])
    mx, my = _TO_MERC.transform(*wgs84_to_gcj02(lon, lat))
    x0, y1 = math.floor(mx.min() / res) * res, math.ceil(my.max() / res) * res
    out_w = math.ceil((mx.max() - x0) / res)
    out_h = math.ceil((y1 - my.min()) / res)
    out_t = Affine(res, 0, x0, 0, -res, y1)
    # exact inverse at control points, bilinear in between: where each output pixel's
    # centre lies in the WGS84 image (fractional row/column)
    rows = np.unique(np.append(np.arange(0, out_h, CONTROL_STEP), out_h - 1)).astype(float)
    cols = np.unique(np.append(np.arange(0, out_w, CONTROL_STEP), out_w - 1)).astype(float)
    cc, rr = np.meshgrid(cols, rows)
    gx, gy = out_t * (cc.ravel() + 0.5, rr.ravel() + 0.5)
    glon, glat = _TO_LL.transform(gx, gy)
    wx, wy = _TO_MERC.transform(*gcj02_to_wgs84(glon, glat))
    src_c, src_r = ~transform * (np.asarray(wx), np.asarray(wy))
    full_r, full_c = np.arange(out_h, dtype=float), np.arange(out_w, dtype=float)
    from scipy.interpolate import RectBivariateSpline  # lazily: a slow import, rarely needed

    r_at = RectBivariateSpline(rows, cols, np.asarray(src_r).reshape(cc.shape), kx=1, ky=1)
    c_at = RectBivariateSpline(rows, cols, np.asarray(src_c).reshape(cc.shape), kx=1, ky=1)
    r = np.floor(r_at(full_r, full_c)).astype(np.int64)
    c = np.floor(c_at(full_r, full_c)).astype(np.int64)
    inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
    out = np.zeros((out_h, out_w), dtype=np.uint8)
    out[inside] = index[r[inside], c[inside]]
    return out, out_t


@lru_cache(maxsize=8)
def _overlay(path: str, mtime_ns: int, size: int, resolution_m: float,
             gcj02: bool) -> RasterOverlay:
    counts, transform = _warp(Path(path), resolution_m)
    index = classes(counts)
    if gcj02:
        index, transform = _to_gcj02(index, transform)
    # crop the transparent margin
    rows, cols = np.nonzero(index.any(axis=1))[0], np.nonzero(index.any(axis=0))[0]
    if len(rows):
        index = index[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        transform = transform * Affine.translation(int(cols[0]), int(rows[0]))
    height, width = index.shape
    west, south, east, north = _corners_lonlat(transform, width, height)
    bounds = [[round(south, 6), round(west, 6)], [round(north, 6), round(east, 6)]]
    return RasterOverlay(paletted_png(index, palette()), bounds, width, height, resolution_m,
                         gcj02)


def coverage_overlay(cog: Path, resolution_m: float = DEFAULT_RESOLUTION_M,
                     gcj02: bool = False) -> RasterOverlay:
    """The coverage COG as a coloured PNG over its lat/lon bounds (kept per file version)."""
    stat = Path(cog).stat()
    return _overlay(str(cog), stat.st_mtime_ns, stat.st_size, float(resolution_m), gcj02)
