"""Profiles benchmark: a full rebuild over a million tickets (about 2.5 million work items)
on SQLite and PostgreSQL, then the nightly incremental update after 5,000 new tickets.
Not part of the test suite; run with `make bench` or directly:

    python bench/profiles.py                                  # 1,000,000 tickets, both stores
    python bench/profiles.py --tickets 100000 --stores sqlite
    python bench/profiles.py --updated 2000   # the night also re-syncs 2,000 older tickets

The tables tagging fills (tickets, work items, ticket tags, tagging state) are written
straight into the database, then each profile run happens in a child process of its own,
so its peak RSS is the run's alone. Targets: full rebuild < 60 s and < 500 MB; incremental
update < 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from worker.storage.db import dispose_engines, get_engine  # noqa: E402
from worker.tagging.writer import ITEM_COLUMNS, TAG_COLUMNS  # noqa: E402

# Late in a month: the nightly run sums again the whole month its tickets were created in,
# so the night's tickets land in a month that already holds ~27 days of work (the costly
# case; on the 1st the month would be empty).
END = datetime(2026, 11, 28)
SPAN_DAYS = 3 * 365
AREAS = (
    "billing",
    "mobile",
    "authentication",
    "search",
    "api",
    "integrations",
    "reporting",
    "email_delivery",
    "data_import",
    "notifications",
    "permissions",
    "workflows",
)
AREA_WEIGHTS = (2.0, 1.5, 1.2, 0.8, 1.4, 1.0, 0.9, 0.7, 0.6, 1.1, 0.5, 0.8)
ROLE_WEIGHTS = {"solver": 1.0, "responder": 0.5, "collaborator": 0.25, "escalated_from": 0.3}
TARGETS = {"full_s": 60.0, "full_rss_mb": 500.0, "incremental_s": 5.0}
PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

TICKET_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "generated_timestamp",
    "status",
    "deleted",
    "tags",
    "custom_fields",
    "satisfaction",
    "full_resolution_minutes",
    "assignee_id",
    "solved_at",
    "synced_at",
)
Row = tuple[Any, ...]


def generate(
    first_id: int, count: int, agents: int, seed: int, start: datetime, span_days: float
) -> Iterator[tuple[list[Row], list[Row], list[Row]]]:
    """Batches of (tickets, work items, ticket tags): specialists take most of their area's
    tickets, replies and notes come from colleagues, a few tickets span two areas."""
    rng = random.Random(seed)
    primary = [i % len(AREAS) for i in range(agents)]
    by_area = {a: [i for i in range(agents) if AREAS[primary[i]] == a] for a in AREAS}
    tickets: list[Row] = []
    items: list[Row] = []
    tags: list[Row] = []
    for n in range(count):
        ticket_id = first_id + n
        created = start + timedelta(days=span_days * n / count + rng.random() / 24)
        area = rng.choices(AREAS, AREA_WEIGHTS)[0]
        areas = [(area, 1.0)]
        if rng.random() < 0.08:
            second = rng.choice([a for a in AREAS if a != area])
            areas = [(area, 0.6), (second, 0.4)]
        tier = rng.choices((1, 2, 3), (0.55, 0.30, 0.15))[0]
        pool = by_area[area]
        solver = 1000 + (rng.choice(pool) if rng.random() < 0.7 else rng.randrange(agents))
        solved = rng.random() < 0.9
        done = created + timedelta(minutes=rng.randint(20, 6000))
        parts: list[tuple[int, str, datetime]] = []
        if solved:
            parts.append((solver, "solver", done))
            if rng.random() < 0.8:
                parts.append((solver, "responder", done - timedelta(minutes=10)))
        if rng.random() < 0.45:
            parts.append((1000 + rng.randrange(agents), "responder", created + timedelta(hours=1)))
        if rng.random() < 0.15:
            parts.append(
                (1000 + rng.randrange(agents), "collaborator", created + timedelta(hours=2))
            )
        if tier > 1 and rng.random() < 0.12:
            parts.append(
                (1000 + rng.randrange(agents), "escalated_from", created + timedelta(hours=3))
            )
        seen: set[tuple[int, str]] = set()
        for agent_id, role, at in parts:
            if (agent_id, role) in seen:
                continue
            seen.add((agent_id, role))
            for key, share in areas:
                items.append(
                    (ticket_id, agent_id, role, key, share, tier * 3, tier,
                     ROLE_WEIGHTS[role], at, "bench")
                )  # fmt: skip
        csat = rng.choices((None, "good", "bad"), (0.6, 0.34, 0.06))[0] if solved else None
        tickets.append(
            (ticket_id, created, done, int(done.timestamp()), "solved" if solved else "open",
             False, "[]", "{}", csat, rng.randint(20, 6000) if solved else None,
             solver, done if solved else None, done)
        )  # fmt: skip
        tags.append(
            (ticket_id, area, json.dumps([list(a) for a in areas]) if len(areas) > 1 else None,
             tier * 3, tier, "bench", done)
        )  # fmt: skip
        if len(tickets) >= 50_000:
            yield tickets, items, tags
            tickets, items, tags = [], [], []
    if tickets:
        yield tickets, items, tags


def _stamp(value: Any) -> Any:
    return value.isoformat(" ") if isinstance(value, datetime) else value


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - constants


def load(engine: Engine, batches: Iterator[tuple[list[Row], list[Row], list[Row]]]) -> int:
    """Bulk-write the generated rows with each driver's fastest path; returns work items."""
    written = 0
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        for tickets, items, tags in batches:
            written += len(items)
            if engine.dialect.name == "sqlite":
                for table, columns, rows in (
                    ("tickets", TICKET_COLUMNS, tickets),
                    ("work_items", ITEM_COLUMNS, items),
                    ("ticket_tags", TAG_COLUMNS, tags),
                ):
                    driver.executemany(
                        _insert_sql(table, columns), [tuple(map(_stamp, r)) for r in rows]
                    )
            else:
                with driver.cursor() as cur:
                    for table, columns, rows in (
                        ("tickets", TICKET_COLUMNS, tickets),
                        ("work_items", ITEM_COLUMNS, items),
                        ("ticket_tags", TAG_COLUMNS, tags),
                    ):
                        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
            driver.commit()
    finally:
        raw.close()
    return written


