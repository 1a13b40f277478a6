"""Who knows what, as triage reads it: each agent's depth and tier mix per product area.

The profiles stage stores these in `area_profiles`; triage reads them there when they have
been built. Before that (or for a replay that must not see the future) the same kind of
depth is summed from the tagged work items up to an instant: role weight x area share x
tier weight, halved every half-life.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, inspect, text

# The profiles' default tier weights (roles.yaml scoring.tier_weights): a tier 3 ticket
# says more about expertise than a tier 1 one.
DEFAULT_TIER_WEIGHTS: Mapping[int, float] = {1: 1.0, 2: 2.0, 3: 4.0}
_ALL_AREAS = "*"


@dataclass(frozen=True, slots=True)
class AreaDepth:
    depth: float
    tickets: int = 0
    # tickets at tier 1, 2 and 3
    tiers: tuple[int, int, int] = (0, 0, 0)


# agent id -> area key -> depth
Expertise = dict[int, dict[str, AreaDepth]]


def stored_expertise(conn: Connection) -> Expertise | None:
    """The profiles' per-area depths, or None when no profile was built yet."""
    if not inspect(conn).has_table("area_profiles"):
        return None
    rows = conn.execute(
        text(
            "SELECT agent_id, area, score, tickets, tier1, tier2, tier3 FROM area_profiles "
            "WHERE area <> :all"
        ),
        {"all": _ALL_AREAS},
    ).all()
    if not rows:
        return None
    out: Expertise = {}
    for agent_id, area, score, tickets, t1, t2, t3 in rows:
        out.setdefault(int(agent_id), {})[str(area)] = AreaDepth(
            float(score), int(tickets), (int(t1), int(t2), int(t3))
        )
    return out


def expertise_from_work(
    conn: Connection,
    *,
    until: datetime,
    half_life_days: float,
    tier_weights: Mapping[int, float] = DEFAULT_TIER_WEIGHTS,
) -> Expertise:
    """Depths as of `until` from the work done before it on tickets created before it."""
    rows = conn.execute(
        text(
            "SELECT w.agent_id, w.area, w.ticket_id, w.tier, w.weight * w.area_weight, w.at "
            "FROM work_items w JOIN tickets t ON t.id = w.ticket_id "
            "WHERE w.at < :until AND t.created_at < :until AND NOT t.deleted"
        ),
        {"until": until},
    )
    k = math.log(2) / (half_life_days * 86_400.0)
    sums: dict[tuple[int, str], float] = {}
    seen: dict[tuple[int, str], dict[int, int]] = {}
    for agent_id, area, ticket_id, tier, weight, at in rows:
        age = (until - _as_datetime(at)).total_seconds()
        key = (int(agent_id), str(area))
        value = float(weight) * tier_weights.get(int(tier), 1.0) * math.exp(-k * age)
        sums[key] = sums.get(key, 0.0) + value
        tickets = seen.setdefault(key, {})
        tickets[int(ticket_id)] = max(tickets.get(int(ticket_id), 0), int(tier))
    out: Expertise = {}
    for (agent_id, area), depth in sums.items():
        tiers = list(seen[(agent_id, area)].values())
        counts = (tiers.count(1), tiers.count(2), sum(1 for t in tiers if t >= 3))
        out.setdefault(agent_id, {})[area] = AreaDepth(depth, len(tiers), counts)
    return out


def _as_datetime(value: Any) -> datetime:
    # SQLite hands stored times back as ISO text when the column type is not applied
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def dominant_tier(areas: Mapping[str, AreaDepth]) -> int | None:
    """The tier most of an agent's tickets were at, over all areas; None without work."""
    totals = [sum(a.tiers[i] for a in areas.values()) for i in range(3)]
    if not any(totals):
        return None
    return max(range(3), key=lambda i: (totals[i], i)) + 1
