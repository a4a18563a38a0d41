"""The plan data agrees with the seed text itself, checked independently of plan-facts."""

import hashlib

from geo.admin import GANZHOU_COUNTIES
from geo.checks import plan_problems

TABLE2 = ("000", 551, 575)  # 表 2 赣州市数字经济生产力布局
UNIT_ALIASES = {"赣南数字谷": "赣南数谷"}


def _table2_rows(ctx):
    """Parse 表2 straight from the seed: (layout unit, place) per row."""
    lines = ctx.seeds.text_lines("000")[TABLE2[1] - 1 : TABLE2[2]]
    rows, unit = [], None
    for line in lines:
        cells = line.split("\t")
        if len(cells) < 3 or cells[1] == "地区":
            continue
        unit = UNIT_ALIASES.get(cells[0], cells[0]) if cells[0] else unit
        rows.append((unit, cells[1]))
    return rows


def test_all_citations_check_out_and_seed_copies_match(ctx):
    assert plan_problems(ctx) == []


def test_seed_copies_are_byte_identical_to_shared_seeds(ctx, settings):
    shared = settings.shipped_data_dir.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        import pytest

        pytest.skip("../shared/seeds not beside the checkout")
    for source in ctx.plan.sources:
        digest = hashlib.sha256((shared / source.file).read_bytes()).hexdigest()
        assert digest == source.sha256


def test_table2_has_20_units_and_membership_matches(ctx):
    rows = _table2_rows(ctx)
    assert len(rows) == 20
    counties = {c.name: c.layout_unit for c in ctx.plan.counties.values()}
    zones = {z.name: z.layout_unit for z in ctx.plan.functional_zones}
    for unit, place in rows:
        assert {**counties, **zones}[place] == unit, place
    assert sorted(counties) == sorted(GANZHOU_COUNTIES.values())


def test_layout_unit_members_match_table2(ctx):
    rows = _table2_rows(ctx)
    for u in ctx.plan.layout_units:
        in_table = {place for unit, place in rows if unit == u.name}
        listed = {GANZHOU_COUNTIES[a] for a in u.member_counties} | set(u.member_functional_zones)
        assert listed == in_table, u.name


def test_stated_park_counties_are_named_in_the_cited_text(ctx):
    for p in ctx.plan.parks:
        if p.county_basis != "stated":
            continue
        places = [GANZHOU_COUNTIES[a] for a in p.county_adcodes]
        places += [p.functional_zone] if p.functional_zone else []
        assert places, p.id
        texts = [ctx.seeds.text(c) for c in p.citations] + [p.name]
        for place in places:
            short = place.removeprefix("赣州")
            short = short[:-1] if len(short) > 2 and short[-1] in "区县市" else short
            assert any(short in t for t in texts), (p.id, place)


def test_fiveg_tiers_match_the_seed_sentence(ctx):
    sentence = ctx.seeds.text_lines("000")[1135 - 1]
    full, _, rest = sentence.partition("全深度覆盖")
    named_full = {a for a, n in GANZHOU_COUNTIES.items() if n[:2] in full.split("在")[-1]}
    tiers = {a: c.fiveg_tier for a, c in ctx.plan.counties.items()}
    assert {a for a, t in tiers.items() if t == "全深度覆盖"} == named_full
    cont = rest.split("主城区 5G 信号连续覆盖")[0]
    named_cont = {a for a, n in GANZHOU_COUNTIES.items() if n[:2] in cont and a not in named_full}
    assert {a for a, t in tiers.items() if t == "主城区连续覆盖"} == named_cont
    assert sum(t == "未点名" for t in tiers.values()) == 18 - len(named_full) - len(named_cont)


def test_city_5g_targets_are_6122_15000_20000(ctx):
    city = {r["year"]: r["value"] for r in ctx.plan.targets["fiveg"]["city"]}
    assert city == {2020: 6122, 2023: 15000, 2025: 20000}
    assert "6122\t15000\t20000" in ctx.seeds.text_lines("000")[443 - 1]
