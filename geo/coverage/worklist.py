"""The gap polygons as a work list for field teams: ranked, named, slivers handled, exported.

A run's ``gaps.geojson`` is every uncovered patch of a required zone, straight from the
raster: a county can have hundreds, many of them one to four cells left between two discs.
A planner sending teams out needs the opposite: few, named, ordered items. So the work list

* **handles slivers**: a gap below ``min_area_km2`` (``ATLAS_GAP_MIN_AREA_KM2``, default
  0.05 km², five 100 m cells) is merged into the largest gap of the same county and kind
  that touches it, else dropped; how many were merged and dropped (and the area dropped) is
  reported with the list, so nothing disappears silently. "Touching" allows half a grid cell
  (``touch_m``), because the run simplifies its polygons by half a cell: two patches that met
  on the grid (also at a corner) can end up that far apart. Slivers merge into a gap at or
  above the minimum only (a cluster of slivers is still not worth a trip);
* **ranks** by the plan's required tier first (全深度覆盖 > 主城区连续覆盖 > 县城, i.e. the
  counties the plan does not name, whose required zone is the county seat) and then by area,
  largest first: the plan's priority decides, area orders within it;
* **names** each gap by county and by township (the positioned township point inside the
  gap nearest its centre, else the county's nearest one): the shipped GeoNames points by
  default, completed by ATLAS_TOWNSHIPS_FILE (geo.coverage.inputs.township_points); where a
  county has no positioned township the township is null and ``township_note`` says why;
* gives one **centre point** per gap in WGS84 (GPS, 奥维, QGIS) and GCJ-02 (高德 and Tencent
  maps, what field staff's phones show): the centroid when it lies inside the gap, else a
  point on its surface (a ring-shaped gap's centroid is a covered spot).

Exports: XLSX (one row per gap, Chinese headers, numbers as numbers, a 说明 sheet with the
run and the sliver counts) and KML (one Placemark per gap, Chinese name and description,
WGS84 polygons) written by GDAL's KML driver through pyogrio.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

from geo.admin import GANZHOU_COUNTIES
from geo.coords import wgs84_to_gcj02
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.tabular import neutralise

FULL_DEPTH = "全深度覆盖"
MAIN_URBAN_TIER = "主城区连续覆盖"
SEAT_ONLY_LABEL = "县城（规划未点名梯次）"
TIER_ORDER = {FULL_DEPTH: 0, MAIN_URBAN_TIER: 1}  # any other tier: 2 (the county seat only)
KIND_LABELS = {"main_urban": "主城区缺口", "full_depth_county": "全域缺口（主城区以外）"}
NO_TOWNSHIPS = "无乡镇点位数据，未按乡镇命名（设置 ATLAS_TOWNSHIPS_FILE 后按乡镇点位命名）"
NO_COUNTY_TOWNSHIPS = "本区县无已定位的乡镇点位（可设置 ATLAS_TOWNSHIPS_FILE 补充）"
INSIDE = "乡镇点位位于缺口内"
NEAREST = "缺口外最近的乡镇点位（距缺口中心 {km:.1f} km）"
CENTRE_NOTE = "中心点：缺口质心；质心落在缺口外时取缺口内一点"

COLUMNS = ("id", "rank", "adcode", "county", "township", "township_note", "fiveg_tier",
           "tier_label", "gap_kind", "gap_kind_label", "area_km2", "merged_slivers",
           "centre_lon", "centre_lat", "centre_lon_gcj02", "centre_lat_gcj02", "name")
XLSX_HEADERS = {
    "rank": "排名", "id": "编号", "county": "区县", "adcode": "区县代码", "township": "乡镇",
    "township_note": "乡镇说明", "tier_label": "覆盖梯次", "gap_kind_label": "缺口类型",
    "area_km2": "面积(km²)", "merged_slivers": "并入碎片数",
    "centre_lon": "中心经度(WGS84)", "centre_lat": "中心纬度(WGS84)",
    "centre_lon_gcj02": "中心经度(GCJ-02)", "centre_lat_gcj02": "中心纬度(GCJ-02)",
}
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
_TO_METRIC = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)


@dataclass(frozen=True)
class WorkList:
    """The ranked gaps (``gaps``, WGS84, columns ``COLUMNS``) and what the sliver rule did."""

    gaps: gpd.GeoDataFrame
    min_area_km2: float
    gaps_in_run: int
    slivers_merged: int
    slivers_dropped: int
    dropped_area_km2: float
    township_note: str | None

    def members(self) -> dict:
        """The sliver rule's counts, as top-level members of the collection's pages."""
        return {
            "gap_min_area_km2": self.min_area_km2, "gaps_in_run": self.gaps_in_run,
            "slivers_merged": self.slivers_merged, "slivers_dropped": self.slivers_dropped,
            "slivers_dropped_area_km2": self.dropped_area_km2,
            "worklist_note": self.note(),
        }

    def note(self) -> str:
        """One Chinese sentence a planner reads next to the list."""
        text = (f"按覆盖梯次（全深度覆盖 > 主城区连续覆盖 > 县城）再按面积排序；小于 "
                f"{self.min_area_km2:g} km² 的碎片：{self.slivers_merged} 个并入相邻同区县同类型"
                f"缺口，{self.slivers_dropped} 个无相邻缺口而删除（共 "
                f"{self.dropped_area_km2:g} km²）。{CENTRE_NOTE}。")
        return text + (self.township_note or "")


def tier_label(tier: str | None) -> str:
    """The tier as the work list shows it (untiered counties: the county seat, 县城)."""
    return tier if tier in TIER_ORDER else SEAT_ONLY_LABEL


def work_list(gaps: gpd.GeoDataFrame, tiers: Mapping[str, str],
              townships: pd.DataFrame | None, min_area_km2: float = 0.05,
              touch_m: float = 50.0) -> WorkList:
    """The work list of a run's gap polygons (``id, adcode, gap_kind, area_km2``, WGS84).

    ``tiers`` maps adcode -> the plan's 5G tier; ``townships`` has ``name, lon, lat,
    county_adcode`` (NaN lon/lat: unpositioned, skipped; or None); ``touch_m``: how far
    apart two gaps may be and still count as touching (half the run's cell size, see the
    module docstring).
    """
    metric = gaps.to_crs(METRIC_CRS).reset_index(drop=True) if len(gaps) else \
        gpd.GeoDataFrame({"id": [], "adcode": [], "gap_kind": [], "area_km2": []},
                         geometry=gpd.GeoSeries([], crs=METRIC_CRS))
    kept, merged, dropped, dropped_km2 = _handle_slivers(metric, min_area_km2, touch_m)
    kept["fiveg_tier"] = kept["adcode"].map(lambda a: tiers.get(a))
    order = kept["fiveg_tier"].map(lambda t: TIER_ORDER.get(t, 2))
    kept = kept.assign(_order=order).sort_values(
        ["_order", "area_km2", "adcode", "id"], ascending=[True, False, True, True],
        kind="stable").drop(columns="_order").reset_index(drop=True)
    kept["rank"] = np.arange(1, len(kept) + 1)
    kept["id"] = [f"gap-{r}" for r in kept["rank"]]
    kept["county"] = kept["adcode"].map(lambda a: GANZHOU_COUNTIES.get(a, a))
    kept["tier_label"] = kept["fiveg_tier"].map(tier_label)
    kept["gap_kind_label"] = kept["gap_kind"].map(lambda k: KIND_LABELS.get(k, k))
    centre = [_centre(g) for g in kept.geometry]
    cx = np.array([c.x for c in centre], float)
    cy = np.array([c.y for c in centre], float)
    lon, lat = _TO_LONLAT.transform(cx, cy) if len(kept) else (cx, cy)
    glon, glat = wgs84_to_gcj02(lon, lat)
    kept["centre_lon"], kept["centre_lat"] = np.round(lon, 6), np.round(lat, 6)
    kept["centre_lon_gcj02"], kept["centre_lat_gcj02"] = np.round(glon, 6), np.round(glat, 6)
    names, notes = _townships(kept, centre, townships)
    kept["township"] = pd.Series(names, index=kept.index, dtype=object)
    kept["township_note"] = notes
    kept["name"] = [_name(r) for r in kept.itertuples()]
    out = gpd.GeoDataFrame(kept[list(COLUMNS)], geometry=kept.geometry.to_numpy(),
                           crs=METRIC_CRS).to_crs(STORAGE_CRS)
    return WorkList(out, min_area_km2, len(metric), merged, dropped, round(dropped_km2, 4),
                    NO_TOWNSHIPS if townships is None else None)


def _handle_slivers(metric: gpd.GeoDataFrame, min_area_km2: float,
                    touch_m: float) -> tuple[pd.DataFrame, int, int, float]:
    """Merge each sliver into the largest touching keeper of its county and kind, else drop.

    Returns the kept rows (metric CRS, ``merged_slivers`` counted), merged, dropped, km²
    dropped. Each sliver is decided against the keepers alone, so the order does not matter.
    """
    area = metric["area_km2"].to_numpy(float)
    keeper = area >= min_area_km2
    keepers = metric[keeper]
    tree = shapely.STRtree(keepers.geometry.to_numpy())
    into: dict[int, list[int]] = {}
    dropped, dropped_km2 = 0, 0.0
    for i in np.flatnonzero(~keeper):
        row = metric.iloc[i]
        near = keepers.iloc[tree.query(row.geometry, predicate="dwithin", distance=touch_m)]
        near = near[(near["adcode"] == row["adcode"]) & (near["gap_kind"] == row["gap_kind"])]
        if near.empty:
            dropped, dropped_km2 = dropped + 1, dropped_km2 + float(area[i])
            continue
        target = near.sort_values(["area_km2", "id"], ascending=[False, True]).index[0]
        into.setdefault(int(target), []).append(int(i))
    kept = keepers.copy()
    kept["merged_slivers"] = 0
    for target, slivers in into.items():
        geoms = [metric.geometry.iloc[target], *metric.geometry.iloc[slivers]]
        kept.loc[target, "geometry"] = shapely.union_all(geoms)
        kept.loc[target, "area_km2"] = round(float(area[[target, *slivers]].sum()), 4)
        kept.loc[target, "merged_slivers"] = len(slivers)
    merged = sum(len(s) for s in into.values())
    return kept, merged, dropped, dropped_km2


def _centre(geom) -> shapely.Point:
    centroid = geom.centroid
    return centroid if geom.contains(centroid) else geom.point_on_surface()


def _townships(kept: pd.DataFrame, centre: list, townships: pd.DataFrame | None):
    """Per gap: the township name and how it was chosen (or why there is none)."""
    if townships is None:
        return [None] * len(kept), [NO_TOWNSHIPS] * len(kept)
    # the unpositioned townships (NaN lon/lat) cannot name a gap
    townships = townships[townships["lon"].notna() & townships["lat"].notna()]
    tx, ty = _TO_METRIC.transform(townships["lon"].to_numpy(float),
                                  townships["lat"].to_numpy(float))
    points = shapely.points(tx, ty)
    county = townships["county_adcode"].to_numpy(object)
    names = townships["name"].astype(str).to_numpy(object)
    out_names: list[str | None] = []
    out_notes: list[str] = []
    for geom, c, adcode in zip(kept.geometry, centre, kept["adcode"], strict=True):
        mine = np.flatnonzero(county == adcode)
        if not len(mine):
            out_names.append(None)
            out_notes.append(NO_COUNTY_TOWNSHIPS)
            continue
        dist = shapely.distance(points[mine], c)
        inside = shapely.contains(geom, points[mine])
        pick = mine[np.argmin(np.where(inside, dist, np.inf))] if inside.any() \
            else mine[np.argmin(dist)]
        out_names.append(str(names[pick]))
        out_notes.append(INSIDE if inside.any() else
                         NEAREST.format(km=float(dist.min()) / 1000))
    return out_names, out_notes


def _name(r) -> str:
    place = r.county + _text(r.township, "")
    return f"第{r.rank}名 {place} {r.gap_kind_label} {r.area_km2:.2f} km²"


def _text(value, empty: str) -> str:
    """``value`` as text, ``empty`` for a missing one (pandas may hold None as NaN)."""
    return empty if value is None or value is pd.NA or value != value else str(value)


def _description(r) -> str:
    lines = [f"排名：{r.rank}", f"区县：{r.county}（{r.adcode}）",
             f"乡镇：{_text(r.township, '—')}（{r.township_note}）",
             f"覆盖梯次：{r.tier_label}", f"缺口类型：{r.gap_kind_label}",
             f"面积：{r.area_km2:.3f} km²（并入碎片 {r.merged_slivers} 个）",
             f"中心点 WGS84：{r.centre_lon:.6f}, {r.centre_lat:.6f}",
             f"中心点 GCJ-02（高德/腾讯地图）：{r.centre_lon_gcj02:.6f}, "
             f"{r.centre_lat_gcj02:.6f}",
             "覆盖为规划近似（站点覆盖圆盘），不是无线传播预测；现场核实后再定站址。"]
    return "\n".join(lines)


def worklist_about(members: Mapping[str, object]) -> dict[str, object]:
    """The 说明 sheet's facts, in Chinese, from the gaps collection's members."""
    current = members.get("coverage_current")
    return {
        "情景年份": members.get("scenario"), "统计口径": members.get("data_basis_label"),
        "频段": members.get("band"), "覆盖模型": members.get("coverage_model"),
        "计算时间(UTC)": members.get("coverage_computed_at"),
        "是否反映当前站点": "是" if current else "否（后台正在重算，稍后再下载）",
        "运行中缺口数": members.get("gaps_in_run"),
        "最小缺口面积(km²)": members.get("gap_min_area_km2"),
        "并入的碎片数": members.get("slivers_merged"),
        "删除的碎片数": members.get("slivers_dropped"),
        "删除的碎片面积(km²)": members.get("slivers_dropped_area_km2"),
    }


def worklist_xlsx(wl: WorkList, about: Mapping[str, object]) -> bytes:
    """One row per gap with Chinese headers, and a 说明 sheet (``about``: run facts)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "缺口工作清单"
    names = list(XLSX_HEADERS)
    sheet.append([XLSX_HEADERS[n] for n in names])
    for row in wl.gaps[names].itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    formats = {"area_km2": "0.000", "centre_lon": "0.000000", "centre_lat": "0.000000",
               "centre_lon_gcj02": "0.000000", "centre_lat_gcj02": "0.000000"}
    for j, name in enumerate(names, start=1):
        letter = get_column_letter(j)
        sheet.column_dimensions[letter].width = 24 if "note" in name else 14
        if name in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = formats[name]
    sheet.freeze_panes = "A2"
    info = book.create_sheet("说明")
    for key, value in [*about.items(), ("排序与碎片处理", wl.note()),
                       ("坐标说明", "WGS84 用于 GPS、奥维、QGIS；GCJ-02 用于高德、腾讯地图")]:
        info.append([_cell(key), _cell(value)])
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _cell(value):
    """A spreadsheet cell: numbers as numbers, texts formula-neutralised, NA as empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return neutralise(value) if isinstance(value, str) else value


def worklist_kml(wl: WorkList, title: str) -> bytes:
    """KML for field teams: one Placemark per gap (Chinese name and description), WGS84."""
    frame = wl.gaps.copy()
    frame["description"] = [_description(r) for r in frame.itertuples()]
    frame = frame[["name", "description", "rank", "adcode", "county", "township",
                   "gap_kind", "area_km2", "centre_lon_gcj02", "centre_lat_gcj02",
                   "geometry"]]
    frame["township"] = frame["township"].astype(object)
    frame["rank"] = frame["rank"].astype("int32")  # GDAL's KML driver types int64 as text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gaps.kml"
        # the driver's defaults: the Name and Description fields become the Placemark's
        pyogrio.write_dataframe(frame.rename(columns={"name": "Name",
                                                      "description": "Description"}),
                                path, driver="KML", layer=title)
        return path.read_bytes()
