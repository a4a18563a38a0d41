"""Query one built layer the way OGC API - Features asks: filter, sort, page, reproject.

Layers are small (at most a few hundred rows) but pages are requested constantly by QGIS,
GDAL and browsers, so every feature's geometry and properties are serialised to JSON once
(per output CRS) and a page is assembled by joining bytes. Filtering works on the frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

from geo.crs import CRS84_URI, transformer_from_crs84, transformer_to_crs84
from geo.errors import FeatureNotFoundError, InvalidParameterError
from geo.filters import evaluate
from geo.schema import Column, LayerResult, LayerSchema
from geo.temporal import Interval, intersecting, spans

GEOJSON_TYPES = {"string": "string", "int": "integer", "float": "number", "bool": "boolean"}


@dataclass(frozen=True)
class ItemsQuery:
    """A validated items request. ``bbox`` is already in CRS84 (lon/lat)."""

    limit: int
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    crs: str = CRS84_URI
    properties: tuple[str, ...] | None = None
    sortby: tuple[tuple[str, bool], ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    cql: object | None = None  # a parsed CQL2 tree (geo.filters), evaluated on the layer
    datetime: Interval | None = None  # the ``datetime`` parameter (geo.temporal)


@dataclass(frozen=True)
class Page:
    """The rows of one page plus what the response needs to describe it."""

    positions: np.ndarray
    number_matched: int


def parse_bbox(text: str, bbox_crs: str) -> tuple[float, float, float, float]:
    """Parse ``minx,miny,maxx,maxy`` in ``bbox_crs`` axis order and return it in CRS84.

    Six numbers (``minx,miny,minz,maxx,maxy,maxz``, Part 1 ``/req/core/fc-bbox-definition``)
    are accepted too; every geometry here is 2D, so the vertical range only has to be a range.
    """
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InvalidParameterError("bbox must be 4 or 6 comma-separated numbers",
                                    "bbox") from None
    if len(values) not in (4, 6) or not all(np.isfinite(values)):
        raise InvalidParameterError("bbox must be 4 or 6 finite numbers", "bbox")
    if len(values) == 6:
        if values[2] > values[5]:
            raise InvalidParameterError("bbox's lower height is above its upper height", "bbox")
        values = [values[0], values[1], values[3], values[4]]
    a0, a1, b0, b1 = values
    transformer = transformer_to_crs84(bbox_crs)
    if transformer is None:
        lon0, lat0, lon1, lat1 = a0, a1, b0, b1
    else:
        xs, ys = transformer.transform([a0, a0, b0, b0], [a1, b1, a1, b1])
        lon0, lon1, lat0, lat1 = min(xs), max(xs), min(ys), max(ys)
        if not all(np.isfinite([lon0, lon1, lat0, lat1])):
            raise InvalidParameterError("bbox is outside the valid area of bbox-crs", "bbox")
    if lat0 > lat1 or not (-90 <= lat0 <= 90 and -90 <= lat1 <= 90):
        raise InvalidParameterError(
            "bbox latitude out of range or lower corner above upper corner", "bbox"
        )
    return lon0, lat0, lon1, lat1


def parse_sortby(text: str, columns: dict[str, Column]) -> tuple[tuple[str, bool], ...]:
    """Parse ``+a,-b`` into ``((a, True), (b, False))``; unknown names raise."""
    keys = []
    for raw in filter(None, (t.strip() for t in text.split(","))):
        ascending = not raw.startswith("-")
        name = raw.lstrip("+-")
        if name not in columns:
            raise InvalidParameterError(f"cannot sort by unknown property {name!r}", "sortby")
        keys.append((name, ascending))
    return tuple(keys)


def _round_coords(geom, decimals: int):
    return shapely.transform(geom, lambda c: np.round(c, decimals))


@dataclass
class FeatureIndex:
    """One table of features ready to be paged, with per-CRS serialised geometries.

    Plan layers build one at start-up; store-backed collections (county totals, the
    scorecard, gaps) build one per data version, so every collection pages, filters and
    reprojects through the same code.
    """

    name: str
    title: str
    schema: LayerSchema
    gdf: gpd.GeoDataFrame
    result: LayerResult | None = None  # set for plan layers (provenance, downloads, tiles)
    _geometry_json: dict[str, list[bytes]] = field(default_factory=dict, repr=False)
    _feature_json: dict[str, list[bytes]] = field(default_factory=dict, repr=False)
    _spans: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @classmethod
    def of_layer(cls, result: LayerResult) -> FeatureIndex:
        """The index of a built plan layer."""
        layer = result.layer
        return cls(layer.name, layer.title, layer.schema, result.gdf, result)

    def __post_init__(self) -> None:
        gdf = self.gdf.reset_index(drop=True)
        self.gdf = gdf
        schema = self.schema
        self.columns: dict[str, Column] = {c.name: c for c in schema.columns}
        self.ids: list[str] = [str(v) for v in gdf[schema.id_column]]
        self.position = {fid: i for i, fid in enumerate(self.ids)}
        self.frame = pd.DataFrame(gdf.drop(columns="geometry")).reset_index(drop=True)
        self.frame = self.frame.astype(object)
        self.frame = self.frame.where(self.frame.notna(), None)
        self.records: list[dict] = self.frame.to_dict("records")
        self.geometries = np.asarray(gdf.geometry.values, dtype=object)
        self._properties_json = [orjson.dumps(r) for r in self.records]
        self._id_json = [orjson.dumps(i) for i in self.ids]
        self._present = np.array([g is not None for g in self.geometries], dtype=bool)
        present = self.geometries[self._present]
        self.extent = shapely.total_bounds(present).tolist() if len(present) else None

    def queryables(self) -> dict[str, Column]:
        """Columns usable in ``filter`` and as equality filters: the declared ones and every
        number (an analyst compares ``area_km2 > 1000`` or ``pct_of_target_2025 < 50``)."""
        return {n: c for n, c in self.columns.items()
                if c.queryable or c.dtype in ("int", "float")}

    def geometry_json(self, crs: str) -> list[bytes]:
        """Serialised geometries in ``crs`` (authority axis order), cached per CRS."""
        if crs not in self._geometry_json:
            transformer = transformer_from_crs84(crs)
            projected = crs.endswith(("/3857", "/4547"))
            out = []
            for g in self.geometries:
                if g is None:
                    out.append(b"null")
                    continue
                if transformer is not None:
                    g = shapely.transform(g, lambda c, t=transformer: np.column_stack(
                        t.transform(c[:, 0], c[:, 1])))
                out.append(shapely.to_geojson(_round_coords(g, 2 if projected else 7)).encode())
            self._geometry_json[crs] = out
        return self._geometry_json[crs]

    def select(self, query: ItemsQuery) -> Page:
        """Apply filters, bbox and sort; return the requested page of row positions."""
        mask = np.ones(len(self.ids), dtype=bool)
        for name, value in query.filters:
            mask &= self._equals(name, value)
        if query.bbox is not None:
            box = shapely.box(*query.bbox)
            hits = np.zeros(len(self.ids), dtype=bool)
            hits[self._present] = shapely.intersects(self.geometries[self._present], box)
            mask &= hits
        if query.cql is not None:
            mask &= evaluate(self.gdf, query.cql)
        if query.datetime is not None:
            mask &= self._during(query.datetime)
        positions = np.flatnonzero(mask)
        if query.sortby:
            positions = self._sorted(positions, query.sortby)
        page = positions[query.offset : query.offset + query.limit]
        return Page(positions=page, number_matched=int(len(positions)))

    def _during(self, interval: Interval) -> np.ndarray:
        """Features whose temporal property intersects ``interval`` (none without one)."""
        bounds = self.temporal_bounds()
        if bounds is None:
            return np.zeros(len(self.ids), dtype=bool)
        return intersecting(interval, bounds)

    def temporal_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Each feature's time span (geo.temporal.spans), computed once; None if untimed."""
        column = self.schema.temporal
        if column is None:
            return None
        if self._spans is None:
            self._spans = spans(self.frame[column])
        return self._spans

    def _equals(self, name: str, value: str) -> np.ndarray:
        column = self.columns[name]
        series = self.frame[name]
        if column.dtype in ("int", "float"):
            try:
                number = float(value)
            except ValueError:
                raise InvalidParameterError(f"{name} must be a number", name) from None
            return series.map(lambda v: v is not None and float(v) == number).to_numpy(bool)
        if column.dtype == "bool":
            if value.lower() not in ("true", "false"):
                raise InvalidParameterError(f"{name} must be true or false", name)
            return series.map(lambda v: v is not None and bool(v) == (value.lower() == "true"))\
                .to_numpy(bool)
        return series.map(lambda v: v is not None and str(v) == value).to_numpy(bool)

    def _sorted(self, positions: np.ndarray, keys: Iterable[tuple[str, bool]]) -> np.ndarray:
        sub = self.frame.iloc[positions]
        order = list(keys)
        sub = sub.sort_values(
            by=[k for k, _ in order], ascending=[a for _, a in order], na_position="last",
            kind="stable",
        )
        return sub.index.to_numpy()

    def feature_bytes(self, i: int, crs: str, properties: tuple[str, ...] | None) -> bytes:
        """One serialised GeoJSON Feature (whole-feature bytes cached per CRS)."""
        if properties is None:
            if crs not in self._feature_json:
                geoms = self.geometry_json(crs)
                self._feature_json[crs] = [
                    b'{"type":"Feature","id":%s,"geometry":%s,"properties":%s}' % (
                        self._id_json[k], geoms[k], self._properties_json[k])
                    for k in range(len(self.ids))]
            return self._feature_json[crs][i]
        props = orjson.dumps({k: self.records[i][k] for k in properties})
        return b'{"type":"Feature","id":%s,"geometry":%s,"properties":%s}' % (
            self._id_json[i], self.geometry_json(crs)[i], props)

    def feature(self, fid: str) -> int:
        """Row position of feature ``fid`` or raise ``FeatureNotFoundError``."""
        try:
            return self.position[fid]
        except KeyError:
            raise FeatureNotFoundError(
                f"collection {self.name!r} has no feature {fid!r}", collection=self.name
            ) from None

    def feature_schema(self, uri: str) -> dict:
        """JSON Schema of a whole GeoJSON Feature, the shape GDAL's OAPIF driver reads.

        GDAL 3.6 types its fields from a ``describedBy`` schema by building an example
        Feature from it (``properties.properties``, one scalar ``type`` per field, ``format:
        date`` for dates), instead of guessing from the first page - where a column that is
        null on that page would become text. Types are the schema's; a value may be null
        (no data), as each property's description says.
        """
        temporal = self.schema.temporal
        fields = {
            n: {"title": c.title, "type": GEOJSON_TYPES[c.dtype],
                **({"format": "date"} if n == temporal and c.dtype == "string" else {}),
                # GDAL reads one scalar "type"; OpenAPI's "nullable" says null is allowed
                **({"nullable": True} if c.nullable else {}),
                **({"description": c.description} if c.description else {})}
            for n, c in self.columns.items()}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": uri,
            "title": self.title,
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": self._geometry_schema(),
                "properties": {"type": "object", "properties": fields},
            },
        }

    def _geometry_schema(self) -> dict:
        """The geometry's schema: one of the declared GeoJSON types, null if not required."""
        refs = [{"$ref": f"https://geojson.org/schema/{t}.json"}
                for t in sorted(self.schema.geometry_types)]
        if not self.schema.geometry_required:
            refs.append({"type": "null"})
        return refs[0] if len(refs) == 1 else {"oneOf": refs} if refs else {}

    def json_schema(self, uri: str, only_queryable: bool) -> dict:
        """JSON Schema of the features (queryables or the full ``describedby`` schema)."""
        cols = self.queryables() if only_queryable else self.columns
        props: dict[str, dict] = {
            n: {"title": c.title, "type": GEOJSON_TYPES[c.dtype],
                **({"description": c.description} if c.description else {})}
            for n, c in cols.items()
        }
        props["geometry"] = {"x-ogc-role": "primary-geometry", **self._geometry_schema()}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": uri,
            "type": "object",
            "title": self.title,
            "properties": props,
            "additionalProperties": not only_queryable,
        }
