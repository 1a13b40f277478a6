"""The people and groups triage can recommend, and how busy each agent is right now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from worker.storage.models import AgentRow, GroupRow, TicketRow

# Statuses in which a ticket still needs its assignee.
OPEN_STATUSES = ("new", "open", "pending", "hold")


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    name: str
    email: str | None
    active: bool
    suspended: bool
    group_id: int | None
    # the tier of the agent's default group; None when no group_tiers rule fits it
    tier: int | None


def load_agents(conn: Connection, group_tiers: Mapping[int, int]) -> dict[int, Agent]:
    rows = conn.execute(
        select(
            AgentRow.id,
            AgentRow.name,
            AgentRow.email,
            AgentRow.active,
            AgentRow.suspended,
            AgentRow.default_group_id,
        )
    ).all()
    return {
        row.id: Agent(
            id=row.id,
            name=row.name,
            email=row.email,
            active=bool(row.active),
            suspended=bool(row.suspended),
            group_id=row.default_group_id,
            tier=group_tiers.get(row.default_group_id) if row.default_group_id else None,
        )
        for row in rows
    }


def load_groups(conn: Connection) -> dict[int, str]:
    rows = conn.execute(select(GroupRow.id, GroupRow.name).where(GroupRow.deleted.is_(False)))
    return {row.id: row.name for row in rows}


def open_load(conn: Connection) -> dict[int, int]:
    """Open tickets assigned to each agent, as of the last sync."""
    rows = conn.execute(
        select(TicketRow.assignee_id, func.count())
        .where(
            TicketRow.assignee_id.is_not(None),
            TicketRow.deleted.is_(False),
            TicketRow.status.in_(OPEN_STATUSES),
        )
        .group_by(TicketRow.assignee_id)
    )
    return {int(agent_id): int(count) for agent_id, count in rows if agent_id is not None}