def add_agents(engine: Engine, agents: int) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        rows = [
            (1000 + i, f"Agent {i}", f"agent{i}@bench.example", "agent", True, False, "[]",
             "{}", END - timedelta(days=200 + 5 * i), END)
            for i in range(agents)
        ]  # fmt: skip
        columns = (
            "id, name, email, role, active, suspended, tags, user_fields, created_at, updated_at"
        )
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        cur.executemany(
            f"INSERT INTO agents ({columns}) VALUES ({', '.join([mark] * 10)})",  # noqa: S608
            [tuple(map(_stamp, r)) for r in rows] if mark == "?" else rows,
        )
        raw.commit()
    finally:
        raw.close()


def mark_tagged(engine: Engine, watermark: datetime, first: bool) -> None:
    """What a tagging run leaves behind: its watermark (and, the first time, a full run)."""
    from sqlalchemy import insert, update

    from worker.storage.work_items import TaggingStateRow

    with engine.begin() as conn:
        if first:
            conn.execute(
                insert(TaggingStateRow).values(
                    id=1, rules_version="bench", watermark=watermark, last_full_run_at=END
                )
            )
        else:
            conn.execute(update(TaggingStateRow).values(watermark=watermark))


def child(url: str, full: bool, as_of: str) -> None:
    """One profile run in this process: prints its result, seconds and peak RSS as JSON."""
    from worker.profiles.build import update_profiles
    from worker.settings import Settings

    engine = get_engine(url)
    began = time.monotonic()
    result = update_profiles(
        engine,
        Settings(database_url=url),
        full=full,
        as_of=datetime.fromisoformat(as_of),
        rules_dir=ROOT / "rules",
    )
    seconds = time.monotonic() - began
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"result": result.as_dict(), "seconds": seconds, "rss_mb": rss_mb}))


