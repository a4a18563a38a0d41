"""Write built layers to the file formats GIS staff load: GeoJSON, GeoPackage, CSV, FlatGeobuf.

GDAL (through pyogrio) does the encoding; we only choose the options that matter to users:
RFC 7946 GeoJSON in CRS84 with an ``id`` on every feature, a GeoPackage and FlatGeobuf whose
field types are the schema's (an int column with nulls stays an integer column: pandas'
nullable dtypes go to GDAL as they are), a CSV that Excel opens with Chinese intact (UTF-8
with BOM) and WKT geometry (plus lon/lat columns for point layers, after it), and the CSV's
``.csvt`` sidecar: GDAL's CSV driver, and QGIS through it, reads ``name.csvt`` beside
``name.csv`` for the column types; without it every column of a CSV is a string there.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.errors import UnsupportedFormatError
from geo.schema import LayerResult

FORMATS: dict[str, str] = {
    "geojson": ".geojson",
    "gpkg": ".gpkg",
    "csv": ".csv",
    "csvt": ".csvt",
    "fgb": ".fgb",
}
# OGR field type names of the .csvt sidecar (GDAL CSV driver), per schema dtype
CSVT_TYPES = {"string": "String", "int": "Integer", "float": "Real", "bool": "Integer(Boolean)"}
INT32_MAX = 2**31 - 1


def check_format(fmt: str) -> str:
    """Return ``fmt`` normalised, or raise ``UnsupportedFormatError``."""
    norm = fmt.lower().lstrip(".")
    if norm not in FORMATS:
        raise UnsupportedFormatError(
            f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", format=fmt
        )
    return norm


def _for_gdal(result: LayerResult) -> gpd.GeoDataFrame:
    """The frame as pyogrio writes it with the schema's field types, nulls kept.

    Strings go as Python objects (None for null); nullable ints (``Int64``) and booleans stay
    masked arrays, which pyogrio writes as Integer64 / Integer(Boolean) fields with nulls
    (an int column with a null was once cast to float and arrived as Real).
    """
    gdf = result.gdf.copy()
    for col in result.layer.schema.columns:
        if col.dtype == "string":
            gdf[col.name] = gdf[col.name].astype(object).where(gdf[col.name].notna(), None)
    return gdf


def _geometry_type(result: LayerResult) -> str:
    types = result.layer.schema.geometry_types
    if types <= {"Point"}:
        return "Point"
    if types <= {"Polygon", "MultiPolygon"}:
        return "MultiPolygon"
    if types <= {"LineString", "MultiLineString"}:
        return "MultiLineString"
    return "Unknown"


def write(result: LayerResult, fmt: str, path: Path) -> Path:
    """Write ``result`` to ``path`` in ``fmt`` (replacing any existing file) and return the path."""
    fmt = check_format(fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if fmt == "csv":
        _write_csv(result, path)
        return path
    if fmt == "csvt":
        path.write_text(csvt_line(result) + "\n", encoding="utf-8")
        return path
    gdf = _for_gdal(result)
    gtype = _geometry_type(result)
    promote = gtype.startswith("Multi")
    if fmt == "geojson":
        # GDAL moves the ID_FIELD column out of the properties; write a copy so the id
        # attribute (e.g. adcode) stays a property as well as the feature ``id``.
        gdf.insert(0, "_feature_id", gdf[result.layer.schema.id_column])
        pyogrio.write_dataframe(
            gdf, path, driver="GeoJSON", promote_to_multi=promote,
            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 6,
                           "ID_FIELD": "_feature_id", "WRITE_NAME": "NO"},
        )
    elif fmt == "gpkg":
        write_gpkg_layer(result, path)
    else:
        # FlatGeobuf's packed R-tree cannot hold rows without geometry (parks with no known
        # county); those layers are written without the index rather than losing the rows.
        has_nulls = bool(gdf.geometry.isna().any())
        pyogrio.write_dataframe(
            gdf, path, driver="FlatGeobuf", promote_to_multi=promote, geometry_type=gtype,
            layer=result.layer.name, layer_options={"SPATIAL_INDEX": "NO" if has_nulls else "YES"},
        )
    return path


def write_gpkg_layer(result: LayerResult, path: Path) -> None:
    """Add ``result`` as one table of a GeoPackage (creating the file if needed)."""
    gtype = _geometry_type(result)
    pyogrio.write_dataframe(
        _for_gdal(result), path, driver="GPKG", layer=result.layer.name,
        promote_to_multi=gtype.startswith("Multi"), geometry_type=gtype, append=path.exists(),
        # GeoPackage 1.2: GDAL 3.6 / QGIS 3.22 (Debian 12) warn on the newer 1.4 default.
        dataset_options={"VERSION": "1.2"},
        layer_options={"IDENTIFIER": result.layer.title, "DESCRIPTION": result.layer.description},
    )


def _write_csv(result: LayerResult, path: Path) -> None:
    # Columns: the schema's, then wkt, then lon/lat for points - the order csvt_line types.
    # The items CSV (schema columns + wkt) is a prefix of it, so the same sidecar fits both.
    gdf = result.gdf
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    geoms = gdf.geometry
    df["wkt"] = [None if g is None else shapely.to_wkt(g, rounding_precision=6) for g in geoms]
    if result.layer.schema.is_points:
        at = geoms.representative_point()  # the point itself (a MultiPoint: one of its own)
        df["lon"] = at.x.round(6)
        df["lat"] = at.y.round(6)
    df.to_csv(path, index=False, encoding="utf-8-sig")


def csvt_line(result: LayerResult) -> str:
    """The ``.csvt`` line of the layer's CSV: one quoted OGR type per column, in order.

    GDAL matches the types to the columns by position (extra types are ignored), so this
    line also types ``items?f=csv`` of the whole layer, whose columns are a prefix. An int
    column whose values pass 2^31-1 is ``Integer64``.
    """
    gdf = result.gdf
    types = []
    for col in result.layer.schema.columns:
        kind = CSVT_TYPES[col.dtype]
        if col.dtype == "int" and gdf[col.name].notna().any() and (
                gdf[col.name].abs().max() > INT32_MAX):
            kind = "Integer64"
        types.append(kind)
    types.append("WKT")
    if result.layer.schema.is_points:
        types += ["Real", "Real"]
    return ",".join(f'"{t}"' for t in types)
