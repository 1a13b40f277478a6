"""What people want (a Zendesk user field, interests.yaml) and what the business needs
(needs.yaml), matched against the areas and roles nominations are made for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from worker.profiles.config import Need
from worker.profiles.read import AgentProfile
from worker.profiles.rulefiles import ProfileRules

_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """'Product Support Engineer' and 'product_support-engineer' -> 'product_support_engineer'."""
    return _WORD.sub("_", text.casefold()).strip("_")


@dataclass(frozen=True)
class Interests:
    areas: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    # what was written but names no known area or role (e.g. "team_lead"), shown as is
    other: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.areas or self.roles or self.other)

    def wants(self, role: str, area: str | None) -> bool:
        """Interested in this role, or (for a role in an area) in the area."""
        return role in self.roles or (area is not None and area in self.areas)

    def words(self) -> list[str]:
        return sorted(self.areas) + sorted(self.roles) + list(self.other)


class InterestReader:
    """Reads interests written as area or role keys or names, in any case or spacing."""

    def __init__(self, rules: ProfileRules, area_names: Mapping[str, str], field_key: str) -> None:
        self.field_key = field_key
        self._areas: dict[str, str] = {}
        for key, name in area_names.items():
            self._areas[normalize(key)] = key
            self._areas[normalize(name)] = key
        self._roles: dict[str, str] = {}
        for role in rules.roles.roles:
            self._roles[normalize(role.key)] = role.key
            self._roles[normalize(role.name)] = role.key
        # interests.yaml, by agent id and by email (folded)
        self._declared: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        for entry in rules.interests.interests:
            ref = str(entry.agent).casefold()
            areas, roles = self._declared.get(ref, (frozenset(), frozenset()))
            self._declared[ref] = (areas | set(entry.areas), roles | set(entry.roles))

    def of(self, agent: AgentProfile) -> Interests:
        areas: set[str] = set()
        roles: set[str] = set()
        other: list[str] = []
        for word in _words(agent.user_fields.get(self.field_key)):
            token = normalize(word)
            if token in self._roles:
                roles.add(self._roles[token])
            elif token in self._areas:
                areas.add(self._areas[token])
            elif token and token not in other:
                other.append(token)
        for ref in (str(agent.agent_id), (agent.email or "").casefold()):
            declared = self._declared.get(ref)
            if declared is not None:
                areas |= declared[0]
                roles |= declared[1]
        return Interests(frozenset(areas), frozenset(roles), tuple(other))


def _words(value: object) -> list[str]:
    """A field holds text ('billing, product support engineer') or, for multi-select
    fields, a list of option values."""
    if isinstance(value, str):
        return [w for w in re.split(r"[,;\n]", value) if w.strip()]
    if isinstance(value, list):
        return [w for item in value for w in _words(item)]
    return []


def need_for(rules: ProfileRules, role: str, area: str | None) -> Need | None:
    """The business need for `role` (in `area` when given), if needs.yaml states one."""
    for need in rules.needs.needs:
        if need.role == role and (area is None or need.area == area):
            return need
    return None


def coverage_need(rules: ProfileRules, area: str) -> Need | None:
    return next(
        (n for n in rules.needs.needs if n.area == area and n.min_experts is not None), None
    )
