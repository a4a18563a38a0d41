"""App and client fixtures: the real app factory on the shipped data, one per session."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="session")
def app(settings, ctx):
    """The application built by the factory (on the session's built layers)."""
    return create_app(settings, ctx)


@pytest.fixture(scope="session")
def client(app):
    """An in-process client with lifespan (start-up warm-up) run."""
    with TestClient(app) as c:
        yield c
