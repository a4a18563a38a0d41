#!/usr/bin/env python3
"""Transcribe the seeds' designations, network/data hubs and corridors into
data/plan/designations.yaml (read straight from the seed texts).

A place is given only where the seed names it: a prefecture city, a county or the province.
Anything else (a region outside Jiangxi, an unnamed site, a route the seeds never trace)
gets ``place_level: none`` and is kept as a row without geometry. Corridors are drawn only
as schematic lines through the seats of the places the seed names along them, and say so.

The script checks that every quote occurs in its cited line(s) before writing; the plan
citation test (tests/geo/test_plan_data.py) re-checks the written file.

Run: .venv/bin/python scripts/transcribe_places.py
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
OUT = REPO / "data" / "plan" / "designations.yaml"

CITY = {
    "南昌": "360100", "景德镇": "360200", "萍乡": "360300", "九江": "360400", "新余": "360500",
    "鹰潭": "360600", "赣州": "360700", "吉安": "360800", "宜春": "360900", "抚州": "361000",
    "上饶": "361100",
}
COUNTY = {
    "信丰县": "360722", "安远县": "360726", "于都县": "360731", "赣县区": "360704",
    "南康区": "360703", "龙南市": "360783", "全南县": "360729", "定南县": "360728",
    "井冈山市": "360881", "南昌县": "360121", "彭泽县": "360430", "贵溪市": "360681",
    "西湖区": "360103", "章贡区": "360702",
}

NOTE = {
    "province": "江西省全省范围",
    "city": "原文点名该设区市：以设区市行政区范围表示，非具体位置",
    "county": "原文点名该县（市、区）：以县级行政区范围表示，非具体位置",
    "none": "原文未给出可落图的地点：不绘制图形",
}


def c(src: str, line: int | str, quote: str) -> dict[str, str]:
    """One citation: seed prefix, line(s) and the verbatim quote."""
    return {"src": src, "lines": str(line), "quote": quote}


def where(name: str | None) -> tuple[str, str | None]:
    """(place_level, adcode) of a place name as the seeds write it."""
    if name is None:
        return "none", None
    if name == "江西省":
        return "province", "360000"
    if name in COUNTY:
        return "county", COUNTY[name]
    short = name.removesuffix("市")
    if short in CITY:
        return "city", CITY[short]
    raise KeyError(name)


def row(id_: str, name: str, kind: str, place: str | None, cites: list[dict], *,
        status: str | None = None, level: str | None = None, holder: str | None = None,
        note: str | None = None, basis: str = "stated") -> dict[str, Any]:
    """One designation or hub row, placed only where ``place`` is named."""
    place_level, adcode = where(place)
    return {
        "id": id_, "name": name, "kind": kind, "level": level, "status": status,
        "place_name": place, "holder": holder, "place_level": place_level, "adcode": adcode,
        "place_basis": basis if place else "not_stated",
        "location_note": NOTE[place_level] if not note else f"{NOTE[place_level]}；{note}",
        "citations": cites,
    }


DESIGNATIONS: list[dict[str, Any]] = []
HUBS: list[dict[str, Any]] = []
CORRIDORS: list[dict[str, Any]] = []
D, H = DESIGNATIONS.append, HUBS.append

# -- 赣州's national and provincial designations -------------------------------------------
D(row("gz_blockchain_pilot", "国家区块链创新应用综合性试点城市", "国家级试点", "赣州",
      [c("001", 39, "推进国家区"), c("001", 41, "区块链创新应用综合性试点城市建设"),
       c("001", 211, "全力推进国家区块链创新应用综合性试点城市应用场景建设")],
      level="国家级", status="建设中"))
D(row("gz_ecommerce_demo", "国家级电子商务示范城市", "国家级示范", "赣州",
      [c("000", 935, "加快推进国家级电子商务示范城市建设")], level="国家级", status="建设中"))
D(row("gz_crossborder_zone", "跨境电子商务综合试验区", "国家级试点", "赣州",
      [c("000", 943, "推动跨境电子商务综合试验区与跨境电商零售进口试点城市建设")],
      level="国家级", status="建设中", basis="implied",
      note="赣州规划要求推动其建设，原文未写明获批名称“中国（赣州）跨境电子商务综合试验区”"))
D(row("gz_crossborder_import_pilot", "跨境电商零售进口试点城市", "国家级试点", "赣州",
      [c("000", 943, "推动跨境电子商务综合试验区与跨境电商零售进口试点城市建设")],
      level="国家级", status="建设中", basis="implied",
      note="赣州规划要求推动其建设"))
D(row("gz_info_consumption_demo", "信息消费示范城市", "示范城市", "赣州",
      [c("000", 939, "加快信息消费示范城市建设")], status="建设中"))
D(row("gz_outsourcing_demo", "中国服务外包示范城市", "示范城市", "赣州",
      [c("000", 466, "创建中国服务外包示范城市")], level="国家级", status="争创"))
D(row("gz_logistics_demo", "全国物流创新示范城市", "国家级示范", "赣州",
      [c("002", 278, "赣州列入全国物流创新示范城市")], level="国家级", status="已列入"))
D(row("gz_gigabit_city_bid", "“千兆城市”（创建）", "千兆城市", "赣州",
      [c("000", 1125, "全面启动“千兆城市”创建工作")], status="创建中"))
D(row("gz_industry_transfer_demo", "国家级承接产业转移示范区（赣南）", "国家级示范", "赣州",
      [c("000", 381, "赣南作为国家级承接产业转移示范区")], level="国家级", status="已获批",
      note="原文称“赣南”，以赣州市范围表示"))
D(row("gz_old_revolutionary_demo", "革命老区高质量发展示范区", "示范区", "赣州",
      [c("000", 381, "为赣州市建设革命老区高质量发展示范区注入了新的强大动力")], status="建设中"))
D(row("gz_sub_centre", "省域副中心城市", "城市定位", "赣州",
      [c("000", 387, "建设省域副中心城市")], level="省级", status="建设中"))
D(row("gz_blockchain_hall", "全球首个区块链服务大厅", "首创设施", "赣州",
      [c("000", 359, "上线运营全球首个区块链服务大厅")], status="已上线运营", basis="implied",
      note="见于赣州发展现状段落，原文未给出所在区县"))
# -- 全国城乡高效配送试点 (002:278) -----------------------------------------------------------
for city in ["鹰潭", "宜春", "赣州", "南昌"]:
    D(row(f"urban_rural_delivery-{CITY[city]}", "全国城乡高效配送试点", "国家级试点", city,
          [c("002", 278, "完成鹰潭、宜春、赣州、南昌全国城乡高效配送试点")], level="国家级",
          status="已完成"))
# -- 千兆城市 -------------------------------------------------------------------------------
for city in ["南昌", "九江", "上饶"]:
    D(row(f"gigabit_city-{CITY[city]}", "全国首批“千兆城市”", "千兆城市", city,
          [c("002", 363, "江西南昌、九江、上饶三个城市成功入选全国首批 29 个“千兆城市”名单")],
          level="国家级", status="已入选"))
D(row("gigabit_city_2022", "2022年建成3个“千兆城市”（未点名）", "千兆城市", None,
      [c("004", 23, "建成 3 个“千兆城市”")], status="计划（2022年）",
      note="原文未点名是哪3个城市"))
D(row("gigabit_city_all_2025", "全省设区市建成千兆城市（2025年）", "千兆城市", "江西省",
      [c("003", 61, "全省设区市建成千兆城市")], status="目标（2025年）"))
# -- 省级5G产业基地 (002:227): five, two named ---------------------------------------------
L227 = "吉安井开区、信丰5G产业园等5家省级5G产业基地产业规模达850亿元"
D(row("fiveg_base-jian", "省级5G产业基地：吉安井开区", "省级5G产业基地", "吉安", [c("002", 227, L227)],
      level="省级", status="已认定", holder="吉安井开区",
      note="原文简称“吉安井开区”，未给出园区边界"))
D(row("fiveg_base-xinfeng", "省级5G产业基地：信丰5G产业园", "省级5G产业基地", "信丰县",
      [c("002", 227, L227)], level="省级", status="已认定", holder="信丰5G产业园",
      note="园区位置未给出，以信丰县范围表示"))
D(row("fiveg_base-unnamed", "省级5G产业基地（其余3家未点名）", "省级5G产业基地", None,
      [c("002", 227, L227)], level="省级", status="已认定",
      note="原文称共5家，只点名吉安井开区、信丰5G产业园两家"))
# -- 科创城 network (002:181, 004:41) --------------------------------------------------------
L181 = ("南昌航空科创城、中国（南昌）中医药科创城、南昌VR科创城、赣州稀金科创城、上饶大数据科创城、"
        "鹰潭智慧科创城等创新载体建设成效显著")
for key, name, city in [
    ("nc_aviation", "南昌航空科创城", "南昌"), ("nc_tcm", "中国（南昌）中医药科创城", "南昌"),
    ("nc_vr", "南昌VR科创城", "南昌"), ("gz_rare_metal", "赣州稀金科创城", "赣州"),
    ("sr_bigdata", "上饶大数据科创城", "上饶"), ("yt_smart", "鹰潭智慧科创城", "鹰潭"),
]:
    cites = [c("002", 181, L181)]
    if key in ("nc_vr", "sr_bigdata", "yt_smart"):
        cites.append(c("004", 41, "推进南昌 VR、鹰潭智慧、上饶大数据等数字经济领域特色科创城建设"))
    if key == "gz_rare_metal":
        cites.append(c("000", 1191, "赣州稀金科创城"))
    D(row(f"kechuangcheng-{key}", name, "科创城（鄱阳湖国家自创区创新载体）", city, cites,
          status="建设中", note="科创城位置和范围未给出"))
# -- 数字乡村试点 --------------------------------------------------------------------------
D(row("digital_village-anyuan", "国家数字乡村试点（安远县）", "数字乡村试点", "安远县",
      [c("000", 572, "加快建好国家数字乡村试点"),
       c("000", 1009, "在安远县率先试点建设数字乡村建设管理平台")], level="国家级",
      status="建设中"))
D(row("digital_village-jinggangshan", "国家数字乡村试点（井冈山市等4个县（市、区））", "数字乡村试点",
      "井冈山市", [c("003", 33, "井冈山市等 4 个县(市、区)入选国家数字乡村试点")], level="国家级",
      status="已入选", note="原文称共4个，只点名井冈山市（另据000，安远县为国家数字乡村试点）"))
L261 = "选出包括南昌县、彭泽县等16个省级数字乡村试点县(市、区)"
for county in ["南昌县", "彭泽县"]:
    D(row(f"digital_village_prov-{COUNTY[county]}", f"省级数字乡村试点县（{county}）",
          "数字乡村试点", county, [c("002", 261, L261)], level="省级", status="已入选",
          note="原文称共16个，只点名南昌县、彭泽县"))
D(row("digital_village_prov-unnamed", "省级数字乡村试点县（其余14个未点名）", "数字乡村试点", None,
      [c("002", 261, L261), c("004", 187, "推进16个省级数字试点县建设")], level="省级",
      status="建设中"))
# -- 新型智慧城市 priority (003:262) --------------------------------------------------------
L262 = "率先支持南昌、赣州、鹰潭、九江、赣江新区等有条件的城市结合各自需求和特点,实施新型智慧城市建设工程"
for city in ["南昌", "赣州", "鹰潭", "九江"]:
    D(row(f"smart_city-{CITY[city]}", "新型智慧城市建设工程（率先支持）", "新型智慧城市", city,
          [c("003", 262, L262)], level="省级", status="规划"))
D(row("smart_city-ganjiang", "新型智慧城市建设工程（率先支持）：赣江新区", "新型智慧城市", None,
      [c("003", 262, L262)], level="省级", status="规划", holder="赣江新区",
      note="赣江新区为国家级新区，非设区市，本项目无其边界"))
# -- other named city designations of 002/003 ----------------------------------------------
D(row("smart_logistics-nc", "无人车路协同智慧物流示范区", "示范区", "南昌",
      [c("003", 190, "推进南昌、赣州建设基于无人车路协同智慧物流示范区")], status="规划"))
D(row("smart_logistics-gz", "无人车路协同智慧物流示范区", "示范区", "赣州",
      [c("003", 190, "推进南昌、赣州建设基于无人车路协同智慧物流示范区")], status="规划"))
D(row("gz_digital_finance_park", "赣州数字金融产业园", "数字金融", "赣州",
      [c("003", 192, "支持赣州建设数字金融产业园"),
       c("002", 267, "赣州数字金融产业园 2021 年四季度正式开园，已落户 20 余家企业")],
      status="已开园", note="园区所在区县未给出"))
D(row("yt_iot_finance", "物联网金融创新中心", "数字金融", "鹰潭",
      [c("003", 192, "鹰潭打造物联网金融创新中心"),
       c("002", 267, "鹰潭高新区物联网金融创新中心累计为企业授信 290.9 亿元")], status="运营中"))
D(row("fz_tech_finance", "科技金融创新试验区", "数字金融", "抚州",
      [c("003", 192, "抚州创建科技金融创新试验区")], status="创建"))
D(row("xy_gov_data_finance", "政务大数据普惠金融试点", "数字金融", "新余",
      [c("003", 192, "新余开展政务大数据普惠金融试点")], status="开展"))
D(row("ganjiang_green_finance", "赣江新区绿色金融改革创新试验区", "数字金融", None,
      [c("003", 192, "加快推进赣江新区绿色金融改革创新试验区建设")], status="建设中",
      holder="赣江新区", note="赣江新区非设区市，本项目无其边界"))
D(row("sr_bigdata_base", "国家新型工业化示范基地（大数据方向）", "国家级示范", "上饶",
      [c("002", 157, "获评国家新型工业化示范基地（大数据方向）")], level="国家级", status="已获评"))
D(row("yt_ngit_cluster", "国家首批新一代信息技术战略性新兴产业集群", "国家级示范", "鹰潭",
      [c("003", 27, "鹰潭入选国家首批新一代信息技术战略性新兴产业集群")], level="国家级",
      status="已入选"))
D(row("yt_power_iot", "电力物联网鹰潭示范区", "示范区", "鹰潭",
      [c("002", 386, "电力物联网鹰潭示范区")], status="已落地"))
D(row("nc_vr_conference", "世界VR产业大会永久举办地", "城市定位", "南昌",
      [c("003", 27, "成为世界VR产业大会永久举办地")], status="已确定"))
D(row("nc_metaverse_zone", "九龙湖区域“元宇宙”试验区", "试验区", "南昌",
      [c("003", 198, "在九龙湖区域建设“元宇宙”试验区")], status="规划",
      note="九龙湖区域范围未给出，以南昌市范围表示"))
D(row("nc_first_cluster", "江西省首批数字经济集聚区：南昌高新区新经济产业园", "数字经济集聚区", "南昌",
      [c("002", 159, "南昌高新区新经济产业园等 20 个园区被列为江西省首批数字经济集聚区")],
      level="省级", status="已列入", note="首批共20个，原文只点名此一个"))
D(row("jx_smart_emergency", "全国首批“智慧应急”试点省份", "国家级试点", "江西省",
      [c("003", 33, "江西获批全国首批“智慧应急”试点省份")], level="国家级", status="已获批"))
# -- named enterprises and their stated place ------------------------------------------------
D(row("ent-xinfeng_5g", "58科创集团、金信诺等5G企业（信丰5G产业园）", "企业（地点已点名）", "信丰县",
      [c("002", 227, "信丰5G产业园吸引了58科创集团、金信诺等一大批以5G为主题的生产及应用型企业入驻")],
      status="已入驻", note="企业在信丰5G产业园内，具体地址未给出"))
D(row("ent-gz_blockchain", "太一数科、裕丰智能、知江供应等区块链企业", "企业（地点已点名）", "赣州",
      [c("002", 155, "聚集了太一数科、裕丰智能、知江供应等区块链企业 110 余家")], status="已聚集"))
D(row("ent-gz_xinchuang", "太极信息、电科云等信创企业", "企业（地点已点名）", "赣州",
      [c("000", 359, "引进太极信息、电科云等信创企业近50家")], status="已引进"))
D(row("ent-yudu_winner", "赢家时装（赣州）敏捷制造、柔性制造", "企业（地点已点名）", "于都县",
      [c("001", 69, "支持发展于都赢家时装（赣州）敏捷制造、柔性制造模式")], status="支持发展"))
D(row("ent-guixi_frog", "贵溪市富群石蛙养殖专业合作社（智能化养殖大棚）", "企业（地点已点名）", "贵溪市",
      [c("002", 248, "贵溪市富群石蛙养殖专业合作社")], status="已建成"))
D(row("ent-xihu_dream_street", "西湖区“梦想小街”流量经济产业园", "企业（地点已点名）", "西湖区",
      [c("002", 159, "南昌市西湖区“梦想小街”流量经济产业园")], status="运营中"))
D(row("ent-jdz_taoxichuan", "景德镇陶溪川直播基地", "企业（地点已点名）", "景德镇",
      [c("002", 159, "景德镇陶溪川直播基地")], status="运营中"))
D(row("ent-yc_bigdata_park", "宜春市大数据产业园", "企业（地点已点名）", "宜春",
      [c("002", 159, "宜春市大数据产业园围绕数字文创、电商直播、平台经济、数据应用、")],
      status="运营中"))
D(row("ent-fz_digital_street", "抚州市数字街区", "企业（地点已点名）", "抚州",
      [c("002", 161, "抚州市数字街区围绕数据产业链")], status="运营中"))
D(row("ent-nc_led", "东海蓝玉、晶瑞光电、深圳兆驰、中微半导体等LED企业（南昌高新区）", "企业（地点已点名）",
      "南昌", [c("002", 202, "南昌高新区占据了国内 LED 产业技术水平高地"),
               c("002", 202, "先后引进了东海蓝玉（衬底材料）、晶瑞光电（芯片设计）、深圳兆驰（外延、芯片）、"
                             "中微半导体（MOCVD 设备）等一批行业翘楚企业")], status="已引进"))
D(row("ent-nc_vr", "南昌小派、泰豪创意、中国联通VR/AR基地（小蓝经开区）", "企业（地点已点名）", "南昌",
      [c("002", 152, "小蓝经开区依托小蓝·泰豪 VR 产业基地，初步形成了以南昌小派等为代表的 VR 硬件制造、"
                     "以泰豪创意等为代表的 VR 内容创作、以中国联通 VR/AR 基地等为代表的 VR 技术研发运用的"
                     "产业发展格局")], status="运营中"))

# -- network hubs -----------------------------------------------------------------------------
H(row("hub-nc_ix", "南昌国家级互联网骨干直联点", "互联网骨干直联点", "南昌",
      [c("003", 25, "南昌国家级互联网骨干直联点建成开通"),
       c("002", 356, "南昌国家级互联网骨干直联点建成开通"),
       c("004", 23, "确保南昌国家级互联网骨干直联点上半年全面投入运营")],
      level="国家级", status="已建成开通"))
for city in ["上饶", "九江"]:
    H(row(f"hub-intl_channel-{CITY[city]}", f"{city}国际互联网数据专用通道", "国际互联网数据专用通道",
          city, [c("003", 25, "上饶、九江开通国际互联网数据专用通道"),
                 c("002", 356, "上饶、九江国际互联网数据专用通道正式开通上线")], status="已开通"))
H(row("hub-gz_ix_bid", "赣州争取建设国家互联网骨干直联点", "互联网骨干直联点", "赣州",
      [c("001", 91, "争取建设国家互联网骨干直联点、国际互联网数据专用通道"),
       c("001", 196, "争取建设国家互联网骨干直联点、国际互联网数据专用通道")], status="争取"))
H(row("hub-gz_intl_channel_bid", "赣州国际互联网数据专用通道（国际专用数据链路）",
      "国际互联网数据专用通道", "赣州",
      [c("000", 1127, "积极申报建设国际互联网数据专用通道"),
       c("000", 1127, "着力设计建设 240Gbps-260Gbps 大带宽、70 毫秒以下延迟、丢包率不高于 0.5%的赣州国际专用"
                      "数据链路"),
       c("001", 91, "争取建设国家互联网骨干直联点、国际互联网数据专用通道")], status="申报"))
H(row("hub-other_intl_channels", "其他设区市国际互联网数据专用通道（建议）", "国际互联网数据专用通道",
      None, [c("002", 489, "支持符合条件的其他设区市建设国际互联网数据专用通道")], status="建议",
      note="白皮书建议，未点名城市"))
H(row("hub-gz_iiot_nodes", "工业互联网标识解析二级节点（综合型、服装行业）", "工业互联网标识解析节点",
      "赣州", [c("000", 357, "江西省综合型（全省唯一）和服装行业两个工业互联网标识解析二级节点均落户赣州"),
               c("001", 69, "持续推进工业互联网标识解析综合二级节点和服装行业二级节点建设")],
      status="已落户", note="节点所在区县未给出"))
# -- data-centre siting ---------------------------------------------------------------------
H(row("dc-gannan_core_cluster", "赣南数谷核心数据中心集群", "数据中心布局", "赣州",
      [c("000", 1153, "在赣南数谷建设核心数据中心集群")], status="规划",
      note="赣南数谷（章贡区、赣州经开区、赣州蓉江新区）无公布边界，以赣州市范围表示"))
H(row("dc-zhanggong_cloud_ii", "章贡区赣州市云计算大数据中心二期", "数据中心布局", "章贡区",
      [c("000", 1155, "章贡区赣州市云计算大数据中心二期")], status="在建"))
H(row("dc-ganxian_rare_earth", "稀土行业数据中心（赣县区）", "数据中心布局", "赣县区",
      [c("000", 1155, "在赣县区推动稀土行业数据中心建设")], status="规划"))
H(row("dc-gz_disaster_recovery", "全国性行业数据中心、灾备中心及大湾区区域性灾备中心", "灾备中心", "赣州",
      [c("000", 1155, "积极承接对口国家部委全国性行业数据中心、灾备中心落地，大力支持粤港澳大湾区金融、"
                      "医疗卫生等区域性灾备中心落户赣州")], status="争取"))
H(row("dc-shaoguan_link", "融入“东数西算”，对接粤港澳枢纽韶关数据中心集群", "数据中心布局", None,
      [c("001", 95, "融入国家“东数西算”布局，对接粤港澳枢纽韶关数据中心集群")], status="规划",
      holder="章贡区、赣州蓉江新区（责任单位）",
      note="韶关数据中心集群在广东省，本项目无其边界；001:95所列责任单位含章贡区、赣州蓉江新区"))
for city in ["赣州", "九江", "宜春", "上饶"]:
    H(row(f"dc-large-{CITY[city]}", "大型（超大型）数据中心布局（4—5个，覆盖赣南、赣北、赣东、赣西）",
          "数据中心布局", city,
          [c("003", 296, "在赣州、九江、宜春、上饶等地布局建设 4-5 个大型(超大型)数据中心")],
          status="规划", note="4—5个未分解到各市"))
H(row("dc-nanchang_cluster", "以南昌为中心的数据中心集群", "数据中心布局", "南昌",
      [c("003", 61, "建成以南昌为中心的数据中心集群")], status="目标（2025年）"))
H(row("dc-greater_nanchang", "大南昌都市圈大型（超大型）数据中心", "数据中心布局", None,
      [c("003", 296, "在大南昌都市圈内按需建设以低延时、高宽带应用为主的大型(超大型)数据中心")],
      status="规划", holder="大南昌都市圈", note="大南昌都市圈范围未给出"))
H(row("dc-nc_digital_port", "中国（南昌）数字经济港（规划5万个机柜）", "数据中心布局", "南昌",
      [c("002", 152, "经开区依托中国（南昌）数字经济港，规划建设 5 万个机柜")], status="规划"))
H(row("dc-gz_city_clouds", "天翼华为云、移动浪潮云、赣南数据湖（市级云计算数据中心）", "数据中心布局",
      "赣州", [c("000", 355, "已建成天翼华为云、移动浪潮云和赣南数据湖 3 个市级云计算数据中心")],
      status="已建成", note="三个数据中心所在区县未给出"))

H(row("dc-jx_tax_green_dc", "国家税务总局江西省税务局数据处理中心（国家绿色数据中心）",
      "数据中心布局", "江西省",
      [c("002", 377, "国家税务总局江西省税务局数据处理中心入选《2021 年度国家绿色数据中心名单》")],
      status="已入选", note="原文未给出所在城市"))
# -- corridors ----------------------------------------------------------------------------
L525 = "主要以赣深高铁沿线为依托，构建“赣深数字经济牵引带”，形成南北纵向延伸的数字经济发展脉络"
CORRIDORS += [
    {"id": "ganshen_hsr", "name": "赣深高铁（示意线）", "kind": "高速铁路", "status": "已开通",
     "via": ["南康区", "赣县区", "信丰县", "龙南市", "全南县", "定南县"],
     "via_level": "county", "drawing": "schematic", "place_basis": "implied",
     "location_note": ("示意线：规划未给出赣深高铁的走向和站点，线按“赣深数字经济牵引带”六个区县"
                       "（南康区、赣县区、信丰县、龙南市、全南县、定南县）驻地由北向南连接，"
                       "仅示意其南北纵向走向，非实际线路，也不表示各区县均设站"),
     "citations": [c("000", 381, "随着赣深高铁开通，将迎来重大发展机遇"), c("000", 525, L525),
                   c("000", 557, "赣深数字经济牵引带\t南康区")]},
    {"id": "jingjiu_axis", "name": "京九高铁线一轴（京九（江西）电子信息产业带，示意线）",
     "kind": "产业带", "status": "已形成",
     "via": ["九江", "南昌", "吉安", "赣州"], "via_level": "city", "drawing": "schematic",
     "place_basis": "stated",
     "location_note": ("示意线：按原文点名的九江、南昌、吉安、赣州四个重点城市驻地由北向南连接，"
                       "非京九高铁实际线路"),
     "citations": [c("002", 465, "全省基本形成了以“京九高铁线”为一轴，南昌、吉安、赣州和九江四个城市为"
                                 "重点，其他设区市共同发展的空间格局"),
                   c("003", 110, "以京九(江西)电子信息产业带为重点")]},
    {"id": "hukun_axis", "name": "沪昆高铁线（大数据产业“一核两带”之一带）", "kind": "产业带",
     "status": "已形成", "via": [], "via_level": "none", "drawing": "none",
     "place_basis": "not_stated",
     "location_note": "原文未点名沿线城市：不绘制图形",
     "citations": [c("002", 225, "以京九和沪昆高铁线为纽带")]},
    {"id": "shengan_europe_train", "name": "“深赣欧”班列", "kind": "中欧班列", "status": "常态化开行",
     "via": [], "via_level": "none", "drawing": "none", "place_basis": "not_stated",
     "location_note": "原文未给出线路：不绘制图形（起止点在江西省外）",
     "citations": [c("000", 945, "常态化开行“深赣欧”“粤赣欧”班列、赣州—香港货运直通车")]},
    {"id": "yuegan_europe_train", "name": "“粤赣欧”班列", "kind": "中欧班列", "status": "常态化开行",
     "via": [], "via_level": "none", "drawing": "none", "place_basis": "not_stated",
     "location_note": "原文未给出线路：不绘制图形（起止点在江西省外）",
     "citations": [c("000", 945, "常态化开行“深赣欧”“粤赣欧”班列、赣州—香港货运直通车")]},
    {"id": "ganzhou_hk_truck", "name": "赣州—香港货运直通车", "kind": "货运直通车", "status": "常态化开行",
     "via": [], "via_level": "none", "drawing": "none", "place_basis": "not_stated",
     "location_note": "原文未给出线路：不绘制图形（香港在本项目边界之外）",
     "citations": [c("000", 945, "常态化开行“深赣欧”“粤赣欧”班列、赣州—香港货运直通车")]},
    {"id": "ganshen_digital_corridor", "name": "赣深数字经济走廊", "kind": "数字经济走廊",
     "status": "建设中", "via": ["吉安", "赣州"], "via_level": "city", "drawing": "schematic",
     "place_basis": "stated",
     "location_note": "示意线：连接原文点名的吉安、赣州两市驻地，非实际范围（走廊向深圳延伸，省外部分不绘制）",
     "citations": [c("003", 206, "协同吉安等地打造赣深数字经济走廊"),
                   c("001", 23, "围绕打造赣深数字经济走廊")]},
    {"id": "v2x_demo_road", "name": "5G车联网示范道路", "kind": "示范道路", "status": "规划",
     "via": [], "via_level": "none", "drawing": "none", "place_basis": "not_stated",
     "location_note": "原文未给出道路位置：不绘制图形",
     "citations": [c("000", 797, "建设 5G 车联网示范道路")]},
    {"id": "liwen_smart_highway", "name": "梨温智慧高速公路", "kind": "智慧交通", "status": "建设中",
     "via": [], "via_level": "none", "drawing": "none", "place_basis": "not_stated",
     "location_note": "原文未给出线路：不绘制图形",
     "citations": [c("003", 314, "梨温智慧高速公路"), c("004", 209, "推进梨温智慧高速公路")]},
    {"id": "xinjiang_smart_waterway", "name": "信江智慧航道示范项目", "kind": "智慧交通",
     "status": "建设中", "via": [], "via_level": "none", "drawing": "none",
     "place_basis": "not_stated", "location_note": "原文未给出航道范围：不绘制图形",
     "citations": [c("003", 314, "信江智慧航道示范项目"), c("004", 209, "信江智慧航道示范工程")]},
]
for cor in CORRIDORS:
    cor["via_adcodes"] = [COUNTY.get(v) or CITY[v] for v in cor["via"]]


def _lines(src: str) -> list[str]:
    return next(SEEDS.glob(f"{src}_*.txt")).read_text("utf-8").splitlines()


def check() -> list[str]:
    """Every quote in its cited line(s); the list of failures."""
    seeds = {s: _lines(s) for s in ("000", "001", "002", "003", "004")}
    problems = []
    for section in (DESIGNATIONS, HUBS, CORRIDORS):
        ids = [r["id"] for r in section]
        if len(ids) != len(set(ids)):
            problems.append("duplicate ids")
        for r in section:
            for ci in r["citations"]:
                first, _, last = ci["lines"].partition("-")
                text = "".join(seeds[ci["src"]][int(first) - 1:int(last or first)])
                if re.sub(r"\s+", "", ci["quote"]) not in re.sub(r"\s+", "", text):
                    problems.append(f"{r['id']}: quote not in {ci['src']}:{ci['lines']}")
    return problems


def main() -> int:
    """Check, then write designations.yaml."""
    problems = check()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    header = ("# Generated by scripts/transcribe_places.py from the seeds (data/plan/seeds); "
              "do not edit by hand.\n# Designations, hubs and corridors the seeds state; a place "
              "only where the seed names it.\n")
    doc = {"designations": DESIGNATIONS, "hubs": HUBS, "corridors": CORRIDORS}
    OUT.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False,
                                           width=1000), encoding="utf-8")
    print(f"ok: {len(DESIGNATIONS)} designations, {len(HUBS)} hubs, {len(CORRIDORS)} corridors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
