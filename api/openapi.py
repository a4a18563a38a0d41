"""Serve the OpenAPI document as 3.0 JSON, the version QGIS and GDAL read.

FastAPI emits OpenAPI 3.1; the differences that matter here are nullable types
(``anyOf [X, {type: null}]`` -> ``X`` + ``nullable``) and ``examples`` lists in schemas. The
``limit`` parameter moves to ``components.parameters.limit`` with ``default`` and ``maximum``
and every items path ``$ref``s it: QGIS reads the component, GDAL follows the ``$ref``, and
both size their pages from it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

LIMIT_REF = {"$ref": "#/components/parameters/limit"}


def _downgrade(node: Any) -> Any:
    if isinstance(node, list):
        return [_downgrade(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _downgrade(v) for k, v in node.items()}
    variants = node.get("anyOf")
    if isinstance(variants, list) and {"type": "null"} in variants:
        rest = [v for v in variants if v != {"type": "null"}]
        node.pop("anyOf")
        node.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
        node["nullable"] = True
    if "examples" in node and isinstance(node["examples"], list) and "in" not in node:
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    if node.get("type") == "null":
        node.pop("type")
        node["nullable"] = True
    return node


def openapi_30(app: FastAPI) -> dict[str, Any]:
    """Build (once) and return the OpenAPI 3.0 document of ``app``."""
    if app.openapi_schema:
        return app.openapi_schema
    settings = app.state.settings
    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=app.routes)
    doc = _downgrade(doc)
    doc["openapi"] = "3.0.3"
    doc["info"]["contact"] = {"name": "赣州数字经济空间图谱 (ganzhou-atlas)"}
    limit = {
        "name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
        "description": f"Items per page (default {settings.default_limit}; larger values "
                       f"are clamped to {settings.max_limit}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": settings.max_limit,
                   "default": settings.default_limit},
    }
    doc.setdefault("components", {}).setdefault("parameters", {})["limit"] = limit
    for path, item in doc.get("paths", {}).items():
        for op in item.values():
            params = op.get("parameters", [])
            if path.endswith("/items"):
                op["parameters"] = [LIMIT_REF if p.get("name") == "limit" else p for p in params]
            for p in op.get("parameters", []):
                if p.get("in") == "query":
                    p.setdefault("style", "form")
                    p.setdefault("explode", False)
    app.openapi_schema = doc
    return doc
