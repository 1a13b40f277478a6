"""Depths triage ranks by: the stored profiles when built, else the same sums from the work
items; the two agree, and the stored ones are what triage uses once they exist."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from tests.worker.triage.triagekit import TriageDesk
from worker.profiles.build import update_profiles
from worker.triage.expertise import expertise_from_work, stored_expertise
from worker.triage.run import triage_ticket


def test_fallback_depths_equal_the_stored_profiles(desk: TriageDesk) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with desk.engine.connect() as conn:
        assert stored_expertise(conn) is None
    update_profiles(desk.engine, desk.settings, as_of=now, rules_dir=desk.rules_dir)
    with desk.engine.connect() as conn:
        stored = stored_expertise(conn)
        summed = expertise_from_work(
            conn, until=now, half_life_days=desk.settings.profile_half_life_days
        )
    assert stored is not None
    assert set(stored) == set(summed)
    for agent_id, areas in summed.items():
        assert set(stored[agent_id]) == set(areas)
        for area, depth in areas.items():
            kept = stored[agent_id][area]
            assert abs(kept.depth - depth.depth) <= 1e-6 * max(1.0, depth.depth)
            assert (kept.tickets, kept.tiers) == (depth.tickets, depth.tiers)


def test_triage_ranks_by_the_stored_profiles_once_built(desk: TriageDesk) -> None:
    update_profiles(desk.engine, desk.settings, rules_dir=desk.rules_dir)
    ticket_id = desk.waiting()[0]
    rec = triage_ticket(desk.engine, desk.settings, ticket_id, apply=False).recommendation
    last = rec.agents[-1].agent_id
    # the profiles now say the last recommended agent is by far the deepest in the area
    with desk.engine.begin() as conn:
        conn.execute(
            text("UPDATE area_profiles SET score = 1000 WHERE agent_id = :a AND area = :area"),
            {"a": last, "area": rec.area},
        )
    again = triage_ticket(desk.engine, desk.settings, ticket_id, apply=False).recommendation
    assert again.agents[0].agent_id == last
    assert again.agents[0].depth == 1000
