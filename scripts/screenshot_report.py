"""Open an HTML report in headless Chromium: save a screenshot, and check that it loads
without console messages, fetches nothing, draws its charts and fits a phone's width.

    .venv/bin/python scripts/screenshot_report.py reports/report.html --out report.png
    .venv/bin/python scripts/screenshot_report.py --demo --out report.png  # builds one first

Needs Debian's chromium (apt-get install chromium). Exit code 1 when a check fails.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
# the tallest screenshot taken (pixels); a longer report is cut off there
_MAX_HEIGHT = 16_000

# Added to a copy of the report only: measures what the browser actually laid out.
_PROBE = """
<script>
window.addEventListener('load', function () {
  var charts = Array.prototype.map.call(document.querySelectorAll('svg.chart'), function (s) {
    var r = s.getBoundingClientRect();
    return {kind: s.getAttribute('class'), width: r.width, height: r.height,
            marks: s.querySelectorAll('rect, polyline, circle').length};
  });
  var bars = document.querySelectorAll('table[role=presentation] td[style*="background:#"]').length;
  var out = document.createElement('pre');
  out.id = 'report-probe';
  out.textContent = JSON.stringify({
    charts: charts, bars: bars,
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    page_width: document.documentElement.scrollWidth, viewport: window.innerWidth,
    page_height: document.documentElement.scrollHeight
  });
  document.body.appendChild(out);
});
</script>
"""
_CONSOLE = re.compile(r':CONSOLE[^\]]*\] "(?P<message>.*)", source: (?P<source>\S*)')
_EXTERNAL = re.compile(
    r"<(?:img|script|link|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*"
    r"[\"']?(?:https?:)?//",
    re.I,
)
_CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//", re.I)


@dataclass
class Check:
    screenshot: Path | None
    console: list[str] = field(default_factory=list)
    external_references: int = 0
    resources: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    bars: int = 0
    narrow_overflow: bool = False

    @property
    def problems(self) -> list[str]:
        out = [f"console: {m}" for m in self.console]
        if self.external_references:
            out.append(f"{self.external_references} reference(s) to resources on the network")
        out += [f"fetched: {r}" for r in self.resources]
        drawn = [c for c in self.charts if c["width"] > 0 and c["height"] > 0 and c["marks"] > 0]
        if not drawn:
            out.append("no chart was drawn")
        elif len(drawn) < len(self.charts):
            out.append(f"{len(self.charts) - len(drawn)} chart(s) drawn empty or without size")
        if self.bars == 0:
            out.append("no bar was drawn")
        if self.narrow_overflow:
            out.append("the page is wider than a 375px phone screen")
        return out


def browser() -> str | None:
    return next((b for b in map(shutil.which, BROWSERS) if b), None)


def _run(binary: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    base = [
        binary,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
    ]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120, check=False)


def _probe(binary: str, page: Path, width: int) -> tuple[dict[str, Any], list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / page.name
        text = page.read_text(encoding="utf-8")
        copy.write_text(text.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
        done = _run(binary, [f"--window-size={width},2000", "--dump-dom", copy.as_uri()])
    found = re.search(r'<pre id="report-probe">(.*?)</pre>', done.stdout, re.S)
    if found is None:
        raise RuntimeError(f"the browser did not load the page:\n{done.stderr[-2000:]}")
    console = [m.group("message") for m in _CONSOLE.finditer(done.stderr)]
    return json.loads(html.unescape(found.group(1))), console


def check_report(page: Path, screenshot: Path | None = None, width: int = 1200) -> Check:
    binary = browser()
    if binary is None:
        raise RuntimeError("no Chromium found: apt-get install chromium")
    page = page.resolve()
    text = page.read_text(encoding="utf-8")
    result = Check(screenshot=screenshot)
    result.external_references = len(_EXTERNAL.findall(text)) + len(_CSS_URL.findall(text))
    wide, _ = _probe(binary, page, width)
    result.charts, result.bars, result.resources = wide["charts"], wide["bars"], wide["resources"]
    # the page as shipped: any console message is a problem, the report has no script;
    # the window as tall as the page, so the screenshot holds all of it
    height = max(600, min(int(wide.get("page_height") or 3000), _MAX_HEIGHT))
    args = [f"--window-size={width},{height}", page.as_uri()]
    if screenshot is not None:
        args.insert(0, f"--screenshot={screenshot.resolve()}")
    shown = _run(binary, args)
    result.console += [m.group("message") for m in _CONSOLE.finditer(shown.stderr)]
    narrow, _ = _probe(binary, page, 375)
    result.narrow_overflow = narrow["page_width"] > narrow["viewport"] + 1
    return result


def _demo_report(out_dir: Path) -> Path:
    """A report of a small sandbox desk: sync, tag, profiles, reports."""
    from pydantic import SecretStr

    from integrations.sandbox import SandboxConfig, start_sandbox
    from worker.profiles.build import update_profiles
    from worker.reports.build import write_reports
    from worker.settings import Settings
    from worker.storage.db import get_engine
    from worker.sync.run import run_sync
    from worker.tagging.run import tag_work

    url = f"sqlite:///{out_dir / 'demo.db'}"
    engine = get_engine(url)
    with start_sandbox(SandboxConfig(seed=7, tickets=3000, rate_limits=False), port=0) as sb:
        settings = Settings(
            zendesk_url=sb.url,
            zendesk_email=sb.email,
            zendesk_api_token=SecretStr(sb.token),
            database_url=url,
            rules_dir=ROOT / "rules",
        )
        run_sync(engine, settings)
    tag_work(engine, ROOT / "rules", full=True)
    update_profiles(engine, settings, full=True)
    written = write_reports(engine, settings, ["all"], out_dir, ["html"])
    return written[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, nargs="?", help="the report to open")
    parser.add_argument("--demo", action="store_true", help="build a sandbox report first")
    parser.add_argument("--out", type=Path, default=Path("report.png"), help="screenshot file")
    parser.add_argument("--width", type=int, default=1200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = _demo_report(Path(tmp)) if args.demo else args.html
        if page is None:
            parser.error("give the report's HTML file, or --demo")
        result = check_report(page, args.out, args.width)
    print(f"screenshot: {args.out}")
    kinds = ", ".join(sorted({str(c["kind"]) for c in result.charts}))
    print(f"charts drawn: {len(result.charts)} ({kinds}), bars: {result.bars}")
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    print("no problems" if not result.problems else f"{len(result.problems)} problem(s)")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
