"""No tracked file names a path of one machine (/work/..., /root/..., /home/...).

Paths are relative to the repository (or a documented environment variable): a checkout
elsewhere, a CI runner or an installed wheel must not depend on where this tree was made.
URLs (``https://host/home/...``) are not paths and do not count.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# an absolute path: /work/, /root/ or /home/ not preceded by a path or URL character
MACHINE_PATH = re.compile(rb"(?<![\w.:/~-])/(?:work|root|home)/")


def test_no_tracked_file_names_a_machine_path():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no list of tracked files")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.split(b"\0")
    me = Path(__file__).resolve().relative_to(ROOT).as_posix()
    hits = []
    for name in filter(None, (f.decode() for f in files)):
        path = ROOT / name
        if name == me or not path.is_file():
            continue
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if MACHINE_PATH.search(line):
                hits.append(f"{name}:{number}: {line.decode(errors='replace').strip()[:120]}")
    assert not hits, "machine paths in tracked files:\n" + "\n".join(hits)


@pytest.mark.parametrize(("text", "found"), [
    (b'SHARED = Path("/work/shared")', True), (b"Run: /root/x/bin/python", True),
    (b"cd /home/planner/atlas", True), (b"see https://example.org/home/x", False),
    (b"../shared/plan-facts", False), (b"var/work/cache", False)])
def test_the_pattern(text, found):
    assert bool(MACHINE_PATH.search(text)) is found
