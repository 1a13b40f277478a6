"""What rules look at: one ticket's facts, named like the sources in complexity.yaml.

Tagging builds these from stored tickets and their touches; triage builds them from a new
ticket, where only the facts known at creation are set. Text is normalised once per ticket
and only when a keyword rule asks for it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

# Words are what lies between ASCII punctuation and white space, compared in lower case.
# Working on UTF-8 bytes keeps this to a few C-speed passes per text: a re-tag normalises
# millions of them.
_SEPARATORS = bytes.maketrans(
    (string.punctuation + string.whitespace).encode(),
    b" " * len(string.punctuation + string.whitespace),
)


def spaced_of(text: str) -> bytes:
    """The text in lower case with every separator turned into a space, after a space."""
    return b" " + text.lower().encode("utf-8", "replace").translate(_SEPARATORS)


def tokens_of(text: str) -> list[bytes]:
    """The words of a text, as keywords and ticket texts are both compared."""
    return spaced_of(text).split()


class Text:
    """One text normalised for keyword matching: its words, and (built on first use) the
    words joined by single spaces and padded, so a phrase is one substring test."""

    __slots__ = ("_joined", "_raw", "spaced", "tokens")

    def __init__(self, spaced: bytes, tokens: list[bytes], raw: Any) -> None:
        # each word follows a space here (maybe more than one): prefixes are found in it
        self.spaced = spaced
        self.tokens = tokens
        self._joined: bytes | None = None
        # the text itself, or a callable that makes it (the joined subject and description)
        self._raw = raw

    @classmethod
    def of(cls, raw: str) -> Text:
        spaced = spaced_of(raw)
        return cls(spaced, spaced.split(), raw)

    @classmethod
    def both(cls, first: Text, second: Text) -> Text:
        return cls(
            first.spaced + second.spaced,
            first.tokens + second.tokens,
            lambda: f"{first.raw}\n{second.raw}",
        )

    @property
    def joined(self) -> bytes:
        if self._joined is None:
            self._joined = b" " + b" ".join(self.tokens) + b" "
        return self._joined

    @property
    def raw(self) -> str:
        if callable(self._raw):
            self._raw = self._raw()
        raw: str = self._raw
        return raw


class Facts:
    __slots__ = (
        "_hits",
        "_texts",
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
        self.tags = frozenset(str(t).lower() for t in tags)
        self.custom_fields: Mapping[str, Any] = custom_fields or {}
        self.status = status
        self.priority = priority.lower() if priority else None
        self.type = type.lower() if type else None
        self.channel = channel.lower() if channel else None
        self.group_id = group_id
        self.assignee_id = assignee_id
        self.brand_id = brand_id
        self.form_id = form_id
        self._texts: dict[str, Text] = {}
        # keyword hits per text part, with the lexicon that found them
        self._hits: dict[str, tuple[object, frozenset[str]]] = {}
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

    def text(self, part: str) -> Text:
        """`subject`, `description` or `text` (both), normalised on first use."""
        found = self._texts.get(part)
        if found is None:
            if part == "subject":
                found = Text.of(self.subject)
            elif part == "description":
                found = Text.of(self.description)
            else:
                found = Text.both(self.text("subject"), self.text("description"))
            self._texts[part] = found
        return found

    def hits(self, part: str, lexicon: object) -> frozenset[str] | None:
        found = self._hits.get(part)
        return found[1] if found is not None and found[0] is lexicon else None

    def remember_hits(self, part: str, lexicon: object, hits: frozenset[str]) -> None:
        self._hits[part] = (lexicon, hits)
