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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
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
keys_app = typer.Typer(help="Manage API keys (stored hashed).", no_args_is_help=True)
sites_app = typer.Typer(help="Operator base-station inventories.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(sites_app, name="sites")
demo_app = typer.Typer(help="The synthetic demo inventory (ATLAS_DEMO_INVENTORY loads it into "
                       "an empty store).", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
db_app = typer.Typer(help="The store's schema (SQLite, or PostGIS with ATLAS_DATABASE_URL).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("status")
def db_status() -> None:
    """Show which store is configured and its schema version against the code's."""
    from geo.store import schema_status

    try:
        backend, where, found, latest = schema_status(AtlasSettings())
    except AtlasError as exc:
        _fail(exc)
    state = "up to date" if found == latest else (
        "empty" if found == 0 else "older: run `ganzhou-atlas db upgrade`" if found < latest
        else "newer than this code: upgrade ganzhou-atlas")
    out.print(f"{backend} {where}: schema {found} of {latest} ({state})")
    if 0 < found < latest or found > latest:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the missing numbered migrations (safe to run from several hosts at once)."""
    from geo.store import upgrade_store

    try:
        before, after = upgrade_store(AtlasSettings())
    except AtlasError as exc:
        _fail(exc)
    out.print(f"schema {before} -> {after}" if before != after else f"schema {after}: nothing "
              "to do")


@demo_app.command("clear")
def demo_clear() -> None:
    """Delete every synthetic demo site (real operators' sites are untouched)."""
    from geo.inventory.demo import clear_demo
    from geo.store import open_store

    n = clear_demo(open_store(AtlasSettings()))
    out.print(f"deleted {n:,} synthetic demo sites")


@demo_app.command("load")
def demo_load() -> None:
    """Store the seeded synthetic demo inventory (flagged synthetic everywhere)."""
    from geo.inventory.demo import load_demo
    from geo.store import open_store

    settings = AtlasSettings()
    n = load_demo(open_store(settings), settings)
    out.print(f"stored {n:,} synthetic demo sites")
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
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes (uvicorn's own supervisor; deploy/README.md)."
    )] = 1,
    access_log: Annotated[bool, typer.Option(
        help="Log every request (behind nginx its own access log has them already).")] = True,
) -> None:
    """Serve every layer as OGC API - Features (and tiles, downloads) with uvicorn.

    With ``--workers N`` uvicorn forks N processes that share the port; each builds its own
    app from the ATLAS_* environment (``api.app:create_app`` as a factory), and what they
    share lives in the data dir under inter-process locks (geo.cache_lock).
    """
    import uvicorn

    from geo.coverage.inputs import check_townships_file

    settings = AtlasSettings()
    try:  # a misconfigured file stops the server here, not at every coverage request
        check_townships_file(settings)
    except AtlasError as exc:
        _fail(exc)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if workers == 1:
        from api.app import create_app  # the one place geo/ reaches into the web layer

        uvicorn.run(create_app(settings), host=host or settings.host,
                    port=port or settings.port, log_level="info", access_log=access_log)
        return
    # each worker process imports the factory and reads the same environment. The
    # supervisor kills a worker that does not answer its ping in time; a worker loading
    # layers and tiles on a busy machine can hold the GIL for longer than uvicorn's 5 s.
    uvicorn.run("api.app:create_app", factory=True, workers=workers,
                host=host or settings.host, port=port or settings.port, log_level="info",
                access_log=access_log, timeout_worker_healthcheck=60)


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


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin | planner | operator")],
    operator: Annotated[str | None, typer.Option(help="Operator name, e.g. 中国移动")] = None,
    label: Annotated[str | None, typer.Option(
        help="A note on who holds the key (at most 200 characters)")] = None,
) -> None:
    """Create a key; the secret is printed alone on the last line, and shown only once."""
    from geo.access import ROLES
    from geo.errors import InvalidParameterError
    from geo.inventory.ingest import check_operator
    from geo.store import open_store

    try:
        if role not in ROLES:
            raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}", "role")
        if (role == "operator") != (operator is not None):
            raise InvalidParameterError("--operator is required for, and only for, operator "
                                        "keys", "operator")
        if operator is not None:
            check_operator(operator)
        if label is not None and (len(label) > 200 or not label.isprintable()):
            raise InvalidParameterError("--label: at most 200 printable characters", "label")
        key, secret = open_store(AtlasSettings()).create_key(role, operator, label)
    except AtlasError as exc:
        _fail(exc)
    out.print(f"created key {key.id} (role {key.role}{', ' + operator if operator else ''})")
    sys.stdout.write(secret + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (ids, roles, operators; never secrets)."""
    from geo.store import open_store

    table = Table("id", "role", "operator", "label", "created", "revoked")
    for k in open_store(AtlasSettings()).list_keys():
        table.add_row(k.id, k.role, k.operator or "", k.label or "", k.created_at,
                      k.revoked_at or "")
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Key id from `keys list`")]) -> None:
    """Revoke a key at once."""
    from geo.errors import KeyNotFoundError
    from geo.store import open_store

    if not open_store(AtlasSettings()).revoke_key(key_id):
        _fail(KeyNotFoundError(f"no active key {key_id!r}"))
    out.print(f"revoked {key_id}")


@sites_app.command("import")
def sites_import(
    path: Annotated[Path, typer.Argument(help="CSV, XLSX or GeoJSON inventory", exists=True,
                                         dir_okay=False)],
    operator: Annotated[str, typer.Option(help="Operator name, e.g. 中国移动")],
    coord_sys: Annotated[str, typer.Option(help="wgs84 | gcj02 | bd09")] = "wgs84",
    mode: Annotated[str, typer.Option(
        help="all (reject on any bad row) | partial (store the good rows) | replace (like "
             "all, and retire the operator's stored sites the file lacks)")] = "all",
) -> None:
    """Import an inventory file into the store (same rules as the HTTP upload).

    On a terminal a file of over ``PROGRESS_MIN_BYTES`` shows progress bars (validated and
    stored rows); piped or redirected output stays quiet apart from the summary line.
    """
    from geo.inventory.ingest import import_inventory
    from geo.inventory.locate import CountyLocator
    from geo.inventory.sandbox import ReadLimits
    from geo.store import open_store
    from geo.store.base import BatchInfo

    settings = AtlasSettings()
    info = BatchInfo(operator=operator, actor="cli", source="cli", filename=path.name,
                     coord_sys=coord_sys, mode=mode)
    data = path.read_bytes()

    def run(progress=None):
        return import_inventory(open_store(settings), data, info,
                                CountyLocator.for_region(settings, settings.inventory_region),
                                settings.max_cli_rows, settings.inventory_region,
                                ReadLimits.from_settings(settings, settings.max_cli_rows),
                                progress)

    try:
        if out.is_terminal and len(data) >= PROGRESS_MIN_BYTES:
            report = _with_progress_bars(path.name, run)
        else:
            with out.status(f"importing {path.name} ..."):
                report = run()
    except AtlasError as exc:
        for e in exc.extensions.get("errors", [])[:20]:
            sys.stderr.write(f"row {e['row']} {e['column']}={e['value']!r}: {e['reason']}\n")
        _fail(exc)
    d = report.as_dict()
    out.print(f"batch {d['batch_id']}: read {d['rows_read']}, stored {d['stored']} "
              f"(new {d['inserted']}, changed {d['updated']}), unchanged {d['unchanged']}, "
              f"rejected {d['rejected']}"
              + (f", retired {d['retired_total']}" if "retired" in d else ""))
    if d.get("retired"):
        shown = ", ".join(d["retired"][:20])
        more = d["retired_total"] - min(20, len(d["retired"]))
        out.print(f"retired (no longer in the file): {shown}" + (f" … +{more}" if more else ""),
                  markup=False, highlight=False)


PROGRESS_MIN_BYTES = 1 << 20  # ~15,000 CSV rows: smaller files finish before a bar helps


def _with_progress_bars(name: str, run):
    """Run ``run(progress)`` under two rich bars: rows validated, rows stored."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as bars:
        tasks = {"validating": bars.add_task(f"校验 validating {name}", total=None),
                 "storing": bars.add_task("写入 storing", total=None, start=False)}

        def progress(phase: str, done: int, total: int) -> None:
            task = tasks[phase]
            if phase == "storing":
                bars.start_task(task)
            bars.update(task, completed=done, total=total)

        return run(progress)


@sites_app.command("template")
def sites_template(
    fmt: Annotated[str, typer.Option("--format", help="xlsx (drop-downs and a 说明 rules "
                                                      "sheet) | csv")] = "xlsx",
    out_path: Annotated[Path | None, typer.Option(
        "--out", help="File to write. Default: base_stations_template.<format> here.")] = None,
) -> None:
    """Write the blank inventory template the importer accepts (= GET
    /imports/base-stations/template.xlsx): fill it in, then `sites import` it."""
    from geo.errors import InvalidParameterError
    from geo.inventory.template import TEMPLATE_FORMATS, template_bytes

    if fmt not in TEMPLATE_FORMATS:
        _fail(InvalidParameterError(f"--format 须为 xlsx 或 csv (unknown format {fmt!r}; one "
                                    "of xlsx, csv)", "format"))
    target = out_path or Path(f"base_stations_template.{fmt}")
    target.write_bytes(template_bytes(fmt))
    out.print(f"wrote {target}", soft_wrap=True)


coverage_app = typer.Typer(help="5G coverage analysis (planning approximation).",
                           no_args_is_help=True)
app.add_typer(coverage_app, name="coverage")


def _register_maps() -> None:
    """Add the ``maps`` commands (they live with the map builders, which import folium).

    Called when the CLI runs, not when ``geo.cli`` is imported: the library never imports
    the map layer.
    """
    from maps.cli import maps_app

    app.add_typer(maps_app, name="maps")


def main() -> None:
    """Entry point of ``ganzhou-atlas``: every command, the maps ones included."""
    _register_maps()
    app()


@coverage_app.command("run")
def coverage_run(
    resolution: Annotated[float, typer.Option(help="Cell size in metres")] = 100.0,
    scenario: Annotated[int, typer.Option(help="Target year: 2023 or 2025")] = 2025,
    townships: Annotated[Path | None, typer.Option(
        help="CSV name,lon,lat of townships (makes 乡镇全覆盖 assessable)")] = None,
) -> None:
    """Rasterise coverage of the stored sites, score every county, write the COG and gaps."""
    from geo.catalog import BuildContext
    from geo.coverage.inputs import run_for
    from geo.errors import InvalidParameterError
    from geo.store import open_store

    settings = AtlasSettings()
    if townships is not None:
        settings = settings.model_copy(update={"townships_file": townships})
    from geo.coverage.targets import TARGET_YEARS

    if scenario not in TARGET_YEARS:
        _fail(InvalidParameterError("scenario must be 2023 or 2025", "scenario"))
    ctx = BuildContext(settings)
    steps = ["sites", "raster", "statistics", "gaps"]
    with Progress(console=out) as progress:
        task = progress.add_task("coverage", total=len(steps) + 1)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"coverage: {name}")

        try:  # a bad --townships file is refused (400) before anything is computed
            run = run_for(ctx, open_store(settings), scenario, resolution, step)
        except AtlasError as exc:
            _fail(exc)
        progress.update(task, completed=len(steps) + 1, description="coverage: done")
    table = Table("county", "covered %", "main urban %", "gap km2", "township")
    for c in run.stats["counties"]:
        table.add_row(c["name"], str(c["covered_area_pct"]), str(c["main_urban_coverage_pct"]),
                      str(c["gap_area_km2"]), str(c["township_coverage_pct"]))
    out.print(table)
    out.print(f"{run.stats['sites_used']} of {run.stats['sites_total']} sites counted; "
              f"{run.stats['model_text']}; files in {run.folder}")


