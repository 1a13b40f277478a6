"""The README's settings table and command list stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from worker.cli.main import app
from worker.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_settings_table_lists_exactly_the_settings() -> None:
    section = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", section, flags=re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_every_top_level_command_is_in_the_command_list() -> None:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^expertise ([a-z-]+)", section, flags=re.MULTILINE))
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert commands == listed
