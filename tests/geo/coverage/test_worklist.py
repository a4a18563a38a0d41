"""The gap work list: ranking, the sliver rule, township names and the XLSX/KML exports.

Every case is built from boxes in EPSG:4547 around 章贡区's seat, so the expected ranks and
counts follow from the geometry alone.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from geo.coverage.model import to_metric
from geo.coverage.worklist import (
    NO_TOWNSHIPS,
    XLSX_HEADERS,
    work_list,
    worklist_kml,
    worklist_xlsx,
)
from geo.crs import METRIC_CRS

TIERS = {"360702": "全深度覆盖", "360731": "主城区连续覆盖", "360735": "未点名"}
X0, Y0 = (float(v[0]) for v in to_metric([114.935], [25.832]))


def _gaps(rows: list[tuple[str, str, str, tuple[float, float, float, float]]]):
    """Gaps from (id, adcode, kind, box offsets in metres from the seat)."""
    geoms = [box(X0 + a, Y0 + b, X0 + c, Y0 + d) for *_, (a, b, c, d) in rows]
    return gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "adcode": [r[1] for r in rows],
         "gap_kind": [r[2] for r in rows], "area_km2": [g.area / 1e6 for g in geoms]},
        geometry=geoms, crs=METRIC_CRS).to_crs(4326)


# Positions are schematic (all near one seat); only the adcode decides the tier.
CASE = _gaps([
    ("seat-small", "360735", "main_urban", (20_000, 0, 22_000, 2_000)),  # 4 km², 县城
    ("urban-big", "360731", "main_urban", (0, 10_000, 3_000, 13_000)),  # 9 km², 主城区连续
    ("full-1", "360702", "full_depth_county", (0, 0, 1_000, 1_000)),  # 1 km², 全深度
    ("full-2", "360702", "main_urban", (5_000, 0, 7_000, 1_000)),  # 2 km², 全深度
    # slivers (0.05 km² minimum): 0.02 km² sharing an edge with full-1, 0.01 km² meeting
    # full-2 at a corner, 0.04 km² touching only full-2 but of another kind, 0.01 km² alone
    ("s-edge", "360702", "full_depth_county", (1_000, 0, 1_100, 200)),
    ("s-corner", "360702", "main_urban", (7_000, 1_000, 7_100, 1_100)),
    ("s-other-kind", "360702", "full_depth_county", (4_800, 0, 5_000, 200)),
    ("s-alone", "360702", "full_depth_county", (40_000, 0, 40_100, 100)),
    # a sliver next to a big gap of another county: not merged across counties
    ("s-other-county", "360735", "main_urban", (3_000, 10_000, 3_100, 10_100)),
])


def test_ranking_puts_the_plan_tier_first_then_area():
    wl = work_list(CASE, TIERS, None)
    assert wl.gaps["adcode"].tolist() == ["360702", "360702", "360731", "360735"]
    assert wl.gaps["area_km2"].tolist() == pytest.approx([2.01, 1.02, 9.0, 4.0])
    assert wl.gaps["rank"].tolist() == [1, 2, 3, 4]
    assert wl.gaps["id"].tolist() == ["gap-1", "gap-2", "gap-3", "gap-4"]
    assert wl.gaps["tier_label"].tolist() == ["全深度覆盖", "全深度覆盖", "主城区连续覆盖",
                                              "县城（规划未点名梯次）"]
    assert wl.gaps["county"].tolist() == ["章贡区", "章贡区", "于都县", "石城县"]
    assert wl.gaps["name"].iloc[0] == "第1名 章贡区 主城区缺口 2.01 km²"


def test_slivers_merge_into_a_touching_gap_of_the_same_county_and_kind_else_drop():
    wl = work_list(CASE, TIERS, None)
    assert (wl.gaps_in_run, wl.slivers_merged, wl.slivers_dropped) == (9, 2, 3)
    assert wl.dropped_area_km2 == pytest.approx(0.04 + 0.01 + 0.01)
    assert wl.gaps["merged_slivers"].tolist() == [1, 1, 0, 0]
    members = wl.members()
    assert members["slivers_merged"] == 2 and members["slivers_dropped"] == 3
    assert members["gap_min_area_km2"] == 0.05 and "2 个并入" in members["worklist_note"]
    # the merged gap's outline holds the sliver's area too
    metric = wl.gaps.to_crs(METRIC_CRS)
    assert metric.area.iloc[1] / 1e6 == pytest.approx(1.02, rel=1e-6)


def test_the_minimum_is_a_setting():
    assert work_list(CASE, TIERS, None, min_area_km2=0).slivers_dropped == 0
    assert len(work_list(CASE, TIERS, None, min_area_km2=0).gaps) == 9
    strict = work_list(CASE, TIERS, None, min_area_km2=5)  # only urban-big stays
    assert strict.gaps["id"].tolist() == ["gap-1"] and strict.gaps["area_km2"][0] == 9.0


def test_townships_name_gaps_when_given_and_the_note_says_why_not_otherwise():
    wl = work_list(CASE, TIERS, None)
    assert wl.gaps["township"].isna().all()
    assert set(wl.gaps["township_note"]) == {NO_TOWNSHIPS}
    inside = gpd.GeoSeries(gpd.points_from_xy([X0 + 6_000], [Y0 + 500]), crs=METRIC_CRS) \
        .to_crs(4326)
    towns = pd.DataFrame({"name": ["水东镇", "沙石镇"], "lon": [inside.x[0], 114.5],
                          "lat": [inside.y[0], 25.5], "county_adcode": ["360702", "360702"]})
    named = work_list(CASE, TIERS, towns)
    assert named.gaps["township"].tolist()[:2] == ["水东镇", "水东镇"]
    assert named.gaps["township_note"].iloc[0] == "乡镇点位位于缺口内"
    assert named.gaps["township_note"].iloc[1].startswith("缺口外最近的乡镇点位")
    assert named.gaps["township"].iloc[2] is None  # 于都县 has no township point
    assert named.gaps["name"].iloc[0].startswith("第1名 章贡区水东镇")


def test_centres_are_inside_and_gcj02_is_offset_by_hundreds_of_metres():
    ring = _gaps([("ring", "360702", "full_depth_county", (0, 0, 3_000, 3_000))])
    ring = ring.set_geometry([ring.geometry[0].difference(
        gpd.GeoSeries([box(X0 + 500, Y0 + 500, X0 + 2_500, Y0 + 2_500)], crs=METRIC_CRS)
        .to_crs(4326)[0])], crs=4326)
    wl = work_list(ring, TIERS, None)
    row = wl.gaps.iloc[0]
    point = gpd.points_from_xy([row["centre_lon"]], [row["centre_lat"]])[0]
    assert wl.gaps.geometry.iloc[0].contains(point)  # not the (covered) centroid
    dx = (row["centre_lon_gcj02"] - row["centre_lon"]) * 111_320 * math.cos(
        math.radians(row["centre_lat"]))
    dy = (row["centre_lat_gcj02"] - row["centre_lat"]) * 110_540
    assert 200 < math.hypot(dx, dy) < 1_000


def test_xlsx_has_chinese_headers_numeric_cells_and_an_explanation_sheet():
    wl = work_list(CASE, TIERS, None)
    book = openpyxl.load_workbook(io.BytesIO(worklist_xlsx(wl, {"情景年份": 2025})))
    sheet = book["缺口工作清单"]
    header = [c.value for c in sheet[1]]
    assert header == list(XLSX_HEADERS.values())
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)
    assert sheet.max_row == 1 + len(wl.gaps)
    col = {h: i for i, h in enumerate(header)}
    first = [c.value for c in sheet[2]]
    assert first[col["排名"]] == 1 and first[col["区县"]] == "章贡区"
    for name in ("面积(km²)", "中心经度(WGS84)", "中心纬度(GCJ-02)", "并入碎片数"):
        assert isinstance(first[col[name]], int | float), name
    assert first[col["中心经度(GCJ-02)"]] != first[col["中心经度(WGS84)"]]
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert about["情景年份"] == 2025 and "碎片" in about["排序与碎片处理"]


def test_xlsx_neutralises_formula_texts_from_a_townships_file():
    towns = pd.DataFrame({"name": ["=HYPERLINK(\"x\")"], "lon": [114.94], "lat": [25.84],
                          "county_adcode": ["360702"]})
    wl = work_list(CASE, TIERS, towns)
    sheet = openpyxl.load_workbook(io.BytesIO(worklist_xlsx(wl, {}))).active
    assert sheet.cell(2, 5).value.startswith("'=")


def test_kml_has_one_placemark_per_gap_readable_by_ogrinfo(tmp_path):
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo (GDAL) not installed")
    wl = work_list(CASE, TIERS, None)
    path = tmp_path / "gaps.kml"
    path.write_bytes(worklist_kml(wl, "5G覆盖缺口工作清单"))
    text = path.read_text("utf-8")
    assert text.count("<Placemark") == len(wl.gaps) == 4
    assert "<name>第1名 章贡区 主城区缺口 2.01 km²</name>" in text and "GCJ-02" in text
    out = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(path)], capture_output=True,
                         text=True, check=True).stdout
    assert f"Feature Count: {len(wl.gaps)}" in out
    assert 'ID["EPSG",4326]' in out or "WGS 84" in out


def test_an_empty_run_gives_an_empty_list():
    wl = work_list(CASE.iloc[:0], TIERS, None)
    assert len(wl.gaps) == 0 and wl.slivers_merged == wl.slivers_dropped == 0
    assert openpyxl.load_workbook(io.BytesIO(worklist_xlsx(wl, {}))).active.max_row == 1
