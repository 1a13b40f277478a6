"""Where each export stream resumes. Always read and written inside the page's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from worker.storage.clock import utcnow
from worker.storage.models import SyncCursorRow
from worker.storage.upsert import upsert

TICKETS = "tickets"
TICKET_EVENTS = "ticket_events"
USERS = "users"
STREAMS = (USERS, TICKETS, TICKET_EVENTS)


def load(session: Session, stream: str) -> str | None:
    return session.scalar(select(SyncCursorRow.position).where(SyncCursorRow.stream == stream))


def save(session: Session, stream: str, position: str) -> None:
    upsert(
        session,
        SyncCursorRow,
        [{"stream": stream, "position": position, "updated_at": utcnow()}],
        key=("stream",),
    )


# A position is either what the export handed back (a cursor, or for the time-based event
# export a unix time), or "start_time=N": begin at N, for a stream that has no cursor yet.
_START = "start_time="


@dataclass(frozen=True)
class Resume:
    cursor: str | None
    start_time: int | None


def resume_from(position: str | None, default_start: int) -> Resume:
    """How a cursor-paged stream (tickets, users) continues from its stored position."""
    if position is None:
        return Resume(None, default_start)
    if position.startswith(_START):
        return Resume(None, int(position[len(_START) :]))
    return Resume(position, None)


def events_start(position: str | None, default_start: int) -> int:
    """Where the time-paged event export continues from its stored position."""
    if position is None:
        return default_start
    return int(position.removeprefix(_START))


def restart_all(session: Session, start_time: int) -> None:
    """Make every stream begin again at `start_time` (`sync --since`), in one transaction: a
    crash right after still resumes from `start_time`, not from the very beginning."""
    session.execute(delete(SyncCursorRow))
    for stream in STREAMS:
        save(session, stream, f"{_START}{start_time}")


def all_positions(session: Session) -> dict[str, str]:
    return {row.stream: row.position for row in session.scalars(select(SyncCursorRow))}
