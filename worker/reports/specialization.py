"""Specialization: per person, where their expertise lies and how concentrated it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from worker.profiles.read import AgentProfile, Profiles
from worker.reports.common import Area, area_list, iso, rounded


@dataclass(frozen=True)
class AreaDepth:
    area: str
    depth: float
    # share of this person's depth
    share: float
    tickets: int
    # this person's depth over the deepest person's in the area: colours the heatmap
    intensity: float


@dataclass(frozen=True)
class PersonRow:
    agent_id: int
    agent_name: str
    status: str
    label: str
    concentration: float
    breadth: int
    depth: float
    tickets: int
    tier_counts: dict[str, int]
    top_areas: list[AreaDepth]
    cells: dict[str, AreaDepth]

    @property
    def tier_shares(self) -> dict[str, float]:
        total = sum(self.tier_counts.values())
        return {t: (n / total if total else 0.0) for t, n in self.tier_counts.items()}


@dataclass(frozen=True)
class SpecializationReport:
    as_of: str
    areas: list[Area]
    people: list[PersonRow]
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "areas": [a.to_json() for a in self.areas],
            "label_counts": self.counts,
            "agents": [
                {
                    "agent_id": p.agent_id,
                    "agent_name": p.agent_name,
                    "status": p.status,
                    "label": p.label,
                    "concentration": rounded(p.concentration),
                    "breadth": p.breadth,
                    "depth": rounded(p.depth),
                    "tickets": p.tickets,
                    "tier_counts": p.tier_counts,
                    "top_areas": [_cell_json(c) for c in p.top_areas],
                    "areas": [_cell_json(c) for c in p.cells.values()],
                }
                for p in self.people
            ],
        }

    def csv_rows(self) -> list[dict[str, Any]]:
        rows = []
        for p in self.people:
            for cell in p.cells.values():
                rows.append(
                    {
                        "agent_id": p.agent_id,
                        "agent_name": p.agent_name,
                        "status": p.status,
                        "label": p.label,
                        "concentration": rounded(p.concentration),
                        "breadth": p.breadth,
                        "total_depth": rounded(p.depth),
                        "total_tickets": p.tickets,
                        "tier1_tickets": p.tier_counts["1"],
                        "tier2_tickets": p.tier_counts["2"],
                        "tier3_tickets": p.tier_counts["3"],
                        "area": cell.area,
                        "depth": rounded(cell.depth),
                        "share_of_depth": rounded(cell.share),
                        "tickets": cell.tickets,
                        "top_area_rank": next(
                            (i + 1 for i, t in enumerate(p.top_areas) if t.area == cell.area),
                            "",
                        ),
                    }
                )
        return rows


def _cell_json(cell: AreaDepth) -> dict[str, Any]:
    return {
        "area": cell.area,
        "depth": rounded(cell.depth),
        "share": rounded(cell.share),
        "tickets": cell.tickets,
    }


def build_specialization(
    profiles: Profiles, *, area: str | None = None, top: int = 3
) -> SpecializationReport:
    """Everyone with recorded work (active people first), or only the people with work in
    `area` for an area manager's copy."""
    areas = area_list(profiles)
    maxima = {
        a.key: max((p.depth_in(a.key) for p in profiles.agents.values()), default=0.0)
        for a in areas
    }
    people: list[PersonRow] = []
    for agent in profiles.agents.values():
        if area is not None and agent.depth_in(area) <= 0:
            continue
        people.append(_person(agent, areas, maxima, top))
    people.sort(key=lambda p: (p.status != "active", -p.depth, p.agent_name))
    counts: dict[str, int] = {}
    for p in people:
        if p.status == "active":
            counts[p.label] = counts.get(p.label, 0) + 1
    return SpecializationReport(iso(profiles.as_of), areas, people, counts)


def _person(
    agent: AgentProfile, areas: list[Area], maxima: dict[str, float], top: int
) -> PersonRow:
    total = agent.total.depth
    cells = {}
    for a in areas:
        stats = agent.areas.get(a.key)
        if stats is None:
            continue
        peak = maxima.get(a.key, 0.0)
        cells[a.key] = AreaDepth(
            area=a.key,
            depth=stats.depth,
            share=stats.depth / total if total > 0 else 0.0,
            tickets=stats.tickets,
            intensity=stats.depth / peak if peak > 0 else 0.0,
        )
    ranked = sorted(cells.values(), key=lambda c: (-c.depth, c.area))
    return PersonRow(
        agent_id=agent.agent_id,
        agent_name=agent.name,
        status=agent.status,
        label=agent.label,
        concentration=agent.concentration,
        breadth=agent.breadth,
        depth=total,
        tickets=agent.total.tickets,
        tier_counts=agent.total.tier_counts,
        top_areas=ranked[:top],
        cells=cells,
    )
