"""The sync against the sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.sandbox import settings_for
from tests.helpers.snapshot import db_snapshot
from worker.storage.db import dispose_engines, get_engine, session_scope
from worker.storage.models import AgentRow, SkippedRecordRow, TicketRow, TouchRow
from worker.storage.stats import stored_counts
from worker.sync.run import run_sync

DESK = {"seed": 11, "agents": 12, "tickets": 400, "months": 4}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with start_sandbox(SandboxConfig(**DESK, rate_limits=False), port=0) as sb:
        yield sb


def test_first_sync_stores_the_whole_desk(sandbox: Any, engine: Engine, db_url: str) -> None:
    truth = sandbox.truth()
    sandbox.reset_stats()
    result = run_sync(engine, settings_for(sandbox, db_url))

    counts = stored_counts(engine)
    assert counts["tickets"] + counts["deleted_tickets"] == len(truth["tickets"])
    assert counts["deleted_tickets"] == result.tickets_deleted
    assert counts["agents"] == len(truth["agents"])
    assert counts["groups"] == len(truth["groups"])
    assert counts["touches"] > counts["tickets"]
    assert result.skipped == 0
    assert result.api_requests == sandbox.stats()["requests_total"]

    with session_scope(engine) as s:
        agent_ids = set(s.scalars(select(AgentRow.id)))
        # Every comment kept was written by an agent; end users' comments are not work.
        authors = set(
            s.scalars(
                select(TouchRow.actor_id).where(
                    TouchRow.kind.in_(["public_reply", "internal_note"])
                )
            )
        )
        assert authors <= agent_ids
        with_metrics = s.scalar(
            select(func.count()).select_from(TicketRow).where(TicketRow.replies.is_not(None))
        )
        assert with_metrics == counts["tickets"] + counts["deleted_tickets"]


def test_requests_stay_at_the_floor(sandbox: Any, engine: Engine, db_url: str) -> None:
    """One request per page of tickets and per page of events; no per-ticket calls."""
    sandbox.reset_stats()
    settings = settings_for(sandbox, db_url, zendesk_page_size=100)
    result = run_sync(engine, settings)
    by_endpoint = sandbox.stats()["requests_by_endpoint"]
    ticket_pages = math.ceil(len(sandbox.truth()["tickets"]) / 100)
    assert result.pages >= ticket_pages
    per_ticket = {k: v for k, v in by_endpoint.items() if "{id}" in k or "/tickets/" in k}
    assert sum(per_ticket.values()) == 0, per_ticket
    assert result.api_requests <= result.pages + 4  # + fields, groups, and end-of-stream checks


def test_second_run_is_incremental_and_changes_nothing(
    sandbox: Any, engine: Engine, db_url: str
) -> None:
    settings = settings_for(sandbox, db_url)
    run_sync(engine, settings)
    first = db_snapshot(engine)
    second_result = run_sync(engine, settings)
    assert db_snapshot(engine) == first
    # Nothing new: one page per stream, plus fields and groups.
    assert second_result.api_requests <= 5
    assert second_result.tickets_upserted <= 1


def test_resync_since_a_date_gives_the_same_data(sandbox: Any, engine: Engine, db_url: str) -> None:
    settings = settings_for(sandbox, db_url)
    run_sync(engine, settings)
    first = db_snapshot(engine)
    run_sync(engine, settings, since=date(2000, 1, 1))
    assert db_snapshot(engine) == first


def test_store_text_false_keeps_no_text(sandbox: Any, engine: Engine, db_url: str) -> None:
    run_sync(engine, settings_for(sandbox, db_url, store_text=False))
    with session_scope(engine) as s:
        texts = s.scalar(
            select(func.count())
            .select_from(TicketRow)
            .where(TicketRow.subject.is_not(None) | TicketRow.description.is_not(None))
        )
    assert texts == 0


def test_faults_and_rate_limits_end_with_the_same_data(sqlite_url: str, tmp_path: Any) -> None:
    """5xx, hung and truncated responses, repeated records and 429s change nothing stored."""
    config = SandboxConfig(**DESK, rate_limits=False, hang_s=1.5)
    with start_sandbox(config, port=0) as clean_sb:
        clean = get_engine(sqlite_url)
        run_sync(clean, settings_for(clean_sb, sqlite_url, zendesk_page_size=100))
        expected = db_snapshot(clean)

    faulty_url = f"sqlite:///{tmp_path / 'faulty.db'}"
    faulty_config = SandboxConfig(
        **DESK,
        rate_limits=True,
        export_limit_per_min=120,
        faults="http500=0.06,timeout=0.03,truncate=0.04,dup=0.1,http429=0.04",
        hang_s=1.5,
    )
    with start_sandbox(faulty_config, port=0) as sb:
        faulty = get_engine(faulty_url)
        result = run_sync(
            faulty,
            settings_for(
                sb, faulty_url, zendesk_page_size=100, zendesk_timeout_s=1.0, zendesk_rate_share=1.0
            ),
        )
        injected = sb.stats()["faults_injected"]
    assert sum(injected.values()) > 0, "the sandbox injected no faults; the test proves nothing"
    assert result.retries > 0
    assert db_snapshot(faulty) == expected
    with session_scope(faulty) as s:
        assert s.scalar(select(func.count()).select_from(SkippedRecordRow)) == 0
    dispose_engines()


def test_crash_right_after_since_resumes_from_that_date(
    sandbox: Any, engine: Engine, db_url: str
) -> None:
    from worker.sync import cursors

    settings = settings_for(sandbox, db_url, zendesk_page_size=100)
    run_sync(engine, settings)
    expected = db_snapshot(engine)
    with session_scope(engine) as s:
        stamps = sorted(s.scalars(select(TicketRow.generated_timestamp)))
        since = stamps[len(stamps) // 2]
        # What `sync --since` commits before its first page; then it "crashes".
        cursors.restart_all(s, since)
    sandbox.reset_stats()
    run_sync(engine, settings)  # a plain run carries the re-sync out from `since`
    later = sum(1 for t in stamps if t >= since)
    ticket_requests = sandbox.stats()["requests_by_endpoint"]["incremental_tickets"]
    # Only the tickets from `since` on were read again, not the whole history.
    assert ticket_requests <= math.ceil(later / 100) + 1 < math.ceil(len(stamps) / 100)
    assert db_snapshot(engine) == expected
