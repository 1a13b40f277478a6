"""What is said of an agent as a whole: breadth, concentration, specialist or generalist.

A specialist has much of their depth in one area and little outside their three main
ones; a generalist spreads it; someone with too little recent work is "emerging".

Recomputed for everyone on every run from the (small) area profiles: depths decay each day,
so whether an area clears a threshold can change without any new work.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from worker.profiles.config import Scoring
from worker.profiles.names import area_names
from worker.storage.profile_tables import ALL_AREAS, AgentProfileRow, AreaProfileRow

SPECIALIST, GENERALIST, EMERGING = "specialist", "generalist", "emerging"


@dataclass(frozen=True)
class Shape:
    breadth: int
    concentration: float
    top_area: str | None
    label: str
    # share of the depth outside the three deepest areas
    spread: float


def shape(depths: dict[str, float], scoring: Scoring, fallback: str | None = None) -> Shape:
    """Label one agent from their depth per area. The fallback area (tickets no rule
    placed) says nothing about what someone knows, so it counts in no share."""
    known = {a: d for a, d in depths.items() if a != fallback}
    total = sum(known.values())
    if total <= 0:
        return Shape(0, 0.0, None, EMERGING, 0.0)
    ranked = sorted(known, key=lambda a: (-known[a], a))
    breadth = sum(1 for d in known.values() if d / total >= scoring.breadth_min_share)
    top_area = ranked[0]
    concentration = known[top_area] / total
    spread = sum(known[a] for a in ranked[3:]) / total
    rule = scoring.specialist
    if total < rule.min_depth:
        label = EMERGING
    elif concentration >= rule.min_concentration and spread <= rule.max_spread:
        label = SPECIALIST
    else:
        label = GENERALIST
    return Shape(breadth, concentration, top_area, label, spread)


def write_agent_profiles(conn: Connection, scoring: Scoring) -> int:
    depths: dict[int, dict[str, float]] = defaultdict(dict)
    query = select(AreaProfileRow.agent_id, AreaProfileRow.area, AreaProfileRow.score).where(
        AreaProfileRow.area != ALL_AREAS
    )
    for agent_id, area, score in conn.execute(query):
        depths[agent_id][area] = score
    _, fallback = area_names(conn)
    rows = []
    for agent_id, areas in sorted(depths.items()):
        s = shape(areas, scoring, fallback)
        rows.append(
            {
                "agent_id": agent_id,
                "breadth": s.breadth,
                "concentration": s.concentration,
                "top_area": s.top_area,
                "label": s.label,
            }
        )
    conn.execute(delete(AgentProfileRow))
    if rows:
        conn.execute(insert(AgentProfileRow), rows)
    return len(rows)
