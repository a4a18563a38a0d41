"""Items benchmark: ``items?limit=1000`` on ``jiangxi_counties``, this server vs pygeoapi.

    .venv/bin/python bench/items.py [--seconds 10] [--connections 1 8]
    .venv/bin/python bench/items.py --quick   (CI smoke run: 1 s, one connection)

1. Exports ``jiangxi_counties`` (100 features, ~3 MB GeoJSON) with
   ``ganzhou-atlas layers export`` into ``var/bench/items/`` (data dir
   ``var/bench/items/data``, kept between runs so the server starts from warm caches).
2. pygeoapi lives in its own venv, ``var/bench/pygeoapi-venv`` (never in the project venv):
   created on the first run with ``python -m venv`` + ``pip install pygeoapi starlette
   uvicorn`` (the script says so when it does). It gets a minimal config: one collection,
   the GeoJSON provider over the exported file, ``id_field: adcode``, gzip off.
3. Starts both on loopback ports, one uvicorn worker each: ours
   (``uvicorn api.app:create_app --factory``) and pygeoapi's Starlette app
   (``uvicorn pygeoapi.starlette_app:APP``), checks both return the same 100 ids, then
   drives each with ``wrk -t1`` on the fixed URL (no Accept-Encoding, so no gzip on either
   side) for ``--seconds`` (at most 10) per connection count after a 1 s warm-up: one
   connection gives the unloaded latency, eight the loaded one (one worker: a request
   waits for those ahead of it).
4. Prints req/s, p50/p90/p99 latency and the throughput ratio ours/pygeoapi per connection
   count against the targets (p50 < 30 ms, ratio >= 5).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench" / "items"
VENV = ROOT / "var" / "bench" / "pygeoapi-venv"
HOST = "127.0.0.1"
LAYER = "jiangxi_counties"
PATH = f"/collections/{LAYER}/items?limit=1000"
P50_TARGET_MS = 30.0
RATIO_TARGET = 5.0


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def export_layer(data_dir: Path) -> Path:
    """The layer as GeoJSON, written by the project's own CLI."""
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"{LAYER}.geojson"
    cli = Path(sys.executable).parent / "ganzhou-atlas"
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir)}
    subprocess.run([str(cli), "layers", "export", LAYER, "--format", "geojson", "--out",
                    str(out)], check=True, env=env, cwd=ROOT, capture_output=True)
    return out


def ensure_pygeoapi() -> Path:
    """The pygeoapi venv's python, creating the venv on the first run."""
    python = VENV / "bin" / "python"
    probe = [str(python), "-c", "import pygeoapi, starlette, uvicorn"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"first run: creating {VENV.relative_to(ROOT)} (python -m venv; "
          "pip install pygeoapi starlette uvicorn) ...", flush=True)
    base = shutil.which("python3") or sys.executable
    subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "pygeoapi", "starlette",
                    "uvicorn"], check=True)
    return python


def pygeoapi_config(geojson: Path, port: int) -> dict:
    """A minimal pygeoapi configuration serving the exported GeoJSON as one collection."""
    features = json.loads(geojson.read_bytes())["features"]
    xs = [c[0] for f in features for c in _coords(f["geometry"])]
    ys = [c[1] for f in features for c in _coords(f["geometry"])]
    url = f"http://{HOST}:{port}"
    contact = {"name": "ganzhou-atlas bench", "url": url, "role": "pointOfContact"}
    return {
        "server": {"bind": {"host": HOST, "port": port}, "url": url,
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8",
                   "gzip": False, "languages": ["zh-CN"], "pretty_print": False,
                   "limits": {"default_items": 100, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           "attribution": "OpenStreetMap"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "ganzhou-atlas items bench",
                               "description": "the same GeoJSON as ganzhou-atlas",
                               "keywords": ["bench"], "keywords_type": "theme",
                               "terms_of_service": url, "url": url},
            "license": {"name": "bench only", "url": url},
            "provider": {"name": "ganzhou-atlas", "url": url},
            "contact": contact},
        "resources": {LAYER: {
            "type": "collection", "title": "江西省县级行政区",
            "description": "100 county-level units of Jiangxi", "keywords": ["county"],
            "links": [],
            "extents": {"spatial": {
                "bbox": [min(xs), min(ys), max(xs), max(ys)],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": "GeoJSON", "data": str(geojson),
                           "id_field": "adcode"}]}},
    }


def _coords(geometry: dict):
    def walk(node):
        if isinstance(node[0], (int, float)):
            yield node
        else:
            for child in node:
                yield from walk(child)

    return walk(geometry["coordinates"]) if geometry else iter(())


