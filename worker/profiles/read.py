"""The stored profiles as the reports, the CLI and triage read them.

Everything here is computed from the profile tables and the agents the sync stored; no
work item is read, so loading the profiles of a large desk takes well under a second.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text

from worker.profiles.names import area_names
from worker.profiles.state import read_state
from worker.profiles.totals import decay_factor
from worker.storage.models import AgentRow
from worker.storage.profile_tables import ALL_AREAS, AgentProfileRow, AreaProfileRow

DAYS_PER_MONTH = 365.25 / 12
ACTIVE, SUSPENDED, LEFT = "active", "suspended", "left"


class NoProfiles(Exception):
    """Profiles were never computed: run the profiles stage first."""


@dataclass(frozen=True)
class AreaStats:
    area: str
    # sum of role weight x tier weight x recency decay, as of the profiles' as_of
    depth: float
    tickets: int
    tier1: int
    tier2: int
    tier3: int
    solved: int
    # tickets where they wrote an internal note while a colleague held the ticket
    mentoring: int
    # tickets they solved after a colleague escalated them
    escalations_received: int
    csat_good: int
    csat_bad: int
    median_resolution_minutes: float | None
    first_at: datetime
    last_at: datetime

    @property
    def csat_sample(self) -> int:
        return self.csat_good + self.csat_bad

    @property
    def csat(self) -> float | None:
        """good / (good + bad); None without any rating."""
        sample = self.csat_sample
        return self.csat_good / sample if sample else None

    @property
    def tier3_share(self) -> float:
        return self.tier3 / self.tickets if self.tickets else 0.0

    @property
    def tier_counts(self) -> dict[str, int]:
        return {"1": self.tier1, "2": self.tier2, "3": self.tier3}


@dataclass(frozen=True)
class AgentProfile:
    agent_id: int
    name: str
    email: str | None
    status: str  # active, suspended or left
    created_at: datetime | None
    tenure_months: float
    total: AreaStats
    # by depth, deepest first
    areas: dict[str, AreaStats]
    breadth: int
    concentration: float
    top_area: str | None
    label: str
    user_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def depth_in(self, area: str) -> float:
        stats = self.areas.get(area)
        return stats.depth if stats is not None else 0.0


@dataclass(frozen=True)
class Profiles:
    as_of: datetime
    anchor: datetime
    half_life_days: float
    last_run_at: datetime
    agents: dict[int, AgentProfile]
    # area key -> display name, from the rules the work was tagged with
    area_names: dict[str, str]
    # where tickets go that match no area: kept in profiles, left out of nominations
    fallback_area: str | None = None
    # (agent, area) -> [(month 'YYYY-MM', raw)] sorted by month; area "*" for all areas
    history: dict[tuple[int, str], list[tuple[str, float]]] = field(default_factory=dict)

    def area_name(self, area: str) -> str:
        return self.area_names.get(area) or area.replace("_", " ").capitalize()

    def areas(self, *, classified: bool = False) -> list[str]:
        """Every area anyone has depth in, deepest team-wide first (`classified`: without
        the fallback area)."""
        totals: dict[str, float] = defaultdict(float)
        for agent in self.agents.values():
            for key, stats in agent.areas.items():
                totals[key] += stats.depth
        keys = sorted(totals, key=lambda k: (-totals[k], k))
        return [k for k in keys if not (classified and k == self.fallback_area)]

    def depth_at(self, agent_id: int, area: str, when: datetime) -> float:
        """Depth as of `when`, from the tickets created in the months begun before `when`.

        Whole months only (the monthly history is what is kept): an instant inside a month
        counts that month's tickets in full.
        """
        months = self.history.get((agent_id, area), [])
        key = month_key(when)
        if when > datetime(when.year, when.month, 1):
            keys = [m for m, _ in months]
            upto = bisect_right(keys, key)
        else:
            upto = sum(1 for m, _ in months if m < key)
        raw = sum(r for _, r in months[:upto])
        return raw * decay_factor(self.anchor, when, self.half_life_days)

    def month_end_depths(self, agent_id: int, area: str) -> list[tuple[str, float]]:
        """Depth at the end of every month from the first with work until as_of's month."""
        months = dict(self.history.get((agent_id, area), []))
        if not months:
            return []
        out: list[tuple[str, float]] = []
        raw = 0.0
        for month in month_range(min(months), month_key(self.as_of)):
            raw += months.get(month, 0.0)
            when = min(month_end(month), self.as_of)
            out.append((month, raw * decay_factor(self.anchor, when, self.half_life_days)))
        return out