@coverage_app.command("recommend")
def coverage_recommend(
    county: Annotated[list[str] | None, typer.Option(
        help="County adcode (repeat for several). Default: all 18 counties")] = None,
    sites: Annotated[int | None, typer.Option(help="The next N sites (1-100,000)")] = None,
    to_target: Annotated[int | None, typer.Option(
        help="As many sites as each county lacks for its 5G target of 2023 or 2025")] = None,
    to_full_coverage: Annotated[bool, typer.Option(
        help="Until each county's required zone is covered")] = False,
    operator: Annotated[str | None, typer.Option(
        help="Plan against this operator's own sites (中国移动 ...); default: all sites")] = None,
    scenario: Annotated[int, typer.Option(help="Coverage scenario: 2023 or 2025")] = 2025,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Write the sites to FILE.geojson|.csv|.xlsx|.kml")] = None,
) -> None:
    """Recommend where new sites close each county's coverage gap (a model recommendation)."""
    from rich.progress import TaskID

    from geo.coverage.inputs import coverage_inputs, run_for
    from geo.coverage.recommend.export import write_file
    from geo.coverage.recommend.plan import Mode, recommend
    from geo.coverage.recommend.scope import bases, quotas
    from geo.coverage.targets import TARGET_YEARS
    from geo.errors import InvalidParameterError
    from geo.store import open_store

    settings = AtlasSettings()
    chosen = [name for name, v in (("--sites", sites), ("--to-target", to_target),
                                   ("--to-full-coverage", to_full_coverage or None))
              if v is not None]
    try:
        if len(chosen) != 1:
            raise InvalidParameterError("须且只能给出 --sites N、--to-target 年份、"
                                        "--to-full-coverage 之一 (give exactly one)", "mode")
        if scenario not in TARGET_YEARS:
            raise InvalidParameterError("scenario must be 2023 or 2025", "scenario")
        ctx = BuildContext(settings)
        store = open_store(settings)
        used, counted = bases(store, operator)
        if sites is not None:
            mode = Mode("sites", sites=sites)
        elif to_target is not None:
            mode = Mode("to_target", quotas=quotas(ctx, store, to_target, counted),
                        year=to_target)
        else:
            mode = Mode("to_full_coverage")
        with out.status("coverage run ..."):
            run = run_for(ctx, store, scenario, basis=used)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=out, transient=True) as bars:
            tasks: dict[str, TaskID] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bars.add_task({"scoring": "评分 scoring",
                                                  "placing": "选址 placing sites",
                                                  "certificate": "最优性证书 certificates"
                                                  }[phase], total=total or None)
                bars.update(tasks[phase], completed=done, total=total or None)

            inputs = coverage_inputs(ctx)
            rec = recommend(settings, run, inputs.tiers, settings.coverage_model, mode,
                            inputs.townships, county or None, config=settings.recommend,
                            progress=progress)
        if out_file is not None:
            write_file(rec, out_file)
    except AtlasError as exc:
        _fail(exc)
    table = Table("区县 county", "建议站数 sites", "现状% before", "建议后% after",
                  "贪心/上界% greedy/bound", "停止原因 stop")
    for r in rec.counties.itertuples():
        table.add_row(r.county, str(r.sites_recommended), f"{r.coverage_before_pct:g}",
                      f"{r.coverage_after_pct:g}",
                      "-" if r.greedy_within_pct is None or r.greedy_within_pct != \
                      r.greedy_within_pct else f"{r.greedy_within_pct:g}", r.stop_reason)
    out.print(table)
    out.print(f"{len(rec.sites)} sites recommended (模型建议, {rec.about['weights_text']}); "
              f"coverage basis {used}" + (f"; wrote {out_file}" if out_file else ""))


