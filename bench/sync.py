"""Sync benchmark: API requests per 1,000 tickets against the floor, throughput, peak RSS,
and rate-limit efficiency. Not part of the test suite; run with `make bench`.

The sandbox and the sync run as separate processes, so the sync's peak RSS is its own.

    python bench/sync.py                         # 100,000 tickets, then the rate-limited run
    python bench/sync.py --tickets 20000 --limited-tickets 10000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
EMAIL, TOKEN = "bench@sandbox.example", "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_sandbox(
    tickets: int, agents: int, extra: list[str]
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "worker.cli.main",
            "sandbox",
            "--port",
            str(port),
            "--seed",
            "7",
            "--agents",
            str(agents),
            "--tickets",
            str(tickets),
            "--months",
            "12",
            "--email",
            EMAIL,
            "--token",
            TOKEN,
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/api/v2/groups.json", auth=(f"{EMAIL}/token", TOKEN), timeout=2)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the sandbox did not start within 10 minutes")


def sandbox_stats(url: str) -> dict[str, Any]:
    resp = requests.get(f"{url}/_sandbox/stats", timeout=10)
    resp.raise_for_status()
    stats: dict[str, Any] = resp.json()
    return stats


def run_sync(url: str, db: Path, extra_env: dict[str, str]) -> tuple[dict[str, Any], float, float]:
    """Run `expertise sync --json` once; returns its result, wall seconds and peak RSS in MB."""
    env = {
        **os.environ,
        "ZENDESK_URL": url,
        "ZENDESK_EMAIL": EMAIL,
        "ZENDESK_API_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{db}",
        **extra_env,
    }
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.cli.main", "sync", "--json"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - began
    if status != 0:
        raise SystemExit(f"sync failed with status {status}")
    return json.loads(out), seconds, usage.ru_maxrss / 1024


def bench_requests(tickets: int, agents: int) -> None:
    proc, url = start_sandbox(tickets, agents, ["--rate-limits", "off"])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result, seconds, rss_mb = run_sync(url, Path(tmp) / "bench.db", {})
        stats = sandbox_stats(url)
    finally:
        proc.terminate()
        proc.wait()
    total_tickets = stats["tickets"]
    audits = stats["audits"]
    floor = math.ceil(total_tickets / 1000) + math.ceil(audits / 1000)
    requests_made = result["api_requests"]
    per_1000 = requests_made / (total_tickets / 1000)
    print(f"## Sync of {total_tickets:,} tickets ({audits:,} audits), rate limits off")
    print(f"API requests:              {requests_made:,}")
    print(f"by endpoint:               {stats['requests_by_endpoint']}")
    print(f"requests per 1,000 tickets: {per_1000:.2f} (comments and metrics included)")
    print(f"floor (ticket pages + event pages at 1,000): {floor:,}")
    print(f"ratio to the floor:        {requests_made / floor:.3f} (target <= 1.1 + a handful)")
    print(f"per-ticket approach would pay ~{total_tickets:,} requests for comments alone")
    rate = total_tickets / seconds
    print(f"wall time:                 {seconds:.1f} s  -> {rate:,.0f} tickets/s")
    print(f"sync process peak RSS:     {rss_mb:.0f} MB (target <= 300)")
    print()


def bench_rate_limited(tickets: int, agents: int, limit: int) -> None:
    proc, url = start_sandbox(
        tickets, agents, ["--rate-limits", "on", "--export-limit", str(limit)]
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result, seconds, _ = run_sync(
                url, Path(tmp) / "bench.db", {"ZENDESK_RATE_SHARE": "1.0"}
            )
        stats = sandbox_stats(url)
    finally:
        proc.terminate()
        proc.wait()
    exports = sum(v for k, v in stats["requests_by_endpoint"].items() if "incremental" in k)
    # At `limit` export requests a minute, the fastest possible sync takes exports/limit minutes.
    best_minutes = exports / limit
    achieved = best_minutes / (seconds / 60)
    print(f"## Sync of {stats['tickets']:,} tickets with the export limit at {limit}/minute")
    print(f"export requests:           {exports:,}  -> best possible {best_minutes:.2f} min")
    print(
        f"took:                      {seconds / 60:.2f} min "
        f"({stats['tickets'] / (seconds / 60):,.0f} tickets/min)"
    )
    print(f"fraction of the maximum:   {achieved:.3f} (target >= 0.9)")
    print(
        f"429s received:             {stats['http_429']} (target 0); "
        f"client waited {result['rate_limit_wait_s']:.0f} s on its own budget"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--limited-tickets", type=int, default=30_000)
    parser.add_argument("--export-limit", type=int, default=60)
    parser.add_argument("--skip-limited", action="store_true")
    args = parser.parse_args()
    bench_requests(args.tickets, args.agents)
    if not args.skip_limited:
        bench_rate_limited(args.limited_tickets, args.agents, args.export_limit)


if __name__ == "__main__":
    main()