def run_child(url: str, full: bool, as_of: datetime) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", url, "--as-of", as_of.isoformat()]
    if full:
        args.append("--full")
    done = subprocess.run(args, check=False, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"profile run failed:\n{done.stderr[:3000]}")
    out = done.stdout
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def bench_store(store: str, tickets: int, agents: int, new: int, updated: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        if store == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            drop = None
        else:
            import psycopg

            name = f"bench_profiles_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = PG_ADMIN.rpartition("/")[0] + f"/{name}"
            drop = name
        try:
            return _bench(url, store, tickets, agents, new, updated)
        finally:
            dispose_engines()
            if drop is not None:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def _bench(
    url: str, store: str, tickets: int, agents: int, new: int, updated: int
) -> dict[str, Any]:
    engine = get_engine(url)
    start = END - timedelta(days=SPAN_DAYS)
    began = time.monotonic()
    add_agents(engine, agents)
    items = load(engine, generate(1, tickets, agents, 7, start, SPAN_DAYS))
    if store == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    mark_tagged(engine, END, first=True)
    print(f"[{store}] loaded {tickets:,} tickets, {items:,} work items "
          f"in {time.monotonic() - began:.0f}s", flush=True)  # fmt: skip
    full = run_child(url, True, END)
    print(f"[{store}] full rebuild: {full['seconds']:.1f}s, peak RSS {full['rss_mb']:.0f} MB",
          flush=True)  # fmt: skip

    # one night's work: new tickets synced (and tagged) after the last profile run, and
    # optionally older tickets of the last 60 days synced again (they changed: solved, rated)
    night = END + timedelta(days=1)
    load(engine, generate(tickets + 1, new, agents, 8, END, 1.0))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE tickets SET synced_at = '{_stamp(night)}' WHERE id > {tickets}"  # noqa: S608
        )
        if updated:
            # ids follow creation time: the last 60 days' tickets, every step-th of them
            recent = round(tickets * 60 / SPAN_DAYS)
            step = max(1, recent // updated)
            conn.exec_driver_sql(
                f"UPDATE tickets SET synced_at = '{_stamp(night)}' "  # noqa: S608
                f"WHERE id > {tickets - recent} AND id <= {tickets} AND mod(id, {step}) = 0"
            )
    mark_tagged(engine, night, first=False)
    incremental = run_child(url, False, night)
    again = f" and {updated:,} changed ones" if updated else ""
    print(f"[{store}] incremental after {new:,} new tickets{again}: "
          f"{incremental['seconds']:.2f}s ({incremental['result']['tickets_changed']:,} tickets "
          f"changed, {incremental['result']['months_summed']} months summed again), "
          f"peak RSS {incremental['rss_mb']:.0f} MB", flush=True)  # fmt: skip
    dispose_engines()
    return {
        "store": store,
        "tickets": tickets,
        "work_items": items,
        "agents": agents,
        "full_s": round(full["seconds"], 2),
        "full_rss_mb": round(full["rss_mb"]),
        "full_months": full["result"]["months_summed"],
        "new_tickets": new,
        "updated_tickets": updated,
        "incremental_tickets_changed": incremental["result"]["tickets_changed"],
        "incremental_months": incremental["result"]["months_summed"],
        "incremental_s": round(incremental["seconds"], 2),
        "incremental_rss_mb": round(incremental["rss_mb"]),
        "incremental_full": incremental["result"]["full"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--new", type=int, default=5_000, help="tickets of the nightly update")
    parser.add_argument(
        "--updated",
        type=int,
        default=0,
        help="older tickets (created in the last 60 days) also synced again that night",
    )
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.full, args.as_of)
        return
    results = [
        bench_store(store.strip(), args.tickets, args.agents, args.new, args.updated)
        for store in args.stores.split(",")
        if store.strip()
    ]
    print()
    print(f"{'store':<11} {'work items':>11} {'full':>8} {'peak RSS':>9} {'incremental':>12}")
    ok = True
    for r in results:
        print(f"{r['store']:<11} {r['work_items']:>11,} {r['full_s']:>7.1f}s "
              f"{r['full_rss_mb']:>6} MB {r['incremental_s']:>11.2f}s")  # fmt: skip
        ok = ok and all(r[key] < limit for key, limit in TARGETS.items())
        ok = ok and not r["incremental_full"]
    verdict = "met" if ok else "NOT met"
    print(
        f"targets: full < {TARGETS['full_s']:.0f}s and < {TARGETS['full_rss_mb']:.0f} MB, "
        f"incremental < {TARGETS['incremental_s']:.0f}s: {verdict}"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
