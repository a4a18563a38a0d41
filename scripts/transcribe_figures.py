#!/usr/bin/env python3
"""Transcribe every numeric figure of the five seeds into data/plan/targets_all.yaml.

Read straight from the seed texts (not from plan-facts). Each figure is one row: indicator
(Chinese, as the seed words it), unit, value in that unit, year, kind (baseline / target /
actual), scope (city / province / county / park) with its adcode, and a citation whose
verbatim quote contains the number. Table rows are cited by their whole tab-separated line;
where a table's unit sits in its header line, a second citation (``field: unit``) cites it.

The script checks, before writing, that every quote occurs in its cited line (whitespace
ignored) and that the figure's value is one of the numbers in the quote; tests/geo/
test_figures.py repeats the check independently on the written YAML.

Run: .venv/bin/python scripts/transcribe_figures.py
"""
# ruff: noqa: E501  (data tables: verbatim Chinese quotes are kept on one line)

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "plan" / "seeds"
OUT = REPO / "data" / "plan" / "targets_all.yaml"

PLACES = {
    "360000": "江西省", "360100": "南昌市", "360200": "景德镇市", "360300": "萍乡市",
    "360400": "九江市", "360500": "新余市", "360600": "鹰潭市", "360700": "赣州市",
    "360800": "吉安市", "360900": "宜春市", "361000": "抚州市", "361100": "上饶市",
    "360722": "信丰县", "360783": "龙南市",
}
GZ, JX = "360700", "360000"

GROUPS = {
    "gz_economy": "赣州数字经济规模",
    "gz_industry": "赣州数字产业化",
    "gz_digitalisation": "赣州产业数字化",
    "gz_governance": "赣州数字政务与民生",
    "gz_infrastructure": "赣州数字基础设施",
    "gz_sectors": "赣州重点产业阶段目标",
    "jx_economy": "江西数字经济规模",
    "jx_electronics": "江西电子信息与软件",
    "jx_emerging": "江西VR、物联网与大数据产业",
    "jx_digitalisation": "江西产业数字化",
    "jx_5g": "江西5G与移动网络",
    "jx_broadband": "江西千兆、出口带宽与IPv6",
    "jx_iot": "江西移动物联网",
    "jx_datacentre": "江西数据中心与算力",
    "jx_governance": "江西数字政务与公共服务",
}

FIGURES: list[dict[str, Any]] = []


def cite(src: str, line: int | str, quote: str, field: str | None = None) -> dict[str, str]:
    """One citation: seed prefix, line(s) and the verbatim quote."""
    c = {"src": src, "lines": str(line), "quote": quote}
    if field:
        c["field"] = field
    return c


def fig(id_: str, group: str, indicator: str, unit: str | None, value: float, year: int,
        kind: str, where: str, cites: list[dict], *, stated: str | None = None,
        cmp: str = "=", prop: str | None = None, note: str | None = None,
        scope: str | None = None, park: str | None = None, source_kind: str = "正文") -> None:
    """Append one figure row."""
    if scope is None:
        scope = "province" if where == JX else "county" if len(where) == 6 and \
            not where.endswith("00") else "city"
    FIGURES.append({
        "id": id_, "group": group, "group_zh": GROUPS[group], "indicator": indicator,
        "unit": unit, "value": value, "value_as_stated": stated or _fmt(value),
        "comparator": cmp, "year": year, "kind": kind, "property": prop,
        "scope": scope, "scope_name": PLACES[where], "adcode": where, "park_id": park,
        "source_kind": source_kind, "note": note, "citations": cites,
    })


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def table(id_: str, group: str, indicator: str, unit: str, src: str, line: int,
          values: dict[int, tuple[float, str]], *, where: str, prop: str | None,
          unit_cite: dict | None = None, base_year: int = 2020, note: str | None = None,
          source_kind: str = "指标表") -> None:
    """One figure per year cell of a target-table row (the row cited whole)."""
    text = _line(src, line)
    for year, (value, stated) in values.items():
        cmp = "≈" if "约" in stated or "左右" in stated else \
            ">" if ">" in stated or "以上" in stated else "="
        if "新增" in stated:
            cmp = "increase"
        if re.search(r"\d-\d", stated):
            cmp = "range"
        cites = [cite(src, line, text.strip())] + ([unit_cite] if unit_cite else [])
        fig(f"{id_}-{year}", group, indicator, unit, value, year,
            "baseline" if year == base_year else "target", where, cites, stated=stated,
            cmp=cmp, prop=prop, note=note, source_kind=source_kind)


_LINES: dict[str, list[str]] = {}


def _line(src: str, n: int) -> str:
    if src not in _LINES:
        path = next(SEEDS.glob(f"{src}_*.txt"))
        _LINES[src] = path.read_text("utf-8").splitlines()
    return _LINES[src][n - 1]


# ---------------------------------------------------------------------------------------
# 赣州 — 000 (“十四五”数字经济发展规划) and 001 (实施方案 2022)
# ---------------------------------------------------------------------------------------
L353 = ("2020 年，赣州市数字经济核心产业增加值为 241.2 亿元，占 GDP 比重达 6.6%；"
        "现价增速 16.9%")
fig("gz_core_va_2020_text", "gz_economy", "数字经济核心产业增加值", "亿元", 241.2, 2020,
    "baseline", GZ, [cite("000", 353, L353)], stated="241.2 亿元",
    note="正文为241.2亿元，表1取整为241、测算表为241.0")
fig("gz_core_share_2020_text", "gz_economy", "数字经济核心产业增加值占GDP比重", "%", 6.6,
    2020, "baseline", GZ, [cite("000", 353, L353)], stated="6.6%")
fig("gz_core_growth_2020", "gz_economy", "数字经济核心产业增加值现价增速", "%", 16.9, 2020,
    "baseline", GZ, [cite("000", 353, L353)], stated="16.9%")
fig("gz_rank_2021", "gz_economy", "“2021数字经济城市发展百强榜”排名", "位", 62, 2021,
    "actual", GZ, [cite("000", 353, "在“2021 数字经济城市发展百强榜”中赣州市排名第 62 位")],
    stated="第 62 位")
fig("gz_rank_goal_2025", "gz_economy", "全国数字经济百强城市排名", "名", 50, 2025, "target",
    GZ, [cite("001", 31, "到 2025 年，跻身全国数字经济百强城市前 50 名")], stated="前 50 名",
    cmp="<=")
fig("gz_core_va_2025_text", "gz_economy", "数字经济核心产业增加值", "亿元", 500, 2025, "target",
    GZ, [cite("000", 407, "力争到 2025 年，赣州市数字经济发展取得显著成效，数字经济核心产业"
                          "增加值达 500 亿元，占 GDP 比重达 9.6%")], stated="500 亿元")
fig("gz_core_share_2025_text", "gz_economy", "数字经济核心产业增加值占GDP比重", "%", 9.6,
    2025, "target", GZ, [cite("000", 407, "数字经济核心产业增加值达 500 亿元，占 GDP 比重达 "
                                         "9.6%")], stated="9.6%")
fig("gz_de_share_2025", "gz_economy", "数字经济增加值占地区生产总值比重", "%", 45, 2025,
    "target", GZ, [cite("001", 25, "努力实现规模倍增、占全市地区生产总值比重达到45%左右")],
    stated="45%左右", cmp="≈",
    note="001为数字经济总量口径（占GDP约45%），000的9.6%为数字经济核心产业口径，二者不可直接比较")
table("gz_core_va", "gz_economy", "数字经济核心产业增加值", "亿元", "000", 420,
      {2020: (241, "241"), 2023: (370, "370"), 2025: (500, "500")}, where=GZ, prop="预期性",
      note="表1数值；2023、2025年为测算值376.2、502.4的取整")
