"""The ``targets`` layer: every figure re-found in its seed line, with its unit, per group."""

from __future__ import annotations

import re

import orjson
import pytest

from geo.admin import GANZHOU_ADCODE, JIANGXI_ADCODE
from geo.citations import Citation

_FULL = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_HAN = {"两个": 2.0, "三个": 3.0}


def _figures(ctx) -> list[dict]:
    return ctx.plan.raw("targets_all")["figures"]


def _numbers(text: str) -> set[float]:
    """Numbers in a quote: full-width digits normalised, 两个/三个 and 万亿 read as numbers."""
    text = text.translate(_FULL)
    found = {float(m) for m in re.findall(r"\d+(?:\.\d+)?", text)}
    squashed = re.sub(r"\s+", "", text)
    found |= {v for k, v in _HAN.items() if k in squashed}
    if "万亿" in squashed:
        found.add(1.0)
    return found


def _scaled(value: float, unit: str | None, stated: str) -> set[float]:
    """The value as the quote may write it: in the unit, or scaled by a 万/亿 the unit lacks."""
    out = {value}
    for char, factor in (("万", 1e4), ("亿", 1e8)):
        if char in stated and not (unit or "").startswith(char):
            out.add(round(value / factor, 6))
    return out


def _groups(ctx) -> list[str]:
    return list(ctx.plan.raw("targets_all")["groups"])


def _table_cell(f: dict, line: str) -> str | None:
    """The cell of a target-table row that holds ``f``'s year (000 表1, 003 表, 000 测算表)."""
    if f["source_kind"] == "测算表":
        cells = line.split("\t")
        assert cells[0] == str(f["year"]), f["id"]
        col = {"亿元": 4 if "GDP" in f["indicator"] else 1, "%": 3}[f["unit"]]
        return cells[col]
    if f["source_kind"] != "指标表":
        return None
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    years = (2020, 2023, 2025) if f["citations"][0]["src"] == "000" else (2020, 2025)
    return cells[-4 + years.index(f["year"])]


GROUPS = ["gz_economy", "gz_industry", "gz_digitalisation", "gz_governance",
          "gz_infrastructure", "gz_sectors", "jx_economy", "jx_electronics", "jx_emerging",
          "jx_digitalisation", "jx_5g", "jx_broadband", "jx_iot", "jx_datacentre",
          "jx_governance"]


def test_the_groups_are_the_declared_ones(ctx):
    assert _groups(ctx) == GROUPS


@pytest.mark.parametrize("group", GROUPS)
def test_each_value_and_unit_is_re_found_in_its_cited_seed_line(ctx, group):
    figures = [f for f in _figures(ctx) if f["group"] == group]
    assert figures, group
    for f in figures:
        cites = [Citation.model_validate(c) for c in f["citations"]]
        value_cites = [c for c in cites if c.field != "unit"]
        assert value_cites, f["id"]
        wanted = _scaled(f["value"], f["unit"], f["value_as_stated"])
        assert any(wanted & _numbers(c.quote) for c in value_cites), f["id"]
        for c in cites:  # the quote is really in the cited line
            assert ctx.seeds.problem(c) is None, (f["id"], c.ref)
        stated = re.sub(r"\s+", "", f["value_as_stated"].translate(_FULL))
        assert any(stated in re.sub(r"\s+", "", c.quote.translate(_FULL))
                   for c in value_cites), (f["id"], stated)
        if f["unit"]:
            texts = "".join(re.sub(r"\s+", "", ctx.seeds.text(c)) for c in cites)
            assert f["unit"] in texts, (f["id"], f["unit"])
        cell = _table_cell(f, ctx.seeds.text(value_cites[0]))
        if cell is not None:
            assert cell.replace(" ", "") == stated, (f["id"], cell, stated)


def test_at_least_75_figures_every_one_cited_and_unique(ctx):
    figures = _figures(ctx)
    assert len(figures) >= 75
    assert len({f["id"] for f in figures}) == len(figures)
    for f in figures:
        assert f["citations"] and all(c.get("quote") for c in f["citations"]), f["id"]
        assert f["kind"] in ("baseline", "target", "actual")
        assert f["scope"] in ("city", "province", "county", "park")


def test_the_figures_the_issue_names_are_present(ctx):
    by_id = {f["id"]: f for f in _figures(ctx)}
    expected = {
        "gz_de_share_2025": 45, "gz_dc_pue_2025": 1.5, "gz_intl_link_bandwidth": 240,
        "gz_5g_iiot_demo_firms_2020": 5, "gz_digital_mfg_revenue-2025": 1400,
        "gz_core_firms-2020": 320, "jx_nbiot_2020": 7.2, "jx_emtc_2020": 7.6,
        "yt_iot_industry_2021": 600, "jx_iot_connections_2022": 3000, "jx_village_5g_2021": 131,
        "jx_gigabit_users-2025": 300, "jx_dc_built_2021": 49, "jx_dc_racks_2021": 6.6,
        "jx_compute_2021": 1600, "jx_dc_pue_2021": 1.71, "jx_dc_new_pue_2025": 1.3,
        "jx_electronics_revenue-2020": 4070, "jx_software_revenue-2025": 600,
    }
    for id_, value in expected.items():
        assert by_id[id_]["value"] == value, id_
    years = {f["year"] for f in _figures(ctx) if f["id"].startswith("gz_proj_core_va-")}
    assert years == set(range(2020, 2026))  # every year of 000's 测算表


def test_layer_rows_are_drawn_on_their_scope_polygon(ctx):
    gdf = ctx.result("targets").gdf
    assert len(gdf) == len(_figures(ctx))
    assert gdf.geometry.notna().all()
    assert set(gdf.geometry.geom_type) == {"MultiPolygon"}  # never a point
    counties = ctx.result("jiangxi_counties").gdf.set_index("adcode").geometry
    cities = ctx.result("prefectures").gdf.set_index("adcode").geometry
    for row in gdf.itertuples():
        if row.adcode == JIANGXI_ADCODE:
            assert row.geometry_precision == "province_polygon"
        elif row.adcode in cities.index:
            assert row.geometry_precision == "city_polygon"
            assert row.geometry.equals(cities[row.adcode])
        else:
            assert row.geometry_precision == "county_polygon"
            assert row.geometry.equals(counties[row.adcode])
    assert (gdf.loc[gdf["scope"] == "park", "park_id"].notna()).all()
    assert (gdf["adcode"] == GANZHOU_ADCODE).sum() > 100


def test_targets_is_temporal_on_year_and_cites_every_row(ctx):
    result = ctx.result("targets")
    assert result.layer.schema.temporal == "year"
    for raw in result.gdf["citations"]:
        assert orjson.loads(raw)
