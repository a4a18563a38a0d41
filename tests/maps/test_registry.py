"""The map registry and the package's boundaries."""

import subprocess
import sys

import pytest

from maps.elements import CSS_FILE
from maps.errors import MapNotFoundError
from maps.registry import MAPS, get_map


def test_registry_names_match_specs_and_are_url_safe():
    for name, spec in MAPS.items():
        assert spec.name == name and name.isidentifier()
        assert spec.title and spec.summary and spec.region in ("ganzhou", "jiangxi")


def test_unknown_map_is_a_404_error():
    with pytest.raises(MapNotFoundError) as err:
        get_map("fiveg_gaps")
    assert err.value.status == 404


def test_maps_never_import_the_web_layer():
    code = "import maps.registry, maps.render, sys; print('fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_stylesheet_holds_no_jinja_markers():
    # branca renders header content as a template a second time
    css = CSS_FILE.read_text(encoding="utf-8")
    assert not any(m in css for m in ("{{", "{%", "{#"))
