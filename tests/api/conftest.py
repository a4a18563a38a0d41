"""App and client fixtures: the real app factory on the shipped data, one per session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="session")
def app(settings):
    """The application built by the factory."""
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app):
    """An in-process client with lifespan (start-up warm-up) run."""
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_url(settings):
    """A real uvicorn server process on a free loopback port, for external clients.

    A separate process, not a thread: GDAL called in-process through pyogrio holds the GIL
    while it waits for the HTTP answer, so a server thread in the same process would never
    get to answer.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ATLAS_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/conformance", timeout=2).close()
            break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"uvicorn did not start: {proc.stderr.read()[:500]}") from exc
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