table("gz_core_share", "gz_economy", "数字经济核心产业增加值占GDP比重", "%", "000", 421,
      {2020: (6.6, "6.6%"), 2023: (8.3, "8.3%"), 2025: (9.6, "9.6%")}, where=GZ,
      prop="预期性")
# 测算表 (000:1328-1334): value added, share and GDP for every year 2020-2025
PROJ_HEAD = cite("000", 1328, "年份\t数字经济核心产业增加值（亿元）\t数字经济核心产业增加值增速\t"
                 "数字经济核心增加值占GDP比重\tGDP（亿元）\tGDP 增速", "unit")
for line, year in zip(range(1329, 1335), range(2020, 2026), strict=True):
    cells = _line("000", line).split("\t")
    kind = "baseline" if year == 2020 else "target"
    row = cite("000", line, _line("000", line).strip())
    fig(f"gz_proj_core_va-{year}", "gz_economy", "数字经济核心产业增加值（测算）", "亿元",
        float(cells[1]), year, kind, GZ, [row, PROJ_HEAD], stated=cells[1],
        source_kind="测算表", note="附件二测算结果（年均增速16%-17%）")
    fig(f"gz_proj_core_share-{year}", "gz_economy", "数字经济核心产业增加值占GDP比重（测算）",
        "%", float(cells[3].rstrip("%")), year, kind, GZ, [row], stated=cells[3],
        source_kind="测算表")
    fig(f"gz_proj_gdp-{year}", "gz_economy", "地区生产总值GDP（测算）", "亿元",
        float(cells[4]), year, kind, GZ, [row, PROJ_HEAD], stated=cells[4],
        source_kind="测算表", note="测算假设GDP年均增长7.5%左右")

# 表1 — 数字产业化 / 产业数字化 / 数字政务与民生 / 基础环境支撑 (000:422-444)
table("gz_core_firms", "gz_industry", "从事数字经济核心产业规上企业数量", "家", "000", 422,
      {2020: (320, "约320"), 2023: (500, "500"), 2025: (1000, "1000")}, where=GZ, prop="预期性")
fig("gz_firms_2025_001", "gz_industry", "数字经济规上企业数量", "家", 1000, 2025, "target", GZ,
    [cite("001", 25, "规上企业突破1000家")], stated="突破1000家", cmp=">")
table("gz_digital_mfg_revenue", "gz_industry", "数字产品制造业收入", "亿元", "000", 423,
      {2020: (690, "690"), 2023: (1000, "1000"), 2025: (1400, "1400")}, where=GZ, prop="预期性")
table("gz_digital_services_revenue", "gz_industry",
      "数字产品服务业、数字技术应用业、数字要素驱动业收入（合计）", "亿元", "000", 424,
      {2020: (100, "合计约100"), 2023: (200, "合计约200"), 2025: (300, "合计约300")},
      where=GZ, prop="预期性", note="表1中三项收入共用一个合计值")
table("gz_rd_platforms", "gz_industry", "数字经济核心产业中企业研发平台数量", "个", "000", 427,
      {2020: (6, "6"), 2023: (12, "12"), 2025: (30, "30")}, where=GZ, prop="预期性")
table("gz_rd_share", "gz_industry", "全社会研发投入占地区生产总值比重", "%", "000", 428,
      {2020: (1.5, "1.5"), 2023: (2.0, "2.0"), 2025: (2.5, "2.5")}, where=GZ, prop="预期性")
table("gz_patents", "gz_industry", "每万人口有效发明专利拥有量", "件", "000", 429,
      {2020: (2.9, "2.9"), 2023: (3.6, "3.6"), 2025: (4.5, "4.5")}, where=GZ, prop="预期性")
fig("gz_xinchuang_firms_2020", "gz_industry", "引进信创企业数", "家", 50, 2020, "baseline", GZ,
    [cite("000", 359, "引进太极信息、电科云等信创企业近50家")], stated="近50家", cmp="≈")
fig("gz_beidou_signed_2020", "gz_industry", "时空大数据产业项目签约金额", "亿元", 100, 2020,
    "baseline", GZ, [cite("000", 359, "已集中签约时空大数据产业项目金额超100亿元")],
    stated="超100亿元", cmp=">")
fig("gz_blockchain_firms_2021", "gz_industry", "区块链企业数", "家", 110, 2021, "actual", GZ,
    [cite("002", 155, "聚集了太一数科、裕丰智能、知江供应等区块链企业 110 余家")],
    stated="110 余家", cmp=">")
fig("gz_xinchuang_projects_2021", "gz_industry", "承接省内信创项目规模", "亿元", 10, 2021,
    "actual", GZ, [cite("002", 155, "引进了一批行业领军企业承接省内超 10 亿元的信创项目")],
    stated="超 10 亿元", cmp=">")
fig("gz_xinchuang_alliance_2021", "gz_industry", "省级信创联盟吸引行业知名企业", "家", 91,
    2021, "actual", GZ, [cite("002", 221, "联盟已吸引行业知名企业 91 家，注册落地企业 51 家")],
    stated="91 家")
fig("gz_xinchuang_alliance_local_2021", "gz_industry", "省级信创联盟注册落地企业", "家", 51,
    2021, "actual", GZ, [cite("002", 221, "联盟已吸引行业知名企业 91 家，注册落地企业 51 家")],
    stated="51 家")

table("gz_integration_certified", "gz_digitalisation", "国家两化融合管理体系贯标评定企业", "家",
      "000", 430, {2020: (24, "24"), 2023: (27, "27"), 2025: (30, "30")}, where=GZ,
      prop="预期性")
table("gz_design_tools", "gz_digitalisation", "数字化研发设计工具普及率", "%", "000", 431,
      {2023: (60, ">60"), 2025: (80, ">80")}, where=GZ, prop="预期性")
table("gz_equipment_digital", "gz_digitalisation", "重点领域生产设备数字化率", "%", "000", 434,
      {2023: (40, ">40"), 2025: (75, ">75")}, where=GZ, prop="预期性")
table("gz_innovation_platforms", "gz_digitalisation",
      "行业创新平台数量（含工业互联网、产业互联网平台）", "个", "000", 435,
      {2020: (4, "4"), 2023: (2, "新增2-3个"), 2025: (3, "新增3个以上")}, where=GZ,
      prop="预期性", note="2023、2025年为新增数（2023年新增2-3个，2025年新增3个以上），非累计数")
table("gz_cloud_firms", "gz_digitalisation", "企业上云数量", "家", "000", 436,
      {2020: (5000, "5000"), 2023: (6000, "6000"), 2025: (7000, "7000")}, where=GZ,
      prop="约束性")
table("gz_agri_iot_bases", "gz_digitalisation", "农业物联网基地数量", "个", "000", 437,
      {2020: (89, "89"), 2023: (100, "100"), 2025: (120, "120")}, where=GZ, prop="约束性")
table("gz_agri_informatisation", "gz_digitalisation", "农业农村信息化综合发展水平", "%", "000",
      438, {2023: (60, "60"), 2025: (75, "75")}, where=GZ, prop="预期性")
table("gz_online_retail", "gz_digitalisation", "网络零售额", "亿元", "000", 439,
      {2020: (470, "470"), 2023: (600, "600"), 2025: (750, "750")}, where=GZ, prop="预期性")
fig("gz_5g_iiot_demo_firms_2020", "gz_digitalisation",
    "全省首批“5G+工业互联网”应用示范企业中赣州企业数", "家", 5, 2020, "baseline", GZ,
    [cite("000", 357, "全省首批14个“5G+工业互联网”应用示范企业中，赣州企业占5家")],
    stated="5家", note="全省首批共14家，赣州占5家")
fig("gz_5g_iiot_demo_firms_province_2020", "gz_digitalisation",
    "全省首批“5G+工业互联网”应用示范企业数", "个", 14, 2020, "baseline", JX,
    [cite("000", 357, "全省首批14个“5G+工业互联网”应用示范企业中，赣州企业占5家")],
    stated="14个")
