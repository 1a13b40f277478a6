"""Stored tickets and their touches, streamed in id-ordered batches.

Core selects of plain columns, never ORM objects: a re-tag reads a million tickets, and
only one batch (tickets plus their touches) is in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, func, select, type_coerce
from sqlalchemy.types import NullType

from worker.rules.directory import Directory, FieldInfo
from worker.storage.models import AgentRow, GroupRow, TicketFieldRow, TicketRow, TouchRow

T = TicketRow
TICKET_COLUMNS = (
    T.id,
    T.deleted,
    T.status,
    T.subject,
    T.description,
    T.priority,
    T.type,
    T.channel,
    T.group_id,
    T.assignee_id,
    T.brand_id,
    T.form_id,
    T.tags,
    T.custom_fields,
    T.replies,
    T.reopens,
    T.group_stations,
    T.assignee_stations,
    T.reply_time_minutes,
    T.first_resolution_minutes,
    T.full_resolution_minutes,
    T.agent_wait_minutes,
    T.requester_wait_minutes,
    T.solved_at,
    T.updated_at,
)
# Selected without their column types: no per-value result processing, which would cost
# more than the tagging itself on a re-tag of millions. Values arrive as the driver gives
# them: on SQLite, times as their stored text (in sortable ISO form, written back as is)
# and JSON as text, decoded by the tagger; on PostgreSQL, datetimes and decoded JSON.
_RAW_TICKETS = tuple(type_coerce(c, NullType()).label(c.key) for c in TICKET_COLUMNS)
# touches sort by (at, audit, id) within a ticket: the order the work happened in. The
# ticket id comes last, so a row read is a Touch as it is (no copy per touch).
TOUCH_COLUMNS = (
    TouchRow.at,
    TouchRow.audit_id,
    TouchRow.id,
    TouchRow.kind,
    TouchRow.actor_id,
    TouchRow.value,
    TouchRow.previous_value,
    TouchRow.ticket_id,
)

# a row of TICKET_COLUMNS, read by position on the hot path
TicketData = Sequence[Any]
# a stored time: datetime, or on SQLite the stored text (sorts the same)
Stamp = datetime | str
# (at, audit_id, id, kind, actor_id, value, previous_value, ticket_id)
Touch = tuple[Stamp, int, int, str, int | None, int | None, int | None, int]
_RAW_TOUCHES = tuple(type_coerce(c, NullType()).label(c.key) for c in TOUCH_COLUMNS)


@dataclass
class Batch:
    tickets: Sequence[TicketData]
    touches: dict[int, list[Touch]]
    # every ticket id in (after, last] was considered: deletes of old items use the range
    after: int | None
    last: int


def load_directory(conn: Connection) -> Directory:
    groups: dict[int, str] = dict(conn.execute(select(GroupRow.id, GroupRow.name)).all())
    fields = {
        fid: FieldInfo(title, tuple((str(o[0]), str(o[1])) for o in options or ()))
        for fid, title, options in conn.execute(
            select(TicketFieldRow.id, TicketFieldRow.title, TicketFieldRow.options)
        )
    }
    return Directory(groups=groups, fields=fields)


def agents(conn: Connection) -> dict[int, int | None]:
    """Every agent's id and default group (whose tier is the agent's tier)."""
    return dict(conn.execute(select(AgentRow.id, AgentRow.default_group_id)).all())


def newest_sync(conn: Connection) -> datetime | None:
    value: datetime | None = conn.scalar(select(func.max(TicketRow.synced_at)))
    return value


def count_tickets(conn: Connection, since: datetime | None) -> int:
    query = select(func.count()).select_from(TicketRow)
    if since is not None:
        query = query.where(TicketRow.synced_at > since)
    return int(conn.scalar(query) or 0)


def batches(
    engine: Engine,
    *,
    since: datetime | None = None,
    ids: Sequence[int] | None = None,
    size: int = 10_000,
) -> Iterator[Batch]:
    """Tickets (with `synced_at` after `since`, or among `ids`) and their touches.

    Each batch is read in its own short transaction, so a long re-tag never holds a read
    snapshot open on PostgreSQL or blocks SQLite's WAL checkpoints.
    """
    after: int | None = None
    while True:
        with engine.connect() as conn:
            batch = _read(conn, after, None, since, ids, size)
        if batch is None:
            return
        yield batch
        after = batch.last


def spans(
    engine: Engine, *, since: datetime | None = None, size: int = 10_000
) -> Iterator[tuple[int | None, int]]:
    """(after, last) id ranges of `size` tickets each, for `read_span` in other processes.

    Each range's end is found by the database stepping over `size` ids (OFFSET), so a
    million tickets cost a hundred one-row queries rather than a million ids read here.
    """
    after: int | None = None
    while True:
        where = []
        if after is not None:
            where.append(T.id > after)
        if since is not None:
            where.append(T.synced_at > since)
        with engine.connect() as conn:
            last: int | None = conn.scalar(
                select(T.id).where(*where).order_by(T.id).offset(size - 1).limit(1)
            )
            if last is None:  # fewer than `size` left: the last range ends at the last
                last = conn.scalar(select(func.max(T.id)).where(*where))
        if last is None:
            return
        yield after, last
        after = last


def read_span(engine: Engine, after: int | None, last: int, since: datetime | None) -> Batch | None:
    with engine.connect() as conn:
        return _read(conn, after, last, since, None, None)


def _read(
    conn: Connection,
    after: int | None,
    last: int | None,
    since: datetime | None,
    ids: Sequence[int] | None,
    size: int | None,
) -> Batch | None:
    query = select(*_RAW_TICKETS).order_by(T.id)
    if size is not None:
        query = query.limit(size)
    if after is not None:
        query = query.where(T.id > after)
    if last is not None:
        query = query.where(T.id <= last)
    if since is not None:
        query = query.where(T.synced_at > since)
    if ids is not None:
        query = query.where(T.id.in_(list(ids)))
    tickets: Sequence[Any] = conn.execute(query).all()
    if not tickets:
        return None
    first: int = tickets[0][0]
    end: int = tickets[-1][0]
    # every ticket in the range is in the batch: a range scan beats a long IN
    whole_range = since is None and ids is None
    if conn.dialect.name == "sqlite":
        grouped = _sqlite_touches(conn, first, end, None if whole_range else tickets)
        return Batch(tickets, grouped, after, last if last is not None else end)
    touch_query = select(*_RAW_TOUCHES).order_by(TouchRow.ticket_id)
    if whole_range:
        touch_query = touch_query.where(TouchRow.ticket_id.between(first, end))
    else:
        touch_query = touch_query.where(TouchRow.ticket_id.in_([t[0] for t in tickets]))
    rows: list[Any] = [tuple(row) for row in conn.execute(touch_query)]
    return Batch(tickets, _by_ticket(rows), after, last if last is not None else end)


_SQLITE_TOUCHES = (
    "SELECT at, audit_id, id, kind, actor_id, value, previous_value, ticket_id FROM touches "
    "WHERE ticket_id "
)
# ids per IN list, well under SQLite's limit on bound parameters
_IN_CHUNK = 5_000


def _sqlite_touches(
    conn: Connection, first: int, end: int, tickets: Sequence[Any] | None
) -> dict[int, list[Touch]]:
    """The batch's touches through the driver's own cursor: SQLite hands over plain tuples of
    the stored values, the same values Core gives for these untyped columns, without a
    result row object per touch (a re-tag reads several million touches)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if tickets is None:
            rows = cursor.execute(
                _SQLITE_TOUCHES + "BETWEEN ? AND ? ORDER BY ticket_id", (first, end)
            ).fetchall()
        else:
            rows = []
            ids = [t[0] for t in tickets]
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start : start + _IN_CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows += cursor.execute(
                    f"{_SQLITE_TOUCHES}IN ({marks}) ORDER BY ticket_id",
                    chunk,
                ).fetchall()
    finally:
        cursor.close()
    return _by_ticket(rows)


_ticket_of = itemgetter(7)


def _by_ticket(rows: list[Touch]) -> dict[int, list[Touch]]:
    """Rows ordered by ticket, one list per run of equal ticket ids."""
    return {ticket_id: list(group) for ticket_id, group in groupby(rows, _ticket_of)}
