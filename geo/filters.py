"""CQL2-text filters (OGC API - Features Part 3) on a layer, with pygeofilter.

pygeofilter parses the text (its Lark grammar follows the CQL2 standard) and evaluates the
tree on a GeoDataFrame; we add the checks an API needs: only queryable properties, a clear
one-line error naming ``filter`` for anything unparsable or unevaluable, and ``BBOX(...)``
literals as shapely boxes. Coordinates in spatial literals are CRS84 (lon, lat).

What is declared in /conformance (and tested): basic CQL2 (comparisons, IS NULL, AND/OR/NOT)
in the text encoding, plus ``S_INTERSECTS`` with points, polygons and BBOX.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import shapely
from pygeofilter import ast
from pygeofilter.backends.geopandas.evaluate import to_filter
from pygeofilter.parsers.cql2_text import parse

from geo.errors import InvalidParameterError

GEOMETRY = "geometry"


def _attributes(node) -> set[str]:
    """Names of every property the expression refers to."""
    if isinstance(node, ast.Attribute):
        return {node.name}
    found: set[str] = set()
    children = []
    if dataclasses.is_dataclass(node):
        children = [getattr(node, f.name) for f in dataclasses.fields(node)]
    elif isinstance(node, list | tuple):
        children = list(node)
    for child in children:
        if isinstance(child, ast.Node | list | tuple):
            found |= _attributes(child)
    return found


def parse_cql2_text(text: str, queryables: set[str]) -> ast.Node:
    """Parse ``text``; raise InvalidParameterError (``filter``) on syntax or unknown names."""
    try:
        tree = parse(text)
    except Exception as exc:  # Lark raises many error types; all mean "not valid CQL2"
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise InvalidParameterError(f"filter is not valid CQL2 text: {first}", "filter") \
            from None
    unknown = sorted(_attributes(tree) - queryables - {GEOMETRY})
    if unknown:
        raise InvalidParameterError(
            f"filter uses properties that are not queryable: {', '.join(unknown)}", "filter")
    return tree


def evaluate(gdf: gpd.GeoDataFrame, tree: ast.Node) -> np.ndarray:
    """Boolean mask of the rows matching ``tree`` (rows are in ``gdf`` order)."""
    fields = {c: c for c in gdf.columns}
    try:
        result = to_filter(gdf, tree, fields, {"bbox": lambda *c: shapely.box(*c)})
    except Exception as exc:  # a type mismatch (text vs number) or unsupported operator
        raise InvalidParameterError(
            f"filter cannot be evaluated: {type(exc).__name__}", "filter") from None
    if isinstance(result, bool | np.bool_):
        return np.full(len(gdf), bool(result))
    return np.asarray(result.fillna(False), dtype=bool)
