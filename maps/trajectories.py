"""Each plan indicator's trajectory, baseline → targets, as a small inline SVG for the portal.

The ``targets`` layer holds every figure the seeds state (indicator, unit, value, year,
baseline / actual / target, scope, citation). An indicator of one scope with figures for
two years or more gets a chart: its values on a shared 2019–2026 year axis, baselines and
actuals as filled dots, targets as rings, joined in year order; a ``<title>`` on each point
gives the value as the seed states it (with ≥/约 ...) and its citation, so hovering shows
where the number comes from. Drawn on the server as plain SVG: no chart library, no CDN,
and the portal stays a static page. Text is Chinese (``maps.text.zh``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from maps.cite import cite_short
from maps.elements import esc
from maps.text import missing, zh

WIDTH, HEIGHT = 260, 132
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 22, 24
YEARS = (2019, 2026)  # the axis: the plans' baselines (2020) to their horizon (2025)
KIND_ZH = {"baseline": "基准", "actual": "实际", "target": "目标"}
COLOURS = {"baseline": "#1f2933", "actual": "#616e7c", "target": "#d94801"}
COMPARATOR_ZH = {">": "超过", ">=": "不低于", "<": "低于", "<=": "不高于", "≈": "约",
                 "increase": "提高", "range": "", "=": ""}


@dataclass(frozen=True)
class Point:
    """One figure of an indicator: year, value, kind and what the seed says."""

    year: int
    value: float
    kind: str
    stated: str
    cite: str


@dataclass(frozen=True)
class Trajectory:
    """An indicator of one scope over the years (two or more), with its chart."""

    group: str
    scope: str
    indicator: str
    unit: str
    points: tuple[Point, ...]

    @property
    def title(self) -> str:
        """``indicator（unit）``: the chart's heading."""
        return f"{self.indicator}（{self.unit}）" if self.unit else self.indicator

    def svg(self) -> str:
        """The chart (inline SVG, Chinese labels, a citation tooltip on each point)."""
        top = max(p.value for p in self.points)
        top = top * 1.15 if top > 0 else 1.0
        (y0, y1), plot_w = YEARS, WIDTH - LEFT - RIGHT

        def x(year: int) -> float:
            return round(LEFT + plot_w * (year - y0) / (y1 - y0), 1)

        def y(value: float) -> float:
            return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top), 1)

        base = HEIGHT - BOTTOM
        parts = [f'<svg class="trajectory" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
                 f'height="{HEIGHT}" role="img" aria-label="{esc(self.scope + self.title)}">',
                 f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" '
                 'stroke="#9aa5b1"/>']
        for year in range(YEARS[0] + 1, YEARS[1]):
            parts.append(f'<text x="{x(year)}" y="{HEIGHT - 8}" font-size="9" '
                         f'text-anchor="middle" fill="#616e7c">{year}</text>')
        line = " ".join(f"{x(p.year)},{y(p.value)}" for p in self.points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#9aa5b1" '
                     'stroke-width="1.5"/>')
        for p in self.points:
            colour = COLOURS.get(p.kind, "#616e7c")
            short, _ = cite_short(p.cite)
            tip = f"{p.year}年{KIND_ZH.get(p.kind, '')}：{p.stated}；出处：{short}"
            fill = "#ffffff" if p.kind == "target" else colour
            parts.append(
                f'<g class="point {esc(p.kind)}" data-year="{p.year}"><title>{esc(tip)}</title>'
                f'<circle cx="{x(p.year)}" cy="{y(p.value)}" r="4" fill="{fill}" '
                f'stroke="{colour}" stroke-width="2"/>'
                f'<text x="{x(p.year)}" y="{y(p.value) - 7}" font-size="9" text-anchor="middle" '
                f'fill="{colour}">{esc(number(p.value))}</text></g>')
        parts.append("</svg>")
        return "".join(parts)


def number(value: float) -> str:
    """A value as a label: no trailing zeros, thousands separated."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _stated(row) -> str:
    text = row["value_as_stated"]
    if isinstance(text, str) and text and not missing(text):
        return str(zh(text))
    prefix = COMPARATOR_ZH.get(str(row["comparator"]), "")
    return f"{prefix}{number(float(row['value']))}{row['unit'] or ''}"


def trajectories(targets: pd.DataFrame) -> list[Trajectory]:
    """The indicators (per scope) with figures for two years or more, in the layer's order.

    A year with several figures (e.g. the text's 241.2 and the table's 241) keeps the first
    one, the layer's order being the seeds' order; the others stay in the layer.
    """
    rows = targets[targets["value"].notna() & targets["year"].notna()]
    out = []
    keys = ["group_zh", "scope_name", "indicator", "unit"]
    for (group, scope, indicator, unit), members in rows.groupby(keys, sort=False,
                                                                 dropna=False):
        seen: dict[int, Point] = {}
        for _, r in members.iterrows():
            year = int(r["year"])
            if year not in seen and YEARS[0] < year < YEARS[1]:
                seen[year] = Point(year, float(r["value"]), str(r["kind"]), _stated(r),
                                   str(r["cite"] or ""))
        if len(seen) >= 2:
            out.append(Trajectory(str(group), str(scope), str(indicator),
                                  "" if missing(unit) else str(unit),
                                  tuple(seen[y] for y in sorted(seen))))
    return out


def by_group(items: list[Trajectory]) -> list[tuple[str, list[Trajectory]]]:
    """The trajectories under their group headings (赣州数字经济规模 ...), in order."""
    groups: dict[str, list[Trajectory]] = {}
    for t in items:
        groups.setdefault(t.group, []).append(t)
    return list(groups.items())
