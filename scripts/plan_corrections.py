"""Corrections applied by scripts/transcribe_plan.py after it builds parks and province.

Found in the audit of issue 15, each checked against the seed text itself:

- Parks: 赣州高新区 (000:1191 names it, gives no place) keeps no point; rows whose county or
  zone is only implied say the implication in Chinese and carry an ``*_implied`` precision
  (parks.py draws them apart from stated ones); 稀土行业级工业云服务平台 (000:917) is added;
  “一网五中心” is a 重大平台 (000:529), the 数据交易中心 a 数据交易平台 (not 物流商贸).
  User-facing ``notes`` are Chinese only; English working notes move to ``internal_notes``.
- Province layouts: each member cites the sentence about its own city and its ``text`` is that
  sentence's verbatim words; 承接转移示范区 members are the cities of 003 专栏7 and 004:315
  (赣州、吉安、上饶、鹰潭); 九江 and 萍乡 stay only with their own sentence (003:206) and a
  label saying they are not in 专栏7.
"""

# ruff: noqa: E501  (data tables: verbatim Chinese quotes are kept on one line)

from __future__ import annotations

import copy
import re
from typing import Any

ZONE_NOTE = re.compile(r"位于(\S+?)；规划未给出该管理区的边界和所在区县，故 county_adcodes 为空。")

NEW_PARK_TYPES = {"major_platform": "重大平台", "data_exchange": "数据交易平台"}

# id -> fields to set (Chinese ``location_basis_note`` is shown on the map)
PARK_UPDATES: dict[str, dict[str, Any]] = {
    "GZP060": {
        "no_point": True,
        "location_basis_note": (
            "原文（000:1147、000:1191“鄱阳湖国家自主创新示范区——赣州高新区”）只点名赣州高新区，"
            "未给出其位置、边界或所在区县，故不绘制点位；功能区图层中的点为示意位置"),
    },
    "GZP005": {"location_basis_note": (
        "所在功能区为推断：000:745称“依托赣州区块链技术产业园推动组建赣州区块链研究院”，"
        "该产业园位于赣州经开区（000:519），原文未直接写明研究院所在地")},
    "GZP009": {"location_basis_note": (
        "所在功能区为推断：000:685未写地点；000:693称时空大数据科技园以蓉江新区为核心，"
        "001:43称“赣州蓉江新区北斗时空大数据产业园”，三者是否同一园区原文未说明")},
    "GZP012": {
        "type": "data_exchange",
        "location_basis_note": (
            "000:521、000:556在赣州蓉江新区“以赣州大数据产业园为核心，建设数据交易中心”；"
            "000:1183、000:1185、001:105所称赣州市大数据交易中心、赣南大数据交易中心未写地点，"
            "与之是否同一机构为推断")},
    "GZP021": {"location_basis_note": (
        "所在区县为推断：000:917称“依托赣江创新研究院……已有稀土功能材料技术成果转化平台”，"
        "赣江创新研究院位于赣县区（000:527），原文未直接写明平台所在地")},
    "GZP071": {"location_basis_note": (
        "所在功能区为推断：000:779称“以赣州经开区为核心……支持赣州智研院建设人工智能领域创新平台”，"
        "原文未直接写明赣州智研院所在地")},
    "GZP028": {"type": "major_platform"},
}

PARK_ADDITIONS: list[dict[str, Any]] = [{
    "id": "GZP092",
    "name": "稀土行业级工业云服务平台",
    "aliases": [],
    "type": "major_platform",
    "type_detail": "industry-level industrial cloud service platform (rare earths)",
    "industry_focus": ["稀土", "工业云"],
    "level": None,
    "status": "规划（建设）",
    "county_adcodes": [],
    "functional_zone": None,
    "county_basis": "not_stated",
    "county_scope": "unknown",
    "layout_unit": None,
    "notes": "原文未给出所在区县",
    "location_basis_note": "000:917只称“建设稀土行业级工业云服务平台”，未给出所在区县，故不绘制点位",
    "citations": [{"src": "000", "lines": "917",
                   "quote": "建设稀土行业级工业云服务平台，推进稀土重点企业转型升级"}],
}]


def _is_chinese_note(text: str) -> bool:
    return not re.search(r"[A-Za-z]{4,}", text)


