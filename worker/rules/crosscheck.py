"""Checks across values and files: duplicate names, references to unknown areas, operators
that do not fit a feature, thresholds out of order.

They run on the parsed YAML, not on validated models, so they still run when a file has
other errors: an admin sees every problem in one go. Values of the wrong type are left to
the model validation, which reports them once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from worker.rules.errors import Located, RuleError
from worker.rules.sources import OPERATORS, SOURCES, Kind
from worker.rules.yaml_lines import Path

_MATCHER_CONDITIONS = (
    "tags",
    "custom_field",
    "group",
    "brand",
    "form",
    "channel",
    "keywords",
    "patterns",
)


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, mapping) for each mapping in the list data[key]."""
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return []
    return [(i, item) for i, item in enumerate(data[key]) if isinstance(item, dict)]


def area_keys(data: Any) -> list[str]:
    keys = [a["key"] for _, a in _items(data, "areas") if isinstance(a.get("key"), str)]
    return list(dict.fromkeys(keys))


def check_areas(data: Any, at: Located) -> list[RuleError]:
    errors: list[RuleError] = []
    areas = _items(data, "areas")
    errors += _duplicates(((("areas", i, "key"), a.get("key")) for i, a in areas), at)
    errors += _duplicates(((("areas", i, "name"), a.get("name")) for i, a in areas), at)
    keys = area_keys(data)
    fallback = data.get("fallback") if isinstance(data, dict) else None
    if isinstance(fallback, str) and keys and fallback not in keys:
        errors.append(at.error(("fallback",), _unknown_area(fallback, keys)))
    for i, area in areas:
        # with an unknown fallback this would only repeat that error for the intended one
        if not area.get("when") and area.get("key") != fallback and fallback in keys:
            errors.append(
                at.error(
                    ("areas", i),
                    f"area {area.get('key')!r} has no `when` matchers: it never matches",
                )
            )
        for group in ("when", "unless"):
            for j, matcher in _items(area, group):
                errors += _check_matcher(matcher, ("areas", i, group, j), at)
    if isinstance(data, dict) and "min_share" in data and data.get("mode") != "multi":
        errors.append(at.error(("min_share",), "min_share applies only to `mode: multi`"))
    return errors


def _check_matcher(matcher: dict[str, Any], path: Path, at: Located) -> list[RuleError]:
    if not any(k in matcher for k in _MATCHER_CONDITIONS):
        return [
            at.error(
                path,
                "a matcher needs at least one condition: " + ", ".join(_MATCHER_CONDITIONS),
            )
        ]
    tags = matcher.get("tags")
    if isinstance(tags, dict) and not any(k in tags for k in ("any", "all", "none")):
        return [at.error((*path, "tags"), "give `any`, `all` or `none`")]
    return []


def check_complexity(data: Any, at: Located, keys: list[str] | None) -> list[RuleError]:
    errors: list[RuleError] = []
    features = _items(data, "features")
    errors += _duplicates(((("features", i, "name"), f.get("name")) for i, f in features), at)
    for i, feature in features:
        errors += _check_feature(feature, ("features", i), at, keys)
    for i, rule in _items(data, "group_tiers"):
        if "name_pattern" not in rule and "groups" not in rule:
            errors.append(at.error(("group_tiers", i), "give `name_pattern` or `groups`"))
    if isinstance(data, dict) and isinstance(data.get("tiers"), list):
        errors += _check_tiers(data["tiers"], at)
    return errors


