"""PUT /api/v2/tickets/{id}.json: tags, group, assignee, status and a comment.

Each update becomes one audit in the overlay, so it shows in the event export and moves the
ticket to the end of the ticket export, as in Zendesk. `safe_update` with a stale
`updated_stamp` is refused with 409, Zendesk's guard against lost updates.
"""

from __future__ import annotations

from typing import Any

from integrations.sandbox import ids
from integrations.sandbox.generator import Desk
from integrations.sandbox.state import iso
from integrations.sandbox.tickets import Audit, Change, Child, Comment

_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")


class UpdateError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("description", body.get("error")))
        self.status = status
        self.body = body


def _invalid(description: str) -> UpdateError:
    return UpdateError(422, {"error": "RecordInvalid", "description": description})


def _optional_id(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{name} must be an integer or null")
    return value


def update_ticket(desk: Desk, ticket_id: int, body: Any, author_id: int, now: int) -> None:
    """Apply one update; raises UpdateError with the HTTP status and body to answer."""
    if not isinstance(body, dict) or not isinstance(body.get("ticket"), dict):
        raise UpdateError(
            400, {"error": "InvalidValue", "description": 'Expected {"ticket": {...}}'}
        )
    changes: dict[str, Any] = body["ticket"]
    view = desk.ticket(ticket_id)
    state = view.state
    if state.status in ("closed", "deleted"):
        raise _invalid(f"Status: closed prevents ticket update (ticket is {state.status})")
    if changes.get("safe_update") and changes.get("updated_stamp") != iso(state.updated_at):
        raise UpdateError(
            409,
            {
                "error": "UpdateConflict",
                "description": "Safe Update prevented the update due to outdated ticket data. "
                "Please fetch the latest ticket data and try again.",
            },
        )
    children: list[Child] = []
    texts: dict[int, str] = {}
    comment = changes.get("comment")
    if comment is not None:
        if not isinstance(comment, dict) or not isinstance(comment.get("body"), str):
            raise _invalid("comment must be an object with a body")
        texts[len(children)] = comment["body"]
        children.append(Comment(author_id, bool(comment.get("public", True)), "api"))
    if "tags" in changes:
        tags = changes["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise _invalid("tags must be a list of strings")
        new_tags = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
        if new_tags != state.tags:
            children.append(Change("tags", new_tags, list(state.tags)))
    if "group_id" in changes:
        group_id = _optional_id(changes["group_id"], "group_id")
        if group_id is not None and group_id not in {g.id for g in desk.staff.groups}:
            raise _invalid(f"Group: {group_id} is not a group of this account")
        if group_id != state.group_id:
            children.append(Change("group_id", _str(group_id), _str(state.group_id)))
    if "assignee_id" in changes:
        assignee_id = _optional_id(changes["assignee_id"], "assignee_id")
        if assignee_id is not None and assignee_id not in desk.agents_by_id:
            raise _invalid(f"Assignee: {assignee_id} is not an agent")
        if assignee_id != state.assignee_id:
            children.append(Change("assignee_id", _str(assignee_id), _str(state.assignee_id)))
    if "status" in changes:
        status = changes["status"]
        if status not in _STATUSES:
            raise _invalid(f"Status: {status!r} is not a valid status")
        if status != state.status:
            children.append(Change("status", status, state.status))
    if not children:
        return
    seq = len(view.audits)
    if seq >= ids.MAX_AUDITS or len(children) > ids.MAX_CHILDREN:
        raise _invalid("Ticket has too many updates for the sandbox")
    ts = max(now, state.updated_at + 1)
    desk.overlay.add(ticket_id, Audit(seq, ts, author_id, "API", tuple(children)), texts)


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)
