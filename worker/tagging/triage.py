"""Tags of a ticket that was just created, from what is known at creation only.

Triage cannot wait for replies or escalations: the score here adds only the features
complexity.yaml marks `known_at_creation`, and the area uses the ticket's own fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worker.rules.areas import Areas
from worker.rules.compiled import CompiledRules
from worker.rules.complexity import FeatureTrace
from worker.rules.facts import Facts


@dataclass(frozen=True)
class NewTicketTags:
    areas: Areas
    score: int
    tier: int
    # the creation-time features, with their values and points
    features: list[FeatureTrace]


def new_ticket_facts(ticket: Mapping[str, Any]) -> Facts:
    """`ticket` holds Zendesk ticket fields: subject, description, tags, custom_fields
    ({field id: value}), priority, type, channel, group_id, brand_id, form_id."""
    return Facts(
        int(ticket.get("id") or 0),
        subject=ticket.get("subject"),
        description=ticket.get("description"),
        tags=ticket.get("tags") or (),
        custom_fields={str(k): v for k, v in (ticket.get("custom_fields") or {}).items()},
        status=ticket.get("status"),
        priority=ticket.get("priority"),
        type=ticket.get("type"),
        channel=ticket.get("channel"),
        group_id=ticket.get("group_id"),
        brand_id=ticket.get("brand_id"),
        form_id=ticket.get("form_id"),
    )


def classify_new_ticket(rules: CompiledRules, ticket: Mapping[str, Any]) -> NewTicketTags:
    """Area, creation-time score and tier of a new ticket (fields as `new_ticket_facts`)."""
    facts = new_ticket_facts(ticket)
    areas = rules.areas.classify(facts)
    facts.area = areas[0][0]
    score = rules.scorer.score(facts, at_creation=True)
    features = [t for t in rules.scorer.trace(facts) if t.known_at_creation]
    return NewTicketTags(areas, score, rules.scorer.tier(score), features)
