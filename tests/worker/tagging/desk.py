"""A tiny help desk in the database, built row by row, for tagging tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, update

from worker.storage.models import AgentRow, GroupRow, TicketFieldRow, TicketRow, TouchRow

T0 = datetime(2025, 3, 1, 9, 0, 0)
TIER1, TIER2, TIER3 = 101, 102, 103
AREA_FIELD = 900


class Desk:
    """Groups named like the sandbox's, a "Product area" field, and agents on request."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._touch_ids = itertools.count(1)
        self._audit_ids = itertools.count(1)
        with engine.begin() as conn:
            conn.execute(
                insert(GroupRow),
                [
                    {"id": gid, "name": name, "deleted": False, "created_at": T0, "updated_at": T0}
                    for gid, name in (
                        (TIER1, "Tier 1 - General"),
                        (TIER2, "Tier 2 - Technical"),
                        (TIER3, "Tier 3 - Engineering"),
                    )
                ],
            )
            conn.execute(
                insert(TicketFieldRow),
                [
                    {
                        "id": AREA_FIELD,
                        "title": "Product area",
                        "type": "tagger",
                        "active": True,
                        "options": [["Billing", "pa_billing"], ["API", "pa_api"]],
                    }
                ],
            )

    def agents(self, *ids: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(AgentRow),
                [
                    {
                        "id": i,
                        "name": f"Agent {i}",
                        "email": None,
                        "role": "agent",
                        "active": True,
                        "suspended": False,
                        "default_group_id": None,
                        "tags": [],
                        "user_fields": {},
                        "created_at": T0,
                        "updated_at": T0,
                    }
                    for i in ids
                ],
            )

    def ticket(self, ticket_id: int, **fields: Any) -> None:
        row: dict[str, Any] = {
            "id": ticket_id,
            "created_at": T0,
            "updated_at": T0 + timedelta(days=1),
            "generated_timestamp": 0,
            "status": "solved",
            "deleted": False,
            "subject": "",
            "description": "",
            "group_id": TIER1,
            "tags": [],
            "custom_fields": {},
            "synced_at": T0,
        }
        row.update(fields)
        with self.engine.begin() as conn:
            conn.execute(insert(TicketRow), [row])

    def update_ticket(self, ticket_id: int, **fields: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(TicketRow).where(TicketRow.id == ticket_id).values(**fields))

    def touch(
        self,
        ticket_id: int,
        kind: str,
        actor: int | None,
        *,
        minutes: int,
        value: int | None = None,
        previous: int | None = None,
        audit: int | None = None,
    ) -> int:
        """One touch `minutes` after T0; touches sharing `audit` happened in one update."""
        audit_id = audit if audit is not None else next(self._audit_ids) + 10_000
        with self.engine.begin() as conn:
            conn.execute(
                insert(TouchRow),
                [
                    {
                        "id": next(self._touch_ids),
                        "ticket_id": ticket_id,
                        "audit_id": audit_id,
                        "at": T0 + timedelta(minutes=minutes),
                        "kind": kind,
                        "actor_id": actor,
                        "public": {"public_reply": True, "internal_note": False}.get(kind),
                        "value": value,
                        "previous_value": previous,
                    }
                ],
            )
        return audit_id

    def reply(self, ticket_id: int, agent: int, minutes: int) -> None:
        self.touch(ticket_id, "public_reply", agent, minutes=minutes)

    def note(self, ticket_id: int, agent: int, minutes: int) -> None:
        self.touch(ticket_id, "internal_note", agent, minutes=minutes)

    def assign(self, ticket_id: int, agent: int | None, previous: int | None, minutes: int) -> None:
        self.touch(
            ticket_id, "assignee_change", agent, minutes=minutes, value=agent, previous=previous
        )

    def escalate(
        self, ticket_id: int, by: int, to_group: int, from_group: int, minutes: int
    ) -> None:
        """Move the ticket up and unassign `by`, in one update, as agents escalate."""
        audit = self.touch(
            ticket_id, "group_change", by, minutes=minutes, value=to_group, previous=from_group
        )
        self.touch(
            ticket_id, "assignee_change", by, minutes=minutes, value=None, previous=by, audit=audit
        )
