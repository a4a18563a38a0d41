#!/usr/bin/env python3
"""Transcribe the checked plan-facts extraction into cited YAML files under data/plan/.

Inputs (read-only): the five seed texts, the plan-facts JSON files and the 2020
prefecture population CSV. Outputs: data/plan/{sources,layout_units,counties,
functional_zones,parks,targets,province}.yaml, byte-identical copies of the seeds in
data/plan/seeds/ and of the CSV in data/plan/.

Every citation is ``{src, lines, quote[, field]}``. The final step re-reads the copied
seeds and checks that each quote (and each text kept "verbatim") occurs in the cited
line range once all whitespace is removed from both sides; any failure exits 1.

Judgements that plan-facts leaves open (type vocabulary, adcodes, tier names,
basis/scope vocabularies, fixes to park locations) are the small tables below.

Run: .venv/bin/python scripts/transcribe_plan.py [--shared DIR]

The inputs live in the shared folder beside the repository (``../shared``: plan-facts/,
seeds/, reference/); ``--shared`` or ``ATLAS_SHARED_DIR`` points elsewhere, and
``--facts``/``--seeds``/``--population`` override single inputs. The header written into
each YAML file names the facts folder relative to the repository, never a machine path.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from geo.admin import GANZHOU_COUNTIES, JIANGXI_PREFECTURES

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plan_corrections  # noqa: E402  (beside this script: issue 15's corrections)

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the repository checkout (override: --shared or ATLAS_SHARED_DIR)
SHARED = Path(os.environ.get("ATLAS_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")

Cite = dict[str, Any]

# ---------------------------------------------------------------------------------
# Reference tables (GB/T 2260 codes; names as in the seeds)
# ---------------------------------------------------------------------------------

COUNTY_ADCODES: dict[str, str] = {n: a for a, n in GANZHOU_COUNTIES.items()}
# Old or short names used in the seeds (南康县 = pre-2013 name, 赣县 = pre-2016 name;
# the 5G/IoT tier lists use bare short names such as 章贡、龙南).
COUNTY_ALIASES: dict[str, str] = {
    "南康县": "南康区",
    "赣县": "赣县区",
    "章贡": "章贡区",
    "南康": "南康区",
    "龙南": "龙南市",
    "信丰": "信丰县",
    "大余": "大余县",
    "上犹": "上犹县",
    "崇义": "崇义县",
    "瑞金": "瑞金市",
}
COUNTY_KIND: dict[str, str] = {"区": "区", "县": "县", "县级市": "县级市"}

FUNCTIONAL_ZONES: dict[str, dict[str, str]] = {
    "赣州经开区": {
        "id": "gz_etdz",
        "kind": "功能区（经济技术开发区，非县级行政区）",
    },
    "赣州蓉江新区": {"id": "rongjiang", "kind": "功能区（新区，非县级行政区）"},
    "赣州高新区": {
        "id": "gz_hitech",
        "kind": "功能区（高新技术产业开发区，鄱阳湖国家自主创新示范区组成部分，非县级行政区）",
    },
}
ZONE_LOCATION_NOTE = "规划未给出该管理区的边界和所在区县"

PREFECTURES: dict[str, str] = {n: a for a, n in JIANGXI_PREFECTURES.items()}

# 5G coverage tiers of 专栏18 (000:1135 = 附件一 000:1251). Both lists end with 等.
FIVEG_TIER: dict[str, str] = {
    "A_全深度覆盖": "全深度覆盖",
    "B_主城区连续覆盖": "主城区连续覆盖",
    "not_assigned": "未点名",
    "not_assigned (functional zone)": "未点名",
}
FIVEG_TIERS = ("全深度覆盖", "主城区连续覆盖", "未点名")

# IoT deployment tiers of 专栏19 (000:1147).
IOT_TIER_NAMES = {1: "优先完成部署", 2: "着重部署", 3: "逐步部署"}

BASIS = {
    "stated": "stated",
    "implied": "implied",
    "not_stated": "not_stated",
    "stated (片区 level only)": "unit_level",
}
SCOPE = {
    "single county": "single",
    "multiple counties": "multiple",
    "layout zone (片区)": "multiple",
    "one of the 三南 counties (unknown which)": "candidates",
    (
        "赣深高铁沿线相关县（市）区 — not enumerated; "
        "candidates = 赣深数字经济牵引带 members (implied)"
    ): "candidates",
    "city-wide / location not stated": "unknown",
    "functional zone (location not stated)": "unknown",
}

PARK_TYPE_ZH = {
    "industrial_park": "产业园区",
    "data_centre": "数据中心",
    "research_institute": "研究院所",
    "laboratory": "实验室",
    "innovation_platform": "创新平台",
    "demonstration_zone": "示范区/基地",
    "agricultural_base": "农业园区/基地",
    "mine": "矿区",
    "logistics_trade": "物流商贸",
    "commercial_district": "商圈街区",
    "cooperation_zone": "合作区",
    "tourism_zone": "文旅区",
    "pilot_zone": "试点",
    "development_zone": "开发区",
    "public_service": "公共服务设施",
    **plan_corrections.NEW_PARK_TYPES,
}
# plan-facts `type` -> closest slug. Rules: anything named 产业园/集聚区/基地 for making
# things -> industrial_park; data/cloud/ops platforms and centres -> data_centre;
# exchanges and trading centres -> logistics_trade; 示范区/示范基地/示范村 -> demonstration_zone.
PARK_TYPE: dict[str, str] = {
    "industrial park": "industrial_park",
    "industrial park / science park": "industrial_park",
    "industrial park / data centre cluster": "industrial_park",
    "industrial park (重点纺织服装产业集聚区)": "industrial_park",
    "industrial park (platform)": "industrial_park",
    "industrial park group (传统制造业基础)": "industrial_park",
    "industrial cluster": "industrial_park",
    "industrial cluster / district": "industrial_park",
    "industrial platform group (家居)": "industrial_park",
    "industrial base (target)": "industrial_park",
    "service-outsourcing base": "industrial_park",
    "data centre": "data_centre",
    "data centre (municipal cloud)": "data_centre",
    "data centre (industry big-data centre)": "data_centre",
    "data/operations centre": "data_centre",
    "city operations platform (data centre function)": "data_centre",
    "industry data platform": "data_centre",
    "platform (mining)": "data_centre",
    "research institute": "research_institute",
    "research institute (innovation platform)": "research_institute",
    "laboratory": "laboratory",
    "laboratory / innovation base": "laboratory",
    "innovation platform": "innovation_platform",
    "testing platform": "innovation_platform",
    "innovation district (科创城)": "innovation_platform",
    "science/innovation district": "innovation_platform",
    "application demonstration zone (时空大数据应用示范区, 专栏4 “一核多极”)": "demonstration_zone",
    "demonstration base": "demonstration_zone",
    "themed town (小镇) / demonstration carrier": "demonstration_zone",
    "industrial base (target designation)": "demonstration_zone",
    "e-commerce demonstration village (unnamed)": "demonstration_zone",
    "logistics demonstration zone": "demonstration_zone",
    "agricultural park": "agricultural_base",
    "agricultural base": "agricultural_base",
    "agricultural IoT deployment": "agricultural_base",
    "mine (稀土矿区; 5G macro + underground micro base stations)": "mine",
    "mine (5G macro + underground micro base stations)": "mine",
    "mine (tungsten; 5G macro + underground micro base stations)": "mine",
    "data exchange / trading centre": "logistics_trade",
    "trading centre": "logistics_trade",
    "logistics / trade base": "logistics_trade",
    "logistics centre": "logistics_trade",
    "financial services cluster": "commercial_district",
    "commercial / heritage district (智慧商圈 pilot)": "commercial_district",
    "commercial district (智慧商圈 pilot)": "commercial_district",
    "cooperation zone": "cooperation_zone",
    (
        "cooperation platform (innovation enclave, likely located in the Greater Bay Area)"
    ): "cooperation_zone",
    "tourism zone": "tourism_zone",
    "tourism / leisure zone": "tourism_zone",
    "tourism carrier group (文旅产业载体)": "tourism_zone",
    "pilot zone (digital village)": "pilot_zone",
    "innovation platform / pilot zone": "pilot_zone",
    "development zone (functional zone)": "development_zone",
    "bonded zone → 跨境数字贸易聚集区": "development_zone",
    "public service facility": "public_service",
    "radio monitoring station / testing platform": "public_service",
    "industrial-internet infrastructure node": "public_service",
}

# Fixes to plan-facts park locations, found while spot-checking all 48 "stated"
# county assignments against the seed text (the other 47 read as the seeds say).
#  - GZP044 科创飞地: 001:186 lists 龙南市、全南县、定南县 as the 责任单位 (units
#    responsible for the task under "(一) 构筑资源承载新高地", i.e. co-operation with
#    the Greater Bay Area); it does not say where the enclave is, and a 科创飞地 is
#    normally hosted in the partner region. Location -> not stated; the three counties
#    are kept in `notes` and in the counties' thematic_roles.
PARK_FIXES: dict[str, dict[str, Any]] = {
    "GZP044": {
        "county_list": [],
        "county_basis": "not_stated",
        "county_scope": "city-wide / location not stated",
        "layout_unit": None,
        "fix_note": (
            "Fixed from plan-facts (stated: 龙南市、全南县、定南县): 001:186 names these "
            "three as 责任单位 (responsible units), not as the enclave's location, which "
            "is not stated (a 科创飞地 is usually hosted in the partner region)."
        ),
    },
}

# Layout units: id, kind, short theme and name variants (with their citations).
LAYOUT_UNITS: dict[str, dict[str, Any]] = {
    "赣南数谷": {
        "id": "gannan_shugu",
        "kind": "一谷",
        "theme": "产业核心、总部核心、数据核心（数字经济发展引领核）",
        "variants": [("赣南数字谷", "000", "554", "赣南数字谷\t章贡区")],
    },
    "赣深数字经济牵引带": {
        "id": "ganshen_belt",
        "kind": "一带",
        "theme": "依托赣深高铁沿线的南北纵向数字经济发展脉络",
        # ADDED quote: verbatim 第四章第二节 heading (000:523;
        # = plan-facts label_in_chapter_heading).
        "variants": [("赣深数字经济走廊", "000", "523", "一带牵引，建设赣深数字经济走廊")],
    },
    "瑞兴于“3+2”振兴发展片区": {
        "id": "ruixingyu",
        "kind": "片区",
        "theme": "智慧文旅产业与制造业数字化转型",
        "variants": [],
    },
    "会寻安生态经济片区": {
        "id": "huixunan",
        "kind": "片区",
        "theme": "数字乡村振兴",
        "variants": [],
    },
    "大上崇幸福产业片区": {
        "id": "dashangchong",
        "kind": "片区",
        "theme": "智慧文旅（旅游康养）",
        "variants": [],
    },
}

# Table 2 rows: the lines that hold 表2 (000:551-575).
TABLE2_LINES = range(551, 576)


# ---------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------


def say(msg: str) -> None:
    """Write one progress line to stderr."""
    sys.stderr.write(msg + "\n")


def src_of(file_name: str) -> str:
    """Return the 3-digit seed prefix of a seed file name."""
    return file_name[:3]


def cite(c: dict[str, Any], field: str | None = None) -> Cite:
    """Convert a plan-facts citation {file, lines, quote} to {src, lines, quote[, field]}."""
    if not c.get("quote"):
        raise ValueError(f"citation without quote: {c}")
    out: Cite = {"src": src_of(c["file"]), "lines": str(c["lines"]), "quote": c["quote"]}
    if field:
        out["field"] = field
    return out


def seed_cite(src: str, lines: str, quote: str, field: str | None = None) -> Cite:
    """Build a citation whose quote was taken verbatim from the seed (not from plan-facts)."""
    out: Cite = {"src": src, "lines": lines, "quote": quote}
    if field:
        out["field"] = field
    return out


def dedupe(cites: list[Cite]) -> list[Cite]:
    """Drop repeated citations, keeping the first occurrence."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for c in cites:
        key = (c["src"], c["lines"], c["quote"], c.get("field"))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def county_adcode(name: str) -> str:
    """Return the adcode of a county-level unit from its (possibly old or short) name."""
    name = COUNTY_ALIASES.get(name, name)
    return COUNTY_ADCODES[name]


