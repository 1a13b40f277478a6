"""Writes to Zendesk: ticket updates that cannot overwrite a concurrent change.

A write goes through the same pacing and rate-limit governors as the reads. It is retried
only where a second send cannot do harm: a 429 (Zendesk did nothing), or a request that is
idempotent. A ticket update always carries `safe_update` with the `updated_stamp` it was
planned on, which makes it idempotent: if a first send did land, the retry is refused with
409 and surfaces as `ZendeskConflict`, the same as a concurrent human edit.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from pydantic import SecretStr

from integrations.zendesk import parse
from integrations.zendesk.errors import ZendeskAuthError, ZendeskError
from integrations.zendesk.http import (
    _TRANSIENT_EXCEPTIONS,
    DEFAULT_RETRY_AFTER_S,
    ClientStats,
    TokenAuth,
    ZendeskHttp,
    _RateLimited,
    _retry_after,
    _Transient,
    endpoint_name,
)
from integrations.zendesk.ratelimit import Clock, bucket_for
from integrations.zendesk.records import Ticket

log = logging.getLogger(__name__)


class ZendeskConflict(ZendeskError):
    """409: the record changed since it was read (safe_update); read it again and re-plan."""


@dataclass(frozen=True, slots=True)
class TicketSnapshot:
    ticket: Ticket
    # updated_at exactly as Zendesk sent it: safe_update compares this text
    updated_stamp: str


class WriteHttp(ZendeskHttp):
    """`ZendeskHttp` (GETs) plus JSON sends, sharing its session, governors and stats."""

    def send_json(
        self, method: str, path: str, body: Mapping[str, Any], *, idempotent: bool
    ) -> dict[str, Any]:
        """Send `body` with `method` to `path`; the JSON object answered (empty for 204).

        Raises ZendeskConflict on 409, ZendeskAuthError on 401/403, ZendeskGaveUp when
        retryable failures outlast give_up_after_s, and ZendeskError otherwise; a failure
        that may have left the change made says so.
        """
        endpoint = endpoint_name(path)
        governor = self.governors[bucket_for(path)]
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        return self._with_retries(
            method,
            path,
            governor,
            lambda: self._send(method, path, endpoint, data, governor, idempotent),
        )

    def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        data: bytes,
        governor: Any,
        idempotent: bool,
    ) -> dict[str, Any]:
        what = f"{method} {path}"
        maybe_done = "" if idempotent else "; the change may or may not have been made"
        self.stats.requests += 1
        self.stats.by_endpoint[endpoint] = self.stats.by_endpoint.get(endpoint, 0) + 1
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                data=data,
                headers={"Content-Type": "application/json"},
                timeout=self._timeout,
            )
            content = response.content
        except _TRANSIENT_EXCEPTIONS as e:
            governor.record(None)
            message = self._auth.redact(f"{type(e).__name__}: {e}")
            if idempotent:
                raise _Transient(message) from None
            raise ZendeskError(f"{what} failed: {message}{maybe_done}", endpoint=endpoint) from None
        except requests.RequestException as e:
            governor.record(None)
            raise ZendeskError(
                self._auth.redact(f"{what} could not be sent: {type(e).__name__}: {e}"),
                endpoint=endpoint,
            ) from None
        status = response.status_code
        governor.record(response.headers, refused=status == 429)
        if status == 429:
            self.stats.http_429 += 1
            retry_after = _retry_after(response.headers)
            raise _RateLimited(DEFAULT_RETRY_AFTER_S if retry_after is None else retry_after)
        if status >= 500:
            message = f"HTTP {status} {self._reason(response)}: {self._snippet(content)}"
            if idempotent:
                raise _Transient(message, retry_after=_retry_after(response.headers))
            raise ZendeskError(
                f"{what} failed: {message}{maybe_done}", endpoint=endpoint, status=status
            )
        if status == 409:
            raise ZendeskConflict(
                f"{what} was refused (HTTP 409): the record changed since it was read",
                endpoint=endpoint,
                status=status,
            )
        if status in (401, 403):
            raise ZendeskAuthError(
                f"Zendesk refused the credentials (HTTP {status}) on {what}: the API user "
                "must be allowed to make this change (ticket updates need an agent, skills "
                "an admin)",
                endpoint=endpoint,
                status=status,
            )
        if status >= 400 or status < 200:
            raise ZendeskError(
                f"{what} failed with HTTP {status} {self._reason(response)}: "
                f"{self._snippet(content)}",
                endpoint=endpoint,
                status=status,
            )
        if status == 204 or not content:
            return {}
        try:
            answer = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            answer = None
        if not isinstance(answer, dict):
            raise ZendeskError(
                f"{what} answered HTTP {status} with a body that is not a JSON object: "
                f"{self._snippet(content)}",
                endpoint=endpoint,
                status=status,
            )
        return answer


class ZendeskWriter:
    """Reads a ticket for an update and updates it; skills live in `routing.py`.

    Not thread-safe: one writer per task or command.
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
        clock: Clock | None = None,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = WriteHttp(
            self.base_url,
            TokenAuth(email, token),
            timeout_s=timeout_s,
            rate_share=rate_share,
            give_up_after_s=give_up_after_s,
            clock=clock,
            rng=rng,
            session=session,
        )

    def __repr__(self) -> str:
        return f"ZendeskWriter(base_url={self.base_url!r})"

    @property
    def stats(self) -> ClientStats:
        return self.http.stats

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ZendeskWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ticket(self, ticket_id: int) -> TicketSnapshot:
        body = self.http.get_json(f"/api/v2/tickets/{int(ticket_id)}.json")
        return _snapshot(body, ticket_id)

    def update_ticket(
        self, ticket_id: int, changes: Mapping[str, Any], updated_stamp: str
    ) -> TicketSnapshot:
        """Apply `changes` (Zendesk ticket fields, e.g. tags, comment, group_id, assignee_id)
        only if the ticket is still as it was at `updated_stamp`; else ZendeskConflict."""
        payload = {"ticket": {**changes, "safe_update": True, "updated_stamp": updated_stamp}}
        body = self.http.send_json(
            "PUT", f"/api/v2/tickets/{int(ticket_id)}.json", payload, idempotent=True
        )
        return _snapshot(body, ticket_id)


def _snapshot(body: dict[str, Any], ticket_id: int) -> TicketSnapshot:
    d = body.get("ticket")
    if not isinstance(d, dict):
        raise ZendeskError(f"the answer for ticket {ticket_id} has no 'ticket' object")
    try:
        ticket = parse.parse_ticket(d)
    except parse.PARSE_ERRORS as e:
        raise ZendeskError(f"ticket {ticket_id} cannot be read: {parse.why(e)}") from None
    stamp = d.get("updated_at")
    if not isinstance(stamp, str):
        raise ZendeskError(f"ticket {ticket_id} has no updated_at to guard an update with")
    return TicketSnapshot(ticket, stamp)
