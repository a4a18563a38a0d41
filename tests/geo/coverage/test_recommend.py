"""The site recommender: known optima, the HiGHS bound, spopt, and the real counties."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundaries import ganzhou_counties
from geo.coverage.analysis import FULL_DEPTH_TIER, all_sites, tiered_counties, zone_rasters
from geo.coverage.inputs import coverage_inputs, run_for
from geo.coverage.model import site_radii, to_metric
from geo.coverage.raster import Grid, serving_counts
from geo.coverage.recommend.certificate import (
    _coverage_matrix,
    _groups,
    certify,
    solve_mclp,
)
from geo.coverage.recommend.config import RecommendSettings
from geo.coverage.recommend.demand import RURAL, Problem, disc
from geo.coverage.recommend.export import to_csv, to_kml, to_xlsx, write_file
from geo.coverage.recommend.greedy import Greedy
from geo.coverage.recommend.needs import full_coverage_needs, target_gaps
from geo.coverage.recommend.plan import Mode, recommend
from geo.coverage.recommend.replan import Edit, replan, replay
from geo.errors import InvalidParameterError, ResourceNotFoundError
from geo.inventory.demo import seed_demo_if_empty
from geo.settings import AtlasSettings
from geo.store.sqlite import SqliteSiteStore

RES = 100.0


def synthetic(weight: np.ndarray, radius: float = 500.0) -> Problem:
    """One county over the whole array, every cell a rural candidate of ``radius``."""
    h, w = weight.shape
    ones = np.ones((h, w), dtype=bool)
    counties = pd.DataFrame({"id": [1], "adcode": ["360702"], "name": ["测试"],
                             "fiveg_tier": [FULL_DEPTH_TIER], "seat_x": [0.0],
                             "seat_y": [0.0]})
    return Problem(Grid(0.0, h * RES, RES, w, h), weight.astype(np.float32), weight > 0,
                   np.zeros((h, w), dtype=bool), np.ones((h, w), dtype=np.uint8), ones,
                   np.full((h, w), RURAL, dtype=np.uint8), (radius, radius), counties, (1,),
                   np.where(weight > 0, 2, 0).astype(np.uint8))


def blobs(k: int, shape=(120, 160), seed=1) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``k`` disjoint discs of demand (radius 4 cells, well apart) on a grid."""
    rng = np.random.default_rng(seed)
    weight = np.zeros(shape)
    kernel = disc(4.0)
    centres: list[tuple[int, int]] = []
    while len(centres) < k:
        r, c = int(rng.integers(10, shape[0] - 10)), int(rng.integers(10, shape[1] - 10))
        if all(abs(r - a) > 22 or abs(c - b) > 22 for a, b in centres):
            centres.append((r, c))
            weight[r - 4:r + 5, c - 4:c + 5][kernel] = rng.integers(1, 4)
    return weight, centres


@pytest.mark.parametrize("k", [1, 4, 9])
def test_k_disjoint_blobs_greedy_covers_all_k_with_k_sites(k):
    weight, centres = blobs(k)
    p = synthetic(weight, 400.0)  # 4 cells: only a blob's centre covers all of it
    picks = Greedy(p).run(k + 5)
    assert len(picks) == k  # then nothing is left to gain: the greedy stops by itself
    assert sum(x.gain for x in picks) == pytest.approx(weight.sum())
    assert sorted((x.row, x.col) for x in picks) == sorted(centres)  # each blob's centre


def test_replan_after_one_site_edit_drops_what_the_site_covers():
    weight, centres = blobs(3)
    p = synthetic(weight, 400.0)
    before = Greedy(p)
    after = before.clone()
    r, c = centres[0]
    x, y = p.centre(r, c)
    after.add_existing(float(x), float(y), 400.0)
    assert len(after.run(10)) == 2 and len(before.run(10)) == 3  # the clone is independent


def _scattered(seed: int = 5) -> Problem:
    rng = np.random.default_rng(seed)
    weight = (rng.random((90, 110)) < 0.25) * rng.integers(1, 6, (90, 110)).astype(float)
    weight += rng.random((90, 110)) * 1e-2 * (weight > 0)  # no exact ties between sites
    p = synthetic(weight, 300.0)
    inner = np.zeros_like(p.candidate)
    inner[4:-4, 4:-4] = True  # a disc of a candidate stays on the grid (as build_problem's)
    return dataclasses.replace(p, candidate=inner)


def _fresh(p: Problem, edit: Edit, limit: int, quotas=None):
    g = Greedy(p, quotas)
    g.add_existing(edit.x, edit.y, edit.radius)
    return g.run(limit)


