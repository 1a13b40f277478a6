from __future__ import annotations

import json
import logging

import pytest

from worker.logs import configure_logging


def test_json_lines_carry_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    logging.getLogger("worker.sync").info("page done", extra={"stream": "tickets", "records": 3})
    line = capsys.readouterr().err.strip().splitlines()[-1]
    data = json.loads(line)
    assert data["message"] == "page done"
    assert data["level"] == "info"
    assert data["stream"] == "tickets"
    assert data["records"] == 3
    configure_logging("text", "WARNING")
