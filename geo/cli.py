"""The ``ganzhou-atlas`` command line: list, build and export layers; check shipped data.

Commands parse arguments, call the library and print; they hold no logic of their own. Any
``AtlasError`` (unknown layer, unknown format, failed check) exits with code 2 and one line
on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from geo.catalog import BuildContext, get_layer
from geo.errors import AtlasError
from geo.export import FORMATS, check_format, write, write_gpkg_layer
from geo.settings import AtlasSettings

app = typer.Typer(
    help="赣州数字经济空间图谱 — Ganzhou digital-economy atlas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
layers_app = typer.Typer(help="List and export layers.", no_args_is_help=True)
data_app = typer.Typer(help="Check the shipped data.", no_args_is_help=True)
app.add_typer(layers_app, name="layers")
app.add_typer(data_app, name="data")
out = Console()


def _fail(exc: AtlasError) -> None:
    sys.stderr.write(f"error: {exc.detail}\n")
    raise typer.Exit(2)


@layers_app.command("list")
def layers_list() -> None:
    """List every registered layer with its title, geometry and row count."""
    from geo.layers import LAYERS

    ctx = BuildContext(AtlasSettings())
    table = Table("name", "title", "geometry", "rows", "with geometry")
    for name, layer in LAYERS.items():
        gdf = ctx.result(name).gdf
        geom = "/".join(sorted(layer.schema.geometry_types))
        table.add_row(name, layer.title, geom, str(len(gdf)), str(int(gdf.geometry.notna().sum())))
    out.print(table)


@layers_app.command("export")
def layers_export(
    name: Annotated[str, typer.Argument(help="Layer name (see `layers list`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="|".join(FORMATS))] = "geojson",
    path: Annotated[Path | None, typer.Option("--out", "-o", help="Output file.")] = None,
) -> None:
    """Export one layer to GeoJSON (RFC 7946), GeoPackage, CSV or FlatGeobuf."""
    try:
        fmt = check_format(fmt)
        layer = get_layer(name)
        target = path or Path(f"{layer.name}{FORMATS[fmt]}")
        result = BuildContext(AtlasSettings()).result(name)
        write(result, fmt, target)
    except AtlasError as exc:
        _fail(exc)
    out.print(f"wrote {len(result.gdf)} features of {name} to {target}")


@app.command("build")
def build(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Default: ATLAS_OUT_DIR.")] = None,
) -> None:
    """Build every layer: one GeoJSON per layer plus one GeoPackage with all of them."""
    from geo.layers import LAYERS

    settings = AtlasSettings()
    target = out_dir or settings.out_dir
    ctx = BuildContext(settings)
    gpkg = target / "ganzhou_atlas.gpkg"
    gpkg.unlink(missing_ok=True)
    try:
        with Progress(console=out) as progress:
            task = progress.add_task("building layers", total=len(LAYERS))
            for name in LAYERS:
                result = ctx.result(name)
                write(result, "geojson", target / f"{name}.geojson")
                write_gpkg_layer(result, gpkg)
                progress.update(task, advance=1, description=f"built {name}")
    except AtlasError as exc:
        _fail(exc)
    out.print(f"wrote {len(LAYERS)} layers to {target}/ (GeoJSON each, all in {gpkg.name})")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Default: ATLAS_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default: ATLAS_PORT (8000).")] = None,
) -> None:
    """Serve every layer as OGC API - Features (and tiles, downloads) with uvicorn."""
    import uvicorn

    from api.app import create_app  # the one place geo/ reaches into the web layer

    settings = AtlasSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level="info")


@data_app.command("check")
def data_check() -> None:
    """Verify boundary checksums and invariants, plan citations and every layer's schema."""
    from geo.checks import run_all

    problems = run_all(AtlasSettings())
    for problem in problems:
        sys.stderr.write(f"FAIL {problem}\n")
    if problems:
        sys.stderr.write(f"error: {len(problems)} data check(s) failed\n")
        raise typer.Exit(2)
    out.print("data check passed: boundaries, citations and layer schemas")


@app.callback()
def _root() -> None:
    """赣州数字经济空间图谱 — Ganzhou digital-economy atlas."""


if __name__ == "__main__":
    app()
