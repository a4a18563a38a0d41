"""Typed errors of the library; the web layer maps them to HTTP in one place.

Each class carries the facts an RFC 9457 problem document needs (``status``, ``slug`` for
the ``type`` URI, ``title``) as class attributes, so subclasses only set attributes. The
message passed to the constructor is the user-safe ``detail``; keyword arguments become
extension members (``layer=``, ``errors=[...]``).
"""

from __future__ import annotations

from typing import Any


class AtlasError(Exception):
    """Base of every error the project raises on purpose."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class LayerNotFoundError(AtlasError):
    """A layer name that is not in the registry."""

    status = 404
    slug = "layer-not-found"
    title = "Layer not found"


class UnsupportedFormatError(AtlasError):
    """An export format the project does not write (a bad ``format``/``f`` parameter)."""

    status = 400
    slug = "unsupported-format"
    title = "Unsupported format"


class SchemaViolationError(AtlasError):
    """A built layer does not match its declared schema (our data is wrong, not the client)."""

    slug = "schema-violation"
    title = "Layer does not match its schema"


class DataIntegrityError(AtlasError):
    """Shipped data failed a checksum, citation or geometry invariant."""

    slug = "data-integrity"
    title = "Shipped data failed an integrity check"


class FeatureNotFoundError(AtlasError):
    """A feature id that the collection does not hold."""

    status = 404
    slug = "feature-not-found"
    title = "Feature not found"


class ResourceNotFoundError(AtlasError):
    """A path segment that names no resource (a tile coordinate, a glyph range): HTTP 404.

    Query parameters are 400 (``InvalidParameterError``); a path is an identifier, and an
    identifier of nothing is "not found" (RFC 9110 §15.5.5).
    """

    status = 404
    slug = "not-found"
    title = "Not found"


class InvalidParameterError(AtlasError):
    """A query parameter that is unknown or has a value the service cannot use (HTTP 400).

    OGC API - Features Part 1 ``/req/core/query-param-invalid`` and ``query-param-unknown``
    ask for 400 here; ``parameter`` names the parameter at fault.
    """

    status = 400
    slug = "invalid-parameter"
    title = "Invalid parameter"

    def __init__(self, detail: str, parameter: str, **extensions) -> None:
        super().__init__(detail, parameter=parameter, **extensions)
        self.parameter = parameter


class InvalidBodyError(InvalidParameterError):
    """A request body (JSON feature, form field, upload) the service cannot use (HTTP 422).

    The request was well-formed but its content is not acceptable (RFC 9110 §15.5.21);
    ``parameter`` names the field at fault.
    """

    status = 422
    slug = "invalid-body"
    title = "Invalid request body"


class UnauthorizedError(AtlasError):
    """No credentials, or credentials that are not a valid key (HTTP 401)."""

    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class ForbiddenError(AtlasError):
    """A valid key whose role may not do this (HTTP 403)."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class UploadRejectedError(AtlasError):
    """An upload that cannot be read at all: wrong kind of file, empty, missing columns."""

    status = 422
    slug = "upload-rejected"
    title = "Upload rejected"


class UploadTooLargeError(AtlasError):
    """An upload over the configured size or row limit (HTTP 413)."""

    status = 413
    slug = "upload-too-large"
    title = "Upload too large"


class InvalidRowsError(AtlasError):
    """Rows that failed validation; ``errors`` lists row, column, value and reason."""

    status = 422
    slug = "invalid-rows"
    title = "Invalid rows"


class SiteNotFoundError(AtlasError):
    """A base station that does not exist for this operator (HTTP 404)."""

    status = 404
    slug = "site-not-found"
    title = "Site not found"


class KeyNotFoundError(AtlasError):
    """An API key id that does not exist or is already revoked (HTTP 404)."""

    status = 404
    slug = "key-not-found"
    title = "API key not found"


class BatchNotFoundError(AtlasError):
    """An import batch that does not exist or is not the caller's (HTTP 404)."""

    status = 404
    slug = "batch-not-found"
    title = "Import batch not found"


class ConflictError(AtlasError):
    """A write that conflicts with what is stored (e.g. creating an existing site id)."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class StoreSchemaError(AtlasError):
    """The store's schema is older (run ``ganzhou-atlas db upgrade``) or newer than the code.

    A deployment fault, not a client's: HTTP 503 until an operator upgrades one or the other.
    """

    status = 503
    slug = "store-schema"
    title = "Store schema does not match the code"


class TileOutOfRangeError(AtlasError):
    """A zoom outside 0-14 or a column/row outside the zoom's 2^z x 2^z matrix."""

    status = 404
    slug = "tile-out-of-range"
    title = "Tile out of range"


class TileGenerationError(AtlasError):
    """tippecanoe is missing or failed."""

    slug = "tile-generation-failed"
    title = "Vector tile generation failed"


class ServiceBusyError(AtlasError):
    """Every worker for a bounded job (e.g. reading a workbook) is busy; retry (HTTP 503)."""

    status = 503
    slug = "service-busy"
    title = "Service busy"
