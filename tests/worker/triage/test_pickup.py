"""The periodic pickup over the sandbox's incremental ticket export: new unassigned tickets
are triaged once, the cursor is kept, and a second pickup finds nothing to do."""

from __future__ import annotations

from sqlalchemy import select

from tests.worker.triage.triagekit import END, TriageDesk
from worker.storage.models import SyncCursorRow
from worker.triage.pickup import STREAM, triage_new_tickets


def _cursor(desk: TriageDesk) -> str | None:
    with desk.engine.connect() as conn:
        return conn.scalar(select(SyncCursorRow.position).where(SyncCursorRow.stream == STREAM))


def test_new_unassigned_tickets_are_assigned_once(desk: TriageDesk) -> None:
    desk.mode("assign")
    waiting = sorted(desk.waiting())
    results = triage_new_tickets(desk.engine, desk.settings, now=END.timestamp())
    assert sorted(r.ticket_id for r in results) == waiting
    assert all(r.written for r in results)
    for result in results:
        ticket = desk.ticket(result.ticket_id)
        assert ticket["assignee_id"] in {a.agent_id for a in result.recommendation.agents}
        assert "expertise_triaged" in ticket["tags"]
    assert _cursor(desk) is not None

    # our own writes come round in the export again; they are recognised and left alone
    assert triage_new_tickets(desk.engine, desk.settings) == []
    assert all(desk.ticket(t)["assignee_id"] is not None for t in waiting)


def test_recommend_only_leaves_tickets_as_they_are(desk: TriageDesk) -> None:
    waiting = sorted(desk.waiting())
    before = {t: desk.ticket(t) for t in waiting}
    results = triage_new_tickets(desk.engine, desk.settings, now=END.timestamp())
    assert sorted(r.ticket_id for r in results) == waiting
    assert not any(r.written for r in results)
    assert {t: desk.ticket(t) for t in waiting} == before
    # the cursor moved past them: nothing changed, so nothing comes round again
    assert triage_new_tickets(desk.engine, desk.settings) == []


def test_tickets_older_than_the_first_look_back_are_not_picked_up(lite_desk: TriageDesk) -> None:
    desk = lite_desk
    desk.mode("tag")
    far_later = END.timestamp() + 3 * 86_400
    assert triage_new_tickets(desk.engine, desk.settings, now=far_later) == []
    assert all("expertise_triaged" not in desk.ticket(t)["tags"] for t in desk.waiting())