fig("gz_xinchuang_pilots_yearly", "gz_digitalisation", "信创行业试点工程（每年）", "个", 2, 2022,
    "target", GZ, [cite("001", 83, "每年开展2—3个信创行业试点工程")], stated="2—3个",
    cmp="range", note="每年2—3个；年份取方案执行首年2022年")
fig("gz_clusters_yearly", "gz_digitalisation", "市级数字经济集聚区遴选数（每年）", "家", 5, 2022,
    "target", GZ, [cite("001", 121, "每年遴选5家市级数字经济集聚区")], stated="5家",
    note="每年遴选5家；年份取方案执行首年2022年")

table("gz_ganfutong_dau", "gz_governance", "“赣服通”日活用户数", "万人", "000", 440,
      {2023: (30, "30"), 2025: (80, "80")}, where=GZ, prop="预期性")
table("gz_ganzhengtong_dau", "gz_governance", "“赣政通”用户日活率", "%", "000", 441,
      {2023: (35, "35"), 2025: (60, "60")}, where=GZ, prop="预期性")
table("gz_online_services", "gz_governance", "依申请政务服务事项可网办率", "%", "000", 442,
      {2023: (98, "98"), 2025: (100, "100")}, where=GZ, prop="约束性")

table("gz_5g_stations", "gz_infrastructure", "5G基站开通数", "个", "000", 443,
      {2020: (6122, "6122"), 2023: (15000, "15000"), 2025: (20000, "20000")}, where=GZ,
      prop="预期性")
fig("gz_5g_share_province_2020", "gz_infrastructure", "5G基站开通数占全省比重", "%", 18, 2020,
    "baseline", GZ, [cite("000", 355, "赣州市累计新增 5G 基站开通数 6122 个，占全省 18%")],
    stated="18%")
fig("gz_5g_stations_2025_001", "gz_infrastructure", "5G基站建成数", "万个", 2, 2025, "target",
    GZ, [cite("001", 91, "到 2025 年，建成 5G 基站超 2 万个")], stated="超 2 万个", cmp=">",
    note="001为“建成”口径（超2万个），000表1为“开通数”20000个")
fig("gz_5g_cases_2025", "gz_infrastructure", "5G优秀应用案例", "个", 50, 2025, "target", GZ,
    [cite("001", 91, "打造 50 个 5G 优秀应用案例")], stated="50 个")
fig("gz_5g_mines_2025", "gz_infrastructure", "规模以上矿区5G网络覆盖比例", "%", 80, 2025,
    "target", GZ, [cite("000", 817, "80%规模以上矿区完成5G网络覆盖")], stated="80%")
table("gz_iot_terminals", "gz_infrastructure", "移动物联网终端用户数", "万个", "000", 444,
      {2023: (250, "250"), 2025: (280, "280")}, where=GZ, prop="预期性")
fig("gz_dc_pue_2025", "gz_infrastructure", "数据中心运行电能利用效率（PUE）", None, 1.5, 2025,
    "target", GZ, [cite("001", 93, "到 2025 年，数据中心运行电能利用效率降至 1.5 以下")],
    stated="1.5 以下", cmp="<")
fig("gz_5g_energy_2025", "gz_infrastructure", "5G基站能效提升", "%", 20, 2025, "target", GZ,
    [cite("001", 93, "5G 基站能效提升 20%以上")], stated="20%以上", cmp=">")
L1127 = ("着力设计建设 240Gbps-260Gbps 大带宽、70 毫秒以下延迟、丢包率不高于 0.5%的赣州国际"
         "专用数据链路")
fig("gz_intl_link_bandwidth", "gz_infrastructure", "赣州国际专用数据链路带宽", "Gbps", 240, 2025,
    "target", GZ, [cite("000", 1127, L1127)], stated="240Gbps-260Gbps", cmp="range",
    note="设计带宽240—260Gbps；规划未给出年份，按规划期末2025年列示")
fig("gz_intl_link_latency", "gz_infrastructure", "赣州国际专用数据链路延迟", "毫秒", 70, 2025,
    "target", GZ, [cite("000", 1127, L1127)], stated="70 毫秒以下", cmp="<",
    note="规划未给出年份，按规划期末2025年列示")
fig("gz_intl_link_loss", "gz_infrastructure", "赣州国际专用数据链路丢包率", "%", 0.5, 2025,
    "target", GZ, [cite("000", 1127, L1127)], stated="不高于 0.5%", cmp="<=",
    note="规划未给出年份，按规划期末2025年列示")
fig("gz_city_clouds_2020", "gz_infrastructure", "已建成市级云计算数据中心", "个", 3, 2020,
    "baseline", GZ, [cite("000", 355, "已建成天翼华为云、移动浪潮云和赣南数据湖 3 个市级云计算"
                                     "数据中心")], stated="3 个")
fig("gz_iiot_nodes_2020", "gz_infrastructure", "落户赣州的工业互联网标识解析二级节点", "个", 2,
    2020, "baseline", GZ, [cite("000", 357, "江西省综合型（全省唯一）和服装行业两个工业互联网"
                                          "标识解析二级节点均落户赣州")], stated="两个",
    note="原文为汉字“两个”")

# 专栏 stage targets (000:597-811) — sector firm counts
for id_, ind, unit, value, year, line, quote, stated, cmp in [
    ("gz_xinchuang_leaders_2023", "招引信创、信息安全领域领军企业", "家", 20, 2023, 597,
     "到2023年，招引信创、信息安全领域领军企业20家以上", "20家以上", ">"),
    ("gz_xinchuang_big_firms_2025", "信创及信息安全领域主营业务收入超10亿元企业", "家", 2, 2025,
     601, "到 2025 年，信创及信息安全领域主营业务收入超过 10 亿元的企业 2-3 家", "2-3 家",
     "range"),
    ("gz_xinchuang_smes_2025", "培育信创创新型中小型企业", "家", 30, 2025, 601,
     "培育创新型中小型企业 30 家以上", "30 家以上", ">"),
    ("gz_components_firms_2023", "聚集新型元器件制造企业", "家", 30, 2023, 629,
     "聚集新型元器件制造企业 30 家以上", "30 家以上", ">"),
    ("gz_components_firms_2025", "聚集新型元器件制造企业", "家", 50, 2025, 631,
     "聚集 50 家以上新型元器件制造企业", "50 家以上", ">"),
    ("gz_pcb_display_leaders_2025", "累计招引PCB、新型显示龙头企业（各）", "家", 6, 2025, 631,
     "累计招引 PCB、新型显示龙头企业各 6 家以上", "6 家以上", ">"),
    ("gz_software_firms_2023", "引进与培育软件与信息技术服务业企业", "家", 20, 2023, 655,
     "到 2023 年，引进与培育软件与信息技术服务业企业 20 家以上", "20 家以上", ">"),
    ("gz_software_products_2025", "累计新增中国优秀软件产品", "个", 10, 2025, 657,
     "累计新增 10 个以上中国优秀软件产品", "10 个以上", ">"),
    ("gz_beidou_firms_2023", "北斗、时空大数据领域相关企业聚集", "家", 20, 2023, 685,
     "北斗、时空大数据领域相关企业聚集达20家以上", "20家以上", ">"),
    ("gz_beidou_demos_2025", "“北斗+时空大数据”行业典型应用示范", "个", 5, 2025, 689,
     "累计开展 5 个以上的行业典型应用示范", "5 个以上", ">"),
    ("gz_blockchain_providers_2025", "培育区块链解决方案提供商", "家", 15, 2025, 733,
     "到 2025 年，培育区块链解决方案提供商 15-20 家", "15-20 家", "range"),
    ("gz_blockchain_solutions_2025", "区块链解决方案总体数量", "项", 50, 2025, 733,
     "区块链解决方案总体数量不少于 50 项", "不少于 50 项", ">="),
    ("gz_ai_leaders_2023", "引进人工智能领域龙头企业", "家", 3, 2023, 771,
     "到2023年，引进人工智能领域龙头企业3家以上", "3家以上", ">"),
    ("gz_ai_firms_2025", "培育人工智能创新型企业", "家", 30, 2025, 775,
     "到 2025 年，培育人工智能创新型企业 30 家以上", "30 家以上", ">"),
    ("gz_5g_suppliers_2023", "培育5G配套生产企业", "家", 10, 2023, 811,
     "培育 5G 配套生产企业 10 家以上", "10 家以上", ">"),
    ("gz_5g_firms_2023", "聚集5G相关企业", "家", 15, 2023, 811,
     "聚集 5G 相关企业 15 家以上", "15 家以上", ">"),
]:
    fig(id_, "gz_sectors", ind, unit, value, year, "target", GZ, [cite("000", line, quote)],
        stated=stated, cmp=cmp, source_kind="专栏")

