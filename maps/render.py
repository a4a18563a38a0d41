"""Map pages as HTML, exported files and PNGs: what the API, the CLI and the benchmark share.

``page`` renders one map for one asset mode. ``export`` writes a folder a planner can open
without any server: one HTML per map plus either a copied ``vendor/`` folder or, with
``self_contained``, nothing else (each page inlines Leaflet and the plugins), an ``index.html``
and, on request, a PNG per map for reports. Maps that ``needs_coverage`` are built from the
``coverage`` argument (``maps.coverage_data.coverage_map_data``); without it they raise
``CoverageDataMissingError``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from geo.catalog import BuildContext
from maps.assets import AssetMode, copy_vendor, render
from maps.base import MapOptions
from maps.chrome import HEADER_CSS, SiteLinks, header_html
from maps.coverage_data import CoverageMapData
from maps.elements import esc
from maps.registry import MAPS, build_map


def page(name: str, ctx: BuildContext, options: MapOptions, mode: AssetMode,
         coverage: CoverageMapData | None = None) -> str:
    """The complete HTML page of map ``name`` (Chinese ``lang`` set for screen readers)."""
    html = render(build_map(name, ctx, options, coverage), mode)
    return html.replace("<html>", '<html lang="zh-CN">', 1)


def content_hash(html: str) -> str:
    """Short hash of a page, to name cached pictures."""
    return hashlib.sha256(html.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Exported:
    """One exported map: its page, its size and (with ``png``) its picture."""

    name: str
    html: Path
    bytes: int
    png: Path | None = None


def _index_html(items: list[Exported], basemap: str) -> str:
    rows = "".join(
        f'<li><a href="{esc(e.html.name)}">{esc(MAPS[e.name].title)}</a> — '
        f"{esc(MAPS[e.name].summary)}"
        + (f'<br><img src="{esc(e.png.name)}" alt="{esc(MAPS[e.name].title)}" width="480">'
           if e.png else "") + "</li>" for e in items)
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>赣州数字经济空间图谱 · 地图</title><style>{HEADER_CSS}</style></head>"
            f'<body class="atlas-site-page">{header_html(SiteLinks(None))}'
            f"<h1>赣州数字经济空间图谱 · 地图</h1><p>底图：{esc(basemap)}</p><ul>{rows}</ul>"
            "</body></html>")


def export(ctx: BuildContext, out_dir: Path, *, basemap: str = "none",
           self_contained: bool = False, png: bool = False,
           names: list[str] | None = None,
           coverage: CoverageMapData | None = None) -> list[Exported]:
    """Write the maps (all, or ``names``) into ``out_dir``; return what was written."""
    from maps.screenshot import Shot, capture

    out_dir.mkdir(parents=True, exist_ok=True)
    mode = AssetMode.inline() if self_contained else AssetMode.folder()
    if not self_contained:
        copy_vendor(out_dir / "vendor")
    options = MapOptions(basemap=basemap)
    written = []
    for name in names or list(MAPS):
        html = page(name, ctx, options, mode, coverage)
        target = out_dir / f"{name}.html"
        target.write_text(html, encoding="utf-8")
        written.append(Exported(name, target, len(html.encode())))
    if png:
        shots = [Shot(out_dir / f"{e.name}.png", url=e.html.resolve().as_uri()) for e in written]
        capture(shots)
        written = [Exported(e.name, e.html, e.bytes, s.out) for e, s in
                   zip(written, shots, strict=True)]
    (out_dir / "index.html").write_text(_index_html(written, basemap), encoding="utf-8")
    return written