@pytest.mark.parametrize("where", ["first_pick", "far_away", "fifth_pick", "cuts_a_disc"])
@pytest.mark.parametrize("quotas", [None, {1: 12}])
def test_replan_after_a_site_edit_equals_a_fresh_greedy(where, quotas):
    p = _scattered()
    limit = 12
    initial = Greedy(p, quotas)
    final = initial.clone()
    picks = final.run(limit)
    assert len(picks) == limit
    k = {"first_pick": picks[0], "fifth_pick": picks[4], "cuts_a_disc": picks[2],
         "far_away": picks[0]}[where]
    x, y = (float(v) for v in p.centre(k.row, k.col))
    edit = {"first_pick": Edit(x, y, 300.0), "fifth_pick": Edit(x, y, 300.0),
            "cuts_a_disc": Edit(x + 250.0, y, 150.0),
            "far_away": Edit(-50_000.0, -50_000.0, 300.0)}[where]
    before = final.weight.copy()
    state, again, fast = replan(initial, final, picks, edit, limit)
    fresh = _fresh(p, edit, limit, quotas)
    assert [(a.rank, a.row, a.col) for a in again] == [(a.rank, a.row, a.col) for a in fresh]
    assert [a.gain for a in again] == pytest.approx([a.gain for a in fresh])
    assert fast == (where != "cuts_a_disc")  # a partly cut disc: the runs part ways
    assert np.array_equal(final.weight, before)  # the previous state is left untouched
    assert state.weight.sum() == pytest.approx(_state_after(p, edit, fresh, quotas).sum())
    if where == "cuts_a_disc":
        assert replay(final, picks, edit, limit) is None


def _state_after(p, edit, picks, quotas):
    g = Greedy(p, quotas)
    g.add_existing(edit.x, edit.y, edit.radius)
    g.run(len(picks))
    return g.weight


def test_replan_to_more_sites_continues_the_ranks_and_refuses_fewer():
    p = _scattered()
    initial = Greedy(p)
    final = initial.clone()
    picks = final.run(8)
    for edit in (Edit(-50_000.0, -50_000.0, 300.0),  # off the grid
                 Edit(*(float(v) for v in p.centre(picks[0].row, picks[0].col)), 300.0)):
        _, again, fast = replan(initial, final, picks, edit, 12)
        assert fast
        assert [(a.rank, a.row, a.col) for a in again] == \
            [(a.rank, a.row, a.col) for a in _fresh(p, edit, 12)]
    assert replay(final, picks, edit, 5) is None  # fewer sites: the greedy afresh
    _, again, fast = replan(initial, final, picks, edit, 5)
    assert not fast and [(a.row, a.col) for a in again] == \
        [(a.row, a.col) for a in _fresh(p, edit, 5)]


def test_replan_reopens_a_county_whose_quota_had_a_site_dropped():
    p = _scattered(7)
    initial = Greedy(p, {1: 6})
    final = initial.clone()
    picks = final.run(50)
    assert len(picks) == 6 and not final.open_county[1]  # the quota closed the county
    x, y = (float(v) for v in p.centre(picks[1].row, picks[1].col))
    edit = Edit(x, y, 300.0)
    _, again, fast = replan(initial, final, picks, edit, 50)
    assert fast and len(again) == 6
    assert [(a.row, a.col) for a in again] == [(a.row, a.col) for a in _fresh(p, edit, 50,
                                                                               {1: 6})]


def test_highs_bound_is_at_least_the_greedy_and_the_ip_at_least_as_good():
    rng = np.random.default_rng(3)
    weight = (rng.random((60, 60)) < 0.3) * rng.integers(1, 5, (60, 60))
    p = synthetic(weight, 300.0)
    picks = Greedy(p).run(6)
    cert = certify(p, picks, 1, candidates=200, seconds=2.0)
    assert cert is not None and cert.sites == 6
    assert cert.bound >= cert.greedy_value - 1e-6
    assert cert.optimum_found >= cert.greedy_value - 1e-6  # started from the greedy
    assert cert.bound_all_candidates >= cert.greedy_value
    assert 60 <= cert.ratio_pct <= 100


