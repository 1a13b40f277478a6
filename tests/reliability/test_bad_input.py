"""(e) Bad input: a clear error or a logged skip, and nothing else lost.

Broken tickets (the sandbox's corruption kinds: missing fields, wrong types, comments by
users nobody knows, a 10 MB description, invalid UTF-8) cost only themselves through sync,
tagging and profiles. Broken rule files leave the last valid rules in force (and a worker
will not start on them). Malformed settings stop with one line naming the variable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.signals import worker_init
from sqlalchemy import Engine, select
from typer.testing import CliRunner

import worker.celery_app  # noqa: F401 - connects the worker_init check on rule files
from integrations.sandbox import start_sandbox
from integrations.sandbox.corruption import (
    HUGE_DESCRIPTION,
    INVALID_UTF8,
    KINDS,
    MISSING_FIELDS,
    UNKNOWN_AUTHOR,
    UNKNOWN_USER_ID,
    WRONG_TYPES,
)
from tests.reliability.pipelinekit import (
    DESK,
    CleanRun,
    Snapshot,
    profiles,
    rules_dir_copy,
    run_stages,
    settings,
    state_of,
    tag,
)
from worker.cli.main import app
from worker.rules import RulesInvalid
from worker.settings import get_settings
from worker.storage.db import get_engine, session_scope
from worker.storage.models import SkippedRecordRow, StageRunRow
from worker.sync.rows import MAX_TEXT_CHARS

SKIPPED = (MISSING_FIELDS, WRONG_TYPES)


def _victims(expected: Snapshot) -> dict[str, int]:
    """One ticket per corruption kind, spread over the pages: live tickets agents worked on
    and commented, so that losing their comments' authors shows."""
    worked = {w["ticket_id"] for w in expected["work_items"]}
    commented = {t["ticket_id"] for t in expected["touches"] if t["kind"] == "public_reply"}
    live = [t["id"] for t in expected["tickets"] if not t["deleted"]]
    candidates = [i for i in live if i in worked and i in commented]
    return dict(zip(KINDS, candidates[7::45], strict=False))


def _without(rows: list[dict[str, Any]], key: str, ids: set[Any]) -> list[dict[str, Any]]:
    return [r for r in rows if r[key] not in ids]


def _stage_statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as s:
        rows = s.execute(select(StageRunRow.stage, StageRunRow.status).order_by(StageRunRow.id))
        return {r.stage: r.status for r in rows}


@pytest.mark.slow
def test_broken_tickets_cost_only_themselves_through_the_pipeline(
    pg_database: str, clean_run: CleanRun, caplog: pytest.LogCaptureFixture
) -> None:
    expected = clean_run.snapshot()
    victims = _victims(expected)
    assert set(victims) == set(KINDS)
    engine = get_engine(pg_database)
    with start_sandbox(DESK, port=0) as sb:
        for kind, ticket_id in victims.items():
            sb.corrupt_ticket(ticket_id, kind)
        with caplog.at_level(logging.WARNING):
            run_stages(engine, settings(sb, pg_database))
    got = state_of(engine)
    assert _stage_statuses(engine) == {"sync": "ok", "tag": "ok", "profiles": "ok"}

    # Unusable tickets: skipped with their id and why, logged with the id, not stored.
    with session_scope(engine) as s:
        skipped = {r.record_id: r.reason for r in s.scalars(select(SkippedRecordRow))}
    assert set(skipped) == {victims[k] for k in SKIPPED}, skipped
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for kind in SKIPPED:
        assert any(f"skipped tickets record {victims[kind]}" in m for m in warnings), kind
    stored = {t["id"]: t for t in got["tickets"]}
    assert not {victims[k] for k in SKIPPED} & set(stored)
    # Usable ones are kept as far as they are valid, and tagged.
    tagged = {t["ticket_id"] for t in got["ticket_tags"]}
    huge = stored[victims[HUGE_DESCRIPTION]]["description"]
    assert len(huge) == MAX_TEXT_CHARS
    assert "\ufffd" in stored[victims[INVALID_UTF8]]["subject"]
    assert any("invalid UTF-8" in m for m in warnings)
    assert {victims[k] for k in (HUGE_DESCRIPTION, INVALID_UTF8, UNKNOWN_AUTHOR)} <= tagged
    # A user nobody knows is nobody's work: no agent, no touch, no work item, no profile.
    for table, column in (
        ("agents", "id"),
        ("touches", "actor_id"),
        ("work_items", "agent_id"),
        ("area_profiles", "agent_id"),
        ("agent_profiles", "agent_id"),
    ):
        assert UNKNOWN_USER_ID not in {r[column] for r in got[table]}, table
    unknown_ticket = [t for t in got["touches"] if t["ticket_id"] == victims[UNKNOWN_AUTHOR]]
    assert all(t["kind"] not in ("public_reply", "internal_note") for t in unknown_ticket)

    # Nothing else is lost: every other ticket, touch, tag and work item is the clean run's,
    # and so is every profile that no broken ticket counts in.
    bad = set(victims.values())
    for table in ("agents", "groups", "ticket_fields", "sync_cursors", "rule_versions"):
        assert got[table] == expected[table], table
    assert _without(got["tickets"], "id", bad) == _without(expected["tickets"], "id", bad)
    for table in ("touches", "ticket_tags", "work_items"):
        assert _without(got[table], "ticket_id", bad) == _without(
            expected[table], "ticket_id", bad
        ), table
    touched = {
        (w["agent_id"], area)
        for snapshot in (got, expected)
        for w in snapshot["work_items"]
        if w["ticket_id"] in bad
        for area in (w["area"], "*")
    }
    agents_touched = {agent for agent, _ in touched}

    def unaffected(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if (r["agent_id"], r["area"]) not in touched]

    for table in ("area_profiles", "profile_months"):
        assert unaffected(got[table]) == unaffected(expected[table]), table
    assert _without(got["agent_profiles"], "agent_id", agents_touched) == _without(
        expected["agent_profiles"], "agent_id", agents_touched
    )
    # the comparison covers most of the profiles, not a handful
    assert len(unaffected(expected["area_profiles"])) >= len(expected["area_profiles"]) // 2


