"""The Zendesk client the sync uses: exports page by page, small lists whole, records typed."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import requests
from pydantic import SecretStr

from integrations.zendesk import parse
from integrations.zendesk.errors import ZendeskError
from integrations.zendesk.http import ClientStats, TokenAuth, WaitCallback, ZendeskHttp
from integrations.zendesk.paginators import cursor_export, next_link_pages, time_export
from integrations.zendesk.ratelimit import Clock
from integrations.zendesk.records import (
    Group,
    Page,
    Skipped,
    Ticket,
    TicketField,
    TouchEvent,
    User,
)

__all__ = ["ClientStats", "ZendeskClient"]

log = logging.getLogger(__name__)

T = TypeVar("T")

TICKETS_PATH = "/api/v2/incremental/tickets/cursor.json"
TICKET_EVENTS_PATH = "/api/v2/incremental/ticket_events.json"
USERS_PATH = "/api/v2/incremental/users/cursor.json"
GROUPS_PATH = "/api/v2/groups.json"
TICKET_FIELDS_PATH = "/api/v2/ticket_fields.json"
# Zendesk's ceiling for plain lists (the exports allow 1000).
LIST_PAGE_SIZE = 100


class ZendeskClient:
    """Reads one Zendesk account. Not thread-safe: one client per sync run.

    `clock`, `rng` and `session` exist for tests (a fake clock makes rate-limit waits and
    backoff instant); production code leaves them alone.
    """

    def __init__(
        self,
        base_url: str,
        email: str,
        token: SecretStr,
        *,
        timeout_s: float = 30.0,
        rate_share: float = 0.8,
        give_up_after_s: float = 900.0,
        page_size: int = 1000,
        on_wait: WaitCallback | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if not 1 <= page_size <= 1000:
            raise ValueError(f"page_size must be between 1 and 1000, got {page_size!r}")
        self.base_url = base_url.rstrip("/")
        self.email = email
        self.page_size = page_size
        self._http = ZendeskHttp(
            self.base_url,
            TokenAuth(email, token),
            timeout_s=timeout_s,
            rate_share=rate_share,
            give_up_after_s=give_up_after_s,
            on_wait=on_wait,
            clock=clock,
            rng=rng,
            session=session,
        )

    def __repr__(self) -> str:
        return f"ZendeskClient(base_url={self.base_url!r}, email={self.email!r})"

    @property
    def stats(self) -> ClientStats:
        return self._http.stats

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ZendeskClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- exports -----------------------------------------------------------------------------

    def ticket_pages(
        self, cursor: str | None = None, start_time: int | None = None
    ) -> Iterator[Page[Ticket]]:
        """Tickets changed since `start_time` (unix s), or after `cursor`, with their metrics."""
        return cursor_export(
            self._http.get_json,
            TICKETS_PATH,
            parse.parse_tickets,
            cursor=cursor,
            start_time=start_time,
            params={"per_page": self.page_size, "include": "metric_sets"},
        )

    def ticket_event_pages(self, start_time: int) -> Iterator[Page[TouchEvent]]:
        """Replies, notes and re-assignments since `start_time`; resume is `str(end_time)`."""
        return time_export(
            self._http.get_json,
            TICKET_EVENTS_PATH,
            _parse_ticket_event_page,
            start_time=start_time,
            params={"per_page": self.page_size, "include": "comment_events"},
        )

    def user_pages(
        self, cursor: str | None = None, start_time: int | None = None
    ) -> Iterator[Page[User]]:
        """Users of every role (end users too) changed since `start_time`, or after `cursor`."""
        return cursor_export(
            self._http.get_json,
            USERS_PATH,
            parse.parse_users,
            cursor=cursor,
            start_time=start_time,
            params={"per_page": self.page_size},
        )

    # --- small lists and single records ------------------------------------------------------

    def groups(self) -> list[Group]:
        return self._whole_list(GROUPS_PATH, parse.GROUPS, parse.parse_group)

    def ticket_fields(self) -> list[TicketField]:
        return self._whole_list(TICKET_FIELDS_PATH, parse.TICKET_FIELDS, parse.parse_ticket_field)

    def get_ticket(self, ticket_id: int) -> Ticket:
        body = self._http.get_json(
            f"/api/v2/tickets/{int(ticket_id)}.json", {"include": "metric_sets"}
        )
        return self._one(
            body,
            "ticket",
            ticket_id,
            lambda d: parse.parse_ticket(d, parse.metric_sets_by_ticket(body)),
        )

    def get_user(self, user_id: int) -> User:
        body = self._http.get_json(f"/api/v2/users/{int(user_id)}.json")
        return self._one(body, "user", user_id, parse.parse_user)

    # --- internals ---------------------------------------------------------------------------

    def _whole_list(self, path: str, key: str, parse_one: Callable[[dict[str, Any]], T]) -> list[T]:
        out: list[T] = []

        def parse_page(body: dict[str, Any]) -> tuple[list[T], list[Skipped]]:
            return parse.parse_many(key, body.get(key), parse_one)

        for page in next_link_pages(
            self._http.get_json, path, parse_page, params={"per_page": LIST_PAGE_SIZE}
        ):
            # Skipped entries were logged by the parser; a list has no place to carry them.
            out.extend(page.records)
        return out

    @staticmethod
    def _one(
        body: dict[str, Any], key: str, wanted: int, parse_one: Callable[[dict[str, Any]], T]
    ) -> T:
        d = body.get(key)
        if not isinstance(d, dict):
            raise ZendeskError(f"the answer for {key} {wanted} has no {key!r} object")
        try:
            return parse_one(d)
        except parse.PARSE_ERRORS as e:
            raise ZendeskError(f"{key} {wanted} cannot be read: {parse.why(e)}") from None


def _parse_ticket_event_page(body: dict[str, Any]) -> tuple[list[TouchEvent], list[Skipped]]:
    return parse.parse_ticket_events(body.get("ticket_events"))