def test_mclp_agrees_with_spopt():
    """HiGHS on our aggregated program and PySAL spopt's MCLP give the same optimum."""
    import pulp
    from spopt.locate import MCLP

    rng = np.random.default_rng(11)
    weight = (rng.random((14, 14)) < 0.35) * rng.integers(1, 6, (14, 14)).astype(float)
    p = synthetic(weight, 250.0)
    h, w = weight.shape
    pool = np.arange(h * w)  # every cell a candidate
    cover = _coverage_matrix(p, weight, pool, slice(0, h), slice(0, w))
    matrix, group_w = _groups(cover, weight)
    found, bound, status = solve_mclp(matrix, group_w, 3, 30.0)
    assert status == "Optimal"

    demand = np.argwhere(weight > 0)
    cells = np.argwhere(np.ones((h, w)))
    cost = np.hypot(*(demand[:, None, :] - cells[None, :, :]).transpose(2, 0, 1)) * RES
    mclp = MCLP.from_cost_matrix(cost, weight[weight > 0], service_radius=250.0 + 1e-6,
                                 p_facilities=3)
    mclp.solve(pulp.PULP_CBC_CMD(msg=False))
    spopt_value = pulp.value(mclp.problem.objective)
    assert found == pytest.approx(spopt_value)
    assert bound == pytest.approx(spopt_value, rel=1e-4)


# ------------------------------------------------------------- real counties, demo sites

COUNTIES = ["360702", "360722", "360781"]  # 全深度覆盖, 主城区连续覆盖 x2


@pytest.fixture(scope="module")
def real(tmp_path_factory, ctx):
    settings = AtlasSettings(data_dir=tmp_path_factory.mktemp("rec"))
    store = SqliteSiteStore(settings.store_path)
    seed_demo_if_empty(store, settings)
    inputs = coverage_inputs(ctx)
    run = run_for(ctx, store, 2025, inputs=inputs)
    rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                    Mode("sites", sites=40), inputs.townships, COUNTIES)
    return settings, store, inputs, run, rec


def test_greedy_within_98_pct_of_the_highs_bound_on_real_counties(real):
    *_, rec = real
    certs = [c for c in rec.counties["certificate"] if c is not None]
    assert len(certs) >= 2
    for c in certs:
        assert c["bound"] is not None and c["bound"] >= c["greedy_value"] - 1e-6
        assert c["ratio_pct"] >= 98.0, c


def test_picks_inside_their_county_with_a_positive_gain(real):
    settings, *_, rec = real
    sites = rec.sites
    assert len(sites) == 40 and list(sites["rank"]) == list(range(1, 41))
    assert (sites["gain_weight"] > 0).all()
    assert set(sites["adcode"]) <= set(COUNTIES)
    polygons = ganzhou_counties(settings).set_index("adcode").geometry
    for r in sites.itertuples():
        assert polygons[r.adcode].contains(shapely.Point(r.lon, r.lat)), r
    gains = sites["gain_weight"].to_numpy()
    assert (np.diff(gains) <= 1e-6).all()  # marginal gains never grow (submodular)


def test_recomputed_coverage_equals_the_predicted_coverage(real):
    """Add the recommended sites to the inventory, rasterise again, compare."""
    settings, store, inputs, run, rec = real
    existing = all_sites(store, run.stats["data_basis"])
    new = pd.DataFrame({"lon": rec.sites["lon"], "lat": rec.sites["lat"], "type": "macro",
                        "status": "on_air", "county_adcode": rec.sites["adcode"],
                        "band": None})
    sites = pd.concat([existing[new.columns], new], ignore_index=True)
    counties = tiered_counties(settings, inputs.tiers)
    grid = Grid.covering(tuple(counties.total_bounds), RES)
    seats = dict(zip(counties["adcode"], zip(counties["seat_x"], counties["seat_y"],
                                             strict=True), strict=True))
    radius, _ = site_radii(sites, seats, settings.coverage_model)
    counts = serving_counts(grid, *to_metric(sites["lon"], sites["lat"]), radius)
    county_id, urban = zone_rasters(grid, counties, settings.coverage_model)
    for r in rec.counties.itertuples():
        k = int(np.flatnonzero(counties["adcode"] == r.adcode)[0]) + 1
        zone = (county_id == k) if r.fiveg_tier == FULL_DEPTH_TIER else (urban == k)
        pct = 100 * (counts[zone] > 0).mean()
        assert pct == pytest.approx(r.coverage_after_pct, abs=0.5), r.county
    last = rec.sites.groupby("adcode")["county_coverage_pct"].last()
    for r in rec.counties.itertuples():
        if r.adcode in last:
            assert last[r.adcode] == pytest.approx(r.coverage_after_pct, abs=0.01)