def test_broken_rules_leave_the_last_valid_rules_in_force(
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = rules_dir_copy(tmp_path / "rules")
    engine = get_engine(sqlite_url)
    with start_sandbox(DESK, port=0) as sb:
        s = settings(sb, sqlite_url, rules_dir=rules)
        run_stages(engine, s)
    before = state_of(engine)

    # An admin saves a broken areas.yaml: tagging goes on with the last valid version, says
    # where the error is, and changes nothing.
    with (rules / "areas.yaml").open("a") as f:
        f.write("bogus_key: 1\n")
    line = len((rules / "areas.yaml").read_text().splitlines())
    where = f"areas.yaml:{line}: bogus_key: unknown key 'bogus_key'"
    with caplog.at_level(logging.ERROR):
        tag(engine, s, full=True)
        profiles(engine, s, full=True)
    assert where in caplog.text
    assert "stays in force" in caplog.text
    after = state_of(engine)
    [state] = after.pop("tagging_state")
    assert where in state["rules_error"]
    assert state == {**before["tagging_state"][0], "rules_error": state["rules_error"]}
    assert after == {k: v for k, v in before.items() if k != "tagging_state"}
    assert _stage_statuses(engine) == {"sync": "ok", "tag": "ok", "profiles": "ok"}

    # A worker does not start on those files at all.
    caplog.clear()
    monkeypatch.setenv("RULES_DIR", str(rules))
    get_settings.cache_clear()
    with caplog.at_level(logging.ERROR), pytest.raises(SystemExit) as refused:
        worker_init.send(sender=None)
    assert refused.value.code == 1
    assert where in caplog.text
    assert "not starting" in caplog.text

    # Broken tier weights in roles.yaml (they decide depths): the profile run stops with
    # the file and line, and the stored profiles stay as they were.
    fixed = rules_dir_copy(tmp_path / "fixed")
    roles = fixed / "roles.yaml"
    roles.write_text(roles.read_text() + "\nbogus_roles_key: [\n")
    with pytest.raises(RulesInvalid) as invalid:
        profiles(engine, s.model_copy(update={"rules_dir": fixed}), full=True)
    assert re.search(rf"{re.escape(str(roles))}:\d+: ", str(invalid.value)), invalid.value
    assert _stage_statuses(engine)["profiles"] == "failed"
    after = state_of(engine)
    for table in ("area_profiles", "agent_profiles", "profile_months", "profile_state"):
        assert after[table] == before[table], table


runner = CliRunner()


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """The CLI configures the root logger; put it back for the tests after this one."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


TOKEN = "zd-token-never-shown-4b1e"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ZENDESK_TIMEOUT_S", "soon"),
        ("ZENDESK_PAGE_SIZE", "5000"),
        ("ZENDESK_RATE_SHARE", "1.5"),
        ("ZENDESK_URL", "ftp://zendesk.example.com"),
        ("STORE_TEXT", "perhaps"),
        ("LOG_LEVEL", "chatty"),
        ("LOG_FORMAT", "xml"),
        ("PROFILE_HALF_LIFE_DAYS", "-3"),
        ("REPORT_RECIPIENTS", "ann@example.com, not-an-address"),
        ("AREA_MANAGERS", "billing"),
        ("TRIAGE_POLL_MINUTES", "0"),
        ("PIPELINE_SCHEDULE", "every night"),
        ("PIPELINE_TIMEZONE", "Mars/Olympus"),
        ("SYNC_START", "yesterday"),
    ],
)
def test_malformed_setting_is_one_clear_error_naming_it(
    variable: str,
    value: str,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    keep_logging: None,
) -> None:
    env = {
        "ZENDESK_URL": "http://127.0.0.1:9",
        "ZENDESK_EMAIL": "admin@example.com",
        "ZENDESK_API_TOKEN": TOKEN,
        "DATABASE_URL": sqlite_url,
        variable: value,
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    result = runner.invoke(app, ["sync", "--json"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert variable in lines[0]
    assert TOKEN not in result.output
