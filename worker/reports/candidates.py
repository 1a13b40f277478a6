"""Candidates: per role (and per area for embedded roles), the nominees with their evidence,
and the next people in line with their growth path."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from worker.profiles.competency import Candidate, Evidence, RoleSlate, evaluate_roles
from worker.profiles.read import Profiles
from worker.profiles.rulefiles import ProfileRules
from worker.reports.common import iso, rounded

NOMINEE, NEXT_IN_LINE = "nominee", "next_in_line"


@dataclass(frozen=True)
class CandidatesReport:
    as_of: str
    slates: list[RoleSlate]

    def entries(self) -> list[tuple[RoleSlate, str, int, Candidate]]:
        """(slate, status, rank, candidate) for every person listed."""
        out = []
        for slate in self.slates:
            for status, people in ((NOMINEE, slate.nominees), (NEXT_IN_LINE, slate.next_in_line)):
                out += [(slate, status, rank, c) for rank, c in enumerate(people, 1)]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "roles": [
                {
                    "role": s.role.key,
                    "role_name": s.role.name,
                    "description": s.role.description,
                    "area": s.area,
                    "area_name": s.area_name,
                    "need": None
                    if s.need is None
                    else {"area": s.need.area, "role": s.need.role, "why": s.need.why},
                    "nominees": len(s.nominees),
                    "next_in_line": len(s.next_in_line),
                }
                for s in self.slates
            ],
            "candidates": [
                _candidate_json(slate, status, rank, c) for slate, status, rank, c in self.entries()
            ],
        }

    def csv_rows(self) -> list[dict[str, Any]]:
        rows = []
        for slate, status, rank, c in self.entries():
            for criterion in c.criteria:
                rows.append(
                    {
                        "role": c.role,
                        "role_name": slate.role.name,
                        "area": c.area or "",
                        "area_name": slate.area_name or "",
                        "status": status,
                        "rank": rank,
                        "agent_id": c.agent_id,
                        "agent_name": c.agent_name,
                        "score": c.score,
                        "interested": c.interested,
                        "interest_matches_need": c.interest_matches_need,
                        "evidence_ticket_ids": " ".join(map(str, c.evidence_ticket_ids)),
                        "criterion": criterion.name,
                        "value": rounded(criterion.value) if criterion.value is not None else "",
                        "threshold": criterion.threshold,
                        "at_least": criterion.at_least,
                        "met": criterion.met,
                        "sample": criterion.sample if criterion.sample is not None else "",
                        "min_sample": criterion.min_sample or "",
                        "gap": criterion.gap or "",
                    }
                )
        return rows


def _candidate_json(slate: RoleSlate, status: str, rank: int, c: Candidate) -> dict[str, Any]:
    return {
        "role": c.role,
        "role_name": slate.role.name,
        "area": c.area,
        "area_name": slate.area_name,
        "status": status,
        "rank": rank,
        "agent_id": c.agent_id,
        "agent_name": c.agent_name,
        "score": c.score,
        "criteria": [
            {
                "name": r.name,
                "label": r.label,
                "value": rounded(r.value),
                "threshold": r.threshold,
                "at_least": r.at_least,
                "met": r.met,
                "sample": r.sample,
                "min_sample": r.min_sample,
                "gap": r.gap,
            }
            for r in c.criteria
        ],
        "gaps": c.gaps,
        "evidence_ticket_ids": c.evidence_ticket_ids,
        "interests": c.interests.words(),
        "interested": c.interested,
        "interest_matches_need": c.interest_matches_need,
    }


def build_candidates(
    profiles: Profiles,
    rules: ProfileRules,
    *,
    interests_field: str,
    evidence: Evidence | None,
    area: str | None = None,
) -> CandidatesReport:
    """Every role; with `area` (an area manager's copy), only that area's embedded roles
    and the team-wide roles' people who work in the area."""
    slates = evaluate_roles(
        profiles,
        rules,
        interests_field=interests_field,
        evidence=evidence,
        areas=None if area is None else [area],
    )
    if area is not None:
        slates = [_within(s, profiles, area) for s in slates]
    return CandidatesReport(iso(profiles.as_of), slates)


def _within(slate: RoleSlate, profiles: Profiles, area: str) -> RoleSlate:
    if slate.area is not None:
        return slate

    def works_there(c: Candidate) -> bool:
        return profiles.agents[c.agent_id].depth_in(area) > 0

    return replace(
        slate,
        nominees=[c for c in slate.nominees if works_there(c)],
        next_in_line=[c for c in slate.next_in_line if works_there(c)],
    )
