"""What triage would write to a ticket, decided from the ticket as it is now.

Every write carries the marker tag, so a second run finds it and writes nothing again; a
ticket someone already assigned is never touched, whatever the mode. Planning is pure:
`run.py` reads the ticket, plans, and sends the plan with the ticket's updated_stamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.zendesk.records import Ticket
from worker.triage.config import TriageFile
from worker.triage.recommend import Recommendation

DONE_STATUSES = ("solved", "closed", "deleted")


@dataclass(frozen=True)
class WritePlan:
    # Zendesk ticket fields to send; empty when there is nothing to write
    changes: dict[str, Any] = field(default_factory=dict)
    # what the changes do, for people
    steps: tuple[str, ...] = ()
    # why nothing is written, when nothing is
    skipped: str | None = None

    @property
    def writes(self) -> bool:
        return bool(self.changes)


def plan_writeback(config: TriageFile, ticket: Ticket, rec: Recommendation) -> WritePlan:
    if config.writeback == "off":
        return WritePlan(skipped="write-back is off in triage.yaml: recommendation only")
    if ticket.assignee_id is not None:
        return WritePlan(
            skipped=f"already assigned to agent {ticket.assignee_id}: a person decided, "
            "triage leaves the ticket alone"
        )
    if ticket.status in DONE_STATUSES:
        return WritePlan(skipped=f"the ticket is {ticket.status}")
    marker = config.tags.marker
    if marker in ticket.tags:
        return WritePlan(skipped=f"already triaged (it has the {marker!r} tag)")

    labels = [f"{config.tags.area_prefix}{rec.area}", f"{config.tags.tier_prefix}{rec.tier}"]
    tags = list(dict.fromkeys([*ticket.tags, *labels, marker]))
    changes: dict[str, Any] = {"tags": tags}
    steps = [f"add tags {', '.join(t for t in tags if t not in ticket.tags)}"]
    if config.writes("note"):
        changes["comment"] = {"body": note_text(rec), "public": False}
        steps.append("add a private note with the recommendation and its reasons")
    if config.writes("assign"):
        _assignment(rec, ticket, changes, steps)
    return WritePlan(changes, tuple(steps))


def _assignment(
    rec: Recommendation, ticket: Ticket, changes: dict[str, Any], steps: list[str]
) -> None:
    # Zendesk assigns only to members of the ticket's group: the best agent of the tier's
    # group, else the best agent overall within their own group
    agent = next((a for a in rec.agents if a.group_id == rec.group_id), None)
    group_id, group_name = rec.group_id, rec.group_name
    if agent is None and rec.agents:
        agent = rec.agents[0]
        group_id, group_name = agent.group_id, None
    if group_id is not None and group_id != ticket.group_id:
        changes["group_id"] = group_id
        steps.append(f"move to group {group_name or group_id}")
    if agent is None:
        steps.append("no agent to assign: the group picks one")
        return
    changes["assignee_id"] = agent.agent_id
    steps.append(f"assign to {agent.name} ({agent.agent_id})")


def note_text(rec: Recommendation) -> str:
    """The private note: the recommendation and why, readable in the agent workspace."""
    chance = rec.tier_probabilities[rec.tier - 1]
    lines = [
        "Expertise triage recommendation",
        "",
        f"Area: {rec.area_name} ({rec.area}) - {rec.area_reason or 'areas.yaml'}",
        f"Tier: {rec.tier} {rec.tier_name} ({chance:.0%}) - {rec.tier_reason}",
        f"Group: {rec.group_name or 'none'} - {rec.group_reason}",
        "",
    ]
    if rec.agents:
        lines.append("Recommended agents:")
        for n, agent in enumerate(rec.agents, 1):
            lines.append(f"{n}. {agent.name} (score {agent.score:.2f})")
            lines.extend(f"   - {reason}" for reason in agent.reasons)
    else:
        lines.append("No agent has a track record in this area yet.")
    if rec.passed_over:
        lines.append("")
        lines.append("Passed over:")
        lines.extend(f"- {p.name}: {p.reason}" for p in rec.passed_over)
    return "\n".join(lines)