def month_key(when: datetime) -> str:
    return f"{when.year:04d}-{when.month:02d}"


def month_end(month: str) -> datetime:
    year, mon = int(month[:4]), int(month[5:7])
    return datetime(year + mon // 12, mon % 12 + 1, 1)


def month_range(first: str, last: str) -> list[str]:
    out: list[str] = []
    month = first
    while month <= last:
        out.append(month)
        month = month_key(month_end(month))
    return out


def _status(active: bool | None, suspended: bool | None) -> str:
    if suspended:
        return SUSPENDED
    return ACTIVE if active or active is None else LEFT


def _stats(row: Any) -> AreaStats:
    return AreaStats(
        area=row.area,
        depth=row.score,
        tickets=row.tickets,
        tier1=row.tier1,
        tier2=row.tier2,
        tier3=row.tier3,
        solved=row.solved,
        mentoring=row.mentoring,
        escalations_received=row.escalations_received,
        csat_good=row.csat_good,
        csat_bad=row.csat_bad,
        median_resolution_minutes=row.median_resolution_minutes,
        first_at=row.first_at,
        last_at=row.last_at,
    )


def load_profiles(engine: Engine, *, history: bool = True) -> Profiles:
    """The stored profiles; raises NoProfiles if the profiles stage never ran."""
    with engine.connect() as conn:
        state = read_state(conn)
        if state is None:
            raise NoProfiles("no profiles yet: run `expertise profiles --update` first")
        by_agent: dict[int, dict[str, AreaStats]] = defaultdict(dict)
        for row in conn.execute(select(AreaProfileRow)):
            by_agent[row.agent_id][row.area] = _stats(row)
        shapes = {r.agent_id: r for r in conn.execute(select(AgentProfileRow))}
        people = {r.id: r for r in conn.execute(select(AgentRow))}
        agents: dict[int, AgentProfile] = {}
        for agent_id, areas in by_agent.items():
            total = areas.pop(ALL_AREAS, None)
            shape = shapes.get(agent_id)
            if total is None or shape is None:
                continue
            person = people.get(agent_id)
            created = person.created_at if person is not None else None
            tenure = (state.as_of - created).days / DAYS_PER_MONTH if created else 0.0
            agents[agent_id] = AgentProfile(
                agent_id=agent_id,
                name=person.name if person is not None else f"Agent {agent_id}",
                email=person.email if person is not None else None,
                status=_status(person.active, person.suspended) if person else LEFT,
                created_at=created,
                tenure_months=max(0.0, tenure),
                total=total,
                areas=dict(sorted(areas.items(), key=lambda kv: (-kv[1].depth, kv[0]))),
                breadth=shape.breadth,
                concentration=shape.concentration,
                top_area=shape.top_area,
                label=shape.label,
                user_fields=dict(person.user_fields or {}) if person is not None else {},
            )
        months: dict[tuple[int, str], list[tuple[str, float]]] = defaultdict(list)
        if history:
            query = text("SELECT agent_id, area, month, raw FROM profile_months ORDER BY month")
            for agent_id, area, month, raw in conn.execute(query):
                months[(agent_id, area)].append((month, raw))
        names, fallback = area_names(conn)
    return Profiles(
        as_of=state.as_of,
        anchor=state.anchor,
        half_life_days=state.half_life_days,
        last_run_at=state.last_run_at,
        agents=agents,
        area_names=names,
        fallback_area=fallback,
        history=dict(months),
    )


def growth_since(profiles: Profiles, window_days: int) -> datetime:
    """The month end the growth window starts at: the last one at least `window_days` ago."""
    start = profiles.as_of - timedelta(days=window_days)
    return datetime(start.year, start.month, 1)
