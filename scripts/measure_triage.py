"""Replay the last month of a sandbox help desk through triage and score it against the truth.

For each seed: start a sandbox, sync it into a SQLite database over real HTTP and tag it.
Then for every live ticket created in the last 30 days, in creation order, triage it with
depths summed only from the work done before those 30 days, a tier model fitted only on
tickets created before them, and each agent's load as it was when the ticket came in.

A recommendation hits when an agent the sandbox's truth marks as strong in the ticket's
true area (strength >= 0.6, the sandbox's own bar for "strong") works at the ticket's true
tier. The baseline is least-loaded assignment inside the right group: the agents whose
default group is the true tier's group, fewest open tickets first.

    .venv/bin/python scripts/measure_triage.py                    # seeds 7, 1, 2
    .venv/bin/python scripts/measure_triage.py --seeds 7 --db-dir /tmp/dbs --check

Targets: top-3 hit rate >= 0.8 and at least twice the baseline's. --check exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Connection, select

from integrations.sandbox import SandboxConfig, start_sandbox
from worker.rules.compiled import compile_rules
from worker.rules.load import load_rules
from worker.settings import Settings
from worker.storage.db import dispose_engines, get_engine
from worker.storage.models import TicketRow, TouchRow
from worker.sync.run import run_sync
from worker.tagging.reader import load_directory
from worker.tagging.run import tag_work
from worker.triage.config import TriageFile, load_triage_config
from worker.triage.expertise import expertise_from_work
from worker.triage.recommend import TriageContext
from worker.triage.roster import load_agents, load_groups
from worker.triage.tiers import calibrate

ROOT = Path(__file__).resolve().parent.parent
STRONG = 0.6
REPLAY_DAYS = 30
TOP3_TARGET, BASELINE_FACTOR = 0.8, 2.0


@dataclass
class Figures:
    seed: int
    tickets: int
    top1: float
    top3: float
    tier: float
    area: float
    baseline_top1: float
    baseline_top3: float
    # least-loaded inside the predicted tier's group, as triage itself would pick the group
    baseline_predicted_top3: float
    no_agent: float
    # tickets for which some available agent is strong at the needed tier: no recommender
    # can hit more often
    ceiling: float
    seconds: float


def prepare(seed: int, tickets: int, workdir: Path, rules_dir: Path) -> tuple[str, dict[str, Any]]:
    """A synced and tagged database of the seed's desk, and the desk's truth."""
    config = SandboxConfig(seed=seed, tickets=tickets, rate_limits=False)
    path = workdir / f"seed-{seed}-{tickets}.db"
    url = f"sqlite:///{path}"
    synced = path.exists()
    with start_sandbox(config, port=0) as sandbox:
        engine = get_engine(url)
        if not synced:
            settings = Settings(
                zendesk_url=sandbox.url,
                zendesk_email=sandbox.email,
                zendesk_api_token=SecretStr(sandbox.token),
                database_url=url,
            )
            run_sync(engine, settings)
        truth = sandbox.truth()
    tag_work(engine, rules_dir)
    return url, truth


class LoadHistory:
    """Open tickets assigned to each agent at any instant, from the assignment touches:
    a ticket counts for its assignee from the assignment until the next one or its solve."""

    def __init__(self, conn: Connection) -> None:
        solved = dict(
            conn.execute(select(TicketRow.id, TicketRow.solved_at).where(~TicketRow.deleted)).all()
        )
        changes = conn.execute(
            select(TouchRow.ticket_id, TouchRow.at, TouchRow.value)
            .where(TouchRow.kind == "assignee_change")
            .order_by(TouchRow.ticket_id, TouchRow.at, TouchRow.id)
        ).all()
        events: list[tuple[datetime, int, int]] = []
        by_ticket: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
        for ticket_id, at, value in changes:
            if ticket_id in solved:
                by_ticket[ticket_id].append((at, value))
        far = datetime.max
        for ticket_id, steps in by_ticket.items():
            end_of_work = solved[ticket_id] or far
            for i, (at, agent) in enumerate(steps):
                if agent is None or at >= end_of_work:
                    continue
                until = steps[i + 1][0] if i + 1 < len(steps) else end_of_work
                events.append((at, 1, agent))
                events.append((min(until, end_of_work), -1, agent))
        events.sort()
        self._events = events
        self._next = 0
        self.load: dict[int, int] = defaultdict(int)

    def advance(self, when: datetime) -> dict[int, int]:
        events = self._events
        while self._next < len(events) and events[self._next][0] <= when:
            _, delta, agent = events[self._next]
            self.load[agent] += delta
            self._next += 1
        return self.load


def replay(
    url: str, truth: dict[str, Any], seed: int, config: TriageFile, rules_dir: Path = ROOT / "rules"
) -> Figures:
    began = time.monotonic()
    engine = get_engine(url)
    rules = load_rules(rules_dir)
    settings = Settings(database_url=url)
    with engine.connect() as conn:
        compiled = compile_rules(rules, load_directory(conn))
        end = conn.scalar(select(TicketRow.created_at).order_by(TicketRow.created_at.desc()))
        assert end is not None, "the desk has no tickets"
        cutoff = end - timedelta(days=REPLAY_DAYS)
        expertise = expertise_from_work(
            conn, until=cutoff, half_life_days=settings.profile_half_life_days
        )
        agents = load_agents(conn, compiled.group_tiers)
        groups = load_groups(conn)
        tiers = calibrate(conn, compiled, created_before=cutoff)
        history = LoadHistory(conn)
        rows = conn.execute(
            select(TicketRow)
            .where(TicketRow.created_at >= cutoff, ~TicketRow.deleted)
            .order_by(TicketRow.created_at, TicketRow.id)
        ).all()
    context = TriageContext(compiled, config, agents, expertise, {}, groups, tiers)
    truth_agents = {a["id"]: a for a in truth["agents"]}
    truth_tickets = {t["id"]: t for t in truth["tickets"]}
    tier_group = {t: g for g, t in compiled.group_tiers.items()}
    rng = random.Random(seed)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        true = truth_tickets[row.id]
        area, tier = str(true["area"]), int(true["tier"])
        load = history.advance(row.created_at)
        context.load = load
        ticket = {
            "id": row.id,
            "subject": row.subject,
            "description": row.description,
            "tags": row.tags,
            "custom_fields": row.custom_fields,
            "priority": row.priority,
            "type": row.type,
            "channel": row.channel,
            "brand_id": row.brand_id,
            "form_id": row.form_id,
            "status": "new",
        }
        rec = context.recommend(ticket, explain=False)
        picked = [a.agent_id for a in rec.agents]

        def strong(agent_id: int, area: str = area, tier: int = tier) -> bool:
            agent = truth_agents.get(agent_id)
            return (
                agent is not None
                and agent["tier"] == tier
                and agent["areas"].get(area, 0.0) >= STRONG
            )

        counts["n"] += 1
        counts["tier"] += rec.tier == tier
        counts["area"] += rec.area == area
        counts["no_agent"] += not picked
        counts["top1"] += any(strong(a) for a in picked[:1])
        counts["top3"] += any(strong(a) for a in picked[:3])
        counts["ceiling"] += any(
            strong(a.id) for a in context.agents.values() if a.active and not a.suspended
        )
        for key, group in (("base", tier_group.get(tier)), ("base_pred", tier_group.get(rec.tier))):
            least = least_loaded(context, group, load, rng)
            counts[f"{key}1"] += any(strong(a) for a in least[:1])
            counts[f"{key}3"] += any(strong(a) for a in least[:3])
    n = max(1, counts["n"])
    dispose_engines()
    return Figures(
        seed=seed,
        tickets=counts["n"],
        top1=counts["top1"] / n,
        top3=counts["top3"] / n,
        tier=counts["tier"] / n,
        area=counts["area"] / n,
        baseline_top1=counts["base1"] / n,
        baseline_top3=counts["base3"] / n,
        baseline_predicted_top3=counts["base_pred3"] / n,
        no_agent=counts["no_agent"] / n,
        ceiling=counts["ceiling"] / n,
        seconds=time.monotonic() - began,
    )


def least_loaded(
    context: TriageContext, group: int | None, load: dict[int, int], rng: random.Random
) -> list[int]:
    """Available agents of `group`, fewest open tickets first (ties broken at random, as a
    round-robin would spread them)."""
    members = [
        a.id
        for a in context.agents.values()
        if a.group_id == group and a.active and not a.suspended
    ]
    rng.shuffle(members)
    members.sort(key=lambda a: load.get(a, 0))
    return members


def report(f: Figures) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b > 0 else "-"

    return (
        f"seed {f.seed}: {f.tickets:,} tickets replayed in {f.seconds:.1f}s\n"
        f"  triage    top-1 {f.top1:.3f}  top-3 {f.top3:.3f}  (no agent: {f.no_agent:.3f}; "
        f"ceiling {f.ceiling:.3f})\n"
        f"  baseline  top-1 {f.baseline_top1:.3f}  top-3 {f.baseline_top3:.3f}  "
        f"(least-loaded in the true tier's group; in the predicted tier's group: top-3 "
        f"{f.baseline_predicted_top3:.3f})\n"
        f"  vs the baseline's assignee: top-1 {ratio(f.top1, f.baseline_top1)}, top-3 "
        f"{ratio(f.top3, f.baseline_top1)}; top-3 vs its 3 least-loaded: "
        f"{ratio(f.top3, f.baseline_top3)}\n"
        f"  predicted tier matches: {f.tier:.3f}   area matches: {f.area:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 1, 2])
    parser.add_argument("--tickets", type=int, default=SandboxConfig().tickets)
    parser.add_argument("--rules-dir", type=Path, default=ROOT / "rules")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--db-dir", type=Path, help="keep the synced databases here and reuse them next time"
    )
    args = parser.parse_args()
    config = load_triage_config(args.rules_dir)
    missed = False
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.db_dir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for seed in args.seeds:
            url, truth = prepare(seed, args.tickets, workdir, args.rules_dir)
            figures = replay(url, truth, seed, config, args.rules_dir)
            print(report(figures), flush=True)
            missed |= figures.top3 < TOP3_TARGET
            missed |= figures.top3 < BASELINE_FACTOR * figures.baseline_top3
    print(f"targets: top-3 >= {TOP3_TARGET}, and >= {BASELINE_FACTOR:g}x the baseline's top-3")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
