"""The three incremental exports: cursor-based tickets and users, time-based ticket events.

Pages are cut from the sorted key indexes (plus the overlay of API changes) and rendered on
demand. `dup` is the fault injector's ask to start a few records early, as Zendesk sometimes
does around page boundaries.
"""

from __future__ import annotations

import base64
import binascii
import heapq
from bisect import bisect_right
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any
from urllib.parse import quote, urlencode

from integrations.sandbox import ids
from integrations.sandbox.generator import Desk, TicketView
from integrations.sandbox.index import (
    TICKET_ID_BITS,
    USER_SHIFT,
    event_key,
    split_event_key,
    split_ticket_key,
    ticket_key,
    user_key,
)
from integrations.sandbox.render import audit_event_json, group_json, ticket_json, user_json

Json = dict[str, Any]

MAX_PER_PAGE = 1000
_USER_SHIFT = USER_SHIFT
_USER_MASK = (1 << USER_SHIFT) - 1
_TICKET_MASK = (1 << TICKET_ID_BITS) - 1


class BadRequest(ValueError):
    """A parameter Zendesk would reject; the message is the response's description."""


def encode_cursor(ts: int, record_id: int) -> str:
    return base64.b64encode(f"{ts}.0||{record_id}|".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        ts_part, id_part = text.split("||", 1)
        return int(float(ts_part)), int(id_part.rstrip("|"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"Invalid cursor: {cursor!r}") from exc


def per_page_of(raw: str | None, default: int = MAX_PER_PAGE) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"per_page must be an integer, got {raw!r}") from exc
    if value < 1:
        raise BadRequest("per_page must be at least 1")
    return min(value, MAX_PER_PAGE)


def start_time_of(raw: str | None) -> int:
    if raw is None:
        raise BadRequest("start_time or cursor is required")
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"start_time must be a unix timestamp, got {raw!r}") from exc
    if value < 0:
        raise BadRequest("start_time must not be negative")
    return value


def _url(base: str, path: str, params: dict[str, str]) -> str:
    return f"{base}{path}?{urlencode(params, quote_via=quote)}"


# Tickets ------------------------------------------------------------------------------------


def _ticket_keys_after(desk: Desk, after: int, dup: int) -> Iterator[int]:
    overlay = desk.overlay
    index = desk.index
    repeated = index.ticket_keys_before(after + 1, dup) if dup else []

    def generated() -> Iterator[int]:
        for key in chain(repeated, index.ticket_keys_after(after)):
            if not overlay.changed(key & _TICKET_MASK):
                yield key

    changed = [k for k in overlay.ticket_keys() if k > after]
    return heapq.merge(generated(), changed)


def ticket_page(
    desk: Desk,
    base: str,
    *,
    start_time: str | None,
    cursor: str | None,
    per_page: int,
    include: set[str],
    dup: int = 0,
) -> Json:
    if cursor is not None:
        after = ticket_key(*decode_cursor(cursor))
    else:
        after = ticket_key(start_time_of(start_time), 0) - 1
    keys = list(islice(_ticket_keys_after(desk, after, dup), per_page + 1))
    end_of_stream = len(keys) <= per_page
    keys = keys[:per_page]
    views = [desk.ticket(split_ticket_key(k)[1]) for k in keys]
    tickets = [ticket_json(desk, v, base, "metric_sets" in include) for v in views]
    if keys:
        after_cursor = encode_cursor(*split_ticket_key(keys[-1]))
    else:
        # Nothing after the position: hand the same position back.
        after_cursor = cursor if cursor is not None else encode_cursor(*split_ticket_key(after))
    params = {"cursor": after_cursor, "per_page": str(per_page)}
    if include:
        params["include"] = ",".join(sorted(include))
    page: Json = {
        "tickets": tickets,
        "after_url": _url(base, "/api/v2/incremental/tickets/cursor.json", params),
        "before_url": None,
        "after_cursor": after_cursor,
        "before_cursor": None,
        "end_of_stream": end_of_stream,
    }
    if "users" in include:
        page["users"] = _side_users(desk, views, base)
    if "groups" in include:
        wanted = {v.state.group_id for v in views}
        page["groups"] = [group_json(g, base) for g in desk.staff.groups if g.id in wanted]
    return page


