"""The periodic pickup: triage every new, unassigned ticket since the last pickup.

Tickets come from Zendesk's incremental ticket export, resumed from a cursor stored next to
the sync's (stream `triage_tickets`); the first pickup looks back TRIAGE_LOOKBACK_HOURS.
A ticket triage writes to comes round again in the next export, with the marker tag that
tells the pickup it is done. The cursor moves only after a page's tickets were handled, so
a pickup that dies half-way does those tickets again, and the writes stay idempotent.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import Engine

from integrations.zendesk.client import ZendeskClient
from integrations.zendesk.errors import ZendeskAuthError, ZendeskError, ZendeskGaveUp
from integrations.zendesk.records import Ticket
from integrations.zendesk.writes import ZendeskWriter
from worker.settings import Settings
from worker.storage.db import session_scope
from worker.sync import cursors
from worker.sync.run import client_from_settings
from worker.triage.config import load_triage_config
from worker.triage.context import build_context
from worker.triage.recommend import TriageContext
from worker.triage.run import TriageResult, triage_snapshot, writer_from_settings

log = logging.getLogger(__name__)

STREAM = "triage_tickets"


def is_waiting(ticket: Ticket, marker: str) -> bool:
    """New, nobody assigned, and not triaged yet."""
    return (
        ticket.status == "new"
        and ticket.assignee_id is None
        and not ticket.deleted
        and marker not in ticket.tags
    )


def triage_new_tickets(
    engine: Engine,
    settings: Settings,
    *,
    rules_dir: Path | None = None,
    client: ZendeskClient | None = None,
    writer: ZendeskWriter | None = None,
    now: float | None = None,
) -> list[TriageResult]:
    """Triage the tickets created or changed since the last pickup that wait for someone;
    writes back as triage.yaml says (nothing in the default `off` mode)."""
    directory = rules_dir if rules_dir is not None else settings.rules_dir
    config = load_triage_config(directory)
    own_client, own_writer = client is None, writer is None
    client = client or client_from_settings(settings)
    writer = writer or writer_from_settings(settings)
    results: list[TriageResult] = []
    context: TriageContext | None = None
    try:
        with session_scope(engine) as session:
            cursor = cursors.load(session, STREAM)
        start = None
        if cursor is None:
            started = time.time() if now is None else now
            start = int(started - settings.triage_lookback_hours * 3600)
        for page in client.ticket_pages(cursor=cursor, start_time=start):
            for ticket in page.records:
                if not is_waiting(ticket, config.tags.marker):
                    continue
                # built on the first ticket only: most pickups find nothing to do
                context = context or build_context(engine, settings, directory, config=config)
                result = _triage_one(context, writer, ticket.id)
                if result is not None:
                    results.append(result)
            with session_scope(engine) as session:
                cursors.save(session, STREAM, page.resume)
    finally:
        if own_client:
            client.close()
        if own_writer:
            writer.close()
    return results


def _triage_one(
    context: TriageContext, writer: ZendeskWriter, ticket_id: int
) -> TriageResult | None:
    try:
        snapshot = writer.ticket(ticket_id)
        if not is_waiting(snapshot.ticket, context.config.tags.marker):
            return None  # picked up or triaged since the export was read
        return triage_snapshot(context, writer, snapshot, apply=True)
    except (ZendeskGaveUp, ZendeskAuthError):
        raise  # the next ticket would fail the same way
    except ZendeskError as exc:
        # one ticket Zendesk refuses (deleted meanwhile, closed, invalid) must not stop the
        # pickup of the others
        log.warning("triage of ticket %s failed: %s", ticket_id, exc)
        return None
