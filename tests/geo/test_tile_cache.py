"""A restart reads the encoded per-layer tiles back instead of re-encoding them."""

from __future__ import annotations

from geo.tiles import TileStore


def test_restart_reads_the_same_tiles_from_the_cache(ctx, tmp_path):
    first = TileStore(ctx, tmp_path)
    built = first.ensure()
    cache = list(tmp_path.glob("layers-*.sqlite"))
    assert len(cache) == 1
    again = TileStore(ctx, tmp_path)
    loaded = again.ensure()
    assert loaded.from_cache and loaded.tiles == built.tiles
    for name, index in first._layers.items():
        other = again._layers[name]
        assert other.complete_to == index.complete_to and other.keys() == index.keys()
        key = next(iter(index))
        assert other[key].data == index[key].data


def test_a_damaged_cache_is_rebuilt(ctx, tmp_path):
    good = TileStore(ctx, tmp_path).ensure().tiles
    (path,) = tmp_path.glob("layers-*.sqlite")
    path.write_bytes(b"not a database")
    assert TileStore(ctx, tmp_path).ensure().tiles == good  # rebuilt, not an error
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"  # and written again
