"""A ticket's fields and metric_set, replayed from its audits.

Both come from the same audits the event export serves, so metrics and events cannot
disagree: replies are the public agent comments, group_stations the distinct groups held,
and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from integrations.sandbox import ids
from integrations.sandbox.tickets import Audit, Change, Comment, Create, Value

_OPEN_STATES = ("new", "open", "hold")
_DONE_STATES = ("solved", "closed")
# Business minutes as a share of calendar minutes: 8 hours a day, 5 days a week.
_BUSINESS_SHARE = 40 / 168


@lru_cache(maxsize=4_096)
def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def iso(ts: int | None) -> str | None:
    """Zendesk's timestamp format, 2024-02-08T17:26:48Z (formatted by hand: pages have
    tens of thousands of them)."""
    if ts is None:
        return None
    day, second = divmod(ts, 86_400)
    hour, rest = divmod(second, 3_600)
    minute, sec = divmod(rest, 60)
    return f"{_day(day)}T{hour:02d}:{minute:02d}:{sec:02d}Z"


def is_agent_id(user_id: int) -> bool:
    return ids.AGENT_BASE <= user_id < ids.END_USER_BASE


def _int_or_none(value: Value) -> int | None:
    return int(value) if isinstance(value, str) and value else None


@dataclass(slots=True)
class TicketState:
    status: str = "new"
    priority: str | None = None
    type: str | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] = field(default_factory=list)
    created_at: int = 0
    updated_at: int = 0


def replay(audits: list[Audit]) -> TicketState:
    state = TicketState(created_at=audits[0].ts, updated_at=audits[-1].ts)
    for audit in audits:
        for child in audit.children:
            if isinstance(child, Comment):
                continue
            _apply(state, child)
    return state


def _apply(state: TicketState, child: Create | Change) -> None:
    name, value = child.field, child.value
    if name == "status" and isinstance(value, str):
        state.status = value
    elif name == "priority":
        state.priority = value if isinstance(value, str) else None
    elif name == "type":
        state.type = value if isinstance(value, str) else None
    elif name == "group_id":
        state.group_id = _int_or_none(value)
    elif name == "assignee_id":
        state.assignee_id = _int_or_none(value)
    elif name == "tags" and isinstance(value, list):
        state.tags = list(value)


def _minutes(seconds: int | None) -> dict[str, int | None]:
    if seconds is None:
        return {"calendar": None, "business": None}
    calendar = seconds // 60
    return {"calendar": calendar, "business": int(calendar * _BUSINESS_SHARE)}


def metric_set(ticket_id: int, audits: list[Audit], base_url: str) -> dict[str, object]:
    """Zendesk's ticket metric_set, computed from the audits alone."""
    created = audits[0].ts
    status = "new"
    status_since = created
    agent_wait = 0
    requester_wait = 0
    replies = 0
    reopens = 0
    first_reply: int | None = None
    solves: list[int] = []
    groups: set[int] = set()
    assignees: set[int] = set()
    initially_assigned: int | None = None
    assigned: int | None = None
    assignee_updated: int | None = None
    requester_updated: int | None = None
    status_updated = created
    latest_comment: int | None = None
    for audit in audits:
        for child in audit.children:
            if isinstance(child, Comment):
                latest_comment = audit.ts
                if is_agent_id(child.author):
                    if child.public:
                        replies += 1
                        if first_reply is None:
                            first_reply = audit.ts
                else:
                    requester_updated = audit.ts
                continue
            if child.field == "group_id" and child.value is not None:
                groups.add(int(str(child.value)))
            elif child.field == "assignee_id":
                assignee_updated = audit.ts
                if child.value is not None:
                    assignees.add(int(str(child.value)))
                    assigned = audit.ts
                    if initially_assigned is None:
                        initially_assigned = audit.ts
            elif child.field == "status" and isinstance(child.value, str):
                spent = audit.ts - status_since
                if status == "pending":
                    agent_wait += spent
                elif status in _OPEN_STATES:
                    requester_wait += spent
                if status in _DONE_STATES and child.value in ("open", "pending", "new"):
                    reopens += 1
                if child.value == "solved":
                    solves.append(audit.ts)
                status = child.value
                status_since = audit.ts
                status_updated = audit.ts
    updated = audits[-1].ts
    if status == "pending":
        agent_wait += updated - status_since
    elif status in _OPEN_STATES:
        requester_wait += updated - status_since
    done = status in _DONE_STATES and bool(solves)
    return {
        "url": f"{base_url}/api/v2/ticket_metrics/{ids.METRIC_SET_BASE + ticket_id}.json",
        "id": ids.METRIC_SET_BASE + ticket_id,
        "ticket_id": ticket_id,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "group_stations": len(groups),
        "assignee_stations": len(assignees),
        "reopens": reopens,
        "replies": replies,
        "assignee_updated_at": iso(assignee_updated),
        "requester_updated_at": iso(requester_updated),
        "status_updated_at": iso(status_updated),
        "initially_assigned_at": iso(initially_assigned),
        "assigned_at": iso(assigned),
        "solved_at": iso(solves[-1]) if done else None,
        "latest_comment_added_at": iso(latest_comment),
        "reply_time_in_minutes": _minutes(None if first_reply is None else first_reply - created),
        "first_resolution_time_in_minutes": _minutes(solves[0] - created if solves else None),
        "full_resolution_time_in_minutes": _minutes(solves[-1] - created if done else None),
        "agent_wait_time_in_minutes": _minutes(agent_wait),
        "requester_wait_time_in_minutes": _minutes(requester_wait),
        "on_hold_time_in_minutes": _minutes(0),
    }