# 信丰5G产业园 (park scope, drawn on 信丰县)
L227 = ("信丰5G产业园吸引了58科创集团、金信诺等一大批以5G为主题的生产及应用型企业入驻，"
        "园区内企业数量超过350家，总产值近200亿元")
fig("xinfeng_5g_park_firms_2021", "gz_industry", "信丰5G产业园园区内企业数量", "家", 350, 2021,
    "actual", "360722", [cite("002", 227, L227)], stated="超过350家", cmp=">", scope="park",
    park="GZP033")
fig("xinfeng_5g_park_output_2021", "gz_industry", "信丰5G产业园总产值", "亿元", 200, 2021,
    "actual", "360722", [cite("002", 227, L227)], stated="近200亿元", cmp="≈", scope="park",
    park="GZP033")

# 赣州 in 002's city comparison (2021 thresholds)
L127a = "赣州市、九江市、上饶市、宜春市四个设区市数字经济增加值超过1000亿元"
L127b = "上饶市、九江市、赣州市、吉安市、宜春市占比超过35%"
L134a = "吉安市、上饶市、赣州市、九江市四个设区市数字产业化增加值超过 100 亿元"
L134b = "赣州市、南昌市、新余市、九江市、抚州市、宜春市六个设区市占比均超 3%"
L134c = "吉安市、上饶市、鹰潭市三个设区市创新发展电子信息产业，数字产业化占 GDP 比重均超 7%"
L141a = "赣州市、九江市、宜春市三个设区市产业数字化增加值超过1000亿元"
L141b = "上饶市、吉安市、抚州市增加值超400亿元"
L141c = "南昌市、赣州市、九江市、宜春市、上饶市五个设区市产业数字化增加值占GDP比重超30%"
L141d = "吉安市、抚州市、鹰潭市、新余市四个设区市占比超20%"
CITY_THRESHOLDS = [
    ("de_va", "数字经济增加值", "亿元", 127, "南昌市数字经济增加值超2500亿元", 2500, "超2500亿元",
     ["360100"]),
    ("de_va", "数字经济增加值", "亿元", 127, L127a, 1000, "超过1000亿元",
     ["360700", "360400", "361100", "360900"]),
    ("de_share", "数字经济增加值占GDP比重", "%", 127, "南昌数字经济规模占比超40%", 40, "超40%",
     ["360100"]),
    ("de_share", "数字经济增加值占GDP比重", "%", 127, L127b, 35, "超过35%",
     ["361100", "360400", "360700", "360800", "360900"]),
    ("dig_ind_va", "数字产业化增加值", "亿元", 134, "南昌市数字产业化增加值超 300 亿元", 300,
     "超 300 亿元", ["360100"]),
    ("dig_ind_va", "数字产业化增加值", "亿元", 134, L134a, 100, "超过 100 亿元",
     ["360800", "361100", "360700", "360400"]),
    ("dig_ind_share", "数字产业化增加值占GDP比重", "%", 134, L134c, 7, "超 7%",
     ["360800", "361100", "360600"]),
    ("dig_ind_share", "数字产业化增加值占GDP比重", "%", 134, L134b, 3, "超 3%",
     ["360700", "360100", "360500", "360400", "361000", "360900"]),
    ("ind_dig_va", "产业数字化增加值", "亿元", 141, "南昌市产业数字化增加值超2400亿元", 2400,
     "超2400亿元", ["360100"]),
    ("ind_dig_va", "产业数字化增加值", "亿元", 141, L141a, 1000, "超过1000亿元",
     ["360700", "360400", "360900"]),
    ("ind_dig_va", "产业数字化增加值", "亿元", 141, L141b, 400, "超400亿元",
     ["361100", "360800", "361000"]),
    ("ind_dig_share", "产业数字化增加值占GDP比重", "%", 141, L141c, 30, "超30%",
     ["360100", "360700", "360400", "360900", "361100"]),
    ("ind_dig_share", "产业数字化增加值占GDP比重", "%", 141, L141d, 20, "超20%",
     ["360800", "361000", "360600", "360500"]),
]
for key, ind, unit, line, quote, value, stated, cities in CITY_THRESHOLDS:
    for a in cities:
        group = "gz_economy" if a == GZ else "jx_economy"
        fig(f"city_{key}_2021-{a}", group, ind, unit, value, 2021, "actual", a,
            [cite("002", line, quote)], stated=stated, cmp=">",
            note="白皮书仅给出门槛值（“超过”），各市具体数值只见于图表，文本未给出")

# ---------------------------------------------------------------------------------------
# 江西 — 002 (白皮书 2022), 003 (“十四五”规划), 004 (2022年工作计划); 000:345
# ---------------------------------------------------------------------------------------
fig("jx_de_va_2020_000", "jx_economy", "数字经济增加值", "亿元", 8354, 2020, "baseline", JX,
    [cite("000", 345, "2020年，江西省数字经济增加值规模达到8354亿元，增长12.7%")],
    stated="8354亿元")
fig("jx_de_growth_2020", "jx_economy", "数字经济增加值增长率", "%", 12.7, 2020, "baseline", JX,
    [cite("000", 345, "2020年，江西省数字经济增加值规模达到8354亿元，增长12.7%")],
    stated="12.7%")
fig("jx_de_share_2020", "jx_economy", "数字经济增加值占GDP比重", "%", 32.5, 2020, "baseline", JX,
    [cite("003", 19, "2020年全省数字经济增加值8354亿元，占GDP（国内生产总值）比重达32.5%")],
    stated="32.5%")
