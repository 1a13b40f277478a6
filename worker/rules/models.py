"""The shape of the three rule files. Unknown keys are errors: a typo must never be ignored.

Checks that need more than one value at a time (duplicates, references, thresholds) are in
`crosscheck`, which reports them at the exact line of the offending value.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
)

from worker.rules.patterns import check_pattern
from worker.rules.sources import SOURCES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_text(value: Any) -> Any:
    """YAML reads `- 404` or `- 2.0` as numbers; tags and values are text all the same."""
    if isinstance(value, bool):
        return value  # `yes`/`no` as a tag is almost surely a mistake; let it fail
    if isinstance(value, int | float):
        return str(value)
    return value


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, BeforeValidator(_as_text), AfterValidator(_not_blank)]
Pattern = Annotated[str, AfterValidator(check_pattern)]
Key = Annotated[
    str,
    Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
]
# a group, field, brand or form is named by its Zendesk id or (groups, fields) by its name
Ref = Annotated[int | Text, Field(union_mode="left_to_right")]
TextPart = Literal["subject", "description"]


def _known_source(name: str) -> str:
    if name not in SOURCES:
        close = difflib.get_close_matches(name, SOURCES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; one of: {', '.join(SOURCES)}"
        raise ValueError(f"unknown source {name!r}{hint}")
    return name


SourceName = Annotated[str, AfterValidator(_known_source)]


class TagCondition(Strict):
    any: list[Text] | None = None
    all: list[Text] | None = None
    none: list[Text] | None = None


class FieldCondition(Strict):
    field: Ref
    # the field's value is one of these (for multi-select fields: any of its values is)
    in_: list[Text] = Field(alias="in", min_length=1)


class Matcher(Strict):
    """Every condition written in one matcher must hold."""

    tags: TagCondition | None = None
    custom_field: FieldCondition | None = None
    group: list[Ref] | None = None
    brand: list[int] | None = None
    form: list[int] | None = None
    channel: list[Text] | None = None
    keywords: list[Text] | None = None
    patterns: list[Pattern] | None = None
    # where keywords and patterns look
    search_in: list[TextPart] = Field(default=["subject", "description"], min_length=1)
    # best_match and multi modes: how much this matcher adds to its area's score
    weight: float = Field(default=1.0, gt=0)


class Area(Strict):
    key: Key
    name: Text
    description: str | None = None
    # the area matches when any matcher here matches...
    when: list[Matcher] = []
    # ...and no matcher here does
    unless: list[Matcher] = []


class AreasFile(Strict):
    # first_match: the first area (top to bottom) with a matching matcher
    # best_match: the one area whose matching matchers weigh most (ties: the earlier area)
    # multi: every matching area, sharing the ticket in proportion to matched weight
    mode: Literal["first_match", "best_match", "multi"] = "first_match"
    fallback: Key
    # multi mode: areas with a smaller share of the ticket are dropped
    min_share: float | None = Field(default=None, ge=0, le=1)
    areas: list[Area] = Field(min_length=1)


class Condition(Strict):
    """A feature's test; which keys apply depends on what the source measures."""

    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    eq: float | None = None
    present: StrictBool | None = None
    in_: list[Text] | None = Field(default=None, alias="in")
    any: list[Text] | None = None
    all: list[Text] | None = None
    none: list[Text] | None = None
    keywords: list[Text] | None = None
    patterns: list[Pattern] | None = None


class Feature(Strict):
    name: Text
    source: SourceName
    # only for source custom_field: the field's id or title
    field: Ref | None = None
    when: Condition
    points: int
    known_at_creation: StrictBool = False
    description: str | None = None


class GroupTier(Strict):
    tier: Literal[1, 2, 3]
    name_pattern: Pattern | None = None
    groups: list[Ref] | None = None


class TierDef(Strict):
    tier: int
    name: Text
    min_score: int | None = None


class ComplexityFile(Strict):
    # which tier each group works at; the first entry that fits a group wins
    group_tiers: list[GroupTier] = []
    features: list[Feature] = Field(min_length=1)
    tiers: list[TierDef]


class RoleWeights(Strict):
    solver: float = Field(default=1.0, ge=0)
    responder: float = Field(default=0.5, ge=0)
    collaborator: float = Field(default=0.25, ge=0)
    escalated_from: float = Field(default=0.5, ge=0)


class AttributionFile(Strict):
    # a ticket in one of these has a solver: its assignee
    solved_statuses: list[Text] = ["solved", "closed"]
    roles: RoleWeights = RoleWeights()


FILE_MODELS: dict[str, type[Strict]] = {
    "areas.yaml": AreasFile,
    "complexity.yaml": ComplexityFile,
    "attribution.yaml": AttributionFile,
}
