"""One sync run: directory (fields, groups, agents), tickets, then ticket events.

Each page is one transaction holding its records and the stream's resume position, so a
crash anywhere resumes after the last committed page: nothing is lost, and records sent
again are upserted, never duplicated.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from integrations.zendesk.client import ZendeskClient
from integrations.zendesk.records import Page, Skipped, Ticket, TouchEvent, TouchKind, User
from worker.settings import Settings, SettingsError
from worker.storage.clock import utcnow
from worker.storage.db import session_scope
from worker.storage.models import (
    AgentRow,
    GroupRow,
    SkippedRecordRow,
    TicketFieldRow,
    TicketRow,
    TouchRow,
)
from worker.storage.stage_runs import record_stage_run
from worker.storage.upsert import upsert
from worker.sync import cursors
from worker.sync.rows import agent_row, field_row, group_row, ticket_row, touch_row

log = logging.getLogger(__name__)


class SyncProgress(Protocol):
    """What a progress display is told; the CLI draws bars, the Celery task logs."""

    def stream_started(self, stream: str, start: int, end: int) -> None: ...
    def page_done(
        self, stream: str, records: int, position: int | None, api_requests: int
    ) -> None: ...
    def waiting(self, seconds: float, reason: str) -> None: ...


class NoProgress:
    def stream_started(self, stream: str, start: int, end: int) -> None:
        pass

    def page_done(self, stream: str, records: int, position: int | None, api_requests: int) -> None:
        pass

    def waiting(self, seconds: float, reason: str) -> None:
        pass


@dataclass
class SyncResult:
    tickets_upserted: int = 0
    tickets_deleted: int = 0
    touches: int = 0
    agents: int = 0
    groups: int = 0
    ticket_fields: int = 0
    skipped: int = 0
    pages: int = 0
    api_requests: int = 0
    http_429: int = 0
    retries: int = 0
    rate_limit_wait_s: float = 0.0
    seconds: float = 0.0
    cursors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rate_limit_wait_s"] = round(self.rate_limit_wait_s, 3)
        out["seconds"] = round(self.seconds, 3)
        return out


def client_from_settings(
    settings: Settings, on_wait: Callable[[float, str], None] | None = None
) -> ZendeskClient:
    base_url, email, token = settings.require_zendesk()
    return ZendeskClient(
        base_url=base_url,
        email=email,
        token=token,
        timeout_s=settings.zendesk_timeout_s,
        rate_share=settings.zendesk_rate_share,
        give_up_after_s=settings.zendesk_give_up_s,
        page_size=settings.zendesk_page_size,
        on_wait=on_wait,
    )


def start_time_for(since: date | None, settings: Settings) -> int:
    """Unix time a stream with no stored cursor starts from."""
    start = since
    if start is None and settings.sync_start:
        try:
            start = date.fromisoformat(settings.sync_start)
        except ValueError:
            raise SettingsError(
                f"SYNC_START must be a date like 2026-01-31, got {settings.sync_start!r}"
            ) from None
    if start is None:
        return 0
    return int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())


def run_sync(
    engine: Engine,
    settings: Settings,
    *,
    since: date | None = None,
    progress: SyncProgress | None = None,
    client: ZendeskClient | None = None,
) -> SyncResult:
    """Sync everything that changed since the stored cursors (or since `since`, re-syncing)."""
    progress = progress or NoProgress()
    own_client = client is None
    client = client or client_from_settings(settings, on_wait=progress.waiting)
    result = SyncResult()
    began = time.monotonic()
    with record_stage_run(engine, "sync") as run:
        try:
            first_start = start_time_for(since, settings)
            if since is not None:
                with session_scope(engine) as session:
                    cursors.restart_all(session, first_start)
            _sync_directory(engine, client, result)
            _sync_users(engine, client, result, first_start, progress)
            _sync_tickets(engine, client, settings, result, first_start, progress)
            _sync_ticket_events(engine, client, result, first_start, progress)
        finally:
            stats = client.stats
            result.api_requests = stats.requests
            result.http_429 = stats.http_429
            result.retries = stats.retries
            result.rate_limit_wait_s = stats.rate_limit_wait_s
            result.seconds = time.monotonic() - began
            with session_scope(engine) as session:
                result.cursors = cursors.all_positions(session)
            run.counts = result.as_dict()
            if own_client:
                client.close()
    return result


def _sync_directory(engine: Engine, client: ZendeskClient, result: SyncResult) -> None:
    """Ticket fields and groups: small lists, read whole each run."""
    fields = client.ticket_fields()
    groups = client.groups()
    with session_scope(engine) as session:
        result.ticket_fields = upsert(
            session,
            TicketFieldRow,
            [field_row(f) for f in fields],
        )
        result.groups = upsert(
            session,
            GroupRow,
            [group_row(g) for g in groups],
        )


def _sync_users(
    engine: Engine,
    client: ZendeskClient,
    result: SyncResult,
    first_start: int,
    progress: SyncProgress,
) -> None:
    with session_scope(engine) as session:
        resume = cursors.resume_from(cursors.load(session, cursors.USERS), first_start)
    progress.stream_started(cursors.USERS, 0, 0)
    pages = client.user_pages(cursor=resume.cursor, start_time=resume.start_time)
    for page in pages:
        with session_scope(engine) as session:
            known = _known_agent_ids(session, page.records)
            # End users are not kept, but an agent demoted to end user must lose agent status.
            rows = [agent_row(u) for u in page.records if u.is_agent or u.id in known]
            result.agents += upsert(session, AgentRow, rows)
            _commit_page(session, cursors.USERS, page, result)
        progress.page_done(cursors.USERS, len(page.records), None, client.stats.requests)


def _known_agent_ids(session: Session, users: list[User]) -> set[int]:
    ids = [u.id for u in users if not u.is_agent]
    if not ids:
        return set()
    return set(session.scalars(select(AgentRow.id).where(AgentRow.id.in_(ids))))


def _sync_tickets(
    engine: Engine,
    client: ZendeskClient,
    settings: Settings,
    result: SyncResult,
    first_start: int,
    progress: SyncProgress,
) -> None:
    with session_scope(engine) as session:
        resume = cursors.resume_from(cursors.load(session, cursors.TICKETS), first_start)
    progress.stream_started(cursors.TICKETS, resume.start_time or first_start, int(time.time()))
    pages = client.ticket_pages(cursor=resume.cursor, start_time=resume.start_time)
    for page in pages:
        now = utcnow()
        tickets: list[Ticket] = page.records
        with session_scope(engine) as session:
            rows = [ticket_row(t, store_text=settings.store_text, now=now) for t in tickets]
            upsert(session, TicketRow, rows)
            _commit_page(session, cursors.TICKETS, page, result)
        result.tickets_upserted += sum(1 for t in tickets if not t.deleted)
        result.tickets_deleted += sum(1 for t in tickets if t.deleted)
        last = max((t.generated_timestamp for t in tickets), default=None)
        progress.page_done(cursors.TICKETS, len(tickets), last, client.stats.requests)


def _sync_ticket_events(
    engine: Engine,
    client: ZendeskClient,
    result: SyncResult,
    first_start: int,
    progress: SyncProgress,
) -> None:
    with session_scope(engine) as session:
        stored = cursors.load(session, cursors.TICKET_EVENTS)
        agent_ids = set(session.scalars(select(AgentRow.id)))
    start = cursors.events_start(stored, first_start)
    progress.stream_started(cursors.TICKET_EVENTS, start, int(time.time()))
    for page in client.ticket_event_pages(start_time=start):
        touches = [e for e in page.records if _is_agent_work(e, agent_ids)]
        with session_scope(engine) as session:
            result.touches += upsert(
                session,
                TouchRow,
                [touch_row(e) for e in touches],
            )
            # Tagging re-does tickets whose synced_at moved; new work on a ticket is a change.
            ticket_ids = sorted({e.ticket_id for e in touches})
            if ticket_ids:
                session.execute(
                    update(TicketRow).where(TicketRow.id.in_(ticket_ids)).values(synced_at=utcnow())
                )
            _commit_page(session, cursors.TICKET_EVENTS, page, result)
        progress.page_done(
            cursors.TICKET_EVENTS,
            len(page.records),
            _int_or_none(page.resume),
            client.stats.requests,
        )


def _is_agent_work(event: TouchEvent, agent_ids: set[int]) -> bool:
    """Comments count only when an agent wrote them; reassignments always matter."""
    if event.kind in (TouchKind.PUBLIC_REPLY, TouchKind.INTERNAL_NOTE):
        return event.actor_id in agent_ids
    return True


def _commit_page(session: Session, stream: str, page: Page[Any], result: SyncResult) -> None:
    """Store the page's skipped records and its resume position in the page's transaction."""
    _store_skipped(session, page.skipped)
    result.skipped += len(page.skipped)
    result.pages += 1
    cursors.save(session, stream, page.resume)


def _store_skipped(session: Session, skipped: Iterable[Skipped]) -> None:
    rows = []
    for s in skipped:
        log.warning("skipped %s record %s: %s", s.stream, s.record_id, s.reason)
        key = str(s.record_id) if s.record_id is not None else _digest(s.reason)
        rows.append(
            {
                "stream": s.stream,
                "record_key": key,
                "record_id": s.record_id,
                "reason": s.reason[:2000],
                "at": utcnow(),
            }
        )
    upsert(session, SkippedRecordRow, rows, key=("stream", "record_key"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
