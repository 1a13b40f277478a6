"""Rule file validation: every error, each at the line it was written on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.worker.rules.ruleskit import AREAS, COMPLEXITY, write_rules
from worker.rules import RulesInvalid, check_rules, load_rules

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"


def errors_for(tmp_path: Path, **files: str) -> list[str]:
    rules, errors = check_rules(write_rules(tmp_path / "rules", **files))
    assert rules is None
    return [str(e) for e in errors]


def at(errors: list[str], file: str, line: int) -> list[str]:
    """The errors reported at FILE:LINE."""
    return [e for e in errors if f"/{file}:{line}: " in e]


def test_shipped_default_rules_are_valid() -> None:
    rules = load_rules(REPO_RULES)
    assert rules.areas.fallback in [a.key for a in rules.areas.areas]
    assert len(rules.version) == 12


def test_valid_rules_have_a_stable_version_that_ignores_comments(tmp_path: Path) -> None:
    first = load_rules(write_rules(tmp_path / "a"))
    commented = load_rules(write_rules(tmp_path / "b", areas="# admin note\n" + AREAS))
    changed = load_rules(write_rules(tmp_path / "c", areas=AREAS.replace("refund*", "refunds")))
    assert first.version == commented.version
    assert first.version != changed.version


def test_unknown_keys_are_reported_with_their_line_and_a_suggestion(tmp_path: Path) -> None:
    areas = AREAS.replace("    name: API\n", "    name: API\n    wen: []\n")
    errors = errors_for(tmp_path, areas=areas)
    assert at(errors, "areas.yaml", 12) == [
        f"{tmp_path}/rules/areas.yaml:12: areas[1].wen: unknown key 'wen'; did you mean 'when'?"
    ]


def test_wrong_types(tmp_path: Path) -> None:
    complexity = COMPLEXITY.replace("points: 3", "points: lots")
    errors = errors_for(tmp_path, complexity=complexity)
    [error] = at(errors, "complexity.yaml", 9)
    assert "features[0].points:" in error
    assert "'lots'" in error


def test_invalid_and_unsafe_patterns(tmp_path: Path) -> None:
    areas = AREAS.replace("'\\bHTTP [45]\\d\\d\\b'", "'(a)\\1', '(?<=x)y', '[oops'")
    errors = errors_for(tmp_path, areas=areas)
    line = at(errors, "areas.yaml", 14)
    assert len(line) == 3
    assert "patterns[0]" in line[0]
    assert "backreferences are not supported" in line[0]
    assert "lookarounds are not supported" in line[1]
    assert "missing ]" in line[2]


def test_references_to_unknown_areas(tmp_path: Path) -> None:
    areas = AREAS.replace("fallback: other", "fallback: misc")
    complexity = COMPLEXITY.replace(
        "\ntiers:\n",
        "\n  - name: Api work\n    source: area\n    when: {in: [api, apps]}\n"
        "    points: 1\ntiers:\n",
    )
    errors = errors_for(tmp_path, areas=areas, complexity=complexity)
    assert at(errors, "areas.yaml", 2) == [
        f"{tmp_path}/rules/areas.yaml:2: fallback: unknown area 'misc'; "
        "areas.yaml defines: billing, api, other"
    ]
    [apps] = at(errors, "complexity.yaml", 21)
    assert "features[3].when.in[1]: unknown area 'apps'" in apps


def test_duplicate_names_and_duplicate_yaml_keys(tmp_path: Path) -> None:
    areas = AREAS.replace("  - key: api\n    name: API", "  - key: billing\n    name: API")
    complexity = COMPLEXITY.replace("  - name: Bug\n", "  - name: escalated\n")
    attribution = "roles:\n  solver: 1\n  solver: 2\n"
    errors = errors_for(tmp_path, areas=areas, complexity=complexity, attribution=attribution)
    assert at(errors, "areas.yaml", 10) == [
        f"{tmp_path}/rules/areas.yaml:10: areas[1].key: duplicate 'billing' (first on line 4)"
    ]
    [feature] = at(errors, "complexity.yaml", 10)
    assert "duplicate 'escalated' (first on line 6)" in feature
    [key] = at(errors, "attribution.yaml", 3)
    assert "duplicate key 'solver' (first written on line 2)" in key


def test_thresholds_out_of_order(tmp_path: Path) -> None:
    complexity = COMPLEXITY.replace("min_score: 5", "min_score: 3")
    errors = errors_for(tmp_path, complexity=complexity)
    assert at(errors, "complexity.yaml", 22) == [
        f"{tmp_path}/rules/complexity.yaml:22: tiers[2].min_score: thresholds out of order: "
        "tier 3 starts at 3, which must be above tier 2's 3"
    ]


def test_operators_must_fit_the_source_and_creation_time_must_be_true(tmp_path: Path) -> None:
    complexity = COMPLEXITY.replace("when: {gte: 4}", "when: {any: [x]}").replace(
        "    points: 1\n", "    points: 1\n    known_at_creation: true\n"
    )
    errors = errors_for(tmp_path, complexity=complexity)
    [operator] = at(errors, "complexity.yaml", 17)
    assert "features[2].when.any: `any` does not apply to replies (a number)" in operator
    [creation] = at(errors, "complexity.yaml", 19)
    assert "replies is not known when a ticket is created" in creation


def test_every_error_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    areas = AREAS.replace("fallback: other", "fallback: misc").replace("name: API", "nme: API")
    complexity = COMPLEXITY.replace("source: tags", "source: tag")
    attribution = "roles:\n  solver: -1\n"
    errors = errors_for(tmp_path, areas=areas, complexity=complexity, attribution=attribution)
    files = sorted({e.split(":")[0].rsplit("/", 1)[1] for e in errors})
    assert files == ["areas.yaml", "attribution.yaml", "complexity.yaml"]
    assert [e.replace(f"{tmp_path}/rules/", "") for e in errors] == [
        "areas.yaml:2: fallback: unknown area 'misc'; areas.yaml defines: billing, api, other",
        "areas.yaml:10: areas[1].name: missing required key 'name'",
        "areas.yaml:11: areas[1].nme: unknown key 'nme'; did you mean 'name'?",
        "attribution.yaml:2: roles.solver: Input should be greater than or equal to 0 (got -1)",
        "complexity.yaml:11: features[1].source: unknown source 'tag'; did you mean 'tags'?",
    ]


def test_yaml_syntax_errors_and_missing_files(tmp_path: Path) -> None:
    directory = write_rules(tmp_path / "rules", areas="areas:\n  - key: [unclosed\n")
    (directory / "attribution.yaml").unlink()
    with pytest.raises(RulesInvalid) as caught:
        load_rules(directory)
    messages = [str(e) for e in caught.value.errors]
    assert any("areas.yaml:3: invalid YAML" in m for m in messages)
    assert f"{directory}/attribution.yaml:1: file not found" in messages


def test_empty_matchers_and_areas_that_never_match(tmp_path: Path) -> None:
    areas = AREAS.replace("      - tags: {any: [api]}\n", "      - {weight: 2}\n").replace(
        "  - key: other\n    name: Other\n",
        "  - key: other\n    name: Other\n  - key: x\n    name: X\n",
    )
    errors = errors_for(tmp_path, areas=areas)
    [empty] = at(errors, "areas.yaml", 13)
    assert "areas[1].when[0]: a matcher needs at least one condition" in empty
    [never] = at(errors, "areas.yaml", 17)
    assert "area 'x' has no `when` matchers: it never matches" in never
