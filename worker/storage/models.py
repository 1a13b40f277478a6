"""Tables the sync writes: what later stages need of the Zendesk account, and nothing more.

Ids are Zendesk's own (64-bit). Times are stored as naive UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime()}


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    generated_timestamp: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[int | None] = mapped_column(BigInteger)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    requester_id: Mapped[int | None] = mapped_column(BigInteger)
    brand_id: Mapped[int | None] = mapped_column(BigInteger)
    form_id: Mapped[int | None] = mapped_column(BigInteger)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # {"<field id>": value}; JSON object keys are text
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    # metric_set
    replies: Mapped[int | None] = mapped_column(Integer)
    reopens: Mapped[int | None] = mapped_column(Integer)
    group_stations: Mapped[int | None] = mapped_column(Integer)
    assignee_stations: Mapped[int | None] = mapped_column(Integer)
    reply_time_minutes: Mapped[int | None] = mapped_column(Integer)
    first_resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    full_resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    agent_wait_minutes: Mapped[int | None] = mapped_column(Integer)
    requester_wait_minutes: Mapped[int | None] = mapped_column(Integer)
    assigned_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    # when this row last changed here; tagging re-does only tickets synced since its last run
    synced_at: Mapped[datetime]

    __table_args__ = (Index("ix_tickets_synced_at", "synced_at"),)


class TouchRow(Base):
    """One agent's touch on a ticket: a public reply, an internal note, or a reassignment."""

    __tablename__ = "touches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ticket_id: Mapped[int] = mapped_column(BigInteger)
    audit_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    public: Mapped[bool | None] = mapped_column(Boolean)
    value: Mapped[int | None] = mapped_column(BigInteger)
    previous_value: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_touches_ticket_id", "ticket_id"),
        Index("ix_touches_actor_id", "actor_id"),
    )


class AgentRow(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean)
    suspended: Mapped[bool] = mapped_column(Boolean)
    default_group_id: Mapped[int | None] = mapped_column(BigInteger)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    user_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GroupRow(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255))
    deleted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TicketFieldRow(Base):
    __tablename__ = "ticket_fields"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean)
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)


class SyncCursorRow(Base):
    """Where each export stream resumes; written in the same transaction as the page it ends."""

    __tablename__ = "sync_cursors"

    stream: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class StageRunRow(Base):
    """One run of a pipeline stage (sync, tag, ...), for `expertise status`."""

    __tablename__ = "stage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stage: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # running, ok, failed
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_stage_runs_stage_started", "stage", "started_at"),)


class SkippedRecordRow(Base):
    """Records the sync could not use, kept so an operator can see what was left out and why."""

    __tablename__ = "skipped_records"

    stream: Mapped[str] = mapped_column(String(64), primary_key=True)
    # the record's id, or a digest of the reason when the record has none; re-syncing the
    # same bad record overwrites its row instead of adding one
    record_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


__all__ = [
    "AgentRow",
    "Base",
    "GroupRow",
    "SkippedRecordRow",
    "StageRunRow",
    "SyncCursorRow",
    "TicketFieldRow",
    "TicketRow",
    "TouchRow",
]
