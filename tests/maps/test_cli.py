"""``ganzhou-atlas maps build``: folder export with vendor/, self-contained export, errors."""

import re

import pytest
import typer
from typer.testing import CliRunner

from maps.cli import maps_app

RUNNER = CliRunner()


@pytest.fixture(scope="module")
def cli(settings):
    app = typer.Typer()
    app.add_typer(maps_app, name="maps")

    @app.callback()
    def _root() -> None:
        """Root."""

    env = {"ATLAS_DATA_DIR": str(settings.data_dir)}
    return lambda *args: RUNNER.invoke(app, ["maps", *args], env=env)


def test_list_names_every_map(cli):
    r = cli("list")
    assert r.exit_code == 0
    for name in ("layout", "parks", "iot", "province", "coverage"):
        assert name in r.output


def test_build_writes_pages_with_a_vendor_folder(cli, tmp_path):
    r = cli("build", "--out", str(tmp_path), "--map", "layout", "--map", "parks")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "layout.html").read_text(encoding="utf-8")
    for src in re.findall(r'(?:src|href)="(vendor/[^"]+)"', html):
        assert (tmp_path / src).is_file(), src
    assert (tmp_path / "vendor/leaflet/dist/images/layers.png").is_file()
    assert "parks.html" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_build_self_contained_writes_one_file_per_map(cli, tmp_path):
    r = cli("build", "--out", str(tmp_path), "--self-contained")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "vendor").exists()
    for name in ("layout", "parks", "iot", "province", "coverage"):
        html = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert "vendor/" not in re.sub(r'data-vendor="[^"]+"', "", html)
        assert len(html.encode()) < 2 * 1024 * 1024


def test_unknown_map_exits_2_with_one_line(cli, tmp_path):
    r = cli("build", "--out", str(tmp_path), "--map", "nope")
    assert r.exit_code == 2
    assert r.stderr.strip().startswith("error: unknown map 'nope'")


def test_tianditu_without_key_exits_2(cli, tmp_path):
    r = cli("build", "--out", str(tmp_path), "--basemap", "tianditu")
    assert r.exit_code == 2 and "ATLAS_TIANDITU_KEY" in r.stderr


def test_build_coverage_map_for_a_scenario(cli, tmp_path):
    r = cli("build", "--out", str(tmp_path), "--map", "coverage", "--scenario", "2023",
            "--self-contained")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "coverage.html").read_text(encoding="utf-8")
    assert "2023年目标情景" in html and "合成演示数据" in html
    assert len(html.encode()) < 2 * 1024 * 1024


def test_unknown_scenario_exits_2(cli, tmp_path):
    r = cli("build", "--out", str(tmp_path), "--map", "coverage", "--scenario", "2024")
    assert r.exit_code == 2 and "2023 and 2025" in r.stderr


def test_empty_store_is_seeded_with_the_demo_inventory(tmp_path):
    app = typer.Typer()
    app.add_typer(maps_app, name="maps")

    @app.callback()
    def _root() -> None:
        """Root."""

    r = RUNNER.invoke(app, ["maps", "build", "--out", str(tmp_path / "out"), "--map", "coverage"],
                      env={"ATLAS_DATA_DIR": str(tmp_path / "var")})
    assert r.exit_code == 0, r.output
    assert "loaded the synthetic demo inventory (6,122 sites)" in r.output
    assert (tmp_path / "out" / "coverage.html").is_file()
