"""Build a `TriageContext` from the database and the rule files.

Two parts are costly and change only when tagging runs: the tier model (fitted on a few
thousand tagged tickets) and, until the profiles stage has stored depths, the depths summed
from the work items. A worker triaging ticket after ticket keeps both until tagging runs
again or the rules change. A kept depth is stated at an earlier instant; decay shrinks every
agent's depth by the same factor, so rankings are the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from worker.rules.compiled import CompiledRules, compile_rules
from worker.rules.store import rules_in_force
from worker.settings import Settings
from worker.storage.work_items import TaggingStateRow
from worker.tagging.reader import load_directory
from worker.triage.config import TriageFile, load_triage_config
from worker.triage.expertise import Expertise, expertise_from_work, stored_expertise
from worker.triage.recommend import TriageContext
from worker.triage.roster import load_agents, load_groups, open_load
from worker.triage.tiers import TierModel, calibrate

T = TypeVar("T")

_lock = threading.Lock()
# (what, database, tagging run, ...) -> value; one entry of each kind is kept
_kept: dict[tuple[Any, ...], Any] = {}


def build_context(
    engine: Engine,
    settings: Settings,
    rules_dir: Path | None = None,
    *,
    config: TriageFile | None = None,
) -> TriageContext:
    """Everything triage needs that does not depend on the ticket.

    Raises RulesInvalid when triage.yaml is invalid, or when no valid set of the other rule
    files was ever seen (a broken edit keeps the last valid version in force).
    """
    directory = rules_dir if rules_dir is not None else settings.rules_dir
    config = config if config is not None else load_triage_config(directory)
    in_force = rules_in_force(engine, directory, record=False)
    with engine.connect() as conn:
        compiled = compile_rules(in_force.rules, load_directory(conn))
        expertise = stored_expertise(conn)
        agents = load_agents(conn, compiled.group_tiers)
        load = open_load(conn)
        groups = load_groups(conn)
        tagged = str(conn.scalar(select(TaggingStateRow.last_run_at)))
    database = engine.url.render_as_string(hide_password=True)
    if expertise is None:
        half_life = settings.profile_half_life_days
        expertise = _keep(
            ("depths", database, tagged, half_life),
            lambda: _depths_from_work(engine, half_life),
        )
    tiers = TierModel(calibrated=False)
    if config.tier_prediction == "calibrated":
        key = ("tiers", database, tagged, compiled.version, compiled.context_digest)
        tiers = _keep(key, lambda: _fit(engine, compiled))
    return TriageContext(compiled, config, agents, expertise, load, groups, tiers)


def _keep(key: tuple[Any, ...], make: Callable[[], T]) -> T:
    with _lock:
        if key in _kept:
            found: T = _kept[key]
            return found
    value = make()
    with _lock:
        # one database and one rule set at a time: an older entry of this kind is stale
        for old in [k for k in _kept if k[0] == key[0]]:
            del _kept[old]
        _kept[key] = value
    return value


def _depths_from_work(engine: Engine, half_life_days: float) -> Expertise:
    with engine.connect() as conn:
        return expertise_from_work(conn, until=_utcnow(), half_life_days=half_life_days)


def _fit(engine: Engine, compiled: CompiledRules) -> TierModel:
    with engine.connect() as conn:
        return calibrate(conn, compiled)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
