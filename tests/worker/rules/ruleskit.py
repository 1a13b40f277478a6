"""Small rule sets for tests: three YAML files written into a directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

AREAS = """\
mode: first_match
fallback: other
areas:
  - key: billing
    name: Billing
    when:
      - custom_field: {field: Product area, in: [Billing]}
      - tags: {any: [billing, invoice]}
      - keywords: [invoice, refund*, charged twice]
  - key: api
    name: API
    when:
      - tags: {any: [api]}
      - patterns: ['\\bHTTP [45]\\d\\d\\b']
  - key: other
    name: Other
"""

COMPLEXITY = """\
group_tiers:
  - {tier: 3, name_pattern: '^Tier 3'}
  - {tier: 2, name_pattern: '^Tier 2'}
  - {tier: 1, name_pattern: '^Tier 1'}
features:
  - name: Escalated
    source: max_group_tier
    when: {gte: 2}
    points: 3
  - name: Bug
    source: tags
    when: {any: [bug]}
    points: 2
    known_at_creation: true
  - name: Many replies
    source: replies
    when: {gte: 4}
    points: 1
tiers:
  - {tier: 1, name: General}
  - {tier: 2, name: Technical, min_score: 3}
  - {tier: 3, name: Engineering, min_score: 5}
"""

ATTRIBUTION = """\
solved_statuses: [solved, closed]
roles:
  solver: 1.0
  responder: 0.5
  collaborator: 0.25
  escalated_from: 0.3
"""


def write_rules(
    directory: Path,
    *,
    areas: str = AREAS,
    complexity: str = COMPLEXITY,
    attribution: str = ATTRIBUTION,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("areas.yaml", areas),
        ("complexity.yaml", complexity),
        ("attribution.yaml", attribution),
    ):
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory
