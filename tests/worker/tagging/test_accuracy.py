"""The default rules on a sandbox help desk: true area and tier, synced over real HTTP.

scripts/measure_tagging_accuracy.py measures the full-size desks (figures in rules/README.md);
this keeps a smaller desk from regressing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.measure_tagging_accuracy import AREA_TARGET, TIER_TARGET, measure, report

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.mark.slow
def test_default_rules_find_the_true_area_and_tier(tmp_path: Path) -> None:
    result = measure(seed=7, tickets=1500, rules_dir=RULES, workdir=tmp_path)
    print(report(result))
    assert result.tickets > 1400
    assert result.area >= AREA_TARGET
    assert result.tier >= TIER_TARGET
