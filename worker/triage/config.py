"""rules/triage.yaml: how triage recommends and writes back, and how skills are pushed.

The file is optional (every key has a default: recommend only, write nothing). It is read
with the admin rules' line-tracking parser, so `expertise rules check` reports its errors
the same way: FILE:LINE: key.path: message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from worker.rules.crosscheck import area_keys
from worker.rules.errors import Located, RuleError, RulesInvalid
from worker.rules.models import Key, Strict, Text
from worker.rules.yaml_lines import parse_yaml

TRIAGE = "triage.yaml"
MODES = ("off", "tag", "note", "assign")


def _yaml_off(value: Any) -> Any:
    # YAML 1.1 reads a bare `off` as false; admins mean the mode.
    if value is False:
        return "off"
    if value is True:
        raise ValueError("write one of off, tag, note, assign (a bare `on` reads as true)")
    return value


Mode = Annotated[Literal["off", "tag", "note", "assign"], BeforeValidator(_yaml_off)]
AgentRef = Annotated[int | Text, Field(union_mode="left_to_right")]
TagPrefix = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]


class Ranking(Strict):
    # how much each signal counts in an agent's score (each signal is 0..1)
    depth: float = Field(default=0.5, ge=0)
    tier_fit: float = Field(default=0.4, ge=0)
    availability: float = Field(default=0.1, ge=0)
    # an agent with less depth than this in the area has no track record there
    min_depth: float = Field(default=1.0, ge=0)
    # when the second likeliest tier has at least this chance, the last recommended place
    # goes to the best agent at that tier (1 turns this off)
    hedge_tier_chance: float = Field(default=0.2, ge=0, le=1)

    @model_validator(mode="after")
    def _some_weight(self) -> Ranking:
        if self.depth + self.tier_fit + self.availability <= 0:
            raise ValueError("at least one of depth, tier_fit and availability must be above 0")
        return self


class Tags(Strict):
    area_prefix: TagPrefix = "area_"
    tier_prefix: TagPrefix = "tier_"
    # added with every write: later runs see the ticket was triaged and write nothing again
    marker: Key = "expertise_triaged"


class SkillRule(Strict):
    # Zendesk user id or email address of the agent
    agent: AgentRef
    areas: list[Key] = Field(min_length=1)


class Skills(Strict):
    # the skill type whose skills are the product areas (created when missing)
    attribute: Text = "Product area"
    # a second skill type, "Tier 1".."Tier 3" by the tier each agent works at; null: none
    tier_attribute: Text | None = "Support tier"
    # an agent gets an area's skill from this depth in the area on
    min_depth: float = Field(default=10.0, gt=0)
    # always given, whatever was measured
    pins: list[SkillRule] = []
    # never given, whatever was measured (wins over a measurement, not over a pin: a rule
    # naming the same agent and area in both is an error)
    exclusions: list[SkillRule] = []


class TriageFile(Strict):
    # off: recommend only; tag: add area and tier tags; note: also a private note with the
    # recommendation and its reasons; assign: also set group and assignee
    writeback: Mode = "off"
    max_agents: int = Field(default=3, ge=1, le=20)
    # agents with this many open tickets assigned (or more) are not recommended
    load_cap: int = Field(default=20, ge=1)
    # calibrated: the tier past tickets with the same creation-time features ended at;
    # rules: the tier complexity.yaml's thresholds give the creation-time score
    tier_prediction: Literal["calibrated", "rules"] = "calibrated"
    ranking: Ranking = Ranking()
    tags: Tags = Tags()
    skills: Skills = Skills()

    def writes(self, step: str) -> bool:
        """Whether the mode includes `step`: each mode includes the ones before it."""
        return MODES.index(self.writeback) >= MODES.index(step) > 0


def load_triage_config(rules_dir: Path) -> TriageFile:
    """triage.yaml in `rules_dir` (the defaults when there is none); raises RulesInvalid."""
    config, errors = _load(rules_dir)
    if errors:
        raise RulesInvalid(errors)
    return config


def validate_triage_file(rules_dir: Path) -> list[RuleError]:
    """Every error in triage.yaml (empty when it is valid or absent), for `rules check`."""
    return _load(rules_dir)[1]


def _load(rules_dir: Path) -> tuple[TriageFile, list[RuleError]]:
    path = rules_dir / TRIAGE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return TriageFile(), []
    parsed = parse_yaml(text)
    at = Located(str(path), parsed)
    errors = [at.error(p.path, p.message) for p in parsed.problems]
    if parsed.data is None:
        return TriageFile(), errors
    config = TriageFile()
    try:
        config = TriageFile.model_validate(parsed.data)
    except ValidationError as exc:
        errors += at.from_validation(exc, TriageFile)
    errors += _check_skill_rules(parsed.data, at, _known_areas(rules_dir))
    return config, sorted(dict.fromkeys(errors))


def _known_areas(rules_dir: Path) -> list[str] | None:
    """Areas areas.yaml defines; None when it cannot be read (its own check says why)."""
    try:
        text = (rules_dir / "areas.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return area_keys(parse_yaml(text).data) or None


def _rules(data: Any, kind: str) -> list[tuple[int, dict[str, Any]]]:
    skills = data.get("skills") if isinstance(data, dict) else None
    items = skills.get(kind) if isinstance(skills, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _check_skill_rules(data: Any, at: Located, areas: list[str] | None) -> list[RuleError]:
    """Pins and exclusions name known areas, and never the same agent and area both."""
    errors: list[RuleError] = []
    pinned: dict[tuple[str, str], int] = {}
    for kind in ("pins", "exclusions"):
        for i, rule in _rules(data, kind):
            values = rule.get("areas")
            if not isinstance(values, list):
                continue
            agent = str(rule.get("agent")).strip().casefold()
            for j, area in enumerate(values):
                if not isinstance(area, str):
                    continue
                where = ("skills", kind, i, "areas", j)
                if areas is not None and area not in areas:
                    message = f"unknown area {area!r}; areas.yaml defines: {', '.join(areas)}"
                    errors.append(at.error(where, message))
                if kind == "pins":
                    pinned.setdefault((agent, area), at.parsed.line_of(where))
                elif (agent, area) in pinned:
                    line = pinned[(agent, area)]
                    errors.append(
                        at.error(where, f"{area!r} is pinned for this agent on line {line}")
                    )
    return errors
