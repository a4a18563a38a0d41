"""A started server has its map pages ready: the first visitor never waits for a build.

On a fresh data dir a page built on request while the first coverage runs and the tile
pyramid were made took 6-8 s (bench/maps.py); the lifespan now prepares every page before
the server accepts a request (``MapPages.prepare_pages_now``), and a restart reads them back.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from geo.settings import AtlasSettings
from maps.coverage_data import SCENARIOS
from maps.registry import MAPS


def _no_thumbnails(monkeypatch) -> None:
    # the background thumbnails (Chromium) are not what this test is about
    monkeypatch.setattr("maps.pages.MapPages.prepare_thumbnails", lambda self: [])


def test_every_page_is_built_before_the_first_request(ctx, tmp_path, monkeypatch):
    import maps.pages as pages_module

    _no_thumbnails(monkeypatch)
    own = AtlasSettings(data_dir=tmp_path, prepare_pages_at_start=True)
    built: list[str] = []
    real = pages_module.page
    monkeypatch.setattr(pages_module, "page",
                        lambda name, *a, **k: built.append(name) or real(name, *a, **k))
    with TestClient(create_app(own, ctx)) as client:
        at_start = sorted(built)
        for name in MAPS:
            r = client.get(f"/maps/{name}")
            assert r.status_code == 200 and "<html" in r.text[:500].lower()
        r = client.get("/maps/coverage?scenario=2023")
        assert r.status_code == 200
        assert sorted(built) == at_start  # no request built a page
    expected = sorted([n for n, s in MAPS.items() if not s.needs_coverage]
                      + ["coverage"] * len(SCENARIOS))
    assert at_start == expected

    # a restart on the same data dir reads every page back from disk: nothing is built
    built.clear()
    with TestClient(create_app(own, ctx)) as client:
        assert client.get("/maps/layout").status_code == 200
    assert built == []


def test_without_preparation_a_page_is_built_on_its_first_request(ctx, tmp_path,
                                                                  monkeypatch):
    import maps.pages as pages_module

    built: list[str] = []
    real = pages_module.page
    monkeypatch.setattr(pages_module, "page",
                        lambda name, *a, **k: built.append(name) or real(name, *a, **k))
    own = AtlasSettings(data_dir=tmp_path, prepare_pages_at_start=False)
    with TestClient(create_app(own, ctx)) as client:
        assert built == []
        assert client.get("/maps/iot").status_code == 200
    assert built == ["iot"]
