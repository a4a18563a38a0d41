"""The recommender's stated weights and limits (``ATLAS_RECOMMEND``, a JSON object).

Demand weights say how much one uncovered cell (or township point) of each kind is worth to
a new site; the greedy maximises the weighted demand it covers. Defaults: a township point
(must-cover, 乡镇全覆盖) 10, a main-urban cell (主城区) 3, a cell of a 全深度覆盖 county outside
its main urban area 1, any other cell 0 (the plan requires nothing there). New sites are
macro sites at the coverage model's radius for their setting (城区 within the seat circle,
else 乡村), as the coverage analysis would count them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_SITES = 100_000  # an absurd N is refused (400) above this
# What every output calls a recommendation and the caveat it carries (here, not in plan.py,
# so the map layer can say it without importing the planner and scipy at server start).
LABEL = "建议新增站址（模型建议）"
CAVEAT = ("模型建议：按覆盖圆盘的规划近似（非无线传播预测）贪心选址，新站按宏站、按所在位置"
          "城区/乡村半径计；现场勘察、选址审批后方可定址")


class RecommendWeights(BaseModel):
    """Weight of one uncovered unit of demand, by kind."""

    township: float = Field(10.0, ge=0, description="a township point (乡镇驻地), per point")
    main_urban: float = Field(3.0, ge=0, description="a main-urban (主城区) cell")
    full_depth_rest: float = Field(
        1.0, ge=0, description="a cell of a 全深度覆盖 county outside its main urban area")
    other: float = Field(0.0, ge=0, description="any other cell (not a required zone)")

    def describe(self) -> str:
        """The weights as one Chinese sentence (shown with every recommendation)."""
        return (f"需求权重：乡镇点位×{self.township:g}、主城区栅格×{self.main_urban:g}、"
                f"全深度覆盖区县其余栅格×{self.full_depth_rest:g}、其他栅格×{self.other:g}")


class RecommendSettings(BaseModel):
    """Weights, certificate effort and the background queue of the recommender."""

    weights: RecommendWeights = Field(default_factory=RecommendWeights)
    certificate_candidates: int = Field(
        150, ge=10, le=5_000,
        description="most candidates per county in the HiGHS certificate (plus the picks)")
    certificate_seconds: float = Field(
        0.25, gt=0, description="HiGHS MIP time limit per county (its LP bound: 10x)")
    queue_cap: int = Field(2, ge=1, le=64, description="recommendation runs waiting at most")
    keep_results: int = Field(32, ge=1, description="finished runs kept in memory")
