"""Issue 15's corrections hold: no position the seeds don't give, implied places say so in
Chinese, types fixed, the missing platform added, province layouts cite each city's sentence."""

from __future__ import annotations

import re

import orjson

from geo.citations import Citation

IMPLIED = {"GZP005": "functional_zone_schematic_implied", "GZP009":
           "functional_zone_schematic_implied", "GZP012": "functional_zone_schematic_implied",
           "GZP021": "county_seat_implied", "GZP071": "functional_zone_schematic_implied"}
# Technical terms the Chinese text keeps in Latin letters
_TERMS = re.compile(r"PCB|NB-IoT|eMTC|LTE-Cat1|Wi-Fi|MOCVD|PFlops|Gbps|Gpbs|mMTC|IPv6|"
                    r"RFID|GNSS|HDI|MIMO|LED|VR|AR|AI|SA")


def _english(text: str | None) -> bool:
    return bool(text) and bool(re.search(r"[A-Za-z]{4,}", _TERMS.sub("", text)))


def _parks(ctx):
    return ctx.result("parks").gdf.set_index("id")


def test_ganzhou_hitech_zone_has_no_point_and_says_why(ctx):
    row = _parks(ctx).loc["GZP060"]
    assert row.geometry is None and row["location_precision"] == "unknown"
    assert "000:1191" in row["location_note"] and "不绘制点位" in row["location_note"]
    text = "".join(ctx.seeds.text(Citation.model_validate(c))
                   for c in orjson.loads(row["citations"]))
    assert "赣州高新区" in text


def test_implied_places_draw_apart_and_say_the_implication_in_chinese(ctx):
    parks = _parks(ctx)
    for id_, precision in IMPLIED.items():
        row = parks.loc[id_]
        assert row["county_basis"] == "implied", id_
        assert row["location_precision"] == precision, id_
        assert row.geometry is not None, id_
        assert "推断" in row["location_note"] and not _english(row["location_note"]), id_
    stated = parks[parks["county_basis"] == "stated"]
    assert not stated["location_precision"].str.endswith("_implied").any()


def test_rare_earth_industrial_cloud_platform_is_added(ctx):
    row = _parks(ctx).loc["GZP092"]
    assert row["name"] == "稀土行业级工业云服务平台" and row["cite"] == "000:917"
    assert row.geometry is None  # 000:917 gives no county
    assert len(_parks(ctx)) == 92


def test_types_are_fixed(ctx):
    parks = _parks(ctx)
    assert parks.loc["GZP028", "type_zh"] == "重大平台"
    assert "重大平台" in "".join(ctx.seeds.text(Citation.model_validate(c))
                              for c in orjson.loads(parks.loc["GZP028", "citations"]))
    assert parks.loc["GZP012", "type_zh"] == "数据交易平台"


def test_user_facing_park_text_is_chinese(ctx):
    parks = _parks(ctx)
    for col in ("notes", "status", "type_detail", "location_note", "industry_focus"):
        bad = [(i, v) for i, v in parks[col].dropna().items() if _english(v)]
        assert bad == [], (col, bad[:3])
    assert "internal_notes" not in parks.columns


def test_industry_transfer_zone_members_are_the_box7_cities(ctx):
    gdf = ctx.result("province_layout").gdf
    rows = gdf[gdf["layout_id"] == "chengjie_zhuanyi"]
    box7 = {"赣州市", "吉安市", "上饶市", "鹰潭市"}
    for r in rows.itertuples():
        cites = [Citation.model_validate(c) for c in orjson.loads(r.citations)]
        refs = {c.ref for c in cites}
        if r.place_name in box7:
            assert refs & {"003:210", "003:212", "003:214", "003:216"}, r.place_name
            assert "004:315" in refs
        elif isinstance(r.adcode, str):  # 九江, 萍乡: kept only with their own sentence and label
            assert r.place_name in {"九江市", "萍乡市"}
            assert refs == {"003:206"} and "未列入专栏7" in r.role


def test_every_province_layout_member_cites_its_own_city(ctx):
    gdf = ctx.result("province_layout").gdf
    for r in gdf[gdf["location_precision"] == "prefecture_polygon"].itertuples():
        short = r.place_name.removesuffix("市")
        cites = [Citation.model_validate(c) for c in orjson.loads(r.citations)]
        assert all(short in c.quote for c in cites[:1]), (r.id, short)
        assert r.text and short in r.text and not _english(r.text), r.id
    for note in gdf["notes"].dropna():
        assert not _english(note), note
