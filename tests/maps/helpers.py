"""Walk a folium map's object tree: find elements by type, GeoJSON layers by class name."""

from __future__ import annotations

import re

import folium
from branca.element import Element

from maps.elements import DivMarkers, FeaturePopups, Legend, SidePanel, TitleBlock


def walk(element: Element):
    """Every element below (and including) ``element``."""
    yield element
    for child in element._children.values():
        yield from walk(child)


def of_type(m: folium.Map, cls) -> list:
    """Elements of the map that are instances of ``cls``."""
    return [e for e in walk(m) if isinstance(e, cls)]


def one(m: folium.Map, cls):
    """The single element of type ``cls``."""
    found = of_type(m, cls)
    assert len(found) == 1, f"expected one {cls.__name__}, found {len(found)}"
    return found[0]


def legend(m) -> Legend:
    """The map's legend."""
    return one(m, Legend)


def title_block(m) -> TitleBlock:
    """The map's title block."""
    return one(m, TitleBlock)


def side_panel(m) -> SidePanel:
    """The map's side panel."""
    return one(m, SidePanel)


def geojson_features(m, class_name: str) -> list[dict]:
    """Features of GeoJSON layers whose style's ``className`` contains ``class_name``.

    Each as ``{"id", "feature", "style", "popup", "tip"}`` (popups live in FeaturePopups).
    """
    out = []
    for g in of_type(m, folium.GeoJson):
        popups = [c for c in g._children.values() if isinstance(c, FeaturePopups)]
        table = popups[0].table if popups else {}
        for f in g.data["features"]:
            style = g.style_function(f)
            if class_name in style.get("className", ""):
                entry = table.get(f["id"], {})
                out.append({"id": f["id"], "feature": f, "style": style,
                            "popup": entry.get("p", ""), "tip": entry.get("t", "")})
    return out


def markers(m, css_class: str) -> list:
    """DivMarkers whose class contains ``css_class``."""
    return [mk for d in of_type(m, DivMarkers) for mk in d.markers
            if css_class in mk.css_class.split()]


def group_names(m) -> list[str]:
    """Names of the map's overlay groups (what the layer control lists)."""
    return [g.layer_name for g in of_type(m, folium.FeatureGroup)]


URL = re.compile(r"""https?://[^\s"'<>()\\]+""")
