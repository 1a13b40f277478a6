"""A help desk written straight into the tables tagging fills: agents, tickets, work items.

Tests state exactly which agent did what on which ticket, so every profile number they
check can be worked out by hand. Re-writing a ticket replaces its work items, the way a
re-tag does, and stamps it synced at the desk's clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, update

from worker.storage.db import session_scope
from worker.storage.models import AgentRow, TicketRow
from worker.storage.upsert import upsert
from worker.storage.work_items import TaggingStateRow, TicketTagRow, WorkItemRow

AS_OF = datetime(2026, 6, 30, 12, 0, 0)
ROLE_WEIGHTS = {"solver": 1.0, "responder": 0.5, "collaborator": 0.25, "escalated_from": 0.3}


def days_ago(days: float, when: datetime = AS_OF) -> datetime:
    return when - timedelta(days=days)


@dataclass
class Desk:
    engine: Engine
    # the sync clock: each write is synced one second after the previous one
    clock: datetime = field(default_factory=lambda: datetime(2026, 1, 1))
    rules_version: str = "test"
    _created: dict[int, datetime] = field(default_factory=dict)

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def agent(
        self,
        agent_id: int,
        name: str | None = None,
        *,
        email: str | None = None,
        active: bool = True,
        suspended: bool = False,
        created_at: datetime | None = None,
        user_fields: dict[str, Any] | None = None,
    ) -> int:
        row = {
            "id": agent_id,
            "name": name or f"Agent {agent_id}",
            "email": email or f"agent{agent_id}@example.com",
            "role": "agent",
            "active": active,
            "suspended": suspended,
            "default_group_id": None,
            "tags": [],
            "user_fields": user_fields or {},
            "created_at": created_at or days_ago(3 * 365),
            "updated_at": self.clock,
        }
        with session_scope(self.engine) as s:
            upsert(s, AgentRow, [row])
        return agent_id

    def ticket(
        self,
        ticket_id: int,
        *,
        area: str | Sequence[tuple[str, float]],
        tier: int = 1,
        at: datetime,
        solver: int | None = None,
        responders: Iterable[int] = (),
        collaborators: Iterable[int] = (),
        escalated_from: Iterable[int] = (),
        satisfaction: str | None = None,
        resolution_minutes: int | None = None,
        created_at: datetime | None = None,
        deleted: bool = False,
    ) -> None:
        """Write (or re-write) one ticket and its work items, all dated `at`. A re-written
        ticket keeps its creation time, as in Zendesk."""
        areas = [(area, 1.0)] if isinstance(area, str) else list(area)
        synced = self._tick()
        created = created_at or self._created.get(ticket_id) or at - timedelta(hours=5)
        self._created[ticket_id] = created
        ticket = {
            "id": ticket_id,
            "created_at": created,
            "updated_at": at,
            "generated_timestamp": int(at.timestamp()),
            "status": "solved" if solver is not None else "open",
            "deleted": deleted,
            "tags": [],
            "custom_fields": {},
            "satisfaction": satisfaction,
            "full_resolution_minutes": resolution_minutes,
            "assignee_id": solver,
            "solved_at": at if solver is not None else None,
            "synced_at": synced,
        }
        parts: list[tuple[int, str]] = []
        if solver is not None:
            parts.append((solver, "solver"))
        parts += [(a, "responder") for a in responders]
        parts += [(a, "collaborator") for a in collaborators]
        parts += [(a, "escalated_from") for a in escalated_from]
        items = [
            {
                "ticket_id": ticket_id,
                "agent_id": agent_id,
                "role": role,
                "area": key,
                "area_weight": share,
                "score": tier * 3,
                "tier": tier,
                "weight": ROLE_WEIGHTS[role],
                "at": at,
                "rules_version": self.rules_version,
            }
            for agent_id, role in parts
            for key, share in areas
        ]
        with session_scope(self.engine) as s:
            upsert(s, TicketRow, [ticket])
            s.execute(delete(WorkItemRow).where(WorkItemRow.ticket_id == ticket_id))
            s.execute(delete(TicketTagRow).where(TicketTagRow.ticket_id == ticket_id))
            if not deleted:
                s.execute(
                    insert(TicketTagRow).values(
                        ticket_id=ticket_id,
                        area=areas[0][0],
                        areas=[list(a) for a in areas] if len(areas) > 1 else None,
                        score=tier * 3,
                        tier=tier,
                        rules_version=self.rules_version,
                        tagged_at=synced,
                    )
                )
                if items:
                    s.execute(insert(WorkItemRow), items)
        self.tagged()

    def tagged(self, *, full: bool = False) -> None:
        """Tagging caught up with the sync clock (`full`: it re-did the whole history)."""
        with session_scope(self.engine) as s:
            if s.get(TaggingStateRow, 1) is None:
                s.add(TaggingStateRow(id=1))
                s.flush()
            values: dict[str, Any] = {"watermark": self.clock, "rules_version": self.rules_version}
            if full:
                values["last_full_run_at"] = self._tick()
            s.execute(update(TaggingStateRow).where(TaggingStateRow.id == 1).values(**values))
