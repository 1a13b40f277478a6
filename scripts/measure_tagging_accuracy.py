"""How often the rules give a ticket its true product area and tier, on sandbox help desks.

For each seed: start a sandbox, sync it into a fresh SQLite database over real HTTP, tag
it with the rules, and compare every live ticket's tags with the sandbox's truth.

    .venv/bin/python scripts/measure_tagging_accuracy.py   # seeds 7 (the default desk), 1, 2
    .venv/bin/python scripts/measure_tagging_accuracy.py --seeds 7 --tickets 5000 --check

Targets: area >= 95%, tier >= 85%. With --check the exit code is 1 when a seed misses one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, select

from integrations.sandbox import SandboxConfig, start_sandbox
from worker.settings import Settings
from worker.storage.db import dispose_engines, get_engine
from worker.storage.work_items import TicketTagRow
from worker.sync.run import run_sync
from worker.tagging.run import tag_work

ROOT = Path(__file__).resolve().parent.parent
AREA_TARGET, TIER_TARGET = 0.95, 0.85


@dataclass
class Accuracy:
    seed: int
    tickets: int
    area: float
    tier: float
    unclassified: float
    area_misses: list[tuple[str, str, int]]
    tier_confusion: dict[tuple[int, int], int]


def measure(seed: int, tickets: int, rules_dir: Path, workdir: Path) -> Accuracy:
    config = SandboxConfig(seed=seed, tickets=tickets, rate_limits=False)
    path = workdir / f"seed-{seed}-{tickets}.db"
    synced = path.exists()  # a kept database (--db-dir) is synced already
    with start_sandbox(config, port=0) as sandbox:
        url = f"sqlite:///{path}"
        engine = get_engine(url)
        if not synced:
            settings = Settings(
                zendesk_url=sandbox.url,
                zendesk_email=sandbox.email,
                zendesk_api_token=SecretStr(sandbox.token),
                database_url=url,
            )
            run_sync(engine, settings)
        truth = {t["id"]: t for t in sandbox.truth()["tickets"]}
    tag_work(engine, rules_dir, full=True)
    result = compare(engine, truth, seed)
    dispose_engines()
    return result


def compare(engine: Engine, truth: dict[int, dict[str, object]], seed: int) -> Accuracy:
    with engine.connect() as conn:
        tagged = conn.execute(
            select(TicketTagRow.ticket_id, TicketTagRow.area, TicketTagRow.tier)
        ).all()
    area_ok = tier_ok = unclassified = 0
    misses: Counter[tuple[str, str]] = Counter()
    confusion: Counter[tuple[int, int]] = Counter()
    for ticket_id, area, tier in tagged:
        true = truth[ticket_id]
        if area == true["area"]:
            area_ok += 1
        else:
            misses[(str(true["area"]), area)] += 1
        if area == "unclassified":
            unclassified += 1
        tier_ok += tier == true["tier"]
        confusion[(int(str(true["tier"])), tier)] += 1
    n = max(1, len(tagged))
    return Accuracy(
        seed=seed,
        tickets=len(tagged),
        area=area_ok / n,
        tier=tier_ok / n,
        unclassified=unclassified / n,
        area_misses=[(a, b, c) for (a, b), c in misses.most_common(5)],
        tier_confusion=dict(confusion),
    )


def report(result: Accuracy) -> str:
    lines = [
        f"seed {result.seed}: {result.tickets:,} tickets  area {result.area:.2%}  "
        f"tier {result.tier:.2%}  (unclassified {result.unclassified:.2%})"
    ]
    lines.append("  tier confusion (rows: true tier, columns: tagged 1/2/3):")
    for true in (1, 2, 3):
        row = [result.tier_confusion.get((true, tagged), 0) for tagged in (1, 2, 3)]
        lines.append(f"    {true}: " + "  ".join(f"{n:6,}" for n in row))
    if result.area_misses:
        shown = ", ".join(f"{a}→{b} {n}" for a, b, n in result.area_misses)
        lines.append(f"  most common area misses: {shown}")
    return "\n".join(lines)


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
    missed = False
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.db_dir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for seed in args.seeds:
            result = measure(seed, args.tickets, args.rules_dir, workdir)
            print(report(result), flush=True)
            missed |= result.area < AREA_TARGET or result.tier < TIER_TARGET
    print(f"targets: area >= {AREA_TARGET:.0%}, tier >= {TIER_TARGET:.0%}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
