"""Tables the tagging writes: each agent's tagged work, each ticket's tags, the rule versions.

A work item is one agent's part (role) in one ticket, in one product area. Re-tagging a
ticket deletes its rows and writes them again, so a ticket never holds two versions' items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from worker.storage.models import Base


class WorkItemRow(Base):
    __tablename__ = "work_items"

    ticket_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    agent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # solver, responder, collaborator, escalated_from
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    # share of the ticket in this area: 1.0 with single-area rules
    area_weight: Mapped[float] = mapped_column(Float)
    score: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(SmallInteger)
    # how much this role counts, from attribution.yaml
    weight: Mapped[float] = mapped_column(Float)
    # when the agent's part happened: profiles decay older work
    at: Mapped[datetime] = mapped_column(DateTime)
    rules_version: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_work_items_agent_id", "agent_id"),
        # SQLite: the primary key is the table, one B-tree fewer to write per item
        {"sqlite_with_rowid": False},
    )


class TicketTagRow(Base):
    """The tags of every live ticket, whether or not an agent worked on it."""

    __tablename__ = "ticket_tags"

    # INTEGER on SQLite makes the key the rowid itself: no separate index to maintain
    ticket_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    # the primary (highest-weight) area
    area: Mapped[str] = mapped_column(String(64))
    # multi-area rules only: [[area, weight], ...]; None when the ticket has one area
    areas: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    score: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(SmallInteger)
    rules_version: Mapped[str] = mapped_column(String(32))
    tagged_at: Mapped[datetime] = mapped_column(DateTime)


class RuleVersionRow(Base):
    """Every rule set that was ever valid, so the last valid one stays in force when the
    files on disk are broken, and any version's tags can be explained later."""

    __tablename__ = "rule_versions"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    # canonical JSON of the validated rules: what the version hash is computed from
    content: Mapped[str] = mapped_column(Text)
    # {"areas.yaml": "<text>", ...} as the admin wrote them, comments included
    sources: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    # the newest time the files on disk held this version and were valid
    last_valid_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_rule_versions_last_valid_at", "last_valid_at"),)


class TaggingStateRow(Base):
    """One row (id 1): how far tagging has come, and with which rules."""

    __tablename__ = "tagging_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules_version: Mapped[str | None] = mapped_column(String(32))
    # digest of what the rules were resolved against (group names, field titles): a renamed
    # group can change a tier, so it forces a full re-tag like a rules change does
    context_digest: Mapped[str | None] = mapped_column(String(64))
    # tickets with synced_at at or below this are tagged with rules_version
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_full_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    # set while the files on disk are invalid and an older version is in force
    rules_error: Mapped[str | None] = mapped_column(Text)
    rules_error_at: Mapped[datetime | None] = mapped_column(DateTime)


__all__ = ["RuleVersionRow", "TaggingStateRow", "TicketTagRow", "WorkItemRow"]
