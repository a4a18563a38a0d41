"""Vector tile benchmark: cold pyramid generation, then cached-tile HTTP throughput.

    .venv/bin/python bench/tiles.py [--seconds 5] [--connections 32]

1. Renders the z0-14 pyramid of every layer into a fresh temporary data dir (cold: no
   MBTiles cache), then once more from the cache (a restart with unchanged data). Ganzhou
   layers are rendered to z14, Jiangxi-wide ones to z12; their z13/z14 tiles are overzoomed
   on first request, timed here over the 章贡区 area. Wall and CPU seconds (this process and
   tippecanoe; CPU is the steadier figure on a shared machine).
2. Serves one cached tile (z8 over 章贡区) from two uvicorn subprocesses on 127.0.0.1: the
   real FastAPI app (``create_app`` + the tiles router, all middleware) and a bare Starlette
   route returning the same bytes and headers. Drives each with ``wrk`` when installed, else
   with an asyncio/httpx loop (bounded by time and request count), and prints req/s, p50,
   p99 and the FastAPI/Starlette ratio. Loopback only; each run lasts at most ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZHANGGONG = (114.93, 25.83)
HOST = "127.0.0.1"


def tile_address(z: int = 8) -> tuple[int, int, int]:
    """The tile over 章贡区 at zoom ``z``."""
    from geo.tiles import lonlat_to_tile

    return (z, *lonlat_to_tile(*ZHANGGONG, z))


def _cpu() -> float:
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                    resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cold_generation(data_dir: Path) -> None:
    """Time layer builds, the cold pyramid, a reload from the MBTiles cache and overzooming."""
    from geo.catalog import BuildContext
    from geo.layers import LAYERS
    from geo.settings import AtlasSettings
    from geo.tiles import TileStore, lonlat_to_tile

    ctx = BuildContext(AtlasSettings(data_dir=data_dir))
    t0 = time.perf_counter()
    for name in LAYERS:
        ctx.result(name)
    print(f"layer build (not part of tiles): {time.perf_counter() - t0:.2f} s")
    for label in ("cold pyramid z0-14, all layers", "restart, MBTiles cache hit"):
        store = TileStore.for_context(ctx)
        c0, t0 = _cpu(), time.perf_counter()
        stats = store.ensure()
        total, cpu = time.perf_counter() - t0, _cpu() - c0
        print(f"{label}: {total:.2f} s, cpu {cpu:.2f} s (tippecanoe {stats.tippecanoe_seconds:.2f}"
              f" s, encode {total - stats.tippecanoe_seconds:.2f} s); {stats.shapes} shapes, "
              f"{stats.tiles} layer tiles, {stats.bytes / 1e6:.1f} MB "
              f"({stats.distinct_bytes / 1e6:.1f} MB distinct)")
    low = sorted(n for n, z in stats.maxzooms.items() if z < 14)
    print(f"rendered to z12, overzoomed at z13-14: {', '.join(low)}")
    count, t0 = 0, time.perf_counter()
    for z in (13, 14):
        x0, y0 = lonlat_to_tile(ZHANGGONG[0] - 0.1, ZHANGGONG[1] + 0.1, z)
        x1, y1 = lonlat_to_tile(ZHANGGONG[0] + 0.1, ZHANGGONG[1] - 0.1, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                for name in low:
                    store.tile((name,), z, x, y)
                    count += 1
    elapsed = time.perf_counter() - t0
    print(f"overzoom on first request: {count} layer tiles (z13-14, 0.2 deg around 章贡区) in "
          f"{elapsed * 1e3:.0f} ms, {elapsed / count * 1e6:.0f} us each")


# ----------------------------------------------------------------------------- servers


def serve_fastapi(port: int, data_dir: Path) -> None:
    """Child process: the real app (tiles router and fast path), pyramid loaded first."""
    import uvicorn

    from api.app import create_app
    from geo.settings import AtlasSettings

    app = create_app(AtlasSettings(data_dir=data_dir))  # includes the tiles router
    app.state.service.tiles.ensure()
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def serve_starlette(port: int, data_dir: Path) -> None:
    """Child process: one bare Starlette route returning the same tile bytes and headers."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from geo.catalog import BuildContext
    from geo.settings import AtlasSettings
    from geo.tiles import MVT_MEDIA_TYPE, TileStore

    store = TileStore.for_context(BuildContext(AtlasSettings(data_dir=data_dir)))
    tile = store.tile(("counties",), *tile_address())
    headers = {"ETag": tile.etag, "Cache-Control": "public, max-age=86400",
               "Vary": "Accept-Encoding, Origin"}

    async def endpoint(request):
        return Response(tile.data, media_type=MVT_MEDIA_TYPE, headers=headers)

    app = Starlette(routes=[Route("/tile.mvt", endpoint)])
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(kind: str, data_dir: Path) -> tuple[subprocess.Popen, int]:
    """Start a server subprocess and wait (at most 120 s) until it accepts connections."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port),
                             "--data-dir", str(data_dir)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} server exited with {proc.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"{kind} server did not start")


# ----------------------------------------------------------------------------- load


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def drive_wrk(url: str, seconds: int, connections: int) -> dict:
    """req/s, p50 and p99 (ms) measured by wrk (one thread)."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(lat["50"]), "p99": _ms(lat["99"]),
            "errors": "Non-2xx" in out or "Socket errors" in out}