export_app = typer.Typer(help="Export the atlas for desktop GIS.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("qgis-project")
def export_qgis_project(
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Folder to write into. Default: ATLAS_OUT_DIR/qgis.")] = None,
    service_url: Annotated[str | None, typer.Option(
        help="Service the project's live layers read from. Default: ATLAS_PUBLIC_URL, "
             "else http://ATLAS_HOST:ATLAS_PORT.")] = None,
) -> None:
    """Write atlas.qgz, atlas.gpkg, layer metadata, connection files and a README."""
    from geo.layers import LAYERS
    from geo.qgis.bundle import write_bundle

    settings = AtlasSettings()
    target = out_dir or settings.out_dir / "qgis"
    url = (service_url or settings.public_url or f"http://{settings.host}:{settings.port}")
    ctx = BuildContext(settings)
    try:
        with out.status("building the QGIS project ..."):
            written = write_bundle([ctx.result(name) for name in LAYERS], target,
                                   url.rstrip("/"))
    except AtlasError as exc:
        _fail(exc)
    out.print(f"wrote {len(written)} files to {target}/ (open {target / 'atlas.qgz'} in QGIS; "
              f"live layers read {url.rstrip('/')})")


@app.callback()
def _root() -> None:
    """赣州数字经济空间图谱 — Ganzhou digital-economy atlas."""


if __name__ == "__main__":
    main()
