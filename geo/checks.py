"""Everything ``ganzhou-atlas data check`` verifies, as one list of problems.

Four families: the boundary files (checksums, geometry invariants), the offline basemap's
files (checksums against data/basemap/README.md, each layer conforms to its schema), the plan
data (seed copies match their recorded checksums, every citation points at real seed lines
that contain its quote) and the layers (each one builds and conforms to its declared schema);
beside the boundaries, the township list (checksum against data/townships/README.md, 310
unique codes in their counties, every positioned township inside its county polygon).
"""

from __future__ import annotations

import hashlib

from geo import boundaries
from geo.catalog import BuildContext
from geo.errors import AtlasError
from geo.layers import townships
from geo.settings import AtlasSettings
from geo.tiles.basemap import basemap_results, checksum_problems


def plan_problems(ctx: BuildContext) -> list[str]:
    """Check seed checksums and every citation in ``data/plan``."""
    problems = []
    for source in ctx.plan.sources:
        path = ctx.seeds.seeds_dir / source.file
        if not path.exists():
            problems.append(f"seed copy missing: {source.file}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != source.sha256:
            problems.append(f"seed copy differs from sources.yaml: {source.file}")
    for stem, citation in ctx.plan.all_citations():
        problem = ctx.seeds.problem(citation)
        if problem:
            problems.append(f"plan/{stem}.yaml {problem}")
    return problems


def layer_problems(ctx: BuildContext) -> list[str]:
    """Build every layer; report any that fails or breaks its schema."""
    from geo.layers import LAYERS

    problems = []
    for name in LAYERS:
        try:
            ctx.result(name)
        except AtlasError as exc:
            errors = exc.extensions.get("errors", [])
            problems.append(f"layer {name}: {exc.detail} {errors}".strip())
    return problems


def basemap_problems(ctx: BuildContext) -> list[str]:
    """The basemap files match their README checksums and build as their schemas declare."""
    problems = checksum_problems(ctx.settings)
    if problems:
        return problems
    try:
        basemap_results(ctx)
    except AtlasError as exc:
        problems.append(f"basemap: {exc.detail} {exc.extensions.get('errors', [])}".strip())
    return problems


def run_all(settings: AtlasSettings) -> list[str]:
    """Run every data check and return all problems found."""
    ctx = BuildContext(settings)
    problems = boundaries.check(settings) + basemap_problems(ctx) + townships.check(settings)
    try:
        problems += plan_problems(ctx)
    except AtlasError as exc:
        return [*problems, exc.detail]
    return problems + layer_problems(ctx)
