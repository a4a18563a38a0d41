"""The synthetic demo inventory: loaded into an empty store so a first run shows something.

One function for the API start-up, the CLI and the maps, so they all seed the same way and
with the configured ``inventory_region``. The demo never mixes with real data: operators'
listings leave it out, and aggregates switch to real sites as soon as any exist
(``geo.inventory.basis``); ``ganzhou-atlas demo clear`` removes it, ``demo load`` brings
it back.
"""

from __future__ import annotations

from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store.base import SiteStore


def seed_demo_if_empty(store: SiteStore, settings: AtlasSettings,
                       locator: CountyLocator | None = None) -> int:
    """Load the seeded synthetic sites when the settings ask for it and the store is empty."""
    from geo.inventory.synthetic import load_synthetic

    if not settings.demo_inventory or store.count() > 0:
        return 0
    locator = locator or CountyLocator.for_region(settings, settings.inventory_region)
    return load_synthetic(store, settings, locator)


def load_demo(store: SiteStore, settings: AtlasSettings) -> int:
    """Store the seeded demo inventory (again), whatever else the store holds."""
    from geo.inventory.synthetic import load_synthetic

    locator = CountyLocator.for_region(settings, settings.inventory_region)
    return load_synthetic(store, settings, locator)


def clear_demo(store: SiteStore, actor: str = "cli") -> int:
    """Delete every synthetic demo site; real sites are untouched."""
    return store.delete_synthetic(actor)
