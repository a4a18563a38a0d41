"""Shared fixtures: settings pointing at the shipped data and a writable tmp data dir."""

from __future__ import annotations

import shutil

import pytest

from geo.catalog import BuildContext
from geo.settings import AtlasSettings


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> AtlasSettings:
    """Settings with the shipped (read-only) data and a fresh writable data dir."""
    root = tmp_path_factory.mktemp("atlas")
    return AtlasSettings(data_dir=root / "var", out_dir=root / "out")


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
