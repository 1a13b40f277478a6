"""Tagging throughput: tickets per second and peak RSS for a full re-tag of 1,000,000 stored
tickets with the default rules, reading tickets and touches and writing work items included.

    .venv/bin/python bench/tagging.py                  # 1,000,000 tickets, SQLite in /tmp
    .venv/bin/python bench/tagging.py --tickets 100000 --db /tmp/bench-tagging.db
    .venv/bin/python bench/tagging.py --workers 1     # one process (default: one per core)

Targets: >= 20,000 tickets/s on SQLite, <= 300 MB peak RSS. The database is generated once
(in a child process, so its memory does not count) and reused by later runs, which then
re-tag a history that already holds its work items (the old rows are deleted too). The
figures measured, with the machine's reference loop step, are in the README ("Tagging").
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from integrations.sandbox.catalog import CATALOG, GREETINGS, OPENERS, SIGN_OFFS
from worker.storage.db import dispose_engines, get_engine
from worker.tagging.parallel import usable_cores
from worker.tagging.run import tag_work

ROOT = Path(__file__).resolve().parent.parent
AGENTS = 200
GROUPS = {1: "Tier 1 - General", 2: "Tier 2 - Technical", 3: "Tier 3 - Engineering"}
AREA_FIELD = 900
T0 = datetime(2025, 1, 1)


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(path: Path, tickets: int, seed: int = 1) -> None:
    """A help desk shaped like the sandbox's: area words in the text, a "Product area"
    field on some tickets, tags, escalations, replies and notes."""
    get_engine(f"sqlite:///{path}")  # creates the schema
    dispose_engines()
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    now = _ts(T0)
    db.executemany(
        "INSERT INTO groups (id, name, deleted, created_at, updated_at) VALUES (?,?,0,?,?)",
        [(gid, name, now, now) for gid, name in GROUPS.items()],
    )
    db.execute(
        "INSERT INTO ticket_fields (id, title, type, active, options) VALUES (?,?,?,1,?)",
        (
            AREA_FIELD,
            "Product area",
            "tagger",
            json.dumps([[a.name, a.field_value] for a in CATALOG]),
        ),
    )
    db.executemany(
        "INSERT INTO agents (id, name, email, role, active, suspended, default_group_id, tags, "
        "user_fields, created_at, updated_at) VALUES (?,?,NULL,'agent',1,0,NULL,'[]','{}',?,?)",
        [(1000 + i, f"Agent {i}", now, now) for i in range(AGENTS)],
    )
    touch_id = 0
    batch: list[tuple[object, ...]] = []
    touches: list[tuple[object, ...]] = []
    for ticket_id in range(1, tickets + 1):
        area = CATALOG[rng.randrange(len(CATALOG))]
        tier = rng.choices((1, 2, 3), (0.55, 0.30, 0.15))[0]
        technical = tier > 1
        subject = rng.choice(area.technical_subjects if technical else area.subjects)
        description = "\n\n".join(
            p
            for p in (
                rng.choice(GREETINGS),
                rng.choice(OPENERS),
                rng.choice(area.technical_details if technical else area.details),
                rng.choice(SIGN_OFFS),
            )
            if p
        )
        tags = [area.tags[0]] if rng.random() < 0.5 else []
        if tier == 3 and rng.random() < 0.6:
            tags.append("bug")
        fields = {str(AREA_FIELD): area.field_value} if rng.random() < 0.4 else {}
        created = T0 + timedelta(minutes=ticket_id)
        solved = created + timedelta(hours=rng.randint(1, 200))
        assignee = 1000 + rng.randrange(AGENTS)
        audit = ticket_id * 100
        if tier > 1:
            touch_id += 1
            touches.append(
                (touch_id, ticket_id, audit, _ts(created + timedelta(minutes=30)),
                 "group_change", assignee, 2, 1)
            )  # fmt: skip
        touch_id += 1
        touches.append(
            (touch_id, ticket_id, audit + 1, _ts(created + timedelta(minutes=40)),
             "assignee_change", assignee, assignee, None)
        )  # fmt: skip
        for n in range(rng.randint(1, 4)):
            touch_id += 1
            touches.append(
                (touch_id, ticket_id, audit + 2 + n, _ts(created + timedelta(hours=n + 1)),
                 "public_reply", assignee, None, None)
            )  # fmt: skip
        if rng.random() < 0.3:
            touch_id += 1
            touches.append(
                (touch_id, ticket_id, audit + 9, _ts(created + timedelta(hours=2)),
                 "internal_note", 1000 + rng.randrange(AGENTS), None, None)
            )  # fmt: skip
        batch.append(
            (ticket_id, _ts(created), _ts(solved), 0, "closed", 0, subject, description,
             "normal", "question", "web", 1 + (tier - 1), assignee, 1, None, None,
             json.dumps(tags), json.dumps(fields), None, 2, 0, 1 + (tier > 1), 1, 30,
             60, 120, 60, 10, _ts(created), _ts(solved), _ts(solved))
        )  # fmt: skip
        if len(batch) >= 20_000:
            _flush(db, batch, touches)
    _flush(db, batch, touches)
    db.close()


# every column of `tickets`, in table order
_INSERT_TICKET = "INSERT INTO tickets VALUES (" + ", ".join(["?"] * 31) + ")"  # noqa: S608 - no input


def _flush(
    db: sqlite3.Connection, tickets: list[tuple[object, ...]], touches: list[tuple[object, ...]]
) -> None:
    db.executemany(_INSERT_TICKET, tickets)
    db.executemany(
        "INSERT INTO touches (id, ticket_id, audit_id, at, kind, actor_id, value, previous_value) "
        "VALUES (?,?,?,?,?,?,?,?)",
        touches,
    )
    db.commit()
    tickets.clear()
    touches.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--rules-dir", type=Path, default=ROOT / "rules")
    parser.add_argument(
        "--workers",
        type=int,
        default=usable_cores(),
        help="tagging processes, like the CLI's retag --workers (default: one per core)",
    )
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/bench-tagging-{args.tickets}.db")
    if args.generate:
        generate(path, args.tickets)
        return
    if not path.exists():
        began = time.monotonic()
        print(f"generating {args.tickets:,} tickets into {path} ...", flush=True)
        command = [sys.executable, __file__, "--generate", "--tickets", str(args.tickets)]
        subprocess.run([*command, "--db", str(path)], check=True)
        print(f"generated in {time.monotonic() - began:.0f}s", flush=True)

    engine = get_engine(f"sqlite:///{path}")
    began = time.monotonic()
    result = tag_work(engine, args.rules_dir, full=True, workers=args.workers)
    seconds = time.monotonic() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the generator child counts too, so this is an upper bound for the tagging processes
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = f", {args.workers} processes (largest child {child_mb:,.0f} MB)"
    print(
        f"tagged {result.tickets_tagged:,} tickets ({result.work_items:,} work items) "
        f"in {seconds:.1f}s: {result.tickets_tagged / seconds:,.0f} tickets/s, "
        f"peak RSS {peak_mb:,.0f} MB{workers if args.workers > 1 else ''} "
        f"(targets: >= 20,000 tickets/s, <= 300 MB); this machine: {calibrate():.0f} ns "
        "per reference loop step"
    )


def calibrate() -> float:
    """Nanoseconds per step of a plain Python loop, to compare figures across machines
    (about 30-40 ns on a current laptop core)."""
    table = {i: i for i in range(1000)}
    began = time.perf_counter()
    total = 0
    for _ in range(1000):
        for i in range(1000):
            total += table.get(i, 0)
    return (time.perf_counter() - began) * 1e9 / 1e6


if __name__ == "__main__":
    main()
