"""One stored ticket -> its facts, product area(s), complexity score and tier, and the
agents' parts in it. Pure: no database access, so explain and backtest reuse it as is."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from worker.rules.areas import Areas
from worker.rules.compiled import CompiledRules
from worker.rules.facts import Facts
from worker.tagging.history import History, walk
from worker.tagging.reader import Stamp, TicketData, Touch


@dataclass(slots=True)
class Part:
    agent_id: int
    role: str
    weight: float
    at: Stamp


@dataclass(slots=True)
class Tagged:
    ticket_id: int
    areas: Areas
    score: int
    tier: int
    parts: list[Part]


class Tagger:
    def __init__(self, compiled: CompiledRules, agents: Mapping[int, int | None]) -> None:
        """`agents`: every agent's id and default group."""
        self.compiled = compiled
        self.agents = frozenset(agents)
        tiers = compiled.group_tiers
        self._agent_tier = {
            agent: tiers[group]
            for agent, group in agents.items()
            if group is not None and group in tiers
        }
        self._classify = compiled.areas.classify
        self._score = compiled.scorer.score
        self._tier = compiled.scorer.tier
        self._weights = compiled.attribution.weights
        self._solved = compiled.attribution.solved_statuses

    def facts(self, row: TicketData, touches: Sequence[Touch]) -> tuple[Facts, History]:
        (
            ticket_id,
            _deleted,
            status,
            subject,
            description,
            priority,
            ticket_type,
            channel,
            group_id,
            assignee_id,
            brand_id,
            form_id,
            tags,
            custom_fields,
            replies,
            reopens,
            group_stations,
            assignee_stations,
            reply_time,
            first_resolution,
            full_resolution,
            agent_wait,
            requester_wait,
            _solved_at,
            _updated_at,
        ) = row
        if isinstance(tags, str):  # SQLite hands JSON over as text (see reader)
            tags = json.loads(tags) if tags != "[]" else ()
        if isinstance(custom_fields, str):
            custom_fields = json.loads(custom_fields) if custom_fields != "{}" else None
        facts = Facts(
            ticket_id,
            subject=subject,
            description=description,
            tags=tags or (),
            custom_fields=custom_fields,
            status=status,
            priority=priority,
            type=ticket_type,
            channel=channel,
            group_id=group_id,
            assignee_id=assignee_id,
            brand_id=brand_id,
            form_id=form_id,
        )
        facts.replies = replies
        facts.reopens = reopens
        facts.group_stations = group_stations
        facts.assignee_stations = assignee_stations
        # minutes -> hours, inline: five calls per ticket add up over a re-tag
        facts.first_reply_hours = None if reply_time is None else reply_time / 60.0
        facts.first_resolution_hours = None if first_resolution is None else first_resolution / 60.0
        facts.full_resolution_hours = None if full_resolution is None else full_resolution / 60.0
        facts.agent_wait_hours = None if agent_wait is None else agent_wait / 60.0
        facts.requester_wait_hours = None if requester_wait is None else requester_wait / 60.0
        group_tiers = self.compiled.group_tiers
        history = walk(
            touches,
            agents=self.agents,
            group_tiers=group_tiers,
            final_assignee=assignee_id,
            final_group=group_id,
        )
        facts.public_replies = history.public_replies
        facts.internal_notes = history.internal_notes
        facts.distinct_agents = len(history.agents)
        facts.escalations = history.escalations
        facts.group_tier = group_tiers.get(group_id) if group_id is not None else None
        facts.max_group_tier = history.max_group_tier
        agent_tier = self._agent_tier
        top: int | None = None
        for agent in history.agents:
            tier = agent_tier.get(agent)
            if tier is not None and (top is None or tier > top):
                top = tier
        facts.max_agent_tier = top
        return facts, history

    def tag(self, row: TicketData, touches: Sequence[Touch]) -> Tagged | None:
        """None for a deleted ticket: it yields no work items and no tags."""
        if row[1]:
            return None
        facts, history = self.facts(row, touches)
        areas = self._classify(facts)
        facts.area = areas[0][0]
        score = self._score(facts)
        return Tagged(row[0], areas, score, self._tier(score), self.parts(row, history))

    def parts(self, row: TicketData, history: History) -> list[Part]:
        weights = self._weights
        parts: list[Part] = []
        status, assignee = row[2], row[9]
        solver = weights.get("solver")
        if (
            solver is not None
            and assignee is not None
            and assignee in self.agents
            and status is not None
            and status.lower() in self._solved
        ):
            parts.append(Part(assignee, "solver", solver, row[23] or row[24]))
        for role, who in (
            ("responder", history.responders),
            ("collaborator", history.collaborators),
            ("escalated_from", history.escalated_from),
        ):
            weight = weights.get(role)
            if weight is not None:
                for agent_id, at in who.items():
                    parts.append(Part(agent_id, role, weight, at))
        return parts