def test_to_target_stops_at_each_county_quota(real):
    settings, store, inputs, run, _ = real
    # 章贡区 lies inside 赣县区/南康区: picks next to its border must not reopen it
    quotas = {"360722": 3, "360781": 0, "360702": 2, "360704": 25, "360703": 25}
    rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                    Mode("to_target", quotas=quotas, year=2025), inputs.townships,
                    list(quotas), certificates=False)
    got = dict(zip(rec.counties["adcode"], rec.counties["sites_recommended"], strict=True))
    assert got == quotas
    assert "360781" not in set(rec.sites["adcode"])


def test_full_coverage_needs_cover_every_required_zone(real):
    settings, store, inputs, run, _ = real
    config = RecommendSettings()
    rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                    Mode("to_full_coverage"), inputs.townships, ["360722", "360781"],
                    config=config, certificates=False)
    assert (rec.counties["coverage_after_pct"] == 100.0).all()
    assert (rec.counties["sites_recommended"] > 0).all()
    needs = full_coverage_needs(settings, run, inputs, config)
    assert len(needs) == 18 and all(v >= 0 for v in needs.values())


def test_township_points_are_must_cover_demand(real):
    settings, store, inputs, run, rec = real
    if inputs.townships is None or not len(inputs.townships):
        pytest.skip("no township points in this checkout")
    weights = RecommendSettings().weights.model_copy(update={"township": 10_000.0})
    rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                    Mode("sites", sites=3), inputs.townships, ["360730"],
                    config=RecommendSettings(weights=weights), certificates=False)
    # 宁都县 has uncovered positioned townships outside its main urban area (weight 0 there)
    assert (rec.sites["townships_covered"] > 0).all()
    assert rec.sites["demand_type"].str.contains("乡镇点位").all()


def test_target_gaps_are_target_minus_on_air():
    targets = pd.DataFrame({"target_2023": [10, 5], "target_2025": [20, 5]},
                           index=["a", "b"])
    gaps = target_gaps(targets, pd.Series({"a": 12}))
    assert gaps == {2023: {"a": 0, "b": 5}, 2025: {"a": 8, "b": 5}}


def test_bad_input_is_refused(real):
    settings, store, inputs, run, _ = real
    def go(mode=None, counties=None, mask=None):
        return recommend(settings, run, inputs.tiers, settings.coverage_model,
                         mode or Mode("sites", sites=1), None, counties, mask,
                         certificates=False)
    with pytest.raises(ResourceNotFoundError):
        go(counties=["999999"])
    for n in (0, -1, 100_001):
        with pytest.raises(InvalidParameterError):
            Mode("sites", sites=n)
    far = {"type": "Polygon", "coordinates": [[[100, 30], [101, 30], [101, 31], [100, 30]]]}
    with pytest.raises(InvalidParameterError):
        go(mask=far)
    with pytest.raises(InvalidParameterError):
        go(mask={"type": "Point", "coordinates": [114.9, 25.8]})
    with pytest.raises(InvalidParameterError):
        go(mask={"type": "Polygon", "coordinates": "nonsense"})


def test_picks_stay_inside_the_mask(real):
    settings, store, inputs, run, _ = real
    box = shapely.box(114.85, 25.75, 115.0, 25.9)
    rec = recommend(settings, run, inputs.tiers, settings.coverage_model,
                    Mode("sites", sites=5), None, ["360702"],
                    shapely.geometry.mapping(box), certificates=False)
    assert len(rec.sites) == 5
    assert all(box.buffer(0.001).contains(shapely.Point(x, y))
               for x, y in zip(rec.sites["lon"], rec.sites["lat"], strict=True))


def test_exports_have_chinese_headers_and_field_names(real, tmp_path):
    from openpyxl import load_workbook

    *_, rec = real
    csv = to_csv(rec).decode("utf-8-sig").splitlines()
    assert csv[0].startswith("排名(rank),区县代码(adcode)") and len(csv) == 41
    book = load_workbook(io.BytesIO(to_xlsx(rec, rec.about)))
    sheet = book["建议新增站址"]
    assert sheet["A1"].value == "排名" and sheet["A2"].value == "rank"
    assert {"区县汇总", "说明"} <= set(book.sheetnames)
    assert to_kml(rec).count(b"<Placemark") == 40
    out = tmp_path / "r.geojson"
    write_file(rec, out)
    doc = json.loads(out.read_text("utf-8"))
    assert len(doc["features"]) == 40 and doc["name"] == "建议新增站址（模型建议）"
    assert "coverage_fingerprint" not in doc["about"]
