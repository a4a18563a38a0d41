"""Reads with N service workers against one: throughput of tiles, items and paging, one run.

    .venv/bin/python bench/workers.py [--workers 4] [--seconds 8] [--connections 64]
    .venv/bin/python bench/workers.py --quick    (CI smoke run: 2 workers, 1 s per path)

Starts ``ganzhou-atlas serve --workers 1`` and then ``--workers N`` (uvicorn's supervisor,
the same data dir, so the second start reads the tile pyramid the first one built), keeps
both up and drives them in turn (best of ``--rounds`` alternated runs) with the same load:
a cached vector tile, a public plan-layer page (``jiangxi_counties?limit=100``), paging
(``counties?limit=10&offset=0..90`` cycled by a Lua script) and a bbox page of the
store-backed ``base_stations`` with a planner key (the demo's 6,122 sites; never
page-cached: it reads the store each time). ``wrk -t1`` when installed, else an
asyncio/httpx loop (``bench/tiles.py``). The baseline is the one-worker server of the same
run; the ratio N/1 is what the target is stated in: >= 1.7x for cached tiles on the
2-core machine (issue 16). wrk shares those two cores with the servers, so the ceiling of
the ratio here is below 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ceiling import HOST, free_port, paging_script, wait_up, wrk
from tiles import drive_python

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench" / "workers"
PATHS = {
    "tile": "/tiles/counties/8/209/108.mvt",
    "items": "/collections/jiangxi_counties/items?limit=100",
    "paging": "/collections/counties/items?limit=10&offset=0",
    "sites": "/collections/base_stations/items?limit=100&bbox=114.8,25.7,115.1,26.0",
}
TARGET_TILE = 1.7
STARTED = b"Application startup complete."


def serve(workers: int, data_dir: Path, log: Path) -> tuple[subprocess.Popen, int]:
    """``ganzhou-atlas serve --workers N`` on a free port, once every worker has started."""
    port = free_port()
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir)}
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geo.cli", "serve", "--workers", str(workers), "--host",
             HOST, "--port", str(port), "--no-access-log"], cwd=ROOT, env=env, stdout=sink,
            stderr=subprocess.STDOUT)
    wait_up(f"http://{HOST}:{port}/conformance", proc, seconds=300)
    deadline = time.monotonic() + 300
    while log.read_bytes().count(STARTED) < workers:  # the socket answers with the first
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{workers} workers did not start: {log.read_text()[-800:]}")
        time.sleep(0.2)
    return proc, port


def planner_script(folder: Path, data_dir: Path) -> Path:
    """A wrk Lua script sending a planner key (the site layer is not public)."""
    from geo.settings import AtlasSettings
    from geo.store.sqlite import SqliteSiteStore

    settings = AtlasSettings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = SqliteSiteStore(settings.store_path).create_key("planner", None, "bench")[1]
    path = folder / "planner.lua"
    path.write_text(f'wrk.headers["Authorization"] = "Bearer {secret}"\n')
    return path


def worker_rss_mb(pid: int) -> list[float]:
    """Resident memory of the server's processes that serve (the workers, or the one)."""
    def rss(p: int) -> float:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    try:
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
        workers = [c for c in children
                   if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()
                   and b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
        return [rss(p) for p in workers or [pid]]
    except OSError:  # not Linux
        return []


def settle(port: int, planner: Path) -> None:
    """Wait for the start-up's coverage runs (a fresh data dir computes them first)."""
    key = planner.read_text().split('"Bearer ')[1].split('"')[0]
    for scenario in (2023, 2025):  # answers once a run of the stored sites exists
        request = urllib.request.Request(f"http://{HOST}:{port}/coverage/run?scenario="
                                         f"{scenario}", headers={"Authorization": f"Bearer {key}"})
        urllib.request.urlopen(request, timeout=600).close()


def drive(port: int, label: str, seconds: int, connections: int,
          scripts: dict[str, Path]) -> dict:
    """One load run of ``label``'s path (wrk, else httpx - without the key or the cycling)."""
    url = f"http://{HOST}:{port}{PATHS[label]}"
    if shutil.which("wrk"):
        return wrk(url, seconds, connections, scripts.get(label))
    return drive_python(url, seconds, connections)


def measure(workers: int, data_dir: Path, seconds: int, connections: int, rounds: int,
            tmp: Path) -> tuple[dict, dict]:
    """Best run of each path on a 1-worker and an N-worker server, alternated.

    Both servers stay up (the idle one costs nothing once started) and the runs alternate
    1, N, 1, N ...: on a shared machine the load changes between minutes, and a baseline
    measured at another moment than its comparison would mostly measure that change.
    """
    scripts = {"paging": paging_script(tmp), "sites": planner_script(tmp, data_dir)}
    servers = []
    try:
        for n in (1, workers):  # one after the other: the first builds, the second reads
            proc, port = serve(n, data_dir, tmp / f"serve-{n}.log")
            servers.append((proc, port))
            settle(port, scripts["sites"])
        for _, port in servers:  # warm-up: every worker loads its tiles, caches its pages
            for label in PATHS:
                drive(port, label, 2, connections, scripts)
        best: list[dict] = [{}, {}]
        for _ in range(rounds):
            for label in PATHS:
                for i, (_, port) in enumerate(servers):
                    run = drive(port, label, seconds, connections, scripts)
                    if label not in best[i] or run["rps"] > best[i][label]["rps"]:
                        best[i][label] = run
        for i, (proc, _) in enumerate(servers):
            best[i]["rss_mb"] = worker_rss_mb(proc.pid)
        return best[0], best[1]
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=180)


def _ratio(many: dict, one: dict) -> float:
    return many["rps"] / one["rps"] if one["rps"] else float("nan")


def main() -> int:
    """Run one worker, then N, and print the table and the tile ratio line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternated runs per path and server; the best one counts")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 workers, 1 s per path, 16 connections")
    args = parser.parse_args()
    workers = 2 if args.quick else args.workers
    seconds = 1 if args.quick else max(1, min(args.seconds, 30))
    connections = 16 if args.quick else args.connections
    rounds = 1 if args.quick else max(1, args.rounds)
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    data_dir = WORK / "data"  # kept: the pyramid and coverage runs of earlier runs are reused
    try:
        base, many = measure(workers, data_dir, seconds, connections, rounds, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    driver = "wrk -t1" if shutil.which("wrk") else "python asyncio/httpx"
    print(f"{driver} -c{connections} -d{seconds}s on {os.cpu_count()} cores; "
          f"{workers} workers vs 1, same data dir; best of {rounds} alternated runs")
    print(f"{'path':7} {'1 worker':>9} {'p99 ms':>7} {f'{workers} workers':>10} {'p99 ms':>7} "
          f"{'ratio':>6}")
    for label in PATHS:
        one, n = base[label], many[label]
        bad = one.get("non2xx", 0) + n.get("non2xx", 0)
        print(f"{label:7} {one['rps']:9.0f} {one['p99']:7.1f} {n['rps']:10.0f} "
              f"{n['p99']:7.1f} {_ratio(n, one):6.2f}"
              + (f" ({bad} non-2xx)" if bad else ""))
    for label, runs in (("1 worker", base), (f"{workers} workers", many)):
        sizes = runs["rss_mb"]
        if sizes:
            print(f"resident memory, {label}: {' + '.join(f'{m:,.0f}' for m in sizes)} MB")
    ratio = _ratio(many["tile"], base["tile"])
    flag = "ok" if ratio >= TARGET_TILE else "BELOW"
    print(f"ratio tile {workers} workers / 1 worker: {ratio:.2f}x "
          f"(target >= {TARGET_TILE}x) {flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
