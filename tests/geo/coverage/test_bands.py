"""Per-band coverage: each band's sites at its radius, in runs of their own.

The same positions carry an n28 and an n78 site (and one site has no band), so any
difference between the band views comes from the band rule alone.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo.coverage.analysis import run_coverage, run_folder
from geo.coverage.holder import CoverageHolder
from geo.coverage.model import (
    ALL_BANDS,
    BAND_CHOICES,
    DEFAULT_BAND_FACTORS,
    CoverageModel,
    band_factor,
    site_radii,
)
from geo.errors import InvalidParameterError
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo
from geo.store.sqlite import SqliteSiteStore

RES = 500.0  # coarse: the band rule, not the raster, is under test
# rural points (10-26 km from the seats) in 赣县区, 安远县, 宁都县, 上犹县
POSITIONS = [(115.133, 25.855), (115.412, 25.249), (115.999, 26.617), (114.321, 25.938)]
TIERS = {"360702": "全深度覆盖"}
PARKS = pd.DataFrame(columns=["id", "name", "lon", "lat", "county_adcode"])


def _csv() -> bytes:
    rows = ["site_id,lon,lat,type,band,status"]
    for i, (lon, lat) in enumerate(POSITIONS):
        rows += [f"L{i},{lon},{lat},macro,n28,on_air", f"M{i},{lon},{lat},macro,n78,on_air"]
    rows.append("X0,115.173,24.814,macro,,on_air")  # 定南县, no band: in `all` only
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    settings = AtlasSettings(data_dir=tmp_path_factory.mktemp("bands"), demo_inventory=False)
    store = SqliteSiteStore(settings.store_path)
    import_inventory(store, _csv(), BatchInfo("中国移动", "t", "cli"),
                     CountyLocator.for_region(settings), 100)
    return settings, store


def _covered_km2(run) -> float:
    return sum(c["covered_area_km2"] for c in run.stats["counties"])


def test_default_factors_follow_the_stated_path_loss_rule():
    # 3GPP TR 38.901 UMa NLOS: d ~ fc^(-20/39.08), relative to n78 at 3.5 GHz
    assert DEFAULT_BAND_FACTORS["n78"] == 1.0
    assert DEFAULT_BAND_FACTORS["n28"] == band_factor(773) == 2.17
    order = sorted(DEFAULT_BAND_FACTORS, key=DEFAULT_BAND_FACTORS.get, reverse=True)
    assert order == ["n28", "n1", "n41", "n77", "n78", "n79"]
    assert BAND_CHOICES == (ALL_BANDS, "n1", "n28", "n41", "n77", "n78", "n79")
    text = CoverageModel().describe("n28")
    assert "n28" in text and "2.17" in text and "假设" in text and "38.901" in text


def test_a_partial_override_keeps_the_other_defaults_and_unknown_bands_are_refused():
    model = CoverageModel(band_factors={"n28": 1.8})
    assert model.band_factors["n28"] == 1.8 and model.band_factors["n1"] == 1.29
    with pytest.raises(ValueError):
        CoverageModel(band_factors={"n99": 2.0})
    with pytest.raises(InvalidParameterError):
        model.factor("n99")


def test_site_radii_count_only_the_bands_sites():
    sites = pd.DataFrame({"lon": [115.3] * 3, "lat": [25.6] * 3, "type": ["macro"] * 3,
                          "status": ["on_air"] * 3, "band": ["n28", "n78", None],
                          "county_adcode": ["360722"] * 3})
    model = CoverageModel()
    assert site_radii(sites, {}, model)[0].tolist() == [2000, 2000, 2000]
    assert site_radii(sites, {}, model, "n28")[0].tolist() == [4340, 0, 0]
    assert site_radii(sites, {}, model, "n78")[0].tolist() == [0, 2000, 0]
    both = CoverageModel(band_radii_in_all=True)
    assert site_radii(sites, {}, both)[0].tolist() == [4340, 2000, 2000]


def test_n28_covers_more_than_n78_from_the_same_positions_in_runs_of_their_own(stored):
    settings, store = stored
    runs = {band: run_coverage(settings, store, TIERS, PARKS, 2025, RES, band=band)
            for band in (ALL_BANDS, "n28", "n78")}
    n28, n78, every = (_covered_km2(runs[b]) for b in ("n28", "n78", ALL_BANDS))
    # four discs each: (2000 m x 2.17)^2 / (2000 m)^2 = 4.7 times the area
    assert n28 > 4 * n78 > 0
    assert runs["n28"].stats["sites_used"] == runs["n78"].stats["sites_used"] == 4
    assert runs[ALL_BANDS].stats["sites_used"] == 9  # the band-less site too
    assert every > n78  # all: the n78 discs plus the band-less site's
    fingerprints = {r.stats["fingerprint"] for r in runs.values()}
    folders = {r.folder for r in runs.values()}
    assert len(fingerprints) == len(folders) == 3  # never mixed
    assert runs["n28"].folder.parent == run_folder(settings.data_dir, 2025, RES, "real", "n28")
    assert runs[ALL_BANDS].folder.parent == run_folder(settings.data_dir, 2025, RES, "real")
    assert runs["n28"].stats["band"] == "n28" and runs["n28"].stats["band_factor"] == 2.17
    assert "仅 n28 频段站点" in runs["n28"].stats["model_text"]
    # the reuse is per band: asking again returns the same run, not another band's
    assert run_coverage(settings, store, TIERS, PARKS, 2025, RES, band="n28").folder == \
        runs["n28"].folder


class _Ctx:
    """The session's build context with a private data dir (the holder writes runs there)."""

    def __init__(self, ctx, settings) -> None:
        self.plan, self.result, self.settings = ctx.plan, ctx.result, settings


def test_the_holder_keys_runs_by_band(stored, ctx):
    settings, store = stored
    holder = CoverageHolder(_Ctx(ctx, settings.model_copy(
        update={"coverage_resolution_m": RES})), store)  # type: ignore[arg-type]
    try:
        n28 = holder.wait(2025, "real", "n28")
        n78 = holder.wait(2025, "real", "n78")
        assert n28.run.stats["band"] == "n28" and n78.run.stats["band"] == "n78"
        assert n28.run.folder != n78.run.folder
        assert holder.get(2025, "real", "n28").run.folder == n28.run.folder
        assert {k[2] for k in holder._runs} == {"n28", "n78"}
        with pytest.raises(InvalidParameterError):
            holder.get(2025, "real", "n5")
    finally:
        holder.close()
