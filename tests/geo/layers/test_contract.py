"""Every registered layer honours its contract: schema, CRS, ids, provenance, citations."""

import orjson
import pytest

from geo.citations import Citation
from geo.crs import STORAGE_CRS
from geo.layers import LAYERS

EXPECTED_ROWS = {
    "counties": 18, "prefectures": 11, "jiangxi_counties": 100, "layout_units": 5,
    "functional_zones": 3, "parks": 92, "targets": 297, "designations": 65, "hubs": 21,
    "corridors": 10, "townships": 310,
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_conforms_to_its_schema(ctx, name):
    result = ctx.result(name)
    gdf = result.gdf
    schema = result.layer.schema
    assert list(gdf.columns) == [*schema.names, "geometry"]
    assert gdf.crs.to_string() == STORAGE_CRS
    assert gdf[schema.id_column].is_unique and gdf[schema.id_column].notna().all()
    present = gdf.geometry[gdf.geometry.notna()]
    assert set(present.geom_type) <= schema.geometry_types
    assert present.is_valid.all()
    assert len(gdf) > 0


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_has_provenance_with_real_files(ctx, name):
    prov = ctx.result(name).provenance
    assert prov.sources and prov.steps and prov.licence
    for source in prov.sources:
        assert (ctx.settings.shipped_data_dir / source.path).is_file()
        assert len(source.sha256) == 64


CITED = [n for n, lyr in LAYERS.items() if "citations" in lyr.schema.names]


@pytest.mark.parametrize("name", CITED)
def test_every_row_cites_real_seed_lines(ctx, name):
    gdf = ctx.result(name).gdf
    for raw in gdf["citations"]:
        citations = [Citation.model_validate(c) for c in orjson.loads(raw)]
        assert citations, "a plan row without a citation"
        for c in citations:
            assert ctx.seeds.problem(c) is None, c.ref


@pytest.mark.parametrize(("name", "rows"), EXPECTED_ROWS.items())
def test_row_counts(ctx, name, rows):
    assert len(ctx.result(name).gdf) == rows


def test_registry_names_match_modules():
    assert list(LAYERS) == [
        "counties", "prefectures", "jiangxi_counties", "layout_units", "functional_zones",
        "parks", "fiveg_targets", "iot_zones", "province_layout", "county_summary",
        "targets", "designations", "hubs", "corridors", "townships",
    ]
