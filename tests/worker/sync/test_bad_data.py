"""Bad records cost only themselves: logged, kept in skipped_records or stored as far as
valid, and every other ticket is stored exactly as a clean run stores it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from integrations.sandbox import SandboxConfig, start_sandbox
from integrations.sandbox.corruption import KINDS
from tests.helpers.sandbox import settings_for
from tests.helpers.snapshot import db_snapshot
from worker.storage.db import get_engine, session_scope
from worker.storage.models import SkippedRecordRow, TicketRow, TouchRow
from worker.sync.rows import MAX_TEXT_CHARS
from worker.sync.run import run_sync

DESK = SandboxConfig(seed=9, agents=8, tickets=250, months=2, rate_limits=False)


def test_bad_records_are_skipped_or_kept_and_nothing_else_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    bad_url = f"sqlite:///{tmp_path / 'bad.db'}"
    with start_sandbox(DESK, port=0) as sb:
        run_sync(get_engine(clean_url), settings_for(sb, clean_url))
        clean = get_engine(clean_url)
        with session_scope(clean) as s:
            live = list(
                s.scalars(select(TicketRow.id).where(~TicketRow.deleted).order_by(TicketRow.id))
            )
        victims = dict(zip(KINDS, live[10 : 10 + len(KINDS)], strict=True))
        for kind, ticket_id in victims.items():
            sb.corrupt_ticket(ticket_id, kind)
        with caplog.at_level(logging.WARNING):
            result = run_sync(get_engine(bad_url), settings_for(sb, bad_url))

    bad = get_engine(bad_url)
    with session_scope(bad) as s:
        skipped = {r.record_id: r.reason for r in s.scalars(select(SkippedRecordRow))}
        stored = {t.id: t for t in s.scalars(select(TicketRow))}
        unknown_touches = s.scalars(
            select(TouchRow).where(TouchRow.ticket_id == victims["unknown_author"])
        ).all()

    # Unusable records are skipped with their id and a reason, and logged with the id.
    for kind in ("missing_fields", "wrong_types"):
        assert victims[kind] in skipped, (kind, skipped)
        assert victims[kind] not in stored
        assert str(victims[kind]) in caplog.text
    assert result.skipped == len(skipped)
    # Records usable as far as they are valid are kept.
    huge = stored[victims["huge_description"]]
    assert huge.description is not None
    assert len(huge.description) == MAX_TEXT_CHARS
    assert "\ufffd" in (stored[victims["invalid_utf8"]].subject or "")
    assert victims["unknown_author"] in stored
    assert all(t.kind not in ("public_reply", "internal_note") for t in unknown_touches)

    # Everything else is exactly what the clean run stored.
    untouched = set(victims.values())
    expected, got = db_snapshot(clean), db_snapshot(bad)
    for table in ("tickets", "touches"):
        key = "id" if table == "tickets" else "ticket_id"
        assert [r for r in got[table] if r[key] not in untouched] == [
            r for r in expected[table] if r[key] not in untouched
        ]
    assert got["agents"] == expected["agents"]
