"""Which sites an aggregate is computed from: the synthetic demo, or operators' real sites.

A fresh install holds only the seeded demo inventory, which makes the first run useful.
As soon as one operator has stored a real site, every aggregate (county totals, scorecard,
coverage, maps) is computed from real sites only, so demo numbers never add to real ones;
the demo stays viewable on request (``data_basis=synthetic_demo``). Every aggregate says
which basis it used.
"""

from __future__ import annotations

import pandas as pd

from geo.errors import InvalidParameterError
from geo.inventory.vocab import OPERATORS

REAL = "real"
SYNTHETIC_DEMO = "synthetic_demo"
AUTO = "auto"
CHOICES = (AUTO, REAL, SYNTHETIC_DEMO)
LABELS = {REAL: "运营商报送的真实站点", SYNTHETIC_DEMO: "合成演示数据（非真实站点）"}
OPERATOR_PREFIX = "operator-"  # + operator code: one operator's own real sites


def operator_basis(operator: str) -> str:
    """The basis of one operator's own real sites (fine coverage an operator key may see)."""
    return OPERATOR_PREFIX + OPERATORS[operator]


def basis_operator(basis: str) -> str | None:
    """The operator of an operator basis, else None."""
    if not basis.startswith(OPERATOR_PREFIX):
        return None
    code = basis.removeprefix(OPERATOR_PREFIX)
    return next((name for name, c in OPERATORS.items() if c == code), None)


def label(basis: str) -> str:
    """Chinese description of a basis."""
    operator = basis_operator(basis)
    return f"{operator}自己的真实站点" if operator else LABELS[basis]


def automatic(counts: pd.DataFrame) -> str:
    """``real`` when the store's grouped counts hold any real site, else ``synthetic_demo``."""
    if counts.empty:
        return SYNTHETIC_DEMO
    real = counts.loc[counts["synthetic"].astype(int) == 0, "n"].sum()
    return REAL if real > 0 else SYNTHETIC_DEMO


def resolve(counts: pd.DataFrame, requested: str = AUTO) -> str:
    """The basis to use for ``requested`` (``auto`` picks by what is stored)."""
    if basis_operator(requested) is not None:
        return requested
    if requested not in CHOICES:
        raise InvalidParameterError(f"data_basis must be one of {', '.join(CHOICES)}",
                                    "data_basis")
    return automatic(counts) if requested == AUTO else requested


def resolve_for(store, requested: str = AUTO) -> str:
    """``resolve`` against ``store``, which is queried only when ``requested`` is ``auto``."""
    if requested == AUTO:
        return automatic(store.county_totals())
    return resolve(pd.DataFrame(), requested)


def of_basis(frame: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The rows of ``frame`` (sites or grouped counts, with a ``synthetic`` column) in
    ``basis``."""
    if frame.empty:
        return frame
    wanted = 1 if basis == SYNTHETIC_DEMO else 0
    keep = frame["synthetic"].astype(int) == wanted
    operator = basis_operator(basis)
    if operator is not None:
        keep &= frame["operator"] == operator
    return frame[keep]
