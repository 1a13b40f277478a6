"""Counts of what is stored, so an operator can see what a sync did."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from worker.storage.db import session_scope
from worker.storage.models import (
    AgentRow,
    GroupRow,
    SkippedRecordRow,
    TicketFieldRow,
    TicketRow,
    TouchRow,
)


def stored_counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:

        def count(stmt: object) -> int:
            return int(s.scalar(stmt) or 0)  # type: ignore[call-overload]

        return {
            "tickets": count(select(func.count()).select_from(TicketRow).where(~TicketRow.deleted)),
            "deleted_tickets": count(
                select(func.count()).select_from(TicketRow).where(TicketRow.deleted)
            ),
            "agents": count(select(func.count()).select_from(AgentRow)),
            "active_agents": count(
                select(func.count())
                .select_from(AgentRow)
                .where(AgentRow.active, ~AgentRow.suspended)
            ),
            "groups": count(select(func.count()).select_from(GroupRow)),
            "ticket_fields": count(select(func.count()).select_from(TicketFieldRow)),
            "touches": count(select(func.count()).select_from(TouchRow)),
            "skipped_records": count(select(func.count()).select_from(SkippedRecordRow)),
        }
