"""Site recommender time and memory: scoring, picks, certificates, re-plan, growth with N.

Usage: .venv/bin/python bench/recommend.py [--res 100 50] [--sites 100 1000 5000]
       .venv/bin/python bench/recommend.py --quick   (CI smoke run: 500 m, 50 sites)

Each resolution runs in a fresh interpreter over a fresh data dir holding the seeded
synthetic demo inventory (the coverage run itself is excluded: bench/coverage.py measures
it). Measured: building the demand (COG read, zone rasters), scoring the grid once by FFT
(the baseline of the ratios, measured in the same run), the next N sites for all 18
counties, HiGHS certificates for every county that got sites, and a re-plan after one site
edit (a new site added to the inventory: its disc is marked covered, only the scores it
changes are recomputed) both by the greedy afresh from the scored state and by replaying
the previous run (geo/coverage/recommend/replan.py), whose picks must be the same. Peak
memory is the child's maximum resident set. Targets (issue 13, this 2-core machine): 1,000
sites for all 18 counties <= 5 s, certificates for all counties <= 10 s, re-plan <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from geo.catalog import BuildContext
from geo.coverage.inputs import coverage_inputs, run_for
from geo.coverage.recommend.certificate import certify
from geo.coverage.recommend.config import RecommendSettings
from geo.coverage.recommend.demand import build_problem
from geo.coverage.recommend.greedy import Greedy
from geo.coverage.recommend.replan import Edit, replan
from geo.inventory.demo import seed_demo_if_empty
from geo.settings import AtlasSettings
from geo.store.sqlite import SqliteSiteStore
res, data_dir, ns = float(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
certs = int(sys.argv[4])
settings = AtlasSettings(data_dir=data_dir, coverage_resolution_m=res)
store = SqliteSiteStore(settings.store_path)
seed_demo_if_empty(store, settings)
ctx = BuildContext(settings)
inputs = coverage_inputs(ctx)
run = run_for(ctx, store, 2025, res, inputs=inputs)
config = RecommendSettings()
out = {"res": res}
t = time.perf_counter()
p = build_problem(settings, run, inputs.tiers, settings.coverage_model, config.weights,
                  inputs.townships)
out["demand_s"] = time.perf_counter() - t
out["cells"] = int(p.weight.size)
t = time.perf_counter()
scored = Greedy(p)
out["score_s"] = time.perf_counter() - t
out["picks"] = {}
for n in ns:
    g = scored.clone()
    t = time.perf_counter()
    picks = g.run(n)
    out["picks"][n] = [time.perf_counter() - t, len(picks)]
# the growth curve with every cell of 赣州 as demand (weight 1), so 5,000 sites have a gain
everywhere = config.weights.model_copy(update={"other": 1.0})
q = build_problem(settings, run, inputs.tiers, settings.coverage_model, everywhere,
                  inputs.townships)
dense = Greedy(q)
out["curve"] = {}
for n in ns:
    g = dense.clone()
    t = time.perf_counter()
    got = g.run(n)
    out["curve"][n] = [time.perf_counter() - t, len(got)]
del q, dense
main = ns[1] if len(ns) > 1 else ns[0]
final = scored.clone()
picks = final.run(main)
t = time.perf_counter()
counties = sorted({k.county for k in picks})[:certs]
got = [certify(p, picks, cid, config.certificate_candidates, config.certificate_seconds)
       for cid in counties]
out["cert_s"] = time.perf_counter() - t
out["cert_counties"] = len(got)
out["cert_min_ratio"] = min(c.ratio_pct for c in got if c and c.ratio_pct)
out["cert_min_all"] = min(c.ratio_all_candidates_pct for c in got
                          if c and c.ratio_all_candidates_pct)
x, y = p.centre(picks[0].row, picks[0].col)
edit = Edit(float(x), float(y), p.radii[picks[0].setting])  # the top site gets built
t = time.perf_counter()
g = scored.clone()
g.add_existing(edit.x, edit.y, edit.radius)
fresh = g.run(main)
out["replan_fresh_s"] = time.perf_counter() - t
t = time.perf_counter()
_, again, fast = replan(scored, final, picks, edit, main)
out["replan_s"] = time.perf_counter() - t
out["replan_sites"] = len(again)
out["replan_fast"] = fast
out["replan_same"] = [(k.row, k.col) for k in again] == [(k.row, k.col) for k in fresh]
far = picks[len(picks) // 2]
x, y = p.centre(far.row, far.col)
edit = Edit(float(x) + 9_000.0, float(y) + 9_000.0, 1_500.0)  # a site built elsewhere
t = time.perf_counter()
_, again, fast = replan(scored, final, picks, edit, main)
out["replan_elsewhere_s"] = time.perf_counter() - t
out["replan_elsewhere_fast"] = fast
g = scored.clone()
g.add_existing(edit.x, edit.y, edit.radius)
out["replan_elsewhere_same"] = [(k.row, k.col) for k in again] == \
    [(k.row, k.col) for k in g.run(main)]
busiest = max(counties, key=lambda cid: sum(k.county == cid for k in picks))
adcode = p.counties["adcode"].iloc[busiest - 1]
n_county = sum(k.county == busiest for k in picks)
t = time.perf_counter()
one = build_problem(settings, run, inputs.tiers, settings.coverage_model, config.weights,
                    inputs.townships, [adcode])
g = Greedy(one)
x, y = p.centre(picks[0].row, picks[0].col)
g.add_existing(float(x), float(y), p.radii[picks[0].setting])
g.run(n_county)
out["replan_county_s"] = time.perf_counter() - t
out["replan_county"] = [adcode, n_county]
out["cert_each"] = [[c.county, c.sites, c.ratio_pct, c.seconds, c.status] for c in got if c]
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(res: float, sites: list[int], certs: int) -> dict:
    """One resolution in a fresh interpreter and data dir."""
    with tempfile.TemporaryDirectory() as data_dir:
        done = subprocess.run([sys.executable, "-c", CHILD, str(res), data_dir,
                               json.dumps(sites), str(certs)],
                              capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the times per resolution, the growth with N and the ratio line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--res", type=float, nargs="+", default=[100, 50])
    parser.add_argument("--sites", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (checks the bench works, not the numbers): 500 m, "
                             "10 and 50 sites, certificates of 2 counties")
    args = parser.parse_args()
    resolutions, sites, certs = ([500.0], [10, 50], 2) if args.quick else \
        (args.res, args.sites, 18)
    first = None
    for res in resolutions:
        m = measure(res, sites, certs)
        first = first or m
        main_n = sites[1] if len(sites) > 1 else sites[0]
        print(f"\n{res:g} m: {m['cells']:,} cells in the chosen counties' box, "
              f"peak {m['peak_mb']:,.0f} MB")
        print(f"  demand (COG, zones)        {m['demand_s']:7.2f} s")
        print(f"  score the grid (FFT)       {m['score_s']:7.2f} s   baseline")
        for n, (sec, got) in m["picks"].items():
            print(f"  next {int(n):>6,} sites         {sec:7.2f} s   {sec / m['score_s']:6.2f}x"
                  f"   ({got:,} placed; fewer = nothing left to gain)")
        print(f"  certificates ({m['cert_counties']} counties)  {m['cert_s']:7.2f} s   "
              f"greedy >= {m['cert_min_ratio']:.2f} % of the HiGHS bound (reduced set), "
              f">= {m['cert_min_all']:.2f} % of the all-candidates bound")
        print(f"  re-plan, greedy afresh     {m['replan_fresh_s']:7.2f} s   (the top site "
              "built: its disc covered, all N sites placed again, all 18 counties)")
        print(f"  re-plan after 1 site edit  {m['replan_s']:7.2f} s   "
              f"{m['replan_s'] / m['replan_fresh_s']:6.2f}x of afresh   ({m['replan_sites']:,} "
              f"sites; replayed: {m['replan_fast']}; same picks as afresh: "
              f"{m['replan_same']})")
        print(f"  re-plan, a site elsewhere  {m['replan_elsewhere_s']:7.2f} s   "
              f"(replayed: {m['replan_elsewhere_fast']}, else greedy afresh; same picks as "
              f"afresh: {m['replan_elsewhere_same']})")
        code, n_county = m["replan_county"]
        print(f"  re-plan of its county      {m['replan_county_s']:7.2f} s   ({code}: demand, "
              f"scoring and {n_county} sites)")
        for n, (sec, got) in m["curve"].items():
            print(f"  curve, all cells demand: {int(n):>6,} sites {sec:7.2f} s   "
                  f"{sec / m['score_s']:6.2f}x   ({got:,} placed)")
        worst = sorted(m["cert_each"], key=lambda c: c[2] or 0)[:3]
        print("  lowest certificates (county id, sites, greedy/bound %, s, HiGHS): "
              + "; ".join(str(c) for c in worst))
        total = m["score_s"] + m["picks"][str(main_n)][0]
        print(f"  {main_n:,} sites for all 18 counties, scoring included: {total:.2f} s")
    assert first is not None
    main_n = str(sites[1] if len(sites) > 1 else sites[0])
    print(f"ratio {int(main_n):,} sites / grid scoring at {first['res']:g} m: "
          f"{first['picks'][main_n][0] / first['score_s']:.2f}x")


if __name__ == "__main__":
    main()