T003_HEAD = cite("003", 69, "类别\t指标名称(单位)\t2020年\t2025年\t年均增长(%)\t属性", "unit")
for id_, ind, unit, line, v20, v25, note in [
    ("jx_de_va", "数字经济增加值", "亿元", 70, (8354, "8354"), (16000, "16000"), None),
    ("jx_core_share", "数字经济核心产业增加值占GDP比重", "%", 71, (6.5, "6.5"), (10, "10以上"),
     None),
    ("jx_electronics_revenue", "规模以上电子信息制造业营业收入", "亿元", 72, (4070, "4070"),
     (10000, ">10000"), None),
    ("jx_software_revenue", "软件和信息技术服务业营业收入", "亿元", 73, (296, "296"),
     (600, "600"), None),
    ("jx_it_patents", "信息技术领域年专利授权量", "件", 74, (3000, ">3000"), (5500, ">5500"),
     None),
    ("jx_online_retail", "网上零售额", "亿元", 81, (1582, "1582"), (3000, "3000左右"), None),
    ("jx_ecommerce", "电子商务交易额", "亿元", 82, (10000, "10000"), (15000, "15000"), None),
    ("jx_ganfutong_users", "“赣服通”实名注册用户数", "万", 83, (2330, "2330"), (4100, "4100"),
     None),
    ("jx_ganzhengtong_dau", "“赣政通”用户日活率", "%", 84, (0, "0"), (80, "80"), None),
    ("jx_bandwidth", "省际出口带宽", "Gpbs", 86, (34790, "34790"), (70000, "70000"),
     "单位原文作“Gpbs”（即Gbps）"),
    ("jx_ipv6_users", "IPv6活跃用户数", "万户", 87, (4024, "4024"), (5000, "5000"), None),
    ("jx_gigabit_users", "千兆宽带用户数", "万户", 88, (13.6, "13.6"), (300, "300"), None),
    ("jx_5g_stations", "5G基站开通数", "万个", 89, (3.4, "3.4"), (10, "10"), None),
    ("jx_iot_terminals", "移动物联网终端数", "万个", 90, (1488, "1488"), (3500, ">3500"), None),
]:
    group = {"jx_de_va": "jx_economy", "jx_core_share": "jx_economy",
             "jx_electronics_revenue": "jx_electronics", "jx_software_revenue": "jx_electronics",
             "jx_it_patents": "jx_electronics", "jx_online_retail": "jx_digitalisation",
             "jx_ecommerce": "jx_digitalisation", "jx_ganfutong_users": "jx_governance",
             "jx_ganzhengtong_dau": "jx_governance", "jx_bandwidth": "jx_broadband",
             "jx_ipv6_users": "jx_broadband", "jx_gigabit_users": "jx_broadband",
             "jx_5g_stations": "jx_5g", "jx_iot_terminals": "jx_iot"}[id_]
    table(id_, group, ind, unit, "003", line, {2020: v20, 2025: v25}, where=JX, prop="预期性",
          unit_cite=T003_HEAD, note=note)
table("jx_cross_province", "jx_governance", "高频服务事项“跨省通办”比例", "%", "003", 85,
      {2025: (100, "100")}, where=JX, prop="预期性", unit_cite=T003_HEAD)
for id_, ind, line, v20 in [
    ("jx_integration_index", "两化融合发展指数", 75, (48.6, "48.6")),
    ("jx_equipment_digital", "生产设备数字化率", 76, (40.6, "40.6")),
    ("jx_nc_rate", "装备数控化率", 79, (43.5, "43.5")),
    ("jx_iip_adoption", "工业互联网平台应用普及率", 80, (9.5, "9.5")),
]:
    table(id_, "jx_digitalisation", ind, None if "指数" in ind else "%", "003", line,
          {2020: v20}, where=JX, prop="预期性", unit_cite=T003_HEAD,
          note="2025年目标为“超全国平均水平”，无数值")
fig("jx_de_share_2025", "jx_economy", "数字经济增加值占GDP比重", "%", 45, 2025, "target", JX,
    [cite("003", 53, "努力实现规模倍增、占全省 GDP 比重达到 45% 左右")], stated="45% 左右",
    cmp="≈")
fig("jx_vr_2025", "jx_emerging", "VR产业规模", "亿元", 1500, 2025, "target", JX,
    [cite("003", 55, "VR 产业规模达到 1500 亿元")], stated="1500 亿元")
fig("jx_iot_industry_2025", "jx_emerging", "物联网产业规模", "亿元", 2500, 2025, "target", JX,
    [cite("003", 55, "物联网产业规模达到 2500 亿元")], stated="2500 亿元")
fig("jx_vr_2020", "jx_emerging", "VR产业主营收入", "亿元", 600, 2020, "baseline", JX,
    [cite("003", 27, "全省VR产业主营收入达到600亿元")], stated="600亿元")
fig("jx_iot_industry_2020", "jx_emerging", "物联网产业主营收入", "亿元", 1500, 2020, "baseline",
    JX, [cite("003", 27, "全省物联网产业主营收入突破1500亿元")], stated="突破1500亿元", cmp=">")
fig("jx_electronics_2020_000", "jx_electronics", "电子信息营收", "亿元", 5253.5, 2020,
    "baseline", JX, [cite("000", 345, "电子信息实现营收5253.5亿元")], stated="5253.5亿元",
    note="000所引口径（电子信息），与003表中“规模以上电子信息制造业营业收入”4070亿元口径不同")
# 2021 actuals (002)
L102 = "全省全年数字经济增加值达10378亿元，同比增长19.5%"
fig("jx_de_va_2021", "jx_economy", "数字经济增加值", "亿元", 10378, 2021, "actual", JX,
    [cite("002", 102, L102)], stated="10378亿元")
fig("jx_de_growth_2021", "jx_economy", "数字经济增加值同比增长", "%", 19.5, 2021, "actual", JX,
    [cite("002", 102, L102)], stated="19.5%")
fig("jx_de_share_2021", "jx_economy", "数字经济增加值占GDP比重", "%", 35.0, 2021, "actual", JX,
    [cite("002", 109, "2021 年，江西省数字经济规模占 GDP 比重达 35.0%")], stated="35.0%")
L116 = "2021 年，江西省数字产业化增加值达到 1308.2 亿元，占数字经济总体规模比重达 12.6%"
fig("jx_dig_ind_va_2021", "jx_economy", "数字产业化增加值", "亿元", 1308.2, 2021, "actual", JX,
    [cite("002", 116, L116)], stated="1308.2 亿元")
fig("jx_dig_ind_share_de_2021", "jx_economy", "数字产业化占数字经济总体规模比重", "%", 12.6,
    2021, "actual", JX, [cite("002", 116, L116)], stated="12.6%",
    note="002第473行同一口径写作12.3%，原文前后不一致")
fig("jx_dig_ind_share_gdp_2021", "jx_economy", "数字产业化占GDP比重", "%", 4.4, 2021, "actual",
    JX, [cite("002", 473, "2021 年，江西数字产业化规模为 1308.2 亿元，占 GDP 比重仅为 4.4%")],
    stated="4.4%")
L118 = "2021年，江西省产业数字化增加值达到9070亿元，占数字经济总体规模比重达87.4%"
fig("jx_ind_dig_va_2021", "jx_economy", "产业数字化增加值", "亿元", 9070, 2021, "actual", JX,
    [cite("002", 118, L118)], stated="9070亿元")
fig("jx_ind_dig_share_2021", "jx_economy", "产业数字化占数字经济总体规模比重", "%", 87.4, 2021,
    "actual", JX, [cite("002", 118, L118)], stated="87.4%")
fig("jx_de_2022", "jx_economy", "数字经济规模", "万亿元", 1, 2022, "target", JX,
    [cite("004", 15, "确保实现全年数字经济规模首次突破万亿元大关")], stated="万亿元", cmp=">",
    note="原文为“首次突破万亿元大关”，数值为1万亿元")
fig("jx_core_share_2022", "jx_economy", "核心产业增加值占GDP比重", "%", 7, 2022, "target", JX,
    [cite("004", 15, "核心产业增加值占GDP比重达到7%左右")], stated="7%左右", cmp="≈")
L116e = "全省电子信息产业营收 6688 亿元，同比增长 25.4%"
fig("jx_electronics_2021", "jx_electronics", "电子信息产业营收", "亿元", 6688, 2021, "actual", JX,
    [cite("002", 116, L116e)], stated="6688 亿元")
fig("jx_electronics_2022", "jx_electronics", "电子信息产业规模", "亿元", 8000, 2022, "target", JX,
    [cite("004", 17, "电子信息产业规模突破8000亿元")], stated="突破8000亿元", cmp=">")
fig("jx_terminals_revenue_2021", "jx_electronics", "智能终端营业收入", "亿元", 2497.9, 2021,
    "actual", JX, [cite("002", 200, "2021 年完成营业收入 2497.9 亿元")], stated="2497.9 亿元")
