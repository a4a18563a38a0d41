"""Browser libraries for the maps: local copies from npm, never a CDN.

Folium points every Leaflet/plugin file at public CDNs. Planners
open the maps on intranets without internet, where such a page renders blank. So every JS/CSS
entry of every folium element is mapped by its folium *name* to a file of an npm package pinned
in ``package.json`` (installed into ``node_modules`` by ``npm ci`` in ``make install``). An entry
without a mapping raises ``UnknownAssetError``: a new plugin cannot slip a CDN link in.

Three ways to reference the files (``AssetMode``):

* ``served``: ``/static/vendor/<package>/<path>``, answered by the maps router;
* ``folder``: ``vendor/<package>/<path>`` relative to an exported page, next to a copied folder;
* ``inline``: every file inlined (CSS images as ``data:`` URIs): one HTML file to e-mail.
"""

from __future__ import annotations

import base64
import mimetypes
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element, Figure
from folium.elements import JSCSSMixin

from geo.settings import REPO_ROOT
from maps.errors import UnknownAssetError, VendorAssetsMissingError

NODE_MODULES = REPO_ROOT / "node_modules"
SERVED_PREFIX = "/static/vendor"
INLINE_SCHEME = "atlas-vendor:"
SERVABLE_SUFFIXES = frozenset({".js", ".css", ".png", ".svg"})


@dataclass(frozen=True)
class VendorFile:
    """One file of an npm package: ``package/path`` under ``node_modules``."""

    package: str
    path: str

    @property
    def rel(self) -> str:
        """Path below ``node_modules`` (and below every vendor prefix)."""
        return f"{self.package}/{self.path}"


