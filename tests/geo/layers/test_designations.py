"""designations, hubs and corridors: what the seeds state, placed only where they name it."""

from __future__ import annotations

import orjson
import shapely

from geo.citations import Citation


def _rows(ctx, section: str) -> dict[str, dict]:
    return {r["id"]: r for r in ctx.plan.raw("designations")[section]}


def _cited(ctx, row: dict, *words: str) -> None:
    """Each word occurs in the cited seed text of ``row`` (and every quote checks out)."""
    cites = [Citation.model_validate(c) for c in row["citations"]]
    assert cites, row["id"]
    for c in cites:
        assert ctx.seeds.problem(c) is None, (row["id"], c.ref)
    text = "".join(ctx.seeds.text(c) for c in cites).replace(" ", "")
    for w in words:
        assert w in text, (row["id"], w)


def test_ganzhou_designations_are_present_and_cited(ctx):
    d = _rows(ctx, "designations")
    for id_, word in {
        "gz_blockchain_pilot": "区块链创新应用综合性试点城市",
        "gz_ecommerce_demo": "电子商务示范城市", "gz_crossborder_zone": "跨境电子商务综合试验区",
        "gz_info_consumption_demo": "信息消费示范城市", "gz_outsourcing_demo": "服务外包示范城市",
        "gz_logistics_demo": "物流创新示范城市", "gz_gigabit_city_bid": "千兆城市",
    }.items():
        assert d[id_]["adcode"] == "360700", id_
        _cited(ctx, d[id_], word)


def test_named_lists_keep_what_the_seed_leaves_unnamed(ctx):
    d = _rows(ctx, "designations")
    assert {r["place_name"] for r in d.values() if r["kind"] == "省级5G产业基地"} == {
        "吉安", "信丰县", None}
    _cited(ctx, d["fiveg_base-unnamed"], "5家省级5G产业基地")
    kcc = {r["place_name"] for r in d.values() if r["id"].startswith("kechuangcheng-")}
    assert kcc == {"南昌", "赣州", "上饶", "鹰潭"}
    assert {r["place_name"] for r in d.values() if r["id"].startswith("smart_city-")} == {
        "南昌", "赣州", "鹰潭", "九江", None}
    villages = {r["place_name"] for r in d.values() if r["kind"] == "数字乡村试点"}
    assert {"安远县", "井冈山市", "南昌县", "彭泽县"} <= villages
    assert {r["place_name"] for r in d.values() if r["id"].startswith("gigabit_city-")} == {
        "南昌", "九江", "上饶"}


def test_hubs_and_data_centre_siting(ctx):
    h = _rows(ctx, "hubs")
    _cited(ctx, h["hub-nc_ix"], "南昌国家级互联网骨干直联点")
    for id_ in ("hub-intl_channel-361100", "hub-intl_channel-360400"):
        _cited(ctx, h[id_], "国际互联网数据专用通道")
    _cited(ctx, h["hub-gz_ix_bid"], "争取建设国家互联网骨干直联点")
    _cited(ctx, h["dc-shaoguan_link"], "东数西算", "韶关数据中心集群")
    assert h["dc-shaoguan_link"]["place_level"] == "none"  # 韶关 is in 广东
    _cited(ctx, h["dc-gz_disaster_recovery"], "灾备中心")
    assert {h[f"dc-large-{a}"]["adcode"] for a in ("360700", "360400", "360900", "361100")} \
        == {"360700", "360400", "360900", "361100"}


def test_corridors_are_schematic_where_drawn_and_say_so(ctx):
    gdf = ctx.result("corridors").gdf.set_index("id")
    hsr = gdf.loc["ganshen_hsr"]
    assert hsr["geometry_precision"] == "schematic" and "示意" in hsr["location_note"]
    assert "非实际线路" in hsr["location_note"] and "示意" in hsr["name"]
    line = shapely.from_wkt(hsr["schematic_line_wkt"])
    counties = ctx.result("jiangxi_counties").gdf.set_index("adcode").geometry
    for a in hsr["via_adcodes"].split(","):  # the line passes through each named county
        assert line.intersects(counties[a]), a
    assert hsr.geometry.contains(line)
    for id_ in ("shengan_europe_train", "yuegan_europe_train", "ganzhou_hk_truck"):
        assert gdf.loc[id_, "geometry_precision"] == "none"
        assert gdf.loc[id_].geometry is None
        _cited(ctx, _rows(ctx, "corridors")[id_], "深赣欧", "粤赣欧", "赣州—香港货运直通车")


def test_no_place_no_geometry_and_notes_are_chinese(ctx):
    for name in ("designations", "hubs", "corridors"):
        gdf = ctx.result(name).gdf
        none = gdf["geometry_precision"] == "none"
        assert gdf.loc[none].geometry.isna().all(), name
        assert gdf.loc[~none].geometry.notna().all(), name
        for note in gdf["location_note"]:
            assert not any(w.isascii() and w.isalpha() and len(w) > 3 for w in note.split()), note
        for raw in gdf["citations"]:
            assert orjson.loads(raw)
