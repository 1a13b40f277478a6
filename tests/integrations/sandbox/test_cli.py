"""`expertise sandbox`: options, the printed summary, serving, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
import typer
from typer.testing import CliRunner

from worker.cli.sandbox import sandbox

# The command on an app of its own; the real `expertise` app registers the same function.
APP = """
import typer
from worker.cli.sandbox import sandbox
app = typer.Typer()
app.command()(sandbox)
app()
"""


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(sandbox)
    return app


def test_bad_options_are_refused_before_serving() -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["--faults", "http500=0.1,nonsense=1", "--port", "0"])
    assert result.exit_code == 2
    assert "nonsense" in result.output
    result = runner.invoke(_app(), ["--rate-limits", "maybe", "--port", "0"])
    assert result.exit_code == 2


def test_serves_prints_credentials_writes_truth_and_stops_on_sigterm(tmp_path: Path) -> None:
    truth_file = tmp_path / "truth.json"
    args = [
        "--port", "0", "--seed", "3", "--agents", "6", "--tickets", "150", "--months", "2",
        "--rate-limits", "off", "--email", "cli@sandbox.example", "--token", "cli-token",
        "--truth-out", str(truth_file),
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", APP, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while not any(line.startswith("Truth written") for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line.strip())
            assert time.monotonic() < deadline
        output = "\n".join(lines)
        url_match = re.search(r"ZENDESK_URL=(http://127\.0\.0\.1:\d+)", output)
        assert url_match, output
        url = url_match.group(1)
        assert "ZENDESK_EMAIL=cli@sandbox.example" in output
        assert "150 tickets" in output
        assert "3 groups" in output
        assert "6 agents" in output
        response = requests.get(
            f"{url}/api/v2/groups.json", auth=("cli@sandbox.example/token", "cli-token"), timeout=10
        )
        assert response.status_code == 200
        truth = json.loads(truth_file.read_text())
        assert len(truth["tickets"]) == 150
        assert len(truth["agents"]) == 6
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, rest
        assert "Sandbox stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
