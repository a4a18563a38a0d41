"""A recommendation as files: GeoJSON, CSV, XLSX (Chinese headers, field names beside them)
and KML for field teams, every one labelled as a model recommendation.

The XLSX follows ``geo.tabular`` (row 1 Chinese titles, row 2 field names, formula-safe
texts) with a 区县汇总 sheet (per county: sites, coverage before/after, certificate) and a
说明 sheet (what it was computed from). The CSV header is ``中文(field)``. The KML has one
Placemark per site (WGS84, a Chinese name and description with the GCJ-02 position).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.coverage.recommend.plan import CAVEAT, LABEL, Recommendation
from geo.crs import STORAGE_CRS
from geo.schema import Column, LayerSchema
from geo.tabular import csv_bytes, neutralise, xlsx_bytes

FORMATS = ("geojson", "csv", "xlsx", "kml")
SITE_COLUMNS = (
    Column("rank", "int", "排名", "order of the greedy picks"),
    Column("adcode", "string", "区县代码"), Column("county", "string", "区县"),
    Column("lon", "float", "经度(WGS84)"), Column("lat", "float", "纬度(WGS84)"),
    Column("lon_gcj02", "float", "经度(GCJ-02)", "for 高德/腾讯 maps"),
    Column("lat_gcj02", "float", "纬度(GCJ-02)"),
    Column("setting", "string", "位置类型代码", "urban/rural"),
    Column("setting_label", "string", "位置类型"),
    Column("radius_m", "float", "覆盖半径(米)"),
    Column("gain_km2", "float", "新增覆盖(km²)", "required-zone area newly covered"),
    Column("gain_weight", "float", "加权收益", "weighted demand newly covered"),
    Column("townships_covered", "int", "新覆盖乡镇点位数"),
    Column("demand_type", "string", "覆盖的需求类型"),
    Column("county_coverage_pct", "float", "本区县必须覆盖区域累计覆盖率%"),
    Column("cumulative_coverage_pct", "float", "所选区县累计覆盖率%"),
)
SITES_SCHEMA = LayerSchema(SITE_COLUMNS, "rank", frozenset({"Point"}))
COUNTY_HEADERS = {
    "adcode": "区县代码", "county": "区县", "fiveg_tier": "5G覆盖梯次",
    "required_zone": "必须覆盖区域", "sites_recommended": "建议新增站数",
    "sites_quota": "达标还需站数", "required_km2": "必须覆盖面积(km²)",
    "coverage_before_pct": "现状覆盖率%", "coverage_after_pct": "建议后覆盖率%",
    "gap_left_km2": "剩余缺口(km²)", "gain_km2": "新增覆盖(km²)",
    "townships_positioned": "有位置的乡镇数", "stop_reason": "停止原因",
    "greedy_within_pct": "贪心解/最优上界%", "bound_all_candidates_pct": "贪心解/全候选上界%",
}
ABOUT_TITLES = {
    "label": "说明", "caveat": "注意", "mode": "模式", "sites_requested": "请求站数",
    "target_year": "目标年份", "sites_recommended": "建议站数", "scenario": "情景年份",
    "data_basis": "统计口径", "band": "频段", "resolution_m": "栅格(米)",
    "coverage_model": "覆盖模型", "weights_text": "需求权重", "computed_at": "计算时间(UTC)",
    "scope": "规划范围",
}


def site_features(rec: Recommendation) -> dict:
    """The ranked sites as a GeoJSON FeatureCollection (WGS84) with the label members."""
    names = [c.name for c in SITE_COLUMNS]
    features = [{"type": "Feature", "id": int(r["rank"]),
                 "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {n: _plain(r[n]) for n in names}}
                for r in rec.sites.to_dict("records")]
    return {"type": "FeatureCollection", "name": LABEL, "features": features}


def county_rows(rec: Recommendation) -> list[dict]:
    """The per-county summary as JSON rows (certificate nested)."""
    rows = rec.counties.astype(object).where(rec.counties.notna(), None).to_dict("records")
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


def _county_frame(rec: Recommendation) -> pd.DataFrame:
    frame = rec.counties.copy()
    frame["bound_all_candidates_pct"] = [
        None if c is None else c.get("ratio_all_candidates_pct") for c in frame["certificate"]]
    return frame[list(COUNTY_HEADERS)]


def to_csv(rec: Recommendation) -> bytes:
    """The ranked sites as CSV, headers ``中文(field)``."""
    frame = rec.sites[[c.name for c in SITE_COLUMNS]]
    return csv_bytes(frame.rename(columns={c.name: f"{c.title}({c.name})"
                                           for c in SITE_COLUMNS}))


def to_xlsx(rec: Recommendation, about: dict) -> bytes:
    """Sites (Chinese titles + field names), 区县汇总 and 说明 sheets."""
    from openpyxl import load_workbook

    content = xlsx_bytes(rec.sites[[c.name for c in SITE_COLUMNS]], "建议新增站址",
                         SITES_SCHEMA)
    book = load_workbook(io.BytesIO(content))
    summary = book.create_sheet("区县汇总")
    frame = _county_frame(rec)
    summary.append([COUNTY_HEADERS[n] for n in frame.columns])
    summary.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        summary.append([_cell(v) for v in row])
    summary.freeze_panes = "A3"
    info = book.create_sheet("说明")
    for key, title in ABOUT_TITLES.items():
        if key in about:
            info.append([title, _cell(about[key])])
    info.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _cell(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    value = _plain(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise(value) if isinstance(value, str) else value


def to_kml(rec: Recommendation, title: str = LABEL) -> bytes:
    """One Placemark per site (WGS84), Chinese name and description."""
    s = rec.sites
    frame = gpd.GeoDataFrame({
        "Name": [f"建议站址 #{r} {c}" for r, c in zip(s["rank"], s["county"], strict=True)],
        "Description": [
            f"{LABEL}\n排名 {r.rank}，{r.county}（{r.adcode}），{r.setting_label}宏站，半径 "
            f"{r.radius_m:g} 米，新增覆盖 {r.gain_km2:g} km²，覆盖需求：{r.demand_type}\n"
            f"GCJ-02（高德/腾讯）：{r.lon_gcj02:.6f}, {r.lat_gcj02:.6f}\n{CAVEAT}"
            for r in s.itertuples()],
        "rank": s["rank"].astype("int32"), "adcode": s["adcode"].astype(object),
        "gain_km2": s["gain_km2"].astype(float)},
        geometry=gpd.points_from_xy(s["lon"], s["lat"]), crs=STORAGE_CRS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sites.kml"
        pyogrio.write_dataframe(frame, path, driver="KML", layer=title)
        return path.read_bytes()


def write_file(rec: Recommendation, path: Path, about: dict | None = None) -> None:
    """Write ``rec`` to ``path`` in the format its suffix names (.geojson/.csv/.xlsx/.kml)."""
    from geo.errors import UnsupportedFormatError

    kind = path.suffix.lower().lstrip(".")
    kind = "geojson" if kind == "json" else kind
    if kind not in FORMATS:
        raise UnsupportedFormatError(f"--out 须为 .geojson/.csv/.xlsx/.kml (unknown format "
                                     f"{path.suffix!r})", format=path.suffix)
    about = about or rec.about
    if kind == "geojson":
        doc = {**site_features(rec), "counties": county_rows(rec),
               "about": {k: v for k, v in about.items() if k != "coverage_fingerprint"}}
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    elif kind == "csv":
        data = to_csv(rec)
    elif kind == "xlsx":
        data = to_xlsx(rec, about)
    else:
        data = to_kml(rec)
    tmp = path.with_name(f".{path.name}.tmp")  # never a half-written file under the name
    tmp.write_bytes(data)
    os.replace(tmp, path)
