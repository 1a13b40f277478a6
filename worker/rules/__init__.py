"""Admin rules: product areas, complexity tiers and attribution, from YAML files in `rules/`.

`load_rules` validates the files (every error, with its line); `compile_rules` turns a rule
set into fast matchers; `rules_in_force` keeps the last valid version in force when the
files on disk are broken.
"""

from __future__ import annotations

from worker.rules.compiled import CompiledRules, compile_rules
from worker.rules.directory import Directory, FieldInfo
from worker.rules.errors import RuleError, RulesInvalid
from worker.rules.facts import Facts
from worker.rules.load import FILES, RuleSet, check_rules, load_rules
from worker.rules.store import InForce, rules_in_force

__all__ = [
    "FILES",
    "CompiledRules",
    "Directory",
    "Facts",
    "FieldInfo",
    "InForce",
    "RuleError",
    "RuleSet",
    "RulesInvalid",
    "check_rules",
    "compile_rules",
    "load_rules",
    "rules_in_force",
]
