"""Changes made through the API (PUT /tickets/{id}), kept apart from the generated desk.

Generation stays a pure function of the seed; an updated ticket is its generated audits plus
the audits added here, and it moves to the end of the ticket export like in Zendesk.
"""

from __future__ import annotations

import threading
from bisect import insort

from integrations.sandbox.index import event_key, ticket_key
from integrations.sandbox.tickets import Audit


class Overlay:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._audits: dict[int, list[Audit]] = {}
        self._texts: dict[tuple[int, int, int], str] = {}
        self._ticket_keys: dict[int, int] = {}
        self._event_keys: list[int] = []

    def audits(self, ticket_id: int) -> list[Audit]:
        with self._lock:
            return list(self._audits.get(ticket_id, ()))

    def add(self, ticket_id: int, audit: Audit, texts: dict[int, str]) -> None:
        """Record `audit` (its comments' bodies in `texts`, by child index)."""
        with self._lock:
            self._audits.setdefault(ticket_id, []).append(audit)
            for index, body in texts.items():
                self._texts[(ticket_id, audit.seq, index)] = body
            self._ticket_keys[ticket_id] = ticket_key(audit.ts, ticket_id)
            insort(self._event_keys, event_key(audit.ts, ticket_id, audit.seq))

    def changed(self, ticket_id: int) -> bool:
        return ticket_id in self._ticket_keys

    def ticket_keys(self) -> list[int]:
        with self._lock:
            return sorted(self._ticket_keys.values())

    def event_keys(self) -> list[int]:
        with self._lock:
            return list(self._event_keys)

    def audit_count(self) -> int:
        with self._lock:
            return len(self._event_keys)

    def comment_text(self, ticket_id: int, seq: int, index: int) -> str:
        with self._lock:
            return self._texts.get((ticket_id, seq, index), "")
