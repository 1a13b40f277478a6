"""What an operator wants to know at a glance: did last night's runs work, how fresh is it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from worker.storage.db import session_scope
from worker.storage.models import StageRunRow, SyncCursorRow, TicketRow
from worker.storage.work_items import TaggingStateRow

STAGES = ("sync", "tag", "profiles", "reports")


@dataclass
class StageStatus:
    stage: str
    last_started_at: datetime | None = None
    last_status: str | None = None  # running, ok, failed, interrupted
    duration_s: float | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    last_ok_at: datetime | None = None


@dataclass
class Status:
    stages: list[StageStatus]
    cursors: dict[str, str]
    rules_version: str | None
    rules_error: str | None
    newest_ticket_update: datetime | None
    data_age_hours: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_status(engine: Engine, now: datetime) -> Status:
    with session_scope(engine) as s:
        stages = [_stage(s, name) for name in STAGES]
        cursors = {r.stream: r.position for r in s.scalars(select(SyncCursorRow))}
        tagging = s.scalar(select(TaggingStateRow).limit(1))
        newest = s.scalar(select(func.max(TicketRow.updated_at)))
    sync_ok = stages[0].last_ok_at
    return Status(
        stages=stages,
        cursors=cursors,
        rules_version=tagging.rules_version if tagging else None,
        rules_error=tagging.rules_error if tagging else None,
        newest_ticket_update=newest,
        data_age_hours=round((now - sync_ok).total_seconds() / 3600, 2) if sync_ok else None,
    )


def _stage(session: Any, stage: str) -> StageStatus:
    last = session.scalar(
        select(StageRunRow)
        .where(StageRunRow.stage == stage)
        .order_by(StageRunRow.started_at.desc(), StageRunRow.id.desc())
        .limit(1)
    )
    if last is None:
        return StageStatus(stage=stage)
    last_ok = session.scalar(
        select(func.max(StageRunRow.finished_at)).where(
            StageRunRow.stage == stage, StageRunRow.status == "ok"
        )
    )
    duration = (last.finished_at - last.started_at).total_seconds() if last.finished_at else None
    return StageStatus(
        stage=stage,
        last_started_at=last.started_at,
        last_status=last.status,
        duration_s=round(duration, 3) if duration is not None else None,
        counts=dict(last.counts or {}),
        error=last.error,
        last_ok_at=last_ok,
    )