def apply_parks(doc: dict[str, Any], type_zh: dict[str, str]) -> dict[str, Any]:
    """Return parks.yaml corrected: types, implied-location notes, Chinese notes, GZP092."""
    type_zh = {**type_zh, **NEW_PARK_TYPES}
    parks = [copy.deepcopy(p) for p in doc["parks"]]
    for extra in PARK_ADDITIONS:
        rec = copy.deepcopy(extra)
        rec["type_zh"] = type_zh[rec["type"]]
        parks.append(rec)
    for p in parks:
        p.update(PARK_UPDATES.get(p["id"], {}))
        p["type_zh"] = type_zh[p["type"]]
        notes = p.get("notes") or ""
        zone = ZONE_NOTE.search(notes)
        rest = ZONE_NOTE.sub("", notes).strip()
        chinese = [f"位于{zone.group(1)}；规划未给出该管理区的边界和所在区县。"] if zone else []
        internal = []
        if rest:
            (chinese if _is_chinese_note(rest) else internal).append(rest)
        p["notes"] = " ".join(chinese) or None
        if internal:
            p["internal_notes"] = " ".join(internal)
        chinese_wording(p)
    parks.sort(key=lambda r: r["id"])
    return {"parks": parks}


# (layout id, member name) -> (role or None, [(src, line, verbatim quote)]); the first
# quote becomes the member's ``text``.
MEMBER_CITES: dict[tuple[str, str], tuple[str | None, list[tuple[str, str, str]]]] = {
    ("nanchang_yihe_sanjidi_003", "南昌市"): (None, [
        ("003", "198", "发挥南昌省会城市优势，强化创新源、动力源和辐射源作用，建设江西省数字经济创新引领区"),
        ("003", "202", "在南昌市九龙湖区域建设“元宇宙”试验区")]),
    ("nanchang_yihe_sanjidi_002", "南昌市"): (None, [
        ("002", "150", "南昌市发挥省会城市优势，建设江西省数字经济创新引领区"),
        ("002", "150", "选择主攻赛道构建了“一核三基地多点支撑”数字经济协同发展新格局")]),
    ("chengjie_zhuanyi", "赣州市"): (None, [
        ("003", "210", "赣州。围绕建设赣深数字经济走廊，推动“1+5+N”特色产业深入嵌入大湾区数字经济产业链分工"),
        ("003", "206", "重点支持赣州发挥对接粤港澳大湾区桥头堡和省域副中心城市优势"),
        ("004", "315", "赣州市、吉安市、上饶、鹰潭要制定创建数字经济承接产业转移示范区实施方案")]),
    ("chengjie_zhuanyi", "吉安市"): (None, [
        ("003", "212", "吉安。积极融入打造赣深数字经济走廊，聚焦发展半导体照明、触控显示、电子电路、移动智能设备及终端等优势产业"),
        ("004", "315", "赣州市、吉安市、上饶、鹰潭要制定创建数字经济承接产业转移示范区实施方案")]),
    ("chengjie_zhuanyi", "上饶市"): (None, [
        ("003", "214", "上饶。围绕打造对接 G60 科创走廊，定向承接长三角数字产业转移的示范区，重点以上饶高铁经济试验区为核心"),
        ("004", "315", "赣州市、吉安市、上饶、鹰潭要制定创建数字经济承接产业转移示范区实施方案")]),
    ("chengjie_zhuanyi", "鹰潭市"): (None, [
        ("003", "216", "鹰潭。充分发挥承接国家“03 专项”试点示范核心基地优势，打造“智能鹰潭 2.0”版，建设千亿级的全链条物联网产业集聚区"),
        ("004", "315", "赣州市、吉安市、上饶、鹰潭要制定创建数字经济承接产业转移示范区实施方案")]),
    ("chengjie_zhuanyi", "九江市"): ("建设产业合作平台（003正文；未列入专栏7承接转移示范区城市及004:315名单）", [
        ("003", "206", "支持九江、萍乡等地建设产业合作平台，发挥区位优势，加强与武汉、合肥、长沙等地在数字经济产业领域的对接合作")]),
    ("chengjie_zhuanyi", "萍乡市"): ("建设产业合作平台（003正文；未列入专栏7承接转移示范区城市及004:315名单）", [
        ("003", "206", "支持九江、萍乡等地建设产业合作平台，发挥区位优势，加强与武汉、合肥、长沙等地在数字经济产业领域的对接合作")]),
    ("tese_jijuqu", "九江市"): (None, [
        ("003", "224", "九江。充分发挥长江经济带重要节点城市优势,以工业互联网等新兴领域和电子电路等优势领域为重点"),
        ("003", "218", "支持九江电子元器件")]),
    ("tese_jijuqu", "抚州市"): (None, [
        ("003", "234", "抚州。以数据价值化和产业互联网为动力,大力发展大数据基础硬件,数字装备制造、信息安全和数据服务等赛道"),
        ("003", "218", "抚州大数据")]),
    ("tese_jijuqu", "景德镇市"): (None, [
        ("003", "226", "景德镇。围绕建设国家陶瓷文化传承创新试验区,聚焦发展数字文创赛道"),
        ("003", "218", "景德镇数字文创")]),
    ("tese_jijuqu", "宜春市"): (None, [
        ("003", "232", "宜春。依托先进制造业集群优势,重点发展智慧新能源、智慧医药等赛道"),
        ("003", "218", "宜春智慧新能源")]),
    ("tese_jijuqu", "新余市"): (None, [
        ("003", "230", "新余。推动大数据与智能制造产业园和京东新经济产业园建设,重点发展智能安防、智慧新能源等赛道"),
        ("003", "218", "新余智能安防")]),
    ("tese_jijuqu", "萍乡市"): (None, [
        ("003", "228", "萍乡。做大做强智能终端、智能安防等赛道"),
        ("003", "218", "萍乡智慧旅游")]),
    **{("dc_yihe_sifu", city): (None, [
        ("002", "377", "全省形成了以南昌为核心，九江、上饶、赣州、宜春为补充的“一核四副”数据中心空间布局")])
       for city in ("南昌市", "九江市", "上饶市", "赣州市", "宜春市")},
    **{("jingjiu_belt", city): (None, [
        ("002", "465", "全省基本形成了以“京九高铁线”为一轴，南昌、吉安、赣州和九江四个城市为重点，其他设区市共同发展的空间格局")])
       for city in ("南昌市", "吉安市", "赣州市", "九江市")},
    ("bigdata_yihe_liangdai_bajidi", "南昌市"): (None, [
        ("002", "225", "即以南昌为核心，以京九和沪昆高铁线为纽带，培育建设八大大数据产业基地")]),
    ("iot_1_1_10", "鹰潭市"): (None, [("002", "219", "以鹰潭为基地")]),
    ("iot_1_1_10", "南昌市"): (None, [("002", "219", "南昌为产业主体区")]),
    **{("iot_1_1_10", city): (None, [
        ("002", "219", "上饶、赣江新区、宜春、赣州、景德镇等其他设区市为拓展区")])
       for city in ("上饶市", "宜春市", "赣州市", "景德镇市")},
    **{("infosec_5_n", city): (None, [
        ("002", "221", "全省信息安全产业已初步形成了南昌、赣州、鹰潭、上饶、抚州等地“5+N”的空间布局")])
       for city in ("南昌市", "赣州市", "鹰潭市", "上饶市", "抚州市")},
    ("ganshen_corridor", "赣州市"): (None, [
        ("003", "206", "重点支持赣州发挥对接粤港澳大湾区桥头堡和省域副中心城市优势，抓住赣深高铁开通机遇"),
        ("001", "23", "围绕打造赣深数字经济走廊")]),
    ("ganshen_corridor", "吉安市"): (None, [
        ("003", "206", "协同吉安等地打造赣深数字经济走廊"),
        ("002", "155", "吉安积极推进赣深数字经济走廊建设")]),
    ("city_specialisation", "南昌市"): (None, [("000", "369", "例如南昌的 VR/AR、鹰潭的物联网、上饶的大数据等")]),
    ("city_specialisation", "鹰潭市"): (None, [("000", "369", "例如南昌的 VR/AR、鹰潭的物联网、上饶的大数据等")]),
    ("city_specialisation", "上饶市"): (None, [("000", "369", "例如南昌的 VR/AR、鹰潭的物联网、上饶的大数据等")]),
    ("city_specialisation", "吉安市"): (None, [("000", "501", "加强与吉安电子信息、抚州生物医药、鹰潭物联网等周边特色产业协作")]),
    ("city_specialisation", "抚州市"): (None, [("000", "501", "加强与吉安电子信息、抚州生物医药、鹰潭物联网等周边特色产业协作")]),
}


