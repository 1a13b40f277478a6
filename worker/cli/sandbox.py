"""`expertise sandbox`: a local Zendesk look-alike to try the worker against."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from integrations.sandbox import Sandbox, SandboxConfig, parse_faults, start_sandbox

console = Console()


def _on_off(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("on", "off"):
        raise typer.BadParameter("use 'on' or 'off'")
    return lowered == "on"


def sandbox(
    port: int = typer.Option(8765, help="Port to listen on (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    seed: int = typer.Option(7, help="Seed of the generated help desk; same seed, same data."),
    agents: int = typer.Option(40, min=3, help="Agents in the generated help desk."),
    tickets: int = typer.Option(20000, min=1, help="Tickets in the generated help desk."),
    months: int = typer.Option(12, min=1, help="Months of history, ending today 00:00 UTC."),
    rate_limits: str = typer.Option("on", "--rate-limits", help="Enforce rate limits: on|off."),
    export_limit: int = typer.Option(10, min=1, help="Incremental export requests per minute."),
    api_limit: int = typer.Option(700, min=1, help="Other API requests per minute."),
    faults: str = typer.Option(
        "", help="Injected faults, e.g. 'http500=0.05,timeout=0.02,truncate=0.01,dup=0.02'."
    ),
    latency_ms: int = typer.Option(
        0, "--latency-ms", min=0, help="Delay added to every API response, like a real round trip."
    ),
    truth_out: Annotated[
        Path | None,
        typer.Option(
            "--truth-out", help="Write the generated truth (agents' expertise, labels) here."
        ),
    ] = None,
    email: str = typer.Option("admin@sandbox.example", help="Email of the API user."),
    token: str = typer.Option("sandbox-token", help="API token of the API user."),
) -> None:
    """Serve a generated Zendesk account on HTTP until Ctrl-C."""
    enforce = _on_off(rate_limits)
    try:
        parse_faults(faults)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from exc
    config = SandboxConfig(
        seed=seed,
        agents=agents,
        tickets=tickets,
        months=months,
        rate_limits=enforce,
        faults=faults,
        latency_s=latency_ms / 1000,
        export_limit_per_min=export_limit,
        api_limit_per_min=api_limit,
        email=email,
        token=token,
    )
    console.print(
        f"Generating a help desk: {agents} agents, {tickets:,} tickets, {months} months..."
    )
    try:
        sb = start_sandbox(config, host=host, port=port)
    except OSError as exc:
        console.print(f"[bold red]error:[/] cannot listen on {host}:{port}: {exc}")
        raise typer.Exit(2) from exc
    with _stop_requested() as stop:
        try:
            _serve(sb, tickets, enforce, faults, truth_out, stop)
        finally:
            sb.stop()
    console.print("Sandbox stopped.")


def _serve(
    sb: Sandbox,
    tickets: int,
    enforce: bool,
    faults: str,
    truth_out: Path | None,
    stop: threading.Event,
) -> None:
    staff = sb.desk.staff
    console.print(f"Sandbox Zendesk serving at [bold]{sb.url}[/]")
    console.print(f"  user {sb.email}/token  password {sb.token}")
    console.print(
        f"  {len(staff.areas)} product areas, {len(staff.groups)} groups, "
        f"{len(staff.agents)} agents, {staff.end_users:,} requesters, {tickets:,} tickets; "
        f"rate limits {'on' if enforce else 'off'}" + (f", faults {faults}" if faults else "")
    )
    console.print("Paste into .env or your shell:")
    console.print(
        f"ZENDESK_URL={sb.url}\nZENDESK_EMAIL={sb.email}\nZENDESK_API_TOKEN={sb.token}",
        highlight=False,
        soft_wrap=True,
    )
    if truth_out is not None:
        # Needs the whole desk indexed; big desks keep serving meanwhile.
        with truth_out.open("w", encoding="utf-8") as out:
            sb.write_truth(out)
        console.print(f"Truth written to {truth_out}")
    while not stop.wait(0.5):
        pass


@contextmanager
def _stop_requested() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM while the block runs; the old handlers after."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
