"""Monthly buckets from the work items, for every month (full) or only the changed ones.

A nightly run looks up the creation month of each ticket re-tagged since the last run and
sums those months again from scratch; every other month stays as stored. Area profiles
are then re-added from all months, so a full rebuild and a nightly run meet in the same
numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, text

from worker.profiles import sql
from worker.profiles.fold import (
    COUNTS,
    FIRST_AT,
    LAST_AT,
    RAW,
    RESOLUTIONS,
    Bucket,
    BucketKey,
    Folded,
    fold,
)
from worker.storage.profile_tables import ProfileMonthRow, ProfileSpanRow

_MONTH_COLUMNS = (
    "agent_id, area, month, raw, tickets, tier1, tier2, tier3, solved, mentoring, "
    "escalations_received, csat_good, csat_bad, first_at, last_at, resolutions"
)
_CHUNK = 5_000


def rebuild_all(conn: Connection, decay: sql.Decay) -> int:
    """Every month from every work item; returns the months written."""
    conn.execute(delete(ProfileMonthRow))
    conn.execute(delete(ProfileSpanRow))
    folded = fold(sql.parts(conn, decay))
    _write(conn, folded.buckets.items())
    _write_spans(conn, folded.spans)
    return len(folded.spans)


Pair = tuple[int, str]  # agent_id, area


def update_changed(
    conn: Connection, decay: sql.Decay, *, since: datetime, until: datetime
) -> tuple[int, int, set[Pair]]:
    """Sum again the months of the tickets re-tagged in (since, until]; returns (months
    summed, tickets changed, the (agent, area) pairs whose months changed)."""
    changed = sql.changed_tickets(conn, since, until)
    if not changed:
        return 0, 0, set()
    spans = {
        row.month: (row.min_ticket_id, row.max_ticket_id)
        for row in conn.execute(select(ProfileSpanRow))
    }
    months: set[str] = set()
    for ticket_id, month in changed:
        months.add(month)
        lo, hi = spans.get(month, (ticket_id, ticket_id))
        spans[month] = (min(lo, ticket_id), max(hi, ticket_id))
    pairs: set[Pair] = set()
    held = text("SELECT DISTINCT agent_id, area FROM profile_months WHERE month = :m")
    for month in sorted(months):
        pairs.update((r[0], r[1]) for r in conn.execute(held, {"m": month}))
        conn.execute(delete(ProfileMonthRow).where(ProfileMonthRow.month == month))
        folded = fold(sql.parts(conn, decay, ticket_range=spans[month], month=month))
        # a bucket of another month would mean the SQL month filter and month format disagree
        assert all(key[2] == month for key in folded.buckets), month
        pairs.update((agent, area) for agent, area, _ in folded.buckets)
        _write(conn, folded.buckets.items())
    _write_spans(conn, {m: spans[m] for m in months})
    return len(months), len(changed), pairs


def _write(conn: Connection, buckets: Iterable[tuple[BucketKey, Bucket]]) -> None:
    """Straight to the driver: SQLAlchemy's per-row parameter handling would cost more
    than the insert for the ~150,000 months of a million tickets. Times go back as the
    driver handed them over (text on SQLite, datetimes on PostgreSQL)."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    statement = (
        f"INSERT INTO profile_months ({_MONTH_COLUMNS}) "  # noqa: S608 - constants
        f"VALUES ({', '.join([mark] * 16)})"
    )
    rows: list[tuple[object, ...]] = []
    for (agent_id, area, month), b in buckets:
        rows.append(
            (
                agent_id,
                area,
                month,
                b[RAW],
                *(b[i] for _, i in COUNTS),
                b[FIRST_AT],
                b[LAST_AT],
                ",".join(map(str, b[RESOLUTIONS])),
            )
        )
        if len(rows) >= _CHUNK:
            conn.exec_driver_sql(statement, rows)
            rows = []
    if rows:
        conn.exec_driver_sql(statement, rows)


def _write_spans(conn: Connection, spans: dict[str, tuple[int, int]]) -> None:
    if not spans:
        return
    conn.execute(delete(ProfileSpanRow).where(ProfileSpanRow.month.in_(sorted(spans))))
    conn.execute(
        insert(ProfileSpanRow),
        [{"month": m, "min_ticket_id": lo, "max_ticket_id": hi} for m, (lo, hi) in spans.items()],
    )


__all__ = ["Folded", "rebuild_all", "update_changed"]