def apply_province(doc: dict[str, Any]) -> dict[str, Any]:
    """Give every layout member the citation of its own sentence and that sentence as text."""
    doc = copy.deepcopy(doc)
    for layout in doc["layouts"]:
        for m in layout.get("members") or []:
            role, cites = MEMBER_CITES[(layout["id"], m["name"])]
            if role:
                m["role"] = role
            m["text"] = cites[0][2]
            m["citations"] = [{"src": s, "lines": ln, "quote": q} for s, ln, q in cites]
        if layout.get("notes"):
            layout["notes"] = layout["notes"].replace("（见 text）", "（见各市规划表述）")
    return doc


# User-facing wording: the English type descriptions and statuses of plan-facts, in Chinese
# (the English originals are kept in ``internal_notes``).
TYPE_DETAIL_ZH: dict[str, str] = {
    "agricultural IoT deployment": "农业物联网项目",
    "agricultural base": "农业基地",
    "agricultural park": "农业园区",
    "application demonstration zone (时空大数据应用示范区, 专栏4 “一核多极”)": "时空大数据应用示范区（专栏4“一核多极”）",
    "bonded zone → 跨境数字贸易聚集区": "综合保税区（拟建跨境数字贸易聚集区）",
    "city operations platform (data centre function)": "城市运行平台（具数据中心功能）",
    "commercial / heritage district (智慧商圈 pilot)": "商业/历史文化街区（智慧商圈试点）",
    "commercial district (智慧商圈 pilot)": "商业街区（智慧商圈试点）",
    "cooperation platform (innovation enclave, likely located in the Greater Bay Area)": "合作平台（科创飞地，所在地未写明）",
    "cooperation zone": "合作区",
    "data centre": "数据中心",
    "data centre (industry big-data centre)": "数据中心（行业大数据中心）",
    "data centre (municipal cloud)": "数据中心（市级云计算数据中心）",
    "data exchange / trading centre": "数据交易中心",
    "data/operations centre": "数据/运营中心",
    "demonstration base": "示范基地",
    "development zone (functional zone)": "开发区（功能区）",
    "e-commerce demonstration village (unnamed)": "电子商务示范村（未点名）",
    "financial services cluster": "金融服务集聚区",
    "industrial base (target designation)": "产业基地（争创称号）",
    "industrial base (target)": "产业基地（目标）",
    "industrial cluster": "产业集群",
    "industrial cluster / district": "产业集群/片区",
    "industrial park": "产业园区",
    "industrial park (platform)": "产业园区（平台）",
    "industrial park (重点纺织服装产业集聚区)": "产业园区（重点纺织服装产业集聚区）",
    "industrial park / data centre cluster": "产业园区/数据中心集群",
    "industrial park / science park": "产业园区/科技园",
    "industrial park group (传统制造业基础)": "产业园区组（传统制造业基础）",
    "industrial platform group (家居)": "重大平台组（家居）",
    "industrial-internet infrastructure node": "工业互联网基础设施节点",
    "industry data platform": "产业数据平台",
    "innovation district (科创城)": "科创城",
    "innovation platform": "创新平台",
    "innovation platform / pilot zone": "创新平台/试验基地",
    "laboratory": "实验室",
    "laboratory / innovation base": "实验室/创新基地",
    "logistics / trade base": "物流/商贸基地",
    "logistics centre": "物流中心",
    "logistics demonstration zone": "物流示范区",
    "mine (5G macro + underground micro base stations)": "矿区（布设5G宏基站和井下微基站）",
    "mine (tungsten; 5G macro + underground micro base stations)": "钨矿区（布设5G宏基站和井下微基站）",
    "mine (稀土矿区; 5G macro + underground micro base stations)": "稀土矿区（布设5G宏基站和井下微基站）",
    "pilot zone (digital village)": "试点（数字乡村）",
    "platform (mining)": "平台（矿业）",
    "public service facility": "公共服务设施",
    "radio monitoring station / testing platform": "无线电监测站/检测平台",
    "research institute": "研究院所",
    "research institute (innovation platform)": "研究院所（创新平台）",
    "science/innovation district": "科技城/科创城",
    "service-outsourcing base": "服务外包基地",
    "testing platform": "测试平台",
    "themed town (小镇) / demonstration carrier": "特色小镇/示范载体",
    "tourism / leisure zone": "旅游/休闲区",
    "tourism carrier group (文旅产业载体)": "文旅产业载体组",
    "tourism zone": "旅游区",
    "trading centre": "交易中心",
    "industry-level industrial cloud service platform (rare earths)": "行业级工业云服务平台（稀土）",
}
STATUS_ZH: dict[str, str] = {
    "GZP001": "已落地；拟发展升级", "GZP002": "建设中（全面建设）", "GZP003": "在建/加快推进（二期，重点项目）",
    "GZP004": "已建成；2021—2023年提档升级", "GZP006": "已上线运营",
    "GZP007": "规划建设；已签约时空大数据产业项目超100亿元", "GZP008": "规划（目标：2025年全面成熟运营）",
    "GZP011": "在建/加快推进（赣南数谷核心数据中心集群重点项目）", "GZP015": "已开园（2021年四季度，已落户20余家企业）",
    "GZP016": "已有（依托）", "GZP017": "状态不明：000:527为“依托”（已有），000:917为“建设”",
    "GZP021": "已有", "GZP024": "已有矿区；规划布设5G", "GZP025": "已有矿区；规划布设5G",
    "GZP026": "已有矿区；规划布设5G", "GZP027": "已有（数字农业试点）", "GZP028": "建设中（目标：2023年全面完成）",
    "GZP030": "已有（优势产业集聚区）", "GZP031": "已有（做强）",
    "GZP033": "已有；园区企业超350家，总产值近200亿元（002，2021年）", "GZP035": "规划（目标：2025年建成并完善）",
    "GZP036": "已有（试点）", "GZP037": "已有载体（加快建设）", "GZP039": "已有（依托）", "GZP040": "已有载体",
    "GZP042": "监测站已有；检测检验平台规划", "GZP043": "已有", "GZP044": "探索",
    "GZP046": "已有（依托）", "GZP047": "已有（依托）", "GZP048": "已有（依托）", "GZP049": "已有（依托）",
    "GZP050": "已有（依托）", "GZP051": "已有", "GZP057": "已有（串联）", "GZP058": "已有（依托）",
    "GZP060": "已有", "GZP062": "原文未说明", "GZP066": "综合保税区已有；聚集区规划", "GZP071": "已有",
    "GZP072": "已有", "GZP073": "已有（做强）", "GZP074": "已有（做强）", "GZP075": "已有（做强）",
    "GZP079": "已落户赣州",
}
INDUSTRY_FOCUS_ZH = {"mMTC": "海量机器类通信（mMTC）", "数字经济 (unspecified)": "数字经济（未具体说明）"}


def chinese_wording(p: dict[str, Any]) -> None:
    """Replace a park's English type description, status and focus terms with Chinese."""
    internal = []
    p["type_detail"] = TYPE_DETAIL_ZH.get(p["type_detail"], p["type_detail"])
    if p["id"] in STATUS_ZH and p.get("status") and re.search(r"[A-Za-z]{4,}", p["status"]):
        internal.append(f"status: {p['status']}")
        p["status"] = STATUS_ZH[p["id"]]
    p["industry_focus"] = [INDUSTRY_FOCUS_ZH.get(f, f) for f in p.get("industry_focus") or []]
    if internal:
        p["internal_notes"] = "; ".join(filter(None, [p.get("internal_notes"), *internal]))


THEMATIC_ROLE_ZH = {
    "软件与信息技术服务业核心之一（with 赣州经开区、赣州蓉江新区）": "软件与信息技术服务业核心之一（与赣州经开区、赣州蓉江新区共同）",
    "responsible unit for compute/data-centre infrastructure (with 赣州蓉江新区)": "集约建设算力基础设施的责任单位（与赣州蓉江新区共同）",
    "lead unit: 信息技术自主创新基地建设": "牵头单位：信息技术自主创新基地建设",
    "“区块链+AI”融合应用依托地（text says 南康县）": "“区块链+AI”融合应用依托地（原文作“南康县”）",
    "responsible unit: “科创飞地”": "责任单位：“科创飞地”",
    "responsible unit: 共建数字产业合作平台、“科创飞地”": "责任单位：共建数字产业合作平台、“科创飞地”",
}


