"""Basemap choices: none (offline default), OpenStreetMap, 天地图 and 高德.

A basemap is the only thing a generated page may load from outside the machine, and only
when a planner picks one. 天地图's ``_w`` layers are Web Mercator tiles in CGCS2000 (equal to
WGS84 at map scale), so they take our WGS84 overlays as they are; its key comes from the
settings, and without a key the choice is not offered. 高德 tiles are drawn in GCJ-02, which
is offset by about 600 m in Ganzhou: with 高德 every overlay is shifted WGS84 -> GCJ-02 before
it is embedded (``Basemap.gcj02``), and the title block says so.

Attributions are plain text (no links), so a page references no URL but its tiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import xyzservices.providers as xyz

from geo.settings import AtlasSettings
from maps.errors import BasemapUnavailableError

NONE, OSM, TIANDITU, GAODE = "none", "osm", "tianditu", "gaode"
ORDER = (NONE, OSM, TIANDITU, GAODE)
TITLES = {NONE: "无底图（离线）", OSM: "OpenStreetMap", TIANDITU: "天地图", GAODE: "高德地图"}
TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/DataServer?T={layer}&x={x}&y={y}&l={z}"
                "&tk={key}")


@dataclass(frozen=True)
class TileSource:
    """One XYZ tile layer of a basemap."""

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18
    overlay: bool = False

    @property
    def hosts(self) -> frozenset[str]:
        """Every host name the URL template expands to (one per subdomain)."""
        host = urlsplit(self.url.replace("{s}", "0")).hostname or ""
        if "{s}" not in self.url:
            return frozenset({host})
        return frozenset(urlsplit(self.url.replace("{s}", s)).hostname or "" for s in
                         self.subdomains)


@dataclass(frozen=True)
class Basemap:
    """A basemap choice: its tile layers, datum shift and the note the title block shows."""

    id: str
    title: str
    tiles: tuple[TileSource, ...]
    note: str
    gcj02: bool = False

    @property
    def hosts(self) -> frozenset[str]:
        """The only hosts a page with this basemap may load tiles from."""
        return frozenset().union(*(t.hosts for t in self.tiles))

    @property
    def host_templates(self) -> frozenset[str]:
        """Host names as written in the page's URL templates (``t{s}.tianditu.gov.cn``)."""
        return frozenset(urlsplit(t.url).hostname or "" for t in self.tiles)


def _tianditu_key(settings: AtlasSettings) -> str | None:
    # ``AtlasSettings.tianditu_key`` (ATLAS_TIANDITU_KEY), read defensively so the maps work
    # with settings objects that lack it; a SecretStr is unwrapped.
    key = getattr(settings, "tianditu_key", None)
    if key is not None and hasattr(key, "get_secret_value"):
        key = key.get_secret_value()
    return key or None


def _osm() -> Basemap:
    p = xyz.OpenStreetMap.Mapnik
    tiles = TileSource("OpenStreetMap", p.url, "© OpenStreetMap 贡献者", subdomains="abc",
                       max_zoom=int(p.max_zoom))
    return Basemap(OSM, TITLES[OSM], (tiles,), "底图：OpenStreetMap（WGS84，需联网）")


def _gaode() -> Basemap:
    # xyzservices' Gaode.Normal, on https and with the four load-balanced hosts.
    url = xyz.Gaode.Normal.url.replace("http://webrd01", "https://webrd0{s}")
    tiles = TileSource("高德地图", url, "© 高德地图", subdomains="1234", max_zoom=18)
    note = ("底图：高德地图（GCJ-02，需联网）。为与底图对齐，所有叠加图层已由WGS84转换为"
            "GCJ-02坐标（偏移约数百米）；量测与坐标读数均为GCJ-02。")
    return Basemap(GAODE, TITLES[GAODE], (tiles,), note, gcj02=True)


def _tianditu(key: str) -> Basemap:
    def layer(name: str, code: str, overlay: bool) -> TileSource:
        url = TIANDITU_URL.replace("{layer}", code).replace("{key}", key)
        return TileSource(name, url, "© 天地图（国家地理信息公共服务平台）",
                          subdomains="01234567", max_zoom=18, overlay=overlay)

    tiles = (layer("天地图 矢量底图", "vec_w", False), layer("天地图 注记", "cva_w", True))
    return Basemap(TIANDITU, TITLES[TIANDITU], tiles,
                   "底图：天地图矢量（CGCS2000，与WGS84在本图比例尺下一致，需联网）")


def available(settings: AtlasSettings) -> list[str]:
    """Basemap ids offered with these settings (天地图 only with a key)."""
    return [b for b in ORDER if b != TIANDITU or _tianditu_key(settings)]


def get_basemap(name: str, settings: AtlasSettings) -> Basemap:
    """The basemap ``name``; ``BasemapUnavailableError`` (422) if unknown or not configured."""
    if name == NONE:
        return Basemap(NONE, TITLES[NONE], (), "底图：无（离线模式，不加载任何外部资源）")
    if name == OSM:
        return _osm()
    if name == GAODE:
        return _gaode()
    if name == TIANDITU:
        key = _tianditu_key(settings)
        if not key:
            raise BasemapUnavailableError(
                "天地图 needs a key: set ATLAS_TIANDITU_KEY", allowed=available(settings))
        return _tianditu(key)
    raise BasemapUnavailableError(
        f"unknown basemap {name!r}; choose one of {', '.join(available(settings))}",
        allowed=available(settings))

