"""The one query profiles read work through: each agent's part in each ticket, folded in SQL.

Work items are grouped per (ticket, agent) in the database, in ticket order, with the decayed
weight computed there, so 2.5 million items reach Python as about 1.5 million short rows.
The few expressions SQLite and PostgreSQL spell differently are filled in per dialect.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, text

_EPOCH = datetime(1970, 1, 1)
# SQLite's julianday() of the Unix epoch
_JULIAN_EPOCH = 2440587.5
# exp() below this underflows on PostgreSQL (an error there, not a zero); such work is
# older than ~1,000 half-lives and worth nothing anyway
_MIN_EXPONENT = -700.0
# bits of the role mask: sum over one (ticket, agent) pair of its roles, per area
SOLVER, COLLABORATOR, ESCALATED_FROM = 1, 4, 16


@dataclass(frozen=True)
class Dialect:
    name: str
    days: str  # {col} -> fractional days on the dialect's own scale
    month: str  # {col} -> 'YYYY-MM'
    greatest: str
    # SQLite takes ticket_tags' columns as they are (one row per ticket); PostgreSQL wants
    # its key in the GROUP BY to know that
    group_by: str
    # the driver's own placeholder for a named parameter
    param: str

    def month_bounds(self, month: str) -> tuple[Any, Any]:
        """[start, end) of a 'YYYY-MM' month, comparable with a stored time: SQLite stores
        times as ISO text (with or without fractions), which sorts against '2026-02'."""
        year, mon = int(month[:4]), int(month[5:7])
        nxt = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"
        if self.name == "sqlite":
            return month, nxt
        return datetime(year, mon, 1), datetime(int(nxt[:4]), int(nxt[5:]), 1)

    def day_number(self, when: datetime) -> float:
        """`when` on the same day scale as `days`."""
        days = (when - _EPOCH).total_seconds() / 86_400.0
        return days + _JULIAN_EPOCH if self.name == "sqlite" else days


SQLITE = Dialect(
    name="sqlite",
    days="julianday({col})",
    month="substr({col}, 1, 7)",
    greatest="max",
    group_by="t.id, w.agent_id",
    param=":{name}",
)
POSTGRESQL = Dialect(
    name="postgresql",
    days="(extract(epoch from {col}) / 86400.0)",
    month="to_char({col}, 'YYYY-MM')",
    greatest="greatest",
    group_by="t.id, w.agent_id, tt.ticket_id",
    param="%({name})s",
)


def dialect_of(conn: Connection) -> Dialect:
    name = conn.dialect.name
    if name == "sqlite":
        return SQLITE
    if name == "postgresql":
        return POSTGRESQL
    raise NotImplementedError(f"profiles are not implemented for {name}")  # pragma: no cover


def ensure_sqlite_math(conn: Connection) -> None:
    """SQLite has exp() only when compiled with its math functions; add it if missing."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        raw.execute("SELECT exp(1)").fetchone()
    except Exception:  # sqlite3.OperationalError: no such function
        raw.create_function("exp", 1, math.exp, deterministic=True)


@dataclass(frozen=True)
class Decay:
    """How much a work item weighs: role weight x area share x tier weight x
    2^((at - anchor) / half_life). Sums are stated at `anchor`; see profile_tables."""

    anchor: datetime
    half_life_days: float
    tier_weights: Mapping[int, float]


# (ticket_id, agent_id, raw, tier, first_at, last_at, role mask sum, primary area,
#  satisfaction, full resolution minutes, created month 'YYYY-MM', ticket_tags.areas)
Part = tuple[int, int, float, int, Any, Any, int, str, str | None, int | None, Any, Any]


def parts(
    conn: Connection,
    decay: Decay,
    *,
    ticket_range: tuple[int, int] | None = None,
    month: str | None = None,
    batch: int = 20_000,
) -> Iterator[Part]:
    """Every (ticket, agent) part in ticket order; optionally only the tickets with ids in
    `ticket_range` created in `month` ('YYYY-MM')."""
    d = dialect_of(conn)
    tiers = " ".join(
        f"WHEN {int(t)} THEN {float(w)!r}" for t, w in sorted(decay.tier_weights.items())
    )

    def p(name: str) -> str:
        return d.param.format(name=name)

    exponent = f"{p('k')} * ({d.days.format(col='w.at')} - {p('anchor_days')})"
    where: list[str] = []
    params: dict[str, Any] = {
        "k": math.log(2) / decay.half_life_days,
        "anchor_days": d.day_number(decay.anchor),
    }
    if ticket_range is not None:
        where.append(f"t.id BETWEEN {p('lo')} AND {p('hi')}")
        params.update(lo=ticket_range[0], hi=ticket_range[1])
    if month is not None:
        where.append(f"t.created_at >= {p('c0')} AND t.created_at < {p('c1')}")
        params.update(zip(("c0", "c1"), d.month_bounds(month), strict=True))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    # SQLite: tickets drive the join (scanned in order, work items found by their key);
    # the other way round costs two index lookups per work item.
    join = "CROSS JOIN" if d.name == "sqlite" else "JOIN"
    query = f"""
        SELECT t.id, w.agent_id,
            sum(w.weight * w.area_weight * (CASE w.tier {tiers} ELSE 1.0 END)
                * exp({d.greatest}({_MIN_EXPONENT}, {exponent}))),
            max(w.tier), min(w.at), max(w.at),
            sum(CASE w.role WHEN 'solver' THEN {SOLVER} WHEN 'collaborator' THEN {COLLABORATOR}
                WHEN 'escalated_from' THEN {ESCALATED_FROM} ELSE 0 END),
            coalesce(tt.area, max(w.area)), t.satisfaction, t.full_resolution_minutes,
            {d.month.format(col="t.created_at")}, tt.areas
        FROM tickets t
        {join} work_items w ON w.ticket_id = t.id
        LEFT JOIN ticket_tags tt ON tt.ticket_id = t.id
        {clause}
        GROUP BY {d.group_by}
        ORDER BY t.id, w.agent_id
    """  # noqa: S608 - built from constants; every value is a bound parameter
    # The driver's cursor itself: 1.5 million rows through SQLAlchemy's result machinery
    # would cost seconds for nothing. On PostgreSQL a named (server-side) cursor streams.
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor(name="profile_parts") if d.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(query, params)
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                break
            yield from rows
    finally:
        cursor.close()


# Tickets whose work items changed since the last profile run: tagging re-does exactly the
# tickets synced after its watermark, so the same window names what it re-did.
def changed_tickets(conn: Connection, since: datetime, until: datetime) -> list[tuple[int, str]]:
    """(id, created month) of the tickets synced in (since, until]."""
    month = dialect_of(conn).month.format(col="created_at")
    query = text(
        f"SELECT id, {month} FROM tickets WHERE synced_at > :since AND synced_at <= :until"  # noqa: S608
    ).bindparams(bindparam("since", type_=DateTime), bindparam("until", type_=DateTime))
    return [(r[0], r[1]) for r in conn.execute(query, {"since": since, "until": until})]
