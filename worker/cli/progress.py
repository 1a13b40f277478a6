"""Rich progress bars for the sync: one bar per stream, plus requests and rate-limit waits."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

_LABELS = {"users": "Agents", "tickets": "Tickets", "ticket_events": "Ticket events"}


class RichSyncProgress:
    """Bars advance through time: each export is ordered by timestamp, so the share of the
    time range covered is the honest measure of how far a stream has come."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<14}"),
            BarColumn(),
            TextColumn("{task.fields[records]:>9,} records"),
            TextColumn("{task.fields[requests]:>6,} requests"),
            TextColumn("[dim]{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._starts: dict[str, int] = {}
        self._records: dict[str, int] = {}
        self._waited = 0.0

    def __enter__(self) -> RichSyncProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def stream_started(self, stream: str, start: int, end: int) -> None:
        total = max(1, end - start) if end > start else None
        self._starts[stream] = start
        self._records[stream] = 0
        self._tasks[stream] = self._progress.add_task(
            _LABELS.get(stream, stream), total=total, records=0, requests=0, note=""
        )

    def page_done(self, stream: str, records: int, position: int | None, api_requests: int) -> None:
        task = self._tasks[stream]
        self._records[stream] += records
        self._progress.update(task, records=self._records[stream], requests=api_requests)
        if position is not None and self._progress.tasks[task].total:
            self._progress.update(task, completed=max(0, position - self._starts[stream]))

    def waiting(self, seconds: float, reason: str) -> None:
        self._waited += seconds
        for task in self._tasks.values():
            self._progress.update(task, note=f"rate limit: waited {self._waited:.0f}s ({reason})")

    def finish(self) -> None:
        for task in self._tasks.values():
            t = self._progress.tasks[task]
            self._progress.update(task, completed=t.total or 1, total=t.total or 1)
