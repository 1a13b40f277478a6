"""Triage one ticket: read it from Zendesk, recommend, and write back as triage.yaml says.

The write is sent with the updated_stamp of the ticket as read, so a change made in the
meantime (an agent assigning it, a customer adding a comment) makes Zendesk refuse it. Then
the ticket is read again and the plan made again from what it is now: an assigned ticket
is left alone; anything else gets the write, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from integrations.zendesk.records import Ticket
from integrations.zendesk.writes import TicketSnapshot, ZendeskConflict, ZendeskWriter
from worker.settings import Settings
from worker.triage.context import build_context
from worker.triage.recommend import Recommendation, TriageContext
from worker.triage.writeback import WritePlan, plan_writeback

log = logging.getLogger(__name__)


@dataclass
class TriageResult:
    ticket_id: int
    mode: str
    recommendation: Recommendation
    plan: WritePlan
    # whether the plan was sent and Zendesk took it
    written: bool = False
    # what happened, for people: why nothing was written, or what was
    outcome: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ticket_id": self.ticket_id,
            "mode": self.mode,
            "recommendation": self.recommendation.as_dict(),
            "plan": {
                "changes": self.plan.changes,
                "steps": list(self.plan.steps),
                "skipped": self.plan.skipped,
            },
            "written": self.written,
            "outcome": self.outcome,
        }


def writer_from_settings(settings: Settings) -> ZendeskWriter:
    base_url, email, token = settings.require_zendesk()
    return ZendeskWriter(
        base_url,
        email,
        token,
        timeout_s=settings.zendesk_timeout_s,
        rate_share=settings.zendesk_rate_share,
        give_up_after_s=settings.zendesk_give_up_s,
    )


def ticket_fields(ticket: Ticket) -> dict[str, Any]:
    """What classification reads of a ticket, as `classify_new_ticket` takes it."""
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "description": ticket.description,
        "tags": list(ticket.tags),
        "custom_fields": dict(ticket.custom_fields),
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "channel": ticket.channel,
        "group_id": ticket.group_id,
        "brand_id": ticket.brand_id,
        "form_id": ticket.form_id,
    }


def triage_ticket(
    engine: Engine,
    settings: Settings,
    ticket_id: int,
    *,
    apply: bool,
    rules_dir: Path | None = None,
    writer: ZendeskWriter | None = None,
    context: TriageContext | None = None,
) -> TriageResult:
    """Recommend for one ticket; with `apply`, write back as triage.yaml's mode says.

    Raises ZendeskError (the ticket cannot be read, or Zendesk refused the write),
    SettingsError (no Zendesk account configured) and RulesInvalid (broken rules).
    """
    own_writer = writer is None
    writer = writer or writer_from_settings(settings)
    try:
        context = context or build_context(engine, settings, rules_dir)
        return triage_snapshot(context, writer, writer.ticket(ticket_id), apply=apply)
    finally:
        if own_writer:
            writer.close()


def triage_snapshot(
    context: TriageContext, writer: ZendeskWriter, snapshot: TicketSnapshot, *, apply: bool
) -> TriageResult:
    ticket_id = snapshot.ticket.id
    conflicts = 0
    while True:
        rec = context.recommend(ticket_fields(snapshot.ticket))
        plan = plan_writeback(context.config, snapshot.ticket, rec)
        result = TriageResult(ticket_id, context.config.writeback, rec, plan)
        if not plan.writes:
            result.outcome = plan.skipped or "nothing to write"
            return result
        if not apply:
            result.outcome = "dry run: would " + "; ".join(plan.steps)
            return result
        try:
            writer.update_ticket(ticket_id, plan.changes, snapshot.updated_stamp)
        except ZendeskConflict:
            conflicts += 1
            log.info("ticket %s changed while triage wrote to it (%d)", ticket_id, conflicts)
            if conflicts == 2:
                result.outcome = "left alone: the ticket kept changing while triage wrote to it"
                return result
            snapshot = writer.ticket(ticket_id)
            continue
        result.written = True
        result.outcome = "wrote: " + "; ".join(plan.steps)
        assignee = plan.changes.get("assignee_id")
        if isinstance(assignee, int):
            context.note_assigned(assignee)
        log.info("triaged ticket %s: %s", ticket_id, result.outcome)
        return result
