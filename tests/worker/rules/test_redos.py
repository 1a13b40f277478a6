"""Admin patterns cannot stall a worker: they run on RE2, in time linear in the input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.worker.rules.ruleskit import COMPLEXITY, write_rules
from worker.rules import Directory, Facts, compile_rules, load_rules

# The classic catastrophic pattern: a backtracking engine needs ~2**n steps to fail on
# n "a"s followed by a non-match. 50,000 of them would not finish in any lifetime.
EVIL = "(a+)+$"
LONG = "a" * 50_000 + "!"

AREAS = f"""\
fallback: other
areas:
  - key: evil
    name: Evil
    when:
      - patterns: ['{EVIL}']
  - key: other
    name: Other
"""


@pytest.mark.timeout(20)
def test_a_redos_pattern_on_a_long_ticket_finishes_and_does_not_match(tmp_path: Path) -> None:
    complexity = COMPLEXITY.replace(
        "\ntiers:\n",
        f"\n  - name: Evil\n    source: text\n    when: {{patterns: ['{EVIL}']}}\n"
        "    points: 9\ntiers:\n",
    )
    rules_dir = write_rules(tmp_path / "rules", areas=AREAS, complexity=complexity)
    rules = compile_rules(load_rules(rules_dir), Directory())
    facts = Facts(1, subject="help", description=LONG)
    began = time.monotonic()
    assert rules.areas.classify(facts) == (("other", 1.0),)
    assert rules.scorer.score(facts) == 0
    # a ticket the pattern does match still matches
    assert rules.areas.classify(Facts(2, description="a" * 50_000)) == (("evil", 1.0),)
    assert time.monotonic() - began < 5
