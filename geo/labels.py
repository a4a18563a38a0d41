"""Chinese labels of coded values, in one place for the maps, the schemas and XLSX exports.

Stored values stay codes (``on_air``, ``macro``, ``main_urban``): filters, CQL2, GIS clients
and re-imports read them. People read the Chinese label, and the same value must read the
same way on a map legend, in a popup and in a spreadsheet someone prints, so every table
of labels lives here and the maps and ``geo.schema.Column.labels`` import it.
"""

from __future__ import annotations

from collections.abc import Mapping

# site status (geo.inventory.vocab.STATUSES): the plan counts on_air sites (5G基站开通数)
STATUS = {"planned": "规划", "built": "已建未开通", "on_air": "在网"}
SITE_TYPE = {"macro": "宏站", "micro": "微站", "indoor": "室分"}
# which radius the coverage model gave a site (geo.collections.sites)
COVERAGE_SETTING = {"urban": "城区", "rural": "乡村"}
IOT_TIER = {"1": "第一梯次·优先完成部署", "2": "第二梯次·着重部署", "3": "第三梯次·逐步部署"}
REQUIRED_ZONE = {"whole county (全深度覆盖)": "全县（全深度覆盖梯次）",
                 "main urban area (主城区, schematic)": "主城区（驻地周边示意范围）"}
GAP_KIND = {"main_urban": "主城区缺口", "full_depth_county": "全深度县缺口"}
NOT_ASSESSABLE = "not assessable"
ASSESSABLE = {NOT_ASSESSABLE: "无法评估"}
TARGET_SOURCE = {"allocated": "分配值（按规划全市总数分配）"}

# Value labels by field name: a field means the same in every collection (``status`` of a
# site), so a schema column gets its table from here (geo.collections.live._c)
FIELDS: dict[str, Mapping[str, str]] = {
    "status": STATUS, "type": SITE_TYPE, "coverage_setting": COVERAGE_SETTING,
    "iot_tiers": IOT_TIER, "required_zone": REQUIRED_ZONE, "gap_kind": GAP_KIND,
    "mines_coverage": ASSESSABLE, "target_2023_source": TARGET_SOURCE,
    "target_2025_source": TARGET_SOURCE,
}
# Titles of fields a table carries beside its schema (the scorecard's city line)
FIELD_TITLES = {
    **{f"plan_{y}": f"规划{y}全市目标" for y in (2023, 2025)},
    **{f"difference_from_plan_{y}": f"各县{y}目标合计与规划之差" for y in (2023, 2025)},
    **{f"pct_of_plan_{y}": f"完成规划{y}目标%" for y in (2023, 2025)},
    "population_source": "人口数据来源",
}


def label(value: object, labels: Mapping[str, str] | None) -> object:
    """The Chinese label of ``value`` (a comma list label by label), else ``value`` itself.

    ``iot_tiers`` holds lists such as ``"1,3"``; a value the table does not know (a free
    text, an override note) is shown as it is rather than hidden.
    """
    if not labels or not isinstance(value, str):
        return value
    if value in labels:
        return labels[value]
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > 1 and all(p in labels for p in parts):
        return "、".join(labels[p] for p in parts)
    return value

