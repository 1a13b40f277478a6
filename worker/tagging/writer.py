"""Replace a batch's tags and work items in one transaction: delete, then bulk insert.

Replacing (never adding) is what makes tagging idempotent: tag twice = tag once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Index, delete, insert

from worker.storage.work_items import TicketTagRow, WorkItemRow
from worker.tagging.tagger import Tagged

# executemany in slices, so no driver builds one giant statement
_CHUNK = 5_000

# Secondary indexes a whole re-tag drops first and builds once at the end. Keeping
# work_items' agent index up to date row by row cost about 40% of the write (measured on a
# million tickets); building it afterwards from the finished table costs a sixth of that.
DEFERRED_INDEXES: tuple[Index, ...] = tuple(WorkItemRow.__table__.indexes)  # type: ignore[attr-defined]


def drop_deferred_indexes(conn: Connection) -> None:
    for index in DEFERRED_INDEXES:
        index.drop(conn, checkfirst=True)


def build_deferred_indexes(conn: Connection) -> None:
    """Build whatever a whole re-tag dropped; nothing to do when they are all there."""
    for index in DEFERRED_INDEXES:
        index.create(conn, checkfirst=True)


def replace_batch(
    conn: Connection,
    tagged: Sequence[Tagged],
    *,
    ticket_ids: Sequence[int] | None,
    after: int | None,
    last: int | None,
    version: str,
    now: datetime,
) -> int:
    """Delete what the batch's tickets had, write what they have now; returns items written.

    With `ticket_ids` None, every ticket id in (after, last] was in the batch, so the delete
    is a range (which also clears rows of tickets no longer stored at all).
    """
    for table in (WorkItemRow, TicketTagRow):
        column = table.ticket_id
        where: list[ColumnElement[bool]] = []
        if ticket_ids is not None:
            where.append(column.in_(list(ticket_ids)))
        else:
            if after is not None:
                where.append(column > after)
            if last is not None:
                where.append(column <= last)
        conn.execute(delete(table).where(*where))

    if conn.dialect.name == "sqlite":
        return _sqlite_insert(conn, tagged, version, now)
    tags = [
        (
            t.ticket_id,
            t.areas[0][0],
            [list(a) for a in t.areas] if len(t.areas) > 1 else None,
            t.score,
            t.tier,
            version,
            now,
        )
        for t in tagged
    ]
    items = [
        (t.ticket_id, p.agent_id, p.role, area, share, t.score, t.tier, p.weight, p.at, version)
        for t in tagged
        for p in t.parts
        for area, share in t.areas
    ]
    _insert(conn, TicketTagRow, TAG_COLUMNS, tags)
    _insert(conn, WorkItemRow, ITEM_COLUMNS, items)
    return len(items)


TAG_COLUMNS = ("ticket_id", "area", "areas", "score", "tier", "rules_version", "tagged_at")
ITEM_COLUMNS = (
    "ticket_id",
    "agent_id",
    "role",
    "area",
    "area_weight",
    "score",
    "tier",
    "weight",
    "at",
    "rules_version",
)


_INSERT_TAG = (
    "INSERT INTO ticket_tags (ticket_id, area, areas, score, tier, rules_version, tagged_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_ITEM = (
    "INSERT INTO work_items (ticket_id, agent_id, role, area, area_weight, score, tier, weight, "
    "at, rules_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _insert(
    conn: Connection, table: type[Any], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    for start in range(0, len(rows), _CHUNK):
        chunk = [dict(zip(columns, row, strict=True)) for row in rows[start : start + _CHUNK]]
        conn.execute(insert(table), chunk)


def _stamp(value: Any) -> Any:
    """SQLAlchemy's SQLite text form of a datetime (it reads back either form)."""
    return value.isoformat(" ") if isinstance(value, datetime) else value


def _sqlite_insert(conn: Connection, tagged: Sequence[Tagged], version: str, now: datetime) -> int:
    """The driver's executemany on plain tuples, built in their final form in one pass and
    inside the same transaction: per-row parameter processing would cost more than SQLite's
    insert itself. Returns the work items written."""
    tagged_at = _stamp(now)
    tags = [
        (
            t.ticket_id,
            t.areas[0][0],
            json.dumps([list(a) for a in t.areas]) if len(t.areas) > 1 else None,
            t.score,
            t.tier,
            version,
            tagged_at,
        )
        for t in tagged
    ]
    # the reader hands SQLite's stored times over as text, written back as they are
    items = [
        (t.ticket_id, p.agent_id, p.role, area, share, t.score, t.tier, p.weight, at, version)
        for t in tagged
        for p in t.parts
        for at in (p.at if p.at.__class__ is str else _stamp(p.at),)
        for area, share in t.areas
    ]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(_INSERT_TAG, tags)
        cursor.executemany(_INSERT_ITEM, items)
    finally:
        cursor.close()
    return len(items)
