"""Why a ticket has its tags: the area rules tried and their reasons, every complexity
feature with its value and points, the tier, and each agent's role and weight."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from worker.rules.areas import Areas, AreaTrace
from worker.rules.compiled import compile_rules
from worker.rules.complexity import FeatureTrace
from worker.rules.store import rules_in_force
from worker.storage.models import AgentRow
from worker.storage.work_items import TicketTagRow
from worker.tagging import reader
from worker.tagging.tagger import Tagger


class TicketNotFound(LookupError):
    pass


@dataclass
class RoleLine:
    agent_id: int
    agent_name: str
    role: str
    weight: float
    at: datetime


@dataclass
class Explanation:
    ticket_id: int
    deleted: bool
    rules_version: str
    rules_origin: str
    mode: str
    areas: Areas
    fallback: bool
    # first_match: the areas tried up to the one that matched; other modes: every area
    area_traces: list[AreaTrace]
    features: list[FeatureTrace]
    score: int
    tier: int
    tier_name: str
    roles: list[RoleLine]
    rules_errors: list[str] = field(default_factory=list)
    # what the last tagging run stored for this ticket, if anything
    stored: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain(engine: Engine, rules_dir: Path, ticket_id: int) -> Explanation:
    in_force = rules_in_force(engine, rules_dir, record=False)
    with engine.connect() as conn:
        compiled = compile_rules(in_force.rules, reader.load_directory(conn))
        agents = reader.agents(conn)
        stored_row = conn.execute(
            select(
                TicketTagRow.area, TicketTagRow.score, TicketTagRow.tier, TicketTagRow.rules_version
            ).where(TicketTagRow.ticket_id == ticket_id)
        ).first()
    batch = next(iter(reader.batches(engine, ids=[ticket_id], size=1)), None)
    if batch is None:
        raise TicketNotFound(f"ticket {ticket_id} is not in the database (run a sync first?)")
    row = batch.tickets[0]
    touches = batch.touches.get(ticket_id, [])
    tagger = Tagger(compiled, agents)
    facts, history = tagger.facts(row, touches)
    areas = compiled.areas.classify(facts)
    facts.area = areas[0][0]
    score = compiled.scorer.score(facts)
    tier = compiled.scorer.tier(score)
    traces = compiled.areas.trace(facts)
    if compiled.areas.mode == "first_match":
        matched = next((i for i, t in enumerate(traces) if t.matched), None)
        traces = traces if matched is None else traces[: matched + 1]
    deleted = bool(row[1])
    parts = [] if deleted else tagger.parts(row, history)
    names = _agent_names(engine, {p.agent_id for p in parts})
    return Explanation(
        ticket_id=ticket_id,
        deleted=deleted,
        rules_version=compiled.version,
        rules_origin=in_force.origin,
        rules_errors=[str(e) for e in in_force.errors],
        mode=compiled.areas.mode,
        areas=areas,
        fallback=not any(t.matched for t in traces),
        area_traces=traces,
        features=compiled.scorer.trace(facts),
        score=score,
        tier=tier,
        tier_name=compiled.scorer.tier_names.get(tier, ""),
        roles=[
            RoleLine(p.agent_id, names.get(p.agent_id, "?"), p.role, p.weight, _datetime(p.at))
            for p in parts
        ],
        stored=None
        if stored_row is None
        else {
            "area": stored_row.area,
            "score": stored_row.score,
            "tier": stored_row.tier,
            "rules_version": stored_row.rules_version,
        },
    )


def _datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _agent_names(engine: Engine, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(AgentRow.id, AgentRow.name).where(AgentRow.id.in_(ids)))
        return dict(rows.all())