def apply_counties(doc: dict[str, Any]) -> dict[str, Any]:
    """Chinese wording for the counties' thematic roles (shown in the counties layer)."""
    doc = copy.deepcopy(doc)
    for key in ("counties", "functional_zones"):
        for c in doc.get(key) or []:
            for r in c.get("thematic_roles") or []:
                r["role"] = THEMATIC_ROLE_ZH.get(r["role"], r["role"])
    return doc


def apply_targets(doc: dict[str, Any]) -> dict[str, Any]:
    """Chinese wording for the three user-facing English remarks of targets.yaml."""
    doc = copy.deepcopy(doc)
    for g in doc["fiveg"]["coverage_goals"]:
        if g["id"] == "hetnet_dense_sites":
            g["note"] = "附件一（000:1251）只列产业园区、商业中心、高校，未列景区"
    for o in doc["iot"]["other"]:
        if o["id"] == "deep_coverage_sites":
            o["text"] = "强化赣州政府机关、学校、医院、园区等重点区域深度覆盖（推动存量2G/3G物联网业务向NB-IoT/LTE-Cat1/4G/5G网络迁移）"
        if o["id"] == "digital_agri_pilots":
            o["text"] = "开展数字技术深入应用试点工作，建设一批数字农业应用推广基地（数量未给出）"
    return doc
