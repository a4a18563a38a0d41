"""Map benchmark: build time and page weight of every registered map.

    .venv/bin/python bench/maps.py [--repeat 5]
    .venv/bin/python bench/maps.py --quick   (CI smoke run: one build each, 250 m coverage)
    .venv/bin/python bench/maps.py --no-serve   (builds and weights only)

Layers are built first (once, as the running service does at start-up), so the times are
the maps' own: folium object tree, geometry simplification / GCJ shift, and HTML rendering.
For each map it prints the median and worst of ``--repeat`` builds (target: < 1 s for the
Ganzhou maps), the served page (HTML only; the vendor files are cached by the browser), the
same gzip-compressed (what the API sends), the vendor files a first visit loads, and the
self-contained export (everything inlined; the file a planner e-mails). Limit: 2 MB a page.

The coverage map also needs the site store and a coverage run: the demo inventory is loaded
into a fresh store and the run made once (its time is printed, not counted, as the service
reuses a run until the sites change); each timed build of that map then includes assembling
its input (scorecard, gaps, demo sites: ``coverage_map_data``) as well as warping the raster
(the first build; later ones reuse the warped PNG, as the service does).

Then (full runs; ``--serve`` in a quick run) the first use as a planner meets it: the real
server (``uvicorn api.app:create_app``, one worker) started on a **fresh data dir** (layers,
tile pyramid, demo inventory, coverage runs; target: answering within 60 s), then restarted
on the same dir **with its caches** (target: 5 s), and right after that restart each map
page and the portal opened once in headless Chromium with the network cut (every request
off 127.0.0.1 aborted), timed to the ``load`` event and to the map drawn (target: 2 s a
page). Thumbnails, pages and the coverage input are prepared in the background after start
(``MapPages.start_background``); the page times say whether a first visitor waits for them.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT = 2 * 1024 * 1024
READY_CACHED_S, READY_FRESH_S, PAGE_S = 5.0, 60.0, 2.0  # the targets


def kb(n: int) -> str:
    """Bytes as KB with a thousands separator."""
    return f"{n / 1024:,.0f} KB"


def vendor_bytes(names: set[str]) -> int:
    """Bytes of the vendor files a page references (JS/CSS, not the CSS images)."""
    from maps.assets import NODE_MODULES, vendor_files

    return sum((NODE_MODULES / f.rel).stat().st_size for f in vendor_files() if f.rel in names)


@contextlib.contextmanager
def server(data_dir: Path, timeout: float = 300):
    """A real uvicorn server over ``data_dir``: yields (url, seconds until it answered)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (data_dir / "bench-server.log").open("ab")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"], cwd=ROOT,
        env={**os.environ, "ATLAS_DATA_DIR": str(data_dir)}, stdout=subprocess.DEVNULL,
        stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/conformance", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > timeout:
                    raise RuntimeError(f"server did not start, see {log.name}") from None
                time.sleep(0.05)
        yield url, time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        log.close()


# Chromium's own navigation timing (ms from the request): where a page's time goes
NAV_TIMING = """() => { const n = performance.getEntriesByType("navigation")[0];
    return [n.responseStart, n.responseEnd, n.domContentLoadedEventEnd]; }"""


def page_times(url: str, paths: list[str]) -> list[tuple[str, float, float, list[float]]]:
    """(path, s to the load event, s to the map drawn, [first byte, last byte, DOM content
    loaded] in s from Chromium's Performance API) of each page, first visit, offline.

    First byte is the server's share; DOM content loaded minus last byte is Chromium parsing
    the HTML and running its inline scripts (the layers are made there).
    """
    from maps.screenshot import browser, offline_page

    out = []
    with browser() as b:
        for path in paths:
            page = offline_page(b)
            t0 = time.perf_counter()
            page.goto(f"{url}{path}", wait_until="load", timeout=120_000)
            loaded = time.perf_counter() - t0
            if path.startswith("/maps/"):
                page.wait_for_selector(".leaflet-overlay-pane path, .leaflet-marker-icon",
                                       state="attached", timeout=120_000)
            drawn = time.perf_counter() - t0
            nav = [ms / 1000 for ms in page.evaluate(NAV_TIMING)]
            out.append((path, loaded, drawn, nav))
            page.context.close()
    return out


