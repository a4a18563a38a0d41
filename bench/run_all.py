"""Run every benchmark in turn and say which ran, which failed and which were skipped.

    .venv/bin/python bench/run_all.py            full runs (~5 min; `make bench`)
    .venv/bin/python bench/run_all.py --quick    smoke runs (~2-3 min; `make bench-quick`)
    .venv/bin/python bench/run_all.py inventory maps [--quick]   some of them

Each bench runs as its own subprocess (its output is passed through). A bench counts as
passed when it exits 0 *and* prints its ratio line (the figure its target is stated in, see
``BENCHES``), so a bench that silently stops measuring is caught too. Benches whose tools
are missing (``wrk``, tippecanoe, ``node_modules``) are skipped with the reason. The quick
mode checks that a bench works, not its numbers (tiny sizes, 1 s load runs); the full
runs are what bench/README.md reports. ``tests/test_benches.py`` runs the quick mode of
each through ``run`` below.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYGEOAPI_VENV = ROOT / "var" / "bench" / "pygeoapi-venv"


def _tippecanoe() -> str | None:
    beside = Path(sys.executable).parent / "tippecanoe"
    if beside.exists() or shutil.which("tippecanoe"):
        return None
    return "tippecanoe not installed (pip install tippecanoe, a project dependency)"


def _wrk() -> str | None:
    return None if shutil.which("wrk") else "wrk not installed (apt-get install -y wrk)"


def _node_modules() -> str | None:
    if (ROOT / "node_modules" / "leaflet").is_dir():
        return None
    return "node_modules missing (npm ci: the maps serve Leaflet from it)"


def _pygeoapi() -> str | None:
    if (PYGEOAPI_VENV / "bin" / "pygeoapi").exists():
        return None
    return (f"{PYGEOAPI_VENV.relative_to(ROOT)} absent (the first full `bench/items.py` run "
            "creates it with pip from PyPI)")


def _postgis() -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found and list(Path("/usr/share/postgresql").glob("*/extension/postgis.control")):
        return None
    return "PostgreSQL + PostGIS not installed (apt-get install postgresql-15-postgis-3)"


@dataclass(frozen=True)
class Bench:
    """One bench script: its quick-mode arguments, ratio line and what it needs."""

    name: str
    quick: tuple[str, ...]
    ratio: str  # regex of the line stating the ratio the bench's target is given in
    needs: tuple = ()  # callables returning None or the reason the bench cannot run
    setup: tuple = ()  # like needs, but the bench sets it up itself (downloads) if allowed

    @property
    def script(self) -> Path:
        """The bench script."""
        return ROOT / "bench" / f"{self.name}.py"

    def missing(self, allow_setup: bool = True) -> str | None:
        """Why this bench cannot run here, or None."""
        checks = self.needs + (() if allow_setup else self.setup)
        return next((reason for check in checks if (reason := check())), None)


BENCHES: tuple[Bench, ...] = (
    Bench("inventory", ("--quick",), r"import/baseline time [\d.]+x"),
    Bench("coverage", ("--quick",), r"^ratio [\d,]+ / [\d,]+ sites at [\d.]+ m: [\d.]+x$"),
    Bench("maps", ("--quick",), r"^ratio largest page / 2 MB limit: [\d.]+", (_node_modules,)),
    # tiles.py has no --quick: one 1 s load run per server at 4 connections
    Bench("tiles", ("--seconds", "1", "--connections", "4"),
          r"^FastAPI route / bare Starlette route: [\d.]+ of the throughput$", (_tippecanoe,)),
    Bench("items", ("--quick",), r"throughput ours/pygeoapi [\d.]+x", (_wrk,), (_pygeoapi,)),
    Bench("ceiling", ("--quick",), r"^tile +\d+ .* [\d.]+ +[\d.]+ (ok|BELOW)", (_wrk,)),
    Bench("workers", ("--quick",), r"^ratio tile \d+ workers / 1 worker: [\d.]+x",
          (_tippecanoe,)),
    Bench("store", ("--quick",), r"^ratio postgis/sqlite import rows/s at [\d,]+ rows: [\d.]+x$",
          (_postgis,)),
    Bench("recommend", ("--quick",),
          r"^ratio [\d,]+ sites / grid scoring at [\d.]+ m: [\d.]+x$"),
    Bench("coverage_scale", ("--quick",),
          r"^ratio [\d,]+ / [\d,]+ sites at [\d.]+ m province-wide: [\d.]+x$"),
)


@dataclass(frozen=True)
class Result:
    """What one bench run did."""

    bench: Bench
    returncode: int
    seconds: float
    output: str
    errors: str = ""  # stderr, when captured

    @property
    def ratio_line(self) -> str | None:
        """The line stating the bench's ratio, if printed."""
        return next((line for line in self.output.splitlines()
                     if re.search(self.bench.ratio, line)), None)

    @property
    def ok(self) -> bool:
        """Exited 0 and printed its ratio line."""
        return self.returncode == 0 and self.ratio_line is not None


def run(bench: Bench, quick: bool, echo: bool = True, timeout: float = 900) -> Result:
    """Run one bench in a subprocess: output passed through (``echo``) or captured."""
    cmd = [sys.executable, str(bench.script), *(bench.quick if quick else ())]
    t0 = time.perf_counter()
    if not echo:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        return Result(bench, done.returncode, time.perf_counter() - t0, done.stdout,
                      done.stderr)
    lines = []
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout or ():
            lines.append(line)
            print(line, end="", flush=True)
        returncode = proc.wait()
    return Result(bench, returncode, time.perf_counter() - t0, "".join(lines))


def main() -> int:
    """Run the selected benches; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"among {', '.join(b.name for b in BENCHES)}")
    parser.add_argument("--quick", action="store_true", help="smoke runs (CI)")
    args = parser.parse_args()
    unknown = set(args.names) - {b.name for b in BENCHES}
    if unknown:
        parser.error(f"unknown bench: {', '.join(sorted(unknown))}")
    chosen = [b for b in BENCHES if not args.names or b.name in args.names]
    summary = []
    for bench in chosen:
        print(f"\n=== bench/{bench.name}.py {' '.join(bench.quick) if args.quick else ''}",
              flush=True)
        reason = bench.missing(allow_setup=True)
        if reason:
            print(f"skipped: {reason}")
            summary.append((bench.name, "skipped", 0.0, reason))
            continue
        result = run(bench, args.quick)
        status = "ok" if result.ok else (f"FAILED (exit {result.returncode})"
                                         if result.returncode else "FAILED (no ratio line)")
        summary.append((bench.name, status, result.seconds, result.ratio_line or ""))
    print(f"\n{'bench':10} {'status':24} {'seconds':>8}  ratio line")
    for name, status, seconds, line in summary:
        print(f"{name:10} {status:24} {seconds:8.1f}  {line}")
    return 1 if any(s.startswith("FAILED") for _, s, _, _ in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