# folium's asset names -> local files. None = deliberately not loaded, with the reason.
FOLIUM_ASSETS: dict[str, VendorFile | None] = {
    "leaflet": VendorFile("leaflet", "dist/leaflet.js"),
    "leaflet_css": VendorFile("leaflet", "dist/leaflet.css"),
    # folium.Popup and Map.objects_to_stay_in_front call jQuery's $: keep it, so any folium
    # element keeps working offline.
    "jquery": VendorFile("jquery", "dist/jquery.min.js"),
    "markerclusterjs": VendorFile("leaflet.markercluster", "dist/leaflet.markercluster.js"),
    "markerclustercss": VendorFile("leaflet.markercluster", "dist/MarkerCluster.css"),
    "markerclusterdefaultcss": VendorFile("leaflet.markercluster",
                                          "dist/MarkerCluster.Default.css"),
    "Control.Fullscreen.js": VendorFile("leaflet.fullscreen", "Control.FullScreen.js"),
    "Control.FullScreen.css": VendorFile("leaflet.fullscreen", "Control.FullScreen.css"),
    # The package's Chinese build: the measure panel reads 测量 / 路径长度 / 面积.
    "leaflet_measure_js": VendorFile("leaflet-measure", "dist/leaflet-measure.cn.js"),
    "leaflet_measure_css": VendorFile("leaflet-measure", "dist/leaflet-measure.css"),
    # The maps' own PNG export (maps.chrome.HtmlToImage): a DOM node drawn to a canvas.
    "html_to_image": VendorFile("html-to-image", "dist/html-to-image.js"),
    # No template of the elements used here needs Bootstrap; the awesome-markers files and
    # their icon fonts serve only folium.Icon, which the maps never use (symbols are DivIcons
    # drawn with CSS and Chinese glyphs). ``localise`` refuses a tree holding a folium.Icon.
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_css": None,
    "awesome_markers_font_css": None,
    "awesome_rotate_css": None,
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def vendor_files() -> list[VendorFile]:
    """Every file a page may reference, in a stable order, without duplicates."""
    return list(dict.fromkeys(f for f in FOLIUM_ASSETS.values() if f is not None))


def vendor_packages() -> frozenset[str]:
    """The npm packages whose files the API may serve."""
    return frozenset(f.package for f in vendor_files())


def check_installed(root: Path = NODE_MODULES) -> None:
    """Raise ``VendorAssetsMissingError`` unless every vendor file is present."""
    missing = [f.rel for f in vendor_files() if not (root / f.rel).is_file()]
    if missing:
        raise VendorAssetsMissingError(
            f"browser libraries missing under {root} (run `npm ci`, part of `make install`): "
            + ", ".join(missing), missing=missing)


def css_references(css: str) -> list[str]:
    """Relative files a stylesheet loads through ``url(...)`` (no data:, no VML behaviour)."""
    refs = []
    for _, ref in _CSS_URL.findall(css):
        if ref.startswith(("data:", "#")):
            continue
        refs.append(ref)
    return list(dict.fromkeys(refs))


@dataclass(frozen=True)
class AssetMode:
    """How a rendered page references the vendor files: a URL prefix, or inlined."""

    prefix: str

    @classmethod
    def served(cls, root: str = "") -> AssetMode:
        """Files served by the API under ``{root}/static/vendor``."""
        return cls(f"{root.rstrip('/')}{SERVED_PREFIX}/")

    @classmethod
    def folder(cls, name: str = "vendor") -> AssetMode:
        """Files copied next to the page into ``name/`` (see ``copy_vendor``)."""
        return cls(f"{name.strip('/')}/")

    @classmethod
    def inline(cls) -> AssetMode:
        """Files inlined into the page (``inline_vendor`` replaces the placeholders)."""
        return cls(INLINE_SCHEME)

    @property
    def is_inline(self) -> bool:
        """Whether the rendered page still needs ``inline_vendor``."""
        return self.prefix == INLINE_SCHEME

    def url(self, f: VendorFile) -> str:
        """The reference to ``f`` in a page rendered in this mode."""
        return f"{self.prefix}{f.rel}"


def _walk(element: Element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _local(entries: list[tuple[str, str]], mode: AssetMode) -> list[tuple[str, str]]:
    out = []
    for name, url in entries:
        if name not in FOLIUM_ASSETS:
            raise UnknownAssetError(
                f"no local copy for folium asset {name!r} ({url}); add it to package.json and "
                "maps.assets.FOLIUM_ASSETS", asset=name)
        local = FOLIUM_ASSETS[name]
        if local is not None:
            out.append((name, mode.url(local)))
    return out


def localise(m: folium.Map, mode: AssetMode) -> None:
    """Point every element's JS/CSS at local files (instance attributes; classes untouched)."""
    for el in _walk(m.get_root()):
        if isinstance(el, folium.Icon):
            raise UnknownAssetError("folium.Icon needs awesome-markers and icon fonts, which "
                                    "are not shipped; use maps.elements.DivMarkers")
        if isinstance(el, JSCSSMixin):
            el.default_js = _local(type(el).default_js, mode)
            el.default_css = _local(type(el).default_css, mode)


def render(m: folium.Map, mode: AssetMode, root: Path = NODE_MODULES) -> str:
    """The complete HTML page of ``m`` with its assets referenced (or inlined) per ``mode``."""
    check_installed(root)
    localise(m, mode)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    html = figure.render()
    return inline_vendor(html, root) if mode.is_inline else html


def _data_uri(path: Path) -> str:
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode()}"


def inline_css(path: Path) -> str:
    """A stylesheet with every ``url(file)`` it loads replaced by a ``data:`` URI."""
    css = path.read_text(encoding="utf-8")
    for ref in css_references(css):
        target = path.parent / ref
        if target.is_file():
            css = css.replace(ref, _data_uri(target))
    return css


def inline_vendor(html: str, root: Path = NODE_MODULES) -> str:
    """Replace the placeholder ``<script src>``/``<link>`` tags by the files' contents."""
    def script(match: re.Match) -> str:
        js = (root / match["rel"]).read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f'<script data-vendor="{match["rel"]}">{js}</script>'

    def style(match: re.Match) -> str:
        css = inline_css(root / match["rel"]).replace("</style", "<\\/style")
        return f'<style data-vendor="{match["rel"]}">{css}</style>'

    scheme = re.escape(INLINE_SCHEME)
    html = re.sub(rf'<script src="{scheme}(?P<rel>[^"]+)"></script>', script, html)
    return re.sub(rf'<link rel="stylesheet" href="{scheme}(?P<rel>[^"]+)"\s*/>', style, html)


def copy_vendor(target: Path, root: Path = NODE_MODULES) -> list[Path]:
    """Copy every vendor file and the images its CSS loads into ``target``; return them."""
    check_installed(root)
    written = []
    for f in vendor_files():
        src = root / f.rel
        files = [src]
        if src.suffix == ".css":
            files += [src.parent / r for r in css_references(src.read_text(encoding="utf-8"))]
        for path in files:
            if not path.is_file():
                continue
            dest = target / path.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            written.append(dest)
    return written


def servable(rel: str, root: Path = NODE_MODULES) -> Path | None:
    """The file for ``/static/vendor/<rel>``, or None when it is not one the API may serve.

    Only files of the pinned packages, with a JS/CSS/image suffix, inside ``node_modules``
    (no ``..`` escapes).
    """
    parts = rel.split("/")
    if not parts or parts[0] not in vendor_packages() or ".." in parts:
        return None
    path = (root / rel).resolve()
    base = (root / parts[0]).resolve()
    if path.suffix not in SERVABLE_SUFFIXES or not path.is_file() or base not in path.parents:
        return None
    return path
