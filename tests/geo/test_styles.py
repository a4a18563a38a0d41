"""The shared colour scheme covers every category the layers actually hold."""

from geo.layers import LAYERS
from geo.styles import OTHER, STYLES


def test_every_category_value_of_every_styled_layer_has_its_own_colour(ctx):
    """A value missing from a category table is drawn in the fallback grey and its legend
    entry is indistinguishable from the next missing one (重大平台 / 数据交易平台 once were)."""
    for name, style in STYLES.items():
        if style.attribute is None or name not in LAYERS:
            continue
        gdf = ctx.result(name).gdf
        if style.attribute not in gdf.columns:
            continue
        values = {str(v) for v in gdf[style.attribute].dropna().unique()}
        missing = {v for v in values if style.colour_for(v) == OTHER}
        assert not missing, f"{name}.{style.attribute}: no colour for {sorted(missing)}"
        colours = [style.categories[v] for v in values]
        assert len(set(colours)) == len(colours), f"{name}: two categories share a colour"
