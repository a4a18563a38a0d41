"""The vector-tile style: one colour scheme (geo.styles), labels, local glyphs, valid spec."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from geo.styles import LAYOUT_UNIT_COLOURS, label_for, style_for
from geo.tiles.glyphs import empty_glyphs, parse_range

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "node_modules" / ".bin" / "gl-style-validate"
SET = "counties,layout_units,parks"


@pytest.fixture(scope="module")
def doc(client):
    return client.get(f"/tiles/{SET}/style.json").json()


def _layers(doc) -> dict[str, dict]:
    return {layer["id"]: layer for layer in doc["layers"]}


def test_colours_and_outlines_come_from_the_one_scheme(doc):
    by_id = _layers(doc)
    assert by_id["background"]["type"] == "background"
    for lid in ("counties", "layout_units"):
        fill = by_id[f"{lid}-fill"]["paint"]["fill-color"]
        assert fill[1] == ["to-string", ["get", style_for(lid).attribute]]
        assert dict(zip(fill[2:-1:2], fill[3:-1:2], strict=True)) == LAYOUT_UNIT_COLOURS
    units, counties = by_id["layout_units-line"]["paint"], by_id["counties-line"]["paint"]
    assert units["line-color"] == style_for("layout_units").outline != counties["line-color"]
    assert units["line-width"] > 2 * counties["line-width"]  # units stand apart


def test_counties_and_layout_units_are_labelled_by_priority(doc):
    by_id = _layers(doc)
    for lid in ("counties", "layout_units"):
        layout = by_id[f"{lid}-label"]["layout"]
        assert layout["text-field"] == ["get", "name"]
        assert layout["text-font"] == ["WenQuanYi Micro Hei Regular"]
        paint = by_id[f"{lid}-label"]["paint"]
        assert paint["text-color"] == label_for(lid, point=False).colour
        assert paint["text-halo-color"] == "#ffffff" and paint["text-halo-width"] > 0
    ids = [layer["id"] for layer in doc["layers"]]
    first_label = min(i for i, x in enumerate(ids) if x.endswith("-label"))
    assert all(not x.endswith("-label") for x in ids[:first_label])
    assert ids[-1] == "counties-label"  # placed first by MapLibre: county names win
    assert ids.index("layout_units-label") < ids.index("counties-label")


def test_nothing_in_the_style_points_off_the_server(doc):
    text = json.dumps(doc)
    urls = [u for u in text.split('"') if "://" in u]
    assert urls and all(u.startswith("http://testserver/") for u in urls)


def test_glyph_route_answers_a_valid_empty_range(client, doc):
    url = doc["glyphs"].replace("http://testserver", "").format(
        fontstack="WenQuanYi Micro Hei Regular", range="19968-20223")
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-protobuf"
    assert r.content == empty_glyphs("WenQuanYi Micro Hei Regular", 19968, 20223)
    assert r.content.startswith(b"\n") and b"WenQuanYi Micro Hei Regular" in r.content
    assert client.get("/fonts/x/1-256.pbf").status_code == 404  # a path naming nothing
    assert client.get("/fonts/x/65536-65791.pbf").status_code == 404


def test_glyph_range_parsing():
    assert parse_range("0-255") == (0, 255) and parse_range("65280-65535") == (65280, 65535)
    assert parse_range("256-511") == (256, 511)
    for bad in ("0-256", "1-256", "x-255", "-1-254", "65536-65791", "0-255.pbf"):
        assert parse_range(bad) is None
    long = empty_glyphs("a" * 200, 0, 255)  # a length needing a two-byte varint
    assert long[:3] == bytes([0x0A, 0xD2, 0x01])


@pytest.mark.client
def test_maplibre_style_spec_validator_accepts_the_style(doc, tmp_path):
    node = shutil.which("node")
    if node is None or not VALIDATOR.exists():
        import os

        if os.environ.get("CI"):
            pytest.fail("gl-style-validate is required on CI (`npm ci` installs it)")
        pytest.skip("gl-style-validate not installed: npm ci")
    path = tmp_path / "style.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    proc = subprocess.run([node, str(VALIDATOR), str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
