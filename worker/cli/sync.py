"""`expertise sync`: pull what changed in Zendesk since the last run."""

from __future__ import annotations

from datetime import date, datetime

import typer

from integrations.zendesk.errors import ZendeskError
from worker.cli.common import console, fail, load_settings, open_engine, print_json
from worker.cli.progress import RichSyncProgress
from worker.settings import SettingsError
from worker.sync.run import SyncResult, run_sync


def _parse_since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        fail(f"--since must be a date like 2026-01-31, got {value!r}")


def sync(
    since: str | None = typer.Option(
        None,
        "--since",
        metavar="DATE",
        help="Re-sync everything changed since DATE (YYYY-MM-DD), ignoring stored cursors.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as JSON."),
) -> None:
    """Sync tickets, metrics, comment authorship, agents and groups from Zendesk.

    Resumes from where the last run stopped; safe to interrupt and run again.
    """
    settings = load_settings()
    engine = open_engine(settings)
    start = _parse_since(since)
    show_bars = not as_json and console.is_terminal
    try:
        if show_bars:
            with RichSyncProgress(console) as progress:
                result = run_sync(engine, settings, since=start, progress=progress)
                progress.finish()
        else:
            result = run_sync(engine, settings, since=start)
    except SettingsError as exc:
        fail(str(exc))
    except ZendeskError as exc:
        fail(f"sync stopped: {exc}. Stored data is intact; run `expertise sync` again to resume.")
    if as_json:
        print_json(result.as_dict())
    else:
        console.print(summary_line(result))


def summary_line(r: SyncResult) -> str:
    waited = f", waited {r.rate_limit_wait_s:.0f}s for rate limits" if r.rate_limit_wait_s else ""
    skipped = f", [yellow]{r.skipped} skipped[/] (see logs)" if r.skipped else ""
    return (
        f"[green]Synced[/] {r.tickets_upserted:,} tickets ({r.tickets_deleted:,} deleted), "
        f"{r.touches:,} touches, {r.agents:,} agents, {r.groups:,} groups "
        f"in {r.seconds:.1f}s with {r.api_requests:,} API requests{waited}{skipped}."
    )
