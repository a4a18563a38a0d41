"""The one settings class of the project (environment prefix ``ATLAS_``).

Library functions take the settings object as an argument; only the CLI and the app factory
build one. Everything the running service writes goes under ``data_dir`` so that a fresh
directory is a fresh install and the repository's ``data/`` stays read-only.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DATA_DIR = REPO_ROOT / "data"


class AtlasSettings(BaseSettings):
    """Runtime configuration, read from ``ATLAS_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_", extra="ignore")

    data_dir: Path = Field(
        Path("var"), description="Writable state: embedded store, caches (ATLAS_DATA_DIR)."
    )
    shipped_data_dir: Path = Field(
        SHIPPED_DATA_DIR,
        description="Read-only data shipped with the code: boundaries and cited plan files.",
    )
    out_dir: Path = Field(Path("out"), description="Where `ganzhou-atlas build` writes layers.")

    @property
    def boundaries_dir(self) -> Path:
        """Folder of the boundary GeoJSON files and their README."""
        return self.shipped_data_dir / "boundaries"

    @property
    def plan_dir(self) -> Path:
        """Folder of the cited plan YAML files and the seed copies."""
        return self.shipped_data_dir / "plan"
