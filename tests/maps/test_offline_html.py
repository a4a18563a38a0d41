"""No generated page references an outside URL except the chosen basemap's tiles."""

import re
from urllib.parse import urlsplit

import pytest

from maps.assets import AssetMode, render
from maps.base import MapOptions
from maps.basemaps import get_basemap
from maps.registry import MAPS, build_map
from tests.maps.helpers import URL

VENDOR_BLOCK = re.compile(r"<(script|style) data-vendor=\"[^\"]+\">.*?</\1>", re.S)
# Strings inside the vendored libraries that are identifiers, not loads.
LIBRARY_STRINGS = {"www.w3.org", "leafletjs.com"}
MODES = {"served": AssetMode.served(), "folder": AssetMode.folder(),
         "inline": AssetMode.inline()}


def outside_hosts(html: str) -> set[str]:
    """Hosts of every URL in the page outside the inlined vendor files."""
    own = VENDOR_BLOCK.sub("", html)
    return {urlsplit(u).hostname for u in URL.findall(own)}


def vendor_hosts(html: str) -> set[str]:
    return {urlsplit(u).hostname for block in VENDOR_BLOCK.findall(html) for u in
            URL.findall(block)}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", list(MAPS))
def test_offline_pages_reference_nothing_outside(ctx, coverage_data, name, mode):
    html = render(build_map(name, ctx, coverage=coverage_data), MODES[mode])
    assert outside_hosts(html) == set()
    assert vendor_hosts(html) <= LIBRARY_STRINGS
    assert not re.search(r"url\(\s*['\"]?https?:", html)  # no CSS loads from outside


@pytest.mark.parametrize("basemap", ["osm", "gaode", "tianditu"])
@pytest.mark.parametrize("name", list(MAPS))
def test_basemap_pages_reference_only_their_tile_hosts(keyed_ctx, coverage_data, name, basemap):
    html = render(build_map(name, keyed_ctx, MapOptions(basemap=basemap), coverage_data),
                  AssetMode.served())
    allowed = get_basemap(basemap, keyed_ctx.settings).host_templates
    assert outside_hosts(html) == allowed
    assert len(allowed) >= 1


def test_tianditu_uses_the_web_mercator_layers_and_the_key(keyed_ctx):
    html = render(build_map("layout", keyed_ctx, MapOptions(basemap="tianditu")),
                  AssetMode.served())
    assert "T=vec_w" in html and "T=cva_w" in html and "tk=test-key-0123" in html
