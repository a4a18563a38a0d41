"""The one settings class of the project (environment prefix ``ATLAS_``).

Library functions take the settings object as an argument; only the CLI and the app factory
build one. Everything the running service writes goes under ``data_dir`` so that a fresh
directory is a fresh install and the repository's ``data/`` stays read-only.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.coverage.model import CoverageModel
from geo.coverage.recommend.config import RecommendSettings
from geo.coverage.targets import AllocationMethod

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shipped_data_dir() -> Path:
    """``geo/data`` in an installed wheel (pyproject force-include), else the repo's ``data/``."""
    packaged = Path(__file__).resolve().parent / "data"
    return packaged if (packaged / "plan").is_dir() else REPO_ROOT / "data"


SHIPPED_DATA_DIR = _shipped_data_dir()


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
    host: str = Field("127.0.0.1", description="Address `ganzhou-atlas serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `ganzhou-atlas serve` binds to.")
    default_limit: int = Field(100, ge=1, description="Items per page when no limit is given.")
    max_limit: int = Field(10_000, ge=1, description="Largest page; larger limits are clamped.")
    cors_origins: list[str] = Field(
        default_factory=lambda: ["*"], description="Allowed CORS origins (JSON list)."
    )
    public_url: str | None = Field(
        None, description="Base URL behind a proxy; links use the request URL when unset."
    )
    trusted_hosts: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Host header values the server answers (JSON list; '*' = any).")
    max_json_body_kb: float = Field(
        1024, gt=0, description="Largest JSON body of a write (site, target, key), in KiB.")
    auth_failures_per_minute: int = Field(
        10, ge=1, description="Failed API-key attempts per client address per minute, then 429.")

    inventory_region: str = Field(
        "ganzhou", pattern="^(ganzhou|jiangxi)$",
        description="Sites must lie in 赣州市 (default) or anywhere in 江西省.")
    max_upload_mb: float = Field(50, gt=0, description="Largest inventory upload (MB).")
    max_upload_rows: int = Field(200_000, ge=1, description="Most rows per HTTP upload.")
    max_cli_rows: int = Field(5_000_000, ge=1, description="Most rows per CLI import.")
    # Bounds on reading an untrusted inventory file (docs/inventory.md#limits); workbooks are
    # parsed in a worker process with the memory and time limits below.
    max_upload_columns: int = Field(64, ge=8, le=16_384,
                                    description="Most columns in an inventory file.")
    max_cell_chars: int = Field(1_000, ge=64, description="Longest cell value (characters).")
    max_unzipped_mb: float = Field(
        512, gt=0, description="Most uncompressed content an XLSX may unpack to (MB).")
    parse_worker_memory_mb: int = Field(
        1_024, ge=256, description="Address-space limit of the workbook reader process (MB).")
    parse_worker_seconds: float = Field(
        120, gt=0, description="Time limit of the workbook reader process (s).")
    demo_inventory: bool = Field(
        True, description="Load the seeded synthetic inventory when the store is empty.")
    coverage_resolution_m: float = Field(100, ge=10, le=1000,
                                         description="Coverage raster cell size (metres).")
    coverage_model: CoverageModel = Field(default_factory=CoverageModel,
                                          description="Radii and urban rule (JSON).")
    allocation: AllocationMethod = Field(default_factory=AllocationMethod,
                                         description="County target allocation weights (JSON).")
    recommend: RecommendSettings = Field(
        default_factory=RecommendSettings,
        description="Site recommender: demand weights, certificate effort, queue (JSON; "
        "docs/recommender.md).")
    gap_min_area_km2: float = Field(
        0.05, ge=0, description="Gaps below this area (km²) are merged into a touching gap of "
        "the same county and kind, else dropped, in the gap work list (counts reported).")
    townships_file: Path | None = Field(
        None, description="Optional CSV name,lon,lat of townships (makes 乡镇全覆盖 assessable).")
    prepare_pages_at_start: bool = Field(
        True, description="Prepare the map pages at server start, before the first request "
        "(read from disk after a restart, built on a fresh data dir: ~10-20 s), then their "
        "thumbnails in the background, so a first visit never waits for a build (the test "
        "suite turns it off: every test server would otherwise build pages and start "
        "Chromium).")
    tianditu_key: str | None = Field(None, description="天地图 key (tk) for the Tianditu basemap.")
    database_url: SecretStr | None = Field(
        None, description="postgresql://user:password@host:port/db selects the PostGIS store "
        "(docs/postgis.md); unset = the embedded SQLite store. Never logged or echoed.")

    @property
    def store_path(self) -> Path:
        """The embedded SQLite store."""
        return self.data_dir / "atlas.sqlite"

    @model_validator(mode="after")
    def _limits_consistent(self) -> AtlasSettings:
        if self.default_limit > self.max_limit:
            raise ValueError("default_limit must not exceed max_limit")
        return self

    @property
    def boundaries_dir(self) -> Path:
        """Folder of the boundary GeoJSON files and their README."""
        return self.shipped_data_dir / "boundaries"

    @property
    def plan_dir(self) -> Path:
        """Folder of the cited plan YAML files and the seed copies."""
        return self.shipped_data_dir / "plan"
