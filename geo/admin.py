"""GB/T 2260 administrative codes that the project relies on, kept as strings.

The list is the current official one (2020 onward). Older data still carries retired codes;
``RETIRED_CODES`` maps them to the current unit so inputs using them can be understood.
"""

GANZHOU_ADCODE = "360700"
JIANGXI_ADCODE = "360000"

GANZHOU_COUNTIES: dict[str, str] = {
    "360702": "章贡区",
    "360703": "南康区",
    "360704": "赣县区",
    "360722": "信丰县",
    "360723": "大余县",
    "360724": "上犹县",
    "360725": "崇义县",
    "360726": "安远县",
    "360728": "定南县",
    "360729": "全南县",
    "360730": "宁都县",
    "360731": "于都县",
    "360732": "兴国县",
    "360733": "会昌县",
    "360734": "寻乌县",
    "360735": "石城县",
    "360781": "瑞金市",
    "360783": "龙南市",
}

JIANGXI_PREFECTURES: dict[str, str] = {
    "360100": "南昌市",
    "360200": "景德镇市",
    "360300": "萍乡市",
    "360400": "九江市",
    "360500": "新余市",
    "360600": "鹰潭市",
    "360700": "赣州市",
    "360800": "吉安市",
    "360900": "宜春市",
    "361000": "抚州市",
    "361100": "上饶市",
}

RETIRED_CODES: dict[str, str] = {
    "360721": "360704",  # 赣县 -> 赣县区 (2016)
    "360782": "360703",  # 南康市 -> 南康区 (2013)
    "360727": "360783",  # 龙南县 -> 龙南市 (2020)
}
