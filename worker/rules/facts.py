"""What rules look at: one ticket's facts, named like the sources in complexity.yaml.

Tagging builds these from stored tickets and their touches; triage builds them from a new
ticket, where only the facts known at creation are set. The keywords in a text are found
once per ticket and text part, and only when a keyword rule asks (see Lexicon.hits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_NO_TAGS: frozenset[str] = frozenset()


class Facts:
    __slots__ = (
        "_hits",
        "_lexicon",
        "agent_wait_hours",
        "area",
        "assignee_id",
        "assignee_stations",
        "brand_id",
        "channel",
        "custom_fields",
        "description",
        "distinct_agents",
        "escalations",
        "first_reply_hours",
        "first_resolution_hours",
        "form_id",
        "full_resolution_hours",
        "group_id",
        "group_stations",
        "group_tier",
        "id",
        "internal_notes",
        "max_agent_tier",
        "max_group_tier",
        "priority",
        "public_replies",
        "reopens",
        "replies",
        "requester_wait_hours",
        "status",
        "subject",
        "tags",
        "type",
    )

    def __init__(
        self,
        id: int,
        *,
        subject: str | None = None,
        description: str | None = None,
        tags: Iterable[str] = (),
        custom_fields: Mapping[str, Any] | None = None,
        status: str | None = None,
        priority: str | None = None,
        type: str | None = None,
        channel: str | None = None,
        group_id: int | None = None,
        assignee_id: int | None = None,
        brand_id: int | None = None,
        form_id: int | None = None,
    ) -> None:
        self.id = id
        self.subject = subject or ""
        self.description = description or ""
        self.tags = frozenset([str(t).lower() for t in tags]) if tags else _NO_TAGS
        self.custom_fields: Mapping[str, Any] = custom_fields or {}
        self.status = status
        self.priority = priority.lower() if priority else None
        self.type = type.lower() if type else None
        self.channel = channel.lower() if channel else None
        self.group_id = group_id
        self.assignee_id = assignee_id
        self.brand_id = brand_id
        self.form_id = form_id
        # keyword hits per text part, found by `_lexicon` (see Lexicon.hits)
        self._lexicon: object = None
        self._hits: dict[str, frozenset[str]] = {}
        # set by whoever has the ticket's history; None means not known (e.g. at creation)
        self.replies: int | None = None
        self.reopens: int | None = None
        self.group_stations: int | None = None
        self.assignee_stations: int | None = None
        self.full_resolution_hours: float | None = None
        self.first_resolution_hours: float | None = None
        self.first_reply_hours: float | None = None
        self.agent_wait_hours: float | None = None
        self.requester_wait_hours: float | None = None
        self.internal_notes: int | None = None
        self.public_replies: int | None = None
        self.distinct_agents: int | None = None
        self.escalations: int | None = None
        self.group_tier: int | None = None
        self.max_group_tier: int | None = None
        self.max_agent_tier: int | None = None
        # set once areas.yaml has classified the ticket
        self.area: str | None = None

    def text(self, part: str) -> str:
        """`subject`, `description` or `text` (both, on separate lines)."""
        if part == "subject":
            return self.subject
        if part == "description":
            return self.description
        return f"{self.subject}\n{self.description}"
