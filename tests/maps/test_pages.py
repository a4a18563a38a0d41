"""Served pages: built once, kept on disk for the next process, prepared in the background."""

from __future__ import annotations

import threading

from geo.settings import AtlasSettings
from maps.pages import MapPages


def _pages(ctx, tmp_path) -> MapPages:
    return MapPages(ctx.with_settings(AtlasSettings(data_dir=tmp_path)))


def test_a_restart_answers_from_the_stored_page(ctx, tmp_path):
    first = _pages(ctx, tmp_path)
    html = first.html("layout")
    stored = list(first.page_dir.glob("layout-*.html"))
    assert len(stored) == 1 and stored[0].read_text(encoding="utf-8") == html
    # a new process (a new MapPages) reads the stored page: mark it to see that it did
    stored[0].write_text(html + "<!-- stored -->", encoding="utf-8")
    again = _pages(ctx, tmp_path)
    assert again.html("layout").endswith("<!-- stored -->")
    # another root is another page (built, not the stored one)
    other = again.html("layout", root="/atlas")
    assert "/atlas/static/vendor/" in other and not other.endswith("<!-- stored -->")
    assert len(list(first.page_dir.glob("layout-*.html"))) == 2


def test_the_inputs_digest_changes_with_the_shipped_data(ctx, tmp_path):
    import shutil

    from maps.pages import inputs_digest

    shipped = tmp_path / "shipped"
    shutil.copytree(ctx.settings.shipped_data_dir / "plan", shipped / "plan")
    other = ctx.with_settings(AtlasSettings(data_dir=tmp_path / "d", shipped_data_dir=shipped))
    before = inputs_digest(other)
    assert before == inputs_digest(other) and before != inputs_digest(ctx)
    (shipped / "plan" / "counties.yaml").write_text(
        (shipped / "plan" / "counties.yaml").read_text(encoding="utf-8") + "\n# changed\n",
        encoding="utf-8")
    assert inputs_digest(other) != before


def test_stored_pages_depend_on_the_maps_code_and_layers(ctx, tmp_path, monkeypatch):
    first = _pages(ctx, tmp_path)
    first.html("iot")
    monkeypatch.setattr("maps.pages.inputs_digest", lambda ctx: "changed code or layers")
    again = _pages(ctx, tmp_path)
    again.html("iot")
    assert len(list(first.page_dir.glob("iot-*.html"))) == 2


def test_one_build_per_page_when_requests_come_together(ctx, tmp_path):
    pages = _pages(ctx, tmp_path)
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(pages.html("parks")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and len({id(h) for h in got}) == 1  # the same string: built once


def test_background_preparation_builds_every_page_and_stops_on_request(
        ctx, demo_settings, site_store, coverage_data):
    from maps.coverage_data import SCENARIOS, CoverageSource
    from maps.registry import MAPS

    demo = ctx.with_settings(demo_settings)
    pages = MapPages(demo, CoverageSource(demo_settings, site_store, demo))
    assert pages.prepare_pages() == [  # the coverage map first (its input is the slow part)
        *(f"coverage@{y}" for y in SCENARIOS),
        *(n for n, s in MAPS.items() if not s.needs_coverage)]
    assert ("layout", "none", "") in pages._pages
    # the thread stops when asked, before it starts Chromium
    pages.start_background()
    pages.stop_background()
    assert pages.background_done(timeout=30)
    assert pages.prepare_thumbnails() == []


def test_without_a_coverage_source_the_other_pages_are_prepared(ctx, tmp_path):
    from maps.registry import MAPS

    assert _pages(ctx, tmp_path).prepare_pages() == [
        n for n, s in MAPS.items() if not s.needs_coverage]


def test_a_restart_answers_the_coverage_page_without_assembling_its_input(
        ctx, demo_settings, site_store, coverage_data, monkeypatch):
    """The coverage input (scorecard, gaps, sites, timeline: 1-2 s) is assembled only when
    the page has to be built; a new process with unchanged data reads the stored page."""
    import maps.coverage_data as coverage_module
    from maps.coverage_data import CoverageSource

    demo = ctx.with_settings(demo_settings)
    first = MapPages(demo, CoverageSource(demo_settings, site_store, demo))
    html = first.html("coverage", scenario=2025)
    assembled: list[int] = []
    real = coverage_module.coverage_map_data
    monkeypatch.setattr(coverage_module, "coverage_map_data",
                        lambda *a, **k: assembled.append(1) or real(*a, **k))
    again = MapPages(demo, CoverageSource(demo_settings, site_store, demo))
    assert again.html("coverage", scenario=2025) == html and assembled == []
    # a page not stored yet (another URL root) is built, so its input assembled
    again.html("coverage", root="/restart-test", scenario=2025)
    assert assembled == [1]


def test_a_stored_thumbnail_is_found_without_building_its_page(ctx, tmp_path, monkeypatch):
    """A restart must not rebuild every map (Python-heavy, holding the GIL while the first
    requests wait) just to learn that its thumbnail exists."""
    pages = _pages(ctx, tmp_path)
    key = pages._key("iot", "none", "inline", 2025, None)
    target = pages.thumbnail_dir / f"iot-{pages._page_digest(key)}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\x89PNG stored by an earlier process")

    def no_build(*args, **kwargs):
        raise AssertionError("the page was built although its thumbnail is stored")

    monkeypatch.setattr("maps.pages.page", no_build)
    assert _pages(ctx, tmp_path).thumbnail("iot") == target


def test_workers_on_one_data_dir_build_a_page_once(ctx, tmp_path, monkeypatch):
    """`serve --workers N` start together: each worker's MapPages asks for the same page at
    once; one builds it under the page's file lock and the others read what it stored."""
    import maps.pages as pages_module

    built: list[str] = []
    real = pages_module.page
    monkeypatch.setattr(pages_module, "page",
                        lambda name, *a, **k: built.append(name) or real(name, *a, **k))
    workers = [_pages(ctx, tmp_path) for _ in range(3)]
    got: list[str] = []
    threads = [threading.Thread(target=lambda w=w: got.append(w.html("iot"))) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == ["iot"] and len(got) == 3 and len(set(got)) == 1


def test_a_failed_preparation_at_start_does_not_stop_the_server(ctx, tmp_path, monkeypatch,
                                                                  caplog):
    pages = _pages(ctx, tmp_path)

    def broken(root: str = "") -> list[str]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pages, "prepare_pages", broken)
    assert pages.prepare_pages_now() == []
    assert "preparing the map pages at start failed" in caplog.text