fig("jx_led_revenue_2021", "jx_electronics", "半导体照明（LED）营业收入", "亿元", 812, 2021,
    "actual", JX, [cite("002", 202, "全省拥有 LED 生产规上企业 175 家，实现营业收入 812 亿元")],
    stated="812 亿元")
fig("nc_led_revenue_2021", "jx_electronics", "南昌高新区LED营业收入", "亿元", 200, 2021, "actual",
    "360100", [cite("002", 202, "2021 年，营业收入近 200 亿元")], stated="近 200 亿元", cmp="≈",
    note="南昌高新区数值，以南昌市范围表示")
fig("nc_electronics_firms_2021", "jx_electronics", "南昌市电子信息产业规模以上工业企业", "家",
    174, 2021, "actual", "360100",
    [cite("002", 200, "南昌市电子信息产业现有规模以上工业企业 174 家（占全省的 14.8%）")],
    stated="174 家")
fig("jx_software_revenue_2021", "jx_electronics", "信息传输、软件和信息技术服务业营业收入", "亿元",
    784.38, 2021, "actual", JX, [cite("002", 206, "实现营业收入 784.38 亿元")],
    stated="784.38 亿元")
fig("nc_software_revenue_2021", "jx_electronics", "南昌市信息传输、软件和信息技术服务业营业收入",
    "亿元", 223.21, 2021, "actual", "360100",
    [cite("002", 206, "营业收入达 223.21 亿元，同比增长 15.4%，规模占全省的比重达 28.5%")],
    stated="223.21 亿元")
fig("nc_software_firms_2021", "jx_electronics", "南昌市信息传输、软件和信息技术服务业规上企业",
    "家", 140, 2021, "actual", "360100",
    [cite("002", 206, "共有信息传输、软件和信息技术服务业规模以上企业 140 家")], stated="140 家")
fig("nc_hitech_software_2021", "jx_electronics", "南昌高新区规上企业软件业营收", "亿元", 80, 2021,
    "actual", "360100", [cite("002", 152, "规上企业软件业营收近 80 亿元")], stated="近 80 亿元",
    cmp="≈", note="南昌高新区数值，以南昌市范围表示")
fig("jx_5g_bases_output_2021", "jx_electronics", "省级5G产业基地产业规模（5家合计）", "亿元", 850,
    2021, "actual", JX,
    [cite("002", 227, "吉安井开区、信丰5G产业园等5家省级5G产业基地产业规模达850亿元")],
    stated="850亿元")
fig("jx_vr_2021", "jx_emerging", "VR及相关产业营业收入", "亿元", 600, 2021, "actual", JX,
    [cite("002", 215, "VR及相关产业营业收入由 2018 年的 42 亿元快速增长至 2021 年的 600 多亿元")],
    stated="600 多亿元", cmp=">")
fig("jx_vr_2022", "jx_emerging", "VR及相关产业营业收入", "亿元", 800, 2022, "target", JX,
    [cite("004", 17, "VR及相关产业营业收入"), cite("004", 19, "规模突破 800 亿元")],
    stated="突破 800 亿元", cmp=">")
fig("jx_iot_industry_2021", "jx_emerging", "移动物联网核心及关联产业主营业务收入", "亿元", 1600,
    2021, "actual", JX, [cite("002", 219, "全省移动物联网核心及关联产业主营业务收入突破 1600 亿元")],
    stated="突破 1600 亿元", cmp=">")
fig("yt_iot_industry_2021", "jx_emerging", "鹰潭物联网核心及关联产业业务收入", "亿元", 600, 2021,
    "actual", "360600", [cite("002", 219, "物联网核心及关联产业业务收入突破 600 亿元")],
    stated="突破 600 亿元", cmp=">")
fig("jx_iot_industry_2022", "jx_emerging", "物联网产业规模", "亿元", 1800, 2022, "target", JX,
    [cite("004", 17, "物联网产业规模突破1800亿元")], stated="突破1800亿元", cmp=">")
fig("yt_iot_credit_2021", "jx_emerging", "鹰潭高新区物联网金融创新中心累计授信", "亿元", 290.9,
    2021, "actual", "360600", [cite("002", 267, "鹰潭高新区物联网金融创新中心累计为企业授信 "
                                              "290.9 亿元")], stated="290.9 亿元")
fig("jx_bigdata_revenue_2021", "jx_emerging", "大数据产业营业收入", "亿元", 834, 2021, "actual",
    JX, [cite("002", 225, "2021年营业收入达834亿元，同比增长43.9%")], stated="834亿元")
fig("sr_bigdata_revenue_2021", "jx_emerging", "上饶大数据及关联产业主营业务收入", "亿元", 800,
    2021, "actual", "361100", [cite("002", 155, "上饶大数据及关联产业主营业务收入突破 800 亿元")],
    stated="突破 800 亿元", cmp=">")
fig("sr_internet_revenue_2021", "jx_emerging", "上饶互联网产业主营业务收入", "亿元", 107, 2021,
    "actual", "361100", [cite("002", 157, "互联网产业主营业务收入达 107 亿元")], stated="107 亿元")
fig("sr_bigdata_firms_2021", "jx_emerging", "上饶大数据企业数量", "家", 534, 2021, "actual",
    "361100", [cite("002", 225, "大数据企业数量从2018年的183家增长到2021年的534家")],
    stated="534家")
fig("sr_rank_2021", "jx_emerging", "上饶中国数字经济百强城市排名", "位", 87, 2021, "actual",
    "361100", [cite("002", 157, "跻身中国数字经济百强城市榜第 87 位")], stated="第 87 位")
# 产业数字化 (province)
fig("jx_cloud_firms_2020", "jx_digitalisation", "企业上云数量", "万家", 3, 2020, "baseline", JX,
    [cite("003", 29, "全省企业上云数量突破3万家")], stated="突破3万家", cmp=">")
fig("jx_cloud_firms_2021", "jx_digitalisation", "上云企业数量", "万家", 10, 2021, "actual", JX,
    [cite("002", 242, "全省上云企业数量突过 10 万家")], stated="突过 10 万家", cmp=">",
    note="原文“突过”，应为“突破”；003称2020年突破3万家，口径不同")
fig("jx_cloud_firms_2025", "jx_digitalisation", "“入网上云”企业数", "万家", 8, 2025, "target", JX,
    [cite("003", 182, "“入网上云”企业数8万家")], stated="8万家")
fig("jx_iiot_nodes_2021", "jx_digitalisation", "工业互联网标识解析二级节点", "个", 11, 2021,
    "actual", JX, [cite("002", 233, "已建成工业互联网标识解析二级节点 11 个")], stated="11 个")
fig("jx_iiot_nodes_2025", "jx_digitalisation", "工业互联网标识解析二级节点", "个", 20, 2025,
    "target", JX, [cite("003", 312, "到2025年，力争建成20个标识解析二级节点")], stated="20个")
fig("jx_iiot_resolutions_2022", "jx_digitalisation", "工业互联网标识累计解析量", "亿次", 4, 2022,
    "target", JX, [cite("004", 21, "工业互联网标识累计解析量力争达到 4 亿次")], stated="4 亿次")
fig("jx_5g_iiot_zones_2021", "jx_digitalisation", "新增“5G+工业互联网”示范区", "个", 3, 2021,
    "actual", JX, [cite("002", 233, "2021 年新增“5G+工业互联网”示范区 3 个、示范工厂 20 个")],
    stated="3 个")
fig("jx_5g_iiot_factories_2021", "jx_digitalisation", "新增“5G+工业互联网”示范工厂", "个", 20,
    2021, "actual", JX, [cite("002", 233, "2021 年新增“5G+工业互联网”示范区 3 个、示范工厂 20 个")],
    stated="20 个")