def serve_bench() -> None:
    """Server ready times (fresh data dir, then with caches) and cold page times."""
    from maps.registry import MAPS
    from maps.screenshot import chromium_path

    data_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-serve-"))
    paths = ["/", *(f"/maps/{name}" for name in MAPS)]
    with server(data_dir) as (url, fresh):
        print(f"\nserver ready on a fresh data dir: {fresh:.2f} s (target {READY_FRESH_S:g} s)")
        fresh_pages = page_times(url, paths) if chromium_path() else []
    with server(data_dir) as (url, cached):
        print(f"server ready with caches: {cached:.2f} s (target {READY_CACHED_S:g} s)")
        if chromium_path() is None:
            print("Chromium not installed: page times skipped")
            return
        pages = page_times(url, paths)
    fresh_of = {p: drawn for p, _, drawn, _ in fresh_pages}
    print(f"\nload average while measured: {os.getloadavg()[0]:.2f} (1 min)")
    print("\n| page (first visit, Chromium, network cut) | after restart with caches: load "
          "| map drawn | first byte | parse + scripts | after the fresh start: map drawn |")
    print("| --- | --- | --- | --- | --- | --- |")
    for path, loaded, drawn, (first, last, dcl) in pages:
        print(f"| `{path}` | {loaded:.2f} s | {drawn:.2f} s | {first:.2f} s | "
              f"{dcl - last:.2f} s | {fresh_of.get(path, 0):.2f} s |")
    worst = max(pages, key=lambda r: r[2])
    print(f"\nratio server ready fresh / {READY_FRESH_S:g} s: {fresh / READY_FRESH_S:.2f}; "
          f"with caches / {READY_CACHED_S:g} s: {cached / READY_CACHED_S:.2f}; slowest page "
          f"/ {PAGE_S:g} s: {worst[2] / PAGE_S:.2f} ({worst[0]})")


def main() -> None:
    """Time and weigh every map; print a Markdown table; then time the served first use."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): one build "
                             "per map, coverage run at 250 m")
    parser.add_argument("--serve", action=argparse.BooleanOptionalAction, default=None,
                        help="also time server start (fresh, cached) and cold pages in "
                             "Chromium (default: on, off with --quick)")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    import re

    from geo.catalog import BuildContext
    from geo.inventory.locate import CountyLocator
    from geo.inventory.synthetic import load_synthetic
    from geo.layers import LAYERS
    from geo.settings import AtlasSettings
    from geo.store import open_store
    from maps.assets import AssetMode
    from maps.base import MapOptions
    from maps.coverage_data import coverage_map_data, default_run
    from maps.registry import MAPS
    from maps.render import page

    settings = AtlasSettings(data_dir=Path(tempfile.mkdtemp(prefix="atlas-bench-")),
                             **({"coverage_resolution_m": 250} if args.quick else {}))
    ctx = BuildContext(settings)
    t0 = time.perf_counter()
    for name in LAYERS:
        ctx.result(name)
    print(f"layers built in {time.perf_counter() - t0:.2f} s (not counted below)")
    store = open_store(settings)
    n = load_synthetic(store, settings, CountyLocator.for_region(settings))
    t0 = time.perf_counter()
    default_run(settings, store, ctx, 2025)
    print(f"coverage run of {n:,} demo sites in {time.perf_counter() - t0:.2f} s "
          "(once; not counted below)\n")

    def coverage():
        return coverage_map_data(settings, store, ctx, 2025)

    print("| map | build + render, median (worst) | served HTML | gzip | + vendor JS/CSS "
          "| self-contained |")
    print("| --- | --- | --- | --- | --- | --- |")
    largest, slowest = (0, ""), (0.0, "")
    for name, spec in MAPS.items():
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            data = coverage() if spec.needs_coverage else None
            html = page(name, ctx, MapOptions(), AssetMode.served(), data)
            times.append(time.perf_counter() - t)
        served = len(html.encode())
        refs = set(re.findall(r'/static/vendor/([^"]+)"', html))
        inline = len(page(name, ctx, MapOptions(), AssetMode.inline(), data).encode())
        flag = "" if inline < LIMIT else " **over 2 MB**"
        print(f"| {name} ({spec.region}) | {statistics.median(times):.2f} s "
              f"({max(times):.2f} s) | {kb(served)} | {kb(len(gzip.compress(html.encode())))} "
              f"| {kb(vendor_bytes(refs))} | {kb(inline)}{flag} |", flush=True)
        largest = max(largest, (inline, name))
        if spec.region != "jiangxi":
            slowest = max(slowest, (statistics.median(times), name))
    print(f"\nratio largest page / 2 MB limit: {largest[0] / LIMIT:.2f} ({largest[1]}, "
          f"self-contained); slowest Ganzhou map / 1 s target: {slowest[0]:.2f} "
          f"({slowest[1]}, median build)", flush=True)
    if args.serve if args.serve is not None else not args.quick:
        serve_bench()


if __name__ == "__main__":
    main()