def drive_python(url: str, seconds: int, connections: int, max_requests: int = 200_000) -> dict:
    """The same numbers from an asyncio/httpx loop, bounded by time and request count."""
    import httpx

    latencies: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient, stop: float) -> None:
        nonlocal errors
        while time.perf_counter() < stop and len(latencies) < max_requests:
            t0 = time.perf_counter()
            r = await client.get(url)
            latencies.append(time.perf_counter() - t0)
            errors += r.status_code != 200

    async def run() -> float:
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(limits=limits) as client:
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(client, t0 + seconds) for _ in range(connections)))
            return time.perf_counter() - t0

    elapsed = asyncio.run(run())
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] * 1e3,
            "p99": latencies[int(len(latencies) * 0.99)] * 1e3, "errors": errors > 0}


def throughput(data_dir: Path, seconds: int, connections: int) -> None:
    """Serve the cached tile from both servers in turn and compare."""
    z, x, y = tile_address()
    use_wrk = shutil.which("wrk") is not None
    print(f"driver: {'wrk -t1' if use_wrk else 'python asyncio/httpx'}, {connections} "
          f"connections, {seconds} s per run, tile {z}/{x}/{y} (counties), no Accept-Encoding")
    results = {}
    for kind, path in (("fastapi", f"/tiles/counties/{z}/{x}/{y}.mvt"),
                       ("starlette", "/tile.mvt")):
        proc, port = start(kind, data_dir)
        try:
            url = f"http://{HOST}:{port}{path}"
            drive = drive_wrk if use_wrk else drive_python
            drive(url, 1, connections)  # warm-up
            results[kind] = r = drive(url, seconds, connections)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        print(f"{kind:>9}: {r['rps']:8.0f} req/s  p50 {r['p50']:.2f} ms  p99 {r['p99']:.2f} ms"
              + ("  (errors!)" if r["errors"] else ""))
    ratio = results["fastapi"]["rps"] / results["starlette"]["rps"]
    print(f"FastAPI route / bare Starlette route: {ratio:.2f} of the throughput")


def main() -> None:
    """Parse arguments; run the benchmark or, with --serve, one server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per run, at most 10")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve", choices=("fastapi", "starlette"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        (serve_fastapi if args.serve == "fastapi" else serve_starlette)(args.port, args.data_dir)
        return
    seconds = max(1, min(args.seconds, 10))
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        cold_generation(Path(tmp))
        throughput(Path(tmp), seconds, args.connections)


if __name__ == "__main__":
    main()
