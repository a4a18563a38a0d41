"""``ganzhou-atlas maps ...``: list the maps and export them as files a planner can open offline.

A Typer sub-app registered by ``geo/cli.py`` (``app.add_typer(maps_app, name="maps")``). Like
the rest of the CLI it parses, calls the library and prints; an ``AtlasError`` (unknown map or
basemap, missing browser libraries or Chromium) exits with code 2 and one line on stderr.
Folium and the builders are imported inside the commands, so ``ganzhou-atlas --help`` stays
fast. The 5G coverage-gap map is built from the site store (``geo.store.open_store``) and the
coverage run of ``--scenario`` (computed on first use, then reused); an empty store is seeded
with the synthetic demo inventory first, as the service does at start-up
(``ATLAS_DEMO_INVENTORY``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from geo.errors import AtlasError

maps_app = typer.Typer(help="交互地图：列出与导出 (interactive maps).", no_args_is_help=True)
out = Console()


def _fail(exc: AtlasError) -> None:
    sys.stderr.write(f"error: {exc.detail}\n")
    raise typer.Exit(2)


@maps_app.command("list")
def maps_list() -> None:
    """List the registered maps."""
    from maps.registry import MAPS

    table = Table("name", "title", "region")
    for spec in MAPS.values():
        table.add_row(spec.name, spec.title, spec.region)
    out.print(table)


def _coverage(settings, ctx, scenario: int):
    """The coverage map's data from the configured store (seeded when empty, like the API)."""
    from geo.inventory.demo import seed_demo_if_empty
    from geo.store import open_store
    from maps.coverage_data import coverage_map_data

    store = open_store(settings)
    n = seed_demo_if_empty(store, settings)
    if n:
        out.print(f"site store was empty: loaded the synthetic demo inventory ({n:,} sites)")
    return coverage_map_data(settings, store, ctx, scenario)


@maps_app.command("build")
def maps_build(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    self_contained: Annotated[bool, typer.Option(
        "--self-contained", help="Inline Leaflet and plugins: one HTML file per map.")] = False,
    basemap: Annotated[str, typer.Option(
        help="none (offline) | osm | tianditu | gaode")] = "none",
    png: Annotated[bool, typer.Option("--png", help="Also a PNG per map (Chromium).")] = False,
    names: Annotated[list[str] | None, typer.Option(
        "--map", help="Only this map (repeatable); default: all.")] = None,
    scenario: Annotated[int, typer.Option(
        help="Target year of the coverage map: 2023 or 2025.")] = 2025,
) -> None:
    """Export every map as HTML (+ vendor folder, or self-contained) and optionally PNG."""
    from geo.catalog import BuildContext
    from geo.settings import AtlasSettings
    from maps.base import MapInputs, MapOptions
    from maps.coverage_data import check_scenario
    from maps.registry import MAPS, get_map
    from maps.render import export

    try:
        settings = AtlasSettings()
        ctx = BuildContext(settings)
        for name in names or []:
            get_map(name)
        MapInputs.of(ctx, MapOptions(basemap=basemap))  # 天地图 without a key fails here
        coverage = None
        if any(MAPS[n].needs_coverage for n in names or MAPS):
            coverage = _coverage(settings, ctx, check_scenario(scenario))
        written = export(ctx, out_dir, basemap=basemap, self_contained=self_contained,
                         png=png, names=names, coverage=coverage)
    except AtlasError as exc:
        _fail(exc)
    for e in written:
        extra = f" + {e.png.name}" if e.png else ""
        out.print(f"wrote {e.html.name} ({e.bytes / 1024:,.0f} KB){extra}")
    kind = "self-contained" if self_contained else "with vendor/"
    out.print(f"{len(written)} maps in {out_dir}/ ({kind}); open index.html")
