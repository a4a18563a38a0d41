"""Shared fixtures: settings pointing at the shipped data and a writable tmp data dir."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Every test server would otherwise build all map pages and start Chromium for thumbnails in
# the background; tests/maps/test_pages.py drives that preparation itself.
os.environ.setdefault("ATLAS_PREPARE_PAGES_AT_START", "false")

from geo.catalog import BuildContext  # noqa: E402
from geo.settings import AtlasSettings


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> AtlasSettings:
    """Settings with the shipped (read-only) data and a fresh writable data dir."""
    root = tmp_path_factory.mktemp("atlas")
    return AtlasSettings(data_dir=root / "var", out_dir=root / "out")


@pytest.fixture(scope="session")
def pg_cluster(settings):
    """A throw-away PostgreSQL + PostGIS cluster for the session (tests/pg.py); skips if absent."""
    from tests.pg import running_cluster

    with running_cluster(settings) as cluster:
        yield cluster


@pytest.fixture
def new_store(request, tmp_path, settings):
    """Open a fresh, empty store of a kind ("sqlite" or "postgis"): the parametrised stores."""
    from geo.store.sqlite import SqliteSiteStore

    opened = []

    def make(kind: str):
        if kind == "sqlite":
            return SqliteSiteStore(tmp_path / "atlas.sqlite")
        from geo.store.postgis import PostgisSiteStore

        store = PostgisSiteStore(request.getfixturevalue("pg_cluster").new_database(), settings)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def ctx(settings) -> BuildContext:
    """One build context for the session: layers are built once."""
    return BuildContext(settings)


def require_binary(name: str) -> str:
    """Return the path of an external client or skip with a clear reason (fail on CI)."""
    import os

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required on CI (.ci/run installs it)")
        pytest.skip(f"{name} not installed; `.ci/run` installs it for CI")
    return path


SYSTEM_PYTHON = "/usr/bin/python3"  # QGIS's Python bindings import only in Debian's Python


def require_qgis() -> str:
    """Debian's Python with QGIS importable, or skip with a clear reason (fail on CI)."""
    ok = Path(SYSTEM_PYTHON).exists() and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=60
    ).returncode == 0
    if not ok:
        if os.environ.get("CI"):
            pytest.fail("QGIS (python3-qgis) is required on CI; .ci/run installs it")
        pytest.skip("QGIS not installed (apt-get install qgis python3-qgis qgis-providers)")
    return SYSTEM_PYTHON


@contextlib.contextmanager
def live_server(data_dir):
    """The URL of a real uvicorn server process over ``data_dir`` (see live_server_process)."""
    with live_server_process(data_dir) as (url, _proc):
        yield url


@contextlib.contextmanager
def live_server_process(data_dir, **environment: str):
    """A real uvicorn server process over ``data_dir`` on a free loopback port: (url, proc).

    A separate process, not a thread: GDAL called in-process through pyogrio holds the GIL
    while it waits for the HTTP answer, so a server thread in the same process would never
    get to answer. ``environment`` adds ``ATLAS_*`` variables; the server's log goes to
    ``<data_dir>/server.log`` (a pipe nobody reads could fill and block the server).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    log_path = Path(data_dir) / "server.log"
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir), **environment}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/conformance", timeout=2).close()
            break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"uvicorn did not start: {log_path.read_text()[-500:]}") \
                    from exc
            time.sleep(0.1)
    try:
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=120)  # shutdown waits for a running coverage recompute


@pytest.fixture(scope="session")
def live_url(settings):
    """The session's real server (same data dir as the in-process app)."""
    with live_server(settings.data_dir) as url:
        yield url
