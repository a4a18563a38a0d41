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

REAL = "real"
SYNTHETIC_DEMO = "synthetic_demo"
AUTO = "auto"
CHOICES = (AUTO, REAL, SYNTHETIC_DEMO)
LABELS = {REAL: "运营商报送的真实站点", SYNTHETIC_DEMO: "合成演示数据（非真实站点）"}


def automatic(counts: pd.DataFrame) -> str:
    """``real`` when the store's grouped counts hold any real site, else ``synthetic_demo``."""
    if counts.empty:
        return SYNTHETIC_DEMO
    real = counts.loc[counts["synthetic"].astype(int) == 0, "n"].sum()
    return REAL if real > 0 else SYNTHETIC_DEMO


def resolve(counts: pd.DataFrame, requested: str = AUTO) -> str:
    """The basis to use for ``requested`` (``auto`` picks by what is stored)."""
    if requested not in CHOICES:
        raise InvalidParameterError(f"data_basis must be one of {', '.join(CHOICES)}",
                                    "data_basis")
    return automatic(counts) if requested == AUTO else requested


def of_basis(frame: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The rows of ``frame`` (sites or grouped counts, with a ``synthetic`` column) in
    ``basis``."""
    if frame.empty:
        return frame
    wanted = 1 if basis == SYNTHETIC_DEMO else 0
    return frame[frame["synthetic"].astype(int) == wanted]