fig("jx_integration_2021", "jx_digitalisation", "两化融合发展水平", "分", 50.0, 2021, "actual", JX,
    [cite("002", 235, "两化融合发展水平从 2018 年的 47.0 分持续增长为 2021 年的 50.0 分")],
    stated="50.0 分")
fig("jx_online_retail_2021", "jx_digitalisation", "网络零售额", "亿元", 1926.2, 2021, "actual", JX,
    [cite("002", 269, "2021 年，全省网络零售额达 1926.2 亿元、同比增长 24.25%")],
    stated="1926.2 亿元")
fig("jx_online_retail_2022", "jx_digitalisation", "网络零售额", "亿元", 2000, 2022, "target", JX,
    [cite("004", 21, "全省网络零售额突破 2000 亿元")], stated="突破 2000 亿元", cmp=">")
fig("jx_digital_workshops_2022", "jx_digitalisation", "数字化车间、智能工厂", "个", 200, 2022,
    "target", JX, [cite("004", 21, "打造 200 个数字化车间、智能工厂")], stated="200 个")
fig("jx_agri_iot_bases_2021", "jx_digitalisation", "农业物联网示范基地和示范企业", "家", 200, 2021,
    "actual", JX, [cite("002", 246, "截至 2021 年底，全省农业物联网示范基地和示范企业达 200 家")],
    stated="200 家")
fig("jx_agri_iot_bases_2022", "jx_digitalisation", "完成农业物联网示范基地建设", "个", 100, 2022,
    "target", JX, [cite("004", 195, "完成100个农业物联网示范基地建设")], stated="100个")
fig("jx_agri_iot_bases_2025", "jx_digitalisation", "省级农业物联网示范基地（企业）", "个", 300,
    2025, "target", JX, [cite("003", 186, "持续开展省级农业物联网示范基地(企业)建设,总数达到300"
                                          "个以上")], stated="300个以上", cmp=">")
fig("jx_crossborder_2025", "jx_digitalisation", "跨境电商交易额", "亿元", 1000, 2025, "target", JX,
    [cite("003", 188, "到2025年跨境电商交易额达到1000亿元")], stated="1000亿元")
fig("jx_crossborder_zones_2022", "jx_digitalisation", "推进国家跨境电商综合试验区建设", "个", 5,
    2022, "target", JX, [cite("004", 157, "推进 5 个国家跨境电商综合试验区建设")], stated="5 个")
# 5G (province)
L370 = ("截至 2022 年 5 月底，累计建成 5G 基站 4.9 万个，开通 5G 基站 6.1 万个，实现了县县通 5G 网络，"
        "乡镇级行政区 5G 网络覆盖率达到 99.38%")
fig("jx_5g_built_2022_05", "jx_5g", "5G基站累计建成数（截至2022年5月底）", "万个", 4.9, 2022,
    "actual", JX, [cite("002", 370, L370)], stated="4.9 万个")
fig("jx_5g_opened_2022_05", "jx_5g", "5G基站开通数（截至2022年5月底）", "万个", 6.1, 2022,
    "actual", JX, [cite("002", 370, L370)], stated="6.1 万个", note="原文开通数大于建成数")
fig("jx_5g_township_2022_05", "jx_5g", "乡镇级行政区5G网络覆盖率", "%", 99.38, 2022, "actual", JX,
    [cite("002", 370, L370)], stated="99.38%")
fig("jx_5g_4a_2022_05", "jx_5g", "4A级景区5G网络覆盖率", "%", 84.24, 2022, "actual", JX,
    [cite("002", 370, "4A 级景区 5G 网络覆盖率达到 84.24%")], stated="84.24%")
fig("jx_5g_handsets_2021", "jx_5g", "5G手机终端连接数", "万户", 1188.4, 2021, "actual", JX,
    [cite("002", 370, "江西省 5G 手机终端连接数达到 1188.4 万户")], stated="1188.4 万户")
fig("jx_mobile_stations_2021", "jx_5g", "移动电话基站", "万个", 27.5, 2021, "actual", JX,
    [cite("002", 370, "截至 2021 年 9 月，全省移动电话基站达到 27.5 万个")], stated="27.5 万个")
fig("jx_4g_stations_2021", "jx_5g", "4G基站总规模", "万个", 16.3, 2021, "actual", JX,
    [cite("002", 370, "4G 基站总规模达到 16.3 万个")], stated="16.3 万个")
fig("jx_village_5g_2021", "jx_5g", "行政村5G基站（电信普遍服务，2021年建设）", "个", 131, 2021,
    "actual", JX, [cite("002", 261, "2021年全年建设行政村4G基站1096个、5G基站131个")],
    stated="131个")
fig("jx_village_4g_2021", "jx_5g", "行政村4G基站（电信普遍服务，2021年建设）", "个", 1096, 2021,
    "actual", JX, [cite("002", 261, "2021年全年建设行政村4G基站1096个、5G基站131个")],
    stated="1096个")
fig("jx_5g_new_2022", "jx_5g", "新建5G基站", "万个", 1.4, 2022, "target", JX,
    [cite("004", 23, "新建 5G 基站 1.4 万个以上")], stated="1.4 万个以上", cmp=">")
fig("jx_5g_users_new_2022", "jx_5g", "新增5G终端用户数", "万户", 2000, 2022, "target", JX,
    [cite("004", 23, "新增 5G 终端用户数突破 2000 万户")], stated="突破 2000 万户", cmp=">")
fig("jx_5g_built_2025", "jx_5g", "累计建成5G基站", "万个", 10, 2025, "target", JX,
    [cite("003", 306, "到2025年，累计建成5G基站10万个以上")], stated="10万个以上", cmp=">")
fig("jx_5g_villages_2025", "jx_5g", "行政村通5G比例", "%", 80, 2025, "target", JX,
    [cite("003", 61, "80%行政村通5G")], stated="80%")
fig("jx_5g_2020_text", "jx_5g", "累计开通5G基站", "万个", 3.4, 2020, "baseline", JX,
    [cite("003", 25, "截至2020年底，累计开通5G基站3.4万个")], stated="3.4万个")
# 千兆 / 出口带宽 / IPv6
fig("jx_gigabit_cities_2021", "jx_broadband", "入选全国首批“千兆城市”的城市", "个", 3, 2021,
    "actual", JX, [cite("002", 363, "江西南昌、九江、上饶三个城市成功入选全国首批 29 个“千兆城市”"
                                   "名单")], stated="三个", note="原文为汉字“三个”；全国首批共29个")
fig("jx_gigabit_cities_2022", "jx_broadband", "建成“千兆城市”", "个", 3, 2022, "target", JX,
    [cite("004", 23, "建成 3 个“千兆城市”")], stated="3 个")
fig("jx_bandwidth_2021", "jx_broadband", "省际出口带宽", "T", 46.49, 2021, "actual", JX,
    [cite("002", 356, "截至 2021 年底，全省省际出口带宽扩容至 46.49T")], stated="46.49T")
fig("jx_fibre_km_2021", "jx_broadband", "光缆线路总长度", "万公里", 233.1, 2021, "actual", JX,
    [cite("002", 356, "截至 2021 年 9 月底，全省光缆线路总长度达 233.1 万公里")],
    stated="233.1 万公里")
fig("jx_ipv6_users_2021", "jx_broadband", "IPv6活跃用户数", "万户", 4167, 2021, "actual", JX,
    [cite("002", 363, "截至 2021 年底，IPv6 活跃用户数达 4167 万户")], stated="4167 万户")
fig("jx_ipv6_mobile_2022", "jx_broadband", "移动网络IPv6流量占比", "%", 40, 2022, "target", JX,
    [cite("004", 23, "全省 IPv6 移动网络 IPv6 流量占比达到 40%")], stated="40%")
fig("jx_ipv6_fixed_2022", "jx_broadband", "固定网络IPv6流量占比", "%", 10, 2022, "target", JX,
    [cite("004", 23, "固定网络 IPv6 流量占比达到 10%")], stated="10%")
