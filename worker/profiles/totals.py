"""Area profiles: each agent's months in an area added up, depth stated as of the run.

Summed again, the very same way, for every (agent, area) on a full rebuild and for those
whose months changed on a nightly run; the months table is small (agents x areas x
months), so this costs a second or two even for a million tickets.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, text

from worker.storage.profile_tables import AreaProfileRow

Pair = tuple[int, str]  # agent_id, area

_COUNTS = (
    "tickets",
    "tier1",
    "tier2",
    "tier3",
    "solved",
    "mentoring",
    "escalations_received",
    "csat_good",
    "csat_bad",
)
_SUMS = (
    f"SELECT agent_id, area, sum(raw), {', '.join(f'sum({c})' for c in _COUNTS)}, "  # noqa: S608
    "min(first_at), max(last_at) FROM profile_months {where} GROUP BY agent_id, area"
)
_RESOLUTIONS = (
    "SELECT agent_id, area, resolutions FROM profile_months WHERE resolutions <> '' {where}"
)
# position of the median in a row of _COLUMNS
_MEDIAN = 4 + len(_COUNTS)
_COLUMNS = (
    f"agent_id, area, raw, score, {', '.join(_COUNTS)}, median_resolution_minutes, "
    "first_at, last_at"
)


def decay_factor(anchor: datetime, when: datetime, half_life_days: float) -> float:
    """2^(-(when - anchor) / half_life): turns a sum anchored at `anchor` into depth at `when`."""
    days = (when - anchor).total_seconds() / 86_400.0
    return float(2.0 ** (-days / half_life_days))


def rebuild_totals(conn: Connection, factor: float, pairs: Collection[Pair] | None = None) -> int:
    """Rewrite area_profiles from profile_months, for every (agent, area) or only `pairs`
    (whose months changed); `factor` states every depth as of the run."""
    conn.execute(text("UPDATE area_profiles SET score = raw * :f"), {"f": factor})
    if pairs is None:
        conn.execute(delete(AreaProfileRow))
        rows = _totals(conn, None, None)
    else:
        if not pairs:
            return 0
        wanted = set(pairs)
        agents = sorted({agent for agent, _ in wanted})
        rows = []
        for start in range(0, len(agents), 500):
            rows += _totals(conn, agents[start : start + 500], wanted)
        conn.execute(
            text("DELETE FROM area_profiles WHERE agent_id = :agent_id AND area = :area"),
            [{"agent_id": a, "area": r} for a, r in sorted(wanted)],
        )
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    statement = f"INSERT INTO area_profiles ({_COLUMNS}) VALUES ({', '.join([mark] * 16)})"  # noqa: S608
    for row in rows:
        row[3] = row[2] * factor
    for start in range(0, len(rows), 5_000):
        conn.exec_driver_sql(statement, [tuple(r) for r in rows[start : start + 5_000]])
    return len(rows)


def _totals(
    conn: Connection, agents: list[int] | None, wanted: set[Pair] | None
) -> list[list[Any]]:
    """Area profile rows (in _COLUMNS order) summed from the months in SQL; the median
    resolution time from the months' own values, which do not add up."""
    # driver cursors: these read every month of every agent on a full rebuild
    driver = conn.connection.driver_connection
    assert driver is not None
    sqlite = conn.dialect.name == "sqlite"
    where = ""
    params: tuple[int, ...] = ()
    if agents is not None:
        where = f"AND agent_id IN ({', '.join(['?' if sqlite else '%s'] * len(agents))})"
        params = tuple(agents)
    cursor = driver.cursor()
    try:
        cursor.execute(_SUMS.format(where=where.replace("AND", "WHERE", 1)), params)
        sums = {
            (r[0], r[1]): [r[0], r[1], r[2], 0.0, *r[3:12], None, r[12], r[13]]
            for r in cursor.fetchall()
        }
        cursor.execute(_RESOLUTIONS.format(where=where), params)
        texts: dict[Pair, list[str]] = {}
        for agent_id, area, text_values in cursor.fetchall():
            texts.setdefault((agent_id, area), []).append(text_values)
    finally:
        cursor.close()
    rows = []
    for key in sorted(sums):
        if wanted is not None and key not in wanted:
            continue
        row = sums[key]
        found = texts.get(key)
        row[_MEDIAN] = _median(found) if found else None
        rows.append(row)
    return rows


def _median(texts: list[str]) -> float:
    """The median of the minutes in the months' comma-separated lists: one JSON parse for
    all of them is about twice as fast as int() per value, and a nightly run reads every
    resolution time on record (about 2 million for a million tickets)."""
    values: list[int] = json.loads(f"[{','.join(texts)}]")
    return float(statistics.median(values))


def count(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM area_profiles")).scalar_one())
