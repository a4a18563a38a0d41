"""The catalog: every published collection, in the order the collections list shows them.

Built once by the service at start-up from the build context (plan layers), the site store
and the coverage holder; routers look collections up here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator

from geo.access import Principal
from geo.catalog import BuildContext
from geo.collections.base import Collection, visible
from geo.collections.layers import LayerCollection
from geo.collections.live import (
    DATA_BASIS,
    GAPS_SCHEMA,
    SCENARIO,
    SCORECARD_SCHEMA,
    TOTALS_SCHEMA,
    GapsCollection,
    ScorecardCollection,
    TotalsCollection,
)
from geo.collections.sites import SitesCollection
from geo.coverage.holder import CoverageHolder
from geo.errors import LayerNotFoundError
from geo.features import FeatureIndex
from geo.store.base import SiteStore


class Catalog:
    """Collections by id."""

    def __init__(self, collections: list[Collection]) -> None:
        self._by_id = {c.id: c for c in collections}

    def __iter__(self) -> Iterator[Collection]:
        return iter(self._by_id.values())

    def __contains__(self, cid: object) -> bool:
        return cid in self._by_id

    def get(self, cid: str) -> Collection:
        """The collection ``cid`` or a 404 naming the known ones."""
        try:
            return self._by_id[cid]
        except KeyError:
            raise LayerNotFoundError(
                f"unknown collection {cid!r}; known: {', '.join(self._by_id)}", layer=cid
            ) from None

    def layer(self, cid: str) -> LayerCollection:
        """The plan layer ``cid`` (404 for unknown ids and store-backed collections)."""
        collection = self.get(cid)
        if not isinstance(collection, LayerCollection):
            raise LayerNotFoundError(f"{cid!r} is not a plan layer", layer=cid)
        return collection

    def visible(self, principal: Principal | None) -> list[Collection]:
        """What the caller may read (an anonymous caller does not see base_stations)."""
        return [c for c in self if visible(c, principal)]


def build_catalog(ctx: BuildContext, store: SiteStore, coverage: CoverageHolder) -> Catalog:
    """Every plan layer (built now) and the store-backed collections."""
    from geo.boundaries import ganzhou_counties
    from geo.layers import LAYERS

    layers: list[Collection] = [LayerCollection(FeatureIndex.of_layer(ctx.result(name)))
                                for name in LAYERS]
    counties = ganzhou_counties(ctx.settings)
    seats = {a: (float(x), float(y)) for a, x, y in zip(
        counties["adcode"], counties["seat_lon"], counties["seat_lat"], strict=True)}
    live: list[Collection] = [
        SitesCollection(store, seats, ctx.settings.coverage_model),
        TotalsCollection(
            "base_station_totals", "5G基站区县汇总",
            "Public county-level totals of stored base stations by status and type (no "
            "operator breakdown). Real sites only once any exist (data_basis).", TOTALS_SCHEMA,
            parameters=(DATA_BASIS,), store=store, ctx=ctx),
        ScorecardCollection(
            "county_scorecard", "区县5G目标与覆盖评估",
            "Per county: allocated/overridden targets, sites, % of target, covered area, gaps "
            "(planning approximation).", SCORECARD_SCHEMA, parameters=(SCENARIO, DATA_BASIS),
            store=store, ctx=ctx, coverage=coverage),
        GapsCollection(
            "coverage_gaps", "5G覆盖缺口",
            "Uncovered parts of the required zones (main urban areas; whole county for the "
            "全深度覆盖 tier). API key only: fine gap outlines would locate real sites; an "
            "operator key sees the gaps of its own sites.",
            GAPS_SCHEMA, access="key", parameters=(SCENARIO, DATA_BASIS),
            coverage=coverage),
    ]
    return Catalog(layers + live)
