"""Vendored browser libraries: every folium asset maps to an npm file; nothing points at a CDN."""

import folium
import pytest
from folium.plugins import MarkerCluster

from maps.assets import (
    FOLIUM_ASSETS,
    NODE_MODULES,
    AssetMode,
    check_installed,
    copy_vendor,
    css_references,
    inline_vendor,
    localise,
    render,
    servable,
    vendor_files,
)
from maps.errors import UnknownAssetError, VendorAssetsMissingError


def test_every_vendor_file_is_installed_by_npm_ci():
    check_installed()  # `make install` runs `npm ci` from package-lock.json
    for f in vendor_files():
        assert (NODE_MODULES / f.rel).stat().st_size > 0


def test_missing_node_modules_is_a_clear_error(tmp_path):
    with pytest.raises(VendorAssetsMissingError, match="npm ci"):
        check_installed(tmp_path)


def test_every_folium_asset_of_the_used_elements_is_known():
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    localise(m, AssetMode.served())
    html = m.get_root().render()
    assert "cdn" not in html and "https://" not in html
    assert '<script src="/static/vendor/leaflet/dist/leaflet.js">' in html


def test_an_unknown_plugin_asset_is_refused():
    class Plugin(folium.plugins.Fullscreen):
        default_js = [("shiny_plugin", "https://cdn.example.org/shiny.js")]

    m = folium.Map(tiles=None)
    Plugin().add_to(m)
    with pytest.raises(UnknownAssetError, match="shiny_plugin"):
        localise(m, AssetMode.served())


def test_folium_icon_is_refused_because_its_fonts_are_not_shipped():
    m = folium.Map(tiles=None)
    folium.Marker([25.8, 114.9], icon=folium.Icon()).add_to(m)
    with pytest.raises(UnknownAssetError, match="Icon"):
        localise(m, AssetMode.served())


def test_localise_leaves_folium_classes_untouched():
    m = folium.Map(tiles=None)
    localise(m, AssetMode.folder())
    assert folium.Map.default_js[0][1].startswith("https://")
    assert m.default_js[0][1] == "vendor/leaflet/dist/leaflet.js"


def test_inline_mode_inlines_scripts_and_css_images():
    html = render(folium.Map(tiles=None), AssetMode.inline())
    assert "atlas-vendor:" not in html
    assert '<script data-vendor="leaflet/dist/leaflet.js">' in html
    assert "url(images/layers.png)" not in html and "data:image/png;base64," in html


def test_inline_vendor_escapes_closing_script_tags(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.js").write_text('var s = "</script>";')
    out = inline_vendor('<script src="atlas-vendor:p/x.js"></script>', tmp_path)
    assert out.count("</script>") == 1 and "<\\/script>" in out


def test_css_references_skip_data_and_vml():
    css = "a{background:url(images/a.png)} b{behavior:url(#default#VML)} c{x:url(data:x)}"
    assert css_references(css) == ["images/a.png"]


def test_copy_vendor_copies_files_and_their_css_images(tmp_path):
    written = copy_vendor(tmp_path)
    rel = {p.relative_to(tmp_path).as_posix() for p in written}
    assert "leaflet/dist/leaflet.js" in rel
    assert "leaflet/dist/images/layers.png" in rel
    assert "leaflet-measure/dist/assets/rulers.png" in rel


@pytest.mark.parametrize("path", ["../package.json", "leaflet/../../pyproject.toml",
                                  "lodash/lodash.js", "leaflet/package.json", "leaflet/nope.js",
                                  "", "leaflet"])
def test_servable_refuses_anything_but_vendored_files(path):
    assert servable(path) is None


def test_servable_accepts_vendored_files():
    assert servable("leaflet/dist/leaflet.js") == (NODE_MODULES / "leaflet/dist/leaflet.js")
    assert servable("leaflet/dist/images/layers.png") is not None


def test_dropped_assets_are_documented_as_unused():
    dropped = {k for k, v in FOLIUM_ASSETS.items() if v is None}
    assert dropped == {"bootstrap", "bootstrap_css", "glyphicons_css", "awesome_markers",
                       "awesome_markers_css", "awesome_markers_font_css", "awesome_rotate_css"}