def _check_feature(
    feature: dict[str, Any], path: Path, at: Located, keys: list[str] | None
) -> list[RuleError]:
    name = feature.get("source")
    source = SOURCES.get(name) if isinstance(name, str) else None
    when = feature.get("when")
    if source is None or not isinstance(when, dict):
        return []  # the model validation reports an unknown source or a missing condition
    errors: list[RuleError] = []
    if not when:
        errors.append(at.error((*path, "when"), "give a condition, e.g. `gte: 3` or `in: [...]`"))
    allowed = OPERATORS[source.kind]
    for op in when:
        if isinstance(op, str) and op not in allowed and _is_operator(op):
            errors.append(
                at.error(
                    (*path, "when", op),
                    f"`{op}` does not apply to {name} ({_KIND_WORDS[source.kind]}); "
                    f"use {', '.join(sorted(allowed))}",
                )
            )
    if name == "custom_field" and feature.get("field") is None:
        errors.append(at.error(path, "source custom_field needs `field` (the field id or title)"))
    if name != "custom_field" and "field" in feature:
        errors.append(at.error((*path, "field"), "`field` applies only to source custom_field"))
    if feature.get("known_at_creation") is True and not source.at_creation:
        errors.append(
            at.error((*path, "known_at_creation"), f"{name} is not known when a ticket is created")
        )
    if source.kind is Kind.NUMBER:
        errors += _check_bounds(when, (*path, "when"), at)
    values = when.get("in")
    if name == "area" and keys is not None and isinstance(values, list):
        for j, key in enumerate(values):
            if isinstance(key, str) and key not in keys:
                errors.append(at.error((*path, "when", "in", j), _unknown_area(key, keys)))
    return errors


_KIND_WORDS = {
    Kind.NUMBER: "a number",
    Kind.CATEGORY: "a category",
    Kind.TAGS: "a list of tags",
    Kind.TEXT: "text",
}


def _is_operator(op: str) -> bool:
    return any(op in ops for ops in OPERATORS.values())


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_bounds(when: dict[str, Any], path: Path, at: Located) -> list[RuleError]:
    lows = [v for v in (_number(when.get("gt")), _number(when.get("gte"))) if v is not None]
    highs = [v for v in (_number(when.get("lt")), _number(when.get("lte"))) if v is not None]
    if not lows or not highs:
        return []
    low, high = max(lows), min(highs)
    strict = "gt" in when or "lt" in when
    if low > high or (low == high and strict):
        return [at.error(path, f"no value is both above {low:g} and below {high:g}")]
    return []


def _check_tiers(tiers: list[Any], at: Located) -> list[RuleError]:
    numbers = [t.get("tier") if isinstance(t, dict) else None for t in tiers]
    if numbers != [1, 2, 3]:
        return [
            at.error(("tiers",), f"list exactly tiers 1, 2 and 3, in that order (found {numbers})")
        ]
    errors: list[RuleError] = []
    if "min_score" in tiers[0]:
        errors.append(
            at.error(("tiers", 0, "min_score"), "tier 1 has no min_score: it is the default")
        )
    for i in (1, 2):
        if "min_score" not in tiers[i]:
            errors.append(at.error(("tiers", i), f"tier {i + 1} needs `min_score`"))
    two, three = _number(tiers[1].get("min_score")), _number(tiers[2].get("min_score"))
    if two is not None and three is not None and three <= two:
        errors.append(
            at.error(
                ("tiers", 2, "min_score"),
                f"thresholds out of order: tier 3 starts at {three:g}, which must be above "
                f"tier 2's {two:g}",
            )
        )
    return errors


def check_attribution(data: Any, at: Located) -> list[RuleError]:
    statuses = data.get("solved_statuses") if isinstance(data, dict) else None
    if not isinstance(statuses, list):
        return []
    return _duplicates(((("solved_statuses", i), s) for i, s in enumerate(statuses)), at)


def _duplicates(items: Iterable[tuple[Path, Any]], at: Located) -> list[RuleError]:
    seen: dict[str, Path] = {}
    errors = []
    for path, value in items:
        if not isinstance(value, str):
            continue
        folded = value.strip().casefold()
        if folded in seen:
            first = at.parsed.line_of(seen[folded])
            errors.append(at.error(path, f"duplicate {value!r} (first on line {first})"))
        else:
            seen[folded] = path
    return errors


def _unknown_area(key: str, keys: list[str]) -> str:
    return f"unknown area {key!r}; areas.yaml defines: {', '.join(keys)}"
