"""Triage of one ticket against the sandbox over real HTTP: each write-back mode, writes
made once, assigned tickets left alone, and Zendesk's safe_update guard against a human
changing the ticket at the same moment."""

from __future__ import annotations

from typing import Any

from integrations.zendesk.writes import TicketSnapshot, ZendeskWriter
from tests.worker.triage.triagekit import TriageDesk
from worker.triage.context import build_context
from worker.triage.run import triage_snapshot, triage_ticket, writer_from_settings

NOTE_TITLE = "Expertise triage recommendation"


def _private_notes(desk: TriageDesk, ticket_id: int) -> list[dict[str, Any]]:
    return [
        c for c in desk.comments(ticket_id) if not c["public"] and c["body"].startswith(NOTE_TITLE)
    ]


def test_off_recommends_and_writes_nothing(desk: TriageDesk) -> None:
    ticket_id = desk.waiting()[0]
    before = desk.ticket(ticket_id)
    result = triage_ticket(desk.engine, desk.settings, ticket_id, apply=True)
    rec = result.recommendation
    assert result.mode == "off"
    assert not result.written
    assert "recommendation only" in result.outcome
    assert rec.agents, "the desk has agents with depth in every area"
    assert rec.group_name is not None
    assert rec.group_name.startswith(f"Tier {rec.tier}")
    assert all(len(a.reasons) >= 3 for a in rec.agents)
    assert desk.ticket(ticket_id) == before


def test_dry_run_shows_the_plan_and_writes_nothing(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    desk.mode("assign")
    ticket_id = desk.waiting()[0]
    before = desk.ticket(ticket_id)
    result = triage_ticket(desk.engine, desk.settings, ticket_id, apply=False)
    assert not result.written
    assert result.outcome.startswith("dry run: would add tags ")
    assert result.plan.changes["assignee_id"] == result.recommendation.agents[0].agent_id
    assert desk.ticket(ticket_id) == before


def test_note_is_written_once(desk: TriageDesk) -> None:
    desk.mode("note")
    ticket_id = desk.waiting()[0]
    first = triage_ticket(desk.engine, desk.settings, ticket_id, apply=True)
    assert first.written
    rec = first.recommendation
    after = desk.ticket(ticket_id)
    assert {f"area_{rec.area}", f"tier_{rec.tier}", "expertise_triaged"} <= set(after["tags"])
    assert after["assignee_id"] is None
    notes = _private_notes(desk, ticket_id)
    assert len(notes) == 1
    assert rec.agents[0].name in notes[0]["body"]
    assert rec.tier_reason in notes[0]["body"]

    second = triage_ticket(desk.engine, desk.settings, ticket_id, apply=True)
    assert not second.written
    assert "already triaged" in second.outcome
    assert len(_private_notes(desk, ticket_id)) == 1
    assert desk.ticket(ticket_id)["updated_at"] == after["updated_at"]


def test_assign_sets_group_and_assignee_and_never_reassigns(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    desk.mode("assign")
    mine, theirs = desk.waiting()[:2]
    result = triage_ticket(desk.engine, desk.settings, mine, apply=True)
    assert result.written
    rec = result.recommendation
    chosen = next(a for a in rec.agents if a.group_id == rec.group_id)
    ticket = desk.ticket(mine)
    assert (ticket["assignee_id"], ticket["group_id"]) == (chosen.agent_id, rec.group_id)
    again = triage_ticket(desk.engine, desk.settings, mine, apply=True)
    assert not again.written
    assert "already assigned" in again.outcome

    human = next(a for a in desk.sandbox.truth()["agents"] if a["status"] == "active")["id"]
    desk.human_update(theirs, {"assignee_id": human})
    before = desk.ticket(theirs)
    left = triage_ticket(desk.engine, desk.settings, theirs, apply=True)
    assert not left.written
    assert left.outcome.startswith(f"already assigned to agent {human}")
    assert desk.ticket(theirs) == before


def _stale(desk: TriageDesk, ticket_id: int) -> tuple[ZendeskWriter, TicketSnapshot]:
    writer = writer_from_settings(desk.settings)
    return writer, writer.ticket(ticket_id)


def test_a_human_assigning_at_the_same_moment_wins(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    desk.mode("assign")
    ticket_id = desk.waiting()[0]
    context = build_context(desk.engine, desk.settings)
    writer, snapshot = _stale(desk, ticket_id)
    human = next(a for a in desk.sandbox.truth()["agents"] if a["status"] == "active")["id"]
    # between triage's read and its write, an agent takes the ticket
    desk.human_update(ticket_id, {"assignee_id": human, "tags": ["taken"]})
    with writer:
        result = triage_snapshot(context, writer, snapshot, apply=True)
    assert not result.written
    assert "already assigned" in result.outcome
    ticket = desk.ticket(ticket_id)
    assert ticket["assignee_id"] == human
    assert ticket["tags"] == ["taken"]
    assert _private_notes(desk, ticket_id) == []


def test_a_concurrent_edit_is_kept_and_triage_writes_once(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    desk.mode("note")
    ticket_id = desk.waiting()[0]
    context = build_context(desk.engine, desk.settings)
    writer, snapshot = _stale(desk, ticket_id)
    tags = [*snapshot.ticket.tags, "vip_customer"]
    desk.human_update(ticket_id, {"tags": tags, "comment": {"body": "Calling them now."}})
    with writer:
        result = triage_snapshot(context, writer, snapshot, apply=True)
    assert result.written
    ticket = desk.ticket(ticket_id)
    assert "vip_customer" in ticket["tags"]
    assert "expertise_triaged" in ticket["tags"]
    assert len(_private_notes(desk, ticket_id)) == 1
    assert any(c["body"] == "Calling them now." for c in desk.comments(ticket_id))


class _BusyTicket(ZendeskWriter):
    """A writer against a ticket that someone edits right before every write of ours."""

    def __init__(self, desk: TriageDesk) -> None:
        base_url, email, token = desk.settings.require_zendesk()
        super().__init__(base_url, email, token)
        self.desk = desk

    def update_ticket(self, ticket_id: int, changes: Any, updated_stamp: str) -> TicketSnapshot:
        current = self.desk.ticket(ticket_id)["tags"]
        self.desk.human_update(ticket_id, {"tags": [*current, f"edit{len(current)}"]})
        return super().update_ticket(ticket_id, changes, updated_stamp)


def test_a_ticket_that_keeps_changing_is_left_alone(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    desk.mode("tag")
    ticket_id = desk.waiting()[0]
    with _BusyTicket(desk) as writer:
        result = triage_ticket(desk.engine, desk.settings, ticket_id, apply=True, writer=writer)
    assert not result.written
    assert "kept changing" in result.outcome
    assert "expertise_triaged" not in desk.ticket(ticket_id)["tags"]
