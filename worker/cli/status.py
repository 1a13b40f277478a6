"""`expertise status`: the last run of every stage, cursors, rules in force, data freshness."""

from __future__ import annotations

import typer
from rich.table import Table

from worker.cli.common import console, load_settings, open_engine, print_json
from worker.status import read_status
from worker.storage.clock import utcnow

_STYLE = {"ok": "green", "failed": "bold red", "running": "yellow", "interrupted": "yellow"}
_SHOWN_COUNTS = ("tickets_upserted", "touches", "tickets_tagged", "work_items", "api_requests")


def status(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object instead of tables."),
) -> None:
    """Show each stage's last run (start, duration, counts, error), the sync cursors, the
    rules version in force, and how fresh the data is."""
    st = read_status(open_engine(load_settings()), utcnow())
    if as_json:
        print_json(st.as_dict())
        return
    table = Table(title="Last runs (times UTC)")
    for col in ("stage", "started", "status", "took", "counts", "error"):
        table.add_column(col)
    for s in st.stages:
        if s.last_status is None:
            table.add_row(s.stage, "never", "", "", "", "")
            continue
        counts = ", ".join(f"{k}={s.counts[k]:,}" for k in _SHOWN_COUNTS if k in s.counts)
        style = _STYLE.get(s.last_status, "")
        table.add_row(
            s.stage,
            f"{s.last_started_at:%Y-%m-%d %H:%M}",
            f"[{style}]{s.last_status}[/]",
            f"{s.duration_s:.1f}s" if s.duration_s is not None else "",
            counts,
            (s.error or "")[:120],
        )
    console.print(table)
    age = f"{st.data_age_hours:.1f} h ago" if st.data_age_hours is not None else "never"
    console.print(f"Last successful sync: {age}; newest ticket update: {st.newest_ticket_update}")
    console.print(f"Rules in force: {st.rules_version or 'none yet'}")
    if st.rules_error:
        console.print("[bold red]Rules on disk are invalid[/] (older version in force):")
        console.print(st.rules_error, markup=False)
    for stream, position in sorted(st.cursors.items()):
        console.print(f"Cursor {stream}: {position}", markup=False)
