"""A profile run: fold tagged work into expertise profiles, fully or only what changed.

The nightly run after tagging sums again only the months the re-tagged tickets were
created in; a full rebuild (first run, new rules, new half-life or tier weights, or
`full=True`) re-reads every work item. Both state depths as of the same instant and agree
to the last rounding digit, which the tests check.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from worker.profiles import derived, months, sql, state, totals
from worker.profiles.rulefiles import load_profile_rules
from worker.settings import Settings, get_settings
from worker.storage.clock import utcnow
from worker.storage.stage_runs import record_stage_run

log = logging.getLogger(__name__)


@dataclass
class ProfileResult:
    full: bool
    # why the run was full (or "incremental")
    reason: str
    as_of: datetime
    # tickets re-tagged since the last run (-1: all of them), and the months summed again
    tickets_changed: int
    months_summed: int
    agents: int
    area_profiles: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat(timespec="seconds")
        out["seconds"] = round(self.seconds, 3)
        return out


def update_profiles(
    engine: Engine,
    settings: Settings,
    *,
    full: bool = False,
    as_of: datetime | None = None,
    rules_dir: Path | None = None,
) -> ProfileResult:
    """Bring the profiles up to date with the tagged work; one transaction, so readers see
    the old profiles or the new ones, never half of each.

    Raises RulesInvalid when roles.yaml (its tier weights decide depths) has errors.
    """
    began = time.monotonic()
    half_life = settings.profile_half_life_days
    when = as_of if as_of is not None else utcnow()
    with record_stage_run(engine, "profiles") as run, engine.begin() as conn:
        # inside the stage run, so broken rule files leave a failed run behind
        rules = load_profile_rules(rules_dir if rules_dir is not None else settings.rules_dir)
        scoring = rules.scoring
        digest = scoring.depth_digest()
        sql.ensure_sqlite_math(conn)
        plan = state.plan_run(
            conn, full=full, as_of=when, half_life_days=half_life, scoring_digest=digest
        )
        decay = sql.Decay(plan.anchor, half_life, scoring.tier_weights)
        summed, changed = 0, 0
        # None: every (agent, area) total is summed again
        pairs: set[tuple[int, str]] | None = None
        if plan.full:
            summed, changed = months.rebuild_all(conn, decay), -1
        elif plan.until is not None and plan.since is not None and plan.until > plan.since:
            summed, changed, pairs = months.update_changed(
                conn, decay, since=plan.since, until=plan.until
            )
        else:
            pairs = set()
        factor = totals.decay_factor(plan.anchor, when, half_life)
        totals.rebuild_totals(conn, factor, pairs)
        agents = derived.write_agent_profiles(conn, scoring)
        state.write_state(conn, plan, as_of=when, half_life_days=half_life, scoring_digest=digest)
        result = ProfileResult(
            full=plan.full,
            reason=plan.reason,
            as_of=when,
            tickets_changed=changed,
            months_summed=summed,
            agents=agents,
            area_profiles=totals.count(conn),
            seconds=time.monotonic() - began,
        )
        run.counts = result.as_dict()
    log.info("profiles updated: %s", result.as_dict())
    return result


def rebuild_after_retag(engine: Engine) -> None:
    """For tagging's `register_dependent("profiles", ...)`: after a full re-tag every work
    item may have changed, so the profiles are rebuilt from scratch right away (the next
    nightly run would notice on its own, but `expertise retag` users expect fresh numbers)."""
    update_profiles(engine, get_settings(), full=True)
