"""What a sync stored, as plain data, so two runs can be compared exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from worker.storage.db import session_scope
from worker.storage.models import (
    AgentRow,
    GroupRow,
    SyncCursorRow,
    TicketFieldRow,
    TicketRow,
    TouchRow,
)

# Bookkeeping that differs between any two runs by design (wall-clock times of the runs).
_VOLATILE = {"synced_at", "updated_at_local"}


def _rows(engine: Engine, model: Any, order: Any) -> list[dict[str, Any]]:
    cols = [c for c in model.__table__.columns if c.name not in _VOLATILE]
    with session_scope(engine) as s:
        return [dict(r._mapping) for r in s.execute(select(*cols).order_by(order))]


def db_snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with session_scope(engine) as s:
        positions = {r.stream: r.position for r in s.scalars(select(SyncCursorRow))}
    return {
        "tickets": _rows(engine, TicketRow, TicketRow.id),
        "touches": _rows(engine, TouchRow, TouchRow.id),
        "agents": _rows(engine, AgentRow, AgentRow.id),
        "groups": _rows(engine, GroupRow, GroupRow.id),
        "ticket_fields": _rows(engine, TicketFieldRow, TicketFieldRow.id),
        "cursors": [positions],
    }
