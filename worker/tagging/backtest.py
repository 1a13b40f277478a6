"""Try candidate rules on the stored history without changing anything: what the areas and
tiers would be, and how that differs from the rules in force."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from worker.rules.compiled import CompiledRules, compile_rules
from worker.rules.load import load_rules
from worker.rules.store import STATE_ID, InForce, rules_in_force, stored_version
from worker.storage.db import session_scope
from worker.storage.work_items import TaggingStateRow
from worker.tagging import reader
from worker.tagging.run import Progress
from worker.tagging.tagger import Tagger

EXAMPLES = 5


@dataclass
class AreaCount:
    key: str
    name: str
    # tickets in the area; with multi-area rules a ticket counts by its share in each
    tickets: float
    share: float
    in_force_tickets: float


@dataclass
class Change:
    ticket_id: int
    before: str
    after: str


@dataclass
class BacktestResult:
    candidate_version: str
    in_force_version: str
    tickets: int
    areas: list[AreaCount]
    unclassified: float
    unclassified_share: float
    in_force_unclassified_share: float
    tiers: dict[int, int]
    in_force_tiers: dict[int, int]
    area_changes: int
    tier_changes: int
    area_examples: list[Change] = field(default_factory=list)
    tier_examples: list[Change] = field(default_factory=list)
    # the most common moves, e.g. ("api", "integrations", 41)
    area_moves: list[tuple[str, str, int]] = field(default_factory=list)
    in_force_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def backtest(
    engine: Engine,
    candidate_dir: Path,
    in_force_dir: Path,
    *,
    progress: Progress | None = None,
    batch_size: int = 10_000,
) -> BacktestResult:
    """Raises RulesInvalid when the candidate rules have errors."""
    candidate_rules = load_rules(candidate_dir)
    in_force = tagged_with(engine) or rules_in_force(engine, in_force_dir, record=False)
    with engine.connect() as conn:
        directory = reader.load_directory(conn)
        agents = reader.agents(conn)
        total = reader.count_tickets(conn, None)
    candidate = compile_rules(candidate_rules, directory)
    current = compile_rules(in_force.rules, directory)
    new_tagger, old_tagger = Tagger(candidate, agents), Tagger(current, agents)

    new_areas: dict[str, float] = defaultdict(float)
    old_areas: dict[str, float] = defaultdict(float)
    new_tiers: Counter[int] = Counter()
    old_tiers: Counter[int] = Counter()
    moves: Counter[tuple[str, str]] = Counter()
    area_examples: list[Change] = []
    tier_examples: list[Change] = []
    tier_changes = tickets = done = 0
    for batch in reader.batches(engine, size=batch_size):
        for row in batch.tickets:
            touches = batch.touches.get(row[0], ())
            new = new_tagger.tag(row, touches)
            old = old_tagger.tag(row, touches)
            if new is None or old is None:
                continue  # deleted
            tickets += 1
            for key, share in new.areas:
                new_areas[key] += share
            for key, share in old.areas:
                old_areas[key] += share
            new_tiers[new.tier] += 1
            old_tiers[old.tier] += 1
            before, after = old.areas[0][0], new.areas[0][0]
            if before != after:
                moves[(before, after)] += 1
                if len(area_examples) < EXAMPLES:
                    area_examples.append(Change(row[0], before, after))
            if old.tier != new.tier:
                tier_changes += 1
                if len(tier_examples) < EXAMPLES:
                    tier_examples.append(Change(row[0], str(old.tier), str(new.tier)))
        done += len(batch.tickets)
        if progress is not None:
            progress(done, max(total, done))

    return BacktestResult(
        candidate_version=candidate.version,
        in_force_version=current.version,
        tickets=tickets,
        areas=_area_counts(candidate, current, new_areas, old_areas, tickets),
        unclassified=new_areas.get(candidate.areas.fallback, 0.0),
        unclassified_share=_share(new_areas.get(candidate.areas.fallback, 0.0), tickets),
        in_force_unclassified_share=_share(old_areas.get(current.areas.fallback, 0.0), tickets),
        tiers={t: new_tiers[t] for t in (1, 2, 3)},
        in_force_tiers={t: old_tiers[t] for t in (1, 2, 3)},
        area_changes=sum(moves.values()),
        tier_changes=tier_changes,
        area_examples=area_examples,
        tier_examples=tier_examples,
        area_moves=[(a, b, n) for (a, b), n in moves.most_common(10)],
        in_force_errors=[str(e) for e in in_force.errors],
    )


def tagged_with(engine: Engine) -> InForce | None:
    """The rules the stored tags were made with: what a change would be compared against
    (the files in the rules directory may already hold an edit not yet applied)."""
    with session_scope(engine) as session:
        row = session.get(TaggingStateRow, STATE_ID)
        version = row.rules_version if row is not None else None
        rules = stored_version(session, version) if version else None
    return None if rules is None else InForce(rules, "stored")


def _share(count: float, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _area_counts(
    candidate: CompiledRules,
    current: CompiledRules,
    new: dict[str, float],
    old: dict[str, float],
    tickets: int,
) -> list[AreaCount]:
    names = dict(current.areas.names)
    names.update(candidate.areas.names)
    # the candidate's order first, then areas only the rules in force have
    keys = list(dict.fromkeys([*candidate.areas.keys, *current.areas.keys]))
    return [
        AreaCount(
            key=key,
            name=names[key],
            tickets=round(new.get(key, 0.0), 3),
            share=_share(new.get(key, 0.0), tickets),
            in_force_tickets=round(old.get(key, 0.0), 3),
        )
        for key in keys
    ]
