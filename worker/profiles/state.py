"""Whether a profile run can be incremental, and what it reads: the state left by the last
run, next to tagging's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from worker.storage.clock import utcnow
from worker.storage.profile_tables import ProfileStateRow
from worker.storage.work_items import TaggingStateRow

STATE_ID = 1
# Anchored sums grow by 2^(elapsed / half-life); past this many half-lives since the anchor
# a full rebuild re-anchors them before float precision could suffer.
MAX_HALF_LIVES_FROM_ANCHOR = 30


@dataclass(frozen=True)
class Plan:
    full: bool
    reason: str
    anchor: datetime
    # the tickets synced in (since, until] were re-tagged since the last run
    since: datetime | None
    until: datetime | None
    tagging_full_run_at: datetime | None


def read_state(conn: Connection) -> ProfileStateRow | None:
    row = conn.execute(select(ProfileStateRow).where(ProfileStateRow.id == STATE_ID)).first()
    return None if row is None else ProfileStateRow(**row._asdict())


def plan_run(
    conn: Connection,
    *,
    full: bool,
    as_of: datetime,
    half_life_days: float,
    scoring_digest: str,
) -> Plan:
    state = read_state(conn)
    tagging = conn.execute(
        select(TaggingStateRow.watermark, TaggingStateRow.last_full_run_at)
    ).first()
    until = tagging.watermark if tagging is not None else None
    tagged_full = tagging.last_full_run_at if tagging is not None else None

    reason = ""
    if full:
        reason = "requested"
    elif state is None:
        reason = "first run"
    elif state.half_life_days != half_life_days:
        reason = f"half-life changed ({state.half_life_days:g} -> {half_life_days:g} days)"
    elif state.scoring_digest != scoring_digest:
        reason = "tier weights changed in roles.yaml"
    elif tagged_full is not None and (
        state.tagging_full_run_at is None or tagged_full > state.tagging_full_run_at
    ):
        reason = "tagging re-did the whole history (new rules)"
    elif until is not None and state.watermark is None:
        reason = "first run with tagged work"
    elif abs((as_of - state.anchor).total_seconds()) / 86_400 > (
        MAX_HALF_LIVES_FROM_ANCHOR * half_life_days
    ):
        reason = "re-anchoring the decay"
    if reason or state is None:
        return Plan(True, reason, as_of, None, until, tagged_full)
    return Plan(False, "incremental", state.anchor, state.watermark, until, tagged_full)


def write_state(
    conn: Connection,
    plan: Plan,
    *,
    as_of: datetime,
    half_life_days: float,
    scoring_digest: str,
) -> None:
    previous = read_state(conn)
    now = utcnow()
    values = {
        "id": STATE_ID,
        "as_of": as_of,
        "anchor": plan.anchor,
        "half_life_days": half_life_days,
        "scoring_digest": scoring_digest,
        "watermark": plan.until,
        "tagging_full_run_at": plan.tagging_full_run_at,
        "last_run_at": now,
        "last_full_run_at": now if plan.full or previous is None else previous.last_full_run_at,
    }
    conn.execute(delete(ProfileStateRow))
    conn.execute(insert(ProfileStateRow).values(**values))
