"""Zendesk JSON -> our records.

Plain dict access with explicit checks: this runs for every record of exports that hold up to
a million tickets, so no per-record model validation. A record we cannot use raises
`BadRecord`; `parse_many` turns that into a `Skipped` and goes on with the rest of the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from integrations.zendesk.records import (
    Group,
    JsonValue,
    Skipped,
    Ticket,
    TicketField,
    TicketMetrics,
    TouchEvent,
    TouchKind,
    User,
)

log = logging.getLogger(__name__)

R = TypeVar("R")
Json = dict[str, Any]

TICKETS = "tickets"
TICKET_EVENTS = "ticket_events"
USERS = "users"
GROUPS = "groups"
TICKET_FIELDS = "ticket_fields"


class BadRecord(ValueError):
    """This record is missing something we need or has a value of the wrong type."""

    def __init__(self, reason: str, record_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record_id = record_id


# Checks below cover the shapes we expect; the others are a backstop so that a record shaped
# in a way nobody foresaw still costs only that record, never the stream.
PARSE_ERRORS = (BadRecord, TypeError, ValueError, KeyError, AttributeError, OverflowError)


def why(e: Exception) -> str:
    return str(e) if isinstance(e, BadRecord) else f"{type(e).__name__}: {e}"


# --- field helpers ---------------------------------------------------------------------------


def _req_int(d: Json, key: str) -> int:
    value = d.get(key)
    # `type(...) is int` rather than isinstance: JSON true/false must not pass as 1/0.
    if type(value) is int:
        return value
    if value is None:
        raise BadRecord(f"{key} is missing or null")
    raise BadRecord(f"{key} is not an integer: {value!r:.60}")


def _opt_int(d: Json, key: str) -> int | None:
    value = d.get(key)
    if value is None or type(value) is int:
        return value
    raise BadRecord(f"{key} is not an integer: {value!r:.60}")


def _opt_str(d: Json, key: str) -> str | None:
    value = d.get(key)
    if value is None or type(value) is str:
        return value
    raise BadRecord(f"{key} is not a string: {value!r:.60}")


def _req_str(d: Json, key: str) -> str:
    value = d.get(key)
    if type(value) is str:
        return value
    if value is None:
        raise BadRecord(f"{key} is missing or null")
    raise BadRecord(f"{key} is not a string: {value!r:.60}")


def _bool(d: Json, key: str, default: bool | None = None) -> bool:
    value = d.get(key)
    if type(value) is bool:
        return value
    if value is None and default is not None:
        return default
    if value is None:
        raise BadRecord(f"{key} is missing or null")
    raise BadRecord(f"{key} is not true/false: {value!r:.60}")


def parse_time(value: object, key: str = "time") -> datetime:
    """ISO-8601 text -> naive UTC datetime (the storage keeps naive UTC)."""
    if type(value) is not str:
        if value is None:
            raise BadRecord(f"{key} is missing or null")
        raise BadRecord(f"{key} is not a timestamp: {value!r:.60}")
    try:
        if value.endswith("Z"):
            # Zendesk's usual form; the fast path skips building and dropping a tzinfo.
            parsed = datetime.fromisoformat(value[:-1])
            if parsed.tzinfo is None:
                return parsed
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRecord(f"{key} is not a timestamp: {value!r:.60}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _req_time(d: Json, key: str) -> datetime:
    return parse_time(d.get(key), key)


def _opt_time(d: Json, key: str) -> datetime | None:
    value = d.get(key)
    return None if value is None else parse_time(value, key)


def _tags(d: Json, key: str = "tags") -> tuple[str, ...]:
    value = d.get(key)
    if value is None:
        return ()
    if type(value) is list and all(type(t) is str for t in value):
        return tuple(value)
    raise BadRecord(f"{key} is not a list of strings: {value!r:.60}")


def _id_value(value: object, key: str) -> int | None:
    """An id as change events carry it: a number, a numeric string, or empty/null for none."""
    if value is None or type(value) is int:
        return value
    if type(value) is str:
        text = value.strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
    raise BadRecord(f"{key} is not an id: {value!r:.60}")


def _record_id(d: object) -> int | None:
    if isinstance(d, dict):
        value = d.get("id")
        if type(value) is int:
            return value
    return None


# --- tickets ---------------------------------------------------------------------------------


def _minutes(ms: Json, key: str) -> int | None:
    value = ms.get(key)
    if isinstance(value, dict):
        value = value.get("calendar")
    if value is None or type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise BadRecord(f"metric_set.{key} is not a number of minutes: {value!r:.60}")


def parse_metrics(ms: object) -> TicketMetrics:
    if not isinstance(ms, dict):
        raise BadRecord(f"metric_set is not an object: {ms!r:.60}")
    try:
        return TicketMetrics(
            replies=_opt_int(ms, "replies"),
            reopens=_opt_int(ms, "reopens"),
            group_stations=_opt_int(ms, "group_stations"),
            assignee_stations=_opt_int(ms, "assignee_stations"),
            reply_time_minutes=_minutes(ms, "reply_time_in_minutes"),
            first_resolution_minutes=_minutes(ms, "first_resolution_time_in_minutes"),
            full_resolution_minutes=_minutes(ms, "full_resolution_time_in_minutes"),
            agent_wait_minutes=_minutes(ms, "agent_wait_time_in_minutes"),
            requester_wait_minutes=_minutes(ms, "requester_wait_time_in_minutes"),
            assigned_at=_opt_time(ms, "assigned_at"),
            solved_at=_opt_time(ms, "solved_at"),
        )
    except BadRecord as e:
        if e.reason.startswith("metric_set."):
            raise
        raise BadRecord(f"metric_set.{e.reason}") from None


def metric_sets_by_ticket(body: Json) -> dict[int, Json]:
    """The `include=metric_sets` side-load, keyed by ticket id."""
    side = body.get("metric_sets")
    if type(side) is not list:
        return {}
    out: dict[int, Json] = {}
    for ms in side:
        if isinstance(ms, dict):
            tid = ms.get("ticket_id")
            if type(tid) is int:
                out[tid] = ms
    return out


def _custom_fields(d: Json) -> dict[int, JsonValue]:
    value = d.get("custom_fields")
    if value is None:
        return {}
    if type(value) is not list:
        raise BadRecord(f"custom_fields is not a list: {value!r:.60}")
    out: dict[int, JsonValue] = {}
    for cf in value:
        if not isinstance(cf, dict) or type(cf.get("id")) is not int:
            raise BadRecord(f"custom_fields entry has no integer id: {cf!r:.60}")
        out[cf["id"]] = cf.get("value")
    return out


def _satisfaction(d: Json) -> str | None:
    value = d.get("satisfaction_rating")
    if value is None or type(value) is str:
        return value
    if isinstance(value, dict):
        score = value.get("score")
        if score is None or type(score) is str:
            return score
    raise BadRecord(f"satisfaction_rating has no score: {value!r:.60}")


def _channel(d: Json) -> str | None:
    via = d.get("via")
    if via is None:
        return None
    if not isinstance(via, dict):
        raise BadRecord(f"via is not an object: {via!r:.60}")
    channel = via.get("channel")
    if channel is None or type(channel) is str:
        return channel
    if type(channel) is int:
        # Some endpoints give the channel's numeric code; keep it rather than lose the ticket.
        return str(channel)
    raise BadRecord(f"via.channel is not a string: {channel!r:.60}")


def parse_ticket(d: Json, side_metrics: Mapping[int, Json] | None = None) -> Ticket:
    tid = _req_int(d, "id")
    updated_at = _req_time(d, "updated_at")
    generated = d.get("generated_timestamp")
    if generated is None:
        # Only the exports carry it; elsewhere the last update is the same moment.
        generated = int(updated_at.replace(tzinfo=UTC).timestamp())
    elif type(generated) is not int:
        raise BadRecord(f"generated_timestamp is not an integer: {generated!r:.60}")
    ms = d.get("metric_set")
    if ms is None and side_metrics:
        ms = side_metrics.get(tid)
    return Ticket(
        id=tid,
        created_at=_req_time(d, "created_at"),
        updated_at=updated_at,
        generated_timestamp=generated,
        status=_req_str(d, "status"),
        subject=_opt_str(d, "subject"),
        description=_opt_str(d, "description"),
        priority=_opt_str(d, "priority"),
        type=_opt_str(d, "type"),
        channel=_channel(d),
        group_id=_opt_int(d, "group_id"),
        assignee_id=_opt_int(d, "assignee_id"),
        requester_id=_opt_int(d, "requester_id"),
        brand_id=_opt_int(d, "brand_id"),
        form_id=_opt_int(d, "ticket_form_id"),
        tags=_tags(d),
        custom_fields=_custom_fields(d),
        satisfaction=_satisfaction(d),
        metrics=None if ms is None else parse_metrics(ms),
    )


# --- users, groups, fields -------------------------------------------------------------------


def parse_user(d: Json) -> User:
    user_fields = d.get("user_fields")
    if user_fields is None:
        user_fields = {}
    elif not isinstance(user_fields, dict):
        raise BadRecord(f"user_fields is not an object: {user_fields!r:.60}")
    return User(
        id=_req_int(d, "id"),
        name=_req_str(d, "name"),
        role=_req_str(d, "role"),
        active=_bool(d, "active"),
        suspended=_bool(d, "suspended", default=False),
        created_at=_req_time(d, "created_at"),
        updated_at=_req_time(d, "updated_at"),
        email=_opt_str(d, "email"),
        default_group_id=_opt_int(d, "default_group_id"),
        tags=_tags(d),
        user_fields=user_fields,
    )


def parse_group(d: Json) -> Group:
    return Group(
        id=_req_int(d, "id"),
        name=_req_str(d, "name"),
        deleted=_bool(d, "deleted", default=False),
        created_at=_req_time(d, "created_at"),
        updated_at=_req_time(d, "updated_at"),
    )


def _options(d: Json) -> tuple[tuple[str, str], ...]:
    raw = d.get("custom_field_options") or d.get("system_field_options")
    if raw is None:
        return ()
    if type(raw) is not list:
        raise BadRecord(f"custom_field_options is not a list: {raw!r:.60}")
    out = []
    for opt in raw:
        if not isinstance(opt, dict):
            raise BadRecord(f"field option is not an object: {opt!r:.60}")
        name, value = opt.get("name"), opt.get("value")
        if type(name) is not str or type(value) is not str:
            raise BadRecord(f"field option needs text name and value: {opt!r:.60}")
        out.append((name, value))
    return tuple(out)


def parse_ticket_field(d: Json) -> TicketField:
    return TicketField(
        id=_req_int(d, "id"),
        title=_req_str(d, "title"),
        type=_req_str(d, "type"),
        active=_bool(d, "active", default=True),
        options=_options(d),
    )


# --- ticket events ---------------------------------------------------------------------------

_FIELD_KINDS = {"assignee_id": TouchKind.ASSIGNEE_CHANGE, "group_id": TouchKind.GROUP_CHANGE}


def _audit_time(audit: Json) -> datetime:
    if audit.get("created_at") is not None:
        return _req_time(audit, "created_at")
    ts = audit.get("timestamp")
    if type(ts) is int or type(ts) is float:
        try:
            return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            raise BadRecord(f"timestamp is out of range: {ts!r}") from None
    raise BadRecord("created_at and timestamp are both missing")


def _change_field(ev: Json) -> str | None:
    name = ev.get("field_name")
    if name is not None:
        return name if type(name) is str and name in _FIELD_KINDS else None
    # The events export often names the field only by carrying it as a key.
    for candidate in _FIELD_KINDS:
        if candidate in ev:
            return candidate
    return None


def _touch(
    ev: Json, ticket_id: int, audit_id: int, at: datetime, updater: int | None
) -> TouchEvent | None:
    """One child event -> a TouchEvent, or None for kinds of event we do not track."""
    etype = ev.get("event_type") or ev.get("type")
    if etype == "Comment":
        public = ev.get("public")
        if public is None:
            public = ev.get("comment_public")
        if type(public) is not bool:
            raise BadRecord(f"comment has no true/false public flag: {public!r:.60}")
        return TouchEvent(
            id=_req_int(ev, "id"),
            ticket_id=ticket_id,
            audit_id=audit_id,
            at=at,
            kind=TouchKind.PUBLIC_REPLY if public else TouchKind.INTERNAL_NOTE,
            actor_id=_opt_int(ev, "author_id"),
            public=public,
        )
    if etype == "Change" or etype == "Create":
        field = _change_field(ev)
        if field is None:
            return None
        value = ev["value"] if "value" in ev else ev.get(field)
        previous = ev.get("previous_value") if etype == "Change" else None
        return TouchEvent(
            id=_req_int(ev, "id"),
            ticket_id=ticket_id,
            audit_id=audit_id,
            at=at,
            kind=_FIELD_KINDS[field],
            actor_id=updater,
            value=_id_value(value, field),
            previous_value=_id_value(previous, f"previous {field}"),
        )
    return None


def parse_ticket_events(items: object) -> tuple[list[TouchEvent], list[Skipped]]:
    """Audits of the ticket events export -> the touches in them, and what had to be skipped.

    A bad child event skips only itself; a bad audit (no ids, no time) skips its events.
    """
    events: list[TouchEvent] = []
    skipped: list[Skipped] = []
    if items is None:
        return events, skipped
    if type(items) is not list:
        raise BadRecord(f"ticket_events is not a list: {items!r:.60}")
    for audit in items:
        if not isinstance(audit, dict):
            skipped.append(_skip(TICKET_EVENTS, None, None, f"not an object: {audit!r:.60}"))
            continue
        try:
            audit_id = _req_int(audit, "id")
            ticket_id = _req_int(audit, "ticket_id")
            at = _audit_time(audit)
            updater = _opt_int(audit, "updater_id")
            children = audit.get("child_events")
            if children is None:
                continue
            if type(children) is not list:
                raise BadRecord(f"child_events is not a list: {children!r:.60}")
        except PARSE_ERRORS as e:
            raw_ticket = audit.get("ticket_id")
            known_ticket = raw_ticket if type(raw_ticket) is int else None
            reason = f"audit {_record_id(audit)}: {why(e)}"
            skipped.append(_skip(TICKET_EVENTS, _record_id(audit), known_ticket, reason))
            continue
        for ev in children:
            try:
                if not isinstance(ev, dict):
                    raise BadRecord(f"child event is not an object: {ev!r:.60}")
                touch = _touch(ev, ticket_id, audit_id, at, updater)
            except PARSE_ERRORS as e:
                reason = f"audit {audit_id} event {_record_id(ev)}: {why(e)}"
                skipped.append(_skip(TICKET_EVENTS, _record_id(ev), ticket_id, reason))
                continue
            if touch is not None:
                events.append(touch)
    return events, skipped


# --- pages -----------------------------------------------------------------------------------


def _skip(stream: str, record_id: int | None, ticket_id: int | None, reason: str) -> Skipped:
    if ticket_id is not None:
        reason = f"ticket {ticket_id}: {reason}"
    log.warning("skipped %s record %s: %s", stream, record_id, reason)
    return Skipped(stream=stream, record_id=record_id, reason=reason)


def parse_many(
    stream: str, items: object, parse_one: Callable[[Json], R]
) -> tuple[list[R], list[Skipped]]:
    """Parse every record of a page; a bad one becomes a Skipped, the rest are kept."""
    if items is None:
        return [], []
    if type(items) is not list:
        raise BadRecord(f"{stream} is not a list: {items!r:.60}")
    records: list[R] = []
    skipped: list[Skipped] = []
    append = records.append
    for d in items:
        try:
            if not isinstance(d, dict):
                raise BadRecord(f"not an object: {d!r:.60}")
            append(parse_one(d))
        except PARSE_ERRORS as e:
            rid = _record_id(d)
            tid = rid if stream == TICKETS else None
            skipped.append(_skip(stream, rid, tid, why(e)))
    return records, skipped


def parse_tickets(body: Json) -> tuple[list[Ticket], list[Skipped]]:
    side = metric_sets_by_ticket(body)
    return parse_many(TICKETS, body.get("tickets"), lambda d: parse_ticket(d, side))


def parse_users(body: Json) -> tuple[list[User], list[Skipped]]:
    return parse_many(USERS, body.get("users"), parse_user)