def start(cmd: list[str], env: dict, port: int, name: str) -> subprocess.Popen:
    """Start a server and wait (at most 120 s) until the benchmarked URL answers 200."""
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{PATH}", timeout=30) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"{name} did not start")


def fetch(port: int) -> tuple[int, list[str]]:
    """Body size and feature ids of one response."""
    with urllib.request.urlopen(f"http://{HOST}:{port}{PATH}", timeout=30) as r:
        body = r.read()
    return len(body), sorted(str(f["id"]) for f in json.loads(body)["features"])


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def drive(port: int, seconds: int, connections: int) -> dict:
    """req/s and latency percentiles (ms) from one ``wrk -t1`` run."""
    url = f"http://{HOST}:{port}{PATH}"
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout",
                          "10s", "--latency", url], capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    return {"rps": float(rps.group(1)) if rps else 0.0,
            "requests": int(done.group(1)) if done else 0,
            **{f"p{q}": _ms(lat[q]) if q in lat else float("nan") for q in ("50", "90", "99")},
            "errors": "Non-2xx" in out or "Socket errors" in out}


def main() -> None:
    """Set up both servers, drive each with wrk, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per server, at most 10")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): 1 s, -c1")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.connections = 1, [1]
    seconds = max(1, min(args.seconds, 10))
    if shutil.which("wrk") is None:
        sys.exit("wrk is required (apt-get install -y wrk)")
    pyg_python = ensure_pygeoapi()
    version = subprocess.run([str(pyg_python), "-c", "import pygeoapi as p; print(p.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    # A data dir kept between runs (store, MBTiles cache): the server's start-up is not what
    # is measured, and a warm cache makes it seconds instead of a cold tile pyramid.
    data_dir = WORK / "data"
    geojson = export_layer(data_dir)
    ours_port, pyg_port = free_port(), free_port()
    config = WORK / "pygeoapi-config.yml"
    config.write_text(json.dumps(pygeoapi_config(geojson, pyg_port), ensure_ascii=False))
    openapi = WORK / "pygeoapi-openapi.yml"
    pyg_env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run([str(VENV / "bin" / "pygeoapi"), "openapi", "generate", str(config),
                    "--output-file", str(openapi)], check=True, env=pyg_env,
                   capture_output=True)
    uvicorn_args = ["--host", HOST, "--workers", "1", "--log-level", "warning",
                    "--no-access-log"]
    servers = {
        "ganzhou-atlas": ([sys.executable, "-m", "uvicorn", "api.app:create_app",
                           "--factory", "--port", str(ours_port), *uvicorn_args],
                          {**os.environ, "ATLAS_DATA_DIR": str(data_dir)}, ours_port),
        f"pygeoapi {version}": ([str(pyg_python), "-m", "uvicorn",
                                 "pygeoapi.starlette_app:APP", "--port", str(pyg_port),
                                 *uvicorn_args], pyg_env, pyg_port),
    }
    print(f"GET {PATH} ({geojson.stat().st_size / 1e6:.1f} MB exported); wrk -t1, "
          f"{seconds} s per run after 1 s warm-up; loopback, no gzip, one uvicorn worker "
          "each")
    results: dict[tuple[str, int], dict] = {}
    ids = {}
    for name, (cmd, env, port) in servers.items():
        proc = start(cmd, env, port, name)
        try:
            size, ids[name] = fetch(port)
            for conns in args.connections:
                drive(port, 1, conns)  # warm-up
                results[name, conns] = r = drive(port, seconds, conns)
                print(f"{name:>16} -c{conns:<3}: {r['rps']:7.1f} req/s  p50 {r['p50']:8.2f} ms"
                      f"  p90 {r['p90']:8.2f} ms  p99 {r['p99']:8.2f} ms  "
                      f"({r['requests']} requests, {size / 1e6:.2f} MB each)"
                      + ("  (errors!)" if r["errors"] else ""), flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    ours, theirs = list(servers)
    same = len({tuple(v) for v in ids.values()}) == 1
    print(f"same {len(ids[ours])} feature ids from both: {same}")
    for conns in args.connections:
        mine, other = results[ours, conns], results[theirs, conns]
        ratio = mine["rps"] / other["rps"] if other["rps"] else float("inf")
        print(f"-c{conns}: p50 ours {mine['p50']:.2f} ms (target < {P50_TARGET_MS:.0f} ms: "
              f"{'met' if mine['p50'] < P50_TARGET_MS else 'MISSED'}); throughput ours/pygeoapi "
              f"{ratio:.1f}x (target >= {RATIO_TARGET:.0f}x: "
              f"{'met' if ratio >= RATIO_TARGET else 'MISSED'})")


if __name__ == "__main__":
    main()
