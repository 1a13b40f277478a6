from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from worker.profiles.rulefiles import load_profile_rules, validate_roles_files
from worker.rules.errors import RulesInvalid

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"
AREAS = """
mode: first_match
fallback: other
areas:
  - key: billing
    name: Billing
    when: [{tags: {any: [billing]}}]
  - key: other
    name: Other
"""


def _dir(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "areas.yaml").write_text(AREAS)
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def _messages(directory: Path) -> list[str]:
    return [str(e).replace(f"{directory}/", "") for e in validate_roles_files(directory)]


def test_the_shipped_files_are_valid() -> None:
    assert validate_roles_files(REPO_RULES) == []
    rules = load_profile_rules(REPO_RULES)
    assert [r.key for r in rules.roles.roles] == [
        "senior_support_rep",
        "senior_support_engineer",
        "product_support_engineer",
    ]
    assert rules.role("product_support_engineer").per_area  # type: ignore[union-attr]


def test_missing_files_mean_defaults(tmp_path: Path) -> None:
    rules = load_profile_rules(tmp_path)
    assert rules.roles.roles == []
    assert rules.scoring.tier_weights == {1: 1.0, 2: 2.0, 3: 4.0}
    assert rules.needs.needs == []


def test_every_error_is_reported_at_its_line(tmp_path: Path) -> None:
    directory = _dir(
        tmp_path,
        roles="""roles:
  - key: senior
    name: Senior
    criteria:
      - {metric: tier3_share, min: 25}
      - {metric: tickets, min: 10, min_sample: 3}
      - {metric: csat, min: 0.9, max: 1}
      - {metric: happiness, min: 1}
  - key: senior
    name: Senior too
    criteria: [{metric: tickets, min: 1}]
""",
        needs="""needs:
  - {area: biling, role: senior}
  - {area: billing, role: lead}
  - {area: billing}
""",
        interests="""interests:
  - {agent: ann@example.com, areas: [billing, api]}
""",
    )
    assert _messages(directory) == [
        "interests.yaml:2: interests[0].areas[1]: unknown area 'api'; "
        "areas.yaml defines: billing, other",
        "needs.yaml:2: needs[0].area: unknown area 'biling'; areas.yaml defines: billing, other",
        "needs.yaml:3: needs[1].role: unknown role 'lead'; roles.yaml defines: senior",
        "needs.yaml:4: needs[2]: say what the area needs: `role`, `min_experts` or both",
        "roles.yaml:5: roles[0].criteria[0].min: "
        "tier3_share is a share from 0 to 1 (0.9 = 90%), got 25",
        "roles.yaml:6: roles[0].criteria[1].min_sample: min_sample applies only to metric csat",
        "roles.yaml:7: roles[0].criteria[2]: give exactly one of `min` and `max`",
        "roles.yaml:8: roles[0].criteria[3].metric: Input should be 'depth', 'depth_percentile', "
        "'tickets', 'solved', 'tier3_tickets', 'tier3_share', 'csat', 'mentoring_notes', "
        "'escalations_received', 'tenure_months', 'concentration', 'breadth' or "
        "'median_resolution_hours' (got 'happiness')",
        "roles.yaml:9: roles[1].key: duplicate 'senior' (first on line 2)",
    ]
    with pytest.raises(RulesInvalid):
        load_profile_rules(directory)


def test_a_yaml_syntax_error_points_at_its_line(tmp_path: Path) -> None:
    directory = _dir(tmp_path, needs="needs:\n  - area: billing\n    why: a: b\n")
    assert _messages(directory) == [
        "needs.yaml:3: invalid YAML: mapping values are not allowed here"
    ]


def test_areas_are_not_checked_when_areas_yaml_is_missing(tmp_path: Path) -> None:
    shutil.copy(REPO_RULES / "needs.yaml", tmp_path / "needs.yaml")
    shutil.copy(REPO_RULES / "roles.yaml", tmp_path / "roles.yaml")
    assert validate_roles_files(tmp_path) == []
