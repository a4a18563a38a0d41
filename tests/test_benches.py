"""Every bench script runs in its quick mode, exits 0 and prints its ratio line.

The numbers are not checked (a shared CI machine makes them noise); what is caught is a
bench that no longer runs against the code or silently stops measuring. The bench list,
quick arguments, ratio lines and tool requirements live in ``bench/run_all.py``.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_all():
    spec = importlib.util.spec_from_file_location("bench_run_all", ROOT / "bench" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


RUN_ALL = _run_all()


def test_every_bench_script_is_listed():
    scripts = {p.stem for p in (ROOT / "bench").glob("*.py")} - {"run_all"}
    assert scripts == {b.name for b in RUN_ALL.BENCHES}


@pytest.mark.bench
@pytest.mark.parametrize("bench", RUN_ALL.BENCHES, ids=lambda b: b.name)
def test_bench_quick_mode_runs_and_prints_its_ratio(bench):
    reason = bench.missing(allow_setup=False)  # no downloads from a test
    if reason:
        pytest.skip(reason)
    result = RUN_ALL.run(bench, quick=True, echo=False, timeout=600)
    tail = f"\nstdout:\n{result.output[-2000:]}\nstderr:\n{result.errors[-2000:]}"
    assert result.returncode == 0, tail
    assert result.ratio_line is not None, f"no line matching {bench.ratio!r}{tail}"