def city_adcode(name: str) -> tuple[str, str]:
    """Return (adcode, full name) of a Jiangxi prefecture from a short or full name."""
    full = name if name in PREFECTURES else name + "市"
    return PREFECTURES[full], full


def first_line(lines: str) -> int:
    """Return the first line number of a "a" or "a-b" range."""
    return int(lines.split("-")[0])


def sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed_lines(text: str) -> list[str]:
    """Split a seed into lines exactly as awk numbers them (on newline only)."""
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return parts


# ---------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------


class Facts:
    """Hold the plan-facts JSON files."""

    def __init__(self, folder: Path) -> None:
        """Load the four JSON files from folder."""
        self.counties = json.loads((folder / "counties.json").read_text("utf-8"))
        self.parks = json.loads((folder / "parks.json").read_text("utf-8"))
        self.targets = json.loads((folder / "targets.json").read_text("utf-8"))
        self.province = json.loads((folder / "province.json").read_text("utf-8"))

    def unit(self, name: str) -> dict[str, Any]:
        """Return the counties.json record of a county or functional zone."""
        for rec in self.counties["counties"] + self.counties["other_named_functional_zones"]:
            if rec["name"] == name:
                return rec
        raise KeyError(name)

    def fiveg_tier_cites(self) -> list[Cite]:
        """Return the citations of both named 5G tier lists (000:1135 and 000:1251)."""
        out = []
        for tier in self.targets["ganzhou"]["5g"]["county_tiers"]:
            if tier["tier"] in ("A_全深度覆盖", "B_主城区连续覆盖"):
                out += [cite(c, "fiveg_tier") for c in tier["citations"]]
        return out


def build_sources(facts: Facts, seed_dir: Path) -> dict[str, Any]:
    """Build sources.yaml: one record per seed with title, sha256 and line count."""
    meta = facts.counties["meta"]
    out = []
    for src, fname in sorted(meta["sources"].items()):
        path = seed_dir / fname
        out.append(
            {
                "src": src,
                "file": fname,
                "title": meta["source_titles"][fname],
                "sha256": sha256(path),
                "lines": len(seed_lines(path.read_text("utf-8"))),
            }
        )
    return {"sources": out}


def table2_cite(rec: dict[str, Any]) -> list[Cite]:
    """Return the 表2 row citations among a unit's layout_unit citations."""
    return [
        cite(c, "layout_unit")
        for c in rec["layout_unit_citations"]
        if src_of(c["file"]) == "000" and first_line(c["lines"]) in TABLE2_LINES
    ]


def build_layout_units(facts: Facts) -> dict[str, Any]:
    """Build layout_units.yaml from counties.json layout_units."""
    out = []
    for lu in facts.counties["layout_units"]:
        name = lu["layout_unit"]
        meta = LAYOUT_UNITS[name]
        members = lu["members_stated"]
        counties = [county_adcode(m) for m in members if m not in FUNCTIONAL_ZONES]
        zones = [m for m in members if m in FUNCTIONAL_ZONES]
        # 表2 row citations are re-added per member below; quote-less range citations
        # (e.g. "557-562") are replaced by those row citations.
        cites = [
            cite(c, "description")
            for c in lu["citations"]
            if c.get("quote") and first_line(c["lines"]) not in TABLE2_LINES
        ]
        for m in members:
            field = "member_functional_zones" if m in FUNCTIONAL_ZONES else "member_counties"
            for c in table2_cite(facts.unit(m)):
                cites.append({**c, "field": field})
        variants = []
        for variant, src, lines, quote in meta["variants"]:
            variants.append(variant)
            cites.append(seed_cite(src, lines, quote, "name_variants"))
        out.append(
            {
                "id": meta["id"],
                "name": name,
                "name_variants": variants,
                "kind": meta["kind"],
                "theme": meta["theme"],
                "description": lu["description"],
                "member_counties": counties,
                "member_functional_zones": zones,
                "notes": lu.get("members_note"),
                "citations": dedupe(cites),
            }
        )
    return {
        "layout_pattern": {
            "name": "一谷一带三片区",
            "notes": facts.counties["layout_overall"]["note"],
            "citations": [cite(c) for c in facts.counties["layout_overall"]["citations"]],
        },
        "layout_units": out,
    }


def iot_tiers(rec: dict[str, Any]) -> tuple[list[int], str, list[Cite]]:
    """Return (tiers, basis, citations) for a unit's IoT deployment tiers."""
    tiers, bases, cites = [], set(), []
    for t in rec["iot_deployment_tier"]:
        tiers.append(int(t["tier"].split("_")[0]))
        bases.add("implied" if t["basis"].startswith("implied") else "stated")
        cites += [cite(c, "iot_tiers") for c in t["citations"]]
    if len(bases) != 1:
        raise ValueError(f"mixed IoT basis for {rec['name']}: {bases}")
    return sorted(set(tiers)), bases.pop(), cites


def fiveg(facts: Facts, rec: dict[str, Any]) -> tuple[str, list[Cite]]:
    """Return (tier, citations) of a unit's 5G coverage tier."""
    tier = FIVEG_TIER[rec["5g_coverage_tier"]["tier"]]
    if tier == "未点名":
        # Cite the two tier lists so a reader can check the unit is absent from both.
        return tier, facts.fiveg_tier_cites()
    return tier, [cite(c, "fiveg_tier") for c in rec["5g_coverage_tier"]["citations"]]


