"""The HTML report in a real browser: no console messages, nothing fetched, charts drawn.

Needs Debian's chromium; without it the test is skipped with that reason (CI installs it).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.worker.reports.reportkit import build_desk, settings_for, write_rules
from worker.reports.build import write_reports
from worker.storage.db import dispose_engines, get_engine

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "screenshot_report.py"


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshot_report", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up by name
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_report_renders_in_headless_chromium(sqlite_url: str, tmp_path: Path) -> None:
    checker = _checker()
    if checker.browser() is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    rules = write_rules(tmp_path / "rules")
    engine = get_engine(sqlite_url)
    try:
        build_desk(engine, rules)
        settings = settings_for(sqlite_url, rules)
        [page] = write_reports(engine, settings, ["all"], tmp_path, ["html"])
    finally:
        dispose_engines()
    shot = tmp_path / "report.png"
    result = checker.check_report(page, shot)
    assert result.problems == []
    kinds = {c["kind"] for c in result.charts}
    assert kinds == {"chart coverage", "chart spark"}
    assert all(c["width"] > 0 and c["height"] > 0 and c["marks"] > 0 for c in result.charts)
    assert result.bars > 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_the_checker_catches_a_page_that_fetches_or_logs(tmp_path: Path) -> None:
    checker = _checker()
    if checker.browser() is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><img src='https://example.invalid/x.png'>"
        "<script>console.error('boom')</script></body></html>"
    )
    problems = checker.check_report(page).problems
    assert "console: boom" in problems
    assert "1 reference(s) to resources on the network" in problems
    assert "no chart was drawn" in problems
