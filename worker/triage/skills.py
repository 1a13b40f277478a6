"""Keep Zendesk's routing skills in step with measured expertise.

Two skill types are managed: one whose skills are the product areas (an agent has an area's
skill when their depth there reaches `skills.min_depth`), and optionally one whose skills are
"Tier 1".."Tier 3" (the tier most of an agent's work is at). Pins and exclusions in
triage.yaml win over measurements. Only skills named after an area or a tier are ever
added or removed: an agent's other skills, and skills an admin added to these types by
hand, stay as they are. Inactive and suspended agents are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from integrations.zendesk.routing import RoutingApi, RoutingAttribute, RoutingValue
from integrations.zendesk.writes import ZendeskWriter
from worker.settings import Settings
from worker.triage.config import SkillRule, Skills
from worker.triage.context import build_context
from worker.triage.expertise import Expertise, dominant_tier
from worker.triage.roster import Agent
from worker.triage.run import writer_from_settings

TIER_NAMES = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}


@dataclass(frozen=True)
class AgentChange:
    agent_id: int
    name: str
    add: tuple[str, ...]
    remove: tuple[str, ...]


@dataclass
class SkillsDiff:
    attribute: str
    tier_attribute: str | None
    # skill types and skills that do not exist yet in Zendesk
    create_attributes: list[str] = field(default_factory=list)
    create_values: dict[str, list[str]] = field(default_factory=dict)
    agents: list[AgentChange] = field(default_factory=list)
    unchanged_agents: int = 0
    # pins or exclusions that name nobody, agents left alone, and why
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changes(self) -> bool:
        return bool(self.create_attributes or self.create_values or self.agents)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def desired_skills(
    agents: Mapping[int, Agent],
    expertise: Expertise,
    area_names: Mapping[str, str],
    skills: Skills,
) -> tuple[dict[int, set[str]], list[str]]:
    """The managed skills each active agent should have, by skill name; and notes."""
    notes: list[str] = []
    wanted: dict[int, set[str]] = {}
    for agent in sorted(agents.values(), key=lambda a: a.id):
        if not agent.active or agent.suspended:
            continue
        depths = expertise.get(agent.id, {})
        names = {
            area_names[area]
            for area, depth in depths.items()
            if area in area_names and depth.depth >= skills.min_depth
        }
        if skills.tier_attribute is not None:
            tier = dominant_tier(depths) or agent.tier
            if tier in TIER_NAMES:
                names.add(TIER_NAMES[tier])
        wanted[agent.id] = names
    for kind, rules in (("pin", skills.pins), ("exclusion", skills.exclusions)):
        for rule in rules:
            found = _resolve(rule, agents)
            if found is None:
                notes.append(f"{kind} for {rule.agent!r}: no such agent is stored")
                continue
            if found.id not in wanted:
                notes.append(f"{kind} for {found.name}: inactive or suspended, left alone")
                continue
            named = {area_names[a] for a in rule.areas if a in area_names}
            if kind == "pin":
                wanted[found.id] |= named
            else:
                wanted[found.id] -= named
    return wanted, notes


def _resolve(rule: SkillRule, agents: Mapping[int, Agent]) -> Agent | None:
    if isinstance(rule.agent, int):
        return agents.get(rule.agent)
    email = rule.agent.strip().casefold()
    return next((a for a in agents.values() if (a.email or "").casefold() == email), None)


class _Account:
    """The managed skill types as they are in Zendesk; names match case-insensitively."""

    def __init__(self, api: RoutingApi, owners: Mapping[str, str]) -> None:
        self.api = api
        # skill name -> the skill type it belongs to
        self.owners = owners
        self._canonical = {name.casefold(): name for name in owners}
        existing = {a.name.casefold(): a for a in api.attributes()}
        self.attributes: dict[str, RoutingAttribute | None] = {
            name: existing.get(name.casefold()) for name in dict.fromkeys(owners.values())
        }
        self.values: dict[str, dict[str, RoutingValue]] = {
            name: {v.name.casefold(): v for v in api.values(attr.id)} if attr else {}
            for name, attr in self.attributes.items()
        }

    def managed_name(self, value: RoutingValue) -> str | None:
        """Our name for a skill an agent holds, or None when it is not one we manage."""
        name = self._canonical.get(value.name.casefold())
        if name is None:
            return None
        attribute = self.attributes.get(self.owners[name])
        return name if attribute is not None and attribute.id == value.attribute_id else None

    def ensure(self, attribute: str, value: str) -> RoutingValue:
        found = self.attributes.get(attribute)
        if found is None:
            found = self.attributes[attribute] = self.api.create_attribute(attribute)
        values = self.values.setdefault(attribute, {})
        made = values.get(value.casefold())
        if made is None:
            made = values[value.casefold()] = self.api.create_value(found.id, value)
        return made


def push_skills(
    engine: Engine,
    settings: Settings,
    *,
    apply: bool,
    rules_dir: Path | None = None,
    writer: ZendeskWriter | None = None,
) -> SkillsDiff:
    """The difference between the skills agents have and should have; with `apply`, make
    Zendesk match (creating the skill types and skills that are missing)."""
    context = build_context(engine, settings, rules_dir)
    skills = context.config.skills
    fallback = context.compiled.areas.fallback
    area_names = {k: v for k, v in context.compiled.areas.names.items() if k != fallback}
    wanted, notes = desired_skills(context.agents, context.expertise, area_names, skills)
    owners = dict.fromkeys(area_names.values(), skills.attribute)
    if skills.tier_attribute is not None:
        owners.update(dict.fromkeys(TIER_NAMES.values(), skills.tier_attribute))

    own_writer = writer is None
    writer = writer or writer_from_settings(settings)
    try:
        account = _Account(RoutingApi(writer.http), owners)
        diff = SkillsDiff(skills.attribute, skills.tier_attribute, notes=notes)
        diff.create_attributes = [n for n, a in account.attributes.items() if a is None]
        needed = set().union(*wanted.values()) if wanted else set()
        for name in sorted(needed):
            if name.casefold() not in account.values.get(owners[name], {}):
                diff.create_values.setdefault(owners[name], []).append(name)
        plans: list[tuple[int, list[RoutingValue], set[str]]] = []
        for agent_id, names in wanted.items():
            held = account.api.agent_values(agent_id)
            have = {n for n in map(account.managed_name, held) if n is not None}
            add, remove = sorted(names - have), sorted(have - names)
            if not add and not remove:
                diff.unchanged_agents += 1
                continue
            agent = context.agents[agent_id]
            diff.agents.append(AgentChange(agent_id, agent.name, tuple(add), tuple(remove)))
            plans.append((agent_id, held, names))
        if apply:
            for agent_id, held, names in plans:
                keep = [v.id for v in held if account.managed_name(v) is None]
                ids = keep + [account.ensure(owners[n], n).id for n in sorted(names)]
                account.api.set_agent_values(agent_id, ids)
            # skill types are created even with no agent to give them to, so routing rules
            # can refer to them
            for name in diff.create_attributes:
                if account.attributes.get(name) is None:
                    account.attributes[name] = account.api.create_attribute(name)
            for attribute, values in diff.create_values.items():
                for value in values:
                    account.ensure(attribute, value)
            diff.applied = True
    finally:
        if own_writer:
            writer.close()
    return diff
