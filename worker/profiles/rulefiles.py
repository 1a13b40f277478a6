"""Read and validate roles.yaml, needs.yaml and interests.yaml: every error, with its line.

The three files are optional: without roles.yaml the scoring defaults apply and no role is
nominated for; without needs.yaml or interests.yaml nothing is flagged. They reuse the
admin rules' line-tracking parser and error type, so `expertise rules check` prints them
the same way (FILE:LINE: key.path: message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from worker.profiles.config import (
    FILE_MODELS,
    INTERESTS,
    NEEDS,
    ROLES,
    InterestsFile,
    NeedsFile,
    Role,
    RolesFile,
    Scoring,
)
from worker.rules.crosscheck import area_keys
from worker.rules.errors import Located, RuleError, RulesInvalid, format_path
from worker.rules.yaml_lines import parse_yaml

PROFILE_FILES = (ROLES, NEEDS, INTERESTS)
_AREAS = "areas.yaml"

# metrics whose values are shares (0..1) or a percentile (0..100)
_SHARES = ("tier3_share", "csat", "concentration")
_PERCENTILES = ("depth_percentile",)


@dataclass(frozen=True)
class ProfileRules:
    roles: RolesFile = field(default_factory=RolesFile)
    needs: NeedsFile = field(default_factory=NeedsFile)
    interests: InterestsFile = field(default_factory=InterestsFile)

    @property
    def scoring(self) -> Scoring:
        return self.roles.scoring

    def role(self, key: str) -> Role | None:
        return next((r for r in self.roles.roles if r.key == key), None)


def validate_roles_files(rules_dir: Path) -> list[RuleError]:
    """Every error in roles.yaml, needs.yaml and interests.yaml (empty when all are valid).

    For `expertise rules check`: call it next to `check_rules` and report both lists.
    """
    _, errors = _load(rules_dir)
    return errors


def load_profile_rules(rules_dir: Path) -> ProfileRules:
    """The profile rules in `rules_dir`; raises RulesInvalid listing every error."""
    rules, errors = _load(rules_dir)
    if errors:
        raise RulesInvalid(errors)
    return rules


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _load(rules_dir: Path) -> tuple[ProfileRules, list[RuleError]]:
    errors: list[RuleError] = []
    data: dict[str, Any] = {}
    located: dict[str, Located] = {}
    models: dict[str, Any] = {}
    for name in PROFILE_FILES:
        text = _read(rules_dir / name)
        if text is None:
            continue
        parsed = parse_yaml(text)
        at = located[name] = Located(str(rules_dir / name), parsed)
        # the problem's own line: a syntax error has no parsed path to look a line up by
        errors += [
            RuleError(at.file, p.line, format_path(p.path), p.message) for p in parsed.problems
        ]
        if parsed.data is None:
            continue  # an empty file (or only comments) means the defaults
        data[name] = parsed.data
        model_type = FILE_MODELS[name]
        try:
            models[name] = model_type.model_validate(parsed.data)
        except ValidationError as exc:
            errors += at.from_validation(exc, model_type)

    areas = _area_keys(rules_dir)
    roles = _role_keys(data.get(ROLES))
    if ROLES in data:
        errors += _check_roles(data[ROLES], located[ROLES])
    if NEEDS in data:
        errors += _check_refs(data[NEEDS], "needs", located[NEEDS], areas, roles)
    if INTERESTS in data:
        errors += _check_refs(data[INTERESTS], "interests", located[INTERESTS], areas, roles)

    rules = ProfileRules(
        roles=models.get(ROLES, RolesFile()),
        needs=models.get(NEEDS, NeedsFile()),
        interests=models.get(INTERESTS, InterestsFile()),
    )
    return rules, sorted(dict.fromkeys(errors))


def _area_keys(rules_dir: Path) -> list[str] | None:
    """The areas areas.yaml defines, or None when it cannot be read (its own check reports
    why): then references to areas are not checked rather than all reported unknown."""
    text = _read(rules_dir / _AREAS)
    if text is None:
        return None
    parsed = parse_yaml(text)
    keys = area_keys(parsed.data)
    return keys or None


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return []
    return [(i, item) for i, item in enumerate(data[key]) if isinstance(item, dict)]


def _role_keys(data: Any) -> list[str]:
    keys = [r["key"] for _, r in _items(data, "roles") if isinstance(r.get("key"), str)]
    return list(dict.fromkeys(keys))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_roles(data: Any, at: Located) -> list[RuleError]:
    errors: list[RuleError] = []
    seen: dict[str, int] = {}
    for i, role in _items(data, "roles"):
        for key in ("key", "name"):
            value = role.get(key)
            if not isinstance(value, str):
                continue
            folded = f"{key}:{value.strip().casefold()}"
            if folded in seen:
                first = at.parsed.line_of(("roles", seen[folded], key))
                errors.append(
                    at.error(("roles", i, key), f"duplicate {value!r} (first on line {first})")
                )
            else:
                seen[folded] = i
        for j, criterion in _items(role, "criteria"):
            errors += _check_criterion(criterion, ("roles", i, "criteria", j), at)
    scoring = data.get("scoring") if isinstance(data, dict) else None
    weights = scoring.get("tier_weights") if isinstance(scoring, dict) else None
    if isinstance(weights, dict):
        for tier, weight in weights.items():
            number = _number(weight)
            if number is not None and number <= 0:
                errors.append(
                    at.error(("scoring", "tier_weights", tier), "a tier weight must be above 0")
                )
    return errors


def _check_criterion(
    criterion: dict[str, Any], path: tuple[Any, ...], at: Located
) -> list[RuleError]:
    errors: list[RuleError] = []
    metric = criterion.get("metric")
    if "min_sample" in criterion and metric != "csat":
        errors.append(at.error((*path, "min_sample"), "min_sample applies only to metric csat"))
    for bound in ("min", "max"):
        value = _number(criterion.get(bound))
        if value is None:
            continue
        if metric in _SHARES and not 0 <= value <= 1:
            errors.append(
                at.error(
                    (*path, bound), f"{metric} is a share from 0 to 1 (0.9 = 90%), got {value:g}"
                )
            )
        elif metric in _PERCENTILES and not 0 <= value <= 100:
            errors.append(
                at.error((*path, bound), f"{metric} is a percentile from 0 to 100, got {value:g}")
            )
        elif value < 0:
            errors.append(at.error((*path, bound), f"{metric} is never below 0, got {value:g}"))
    return errors


def _check_refs(
    data: Any, key: str, at: Located, areas: list[str] | None, roles: list[str]
) -> list[RuleError]:
    """Areas and roles named in needs.yaml or interests.yaml must exist."""
    errors: list[RuleError] = []
    for i, item in _items(data, key):
        refs: list[tuple[tuple[Any, ...], Any, str]] = []
        if key == "needs":
            refs += [((key, i, "area"), item.get("area"), "area")]
            if "role" in item:
                refs += [((key, i, "role"), item.get("role"), "role")]
        else:
            for kind in ("areas", "roles"):
                values = item.get(kind)
                if isinstance(values, list):
                    refs += [((key, i, kind, j), v, kind[:-1]) for j, v in enumerate(values)]
        for path, value, kind in refs:
            if not isinstance(value, str):
                continue
            if kind == "area" and areas is not None and value not in areas:
                errors.append(
                    at.error(
                        path, f"unknown area {value!r}; areas.yaml defines: {', '.join(areas)}"
                    )
                )
            if kind == "role" and value not in roles:
                known = ", ".join(roles) if roles else "none"
                errors.append(
                    at.error(path, f"unknown role {value!r}; roles.yaml defines: {known}")
                )
    return errors
