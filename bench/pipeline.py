"""Pipeline benchmark: the whole nightly run (sync -> tag -> profiles -> reports) through real
Celery workers on PostgreSQL, against a sandbox with rate limits off. Prints the time of each
stage (from the stage runs it recorded) and the peak RSS of every process.

    python bench/pipeline.py                      # 1,000,000 tickets, 2 workers
    python bench/pipeline.py --tickets 50000 --workers 4

Needs Redis and PostgreSQL on 127.0.0.1 (`make services`). Uses Redis database 14 and a
PostgreSQL database of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync import EMAIL, ROOT, TOKEN, sandbox_stats, start_sandbox

sys.path.insert(0, str(ROOT))
from worker.celery_app import app, worker_command

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BROKER = "redis://127.0.0.1:6379/14"
STAGES = ("sync", "tag", "profiles", "reports")


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stage_times(url: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT stage, status, EXTRACT(EPOCH FROM finished_at - started_at), counts "
            "FROM stage_runs ORDER BY id"
        ).fetchall()
    return {r[0]: {"status": r[1], "seconds": float(r[2] or 0), "counts": r[3]} for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=10_000, help="TAG_BATCH_SIZE")
    args = parser.parse_args()

    dbname = f"expertise_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    db_url = PG_ADMIN.rpartition("/")[0] + f"/{dbname}"
    redis.Redis.from_url(BROKER).flushdb()
    print(f"Generating a sandbox of {args.tickets:,} tickets, {args.agents} agents...")
    sandbox, zendesk_url = start_sandbox(args.tickets, args.agents, ["--rate-limits", "off"])
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "ZENDESK_URL": zendesk_url,
                "ZENDESK_EMAIL": EMAIL,
                "ZENDESK_API_TOKEN": TOKEN,
                "DATABASE_URL": db_url,
                "CELERY_BROKER_URL": BROKER,
                "RULES_DIR": str(ROOT / "rules"),
                "REPORTS_DIR": str(Path(tmp) / "reports"),
                "TAG_BATCH_SIZE": str(args.batch),
            }
            # Migrate once up front, so the workers do not race to create the schema.
            subprocess.run(
                [sys.executable, "-m", "worker.cli.main", "db", "upgrade"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            for i in range(args.workers):
                workers.append(
                    subprocess.Popen(
                        worker_command(f"bench{i}", queues=("default", "sync")),
                        env=env,
                        cwd=tmp,
                        stderr=subprocess.DEVNULL,
                    )
                )
            os.environ.update({k: env[k] for k in ("CELERY_BROKER_URL", "DATABASE_URL")})
            app.conf.update(broker_url=BROKER, result_backend=BROKER)
            began = time.monotonic()
            started = app.send_task("worker.tasks.run_pipeline", queue="sync").get(timeout=120)
            from celery.result import AsyncResult

            AsyncResult(started["result_id"], app=app).get(timeout=6 * 3600)
            total = time.monotonic() - began
            rss = {f"worker {i}": peak_rss_mb(w.pid) for i, w in enumerate(workers)}
            rss["sandbox"] = peak_rss_mb(sandbox.pid)
            stats = sandbox_stats(zendesk_url)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)
        sandbox.terminate()
        sandbox.wait()
    times = stage_times(db_url)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    print(
        f"## Nightly pipeline: {stats['tickets']:,} tickets, {args.agents} agents, "
        f"{args.workers} Celery workers, PostgreSQL"
    )
    for stage in STAGES:
        t = times.get(stage, {})
        print(f"{stage:<10} {t.get('seconds', float('nan')):8.1f} s   {t.get('status')}")
    print(f"{'total':<10} {total:8.1f} s   (from queueing the run to the last step's result)")
    for name, mb in rss.items():
        print(f"peak RSS {name:<10} {mb:6.0f} MB")
    tag_counts = times.get("tag", {}).get("counts") or {}
    print(f"tagging batches: {tag_counts.get('batches')}, items: {tag_counts.get('work_items')}")
    print(json.dumps({"stages": times, "total_s": total, "peak_rss_mb": rss}, default=str)[:2000])


if __name__ == "__main__":
    main()