def _side_users(desk: Desk, views: list[TicketView], base: str) -> list[Json]:
    wanted: set[int] = set()
    for view in views:
        wanted.add(view.plan.requester_id)
        if view.state.assignee_id is not None:
            wanted.add(view.state.assignee_id)
    users = (user_json(desk, user_id, base) for user_id in sorted(wanted))
    return [u for u in users if u is not None]


# Ticket events -----------------------------------------------------------------------------


def event_page(
    desk: Desk,
    base: str,
    *,
    start_time: str | None,
    per_page: int,
    with_comments: bool,
    per_page_param: str | None,
    dup: int = 0,
) -> Json:
    start = start_time_of(start_time)
    first = event_key(start, 0, 0)
    repeated = desk.index.event_keys_before(first, dup) if dup else []
    changed = [k for k in desk.overlay.event_keys() if k >= first]
    generated = chain(repeated, desk.index.event_keys_from(first))
    merged = heapq.merge(generated, changed)
    keys = list(islice(merged, per_page))
    end_time = split_event_key(keys[-1])[0] if keys else start
    if len(keys) == per_page and split_event_key(keys[0])[0] == end_time:
        # Every event on the page shares one second: resuming at end_time would loop
        # forever, so take the whole second and resume after it.
        rest = [k for k in islice(merged, 100_000) if split_event_key(k)[0] == end_time]
        keys.extend(rest)
        end_time += 1
    views: dict[int, TicketView] = {}
    events = []
    for key in keys:
        _, ticket_id, seq = split_event_key(key)
        view = views.get(ticket_id)
        if view is None:
            view = views[ticket_id] = desk.ticket(ticket_id)
        events.append(audit_event_json(desk, view, view.audits[seq], with_comments))
    params = {"start_time": str(end_time)}
    if with_comments:
        params["include"] = "comment_events"
    if per_page_param is not None:
        params["per_page"] = per_page_param
    return {
        "ticket_events": events,
        "next_page": _url(base, "/api/v2/incremental/ticket_events.json", params),
        "count": len(events),
        "end_of_stream": len(keys) < per_page,
        "end_time": end_time,
    }


# Users ---------------------------------------------------------------------------------------


def user_position(desk: Desk, user_id: int) -> int:
    """Position of a user in the desk's user list: agents first, then requesters."""
    agents = len(desk.staff.agents)
    if ids.AGENT_BASE < user_id <= ids.AGENT_BASE + agents:
        return user_id - ids.AGENT_BASE - 1
    if ids.END_USER_BASE < user_id <= ids.END_USER_BASE + desk.staff.end_users:
        return agents + user_id - ids.END_USER_BASE - 1
    raise BadRequest(f"Invalid cursor: unknown user {user_id}")


def user_id_at(desk: Desk, position: int) -> int:
    agents = len(desk.staff.agents)
    if position < agents:
        return desk.staff.agents[position].id
    return ids.END_USER_BASE + position - agents + 1


def user_page(
    desk: Desk,
    base: str,
    *,
    start_time: str | None,
    cursor: str | None,
    per_page: int,
    dup: int = 0,
) -> Json:
    keys = desk.user_keys
    if cursor is not None:
        ts, user_id = decode_cursor(cursor)
        # Id 0 stands for "after every user of that second" (a cursor from an empty page).
        position = _USER_MASK if user_id == 0 else user_position(desk, user_id)
        after = user_key(ts, position)
    else:
        after = user_key(start_time_of(start_time), 0) - 1
    start = max(0, bisect_right(keys, after) - dup)
    chunk = keys[start : start + per_page + 1]
    end_of_stream = len(chunk) <= per_page
    chunk = chunk[:per_page]
    users = []
    last: tuple[int, int | None] = (after >> _USER_SHIFT, None)
    for key in chunk:
        user_id = user_id_at(desk, key & _USER_MASK)
        user = user_json(desk, user_id, base)
        assert user is not None
        users.append(user)
        last = (key >> _USER_SHIFT, user_id)
    if last[1] is not None:
        after_cursor = encode_cursor(last[0], last[1])
    else:
        # Nothing after the position: hand the same position back.
        after_cursor = cursor if cursor is not None else encode_cursor(last[0], 0)
    params = {"cursor": after_cursor, "per_page": str(per_page)}
    return {
        "users": users,
        "after_url": _url(base, "/api/v2/incremental/users/cursor.json", params),
        "before_url": None,
        "after_cursor": after_cursor,
        "before_cursor": None,
        "end_of_stream": end_of_stream,
    }
