"""A rule set compiled against a help desk's directory: what tagging and explain run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from worker.rules.areas import AreaClassifier
from worker.rules.complexity import Scorer
from worker.rules.directory import Directory
from worker.rules.lexicon import Lexicon
from worker.rules.load import RuleSet
from worker.rules.models import GroupTier
from worker.rules.patterns import compile_pattern

ROLES = ("solver", "responder", "collaborator", "escalated_from")


@dataclass(frozen=True)
class Attribution:
    # role -> weight; roles weighted 0 are left out, so they yield no work items
    weights: dict[str, float]
    solved_statuses: frozenset[str]


@dataclass
class CompiledRules:
    rules: RuleSet
    areas: AreaClassifier
    scorer: Scorer
    attribution: Attribution
    group_tiers: dict[int, int]
    # what names resolved to; a change means the same rules now tag differently
    context_digest: str
    warnings: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.rules.version

    def group_tier(self, group_id: int | None) -> int | None:
        return None if group_id is None else self.group_tiers.get(group_id)


def compile_rules(rules: RuleSet, directory: Directory) -> CompiledRules:
    resolved: list[str] = []
    lexicon = Lexicon()
    areas = AreaClassifier(rules.areas, directory, lexicon, resolved.append)
    scorer = Scorer(rules.complexity, directory, lexicon, resolved.append)
    lexicon.freeze()
    tiers = _group_tiers(rules.complexity.group_tiers, directory)
    roles = rules.attribution.roles.model_dump()
    attribution = Attribution(
        weights={role: float(roles[role]) for role in ROLES if roles[role] > 0},
        solved_statuses=frozenset(s.lower() for s in rules.attribution.solved_statuses),
    )
    digest_input = json.dumps([sorted(resolved), sorted(tiers.items())], separators=(",", ":"))
    warnings = [
        f"{line.split(' -> ')[0]} is not in this help desk, so rules naming it never match"
        for line in sorted(set(resolved))
        if line.endswith("-> []")
    ]
    if not lexicon.one_pass:
        warnings.append(
            "the rules have more keywords than fit one search pass; tagging still works, "
            "more slowly (fewer or shorter keywords would bring the fast search back)"
        )
    return CompiledRules(
        rules=rules,
        areas=areas,
        scorer=scorer,
        attribution=attribution,
        group_tiers=tiers,
        context_digest=hashlib.sha256(digest_input.encode()).hexdigest()[:16],
        warnings=warnings,
    )


def _group_tiers(rules: list[GroupTier], directory: Directory) -> dict[int, int]:
    """Each known group's tier: the first rule naming it (by id or name) or matching its
    name wins; groups no rule fits have no tier."""
    out: dict[int, int] = {}
    for rule in reversed(rules):  # reversed, so earlier rules overwrite later ones
        ids = {g for g in rule.groups or [] if isinstance(g, int)}
        names = {g.strip().casefold() for g in rule.groups or [] if isinstance(g, str)}
        regex = compile_pattern(rule.name_pattern) if rule.name_pattern else None
        for group_id in ids:
            out[group_id] = rule.tier
        for group_id, name in directory.groups.items():
            if name.strip().casefold() in names or (regex and regex.search(name) is not None):
                out[group_id] = rule.tier
    return out
