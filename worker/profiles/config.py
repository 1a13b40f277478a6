"""The shape of roles.yaml, needs.yaml and interests.yaml. Unknown keys are errors.

Checks across values and files (duplicate roles, unknown areas or roles, a sample size on
a metric that has none) are in `profiles.rulefiles`, at the line of the offending value.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import Field, model_validator

from worker.rules.models import Key, Strict, Text

# What a criterion can measure. Per-area roles measure in the area where that makes sense
# (depth, tickets, CSAT...); the rest always describe the person (tenure, breadth).
Metric = Literal[
    "depth",
    "depth_percentile",
    "tickets",
    "solved",
    "tier3_tickets",
    "tier3_share",
    "csat",
    "mentoring_notes",
    "escalations_received",
    "tenure_months",
    "concentration",
    "breadth",
    "median_resolution_hours",
]
METRICS: tuple[str, ...] = Metric.__args__  # type: ignore[attr-defined]


class Specialist(Strict):
    """When an agent is called a specialist; everyone else with enough work is a generalist."""

    # share of the agent's depth in their top area...
    min_concentration: float = Field(default=0.4, ge=0, le=1)
    # ...and at most this share outside their three deepest areas: a generalist who takes
    # much of one busy area's queue still has work spread over all the others
    max_spread: float = Field(default=0.2, ge=0, le=1)
    # below this total depth there is too little recent work to tell ("emerging")
    min_depth: float = Field(default=5.0, ge=0)


class Scoring(Strict):
    # how much one ticket counts at each tier (role weights come from attribution.yaml)
    tier_weights: dict[int, float] = Field(default_factory=lambda: {1: 1.0, 2: 2.0, 3: 4.0})
    # an area counts in an agent's breadth when it holds at least this share of their depth
    breadth_min_share: float = Field(default=0.1, gt=0, le=1)
    # coverage: an area's experts are the active people with at least this share of the
    # depth of its deepest active person...
    expert_relative: float = Field(default=0.4, gt=0, le=1)
    # ...and at least this depth (about this many recent tier-1 tickets solved)
    expert_min_depth: float = Field(default=10.0, ge=0)
    specialist: Specialist = Specialist()
    # coverage: "rising" compares today's depth with the depth this many days ago
    growth_window_days: int = Field(default=90, ge=7, le=730)

    def tier_weight(self, tier: int) -> float:
        return self.tier_weights.get(tier, 1.0)

    def depth_digest(self) -> str:
        """What the stored depths depend on: a change forces a full profile rebuild."""
        content = json.dumps(sorted(self.tier_weights.items()), separators=(",", ":"))
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


class Criterion(Strict):
    metric: Metric
    # exactly one of min (at least) and max (at most)
    min: float | None = None
    max: float | None = None
    # csat only: fewer ratings than this and the criterion is not met, whatever the score
    min_sample: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_bound(self) -> Criterion:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of `min` and `max`")
        return self

    @property
    def threshold(self) -> float:
        value = self.min if self.min is not None else self.max
        assert value is not None
        return value

    @property
    def at_least(self) -> bool:
        return self.min is not None


class Role(Strict):
    key: Key
    name: Text
    description: str | None = None
    # embedded roles: nominees are ranked per area, and area metrics are measured there
    per_area: bool = False
    criteria: list[Criterion] = Field(min_length=1)
    # how many people who meet every criterion to name (per area for per-area roles)
    nominees: int = Field(default=5, ge=1, le=50)
    # how many of the next people in line to show with their growth path
    next_in_line: int = Field(default=5, ge=0, le=50)


class RolesFile(Strict):
    scoring: Scoring = Scoring()
    roles: list[Role] = []


class Need(Strict):
    area: Key
    # the area needs someone in this role (usually an embedded one)...
    role: Key | None = None
    # ...and/or at least this many experts
    min_experts: int | None = Field(default=None, ge=1)
    why: str | None = None

    @model_validator(mode="after")
    def _says_what(self) -> Need:
        if self.role is None and self.min_experts is None:
            raise ValueError("say what the area needs: `role`, `min_experts` or both")
        return self


class NeedsFile(Strict):
    needs: list[Need] = []


AgentRef = Annotated[int | Text, Field(union_mode="left_to_right")]


class Interest(Strict):
    # the agent's Zendesk user id or email address
    agent: AgentRef
    areas: list[Key] = []
    roles: list[Key] = []

    @model_validator(mode="after")
    def _says_what(self) -> Interest:
        if not self.areas and not self.roles:
            raise ValueError("give `areas`, `roles` or both")
        return self


class InterestsFile(Strict):
    interests: list[Interest] = []


ROLES, NEEDS, INTERESTS = "roles.yaml", "needs.yaml", "interests.yaml"
FILE_MODELS: dict[str, type[Strict]] = {
    ROLES: RolesFile,
    NEEDS: NeedsFile,
    INTERESTS: InterestsFile,
}
