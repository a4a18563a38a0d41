"""The layer registry is declared once: the README's layer table and every layer's declared
dependencies must agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.catalog import BuildContext
from geo.errors import DataIntegrityError
from geo.layers import LAYERS
from geo.schema import Layer

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_layer_table_lists_the_registry_in_order_with_titles():
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| ([^|]+) \| (?:polygon|point)", README.read_text(
        "utf-8"), flags=re.M)
    assert [name for name, _ in rows] == list(LAYERS)
    assert {name: title.strip() for name, title in rows} == {
        n: layer.title for n, layer in LAYERS.items()}


def test_every_dependency_is_a_registered_layer_built_before_its_reader(ctx):
    for layer in LAYERS.values():
        for dep in layer.depends_on:
            assert dep in LAYERS and dep != layer.name
        ctx.result(layer.name)  # builds with the dependency check on


def test_an_undeclared_read_is_refused(settings, monkeypatch):
    import geo.layers as registry

    def sneaky(ctx):
        ctx.result("counties")  # not declared
        raise AssertionError("unreachable")

    original = LAYERS["prefectures"]
    monkeypatch.setitem(registry.LAYERS, "prefectures", Layer(
        original.name, original.title, original.description, original.schema,
        original.inputs, original.steps, sneaky))
    with pytest.raises(DataIntegrityError, match="depends_on"):
        BuildContext(settings).result("prefectures")