def chapter4_scope(name: str, text: str) -> str:
    """Say whether a 第四章 text is about the county alone, the 三南 board or a 片区."""
    if text.startswith(name + "："):
        return "county"
    if text.startswith("“三南”板块"):
        return "三南板块"
    return "片区"


def brand_cite(rec: dict[str, Any]) -> list[Cite]:
    """Cite the brand from the unit's 表2 row (quote is a substring of role_table2)."""
    if not rec.get("brand"):
        return []
    quote = "打造国内一流" + rec["brand"]
    if quote not in rec["role_table2"]:
        raise ValueError(f"brand not in 表2 text: {rec['name']}")
    c = rec["role_table2_citation"]
    # ADDED quote: verbatim substring of the 表2 row text that plan-facts transcribed.
    return [seed_cite(src_of(c["file"]), c["lines"], quote, "brand")]


def thematic(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Return thematic roles as {source, role, citation}."""
    return [
        {"source": t["source"], "role": t["role"], "citation": cite(t["citation"])}
        for t in rec["thematic_roles"]
    ]


def park_membership(parks: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Index parks by adcode or zone name: located ids and candidate ids."""
    idx: dict[str, dict[str, list[str]]] = {}
    for p in parks:
        keys = list(p["county_adcodes"])
        if p["functional_zone"]:
            keys.append(p["functional_zone"])
        slot = "candidate_park_ids" if p["county_scope"] == "candidates" else "park_ids"
        for k in keys:
            idx.setdefault(k, {"park_ids": [], "candidate_park_ids": []})[slot].append(p["id"])
    return idx


def build_counties(facts: Facts, parks: list[dict[str, Any]]) -> dict[str, Any]:
    """Build counties.yaml: the 18 county-level units ordered by adcode."""
    members = park_membership(parks)
    out = []
    for rec in facts.counties["counties"]:
        if rec["name"] in FUNCTIONAL_ZONES:
            continue
        adcode = county_adcode(rec["name"])
        tiers, tier_basis, iot_cites = iot_tiers(rec)
        tier5, cites5 = fiveg(facts, rec)
        ch4 = rec["role_chapter4"]
        t2c = rec["role_table2_citation"]
        cites = [cite(c, "layout_unit") for c in rec["layout_unit_citations"]]
        cites += [cite(t2c, "table2_role"), cite(ch4["citation"], "chapter4_role")]
        cites += cites5 + iot_cites + brand_cite(rec) + [cite(t2c, "core_industries")]
        pm = members.get(adcode, {"park_ids": [], "candidate_park_ids": []})
        notes = [n for n in (rec.get("notes"), ch4.get("note")) if n]
        out.append(
            {
                "adcode": adcode,
                "name": rec["name"],
                "kind": COUNTY_KIND[rec["kind"].split(" ")[0]],
                "layout_unit": rec["layout_unit"],
                "layout_unit_basis": "stated"
                if rec["layout_unit_basis"].startswith("stated")
                else "implied",
                "table2_role": rec["role_table2"],
                "chapter4_role": ch4["text"],
                "chapter4_role_scope": chapter4_scope(rec["name"], ch4["text"]),
                "core_industries": rec["core_industries"],
                "brand": rec.get("brand"),
                "fiveg_tier": tier5,
                "iot_tiers": tiers,
                "iot_tier_basis": tier_basis,
                "thematic_roles": thematic(rec),
                "park_ids": pm["park_ids"],
                "candidate_park_ids": pm["candidate_park_ids"],
                "notes": " ".join(notes) or None,
                "citations": dedupe(cites),
            }
        )
    out.sort(key=lambda r: r["adcode"])
    return {"counties": out}


def build_functional_zones(facts: Facts, parks: list[dict[str, Any]]) -> dict[str, Any]:
    """Build functional_zones.yaml: 赣州经开区, 赣州蓉江新区, 赣州高新区."""
    members = park_membership(parks)
    out = []
    for name, meta in FUNCTIONAL_ZONES.items():
        rec = facts.unit(name)
        tiers, tier_basis, iot_cites = iot_tiers(rec)
        cites = []
        if rec.get("role_table2"):
            t2c = rec["role_table2_citation"]
            cites += [cite(c, "layout_unit") for c in rec["layout_unit_citations"]]
            cites += [cite(t2c, "table2_role"), cite(t2c, "core_industries")]
            cites += [cite(rec["role_chapter4"]["citation"], "chapter4_role")]
        else:
            cites += [cite(c) for c in rec["citations"]]
        cites += iot_cites + brand_cite(rec) + facts.fiveg_tier_cites()
        ch4 = rec.get("role_chapter4") or {}
        out.append(
            {
                "id": meta["id"],
                "name": name,
                "kind": meta["kind"],
                "layout_unit": rec.get("layout_unit"),
                "table2_role": rec.get("role_table2"),
                "chapter4_role": ch4.get("text"),
                "role_text": rec.get("role_text"),
                "core_industries": rec["core_industries"],
                "brand": rec.get("brand"),
                "iot_tiers": tiers,
                "iot_tier_basis": tier_basis,
                "fiveg_tier": "未点名",
                "location_note": ZONE_LOCATION_NOTE,
                "thematic_roles": thematic(rec) if rec.get("thematic_roles") else [],
                "park_ids": members.get(name, {}).get("park_ids", []),
                "notes": None if rec.get("layout_unit") else "规划未将赣州高新区归入任何布局单元",
                "citations": dedupe(cites),
            }
        )
    return {"functional_zones": out}


def build_parks(facts: Facts) -> dict[str, Any]:
    """Build parks.yaml: all 91 items with adcodes, zones and a type slug."""
    out = []
    for raw in facts.parks["parks"]:
        p = copy.deepcopy(raw)
        fix = PARK_FIXES.get(p["id"])
        if fix:
            p.update({k: v for k, v in fix.items() if k != "fix_note"})
        zones = [n for n in p["county_list"] if n in FUNCTIONAL_ZONES]
        if len(zones) > 1:
            raise ValueError(f"{p['id']}: more than one functional zone")
        adcodes = sorted(county_adcode(n) for n in p["county_list"] if n not in FUNCTIONAL_ZONES)
        slug = PARK_TYPE[p["type"]]
        cites = [cite(c) for c in p["citations"]]
        aliases = []
        for a in p.get("aliases") or []:
            aliases.append(a["name"])
            cites.append(cite(a["cite"], "aliases"))
        components = []
        for comp in p.get("components") or []:
            components.append(comp["name"])
            cites += [cite(c, "components") for c in comp["cite"]]
        notes = [n for n in (p.get("notes"), fix and fix["fix_note"]) if n]
        if zones:
            notes.append(f"位于{zones[0]}；{ZONE_LOCATION_NOTE}，故 county_adcodes 为空。")
        layout = p.get("layout_unit")
        if layout == "multiple":
            layout = None
        elif layout and layout.endswith(" (implied)"):
            layout = layout[: -len(" (implied)")]
        rec = {
            "id": p["id"],
            "name": p["name"],
            "aliases": aliases,
            "type": slug,
            "type_zh": PARK_TYPE_ZH[slug],
            "type_detail": p["type"],
            "industry_focus": p.get("industry_focus") or [],
            "level": p.get("level"),
            "status": p.get("status"),
            "county_adcodes": adcodes,
            "functional_zone": zones[0] if zones else None,
            "county_basis": BASIS[p["county_basis"]],
            "county_scope": SCOPE[p["county_scope"]],
            "layout_unit": layout,
            "notes": " ".join(notes) or None,
            "citations": dedupe(cites),
        }
        if components:
            rec["components"] = components
        out.append(rec)
    out.sort(key=lambda r: r["id"])
    return {"parks": out}


# ---------------------------------------------------------------------------------
# targets.yaml
# ---------------------------------------------------------------------------------


def cites_of(obj: dict[str, Any], field: str | None = None) -> list[Cite]:
    """Convert all quoted citations of a plan-facts object."""
    return [cite(c, field) for c in obj.get("citations", []) if c.get("quote")]


def build_fiveg(facts: Facts, parks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Build the Ganzhou 5G block of targets.yaml."""
    g = facts.targets["ganzhou"]["5g"]
    # ADDED quote: the full 表1 row (000:443), verbatim, so the three numbers are cited together.
    row443 = seed_cite("000", "443", "5G基站开通数\t个\t6122\t15000\t20000\t预期性")
    city = [
        {
            "year": 2020,
            "value": 6122,
            "kind": "baseline",
            "unit": "个",
            "property": None,
            "note": (
                "正文口径为“累计新增 5G 基站开通数”（000:355）；表1口径为“5G基站开通数”；"
                "附件二称按“5G宏基站数量”统计（000:1336）。"
            ),
            "citations": cites_of(g["baseline_2020"]) + [row443],
        },
        {
            "year": 2023,
            "value": 15000,
            "kind": "target",
            "unit": "个",
            "property": g["target_2023"]["property"],
            "note": None,
            "citations": cites_of(g["target_2023"]) + [row443],
        },
        {
            "year": 2025,
            "value": 20000,
            "kind": "target",
            "unit": "个",
            "property": g["target_2025"]["property"],
            "note": "001:91 写作“到 2025 年，建成 5G 基站超 2 万个”（>20000，建成口径）。",
            "citations": cites_of(g["target_2025"]) + [row443],
        },
    ]
    tiers = []
    for t in g["county_tiers"]:
        if t["tier"] not in FIVEG_TIER or FIVEG_TIER[t["tier"]] == "未点名":
            continue
        tiers.append(
            {
                "tier": FIVEG_TIER[t["tier"]],
                "goal": t["goal"],
                "qualifier": t.get("qualifier"),
                "county_adcodes": [county_adcode(n) for n in t["named_units"]],
                "list_is_open": t["list_is_open"],
                "citations": cites_of(t),
            }
        )
    goal_meta = [
        # (id, scope, year, value, unit) for each citywide goal, in plan-facts order.
        ("township_full", "township", None, None, None),
        ("core_areas_deep_2025", "other", 2025, None, None),
        ("mines_80pct_2025", "mine", 2025, 80, "%"),
        ("named_mines_stations", "mine", None, None, None),
        ("hetnet_dense_sites", "other", None, None, None),
        ("scenic_spots", "scenic", None, None, None),
        ("ducts_in_roadworks", "other", None, None, None),
        ("v2x_demo_road", "other", None, None, None),
    ]
    goals_raw = g["citywide_coverage_goals"]
    if len(goals_raw) != len(goal_meta):
        raise ValueError("citywide_coverage_goals changed; update goal_meta")
    goals = []
    for (gid, scope, year, value, unit), raw in zip(goal_meta, goals_raw, strict=True):
        if gid == "township_full":
            # 001:91 bundles three goals in one sentence; split them, same citation.
            c = cites_of(raw)
            for sub_id, sub_scope, text in (
                ("township_full", "township", "5G 网络实现乡镇全覆盖"),
                ("village_basic", "village", "5G 网络实现行政村基本覆盖"),
                ("development_zones_deep", "development_zone", "开发区等重点应用场景深度覆盖"),
            ):
                goals.append(
                    {
                        "id": sub_id,
                        "scope": sub_scope,
                        "goal": text,
                        "year": None,
                        "value": None,
                        "unit": None,
                        "note": "年份未在同一句中给出（同段下一句为“到 2025 年…”）。",
                        "citations": c,
                    }
                )
            continue
        goals.append(
            {
                "id": gid,
                "scope": scope,
                "goal": raw["goal"],
                "year": year,
                "value": value,
                "unit": unit,
                "note": raw.get("note"),
                "citations": cites_of(raw),
            }
        )
    mines = [
        {
            "park_id": pid,
            "name": parks[pid]["name"],
            "county_adcodes": parks[pid]["county_adcodes"],
            "citations": parks[pid]["citations"],
        }
        for pid in ("GZP024", "GZP025", "GZP026")
    ]
    other = [
        {
            "id": "app_cases_50",
            "text": g["application_cases_2025"]["text"],
            "year": 2025,
            "value": 50,
            "unit": "个",
            "citations": cites_of(g["application_cases_2025"]),
        },
        {
            "id": "station_energy_efficiency",
            "text": g["energy_efficiency_2025"]["text"],
            "year": 2025,
            "value": 20,
            "unit": "%",
            "citations": cites_of(g["energy_efficiency_2025"]),
        },
        {
            "id": "sa_core_network",
            "text": g["sa_core"]["text"],
            "year": None,
            "value": None,
            "unit": None,
            "citations": cites_of(g["sa_core"]),
        },
        {
            "id": "share_of_province_2020",
            "text": "2020 年 5G 基站开通数占全省 18%，居全省第二",
            "year": 2020,
            "value": 18,
            "unit": "%",
            "citations": cites_of(g["baseline_2020"])[:1],
        },
        {
            "id": "longnan_full_coverage_2020",
            "text": "龙南市成为全省首个“城区+工业园区”5G 网络全覆盖的行政区",
            "year": 2020,
            "value": None,
            "unit": None,
            "county_adcodes": ["360783"],
            "citations": [
                cite(t["citation"])
                for t in facts.unit("龙南市")["thematic_roles"]
                if t["source"] == "发展现状"
            ],
        },
    ]
    return {
        "city": city,
        "coverage_tiers": tiers,
        "coverage_goals": goals,
        "named_mines": mines,
        "other": other,
    }


def iot_place(name: str) -> dict[str, Any]:
    """Classify one place of the IoT tier-1 list (000:1147)."""
    table: dict[str, dict[str, Any]] = {
        "赣州中心城区": {"kind": "area", "adcode": None, "park_id": None},
        "赣州高新区": {
            "kind": "functional_zone",
            "adcode": None,
            "park_id": "GZP060",
            "zone_id": "gz_hitech",
        },
        "赣州经开区": {
            "kind": "functional_zone",
            "adcode": None,
            "park_id": None,
            "zone_id": "gz_etdz",
        },
        "赣州数字经济产业园": {"kind": "park", "adcode": None, "park_id": "GZP062"},
        "赣州大数据产业园": {
            "kind": "park",
            "adcode": None,
            "park_id": "GZP011",
            "zone_id": "rongjiang",
        },
        "龙南 5G 智能科技园": {"kind": "park", "adcode": "360783", "park_id": "GZP037"},
        "信丰 5G 产业园": {"kind": "park", "adcode": "360722", "park_id": "GZP033"},
    }
    return {"name": name, **table[name]}


def build_iot(facts: Facts) -> dict[str, Any]:
    """Build the Ganzhou IoT block of targets.yaml."""
    g = facts.targets["ganzhou"]["iot"]
    # ADDED quote: the full 表1 row (000:444), verbatim.
    row444 = seed_cite("000", "444", "移动物联网终端用户数\t万个\t/\t250\t280\t预期性")
    tc = cites_of(g["terminals"]) + [row444]
    terminals = [
        {
            "year": 2023,
            "value": 2500000,
            "value_as_stated": "250万个",
            "unit": "个",
            "property": "预期性",
            "citations": tc,
        },
        {
            "year": 2025,
            "value": 2800000,
            "value_as_stated": "280万个",
            "unit": "个",
            "property": "预期性",
            "citations": tc,
        },
    ]
    t1, t2, t3 = g["priority_tiers"]
    tiers = [
        {
            "tier": 1,
            "name": IOT_TIER_NAMES[1],
            "places": [iot_place(n) for n in t1["places"]],
            "list_is_open": t1["list_is_open"],
            "citations": cites_of(t1),
        },
        {
            "tier": 2,
            "name": IOT_TIER_NAMES[2],
            "places": [
                {"name": n, "kind": "county", "adcode": county_adcode(n), "park_id": None}
                for n in t2["places"]
            ],
            "target_areas_within": t2["target_areas_within"],
            "list_is_open": False,
            "areas_list_is_open": True,
            "citations": cites_of(t2),
        },
        {
            "tier": 3,
            "name": IOT_TIER_NAMES[3],
            "goal": "逐步向 15 个县（市）辖区内核心区域进行部署，实现赣州市物联网感知网络全覆盖",
            "count_stated": 15,
            "places": (
                [
                    {
                        "name": COUNTY_ALIASES[n],
                        "kind": "county",
                        "adcode": county_adcode(n),
                        "park_id": None,
                        "basis": "stated",
                    }
                    for n in t3["places_named"]
                ]
                + [
                    {
                        "name": n,
                        "kind": "county",
                        "adcode": county_adcode(n),
                        "park_id": None,
                        "basis": "implied",
                    }
                    for n in t3["places_implied"]
                ]
            ),
            "named_count": len(t3["places_named"]),
            "list_is_open": True,
            "note": (
                "原文只点名 6 个（信丰、大余、上犹、崇义、瑞金、龙南）并称“等 15 个县（市）”；"
                "其余 9 个为推断：18 个县级单位减去第二层级的章贡区、南康区、赣县区。"
            ),
            "citations": cites_of(t3),
        },
    ]
    tiers[2]["county_adcodes"] = sorted(p["adcode"] for p in tiers[2]["places"])
    a = facts.targets["ganzhou"]["agriculture_iot"]["agri_iot_bases"]
    # ADDED quote: the full 表1 row (000:437), verbatim.
    row437 = seed_cite("000", "437", "农业物联网基地数量\t个\t89\t100\t120\t约束性")
    agri = [
        {
            "year": y,
            "value": a[str(y)],
            "kind": k,
            "unit": "个",
            "property": "约束性",
            "citations": [row437] + cites_of(a),
        }
        for y, k in ((2020, "baseline"), (2023, "target"), (2025, "target"))
    ]
    agri_other = facts.targets["ganzhou"]["agriculture_iot"]
    other = [
        {
            "id": "sensing_nodes",
            "text": g["sensing_nodes"]["text"],
            "year": None,
            "citations": cites_of(g["sensing_nodes"]),
        },
        {
            "id": "deep_coverage_sites",
            "text": g["deep_coverage_sites"]["text"],
            "year": None,
            "citations": cites_of(g["deep_coverage_sites"]),
        },
        {
            "id": "sector_sensing",
            "text": g["sector_facilities"]["text"],
            "year": None,
            "citations": cites_of(g["sector_facilities"]),
        },
        {
            "id": "urban_sensors",
            "text": g["urban_sensor_targets_专栏19"]["text"],
            "year": None,
            "citations": cites_of(g["urban_sensor_targets_专栏19"]),
        },
        {
            "id": "iot_platforms",
            "text": g["platforms"]["text"],
            "year": None,
            "citations": cites_of(g["platforms"]),
        },
        {
            "id": "smart_city_management",
            "text": g["smart_city_management_coverage"]["text"],
            "year": 2023,
            "citations": cites_of(g["smart_city_management_coverage"]),
        },
        {
            "id": "digital_agri_pilots",
            "text": agri_other["digital_agri_pilots"]["text"],
            "year": None,
            "park_ids": ["GZP027", "GZP036"],
            "citations": cites_of(agri_other["digital_agri_pilots"]),
        },
        {
            "id": "fishery_iot",
            "text": "推动龙南、信丰、宁都等地渔业物联网项目深度融合",
            "year": None,
            "park_ids": ["GZP059"],
            "county_adcodes": ["360722", "360730", "360783"],
            "citations": cites_of(agri_other["fishery_iot"]),
        },
        {
            "id": "rural_monitoring",
            "text": agri_other["rural_monitoring"]["text"],
            "year": None,
            "citations": cites_of(agri_other["rural_monitoring"]),
        },
    ]
    return {
        "terminals": terminals,
        "deployment_tiers": tiers,
        "agri_iot_bases": agri,
        "other": other,
    }


def build_province_targets(facts: Facts) -> dict[str, Any]:
    """Build the Jiangxi block of targets.yaml (5G, IoT, data centres)."""
    j = facts.targets["jiangxi"]
    f = j["5g_and_iot"]
    dc = j["networks_and_data_centres"]

    def rec(
        id_: str,
        year: int | None,
        value: float | None,
        unit: str | None,
        text: str,
        cites: list[Cite],
        **extra: Any,
    ) -> dict[str, Any]:
        return {
            "id": id_,
            "year": year,
            "value": value,
            "unit": unit,
            "text": text,
            **extra,
            "citations": cites,
        }

    c = cites_of
    fiveg = [
        rec(
            "jx_5g_2020",
            2020,
            34000,
            "个",
            "截至2020年底，累计开通5G基站3.4万个，实现各设区市主城区连续覆盖和全部县城核心区覆盖",
            c(f["5g_2020"]),
            kind="baseline",
            value_as_stated="3.4万个",
        ),
        rec(
            "jx_5g_2022_05_built",
            2022,
            49000,
            "个",
            "截至 2022 年 5 月底，累计建成 5G 基站 4.9 万个",
            c(f["5g_2022_05"]),
            as_of="2022-05",
            value_as_stated="4.9万个",
        ),
        rec(
            "jx_5g_2022_05_opened",
            2022,
            61000,
            "个",
            "开通 5G 基站 6.1 万个（原文开通数大于建成数）",
            c(f["5g_2022_05"]),
            as_of="2022-05",
            value_as_stated="6.1万个",
        ),
        rec(
            "jx_5g_township_coverage_2022_05",
            2022,
            99.38,
            "%",
            "乡镇级行政区 5G 网络覆盖率达到 99.38%；实现县县通 5G 网络",
            c(f["5g_2022_05"]),
            as_of="2022-05",
        ),
        rec(
            "jx_5g_5a_scenic_2022_05",
            2022,
            100,
            "%",
            "全省 5A 级景区实现 5G 网络全覆盖",
            c(f["5g_2022_05"]),
            as_of="2022-05",
        ),
        rec(
            "jx_5g_4a_scenic_2022_05",
            2022,
            84.24,
            "%",
            "4A 级景区 5G 网络覆盖率达到 84.24%",
            c(f["5g_2022_05"]),
            as_of="2022-05",
        ),
        rec(
            "jx_5g_new_2022",
            2022,
            14000,
            "个",
            "2022 年新建 5G 基站 1.4 万个以上；新增 5G 终端用户数突破 2000 万户",
            c(f["5g_2022_new"]),
            comparator=">=",
            kind="target",
        ),
        rec(
            "jx_5g_2025",
            2025,
            100000,
            "个",
            "到2025年，累计建成5G基站10万个以上（表：5G基站开通数 10 万个，预期性）",
            c(f["5g_2025"])[:2],
            comparator=">=",
            kind="target",
            property="预期性",
        ),
        rec(
            "jx_5g_village_2025",
            2025,
            80,
            "%",
            "80%行政村通5G；乡镇及以上区域实现千兆光纤和5G网络全覆盖",
            c(f["5g_2025"])[2:],
            kind="target",
        ),
        rec(
            "jx_5g_deep_coverage",
            None,
            None,
            None,
            f["5g_deep_coverage"]["text"],
            c(f["5g_deep_coverage"]),
        ),
        rec(
            "jx_5g_handsets_2021_09",
            2021,
            11884000,
            "户",
            "江西省 5G 手机终端连接数达到 1188.4 万户",
            c(f["5g_terminals_2021_09"]),
            as_of="2021-09",
        ),
    ]
    iot_t = f["iot_terminals"]["citations"]
    iot = [
        rec(
            "jx_nbiot_stations_2020",
            2020,
            72000,
            "个",
            "建成NB-IoT（窄带物联网）基站7.2万个；在全国率先实现窄带物联网省域全覆盖",
            c(f["nb_iot_emtc_2020"]),
        ),
        rec(
            "jx_emtc_stations_2020",
            2020,
            76000,
            "个",
            "eMTC（增强机器类通信）基站7.6万个",
            c(f["nb_iot_emtc_2020"]),
        ),
        rec(
            "jx_iot_terminals_2020",
            2020,
            14880000,
            "个",
            "移动物联网终端数 1488 万个（2020）",
            [cite(iot_t[0])],
            kind="baseline",
        ),
        rec(
            "jx_iot_terminals_2025",
            2025,
            35000000,
            "个",
            "到2025年，移动物联网终端数达到3500万个以上，打造7个以上百万级应用",
            [cite(iot_t[1])],
            comparator=">=",
            kind="target",
        ),
        rec(
            "jx_iot_connections_2022",
            2022,
            30000000,
            "个",
            "全省泛物联网连接数达到 3000 万（不同口径）",
            [cite(iot_t[2])],
            kind="target",
        ),
        rec(
            "jx_iot_million_apps_2022",
            2022,
            5,
            "个",
            "实现 5 个以上百万级应用及一批 50 万级、10 万级移动物联网应用",
            [cite(iot_t[3])],
            comparator=">=",
            kind="target",
        ),
    ]
    d21, d25 = dc["data_centres_2021"], dc["data_centres_2025"]
    dcs = [
        rec(
            "jx_dc_built_2021",
            2021,
            49,
            "个",
            "共建成数据中心 49 个，已建成运营 44 个，可折算标准机架 6.6 万个",
            c(d21)[:1],
            operating=44,
            standard_racks=66000,
        ),
        rec(
            "jx_dc_compute_2021",
            2021,
            1600,
            "PFlops",
            "全省算力总规模约 1600PFlops（全国第 11 位，中部第一）",
            # ADDED quote: verbatim 002:377 (plan-facts has no quote for this sentence).
            [
                seed_cite(
                    "002",
                    "377",
                    "全省算力总规模约 1600PFlops，整体规模居全国第 11 位，中部省份第一位",
                )
            ],
        ),
        rec("jx_dc_pue_2021", 2021, 1.71, None, "全省数据中心 PUE 平均值为 1.71", c(d21)[1:]),
        rec(
            "jx_dc_large_2025",
            2025,
            4,
            "个",
            "优化整合建设4个以上大型数据中心",
            [cite(d25["citations"][1])],
            comparator=">=",
            kind="target",
        ),
        rec(
            "jx_dc_new_pue_2025",
            2025,
            1.3,
            None,
            "新建数据中心PUE值不高于1.3",
            [cite(d25["citations"][2])],
            comparator="<=",
            kind="target",
        ),
        rec(
            "jx_dc_regional_large",
            None,
            None,
            None,
            "在赣州、九江、宜春、上饶等地布局建设 4-5 个大型(超大型)数据中心，"
            "覆盖赣南、赣北、赣东、赣西四大区域",
            [cite(d25["citations"][0])],
            city_adcodes=["360700", "360400", "360900", "361100"],
        ),
        rec(
            "jx_dc_cluster_2025",
            2025,
            None,
            None,
            "建成以南昌为中心的数据中心集群",
            [cite(d25["citations"][3])],
        ),
        rec(
            "jx_dc_layout_yihe_sifu",
            2021,
            None,
            None,
            "“一核四副”数据中心空间布局：南昌为核心，九江、上饶、赣州、宜春为补充",
            c(d21)[:1],
            layout_id="dc_yihe_sifu",
        ),
    ]
    return {"fiveg": fiveg, "iot": iot, "data_centres": dcs}


def build_targets(facts: Facts, parks: list[dict[str, Any]]) -> dict[str, Any]:
    """Build targets.yaml."""
    by_id = {p["id"]: p for p in parks}
    return {
        "fiveg": build_fiveg(facts, by_id),
        "iot": build_iot(facts),
        "province": build_province_targets(facts),
    }


# ---------------------------------------------------------------------------------
# province.yaml
# ---------------------------------------------------------------------------------


def member(name: str, role: str, text: str | None = None) -> dict[str, Any]:
    """Build a layout member {adcode, name, role, text} from a city name."""
    adcode, full = city_adcode(name)
    return {"adcode": adcode, "name": full, "role": role, "text": text}


def place(name: str, role: str, city: str | None = None) -> dict[str, Any]:
    """Build a place that is not a 设区市 (a new area, zone, district or line)."""
    return {"name": name, "role": role, "in_city_adcode": city_adcode(city)[0] if city else None}


def build_layouts(facts: Facts) -> list[dict[str, Any]]:
    """Build the province layouts, one explicit entry per plan-facts layout."""
    L = {x["name"]: x for x in facts.province["layouts"]}

    def lay(
        key: str,
        id_: str,
        src: str,
        kind: str,
        members: list[dict[str, Any]],
        places: list[dict[str, Any]],
        notes: str | None,
        also: list[str] | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        raw = L.pop(key)
        return {
            "id": id_,
            "name": name or raw["name"],
            "source_doc": src,
            "also_in": also or [],
            "kind": kind,
            "members": members,
            "places_not_cities": places,
            "notes": notes or raw.get("note"),
            "citations": cites_of(raw),
        }

    p = {x["name"]: x.get("places") for x in facts.province["layouts"]}
    focus = {x["name"]: x.get("focus") for x in facts.province["layouts"]}
    cj = p["承接转移示范区（数字经济承接产业转移示范区）"]
    ts = p["特色产业集聚区"]
    sp = p["城市特色定位 (as cited in the Ganzhou plan)"]
    out = [
        lay(
            "“一圈引领、两轴驱动、三区协调”区域布局",
            "yiquan_liangzhou_sanqu",
            "000",
            "省域区域布局（仅提名称）",
            [],
            [],
            "只有名称：种子文本未说明圈、轴、区由哪些城市构成。",
            name="“一圈引领、两轴驱动、三区协调”区域布局",
        ),
        lay(
            "创新引领区 — 南昌 “一核三基地”",
            "nanchang_yihe_sanjidi_003",
            "003",
            "创新引领区",
            [member("南昌市", "创新引领区（一核三基地）", focus["创新引领区 — 南昌 “一核三基地”"])],
            [
                place("南昌市九龙湖区域（“元宇宙”试验区）", "一核", "南昌市"),
                place("南昌高新技术产业开发区", "三基地", "南昌市"),
                place("南昌经济技术开发区", "三基地", "南昌市"),
                place("南昌小蓝经济技术开发区（小蓝经济技术开发区）", "三基地", "南昌市"),
            ],
            None,
            also=["004"],
            name="创新引领区 — 南昌“一核三基地”（003 版）",
        ),
        lay(
            "南昌 “一核三基地多点支撑” (002 version)",
            "nanchang_yihe_sanjidi_002",
            "002",
            "市域数字经济协同发展格局",
            [member("南昌市", "一核三基地多点支撑")],
            [
                place("全省数字经济创新引领核心区", "一核", "南昌市"),
                place(
                    "高新区",
                    "三基地：全国移动智能终端示范基地和全省软件产业集聚区"
                    "（规上企业软件业营收近 80 亿元）",
                    "南昌市",
                ),
                place(
                    "经开区",
                    "三基地：中国（南昌）数字经济港，"
                    "规划建设 5 万个机柜，已为 150 家企业提供数据服务",
                    "南昌市",
                ),
                place("小蓝经开区", "三基地：小蓝·泰豪 VR 产业基地", "南昌市"),
                place("东湖区", "多点", "南昌市"),
                place("西湖区", "多点", "南昌市"),
                place("青山湖区", "多点", "南昌市"),
            ],
            "002 版本；与 003 的“一核三基地”为同一格局的不同表述。",
            name="南昌“一核三基地多点支撑”（002 版）",
        ),
        lay(
            "承接转移示范区（数字经济承接产业转移示范区）",
            "chengjie_zhuanyi",
            "003",
            "数字经济承接产业转移示范区",
            [
                member("赣州", "牵头（对接粤港澳大湾区桥头堡、省域副中心城市）", cj["赣州"]),
                member("吉安", "协同（赣深数字经济走廊）", cj["吉安"]),
                member("上饶", "牵头（对接 G60 科创走廊）", cj["上饶"]),
                member("鹰潭", "协同（对接 G60 科创走廊）", cj["鹰潭"]),
                member("九江", "产业合作平台", cj["九江、萍乡"]),
                member("萍乡", "产业合作平台", cj["九江、萍乡"]),
            ],
            [place("上饶高铁经济试验区", "上饶示范区核心", "上饶市")],
            "2022 年须制定创建实施方案的城市：赣州市、吉安市、上饶、鹰潭（004:315）。",
            also=["004"],
        ),
        lay(
            "特色产业集聚区",
            "tese_jijuqu",
            "003",
            "数字经济特色产业集聚区",
            [member(k, "特色产业集聚区", v) for k, v in ts.items() if k != "赣江新区"],
            [
                place("赣江新区", "特色产业集聚区：" + ts["赣江新区"]),
                place("大数据与智能制造产业园", "新余载体", "新余市"),
                place("京东新经济产业园", "新余载体", "新余市"),
            ],
            "全省统筹建设 100 个数字经济集聚区；九江、萍乡的正文与专栏8 表述不一致（见 text）。",
        ),
        lay(
            "“一核四副”数据中心空间布局 (2021) / “一核四副两备” (recommendation)",
            "dc_yihe_sifu",
            "002",
            "数据中心空间布局",
            [member("南昌", "一核")]
            + [member(x, "四副") for x in ("九江", "上饶", "赣州", "宜春")],
            [],
            "“两备”未在种子文本中定义；"
            "003:296 另称在赣州、九江、宜春、上饶等地布局 4-5 个大型（超大型）数据中心。",
            also=["003"],
            name="“一核四副”数据中心空间布局（“一核四副两备”为建议）",
        ),
        lay(
            "京九（江西）电子信息产业带 / “京九高铁线”一轴",
            "jingjiu_belt",
            "002",
            "电子信息产业带",
            [member(x, "重点城市") for x in ("南昌", "吉安", "赣州", "九江")],
            [place("京九高铁线", "一轴")],
            "其他设区市“共同发展”。",
            also=["003"],
            name="京九（江西）电子信息产业带（“京九高铁线”一轴）",
        ),
        lay(
            "大数据产业 “一核两带八基地”",
            "bigdata_yihe_liangdai_bajidi",
            "002",
            "大数据产业布局",
            [member("南昌", "一核")],
            [place("京九高铁线", "两带之一"), place("沪昆高铁线", "两带之一")],
            "八大大数据产业基地未点名。",
            name="大数据产业“一核两带八基地”",
        ),
        lay(
            "物联网产业 “1+1+10” 发展布局",
            "iot_1_1_10",
            "002",
            "物联网产业布局",
            [member("鹰潭", "基地"), member("南昌", "产业主体区")]
            + [member(x, "拓展区") for x in ("上饶", "宜春", "赣州", "景德镇")],
            [place("赣江新区", "拓展区"), place("智联小镇", "鹰潭基地核心", "鹰潭市")],
            "拓展区名单以“等其他设区市”结尾，“10”个拓展区只点名 5 个（含赣江新区）。",
            name="物联网产业“1+1+10”发展布局",
        ),
        lay(
            "信息安全产业 “5+N” 空间布局",
            "infosec_5_n",
            "002",
            "信息安全产业布局",
            [member(x, "5") for x in ("南昌", "赣州", "鹰潭", "上饶", "抚州")],
            [],
            "“N”未点名。",
            name="信息安全产业“5+N”空间布局",
        ),
        lay(
            "赣深数字经济走廊",
            "ganshen_corridor",
            "003",
            "跨区域数字经济走廊",
            [member("赣州", "走廊（牵头）"), member("吉安", "协同")],
            [],
            "赣州规划内称“赣深数字经济牵引带”（000 第四章）。",
            also=["002", "001"],
        ),
        lay(
            "城市特色定位 (as cited in the Ganzhou plan)",
            "city_specialisation",
            "000",
            "城市特色产业定位（赣州规划引述）",
            [member(k, "特色定位", v) for k, v in sp.items()],
            [],
            None,
            name="城市特色定位（赣州规划引述）",
        ),
    ]
    if L:
        raise ValueError(f"province layouts not transcribed: {list(L)}")
    return out


# plan-facts uses booleans for some metrics; say what they mean.
NUMBERS_NOTE: dict[Any, str] = {
    False: "figure caption only; no per-city values in the text",
    True: "per-city figures stated in the text",
}


def remaining_cities(named: list[str]) -> list[str]:
    """Return the prefectures not in named (full names), in adcode order."""
    return [n for n in PREFECTURES if n not in named]


def fig_values(metric: dict[str, Any]) -> tuple[list[dict[str, Any]], str, bool, str | None]:
    """Return (values, value_kind, numbers_present, province_value) for one 002 metric."""
    vals = metric.get("values")
    name = metric["metric"]
    if name.endswith("梯队 (tiers)"):
        out = []
        for tier in ("第一梯队", "第二梯队"):
            out += [
                {"adcode": city_adcode(c)[0], "name": c, "value_text": tier, "basis": "stated"}
                for c in vals[tier]
            ]
        out += [
            {"adcode": PREFECTURES[c], "name": c, "value_text": "第三梯队", "basis": "implied"}
            for c in remaining_cities([v["name"] for v in out])
        ]
        return out, "tier", False, None
    if name.endswith("thresholds"):
        out = []
        rest = None
        for k, v in vals.items():
            if k.startswith("其余设区市"):
                rest = v
                continue
            adcode, full = city_adcode(k)
            out.append({"adcode": adcode, "name": full, "value_text": v, "basis": "stated"})
        if rest:
            out += [
                {"adcode": PREFECTURES[c], "name": c, "value_text": rest, "basis": "implied"}
                for c in remaining_cities([v["name"] for v in out])
            ]
        return out, "threshold", True, None
    special: dict[str, tuple[list[tuple[str, str]], str, bool, str | None]] = {
        "每万人高价值发明专利拥有量": (
            [("南昌", "高于全省平均水平（1.55 件）"), ("景德镇", "高于全省平均水平（1.55 件）")],
            "qualitative",
            False,
            "1.55 件",
        ),
        "信息传输、软件和信息技术服务业收入": (
            [("南昌", "223.21 亿元（140 家规上企业，同比增长 15.4%，占全省 28.5%）")],
            "exact",
            True,
            "784.38 亿元",
        ),
        "网络零售额及增速": ([], "none", False, "1926.2 亿元（同比增长 24.25%）"),
        "智慧作业覆盖率": (
            [("赣州", "领跑全省"), ("新余", "领跑全省")],
            "qualitative",
            False,
            None,
        ),
        "政务数据回流": (
            [(c, "数据回流城市") for c in ("南昌市", "吉安市", "赣州市", "九江市")],
            "qualitative",
            False,
            "累计回流 62 种类别 1588 个信息项，2554 万条（吉安为试点）",
        ),
        "全国城乡高效配送试点 / 物流创新示范城市": (
            [
                ("鹰潭", "完成全国城乡高效配送试点"),
                ("宜春", "完成全国城乡高效配送试点"),
                ("赣州", "完成全国城乡高效配送试点；全国物流创新示范城市"),
                ("南昌", "完成全国城乡高效配送试点"),
            ],
            "qualitative",
            False,
            None,
        ),
        "城市亮点 (per-city text figures)": (
            [(k, v) for k, v in (vals or {}).items()],
            "exact",
            True,
            None,
        ),
    }
    if name in special:
        pairs, kind, present, prov = special[name]
        out = []
        for c, v in pairs:
            adcode, full = city_adcode(c)
            out.append({"adcode": adcode, "name": full, "value_text": v, "basis": "stated"})
        return out, kind, present, prov
    if vals is None:
        return [], "none", False, None
    raise ValueError(f"per-city metric not handled: {name}")


def build_province(facts: Facts, csv_path: Path) -> dict[str, Any]:
    """Build province.yaml."""
    pc = facts.province["prefecture_level_cities"]
    if sorted(pc["names"]) != sorted(PREFECTURES):
        raise ValueError("prefecture names differ from the adcode table")
    figures = []
    for m in facts.province["per_city_figures_002"]:
        values, kind, present, prov = fig_values(m)
        figures.append(
            {
                "metric": m["metric"],
                "year": m.get("year"),
                "unit": m.get("unit"),
                "value_kind": kind,
                "numbers_present": present,
                "caption_only": kind == "none",
                "numbers_note": NUMBERS_NOTE.get(
                    m["numbers_present_in_text"], m["numbers_present_in_text"]
                ),
                "province_value": prov,
                "values": values,
                "notes": m.get("note"),
                "citations": cites_of(m),
            }
        )
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sources = sorted({r["source"] for r in rows})
    return {
        "prefectures": [{"adcode": a, "name": n} for n, a in PREFECTURES.items()],
        "prefectures_note": (
            "名称取自种子文本，代码为 GB/T 2260；赣江新区为国家级新区，不是设区市。"
        ),
        "prefectures_citations": cites_of(pc),
        "layouts": build_layouts(facts),
        "per_city_figures": figures,
        "population_source": {
            "file": csv_path.name,
            "columns": list(rows[0].keys()),
            "rows": len(rows),
            "description": (
                "江西省 11 个设区市 2020 年第七次全国人口普查常住人口（人），每行附来源。"
            ),
            "source": "; ".join(sources),
            "sha256": sha256(csv_path),
        },
    }


# ---------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------

WS = re.compile(r"\s+")


class Checker:
    """Collect problems found in the written data."""

    def __init__(self, seeds: dict[str, list[str]]) -> None:
        """Keep the seed lines keyed by src."""
        self.seeds = seeds
        self.problems: list[str] = []
        self.n_quotes = 0

    def span(self, src: str, lines: str) -> str | None:
        """Return the whitespace-free text of a line range, or None if out of range."""
        seed = self.seeds.get(src)
        if seed is None:
            return None
        a, _, b = lines.partition("-")
        lo, hi = int(a), int(b or a)
        if not 1 <= lo <= hi <= len(seed):
            return None
        return WS.sub("", "".join(seed[lo - 1 : hi]))

    def quote(self, c: Cite, where: str) -> None:
        """Check that a citation's quote is in its line range (whitespace removed)."""
        self.n_quotes += 1
        if set(c) - {"src", "lines", "quote", "field"} or not c.get("quote"):
            self.problems.append(f"{where}: malformed citation {c}")
            return
        if not isinstance(c["lines"], str):
            self.problems.append(f"{where}: lines is not a string: {c}")
        text = self.span(c["src"], str(c["lines"]))
        if text is None or WS.sub("", c["quote"]) not in text:
            self.problems.append(
                f"{where}: quote not found in {c['src']}:{c['lines']}: {c['quote']!r}"
            )

    def verbatim(self, text: str, src: str, lines: str, where: str) -> None:
        """Check that a text kept 'verbatim' is in the given line range."""
        span = self.span(src, lines)
        if span is None or WS.sub("", text) not in span:
            self.problems.append(f"{where}: text not verbatim in {src}:{lines}")

    def walk(self, obj: Any, where: str) -> None:
        """Check every citation (a dict with src/lines/quote) found anywhere in obj."""
        if isinstance(obj, dict):
            if "src" in obj and "quote" in obj:
                self.quote(obj, where)
                return
            for k, v in obj.items():
                self.walk(v, f"{where}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                self.walk(v, f"{where}[{i}]")

    def need(self, cond: bool, msg: str) -> None:
        """Record msg as a problem unless cond holds."""
        if not cond:
            self.problems.append(msg)


def has_cite(rec: dict[str, Any]) -> bool:
    """Say whether a record carries at least one citation."""
    return bool(rec.get("citations") or rec.get("citation"))


def check_all(out: dict[str, dict[str, Any]], facts: Facts, seeds: dict[str, list[str]]) -> Checker:
    """Run all checks on the built documents."""
    ck = Checker(seeds)
    for name, doc in out.items():
        ck.walk(doc, name)
    lu = out["layout_units"]["layout_units"]
    co = out["counties"]["counties"]
    fz = out["functional_zones"]["functional_zones"]
    pk = out["parks"]["parks"]
    ck.need(len(lu) == 5, "layout_units: expected 5")
    ck.need(len(co) == 18, "counties: expected 18")
    ck.need([c["adcode"] for c in co] == sorted(COUNTY_ADCODES.values()), "counties: adcodes/order")
    ck.need(len(fz) == 3, "functional_zones: expected 3")
    n_parks = 91 + len(plan_corrections.PARK_ADDITIONS)
    ck.need(len(pk) == n_parks, f"parks: expected {n_parks}")
    ck.need(len({p["id"] for p in pk}) == n_parks, "parks: ids not unique")
    unit_names = {u["name"] for u in lu}
    all_ad = set(COUNTY_ADCODES.values())
    # Each county sits in exactly one unit; unit membership and county.layout_unit agree.
    for c in co:
        units = [u["name"] for u in lu if c["adcode"] in u["member_counties"]]
        ck.need(units == [c["layout_unit"]], f"county {c['name']}: layout membership {units}")
        ck.need(c["fiveg_tier"] in FIVEG_TIERS, f"county {c['name']}: fiveg_tier")
        ck.need(
            set(c["iot_tiers"]) <= {1, 2, 3} and bool(c["iot_tiers"]),
            f"county {c['name']}: iot_tiers",
        )
        fields = {x.get("field") for x in c["citations"]}
        for f in (
            "layout_unit",
            "table2_role",
            "chapter4_role",
            "fiveg_tier",
            "iot_tiers",
            "core_industries",
        ):
            ck.need(f in fields, f"county {c['name']}: no citation for {f}")
        ck.need(
            (c["brand"] is None) == ("brand" not in fields), f"county {c['name']}: brand citation"
        )
        for p in c["park_ids"]:
            ck.need(
                c["adcode"] in next(x for x in pk if x["id"] == p)["county_adcodes"],
                f"county {c['name']}: park {p} not located there",
            )
    for p in pk:
        ck.need(has_cite(p), f"park {p['id']}: no citation")
        ck.need(p["type"] in PARK_TYPE_ZH, f"park {p['id']}: type")
        ck.need(set(p["county_adcodes"]) <= all_ad, f"park {p['id']}: bad adcode")
        ck.need(
            p["layout_unit"] in unit_names | {None},
            f"park {p['id']}: layout_unit {p['layout_unit']}",
        )
        ck.need(p["functional_zone"] in set(FUNCTIONAL_ZONES) | {None}, f"park {p['id']}: zone")
        ck.need(
            p["county_basis"] in {"stated", "implied", "not_stated", "unit_level"},
            f"park {p['id']}: basis",
        )
        ck.need(
            p["county_scope"] in {"single", "multiple", "candidates", "unknown"},
            f"park {p['id']}: scope",
        )
        ck.need(
            not (p["county_basis"] == "not_stated" and p["county_scope"] in {"single", "multiple"}),
            f"park {p['id']}: not_stated but scope {p['county_scope']}",
        )
        ck.need(
            p["county_scope"] != "candidates" or len(p["county_adcodes"]) > 1,
            f"park {p['id']}: candidates",
        )
        ck.need(
            not (p["county_scope"] == "multiple" and len(p["county_adcodes"]) < 2),
            f"park {p['id']}: multiple",
        )
    for u in lu + fz:
        ck.need(has_cite(u), f"{u['name']}: no citation")
    # Texts kept verbatim: layout descriptions, 表2 rows and 第四章 paragraphs.
    for raw in facts.counties["layout_units"]:
        c0 = raw["citations"][0]
        ck.verbatim(
            raw["description"],
            src_of(c0["file"]),
            c0["lines"],
            f"layout {raw['layout_unit']}.description",
        )
    for raw in facts.counties["counties"]:
        t2 = raw["role_table2_citation"]
        ck.verbatim(
            raw["role_table2"], src_of(t2["file"]), t2["lines"], f"{raw['name']}.table2_role"
        )
        ch = raw["role_chapter4"]["citation"]
        ck.verbatim(
            raw["role_chapter4"]["text"],
            src_of(ch["file"]),
            ch["lines"],
            f"{raw['name']}.chapter4_role",
        )
    # Every fact record in targets/province carries a citation.
    tg = out["targets"]
    recs = (
        tg["fiveg"]["city"]
        + tg["fiveg"]["coverage_tiers"]
        + tg["fiveg"]["coverage_goals"]
        + tg["fiveg"]["named_mines"]
        + tg["fiveg"]["other"]
        + tg["iot"]["terminals"]
        + tg["iot"]["deployment_tiers"]
        + tg["iot"]["agri_iot_bases"]
        + tg["iot"]["other"]
        + tg["province"]["fiveg"]
        + tg["province"]["iot"]
        + tg["province"]["data_centres"]
        + out["province"]["layouts"]
        + out["province"]["per_city_figures"]
    )
    for r in recs:
        label = r.get("id") or r.get("name") or r.get("metric") or r.get("year")
        ck.need(has_cite(r), f"record without citation: {label}")
    for lay in out["province"]["layouts"]:
        for m in lay["members"]:
            ck.need(PREFECTURES.get(m["name"]) == m["adcode"], f"layout {lay['id']}: member {m}")
    return ck


# ---------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------


def facts_label(facts: Path) -> str:
    """The facts folder as the header names it: relative to the repo (``../shared/...``)."""
    return Path(os.path.relpath(facts.resolve(), REPO)).as_posix()


def dump(path: Path, doc: dict[str, Any], header: str) -> None:
    """Write one YAML document with a short provenance header."""
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(header + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Copy the inputs, build and write the YAML files, then check every citation."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED,
                    help="folder with plan-facts/, seeds/ and reference/ (default: ../shared)")
    ap.add_argument("--facts", type=Path, help="default: SHARED/plan-facts")
    ap.add_argument("--seeds", type=Path, help="default: SHARED/seeds")
    ap.add_argument("--population", type=Path,
                    help="default: SHARED/reference/population_prefectures_2020.csv")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "plan")
    args = ap.parse_args(argv)
    args.facts = args.facts or args.shared / "plan-facts"
    args.seeds = args.seeds or args.shared / "seeds"
    args.population = args.population or (args.shared / "reference"
                                          / "population_prefectures_2020.csv")

    facts = Facts(args.facts)
    seed_out = args.out / "seeds"
    seed_out.mkdir(parents=True, exist_ok=True)
    for fname in facts.counties["meta"]["sources"].values():
        shutil.copyfile(args.seeds / fname, seed_out / fname)
        if sha256(args.seeds / fname) != sha256(seed_out / fname):
            raise SystemExit(f"copy of {fname} differs")
    csv_out = args.out / args.population.name
    shutil.copyfile(args.population, csv_out)

    parks = plan_corrections.apply_parks(build_parks(facts), PARK_TYPE_ZH)
    out = {
        "sources": build_sources(facts, seed_out),
        "layout_units": build_layout_units(facts),
        "counties": plan_corrections.apply_counties(build_counties(facts, parks["parks"])),
        "functional_zones": plan_corrections.apply_counties(
            build_functional_zones(facts, parks["parks"])),
        "parks": parks,
        "targets": plan_corrections.apply_targets(build_targets(facts, parks["parks"])),
        "province": plan_corrections.apply_province(build_province(facts, csv_out)),
    }
    header = (
        f"# Generated by scripts/transcribe_plan.py from {facts_label(args.facts)}; "
        "do not edit by hand.\n"
        "# Citations: {src: seed prefix (see sources.yaml), lines: 1-based line or range,"
        " quote: verbatim}.\n"
    )
    for name, doc in out.items():
        dump(args.out / f"{name}.yaml", doc, header)

    # Check what was written: re-read the YAML and the copied seeds.
    written = {n: yaml.safe_load((args.out / f"{n}.yaml").read_text("utf-8")) for n in out}
    seeds = {
        src: seed_lines((seed_out / fname).read_text("utf-8"))
        for src, fname in facts.counties["meta"]["sources"].items()
    }
    ck = check_all(written, facts, seeds)
    if ck.problems:
        for p in ck.problems:
            say("FAIL " + p)
        say(f"{len(ck.problems)} problem(s); {ck.n_quotes} citations checked")
        return 1
    say(f"ok: {ck.n_quotes} citations verified; files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
