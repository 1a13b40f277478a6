"""What every command shares: settings with readable errors, the engine, the console."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine

from worker.settings import Settings, SettingsError, get_settings
from worker.storage.db import get_engine

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    # soft_wrap: one error is one line, whatever the terminal width, so logs can be grepped.
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        fail(str(exc))


def open_engine(settings: Settings) -> Engine:
    try:
        return get_engine(settings.database_url)
    except Exception as exc:
        fail(f"cannot open the database at DATABASE_URL: {type(exc).__name__}: {exc}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
