"""Built layers stored on disk for the next process (geo.layer_cache)."""

from __future__ import annotations

import pandas as pd

from geo.catalog import BuildContext
from geo.layer_cache import cache_path, layers_digest, load_layers
from geo.layers import LAYERS
from geo.settings import AtlasSettings


def _fresh(tmp_path) -> BuildContext:
    return BuildContext(AtlasSettings(data_dir=tmp_path))


def test_a_new_process_reads_the_layers_built_by_the_last(ctx, tmp_path):
    first = _fresh(tmp_path)
    assert first.load_stored_layers() == []  # nothing stored yet
    for name in LAYERS:
        first.result(name)
    first.store_layers()
    assert cache_path(first.settings, layers_digest(first.settings)).is_file()
    again = _fresh(tmp_path)
    assert again.load_stored_layers() == sorted(LAYERS)
    for name in LAYERS:
        stored, built = again.result(name), ctx.result(name)
        assert stored.layer is built.layer  # this process's definition, not a copy
        pd.testing.assert_frame_equal(pd.DataFrame(stored.gdf.drop(columns="geometry")),
                                      pd.DataFrame(built.gdf.drop(columns="geometry")))
        assert stored.gdf.geometry.geom_equals_exact(built.gdf.geometry, 0).where(
            built.gdf.geometry.notna(), True).all()
        assert stored.gdf.crs == built.gdf.crs and stored.provenance == built.provenance
    assert again._built == set()  # nothing was rebuilt


def test_other_inputs_do_not_read_the_stored_layers(tmp_path, monkeypatch):
    first = _fresh(tmp_path)
    first.result("counties")
    first.store_layers()
    monkeypatch.setattr("geo.layer_cache.layers_digest", lambda settings: "f" * 64)
    assert _fresh(tmp_path).load_stored_layers() == []


def test_an_unreadable_file_means_building_again(tmp_path):
    settings = AtlasSettings(data_dir=tmp_path)
    path = cache_path(settings, layers_digest(settings))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x05 truncated")
    assert load_layers(path) == {}
    again = _fresh(tmp_path)
    assert again.load_stored_layers() == []
    assert len(again.result("parks").gdf) > 0


def test_a_context_sharing_built_layers_writes_nothing(ctx, tmp_path):
    """Apps over the session's built layers (tests, the CLI beside a server) neither read
    nor write a cache file of their own."""
    for name in LAYERS:
        ctx.result(name)
    shared = ctx.with_settings(AtlasSettings(data_dir=tmp_path))
    assert shared.load_stored_layers() == []
    shared.store_layers()
    assert not (tmp_path / "cache" / "layers").exists()
