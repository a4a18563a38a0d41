"""Whose network a recommendation plans against, and the target quotas it stops at.

A planner (or the CLI) plans against all sites of the requested basis (``auto``: real ones
once any exist). An operator always plans against its **own** sites (coverage of its own
network, its sites fixed): a recommendation computed from other operators' coverage would
steer around their sites and so reveal where they are (docs/security.md). What an operator
may choose is the *count* its ``to_target`` quotas start from: ``own`` (its own sites on
air) or ``public_aggregate`` (every operator's sites on air per county, which the public
``base_station_totals`` shows anyway).
"""

from __future__ import annotations

from geo.coverage.recommend.needs import target_gaps
from geo.coverage.targets import TARGET_YEARS, allocate_fiveg, effective_targets
from geo.errors import InvalidParameterError
from geo.inventory.basis import AUTO, of_basis, operator_basis, resolve
from geo.inventory.totals import county_totals
from geo.inventory.vocab import OPERATORS

OWN, PUBLIC_AGGREGATE = "own", "public_aggregate"
AGAINST = (OWN, PUBLIC_AGGREGATE)


def check_operator(operator: str | None) -> str | None:
    """``operator`` if it is one of the vocabulary's operators (400 otherwise)."""
    if operator is not None and operator not in OPERATORS:
        raise InvalidParameterError(f"operator 须为 {'、'.join(OPERATORS)} 之一 (unknown "
                                    f"operator {operator!r})", "operator")
    return operator


def bases(store, operator: str | None, against: str = OWN,
          requested: str = AUTO) -> tuple[str, str]:
    """(basis of the coverage planned against, basis the quotas count sites of)."""
    if against not in AGAINST:
        raise InvalidParameterError(f"against must be one of {', '.join(AGAINST)}", "against")
    if operator is None:
        used = resolve(store.county_totals(), requested)
        return used, used
    own = operator_basis(check_operator(operator) or operator)
    return own, own if against == OWN else resolve(store.county_totals(), AUTO)


def quotas(ctx, store, year: int, count_basis: str) -> dict[str, int]:
    """{adcode: new sites to reach ``year``'s target} counting the sites of ``count_basis``."""
    if year not in TARGET_YEARS:
        raise InvalidParameterError("the plan sets targets for 2023 and 2025 only",
                                    "to_target")
    counties = ctx.result("counties").gdf
    targets = effective_targets(allocate_fiveg(counties, ctx.settings.allocation),
                                store.target_overrides())
    totals = county_totals(of_basis(store.county_totals(), count_basis))
    return target_gaps(targets, totals["status_on_air"])[year]
