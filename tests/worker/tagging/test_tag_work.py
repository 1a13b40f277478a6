"""Tagging runs on a small stored help desk, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select

from tests.worker.rules.ruleskit import AREAS, ATTRIBUTION, write_rules
from tests.worker.tagging.desk import T0, TIER1, TIER2, Desk
from worker.rules import RulesInvalid
from worker.storage.db import session_scope
from worker.storage.models import StageRunRow
from worker.storage.work_items import TaggingStateRow, TicketTagRow, WorkItemRow
from worker.tagging import reader, tag_work
from worker.tagging.plan import fail_tagging, finish_tagging, plan_tagging, tag_span

END_USER = 999


def items(engine: Engine) -> set[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                WorkItemRow.ticket_id,
                WorkItemRow.agent_id,
                WorkItemRow.role,
                WorkItemRow.area,
                WorkItemRow.weight,
                WorkItemRow.tier,
            )
        )
        return {tuple(r) for r in rows}


def tags(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                TicketTagRow.ticket_id,
                TicketTagRow.area,
                TicketTagRow.score,
                TicketTagRow.tier,
                TicketTagRow.rules_version,
                TicketTagRow.tagged_at,
            )
        )
        return {r[0]: tuple(r[1:]) for r in rows}


@pytest.fixture
def desk(engine: Engine) -> Desk:
    """Ticket 1: a billing question escalated to tier 2, worked by four agents.
    Ticket 2: an open API ticket nobody solved yet."""
    d = Desk(engine)
    d.agents(1, 2, 3, 4)
    d.ticket(1, subject="Question about my invoice", assignee_id=1, group_id=TIER2)
    d.assign(1, 4, None, minutes=1)
    d.reply(1, 4, minutes=2)
    d.note(1, 4, minutes=3)  # the assignee's own note: not collaboration
    d.escalate(1, by=4, to_group=TIER2, from_group=TIER1, minutes=4)
    d.assign(1, 1, None, minutes=5)
    d.note(1, 3, minutes=6)  # a colleague's note on agent 1's ticket
    d.reply(1, 1, minutes=7)
    d.reply(1, 2, minutes=8)  # a colleague covering the shift
    d.reply(1, END_USER, minutes=9)  # not an agent: ignored
    d.ticket(2, status="open", tags=["api"], assignee_id=2)
    d.reply(2, 2, minutes=20)
    return d


def test_every_part_of_every_agent_with_roles_weights_area_and_tier(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    result = tag_work(engine, write_rules(tmp_path / "rules"))
    assert (result.tickets_tagged, result.work_items, result.full) == (2, 7, True)
    assert items(engine) == {
        (1, 1, "solver", "billing", 1.0, 2),
        (1, 1, "responder", "billing", 0.5, 2),
        (1, 2, "responder", "billing", 0.5, 2),
        (1, 4, "responder", "billing", 0.5, 2),
        (1, 3, "collaborator", "billing", 0.25, 2),
        (1, 4, "escalated_from", "billing", 0.3, 2),
        # ticket 2 is open: a responder, no solver
        (2, 2, "responder", "api", 0.5, 1),
    }
    stored = tags(engine)
    assert stored[1][:3] == ("billing", 3, 2)  # a tier 2 group: 3 points
    assert stored[2][:3] == ("api", 0, 1)
    assert stored[1][3] == result.rules_version


def test_work_happens_when_it_happened(desk: Desk, engine: Engine, tmp_path: Path) -> None:
    tag_work(engine, write_rules(tmp_path / "rules"))
    with engine.connect() as conn:
        when = dict(
            conn.execute(
                select(WorkItemRow.role, WorkItemRow.at).where(
                    WorkItemRow.ticket_id == 1, WorkItemRow.agent_id == 4
                )
            ).all()
        )
    assert when == {
        "responder": T0 + timedelta(minutes=2),
        "escalated_from": T0 + timedelta(minutes=4),
    }


def test_role_weights_come_from_attribution_and_zero_drops_the_role(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    attribution = ATTRIBUTION.replace("responder: 0.5", "responder: 0").replace(
        "solver: 1.0", "solver: 2.5"
    )
    tag_work(engine, write_rules(tmp_path / "rules", attribution=attribution))
    roles = {(r[1], r[2], r[4]) for r in items(engine)}
    assert roles == {(1, "solver", 2.5), (3, "collaborator", 0.25), (4, "escalated_from", 0.3)}


def test_tagging_twice_is_tagging_once(desk: Desk, engine: Engine, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    tag_work(engine, rules)
    first_items, first_tags = items(engine), tags(engine)
    again = tag_work(engine, rules, full=True)
    assert again.full
    assert items(engine) == first_items
    assert {k: v[:4] for k, v in tags(engine).items()} == {k: v[:4] for k, v in first_tags.items()}


def test_a_nightly_run_redoes_only_tickets_synced_since(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    tag_work(engine, rules)
    before = tags(engine)
    nothing = tag_work(engine, rules)
    assert (nothing.full, nothing.tickets_tagged) == (False, 0)

    desk.update_ticket(2, subject="Refunds", tags=[], synced_at=T0 + timedelta(days=2))
    desk.reply(2, 3, minutes=30)
    result = tag_work(engine, rules)
    assert (result.full, result.tickets_tagged) == (False, 1)
    after = tags(engine)
    assert after[1] == before[1]  # untouched, down to its tagged_at
    assert after[2][0] == "billing"
    assert (2, 3, "responder", "billing", 0.5, 1) in items(engine)
    assert not any(i[0] == 2 and i[3] == "api" for i in items(engine))


def test_deleted_tickets_lose_their_work_items(desk: Desk, engine: Engine, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    tag_work(engine, rules)
    desk.update_ticket(1, deleted=True, status="deleted", synced_at=T0 + timedelta(days=3))
    result = tag_work(engine, rules)
    assert (result.tickets_tagged, result.tickets_deleted) == (0, 1)
    assert {i[0] for i in items(engine)} == {2}
    assert set(tags(engine)) == {2}


def test_a_rules_change_retags_the_whole_history(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    first = tag_work(engine, rules)
    write_rules(rules, areas=AREAS.replace("tags: {any: [api]}", "tags: {any: [apis]}"))
    second = tag_work(engine, rules)
    assert second.full
    assert second.tickets_tagged == 2
    assert second.rules_version != first.rules_version
    assert {v[3] for v in tags(engine).values()} == {second.rules_version}
    assert tags(engine)[2][0] == "other"


def test_broken_files_leave_the_last_valid_rules_in_force(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    valid = tag_work(engine, rules)
    (rules / "areas.yaml").write_text(AREAS.replace("fallback: other", "fallback: elsewhere"))
    desk.update_ticket(2, synced_at=T0 + timedelta(days=2))

    result = tag_work(engine, rules)
    assert result.rules_origin == "stored"
    assert result.rules_version == valid.rules_version
    assert result.rules_errors == [
        f"{rules}/areas.yaml:2: fallback: unknown area 'elsewhere'; "
        "areas.yaml defines: billing, api, other"
    ]
    assert result.tickets_tagged == 1
    with session_scope(engine) as session:
        state = session.get(TaggingStateRow, 1)
        assert state is not None
        assert state.rules_error == result.rules_errors[0]

    write_rules(rules)
    fixed = tag_work(engine, rules)
    assert fixed.rules_origin == "files"
    with session_scope(engine) as session:
        state = session.get(TaggingStateRow, 1)
        assert state is not None
        assert state.rules_error is None


def test_rules_that_were_never_valid_stop_the_run(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules", areas="areas: []\n")
    with pytest.raises(RulesInvalid) as caught:
        tag_work(engine, rules)
    assert "areas.yaml:1:" in str(caught.value)
    assert items(engine) == set()
    with engine.connect() as conn:
        run = conn.execute(select(StageRunRow.status, StageRunRow.error)).one()
    assert run.status == "failed"
    assert run.error is not None
    assert run.error.startswith("RulesInvalid: ")


def test_small_batches_give_the_same_result(desk: Desk, engine: Engine, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    tag_work(engine, rules, batch_size=1)
    one_by_one = items(engine)
    tag_work(engine, rules, full=True)
    assert items(engine) == one_by_one


def test_progress_is_reported(desk: Desk, engine: Engine, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    tag_work(
        engine,
        write_rules(tmp_path / "rules"),
        batch_size=1,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(1, 2), (2, 2)]


def test_several_processes_tag_exactly_like_one(desk: Desk, engine: Engine, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    for n in range(3, 30):
        desk.ticket(n, subject="invoice" if n % 2 else "nothing", assignee_id=n % 4 + 1)
        desk.reply(n, n % 4 + 1, minutes=n)
    serial = tag_work(engine, rules, batch_size=4)
    expected = items(engine)
    parallel = tag_work(engine, rules, full=True, batch_size=4, workers=2)
    assert items(engine) == expected
    assert (parallel.tickets_tagged, parallel.work_items) == (
        serial.tickets_tagged,
        serial.work_items,
    )


def _agent_index(engine: Engine) -> bool:
    return "ix_work_items_agent_id" in {
        i["name"] for i in inspect(engine).get_indexes("work_items")
    }


def test_a_whole_retag_builds_the_agent_index_once_at_the_end(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    plan = plan_tagging(engine, rules, full=True)
    assert not _agent_index(engine)  # dropped while the batches write
    counts = [tag_span(engine, plan, span) for span in plan.spans]
    finish_tagging(engine, plan, counts)
    assert _agent_index(engine)
    assert {i[0] for i in items(engine)} == {1, 2}


def test_a_failed_whole_retag_gets_its_index_back(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    plan = plan_tagging(engine, rules, full=True)
    fail_tagging(engine, plan, RuntimeError("a batch failed"))
    assert _agent_index(engine)


def test_the_next_run_rebuilds_an_index_a_dead_retag_left_dropped(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    tag_work(engine, rules)
    plan_tagging(engine, rules, full=True)  # ... and the process dies before finishing
    assert not _agent_index(engine)
    result = tag_work(engine, rules)  # the nightly run: nothing changed
    assert (result.full, result.tickets_tagged) == (False, 0)
    assert _agent_index(engine)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 10])
def test_spans_cover_every_ticket_once_in_ranges_of_at_most_size(engine: Engine, size: int) -> None:
    desk = Desk(engine)
    ids = [3, 4, 7, 8, 9, 15, 16, 40, 41, 42]
    for n in ids:
        desk.ticket(n, synced_at=T0 + timedelta(days=n % 3))
    for since, wanted in (
        (None, ids),
        (T0, [n for n in ids if n % 3]),
        (T0 + timedelta(days=5), []),
    ):
        spans = list(reader.spans(engine, since=since, size=size))
        covered = [[n for n in wanted if (a is None or n > a) and n <= last] for a, last in spans]
        assert [n for part in covered for n in part] == wanted
        assert all(0 < len(part) <= size for part in covered)
        assert [a for a, _ in spans] == [None, *[last for _, last in spans]][: len(spans)]
