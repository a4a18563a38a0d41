"""Serve the OpenAPI document as 3.0 JSON, the version QGIS and GDAL read.

FastAPI emits OpenAPI 3.1; the differences that matter here are nullable types
(``anyOf [X, {type: null}]`` -> ``X`` + ``nullable``) and ``examples`` lists in schemas.

The standard query parameters of the items operation are declared once, in
``components.parameters``, exactly as the OGC API - Features Part 1 OpenAPI fragments declare
them (``bbox``: an array of 4 or 6 numbers, ``style: form``, ``explode: false``; ``datetime``;
``limit`` with this server's default and maximum), and every items path ``$ref``s them: QGIS
reads the ``limit`` component, GDAL follows the ``$ref``, both size their pages from it.

Besides the generic ``/collections/{collectionId}/items``, each collection gets its own items
path (as in the standard's second example) listing its queryables and its own parameters
(``scenario``, ``data_basis``), so the API definition names every parameter the server
accepts - what ``/req/core/query-param-unknown`` holds requests to.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import problem_responses
from geo.collections.base import Collection
from geo.features import GEOJSON_TYPES

ITEMS = "/collections/{collectionId}/items"
FEATURE = "/collections/{collectionId}/items/{featureId}"
# Parameters with a standard fragment; the route's own declaration is replaced by a $ref.
STANDARD = ("limit", "bbox", "datetime")
SECURITY_SCHEMES = {
    "apiKeyBearer": {"type": "http", "scheme": "bearer",
                     "description": "Authorization: Bearer <API key>"},
    "apiKeyBasic": {"type": "http", "scheme": "basic",
                    "description": "HTTP Basic with the API key as the password (any user "
                                   "name): for QGIS 3.22's Basic authentication"},
}
KEY_REQUIRED = [{"apiKeyBearer": []}, {"apiKeyBasic": []}]
KEY_OPTIONAL = [{}, *KEY_REQUIRED]


def _downgrade(node: Any) -> Any:
    if isinstance(node, list):
        return [_downgrade(n) for n in node]
    if not isinstance(node, dict):
        return node
    variants = node.get("anyOf")
    nullable = isinstance(variants, list) and {"type": "null"} in variants
    node = {k: _downgrade(v) for k, v in node.items() if not (nullable and k == "anyOf")}
    if nullable:
        rest = [_downgrade(v) for v in variants if v != {"type": "null"}]
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


def standard_parameters(default_limit: int, max_limit: int) -> dict[str, dict]:
    """The Part 1 fragments (``ogcapi-features-1.yaml`` parameters) with this server's limits."""
    return {
        "limit": {
            "name": "limit", "in": "query", "required": False, "style": "form",
            "explode": False,
            "description": f"The optional limit parameter limits the number of items that are "
                           f"presented in the response document. Minimum = 1. Maximum = "
                           f"{max_limit} (larger values are clamped). Default = "
                           f"{default_limit}.",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit,
                       "default": default_limit},
        },
        "bbox": {
            "name": "bbox", "in": "query", "required": False, "style": "form",
            "explode": False,
            "description": "Only features that have a geometry that intersects the bounding "
                           "box are selected. Four numbers (lower left axis 1, lower left "
                           "axis 2, upper right axis 1, upper right axis 2) or six (with the "
                           "vertical axis), in bbox-crs (default CRS84 longitude/latitude).",
            "schema": {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4},
                                                  {"minItems": 6, "maxItems": 6}],
                       "items": {"type": "number"}},
        },
        "datetime": {
            "name": "datetime", "in": "query", "required": False, "style": "form",
            "explode": False,
            "description": "Either a date-time or an interval, open or closed. Date and time "
                           "expressions adhere to RFC 3339. Open intervals are expressed "
                           "using double-dots, e.g. \"2023-01-01T00:00:00Z/..\". Only "
                           "features that have a temporal property that intersects the value "
                           "of datetime are selected (the collection's temporal property: "
                           "its extent.temporal; features without one are not selected).",
            "schema": {"type": "string"},
        },
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _standardise(op: dict) -> None:
    params = [_ref(p["name"]) if p.get("name") in STANDARD and p.get("in") == "query" else p
              for p in op.get("parameters", [])]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in params}
    params += [_ref(n) for n in STANDARD if n not in names]
    op["parameters"] = params


def _own_parameters(collection: Collection) -> list[dict]:
    return [{"name": p.name, "in": "query", "required": False, "style": "form",
             "explode": False, "description": p.description,
             "schema": {"type": "string", "enum": list(p.choices), "default": p.default}}
            for p in collection.parameters]


def _collection_parameters(collection: Collection) -> list[dict]:
    template = collection.template()
    out = _own_parameters(collection)
    out += [{"name": name, "in": "query", "required": False, "style": "form",
             "explode": False, "description": f"{column.title}: equality filter",
             "schema": {"type": GEOJSON_TYPES[column.dtype]}}
            for name, column in template.queryables().items()]
    return out


def _specialise(generic: dict, collection: Collection, kind: str, extra: list[dict]) -> dict:
    op = copy.deepcopy(generic)
    op["operationId"] = f"{kind}_{collection.id}"
    op["summary"] = f"{collection.title} ({collection.id})"
    op["parameters"] = [p for p in op["parameters"] if p.get("name") != "collectionId"] + extra
    op["security"] = KEY_REQUIRED if collection.access != "public" else KEY_OPTIONAL
    return op


def collection_paths(generic_items: dict, generic_feature: dict,
                     collections: list[Collection]) -> dict[str, dict]:
    """Items and feature paths per collection: the generic operations plus its parameters.

    Key-only collections are listed too (with their security requirement): the API
    definition is the same for every caller; ``/collections`` is what is filtered per caller.
    """
    paths = {}
    for c in collections:
        paths[f"/collections/{c.id}/items"] = {"get": _specialise(
            generic_items, c, "getFeatures", _collection_parameters(c))}
        paths[f"/collections/{c.id}/items/{{featureId}}"] = {"get": _specialise(
            generic_feature, c, "getFeature", _own_parameters(c))}
    return paths


def _drop_default_validation_response(op: dict) -> None:
    """Remove FastAPI's automatic 422: query faults are 400 here and listed per router."""
    default = op.get("responses", {}).get("422", {})
    if "HTTPValidationError" in str(default.get("content", {})):
        del op["responses"]["422"]
        if "requestBody" in op:
            op["responses"]["422"] = problem_responses(422)[422]


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
    components = doc.setdefault("components", {})
    components.setdefault("parameters", {}).update(
        standard_parameters(settings.default_limit, settings.max_limit))
    components["securitySchemes"] = SECURITY_SCHEMES
    paths = doc.setdefault("paths", {})
    for item in paths.values():
        for op in item.values():
            _drop_default_validation_response(op)
            for p in op.get("parameters", []):
                if p.get("in") == "query":
                    p.setdefault("style", "form")
                    p.setdefault("explode", False)
    generic = paths[ITEMS]["get"]
    _standardise(generic)
    catalog = list(app.state.service.catalog)
    for path, item in collection_paths(generic, paths[FEATURE]["get"], catalog).items():
        paths.setdefault(path, {}).update(item)
    schemas = components.get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    app.openapi_schema = doc
    return doc
