"""What a complexity feature can measure, what kind of value it is, and whether it is known
when a ticket is created (only those can drive triage of a new ticket)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    NUMBER = "number"
    CATEGORY = "category"
    TAGS = "tags"
    TEXT = "text"


@dataclass(frozen=True)
class Source:
    kind: Kind
    at_creation: bool
    help: str


SOURCES: dict[str, Source] = {
    "replies": Source(Kind.NUMBER, False, "public agent replies (Zendesk metric)"),
    "reopens": Source(Kind.NUMBER, False, "times the ticket was reopened"),
    "group_stations": Source(Kind.NUMBER, False, "groups the ticket passed through"),
    "assignee_stations": Source(Kind.NUMBER, False, "assignees the ticket passed through"),
    "full_resolution_hours": Source(Kind.NUMBER, False, "hours from creation to final solve"),
    "first_resolution_hours": Source(Kind.NUMBER, False, "hours from creation to first solve"),
    "first_reply_hours": Source(Kind.NUMBER, False, "hours to the first public reply"),
    "agent_wait_hours": Source(Kind.NUMBER, False, "hours waiting on the agent"),
    "requester_wait_hours": Source(Kind.NUMBER, False, "hours waiting on the requester"),
    "internal_notes": Source(Kind.NUMBER, False, "internal notes written by agents"),
    "public_replies": Source(Kind.NUMBER, False, "public replies written by agents"),
    "distinct_agents": Source(Kind.NUMBER, False, "agents who replied, noted or were assigned"),
    "escalations": Source(Kind.NUMBER, False, "moves to a group of a higher tier"),
    "group_tier": Source(Kind.NUMBER, False, "tier of the ticket's final group"),
    "max_group_tier": Source(Kind.NUMBER, False, "highest tier of any group it was in"),
    "max_agent_tier": Source(
        Kind.NUMBER, False, "highest tier of the agents who worked on it (by default group)"
    ),
    "priority": Source(Kind.CATEGORY, True, "low, normal, high, urgent"),
    "type": Source(Kind.CATEGORY, True, "question, incident, problem, task"),
    "channel": Source(Kind.CATEGORY, True, "web, email, chat, api, ..."),
    "area": Source(Kind.CATEGORY, True, "the product area areas.yaml gave the ticket"),
    "custom_field": Source(Kind.CATEGORY, True, "a custom field's value (set `field`)"),
    "tags": Source(Kind.TAGS, True, "the ticket's tags"),
    "subject": Source(Kind.TEXT, True, "the subject line"),
    "description": Source(Kind.TEXT, True, "the first comment"),
    "text": Source(Kind.TEXT, True, "subject and description together"),
}

# which `when:` operators make sense for each kind of value
OPERATORS: dict[Kind, frozenset[str]] = {
    Kind.NUMBER: frozenset({"gt", "gte", "lt", "lte", "eq", "present"}),
    Kind.CATEGORY: frozenset({"in", "present"}),
    Kind.TAGS: frozenset({"any", "all", "none"}),
    Kind.TEXT: frozenset({"keywords", "patterns"}),
}
