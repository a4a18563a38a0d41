"""Typed access to the cited plan data in ``data/plan/`` (transcribed from the seeds).

The YAML files are the project's record of what the plans say; every record carries
citations to seed lines. Loading validates the structure with pydantic so that a typo in a
data file fails here, with the file and field named, rather than deep inside a layer build.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from geo.citations import Citation
from geo.errors import DataIntegrityError

FiveGTier = Literal["全深度覆盖", "主城区连续覆盖", "未点名"]
FIVEG_TIER_NOT_NAMED: FiveGTier = "未点名"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Record):
    """One seed document."""

    src: str
    file: str
    title: str
    sha256: str
    lines: int


class LayoutUnit(_Record):
    """One unit of 一谷一带三片区."""

    id: str
    name: str
    name_variants: list[str] = []
    kind: str
    theme: str
    description: str
    member_counties: list[str]
    member_functional_zones: list[str] = []
    notes: str | None = None
    citations: list[Citation]


class ThematicRole(_Record):
    """A county's role in one of the plan's thematic boxes (专栏)."""

    source: str
    role: str
    citation: Citation


class County(_Record):
    """Plan attributes of one county-level unit of 赣州市."""

    adcode: str
    name: str
    kind: str
    layout_unit: str
    layout_unit_basis: str
    table2_role: str
    chapter4_role: str | None = None
    chapter4_role_scope: str | None = None
    core_industries: list[str]
    brand: str | None = None
    fiveg_tier: FiveGTier
    iot_tiers: list[int]
    iot_tier_basis: str
    thematic_roles: list[ThematicRole] = []
    park_ids: list[str] = []
    candidate_park_ids: list[str] = []
    notes: str | None = None
    citations: list[Citation]


class FunctionalZone(_Record):
    """A management zone (经开区, 新区, 高新区) with no published boundary."""

    id: str
    name: str
    kind: str
    layout_unit: str | None
    table2_role: str | None
    chapter4_role: str | None = None
    role_text: str | None = None
    core_industries: list[str]
    brand: str | None = None
    iot_tiers: list[int]
    iot_tier_basis: str | None
    fiveg_tier: FiveGTier
    location_note: str
    thematic_roles: list[ThematicRole] = []
    park_ids: list[str] = []
    notes: str | None = None
    citations: list[Citation]


class Park(_Record):
    """A named park, base, data centre, platform or mine."""

    id: str
    name: str
    aliases: list[str] = []
    type: str
    type_zh: str
    type_detail: str
    industry_focus: list[str] = []
    level: str | None = None
    status: str | None = None
    county_adcodes: list[str]
    functional_zone: str | None = None
    county_basis: Literal["stated", "implied", "not_stated", "unit_level"]
    county_scope: Literal["single", "multiple", "candidates", "unknown"]
    layout_unit: str | None = None
    notes: str | None = None
    components: list[str] = []
    # Issue 15: no point where the seeds give no place (赣州高新区); the Chinese reason an
    # implied county/zone is implied, or a point withheld (shown in ``location_note``);
    # English working notes, never exported.
    no_point: bool = False
    location_basis_note: str | None = None
    internal_notes: str | None = None
    citations: list[Citation]


# libyaml's C parser when PyYAML was built with it (the wheels are): the plan files are
# ~13k nodes and the pure-Python parser takes ~1.6 s of every start.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text("utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 (safe)
    except (OSError, yaml.YAMLError) as exc:
        raise DataIntegrityError(f"cannot read plan file {path.name}: {exc}") from exc


def iter_citations(node: Any) -> Iterator[Citation]:
    """Yield every citation object found anywhere in a parsed YAML tree."""
    if isinstance(node, dict):
        if "src" in node and "lines" in node:
            yield Citation.model_validate(node)
            return
        for value in node.values():
            yield from iter_citations(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_citations(item)


@dataclass(frozen=True)
class PlanData:
    """All plan files, parsed; raw trees are kept for the citation checks."""

    plan_dir: Path

    def raw(self, name: str) -> Any:
        """Parsed content of ``data/plan/<name>.yaml``."""
        return self._raw[name]

    @cached_property
    def _raw(self) -> dict[str, Any]:
        return {p.stem: _read_yaml(p) for p in sorted(self.plan_dir.glob("*.yaml"))}

    @cached_property
    def sources(self) -> list[Source]:
        """The five seed documents."""
        return [Source.model_validate(s) for s in self.raw("sources")["sources"]]

    @cached_property
    def layout_units(self) -> list[LayoutUnit]:
        """The five units of 一谷一带三片区."""
        return [LayoutUnit.model_validate(u) for u in self.raw("layout_units")["layout_units"]]

    @cached_property
    def counties(self) -> dict[str, County]:
        """County plan attributes keyed by adcode."""
        items = [County.model_validate(c) for c in self.raw("counties")["counties"]]
        return {c.adcode: c for c in items}

    @cached_property
    def functional_zones(self) -> list[FunctionalZone]:
        """赣州经开区, 赣州蓉江新区, 赣州高新区."""
        raw = self.raw("functional_zones")["functional_zones"]
        return [FunctionalZone.model_validate(z) for z in raw]

    @cached_property
    def parks(self) -> list[Park]:
        """Every named park, base, data centre, platform and mine."""
        return [Park.model_validate(p) for p in self.raw("parks")["parks"]]

    @property
    def targets(self) -> dict[str, Any]:
        """The 5G / IoT target tree (validated where layers read it)."""
        return self.raw("targets")

    @property
    def province(self) -> dict[str, Any]:
        """Province layouts and per-city figures."""
        return self.raw("province")

    @cached_property
    def population(self) -> pd.DataFrame:
        """2020 census population of the 11 prefecture cities (adcode as string)."""
        path = self.plan_dir / "population_prefectures_2020.csv"
        return pd.read_csv(path, dtype={"adcode": str}, comment="#")

    def all_citations(self) -> Iterator[tuple[str, Citation]]:
        """Yield ``(file stem, citation)`` for every citation in every plan file."""
        for stem, tree in self._raw.items():
            if stem == "sources":  # the seed list itself, not citations
                continue
            for citation in iter_citations(tree):
                yield stem, citation


def load_plan(plan_dir: Path) -> PlanData:
    """Return the plan data rooted at ``plan_dir``."""
    if not (plan_dir / "sources.yaml").exists():
        raise DataIntegrityError(f"no plan data at {plan_dir} (sources.yaml missing)")
    return PlanData(plan_dir)
