"""Bad records on request, so a client proves that one broken ticket costs only that ticket.

Zendesk itself sends well-formed records, but what sits in them (and what proxies do to
them) is not always clean: fields missing or null, wrong types, comments by users nobody
can look up, enormous descriptions, bytes that are not UTF-8.
"""

from __future__ import annotations

import threading
from typing import Any

MISSING_FIELDS = "missing_fields"  # no created_at, no status
WRONG_TYPES = "wrong_types"  # id as a word, tags as a number
UNKNOWN_AUTHOR = "unknown_author"  # its comments written by a user id that exists nowhere
HUGE_DESCRIPTION = "huge_description"  # a 10 MB description
INVALID_UTF8 = "invalid_utf8"  # bytes in the subject that are not UTF-8
KINDS = (MISSING_FIELDS, WRONG_TYPES, UNKNOWN_AUTHOR, HUGE_DESCRIPTION, INVALID_UTF8)

UNKNOWN_USER_ID = 5_999_999_999_999
# Stands in the subject until the page is encoded, then becomes invalid bytes.
_UTF8_MARKER = "@@sandbox-invalid-utf8@@"
_INVALID_BYTES = b"caf\xe9 \xff\xfe"


class Corruptions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[int, str] = {}

    def corrupt(self, ticket_id: int, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown corruption {kind!r}; known: {', '.join(KINDS)}")
        with self._lock:
            self._tickets[ticket_id] = kind

    def clear(self) -> None:
        with self._lock:
            self._tickets.clear()

    def _kinds(self) -> dict[int, str]:
        with self._lock:
            return dict(self._tickets)

    def tickets(self, tickets: list[dict[str, Any]]) -> None:
        kinds = self._kinds()
        for ticket in tickets:
            kind = kinds.get(ticket.get("id"))  # type: ignore[arg-type]
            if kind == MISSING_FIELDS:
                ticket.pop("created_at", None)
                ticket["status"] = None
            elif kind == WRONG_TYPES:
                ticket["tags"] = 42
                ticket["group_id"] = "the-big-group"
                ticket["custom_fields"] = "not a list"
            elif kind == HUGE_DESCRIPTION:
                ticket["description"] = "All work and no play. " * 476_191  # ~10 MB
            elif kind == INVALID_UTF8:
                ticket["subject"] = f"{_UTF8_MARKER} {ticket.get('subject') or ''}"
                ticket["raw_subject"] = ticket["subject"]

    def ticket_events(self, events: list[dict[str, Any]]) -> None:
        kinds = self._kinds()
        for audit in events:
            if kinds.get(audit.get("ticket_id")) != UNKNOWN_AUTHOR:  # type: ignore[arg-type]
                continue
            for child in audit.get("child_events") or ():
                if child.get("event_type") == "Comment":
                    child["author_id"] = UNKNOWN_USER_ID

    @staticmethod
    def encode(body: bytes) -> bytes:
        marker = _UTF8_MARKER.encode()
        return body.replace(marker, _INVALID_BYTES) if marker in body else body
