"""Our Zendesk records -> table rows. Only what later stages need is kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.zendesk.records import Group, Ticket, TicketField, TouchEvent, User

# Keyword rules read the start of a text; a description pasted with a 10 MB log file is not
# worth storing whole.
MAX_TEXT_CHARS = 65_536


def _text(value: str | None, keep: bool) -> str | None:
    return value[:MAX_TEXT_CHARS] if keep and value is not None else None


def ticket_row(ticket: Ticket, *, store_text: bool, now: datetime) -> dict[str, Any]:
    m = ticket.metrics
    return {
        "id": ticket.id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "generated_timestamp": ticket.generated_timestamp,
        "status": ticket.status,
        "deleted": ticket.deleted,
        "subject": _text(ticket.subject, store_text),
        "description": _text(ticket.description, store_text),
        "priority": ticket.priority,
        "type": ticket.type,
        "channel": ticket.channel,
        "group_id": ticket.group_id,
        "assignee_id": ticket.assignee_id,
        "requester_id": ticket.requester_id,
        "brand_id": ticket.brand_id,
        "form_id": ticket.form_id,
        "tags": list(ticket.tags),
        "custom_fields": {str(k): v for k, v in ticket.custom_fields.items()},
        "satisfaction": ticket.satisfaction,
        "replies": m.replies if m else None,
        "reopens": m.reopens if m else None,
        "group_stations": m.group_stations if m else None,
        "assignee_stations": m.assignee_stations if m else None,
        "reply_time_minutes": m.reply_time_minutes if m else None,
        "first_resolution_minutes": m.first_resolution_minutes if m else None,
        "full_resolution_minutes": m.full_resolution_minutes if m else None,
        "agent_wait_minutes": m.agent_wait_minutes if m else None,
        "requester_wait_minutes": m.requester_wait_minutes if m else None,
        "assigned_at": m.assigned_at if m else None,
        "solved_at": m.solved_at if m else None,
        "synced_at": now,
    }


def touch_row(event: TouchEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "ticket_id": event.ticket_id,
        "audit_id": event.audit_id,
        "at": event.at,
        "kind": event.kind.value,
        "actor_id": event.actor_id,
        "public": event.public,
        "value": event.value,
        "previous_value": event.previous_value,
    }


def agent_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "suspended": user.suspended,
        "default_group_id": user.default_group_id,
        "tags": list(user.tags),
        "user_fields": dict(user.user_fields),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def group_row(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "deleted": group.deleted,
        "created_at": group.created_at,
        "updated_at": group.updated_at,
    }


def field_row(field: TicketField) -> dict[str, Any]:
    return {
        "id": field.id,
        "title": field.title,
        "type": field.type,
        "active": field.active,
        "options": [list(o) for o in field.options],
    }
