"""One walk over a ticket's touches: the counts complexity features use, and each agent's
part in the ticket (roles), from attribution.yaml's definitions.

- solver: the assignee of a ticket in a solved status (solved, closed by default)
- responder: every agent with a public reply
- collaborator: an agent's internal note while the ticket was assigned to someone else
- escalated_from: the assignee when the ticket moved to a group of a higher tier

Touches by actors who are not agents (end users, triggers, deleted users) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from worker.tagging.reader import Stamp, Touch

PUBLIC_REPLY, INTERNAL_NOTE = "public_reply", "internal_note"
ASSIGNEE_CHANGE, GROUP_CHANGE = "assignee_change", "group_change"


@dataclass(slots=True)
class History:
    public_replies: int = 0
    internal_notes: int = 0
    escalations: int = 0
    max_group_tier: int | None = None
    agents: set[int] = field(default_factory=set)
    # agent -> when their part last happened, per role
    responders: dict[int, Stamp] = field(default_factory=dict)
    collaborators: dict[int, Stamp] = field(default_factory=dict)
    escalated_from: dict[int, Stamp] = field(default_factory=dict)


def walk(
    touches: Sequence[Touch],
    *,
    agents: frozenset[int],
    group_tiers: Mapping[int, int],
    final_assignee: int | None,
    final_group: int | None,
) -> History:
    history = History()
    if final_assignee is not None and final_assignee in agents:
        history.agents.add(final_assignee)
    top = group_tiers.get(final_group) if final_group is not None else None
    if not touches:
        history.max_group_tier = top
        return history
    # by (at, audit, id): a touch's id is unique, so tuple order never looks further
    ordered = sorted(touches)

    # who held the ticket, and in which group, before the first recorded change
    assignee = final_assignee
    group = final_group
    for touch in ordered:
        if touch[3] == ASSIGNEE_CHANGE:
            assignee = touch[6]
            break
    for touch in ordered:
        if touch[3] == GROUP_CHANGE:
            group = touch[6]
            break
    tier = group_tiers.get(group) if group is not None else None
    if tier is not None and (top is None or tier > top):
        top = tier

    audit = None
    held_at_audit_start = assignee
    for at, audit_id, _, kind, actor, value, _previous, _ticket in ordered:
        if audit_id != audit:
            audit = audit_id
            held_at_audit_start = assignee
        if kind == PUBLIC_REPLY:
            if actor is not None and actor in agents:
                history.public_replies += 1
                history.responders[actor] = at
                history.agents.add(actor)
        elif kind == INTERNAL_NOTE:
            if actor is not None and actor in agents:
                history.internal_notes += 1
                history.agents.add(actor)
                if held_at_audit_start is not None and held_at_audit_start != actor:
                    history.collaborators[actor] = at
        elif kind == ASSIGNEE_CHANGE:
            assignee = value
            if value is not None and value in agents:
                history.agents.add(value)
        elif kind == GROUP_CHANGE:
            new_tier = group_tiers.get(value) if value is not None else None
            if new_tier is not None:
                if tier is not None and new_tier > tier:
                    history.escalations += 1
                    held = held_at_audit_start
                    if held is not None and held in agents:
                        history.escalated_from[held] = at
                if top is None or new_tier > top:
                    top = new_tier
            tier = new_tier
    history.max_group_tier = top
    return history