fig("jx_broadband_ports_2021", "jx_broadband", "互联网宽带接入端口数量", "万个", 2617.5, 2021,
    "actual", JX, [cite("002", 363, "全省互联网宽带接入端口数量达 2617.5 万个")],
    stated="2617.5 万个")
# 移动物联网
L25 = "建成NB-IoT（窄带物联网）基站7.2万个、eMTC（增强机器类通信）基站7.6万个"
fig("jx_nbiot_2020", "jx_iot", "NB-IoT（窄带物联网）基站", "万个", 7.2, 2020, "baseline", JX,
    [cite("003", 25, L25)], stated="7.2万个")
fig("jx_emtc_2020", "jx_iot", "eMTC（增强机器类通信）基站", "万个", 7.6, 2020, "baseline", JX,
    [cite("003", 25, L25)], stated="7.6万个")
fig("jx_iot_terminals_2025_text", "jx_iot", "移动物联网终端数", "万个", 3500, 2025, "target", JX,
    [cite("003", 308, "到2025年，移动物联网终端数达到3500万个以上")], stated="3500万个以上",
    cmp=">")
fig("jx_iot_million_apps_2025", "jx_iot", "百万级移动物联网应用", "个", 7, 2025, "target", JX,
    [cite("003", 308, "打造7个以上百万级应用")], stated="7个以上", cmp=">")
fig("jx_iot_connections_2022", "jx_iot", "泛物联网连接数", "万", 3000, 2022, "target", JX,
    [cite("004", 23, "全省泛物联网连接数达到 3000 万")], stated="3000 万")
fig("jx_iot_million_apps_2022", "jx_iot", "百万级移动物联网应用", "个", 5, 2022, "target", JX,
    [cite("004", 47, "实现 5 个以上百万级应用")], stated="5 个以上", cmp=">")
fig("jx_soe_iot_connections_2022", "jx_iot", "国企泛物联网连接数", "万", 100, 2022, "target", JX,
    [cite("004", 97, "泛物联网连接数达 100 万以上")], stated="100 万以上", cmp=">")
# 数据中心与算力
L377 = "共建成数据中心 49 个，已建成运营 44 个，可折算标准机架 6.6 万个"
fig("jx_dc_built_2021", "jx_datacentre", "建成数据中心", "个", 49, 2021, "actual", JX,
    [cite("002", 377, L377)], stated="49 个")
fig("jx_dc_operating_2021", "jx_datacentre", "已建成运营数据中心", "个", 44, 2021, "actual", JX,
    [cite("002", 377, L377)], stated="44 个")
fig("jx_dc_racks_2021", "jx_datacentre", "可折算标准机架", "万个", 6.6, 2021, "actual", JX,
    [cite("002", 377, L377)], stated="6.6 万个")
fig("jx_compute_2021", "jx_datacentre", "算力总规模", "PFlops", 1600, 2021, "actual", JX,
    [cite("002", 377, "全省算力总规模约 1600PFlops")], stated="约 1600PFlops", cmp="≈")
fig("jx_dc_pue_2021", "jx_datacentre", "数据中心PUE平均值", None, 1.71, 2021, "actual", JX,
    [cite("002", 377, "全省数据中心 PUE 平均值为 1.71")], stated="1.71")
fig("jx_dc_large_2025", "jx_datacentre", "优化整合建设大型数据中心", "个", 4, 2025, "target", JX,
    [cite("003", 310, "优化整合建设4个以上大型数据中心")], stated="4个以上", cmp=">")
fig("jx_dc_new_pue_2025", "jx_datacentre", "新建数据中心PUE值", None, 1.3, 2025, "target", JX,
    [cite("003", 310, "新建数据中心PUE(电源使用效率)值不高于1.3")], stated="不高于1.3", cmp="<=")
fig("jx_dc_regional_large", "jx_datacentre", "赣州、九江、宜春、上饶等地布局大型（超大型）数据中心",
    "个", 4, 2025, "target", JX,
    [cite("003", 296, "在赣州、九江、宜春、上饶等地布局建设 4-5 个大型(超大型)数据中心")],
    stated="4-5 个", cmp="range",
    note="4—5个分布于赣州、九江、宜春、上饶等地，规划未分解到各市；规划未给出年份，按规划期末2025年列示")
fig("nc_dc_racks_planned", "jx_datacentre", "中国（南昌）数字经济港规划建设机柜", "万个", 5, 2021,
    "actual", "360100", [cite("002", 152, "经开区依托中国（南昌）数字经济港，规划建设 5 万个机柜")],
    stated="5 万个", note="规划数（白皮书2022年发布时的规划），以南昌市范围表示")
# 数字政务与公共服务
fig("jx_ganfutong_users_2021", "jx_governance", "“赣服通”实名用户数", "万人", 3500, 2021, "actual",
    JX, [cite("002", 394, "实名用户数超过 3500 万人，日活跃用户 80 万")], stated="超过 3500 万人",
    cmp=">")
fig("jx_ganzhengtong_dau_2022", "jx_governance", "“赣政通”日均活跃率", "%", 30, 2022, "target",
    JX, [cite("004", 279, "日均活跃率突破30%")], stated="突破30%", cmp=">")
fig("jx_digital_villages_2025", "jx_governance", "国家、省级数字乡村试点县", "个", 20, 2025,
    "target", JX, [cite("003", 266, "到2025年,完成20个国家、省级数字乡村试点县建设")],
    stated="20个")
fig("jx_digital_villages_2022", "jx_governance", "省级数字试点县建设", "个", 16, 2022, "target", JX,
    [cite("004", 187, "推进16个省级数字试点县建设")], stated="16个")
fig("jx_smart_city_share_2025", "jx_governance", "建成新型智慧城市的县（市、区）比例", "%", 60, 2025,
    "target", JX, [cite("003", 59, "所有设区市和60%以上县(市、区)建成新型智慧城市")],
    stated="60%以上", cmp=">")


# ---------------------------------------------------------------------------------------
_NUM = re.compile(r"\d+(?:\.\d+)?")
_FULL = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_HAN = {"两": 2, "三": 3}


def numbers(text: str) -> set[float]:
    """Every number in ``text`` (full-width digits normalised, whitespace removed)."""
    text = text.translate(_FULL)
    squashed = re.sub(r"\s+", "", text)
    found = {float(m) for m in _NUM.findall(text)}
    found |= {float(v) for k, v in _HAN.items() if f"{k}个" in squashed}
    if "万亿" in squashed:
        found.add(1.0)
    return found


def check() -> list[str]:
    """Every quote in its line and every value in a quote; the list of failures."""
    problems = []
    ids = [f["id"] for f in FIGURES]
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")
    for f in FIGURES:
        value_found = False
        for c in f["citations"]:
            first, _, last = c["lines"].partition("-")
            text = "\n".join(_line(c["src"], n) for n in range(int(first), int(last or first) + 1))
            if re.sub(r"\s+", "", c["quote"]) not in re.sub(r"\s+", "", text):
                problems.append(f"{f['id']}: quote not in {c['src']}:{c['lines']}")
            if c.get("field") != "unit" and f["value"] in numbers(c["quote"]):
                value_found = True
        if not value_found:
            problems.append(f"{f['id']}: {f['value']} not in any quote")
    return problems


def main() -> int:
    """Check, then write targets_all.yaml."""
    problems = check()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    header = ("# Generated by scripts/transcribe_figures.py from the seeds (data/plan/seeds); "
              "do not edit by hand.\n# Every numeric figure of the five seeds, one row each; "
              "each citation's quote contains the number.\n")
    doc = {"groups": GROUPS, "figures": FIGURES}
    OUT.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False,
                                           width=1000), encoding="utf-8")
    print(f"ok: {len(FIGURES)} figures written to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
