"""Real QGIS 3.22 labels the layers an analyst loads together, styled by ``layer_qml``.

Counties, layout units and parks are written to GeoPackages with their QML as the default
style, rendered together over the 赣州 extent at 1600x1200 by tests/clients/
qgis_labels_probe.py (Debian's python3, QGIS's bindings), and the labels the engine placed
are counted per layer. Before these label settings the same three layers placed 0 labels.
"""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from geo.downloads import embed_style
from geo.export import write_gpkg_layer
from geo.qml import layer_qml, qml
from geo.styles import LABEL_FONT, style_for
from tests.conftest import SYSTEM_PYTHON, require_qgis

PROBE = Path(__file__).parent.parent / "clients" / "qgis_labels_probe.py"
NAMES = ("counties", "layout_units", "parks")


@pytest.fixture(scope="module")
def report(ctx, client, tmp_path_factory):
    require_qgis()
    folder = tmp_path_factory.mktemp("qgis_labels")
    folder.chmod(0o700)
    for name in NAMES:
        result = ctx.result(name)
        write_gpkg_layer(result, folder / f"{name}.gpkg")
        embed_style(folder / f"{name}.gpkg", name, layer_qml(result))
    style = client.get(f"/tiles/{','.join(NAMES)}/style.json").json()
    (folder / "style.json").write_text(json.dumps(style, ensure_ascii=False), "utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(folder)}
    proc = subprocess.run([SYSTEM_PYTHON, str(PROBE), str(folder), str(folder / "style.json"),
                           str(folder / "labels.png")], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.client
def test_all_county_names_and_layout_units_are_placed_together(report, ctx):
    placed, texts = report["labels"]["placed"], report["labels"]["texts"]
    assert placed["counties"] == 18
    assert set(texts["counties"]) == set(ctx.result("counties").gdf["name"])
    assert placed["layout_units"] == 5
    assert placed["parks"] > 0  # many parks share a county seat: not all fit, some must


@pytest.mark.client
def test_styles_apply_with_chinese_aliases_and_the_cjk_font(report, ctx):
    for name in NAMES:
        got = report["layers"][name]
        assert got["valid"] and got["labels_enabled"]
        columns = ctx.result(name).layer.schema.columns
        assert {c.name: got["aliases"][c.name] for c in columns} == {
            c.name: c.title for c in columns}
        assert got["font"] == "WenQuanYi Micro Hei"
    counties, units = report["layers"]["counties"], report["layers"]["layout_units"]
    assert counties["priority"] > units["priority"]


@pytest.mark.client
def test_qgis_converts_the_vector_tile_style_with_labels(report):
    got = report["mapbox_gl"]
    assert got["success"] and not got["error"] and got["warnings"] == []
    assert {"counties-label", "layout_units-label"} <= set(got["labeling_styles"])
    assert got["renderer_styles"] >= 5


def _settings(text: str) -> ET.Element:
    return ET.fromstring(text.split("\n", 1)[1]).find("labeling/settings")


def test_label_settings_have_the_elements_qgis_writes(ctx):
    counties = _settings(layer_qml(ctx.result("counties")))
    assert [c.tag for c in counties] == ["text-style", "text-format", "placement", "rendering"]
    assert counties.find("text-style").get("fontFamily") == LABEL_FONT
    assert counties.find("text-style/text-buffer").get("bufferDraw") == "1"
    placement = counties.find("placement")
    assert placement.get("fitInPolygonOnly") == "0" and placement.get("priority") == "10"
    units = _settings(layer_qml(ctx.result("layout_units")))
    assert units.find("rendering").get("obstacle") == "0"  # never blocks county names
    assert int(units.find("placement").get("priority")) < 10
    parks = _settings(layer_qml(ctx.result("parks")))
    assert parks.find("placement").get("placement") == "0"  # around the point
    assert parks.find("rendering").get("obstacle") == "1"


def test_aliases_are_the_schema_titles_and_qml_keeps_its_signature(ctx):
    result = ctx.result("parks")
    root = ET.fromstring(layer_qml(result).split("\n", 1)[1])
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases == {c.name: c.title for c in result.layer.schema.columns}
    assert "Fields" in root.get("styleCategories")
    plain = qml(style_for("parks"), True)  # the old entry point still answers
    assert _settings(plain).find("placement") is not None and "<aliases>" not in plain
