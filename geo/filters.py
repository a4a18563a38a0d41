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

from geo.errors import InvalidParameterError

GEOMETRY = "geometry"
MAX_FILTER_CHARS = 4096
MAX_FILTER_NODES = 400
MAX_FILTER_DEPTH = 40


def _children(node) -> list:
    if dataclasses.is_dataclass(node):
        return [getattr(node, f.name) for f in dataclasses.fields(node)]
    if isinstance(node, list | tuple):
        return list(node)
    return []


def _size(tree) -> tuple[int, int]:
    """(number of nodes, nesting depth) of a parsed expression, without recursion."""
    nodes, depth, stack = 0, 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        nodes += 1
        depth = max(depth, level)
        stack += [(c, level + 1) for c in _children(node) if isinstance(c, ast.Node | list
                                                                            | tuple)]
    return nodes, depth


def _attributes(node) -> set[str]:
    """Names of every property the expression refers to."""
    if isinstance(node, ast.Attribute):
        return {node.name}
    found: set[str] = set()
    for child in _children(node):
        if isinstance(child, ast.Node | list | tuple):
            found |= _attributes(child)
    return found


def parse_cql2_text(text: str, queryables: set[str]) -> ast.Node:
    """Parse ``text``; raise InvalidParameterError (``filter``) on syntax or unknown names."""
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidParameterError(
            f"filter is longer than {MAX_FILTER_CHARS} characters", "filter")
    from pygeofilter.parsers.cql2_text import parse  # builds its Lark grammar (~0.3 s) on import

    try:
        tree = parse(text)
    except RecursionError:
        raise InvalidParameterError("filter is nested too deeply", "filter") from None
    except Exception as exc:  # Lark raises many error types; all mean "not valid CQL2"
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else "syntax error"
        raise InvalidParameterError(f"filter is not valid CQL2 text: {first}", "filter") \
            from None
    nodes, depth = _size(tree)
    if nodes > MAX_FILTER_NODES or depth > MAX_FILTER_DEPTH:
        raise InvalidParameterError(
            f"filter is too complex (at most {MAX_FILTER_NODES} terms, nesting "
            f"{MAX_FILTER_DEPTH})", "filter")
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
    except Exception:  # a type mismatch (text vs number) or unsupported operator
        raise InvalidParameterError(
            "filter cannot be evaluated: compare each property with a value of its type "
            "(see /queryables)", "filter") from None
    if isinstance(result, bool | np.bool_):
        return np.full(len(gdf), bool(result))
    return np.asarray(result.fillna(False), dtype=bool)
