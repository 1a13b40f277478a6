"""The rules in force: the files on disk when they are valid, else the last valid version.

Every valid rule set is kept in `rule_versions`. When an admin saves a broken file, tagging
goes on with the last version that was valid and reports the errors (in the result, the
log and `tagging_state.rules_error`) instead of stopping. Only when no valid version was
ever seen does it refuse to run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from worker.rules.errors import RuleError, RulesInvalid
from worker.rules.load import RuleSet, check_rules, rules_from_sources
from worker.storage.clock import utcnow
from worker.storage.db import session_scope
from worker.storage.work_items import RuleVersionRow, TaggingStateRow

log = logging.getLogger(__name__)

STATE_ID = 1


@dataclass(frozen=True)
class InForce:
    rules: RuleSet
    origin: Literal["files", "stored"]
    # why the files on disk are not in force; empty when they are
    errors: list[RuleError] = field(default_factory=list)


def rules_in_force(engine: Engine, rules_dir: Path, *, record: bool = True) -> InForce:
    """The rule set tagging must use now; raises RulesInvalid only if none was ever valid.

    With `record` False nothing is written (explain and backtest change nothing).
    """
    rules, errors = check_rules(rules_dir)
    now = utcnow()
    with session_scope(engine) as session:
        if rules is not None:
            if record:
                _remember(session, rules, now)
                _set_rules_error(session, None, now)
            return InForce(rules, "files")
        stored = last_valid(session)
        if stored is None:
            raise RulesInvalid(errors)
        message = "\n".join(str(e) for e in errors)
        if record:
            _set_rules_error(session, message, now)
    if record:
        log.error(
            "rules in %s are invalid; version %s stays in force:\n%s",
            rules_dir,
            stored.version,
            message,
        )
    return InForce(stored, "stored", errors)


def last_valid(session: Session) -> RuleSet | None:
    row = session.scalars(
        select(RuleVersionRow).order_by(RuleVersionRow.last_valid_at.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return rules_from_sources(row.sources, Path(f"<stored rules {row.version}>"))


def stored_version(session: Session, version: str) -> RuleSet | None:
    row = session.get(RuleVersionRow, version)
    if row is None:
        return None
    return rules_from_sources(row.sources, Path(f"<stored rules {row.version}>"))


def _remember(session: Session, rules: RuleSet, now: datetime) -> None:
    values: dict[str, Any] = {
        "version": rules.version,
        "content": rules.canonical,
        "sources": dict(rules.sources),
        "first_seen_at": now,
        "last_valid_at": now,
    }
    stmt: Any
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(RuleVersionRow).values(values)
        stmt = pg.on_conflict_do_update(
            index_elements=["version"],
            set_={"last_valid_at": pg.excluded.last_valid_at, "sources": pg.excluded.sources},
        )
    else:
        lite = sqlite.insert(RuleVersionRow).values(values)
        stmt = lite.on_conflict_do_update(
            index_elements=["version"],
            set_={"last_valid_at": lite.excluded.last_valid_at, "sources": lite.excluded.sources},
        )
    session.execute(stmt)


def state(session: Session) -> TaggingStateRow:
    """The tagging state row, created on first use."""
    row = session.get(TaggingStateRow, STATE_ID)
    if row is None:
        row = TaggingStateRow(id=STATE_ID)
        session.add(row)
        session.flush()
    return row


def _set_rules_error(session: Session, message: str | None, now: datetime) -> None:
    row = state(session)
    if message is None and row.rules_error is None:
        return
    session.execute(
        update(TaggingStateRow)
        .where(TaggingStateRow.id == STATE_ID)
        .values(rules_error=message, rules_error_at=now if message else None)
    )
