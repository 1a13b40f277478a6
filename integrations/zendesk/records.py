"""Our own typed records for what we read from Zendesk.

Nothing above `integrations.zendesk` ever sees Zendesk's JSON or a zenpy object: the client
parses into these, and the sync stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

JsonScalar = str | int | float | bool | None
JsonValue = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True, slots=True)
class TicketMetrics:
    """A ticket's metric_set; minutes are calendar minutes, as Zendesk reports them."""

    replies: int | None = None
    reopens: int | None = None
    group_stations: int | None = None
    assignee_stations: int | None = None
    reply_time_minutes: int | None = None
    first_resolution_minutes: int | None = None
    full_resolution_minutes: int | None = None
    agent_wait_minutes: int | None = None
    requester_wait_minutes: int | None = None
    assigned_at: datetime | None = None
    solved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    created_at: datetime
    updated_at: datetime
    generated_timestamp: int
    status: str
    subject: str | None = None
    description: str | None = None
    priority: str | None = None
    type: str | None = None
    channel: str | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    requester_id: int | None = None
    brand_id: int | None = None
    form_id: int | None = None
    tags: tuple[str, ...] = ()
    # custom field id -> value (str, number, bool, list of str or None)
    custom_fields: dict[int, JsonValue] = field(default_factory=dict)
    # "good", "bad", "offered", "unoffered" or None
    satisfaction: str | None = None
    metrics: TicketMetrics | None = None

    @property
    def deleted(self) -> bool:
        return self.status == "deleted"


class TouchKind(StrEnum):
    PUBLIC_REPLY = "public_reply"
    INTERNAL_NOTE = "internal_note"
    ASSIGNEE_CHANGE = "assignee_change"
    GROUP_CHANGE = "group_change"


@dataclass(frozen=True, slots=True)
class TouchEvent:
    """One child event of a ticket audit that says who worked on a ticket, and when.

    For comments `actor_id` is the comment author; for changes it is the audit's updater,
    `value` the new assignee or group id and `previous_value` the old one.
    """

    id: int
    ticket_id: int
    audit_id: int
    at: datetime
    kind: TouchKind
    actor_id: int | None
    public: bool | None = None
    value: int | None = None
    previous_value: int | None = None


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str  # "end-user", "agent" or "admin"
    active: bool
    suspended: bool
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    default_group_id: int | None = None
    tags: tuple[str, ...] = ()
    user_fields: dict[str, JsonValue] = field(default_factory=dict)

    @property
    def is_agent(self) -> bool:
        return self.role in ("agent", "admin")


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    deleted: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TicketField:
    id: int
    title: str
    type: str
    active: bool
    # (name, value) for drop-down fields
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that could not be parsed; logged and left out, the rest goes on."""

    stream: str
    record_id: int | None
    reason: str


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of an export.

    `resume` is what to pass back to resume *after* this page (a cursor or a start_time as
    text); the sync commits it in the same transaction as the page's records.
    """

    records: list[T]
    resume: str
    end_of_stream: bool
    skipped: list[Skipped] = field(default_factory=list)
