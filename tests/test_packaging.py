"""The wheel carries the shipped data: a non-editable install works outside the repository.

Builds the wheel (hatchling, no build isolation: offline), installs it with ``--no-deps``
into a fresh venv under tmp, and runs the installed ``ganzhou-atlas data check`` and a layer
build from a directory outside the repo. The fresh venv reaches the dependencies through a
``.pth`` line naming this interpreter's site-packages (``--system-site-packages`` would name
the base interpreter's, which lacks them); a ``.pth`` found that way is not itself
processed, so the repo's editable-install hook stays out and ``geo`` comes from the wheel.
"""

import importlib.util
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _data_files() -> set[str]:
    try:
        listed = subprocess.run(["git", "ls-files", "data"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        listed = [str(p.relative_to(ROOT)) for p in (ROOT / "data").rglob("*") if p.is_file()]
    return {name.removeprefix("data/") for name in listed}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, venv bin dir, a working dir outside the repo) with the wheel installed."""
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling not installed (the `test` extra): an offline build needs it")
    tmp = tmp_path_factory.mktemp("packaging")
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "--quiet", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (wheel,) = wheels.glob("ganzhou_atlas-*.whl")
    with zipfile.ZipFile(wheel) as z:
        packaged = {n.removeprefix("geo/data/") for n in z.namelist()
                    if n.startswith("geo/data/")}
    missing = _data_files() - packaged
    assert not missing, f"shipped files missing from the wheel: {sorted(missing)}"
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, capture_output=True, text=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "ganzhou-test-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    work = tmp / "elsewhere"
    work.mkdir()
    return python, venv / "bin", work


def _env(work: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith("ATLAS_")}
    return {**env, "ATLAS_DATA_DIR": str(work / "var")}


def test_installed_package_finds_its_data_outside_the_repo(installed):
    python, _, work = installed
    code = ("import geo, geo.settings as s\n"
            "from geo.catalog import BuildContext\n"
            "print(geo.__file__)\nprint(s.SHIPPED_DATA_DIR)\n"
            "print(len(BuildContext(s.AtlasSettings()).result('counties').gdf))\n")
    out = subprocess.run([str(python), "-c", code], cwd=work, env=_env(work),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    module, data_dir, counties = out.stdout.split()
    venv = python.parent.parent
    assert Path(module).is_relative_to(venv), module  # the wheel, not the repo
    assert Path(data_dir) == Path(module).parent / "data"
    assert int(counties) == 18


def test_installed_data_check_passes(installed):
    _, bin_dir, work = installed
    out = subprocess.run([str(bin_dir / "ganzhou-atlas"), "data", "check"], cwd=work,
                         env=_env(work), capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "data check passed" in out.stdout