# --- Display texts of the plan data's internal English notes (maps' popups and tables).
# The stored values stay as transcribed (they carry the transcriber's reading); a person
# reads these. A value missing here is shown only by its Chinese parts (maps.text.zh).
PLACE_KIND = {"area": "区域", "county": "区县", "functional_zone": "功能区", "park": "园区"}
PARK_STATUS = {
    "existing": "已有", "existing (依托)": "已有（依托）", "existing (做强)": "已有（做强）",
    "existing (已有)": "已有", "existing (串联)": "已有（串联）",
    "existing (优势产业集聚区)": "已有（优势产业集聚区）",
    "existing (pilot site)": "已有（试点）",
    "existing (pilot site for digital agriculture)": "已有（数字农业试点）",
    "existing mine; 5G planned": "已有矿区；5G规划建设",
    "existing station; 检测检验平台 planned": "已有站点；检测检验平台规划建设",
    "existing zone; 聚集区 planned": "已有区域；聚集区规划建设",
    "existing; >350 firms, output ~200亿元 (002, 2021)":
        "已有；企业350余家，产值约200亿元（2021年）",
    "已落地 (existing); to be upgraded (发展升级)": "已落地；发展升级",
    "建设中 (to be fully built: 全面建设)": "建设中（全面建设）",
    "在建/加快推进 (phase II, key project)": "在建/加快推进（二期，重点项目）",
    "已建成 (built); 提档升级 planned 2021-2023": "已建成；2021—2023年提档升级",
    "规划 (推动组建 — to be set up)": "规划（推动组建）",
    "已上线运营 (in operation)": "已上线运营",
    "规划建设 (planned/under construction); >100亿元 projects signed":
        "规划建设；已签约项目超100亿元",
    "规划 (to be built; target: 2025 全面成熟运营)": "规划（目标：2025年全面成熟运营）",
    "在建/加快推进 (key project of the 赣南数谷 core data-centre cluster)":
        "在建/加快推进（赣南数谷核心数据中心集群重点项目）",
    "已开园 (opened Q4 2021, 20+ firms)": "已开园（2021年第四季度，入驻企业20余家）",
    "依托 (cited as existing in 527) but also '建设' (to be built) in 917 — status unclear":
        "规划文本表述不一（一处称“依托”，一处称“建设”）",
    "建设中 (target: 2023 全面完成)": "建设中（目标：2023年全面完成）",
    "规划 (target: 2025 建成并完善)": "规划（目标：2025年建成并完善）",
    "已有载体 (existing; to be accelerated)": "已有载体（加快建设）",
    "已有载体 (existing)": "已有载体", "探索 (exploring)": "探索", "not stated": "规划未说明",
    "已落户赣州 (existing)": "已落户赣州",
}
PARK_TYPE_DETAIL = {
    "industrial park": "产业园区", "research institute": "研究院",
    "research institute (innovation platform)": "研究院（创新平台）",
    "application demonstration zone (时空大数据应用示范区, 专栏4 “一核多极”)":
        "时空大数据应用示范区（专栏4“一核多极”）",
    "industrial park (重点纺织服装产业集聚区)": "产业园区（重点纺织服装产业集聚区）",
    "data centre": "数据中心", "data centre (municipal cloud)": "数据中心（市级政务云）",
    "data centre (industry big-data centre)": "数据中心（行业大数据中心）",
    "laboratory / innovation base": "实验室/创新基地", "public service facility": "公共服务设施",
    "agricultural park": "农业园区", "cooperation zone": "合作区",
    "innovation platform / pilot zone": "创新平台/试验区",
    "industrial park / science park": "产业园区/科技园",
    "themed town (小镇) / demonstration carrier": "特色小镇/示范载体",
    "demonstration base": "示范基地",
    "industrial park / data centre cluster": "产业园区/数据中心集群",
    "data exchange / trading centre": "数据交易中心",
    "city operations platform (data centre function)": "城市运营平台（承担数据中心功能）",
    "financial services cluster": "金融服务集聚区",
    "industrial cluster / district": "产业集群/街区",
    "innovation district (科创城)": "科创城", "innovation platform": "创新平台",
    "trading centre": "交易中心", "platform (mining)": "平台（矿业）",
    "mine (稀土矿区; 5G macro + underground micro base stations)": "稀土矿区（5G宏站＋井下微站）",
    "mine (5G macro + underground micro base stations)": "矿区（5G宏站＋井下微站）",
    "mine (tungsten; 5G macro + underground micro base stations)": "钨矿区（5G宏站＋井下微站）",
    "industrial platform group (家居)": "产业平台群（家居）",
    "industrial base (target designation)": "产业基地（目标定位）",
    "industrial cluster": "产业集群", "logistics / trade base": "物流商贸基地",
    "industry data platform": "行业数据平台", "testing platform": "检测平台",
    "industrial park (platform)": "产业园区（平台）",
    "radio monitoring station / testing platform": "无线电监测站/检测平台",
    "cooperation platform (innovation enclave, likely located in the Greater Bay Area)":
        "合作平台（创新飞地，可能位于粤港澳大湾区）",
    "industrial park group (传统制造业基础)": "产业园区群（传统制造业基础）",
    "industrial base (target)": "产业基地（目标）", "tourism zone": "旅游区",
    "pilot zone (digital village)": "试点区（数字乡村）",
    "e-commerce demonstration village (unnamed)": "电商示范村（未点名）",
    "tourism / leisure zone": "旅游休闲区", "tourism carrier group (文旅产业载体)": "文旅产业载体",
    "agricultural base": "农业基地", "agricultural IoT deployment": "农业物联网部署",
    "development zone (functional zone)": "开发区（功能区）",
    "science/innovation district": "科创区",
    "bonded zone → 跨境数字贸易聚集区": "保税区→跨境数字贸易聚集区", "logistics centre": "物流中心",
    "commercial / heritage district (智慧商圈 pilot)": "商业/历史街区（智慧商圈试点）",
    "commercial district (智慧商圈 pilot)": "商业街区（智慧商圈试点）",
    "industrial-internet infrastructure node": "工业互联网基础设施节点",
    "service-outsourcing base": "服务外包基地", "logistics demonstration zone": "物流示范区",
    "data/operations centre": "数据/运营中心", "laboratory": "实验室",
}
PARK_LEVEL = {
    "全省唯一 (only one in the province); formal level not stated": "全省唯一（正式级别未说明）",
    "part of the 鄱阳湖国家自创区 innovation-carrier list (002:181)":
        "列入鄱阳湖国家自创区创新载体名单",
    "国家级 (aspired)": "国家级（争创）", "国家级 (by name)": "国家级（据名称）",
    "省级5G产业基地 (one of 5 provincial 5G industry bases, 002)": "省级5G产业基地（全省5个之一）",
    "申报省级5G创新平台 (applying)": "申报省级5G创新平台",
    "part of 鄱阳湖国家自主创新示范区": "属鄱阳湖国家自主创新示范区",
    "江西省综合型（全省唯一）and 服装行业 nodes": "江西省综合型（全省唯一）及服装行业节点",
}
# Display texts by field, for free-text fields of the plan layers (as FIELDS for codes)
DISPLAY_FIELDS: dict[str, Mapping[str, str]] = {
    "status": {**STATUS, **PARK_STATUS}, "type_detail": PARK_TYPE_DETAIL, "level": PARK_LEVEL,
    "place_kind": PLACE_KIND,
}
# Short titles of the seed documents (sources.yaml) for citations a person reads
SOURCE_SHORT_TITLE = {
    "000": "《赣州市“十四五”数字经济发展规划》",
    "001": "《赣州市关于进一步做优做强数字经济的实施方案》",
    "002": "《2022江西省数字经济发展白皮书》",
    "003": "《江西省“十四五”数字经济发展规划》",
    "004": "《江西省数字经济“一号发展工程”2022年工作计划》",
}
